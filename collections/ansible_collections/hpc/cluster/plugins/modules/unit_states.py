#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: unit_states
short_description: Whether systemd units are running and enabled, several in one call
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Reads the state of each unit of O(units) with one C(systemctl show) call, instead of a
    M(ansible.builtin.service) call per unit that only finds a running, enabled service as it should be.
  - A unit is RV(units.ready) when it is loaded, active and enabled (C(UnitFileState=enabled)); any other
    state (stopped, failed, disabled, static, an alias, not installed) is not, so that the task starting
    it runs.
  - Without systemd (no C(systemctl), or systemd not running) every unit is not ready and RV(systemd) is false.
  - Never changes anything. Action P(hpc.cluster.role_units#action) calls it for a node's roles.
options:
  units:
    description: Unit names; a name without a suffix is a C(.service), as systemctl takes it.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read the units' states
  hpc.cluster.unit_states:
    units: [chrony, munge]
  register: states

- name: Start chrony unless it runs and is enabled
  ansible.builtin.service:
    name: chrony
    state: started
    enabled: true
  when: not states.units.chrony.ready
"""

RETURN = r"""
units:
  description: Per name of O(units), its state.
  type: dict
  returned: always
  contains:
    ready:
      description: Loaded, active and enabled.
      type: bool
    active_state:
      description: C(ActiveState) (C(active), C(inactive), C(failed), ...).
      type: str
    unit_file_state:
      description: C(UnitFileState) (C(enabled), C(disabled), C(static), empty when not installed, ...).
      type: str
    load_state:
      description: C(LoadState) (C(loaded), C(not-found), ...).
      type: str
systemd:
  description: Whether systemd answered.
  type: bool
  returned: always
"""

import os

from ansible.module_utils.basic import AnsibleModule

PROPERTIES = ("LoadState", "ActiveState", "UnitFileState")
NOT_READY = {"ready": False, "active_state": "", "unit_file_state": "", "load_state": ""}


def parse(output, names):
    """{name: state} from `systemctl show --property=...` output, one block per name, in order."""
    blocks = [block for block in output.split("\n\n") if block.strip()]
    if len(blocks) != len(names):
        raise ValueError("systemctl show gave %d blocks for %d units" % (len(blocks), len(names)))
    states = {}
    for name, block in zip(names, blocks):
        values = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
        state = {"active_state": values.get("ActiveState", ""), "unit_file_state": values.get("UnitFileState", ""),
                 "load_state": values.get("LoadState", "")}
        state["ready"] = (state["load_state"] == "loaded" and state["active_state"] == "active"
                          and state["unit_file_state"] == "enabled")
        states[name] = state
    return states


def systemd_running():
    return os.path.isdir("/run/systemd/system")


def main():
    module = AnsibleModule(argument_spec=dict(units=dict(type="list", elements="str", default=[])),
                           supports_check_mode=True)
    names = list(dict.fromkeys(module.params["units"]))
    systemctl = module.get_bin_path("systemctl")
    if not systemctl or not systemd_running():
        module.exit_json(changed=False, units={name: dict(NOT_READY) for name in names}, systemd=False)
    if not names:
        module.exit_json(changed=False, units={}, systemd=True)
    argv = [systemctl, "show", "--property=" + ",".join(PROPERTIES), "--"] + names
    rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg="systemctl show failed (exit %d): %s" % (rc, err.strip()))
    try:
        units = parse(out, names)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, units=units, systemd=True)


if __name__ == "__main__":
    main()
