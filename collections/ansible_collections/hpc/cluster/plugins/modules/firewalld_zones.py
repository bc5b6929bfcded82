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
    the firewalld client library that M(ansible.posix.firewalld) uses too; where the module's Python
    lacks that library, runs C(firewall-cmd --list-all-zones) and C(firewall-cmd --permanent
    --list-all-zones) instead. Each C(firewall-cmd) call starts a Python of its own, so one
    connection costs about half the time of the two calls.
  - Feeds the filter P(hpc.cluster.firewalld_changes#filter), which lists what must change.
  - When firewalld is not installed or not running, returns O(ignore:running=false) and empty
    configurations, or fails when O(require_running) is set. Never changes anything.
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
  description: How the zones were read, C(client) (one D-Bus connection), C(firewall-cmd) or C(none).
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

from ansible_collections.hpc.cluster.plugins.module_utils.firewalld import parse_zones, zone_items
from ansible_collections.hpc.cluster.plugins.module_utils.slurm import C_LOCALE_ENV

# firewall-cmd's exit status when firewalld does not run.
NOT_RUNNING = 252


def _client_class():
    try:
        from firewall.client import FirewallClient
    except ImportError:
        return None
    return FirewallClient


def _keep(names, zones):
    return [name for name in names if not zones or name in zones]


def read_with_client(client_class, zones):
    """(running, runtime, permanent) over one connection to firewalld."""
    client = client_class()
    if not client.connected:
        return False, {}, {}
    config = client.config()
    runtime = {name: zone_items(client.getZoneSettings(name)) for name in _keep(client.getZones(), zones)}
    permanent = {name: zone_items(config.getZoneByName(name).getSettings())
                 for name in _keep(config.getZoneNames(), zones)}
    return True, runtime, permanent


def read_with_command(module, firewall_cmd, zones):
    """(running, runtime, permanent) from two firewall-cmd calls."""
    texts = []
    for args in (["--list-all-zones"], ["--permanent", "--list-all-zones"]):
        rc, out, err = module.run_command([firewall_cmd] + args, environ_update=C_LOCALE_ENV)
        if rc == NOT_RUNNING:
            return False, {}, {}
        if rc != 0:
            module.fail_json(msg="firewall-cmd %s failed (rc %d): %s" % (" ".join(args), rc, (err or out).strip()))
        texts.append(out)
    runtime, permanent = (parse_zones(text) for text in texts)
    return True, {n: runtime[n] for n in _keep(runtime, zones)}, {n: permanent[n] for n in _keep(permanent, zones)}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            zones=dict(type="list", elements="str", default=[]),
            require_running=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    zones = module.params["zones"]
    client_class, read = _client_class(), None
    if client_class is not None:
        try:
            read = read_with_client(client_class, zones)
        except Exception:  # no system bus, or a client library unlike the known ones: firewall-cmd decides
            pass
    if read is not None:
        reader = "client"
        running, runtime, permanent = read
    else:
        firewall_cmd = module.get_bin_path("firewall-cmd")
        reader = "firewall-cmd" if firewall_cmd else "none"
        running, runtime, permanent = (read_with_command(module, firewall_cmd, zones) if firewall_cmd
                                       else (False, {}, {}))
    if not running and module.params["require_running"]:
        module.fail_json(msg="firewalld is not %s on this node: start it first (systemctl start firewalld)."
                         % ("running" if reader != "none" else "installed"), reader=reader)
    module.exit_json(changed=False, running=running, reader=reader, runtime=runtime, permanent=permanent)


if __name__ == "__main__":
    main()
