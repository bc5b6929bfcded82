#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: kernel_parameters
short_description: Several kernel parameters (sysctl) in one file and in the running kernel, in one call
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Writes each parameter of O(values) as C(key=value) into O(path) (a C(sysctl.d) file), and
    removes from it the keys whose value is V(null). Other lines of the file are kept; the file
    is rewritten only when one of these keys differs in it.
  - With O(apply), sets in the running kernel (C(sysctl -w)) each parameter whose running value
    differs (values compared word by word, so a tab and a space between two numbers are the same).
  - Values as M(ansible.posix.sysctl) takes them - V(true)/V(yes) are C(1), V(false)/V(no) are C(0),
    a file it wrote is left as it is. One call for every parameter, where that module makes one
    call per parameter.
  - Reads every running value before changing anything; a parameter the kernel does not have is
    refused, naming it, with the file untouched.
options:
  values:
    description: Parameter name to value; V(null) removes the key from O(path) (the running value is left).
    type: dict
    required: true
  path:
    description: The file the values are kept in, read at boot (for example C(/etc/sysctl.d/90-site.conf)).
    type: path
    required: true
  apply:
    description: Set the running values that differ.
    type: bool
    default: true
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: Set the kernel parameters, in the file and live
  hpc.cluster.kernel_parameters:
    path: /etc/sysctl.d/90-hpc-cluster.conf
    values:
      net.ipv4.neigh.default.gc_thresh3: 32768
      vm.swappiness: 10
      kernel.numa_balancing: null     # no longer kept in the file
"""

RETURN = r"""
file_changed:
  description: Whether O(path) was (or in check mode would be) rewritten.
  returned: always
  type: bool
set:
  description: The parameters set (or in check mode to be set) in the running kernel.
  returned: always
  type: list
  elements: str
removed:
  description: The keys removed from O(path).
  returned: always
  type: list
  elements: str
"""

import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import C_LOCALE_ENV

# A value of whole numbers (one or more fields): the kernel refuses words where it holds these.
_NUMBERS = re.compile(r"-?\d+(\s+-?\d+)*")
# sysctl may exit 0 without setting a value (Red Hat bug 1264080): these messages mean it failed.
_SET_FAILED = re.compile(r'^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$', re.M)


def normalise(value):
    """A value as it is written to the file (the rule of ansible.posix.sysctl)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    if text.lower() in BOOLEANS_TRUE:
        return "1"
    if text.lower() in BOOLEANS_FALSE:
        return "0"
    return text.strip()


def parse_line(line):
    """(key, value) of a `key = value` line, or None for blank lines, comments and other lines."""
    text = line.strip()
    if not text or text.startswith(("#", ";")) or "=" not in text:
        return None
    key, value = text.split("=", 1)
    return key.strip(), value.strip()


def plan_file(lines, wanted):
    """(new lines, keys whose file value differs, keys removed) for wanted {key: value or None}.

    As ansible.posix.sysctl rewrites a file: a key's first line only, `key=value`, stripped; the
    new keys appended in order.
    """
    parsed_lines = [(line, parse_line(line)) for line in lines]
    current = {}
    for _line, parsed in parsed_lines:
        if parsed and parsed[0] not in current:
            current[parsed[0]] = parsed[1]
    differ = [k for k, v in wanted.items() if (v is None and k in current) or (v is not None and current.get(k) != v)]
    removed = [k for k, v in wanted.items() if v is None and k in current]
    out, seen = [], set()
    for line, parsed in parsed_lines:
        if parsed is None:
            out.append(line.strip())
            continue
        key, value = parsed
        if key in seen:
            continue
        seen.add(key)
        if key not in wanted:
            out.append("%s=%s" % (key, value))
        elif wanted[key] is not None:
            out.append("%s=%s" % (key, wanted[key]))
    out += ["%s=%s" % (k, v) for k, v in wanted.items() if v is not None and k not in seen]
    return out, differ, removed


def main():
    module = AnsibleModule(
        argument_spec={
            "values": {"type": "dict", "required": True},
            "path": {"type": "path", "required": True},
            "apply": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    path = module.params["path"]
    wanted = {str(k).strip(): (None if v is None else normalise(v)) for k, v in module.params["values"].items()}
    bad = [k for k in wanted if not k or any(c.isspace() or c == "=" for c in k)]
    if bad:
        module.fail_json(msg="kernel_parameters: not a parameter name: %s" % ", ".join(repr(k) for k in bad))

    sysctl = module.get_bin_path("sysctl", required=True)
    to_set = []
    if module.params["apply"]:
        missing, not_numbers = [], []
        for key, value in wanted.items():
            if value is None:
                continue
            rc, out, err = module.run_command([sysctl, "-n", key], environ_update=C_LOCALE_ENV)
            if rc != 0:
                missing.append("%s (%s)" % (key, (err or out).strip() or "rc %d" % rc))
            elif _NUMBERS.fullmatch(out.strip()) and not _NUMBERS.fullmatch(value):
                not_numbers.append("%s is %r here, not %r" % (key, " ".join(out.split()), value))
            elif out.split() != value.split():
                to_set.append(key)
        problems = (["this node's kernel does not have %s" % ", ".join(missing)] if missing else []) + (
            ["these take whole numbers: %s" % "; ".join(not_numbers)] if not_numbers else [])
        if problems:
            module.fail_json(msg="kernel_parameters: %s; nothing was changed" % "; ".join(problems))

    try:
        with open(path) as handle:
            before = handle.read()
    except FileNotFoundError:
        before = ""
    except OSError as exc:
        module.fail_json(msg="kernel_parameters: cannot read %s: %s" % (path, exc))
    lines, differ, removed = plan_file(before.splitlines(), wanted)
    after = "".join(line + "\n" for line in lines) if differ else before
    result = {"changed": bool(differ or to_set), "file_changed": bool(differ), "set": to_set, "removed": removed}
    if module._diff and differ:
        result["diff"] = {"before": before, "after": after, "before_header": path, "after_header": path}
    if module.check_mode:
        module.exit_json(**result)

    for key in to_set:
        rc, out, err = module.run_command([sysctl, "-w", "%s=%s" % (key, wanted[key])], environ_update=C_LOCALE_ENV)
        if rc != 0 or _SET_FAILED.search(err or ""):
            message = (err or out).strip()
            module.fail_json(msg="kernel_parameters: setting %s=%s failed: %s" % (key, wanted[key], message), **result)
    if differ:
        directory = os.path.dirname(os.path.realpath(path))
        handle, temporary = tempfile.mkstemp(prefix=".hpc_kernel_parameters_", suffix=".conf", dir=directory)
        with os.fdopen(handle, "w") as out:
            out.write(after)
        if not os.path.exists(path):
            os.chmod(temporary, 0o644)
        module.atomic_move(temporary, os.path.realpath(path))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
