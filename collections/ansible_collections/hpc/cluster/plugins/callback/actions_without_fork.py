# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: actions_without_fork
type: aggregate
short_description: Runs the tasks that never touch the host (assert, set_fact, checks) without a worker
version_added: 0.6.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - ansible-core forks a worker process for every host of every task, even for an action that only
    computes on the controller (C(ansible.builtin.assert), C(ansible.builtin.set_fact),
    C(hpc.cluster.checks)). The fork, the worker's start and its bookkeeping cost the controller more
    than such an action does, and the controller's process forks one host after the other. A no-change
    re-run of this project's site on four nodes queues 240 tasks-on-hosts that are not skipped;
    98 of them are such actions or includes.
  - This callback makes the strategy (C(linear) and C(free), and Mitogen's) run those tasks in the
    controller's own process, with ansible-core's own task executor, on a copy of the task (the worker
    templates its copy too), with the variables the worker would get. The result goes through the
    results queue and is processed, registered and shown as the worker's is.
  - Only these actions, which read nothing of the host and keep no state between tasks -
    C(ansible.builtin.assert), C(fail), C(debug), C(set_fact), C(include_vars), C(add_host) and
    C(group_by); C(hpc.cluster.checks), C(role_arguments), C(role_packages) and C(slurm_cluster_data).
    A local action plugin of the same short name (C(ansible.legacy)) is not one of them.
  - Left to a worker, as without this callback - C(delegate_to), C(until), C(async), C(timeout), a
    C(with_*) loop and a debugger (a retry would sleep, and an alarm would ring, in the process that runs
    every host).
  - With ansible-core versions whose internals differ (it checks what it uses when it loads), it does
    nothing.
requirements:
  - enable it in C(callbacks_enabled) (this project's C(ansible.cfg) does)
"""

EXAMPLES = r"""
# In ansible.cfg (an ini file, not YAML):
#   [defaults]
#   callbacks_enabled = hpc.cluster.actions_without_fork
"""

import inspect

from ansible.plugins.callback import CallbackBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.queue_without_worker import (
    queue_without_worker,
    wrap_queue_task,
)

MARK = "_hpc_cluster_actions_without_fork"

ACTIONS = frozenset({
    "ansible.builtin.assert", "ansible.builtin.fail", "ansible.builtin.debug", "ansible.builtin.set_fact",
    "ansible.builtin.include_vars", "ansible.builtin.add_host", "ansible.builtin.group_by",
    "hpc.cluster.checks", "hpc.cluster.role_arguments", "hpc.cluster.role_packages",
    "hpc.cluster.slurm_cluster_data",
    # The worker only templates an include's arguments; the controller then loads the file or role.
    "ansible.builtin.include_tasks", "ansible.builtin.include_role",
})

# TaskExecutor's arguments, as WorkerProcess passes them.
EXECUTOR_ARGUMENTS = ["host", "task", "job_vars", "play_context", "loader", "shared_loader_obj", "final_q",
                      "variable_manager"]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hpc.cluster.actions_without_fork"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        install()


def internals():
    """What the patch uses of ansible-core, or None when this ansible-core lacks any of it."""
    try:
        from ansible._internal import _task
        from ansible._internal._errors import _error_utils
        from ansible.executor.task_executor import TaskExecutor
        from ansible.executor.task_result import _RawTaskResult
        from ansible.playbook.task import Task
        from ansible.plugins import loader as plugin_loader
        from ansible.plugins.strategy import StrategyBase
    except ImportError:
        return None
    needed = ((StrategyBase, "_queue_task"), (Task, "resolved_action"), (Task, "copy"), (Task, "dump_attrs"),
              (_task, "TaskContext"), (plugin_loader, "get_plugin_loader_namespace"))
    if not all(hasattr(owner, name) for owner, name in needed):
        return None
    if list(inspect.signature(TaskExecutor).parameters) != EXECUTOR_ARGUMENTS:
        return None
    return dict(task_context=_task.TaskContext, executor=TaskExecutor, raw_result=_RawTaskResult,
                error_result=_error_utils.result_dict_from_exception,
                strategy=StrategyBase, plugins=plugin_loader.get_plugin_loader_namespace)


def eligible(task):
    """A task of one of ACTIONS that the controller's process can run as a worker would."""
    if task.resolved_action not in ACTIONS:
        return False
    return not (task.delegate_to or task.until or task.async_val or task.timeout or task.loop_with
                or task.debugger)


def run_task(ansible, strategy, host, task, task_vars, play_context):
    """The worker's (result, task_fields): TaskExecutor on a copy of the task, in this process.

    TaskExecutor turns an error of the task into a failed result; one raised around it (the copy, the
    task's context) fails the task on this host too, instead of the strategy's loop.
    """
    try:
        own = task.copy()
        with ansible["task_context"](own):
            result = ansible["executor"](host, own, task_vars, play_context, strategy._loader, ansible["plugins"](),
                                         strategy._final_q, strategy._variable_manager).run()
        return result, own.dump_attrs()
    except Exception as error:
        return ansible["error_result"](error), task.dump_attrs()


def install():
    """Wrap StrategyBase._queue_task once per process; True when installed (now or before)."""
    ansible = internals()
    if ansible is None:
        return False

    def queue_task(original, strategy, host, task, task_vars, play_context):
        if not eligible(task):
            return original(strategy, host, task, task_vars, play_context)
        queue_without_worker(strategy, host, task, task_vars, play_context, ansible["raw_result"],
                             lambda: run_task(ansible, strategy, host, task, task_vars, play_context))
        return None

    return wrap_queue_task(ansible["strategy"], MARK, queue_task)
