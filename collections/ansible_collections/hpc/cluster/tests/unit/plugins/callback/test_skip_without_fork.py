# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""skip_without_fork: which tasks the controller may skip itself, and the result it gives.

tests/test_skip_callback_parity.py (the project's) runs playbooks with and without the callback and
compares every outcome; these tests hold the rules and the skipped result on their own.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.inventory.host import Host
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.strategy import StrategyBase
from ansible.template import trust_as_template

from ansible_collections.hpc.cluster.plugins.callback import skip_without_fork


def shape(**fields):
    return SimpleNamespace(**dict(dict(when=["x"], loop=None, loop_with=None, delegate_to=None, debugger=None),
                                  **fields))


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, True),
    ({"when": []}, False),
    ({"loop": [1, 2]}, True),
    ({"loop": "{{ names }}", "when": []}, True),
    ({"loop_with": "items"}, False),
    ({"loop": [], "delegate_to": "other"}, False),
    ({"delegate_to": "other"}, False),
    ({"debugger": "on_skipped"}, False),
])
def test_which_tasks_the_controller_decides(fields, expected):
    assert skip_without_fork.eligible(shape(**fields)) is expected


def real_task(when, **fields):
    """A task as loaded from a playbook (its condition trusted, as a playbook's text is)."""
    when = [trust_as_template(text) for text in ([when] if isinstance(when, str) else when)]
    loader = DataLoader()
    return Task.load(dict({"name": "t", "ansible.builtin.debug": {"msg": "x"}, "when": when}, **fields),
                     loader=loader), loader


@pytest.fixture(autouse=True)
def _loader(plugin_loader):
    """The collection finder, for the action of the tasks loaded here."""


def decide(when, variables, **fields):
    task, loader = real_task(when, **fields)
    ansible = skip_without_fork.internals()
    return skip_without_fork.skipped_result(ansible, Host("h1"), task, variables, PlayContext(), loader)


def test_a_false_condition_gives_the_worker_s_skipped_result():
    assert decide(["n > 0", "n == 2"], {"n": 1}) == {
        "changed": False, "skipped": True, "skip_reason": "Conditional result was False",
        "false_condition": "n == 2", "_ansible_no_log": False}


def test_no_log_is_kept_in_the_result():
    assert decide("n == 2", {"n": 1}, no_log=True)["_ansible_no_log"] is True


def test_a_true_condition_is_left_to_the_worker():
    assert decide("n == 1", {"n": 1}) is None


def test_an_error_is_left_to_the_worker_s_report():
    with pytest.raises(Exception, match="nosuch"):
        decide("nosuch == 1", {"n": 1})


def test_installed_once(monkeypatch):
    monkeypatch.setattr(StrategyBase, "_queue_task", StrategyBase._queue_task)
    assert skip_without_fork.install() is True
    wrapped = StrategyBase._queue_task
    assert skip_without_fork.install() is True
    assert StrategyBase._queue_task is wrapped
    assert not getattr(wrapped.original, skip_without_fork.MARK, False)


def test_nothing_installed_without_the_internals(monkeypatch):
    monkeypatch.setattr(skip_without_fork, "internals", lambda: None)
    assert skip_without_fork.install() is False


def test_a_warning_on_the_way_leaves_the_task_to_the_worker(monkeypatch):
    """The worker attaches such warnings to its result; the controller would print them instead."""
    from ansible.utils.display import Display

    def warn_then_false(self, conditional, variables, *, result_context=None):
        Display().warning("a condition's warning")
        return False

    monkeypatch.setattr(Task, "_resolve_conditional", warn_then_false)
    assert decide("n == 2", {"n": 1}) is None


def loop_of(expression, variables, when=(), **fields):
    task, loader = real_task(list(when), loop=trust_as_template(expression), **fields)
    ansible = skip_without_fork.internals()
    return skip_without_fork.empty_loop_result(ansible, task, variables, loader)


def test_an_empty_loop_gives_the_worker_s_result_without_its_condition():
    """The worker does not evaluate the condition of a loop without items: neither does the controller."""
    assert loop_of("{{ ports }}", {"ports": []}, when=["nosuch == 1"]) == {
        "changed": False, "skipped": True, "skipped_reason": "No items in the list", "results": []}


@pytest.mark.parametrize("variables", [{"ports": [22]}, {"ports": "22"}, {"ports": {}}])
def test_a_loop_with_items_or_not_a_list_is_left_to_the_worker(variables):
    assert loop_of("{{ ports }}", variables) is None


def test_an_undefined_loop_is_left_to_the_worker_s_report():
    with pytest.raises(Exception, match="nosuch"):
        loop_of("{{ nosuch }}", {})


def test_the_loop_sees_the_task_s_search_path():
    """As the worker's: a lookup in the loop's expression finds files next to the playbook."""
    assert loop_of("{{ [] if ansible_search_path | length > 0 else [1] }}", {}) is not None
