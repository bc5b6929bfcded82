# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hpc.cluster.os_data_file: each role's OS-data file chosen as set_vars.yml chooses it, all of them in
one file for one include_vars, written once per OS and run."""

from __future__ import annotations

import json
import os

import pytest
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader

from ansible_collections.hpc.cluster.plugins.lookup import os_data_file
from ansible_collections.hpc.cluster.plugins.lookup.os_data_file import LookupModule

pytestmark = pytest.mark.usefixtures("plugin_loader")
ROCKY_10 = {"distribution": "Rocky", "distribution_major_version": "10", "os_family": "RedHat"}
DEBIAN_12 = {"distribution": "Debian", "distribution_major_version": "12", "os_family": "Debian"}


@pytest.fixture
def roles(tmp_path, monkeypatch):
    """Two roles' vars/: munge with a Rocky 10 file and a family file, slurm with a family file only."""
    monkeypatch.setattr(os_data_file.C, "DEFAULT_LOCAL_TMP", str(tmp_path / "tmp"))
    monkeypatch.setattr(os_data_file, "_WRITTEN", {})
    files = {"munge/vars/Rocky_10.yml": "__munge_packages: [munge-10]\n",
             "munge/vars/RedHat.yml": "__munge_packages: [munge]\n",
             "munge/vars/default.yml": "__munge_os_unknown: true\n",
             "slurm/vars/RedHat.yml": "---\n__slurm_packages: {openhpc: [slurm-ohpc]}\n__slurm_conf_dir: /etc/slurm\n",
             "slurm/vars/default.yml": "__slurm_os_unknown: true\n"}
    for name, text in files.items():
        path = tmp_path / "roles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "roles"


def lookup(roles_dir, names, facts):
    return LookupModule(loader=DataLoader()).run([names], variables={"ansible_facts": facts},
                                                 roles_dir=str(roles_dir))


def test_the_most_specific_file_of_each_role_in_one_file(roles):
    [path] = lookup(roles, ["munge", "slurm"], ROCKY_10)
    assert os.path.dirname(path) == os_data_file.C.DEFAULT_LOCAL_TMP
    assert json.loads(open(path).read()) == {"__munge_packages": ["munge-10"],
                                             "__slurm_packages": {"openhpc": ["slurm-ohpc"]},
                                             "__slurm_conf_dir": "/etc/slurm"}


def test_an_os_without_data_gets_each_role_s_fallback(roles):
    [path] = lookup(roles, ["munge", "slurm"], DEBIAN_12)
    assert json.loads(open(path).read()) == {"__munge_os_unknown": True, "__slurm_os_unknown": True}


def test_hosts_with_the_same_os_share_one_file_written_once(roles, monkeypatch):
    first = lookup(roles, ["munge", "slurm"], ROCKY_10)
    written = []
    monkeypatch.setattr(os_data_file, "write_once", lambda *args: written.append(args))
    assert lookup(roles, ["munge", "slurm"], ROCKY_10) == first and written == []
    other = lookup(roles, ["munge"], dict(ROCKY_10, distribution_major_version="9"))
    assert other != first and len(written) == 1


def test_a_variable_in_two_roles_files_is_refused_naming_both(roles):
    (roles / "slurm" / "vars" / "RedHat.yml").write_text("__munge_packages: [other]\n")
    with pytest.raises(AnsibleLookupError, match=r"__munge_packages is set by both .*munge/vars/Rocky_10.yml and "
                                                 r".*slurm/vars/RedHat.yml"):
        lookup(roles, ["munge", "slurm"], ROCKY_10)


def test_a_role_without_any_file_is_refused(roles):
    (roles / "slurm" / "vars" / "default.yml").unlink()
    with pytest.raises(AnsibleLookupError, match="role slurm has none of"):
        lookup(roles, ["slurm"], DEBIAN_12)


def test_a_file_that_is_not_a_mapping_is_refused(roles):
    (roles / "munge" / "vars" / "Rocky_10.yml").write_text("- a list\n")
    with pytest.raises(AnsibleLookupError, match="holds no variables"):
        lookup(roles, ["munge"], ROCKY_10)


def test_a_missing_roles_dir_is_refused(tmp_path):
    with pytest.raises(AnsibleLookupError, match="roles_dir .*: no such directory"):
        lookup(tmp_path / "nowhere", ["munge"], ROCKY_10)
