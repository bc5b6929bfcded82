# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_accounts
short_description: The cluster's users and groups with fixed IDs, checked and completed once
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Checks C(cluster_users) and C(cluster_groups) of the inventory contract and returns the groups and
    users to create on every node.
  - A user's primary group is the cluster group whose GID is the user's C(gid) (default its C(uid));
    when there is none, a personal group named after the user with that GID is added to the groups.
  - An ID is a number or a string of digits (a quoted YAML number counts as one).
  - "Refused, all in one error naming the culprits: an entry without a valid name or numeric ID, or
    whose C(groups) is not a list (each reason said); two users with one name or UID; two groups (personal groups
    included) with one name or GID; an ID below O(min_id), the range of system and service accounts;
    a supplementary group missing from C(cluster_groups)."
  - Call it once per run (C(run_once)); the data is the same for every node.
options:
  _input:
    description: The users, C(cluster_users) (each C({name, uid, gid, groups, shell, comment})).
    type: list
    elements: dict
    required: true
  groups:
    description: The groups, C(cluster_groups) (each C({name, gid})).
    type: list
    elements: dict
    default: []
  min_id:
    description: The lowest UID and GID a cluster account may have (C(base_users_min_id) of role base).
    type: int
    default: 1000
"""

EXAMPLES = r"""
- name: Users and groups to create, once per run
  ansible.builtin.set_fact:
    __base_accounts: "{{ cluster_users | hpc.cluster.cluster_accounts(groups=cluster_groups, min_id=1000) }}"
  run_once: true

- name: What it returns
  ansible.builtin.debug:
    msg: "{{ users | hpc.cluster.cluster_accounts(groups=groups) }}"
  vars:
    groups: [{name: hpcusers, gid: 2000}]
    users: [{name: alice, uid: 2001, gid: 2000}, {name: bob, uid: 2002}]
    # => {groups: [{name: hpcusers, gid: 2000}, {name: bob, gid: 2002}],
    #     users: [{name: alice, uid: 2001, gid: 2000, group: hpcusers, personal_group: false},
    #             {name: bob, uid: 2002, gid: 2002, group: bob, personal_group: true}]}
"""

RETURN = r"""
_value:
  description: C(groups) (the cluster groups, then the personal groups, each C({name, gid}) with the
    GID a number) and C(users) (each entry with C(uid) and C(gid) numbers, C(group) and C(personal_group)).
  type: dict
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

_NAME = re.compile(r"[a-z_][a-z0-9_.-]*\Z")
_ID = re.compile(r"[0-9]+\Z")


def _is_id(value):
    return not isinstance(value, bool) and bool(_ID.match(str(value)))


_NAME_RULE = "lower case letters, digits, '_', '.' and '-', starting with a letter or '_'"


def _entry_problems_of(kind, entry, id_keys):
    """Why entry of cluster_users or cluster_groups (kind) cannot be created, each reason named; [] if it can."""
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
        return ["%s entry %r needs a name and %s" % (kind, entry, " and ".join(id_keys[:1]))]
    where = "%s %s:" % (kind, entry["name"])
    problems = [] if _NAME.match(entry["name"]) else ["%s not an account name (%s)" % (where, _NAME_RULE)]
    for index, key in enumerate(id_keys):
        if (index == 0 or key in entry) and not _is_id(entry.get(key)):
            problems.append("%s %s %r is not a number" % (where, key, entry.get(key)))
    if kind == "cluster_users" and not isinstance(entry.get("groups", []), (list, tuple)):
        problems.append("%s groups must be a list, not %r" % (where, entry["groups"]))
    return problems


def _repeated(values):
    seen, out = set(), []
    for value in values:
        if value in seen and value not in out:
            out.append(value)
        seen.add(value)
    return out


def _entry_problems(users, groups):
    """(problems, users that can be created, groups that can be)."""
    problems, good = [], {"users": [], "groups": []}
    for kind, entries, id_keys in (("cluster_groups", groups, ("gid",)), ("cluster_users", users, ("uid", "gid"))):
        for entry in entries:
            found = _entry_problems_of(kind, entry, id_keys)
            problems += found
            if not found:
                good[kind.split("_")[1]].append(entry)
    return problems, good["users"], good["groups"]


def _complete(users, groups):
    """Users with their primary group; groups with the personal ones."""
    by_gid = {}
    for group in groups:
        by_gid[int(group["gid"])] = group["name"]
    out_users, personal = [], []
    for user in users:
        gid = int(user.get("gid", user["uid"]))
        group = by_gid.get(gid)
        out_users.append(dict(user, uid=int(user["uid"]), gid=gid, group=group or user["name"],
                              personal_group=group is None))
        if group is None:
            personal.append({"name": user["name"], "gid": gid})
    out_groups = [dict(group, gid=int(group["gid"])) for group in groups] + personal
    return out_users, out_groups


def _data_problems(users, groups, known, min_id):
    problems = []
    names = _repeated(user["name"] for user in users)
    uids = _repeated(user["uid"] for user in users)
    if names:
        problems.append("cluster_users: duplicate user name %s" % ", ".join(names))
    if uids:
        problems.append("cluster_users: duplicate uid %s" % ", ".join(str(uid) for uid in uids))
    names = _repeated(group["name"] for group in groups)
    gids = _repeated(group["gid"] for group in groups)
    if names:
        problems.append("cluster_groups (with the users' personal groups): duplicate group name %s" % ", ".join(names))
    if gids:
        problems.append("cluster_groups (with the users' personal groups): duplicate gid %s"
                        % ", ".join(str(gid) for gid in gids))
    low = [user["name"] for user in users if user["uid"] < min_id]
    low += [group["name"] for group in groups if group["gid"] < min_id and group["name"] not in low]
    if low:
        problems.append("UID/GID below %d (base_users_min_id), the range of system and service accounts: %s"
                        % (min_id, ", ".join(low)))
    unknown = ["%s: %s" % (user["name"], group) for user in users for group in user.get("groups", [])
               if group not in known]
    if unknown:
        problems.append("cluster_users name groups missing from cluster_groups: %s" % ", ".join(unknown))
    return problems


def cluster_accounts(users, groups=None, min_id=1000):
    """{users, groups} to create; see DOCUMENTATION."""
    users = [] if users is None else users
    groups = [] if groups is None else groups
    for name, value in (("cluster_users", users), ("cluster_groups", groups)):
        if not isinstance(value, (list, tuple)):
            raise AnsibleFilterError("cluster_accounts: %s must be a list, got %s" % (name, type(value).__name__))
    # The entries that can be created are checked together too: every mistake in one error.
    problems, good_users, good_groups = _entry_problems(users, groups)
    out_users, out_groups = _complete(good_users, good_groups)
    named = {group["name"] for group in groups if isinstance(group, Mapping) and isinstance(group.get("name"), str)}
    problems += _data_problems(out_users, out_groups, named, int(min_id))
    if problems:
        raise AnsibleFilterError("; ".join(problems))
    return {"users": out_users, "groups": out_groups}


class FilterModule:
    """Cluster users and groups."""

    def filters(self):
        return {"cluster_accounts": cluster_accounts}
