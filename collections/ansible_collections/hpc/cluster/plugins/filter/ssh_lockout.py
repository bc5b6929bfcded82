# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ssh_lockout
short_description: Whether the public zone a run writes would shut out the run's own SSH connection
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the node's C(SSH_CONNECTION) (the run's own connection, C(client port server port)) and
    returns why the firewalld zones the run writes would refuse the next such connection, or an
    empty string when they would not.
  - The connection is safe when its client address is in a source of the cluster zone (those
    sources go to that zone, whatever its services), when the public zone keeps C(ssh) (port 22)
    or a port entry holding the server's port over tcp, or when the public zone does not let it in
    now either (it comes through another zone), or when unlisted services are kept (O(prune) off).
  - Where firewalld does not run yet (O(zone_now) null) every connection gets in now, and the
    public zone the run starts is what will let it in.
  - An unknown connection (no C(SSH_CONNECTION), as with a local or container connection, or where
    sudo's environment reset dropped it) is not judged.
options:
  _input:
    description: The value of C(SSH_CONNECTION) on the node; empty or null when unknown.
    type: str
    required: true
  trusted_sources:
    description: The cluster zone's sources after the run (IPv4 addresses or networks).
    type: list
    elements: str
    required: true
  services:
    description: The public zone's services after the run.
    type: list
    elements: str
    required: true
  ports:
    description: The public zone's port entries after the run (C(2222/tcp), C(60001-63000/tcp)).
    type: list
    elements: str
    default: []
  zone_now:
    description: The public zone as firewalld runs it now (C(services), C(ports)); null where firewalld
      does not run.
    type: dict
  prune:
    description: Whether the run removes the public zone's services and ports it does not list.
    type: bool
    default: true
  context:
    description: The message's start (C(base on c01)).
    type: str
    default: base
"""

EXAMPLES = r"""
- name: Refuse public zone settings that would shut this run out
  ansible.builtin.assert:
    that: lockout | length == 0
    fail_msg: "{{ lockout }}"
  vars:
    lockout: >-
      {{ ansible_facts.env.SSH_CONNECTION | default('') | hpc.cluster.ssh_lockout(
           trusted_sources=['10.0.0.0/16'], services=['http'], zone_now={'services': ['ssh'], 'ports': []}) }}
    # From 192.0.2.7: "base: this run reaches the node over SSH from 192.0.2.7 (port 22), ..."
"""

RETURN = r"""
_value:
  description: Why the next SSH connection would be refused, naming its client and port; empty when it would not.
  type: str
"""

import ipaddress

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.ports import port_held


def _networks(sources):
    networks = []
    for source in sources:
        try:
            networks.append(ipaddress.ip_network(str(source), strict=False))
        except ValueError:
            raise AnsibleFilterError("ssh_lockout: trusted source %r is not an address or a network"
                                     % (source,)) from None
    return networks


def _lets_in(services, ports, port):
    """Whether a zone's services and ports let tcp connections to the port in."""
    return (port == 22 and "ssh" in services) or port_held("%d/tcp" % port, [str(entry) for entry in ports])


def ssh_lockout(ssh_connection, trusted_sources, services, ports=(), zone_now=None, prune=True, context="base"):
    fields = str(ssh_connection or "").split()
    if len(fields) != 4 or not fields[3].isdigit():
        return ""
    try:
        client = ipaddress.ip_address(fields[0])
    except ValueError:
        return ""
    port = int(fields[3])
    if not prune or any(client in network for network in _networks(trusted_sources)):
        return ""
    if _lets_in(list(services), list(ports), port):
        return ""
    if zone_now is not None and not _lets_in(list(zone_now.get("services") or []), list(zone_now.get("ports") or []),
                                             port):
        return ""
    return ("%s: this run reaches the node over SSH from %s (port %d), which only the public zone lets in; its "
            "services and ports (base_firewall_public_services, base_firewall_public_ports and their _group and "
            "_host layers) would no longer hold %s, so the run's next connection, and every admin outside the "
            "cluster zone's sources, would be shut out (lab). Keep ssh in base_firewall_public_services (the list "
            "replaces the default [ssh]), or reach the nodes from an address of the cluster zone."
            % (context, client, port, "ssh" if port == 22 else "%d/tcp" % port))


class FilterModule:
    """The run's own SSH connection against the public zone it writes."""

    def filters(self):
        return {"ssh_lockout": ssh_lockout}
