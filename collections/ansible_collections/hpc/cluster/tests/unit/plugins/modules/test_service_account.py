# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""service_account: group and user with fixed IDs in one call, against a fake name service."""

from __future__ import annotations

import grp
import pwd
from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.hpc.cluster.plugins.modules import service_account

ARGS = {"user": "munge", "uid": 990, "group": "munge", "gid": 990, "home": "/var/lib/munge",
        "shell": "/usr/sbin/nologin", "comment": "MUNGE authentication service"}
MUNGE = ("munge", 990, 990, "/var/lib/munge", "/usr/sbin/nologin", "MUNGE authentication service")
OTHER = ("other", 995, 995, "/home/other", "/bin/bash", "")


def name_service(users, groups):
    """pwd and grp answered from (name, uid, gid, home, shell, comment) and (name, gid) tuples."""
    def pick(table, index, key, make):
        for entry in table:
            if entry[index] == key:
                return make(entry)
        raise KeyError(key)

    def user(e):
        return SimpleNamespace(pw_name=e[0], pw_uid=e[1], pw_gid=e[2], pw_dir=e[3], pw_shell=e[4], pw_gecos=e[5])

    def group(e):
        return SimpleNamespace(gr_name=e[0], gr_gid=e[1])

    return mock.patch.multiple(pwd, getpwnam=lambda k: pick(users, 0, k, user),
                               getpwuid=lambda k: pick(users, 1, k, user)), \
        mock.patch.multiple(grp, getgrnam=lambda k: pick(groups, 0, k, group),
                            getgrgid=lambda k: pick(groups, 1, k, group))


def run(run_module, users, groups, table, args=None, **kwargs):
    users_patch, groups_patch = name_service(users, groups)
    with users_patch, groups_patch:
        return run_module(service_account.main, dict(ARGS, **(args or {})), table, **kwargs)


GROUPADD = ("groupadd", ["--system", "--gid", "990", "munge"])
USERADD = ("useradd", ["--system", "--uid", "990", "--gid", "munge", "--home-dir", "/var/lib/munge",
                       "--no-create-home", "--shell", "/usr/sbin/nologin", "--comment",
                       "MUNGE authentication service", "munge"])

CASES = [
    # (id, users, groups, commands run)
    ("fresh: the group, then the user", [OTHER], [("other", 995)], [GROUPADD, USERADD]),
    ("group there (a package made it), user missing", [], [("munge", 990)], [USERADD]),
    ("as it should be", [MUNGE], [("munge", 990)], []),
    ("shell and comment differ", [MUNGE[:4] + ("/bin/false", "munge")], [("munge", 990)],
     [("usermod", ["--shell", "/usr/sbin/nologin", "--comment", "MUNGE authentication service", "munge"])]),
    ("another primary group and home", [("munge", 990, 100, "/", "/usr/sbin/nologin",
                                         "MUNGE authentication service")],
     [("munge", 990), ("users", 100)],
     [("usermod", ["--gid", "munge", "--home", "/var/lib/munge", "munge"])]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_only_what_differs_is_changed(run_module, case):
    _id, users, groups, commands = case
    result, calls = run(run_module, users, groups, [((c[0], c[1]), 0, "", "") for c in commands])
    assert result["failed"] is False, result
    assert result["changed"] is bool(commands)
    assert [call[0].rsplit("/", 1)[-1] for call in calls] == [c[0] for c in commands]
    assert result["commands"] == calls


def test_check_mode_reports_and_runs_nothing(run_module):
    result, calls = run(run_module, [], [], [], check_mode=True, diff=True)
    assert result["changed"] is True
    assert [command[1:] for command in result["commands"]] == [GROUPADD[1], USERADD[1]]
    assert calls == []
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["uid"] == 990


@pytest.mark.parametrize("users, groups, conflict", [
    ([MUNGE[:1] + (980,) + MUNGE[2:]], [("munge", 990)], "user munge has uid 980, not 990"),
    ([OTHER[:1] + (990,) + OTHER[2:]], [], "uid 990 belongs to user other"),
    ([], [("munge", 991)], "group munge has gid 991, not 990"),
], ids=["user renumbered", "uid taken", "group renumbered"])
def test_never_renumbers_and_changes_nothing(run_module, users, groups, conflict):
    result, calls = run(run_module, users, groups, [], args={"hint": "Set munge_uid/munge_gid."})
    assert result["failed"] is True
    assert result["msg"] == conflict + ": nothing was changed. Set munge_uid/munge_gid."
    assert calls == []
