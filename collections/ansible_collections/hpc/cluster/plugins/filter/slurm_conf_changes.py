# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_conf_changes
short_description: Tell whether a slurm.conf change needs a daemon restart or only a reconfigure
version_added: 0.2.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Compares the slurm.conf about to be written with the current one and returns the keys that
    change, and whether applying them needs a restart of the daemons (slurmctld, then slurmd)
    rather than C(scontrol reconfigure), with the reason for each key that does.
  - Keys are compared case-insensitively, comments and blank lines ignored. Lines that may
    repeat (C(NodeName), C(PartitionName), C(NodeSet), C(DownNodes), C(SlurmctldHost),
    C(Include)) are compared as a whole, as a set of lines.
  - A restart is needed for
    node definitions and controllers (C(NodeName), C(NodeSet), C(DownNodes), C(FrontendName),
    C(SlurmctldHost)), an C(Include) line, C(SlurmUser) (after a reconfigure slurmd refused
    slurmctld's RPCs, lab), a plugin choice (a key ending in C(Type), C(Plugin) or
    C(Plugins)), the keys that slurm.conf(5) of the running release says need one (kept with their
    source in the collection's module_utils C(slurm_restart_keys)), and the site's own
    O(restart_keys). Some keys count only for some of their options (C(SlurmctldParameters)
    C(enable_configless) on 22.05).
  - Without a current slurm.conf the answer is a restart (nothing runs from it yet).
options:
  _input:
    description: The new slurm.conf text.
    type: str
    required: true
  current:
    description: The current slurm.conf text; empty or V(null) when there is none.
    type: str
    required: true
  version:
    description:
      - Slurm version of the controller, as C(slurmctld -V) or C(sinfo -V) print it
        (C(slurm 22.05.8)) or bare (C(24.11.5)). The rules of the newest release listed at or
        below it apply.
      - Empty, V(null), unreadable or older than every release listed means the oldest rules
        (22.05), which have the most restart keys.
    type: str
  restart_keys:
    description: Further keys whose change needs a restart (the site's C(slurm_restart_keys)).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Decide between restart and reconfigure
  ansible.builtin.set_fact:
    change: >-
      {{ lookup('ansible.builtin.template', 'slurm.conf.j2')
         | hpc.cluster.slurm_conf_changes(current_text, version='22.05.8',
                                          restart_keys=['TreeWidth']) }}
  # => {changed: [MaxJobCount], restart: true, rules: '22.05',
  #     reasons: [{key: MaxJobCount, why: 'slurm.conf(5) 22.05: a restart of slurmctld ...'}]}
"""

RETURN = r"""
_value:
  description: What changes, and how to apply it.
  type: dict
  contains:
    changed:
      description: Changed keys, sorted, spelled as in the new file (or the current one if removed).
      type: list
      elements: str
    restart:
      description: Whether a restart is needed (otherwise C(scontrol reconfigure) suffices).
      type: bool
    reasons:
      description: One C({key, why}) per key that needs the restart, in the order of RV(_value.changed).
      type: list
      elements: dict
    rules:
      description: The release whose slurm.conf(5) rules applied.
      type: str
    source:
      description: Where that release's rules were read.
      type: str
"""

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.slurm_restart_keys import (
    RESTART_KEYS,
    SOURCES,
)

# Keys that may appear on several lines: compared as a set of whole lines.
_LINE_KEYS = {"nodename", "partitionname", "nodeset", "downnodes", "frontendname",
              "slurmctldhost", "include"}
_ALWAYS = {
    "nodename": "node definitions need slurmctld and every slurmd restarted",
    "nodeset": "node definitions need slurmctld and every slurmd restarted",
    "downnodes": "node definitions need slurmctld and every slurmd restarted",
    "frontendname": "node definitions need slurmctld and every slurmd restarted",
    "slurmctldhost": "a change of controllers needs every daemon restarted",
    "include": "an included file's content is not known here",
    # Not in slurm.conf(5)'s lists; seen on the lab (22.05).
    "slurmuser": "slurmd takes RPCs from SlurmUser only (and root): after a reconfigure it took the new one "
                 "and refused slurmctld, which still ran as the old, and every job credential ('Credential "
                 "created by invalid user', lab): slurmctld and every slurmd restart",
}
_PLUGIN_RE = re.compile(r"(?:type|plugin|plugins)$")
_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*$")
_VERSION_RE = re.compile(r"(\d+)\.(\d+)")


def _fail(msg):
    raise AnsibleFilterError("slurm_conf_changes: %s" % msg)


def _release(text):
    return tuple(int(part) for part in text.split("."))


def _rules_for(version):
    """(release, rules) for a version string; the oldest release when unknown."""
    releases = sorted(RESTART_KEYS, key=_release)
    match = _VERSION_RE.search(version or "") if isinstance(version, str) else None
    chosen = releases[0]
    if match:
        running = (int(match.group(1)), int(match.group(2)))
        for release in releases:
            if _release(release) <= running:
                chosen = release
    return chosen, {key.lower(): (key, rule) for key, rule in RESTART_KEYS[chosen].items()}


def _parse(text, what):
    """{lower key: (spelling, value)}; a line key's value is the sorted list of its lines."""
    found = {}
    for raw in text.splitlines():
        line = re.sub(r"(?<!\\)#.*", "", raw).strip()
        if not line:
            continue
        if "=" in line:
            key, value = line.split("=", 1)
        elif line.split()[0].lower() == "include":
            key, value = "Include", line.split(None, 1)[1] if " " in line else ""
        else:
            _fail("line %r of the %s slurm.conf is not key=value" % (line, what))
        key = key.strip()
        if not _KEY_RE.match(key):
            _fail("line %r of the %s slurm.conf is not key=value" % (line, what))
        lower = key.lower()
        if lower in _LINE_KEYS:
            spelling, lines = found.get(lower, (key, []))
            found[lower] = (spelling, sorted(lines + [" ".join(line.split())]))
        else:
            found[lower] = (key, value.strip())
    return found


def _changed_options(old, new):
    """Lowercase names of the options added, removed or given another value."""
    def pairs(value):
        if not isinstance(value, str):
            return set()
        return {part.strip().lower() for part in value.split(",") if part.strip()}
    return {item.split("=", 1)[0] for item in pairs(old) ^ pairs(new)}


def slurm_conf_changes(new, current, version=None, restart_keys=None):
    """Changed keys of slurm.conf and whether they need a restart."""
    if not isinstance(new, str):
        _fail("new slurm.conf must be a string, got %s" % type(new).__name__)
    if current is not None and not isinstance(current, str):
        _fail("current slurm.conf must be a string, got %s" % type(current).__name__)
    extra = restart_keys if restart_keys is not None else []
    if not isinstance(extra, (list, tuple)) or not all(isinstance(k, str) for k in extra):
        _fail("restart_keys must be a list of slurm.conf keys, got %r" % (extra,))
    extra = {key.lower() for key in extra}

    release, rules = _rules_for(version)
    new_keys = _parse(new, "new")
    old_keys = _parse(current or "", "current")
    changed = []
    for lower in set(new_keys) | set(old_keys):
        spelling, new_value = new_keys.get(lower, (None, None))
        old_spelling, old_value = old_keys.get(lower, (None, None))
        if new_value != old_value:
            changed.append((spelling or old_spelling, lower, old_value, new_value))
    changed.sort()

    reasons = []
    if not (current or "").strip():
        reasons.append({"key": "slurm.conf", "why": "no current slurm.conf: the daemons start from it"})
    for spelling, lower, old_value, new_value in changed:
        why = None
        if lower in _ALWAYS:
            why = _ALWAYS[lower]
        elif _PLUGIN_RE.search(lower):
            why = "a plugin choice needs the daemons restarted"
        elif lower in rules:
            rule = rules[lower][1]
            options = {option.lower() for option in rule.get("options") or ()}
            if not options or options & _changed_options(old_value, new_value):
                why = "slurm.conf(5) %s: %s" % (release, rule["why"])
        if why is None and lower in extra:
            why = "listed in slurm_restart_keys"
        if why:
            reasons.append({"key": spelling, "why": why})
    return {
        "changed": [item[0] for item in changed],
        "restart": bool(reasons),
        "reasons": reasons,
        "rules": release,
        "source": SOURCES[release],
    }


class FilterModule:
    """slurm.conf change classification."""

    def filters(self):
        return {"slurm_conf_changes": slurm_conf_changes}
