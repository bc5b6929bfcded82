#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: conf_values
short_description: Read some settings of a Slurm-style configuration file on a node
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Reads the values of O(keys) from a file of C(Key=Value) lines such as C(slurmdbd.conf), for a
    preflight that compares what a daemon uses now with what a run would write (role slurmdbd's
    database settings).
  - Keys are matched without regard to case, as Slurm reads them; C(#) starts a comment; a value in
    double quotes is returned without them; where a key is set twice, the last line counts.
  - Returns only the keys asked for, and refuses a key that names a password (C(StoragePass)), so
    that no secret reaches the output. Never changes anything.
options:
  path:
    description: The file. A missing file is not an error (RV(exists) is false).
    type: path
    required: true
  keys:
    description: The settings to read, as the result names them.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read the database slurmdbd uses now
  hpc.cluster.conf_values:
    path: /etc/slurm/slurmdbd.conf
    keys: [StorageHost, StoragePort, StorageLoc]
  register: storage_now
"""

RETURN = r"""
exists:
  description: Whether the file exists.
  returned: always
  type: bool
values:
  description: The value of each key of O(keys) the file sets, under the key's name as asked.
  returned: always
  type: dict
  sample: {StorageHost: localhost, StorageLoc: slurm_acct_db}
"""

import os

from ansible.module_utils.basic import AnsibleModule


def conf_values(text, keys):
    """{key: value} of the keys (as asked) that the Key=Value text sets, the last line winning."""
    wanted = {key.lower(): key for key in keys}
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        key, equals, value = line.partition("=")
        if equals and key.strip().lower() in wanted:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            found[wanted[key.strip().lower()]] = value
    return found


def secret_keys(keys):
    return [key for key in keys if "pass" in key.lower()]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            keys=dict(type="list", elements="str", required=True, no_log=False),
        ),
        supports_check_mode=True,
    )
    path, keys = module.params["path"], module.params["keys"]
    secrets = secret_keys(keys)
    if secrets:
        module.fail_json(msg="conf_values reads no secret: %s" % ", ".join(secrets))
    if not os.path.lexists(path):
        module.exit_json(changed=False, exists=False, values={})
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as error:
        module.fail_json(msg="cannot read %s: %s" % (path, error))
    module.exit_json(changed=False, exists=True, values=conf_values(text, keys))


if __name__ == "__main__":
    main()
