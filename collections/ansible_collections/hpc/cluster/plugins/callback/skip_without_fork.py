# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: skip_without_fork
type: aggregate
short_description: Skips a task whose condition is false, or whose loop is empty, without a worker
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - ansible-core forks a worker process for every host of every task, and the worker is the first to
    look at the task's C(when). A skipped task costs a host as much controller time as a fork and its
    bookkeeping (about 30 ms on a small controller), for nothing. A no-change re-run of this project's
    site on four nodes skipped 186 tasks-on-hosts in about 450; most are steps a converged node does not
    need (an install, a repair, a migration).
  - This callback makes the strategy (C(linear) and C(free), and Mitogen's) evaluate a task's condition
    in the controller's process, as the worker would (the same variables, with the connection's
    variables of the task's play context), before it forks. When the condition is false it queues the
    worker's own skipped result (C(skip_reason), C(false_condition)) and forks nothing; the results are
    processed, registered and shown as the worker's are. Everything else goes to a worker as before.
  - A task with a C(loop) whose list is empty on a host (nothing to do there, the usual case of a re-run's
    "open the missing ports" or "load the missing images") is skipped the same way, with the worker's
    result for an empty loop (C(skipped_reason), no items); the worker does not evaluate its C(when)
    then either. A loop that is not empty is evaluated again by its worker.
  - Left to the worker (a fork, as without this callback) - a loop with items (its condition is per item),
    a C(with_*) loop, C(delegate_to), a debugger, or no C(when) and no C(loop); a condition that is true,
    or that raises an error (an undefined variable is then reported by the worker, as usual).
  - With ansible-core versions whose internals differ (it checks what it uses when it loads), it does
    nothing.
requirements:
  - enable it in C(callbacks_enabled) (this project's C(ansible.cfg) does)
"""

EXAMPLES = r"""
# In ansible.cfg (an ini file, not YAML):
#   [defaults]
#   callbacks_enabled = hpc.cluster.skip_without_fork
"""

from ansible.plugins.callback import CallbackBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.queue_without_worker import (
    queue_without_worker,
    wrap_queue_task,
)

MARK = "_hpc_cluster_skip_without_fork"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hpc.cluster.skip_without_fork"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        install()


def internals():
    """What the patch uses of ansible-core, or None when this ansible-core lacks any of it."""
    try:
        from ansible._internal import _display_utils, _task
        from ansible._internal._templating._engine import TemplateEngine
        from ansible.errors import AnsibleError
        from ansible.executor.task_result import _RawTaskResult
        from ansible.playbook.task import Task
        from ansible.plugins.strategy import StrategyBase
    except ImportError:
        return None
    needed = ((StrategyBase, "_queue_task"), (Task, "_resolve_conditional"), (Task, "update_result_no_log"),
              (Task, "dump_attrs"), (_task, "TaskContext"), (_display_utils, "DeferredWarningContext"))
    if not all(hasattr(owner, name) for owner, name in needed):
        return None
    return dict(task_context=_task.TaskContext, warnings=_display_utils.DeferredWarningContext,
                engine=TemplateEngine, error=AnsibleError,
                raw_result=_RawTaskResult, strategy=StrategyBase)


def eligible(task):
    """A task whose skip the controller can decide as the worker would (see DOCUMENTATION)."""
    if task.loop_with or task.delegate_to or task.debugger:
        return False
    return task.loop is not None or bool(task.when)


def empty_loop_result(ansible, task, task_vars, loader):
    """The worker's result for a loop without items on this host, or None when it has items.

    As TaskExecutor does first: the loop's list templated with the task's variables and search path;
    the condition is not looked at when the list is empty.
    """
    variables = task_vars.copy()
    search_path = list(task.get_search_path())
    if loader.get_basedir() not in search_path:
        search_path.append(loader.get_basedir())
    variables["ansible_search_path"] = search_path
    engine = ansible["engine"](loader=loader, variables=variables)
    with ansible["task_context"](task), ansible["warnings"](variables=variables) as captured:
        items = engine.template(task.loop)
    if captured.get_warnings() or captured.get_deprecation_warnings():
        return None
    if not isinstance(items, list) or items:
        return None
    return dict(changed=False, skipped=True, skipped_reason="No items in the list", results=[])


def skipped_result(ansible, host, task, task_vars, play_context, loader):
    """The worker's result for a task skipped on host, or None when the worker must decide.

    As TaskExecutor does before it evaluates the condition: the task's play context applied to a
    copy of the variables (connection variables; an error there is the worker's to report, only
    if the task is not skipped), then the condition with those variables, then the result's no_log.
    A warning or deprecation on the way (which the worker would attach to its result) leaves the
    task to the worker too.
    """
    engine = ansible["engine"](loader=loader, variables=task_vars)
    with ansible["task_context"](task), ansible["warnings"](variables=task_vars) as captured:
        variables = task_vars.copy()
        try:
            context = play_context.set_task_and_variable_override(task=task, variables=task_vars, templar=engine)
            context.post_validate(templar=engine)
            if not context.remote_addr:
                context.remote_addr = host.address
            context.update_vars(variables)
        except ansible["error"]:
            pass
        found = {}
        if task._resolve_conditional(task.when, variables, result_context=found):
            return None
        result = dict(changed=False, skipped=True, skip_reason="Conditional result was False") | found
        task.update_result_no_log(engine, result)
    if captured.get_warnings() or captured.get_deprecation_warnings():
        return None
    return result


def install():
    """Wrap StrategyBase._queue_task once per process; True when installed (now or before)."""
    ansible = internals()
    if ansible is None:
        return False

    def queue_task(original, strategy, host, task, task_vars, play_context):
        result = None
        if eligible(task):
            try:
                if task.loop is not None:
                    result = empty_loop_result(ansible, task, task_vars, strategy._loader)
                else:
                    result = skipped_result(ansible, host, task, task_vars, play_context, strategy._loader)
            except Exception:  # the worker decides, and reports what went wrong
                result = None
        if result is None:
            return original(strategy, host, task, task_vars, play_context)
        queue_without_worker(strategy, host, task, task_vars, play_context, ansible["raw_result"],
                             lambda: (result, task.dump_attrs()))
        return None

    return wrap_queue_task(ansible["strategy"], MARK, queue_task)
