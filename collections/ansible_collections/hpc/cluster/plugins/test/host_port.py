# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: host_port
short_description: Whether a value is host:port, as Prometheus names its targets and Alertmanagers
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - True for a host name, an IPv4 address or a bracketed IPv6 address, a colon, and a port from 1 to 65535
    (C(prometheus.lab:9093), C(10.1.0.5:9093), C([fd00::5]:9093)).
  - False without a port (Prometheus would use http's 80), with a port out of range (Prometheus takes
    C(localhost:70000) and its alerts go nowhere), with a scheme or a path, or with a host of digits and
    dots that is not an IPv4 address (C(10.1.0.300:9100)) or brackets around what is not an IPv6 one.
extends_documentation_fragment:
  - hpc.cluster.test_input
"""

EXAMPLES = r"""
- name: Refuse an Alertmanager without its port
  ansible.builtin.assert:
    that: prometheus_alertmanagers | reject('hpc.cluster.host_port') | list | length == 0
"""

RETURN = r"""
_value:
  description: Whether the value is host:port.
  type: bool
"""

from ansible_collections.hpc.cluster.plugins.module_utils.ports import host_port


class TestModule:
    def tests(self):
        return {"host_port": host_port}
