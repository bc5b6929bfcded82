# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_conf_problems
short_description: The values of a Slurm configuration file's settings that the file cannot carry
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - One message naming each setting whose value slurm.conf, cgroup.conf or slurmdbd.conf cannot
    carry as P(hpc.cluster.slurm_conf_value#filter) writes it; empty when there is none.
  - Such a value is empty or null, a mapping, or holds a line break, C(#) (the rest of the line
    would be a comment), or whitespace together with a double quote. Whitespace alone is fine, the
    value is written in double quotes.
options:
  _input:
    description: The settings, key to value.
    type: dict
    required: true
  where:
    description: What to call the settings in the message (the variable an admin sets).
    type: str
    required: true
  secret_keys:
    description: Keys whose values the message must not show.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
# With the role's other checks, in one task (each failing check's message named in one error)
- name: Check slurmdbd's settings
  hpc.cluster.checks:
    checks:
      - that: unwritable == ''
        msg: "{{ unwritable }}"
  vars:
    unwritable: "{{ slurmdbd_config | hpc.cluster.slurm_conf_problems('slurmdbd_config') }}"
"""

RETURN = r"""
_value:
  description: The message, empty when every value can be written.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import conf_problems


def slurm_conf_problems(settings, where, secret_keys=()):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("slurm_conf_problems: %s must be a dictionary, got %s"
                                 % (where, type(settings).__name__))
    return conf_problems(settings, where, secret_keys)


class FilterModule:
    def filters(self):
        return {"slurm_conf_problems": slurm_conf_problems}
