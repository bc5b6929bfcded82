#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: firewalld_zones
short_description: Read the sources, services and ports of firewalld's zones, runtime and permanent, in one call
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Reads the runtime and the permanent configuration of the zones over one D-Bus connection, with
    the D-Bus bindings (C(python3-dbus), which firewalld's own client library uses) and firewalld's
    documented D-Bus interface (C(getZoneSettings2), C(getSettings2)); where that fails, with
    firewalld's client library, as M(ansible.posix.firewalld) does; where the module's Python lacks
    both, runs C(firewall-cmd --list-all-zones) and C(firewall-cmd --permanent --list-all-zones).
    Importing the client library costs about four times the D-Bus bindings' import, more than the
    reads themselves; each C(firewall-cmd) call starts a Python of its own.
  - Feeds the filter P(hpc.cluster.firewalld_changes#filter), which lists what must change.
  - When firewalld is not installed or not running, returns O(ignore:running=false) and empty
    configurations, or fails when O(require_running) is set. Never changes anything.
  - With O(services), also checks that firewalld knows each of these services, so that a zone
    change naming an unknown one is refused before anything changes.
options:
  zones:
    description: The zones to read; all of them when empty. A zone that does not exist is left out.
    type: list
    elements: str
    default: []
  require_running:
    description: Fail when firewalld is not installed or not running.
    type: bool
    default: false
  services:
    description:
      - Service names the caller will put in a zone. When firewalld runs, fail, naming them, when
        its runtime or its permanent configuration does not define one (a service file added
        without C(firewall-cmd --reload) is in the permanent configuration only).
      - Not checked when firewalld does not run.
    type: list
    elements: str
    default: []
  hint:
    description: Appended to the message of a failed O(services) check (which setting to fix).
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
requirements:
  - firewalld (its Python client library, or the firewall-cmd command)
"""

EXAMPLES = r"""
- name: Read the firewall zones
  hpc.cluster.firewalld_zones:
    require_running: true
  register: __zones

- name: Open the Slurm ports where missing
  ansible.posix.firewalld:
    zone: "{{ item.zone }}"
    port: "{{ item.port }}"
    permanent: true
    immediate: true
    state: enabled
  loop: >-
    {{ [__zones.runtime, __zones.permanent]
       | hpc.cluster.firewalld_changes({'trusted': {'ports': ['6817-6819/tcp']}}) }}
"""

RETURN = r"""
running:
  description: Whether firewalld answered.
  returned: always
  type: bool
reader:
  description: How the zones were read, C(dbus) or C(client) (one D-Bus connection), C(firewall-cmd) or C(none).
  returned: always
  type: str
runtime:
  description: "Zone name to its runtime content: C({sources: [...], services: [...], ports: [...]})."
  returned: always
  type: dict
  sample: {"trusted": {"sources": ["10.0.0.0/16"], "services": [], "ports": ["6817-6819/tcp"]}}
permanent:
  description: The same for the permanent configuration.
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.firewalld import parse_zones, settings_items, zone_items
from ansible_collections.hpc.cluster.plugins.module_utils.slurm import C_LOCALE_ENV

# firewall-cmd's exit status when firewalld does not run.
NOT_RUNNING = 252


def _client_class():
    try:
        from firewall.client import FirewallClient
    except ImportError:
        return None
    return FirewallClient


def _dbus_module():
    try:
        import dbus
    except ImportError:
        return None
    return dbus


def _keep(names, zones):
    return [name for name in names if not zones or name in zones]


NOT_READ = (False, {}, {}, None)


def read_with_client(client_class, zones, services):
    """(running, runtime, permanent, known services) over one connection to firewalld.

    The known services are (runtime names, permanent names), or None when services is empty."""
    client = client_class()
    if not client.connected:
        return NOT_READ
    config = client.config()
    runtime = {name: zone_items(client.getZoneSettings(name)) for name in _keep(client.getZones(), zones)}
    permanent = {name: zone_items(config.getZoneByName(name).getSettings())
                 for name in _keep(config.getZoneNames(), zones)}
    known = (set(client.listServices()), set(config.getServiceNames())) if services else None
    return True, runtime, permanent, known


BUS_NAME = "org.fedoraproject.FirewallD1"
# D-Bus errors that mean firewalld is not on the bus (not running).
NOT_ON_BUS = ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner")


def read_with_dbus(dbus, zones, services):
    """(running, runtime, permanent, known services) over firewalld's D-Bus interface, without its
    client library (whose import costs a node about 0.1 s of CPU per run, more than the reads).

    On a connection of its own, closed after: the shared one, once made without a main loop, would
    be the one firewalld's client library gets later in the same Python (Mitogen runs modules in
    one), and the library fails to listen to signals on it."""
    bus = dbus.SystemBus(private=True)
    try:
        return _read_zones(dbus, bus, zones, services)
    finally:
        bus.close()


def _read_zones(dbus, bus, zones, services):
    try:
        main = bus.get_object(BUS_NAME, "/org/fedoraproject/FirewallD1", introspect=False)
        zone_api = dbus.Interface(main, dbus_interface=BUS_NAME + ".zone")
        names = [str(name) for name in zone_api.getZones()]
    except dbus.exceptions.DBusException as exc:
        if exc.get_dbus_name() in NOT_ON_BUS:
            return NOT_READ
        raise
    runtime = {name: settings_items(zone_api.getZoneSettings2(name)) for name in _keep(names, zones)}
    config = dbus.Interface(bus.get_object(BUS_NAME, "/org/fedoraproject/FirewallD1/config", introspect=False),
                            dbus_interface=BUS_NAME + ".config")
    permanent = {}
    for name in _keep([str(name) for name in config.getZoneNames()], zones):
        zone = bus.get_object(BUS_NAME, config.getZoneByName(name), introspect=False)
        permanent[name] = settings_items(dbus.Interface(zone, dbus_interface=BUS_NAME + ".config.zone").getSettings2())
    known = None
    if services:
        listed = dbus.Interface(main, dbus_interface=BUS_NAME).listServices()
        known = ({str(name) for name in listed}, {str(name) for name in config.getServiceNames()})
    return True, runtime, permanent, known


def read_with_command(module, firewall_cmd, zones, services):
    """The same from firewall-cmd: two calls, four with services."""
    calls = [["--list-all-zones"], ["--permanent", "--list-all-zones"]]
    if services:
        calls += [["--get-services"], ["--permanent", "--get-services"]]
    texts = []
    for args in calls:
        rc, out, err = module.run_command([firewall_cmd] + args, environ_update=C_LOCALE_ENV)
        if rc == NOT_RUNNING:
            return NOT_READ
        if rc != 0:
            module.fail_json(msg="firewall-cmd %s failed (rc %d): %s" % (" ".join(args), rc, (err or out).strip()))
        texts.append(out)
    runtime, permanent = (parse_zones(text) for text in texts[:2])
    known = (set(texts[2].split()), set(texts[3].split())) if services else None
    return (True, {n: runtime[n] for n in _keep(runtime, zones)}, {n: permanent[n] for n in _keep(permanent, zones)},
            known)


def unknown_services_message(services, known, hint=""):
    """Why firewalld cannot take these services, or "" when it knows them all."""
    runtime, permanent = known
    unknown = [name for name in services if name not in runtime and name not in permanent]
    half = [name for name in services if (name in runtime) != (name in permanent)]
    problems = []
    if unknown:
        problems.append("firewalld on this node knows no service named %s (firewall-cmd --get-services lists "
                        "them; a site's own service needs its file in /etc/firewalld/services)"
                        % ", ".join(repr(name) for name in unknown))
    if half:
        problems.append("%s in only one of firewalld's runtime and permanent configurations: "
                        "firewall-cmd --reload loads the service files" % ", ".join(repr(name) for name in half))
    return " ".join(["; ".join(problems) + "."] + ([hint] if hint else [])) if problems else ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            zones=dict(type="list", elements="str", default=[]),
            require_running=dict(type="bool", default=False),
            services=dict(type="list", elements="str", default=[]),
            hint=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    zones, services = module.params["zones"], module.params["services"]
    read, reader = None, None
    dbus = _dbus_module()
    if dbus is not None:
        try:
            read, reader = read_with_dbus(dbus, zones, services), "dbus"
        except Exception:  # no system bus, or a firewalld unlike the known ones: the client library decides
            read = None
    client_class = _client_class() if read is None else None
    if client_class is not None:
        try:
            read, reader = read_with_client(client_class, zones, services), "client"
        except Exception:  # no system bus, or a client library unlike the known ones: firewall-cmd decides
            read = None
    if read is not None:
        running, runtime, permanent, known = read
    else:
        firewall_cmd = module.get_bin_path("firewall-cmd")
        reader = "firewall-cmd" if firewall_cmd else "none"
        running, runtime, permanent, known = (read_with_command(module, firewall_cmd, zones, services)
                                              if firewall_cmd else NOT_READ)
    if not running and module.params["require_running"]:
        module.fail_json(msg="firewalld is not %s on this node: start it first (systemctl start firewalld)."
                         % ("running" if reader != "none" else "installed"), reader=reader)
    problem = unknown_services_message(services, known, module.params["hint"]) if running and services else ""
    if problem:
        module.fail_json(msg=problem, reader=reader)
    module.exit_json(changed=False, running=running, reader=reader, runtime=runtime, permanent=permanent)


if __name__ == "__main__":
    main()
