# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: port_conflicts
short_description: The daemons of a node that would listen on the same port, named
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the TCP ports a node's daemons will listen on, each a port or a range (C(60001-63000)),
    and returns one message per pair that overlaps, and per port that is not one. The second
    daemon to start would fail to bind (or, within srun's port range, fail now and then).
options:
  _input:
    description: Pairs of a daemon's name (as the message names it) and its port or range; a pair
      whose port is null or empty is left out.
    type: list
    elements: list
    required: true
"""

EXAMPLES = r"""
- name: Check that this node's daemons each have a port of their own
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ [['node_exporter (node_exporter_port)', node_exporter_port],
          ['prometheus (prometheus_port)', prometheus_port]] | hpc.cluster.port_conflicts }}
"""

RETURN = r"""
_value:
  description: One message per overlap or bad port; empty when every daemon has its own.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.ports import port_span


def port_conflicts(listeners):
    if not isinstance(listeners, list) or any(not isinstance(pair, (list, tuple)) or len(pair) != 2
                                              for pair in listeners):
        raise AnsibleFilterError("port_conflicts: expected a list of [name, port] pairs, got %r" % (listeners,))
    problems, spans = [], []
    for name, spec in listeners:
        if spec is None or str(spec).strip() == "":
            continue
        span = port_span(spec)
        if span is None:
            problems.append("%s: %r is not a port (1-65535) or a range of ports" % (name, spec))
        else:
            spans.append((name, spec, span))
    for index, (name, spec, (first, last)) in enumerate(spans):
        for other, other_spec, (other_first, other_last) in spans[index + 1:]:
            if first <= other_last and other_first <= last:
                problems.append("%s %s and %s %s would listen on the same port" % (name, spec, other, other_spec))
    return problems


class FilterModule:
    def filters(self):
        return {"port_conflicts": port_conflicts}
