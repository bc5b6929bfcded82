# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""module_utils.munge_key: the one digest the key's writer and reader both return."""

from __future__ import annotations

import hashlib

from ansible_collections.hpc.cluster.plugins.module_utils.munge_key import digest, file_digest


def test_file_digest_is_the_digest_of_its_bytes(tmp_path):
    raw = bytes(range(256)) * 4
    path = tmp_path / "munge.key"
    path.write_bytes(raw)
    assert file_digest(str(path)) == (hashlib.sha256(raw).hexdigest(), 1024)
    assert file_digest(str(path))[0] == digest(raw)


def test_no_file_is_none(tmp_path):
    assert file_digest(str(tmp_path / "absent")) is None
