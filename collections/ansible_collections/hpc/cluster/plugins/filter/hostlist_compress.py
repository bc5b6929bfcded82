# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: hostlist_compress
short_description: Compress a list of host names into a Slurm hostlist expression
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Turns a list of host names into a compact Slurm hostlist expression, for example
    C(['c01', 'c02', 'c03', 'login1']) into C(c[01-03],login1).
  - The output is always accepted by Slurm and expands back (with
    P(hpc.cluster.hostlist_expand#filter), with or without C(slurm=true))
    to exactly the input names.
  - Only a trailing number is turned into a range, so an expression never has text after its last
    bracket (Slurm refuses C(n[1-3]-ib); such names stay listed one by one). When the trailing
    numbers already form a range, earlier numbers are ranged too (C(rack[1-2]-n[01-04])).
  - Zero padding is kept exactly (C(n[009-011]), C(n[9-11])).
  - Repeated names are merged; the result is sorted and does not depend on the input order.
  - Items that are not strings, empty names, and names holding a comma, a bracket or whitespace are
    errors naming the item.
  - Pure Python, no extra library needed on the controller.
options:
  _input:
    description: The host names (a list; the keys of a dictionary are used).
    type: list
    elements: string
    required: true
seealso:
  - plugin: hpc.cluster.hostlist_expand
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Node list of a partition, for slurm.conf
  ansible.builtin.debug:
    msg: "{{ groups['compute'] | hpc.cluster.hostlist_compress }}"
    # c001..c128 => 'c[001-128]'

- name: Names with text after the number cannot be ranged
  ansible.builtin.debug:
    msg: "{{ ['n1-ib', 'n2-ib', 'ib-n1', 'ib-n2'] | hpc.cluster.hostlist_compress }}"
    # => 'ib-n[1-2],n1-ib,n2-ib'
"""

RETURN = r"""
_value:
  description: The Slurm hostlist expression (empty string for an empty list).
  type: string
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
)


def hostlist_compress(names):
    """Compress a list of names into a Slurm hostlist expression."""
    try:
        return compress(names)
    except HostlistError as exc:
        raise AnsibleFilterError("hostlist_compress: %s" % exc) from None


class FilterModule:
    """Slurm hostlist compression."""

    def filters(self):
        return {"hostlist_compress": hostlist_compress}
