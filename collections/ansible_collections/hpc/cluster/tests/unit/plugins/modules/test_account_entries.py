# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""account_entries: users and groups read by name from a fake name service."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.hpc.cluster.plugins.modules import account_entries

USERS = {"alice": SimpleNamespace(pw_name="alice", pw_uid=2001, pw_gid=2000, pw_gecos="Alice A.", pw_dir="/home/alice",
                                  pw_shell="/bin/bash")}
GROUPS = {2000: "hpcusers", 2100: "physics", 2200: "chemistry"}


def getpwnam(name):
    return USERS[name]


def getgrgid(gid):
    if gid not in GROUPS:
        raise KeyError(gid)
    return SimpleNamespace(gr_name=GROUPS[gid], gr_gid=gid)


def getgrnam(name):
    for gid, group in GROUPS.items():
        if group == name:
            return SimpleNamespace(gr_name=name, gr_gid=gid)
    raise KeyError(name)


@pytest.fixture
def name_service():
    with mock.patch.object(account_entries.pwd, "getpwnam", getpwnam), \
            mock.patch.multiple(account_entries.grp, getgrgid=getgrgid, getgrnam=getgrnam), \
            mock.patch.object(account_entries.os, "getgrouplist", lambda name, gid: [gid, 2200, 2100, 4242]), \
            mock.patch.object(account_entries.os.path, "isdir", lambda path: path == "/home/alice"):
        yield


def test_known_accounts_read_unknown_left_out(name_service):
    users, groups = account_entries.read(["alice", "nobody-here", "alice"], ["physics", "no-such-group"])
    assert users == {"alice": {"uid": 2001, "gid": 2000, "gecos": "Alice A.", "home": "/home/alice",
                               "shell": "/bin/bash", "groups": ["4242", "chemistry", "physics"], "home_exists": True}}
    assert groups == {"physics": 2100}


def test_nothing_asked_nothing_read(name_service):
    assert account_entries.read([], []) == ({}, {})


def test_shells_that_are_no_executable_file_are_named(tmp_path):
    shell = tmp_path / "bash"
    shell.write_text("#!/bin/sh\n")
    shell.chmod(0o755)
    plain = tmp_path / "plain"
    plain.write_text("")
    # A typo locked every cluster user out (the users were made with it, and the run passed).
    assert account_entries.missing_shells([str(shell), "/bin/bsah", str(plain), str(tmp_path), "/bin/bsah",
                                           "bash"]) == ["/bin/bsah", str(plain), str(tmp_path), "bash"]
    assert account_entries.missing_shells([]) == []
