#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: user_dirs
short_description: One private directory per user under a root, and links to them by name, in one call
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Makes O(root)/<uid> for each user of O(users), owned by the user and its primary group, with
    O(mode); with O(by_name), also the link O(by_name)/<name> to C(../<uid>).
  - Puts right only what differs (a missing directory or link, another owner, group or mode,
    a link to elsewhere); a re-run makes no change, in one call whatever the number of users
    (M(ansible.builtin.file) in a loop makes one call per user and path).
  - Refuses, before changing anything, a path that is not what it should be and is not a link
    (a file or a directory where a link goes, a file where a directory goes), naming it.
options:
  root:
    description: The directory the users' directories are in. It must exist.
    type: path
    required: true
  users:
    description: The users, each C({name, uid}) and optionally C(gid) (default the C(uid)).
    type: list
    elements: dict
    required: true
  mode:
    description: The mode of each user's directory, in octal.
    type: str
    default: "0700"
  by_name:
    description: A directory (it must exist) for a link per user name to its directory; none when empty.
    type: path
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Create each cluster user's storage directory, and a link to it by name
  hpc.cluster.user_dirs:
    root: /var/lib/containers/users
    users: [{name: alice, uid: 2001, gid: 2000}, {name: bob, uid: 2002}]
    by_name: /var/lib/containers/users/by-name
"""

RETURN = r"""
changes:
  description: One text per path made or put right.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.user_dirs import (
    OPTIONS,
    Refused,
    apply,
    describe,
    planned,
)


def main():
    module = AnsibleModule(
        argument_spec=OPTIONS,
        supports_check_mode=True,
    )
    try:
        steps = planned(module.params, module.check_mode)
    except Refused as exc:
        module.fail_json(msg="user_dirs: %s" % exc)
    if steps and not module.check_mode:
        apply(steps)
    module.exit_json(changed=bool(steps), changes=[describe(step) for step in steps])


if __name__ == "__main__":
    main()
