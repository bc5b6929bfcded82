# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A whole number as settings give it: an integer, or its ASCII digits as -e and INI inventories pass it."""

from __future__ import annotations


def whole_number(value):
    """The integer from 0 up that value names, or None (a boolean, a sign, a unit, a space, a fraction)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
