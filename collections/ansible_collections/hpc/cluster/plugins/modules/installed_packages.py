#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: installed_packages
short_description: The packages installed on a node and their versions, in one call
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Asks the node's package database (C(rpm) on the RedHat family, C(dpkg-query) on Debian) for the
    packages installed now and returns them, name to version, so that a play can skip every install task
    whose packages are all there without calling the package manager.
  - On Debian a package that was removed with its configuration files left is not installed.
  - Unlike M(ansible.builtin.package_facts) it returns a plain mapping in its result (register it) and
    sets no fact, which a fact cache would keep for later runs, when it may no longer be true.
  - A mapping, not a list, so that a condition asks it for a name without going through every
    package (with ansible-core 2.19 each item of a list a template reads costs about 4 microseconds,
    5 ms a condition on a node with 1,200 packages).
  - Never changes anything.
options:
  manager:
    description: Which database to read; C(auto) picks C(rpm) where it is found, else C(dpkg).
    type: str
    choices: [auto, rpm, dpkg]
    default: auto
  apt_lists_dir:
    description:
      - Also count the downloaded apt package lists (files named C(*_Packages*)) in this directory,
        as RV(apt_lists), so that a play can tell whether apt has lists without another call.
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: List the installed packages
  hpc.cluster.installed_packages:
  register: packages

- name: Install chrony unless it is there
  ansible.builtin.package:
    name: chrony
  when: "'chrony' not in packages.installed"
"""

RETURN = r"""
installed:
  description:
    - The installed packages, by name, sorted, each with its version (C(epoch:version-release) with rpm,
      the epoch only where set; several versions, such as kernels, joined with C(", ")).
  type: dict
  returned: success
  sample: {"bash": "5.2.15-2+b7", "munge": "0.5.15-2"}
manager:
  description: The database read (C(rpm) or C(dpkg)).
  type: str
  returned: success
apt_lists:
  description: The number of files named C(*_Packages*) in O(apt_lists_dir) (0 when it does not exist).
  type: int
  returned: when O(apt_lists_dir) is given
"""

import fnmatch
import os

from ansible.module_utils.basic import AnsibleModule

QUERIES = {
    "rpm": ["rpm", "--query", "--all", "--queryformat",
            "installed %{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n"],
    "dpkg": ["dpkg-query", "--show", "--showformat", "${db:Status-Status} ${Package} ${Version}\n"],
}


def installed_versions(output):
    """Name -> version of the lines 'installed NAME VERSION' of a query's output, sorted by name; a
    name with several versions gets them sorted, joined with ', '."""
    versions = {}
    for line in output.splitlines():
        state, name, version = (line.strip().split(" ", 2) + ["", ""])[:3]
        if state == "installed" and name:
            versions.setdefault(name, set()).add(version)
    return {name: ", ".join(sorted(versions[name])) for name in sorted(versions)}


def apt_lists(directory):
    """How many files named *_Packages* the directory holds (0 when it does not exist)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return 0
    return len(fnmatch.filter(names, "*_Packages*"))


def pick_manager(module, manager):
    if manager != "auto":
        return manager
    return "rpm" if module.get_bin_path("rpm") and not module.get_bin_path("dpkg-query") else "dpkg"


def main():
    module = AnsibleModule(
        argument_spec=dict(manager=dict(type="str", choices=["auto", "rpm", "dpkg"], default="auto"),
                           apt_lists_dir=dict(type="path")),
        supports_check_mode=True,
    )
    manager = pick_manager(module, module.params["manager"])
    argv = QUERIES[manager]
    if not module.get_bin_path(argv[0]):
        module.fail_json(msg="%s is not on this node: cannot list its installed packages" % argv[0])
    rc, out, err = module.run_command(argv, environ_update={"LC_ALL": "C"})
    if rc != 0:
        module.fail_json(msg="%s failed (exit %d): %s" % (" ".join(argv[:2]), rc, err.strip()))
    result = dict(changed=False, installed=installed_versions(out), manager=manager)
    if module.params["apt_lists_dir"]:
        result["apt_lists"] = apt_lists(module.params["apt_lists_dir"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
