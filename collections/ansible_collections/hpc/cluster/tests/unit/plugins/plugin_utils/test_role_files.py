# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""role_files: a role's variables as its tasks see them, for actions on roles the play does not import."""

from __future__ import annotations

import re

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.hpc.cluster.plugins.plugin_utils.role_files import (
    os_data,
    role_file,
    role_names,
    role_variables,
)

ROCKY10 = {"distribution": "Rocky", "distribution_major_version": "10", "os_family": "RedHat"}
ROCKY9 = dict(ROCKY10, distribution_major_version="9")
DEBIAN = {"distribution": "Debian", "distribution_major_version": "12", "os_family": "Debian"}


@pytest.fixture
def roles(tmp_path):
    role = tmp_path / "svc"
    for folder, files in {"defaults": {"main.yml": "svc_name: '{{ __svc_name }}'\nsvc_port: 1\n"},
                          "vars": {"main.yml": "__svc_units: ['{{ svc_name }}']\n__svc_port: 2\n",
                                   "Rocky_10.yml": "__svc_name: svc10\n", "RedHat.yml": "__svc_name: svcd\n",
                                   "default.yml": "__svc_os_unknown: true\n"}}.items():
        (role / folder).mkdir(parents=True)
        for name, text in files.items():
            (role / folder / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(("facts", "expected"), [
    (ROCKY10, {"__svc_name": "svc10"}),  # the most specific file
    (ROCKY9, {"__svc_name": "svcd"}),  # the family's
    (DEBIAN, {"__svc_os_unknown": True}),  # the fallback
    ({}, {"__svc_os_unknown": True}),
])
def test_os_data_is_the_first_file_found(roles, facts, expected):
    assert os_data(DataLoader(), str(roles), "svc", facts) == expected


def test_no_file_no_data(roles):
    (roles / "svc" / "vars" / "default.yml").unlink()
    assert os_data(DataLoader(), str(roles), "svc", DEBIAN) == {}
    assert role_file(DataLoader(), str(roles), "nosuch", "vars") == {}


def test_the_host_s_variables_win_then_the_role_s_vars_then_its_os_data_then_its_defaults(roles):
    loader = DataLoader()
    plain = role_variables(loader, str(roles), "svc", {"ansible_facts": ROCKY9, "svc_port": 3})
    assert "__svc_name" not in plain and plain["svc_port"] == 3 and plain["__svc_port"] == 2
    with_os = role_variables(loader, str(roles), "svc", {"ansible_facts": ROCKY9}, with_os_data=True)
    assert with_os["__svc_name"] == "svcd" and with_os["svc_port"] == 1
    loaded = role_variables(loader, str(roles), "svc", {"ansible_facts": ROCKY9, "__svc_name": "mine"},
                            with_os_data=True)
    assert loaded["__svc_name"] == "mine"


def test_a_file_that_is_not_a_mapping_is_named(roles):
    (roles / "svc" / "vars" / "RedHat.yml").write_text("- a list\n")
    with pytest.raises(AnsibleActionFail, match="RedHat.yml holds no variables"):
        os_data(DataLoader(), str(roles), "svc", ROCKY9)


@pytest.mark.parametrize(("value", "message"), [
    ("'{{ svc_port }}'", "__svc_units must be a list of unit names, got 1"),
    ("['{{ svc_name }}', '']", "must be a list of unit names, got ['svcd', '']"),
    ("['{{ nosuch }}']", "role svc: cannot template __svc_units:"),
])
def test_a_role_list_that_is_not_a_list_of_names_is_refused_naming_the_role(roles, value, message):
    (roles / "svc" / "vars" / "main.yml").write_text("__svc_units: %s\n" % value)
    loader = DataLoader()
    variables = role_variables(loader, str(roles), "svc", {"ansible_facts": ROCKY9}, with_os_data=True)
    with pytest.raises(AnsibleActionFail, match=re.escape(message)):
        role_names(Templar(loader=loader), variables, "svc", "__svc_units", "unit")


def test_a_role_list_is_templated_as_the_role_sees_it(roles):
    loader = DataLoader()
    variables = role_variables(loader, str(roles), "svc", {"ansible_facts": ROCKY10}, with_os_data=True)
    assert role_names(Templar(loader=loader), variables, "svc", "__svc_units", "unit") == ["svc10"]
