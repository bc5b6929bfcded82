# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurmctld_port
short_description: The port clients ask slurmctld on, from the slurm.conf settings
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Merges the slurm.conf settings given (later ones win, as role slurm merges C(slurm_config) and
    C(slurm_config_group)) and returns the first port of C(SlurmctldPort), a port or a range
    (slurm.conf(5)), or Slurm's 6817 where none is set. Setting names in any case, as Slurm reads them.
  - A value that is not a port or a range of ports is refused.
options:
  _input:
    description: The slurm.conf settings (C(slurm_config)); null is none.
    type: dict
    required: true
  overrides:
    description: Settings that override them (C(slurm_config_group)); null is none.
    type: dict
"""

EXAMPLES = r"""
- name: Wait for slurmctld
  hpc.cluster.daemon_ready:
    port: "{{ slurm_config | hpc.cluster.slurmctld_port(slurm_config_group | default({})) }}"
    unit: slurmctld
  # SlurmctldPort 6817-6818 => 6817
"""

RETURN = r"""
_value:
  description: The port.
  type: int
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.ports import port_span, slurm_port_setting


def slurmctld_port(config, overrides=None):
    merged = {}
    for settings in (config, overrides):
        if settings is None:
            continue
        if not isinstance(settings, Mapping):
            raise AnsibleFilterError("slurmctld_port: expected slurm.conf settings, got %s" % type(settings).__name__)
        merged.update((str(key).lower(), value) for key, value in settings.items())
    spec = merged.get("slurmctldport")
    span = port_span(slurm_port_setting(merged, "SlurmctldPort"))
    if span is None:
        raise AnsibleFilterError("slurmctld_port: SlurmctldPort %r is not a port (1-65535) or a range of ports" % spec)
    return span[0]


class FilterModule:
    def filters(self):
        return {"slurmctld_port": slurmctld_port}
