# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_node_lines
short_description: Turn per-host hardware facts into slurm.conf NodeName lines
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Builds the C(NodeName=...) lines of slurm.conf from each host's Ansible hardware facts.
  - For each host, C(Sockets) is C(processor_count), C(CoresPerSocket) is C(processor_cores),
    C(ThreadsPerCore) is C(processor_threads_per_core) and C(RealMemory) is C(memtotal_mb) minus
    O(memory_reserve_mb), rounded down to a multiple of O(memory_granularity_mb).
  - Parameters declared in the host's C(slurm_node) dictionary override the facts, and any other
    NodeName parameter (C(Features), C(Gres), C(Weight), C(TmpDisk), ...) is added as given.
    Declaring more hardware than the facts show (C(Sockets), C(CoresPerSocket),
    C(ThreadsPerCore), C(RealMemory) above C(memtotal_mb), C(CPUs) above the product) is an error
    naming the host and the key, since slurmd would then drain the node.
  - A host's C(gres) string (for example built from P(hpc.cluster.gpu_facts#module)) becomes
    C(Gres=) unless C(slurm_node) declares C(Gres).
  - Hosts whose lines are identical share one line with a compressed hostlist
    (P(hpc.cluster.hostlist_compress#filter)). The lines are sorted, and parameters always come in
    the same order (C(CPUs), C(Boards), C(SocketsPerBoard), C(Sockets), C(CoresPerSocket),
    C(ThreadsPerCore), C(RealMemory), then the others in a fixed order), so the output is stable
    between runs.
  - Facts are looked up as C(processor_count), then C(ansible_facts.processor_count), then
    C(ansible_processor_count), so a host's dictionary may also be its C(hostvars) entry.
  - Kept for compatibility; role slurm uses P(hpc.cluster.slurm_nodes#filter), which also gives
    the gres.conf entries and C(GresTypes) from the same per-host data.
    A fact may be missing only when C(slurm_node) declares the matching parameter.
options:
  _input:
    description:
      - Maps each host name to a dictionary with the host's facts C(processor_count) (sockets),
        C(processor_cores) (cores per socket), C(processor_threads_per_core), C(memtotal_mb), and
        optionally C(slurm_node) (dictionary of declared NodeName parameters) and C(gres)
        (string).
    type: dict
    required: true
  memory_reserve_mb:
    description:
      - Memory in MiB kept back for the operating system; subtracted from C(memtotal_mb) to give
        C(RealMemory). A result of zero or less is an error naming the host.
      - Not applied to a declared C(RealMemory).
    type: int
    default: 0
  memory_granularity_mb:
    description:
      - C(RealMemory) from the facts is rounded down to a multiple of this many MiB (after
        subtracting O(memory_reserve_mb)), so that the small changes of C(memtotal_mb) a kernel
        update brings do not change slurm.conf (a change of a node line restarts every daemon).
        Rounding down is always safe, since Slurm only needs C(RealMemory) at most what slurmd finds.
      - A value below one unit is kept as it is. Not applied to a declared C(RealMemory).
      - V(1) gives the exact difference.
    type: int
    default: 1
seealso:
  - plugin: hpc.cluster.slurm_nodes
    plugin_type: filter
  - plugin: hpc.cluster.hostlist_compress
    plugin_type: filter
  - module: hpc.cluster.gpu_facts
"""

EXAMPLES = r"""
- name: NodeName lines of the compute nodes, keeping 1 GiB for the system
  vars:
    nodes: >-
      {{ dict(groups['compute'] | zip(groups['compute'] | map('extract', hostvars))) }}
  ansible.builtin.debug:
    msg: "{{ nodes | hpc.cluster.slurm_node_lines(memory_reserve_mb=1024, memory_granularity_mb=1024) }}"

- name: The data it reads
  ansible.builtin.debug:
    msg: "{{ input | hpc.cluster.slurm_node_lines }}"
  vars:
    input:
      c01: {processor_count: 1, processor_cores: 2, processor_threads_per_core: 1, memtotal_mb: 23081}
      c02: {processor_count: 1, processor_cores: 2, processor_threads_per_core: 1, memtotal_mb: 23081}
      g01:
        processor_count: 2
        processor_cores: 32
        processor_threads_per_core: 2
        memtotal_mb: 515000
        gres: gpu:a100:4
        slurm_node: {RealMemory: 512000, Features: [a100, ib], Weight: 10}
    # => ['NodeName=c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081',
    #     'NodeName=g01 Sockets=2 CoresPerSocket=32 ThreadsPerCore=2 RealMemory=512000
    #      Gres=gpu:a100:4 Features=a100,ib Weight=10']  (one line)
"""

RETURN = r"""
_value:
  description: Sorted slurm.conf NodeName lines, one per distinct hardware description.
  type: list
  elements: string
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import (
    FACTS,
    SlurmNodeError,
    check_host_name,
    group_lines,
    int_at_least,
    node_params,
)


def _fact(data, name):
    if name in data:
        return data[name]
    facts = data.get("ansible_facts")
    if isinstance(facts, Mapping) and name in facts:
        return facts[name]
    return data.get("ansible_" + name)


def _lines(nodes, memory_reserve_mb, memory_granularity_mb):
    if not isinstance(nodes, Mapping):
        raise SlurmNodeError("expected a dictionary of host name -> facts, got %s" % type(nodes).__name__)
    reserve = int_at_least("memory_reserve_mb", memory_reserve_mb, 0)
    granularity = int_at_least("memory_granularity_mb", memory_granularity_mb, 1)
    params = {}
    for host, data in nodes.items():
        check_host_name(host)
        if not isinstance(data, Mapping):
            raise SlurmNodeError("host %s: expected a dictionary of facts, got %s" % (host, type(data).__name__))
        facts = {name: _fact(data, name) for name in FACTS}
        params[host] = node_params(host, facts, data.get("slurm_node"), data.get("gres"), reserve, granularity)
    return group_lines(params)


def slurm_node_lines(nodes, memory_reserve_mb=0, memory_granularity_mb=1):
    """Group hosts by identical NodeName parameters; return sorted lines."""
    try:
        return _lines(nodes, memory_reserve_mb, memory_granularity_mb)
    except SlurmNodeError as exc:
        raise AnsibleFilterError("slurm_node_lines: %s" % exc) from None


class FilterModule:
    """slurm.conf NodeName lines."""

    def filters(self):
        return {"slurm_node_lines": slurm_node_lines}
