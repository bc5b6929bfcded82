#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation of the action plugin plugins/action/role_units.py (it runs module unit_states).

from __future__ import annotations

DOCUMENTATION = r"""
module: role_units
short_description: The states of the systemd units several roles start on this host, in one task
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - An action plugin. For each role of O(roles), templates the role's C(__<role>_units), defined in its
    C(vars/main.yml), the units the role's service step starts and enables on this host (roles without
    it have none). The variable is templated as the role sees it, with the role's C(defaults/main.yml)
    under the host's variables, its OS data for the host's facts (its first C(vars/<distribution>_<major>.yml),
    C(<distribution>.yml), C(<os_family>.yml) or C(default.yml)) and its C(vars/main.yml); the roles need
    not be imported in the play, nor their OS data loaded.
  - Then reads every unit's state on the node in one call of M(hpc.cluster.unit_states). A role's start
    task can skip a unit that is RV(units.ready) (loaded, active and enabled), where it would only find
    it so; a re-run then calls no service module for a node whose services run.
  - Fails naming the role whose variable cannot be templated or is not a list of unit names.
options:
  roles:
    description: The roles this host runs, in order.
    type: list
    elements: str
    required: true
  roles_dir:
    description:
      - The directory that holds the roles.
      - A relative path is looked up as a file lookup finds it (next to the task's file first).
    type: str
    required: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read the states of the units the node's roles start
  hpc.cluster.role_units:
    roles: [chrony, munge]
    roles_dir: ../../roles
  register: __preflight_units

# In role chrony:
- name: Start chrony and enable it at boot
  ansible.builtin.service:
    name: "{{ chrony_service }}"
    state: started
    enabled: true
  when: not (__preflight_units.units[chrony_service].ready | default(false))
"""

RETURN = r"""
roles:
  description: Per role, its units on this host.
  type: dict
  returned: success
units:
  description: Per unit, its state, as M(hpc.cluster.unit_states) returns it (C(ready), C(active_state), ...).
  type: dict
  returned: success
systemd:
  description: Whether systemd answered on the node.
  type: bool
  returned: success
"""
