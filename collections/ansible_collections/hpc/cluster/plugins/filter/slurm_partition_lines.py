# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_partition_lines
short_description: Turn the inventory's partitions into slurm.conf PartitionName lines
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Builds one C(PartitionName=NAME Nodes=HOSTLIST Default=YES|NO ...) line per partition, in
    list order. The node list is every host of the partition's inventory C(groups), compressed
    with P(hpc.cluster.hostlist_compress#filter); it is never typed.
  - "C(options) are further PartitionName parameters. The documented form is a dictionary
    (C({MaxTime: 2-00:00:00, State: UP})); a string of C(Key=Value) pairs separated by spaces, as
    pasted from a slurm.conf line (C(MaxTime=2-00:00:00 State=UP)), is accepted too. Either way the
    parameters come sorted by name (case-insensitive), list values joined with commas, booleans as
    C(YES)/C(NO)."
  - Refused with one error naming each mistake and its partition - a missing or malformed name, a repeated name, more
    than one default partition, C(groups) that is not a list of known inventory groups or holds no
    host, hosts outside O(compute_group), C(options) that is neither a dictionary nor a
    C(Key=Value) string, a malformed pair, a repeated or reserved key (C(PartitionName), C(Nodes),
    C(Default)), and a value that is empty or holds whitespace, a quote or C(#).
  - Reads each group once, so the cost grows linearly with the number of hosts.
options:
  _input:
    description: The partitions, a list of C({name, groups, default, options}) (C(slurm_partitions)).
    type: list
    elements: dict
    required: true
  groups:
    description: Inventory group name -> its host names (Ansible's C(groups)).
    type: dict
    required: true
  compute_group:
    description: When given, every host of a partition must be in this group.
    type: str
seealso:
  - plugin: hpc.cluster.hostlist_compress
    plugin_type: filter
  - plugin: hpc.cluster.slurm_node_lines
    plugin_type: filter
"""

EXAMPLES = r"""
- name: PartitionName lines of slurm.conf
  ansible.builtin.debug:
    msg: "{{ slurm_partitions | hpc.cluster.slurm_partition_lines(groups, compute_group='compute') }}"
  vars:
    slurm_partitions:
      - {name: batch, groups: [compute], default: true, options: {MaxTime: 2-00:00:00, State: UP}}
      - {name: gpu, groups: [gpu], options: "MaxTime=1-00:00:00 AllowGroups=physics,chemistry"}
    # => ['PartitionName=batch Nodes=c[01-04],g[01-02] Default=YES MaxTime=2-00:00:00 State=UP',
    #     'PartitionName=gpu Nodes=g[01-02] Default=NO AllowGroups=physics,chemistry MaxTime=1-00:00:00']
"""

RETURN = r"""
_value:
  description: One slurm.conf PartitionName line per partition, in list order.
  type: list
  elements: string
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
)

_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_NAME_RE = re.compile(r"[^\s=#\"',]+")
_BAD_VALUE_RE = re.compile(r"[\s\"'#]")
_RESERVED = ("partitionname", "nodes", "default")
_STATES = ("UP", "DOWN", "DRAIN", "INACTIVE")  # slurm.conf(5), PartitionName State


def _fail(msg):
    raise AnsibleFilterError("slurm_partition_lines: %s" % msg)


def _parse_options(where, options, problems):
    """Options as a list of (key, value) pairs, from a dict or a Key=Value string; a string that is
    not Key=Value fields said in problems (and no pair)."""
    if options is None:
        return []
    if isinstance(options, Mapping):
        return list(options.items())
    if not isinstance(options, str):
        problems.append("%s: options must be a dictionary (or a 'Key=Value Key=Value' string), got %s"
                        % (where, type(options).__name__))
        return []
    pairs = []
    for field in options.split():
        key, sep, value = field.partition("=")
        if not sep or not key or not value:
            problems.append("%s: options %r: %r is not Key=Value" % (where, options, field))
            return []
        pairs.append((key, value))
    return pairs


def _value_problem(where, key, value):
    """(text, None) of an option's value, or (None, the problem)."""
    if isinstance(value, bool):
        text = "YES" if value else "NO"
    elif isinstance(value, (list, tuple)):
        text = ",".join(str(v) for v in value)
    elif isinstance(value, Mapping) or value is None:
        return None, "%s: option %s must be a string, a number or a list, got %r" % (where, key, value)
    else:
        text = str(value)
    if text == "" or _BAD_VALUE_RE.search(text):
        return None, "%s: option %s=%r is empty or holds whitespace, a quote or '#'" % (where, key, text)
    # Slurm reads a State by its first letters: State=DOWNN took the partition down, and the run passed.
    if key.lower() == "state" and text.upper() not in _STATES:
        return None, "%s: option %s=%s is not a partition state (%s)" % (where, key, text, ", ".join(_STATES))
    return text, None


def _options(where, options, problems):
    """The (key, value) pairs sorted; each bad one said in problems."""
    seen = set()
    out = []
    for key, value in _parse_options(where, options, problems):
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            problems.append("%s: option %r is not a PartitionName parameter name" % (where, key))
            continue
        if key.lower() in _RESERVED:
            problems.append("%s: option %s is set from the partition's name, groups and default; remove it "
                            "from options" % (where, key))
        elif key.lower() in seen:
            problems.append("%s: option %s is given twice" % (where, key))
        seen.add(key.lower())
        text, problem = _value_problem(where, key, value)
        if problem:
            problems.append(problem)
        else:
            out.append((key, text))
    # Jinja's dictsort order, which the template used before this filter.
    return sorted(out, key=lambda pair: pair[0].lower())


def _hosts_problem(where, part, groups, compute):
    """(the partition's hosts, None), or (None, what is wrong with its groups)."""
    names = part.get("groups")
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(g, str) for g in names):
        return None, "%s: groups must be a non-empty list of inventory group names, got %r" % (where, names)
    unknown = [g for g in names if g not in groups]
    if unknown:
        return None, "%s: unknown inventory group(s) %s" % (where, ", ".join(unknown))
    hosts = set()
    for name in names:
        hosts.update(groups[name] or ())
    if not hosts:
        return None, "%s: its groups %s hold no host" % (where, ", ".join(names))
    outsiders = sorted(hosts - compute) if compute is not None else []
    if outsiders:
        return None, "%s: host(s) %s are not in the compute group" % (
            where, ", ".join(outsiders[:10]) + (" ..." if len(outsiders) > 10 else ""))
    return hosts, None


def _line(index, part, groups, compute, names, defaults, problems):
    """The partition's PartitionName line, or None when it has a mistake (each said in problems)."""
    if not isinstance(part, Mapping):
        problems.append("slurm_partitions[%d] must be a dictionary, got %r" % (index, part))
        return None
    name = part.get("name")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        problems.append("slurm_partitions[%d]: name %r must be a non-empty word (no space, '=', '#', quote or "
                        "comma)" % (index, name))
        return None
    where = "partition %s" % name
    said = len(problems)
    if name in names:
        problems.append("%s is declared twice" % where)
    names.add(name)
    try:
        default = boolean(part.get("default", False), strict=True)
    except TypeError:
        problems.append("%s: default must be true or false, got %r" % (where, part.get("default")))
        default = False
    if default:
        defaults.append(name)
    nodes = None
    hosts, problem = _hosts_problem(where, part, groups, compute)
    if problem:
        problems.append(problem)
    else:
        try:
            nodes = compress(sorted(hosts))
        except HostlistError as exc:
            problems.append("%s: %s" % (where, exc))
    options = _options(where, part.get("options"), problems)
    if len(problems) > said:
        return None
    fields = ["PartitionName=%s" % name, "Nodes=%s" % nodes, "Default=%s" % ("YES" if default else "NO")]
    return " ".join(fields + ["%s=%s" % pair for pair in options])


def slurm_partition_lines(partitions, groups, compute_group=None):
    """PartitionName lines of slurm.conf, one per partition, in list order; every mistake of every
    partition in one error."""
    if not isinstance(partitions, (list, tuple)):
        _fail("slurm_partitions must be a list, got %s" % type(partitions).__name__)
    if not isinstance(groups, Mapping):
        _fail("groups must be the inventory's groups (a dictionary), got %s" % type(groups).__name__)
    compute = None
    if compute_group is not None:
        if compute_group not in groups:
            _fail("compute group %r is not an inventory group" % compute_group)
        compute = set(groups[compute_group] or ())

    lines, problems, names, defaults = [], [], set(), []
    for index, part in enumerate(partitions):
        lines.append(_line(index, part, groups, compute, names, defaults, problems))
    if len(defaults) > 1:
        problems.append("more than one default partition: %s; keep default: true on one" % ", ".join(defaults))
    if problems:
        _fail("; ".join(problems))
    return lines


class FilterModule:
    """slurm.conf PartitionName lines."""

    def filters(self):
        return {"slurm_partition_lines": slurm_partition_lines}
