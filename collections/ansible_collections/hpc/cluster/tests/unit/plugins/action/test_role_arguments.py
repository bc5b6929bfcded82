# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The OS-data part of hpc.cluster.role_arguments (the settings part runs in tests/test_role_skeleton.py)."""

from __future__ import annotations

from ansible_collections.hpc.cluster.plugins.action.role_arguments import os_problem

FACTS = {"ansible_facts": {"distribution": "Gentoo", "distribution_major_version": "2", "os_family": "Gentoo"}}


def test_every_role_with_data_is_no_problem():
    assert os_problem(["munge", "slurm"], dict(FACTS, __munge_os_unknown=False)) is None


def test_the_roles_without_data_are_named_in_order_with_the_os():
    text = os_problem(["munge", "slurm", "podman"], dict(FACTS, __podman_os_unknown=True, __munge_os_unknown=True))
    assert text.startswith("role(s) munge, podman have no OS data for Gentoo 2 (family Gentoo)")
    assert "roles/<role>/vars/Gentoo.yml (or Gentoo.yml)" in text


def test_missing_facts_do_not_break_the_message():
    assert "no OS data for ? ? (family ?)" in os_problem(["munge"], {"__munge_os_unknown": True})
