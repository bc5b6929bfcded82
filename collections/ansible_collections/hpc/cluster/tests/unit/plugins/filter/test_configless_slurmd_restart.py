# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""configless_slurmd_restart: why a configless slurmd restarts, or nothing."""

from __future__ import annotations

import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.configless_slurmd_restart import (
    FilterModule,
    configless_slurmd_restart,
)

OLD, NEW = "ClusterName=lab\nMaxJobCount=10000\n", "ClusterName=lab\nMaxJobCount=20000\n"


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_nothing_when_slurmd_runs_with_the_controllers_file():
    assert configless_slurmd_restart(sha(NEW), sha(NEW)) == ""
    assert configless_slurmd_restart(sha(NEW), sha(NEW), None, {"changed": [], "restart": False}) == ""


def test_a_slurmd_left_behind_restarts():
    # slurmctld restarted on NEW in an earlier run (stopped, or limited to the controllers).
    reason = configless_slurmd_restart(sha(OLD), sha(NEW))
    assert reason.startswith("slurmd runs with a slurm.conf that slurmctld no longer has")


def test_the_controllers_restart_is_followed():
    change = {"changed": ["MaxJobCount"], "restart": True}
    assert configless_slurmd_restart(sha(OLD), sha(OLD), OLD, change) == (
        "slurmctld restarted for MaxJobCount: slurmd restarts after it")


def test_a_reconfigure_is_left_to_slurmctld_unless_slurmd_was_behind_before():
    reconfigure = {"changed": ["MaxStepCount"], "restart": False}
    # This run replaced OLD on the controller, which slurmd runs with: the reconfigure sends NEW.
    assert configless_slurmd_restart(sha(OLD), sha(OLD), OLD, reconfigure) == ""
    # slurmd ran with something older still (a restart it missed): the reconfigure does not restart it.
    older = "ClusterName=lab\nMaxJobCount=5000\n"
    assert configless_slurmd_restart(sha(older), sha(OLD), OLD, reconfigure) != ""
    # The controller's replaced text counts, not its file at the preflight (a replayed change).
    assert configless_slurmd_restart(sha(OLD), sha(NEW), OLD, reconfigure) == ""


@pytest.mark.parametrize(("cache", "controller"), [("", "x" * 64), ("x" * 64, ""), ("", "")])
def test_an_unknown_side_decides_nothing(cache, controller):
    assert configless_slurmd_restart(cache, controller) == ""


def test_a_digest_that_is_not_a_string_is_refused():
    with pytest.raises(AnsibleFilterError, match="must be a string"):
        configless_slurmd_restart(12, "x")


@pytest.mark.parametrize(("previous", "change", "message"), [
    ({"ClusterName": "lab"}, None, "controller_previous must be the text of slurm.conf, got dict"),
    (OLD.encode(), None, "controller_previous must be the text of slurm.conf, got bytes"),
    (None, "restart", "controller_change must be a mapping"),
])
def test_a_previous_file_or_decision_of_another_type_is_refused(previous, change, message):
    # Hashed as its repr, a dict would give a digest no file has: every configless slurmd restarted.
    with pytest.raises(AnsibleFilterError, match=message):
        configless_slurmd_restart(sha(OLD), sha(OLD), controller_previous=previous, controller_change=change)


def test_registered():
    assert FilterModule().filters()["configless_slurmd_restart"] is configless_slurmd_restart
