# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The OS-data part of hpc.cluster.role_arguments and its check of strings the validation would convert (the
settings part runs in tests/test_role_skeleton.py)."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hpc.cluster.plugins.action.role_arguments import os_problem, string_problem, strings_taken_as

FACTS = {"ansible_facts": {"distribution": "Gentoo", "distribution_major_version": "2", "os_family": "Gentoo"}}


def test_every_role_with_data_is_no_problem():
    assert os_problem(["munge", "slurm"], dict(FACTS, __munge_os_unknown=False)) is None


def test_the_roles_without_data_are_named_in_order_with_the_os():
    text = os_problem(["munge", "slurm", "podman"], dict(FACTS, __podman_os_unknown=True, __munge_os_unknown=True))
    assert text.startswith("role(s) munge, podman have no OS data for Gentoo 2 (family Gentoo)")
    assert "roles/<role>/vars/Gentoo.yml (or Gentoo.yml)" in text


def test_missing_facts_do_not_break_the_message():
    assert "no OS data for ? ? (family ?)" in os_problem(["munge"], {"__munge_os_unknown": True})


SPEC = {
    "chrony_extra_config": {"type": "list", "elements": "str"},
    "chrony_cluster_server": {"type": "bool"},
    "slurm_config": {"type": "dict"},
    "chrony_local_stratum": {"type": "int"},
    "chrony_server_group": {"type": "str"},
    "chrony_sources": {"type": "list", "elements": "dict", "options": {
        "type": {"type": "str", "required": True}, "address": {"type": "str", "required": True},
        "options": {"type": "list", "elements": "str"}}},
    "podman_storage": {"type": "dict", "options": {"rootless": {"type": "bool"}}},
}


def taken(settings):
    checked = ArgumentSpecValidator(SPEC).validate(settings, validate_role_argument_spec=True)
    return list(strings_taken_as(SPEC, settings, checked.validated_parameters)), checked.error_messages


@pytest.mark.parametrize("settings", [
    {},
    {"chrony_extra_config": ["makestep 1 3"], "chrony_cluster_server": False, "slurm_config": {"A": "b"}},
    {"chrony_sources": [{"type": "server", "address": "ntp1", "options": ["iburst"]}],
     "podman_storage": {"rootless": True}},
    # Strings of other types are Ansible's to convert, and the roles read them through | int.
    {"chrony_local_stratum": "10", "chrony_server_group": "control"},
])
def test_values_of_their_types_pass(settings):
    assert taken(settings) == ([], [])


def test_each_converted_string_named_where_it_is():
    settings = {"chrony_extra_config": "makestep 1 3", "chrony_cluster_server": "false", "slurm_config": "A=b",
                "chrony_sources": [{"type": "server", "address": "ntp1"},
                                   {"type": "pool", "address": "pool.ntp.org", "options": "iburst"}],
                "podman_storage": {"rootless": "yes"}}
    assert taken(settings) == ([
        ("chrony_extra_config", "makestep 1 3", "list"),
        ("chrony_cluster_server", "false", "bool"),
        ("slurm_config", "A=b", "dict"),
        ("chrony_sources[1].options", "iburst", "list"),
        ("podman_storage.rootless", "yes", "bool"),
    ], [])


def test_the_booleans_read_through_bool_may_be_strings():
    settings = {"chrony_cluster_server": "true", "podman_storage": {"rootless": "yes"}}
    checked = ArgumentSpecValidator(SPEC).validate(settings, validate_role_argument_spec=True)
    taken = strings_taken_as(SPEC, settings, checked.validated_parameters,
                             bool_strings=["chrony_cluster_server", "rootless"])
    # Top-level names only: a suboption of the same name is still refused.
    assert list(taken) == [("podman_storage.rootless", "yes", "bool")]


def test_a_string_the_validation_refuses_is_said_once_by_it():
    names, errors = taken({"chrony_cluster_server": "maybe", "slurm_config": "not a mapping"})
    assert names == [] and len(errors) == 2


def test_the_message_names_the_role_the_setting_and_how_to_write_it():
    assert string_problem("chrony", "chrony_sources[1].options", "iburst", "list") == (
        "role chrony: chrony_sources[1].options must be a list, not the string 'iburst' (the role reads it as "
        "written; -e key=value and INI inventories give strings: write YAML, or -e '{\"chrony_sources\": ...}' in "
        "JSON).")
    assert "must be true or false, not the string 'no'" in string_problem("x", "x_flag", "no", "bool")
