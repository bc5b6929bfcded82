# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Attribute support shared by the modules of hpc.cluster.

    The descriptions come from ansible.builtin.action_common_attributes, listed first:

      extends_documentation_fragment:
        - ansible.builtin.action_common_attributes
        - hpc.cluster.attributes         # or hpc.cluster.attributes.diff
    """

    # POSIX targets, full check mode, no diff.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
"""

    # POSIX targets, full check mode, full diff mode.
    DIFF = r"""
options: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
"""

    # With ansible.builtin.action_common_attributes.facts: the module returns ansible_facts.
    FACTS = r"""
options: {}
attributes:
  facts:
    support: full
"""
