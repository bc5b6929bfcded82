# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""munge_key_info: a key file's digest and size, and Slurm membership, in one read-only call."""

from __future__ import annotations

import hashlib

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
