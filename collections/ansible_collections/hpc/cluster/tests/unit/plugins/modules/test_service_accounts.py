# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""service_accounts: several service accounts in one call, against a fake name service."""

from __future__ import annotations

import pytest
from test_service_account import ARGS, GROUPADD, MUNGE, USERADD, name_service

from ansible_collections.hpc.cluster.plugins.modules import service_accounts

SLURM = {"user": "slurm", "uid": 991, "group": "slurm", "gid": 991, "home": "/var/lib/slurm",
         "shell": "/usr/sbin/nologin", "comment": "Slurm workload manager", "hint": "Set slurm_uid/slurm_gid."}
SLURM_USER = ("slurm", 991, 991, "/var/lib/slurm", "/usr/sbin/nologin", "Slurm workload manager")


def run(run_module, users, groups, table, accounts=None, **kwargs):
    users_patch, groups_patch = name_service(users, groups)
    with users_patch, groups_patch:
        return run_module(service_accounts.main, {"accounts": accounts or [dict(ARGS, hint="Set munge_uid."), SLURM]},
                          table, **kwargs)


def test_check_mode_reports_each_account_and_runs_nothing(run_module):
    """munge missing, slurm as it should be: munge's commands only, under its name."""
    result, calls = run(run_module, [SLURM_USER], [("slurm", 991)], [], check_mode=True, diff=True)
    assert result["failed"] is False, result
    assert result["changed"] is True and calls == []
    assert [command[1:] for command in result["accounts"]["munge"]["commands"]] == [GROUPADD[1], USERADD[1]]
    assert result["accounts"]["slurm"] == {"commands": []}
    assert result["commands"] == result["accounts"]["munge"]["commands"]
    assert [(diff["before_header"], diff["before"] == {}) for diff in result["diff"]] == [
        ("user munge", True), ("user slurm", False)]


def test_applies_in_order_and_only_what_differs(run_module):
    table = [((name, argv), 0, "", "") for name, argv in (GROUPADD, USERADD)]
    result, calls = run(run_module, [SLURM_USER], [("slurm", 991)], table)
    assert result["changed"] is True
    assert [call[0].rsplit("/", 1)[-1] for call in calls] == ["groupadd", "useradd"]
    result, calls = run(run_module, [MUNGE, SLURM_USER], [("munge", 990), ("slurm", 991)], [])
    assert result["changed"] is False and calls == [] and "diff" not in result


def test_every_conflict_of_every_account_is_named_before_any_change(run_module):
    """munge's UID taken and slurm renumbered: both named, each with its hint, and nothing run
    (not even munge's group, which was free)."""
    users = [("other", 990, 990, "/", "/bin/sh", ""), SLURM_USER[:1] + (981,) + SLURM_USER[2:]]
    result, calls = run(run_module, users, [("slurm", 991)], [])
    assert result["failed"] is True and calls == []
    assert result["msg"] == ("uid 990 belongs to user other: nothing was changed. Set munge_uid. "
                             "user slurm has uid 981, not 991: nothing was changed. Set slurm_uid/slurm_gid.")
    assert result["conflicts"] == ["uid 990 belongs to user other", "user slurm has uid 981, not 991"]


def test_a_user_given_twice_is_refused(run_module):
    result, _calls = run(run_module, [], [], [], accounts=[SLURM, dict(SLURM, uid=992)])
    assert result["failed"] is True
    assert result["msg"] == "accounts name user slurm more than once: each daemon needs an account of its own"


@pytest.mark.parametrize("missing", ["home", "shell", "uid"])
def test_each_account_needs_its_options(run_module, missing):
    account = {key: value for key, value in SLURM.items() if key != missing}
    result, _calls = run(run_module, [], [], [], accounts=[account])
    assert result["failed"] is True and missing in result["msg"]
