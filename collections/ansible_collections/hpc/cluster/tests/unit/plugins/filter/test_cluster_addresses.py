# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cluster_addresses: host variables -> cluster address, by one rule; from tables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.cluster_addresses import (
    FilterModule,
    cluster_addresses,
    is_ipv4,
)


def facts(address):
    return {"default_ipv4": {"address": address}}


CASES = [
    # (id, host variables, expected address)
    ("ansible-host-ip", {"ansible_host": "10.1.0.10"}, "10.1.0.10"),
    ("cluster-address-first", {"ansible_host": "10.1.0.10", "cluster_address": "10.2.0.10",
                               "ansible_facts": facts("10.3.0.10")}, "10.2.0.10"),
    ("cluster-address-over-name", {"ansible_host": "login1.example.org", "cluster_address": "10.1.0.11"},
     "10.1.0.11"),
    ("ansible-host-over-facts", {"ansible_host": "10.1.0.10", "ansible_facts": facts("10.3.0.10")}, "10.1.0.10"),
    ("facts-when-host-is-a-name", {"ansible_host": "c01.example.org", "ansible_facts": facts("10.1.0.21")},
     "10.1.0.21"),
    ("facts-when-no-ansible-host", {"ansible_facts": facts("10.1.0.21")}, "10.1.0.21"),
    # An IPv6 ansible_host is no cluster address: the facts' IPv4 address is.
    ("facts-when-host-is-ipv6", {"ansible_host": "fd00::21", "ansible_facts": facts("10.1.0.21")}, "10.1.0.21"),
    # Not an address although it looks like one: a name.
    ("facts-when-host-out-of-range", {"ansible_host": "300.1.0.21", "ansible_facts": facts("10.1.0.21")},
     "10.1.0.21"),
    # A null cluster_address is no cluster_address.
    ("null-cluster-address", {"cluster_address": None, "ansible_host": "10.1.0.10"}, "10.1.0.10"),
    ("edge-values", {"cluster_address": "255.255.255.0"}, "255.255.255.0"),
]


