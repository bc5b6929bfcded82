#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: service_account
short_description: A daemon's system user and primary group, with fixed IDs, in one call
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Makes O(group) a system group with GID O(gid) and O(user) a system user with UID O(uid), primary
    group O(group), home O(home) (not created), shell O(shell) and comment O(comment), as an
    M(ansible.builtin.group) task then an M(ansible.builtin.user) task would, in one module call
    (C(groupadd), C(useradd), C(usermod) only where something differs).
  - Never renumbers. When the user or the group exists with another ID, or the UID or GID belongs
    to another account, it fails naming every conflict before changing anything, as
    M(hpc.cluster.account_ids) does (files already owned by the old IDs would be left behind).
  - Reads through the name service (C(/etc/passwd), LDAP or SSSD alike); C(usermod) changes local
    accounts only.
options:
  user:
    description: Name of the user.
    type: str
    required: true
  uid:
    description: The user's UID.
    type: int
    required: true
  group:
    description: Name of the user's primary group.
    type: str
    required: true
  gid:
    description: The group's GID.
    type: int
    required: true
  home:
    description: Home directory (the account's record only; the directory is not created).
    type: path
    required: true
  shell:
    description: Login shell, usually the OS's C(nologin).
    type: path
    required: true
  comment:
    description: The account's comment (GECOS).
    type: str
    default: ""
  hint:
    description: What the admin can do about a conflict, appended to the failure message.
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: Create the munge group and user
  hpc.cluster.service_account:
    user: munge
    uid: 990
    group: munge
    gid: 990
    home: /var/lib/munge
    shell: /usr/sbin/nologin
    comment: MUNGE authentication service
    hint: Set munge_uid/munge_gid to free or matching IDs.
"""

RETURN = r"""
commands:
  description: The commands run (in check mode, that would run), as argv lists.
  returned: always
  type: list
  elements: list
  sample: [["/usr/sbin/groupadd", "--system", "--gid", "990", "munge"]]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.service_account import (
    ACCOUNT_OPTIONS,
    account_plan,
    refusal,
    run_commands,
    wanted_settings,
)


def main():
    module = AnsibleModule(argument_spec=ACCOUNT_OPTIONS, supports_check_mode=True)
    params = module.params
    found, current, argvs = account_plan(params)
    if found:
        module.fail_json(msg=refusal(found, params["hint"]), conflicts=found)
    commands = run_commands(module, argvs)
    result = dict(changed=bool(commands), commands=commands)
    if module._diff:
        result["diff"] = dict(before=current or {}, after=wanted_settings(params))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
