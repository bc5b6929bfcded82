# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""/etc/subuid and /etc/subgid with the cluster users' ranges: shared by the filter
hpc.cluster.subid_file (on the controller) and the module hpc.cluster.userns_info (on the node)."""

from __future__ import annotations

from collections.abc import Mapping


class SubidError(ValueError):
    """Input the merge cannot use, or entries that overlap a cluster range (the message names them)."""


def overlaps(a_start, a_count, b_start, b_count):
    """True when [a_start, a_start+a_count) and [b_start, b_start+b_count) share an ID."""
    return a_start < b_start + b_count and b_start < a_start + a_count


def _entry(line):
    """(owner, start, count) of an entry line, None for comments, blank and malformed lines."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    parts = text.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return parts[0], int(parts[1]), int(parts[2])


def merged_text(text, ranges):
    """The file's new text: each cluster user's line (by name or UID) replaced by the user's range,
    the ranges last in UID order, every other line kept. SubidError names kept entries that overlap."""
    if text is None:
        text = ""
    if not isinstance(text, str) or not isinstance(ranges, list):
        raise SubidError("subid_file: expected the file's text and a list of ranges")
    ours = {}
    for item in ranges:
        if not isinstance(item, Mapping) or not {"name", "uid", "start", "count"} <= set(item):
            raise SubidError("subid_file: a range needs name, uid, start and count, got %r" % (item,))
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
        raise SubidError("subordinate IDs of other accounts overlap the cluster users' ranges: "
                         + "; ".join(problems)
                         + ". Remove those entries or move the cluster range (cluster_subid_start).")
    lines = kept + ["%s:%d:%d" % (item["name"], int(item["start"]), int(item["count"]))
                    for item in sorted(ours.values(), key=lambda i: int(i["uid"]))]
    return "\n".join(lines) + "\n" if lines else ""
