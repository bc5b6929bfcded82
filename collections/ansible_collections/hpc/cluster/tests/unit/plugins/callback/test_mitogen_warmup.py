# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mitogen_warmup: the collections listed once, in this process, and only for a Mitogen strategy."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from ansible_collections.hpc.cluster.plugins.callback import mitogen_warmup


@pytest.fixture
def listings(monkeypatch):
    calls = []
    planner = pytest.importorskip("ansible_mitogen.planner")
    monkeypatch.setattr(planner, "_load_collections", planner._load_collections)

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


def test_the_workers_reuse_the_first_listing(listings):
    """Each collection module's invocation (a worker each) adds the listed paths without listing again."""
    from ansible_mitogen import planner

    mitogen_warmup.CallbackModule().v2_playbook_on_play_start(SimpleNamespace(strategy="mitogen_linear"))
    invocations = [SimpleNamespace(_extra_sys_paths=set()) for _ in range(3)]
    for invocation in invocations:
        planner._load_collections(invocation)
    assert listings == [1]
    assert all(i._extra_sys_paths == {"/somewhere/ansible_collections/hpc/cluster"} for i in invocations)
    assert mitogen_warmup.list_collections_once() is True
    assert listings == [1], "installed twice: listed again"


def test_the_default_strategy_counts_when_the_play_names_none(listings, monkeypatch):
    monkeypatch.setattr("ansible.constants.DEFAULT_STRATEGY", "mitogen_linear")
    mitogen_warmup.CallbackModule().v2_playbook_on_play_start(SimpleNamespace(strategy=None))
    assert listings == [1]
    monkeypatch.setattr("ansible.constants.DEFAULT_STRATEGY", "linear")
    mitogen_warmup.CallbackModule().v2_playbook_on_play_start(SimpleNamespace(strategy=None))
    assert listings == [1]



@pytest.fixture
def module_finder():
    finder = pytest.importorskip("ansible_mitogen.module_finder")
    before = finder.__dict__.get("compile")
    finder.__dict__.pop("compile", None)
    yield finder
    finder.__dict__.pop("compile", None)
    if before is not None:
        finder.compile = before


def test_the_module_scans_compile_each_source_once_only_for_mitogen(listings, module_finder):
    callback = mitogen_warmup.CallbackModule()
    callback.v2_playbook_on_play_start(SimpleNamespace(strategy="linear"))
    assert "compile" not in module_finder.__dict__
    callback.v2_playbook_on_play_start(SimpleNamespace(strategy="mitogen_linear"))
    memo = module_finder.compile
    assert memo.hpc_cluster_cache == {}
    mitogen_warmup.memoize_module_scans()
    assert module_finder.compile is memo, "installed twice: the first cache would be lost"


def test_a_memoised_scan_finds_what_a_plain_one_finds_compiling_each_file_once(module_finder):
    import ansible.modules
    from ansible.executor import module_common

    def scan(name):
        path = os.path.join(os.path.dirname(ansible.modules.__file__), name + ".py")
        return module_finder.scan("ansible_module_" + name, path, (module_common._MODULE_UTILS_PATH,))

    plain = {name: scan(name) for name in ("ping", "stat")}
    assert mitogen_warmup.memoize_module_scans()
    cache = module_finder.compile.hpc_cluster_cache
    assert scan("ping") == plain["ping"]
    compiled = len(cache)
    assert compiled == len({path for _, path, _ in plain["ping"]}) + 1  # the module and each file it imports
    assert scan("ping") == plain["ping"] and len(cache) == compiled
    assert scan("stat") == plain["stat"]
    shared = {path for _, path, _ in plain["ping"]} & {path for _, path, _ in plain["stat"]}
    assert shared and len(cache) == compiled + 1 + len({path for _, path, _ in plain["stat"]} - shared)


def test_compile_once_gives_the_same_code_for_the_same_source():
    memo = mitogen_warmup.compile_once({})
    first = memo(b"import os\n", "a", "exec")
    assert memo(b"import os\n", "a", "exec") is first
    assert memo(b"import sys\n", "a", "exec") is not first
    assert memo(b"import os\n", "b", "exec") is not first
    assert memo("x = 1", "a", "exec") is not memo("x = 1", "a", "exec")  # text: not memoised
    assert len(memo.hpc_cluster_cache) == 3
