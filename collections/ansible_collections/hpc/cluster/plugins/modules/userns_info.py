#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: userns_info
short_description: What rootless containers need on a node, read and planned in one call
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Reads the node's C(user.max_user_namespaces) and plans each file of O(subid_files)
    (C(/etc/subuid), C(/etc/subgid)) with the cluster users' ranges, in one module call per host
    instead of a read per file, a plan and a C(sysctl) command.
  - A file's plan is what P(hpc.cluster.subid_file#filter) makes of its current text (a missing file is
    empty). Every line of a cluster user is replaced by that user's range, and every other line is kept.
  - Fails, naming the file, the line and the cluster user, when a kept entry overlaps a cluster
    user's range; all files are read first, so a role can refuse this before changing anything.
  - Never changes anything; write the planned C(files) with M(hpc.cluster.files).
options:
  ranges:
    description: The cluster users' ranges, from P(hpc.cluster.subid_ranges#filter).
    type: list
    elements: dict
    default: []
  subid_files:
    description: The files to plan; none leaves RV(files) empty.
    type: list
    elements: path
    default: []
  context:
    description: Put before an error message, to name the host.
    type: str
    default: ''
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read user.max_user_namespaces and plan /etc/subuid and /etc/subgid
  hpc.cluster.userns_info:
    ranges: "{{ cluster_users | hpc.cluster.subid_ranges }}"
    subid_files: [/etc/subuid, /etc/subgid]
    context: "{{ inventory_hostname }}"
  register: userns

- name: Write the planned files
  hpc.cluster.files:
    entries: "{{ userns.files | map('combine', {'state': 'file', 'mode': '0644'}) }}"
"""

RETURN = r"""
max_user_namespaces:
  description: The node's C(user.max_user_namespaces), null when it cannot be read.
  type: int
  returned: always
files:
  description: Per file of O(subid_files), in order, its planned content.
  type: list
  elements: dict
  returned: always
  contains:
    path:
      description: The file.
      type: str
    content:
      description: Its content with the cluster users' ranges (the same as now when nothing changes).
      type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.subids import SubidError, merged_text

MAX_USER_NAMESPACES = "/proc/sys/user/max_user_namespaces"


def read_text(path):
    """A file's text, empty when it does not exist."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def max_user_namespaces(path=MAX_USER_NAMESPACES):
    try:
        return int(read_text(path).strip())
    except (OSError, ValueError):
        return None


def plan(paths, ranges, context=""):
    """[{path, content}] for each path; SubidError naming every file whose entries overlap."""
    planned, problems = [], []
    for path in paths:
        if os.path.lexists(path) and not os.path.isfile(path):
            problems.append("%s exists and is not a regular file" % path)
            continue
        current = read_text(path)
        try:
            content = merged_text(current, ranges)
        except SubidError as exc:
            problems.append("%s: %s" % (path, exc))
            continue
        planned.append({"path": path, "content": content})
    if problems:
        raise SubidError(("%s " % context if context else "") + " ".join(problems))
    return planned


def main():
    module = AnsibleModule(
        argument_spec=dict(
            ranges=dict(type="list", elements="dict", default=[]),
            subid_files=dict(type="list", elements="path", default=[]),
            context=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        files = plan(params["subid_files"], params["ranges"], params["context"])
    except (SubidError, OSError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, max_user_namespaces=max_user_namespaces(), files=files)


if __name__ == "__main__":
    main()