@pytest.mark.parametrize(("host", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_address(host, expected):
    assert cluster_addresses({"n1": host}) == {"n1": expected}


def test_order_kept_and_other_variables_ignored():
    hosts = {"c02": {"ansible_host": "10.1.0.22", "slurm_node": {"Weight": 1}},
             "c01": {"ansible_host": "10.1.0.21"}, "head": {"cluster_address": "10.1.0.10"}}
    assert list(cluster_addresses(hosts).items()) == [
        ("c02", "10.1.0.22"), ("c01", "10.1.0.21"), ("head", "10.1.0.10")]


def test_empty():
    assert cluster_addresses({}) == {}


ERRORS = [
    # (id, hosts, context, messages expected, text that must not appear)
    ("no-address", {"c01": {"ansible_host": "c01.example.org"}}, "",
     ["no cluster address for c01: set cluster_address or an IP as ansible_host, or gather their facts"], []),
    ("no-facts-route", {"c01": {"ansible_facts": {"default_ipv4": {}}}}, "", ["no cluster address for c01"], []),
    ("facts-not-gathered", {"c01": {"ansible_facts": {}}}, "", ["no cluster address for c01"], []),
    # An empty cluster_address is set, so it hides ansible_host: refused, not skipped.
    ("empty-cluster-address", {"c01": {"cluster_address": "", "ansible_host": "10.1.0.21"}}, "",
     ["no cluster address for c01"], []),
    ("several-missing", {"c01": {}, "c02": {"ansible_host": "10.1.0.22"}, "c03": {}}, "",
     ["no cluster address for c01, c03:"], ["c02"]),
    ("cluster-address-name", {"login1": {"cluster_address": "login1-ib.example.org"}}, "",
     ["cluster address is not an IPv4 address for login1 (login1-ib.example.org)"], []),
    ("cluster-address-ipv6", {"login1": {"cluster_address": "fd00::11"}}, "",
     ["cluster address is not an IPv4 address for login1 (fd00::11)"], []),
    ("cluster-address-cidr", {"login1": {"cluster_address": "10.1.0.11/16"}}, "",
     ["not an IPv4 address for login1 (10.1.0.11/16)"], []),
    ("cluster-address-out-of-range", {"login1": {"cluster_address": "10.1.0.256"}}, "",
     ["not an IPv4 address for login1 (10.1.0.256)"], []),
    ("cluster-address-newline", {"login1": {"cluster_address": "10.1.0.11\n"}}, "",
     ["not an IPv4 address for login1"], []),
    ("both-kinds", {"c01": {}, "login1": {"cluster_address": "x"}, "head": {"ansible_host": "10.1.0.10"}}, "",
     ["no cluster address for c01:", "cluster address is not an IPv4 address for login1 (x)"], ["head"]),
    ("context-named", {"head": {}}, "chrony_server_group 'control'",
     ["chrony_server_group 'control': no cluster address for head"], []),
]


@pytest.mark.parametrize(("hosts", "context", "messages", "absent"), [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_refused(hosts, context, messages, absent):
    with pytest.raises(AnsibleFilterError) as caught:
        cluster_addresses(hosts, context=context)
    for message in messages:
        assert message in str(caught.value)
    for text in absent:
        assert text not in str(caught.value)


@pytest.mark.parametrize("bad", [None, ["c01"], "c01"])
def test_wrong_input_type(bad):
    with pytest.raises(AnsibleFilterError, match="expected a dict of host -> variables"):
        cluster_addresses(bad)


def test_wrong_host_type():
    with pytest.raises(AnsibleFilterError, match="host c01: expected its variables as a dict"):
        cluster_addresses({"c01": "10.1.0.21"})


@pytest.mark.parametrize(("value", "expected"), [
    ("10.1.0.1", True), ("0.0.0.0", True), ("255.255.255.255", True), ("256.1.1.1", False),
    ("10.1.0", False), ("10.1.0.1.5", False), ("10.1.0.1\n", False), (" 10.1.0.1", False),
    ("a.b.c.d", False), ("", False), (None, False), ("１0.1.0.1", False),
])
def test_is_ipv4(value, expected):
    assert is_ipv4(value) is expected


def test_registered():
    assert FilterModule().filters()["cluster_addresses"] is cluster_addresses


LAB = {"head": {"ansible_host": "10.1.0.10"}, "c01": {"ansible_host": "10.1.0.21"},
       "c02": {"ansible_host": "10.1.0.22"}}


@pytest.mark.parametrize(("network", "unique"), [("10.1.0.0/16", True), ("10.1.0.0/27", True),
                                                 ("10.1.0.5/24", False), (None, True)])
def test_placement_accepted(network, unique):
    """Inside the network (host bits of the network ignored, as Slurm and firewalld read it)."""
    assert cluster_addresses(LAB, network=network, unique=unique) == {
        "head": "10.1.0.10", "c01": "10.1.0.21", "c02": "10.1.0.22"}


PLACEMENT_ERRORS = [
    # (id, hosts, network, unique, message)
    ("outside", dict(LAB, c01={"ansible_host": "10.2.0.21"}), "10.1.0.0/16", False,
     "group compute: address outside cluster_network 10.1.0.0/16: c01 10.2.0.21"),
    ("outside-edge", LAB, "10.1.0.0/28", False, "address outside cluster_network 10.1.0.0/28: c01 10.1.0.21, "
     "c02 10.1.0.22"),
    ("shared", dict(LAB, c02={"cluster_address": "10.1.0.10"}), None, True,
     "duplicate cluster address: 10.1.0.10 (head, c02)"),
    ("both", dict(LAB, c02={"ansible_host": "10.1.0.21"}), "10.1.0.0/28", True,
     "address outside cluster_network 10.1.0.0/28: c01 10.1.0.21, c02 10.1.0.21; "
     "duplicate cluster address: 10.1.0.21 (c01, c02)"),
    ("bad-network", LAB, "10.1.0.0/33", True, "network must be an IPv4 network such as 10.1.0.0/16, got '10.1.0.0/33'"),
]


@pytest.mark.parametrize(("hosts", "network", "unique", "message"), [c[1:] for c in PLACEMENT_ERRORS],
                         ids=[c[0] for c in PLACEMENT_ERRORS])
def test_placement_refused(hosts, network, unique, message):
    with pytest.raises(AnsibleFilterError) as caught:
        cluster_addresses(hosts, context="group compute", network=network, unique=unique)
    assert message in str(caught.value)


def test_shared_address_allowed_unless_unique():
    hosts = dict(LAB, c02={"cluster_address": "10.1.0.10"})
    assert cluster_addresses(hosts)["c02"] == "10.1.0.10"
