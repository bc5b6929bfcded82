# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: node_selection
short_description: Check the compute nodes a day-2 playbook is asked to act on
version_added: 0.3.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Expands the nodes given to a day-2 playbook (C(-e nodes=c[01-02])) as a Slurm hostlist and
    sorts them into compute nodes of the inventory and nodes Slurm knows that have already left the
    inventory.
  - Problems are returned in RV(_value.problems), one message per kind, each naming the culprits;
    the caller refuses them (C(ansible.builtin.assert)) before any change.
  - Refused are an empty selection, a malformed hostlist (or one Slurm would not accept), hosts of
    the inventory outside O(compute_group) (named with their groups, e.g. a control host), compute
    nodes that are also in a group of O(exclude_groups) (a controller that runs jobs too), and
    names that are neither in the inventory nor, with O(allow_removed), known to Slurm (O(known)).
  - The inventory is read once (group -> hosts, inverted into host -> groups), so the cost grows
    linearly with the number of hosts.
options:
  _input:
    description:
      - The nodes, a hostlist expression (C(c[01-04],gpu1)) or a list of names or expressions.
        V(null) or an empty string is an empty selection.
    type: raw
    required: true
  groups:
    description: Inventory group name -> its host names (Ansible's C(groups)).
    type: dict
    required: true
  compute_group:
    description: The inventory group of the compute nodes.
    type: str
    default: compute
  known:
    description: Node names Slurm knows (C(scontrol show node)); V(null) when not read.
    type: list
    elements: str
  allow_removed:
    description:
      - Accept names that are no compute nodes of the inventory but that Slurm still knows
        (O(known)); they are returned in RV(_value.removed). For C(remove_nodes.yml), whose second
        step runs after the admin deleted the nodes from the inventory, or from group compute only
        (a controller that ran jobs too).
    type: bool
    default: false
  exclude_groups:
    description:
      - Groups whose hosts the caller does not act on even where they are compute nodes too (the
        controllers, for a playbook that updates and reboots nodes).
    type: list
    elements: str
    default: []
seealso:
  - plugin: hpc.cluster.hostlist_expand
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Check the nodes given on the command line
  ansible.builtin.set_fact:
    __selection: "{{ nodes | default('') | hpc.cluster.node_selection(groups) }}"
  run_once: true

- name: Refuse bad input before any change
  ansible.builtin.assert:
    that: __selection.problems | length == 0
    fail_msg: "{{ __selection.problems | join(' ') }}"

- name: What it returns
  ansible.builtin.debug:
    msg: "{{ 'c[01-02],head,c9' | hpc.cluster.node_selection(groups, known=['c01', 'c02', 'c9'], allow_removed=true) }}"
  vars:
    groups: {all: [head, c01, c02], control: [head], compute: [c01, c02]}
  # => {nodes: [c01, c02, head, c9], in_inventory: [c01, c02], removed: [c9], unknown: [],
  #     outside_compute: [head], problems: ["nodes: head (group control) is not a compute node: ..."]}

- name: Compute nodes, but not a controller that runs jobs too
  ansible.builtin.set_fact:
    __selection: "{{ nodes | hpc.cluster.node_selection(groups, exclude_groups=['control']) }}"
"""

RETURN = r"""
_value:
  description: The selection.
  type: dict
  contains:
    nodes:
      description: Every name given, expanded, in the order given, each once.
      type: list
      elements: str
    in_inventory:
      description: The names that are compute nodes of the inventory.
      type: list
      elements: str
    removed:
      description: The names Slurm knows that are no compute nodes of the inventory (only with O(allow_removed)).
      type: list
      elements: str
    outside_compute:
      description:
        - The names of inventory hosts outside O(compute_group) (and, with O(allow_removed), not in
          O(known)). With O(allow_removed), a caller that has not read Slurm's node list calls the
          filter again with O(known) when this or RV(_value.unknown) is not empty.
      type: list
      elements: str
    unknown:
      description:
        - The names that are neither in the inventory nor (with O(allow_removed)) in O(known). A caller
          that reads Slurm's node list only when needed calls the filter again with O(known) when
          this is not empty.
      type: list
      elements: str
    problems:
      description: Why the selection is refused; empty when it is good.
      type: list
      elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import HostlistError, compress, expand

_EXAMPLE = "name compute nodes as a Slurm hostlist, e.g. -e nodes=c[01-02]"
_SPECIAL = ("all", "ungrouped")


def _names(hosts):
    try:
        return compress(list(hosts))
    except HostlistError:
        return ",".join(hosts)


def _expand(nodes):
    if nodes is None:
        return []
    if isinstance(nodes, str):
        items = [nodes]
    elif isinstance(nodes, (list, tuple)):
        items = list(nodes)
    else:
        raise AnsibleFilterError("node_selection: expected a hostlist string or a list of names, got %s"
                                 % type(nodes).__name__)
    if not all(isinstance(item, str) for item in items):
        raise AnsibleFilterError("node_selection: every item must be a string, got %r" % (items,))
    # A list may split 'c[1-2],c5' inside its brackets (-e nodes=... read as a list): join it back.
    return expand(",".join(item.strip() for item in items if item.strip()), slurm=True)


def node_selection(nodes, groups, compute_group="compute", known=None, allow_removed=False, exclude_groups=()):
    """Expand and check a day-2 node selection; see DOCUMENTATION."""
    if not isinstance(groups, Mapping):
        raise AnsibleFilterError("node_selection: groups must be a dict of group -> hosts, got %s"
                                 % type(groups).__name__)
    if isinstance(exclude_groups, str) or not all(isinstance(group, str) for group in exclude_groups):
        raise AnsibleFilterError("node_selection: exclude_groups must be a list of group names, got %r"
                                 % (exclude_groups,))
    result = {"nodes": [], "in_inventory": [], "removed": [], "unknown": [], "outside_compute": [], "problems": []}
    try:
        names = _expand(nodes)
    except HostlistError as exc:
        result["problems"].append("nodes: %s (%s)." % (exc, _EXAMPLE))
        return result
    result["nodes"] = names
    if not names:
        result["problems"].append("nodes: no node given (%s)." % _EXAMPLE)
        return result

    member_of = {}
    for group, hosts in groups.items():
        if group in _SPECIAL:
            continue
        for host in hosts or []:
            member_of.setdefault(host, []).append(group)
    inventory = set(groups.get("all") or []) | set(member_of)
    compute = set(groups.get(compute_group) or [])
    known = set(known) if known is not None else None

    excluded_hosts = {host for group in exclude_groups for host in groups.get(group) or []}
    not_compute, unknown, excluded = [], [], []
    for name in names:
        if name in compute:
            (excluded if name in excluded_hosts else result["in_inventory"]).append(name)
        elif allow_removed and known is not None and name in known:
            result["removed"].append(name)
        elif name in inventory:
            not_compute.append(name)
        else:
            unknown.append(name)

    result["outside_compute"] = not_compute
    if not_compute:
        result["problems"].append(
            "nodes: %s %s: day-2 playbooks act on hosts of group '%s' only." % (
                ", ".join("%s (group %s)" % (name, ", ".join(sorted(member_of.get(name, [])) or ["all"]))
                          for name in not_compute),
                "is not a compute node" if len(not_compute) == 1 else "are not compute nodes",
                compute_group))
    if excluded:
        result["problems"].append("nodes: %s %s also in group %s, whose hosts this playbook does not act on." % (
            _names(excluded), "is" if len(excluded) == 1 else "are",
            ", ".join(group for group in exclude_groups if set(groups.get(group) or []) & set(excluded))))
    result["unknown"] = unknown
    if unknown:
        verb = "is" if len(unknown) == 1 else "are"
        if allow_removed and known is not None:
            why = "neither in the inventory nor known to Slurm (a typo, or removed already)"
        else:
            why = "not in the inventory (a typo?)"
        result["problems"].append("nodes: %s %s %s." % (_names(unknown), verb, why))
    return result


class FilterModule:
    """Day-2 node selection."""

    def filters(self):
        return {"node_selection": node_selection}
