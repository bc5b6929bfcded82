# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: subid_file
short_description: The content of /etc/subuid or /etc/subgid with the cluster users' ranges
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the current text of a node's C(/etc/subuid) (or C(/etc/subgid)) and the ranges of
    P(hpc.cluster.subid_ranges#filter), and returns the new text. Every line of a cluster user (by
    name or by UID) is replaced by that user's range; the ranges come last, in UID order. Every other
    line (comments, other users, for example the ranges C(useradd) gave local accounts) is kept
    where it is.
  - A kept entry whose range overlaps a cluster user's range is refused, naming the entry and the
    user, so that two accounts never share subordinate IDs. The same text in gives the same text
    out, so a second run changes nothing.
options:
  _input:
    description: Current content of the file (empty when it does not exist).
    type: str
    required: true
  ranges:
    description: The users' ranges, from P(hpc.cluster.subid_ranges#filter).
    type: list
    elements: dict
    required: true
  context:
    description: Put before the error message, to name the host and the file.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Read /etc/subuid
  ansible.builtin.slurp:
    src: /etc/subuid
  register: __subuid

- name: Write it with the cluster users' ranges
  ansible.builtin.copy:
    content: >-
      {{ __subuid.content | b64decode
         | hpc.cluster.subid_file(__ranges, context=inventory_hostname ~ ' /etc/subuid') }}
    dest: /etc/subuid
    owner: root
    group: root
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The new content, one C(name:start:count) line per entry, ending with a newline.
  type: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.subid_ranges import overlaps


def _entry(line):
    """(owner, start, count) of an entry line, None for comments, blank and malformed lines."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    parts = text.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return parts[0], int(parts[1]), int(parts[2])


def subid_file(text, ranges, context=""):
    """Current file text + ranges -> new file text; see DOCUMENTATION."""
    prefix = "%s: " % context if context else ""
    if text is None:
        text = ""
    if not isinstance(text, str) or not isinstance(ranges, list):
        raise AnsibleFilterError("%ssubid_file: expected the file's text and a list of ranges" % prefix)
    ours = {}
    for item in ranges:
        if not isinstance(item, Mapping) or not {"name", "uid", "start", "count"} <= set(item):
            raise AnsibleFilterError("%ssubid_file: a range needs name, uid, start and count, got %r" % (prefix, item))
        ours[str(item["name"])] = item
    owners = set(ours) | {str(item["uid"]) for item in ours.values()}
    kept, problems = [], []
    for number, line in enumerate(text.splitlines(), 1):
        entry = _entry(line)
        if entry and entry[0] in owners:
            continue
        kept.append(line)
        if entry is None:
            continue
        for item in ours.values():
            if overlaps(entry[1], entry[2], int(item["start"]), int(item["count"])):
                problems.append("line %d '%s' (%d-%d) overlaps the range of %s (%d-%d)"
                                % (number, line.strip(), entry[1], entry[1] + entry[2] - 1, item["name"],
                                   int(item["start"]), int(item["start"]) + int(item["count"]) - 1))
    if problems:
        raise AnsibleFilterError(prefix + "subordinate IDs of other accounts overlap the cluster users' ranges: "
                                 + "; ".join(problems)
                                 + ". Remove those entries or move the cluster range (cluster_subid_start).")
    lines = kept + ["%s:%d:%d" % (item["name"], int(item["start"]), int(item["count"]))
                    for item in sorted(ours.values(), key=lambda i: int(i["uid"]))]
    return "\n".join(lines) + "\n" if lines else ""


class FilterModule:
    """/etc/subuid and /etc/subgid content."""

    def filters(self):
        return {"subid_file": subid_file}
