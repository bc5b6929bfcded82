# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_associations: slurm_users -> one slurm_account entry per user and account."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_associations import FilterModule, slurm_associations


def test_one_entry_per_account_default_first():
    users = [{"name": "alice", "account": "physics", "accounts": ["chemistry", "physics"], "qos": ["normal"],
              "limits": {"MaxJobs": 10}},
             {"name": "bob", "account": "physics"}]
    assert slurm_associations(users) == [
        {"name": "alice", "account": "physics", "default_account": "physics", "qos": ["normal"],
         "limits": {"MaxJobs": 10}},
        {"name": "alice", "account": "chemistry", "default_account": "physics", "qos": ["normal"],
         "limits": {"MaxJobs": 10}},
        {"name": "bob", "account": "physics", "default_account": "physics"},
    ]


def test_without_account_the_first_of_accounts_is_the_default():
    assert slurm_associations([{"name": "carol", "accounts": ["chemistry", "physics"], "default_qos": "long"}]) == [
        {"name": "carol", "account": "chemistry", "default_account": "chemistry", "default_qos": "long"},
        {"name": "carol", "account": "physics", "default_account": "chemistry", "default_qos": "long"},
    ]


def test_a_single_string_in_accounts():
    assert slurm_associations([{"name": "dan", "accounts": "physics"}]) == [
        {"name": "dan", "account": "physics", "default_account": "physics"}]


def test_users_to_remove():
    assert slurm_associations([{"name": "erin", "state": "absent"},
                               {"name": "fay", "account": "physics", "accounts": ["theory"], "state": "absent"},
                               {"name": "gus", "account": "physics", "state": "present"}]) == [
        {"name": "erin", "state": "absent"},
        {"name": "fay", "account": "physics", "state": "absent"},
        {"name": "fay", "account": "theory", "state": "absent"},
        {"name": "gus", "account": "physics", "default_account": "physics"},
    ]


@pytest.mark.parametrize("users, message", [
    ([{"name": "erin", "accounts": []}], "Slurm user erin has no account"),
    ([{"name": "erin"}], "Slurm user erin has no account"),
    ([{"account": "physics"}], "slurm_users[0] has no name"),
    (["erin"], "slurm_users[0] has no name"),
    ({"name": "erin"}, "slurm_users must be a list"),
])
def test_refused(users, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("[", r"\[").replace("]", r"\]")):
        slurm_associations(users)


def test_registered():
    assert FilterModule().filters()["slurm_associations"] is slurm_associations
