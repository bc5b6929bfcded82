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


KNOWN = ["http", "https", "ssh"]


def client(runtime, permanent, connected=True, fails=False, services=KNOWN, permanent_services=KNOWN):
    """A stand-in for firewall.client.FirewallClient holding the two configurations."""
    calls = []

    class Config:
        def getZoneNames(self):
            return list(permanent)

        def getServiceNames(self):
            calls.append(("permanent", "services"))
            return list(permanent_services)

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

        def listServices(self):
            calls.append(("runtime", "services"))
            return list(services)

    return Client, calls


def listing(zones):
    """firewall-cmd --list-all-zones for these zones."""
    return "".join("%s\n  target: default\n  sources: %s\n  services: %s\n  ports: %s\n\n"
                   % (name, " ".join(z["sources"]), " ".join(z["services"]), " ".join(z["ports"]))
                   for name, z in zones.items())


def run(run_module, monkeypatch, client_class, table=(), bins=None, dbus=None, **args):
    monkeypatch.setattr(firewalld_zones, "_client_class", lambda: client_class)
    monkeypatch.setattr(firewalld_zones, "_dbus_module", lambda: dbus)
    return run_module(firewalld_zones.main, args, list(table), bins=bins)


CONFIG_PATH = "/org/fedoraproject/FirewallD1/config"


def fake_dbus(runtime, permanent, error=None, services=KNOWN, permanent_services=KNOWN):
    """A stand-in for the dbus module in front of a firewalld holding the two configurations; error:
    the D-Bus error name its first call raises."""
    calls = []

    class DBusException(Exception):
        def get_dbus_name(self):
            return self.args[0]

    def settings2(items):
        return {"sources": list(items["sources"]), "services": list(items["services"]),
                "ports": [tuple(port.split("/")) for port in items["ports"]], "target": "default"}

    methods = {
        "/org/fedoraproject/FirewallD1": {
            "org.fedoraproject.FirewallD1.zone": {
                "getZones": lambda: list(runtime),
                "getZoneSettings2": lambda name: calls.append(("runtime", name)) or settings2(runtime[name])},
            "org.fedoraproject.FirewallD1": {
                "listServices": lambda: calls.append(("runtime", "services")) or list(services)}},
        CONFIG_PATH: {
            "org.fedoraproject.FirewallD1.config": {
                "getZoneNames": lambda: list(permanent),
                "getZoneByName": lambda name: "%s/zone/%d" % (CONFIG_PATH, list(permanent).index(name)),
                "getServiceNames": lambda: calls.append(("permanent", "services")) or list(permanent_services)}}}
    for index, name in enumerate(permanent):
        methods["%s/zone/%d" % (CONFIG_PATH, index)] = {
            "org.fedoraproject.FirewallD1.config.zone": {
                "getSettings2": lambda name=name: calls.append(("permanent", name)) or settings2(permanent[name])}}

    class Bus:
        def __init__(self, private=False):
            calls.append(("bus", "private" if private else "shared"))

        def close(self):
            calls.append(("bus", "closed"))

        def get_object(self, bus_name, path, introspect=True):
            assert bus_name == "org.fedoraproject.FirewallD1" and introspect is False
            if error:
                raise DBusException(error)
            return path

    class Interface:
        def __init__(self, path, dbus_interface):
            self._methods = methods[path][dbus_interface]

        def __getattr__(self, name):
            return self._methods[name]

    module = type("dbus", (), {"SystemBus": Bus, "Interface": Interface,
                               "exceptions": type("exceptions", (), {"DBusException": DBusException})})
    return module, calls


def test_the_d_bus_interface_reads_both_configurations_without_the_client_library(run_module, monkeypatch):
    """The D-Bus bindings alone (the client library's import cost more than the reads): only the
    zones asked for, a zone missing from one configuration left out there."""
    dbus, calls = fake_dbus({"public": PUBLIC, "trusted": TRUSTED, "dmz": PUBLIC},
                            {"public": PUBLIC, "dmz": PUBLIC})
    never, _ = client({}, {}, fails=True)
    result, commands = run(run_module, monkeypatch, never, dbus=dbus, zones=["trusted", "public"])
    assert commands == [] and result["reader"] == "dbus" and result["running"] is True
    assert result["runtime"] == {"public": PUBLIC, "trusted": TRUSTED} and result["permanent"] == {"public": PUBLIC}
    # A connection of its own, closed after: the shared one would lack the main loop firewalld's
    # client library (ansible.posix.firewalld, later in the same Python under Mitogen) needs.
    assert calls[0] == ("bus", "private") and calls[-1] == ("bus", "closed")
    assert sorted(calls[1:-1]) == [("permanent", "public"), ("runtime", "public"), ("runtime", "trusted")]


def test_the_d_bus_interface_checks_the_services(run_module, monkeypatch):
    dbus, calls = fake_dbus({"public": PUBLIC}, {"public": PUBLIC}, permanent_services=["ssh"])
    result, _ = run(run_module, monkeypatch, None, dbus=dbus, services=["ssh", "https"])
    assert result["failed"] is True and result["reader"] == "dbus"
    assert "'https' in only one of firewalld's runtime and permanent configurations" in result["msg"]
    assert ("runtime", "services") in calls and ("permanent", "services") in calls


