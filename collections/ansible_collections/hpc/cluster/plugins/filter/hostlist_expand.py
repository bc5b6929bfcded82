# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: hostlist_expand
short_description: Expand a Slurm hostlist expression into a list of host names
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Expands a hostlist expression such as C(c[001-128],gpu[1-4]) into the list of names it
    denotes, following Slurm's rules (slurm.conf(5), C(NodeName)).
  - The zero padding width of a range comes from its lower bound, so C(n[009-11]) is
    C(n009), C(n010), C(n011).
  - Several bracketed ranges in one name are allowed (C(rack[1-2]-n[01-04])).
  - Text after the last bracket, the usual way inventories name BMC and InfiniBand interfaces
    (C(c[001-128]-ipmi)), is expanded as python-hostlist and ClusterShell expand it. Slurm refuses
    it, so a string that comes from or goes to Slurm is expanded with O(slurm=true), which makes it
    an error.
  - Malformed input fails with a message naming the bad part, where Slurm would quietly mangle
    it. Unbalanced or nested brackets, empty brackets, reversed (C(n[5-1])) or non-numeric
    (C(n[a-c])) ranges, empty names (C(a,,b), a trailing comma) and whitespace inside a name
    are errors.
  - Whitespace around items is ignored. Repeated names appear once, at their first position;
    otherwise the order of the expression is kept.
  - An empty string gives an empty list.
  - Pure Python, no extra library needed on the controller.
options:
  _input:
    description: The hostlist expression.
    type: string
    required: true
  slurm:
    description:
      - Accept only what Slurm accepts - text after the last bracket (C(n[1-3]-ib)) is an error.
      - Set it where the expression comes from Slurm or is handed to Slurm.
    type: bool
    default: false
seealso:
  - plugin: hpc.cluster.hostlist_compress
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Expand a node list
  ansible.builtin.debug:
    msg: "{{ 'c[01-03],gpu1' | hpc.cluster.hostlist_expand }}"
    # => ['c01', 'c02', 'c03', 'gpu1']

- name: Padding comes from the lower bound, as in Slurm
  ansible.builtin.debug:
    msg: "{{ 'n[009-11]' | hpc.cluster.hostlist_expand }}"
    # => ['n009', 'n010', 'n011']

- name: Two-dimensional names
  ansible.builtin.debug:
    msg: "{{ 'rack[1-2]-n[01-02]' | hpc.cluster.hostlist_expand }}"
    # => ['rack1-n01', 'rack1-n02', 'rack2-n01', 'rack2-n02']

- name: BMC names of the compute nodes
  ansible.builtin.debug:
    msg: "{{ 'c[001-003]-ipmi' | hpc.cluster.hostlist_expand }}"
    # => ['c001-ipmi', 'c002-ipmi', 'c003-ipmi']

- name: A node list that slurm.conf will hold must be one Slurm accepts
  ansible.builtin.debug:
    msg: "{{ slurm_extra_nodes | hpc.cluster.hostlist_expand(slurm=true) }}"
    # 'n[1-3]-ib' fails: text '-ib' after the last bracket ... Slurm refuses it
"""

RETURN = r"""
_value:
  description: The host names, in expression order, each once.
  type: list
  elements: string
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    expand,
)


def hostlist_expand(hostlist, slurm=False):
    """Expand a hostlist expression into a list of names (only what Slurm accepts if ``slurm``)."""
    if not isinstance(slurm, bool):
        raise AnsibleFilterError("hostlist_expand: slurm must be true or false, got %r" % (slurm,))
    try:
        return expand(hostlist, slurm=slurm)
    except HostlistError as exc:
        raise AnsibleFilterError("hostlist_expand: %s" % exc) from None


class FilterModule:
    """Slurm hostlist expansion."""

    def filters(self):
        return {"hostlist_expand": hostlist_expand}
