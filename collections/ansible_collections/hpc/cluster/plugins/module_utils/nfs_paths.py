# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Paths as NFS exports and mounts name them: /home and /home/ are one directory."""

from __future__ import annotations


def same_path_key(path):
    """path without its trailing slashes (/ stays /): what two spellings of one directory share."""
    return path.rstrip("/") or "/"


def under_export(path, exports):
    """Whether path is one of the export paths or a directory under one."""
    path = same_path_key(path)
    return any(path == export or path.startswith(export.rstrip("/") + "/")
               for export in map(same_path_key, exports))
