# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The preflight's role checks in one task per host: OS data present, settings valid.

For each role: its OS data was loaded (tasks/set_vars.yml's fallback, vars/default.yml, sets
__<role>_os_unknown), and the role's variables hold to its argument spec, as
ansible.builtin.validate_argument_spec checks them. Every problem of every role in one error.

The argument specs are read here from the roles' directories (roles_dir), or given (specs). Read
here, they are plain data: a set_fact of them would stay in every host's variables for the rest of
the run, where each template lookup (it deep-copies the variables) and each argument validation
copies them again, tagged with their origin, about 40 ms a time.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping

import yaml
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.hpc.cluster.plugins.action.checks import problems_text
from ansible_collections.hpc.cluster.plugins.plugin_utils.file_memo import unchanged_file_value
from ansible_collections.hpc.cluster.plugins.plugin_utils.role_files import find_roles_dir, role_variables

ARGUMENT_SPEC = {
    "roles": {"type": "list", "elements": "str", "required": True},
    "roles_dir": {"type": "str"},
    "specs": {"type": "dict"},
    "defaults": {"type": "bool", "default": False},
    "bool_strings": {"type": "list", "elements": "str", "default": []},
}
ONE_OF = [["roles_dir", "specs"]]
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path):
    with open(path, "rb") as handle:
        return yaml.load(handle, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader


def _parsed(path):
    """The file's data, parsed once per run while unchanged (the task runs for every host in the
    controller's process, ~5 ms of parsing per host); a copy for each caller."""
    return copy.deepcopy(unchanged_file_value(path, _load_yaml))


def read_specs(roles_dir, roles):
    """Per role, the options of the main entry point of roles_dir/<role>/meta/argument_specs.yml."""
    specs = {}
    for role in roles:
        path = os.path.join(roles_dir, role, "meta", "argument_specs.yml")
        try:
            data = _parsed(path)
            specs[role] = data["argument_specs"]["main"]["options"]
        except OSError as exc:
            text = "role %s: cannot read its argument spec %s: %s" % (role, path, exc.strerror)
            raise AnsibleActionFail(text) from exc
        except (yaml.YAMLError, KeyError, TypeError) as exc:
            text = "role %s: %s holds no argument_specs.main.options (%s)" % (role, path, exc)
            raise AnsibleActionFail(text) from exc
    return specs


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


# The types Ansible's validation takes a string for (converting it) while the role goes on reading
# the string itself: "iburst" as a list of options is looped over letter by letter, -e flag=false is
# true in a template and fails the first `when:` (ansible-core 2.19), after changes.
_KEPT_AS_STRING = {"list": "a list", "dict": "a mapping", "bool": "true or false"}


def strings_taken_as(spec, given, validated, where="", bool_strings=()):
    """(name, value, type) of each string in given that the validation converted (validated holds its
    conversion) for an option of type list, dict or bool; suboptions are named name[0].sub, name.sub.
    The booleans of bool_strings (top-level names), which the roles read through | bool, may be strings."""
    for name, option in spec.items():
        if not isinstance(option, Mapping) or name not in given or not isinstance(validated, Mapping):
            continue
        value, kept, kind = given[name], validated.get(name), option.get("type", "str")
        if kind == "bool" and not where and name in bool_strings:
            continue
        if isinstance(value, str) and not isinstance(kept, str) and kind in _KEPT_AS_STRING:
            yield where + name, value, kind
        elif not isinstance(option.get("options"), Mapping):
            continue
        elif kind == "list" and isinstance(value, list) and isinstance(kept, list):
            for index, (item, kept_item) in enumerate(zip(value, kept)):
                if isinstance(item, Mapping):
                    yield from strings_taken_as(option["options"], item, kept_item, "%s%s[%d]." % (where, name, index))
        elif kind == "dict" and isinstance(value, Mapping):
            yield from strings_taken_as(option["options"], value, kept, "%s%s." % (where, name))


def string_problem(role, name, value, kind):
    return ("role %s: %s must be %s, not the string %r (the role reads it as written; -e key=value and INI "
            "inventories give strings: write YAML, or -e '{\"%s\": ...}' in JSON)."
            % (role, name, _KEPT_AS_STRING[kind], value, name.split("[", 1)[0].split(".", 1)[0]))


class ActionModule(ActionBase):
    """Check the roles' OS data and validate their settings; fail naming every problem."""

    _requires_connection = False

    def _settings(self, spec, task_vars, templar):
        # The role's variables as validate_argument_spec reads them: set ones only, templated.
        return templar.template({name: task_vars[name] for name in spec if name in task_vars})

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _, args = self.validate_argument_spec(ARGUMENT_SPEC, mutually_exclusive=ONE_OF, required_one_of=ONE_OF)
        roles, specs = args["roles"], args["specs"]
        if args["defaults"] and args["roles_dir"] is None:
            raise AnsibleActionFail("defaults: true reads the roles' defaults from roles_dir, which is not set")
        roles_dir = None
        if args["roles_dir"] is not None:
            roles_dir = find_roles_dir(self, args["roles_dir"])
        if specs is None:
            specs = read_specs(roles_dir, roles)
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
            variables, templar = task_vars, self._templar
            if args["defaults"]:
                # As the role's own tasks see them, when the play does not import the role.
                variables = role_variables(self._loader, roles_dir, role, task_vars)
                templar = self._templar.copy_with_new_env(available_variables=variables)
            settings = self._settings(spec, variables, templar)
            checked = ArgumentSpecValidator(spec).validate(settings, validate_role_argument_spec=True)
            if checked.error_messages:
                problems.append("role %s: %s." % (role, "; ".join(checked.error_messages)))
            problems.extend(string_problem(role, *taken) for taken in strings_taken_as(
                spec, settings, checked.validated_parameters, bool_strings=args["bool_strings"]))

        result.update(changed=False, problems=problems, roles=roles)
        if problems:
            result.update(failed=True, msg=problems_text(problems))
        else:
            result["msg"] = "OS data and settings of %s hold" % ", ".join(roles) if roles else "no roles to check"
        return result
