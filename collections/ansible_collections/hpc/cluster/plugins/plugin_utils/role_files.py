# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A role's variables as Ansible gives them to the role, for actions that work on roles the play
does not import (role_packages, role_arguments)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from ansible.errors import AnsibleActionFail, AnsibleError


def _variables_file(loader, role, path):
    """The variables of one of the role's files."""
    # As Ansible loads a role's variables: its templates trusted (ansible-core 2.19 renders only
    # those), from the loader's cache (the play's roles were read already), not copied (read only).
    try:
        data = loader.load_from_file(path, unsafe=True, trusted_as_template=True)
    except TypeError:  # pragma: no cover - ansible-core before 2.19 has no trust, renders every string
        data = loader.load_from_file(path, unsafe=True)
    if data is not None and not isinstance(data, Mapping):
        raise AnsibleActionFail("role %s: %s holds no variables (a mapping)" % (role, path))
    return data or {}


def role_file(loader, roles_dir, role, name):
    """The variables of <roles_dir>/<role>/<name>/main.yml ({} without the file)."""
    path = os.path.join(roles_dir, role, name, "main.yml")
    return _variables_file(loader, role, path) if os.path.isfile(path) else {}


def os_data_names(facts):
    """The OS-data files of a role's vars/, most specific first, as each role's set_vars.yml looks
    for them (tests/test_role_skeleton.py holds the two lists together)."""
    return ["%s_%s.yml" % (facts.get("distribution"), facts.get("distribution_major_version")),
            "%s.yml" % facts.get("distribution"), "%s.yml" % facts.get("os_family"), "default.yml"]


def os_data_path(roles_dir, role, facts):
    """The role's first OS-data file found for these facts, or None."""
    for name in os_data_names(facts):
        path = os.path.join(roles_dir, role, "vars", name)
        if os.path.isfile(path):
            return path
    return None


def os_data(loader, roles_dir, role, facts):
    """The variables of the role's first OS-data file found for these facts ({} without any)."""
    path = os_data_path(roles_dir, role, facts)
    return _variables_file(loader, role, path) if path else {}


def role_variables(loader, roles_dir, role, task_vars, with_os_data=False):
    """The variables a task of the role sees: its defaults, under the host's variables, and its
    vars/main.yml for the private names the host's variables do not set; with_os_data, also its
    OS data for the host's facts (where the play has not loaded it)."""
    variables = dict(role_file(loader, roles_dir, role, "defaults"))
    if with_os_data:
        variables.update(os_data(loader, roles_dir, role, task_vars.get("ansible_facts") or {}))
    variables.update(role_file(loader, roles_dir, role, "vars"))
    variables.update(task_vars)
    return variables


def find_roles_dir(action, path):
    """roles_dir as a file lookup finds it (next to the task's file first), or a clear failure."""
    try:
        return action._find_needle("files", path)
    except AnsibleError:
        raise AnsibleActionFail("roles_dir %s: no such directory next to the task's file or in its search path"
                                % path) from None


def role_names(templar, variables, role, name, kind):
    """The list variable name of a role, templated with variables (role_variables): names of kind."""
    templar = templar.copy_with_new_env(available_variables=variables)
    try:
        value = templar.template(variables[name])
    except AnsibleError as exc:
        raise AnsibleActionFail("role %s: cannot template %s: %s" % (role, name, exc)) from exc
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise AnsibleActionFail("role %s: %s must be a list of %s names, got %r" % (role, name, kind, value))
    return value
