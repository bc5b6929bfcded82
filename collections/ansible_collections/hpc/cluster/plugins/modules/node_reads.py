#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation of the action plugin plugins/action/node_reads.py (it runs the reads' modules).

from __future__ import annotations

DOCUMENTATION = r"""
module: node_reads
short_description: Several reads of a node's state in one task
version_added: 0.7.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - An action plugin. Runs the module of each read of O(reads) on the node, in the order given, in one
    task. The controller pays its per-task cost (a worker per host, templating, callbacks) once instead
    of once per read; each module still makes its own call.
  - Meant for modules that only read (they never change anything); each runs in check mode unless its
    O(reads.check_mode) is false, so a module that would write (M(hpc.cluster.service_accounts),
    M(hpc.cluster.kernel_parameters)) only reports what it would do.
  - V(hpc.cluster.role_units), an action of this collection, is taken as a read too.
  - The first read that fails fails the task with its module's message and result; RV(read) names it.
  - Facts a read returns (M(hpc.cluster.gpu_facts)) are set as the module would set them.
options:
  reads:
    description:
      - The reads, by the name their result gets under RV(reads). Each is a mapping.
      - C(module), the module to run (required); C(args), its arguments (default none).
      - C(enabled), false leaves the read out (it gets no entry under RV(reads)); default true.
      - C(check_mode), false runs the module outside check mode, also under C(--check) (a command
        that only reads); default true.
    type: dict
    required: true
  more_reads:
    description:
      - Reads in the same form that a caller adds, run after those of O(reads). A playbook that runs
        a role's reads task passes its own reads of the node this way, so that both cost one task.
      - A name in both is refused.
    type: dict
    default: {}
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read the cluster zone, the GPUs and the service accounts
  hpc.cluster.node_reads:
    reads:
      zone:
        module: hpc.cluster.firewalld_zones
        args: {zones: [trusted]}
        enabled: "{{ slurm_firewall_manage }}"
      gpus:
        module: hpc.cluster.gpu_facts
        enabled: "{{ 'compute' in group_names }}"
      accounts:
        module: hpc.cluster.service_accounts
        args:
          accounts: ["{{ __munge_account }}"]
  register: __node

- name: Show whether firewalld answered
  ansible.builtin.debug:
    msg: "{{ __node.reads.zone.running | default('not read') }}"
"""

RETURN = r"""
reads:
  description:
    - Per read that was enabled, its module's result (without C(ansible_facts)); when a read fails,
      those read before it.
  type: dict
  returned: always
read:
  description: The name of the read that failed.
  type: str
  returned: failed
"""
