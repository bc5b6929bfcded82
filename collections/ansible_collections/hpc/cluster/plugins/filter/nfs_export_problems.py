# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nfs_export_problems
short_description: Every mistake in the NFS server's exports, one sentence each, before any change
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Checks C(nfs_server_exports) (role nfs_server) and returns one sentence per mistake, naming the
    export; an empty list when there is none.
  - An export needs an absolute path, clients (its own, or O(network)) and options as a list; a path is
    listed once for the same clients, trailing slashes aside (exportfs takes one of two such lines and warns
    about the other).
options:
  _input:
    description: The exports, C(nfs_server_exports).
    type: list
    elements: raw
    required: true
  network:
    description: The clients of an export without its own (C(cluster_network)); empty for none.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Check the exports
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' ') }}"
  vars:
    problems: "{{ nfs_server_exports | hpc.cluster.nfs_export_problems(network=cluster_network | default('')) }}"
"""

RETURN = r"""
_value:
  description: One sentence per mistake.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.nfs_paths import same_path_key


def nfs_export_problems(exports, network=""):
    if not isinstance(exports, list):
        raise AnsibleFilterError("nfs_export_problems: expected the list nfs_server_exports, got %s"
                                 % type(exports).__name__)
    problems, seen = [], set()
    for export in exports:
        if not isinstance(export, Mapping) or not isinstance(export.get("path"), str):
            problems.append("nfs_server_exports entry %r must be a mapping with a path, clients and options."
                            % (export,))
            continue
        path = export["path"]
        where = "nfs_server_exports %s:" % path
        if not path.startswith("/"):
            problems.append("%s the path is not absolute." % where)
        if not (export.get("clients") or network):
            problems.append("%s no clients (give clients, or set cluster_network)." % where)
        if isinstance(export.get("options"), str):
            problems.append("%s options must be a list ([rw, sync, no_subtree_check]), not the string %r."
                            % (where, export["options"]))
        key = (same_path_key(path), export.get("clients") or network)
        if key in seen:
            problems.append("%s listed twice for clients %s: exportfs would take one of the two lines."
                            % (where, key[1]))
        seen.add(key)
    return problems


class FilterModule:
    def filters(self):
        return {"nfs_export_problems": nfs_export_problems}
