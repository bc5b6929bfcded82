# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several reads of a node's state in one task: one module call each, one task overhead for all.

Each task costs the controller its bookkeeping for every host (a worker, templating, callbacks)
whatever the module does; a read module costs the node little. A check that reads five things
pays that overhead once here instead of five times.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.hpc.cluster.plugins.action.role_units import ARGUMENT_SPEC as ROLE_UNITS_SPEC
from ansible_collections.hpc.cluster.plugins.action.role_units import read_role_units

ARGUMENT_SPEC = {"reads": {"type": "dict", "required": True}, "more_reads": {"type": "dict", "default": {}}}

READ_SPEC = {
    "module": {"type": "str", "required": True},
    "args": {"type": "dict", "default": {}},
    "enabled": {"type": "bool", "default": True},
    "check_mode": {"type": "bool", "default": True},
}


def role_units_read(action, args, task_vars):
    """hpc.cluster.role_units as a read: its arguments checked against its own spec, as the action
    checks them, then its read."""
    checked = ArgumentSpecValidator(ROLE_UNITS_SPEC).validate(args)
    if checked.error_messages:
        raise AnsibleActionFail("node_reads: hpc.cluster.role_units: %s" % "; ".join(checked.error_messages))
    params = checked.validated_parameters
    return read_role_units(action, params["roles"], params["roles_dir"], task_vars)


# Reads that are actions of this collection, not modules: their function, called with the action.
ACTION_READS = {"hpc.cluster.role_units": role_units_read}


def all_reads(reads, more_reads):
    """reads, then the caller's more_reads; AnsibleActionFail naming a read in both."""
    both = sorted(set(reads) & set(more_reads))
    if both:
        raise AnsibleActionFail("node_reads: read(s) %s in both reads and more_reads" % ", ".join(both))
    return {**reads, **more_reads}


def read_specs(reads):
    """Each read's validated settings, in the given order; AnsibleActionFail naming a malformed one."""
    validator = ArgumentSpecValidator(READ_SPEC)
    specs = {}
    for name, read in reads.items():
        if not isinstance(read, dict):
            raise AnsibleActionFail("node_reads: read %r must be a mapping with 'module', not %r" % (name, read))
        checked = validator.validate(read)
        if checked.error_messages:
            raise AnsibleActionFail("node_reads: read %r: %s" % (name, "; ".join(checked.error_messages)))
        specs[name] = checked.validated_parameters
    return specs


def gather(specs, run_read):
    """Run the enabled reads, in order, until one fails.

    run_read(spec) returns a module's result. Returns (reads, facts, failure): each read's result by
    name (without its facts), the facts they returned, merged, and the failed read's name and result."""
    reads, facts = {}, {}
    for name, spec in specs.items():
        if not spec["enabled"]:
            continue
        result = dict(run_read(spec))
        if result.get("failed"):
            return reads, facts, (name, result)
        facts.update(result.pop("ansible_facts", None) or {})
        reads[name] = result
    return reads, facts, None


class ActionModule(ActionBase):
    """Run each read's module on the node, one after the other, in this one task."""

    def _run_read(self, spec, task_vars):
        saved = self._task.check_mode
        self._task.check_mode = spec["check_mode"]
        try:
            action_read = ACTION_READS.get(spec["module"])
            if action_read is not None:
                return action_read(self, spec["args"], task_vars)
            return self._execute_module(module_name=spec["module"], module_args=dict(spec["args"]),
                                        task_vars=task_vars)
        finally:
            self._task.check_mode = saved

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _, args = self.validate_argument_spec(ARGUMENT_SPEC)
        specs = read_specs(all_reads(args["reads"], args["more_reads"]))
        reads, facts, failure = gather(specs, lambda spec: self._run_read(spec, task_vars))
        if failure is not None:
            name, failed = failure
            failed.pop("ansible_facts", None)
            result.update(failed)
            result.update(read=name, reads=reads)
            return result
        result.update(changed=False, reads=reads)
        if facts:
            result["ansible_facts"] = facts
        return result
