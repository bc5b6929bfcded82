#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation of the action plugin plugins/action/role_arguments.py (no module code runs).

from __future__ import annotations

DOCUMENTATION = r"""
module: role_arguments
short_description: Several roles' OS data and settings checked in one task
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Runs on the controller only (an action plugin). For each role of O(roles), in one task per host
    instead of an assert and a M(ansible.builtin.validate_argument_spec) loop, two things. The role's OS
    data was found (the project's roles load C(vars/default.yml) as the last fallback, which sets
    C(__<role>_os_unknown)), and the role's variables hold to its argument spec, validated as
    M(ansible.builtin.validate_argument_spec) does (only the variables that are set, templated).
  - A string given for an option of type list, dict or bool (C(-e key=value) and INI inventories give
    strings) is a problem too, named with the option (C(slurm_partitions[0].groups) for a suboption).
    The validation converts it, but the role reads the variable as written.
  - Fails when any role has a problem, naming every problem of every role in one message (numbered
    when there are several).
options:
  roles:
    description: The roles to check, in order.
    type: list
    elements: str
    required: true
  roles_dir:
    description:
      - The directory that holds the roles; each role's argument spec is read from
        C(<roles_dir>/<role>/meta/argument_specs.yml) (the options of its entry point C(main)).
      - A relative path is looked up as a file lookup finds it (next to the task's file first).
      - Read here, the specs stay plain data. Set as a fact, they would stay in every host's variables
        for the rest of the run, where each template lookup and argument validation deep-copies them.
      - One of O(roles_dir) and O(specs) is required.
    type: str
  specs:
    description:
      - Per role, the options of its argument spec's entry point (C(argument_specs.main.options) of its
        C(meta/argument_specs.yml)); may hold more roles than O(roles). Instead of O(roles_dir).
    type: dict
  defaults:
    description:
      - Validate each role's variables as its own tasks see them, also where the play does not import
        the role - its C(defaults/main.yml) under the host's variables, templated with its
        C(vars/main.yml) - instead of the task's variables alone. Needs O(roles_dir).
      - A play can then check the settings of roles that later plays run, in the same task.
    type: bool
    default: false
  bool_strings:
    description:
      - Options of type bool (top-level names) that may be given as strings (C(-e prometheus_data_moved=true)),
        because the roles read them through C(| bool) only.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Check this OS's data and the roles' settings
  hpc.cluster.role_arguments:
    roles: [munge, slurm]
    roles_dir: ../../roles
    defaults: true
"""

RETURN = r"""
problems:
  description: The problems found, in order (empty when none).
  type: list
  elements: str
  returned: always
roles:
  description: The roles checked.
  type: list
  elements: str
  returned: always
"""
