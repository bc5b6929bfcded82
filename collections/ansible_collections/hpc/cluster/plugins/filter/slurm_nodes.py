# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_nodes
short_description: Compute nodes' facts to slurm.conf NodeName lines, gres.conf entries and GresTypes
version_added: 0.2.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Computes, in one pass over the compute nodes, everything slurm.conf and gres.conf say about
    them, so that a play reads each node's variables once per run instead of once per host.
  - "NodeName lines: C(Sockets) is C(processor_count), C(CoresPerSocket) is C(processor_cores),
    C(ThreadsPerCore) is C(processor_threads_per_core) and C(RealMemory) is C(memtotal_mb) minus
    O(memory_reserve_mb), rounded down to a multiple of O(memory_granularity_mb). Parameters
    declared in C(slurm_node) override the facts, others (C(Features), C(Weight), ...) are added
    as given; declaring more hardware than the facts show is an error naming the host and the key.
    Hosts with identical lines share one line with a compressed hostlist; the lines are sorted and
    the parameters come in a fixed order, exactly as P(hpc.cluster.slurm_node_lines#filter) writes them."
  - "gres.conf entries: a host's declared C(slurm_gres) (a list of C({name, type, file, count,
    cores, flags}); a C(gpu) needs its C(file) unless O(gres_autodetect)), else one
    C({name: gpu, type, file}) per GPU in its C(hpc_gpus) fact
    (P(hpc.cluster.gpu_facts#module)). The entries give the node's C(Gres=) (count per name and
    type, for example C(gpu:a100:4)) unless C(slurm_node) declares C(Gres)."
  - "C(GresTypes): every gres name of every host, once, sorted; empty when no host has any."
options:
  _input:
    description:
      - Maps each compute host to its C(hostvars) entry, as
        C(dict(hosts | zip(hosts | map('extract', hostvars)))) builds it. Only these keys are read
        (so the entry's other variables are never templated) - the facts C(processor_count),
        C(processor_cores), C(processor_threads_per_core), C(memtotal_mb) and C(hpc_gpus);
        C(slurm_node) (dictionary); C(slurm_gres) (list).
      - The facts are read from the copies Ansible injects as variables (C(ansible_processor_count),
        ..., C(hpc_gpus); INJECT_FACTS_AS_VARS, on by default) when all four hardware facts are
        there, else from C(ansible_facts). The injected copies are read one by one, while reading
        C(ansible_facts) from hostvars templates the host's whole facts dictionary (measured 4 times
        slower in ansible-core 2.19).
      - A fact may be missing only when C(slurm_node) declares the matching parameter.
    type: dict
    required: true
  memory_reserve_mb:
    description:
      - Memory in MiB kept back for the operating system; subtracted from C(memtotal_mb) to give
        C(RealMemory). A result of zero or less is an error naming the host. Not applied to a
        declared C(RealMemory).
    type: int
    default: 0
  memory_granularity_mb:
    description:
      - C(RealMemory) from the facts is rounded down to a multiple of this many MiB (after
        subtracting O(memory_reserve_mb)), so that small changes of C(memtotal_mb) after a kernel
        update leave slurm.conf alone. A value below one unit is kept as it is. Not applied to a
        declared C(RealMemory).
    type: int
    default: 1
  gres_autodetect:
    description:
      - gres.conf's C(AutoDetect) (for example C(nvml)), empty for none. Without it, a declared
        C(gpu) entry needs its C(file) - slurmd drops a GPU it has no device file for (Slurm 20.11
        and later) and slurmctld then marks the node INVALID - and one without is an error naming
        the host.
    type: str
    default: ""
seealso:
  - plugin: hpc.cluster.slurm_node_lines
    plugin_type: filter
  - module: hpc.cluster.gpu_facts
"""

EXAMPLES = r"""
- name: Everything slurm.conf and gres.conf need from the compute nodes, once per run
  ansible.builtin.set_fact:
    nodes: >-
      {{ dict(groups['compute'] | zip(groups['compute'] | map('extract', hostvars)))
         | hpc.cluster.slurm_nodes(memory_reserve_mb=1024, memory_granularity_mb=1024) }}
  run_once: true

- name: The data it reads, and what it returns
  ansible.builtin.debug:
    msg: "{{ input | hpc.cluster.slurm_nodes }}"
  vars:
    input:
      c01:
        ansible_facts: {processor_count: 1, processor_cores: 2, processor_threads_per_core: 1, memtotal_mb: 23081}
      g01:
        ansible_facts:
          processor_count: 2
          processor_cores: 32
          processor_threads_per_core: 2
          memtotal_mb: 515000
          hpc_gpus: [{type: a100, file: /dev/nvidia0}, {type: a100, file: /dev/nvidia1}]
        slurm_node: {RealMemory: 512000, Weight: 10}
    # => node_lines: ['NodeName=c01 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081',
    #                 'NodeName=g01 Sockets=2 CoresPerSocket=32 ThreadsPerCore=2 RealMemory=512000
    #                  Gres=gpu:a100:2 Weight=10']  (one line)
    #    gres: {g01: [{name: gpu, type: a100, file: /dev/nvidia0}, {name: gpu, type: a100, file: /dev/nvidia1}]}
    #    gres_types: gpu
"""

RETURN = r"""
_value:
  description: The compute nodes' part of slurm.conf and gres.conf.
  type: dict
  contains:
    node_lines:
      description: Sorted slurm.conf NodeName lines, one per distinct hardware description.
      type: list
      elements: string
    gres:
      description: gres.conf entries of each host that has any (host -> list of dictionaries).
      type: dict
    gres_types:
      description: The C(GresTypes) value, for example C(gpu); empty when no host has a gres.
      type: string
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import SlurmNodeError, nodes


def slurm_nodes(hosts, memory_reserve_mb=0, memory_granularity_mb=1, gres_autodetect=""):
    """NodeName lines, gres.conf entries per host and GresTypes of the compute nodes."""
    try:
        return nodes(hosts, memory_reserve_mb, memory_granularity_mb, gres_autodetect)
    except SlurmNodeError as exc:
        raise AnsibleFilterError("slurm_nodes: %s" % exc) from None


class FilterModule:
    """The compute nodes' part of slurm.conf and gres.conf."""

    def filters(self):
        return {"slurm_nodes": slurm_nodes}
