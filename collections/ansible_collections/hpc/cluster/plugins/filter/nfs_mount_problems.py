# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: nfs_mount_problems
short_description: Every mistake in the NFS clients' mounts, one sentence each, before any mount
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Checks C(nfs_client_mounts) (role nfs_client) and returns one sentence per mistake, naming the mount
    point; an empty list when there is none.
  - A mount point and its export path (C(src), default the mount point) must be absolute paths, the options
    a list, and a mount point must not be listed twice, trailing slashes aside (fstab holds one line per
    mount point; each run would rewrite it).
  - With O(exports), the export paths the server's role writes in this run, a mount of a path the server
    does not export (the path or a directory under it) is refused too; NFS clients would fail to mount
    it after the server's changes. Without O(exports) (a server the inventory does not manage) that check
    is left out.
options:
  _input:
    description: The mounts, C(nfs_client_mounts).
    type: list
    elements: raw
    required: true
  exports:
    description: The server's export paths (its C(nfs_server_exports) paths), or null when unknown.
    type: list
    elements: str
  server:
    description: The server's inventory name, for the messages.
    type: str
    default: the NFS server
  mounted:
    description:
      - The node's mounts (C(ansible_facts['mounts']), each C({mount, device, fstype})), or null.
      - An NFS mount point already mounted from another export, or from another server address than
        O(address), is refused; a remount (what M(ansible.posix.mount) does when fstab changed) keeps
        the old source. A source named by host name is not compared with O(address).
    type: list
    elements: dict
  address:
    description: The server's cluster address, as the mounts name it.
    type: str
"""

EXAMPLES = r"""
- name: Check the mounts
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join(' ') }}"
  vars:
    problems: >-
      {{ nfs_client_mounts | hpc.cluster.nfs_mount_problems(
           exports=hostvars[nfs_client_server].__nfs_server_export_paths | default(none), server=nfs_client_server,
           mounted=ansible_facts['mounts'] | default(none), address='10.1.0.10') }}
  # [{path: /scratch}] against exports /home, /opt/software
  # => ["nfs_client_mounts /scratch: head does not export /scratch (its exports: /home, /opt/software) ..."]
"""

RETURN = r"""
_value:
  description: One sentence per mistake.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.nfs_paths import same_path_key, under_export
from ansible_collections.hpc.cluster.plugins.module_utils.ports import is_address


def _moved_source(path, src, mounted, address):
    """The source path is mounted from, when a remount would keep it: another export, or another server
    address than address (None when it is not mounted over NFS, or from the same source)."""
    for entry in mounted:
        if not isinstance(entry, Mapping) or not str(entry.get("fstype", "")).startswith("nfs"):
            continue
        if same_path_key(str(entry.get("mount", ""))) != same_path_key(path):
            continue
        host, colon, export = str(entry.get("device", "")).rpartition(":")
        host = host.strip("[]")
        if colon and (same_path_key(export) != same_path_key(src)
                      or address and is_address(host) and host != address):
            return entry["device"]
    return None


def nfs_mount_problems(mounts, exports=None, server="the NFS server", mounted=None, address=None):
    if not isinstance(mounts, list):
        raise AnsibleFilterError("nfs_mount_problems: expected the list nfs_client_mounts, got %s"
                                 % type(mounts).__name__)
    if exports is not None and (not isinstance(exports, list) or not all(isinstance(p, str) for p in exports)):
        raise AnsibleFilterError("nfs_mount_problems: exports must be a list of paths, got %r" % (exports,))
    if mounted is not None and not isinstance(mounted, list):
        raise AnsibleFilterError("nfs_mount_problems: mounted must be the list ansible_facts['mounts'], got %s"
                                 % type(mounted).__name__)
    problems, seen = [], set()
    for mount in mounts:
        if not isinstance(mount, Mapping) or not isinstance(mount.get("path"), str):
            problems.append("nfs_client_mounts entry %r must be a mapping with a path (and src, options, fstype)."
                            % (mount,))
            continue
        path = mount["path"]
        own_src = bool(mount.get("src"))
        src = mount["src"] if own_src else path
        where = "nfs_client_mounts %s:" % path
        if not path.startswith("/"):
            problems.append("%s the mount point is not an absolute path." % where)
        if not isinstance(src, str) or not src.startswith("/"):
            if own_src:  # a relative mount point without src is said once, above
                problems.append("%s src %r is not an absolute path (the export's path on the server)." % (where, src))
        elif exports is not None and not under_export(src, exports):
            problems.append("%s %s does not export %s (its exports: %s): every client would fail to mount it "
                            "after the server's changes. Add it to nfs_server_exports, or mount a path it exports."
                            % (where, server, src, ", ".join(exports) or "none"))
        elif mounted and (source := _moved_source(path, src, mounted, address)):
            problems.append("%s mounted from %s, not %s:%s: a remount keeps the old source. Unmount it where "
                            "nothing uses it (umount %s), then run again." % (where, source, address or server, src,
                                                                               path))
        if isinstance(mount.get("options"), str):
            problems.append("%s options must be a list ([rw, hard]), not the string %r." % (where, mount["options"]))
        if same_path_key(path) in seen:
            problems.append("%s listed twice (trailing slashes aside): fstab holds one line per mount point, and "
                            "each run would rewrite it." % where)
        seen.add(same_path_key(path))
    return problems


class FilterModule:
    def filters(self):
        return {"nfs_mount_problems": nfs_mount_problems}
