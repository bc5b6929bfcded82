# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The systemd units several roles start on this host, and their states, in one task.

Each role names them in its vars/main.yml as __<role>_units (the units its service step starts and
enables on this host); the variable is templated as the role would see it, with its OS data for
this host, also where the play has not loaded it (plugin_utils/role_files).
The states are read on the node by module hpc.cluster.unit_states, in one call for all the roles.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.role_files import (
    find_roles_dir,
    role_file,
    role_names,
    role_variables,
)

ARGUMENT_SPEC = {
    "roles": {"type": "list", "elements": "str", "required": True},
    "roles_dir": {"type": "str", "required": True},
}


def variable_name(role):
    return "__%s_units" % role


def read_role_units(action, roles, roles_dir, task_vars):
    """Per role its units, and their states read on the node in one call: the result of the action."""
    roles_dir = find_roles_dir(action, roles_dir)
    per_role = {role: _units(action, roles_dir, role, task_vars) for role in roles}
    units = list(dict.fromkeys(unit for names in per_role.values() for unit in names))
    read = action._execute_module(module_name="hpc.cluster.unit_states", module_args={"units": units},
                                  task_vars=task_vars)
    if read.get("failed"):
        return read
    return dict(changed=False, roles=per_role, units=read.get("units", {}), systemd=read.get("systemd", False))


def _units(action, roles_dir, role, task_vars):
    name = variable_name(role)
    if name not in role_file(action._loader, roles_dir, role, "vars"):
        return []
    variables = role_variables(action._loader, roles_dir, role, task_vars, with_os_data=True)
    return role_names(action._templar, variables, role, name, "unit")


class ActionModule(ActionBase):
    """Template each role's __<role>_units; read their states on the node in one module call."""

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(ARGUMENT_SPEC)
        result.update(read_role_units(self, args["roles"], args["roles_dir"], task_vars or {}))
        return result
