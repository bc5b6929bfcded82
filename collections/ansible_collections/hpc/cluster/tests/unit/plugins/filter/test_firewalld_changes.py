# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""firewalld_changes: the zones (firewalld_zones' dicts or firewall-cmd's texts) + wanted zones -> only the changes."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.firewalld_changes import (
    FilterModule,
    firewalld_changes,
    parse_zones,
)


def zones(trusted_sources="", trusted_ports="", public_services="ssh", public_ports=""):
    """A --list-all-zones text in firewalld 1.3's layout (Debian 12, Rocky 9)."""
    return (
        "block\n  target: %%REJECT%%\n  interfaces: \n  sources: \n  services: \n  ports: \n\n"
        "public (default, active)\n  target: default\n  icmp-block-inversion: no\n  interfaces: eth0\n"
        "  sources: \n  services: %s\n  ports: %s\n  protocols: \n  forward: yes\n"
        "  rich rules: \n\trule family=\"ipv6\" source address=\"fd00::1\" service name=\"http\" accept\n\n"
        "trusted (active)\n  target: ACCEPT\n  interfaces: \n  sources: %s\n  services: \n  ports: %s\n"
        % (public_services, public_ports, trusted_sources, trusted_ports)
    )


NODES = ["10.0.0.1/32", "10.0.0.2/32"]
WANTED = {"trusted": {"sources": NODES}, "public": {"services": ["ssh"], "ports": []}}


def test_parse_reads_the_three_kinds_and_ignores_rich_rules():
    parsed = parse_zones(zones(trusted_sources=" ".join(NODES), public_ports="9100/tcp"))
    assert parsed["trusted"] == {"sources": NODES, "services": [], "ports": []}
    assert parsed["public"] == {"sources": [], "services": ["ssh"], "ports": ["9100/tcp"]}
    assert set(parsed) == {"block", "public", "trusted"}


def test_nothing_to_do_when_both_configurations_hold_everything():
    text = zones(trusted_sources=" ".join(NODES))
    assert firewalld_changes([text, text], WANTED, prune={"trusted": ["sources"], "public": ["services"]}) == []


def test_missing_items_are_added_once_in_order():
    text = zones()
    wanted = {"trusted": {"sources": NODES + NODES[:1]}}
    assert firewalld_changes([text, text], wanted) == [
        {"zone": "trusted", "state": "enabled", "source": "10.0.0.1/32"},
        {"zone": "trusted", "state": "enabled", "source": "10.0.0.2/32"},
    ]


def test_an_item_only_in_the_runtime_or_only_permanent_is_applied_again():
    runtime = zones(trusted_sources="10.0.0.1/32 10.0.0.2/32")
    permanent = zones(trusted_sources="10.0.0.1/32")
    assert firewalld_changes([runtime, permanent], WANTED) == [
        {"zone": "trusted", "state": "enabled", "source": "10.0.0.2/32"}]
    assert firewalld_changes([permanent, runtime], WANTED) == [
        {"zone": "trusted", "state": "enabled", "source": "10.0.0.2/32"}]


def test_prune_removes_unwanted_items_from_either_configuration_only_where_asked():
    runtime = zones(trusted_sources="10.0.0.1/32 10.0.0.2/32 10.0.0.9/32", public_services="ssh cockpit",
                    public_ports="8080/tcp")
    permanent = zones(trusted_sources="10.0.0.1/32 10.0.0.2/32", public_services="ssh dhcpv6-client")
    changes = firewalld_changes([runtime, permanent], WANTED, prune={"public": ["services"]})
    assert changes == [
        {"zone": "public", "state": "disabled", "service": "cockpit"},
        {"zone": "public", "state": "disabled", "service": "dhcpv6-client"},
    ]
    pruned = firewalld_changes([runtime, permanent], WANTED, prune={"trusted": ["sources"], "public": ["ports"]})
    assert pruned == [
        {"zone": "public", "state": "disabled", "port": "8080/tcp"},
        {"zone": "trusted", "state": "disabled", "source": "10.0.0.9/32"},
    ]


