# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A task queued on a host without a worker process, for the callbacks that spare the fork
(skip_without_fork, actions_without_fork): the strategy's bookkeeping of _queue_task, the start
callback, and the result put on the results queue as a worker puts it."""

from __future__ import annotations


def queue_without_worker(strategy, host, task, task_vars, play_context, raw_result, run):
    """Queue task on host as StrategyBase._queue_task does, with run() in place of the worker.

    run() returns (result, task_fields): the worker's result dict and the task's attributes as the
    worker sends them (its templated copy's dump_attrs()). The queued task's entry comes first (the
    results are matched to it), then the start callback, then run() (a loop sends its items'
    callbacks while it runs), then the result through the results queue, processed as a worker's.
    """
    strategy._queued_task_cache[(host.name, task._uuid)] = {
        "host": host, "task": task, "task_vars": task_vars, "play_context": play_context}
    strategy._tqm.send_callback("v2_runner_on_start", host, task)
    result, task_fields = run()
    strategy._final_q.send_task_result(raw_result(host=host, task=task, return_data=result, task_fields=task_fields))
    strategy._pending_results += 1


def wrap_queue_task(strategy_class, mark, queue_task):
    """Make queue_task(original, strategy, host, task, task_vars, play_context) the strategy's
    _queue_task, once per process (mark: the wrapper's attribute that says it is there); True."""
    original = strategy_class._queue_task
    if getattr(original, mark, False):
        return True

    def _queue_task(self, host, task, task_vars, play_context):
        return queue_task(original, self, host, task, task_vars, play_context)

    setattr(_queue_task, mark, True)
    _queue_task.original = original
    strategy_class._queue_task = _queue_task
    return True
