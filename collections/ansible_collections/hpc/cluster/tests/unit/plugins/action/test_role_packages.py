# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of hpc.cluster.role_packages (the action runs on the real roles in tests/test_packages_at_once.py)."""

from __future__ import annotations

from ansible.template import Templar, is_trusted_as_template

from ansible_collections.hpc.cluster.plugins.action.role_packages import missing_packages, trusted, variable_name


def test_every_package_once_in_the_roles_order():
    wanted, missing, roles = missing_packages({"base": ["firewalld", "chrony"], "chrony": ["chrony"],
                                               "munge": ["munge"]}, installed=["firewalld"])
    assert wanted == ["firewalld", "chrony", "munge"]
    assert missing == ["chrony", "munge"]
    assert roles == ["base", "chrony", "munge"]


def test_nothing_missing_names_no_role():
    wanted, missing, roles = missing_packages({"base": ["a"], "podman": []}, installed=["a", "b"])
    assert (wanted, missing, roles) == (["a"], [], [])


def test_a_role_files_strings_are_templated_nested_too():
    data = trusted({"__x_repository_packages": "{{ x_packages if x_on else [] }}", "x_packages": ["{{ 'p' ~ 1 }}"],
                    "n": 3, "x_on": True})
    assert is_trusted_as_template(data["x_packages"][0])
    assert Templar(variables=data).template(data["__x_repository_packages"]) == ["p1"]


def test_the_variable_name():
    assert variable_name("node_exporter") == "__node_exporter_repository_packages"
