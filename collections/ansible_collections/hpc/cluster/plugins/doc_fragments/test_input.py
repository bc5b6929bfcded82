# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """The one input of the collection's test plugins (extends_documentation_fragment: hpc.cluster.test_input)."""

    DOCUMENTATION = r"""
options:
  _input:
    description: The value to test.
    type: raw
    required: true
"""
