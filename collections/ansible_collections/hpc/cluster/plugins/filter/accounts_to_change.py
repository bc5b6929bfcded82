# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: accounts_to_change
short_description: The cluster groups and users whose entries on a node differ from the wanted ones
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes what M(hpc.cluster.account_entries) read on a node and the groups and users of
    P(hpc.cluster.cluster_accounts#filter), and returns only those that
    M(ansible.builtin.group) and M(ansible.builtin.user) would change, so a re-run calls them for
    none, instead of once per account and node.
  - A group differs when it is missing or has another GID. A user differs when it is missing or
    any value role base sets differs, compared the way M(ansible.builtin.user) compares it with
    C(append=false). Those values are the UID, the primary GID, exactly the supplementary groups
    listed, the shell, the home, the comment when one is given, and a missing home directory when
    O(create_home) is on.
  - RV(renumbered) names the groups and users that exist on the node with another ID than the
    wanted one; role base refuses them before any change (it never renumbers an account - files on
    shared storage and running processes keep the old ID).
options:
  _input:
    description: The result of M(hpc.cluster.account_entries) (C(users) and C(groups)).
    type: dict
    required: true
  users:
    description: The users of P(hpc.cluster.cluster_accounts#filter).
    type: list
    elements: dict
    required: true
  groups:
    description: The groups of P(hpc.cluster.cluster_accounts#filter).
    type: list
    elements: dict
    required: true
  shell:
    description: The shell of a user that names none (C(base_users_shell)).
    type: str
    required: true
  home_root:
    description: The directory the homes are in (C(base_users_home_root)).
    type: str
    required: true
  create_home:
    description: Whether a missing home directory is created (C(base_users_create_home)).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Create only the users that differ
  ansible.builtin.user:
    name: "{{ item.name }}"
    uid: "{{ item.uid }}"
  loop: >-
    {{ (__entries | hpc.cluster.accounts_to_change(users=__accounts.users, groups=__accounts.groups,
         shell='/bin/bash', home_root='/home')).users }}
"""

RETURN = r"""
_value:
  description:
    - C(groups) and C(users), each the entries of the input lists that differ, in their order.
    - C(renumbered), one text per group or user that exists with another GID or UID (empty when none).
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def _group_differs(group, found):
    return found.get(group["name"]) != int(group["gid"])


def _user_differs(user, entry, shell, home_root, create_home):
    if entry is None:
        return True
    home = "%s/%s" % (home_root, user["name"])  # as the task writes it (user compares the text)
    # The task's `item.shell | default(base_users_shell)`: a shell of null leaves it alone.
    wanted_shell = user["shell"] if "shell" in user else shell
    checks = [
        entry.get("uid") == int(user["uid"]),
        entry.get("gid") == int(user["gid"]),  # cluster_accounts: the gid of the user's group
        sorted(set(user.get("groups") or [])) == sorted(entry.get("groups") or []),
        wanted_shell is None or entry.get("shell") == wanted_shell,
        entry.get("home") == home,
        user.get("comment") is None or entry.get("gecos") == user["comment"],
        not create_home or bool(entry.get("home_exists")),
    ]
    return not all(checks)


def accounts_to_change(read, users, groups, shell, home_root, create_home=True):
    """{groups, users} that differ on the node; see DOCUMENTATION."""
    if not isinstance(read, Mapping) or not isinstance(read.get("users"), Mapping) \
            or not isinstance(read.get("groups"), Mapping):
        raise AnsibleFilterError("accounts_to_change: the input must be the result of hpc.cluster.account_entries")
    found_users, found_groups = read["users"], read["groups"]
    renumbered = ["group %s has GID %s here, not %s" % (group["name"], found_groups[group["name"]], group["gid"])
                  for group in groups
                  if found_groups.get(group["name"]) is not None and found_groups[group["name"]] != int(group["gid"])]
    renumbered += ["user %s has UID %s here, not %s" % (user["name"], found_users[user["name"]]["uid"], user["uid"])
                   for user in users
                   if (found_users.get(user["name"]) or {}).get("uid") not in (None, int(user["uid"]))]
    return {
        "groups": [group for group in groups if _group_differs(group, found_groups)],
        "users": [user for user in users
                  if _user_differs(user, found_users.get(user["name"]), shell, home_root, bool(create_home))],
        "renumbered": renumbered,
    }


class FilterModule:
    """Cluster accounts that differ on a node."""

    def filters(self):
        return {"accounts_to_change": accounts_to_change}
