# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of hpc.cluster.role_packages (the action runs on the real roles in tests/test_packages_at_once.py,
where the roles' nested templates must render)."""

from __future__ import annotations

from ansible_collections.hpc.cluster.plugins.action.role_packages import missing_packages, variable_name


def test_every_package_once_in_the_roles_order():
    wanted, missing, roles = missing_packages({"base": ["firewalld", "chrony"], "chrony": ["chrony"],
                                               "munge": ["munge"]}, installed=["firewalld"])
    assert wanted == ["firewalld", "chrony", "munge"]
    assert missing == ["chrony", "munge"]
    assert roles == ["base", "chrony", "munge"]


def test_nothing_missing_names_no_role():
    wanted, missing, roles = missing_packages({"base": ["a"], "podman": []}, installed=["a", "b"])
    assert (wanted, missing, roles) == (["a"], [], [])


def test_the_variable_name():
    assert variable_name("node_exporter") == "__node_exporter_repository_packages"


def test_installed_may_be_the_mapping_of_installed_packages():
    """hpc.cluster.installed_packages returns name -> version."""
    wanted, missing, roles = missing_packages({"base": ["a", "c"]}, installed={"a": "1.0-1", "b": "2"})
    assert (wanted, missing, roles) == (["a", "c"], ["c"], ["base"])
