# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The preflight's role checks in one task per host: OS data present, settings valid.

For each role: its OS data was loaded (tasks/set_vars.yml's fallback, vars/default.yml, sets
__<role>_os_unknown), and the role's variables hold to its argument spec, as
ansible.builtin.validate_argument_spec checks them. Every problem of every role in one error.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.hpc.cluster.plugins.action.checks import problems_text

ARGUMENT_SPEC = {
    "roles": {"type": "list", "elements": "str", "required": True},
    "specs": {"type": "dict", "required": True},
}


def os_problem(roles, task_vars):
    """The roles whose OS data is the fallback's, in one message (None when every role has data)."""
    unknown = [role for role in roles if task_vars.get("__%s_os_unknown" % role)]
    if not unknown:
        return None
    facts = task_vars.get("ansible_facts") or {}
    name, version, family = (facts.get(key, "?") for key in ("distribution", "distribution_major_version", "os_family"))
    return ("role(s) %s have no OS data for %s %s (family %s): supported are Rocky Linux 9 and 10 (RedHat "
            "family) and Debian 12. To add this OS, write roles/<role>/vars/%s.yml (or %s.yml) with the values "
            "of that role's vars/RedHat.yml." % (", ".join(unknown), name, version, family, name, family))


class ActionModule(ActionBase):
    """Check the roles' OS data and validate their settings; fail naming every problem."""

    _requires_connection = False

    def _settings(self, spec, task_vars):
        # The role's variables as validate_argument_spec reads them: set ones only, templated.
        return self._templar.template({name: task_vars[name] for name in spec if name in task_vars})

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        roles, specs = args["roles"], args["specs"]
        missing = [role for role in roles if not isinstance(specs.get(role), Mapping)]
        if missing:
            raise AnsibleActionFail("no argument spec (options of entry point main) for role(s) %s in 'specs'"
                                    % ", ".join(missing))

        problems = []
        os_text = os_problem(roles, task_vars)
        if os_text:
            problems.append(os_text)
        for role in roles:
            spec = dict(specs[role])
            checked = ArgumentSpecValidator(spec).validate(self._settings(spec, task_vars),
                                                           validate_role_argument_spec=True)
            if checked.error_messages:
                problems.append("role %s: %s." % (role, "; ".join(checked.error_messages)))

        result.update(changed=False, problems=problems, roles=roles)
        if problems:
            result.update(failed=True, msg=problems_text(problems))
        else:
            result["msg"] = "OS data and settings of %s hold" % ", ".join(roles) if roles else "no roles to check"
        return result
