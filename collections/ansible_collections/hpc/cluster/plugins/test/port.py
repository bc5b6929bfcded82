# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: port
short_description: Whether a value is a port a daemon can listen on (1-65535)
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - True for an integer from 1 to 65535, or the same written in digits (C('9090')).
  - False for a range (C(6817-6818)), a word, a boolean, or a number out of range (C(0), C(70000)).
extends_documentation_fragment:
  - hpc.cluster.test_input
"""

EXAMPLES = r"""
- name: Refuse a port Prometheus cannot listen on
  ansible.builtin.assert:
    that: prometheus_port is hpc.cluster.port
"""

RETURN = r"""
_value:
  description: Whether the value is a port.
  type: bool
"""

from ansible_collections.hpc.cluster.plugins.module_utils.ports import port_number


def port(value):
    return port_number(value) is not None


class TestModule:
    def tests(self):
        return {"port": port}
