#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation of the action plugin plugins/action/role_packages.py (no module code runs).

from __future__ import annotations

DOCUMENTATION = r"""
module: role_packages
short_description: The packages several roles install on this host, for one package transaction
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Runs on the controller only (an action plugin). For each role of O(roles), templates the role's
    C(__<role>_repository_packages), defined in its C(vars/main.yml), the packages the role's own task
    installs from the OS repositories on this host (empty when it installs from an archive or a file).
  - The variable is templated as the role sees it, with the role's C(defaults/main.yml) under the
    host's variables (inventory, facts, variables loaded by C(include_vars), extra vars), and the
    role's C(vars/main.yml) for its private names; the roles need not be imported in the play.
  - Returns every role's packages and those not in O(installed), for one package task; each role's
    own install task then finds them installed.
  - Fails naming the role whose variable is missing, cannot be templated or is not a list of names.
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
  installed:
    description:
      - The packages installed on the host, a list of names or a mapping by name
        (RV(hpc.cluster.installed_packages#module:installed)).
    type: raw
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: List the packages of this node's roles that are not installed yet
  hpc.cluster.role_packages:
    roles: [chrony, base, munge, slurm]
    roles_dir: ../../roles
    installed: "{{ __preflight_packages.installed }}"
  register: __packages

- name: Install them in one transaction
  ansible.builtin.package:
    name: "{{ __packages.missing }}"
    state: present
  when: __packages.missing | length > 0
"""

RETURN = r"""
packages:
  description: Per role, its packages on this host.
  type: dict
  returned: always
wanted:
  description: Every role's packages, in the roles' order, each once.
  type: list
  elements: str
  returned: always
missing:
  description: The packages of O(wanted) that are not in O(installed).
  type: list
  elements: str
  returned: always
missing_roles:
  description: The roles with at least one missing package.
  type: list
  elements: str
  returned: always
"""
