#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: munge_key
short_description: Put a munge key in place, or generate one, without showing it
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Writes the binary munge key given as base64 text in O(content) when the file's sha256 digest
    differs, atomically, private to its owner (mode C(0400)); or, with O(generate_size), makes a
    key of that many random bytes when the file does not exist (an existing key is kept).
  - The key never appears in the result; only its sha256 digest does.
  - Check mode reports what would change, also when the file does not exist yet.
options:
  path:
    description: Path of the key file. Its directory must exist.
    type: path
    required: true
  content:
    description: The key, as base64 text (whitespace ignored); 32 to 1024 bytes once decoded.
    type: str
  generate_size:
    description: Generate a key of this many random bytes (32 to 1024) when O(path) does not exist.
    type: int
  owner:
    description: Owner of the key file.
    type: str
    default: munge
  group:
    description: Group of the key file.
    type: str
    default: munge
notes:
  - Exactly one of O(content) and O(generate_size) is required.
  - "Use C(no_log) on the task: O(content) is a secret."
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Write the cluster key read from the key host
  hpc.cluster.munge_key:
    path: /etc/munge/munge.key
    content: "{{ key_source.content }}"
  no_log: true

- name: Generate the cluster key when there is none
  hpc.cluster.munge_key:
    path: /etc/munge/munge.key
    generate_size: 1024
"""

RETURN = r"""
sha256:
  description: Digest of the key in place after the task; empty when a key would be generated in check mode.
  returned: always
  type: str
written:
  description: Whether the key itself was (or in check mode would be) written.
  returned: always
  type: bool
"""

import base64
import binascii
import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.munge_key import digest, file_digest

KEY_MIN = 32
KEY_MAX = 1024


def _decode(module, content):
    try:
        raw = base64.b64decode(re.sub(r"\s", "", content), validate=True)
    except (binascii.Error, ValueError):
        module.fail_json(msg="content is not base64 text")
    if not KEY_MIN <= len(raw) <= KEY_MAX:
        module.fail_json(msg="content decodes to %d bytes; munge needs %d to %d" % (len(raw), KEY_MIN, KEY_MAX))
    return raw


def _write(module, path, raw):
    handle, temp = tempfile.mkstemp(prefix=".munge.key.", dir=os.path.dirname(path) or ".")
    try:
        os.fchmod(handle, 0o400)
        os.write(handle, raw)
        os.fsync(handle)
    finally:
        os.close(handle)
    module.atomic_move(temp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            content=dict(type="str", no_log=True),
            generate_size=dict(type="int"),
            owner=dict(type="str", default="munge"),
            group=dict(type="str", default="munge"),
        ),
        mutually_exclusive=[("content", "generate_size")],
        required_one_of=[("content", "generate_size")],
        supports_check_mode=True,
    )
    path = module.params["path"]
    size = module.params["generate_size"]
    if size is not None and not KEY_MIN <= size <= KEY_MAX:
        module.fail_json(msg="generate_size must be %d to %d, got %d" % (KEY_MIN, KEY_MAX, size))
    if os.path.exists(path) and not os.path.isfile(path):
        module.fail_json(msg="%s exists and is not a regular file" % path)

    found = file_digest(path)
    current = found[0] if found else ""
    raw = None
    if module.params["content"] is not None:
        raw = _decode(module, module.params["content"])
        wanted = digest(raw)
    elif current:
        wanted = current
    else:
        raw = None if module.check_mode else os.urandom(size)
        wanted = digest(raw) if raw else ""

    written = current != wanted or not current
    if written and not module.check_mode:
        _write(module, path, raw)

    changed = written
    if os.path.exists(path):
        file_args = module.load_file_common_arguments(
            dict(path=path, owner=module.params["owner"], group=module.params["group"], mode="0400"))
        changed = module.set_fs_attributes_if_different(file_args, changed)
    module.exit_json(changed=changed, written=written, sha256=wanted)


if __name__ == "__main__":
    main()
