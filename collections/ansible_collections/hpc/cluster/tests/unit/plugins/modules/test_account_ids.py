# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""account_ids: fixed UID/GID checks against a fake name service; cases from a table."""

from __future__ import annotations

import grp
import os
import pwd
from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.hpc.cluster.plugins.modules import account_ids

USERS = [("root", 0), ("munge", 990), ("daemon2", 991), ("alias", 991), ("other", 995)]
GROUPS = [("root", 0), ("munge", 990), ("daemon2", 991), ("other", 995)]
ARGS = {"user": "munge", "uid": 990, "group": "munge", "gid": 990}


def by(table, index, key, make):
    for entry in table:
        if entry[index] == key:
            return make(entry)
    raise KeyError(key)


@pytest.fixture
def name_service():
    """The module's lookups answered from USERS and GROUPS (first match, as NSS does)."""
    user = lambda e: SimpleNamespace(pw_name=e[0], pw_uid=e[1])  # noqa: E731
    group = lambda e: SimpleNamespace(gr_name=e[0], gr_gid=e[1])  # noqa: E731
    with mock.patch.multiple(
        pwd, getpwnam=lambda k: by(USERS, 0, k, user), getpwuid=lambda k: by(USERS, 1, k, user),
    ), mock.patch.multiple(
        grp, getgrnam=lambda k: by(GROUPS, 0, k, group), getgrgid=lambda k: by(GROUPS, 1, k, group),
    ):
        yield


CASES = [
    # (id, args over ARGS, conflicts)
    ("already-its-own", {}, []),
    ("all-free", {"user": "new", "uid": 980, "group": "new", "gid": 980}, []),
    ("uid-taken", {"user": "new", "uid": 995, "group": "new", "gid": 980},
     ["uid 995 belongs to user other"]),
    ("gid-taken", {"user": "new", "uid": 980, "group": "new", "gid": 995},
     ["gid 995 belongs to group other"]),
    ("user-has-other-uid", {"uid": 980}, ["user munge has uid 990, not 980"]),
    ("user-other-uid-and-uid-taken", {"uid": 995},
     ["user munge has uid 990, not 995", "uid 995 belongs to user other"]),
    ("group-has-other-gid", {"gid": 980}, ["group munge has gid 990, not 980"]),
    # alias shares uid 991 with daemon2, which the name service answers first: alias holds it too.
    ("shared-uid-held-by-the-user", {"user": "alias", "uid": 991, "group": "daemon2", "gid": 991}, []),
    ("root-ids", {"user": "root", "uid": 0, "group": "root", "gid": 0}, []),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_conflicts(name_service, run_module, args, expected):
    result, calls = run_module(account_ids.main, {**ARGS, **args, "hint": "Set the IDs."}, [])
    assert calls == []
    assert result["conflicts"] == expected
    assert result.get("changed", False) is False
    assert result["failed"] is bool(expected)
    if expected:
        assert result["msg"] == "; ".join(expected) + ". Set the IDs."


def test_check_mode_reads_the_same(name_service, run_module):
    result, _ = run_module(account_ids.main, {**ARGS, "uid": 995}, [], check_mode=True)
    assert result["failed"] is True
    assert result["uid_owner"] == "other"
    assert result["user_uid"] == 990


def test_real_name_service_knows_the_running_user(run_module):
    me = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(os.getgid())
    args = {"user": me.pw_name, "uid": me.pw_uid, "group": group.gr_name, "gid": group.gr_gid}
    result, _ = run_module(account_ids.main, args, [])
    assert result["failed"] is False
    assert (result["user_uid"], result["group_gid"]) == (me.pw_uid, group.gr_gid)