def test_a_port_range_an_open_range_holds_is_present_unless_ports_are_pruned():
    # firewalld's runtime merged an added 6817-6818/tcp into the open 6817-6819/tcp (the lab, slurmdbd
    # moved to 6829): the range was added again, a change on every run.
    runtime = zones(trusted_ports="6817-6819/tcp 6829/tcp")
    permanent = zones(trusted_ports="6817-6819/tcp 6817-6818/tcp")
    wanted = {"trusted": {"ports": ["6817-6818/tcp", "6829/tcp"]}}
    assert firewalld_changes([runtime, permanent], wanted) == [
        {"zone": "trusted", "state": "enabled", "port": "6829/tcp"}]
    assert firewalld_changes([runtime, zones(trusted_ports="6817-6819/tcp 6829/tcp")], wanted) == []
    # Another protocol, or a range only partly held, is not present.
    assert firewalld_changes([zones(trusted_ports="6817-6819/udp"), zones(trusted_ports="6817-6819/udp")],
                             {"trusted": {"ports": ["6818/tcp"]}}) == [
        {"zone": "trusted", "state": "enabled", "port": "6818/tcp"}]
    assert firewalld_changes([zones(trusted_ports="6817-6819/tcp"), zones(trusted_ports="6817-6819/tcp")],
                             {"trusted": {"ports": ["6818-6820/tcp"]}}) == [
        {"zone": "trusted", "state": "enabled", "port": "6818-6820/tcp"}]
    # Pruned: exactly what is wanted, the wider range removed.
    assert firewalld_changes([zones(trusted_ports="6817-6819/tcp"), zones(trusted_ports="6817-6819/tcp")],
                             {"trusted": {"ports": ["6817-6818/tcp"]}}, prune={"trusted": ["ports"]}) == [
        {"zone": "trusted", "state": "enabled", "port": "6817-6818/tcp"},
        {"zone": "trusted", "state": "disabled", "port": "6817-6819/tcp"}]


def test_a_zone_missing_from_the_runtime_gets_everything():
    permanent = zones(trusted_sources=" ".join(NODES)) + "\ncluster\n  sources: 10.0.0.1/32\n"
    wanted = {"cluster": {"sources": ["10.0.0.1/32"]}}
    assert firewalld_changes([zones(), permanent], wanted) == [
        {"zone": "cluster", "state": "enabled", "source": "10.0.0.1/32"}]


def test_the_dicts_of_firewalld_zones_give_the_same_changes_as_the_texts():
    runtime = zones(trusted_sources="10.0.0.1/32 10.0.0.9/32", public_services="ssh cockpit")
    permanent = zones(trusted_sources="10.0.0.1/32", public_services="ssh")
    prune = {"trusted": ["sources"], "public": ["services"]}
    from_texts = firewalld_changes([runtime, permanent], WANTED, prune=prune)
    assert from_texts == [
        {"zone": "trusted", "state": "enabled", "source": "10.0.0.2/32"},
        {"zone": "public", "state": "disabled", "service": "cockpit"},
        {"zone": "trusted", "state": "disabled", "source": "10.0.0.9/32"},
    ]
    assert firewalld_changes([parse_zones(runtime), parse_zones(permanent)], WANTED, prune=prune) == from_texts
    # firewalld_zones returns only the zones asked for: an absent zone holds nothing
    only_trusted = {"trusted": parse_zones(runtime)["trusted"]}
    assert firewalld_changes([only_trusted, only_trusted], {"public": {"services": ["ssh"]}}) == [
        {"zone": "public", "state": "enabled", "service": "ssh"}]


@pytest.mark.parametrize("texts, wanted, prune, message", [
    (["only one"], WANTED, None, "two configurations"),
    ([{"trusted": ["10.0.0.1/32"]}, ""], WANTED, None, "runtime configuration must be"),
    (["", None], WANTED, None, "permanent configuration must be"),
    (["", ""], ["trusted"], None, "wanted must map"),
    (["", ""], {"trusted": {"interfaces": ["eth0"]}}, None, "interfaces"),
    (["", ""], WANTED, {"public": ["rich rules"]}, "rich rules"),
])
def test_bad_input_is_named(texts, wanted, prune, message):
    with pytest.raises(AnsibleFilterError, match=message):
        firewalld_changes(texts, wanted, prune=prune)


def test_registered():
    assert FilterModule().filters()["firewalld_changes"] is firewalld_changes
