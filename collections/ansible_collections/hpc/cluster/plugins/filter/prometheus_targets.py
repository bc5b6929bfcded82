# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: prometheus_targets
short_description: Prometheus file-based discovery targets from the inventory
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns the content of a Prometheus C(file_sd) file, a list of C({targets, labels}) entries, one
    per host, in input order.
  - A host's target is its cluster address (the rule of P(hpc.cluster.cluster_addresses#filter))
    and a port, its own O(port_var) variable when set, else O(port).
  - Labels of each target are C(instance) and C(node) (the inventory name), C(cluster), C(groups)
    (the host's inventory groups but O(exclude_groups)) and C(partitions) (the Slurm partitions
    whose groups hold the host), the lists comma-joined with a comma at each end
    (C(,compute,gpu,)), so that a query can match one name with C(=~".*,gpu,.*").
  - Read the hosts' variables once, on one host (C(run_once)), with the lookup
    P(hpc.cluster.host_values#lookup), so the cost grows
    linearly with the number of hosts and does not build each host's whole C(hostvars) entry.
options:
  _input:
    description:
      - Maps each host name to its variables (C(hostvars[host]) or a dictionary with the keys read,
        C(cluster_address), C(ansible_host), C(ansible_facts) and O(port_var)).
    type: dict
    required: true
  groups:
    description: The inventory groups, C(groups), mapping each group name to its host names.
    type: dict
    required: true
  partitions:
    description: C(slurm_partitions), a list of C({name, groups}); other keys are ignored.
    type: list
    elements: dict
    default: []
  cluster:
    description: Value of the C(cluster) label (C(cluster_name)).
    type: str
    default: ''
  port:
    description: Port of every target, unless the host sets O(port_var).
    type: int
    required: true
  port_var:
    description: Name of a host variable that overrides O(port) for that host.
    type: str
    default: ''
  exclude_groups:
    description: Groups left out of the C(groups) label.
    type: list
    elements: str
    default: [all, ungrouped]
  labels:
    description: Extra labels put on every target.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Node exporter targets of every node, once per run
  ansible.builtin.set_fact:
    __prometheus_node_targets: >-
      {{ lookup('hpc.cluster.host_values', groups['cluster'],
                names=['cluster_address', 'ansible_host', 'node_exporter_port'], facts=['default_ipv4'])
         | hpc.cluster.prometheus_targets(groups=groups, partitions=slurm_partitions | default([]),
                                          cluster=cluster_name, port=9100, port_var='node_exporter_port',
                                          exclude_groups=['all', 'ungrouped', 'cluster']) }}
  run_once: true

- name: The data it reads and what it returns
  ansible.builtin.debug:
    msg: >-
      {{ {'c01': {'ansible_host': '10.1.0.21'}}
         | hpc.cluster.prometheus_targets(groups={'compute': ['c01']}, port=9100, cluster='lab',
                                          partitions=[{'name': 'batch', 'groups': ['compute']}]) }}
    # => [{targets: ['10.1.0.21:9100'],
    #      labels: {instance: c01, node: c01, cluster: lab, groups: ',compute,', partitions: ',batch,'}}]
"""

RETURN = r"""
_value:
  description: The file_sd entries, one per host, in input order.
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.cluster_addresses import cluster_addresses

_RESERVED = {"instance", "node", "cluster", "groups", "partitions"}


def _port(host, value, where):
    if isinstance(value, bool):
        value = None
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535 or str(value).strip() != str(port):
        raise AnsibleFilterError("prometheus_targets: %s: %s must be a port (1-65535), got %r"
                                 % (host, where, value))
    return port


def _joined(names):
    return "," + ",".join(names) + "," if names else ""


def prometheus_targets(hosts, groups, port, partitions=None, cluster="", port_var="",
                       exclude_groups=("all", "ungrouped"), labels=None):
    """Host variables -> file_sd entries; see DOCUMENTATION."""
    if not isinstance(hosts, Mapping):
        raise AnsibleFilterError("prometheus_targets: expected a dict of host -> variables, got %s"
                                 % type(hosts).__name__)
    if not isinstance(groups, Mapping):
        raise AnsibleFilterError("prometheus_targets: groups must be the inventory's groups (a dict)")
    labels = dict(labels or {})
    clash = sorted(_RESERVED & set(labels))
    if clash:
        raise AnsibleFilterError("prometheus_targets: labels %s are set by the filter itself" % ", ".join(clash))
    default_port = _port("(all hosts)", port, "port")
    addresses = cluster_addresses(hosts, context="prometheus_targets")

    # Invert groups once: host -> groups, host -> partitions (linear in the inventory's size).
    excluded = set(exclude_groups or ())
    member_of = {}
    for group in sorted(groups):
        if group in excluded:
            continue
        for host in groups[group] or ():
            member_of.setdefault(host, []).append(group)
    in_partition = {}
    for partition in partitions or ():
        if not isinstance(partition, Mapping) or not partition.get("name"):
            raise AnsibleFilterError("prometheus_targets: each partition needs a name, got %r" % (partition,))
        seen = set()
        for group in partition.get("groups") or ():
            for host in groups.get(group) or ():
                if host not in seen:
                    seen.add(host)
                    in_partition.setdefault(host, []).append(str(partition["name"]))

    entries = []
    for host, data in hosts.items():
        own = data.get(port_var) if port_var else None
        host_port = default_port if own is None else _port(host, own, port_var)
        target_labels = dict(labels)
        target_labels.update({
            "instance": str(host), "node": str(host), "cluster": str(cluster),
            "groups": _joined(member_of.get(host, [])), "partitions": _joined(in_partition.get(host, [])),
        })
        entries.append({"targets": ["%s:%d" % (addresses[str(host)], host_port)], "labels": target_labels})
    return entries


class FilterModule:
    """Prometheus targets from the inventory."""

    def filters(self):
        return {"prometheus_targets": prometheus_targets}
