# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A role's input checks in one task: every failing check named in one error.

Like ansible.builtin.assert, on the controller only; unlike it, several checks (each with its own
message and condition) in one task, so that a role's preflight costs one task per host instead of
one per check, and an admin sees every mistake of a run at once.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = {
    "checks": {"type": "list", "elements": "dict", "required": True, "options": {
        "that": {"type": "list", "elements": "raw", "required": True},
        "msg": {"type": "str", "required": True},
        "when": {"type": "list", "elements": "raw"},
        "warn": {"type": "bool", "default": False},
    }},
}


def _listed(value):
    return value if isinstance(value, list) else [value]


def _check_shape(index, check):
    if not isinstance(check, Mapping):
        raise AnsibleActionFail("checks[%d] must be a mapping with 'that' and 'msg', not %r" % (index, check))
    unknown = sorted(set(check) - {"that", "msg", "when", "warn"})
    if unknown or "that" not in check or "msg" not in check:
        raise AnsibleActionFail("checks[%d] needs 'that' and 'msg' (and may have 'when' and 'warn'); got keys %s"
                                % (index, ", ".join(sorted(map(str, check)))))
    if not isinstance(check.get("warn", False), bool):
        raise AnsibleActionFail("checks[%d].warn must be true or false, not %r" % (index, check["warn"]))
    for key in ("that", "when"):
        for condition in _listed(check.get(key, [])):
            if not isinstance(condition, (str, bool)):
                raise AnsibleActionFail("checks[%d].%s: a condition is a string or a boolean, not %r"
                                        % (index, key, condition))


def problems_text(problems):
    """One message, or the messages numbered."""
    if len(problems) == 1:
        return problems[0]
    return "%d problems: %s" % (len(problems), " ".join("(%d) %s" % (n, text) for n, text in enumerate(problems, 1)))


class ActionModule(ActionBase):
    """Evaluate each check's conditions; fail naming every check that does not hold."""

    _requires_connection = False

    @classmethod
    def finalize_task_arg(cls, name, value, templar, context):
        # ansible-core 2.19+: the checks stay untemplated here; a message is templated only when its
        # check fails, a condition only when its check applies (as assert does with `that`).
        if name == "checks":
            return value
        return super().finalize_task_arg(name, value, templar, context)

    def _holds(self, condition, task_vars):
        if isinstance(condition, bool):
            return condition
        evaluate = getattr(self._templar, "evaluate_conditional", None)
        if evaluate is not None:  # ansible-core 2.19+
            return evaluate(conditional=condition)
        from ansible.playbook.conditional import Conditional  # ansible-core 2.17, 2.18

        test = Conditional(loader=self._loader)
        test.when = [condition]
        return test.evaluate_conditional(templar=self._templar, all_vars=task_vars)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if isinstance(self._task.args.get("checks"), list):
            for index, check in enumerate(self._task.args["checks"]):
                _check_shape(index, check)
        # The validated copy would lose the strings' trust (ansible-core 2.19): the checks as written are used.
        self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        checks = self._task.args["checks"]
        if not checks:
            raise AnsibleActionFail("'checks' must list at least one check")

        problems, warned, applied = [], [], 0
        for check in checks:
            if not all(self._holds(condition, task_vars) for condition in _listed(check.get("when") or [])):
                continue
            applied += 1
            if not all(self._holds(condition, task_vars) for condition in _listed(check["that"])):
                text = " ".join(str(self._templar.template(check["msg"])).split())
                (warned if check.get("warn") else problems).append(text)

        result.update(changed=False, checked=applied, problems=problems, warned=warned)
        if warned:
            result["warnings"] = list(warned)
        if problems:
            result.update(failed=True, msg=problems_text(problems))
        else:
            result["msg"] = "%d of %d checks applied, all hold" % (applied, len(checks))
        return result
