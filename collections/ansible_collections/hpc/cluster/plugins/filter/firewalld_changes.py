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
  - Takes the runtime and the permanent configuration (as M(hpc.cluster.firewalld_zones) returns them,
    or as the texts of C(firewall-cmd --list-all-zones) and C(firewall-cmd --permanent --list-all-zones))
    and the wanted content of some zones, and returns only what must change, so a run where
    nothing differs makes no firewalld call (one per source would make a cluster-wide trust list
    cost a number of calls that grows with the square of the node count).
  - An item counts as present only when it is in both the runtime and the permanent configuration.
    Where pruning is asked for a zone's kind, an item found in either and not wanted is removed.
  - A wanted port or range (C(6817-6818/tcp)) counts as present where an open range of the same
    protocol holds it (C(6817-6819/tcp)), unless the zone's ports are pruned; the runtime
    configuration merges an added range into one that holds it, and adding it again would report a
    change on every run.
options:
  _input:
    description:
      - The two configurations, runtime first, then permanent.
      - "Each a dict C({zone: {sources: [...], services: [...], ports: [...]}}) or firewall-cmd's text."
    type: list
    elements: raw
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
- name: Read the zones, runtime and permanent
  hpc.cluster.firewalld_zones:
    require_running: true
  register: __zones

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
    {{ [__zones.runtime, __zones.permanent]
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

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.firewalld import KINDS, parse_zones
from ansible_collections.hpc.cluster.plugins.module_utils.ports import port_held


def _zones(read, which):
    """One configuration: firewall-cmd's text, or the dict hpc.cluster.firewalld_zones returns."""
    if isinstance(read, str):
        return parse_zones(read)
    if isinstance(read, Mapping) and all(isinstance(kinds, Mapping) for kinds in read.values()):
        return read
    raise AnsibleFilterError("firewalld_changes: the %s configuration must be firewall-cmd's text or a dict of "
                             "zones, got %r" % (which, read))


def _present(item, now, held):
    """item is in now, or (held) a port or range an open one of now holds."""
    return item in now or (held and port_held(item, now))


def firewalld_changes(texts, wanted, prune=None):
    """See DOCUMENTATION."""
    if not isinstance(texts, (list, tuple)) or len(texts) != 2:
        raise AnsibleFilterError("firewalld_changes: the input must be two configurations, runtime then permanent")
    if not isinstance(wanted, Mapping):
        raise AnsibleFilterError("firewalld_changes: wanted must map zone names to kinds, got %r" % (wanted,))
    prune = prune or {}
    runtime, permanent = _zones(texts[0], "runtime"), _zones(texts[1], "permanent")
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
            held = kind == "ports" and kind not in pruned
            added += [{"zone": zone, "state": "enabled", key: item} for item in items
                      if not _present(item, now_rt, held) or not _present(item, now_pm, held)]
            if kind in pruned:
                removed += [{"zone": zone, "state": "disabled", key: item}
                            for item in sorted((now_rt | now_pm) - set(items))]
    return added + removed


class FilterModule:
    def filters(self):
        return {"firewalld_changes": firewalld_changes}
