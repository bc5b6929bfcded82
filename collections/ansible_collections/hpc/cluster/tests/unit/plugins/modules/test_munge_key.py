# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""munge_key: write or generate a key file, check mode included; cases from tables."""

from __future__ import annotations

import base64
import grp
import hashlib
import os
import pwd
import stat

import pytest

from ansible_collections.hpc.cluster.plugins.modules import munge_key

RAW = bytes(range(256)) * 4
OTHER = b"o" * 64
CONTENT = base64.b64encode(RAW).decode()
OWNER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def digest(raw):
    return hashlib.sha256(raw).hexdigest()


CASES = [
    # (id, file before (None: absent), mode before, args, check mode, changed, written, file after)
    ("write-new", None, None, {"content": CONTENT}, False, True, True, RAW),
    ("write-new-check", None, None, {"content": CONTENT}, True, True, True, None),
    ("write-differs", OTHER, 0o400, {"content": CONTENT}, False, True, True, RAW),
    ("write-differs-check", OTHER, 0o400, {"content": CONTENT}, True, True, True, OTHER),
    ("write-same", RAW, 0o400, {"content": CONTENT}, False, False, False, RAW),
    ("write-same-wrapped", RAW, 0o400, {"content": CONTENT[:60] + "\n" + CONTENT[60:]}, False, False, False, RAW),
    ("write-same-mode-fixed", RAW, 0o644, {"content": CONTENT}, False, True, False, RAW),
    ("generate-keeps", OTHER, 0o400, {"generate_size": 1024}, False, False, False, OTHER),
    ("generate-new-check", None, None, {"generate_size": 1024}, True, True, True, None),
]


@pytest.mark.parametrize(("before", "mode", "args", "check", "changed", "written", "after"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_key(tmp_path, run_module, before, mode, args, check, changed, written, after):
    path = tmp_path / "munge.key"
    if before is not None:
        path.write_bytes(before)
        path.chmod(mode)
    result, calls = run_module(munge_key.main, dict(args, path=str(path), owner=OWNER, group=GROUP), [],
                               check_mode=check)
    assert not result["failed"], result
    assert (result["changed"], result["written"]) == (changed, written)
    if after is None:
        assert not path.exists()
    else:
        assert path.read_bytes() == after
        if not check:
            assert stat.S_IMODE(path.stat().st_mode) == 0o400
    # The digest of the key the task puts in place (in check mode: would put).
    if "content" in args:
        assert result["sha256"] == digest(RAW)
    elif after is not None:
        assert result["sha256"] == digest(after)
    assert CONTENT[:40] not in repr(result)
    assert [p.name for p in tmp_path.iterdir()] == ([] if after is None else ["munge.key"])


def test_generate(tmp_path, run_module):
    path = tmp_path / "munge.key"
    result, _ = run_module(munge_key.main, dict(path=str(path), generate_size=1024, owner=OWNER, group=GROUP), [])
    assert result["changed"] and result["written"]
    assert len(path.read_bytes()) == 1024 and result["sha256"] == digest(path.read_bytes())
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


ERRORS = [
    ({"content": "not base64!"}, "content is not base64 text"),
    ({"content": base64.b64encode(b"k" * 31).decode()}, "content decodes to 31 bytes; munge needs 32 to 1024"),
    ({"content": base64.b64encode(b"k" * 1025).decode()}, "content decodes to 1025 bytes"),
    ({"generate_size": 16}, "generate_size must be 32 to 1024, got 16"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_refused(tmp_path, run_module, args, message):
    path = tmp_path / "munge.key"
    path.write_bytes(RAW)
    result, _ = run_module(munge_key.main, dict(args, path=str(path), owner=OWNER, group=GROUP), [])
    assert result["failed"] and message in result["msg"]
    assert path.read_bytes() == RAW


def test_not_a_file(tmp_path, run_module):
    result, _ = run_module(munge_key.main, dict(path=str(tmp_path), content=CONTENT), [])
    assert result["failed"] and "is not a regular file" in result["msg"]
