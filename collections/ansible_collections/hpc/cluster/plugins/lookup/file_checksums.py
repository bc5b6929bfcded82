# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: file_checksums
short_description: The SHA-1 checksums of files on the controller, each file read once per run
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns one dict, each path given to the SHA-1 checksum (hex) of that file on the controller,
    as C(ansible.builtin.copy) computes it for its O(ansible.builtin.copy#module:src). A relative path
    is looked for as C(copy) looks for it (the role's C(files) directory, then the playbook's).
  - C(copy) computes the checksum of its source once per host; a role that copies a large file to
    many nodes computes it with this lookup and compares it with each node's. A file unchanged
    since (same size and modification time) is not read again in the same process, so a task that
    the controller's own process runs for every host (C(set_fact) under callback
    P(hpc.cluster.actions_without_fork#callback)), or a task that runs once, reads each file once.
options:
  _terms:
    description: Paths of files on the controller; lists are flattened.
    type: list
    elements: str
    required: true
notes:
  - In a worker process (a task of another action, without C(run_once)) each host reads the files
    again, as C(copy) does.
"""

EXAMPLES = r"""
- name: The archives' checksums, once per run
  ansible.builtin.set_fact:
    archive_sums: "{{ lookup('hpc.cluster.file_checksums', ['/srv/images/tools.tar']) }}"
  run_once: true
  # => {'/srv/images/tools.tar': '2fd4e1c67a2d28fced849ee1bb76e7391b93eb12'}
"""

RETURN = r"""
_raw:
  description: One dict, each path as given to its checksum.
  type: list
  elements: dict
"""

import hashlib
import os

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.file_memo import unchanged_file_value

_BLOCK = 1024 * 1024


def _sha1(path):
    digest = hashlib.sha1()  # noqa: S324 - the checksum copy compares, not a security use
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha1(path):
    """The SHA-1 of a file (hex), read once per (path, size, mtime) in this process."""
    return unchanged_file_value(path, _sha1)


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        sums = {}
        for term in self._flatten(terms):
            found = self.find_file_in_search_path(variables or {}, "files", term, ignore_missing=True)
            if not found or not os.path.isfile(found):
                raise AnsibleLookupError("file_checksums: %s is not a file on the controller" % term)
            try:
                sums[term] = file_sha1(found)
            except OSError as exc:
                raise AnsibleLookupError("file_checksums: cannot read %s: %s" % (term, exc.strerror)) from exc
        return [sums]
