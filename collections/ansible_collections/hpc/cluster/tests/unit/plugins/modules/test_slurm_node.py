# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_node: scontrol mocked, cases from tables."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.modules import slurm_node


def line(name, state, reason=None):
    text = ("NodeName=%s Arch=x86_64 CoresPerSocket=2 CPUAlloc=0 CPUTot=2 CPULoad=0.01 "
            "AvailableFeatures=(null) ActiveFeatures=(null) Gres=(null) NodeAddr=%s NodeHostName=%s "
            "OS=Linux 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) "
            "RealMemory=23081 State=%s ThreadsPerCore=1 Partitions=batch" % (name, name, name, state))
    if reason:
        text += " Reason=%s [root@2026-11-22T00:00:00]" % reason
    return text


def show(names, *records):
    return (["show", "node", "-o", names], 0, "\n".join(records) + "\n", "")


def update(names, *args):
    return (["update", "nodename=%s" % names] + list(args), 0, "", "")


CASES = [
    # (id, args, commands, check_mode, expected: changed, changed_nodes, nodes)
    ("drain idle nodes",
     {"name": "c[1-2]", "state": "drain", "reason": "maint"},
     [show("c[1-2]", line("c1", "IDLE"), line("c2", "MIXED")),
      update("c[1-2]", "state=drain", "reason=maint"),
      show("c[1-2]", line("c1", "IDLE+DRAIN", "maint"), line("c2", "MIXED+DRAIN", "maint"))],
     False, True, "c[1-2]", {"c1": "IDLE+DRAIN", "c2": "MIXED+DRAIN"}),
    ("drain: already draining with the same reason",
     {"name": "c[1-2]", "state": "drain", "reason": "maint"},
     [show("c[1-2]", line("c1", "IDLE+DRAIN", "maint"), line("c2", "DOWN+DRAIN", "maint"))],
     False, False, "", {"c1": "IDLE+DRAIN", "c2": "DOWN+DRAIN"}),
    ("drain: only the node that is not draining, and a new reason",
     {"name": ["c1", "c2", "c3"], "state": "drain", "reason": "maint"},
     [show("c[1-3]", line("c1", "IDLE+DRAIN", "maint"), line("c2", "IDLE"), line("c3", "IDLE+DRAIN", "old")),
      update("c[2-3]", "state=drain", "reason=maint"),
      show("c[1-3]", line("c1", "IDLE+DRAIN", "maint"), line("c2", "IDLE+DRAIN", "maint"),
           line("c3", "IDLE+DRAIN", "maint"))],
     False, True, "c[2-3]", {"c1": "IDLE+DRAIN", "c2": "IDLE+DRAIN", "c3": "IDLE+DRAIN"}),
    ("drain in check mode: reported, not run",
     {"name": "c1", "state": "drain", "reason": "maint"},
     [show("c1", line("c1", "ALLOCATED"))],
     True, True, "c1", {"c1": "ALLOCATED+DRAIN"}),
    ("resume drained and down nodes only",
     {"name": "c[1-3]", "state": "resume"},
     [show("c[1-3]", line("c1", "IDLE+DRAIN", "maint"), line("c2", "DOWN*", "Not responding"), line("c3", "IDLE")),
      update("c[1-2]", "state=resume"),
      show("c[1-3]", line("c1", "IDLE"), line("c2", "IDLE"), line("c3", "IDLE"))],
     False, True, "c[1-2]", {"c1": "IDLE", "c2": "IDLE", "c3": "IDLE"}),
    ("resume: nothing to do",
     {"name": "c[1-2]", "state": "resume"},
     [show("c[1-2]", line("c1", "IDLE"), line("c2", "MIXED"))],
     False, False, "", {"c1": "IDLE", "c2": "MIXED"}),
    ("resume in check mode",
     {"name": "c1", "state": "resume"},
     [show("c1", line("c1", "MIXED+DRAIN", "x"))],
     True, True, "c1", {"c1": "MIXED"}),
    ("drained: wait until the jobs are gone",
     {"name": "c1", "state": "drained", "reason": "maint", "poll_interval": 1},
     [show("c1", line("c1", "MIXED+DRAIN", "maint")),
      show("c1", line("c1", "MIXED+DRAIN", "maint")),
      show("c1", line("c1", "IDLE+DRAIN", "maint"))],
     False, False, "", {"c1": "IDLE+DRAIN"}),
    ("drained: drain first, then wait",
     {"name": "c1", "state": "drained", "reason": "maint", "poll_interval": 1},
     [show("c1", line("c1", "ALLOCATED")),
      update("c1", "state=drain", "reason=maint"),
      show("c1", line("c1", "ALLOCATED+DRAIN", "maint")),
      show("c1", line("c1", "IDLE+DRAIN", "maint"))],
     False, True, "c1", {"c1": "IDLE+DRAIN"}),
    ("drained in check mode does not wait",
     {"name": "c1", "state": "drained", "reason": "maint"},
     [show("c1", line("c1", "ALLOCATED"))],
     True, True, "c1", {"c1": "ALLOCATED+DRAIN"}),
    ("idle: already idle",
     {"name": "c[1-2]", "state": "idle"},
     [show("c[1-2]", line("c1", "IDLE"), line("c2", "IDLE"))],
     False, False, "", {"c1": "IDLE", "c2": "IDLE"}),
    ("idle: wait for a node that is not responding yet",
     {"name": "c[1-2]", "state": "idle", "poll_interval": 2},
     [show("c[1-2]", line("c1", "IDLE"), line("c2", "IDLE*")),
      show("c[1-2]", line("c1", "IDLE"), line("c2", "IDLE"))],
     False, False, "", {"c1": "IDLE", "c2": "IDLE"}),
    ("hostlist with a comma inside brackets survives the list option",
     {"name": "c[1-2,5]", "state": "idle"},
     [show("c[1-2,5]", line("c1", "IDLE"), line("c2", "IDLE"), line("c5", "IDLE"))],
     False, False, "", {"c1": "IDLE", "c2": "IDLE", "c5": "IDLE"}),
]

