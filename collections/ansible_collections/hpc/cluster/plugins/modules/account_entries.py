#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account_entries
short_description: Read the entries of some users and groups in one call
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Looks up O(users) and O(groups) through the name service (C(/etc/passwd), C(/etc/group), LDAP
    or SSSD alike), by name, without listing whole databases, and returns what
    M(ansible.builtin.user) and M(ansible.builtin.group) manage of them.
  - With the filter P(hpc.cluster.accounts_to_change#filter), a re-run calls those modules only for
    the accounts that differ, instead of once per account and node.
  - Never changes anything.
options:
  users:
    description: Names of the users to read.
    type: list
    elements: str
    default: []
  groups:
    description: Names of the groups to read.
    type: list
    elements: str
    default: []
  shells:
    description:
      - Login shells the users are to have; those that are not the absolute path of an executable file
        on this node come back in RV(missing_shells) (a user given one cannot log in).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read the cluster users and groups on this node
  hpc.cluster.account_entries:
    users: [alice, bob]
    groups: [hpcusers]
  register: __entries
"""

RETURN = r"""
users:
  description: >-
    User name to its entry: C(uid), C(gid) (primary), C(gecos), C(home), C(shell), C(groups) (the
    names of its supplementary groups, sorted, as the name service's group list has them) and
    C(home_exists). A user the name service does not know is left out.
  returned: always
  type: dict
groups:
  description: Group name to its GID. A group the name service does not know is left out.
  returned: always
  type: dict
missing_shells:
  description: The O(shells) that are not the absolute path of an executable file here, in their order.
  returned: always
  type: list
  elements: str
"""

import grp
import os
import pwd

from ansible.module_utils.basic import AnsibleModule


def group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def user_entry(name):
    """The user's entry, or None; supplementary groups from the name service's group list."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    others = sorted({group_name(gid) for gid in os.getgrouplist(name, entry.pw_gid) if gid != entry.pw_gid})
    return {"uid": entry.pw_uid, "gid": entry.pw_gid, "gecos": entry.pw_gecos, "home": entry.pw_dir,
            "shell": entry.pw_shell, "groups": others, "home_exists": os.path.isdir(entry.pw_dir)}


def group_gid(name):
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


def read(users, groups):
    entries = {name: user_entry(name) for name in dict.fromkeys(users)}
    gids = {name: group_gid(name) for name in dict.fromkeys(groups)}
    return ({name: entry for name, entry in entries.items() if entry is not None},
            {name: gid for name, gid in gids.items() if gid is not None})


def missing_shells(shells):
    return [path for path in dict.fromkeys(shells)
            if not (os.path.isabs(path) and os.path.isfile(path) and os.access(path, os.X_OK))]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            users=dict(type="list", elements="str", default=[]),
            groups=dict(type="list", elements="str", default=[]),
            shells=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    users, groups = read(module.params["users"], module.params["groups"])
    module.exit_json(changed=False, users=users, groups=groups,
                     missing_shells=missing_shells(module.params["shells"]))


if __name__ == "__main__":
    main()
