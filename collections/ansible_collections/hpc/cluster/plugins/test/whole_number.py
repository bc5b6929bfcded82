# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: whole_number
short_description: Whether a value is a whole number from 0 up (seconds to wait, a percentage)
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - True for an integer from 0 up, or the same written in digits (C('3600'), as C(-e) passes it).
  - False for a unit (C(1h), which C(| int) would read as 0), a sign, a space, a fraction, a boolean.
extends_documentation_fragment:
  - hpc.cluster.test_input
"""

EXAMPLES = r"""
- name: Refuse a timeout that is not whole seconds
  ansible.builtin.assert:
    that: maintenance_timeout is hpc.cluster.whole_number
"""

RETURN = r"""
_value:
  description: Whether the value is a whole number.
  type: bool
"""

from ansible_collections.hpc.cluster.plugins.module_utils.whole_number import whole_number


def is_whole_number(value):
    return whole_number(value) is not None


class TestModule:
    def tests(self):
        return {"whole_number": is_whole_number}
