# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pure parts of hpc.cluster.node_reads (the action runs on a node in tests/test_node_reads_on_a_node.py)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hpc.cluster.plugins.action.node_reads import all_reads, gather, read_specs, role_units_read


def test_defaults_and_order():
    specs = read_specs({"b": {"module": "m2"}, "a": {"module": "m1", "args": {"x": 1}, "enabled": False,
                                                      "check_mode": False}})
    assert list(specs) == ["b", "a"]
    assert specs["b"] == {"module": "m2", "args": {}, "enabled": True, "check_mode": True}
    assert specs["a"] == {"module": "m1", "args": {"x": 1}, "enabled": False, "check_mode": False}


@pytest.mark.parametrize("read, words", [
    ({"args": {}}, ["'zone'", "module"]),
    ({"module": "m", "enabled": "perhaps"}, ["'zone'", "enabled"]),
    ({"module": "m", "flags": 1}, ["'zone'", "flags"]),
    ("hpc.cluster.gpu_facts", ["'zone'", "mapping"]),
])
def test_a_malformed_read_is_named(read, words):
    with pytest.raises(AnsibleActionFail) as error:
        read_specs({"zone": read})
    for word in words:
        assert word in str(error.value)


def test_reads_in_order_facts_merged_and_left_out_reads_absent():
    calls = []

    def run(spec):
        calls.append(spec["module"])
        return {"gpus": {"ansible_facts": {"hpc_gpus": []}, "changed": False},
                "units": {"units": {"munge": {"ready": True}}}}[spec["module"]]

    specs = read_specs({"u": {"module": "units"}, "skip": {"module": "never", "enabled": False},
                        "g": {"module": "gpus"}})
    reads, facts, failure = gather(specs, run)
    assert calls == ["units", "gpus"]
    assert reads == {"u": {"units": {"munge": {"ready": True}}}, "g": {"changed": False}}
    assert facts == {"hpc_gpus": []}
    assert failure is None


def test_the_first_failure_stops_the_reads_and_is_named():
    calls = []

    def run(spec):
        calls.append(spec["module"])
        return {"failed": True, "msg": "boom"} if spec["module"] == "bad" else {"ok": spec["module"]}

    reads, _facts, failure = gather(read_specs({"one": {"module": "good"}, "two": {"module": "bad"},
                                                "three": {"module": "late"}}), run)
    assert calls == ["good", "bad"]
    assert reads == {"one": {"ok": "good"}}
    assert failure == ("two", {"failed": True, "msg": "boom"})


@pytest.mark.parametrize("args, words", [
    ({"roles_dir": "roles"}, ["role_units", "roles"]),
    ({"roles": "munge", "roles_dir": "roles", "extra": 1}, ["role_units", "extra"]),
])
def test_a_role_units_read_is_checked_against_its_spec_before_it_runs(args, words):
    with pytest.raises(AnsibleActionFail) as error:
        role_units_read(None, args, {})
    for word in words:
        assert word in str(error.value)


def test_more_reads_come_after_the_reads():
    merged = all_reads({"b": {"module": "m2"}, "a": {"module": "m1"}}, {"c": {"module": "m3"}})
    assert list(merged) == ["b", "a", "c"]
    assert all_reads({"a": {"module": "m1"}}, {}) == {"a": {"module": "m1"}}


def test_a_read_in_both_reads_and_more_reads_is_refused():
    with pytest.raises(AnsibleActionFail, match="read.s. a, b in both reads and more_reads"):
        all_reads({"a": {"module": "m1"}, "b": {"module": "m2"}}, {"b": {"module": "x"}, "a": {"module": "y"}})
