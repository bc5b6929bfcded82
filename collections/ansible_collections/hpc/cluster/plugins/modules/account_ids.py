#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: account_ids
short_description: Check that a service account's fixed UID and GID are free or already its own
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Looks up O(user), O(uid), O(group) and O(gid) through the name service (C(/etc/passwd),
    C(/etc/group), LDAP or SSSD alike, without listing whole databases) in one call, and fails
    naming every conflict when the UID or GID belongs to another account or the account exists
    with other IDs.
  - A missing user or group is fine (the role creates it with the fixed IDs). Never changes
    anything.
options:
  user:
    description: Name of the user.
    type: str
    required: true
  uid:
    description: The UID O(user) must have.
    type: int
    required: true
  group:
    description: Name of the user's primary group.
    type: str
    required: true
  gid:
    description: The GID O(group) must have.
    type: int
    required: true
  hint:
    description: What the admin can do, appended to the failure message.
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Check that the fixed IDs are free or already munge's
  hpc.cluster.account_ids:
    user: munge
    uid: 990
    group: munge
    gid: 990
    hint: Set munge_uid/munge_gid to free or matching IDs.
"""

RETURN = r"""
user_uid:
  description: UID of O(user); null when there is no such user.
  returned: always
  type: int
group_gid:
  description: GID of O(group); null when there is no such group.
  returned: always
  type: int
uid_owner:
  description: Name of the user that O(uid) belongs to; empty when it is free.
  returned: always
  type: str
gid_owner:
  description: Name of the group that O(gid) belongs to; empty when it is free.
  returned: always
  type: str
conflicts:
  description: One sentence per conflict; empty when the IDs are free or already the account's.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.service_account import ID_OPTIONS, id_conflicts


def main():
    module = AnsibleModule(argument_spec=dict(ID_OPTIONS), supports_check_mode=True)
    params = module.params
    ids, found = id_conflicts(params)
    if found:
        msg = "; ".join(found) + "."
        if params["hint"]:
            msg += " " + params["hint"]
        module.fail_json(msg=msg, conflicts=found, **ids)
    module.exit_json(changed=False, conflicts=found, **ids)


if __name__ == "__main__":
    main()
