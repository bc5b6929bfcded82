# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: cluster
short_description: Build an HPC cluster inventory from a short description
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Reads a YAML file whose name ends in C(cluster.yml) or C(cluster.yaml) and turns it into the
    project's inventory contract, so a site can use it in place of hand-written groups.
  - Creates the group C(cluster) with children C(control), C(login) and C(compute) (always, even
    when empty), plus the site groups of O(groups); a site group that no group names in its
    C(children) becomes a child of C(compute).
  - Host names come from hostlist patterns (C(c[001-128])), expanded with the rules of
    P(hpc.cluster.hostlist_expand#filter), text after the last bracket included
    (C(c[001-128]-ipmi) for BMCs, C(c[001-128]-ib) for InfiniBand interfaces).
  - Addresses come from O(cluster_network) and the host's position in its group's pattern
    (first host gets C(address_start), or the network address plus C(address_offset)).
    Each host with an address gets C(cluster_address) and C(ansible_host) (unless it sets its
    own C(ansible_host)).
  - The group C(cluster) gets C(cluster_name), C(cluster_network), C(cluster_domain) (when set)
    and the variables of O(vars).
  - Refused with a message naming the culprit - a host in two patterns, two hosts with one address,
    an address outside the network (or its network/broadcast address), a malformed pattern, an
    unknown group in C(children) or in a host override, unknown keys (typos).
  - Like any inventory plugin outside ansible.builtin, it must be listed in C(enable_plugins) of the
    C([inventory]) section of ansible.cfg (or C(ANSIBLE_INVENTORY_ENABLED)), or reached through
    the C(auto) plugin, which loads the plugin named by the file's C(plugin) key.
options:
  plugin:
    description: Marks the file as a source for this plugin.
    type: str
    required: true
    choices: [hpc.cluster.cluster, cluster]
  cluster_name:
    description: Name of the cluster (Slurm's C(ClusterName)); set as C(cluster_name).
    type: str
    required: true
  cluster_network:
    description: Internal network of the cluster in CIDR notation (C(10.20.0.0/16)); set as C(cluster_network).
    type: str
    required: true
  cluster_domain:
    description: DNS domain of the cluster; set as C(cluster_domain) when given.
    type: str
  vars:
    description: Variables of the group C(cluster) (every host).
    type: dict
    default: {}
  groups:
    description:
      - Group name -> group description. Each description may have
      - C(hosts) - a hostlist pattern (string, or list of patterns) of the hosts defined by this group.
        A host is defined by one group only; use C(children) to put it in more.
      - C(address_start) - address of the first host; the next hosts follow in pattern order.
      - C(address_offset) - instead of C(address_start), an offset added to the network address.
      - C(vars) - group variables.
      - C(children) - names of groups (defined in O(groups), or C(control), C(login), C(compute))
        that are children of this group.
    type: dict
    required: true
  hosts:
    description:
      - Host name -> variables of that host, applied last. The host must come from a group's
        pattern. C(cluster_address) here replaces the computed address (it must still lie in
        O(cluster_network) and be unique); C(ansible_host) here wins over the address.
    type: dict
    default: {}
"""

EXAMPLES = r"""
# inventories/site/hpc.cluster.yml
plugin: hpc.cluster.cluster
cluster_name: lab
cluster_network: 10.20.0.0/16
cluster_domain: lab.example.org
vars:
  slurm_partitions:
    - {name: batch, groups: [compute], default: true}
groups:
  control:
    hosts: ctl1
    address_start: 10.20.0.10
  login:
    hosts: login[1-2]
    address_start: 10.20.0.20
  compute:
    hosts: c[001-128]
    address_offset: 256        # c001 = 10.20.0.0 + 256 = 10.20.1.0, c002 = 10.20.1.1 ...
    children: [gpu]
  gpu:
    hosts: g[01-04]
    address_start: 10.20.2.1
    vars:
      # gres.conf entries of each host, as role slurm reads them (else hpc.cluster.gpu_facts finds them)
      slurm_gres:
        - {name: gpu, type: a100, file: "/dev/nvidia[0-3]", count: 4}
hosts:
  c001:
    cluster_address: 10.20.3.1
"""

import ipaddress
import re
from collections.abc import Mapping

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    expand,
)

CORE_GROUPS = ("control", "login", "compute")
_GROUP_KEYS = {"hosts", "address_start", "address_offset", "vars", "children"}
_GROUP_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _fail(path, msg):
    raise AnsibleParserError("%s: %s" % (path, msg))


class InventoryModule(BaseInventoryPlugin):
    """hpc.cluster.cluster inventory plugin."""

    NAME = "hpc.cluster.cluster"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("cluster.yml", "cluster.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        model = build_model(
            path,
            name=self.get_option("cluster_name"),
            network=self.get_option("cluster_network"),
            domain=self.get_option("cluster_domain"),
            cluster_vars=self.get_option("vars") or {},
            groups=self.get_option("groups") or {},
            overrides=self.get_option("hosts") or {},
        )
        self._populate(path, model)

    def _populate(self, path, model):
        inv = self.inventory
        try:
            inv.add_group("cluster")
            for group in model["groups"]:
                inv.add_group(group)
            for parent, child in model["edges"]:
                inv.add_child(parent, child)
            for key, value in model["cluster_vars"].items():
                inv.set_variable("cluster", key, value)
            for group, variables in model["group_vars"].items():
                for key, value in variables.items():
                    inv.set_variable(group, key, value)
            for host, group, variables in model["hosts"]:
                inv.add_host(host, group=group)
                for key, value in variables.items():
                    inv.set_variable(host, key, value)
        except AnsibleParserError:
            raise
        except AnsibleError as exc:
            _fail(path, str(exc))


def _network(path, text):
    try:
        return ipaddress.ip_network(str(text).strip(), strict=True)
    except ValueError as exc:
        _fail(path, "cluster_network %r is not a network in CIDR notation: %s" % (text, exc))


def _usable(network, address):
    if address not in network:
        return False
    if network.version == 4 and network.prefixlen <= 30:
        return address not in (network.network_address, network.broadcast_address)
    if network.version == 6 and network.prefixlen <= 126:
        return address != network.network_address
    return True


def build_model(path, name, network, domain, cluster_vars, groups, overrides):
    """Check the description and compute groups, edges and host variables.

    Returns a dict: groups (ordered names), edges (parent, child), cluster_vars,
    group_vars, hosts (name, group, variables) in definition order.
    """
    if not name or not str(name).strip():
        _fail(path, "cluster_name must not be empty")
    net = _network(path, network)
    if not isinstance(cluster_vars, Mapping):
        _fail(path, "vars must be a dictionary")
    if not isinstance(groups, Mapping):
        _fail(path, "groups must be a dictionary of group name -> description")
    if not isinstance(overrides, Mapping):
        _fail(path, "hosts must be a dictionary of host name -> variables")

    names = list(CORE_GROUPS) + [g for g in groups if g not in CORE_GROUPS]
    for group in names:
        if not isinstance(group, str) or not _GROUP_NAME_RE.fullmatch(group):
            _fail(path, "group name %r is not valid (letters, digits and _; not starting with a digit)"
                  % (group,))
        if group in ("cluster", "all", "ungrouped"):
            _fail(path, "group %r is reserved; put its variables under vars" % group)

    edges = [("cluster", g) for g in CORE_GROUPS]
    has_parent = set(CORE_GROUPS)
    group_vars = {}
    hosts = []
    defined_in = {}
    by_address = {}
    for group in names:
        spec = groups.get(group)
        if spec is None:
            spec = {}
        if not isinstance(spec, Mapping):
            _fail(path, "group %s: expected a dictionary, got %r" % (group, spec))
        unknown = set(spec) - _GROUP_KEYS
        if unknown:
            _fail(path, "group %s: unknown key(s) %s (allowed: %s)"
                  % (group, ", ".join(sorted(map(str, unknown))), ", ".join(sorted(_GROUP_KEYS))))
        variables = spec.get("vars") or {}
        if not isinstance(variables, Mapping):
            _fail(path, "group %s: vars must be a dictionary" % group)
        if variables:
            group_vars[group] = dict(variables)
        children = spec.get("children") or []
        if isinstance(children, str):
            children = [children]
        for child in children:
            if child not in names:
                _fail(path, "group %s: unknown child group %r (define it under groups)" % (group, child))
            if child in CORE_GROUPS:
                _fail(path, "group %s: %s is a child of cluster and cannot be moved" % (group, child))
            edges.append((group, child))
            has_parent.add(child)

        pattern = spec.get("hosts")
        if pattern is None:
            members = []
        else:
            if isinstance(pattern, (list, tuple)):
                pattern = ",".join(str(p) for p in pattern)
            try:
                # Hosts of the inventory, not a Slurm hostlist: BMC names like c[001-128]-ipmi are fine.
                members = expand(str(pattern), unique=False, slurm=False)
            except HostlistError as exc:
                _fail(path, "group %s: bad hosts pattern: %s" % (group, exc))
        start = _start_address(path, group, spec, net)
        for index, host in enumerate(members):
            if host in defined_in:
                where = defined_in[host]
                if where == group:
                    _fail(path, "host %s appears twice in the hosts pattern of group %s" % (host, group))
                _fail(path, "host %s is defined twice (groups %s and %s); define it once and use children"
                      % (host, where, group))
            defined_in[host] = group
            variables = {}
            if start is not None:
                try:
                    address = start + index
                except ValueError:
                    address = None
                if address is None or not _usable(net, address):
                    _fail(path, "group %s: host %s (number %d of the group) would get address %s, "
                          "outside the usable addresses of %s"
                          % (group, host, index + 1, address or "past the end of the address space", net))
                variables["cluster_address"] = str(address)
            hosts.append([host, group, variables])
    for group in names:
        if group not in has_parent:
            edges.append(("compute", group))

    # Host overrides, then the address checks over the final addresses.
    index_of = {entry[0]: entry for entry in hosts}
    for host, variables in overrides.items():
        if host not in index_of:
            _fail(path, "hosts: %s is not in any group's hosts pattern" % host)
        if variables is None:
            continue
        if not isinstance(variables, Mapping):
            _fail(path, "hosts: %s: expected a dictionary of variables" % host)
        entry = index_of[host]
        if "cluster_address" in variables:
            try:
                address = ipaddress.ip_address(str(variables["cluster_address"]).strip())
            except ValueError:
                _fail(path, "hosts: %s: cluster_address %r is not an IP address"
                      % (host, variables["cluster_address"]))
            if not _usable(net, address):
                _fail(path, "hosts: %s: cluster_address %s is not a usable address of %s"
                      % (host, address, net))
        entry[2].update(variables)
    for host, _group, variables in hosts:
        if "cluster_address" not in variables:
            continue
        address = str(ipaddress.ip_address(str(variables["cluster_address"]).strip()))
        variables["cluster_address"] = address
        if address in by_address:
            _fail(path, "hosts %s and %s have the same address %s" % (by_address[address], host, address))
        by_address[address] = host
        variables.setdefault("ansible_host", address)

    base_vars = {"cluster_name": str(name).strip(), "cluster_network": str(net)}
    if domain:
        base_vars["cluster_domain"] = str(domain).strip()
    base_vars.update(cluster_vars)
    return {
        "groups": names,
        "edges": edges,
        "cluster_vars": base_vars,
        "group_vars": group_vars,
        "hosts": [tuple(entry) for entry in hosts],
    }


def _start_address(path, group, spec, net):
    if "address_start" in spec and "address_offset" in spec:
        _fail(path, "group %s: give address_start or address_offset, not both" % group)
    if spec.get("address_start") is not None:
        try:
            start = ipaddress.ip_address(str(spec["address_start"]).strip())
        except ValueError:
            _fail(path, "group %s: address_start %r is not an IP address" % (group, spec["address_start"]))
        if not _usable(net, start):
            _fail(path, "group %s: address_start %s is not a usable address of %s" % (group, start, net))
        return start
    if spec.get("address_offset") is not None:
        offset = spec["address_offset"]
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 1:
            _fail(path, "group %s: address_offset must be a positive integer, got %r" % (group, offset))
        if offset >= net.num_addresses:
            _fail(path, "group %s: address_offset %d is outside %s (%d addresses)"
                  % (group, offset, net, net.num_addresses))
        return net.network_address + offset
    return None
