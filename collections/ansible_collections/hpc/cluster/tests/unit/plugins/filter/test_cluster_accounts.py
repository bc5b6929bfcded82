# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cluster_accounts: cluster_users and cluster_groups -> the groups and users to create, or one error."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.cluster_accounts import FilterModule, cluster_accounts

GROUPS = [{"name": "hpcusers", "gid": 2000}, {"name": "physics", "gid": 2100}]
USERS = [{"name": "alice", "uid": 2001, "gid": 2000, "groups": ["physics"]}, {"name": "bob", "uid": 2002}]


def test_primary_and_personal_groups():
    result = cluster_accounts(USERS, groups=GROUPS)
    assert result["groups"] == GROUPS + [{"name": "bob", "gid": 2002}]
    assert result["users"] == [
        {"name": "alice", "uid": 2001, "gid": 2000, "groups": ["physics"], "group": "hpcusers",
         "personal_group": False},
        {"name": "bob", "uid": 2002, "gid": 2002, "group": "bob", "personal_group": True},
    ]


def test_quoted_ids_are_numbers():
    result = cluster_accounts([{"name": "alice", "uid": "2001", "gid": "2000"}], groups=[{"name": "g", "gid": "2000"}])
    assert result == {"groups": [{"name": "g", "gid": 2000}],
                      "users": [{"name": "alice", "uid": 2001, "gid": 2000, "group": "g", "personal_group": False}]}


def test_nothing_declared():
    assert cluster_accounts(None, groups=None) == {"users": [], "groups": []}
    assert cluster_accounts([]) == {"users": [], "groups": []}


ERRORS = [
    # (id, users, groups, min_id, messages)
    ("dup-user", USERS + [{"name": "alice", "uid": 2003}], GROUPS, 1000, ["cluster_users: duplicate user name alice"]),
    ("dup-uid", USERS + [{"name": "carol", "uid": "2001"}], GROUPS, 1000, ["cluster_users: duplicate uid 2001"]),
    ("dup-gid", USERS, GROUPS + [{"name": "chem", "gid": 2100}], 1000, ["duplicate gid 2100"]),
    ("personal-group-clash", USERS, GROUPS + [{"name": "bob", "gid": 3000}], 1000, ["duplicate group name bob"]),
    ("low-ids", USERS + [{"name": "svc", "uid": 202, "gid": 150}], GROUPS + [{"name": "munge", "gid": 201}], 1000,
     ["UID/GID below 1000 (base_users_min_id), the range of system and service accounts: svc, munge"]),
    ("min-id-moved", USERS, GROUPS, 2050, ["service accounts: alice, bob, hpcusers"]),
    ("unknown-group", [{"name": "dave", "uid": 2004, "groups": ["chemistry", "physics"]}], GROUPS, 1000,
     ["cluster_users name groups missing from cluster_groups: dave: chemistry"]),
    # Every data problem in one error.
    ("all-at-once", USERS + [{"name": "carol", "uid": 2001, "groups": ["chem"]}],
     GROUPS + [{"name": "munge", "gid": 201}], 1000,
     ["duplicate uid 2001", "service accounts: munge", "carol: chem"]),
    # Malformed entries: each named with its reason, with the other entries' mistakes in the same error.
    ("bad-entries", [{"name": "eve", "uid": "x"}, {"name": "Eve", "uid": 2005}, {"name": "f", "uid": 2005.5},
                     {"name": "g", "uid": "2005\n"}, {"name": "h", "uid": 2006, "gid": "staff"},
                     {"name": "i", "uid": 2007, "groups": "physics"}, {"name": "j", "uid": True}, "k",
                     {"name": "m", "uid": 2008}, {"name": "n", "uid": 2008, "groups": ["chem", "gone"]}],
     [{"name": "chem", "gid": "2x"}, {"gid": 2200}], 1000,
     ["cluster_groups chem: gid '2x' is not a number",
      "cluster_groups entry {'gid': 2200} needs a name and gid",
      "cluster_users eve: uid 'x' is not a number",
      "cluster_users Eve: not an account name (lower case letters, digits, '_', '.' and '-', starting with a "
      "letter or '_')",
      "cluster_users f: uid 2005.5 is not a number", "cluster_users g: uid '2005\\n' is not a number",
      "cluster_users h: gid 'staff' is not a number", "cluster_users i: groups must be a list, not 'physics'",
      "cluster_users j: uid True is not a number", "cluster_users entry 'k' needs a name and uid",
      # The entries that can be created: checked in the same error (chem is named, so not missing).
      "cluster_users: duplicate uid 2008", "missing from cluster_groups: n: gone"]),
]


@pytest.mark.parametrize(("users", "groups", "min_id", "messages"), [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_refused(users, groups, min_id, messages):
    with pytest.raises(AnsibleFilterError) as caught:
        cluster_accounts(users, groups=groups, min_id=min_id)
    for message in messages:
        assert message in str(caught.value)


@pytest.mark.parametrize(("users", "groups"), [({"name": "alice"}, []), ([], "hpcusers")])
def test_not_lists(users, groups):
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        cluster_accounts(users, groups=groups)


def test_registered():
    assert FilterModule().filters()["cluster_accounts"] is cluster_accounts


def test_a_bad_entry_hides_no_other_mistake():
    with pytest.raises(AnsibleFilterError) as caught:
        cluster_accounts([{"name": "Carol", "uid": 2004}, {"name": "dan", "uid": 2001}, {"name": "erin", "uid": 2001}])
    assert str(caught.value) == (
        "cluster_users Carol: not an account name (lower case letters, digits, '_', '.' and '-', starting with a "
        "letter or '_'); cluster_users: duplicate uid 2001; cluster_groups (with the users' personal groups): "
        "duplicate gid 2001")
