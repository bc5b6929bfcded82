# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""munge_key_info: a key file's digest and size, and Slurm membership, in one read-only call."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd

import pytest

from ansible_collections.hpc.cluster.plugins.modules import munge_key_info

KEY = bytes(range(256)) * 4


@pytest.mark.parametrize(("key", "daemons", "expected"), [
    (KEY, ["slurmd"], {"exists": True, "sha256": hashlib.sha256(KEY).hexdigest(), "size": 1024, "member": True}),
    (KEY, [], {"exists": True, "sha256": hashlib.sha256(KEY).hexdigest(), "size": 1024, "member": False}),
    (None, ["slurmctld"], {"exists": False, "sha256": "", "size": 0, "member": True}),
    (None, [], {"exists": False, "sha256": "", "size": 0, "member": False}),
], ids=["member-with-key", "key-no-daemon", "daemon-no-key", "nothing"])
def test_state(tmp_path, run_module, key, daemons, expected):
    path = tmp_path / "munge.key"
    if key is not None:
        path.write_bytes(key)
    for daemon in daemons:
        (tmp_path / daemon).write_text("")
    args = {"path": str(path), "slurm_daemons": [str(tmp_path / d) for d in ("slurmd", "slurmctld")]}
    for check in (False, True):
        result, calls = run_module(munge_key_info.main, args, [], check_mode=check)
        assert calls == []
        assert {k: result[k] for k in expected} == expected
        assert result["changed"] is False
        assert KEY.hex()[:64] not in str(result)


def test_a_directory_in_place_of_the_key_is_an_error(tmp_path, run_module):
    result, _ = run_module(munge_key_info.main, {"path": str(tmp_path)}, [])
    assert result["failed"] is True
    assert "is not a regular file" in result["msg"]


ME = (pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name)


@pytest.mark.parametrize(("dir_mode", "key_mode", "account", "expected"), [
    (0o700, 0o400, ME, True),
    (0o700, None, ME, True),
    (0o700, 0o600, ME, False),
    (0o755, 0o400, ME, False),
    (None, None, ME, False),
    (0o700, 0o400, ("hpc-no-such-user", ME[1]), False),
    (0o700, 0o400, (ME[0], "hpc-no-such-group"), False),
], ids=["private", "no-key-yet", "key-readable-by-owner-to-write", "directory-open", "no-directory",
        "other-owner", "other-group"])
def test_private_to_the_account(tmp_path, run_module, dir_mode, key_mode, account, expected):
    """With owner and group: whether the key's directory (0700) and the key (0400) are theirs, so a
    re-run writes them only when they are not."""
    directory = tmp_path / "munge"
    if dir_mode is not None:
        directory.mkdir()
        if key_mode is not None:
            (directory / "munge.key").write_bytes(KEY)
            (directory / "munge.key").chmod(key_mode)
        directory.chmod(dir_mode)
    args = {"path": str(directory / "munge.key"), "owner": account[0], "group": account[1]}
    result, calls = run_module(munge_key_info.main, args, [], check_mode=True)
    assert calls == []
    assert result["private"] is expected, result
    assert result["changed"] is False


def test_without_an_account_there_is_no_answer_on_privacy(tmp_path, run_module):
    result, _ = run_module(munge_key_info.main, {"path": str(tmp_path / "munge.key")}, [])
    assert "private" not in result
