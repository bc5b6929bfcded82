#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation of the action plugin plugins/action/slurm_cluster_data.py (no module code runs).

from __future__ import annotations

DOCUMENTATION = r"""
module: slurm_cluster_data
short_description: The compute nodes' slurm.conf and gres.conf data and the cluster-wide settings check, read once
version_added: 0.3.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Runs on the controller only (an action plugin). Reads, once per host, the few variables it needs
    of every host of O(compute_group) and O(same_groups) - the facts C(processor_count),
    C(processor_cores), C(processor_threads_per_core), C(memtotal_mb), C(hpc_gpus), the variables
    C(slurm_node), C(slurm_gres) and O(same_variables) - and returns what
    P(hpc.cluster.slurm_nodes#filter) computes from them, plus the hosts whose O(same_variables)
    differ from the reference host's.
  - The values are those C(hostvars[host]) holds (inventory, group_vars/host_vars files and other vars
    plugins, facts, include_vars, set_fact, extra vars), read layer by layer instead of merging every
    variable of the host (milliseconds per host with real facts). Each run compares the layered read
    with C(hostvars) for one host of each distinct set of groups and reads through C(hostvars) when they
    differ or when ansible-core lacks an interface it uses; a host whose value holds a template is read
    through C(hostvars) (which templates it).
  - With a file-based fact cache (C(jsonfile), C(yaml), C(pickle)), the facts it reads of each host
    are kept in C(.hpc.cluster.slurm_cluster_data.json) in the cache directory (a dot file, which the
    cache plugins skip), with the inode, size and modification time of the host's cache file. The next
    run uses them for a host whose file is unchanged and decodes the file again otherwise; facts
    already in memory (gathered or set in this run) are always read from memory. Deleting the file is
    safe, the next run rebuilds it.
options:
  compute_group:
    description: The inventory group of the compute nodes.
    type: str
    required: true
  memory_reserve_mb:
    description:
      - As P(hpc.cluster.slurm_nodes#filter)'s O(hpc.cluster.slurm_nodes#filter:memory_reserve_mb).
      - An integer >= 0 or a string of one; checked, like the filter's, by the code the filter uses
        (a boolean or anything else is refused with the filter's message).
    type: raw
    default: 0
  memory_granularity_mb:
    description:
      - As P(hpc.cluster.slurm_nodes#filter)'s O(hpc.cluster.slurm_nodes#filter:memory_granularity_mb).
      - An integer >= 1 or a string of one, checked as O(memory_reserve_mb) is.
    type: raw
    default: 1
  gres_autodetect:
    description: As P(hpc.cluster.slurm_nodes#filter)'s O(hpc.cluster.slurm_nodes#filter:gres_autodetect).
    type: str
    default: ""
  same_groups:
    description: Groups whose hosts must hold the same O(same_variables).
    type: list
    elements: str
    default: []
  same_variables:
    description: Variables every host of O(same_groups) must hold the same value of (or leave undefined).
    type: list
    elements: str
    default: []
  reader:
    description: C(hostvars) reads every host through C(hostvars) (slow; for comparisons).
    type: str
    choices: [auto, hostvars]
    default: auto
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Everything slurm.conf and gres.conf need from the compute nodes, once per run
  hpc.cluster.slurm_cluster_data:
    compute_group: compute
    memory_reserve_mb: 1024
    memory_granularity_mb: 1024
    same_groups: [control, compute, login]
    same_variables: [slurm_config, slurm_partitions]
  register: nodes
  run_once: true
"""

RETURN = r"""
node_lines:
  description: Sorted slurm.conf NodeName lines, one per distinct hardware description.
  type: list
  elements: str
  returned: success
gres:
  description: gres.conf entries of each host that has any (host -> list of dictionaries).
  type: dict
  returned: success
gres_lines:
  description: gres.conf lines; hosts with the same entries share them (C(NodeName=g[01-64] Name=gpu ...)).
  type: list
  elements: str
  returned: success
gres_types:
  description: The C(GresTypes) value; empty when no host has a gres.
  type: str
  returned: success
settings_reference:
  description: The host the others are compared with (the one the task runs for, if in O(same_groups)).
  type: str
  returned: success
settings_mismatch:
  description: One text per set of hosts that differ, for example C(hosts c[03-04] see different slurm_config).
  type: list
  elements: str
  returned: success
reader:
  description: C(layered) or C(hostvars), how the hosts were read.
  type: str
  returned: success
hostvars_reads:
  description: Hosts read through C(hostvars) because a value holds a template.
  type: int
  returned: success
facts_from_digest:
  description: Hosts whose facts came from the digest beside the fact cache (their cache file unchanged).
  type: int
  returned: success
"""
