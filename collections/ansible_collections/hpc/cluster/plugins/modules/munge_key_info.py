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
"""

import os

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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            slurm_daemons=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    if os.path.lexists(path) and not os.path.isfile(path):
        module.fail_json(msg="%s exists and is not a regular file" % path)
    module.exit_json(changed=False, **key_state(path, module.params["slurm_daemons"]))


if __name__ == "__main__":
    main()
