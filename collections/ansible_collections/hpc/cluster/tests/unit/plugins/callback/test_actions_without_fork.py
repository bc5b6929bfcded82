# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""actions_without_fork: which tasks the controller's process runs itself, and the bookkeeping of a
task queued without a worker.

tests/test_actions_callback_parity.py (the project's) runs playbooks with and without the callback
and compares every outcome; these tests hold the rules on their own.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.plugins.strategy import StrategyBase

from ansible_collections.hpc.cluster.plugins.callback import actions_without_fork
from ansible_collections.hpc.cluster.plugins.plugin_utils.queue_without_worker import queue_without_worker


def shape(**fields):
    return SimpleNamespace(**dict(dict(resolved_action="ansible.builtin.set_fact", delegate_to=None, until=[],
                                       async_val=0, timeout=0, loop_with=None, debugger=None), **fields))


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, True),
    ({"resolved_action": "hpc.cluster.checks"}, True),
    ({"resolved_action": "ansible.builtin.assert"}, True),
    ({"resolved_action": "ansible.builtin.include_tasks"}, True),
    ({"resolved_action": "ansible.builtin.import_tasks"}, False),
    ({"resolved_action": "ansible.builtin.command"}, False),
    ({"resolved_action": "ansible.builtin.pause"}, False),
    ({"resolved_action": "ansible.legacy.set_fact"}, False),
    ({"resolved_action": "hpc.cluster.role_units"}, False),
    ({"delegate_to": "other"}, False),
    ({"until": ["x"]}, False),
    ({"async_val": 10}, False),
    ({"timeout": 5}, False),
    ({"loop_with": "items"}, False),
    ({"debugger": "on_failed"}, False),
])
def test_which_tasks_the_controller_runs(fields, expected):
    assert actions_without_fork.eligible(shape(**fields)) is expected


def test_this_ansible_core_has_what_it_uses():
    assert actions_without_fork.internals() is not None


def test_installed_once(monkeypatch):
    monkeypatch.setattr(StrategyBase, "_queue_task", StrategyBase._queue_task)
    assert actions_without_fork.install() is True
    wrapped = StrategyBase._queue_task
    assert actions_without_fork.install() is True
    assert StrategyBase._queue_task is wrapped
    assert not getattr(wrapped.original, actions_without_fork.MARK, False)


def test_nothing_installed_without_the_internals(monkeypatch):
    monkeypatch.setattr(actions_without_fork, "internals", lambda: None)
    assert actions_without_fork.install() is False


def test_a_task_queued_without_a_worker_is_recorded_before_it_runs():
    """The queued entry and the start callback come before run() (a loop sends its items' callbacks
    while it runs), the result after it; one more pending result."""
    events = []
    strategy = SimpleNamespace(
        _queued_task_cache={}, _pending_results=0,
        _tqm=SimpleNamespace(send_callback=lambda name, host, task: events.append(name)),
        _final_q=SimpleNamespace(send_task_result=lambda raw: events.append(("result", raw))))
    host, task = SimpleNamespace(name="h1"), SimpleNamespace(_uuid="u1")

    def run():
        events.append(("run", dict(strategy._queued_task_cache)))
        return {"changed": False}, {"name": "t"}

    queue_without_worker(strategy, host, task, {"v": 1}, "pc", lambda **raw: raw, run)
    assert events[0] == "v2_runner_on_start"
    assert events[1][0] == "run" and ("h1", "u1") in events[1][1]
    assert events[2] == ("result", {"host": host, "task": task, "return_data": {"changed": False},
                                    "task_fields": {"name": "t"}})
    assert strategy._pending_results == 1
    assert strategy._queued_task_cache[("h1", "u1")] == {"host": host, "task": task, "task_vars": {"v": 1},
                                                         "play_context": "pc"}


def test_an_error_around_the_executor_fails_the_task_on_its_host():
    """Not the strategy's loop: the host gets a failed result naming the error."""
    def broken_copy():
        raise ValueError("no copy")

    task = SimpleNamespace(copy=broken_copy, dump_attrs=lambda: {"name": "t"})
    result, fields = actions_without_fork.run_task(actions_without_fork.internals(), None, None, task, {}, None)
    assert result["failed"] is True and result["msg"] == "no copy"
    assert fields == {"name": "t"}
