# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_ports
short_description: The TCP ports Slurm listens on, from its settings, as firewalld port specifications
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the slurm.conf settings and slurmdbd's port and returns the ports of slurmctld
    (C(SlurmctldPort), a port or a range), slurmd (C(SlurmdPort)), slurmdbd and srun's callbacks
    (C(SrunPortRange)), each C(first-last/tcp), sorted, those that touch or overlap made one.
  - Slurm's defaults (6817, 6818, 6819) where a setting is absent; no srun range without C(SrunPortRange).
  - A value that is not a port or a range of ports is refused, naming its setting.
options:
  _input:
    description: The slurm.conf settings (role slurm's merged C(slurm_config)).
    type: dict
    required: true
  dbd_port:
    description: slurmdbd's C(DbdPort) (of C(slurmdbd_config)).
    type: raw
    default: 6819
"""

EXAMPLES = r"""
- name: Open Slurm's ports
  ansible.posix.firewalld:
    zone: internal
    port: "{{ item }}"
    permanent: true
    immediate: true
    state: enabled
  loop: "{{ {'SlurmctldPort': '6817-6818', 'SrunPortRange': '60001-63000'} | hpc.cluster.slurm_ports }}"
  # => ["6817-6819/tcp", "60001-63000/tcp"] (slurmd's 6818, slurmdbd's 6819 by default)
"""

RETURN = r"""
_value:
  description: Firewalld port specifications, C(first-last/tcp) (C(port/tcp) for one port).
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.ports import merged_spans, port_span, slurm_port_setting


def slurm_ports(config, dbd_port=6819):
    if not isinstance(config, Mapping):
        raise AnsibleFilterError("slurm_ports: expected the slurm.conf settings, got %s" % type(config).__name__)
    wanted = [(key, slurm_port_setting(config, key)) for key in ("SlurmctldPort", "SlurmdPort")]
    wanted.append(("DbdPort", slurm_port_setting({"DbdPort": dbd_port}, "DbdPort")))
    srun = slurm_port_setting(config, "SrunPortRange")
    if srun is not None:
        wanted.append(("SrunPortRange", srun))
    spans = []
    for key, spec in wanted:
        span = port_span(spec)
        if span is None:
            raise AnsibleFilterError("slurm_ports: %s %r is not a port (1-65535) or a range of ports" % (key, spec))
        spans.append(span)
    return ["%d-%d/tcp" % span if span[0] != span[1] else "%d/tcp" % span[0] for span in merged_spans(spans)]


class FilterModule:
    def filters(self):
        return {"slurm_ports": slurm_ports}