FAILURES = [
    ("drain needs a reason", {"name": "c1", "state": "drain"}, [],
     "state is drain but all of the following are missing: reason"),
    ("drained needs a reason to drain", {"name": "c1", "state": "drained"},
     [show("c1", line("c1", "IDLE"))], "reason is required to drain c1 (state=drained)"),
    ("bad hostlist", {"name": "c[1-", "state": "resume"}, [],
     "name: unbalanced or nested brackets in 'c[1-' (character 2 of the hostlist)"),
    ("Slurm refuses text after the last bracket", {"name": "c[1-2]-ib", "state": "resume"}, [],
     "name: text '-ib' after the last bracket in 'c[1-2]-ib': Slurm refuses it"),
    ("reason must not be blank", {"name": "c1", "state": "drain", "reason": " "}, [],
     "reason must not be empty"),
    ("unknown node: scontrol's message",
     {"name": "c9", "state": "resume"},
     [(["show", "node", "-o", "c9"], 1, "", "Node c9 not found\n")],
     "scontrol failed (rc=1): Node c9 not found"),
    ("node missing from the output",
     {"name": "c[1-2]", "state": "resume"},
     [show("c[1-2]", line("c1", "IDLE"))],
     "scontrol does not know node(s) c2"),
    ("update fails",
     {"name": "c1", "state": "resume"},
     [show("c1", line("c1", "DOWN")),
      (["update", "nodename=c1", "state=resume"], 1, "", "Invalid node state specified\n")],
     "scontrol failed (rc=1): Invalid node state specified"),
]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 1
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(slurm_node, "time", fake)
    return fake


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_states(run_module, case):
    _id, args, table, check_mode, changed, changed_nodes, nodes = case
    result, calls = run_module(slurm_node.main, args, table, check_mode=check_mode)
    assert result["failed"] is False, result
    assert result["changed"] is changed
    assert result["changed_nodes"] == changed_nodes
    assert result["nodes"] == nodes
    updates = [c for c in table if c[0][0] == "update"]
    if check_mode and changed:
        assert len(result["commands"]) == 1 and result["commands"][0][1] == "update"
        assert not any(call[1] == "update" for call in calls)
    else:
        assert [c[1:] for c in result["commands"]] == [u[0] for u in updates]


@pytest.mark.parametrize("case", FAILURES, ids=[c[0] for c in FAILURES])
def test_failures(run_module, case):
    _id, args, table, message = case
    result, _calls = run_module(slurm_node.main, args, table)
    assert result["failed"] is True
    assert message in result["msg"]


def test_timeout(run_module):
    table = [show("c1", line("c1", "MIXED+DRAIN", "maint"))] * 4
    result, _calls = run_module(
        slurm_node.main,
        {"name": "c1", "state": "drained", "reason": "maint", "timeout": 10, "poll_interval": 4},
        table)
    assert result["failed"] is True
    assert result["msg"] == "timeout after 10s waiting for c1 to be drained; still c1=MIXED+DRAIN"
    assert result["nodes"] == {"c1": "MIXED+DRAIN"}


def test_diff(run_module):
    result, _calls = run_module(
        slurm_node.main, {"name": "c1", "state": "drain", "reason": "maint"},
        [show("c1", line("c1", "IDLE"))], check_mode=True, diff=True)
    assert result["diff"] == {
        "before": {"c1": {"state": "IDLE", "reason": ""}},
        "after": {"c1": {"state": "IDLE+DRAIN", "reason": "maint"}},
    }


def test_scontrol_missing(run_module):
    result, _calls = run_module(slurm_node.main, {"name": "c1", "state": "idle"}, [],
                                bins={"scontrol": None})
    assert result["failed"] is True
    assert "scontrol" in result["msg"]


@pytest.mark.parametrize("state, base, flags, draining, drained, idle, resume", [
    ("IDLE", "IDLE", set(), False, False, True, False),
    ("IDLE+DRAIN", "IDLE", {"DRAIN"}, True, True, False, True),
    ("MIXED+DRAIN", "MIXED", {"DRAIN"}, True, False, False, True),
    ("DOWN+DRAIN", "DOWN", {"DOWN", "DRAIN"}, True, True, False, True),
    ("DOWN*", "DOWN", {"DOWN", "NOT_RESPONDING"}, False, False, False, True),
    ("IDLE*", "IDLE", {"NOT_RESPONDING"}, False, False, False, False),
    ("DRAINED", "IDLE", {"DRAIN"}, True, True, False, True),
    ("DRAINING", "ALLOCATED", {"DRAIN"}, True, False, False, True),
    ("idle+cloud", "IDLE", {"CLOUD"}, False, False, True, False),
    ("ALLOCATED+FAIL", "ALLOCATED", {"FAIL"}, False, False, False, True),
])
def test_state_helpers(state, base, flags, draining, drained, idle, resume):
    assert slurm_node.split_state(state) == (base, flags)
    assert slurm_node.is_draining(state) is draining
    assert slurm_node.is_drained(state) is drained
    assert slurm_node.is_idle(state) is idle
    assert slurm_node.needs_resume(state) is resume


@pytest.mark.parametrize("reason, clean", [
    ("maint [root@2026-11-22T00:00:00]", "maint"),
    ("disk replaced [slurm@2026-01-01T10:00:00]", "disk replaced"),
    ("no suffix", "no suffix"),
    ("", ""),
])
def test_clean_reason(reason, clean):
    assert slurm_node.clean_reason(reason) == clean
