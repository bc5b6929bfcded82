# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: firewalld_port
short_description: Whether a value is a port entry firewalld takes (2222/tcp, 60001-63000/udp)
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - True for a port or a range of ports (first-last, first not above last, all within 1-65535), a slash,
    and a protocol of tcp, udp, sctp or dccp, with no spaces.
  - False for a port without its protocol (C(2222)), a port out of range (C(70000/tcp)), a reversed range
    (C(10-5/tcp), which firewalld stores turned round, so that every run would add it again) or an unknown
    protocol (C(2222/tpc)); firewalld refuses the others when the port is added.
extends_documentation_fragment:
  - hpc.cluster.test_input
"""

EXAMPLES = r"""
- name: Refuse the public ports firewalld would not take
  ansible.builtin.assert:
    that: base_firewall_public_ports | reject('hpc.cluster.firewalld_port') | list | length == 0
"""

RETURN = r"""
_value:
  description: Whether firewalld takes the value as a port entry.
  type: bool
"""

from ansible_collections.hpc.cluster.plugins.module_utils.ports import firewalld_port


class TestModule:
    def tests(self):
        return {"firewalld_port": firewalld_port}
