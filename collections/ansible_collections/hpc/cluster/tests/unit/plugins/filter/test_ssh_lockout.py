# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ssh_lockout: the run's own SSH connection against the public zone it writes (lab: services []
shut the controller out of c02, 'No route to host')."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.ssh_lockout import FilterModule, ssh_lockout

FROM_OUTSIDE = "192.0.2.7 50468 10.89.0.22 22"
TRUSTED = ["10.89.0.0/24"]
OPEN_NOW = {"services": ["ssh"], "ports": []}


def test_filter_name():
    assert FilterModule().filters() == {"ssh_lockout": ssh_lockout}


def test_dropping_ssh_shuts_out_a_connection_from_outside_the_cluster_zone():
    said = ssh_lockout(FROM_OUTSIDE, TRUSTED, [], [], zone_now=OPEN_NOW, context="base on c02")
    assert said.startswith("base on c02: this run reaches the node over SSH from 192.0.2.7 (port 22), which only "
                           "the public zone lets in")
    assert "would no longer hold ssh" in said and "Keep ssh in base_firewall_public_services" in said


@pytest.mark.parametrize("connection, sources, services, ports, zone_now, prune", [
    # The connection's client is a source of the cluster zone (a network, or the node addresses).
    ("10.89.0.1 50468 10.89.0.22 22", TRUSTED, [], [], OPEN_NOW, True),
    ("10.89.0.1 50468 10.89.0.22 22", ["10.89.0.1/32", "10.89.0.22"], [], [], OPEN_NOW, True),
    # The public zone keeps ssh, or a port entry holding sshd's port.
    (FROM_OUTSIDE, TRUSTED, ["http", "ssh"], [], OPEN_NOW, True),
    (FROM_OUTSIDE, TRUSTED, [], ["20-30/tcp"], OPEN_NOW, True),
    ("192.0.2.7 50468 10.89.0.22 2222", TRUSTED, [], ["2222/tcp"], {"services": [], "ports": ["2222/tcp"]}, True),
    # The public zone does not let it in now: it comes another way.
    (FROM_OUTSIDE, TRUSTED, [], [], {"services": ["http"], "ports": ["22/udp"]}, True),
    # Unlisted services are kept.
    (FROM_OUTSIDE, TRUSTED, [], [], OPEN_NOW, False),
    # Unknown connection: not judged.
    ("", TRUSTED, [], [], OPEN_NOW, True),
    (None, TRUSTED, [], [], OPEN_NOW, True),
    ("garbage", TRUSTED, [], [], OPEN_NOW, True),
    ("not-an-ip 1 2 22", TRUSTED, [], [], OPEN_NOW, True),
], ids=["client-in-network", "client-a-node-address", "ssh-kept", "port-range-kept", "other-port-kept",
        "not-through-public-now", "no-prune", "unknown", "none", "garbage", "bad-client"])
def test_no_lockout(connection, sources, services, ports, zone_now, prune):
    assert ssh_lockout(connection, sources, services, ports, zone_now=zone_now, prune=prune) == ""


def test_a_port_other_than_22_needs_its_port_entry():
    """The ssh service is port 22: sshd on 2222 needs 2222/tcp."""
    said = ssh_lockout("192.0.2.7 1 10.89.0.22 2222", TRUSTED, ["ssh"], ["2222/udp"],
                       zone_now={"services": [], "ports": ["2222/tcp"]})
    assert "(port 2222)" in said and "would no longer hold 2222/tcp" in said


def test_where_firewalld_does_not_run_yet_the_zone_it_starts_decides():
    assert ssh_lockout(FROM_OUTSIDE, TRUSTED, ["http"], [], zone_now=None) != ""
    assert ssh_lockout(FROM_OUTSIDE, TRUSTED, ["ssh"], [], zone_now=None) == ""


def test_a_trusted_source_that_is_no_address_raises():
    with pytest.raises(AnsibleFilterError, match="^ssh_lockout: trusted source 'nodes' is not an address"):
        ssh_lockout(FROM_OUTSIDE, ["nodes"], [], [], zone_now=OPEN_NOW)
