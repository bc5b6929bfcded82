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


def duration_ms(value):
    """The milliseconds of a duration such as 1h30m, or None for what Prometheus would refuse."""
    if isinstance(value, bool) or not isinstance(value, str):
        return None
    if value == "0":
        return 0
    match = _DURATION_RE.fullmatch(value)
    if not value or not match:
        return None
    return sum(int(amount) * unit for amount, unit in zip(match.groups(), _UNIT_MS) if amount is not None)
