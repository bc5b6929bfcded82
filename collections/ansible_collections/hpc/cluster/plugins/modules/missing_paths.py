#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: missing_paths
short_description: Which of some paths a node lacks, in one read
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns the paths of O(paths) that do not exist on the node (a link to nothing counts as
    missing, as a daemon that opens it finds nothing), in one module call, where a
    M(ansible.builtin.stat) per path costs a round trip each.
  - For a preflight that names what a daemon would not find before its configuration is written
    (Apptainer's bind path sources, the device files of Slurm's gres.conf).
  - With O(slurm_ranges), each entry is a device file list as gres.conf's C(File=) takes it
    (C(/dev/nvidia[0-3])) and is expanded first; an entry Slurm would not read is not checked and
    comes back in RV(unread), for the check that reads the setting to name.
  - With O(executable), a path that exists but is no file root may run (no execute bit, or a
    directory) comes back in RV(not_executable), for the programs a daemon runs such as Slurm's
    C(Prolog).
  - Never changes anything.
options:
  paths:
    description: Absolute paths, or with O(slurm_ranges) device file lists.
    type: list
    elements: str
    required: true
  slurm_ranges:
    description: Expand each entry of O(paths) as a Slurm range list first.
    type: bool
    default: false
  executable:
    description: Read whether each path that exists is a file root may run.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read which of the GPU device files gres.conf will name the node lacks
  hpc.cluster.missing_paths:
    paths: ["/dev/nvidia[0-3]", /dev/nvidia-caps]
    slurm_ranges: true
  register: device_files
"""

RETURN = r"""
missing:
  description: The paths that do not exist, each once, in the order given.
  returned: always
  type: list
  elements: str
  sample: [/dev/nvidia3]
not_executable:
  description: With O(executable), the paths that exist but are no file root may run, in the order given.
  returned: always
  type: list
  elements: str
  sample: [/etc/slurm/prolog.sh]
unread:
  description: The entries of O(paths) that are no absolute path, or with O(slurm_ranges) no range Slurm reads.
  returned: always
  type: list
  elements: str
  sample: ["/dev/nvidia[3-1]"]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import HostlistError, expand


def paths_to_read(entries, slurm_ranges):
    """(paths, unread): the absolute paths the entries name, each once in order, and the entries
    that name none (relative, or with slurm_ranges no range Slurm reads)."""
    paths, unread, seen = [], [], set()
    for entry in entries:
        try:
            named = expand(entry) if slurm_ranges else [entry]
        except HostlistError:
            unread.append(entry)
            continue
        if not named or not all(path.startswith("/") for path in named):
            unread.append(entry)
            continue
        for path in named:
            if path not in seen:
                seen.add(path)
                paths.append(path)
    return paths, unread


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="str", required=True),
            slurm_ranges=dict(type="bool", default=False),
            executable=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    paths, unread = paths_to_read(module.params["paths"], module.params["slurm_ranges"])
    there, missing = [], []
    for path in paths:
        (there if os.path.exists(path) else missing).append(path)
    not_executable = ([path for path in there if not (os.path.isfile(path) and os.access(path, os.X_OK))]
                      if module.params["executable"] else [])
    module.exit_json(changed=False, missing=missing, not_executable=not_executable, unread=unread)


if __name__ == "__main__":
    main()
