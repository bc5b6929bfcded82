# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: os_data_file
short_description: One file with the OS data of several roles, for one include_vars per host
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - For each role named, the first file of its C(vars/) found for the host's facts, from most to least
    specific (C(<distribution>_<major version>.yml), C(<distribution>.yml), C(<os_family>.yml),
    C(default.yml)), as each role's C(tasks/set_vars.yml) looks for them; their variables together in
    one file in Ansible's local temporary directory, whose path it returns for
    M(ansible.builtin.include_vars).
  - A loop of C(include_vars) over the roles, with a C(first_found) lookup per item, cost the
    controller's one process about 6 ms per role and host, one host after the other. Hosts with the same
    OS and roles get the same file, written once per run.
  - A role's OS data names only its own private variables (C(__<role>_...)), so the files merge without
    a clash; a variable in two of them is an error naming both files.
options:
  _terms:
    description: The roles; lists are flattened.
    type: list
    elements: str
    required: true
  roles_dir:
    description: The directory that holds the roles, looked up as a file lookup looks (next to the task's file first).
    type: str
    required: true
notes:
  - The files are read as plain YAML (no C(!vault) or C(!unsafe) tags), as the roles' OS data is.
"""

EXAMPLES = r"""
- name: Load the roles' OS data (most specific file first)
  ansible.builtin.include_vars:
    file: "{{ lookup('hpc.cluster.os_data_file', ['munge', 'slurm'], roles_dir='../roles') }}"
"""

RETURN = r"""
_raw:
  description: The path of the file with the roles' OS data (JSON, which include_vars reads as YAML).
  type: list
  elements: path
"""

import hashlib
import json
import os

import yaml
from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.role_files import os_data_names, os_data_path

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# (roles_dir, the roles' chosen files) -> path written, for this process.
_WRITTEN = {}


def chosen_files(roles_dir, roles, facts):
    """Per role, its OS-data file for these facts (the first of os_data_names that exists)."""
    chosen = {}
    for role in roles:
        chosen[role] = os_data_path(roles_dir, role, facts)
        if chosen[role] is None:
            raise AnsibleLookupError("os_data_file: role %s has none of %s in %s" % (
                role, ", ".join(os_data_names(facts)), os.path.join(roles_dir, role, "vars")))
    return chosen


def merged(files):
    """The variables of every file, in one mapping; AnsibleLookupError on a clash or a non-mapping."""
    variables, origin = {}, {}
    for path in files:
        try:
            with open(path, encoding="utf-8") as handle:
                data = yaml.load(handle, Loader=SAFE_LOADER) or {}  # noqa: S506 - a safe loader
        except (OSError, yaml.YAMLError) as exc:
            raise AnsibleLookupError("os_data_file: cannot read %s: %s" % (path, exc)) from exc
        if not isinstance(data, dict):
            raise AnsibleLookupError("os_data_file: %s holds no variables (a mapping)" % path)
        for name, value in data.items():
            if name in variables:
                raise AnsibleLookupError("os_data_file: %s is set by both %s and %s" % (name, origin[name], path))
            variables[name], origin[name] = value, path
    return variables


def write_once(variables, directory):
    """The path of a file holding these variables in directory, named by its content (written once)."""
    text = json.dumps(variables, sort_keys=True, indent=1)
    path = os.path.join(directory, "hpc-os-data-%s.json" % hashlib.sha256(text.encode()).hexdigest()[:16])
    if not os.path.exists(path):
        os.makedirs(directory, exist_ok=True)
        partial = "%s.%d" % (path, os.getpid())
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, path)
    return path


class LookupModule(LookupBase):
    def run(self, terms, variables=None, roles_dir=None, **kwargs):
        if kwargs:
            raise AnsibleLookupError("os_data_file: unknown options: %s (it takes roles_dir)" % ", ".join(kwargs))
        if not isinstance(roles_dir, str) or not roles_dir:
            raise AnsibleLookupError("os_data_file: roles_dir must be the directory of the roles, got %r"
                                     % (roles_dir,))
        variables = variables or {}
        roles = [str(role) for role in self._flatten(terms)]
        found = self.find_file_in_search_path(variables, "files", roles_dir, ignore_missing=True)
        if not found or not os.path.isdir(found):
            raise AnsibleLookupError("os_data_file: roles_dir %s: no such directory next to the task's file or in "
                                     "its search path" % roles_dir)
        roles_dir = found
        files = chosen_files(roles_dir, roles, variables.get("ansible_facts") or {})
        key = (roles_dir, tuple(files.values()))
        path = _WRITTEN.get(key)
        if path is None or not os.path.exists(path):
            path = _WRITTEN[key] = write_once(merged(files.values()), C.DEFAULT_LOCAL_TMP)
        return [path]
