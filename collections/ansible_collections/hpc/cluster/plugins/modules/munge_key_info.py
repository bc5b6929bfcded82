#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: munge_key_info
short_description: Read a node's munge key state (digest only) and whether it runs Slurm
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns, in one call, the state the filter P(hpc.cluster.munge_key_plan#filter) takes for a
    host. That is whether the key file exists, its sha256 digest and size, and whether a Slurm
    daemon is installed there, making the host a Slurm member whose key must match the cluster's.
  - With O(owner) and O(group), also whether the key's directory and the key are private to that
    account as munge wants them (directory mode 0700, key 0400), so that a re-run writes them only
    when they are not.
  - The key itself never leaves the node. Never changes anything.
options:
  path:
    description: Path of the munge key file.
    type: path
    required: true
  slurm_daemons:
    description: Paths of the Slurm daemons; the host is a member when any of them exists.
    type: list
    elements: path
    default: []
  owner:
    description: User that must own the key's directory and the key (for RV(private)).
    type: str
  group:
    description: Group that must own the key's directory and the key (for RV(private)).
    type: str
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read this node's munge key state
  hpc.cluster.munge_key_info:
    path: /etc/munge/munge.key
    slurm_daemons: [/usr/sbin/slurmd, /usr/sbin/slurmctld]
  register: key_state
"""

RETURN = r"""
exists:
  description: Whether the key file exists.
  returned: always
  type: bool
sha256:
  description: Digest of the key; empty when there is none.
  returned: always
  type: str
size:
  description: Size of the key in bytes; 0 when there is none.
  returned: always
  type: int
member:
  description: Whether a path of O(slurm_daemons) exists.
  returned: always
  type: bool
private:
  description:
    - Whether the key's directory exists with O(owner), O(group) and mode 0700, and the key, where
      it exists, with O(owner), O(group) and mode 0400.
    - False when a name is not a known account.
  returned: when O(owner) and O(group) are given
  type: bool
"""

import grp
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.munge_key import file_digest


def key_state(path, slurm_daemons):
    """{exists, sha256, size, member} of a key file and a list of daemon paths."""
    state = {"exists": False, "sha256": "", "size": 0,
             "member": any(os.path.lexists(daemon) for daemon in slurm_daemons)}
    found = file_digest(path)
    if found is not None:
        state.update(exists=True, sha256=found[0], size=found[1])
    return state


def owned(path, owner, group, mode):
    """Whether path exists with that owner, group (names) and permission bits."""
    try:
        found = os.lstat(path)
        return (pwd.getpwuid(found.st_uid).pw_name == owner and grp.getgrgid(found.st_gid).gr_name == group
                and stat.S_IMODE(found.st_mode) == mode)
    except (OSError, KeyError):
        return False


def private(path, owner, group):
    """Whether the key's directory is owner's, group's and 0700, and the key, if any, theirs and 0400."""
    return (owned(os.path.dirname(path), owner, group, 0o700)
            and (not os.path.lexists(path) or owned(path, owner, group, 0o400)))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            slurm_daemons=dict(type="list", elements="path", default=[]),
            owner=dict(type="str"),
            group=dict(type="str"),
        ),
        required_together=[("owner", "group")],
        supports_check_mode=True,
    )
    path, owner, group = module.params["path"], module.params["owner"], module.params["group"]
    if os.path.lexists(path) and not os.path.isfile(path):
        module.fail_json(msg="%s exists and is not a regular file" % path)
    state = key_state(path, module.params["slurm_daemons"])
    if owner is not None:
        state["private"] = private(path, owner, group)
    module.exit_json(changed=False, **state)


if __name__ == "__main__":
    main()
