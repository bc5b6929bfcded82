# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""installed_packages: the installed packages and their versions, from rpm or dpkg, in one read-only call."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.hpc.cluster.plugins.modules import installed_packages

DPKG = ["--show", "--showformat", "${db:Status-Status} ${Package} ${Version}\n"]
RPM = ["--query", "--all", "--queryformat", "installed %{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n"]


def test_dpkg_lists_installed_packages_only(run_module):
    out = ("installed munge 0.5.15-2\nconfig-files slurmd 22.05.8-4\nnot-installed podman \n"
           "installed chrony 4.3-2+deb12u1\ninstalled munge 0.5.15-2\n")
    result, calls = run_module(installed_packages.main, {"manager": "dpkg"}, [(("dpkg-query", DPKG), 0, out, "")],
                               check_mode=True)
    assert result == {"changed": False, "failed": False, "installed": {"chrony": "4.3-2+deb12u1", "munge": "0.5.15-2"},
                      "manager": "dpkg"}
    assert list(result["installed"]) == ["chrony", "munge"]
    assert len(calls) == 1


def test_rpm_on_the_redhat_family(run_module):
    result, _ = run_module(installed_packages.main, {"manager": "rpm"},
                           [(("rpm", RPM), 0, "installed munge 0.5.13-13.el9\ninstalled gpg-pubkey 8483c65d-5ccc5b19\n"
                                                "installed gpg-pubkey 3228467c-613798eb\n", "")])
    assert result["installed"] == {"gpg-pubkey": "3228467c-613798eb, 8483c65d-5ccc5b19", "munge": "0.5.13-13.el9"}


@pytest.mark.parametrize(("bins", "manager"), [
    ({"dpkg-query": None}, "rpm"),  # a RedHat node
    ({}, "dpkg"),  # Debian, rpm installed or not
    ({"rpm": None}, "dpkg"),
])
def test_auto_reads_the_node_s_own_database(run_module, bins, manager):
    binary, argv = ("rpm", RPM) if manager == "rpm" else ("dpkg-query", DPKG)
    result, _ = run_module(installed_packages.main, {}, [((binary, argv), 0, "", "")], bins=bins)
    assert result["manager"] == manager and result["installed"] == {}


def test_a_failing_query_is_an_error_naming_it(run_module):
    result, _ = run_module(installed_packages.main, {"manager": "rpm"},
                           [(("rpm", RPM), 1, "", "error: rpmdb open failed\n")])
    assert result["failed"] is True
    assert result["msg"] == "rpm --query failed (exit 1): error: rpmdb open failed"


def test_a_missing_tool_is_an_error_naming_it(run_module):
    result, calls = run_module(installed_packages.main, {"manager": "rpm"}, [], bins={"rpm": None})
    assert result["failed"] is True and "rpm is not on this node" in result["msg"] and calls == []


def test_the_real_query_of_this_machine():
    """The module's exact query of this machine's own database (dpkg on Debian, rpm on Rocky): packages
    every such machine has are listed, each with a version."""
    manager = "dpkg" if shutil.which("dpkg-query") else "rpm"
    argv = installed_packages.QUERIES[manager]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    versions = installed_packages.installed_versions(out)
    assert {"bash", "coreutils", "dpkg" if manager == "dpkg" else "rpm"} <= set(versions)
    assert all(" " not in name and version and " " not in version for name, version in versions.items())
    assert all(character.isdigit() for character in versions["bash"][:1])


@pytest.mark.parametrize(("names", "expected"), [
    (["deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
      "deb.debian.org_debian_dists_bookworm_InRelease", "lock", "partial"], 1),
    (["lock", "partial"], 0),
    (None, 0),
], ids=["one-list", "none-downloaded", "no-directory"])
def test_the_apt_lists_are_counted_in_the_same_call(tmp_path, run_module, names, expected):
    """With apt_lists_dir the same call counts the downloaded package lists (role repos then needs
    no call of its own to tell whether apt has any)."""
    lists = tmp_path / "lists"
    if names is not None:
        lists.mkdir()
        for name in names:
            (lists / name).write_text("")
    result, calls = run_module(installed_packages.main, {"manager": "dpkg", "apt_lists_dir": str(lists)},
                               [(("dpkg-query", DPKG), 0, "", "")])
    assert len(calls) == 1
    assert result["apt_lists"] == expected


def test_without_apt_lists_dir_there_is_no_count(run_module):
    result, _ = run_module(installed_packages.main, {"manager": "dpkg"}, [(("dpkg-query", DPKG), 0, "", "")])
    assert "apt_lists" not in result
