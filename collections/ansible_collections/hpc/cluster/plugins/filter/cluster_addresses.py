# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: cluster_addresses
short_description: The cluster address of each host, by the one rule every role uses
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns the cluster address of each host, the IPv4 address the nodes use to reach each other
    (in C(/etc/hosts), for the chrony servers, for NFS mounts).
  - A host's address is its C(cluster_address) variable when set (not null); else its C(ansible_host)
    when that is an IPv4 address; else the IPv4 address of its default route from its gathered
    facts (C(ansible_facts.default_ipv4.address)).
  - An IPv4 address is four dot-separated decimal numbers from 0 to 255.
  - Hosts without an address, and hosts whose C(cluster_address) is not an IPv4 address, are
    refused by name, all in one error.
  - Read the hosts' variables once, on one host (C(run_once)), with the lookup
    P(hpc.cluster.host_values#lookup) (the variables
    C(cluster_address) and C(ansible_host), the fact C(default_ipv4)), so the cost grows linearly
    with the number of hosts and does not build each host's whole C(hostvars) entry.
options:
  _input:
    description:
      - Maps each host name to its variables, C(hostvars[host]) or a dictionary with the keys read,
        C(cluster_address), C(ansible_host) and C(ansible_facts) (with C(default_ipv4.address)).
        All keys are optional.
    type: dict
    required: true
  context:
    description: Put before the error message, to name the variable or group the hosts come from.
    type: str
    default: ''
  network:
    description:
      - The cluster network (C(cluster_network)), an IPv4 network such as C(10.1.0.0/16). When set,
        hosts whose address is outside it are refused by name and address.
    type: str
  unique:
    description: Refuse two hosts with one address, naming the address and its hosts.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Cluster address of every node, once per run
  ansible.builtin.set_fact:
    __base_addresses: >-
      {{ lookup('hpc.cluster.host_values', groups['cluster'], names=['cluster_address', 'ansible_host'],
                facts=['default_ipv4'])
         | hpc.cluster.cluster_addresses }}
  run_once: true

- name: The data it reads
  ansible.builtin.debug:
    msg: "{{ hosts | hpc.cluster.cluster_addresses }}"
  vars:
    hosts:
      head: {ansible_host: 10.1.0.10}
      login1: {ansible_host: login1.example.org, cluster_address: 10.1.0.11}
      c01: {ansible_host: c01.example.org, ansible_facts: {default_ipv4: {address: 10.1.0.21}}}
    # => {head: 10.1.0.10, login1: 10.1.0.11, c01: 10.1.0.21}

- name: The same, refusing addresses outside cluster_network and addresses held twice
  ansible.builtin.set_fact:
    __base_addresses: >-
      {{ lookup('hpc.cluster.host_values', groups['cluster'], names=['cluster_address', 'ansible_host'],
                facts=['default_ipv4'])
         | hpc.cluster.cluster_addresses(network=cluster_network, unique=true) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: Host name -> cluster address, in input order.
  type: dict
"""

import ipaddress
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

_IPV4 = re.compile(r"\A[0-9]{1,3}(?:\.[0-9]{1,3}){3}\Z")
_NO_ADDRESS = "set cluster_address or an IP as ansible_host, or gather their facts"
# What the rule reads of a host: these variables, and these facts under ansible_facts. Tasks that
# read hosts through lookup hpc.cluster.host_values name them (tests/test_cluster_reads.py).
ADDRESS_VARIABLES = ("cluster_address", "ansible_host")
ADDRESS_FACTS = ("default_ipv4",)


def is_ipv4(value):
    """True for a dotted-quad IPv4 address (four numbers 0-255)."""
    return isinstance(value, str) and bool(_IPV4.match(value)) and all(int(p) <= 255 for p in value.split("."))


def _text(value):
    return "" if value is None else str(value)


def _address(data):
    """The address of one host, '' when it has none; may be a non-IPv4 cluster_address."""
    if data.get("cluster_address") is not None:
        return _text(data.get("cluster_address"))
    ansible_host = _text(data.get("ansible_host"))
    if is_ipv4(ansible_host):
        return ansible_host
    facts = data.get("ansible_facts")
    default = facts.get("default_ipv4") if isinstance(facts, Mapping) else None
    return _text(default.get("address")) if isinstance(default, Mapping) else ""


def _network(network, prefix):
    try:
        return ipaddress.IPv4Network(str(network), strict=False)
    except ValueError:
        raise AnsibleFilterError("%scluster_addresses: network must be an IPv4 network such as 10.1.0.0/16, got %r"
                                 % (prefix, network)) from None


def _placement_problems(out, network, unique):
    """Hosts outside the network, and addresses held by more than one host."""
    problems = []
    if network is not None:
        outside = ["%s %s" % (host, address) for host, address in out.items()
                   if ipaddress.IPv4Address(address) not in network]
        if outside:
            problems.append("address outside cluster_network %s: %s" % (network, ", ".join(outside)))
    if unique:
        holders = {}
        for host, address in out.items():
            holders.setdefault(address, []).append(host)
        shared = ["%s (%s)" % (address, ", ".join(names)) for address, names in holders.items() if len(names) > 1]
        if shared:
            problems.append("duplicate cluster address: %s" % "; ".join(shared))
    return problems


def cluster_addresses(hosts, context="", network=None, unique=False):
    """Host -> cluster address; see DOCUMENTATION."""
    prefix = "%s: " % context if context else ""
    wanted_network = _network(network, prefix) if network is not None else None
    if not isinstance(hosts, Mapping):
        raise AnsibleFilterError("%scluster_addresses: expected a dict of host -> variables, got %s"
                                 % (prefix, type(hosts).__name__))
    out, missing, bad = {}, [], []
    for host, data in hosts.items():
        if not isinstance(data, Mapping):
            raise AnsibleFilterError("%scluster_addresses: host %s: expected its variables as a dict, got %r"
                                     % (prefix, host, data))
        address = _address(data)
        if not address:
            missing.append(str(host))
        elif not is_ipv4(address):
            bad.append("%s (%s)" % (host, address))
        else:
            out[str(host)] = address
    problems = []
    if missing:
        problems.append("no cluster address for %s: %s" % (", ".join(missing), _NO_ADDRESS))
    if bad:
        problems.append("cluster address is not an IPv4 address for %s" % ", ".join(bad))
    problems.extend(_placement_problems(out, wanted_network, unique))
    if problems:
        raise AnsibleFilterError(prefix + "; ".join(problems))
    return out


class FilterModule:
    """Cluster addresses of hosts."""

    def filters(self):
        return {"cluster_addresses": cluster_addresses}