def test_firewalld_not_on_the_bus_is_not_running(run_module, monkeypatch):
    dbus, calls = fake_dbus({}, {}, error="org.freedesktop.DBus.Error.ServiceUnknown")
    result, commands = run(run_module, monkeypatch, None, dbus=dbus)
    assert commands == [] and result["running"] is False and result["reader"] == "dbus"
    assert calls == [("bus", "private"), ("bus", "closed")]
    refused, _ = run(run_module, monkeypatch, None, dbus=dbus, require_running=True)
    assert refused["failed"] is True and "firewalld is not running on this node" in refused["msg"]


def test_another_d_bus_error_leaves_it_to_the_client_library(run_module, monkeypatch):
    dbus, _ = fake_dbus({}, {}, error="org.freedesktop.DBus.Error.AccessDenied")
    fake, calls = client({"public": PUBLIC}, {"public": PUBLIC})
    result, _ = run(run_module, monkeypatch, fake, dbus=dbus)
    assert result["reader"] == "client" and result["runtime"] == {"public": PUBLIC}
    assert sorted(calls) == [("permanent", "public"), ("runtime", "public")]


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


HINT = "Fix base_firewall_public_services."


def test_services_firewalld_does_not_know_are_refused_by_name(run_module, monkeypatch):
    fake, calls = client({"public": PUBLIC}, {"public": PUBLIC})
    result, _ = run(run_module, monkeypatch, fake, services=["ssh", "no-such", "https"], hint=HINT)
    assert result["failed"] is True
    assert result["msg"] == ("firewalld on this node knows no service named 'no-such' (firewall-cmd --get-services "
                             "lists them; a site's own service needs its file in /etc/firewalld/services). " + HINT)
    assert ("runtime", "services") in calls and ("permanent", "services") in calls


def test_known_services_pass_and_are_not_read_unless_asked(run_module, monkeypatch):
    fake, calls = client({"public": PUBLIC}, {"public": PUBLIC})
    result, _ = run(run_module, monkeypatch, fake, services=["ssh", "https"])
    assert result["failed"] is False and result["runtime"] == {"public": PUBLIC}
    calls.clear()
    run(run_module, monkeypatch, fake)
    assert ("runtime", "services") not in calls and ("permanent", "services") not in calls


def test_a_service_file_not_loaded_yet_asks_for_a_reload(run_module, monkeypatch):
    fake, _ = client({"public": PUBLIC}, {"public": PUBLIC}, permanent_services=KNOWN + ["site-web"])
    result, _ = run(run_module, monkeypatch, fake, services=["site-web"])
    assert result["failed"] is True
    assert result["msg"] == ("'site-web' in only one of firewalld's runtime and permanent configurations: "
                             "firewall-cmd --reload loads the service files.")


def test_services_are_not_checked_when_firewalld_does_not_run(run_module, monkeypatch):
    fake, _ = client({}, {}, connected=False)
    result, _ = run(run_module, monkeypatch, fake, services=["no-such"])
    assert result["failed"] is False and result["running"] is False


def test_firewall_cmd_lists_the_services_when_asked(run_module, monkeypatch):
    zones = listing({"public": PUBLIC})
    table = [(("firewall-cmd", ["--list-all-zones"]), 0, zones, ""),
             (("firewall-cmd", ["--permanent", "--list-all-zones"]), 0, zones, ""),
             (("firewall-cmd", ["--get-services"]), 0, "http ssh\n", ""),
             (("firewall-cmd", ["--permanent", "--get-services"]), 0, "http ssh\n", "")]
    result, commands = run(run_module, monkeypatch, None, table, services=["ssh", "mosh"])
    assert len(commands) == 4 and result["failed"] is True
    assert result["msg"].startswith("firewalld on this node knows no service named 'mosh' ")
    passed, _ = run(run_module, monkeypatch, None, table, services=["ssh"])
    assert passed["failed"] is False and passed["permanent"] == {"public": PUBLIC}


def test_the_client_class_is_none_without_the_library(monkeypatch):
    monkeypatch.setitem(sys.modules, "firewall.client", None)  # import raises ImportError
    assert firewalld_zones._client_class() is None


def test_the_dbus_module_is_none_without_the_bindings(monkeypatch):
    monkeypatch.setitem(sys.modules, "dbus", None)  # import raises ImportError
    assert firewalld_zones._dbus_module() is None


@pytest.mark.parametrize("ports, written", [
    ([("22", "tcp")], ["22/tcp"]),
    ([["60001-63000", "udp"]], ["60001-63000/udp"]),
])
def test_ports_are_written_as_firewall_cmd_writes_them(ports, written):
    from ansible_collections.hpc.cluster.plugins.module_utils.firewalld import zone_items
    settings = type("S", (), {"getSources": lambda s: [], "getServices": lambda s: [], "getPorts": lambda s: ports})()
    assert zone_items(settings)["ports"] == written
