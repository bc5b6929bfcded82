#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: hosts_file
short_description: The cluster nodes' lines of a hosts file in one call
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Writes a managed block with one line per cluster node (the address, then the names) into a hosts
    file, and removes every other line that names a node, so each name resolves to one address (no
    C(127.0.1.1) line for the node's own name, no stale entry).
  - Adds C(127.0.0.1 localhost) and C(::1 localhost ip6-localhost ip6-loopback) at the top of the
    file where no line of that address family names C(localhost). A line that does is left as it is.
  - The block is found as M(ansible.builtin.blockinfile) finds it (the last lines equal to the
    markers) and is added at the end of the file when it is not there. An empty O(hosts) removes it.
  - One module call per host, where reading the file, removing lines, adding the loopback lines and
    writing the block took four tasks. The file is written only when its text differs, to a temporary
    file renamed over it; its owner, group and mode are kept (a new file gets C(0644)).
options:
  path:
    description: The hosts file.
    type: path
    default: /etc/hosts
  hosts:
    description:
      - The cluster nodes, name -> address, in the order of the block's lines.
      - A node's line names it by its fully qualified name (with O(domain)) first, then its name.
    type: dict
    required: true
  domain:
    description: The cluster's DNS domain; empty for no fully qualified names.
    type: str
    default: ""
  marker:
    description: The markers' text; C({mark}) becomes C(BEGIN) and C(END).
    type: str
    default: "# {mark} hpc-cluster nodes (ANSIBLE MANAGED)"
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: Name the cluster nodes in /etc/hosts
  hpc.cluster.hosts_file:
    hosts:
      head: 10.1.0.10
      c01: 10.1.0.21
    domain: cluster.example
"""

RETURN = r"""
removed:
  description: The lines removed because they named a node outside the block.
  returned: always
  type: list
  elements: str
loopback_added:
  description: The loopback lines added.
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.hpc.cluster.plugins.module_utils.file_write import write_file
from ansible_collections.hpc.cluster.plugins.module_utils.hosts_file import HostsFileError, converge


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/hosts"),
            hosts=dict(type="dict", required=True),
            domain=dict(type="str", default=""),
            marker=dict(type="str", default="# {mark} hpc-cluster nodes (ANSIBLE MANAGED)"),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    if os.path.isdir(path):
        module.fail_json(msg="%s is a directory, not a hosts file: nothing was changed" % path)
    try:
        with open(path, "rb") as handle:
            current = to_text(handle.read(), errors="surrogate_or_strict")
    except FileNotFoundError:
        current = None
    try:
        text, removed, loopback = converge(current or "", module.params["hosts"], module.params["marker"],
                                           module.params["domain"])
    except HostsFileError as exc:
        module.fail_json(msg="hosts_file: %s: nothing was changed" % exc)
    changed = text != current
    result = dict(changed=changed, removed=removed, loopback_added=loopback)
    if changed and module._diff:
        result["diff"] = {"before_header": path, "after_header": path, "before": current or "", "after": text}
    if changed and not module.check_mode:
        write_file(module, os.path.realpath(path), to_bytes(text), new_mode=0o644)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
