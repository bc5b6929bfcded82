# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: firewalld_changes
short_description: The firewalld changes that bring zones to the wanted sources, services and ports
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the output of C(firewall-cmd --list-all-zones) and of C(firewall-cmd --permanent --list-all-zones)
    and the wanted content of some zones, and returns only what must change, so a run where
    nothing differs makes no firewalld call (one per source would make a cluster-wide trust list
    cost a number of calls that grows with the square of the node count).
  - An item counts as present only when it is in both the runtime and the permanent configuration.
    Where pruning is asked for a zone's kind, an item found in either and not wanted is removed.
options:
  _input:
    description: The two outputs, runtime first, then permanent.
    type: list
    elements: str
    required: true
  wanted:
    description:
      - "Zone name to the wanted items of each kind:"
      - "C({zone: {sources: [...], services: [...], ports: [...]}})."
    type: dict
    required: true
  prune:
    description: Zone name to the kinds (C(sources), C(services), C(ports)) whose unwanted items are removed.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Read the zones, runtime then permanent
  ansible.builtin.command:
    argv: "{{ ['firewall-cmd'] + item + ['--list-all-zones'] }}"
  loop: [[], [--permanent]]
  register: __zones
  changed_when: false

- name: Apply only what differs
  ansible.posix.firewalld:
    zone: "{{ item.zone }}"
    source: "{{ item.source | default(omit) }}"
    service: "{{ item.service | default(omit) }}"
    port: "{{ item.port | default(omit) }}"
    permanent: true
    immediate: true
    state: "{{ item.state }}"
  loop: >-
    {{ __zones.results | map(attribute='stdout')
       | hpc.cluster.firewalld_changes({'trusted': {'sources': ['10.1.0.0/16']}}, prune={'trusted': ['sources']}) }}
"""

RETURN = r"""
_value:
  description: >-
    One dict per change, additions first: C(zone), C(state) (C(enabled) or C(disabled)) and one of
    C(source), C(service) or C(port).
  type: list
  elements: dict
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

KINDS = {"sources": "source", "services": "service", "ports": "port"}
_FIELD = re.compile(r"^  (sources|services|ports):(.*)$")


def parse_zones(text):
    """`firewall-cmd --list-all-zones` -> {zone: {kind: [items]}} for the kinds in KINDS."""
    zones, zone = {}, None
    for line in text.splitlines():
        if line and not line[0].isspace():
            zone = line.split()[0]
            zones[zone] = {kind: [] for kind in KINDS}
            continue
        field = _FIELD.match(line)
        if field and zone is not None:
            zones[zone][field.group(1)] = field.group(2).split()
    return zones


def firewalld_changes(texts, wanted, prune=None):
    """See DOCUMENTATION."""
    if not isinstance(texts, (list, tuple)) or len(texts) != 2 or not all(isinstance(t, str) for t in texts):
        raise AnsibleFilterError("firewalld_changes: the input must be two texts, runtime then permanent")
    if not isinstance(wanted, Mapping):
        raise AnsibleFilterError("firewalld_changes: wanted must map zone names to kinds, got %r" % (wanted,))
    prune = prune or {}
    runtime, permanent = parse_zones(texts[0]), parse_zones(texts[1])
    added, removed = [], []
    for zone in sorted(set(wanted) | set(prune)):
        kinds = wanted.get(zone) or {}
        pruned = set(prune.get(zone) or [])
        named = set(kinds) | pruned if isinstance(kinds, Mapping) else None
        if named is None or not named <= set(KINDS):
            raise AnsibleFilterError("firewalld_changes: zone %s: kinds must be among %s, got %r"
                                     % (zone, ", ".join(sorted(KINDS)), kinds if named is None else sorted(named)))
        for kind in sorted(named):
            items = list(dict.fromkeys(str(i) for i in kinds.get(kind) or []))
            now_rt = set(runtime.get(zone, {}).get(kind, []))
            now_pm = set(permanent.get(zone, {}).get(kind, []))
            key = KINDS[kind]
            added += [{"zone": zone, "state": "enabled", key: item} for item in items
                      if item not in now_rt or item not in now_pm]
            if kind in pruned:
                removed += [{"zone": zone, "state": "disabled", key: item}
                            for item in sorted((now_rt | now_pm) - set(items))]
    return added + removed


class FilterModule:
    def filters(self):
        return {"firewalld_changes": firewalld_changes}
