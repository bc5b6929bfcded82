# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""conf_values: some settings of a Key=Value file, never a password, in one read-only call."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.modules import conf_values

CONF = """# slurmdbd.conf written by role slurmdbd
AuthType=auth/munge
storagehost = db1   # the database server
StorageLoc=old_db
StorageLoc="slurm acct"
StoragePass=s3cret-pass
#StoragePort=3307
"""


@pytest.mark.parametrize(("keys", "expected"), [
    (["StorageHost", "StorageLoc", "StoragePort"], {"StorageHost": "db1", "StorageLoc": "slurm acct"}),
    (["AUTHTYPE"], {"AUTHTYPE": "auth/munge"}),
    ([], {}),
], ids=["case-comments-last-quoted", "key-as-asked", "none"])
def test_values(tmp_path, run_module, keys, expected):
    path = tmp_path / "slurmdbd.conf"
    path.write_text(CONF)
    for check in (False, True):
        result, calls = run_module(conf_values.main, {"path": str(path), "keys": keys}, [], check_mode=check)
        assert calls == []
        assert result["changed"] is False and result["exists"] is True
        assert result["values"] == expected
        assert "s3cret" not in str(result)


def test_missing_file(tmp_path, run_module):
    result, _ = run_module(conf_values.main, {"path": str(tmp_path / "none.conf"), "keys": ["StorageLoc"]}, [])
    assert result["failed"] is False
    assert (result["exists"], result["values"]) == (False, {})


@pytest.mark.parametrize("key", ["StoragePass", "storagepassword"])
def test_a_password_is_refused(tmp_path, run_module, key):
    path = tmp_path / "slurmdbd.conf"
    path.write_text(CONF)
    result, _ = run_module(conf_values.main, {"path": str(path), "keys": ["StorageLoc", key]}, [])
    assert result["failed"] is True and key in result["msg"]
    assert "s3cret" not in str(result) and "values" not in result
