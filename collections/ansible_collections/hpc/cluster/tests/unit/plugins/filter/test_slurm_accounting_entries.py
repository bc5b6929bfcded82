# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_accounting_entries: the inventory's accounting lists as the typed entries of one task."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_accounting_entries import (
    FilterModule,
    slurm_accounting_entries,
)


def test_cluster_then_qos_accounts_and_associations_in_order():
    entries = slurm_accounting_entries(
        "lab",
        qos=[{"name": "long", "limits": {"MaxWall": "7-00:00:00"}}, {"name": "debug", "state": "absent"}],
        accounts=[{"name": "physics"}, {"name": "theory", "parent": "physics"}],
        users=[{"name": "alice", "account": "physics", "accounts": ["theory"], "qos": ["normal", "long"]},
               {"name": "bob", "state": "absent"}])
    assert entries == [
        {"type": "cluster", "name": "lab"},
        {"type": "qos", "name": "long", "limits": {"MaxWall": "7-00:00:00"}},
        {"type": "qos", "name": "debug", "state": "absent"},
        {"type": "account", "name": "physics"},
        {"type": "account", "name": "theory", "parent": "physics"},
        {"type": "user", "name": "alice", "account": "physics", "default_account": "physics",
         "qos": ["normal", "long"]},
        {"type": "user", "name": "alice", "account": "theory", "default_account": "physics",
         "qos": ["normal", "long"]},
        {"type": "user", "name": "bob", "state": "absent"},
    ]


def test_the_inventory_lists_are_not_changed():
    qos = [{"name": "long"}]
    slurm_accounting_entries("lab", qos=qos)
    assert qos == [{"name": "long"}]


def test_only_the_cluster_without_lists():
    assert slurm_accounting_entries("lab") == [{"type": "cluster", "name": "lab"}]


@pytest.mark.parametrize("args, kwargs, message", [
    (("",), {}, "the cluster name must be a non-empty string"),
    (("lab",), {"qos": {"name": "long"}}, "slurm_qos must be a list, got dict"),
    (("lab",), {"accounts": ["physics"]}, "slurm_accounts[0] is not a dictionary"),
    (("lab",), {"users": [{"name": "alice"}]}, "Slurm user alice has no account"),
], ids=["no cluster", "qos not a list", "account not a dictionary", "user without account"])
def test_refusals_name_the_culprit(args, kwargs, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        slurm_accounting_entries(*args, **kwargs)


def test_registered():
    assert FilterModule().filters()["slurm_accounting_entries"] is slurm_accounting_entries


def test_removals_are_only_the_entries_to_remove():
    # What role slurm's preflight checks against the active jobs; a present user without an
    # account (refused by role slurmdbd's own preflight) is not looked at.
    entries = slurm_accounting_entries(
        "lab",
        qos=[{"name": "long"}, {"name": "debug", "state": "absent"}],
        accounts=[{"name": "physics"}, {"name": "old", "state": "absent"}],
        users=[{"name": "carol"}, {"name": "alice", "account": "physics", "accounts": ["theory"], "state": "absent"},
               {"name": "bob", "state": "absent"}, "not a dictionary"],
        removals=True)
    assert entries == [
        {"type": "qos", "name": "debug", "state": "absent"},
        {"type": "account", "name": "old", "state": "absent"},
        {"type": "user", "name": "alice", "account": "physics", "state": "absent"},
        {"type": "user", "name": "alice", "account": "theory", "state": "absent"},
        {"type": "user", "name": "bob", "state": "absent"},
    ]
    assert slurm_accounting_entries("lab", qos=[{"name": "long"}], removals=True) == []
