# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""accounts_to_change: only the groups and users whose entries differ, as user/group would see it."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.accounts_to_change import FilterModule, accounts_to_change
from ansible_collections.hpc.cluster.plugins.filter.cluster_accounts import cluster_accounts

ACCOUNTS = cluster_accounts(
    [{"name": "alice", "uid": 2001, "gid": 2000, "groups": ["physics"], "comment": "Alice A."},
     {"name": "bob", "uid": "2002", "shell": "/bin/zsh"}],
    groups=[{"name": "hpcusers", "gid": 2000}, {"name": "physics", "gid": 2100}])
IN_PLACE = {
    "groups": {"hpcusers": 2000, "physics": 2100, "bob": 2002},
    "users": {
        "alice": {"uid": 2001, "gid": 2000, "gecos": "Alice A.", "home": "/home/alice", "shell": "/bin/bash",
                  "groups": ["physics"], "home_exists": True},
        "bob": {"uid": 2002, "gid": 2002, "gecos": "", "home": "/home/bob", "shell": "/bin/zsh",
                "groups": [], "home_exists": True},
    },
}


def changes(read, **kwargs):
    args = dict(users=ACCOUNTS["users"], groups=ACCOUNTS["groups"], shell="/bin/bash", home_root="/home")
    args.update(kwargs)
    result = accounts_to_change(read, **args)
    return [g["name"] for g in result["groups"]], [u["name"] for u in result["users"]]


def with_user(name, **values):
    users = dict(IN_PLACE["users"], **{name: dict(IN_PLACE["users"][name], **values)})
    return dict(IN_PLACE, users=users)


def test_nothing_to_change_when_every_entry_is_in_place():
    assert changes(IN_PLACE) == ([], [])


def test_a_fresh_node_changes_everything():
    assert changes({"users": {}, "groups": {}}) == (["hpcusers", "physics", "bob"], ["alice", "bob"])


@pytest.mark.parametrize("values", [
    {"uid": 2999},
    {"gid": 2100},                        # another primary group
    {"groups": []},                       # a supplementary group missing
    {"groups": ["physics", "wheel"]},     # one more (append is false: user removes it)
    {"shell": "/bin/sh"},
    {"home": "/scratch/alice"},
    {"gecos": "someone else"},
    {"home_exists": False},
])
def test_each_value_role_base_sets_is_compared(values):
    assert changes(with_user("alice", **values)) == ([], ["alice"])


def test_group_with_another_gid_or_missing():
    read = dict(IN_PLACE, groups={"hpcusers": 2999, "bob": 2002})
    assert changes(read) == (["hpcusers", "physics"], [])


def test_no_comment_given_leaves_the_gecos_alone():
    assert changes(with_user("bob", gecos="Bob's own comment")) == ([], [])


def test_missing_home_directory_only_counts_when_homes_are_created():
    read = with_user("bob", home_exists=False)
    assert changes(read) == ([], ["bob"])
    assert changes(read, create_home=False) == ([], [])


def test_home_compared_as_the_task_writes_it():
    assert changes(IN_PLACE, home_root="/home/") == ([], ["alice", "bob"])  # user would set /home//alice
    read = with_user("alice", home="/home//alice")
    read = dict(read, users=dict(read["users"], bob=dict(read["users"]["bob"], home="/home//bob")))
    assert changes(read, home_root="/home/") == ([], [])


def test_supplementary_groups_in_any_order():
    accounts = cluster_accounts([{"name": "carol", "uid": 2003, "gid": 2000, "groups": ["physics", "hpcusers"]}],
                                groups=[{"name": "hpcusers", "gid": 2000}, {"name": "physics", "gid": 2100}])
    read = {"groups": {"hpcusers": 2000, "physics": 2100},
            "users": {"carol": {"uid": 2003, "gid": 2000, "gecos": "", "home": "/home/carol", "shell": "/bin/bash",
                                "groups": ["hpcusers", "physics"], "home_exists": True}}}
    assert accounts_to_change(read, users=accounts["users"], groups=accounts["groups"], shell="/bin/bash",
                              home_root="/home") == {"groups": [], "users": [], "renumbered": []}


def test_bad_input_is_refused():
    with pytest.raises(AnsibleFilterError, match="account_entries"):
        accounts_to_change({"users": []}, users=[], groups=[], shell="/bin/bash", home_root="/home")


def test_registered():
    assert FilterModule().filters()["accounts_to_change"] is accounts_to_change


def test_accounts_with_other_ids_are_named():
    read = dict(with_user("alice", uid=3001), groups=dict(IN_PLACE["groups"], physics=2200))
    result = accounts_to_change(read, users=ACCOUNTS["users"], groups=ACCOUNTS["groups"], shell="/bin/bash",
                                home_root="/home")
    assert result["renumbered"] == ["group physics has GID 2200 here, not 2100",
                                    "user alice has UID 3001 here, not 2001"]


def test_missing_or_matching_accounts_are_not_renumbered():
    fresh = accounts_to_change({"users": {}, "groups": {}}, users=ACCOUNTS["users"], groups=ACCOUNTS["groups"],
                               shell="/bin/bash", home_root="/home")
    placed = accounts_to_change(with_user("bob", shell="/bin/sh"), users=ACCOUNTS["users"],
                                groups=ACCOUNTS["groups"], shell="/bin/bash", home_root="/home")
    assert fresh["renumbered"] == [] and placed["renumbered"] == [] and [u["name"] for u in placed["users"]] == ["bob"]
