#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation of the action plugin plugins/action/checks.py (no module code runs).

from __future__ import annotations

DOCUMENTATION = r"""
module: checks
short_description: Several input checks in one task, every failing one named in one error
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Runs on the controller only (an action plugin), like M(ansible.builtin.assert), but takes a list of
    checks, each with its own conditions and message. The task fails when any check does not hold, and
    its message names every such check (numbered when there are several), so that a role's input
    checks cost one task per host and an admin sees all of a run's mistakes at once.
  - A check's conditions in O(checks[].that) are evaluated in order, as M(ansible.builtin.assert)'s
    are, stopping at the first false one (a later condition may rely on an earlier one, such as
    C(x is defined) before C(x is match(...))).
  - With ansible-core 2.19 or later, a message is templated only when its check fails; with older
    releases every message is templated before the checks run, so a message must not rely on a
    variable that only exists when its check fails.
options:
  checks:
    description: The checks, evaluated in order.
    type: list
    elements: dict
    required: true
    suboptions:
      that:
        description: A condition or a list of conditions (as in C(when)), all of which must be true.
        type: list
        elements: raw
        required: true
      msg:
        description: What the error says when the check fails; whitespace runs become one space.
        type: str
        required: true
      when:
        description: The check applies only when these conditions are all true.
        type: list
        elements: raw
      warn:
        description:
          - When the check does not hold, its message is a warning of the task (shown, and listed
            in RV(warned)) instead of a problem; the task does not fail for it.
        type: bool
        default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Check the time settings
  hpc.cluster.checks:
    checks:
      - that: chrony_sources | rejectattr('address', 'defined') | list | length == 0
        msg: every entry of chrony_sources needs an address
      - that:
          - cluster_network is defined
          - cluster_network is match('^[0-9./]+$')
        msg: "cluster_network must be an IPv4 CIDR, not {{ cluster_network | default('(undefined)') }}"
        when: chrony_cluster_server
"""

RETURN = r"""
problems:
  description: The messages of the checks that failed, in order (empty when all hold).
  type: list
  elements: str
  returned: always
warned:
  description: The messages of the checks with O(checks[].warn) that did not hold, in order.
  type: list
  elements: str
  returned: always
checked:
  description: How many checks applied (their O(checks[].when) held).
  type: int
  returned: always
"""
