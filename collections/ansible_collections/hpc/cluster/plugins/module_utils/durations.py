# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Durations as Prometheus and Alertmanager read them (their configuration files and flags)."""

from __future__ import annotations

import re

# Units largest first, each at most once, no spaces: 1h30m, 15d, 500ms (and "0" alone).
_DURATION_RE = re.compile(r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?"
                          r"(?:([0-9]+)s)?(?:([0-9]+)ms)?")
_UNIT_MS = (365 * 86400000, 7 * 86400000, 86400000, 3600000, 60000, 1000, 1)
# Go's time.Duration (int64 nanoseconds) in whole milliseconds: promtool 2.42 takes 106751d23h47m16s854ms
# and refuses 855ms more with "duration out of range" (292y is within, 293y is not).
MAX_DURATION_MS = (2 ** 63 - 1) // 1000000


def written_ms(value):
    """The milliseconds a duration such as 1h30m is written as, however long, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None
    if value == "0":
        return 0
    match = _DURATION_RE.fullmatch(value)
    if not value or not match:
        return None
    return sum(int(amount) * unit for amount, unit in zip(match.groups(), _UNIT_MS) if amount is not None)


def duration_ms(value):
    """The milliseconds of a duration such as 1h30m, or None for what Prometheus would refuse (not written
    as a duration, or longer than MAX_DURATION_MS)."""
    total = written_ms(value)
    return total if total is not None and total <= MAX_DURATION_MS else None
