# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mitogen_warmup: the collections listed once, in this process, and only for a Mitogen strategy."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.hpc.cluster.plugins.callback import mitogen_warmup


@pytest.fixture
def listings(monkeypatch):
    calls = []

    def list_collection_dirs():
        calls.append(1)
        yield b"/somewhere/ansible_collections/hpc/cluster"

    monkeypatch.setattr("ansible.collections.list.list_collection_dirs", list_collection_dirs)
    return calls


def test_lists_once_for_the_first_mitogen_play(listings):
    callback = mitogen_warmup.CallbackModule()
    callback.v2_playbook_on_play_start(SimpleNamespace(strategy="linear"))
    assert listings == []
    callback.v2_playbook_on_play_start(SimpleNamespace(strategy="mitogen_linear"))
    callback.v2_playbook_on_play_start(SimpleNamespace(strategy="mitogen_free"))
    assert listings == [1]


def test_the_default_strategy_counts_when_the_play_names_none(listings, monkeypatch):
    monkeypatch.setattr("ansible.constants.DEFAULT_STRATEGY", "mitogen_linear")
    mitogen_warmup.CallbackModule().v2_playbook_on_play_start(SimpleNamespace(strategy=None))
    assert listings == [1]
    monkeypatch.setattr("ansible.constants.DEFAULT_STRATEGY", "linear")
    mitogen_warmup.CallbackModule().v2_playbook_on_play_start(SimpleNamespace(strategy=None))
    assert listings == [1]

