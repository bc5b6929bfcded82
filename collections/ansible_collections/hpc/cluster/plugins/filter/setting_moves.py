# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: setting_moves
short_description: The settings a run would move away from the data a daemon uses now
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes what P(hpc.cluster.conf_values#module) read of a daemon's configuration on a node (the
    settings it runs with now) and the values this run writes, and returns each setting that would
    change, with both values. The roles refuse such a change unless the admin says the data moved
    first (slurmdbd's database, Prometheus' samples, Alertmanager's silences, users' images).
  - Paths (values starting with C(/)) compare, and are returned, without trailing slashes.
  - Nothing moves on a node where the file is missing or was not read (a new node).
options:
  _input:
    description: The read (C(exists), C(values)); null or empty when it was not made.
    type: dict
    required: true
  wanted:
    description: The values this run writes, by setting name; a setting missing here (or null, or
      empty) is the daemon's default.
    type: dict
    required: true
  defaults:
    description:
      - The settings compared, each with the value the daemon uses where its file sets none (null
        where an unset setting means no data yet).
    type: dict
    required: true
  flags:
    description:
      - The read key whose value is a command line (C(ARGS) of a daemon's environment file); the
        settings are then its C(--flag=value) options.
    type: str
"""

EXAMPLES = r"""
- name: Refuse another database than slurmdbd uses now
  ansible.builtin.assert:
    that: moves | length == 0
    fail_msg: "slurmdbd would move: {{ moves | map(attribute='text') | join(', ') }}"
  vars:
    moves: >-
      {{ slurmdbd_conf_read | hpc.cluster.setting_moves(
           {'StorageLoc': 'slurm_acct_db2'},
           {'StorageHost': 'localhost', 'StoragePort': '3306', 'StorageLoc': 'slurm_acct_db'}) }}
    # => [{name: StorageLoc, now: slurm_acct_db, wanted: slurm_acct_db2,
    #      text: StorageLoc slurm_acct_db -> slurm_acct_db2}]

- name: The data directory Prometheus runs with now against the one this run writes
  ansible.builtin.debug:
    msg: >-
      {{ prometheus_flags_read | hpc.cluster.setting_moves({'--storage.tsdb.path': '/srv/prometheus'},
                                                           {'--storage.tsdb.path': none}, flags='ARGS') }}
"""

RETURN = r"""
_value:
  description: One C({name, now, wanted, text}) per setting that would change, in the order of O(defaults).
  type: list
  elements: dict
"""

import posixpath
import shlex

from ansible.errors import AnsibleFilterError


def _normal(value):
    text = str(value).strip()
    return posixpath.normpath(text) if text.startswith("/") else text


def _flag_values(command_line):
    """{--flag: value} of a command line's --flag=value options (the last one wins)."""
    try:
        words = shlex.split(command_line or "")
    except ValueError:
        words = (command_line or "").split()
    found = {}
    for word in words:
        flag, equals, value = word.partition("=")
        if equals and flag.startswith("-"):
            found[flag] = value
    return found


def setting_moves(read, wanted, defaults, flags=None):
    if not isinstance(wanted, dict) or not isinstance(defaults, dict):
        raise AnsibleFilterError("setting_moves: wanted and defaults must be dictionaries")
    read = read or {}
    if not read.get("exists"):
        return []
    values = read.get("values") or {}
    if flags is not None:
        values = _flag_values(values.get(flags, ""))
    moves = []
    for name, default in defaults.items():
        now = values.get(name) if values.get(name) not in (None, "") else default
        new = wanted.get(name) if wanted.get(name) not in (None, "") else default
        if now in (None, "") or new in (None, ""):
            continue
        now, new = _normal(now), _normal(new)
        if now != new:
            moves.append({"name": name, "now": now, "wanted": new, "text": "%s %s -> %s" % (name, now, new)})
    return moves


class FilterModule:
    def filters(self):
        return {"setting_moves": setting_moves}
