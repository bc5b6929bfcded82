# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The packages several roles install from the OS repositories on this host, for one transaction.

Each role names them in its vars/main.yml as __<role>_repository_packages, the list its own package
task installs. That variable is templated here as the role would see it: the role's defaults under
the host's variables (inventory, facts, the OS data the preflight loaded, extra vars), the role's
vars/main.yml for its private names. site.yml installs the missing ones at once, after the
repositories; each role's own task then finds them installed.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
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
    "installed": {"type": "raw", "default": []},
}


def variable_name(role):
    return "__%s_repository_packages" % role


def missing_packages(packages, installed):
    """Every package of every role, in the roles' order, once, and those not in installed."""
    wanted = list(dict.fromkeys(name for names in packages.values() for name in names))
    have = set(installed)
    missing = [name for name in wanted if name not in have]
    roles = [role for role, names in packages.items() if any(name not in have for name in names)]
    return wanted, missing, roles


class ActionModule(ActionBase):
    """Template each role's __<role>_repository_packages; return them and the missing ones."""

    _requires_connection = False

    def _packages(self, roles_dir, role, task_vars):
        name = variable_name(role)
        if name not in role_file(self._loader, roles_dir, role, "vars"):
            raise AnsibleActionFail("role %s: its vars/main.yml defines no %s (the packages its install task "
                                    "installs from the OS repositories)" % (role, name))
        return role_names(self._templar, role_variables(self._loader, roles_dir, role, task_vars), role, name,
                          "package")

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _, args = self.validate_argument_spec(ARGUMENT_SPEC)
        roles_dir = find_roles_dir(self, args["roles_dir"])
        packages = {role: self._packages(roles_dir, role, task_vars) for role in args["roles"]}
        installed = args["installed"]
        if not isinstance(installed, (list, Mapping)):
            raise AnsibleActionFail("installed must be the names of the installed packages (a list, or a mapping "
                                    "by name as hpc.cluster.installed_packages returns), not %r" % (installed,))
        wanted, missing, roles = missing_packages(packages, installed)
        result.update(changed=False, packages=packages, wanted=wanted, missing=missing, missing_roles=roles,
                      msg=("%d package(s) of %s to install: %s" % (len(missing), ", ".join(roles), " ".join(missing))
                           if missing else "the %d package(s) of the roles are installed" % len(wanted)))
        return result
