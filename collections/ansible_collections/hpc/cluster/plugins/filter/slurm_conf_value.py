# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_conf_value
short_description: A setting's value as slurm.conf, cgroup.conf and slurmdbd.conf read it
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Booleans as O(true) or O(false), lists joined with commas, anything else as text; in double
    quotes when it holds whitespace (Slurm reads an unquoted value up to the first whitespace).
  - Fails for a value no Slurm configuration file can carry (empty, a line break, C(#), whitespace
    with a double quote); role slurm's preflight refuses such values first, naming each
    (P(hpc.cluster.slurm_settings_problems#filter), P(hpc.cluster.slurm_conf_problems#filter)).
options:
  _input:
    description: The value.
    type: raw
    required: true
  'true':
    description: The text of a true boolean.
    type: str
    default: 'YES'
  'false':
    description: The text of a false boolean.
    type: str
    default: 'NO'
"""

EXAMPLES = r"""
# MailProg=/usr/bin/mail, PrologFlags=Alloc,Contain, InteractiveStepOptions="--interactive --pty /bin/bash"
- name: Render a setting
  ansible.builtin.debug:
    msg: "{{ key }}={{ value | hpc.cluster.slurm_conf_value }}"
  vars:
    key: InteractiveStepOptions
    value: --interactive --pty /bin/bash
"""

RETURN = r"""
_value:
  description: The value's text.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import conf_text, conf_value_problem


def slurm_conf_value(value, true="YES", false="NO"):
    problem = conf_value_problem(value)
    if problem:
        raise AnsibleFilterError("slurm_conf_value: %r %s" % (value, problem))
    return conf_text(value, true, false)


class FilterModule:
    def filters(self):
        return {"slurm_conf_value": slurm_conf_value}
