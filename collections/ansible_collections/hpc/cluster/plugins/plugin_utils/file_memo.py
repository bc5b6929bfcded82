# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A value computed from a controller file, kept for this process while the file is unchanged: for
plugins that the controller's own process runs for every host (a lookup in a set_fact, an action
under callback hpc.cluster.actions_without_fork), where each host would read the file again."""

from __future__ import annotations

import os

# (compute, real path, size, mtime in ns) -> value, for this process.
_VALUES = {}


def unchanged_file_value(path, compute):
    """compute(real path), computed again only when the file's size or modification time changed.
    The value is shared between callers: copy it before changing it."""
    real = os.path.realpath(path)
    info = os.stat(real)
    key = (compute, real, info.st_size, info.st_mtime_ns)
    if key not in _VALUES:
        _VALUES[key] = compute(real)
    return _VALUES[key]
