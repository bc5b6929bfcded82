# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""unit_states: whether units run and are enabled, one systemctl call for all, read only."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.modules import unit_states

SHOW = ["show", "--property=LoadState,ActiveState,UnitFileState", "--"]
OUT = ("LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
       "LoadState=loaded\nActiveState=active\nUnitFileState=disabled\n\n"
       "LoadState=loaded\nActiveState=failed\nUnitFileState=enabled\n\n"
       "LoadState=not-found\nActiveState=inactive\nUnitFileState=\n")


@pytest.fixture
def systemd(monkeypatch):
    monkeypatch.setattr(unit_states, "systemd_running", lambda: True)


def test_only_a_loaded_active_enabled_unit_is_ready(run_module, systemd):
    names = ["chrony", "munge", "slurmd", "nosuch"]
    result, calls = run_module(unit_states.main, {"units": names + ["chrony"]},
                               [(("systemctl", SHOW + names), 0, OUT, "")], check_mode=True)
    assert len(calls) == 1 and result["changed"] is False and result["systemd"] is True
    assert {name: state["ready"] for name, state in result["units"].items()} == {
        "chrony": True, "munge": False, "slurmd": False, "nosuch": False}
    assert result["units"]["slurmd"] == {"ready": False, "active_state": "failed", "unit_file_state": "enabled",
                                         "load_state": "loaded"}
    assert result["units"]["nosuch"]["load_state"] == "not-found"


def test_no_units_no_call(run_module, systemd):
    result, calls = run_module(unit_states.main, {"units": []}, [])
    assert result["units"] == {} and calls == []


@pytest.mark.parametrize(("bins", "running"), [
    ({"systemctl": None}, True),  # no systemctl
    ({}, False),  # systemctl installed, systemd not running (a container)
])
def test_without_systemd_nothing_is_ready(run_module, monkeypatch, bins, running):
    monkeypatch.setattr(unit_states, "systemd_running", lambda: running)
    result, calls = run_module(unit_states.main, {"units": ["chrony"]}, [], bins=bins)
    assert calls == [] and result["systemd"] is False
    assert result["units"] == {"chrony": {"ready": False, "active_state": "", "unit_file_state": "",
                                          "load_state": ""}}


def test_an_answer_that_does_not_match_the_question_is_an_error(run_module, systemd):
    result, _ = run_module(unit_states.main, {"units": ["chrony", "munge"]},
                           [(("systemctl", SHOW + ["chrony", "munge"]), 0, OUT.split("\n\n")[0], "")])
    assert result["failed"] is True and "1 blocks for 2 units" in result["msg"]


def test_a_failing_systemctl_is_an_error_naming_it(run_module, systemd):
    result, _ = run_module(unit_states.main, {"units": ["chrony"]},
                           [(("systemctl", SHOW + ["chrony"]), 1, "", "Failed to connect to bus\n")])
    assert result["failed"] is True and result["msg"] == "systemctl show failed (exit 1): Failed to connect to bus"
