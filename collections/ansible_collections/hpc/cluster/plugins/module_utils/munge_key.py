# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The munge key's digest, one definition for the module that writes the key and the one that reads it.

Role munge compares the digests these modules return (hpc.cluster.munge_key_plan): they must be
computed the same way.
"""

from __future__ import annotations

import hashlib


def digest(raw):
    """sha256 hex digest of the key's bytes."""
    return hashlib.sha256(raw).hexdigest()


def file_digest(path):
    """(sha256, size) of the key file; None when there is no file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    return digest(raw), len(raw)
