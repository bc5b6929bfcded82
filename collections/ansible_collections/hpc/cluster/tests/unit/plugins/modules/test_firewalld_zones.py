# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""firewalld_zones: both configurations over one client connection, firewall-cmd where the library is missing."""

from __future__ import annotations

import sys

import pytest

from ansible_collections.hpc.cluster.plugins.modules import firewalld_zones

TRUSTED = {"sources": ["10.0.0.1/32"], "services": [], "ports": ["6817-6819/tcp", "60001-63000/tcp"]}
PUBLIC = {"sources": [], "services": ["ssh"], "ports": []}


class Settings:
    def __init__(self, items):
        self.items = items

    def getSources(self):
        return self.items["sources"]

    def getServices(self):
        return self.items["services"]

    def getPorts(self):
        return [tuple(port.split("/")) for port in self.items["ports"]]


def client(runtime, permanent, connected=True, fails=False):
    """A stand-in for firewall.client.FirewallClient holding the two configurations."""
    calls = []

    class Config:
        def getZoneNames(self):
            return list(permanent)

        def getZoneByName(self, name):
            calls.append(("permanent", name))
            return type("Zone", (), {"getSettings": lambda _self: Settings(permanent[name])})()

    class Client:
        def __init__(self):
            if fails:
                raise RuntimeError("org.freedesktop.DBus.Error.FileNotFound: no system bus")
            self.connected = connected

        def config(self):
            return Config()

        def getZones(self):
            return list(runtime)

        def getZoneSettings(self, name):
            calls.append(("runtime", name))
            return Settings(runtime[name])

    return Client, calls


def listing(zones):
    """firewall-cmd --list-all-zones for these zones."""
    return "".join("%s\n  target: default\n  sources: %s\n  services: %s\n  ports: %s\n\n"
                   % (name, " ".join(z["sources"]), " ".join(z["services"]), " ".join(z["ports"]))
                   for name, z in zones.items())


def run(run_module, monkeypatch, client_class, table=(), bins=None, **args):
    monkeypatch.setattr(firewalld_zones, "_client_class", lambda: client_class)
    return run_module(firewalld_zones.main, args, list(table), bins=bins)


def test_one_connection_reads_both_configurations(run_module, monkeypatch):
    fake, calls = client({"public": PUBLIC, "trusted": TRUSTED}, {"public": PUBLIC, "trusted": dict(TRUSTED, ports=[])})
    result, commands = run(run_module, monkeypatch, fake)
    assert commands == [] and result["changed"] is False
    assert result["running"] is True and result["reader"] == "client"
    assert result["runtime"] == {"public": PUBLIC, "trusted": TRUSTED}
    assert result["permanent"]["trusted"]["ports"] == [] and result["permanent"]["public"] == PUBLIC
    assert sorted(calls) == [("permanent", "public"), ("permanent", "trusted"),
                             ("runtime", "public"), ("runtime", "trusted")]


def test_only_the_zones_asked_for_are_read_and_a_missing_one_is_left_out(run_module, monkeypatch):
    fake, calls = client({"public": PUBLIC, "trusted": TRUSTED}, {"public": PUBLIC})
    result, _ = run(run_module, monkeypatch, fake, zones=["trusted", "cluster"])
    assert result["runtime"] == {"trusted": TRUSTED} and result["permanent"] == {}
    assert calls == [("runtime", "trusted")]


def test_a_stopped_firewalld_is_reported_or_refused(run_module, monkeypatch):
    fake, _ = client({}, {}, connected=False)
    result, _ = run(run_module, monkeypatch, fake)
    assert result["failed"] is False and result["running"] is False
    assert result["runtime"] == {} and result["permanent"] == {}
    refused, _ = run(run_module, monkeypatch, fake, require_running=True)
    assert refused["failed"] is True and "firewalld is not running on this node" in refused["msg"]


def test_without_the_client_library_firewall_cmd_reads_them(run_module, monkeypatch):
    table = [(("firewall-cmd", ["--list-all-zones"]), 0, listing({"public": PUBLIC, "trusted": TRUSTED}), ""),
             (("firewall-cmd", ["--permanent", "--list-all-zones"]), 0, listing({"public": PUBLIC}), "")]
    result, _ = run(run_module, monkeypatch, None, table, zones=["trusted", "public"])
    assert result["reader"] == "firewall-cmd" and result["running"] is True
    assert result["runtime"] == {"public": PUBLIC, "trusted": TRUSTED} and result["permanent"] == {"public": PUBLIC}


def test_a_client_that_cannot_connect_leaves_it_to_firewall_cmd(run_module, monkeypatch):
    fake, _ = client({}, {}, fails=True)
    table = [(("firewall-cmd", ["--list-all-zones"]), firewalld_zones.NOT_RUNNING, "", "FirewallD is not running")]
    result, _ = run(run_module, monkeypatch, fake, table)
    assert result["reader"] == "firewall-cmd" and result["running"] is False and result["failed"] is False


def test_firewall_cmd_errors_are_named(run_module, monkeypatch):
    table = [(("firewall-cmd", ["--list-all-zones"]), 0, listing({"public": PUBLIC}), ""),
             (("firewall-cmd", ["--permanent", "--list-all-zones"]), 1, "", "Error: ACCESS_DENIED")]
    result, _ = run(run_module, monkeypatch, None, table)
    assert result["failed"] is True
    assert result["msg"] == "firewall-cmd --permanent --list-all-zones failed (rc 1): Error: ACCESS_DENIED"


def test_without_firewalld_nothing_runs(run_module, monkeypatch):
    result, commands = run(run_module, monkeypatch, None, bins={"firewall-cmd": None})
    assert commands == [] and result["running"] is False and result["reader"] == "none"
    refused, _ = run(run_module, monkeypatch, None, bins={"firewall-cmd": None}, require_running=True)
    assert refused["failed"] is True and "firewalld is not installed on this node" in refused["msg"]


def test_the_client_class_is_none_without_the_library(monkeypatch):
    monkeypatch.setitem(sys.modules, "firewall.client", None)  # import raises ImportError
    assert firewalld_zones._client_class() is None


@pytest.mark.parametrize("ports, written", [
    ([("22", "tcp")], ["22/tcp"]),
    ([["60001-63000", "udp"]], ["60001-63000/udp"]),
])
def test_ports_are_written_as_firewall_cmd_writes_them(ports, written):
    from ansible_collections.hpc.cluster.plugins.module_utils.firewalld import zone_items
    settings = type("S", (), {"getSources": lambda s: [], "getServices": lambda s: [], "getPorts": lambda s: ports})()
    assert zone_items(settings)["ports"] == written
