# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: subid_ranges
short_description: Stable subordinate UID/GID ranges for the cluster users, computed from their UIDs
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns one C(/etc/subuid) and C(/etc/subgid) range per cluster user, for rootless Podman and
    Apptainer C(--fakeroot).
  - A user's range is a function of the user's fixed UID only, C(start + (uid - uid_base) * count),
    so every node computes the same ranges without any state, whatever the order of the users,
    and adding or removing a user never moves another user's range.
  - "Refused, all in one error naming the culprits: a UID below O(uid_base); a range that ends above
    4294967294 (the last subordinate ID the kernel maps); two users with the same UID; a range that
    overlaps the real UIDs of the users (from 0 to the highest UID); a range that overlaps one of
    O(reserved) (the system's ranges, for example those of an identity service)."
  - Call it once per run (C(run_once)); M(ansible.builtin.copy) the result of
    P(hpc.cluster.subid_file#filter) to each node.
options:
  _input:
    description: The users, C(cluster_users) of the inventory contract (each with C(name) and C(uid)).
    type: list
    elements: dict
    required: true
  start:
    description: First subordinate ID of the user whose UID is O(uid_base).
    type: int
    default: 1048576
  count:
    description: Size of each user's range (65536 lets a container use every 16-bit ID).
    type: int
    default: 65536
  uid_base:
    description: Lowest UID of a cluster user; the user with this UID gets the first range.
    type: int
    default: 1000
  reserved:
    description:
      - Ranges no user range may overlap, each C({name, start, count}).
    type: list
    elements: dict
    default: []
  context:
    description: Put before the error message, to name the host or variable.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Subordinate ID ranges of the cluster users, once per run
  ansible.builtin.set_fact:
    __podman_subids: "{{ cluster_users | hpc.cluster.subid_ranges(start=1048576, count=65536, uid_base=1000) }}"
  run_once: true

- name: The ranges it computes
  ansible.builtin.debug:
    msg: "{{ users | hpc.cluster.subid_ranges }}"
  vars:
    users:
      - {name: alice, uid: 2001}
      - {name: bob, uid: 1000}
    # => [{name: bob, uid: 1000, start: 1048576, count: 65536},
    #     {name: alice, uid: 2001, start: 66650112, count: 65536}]
"""

RETURN = r"""
_value:
  description: One range per user, sorted by UID.
  type: list
  elements: dict
  contains:
    name:
      description: User name.
      type: str
    uid:
      description: The user's UID.
      type: int
    start:
      description: First subordinate ID of the range.
      type: int
    count:
      description: Number of IDs in the range.
      type: int
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.subids import overlaps

# The kernel maps IDs up to 4294967294 (4294967295 is the invalid ID -1).
MAX_ID = 4294967294


def _int(value, what, prefix):
    if isinstance(value, bool):
        raise AnsibleFilterError("%s%s must be a number, got %r" % (prefix, what, value))
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise AnsibleFilterError("%s%s must be a number, got %r" % (prefix, what, value)) from None


def _span(start, count):
    return "%d-%d" % (start, start + count - 1)




def subid_ranges(users, start=1048576, count=65536, uid_base=1000, reserved=None, context=""):
    """Users -> sorted list of {name, uid, start, count}; see DOCUMENTATION."""
    prefix = "%s: " % context if context else ""
    if not isinstance(users, list):
        raise AnsibleFilterError("%ssubid_ranges: expected a list of users, got %s" % (prefix, type(users).__name__))
    start = _int(start, "start", prefix)
    count = _int(count, "count", prefix)
    uid_base = _int(uid_base, "uid_base", prefix)
    if start < 1 or count < 1:
        raise AnsibleFilterError("%ssubid_ranges: start (%d) and count (%d) must be positive" % (prefix, start, count))
    problems, ranges, by_uid = [], [], {}
    for user in users:
        if not isinstance(user, Mapping) or "name" not in user or "uid" not in user:
            raise AnsibleFilterError("%ssubid_ranges: every user needs a name and a uid, got %r" % (prefix, user))
        name = str(user["name"])
        uid = _int(user["uid"], "uid of user %s" % name, prefix)
        if uid < uid_base:
            problems.append("user %s: uid %d is below uid_base %d" % (name, uid, uid_base))
            continue
        if uid in by_uid:
            problems.append("users %s and %s share uid %d" % (by_uid[uid], name, uid))
            continue
        by_uid[uid] = name
        first = start + (uid - uid_base) * count
        if first + count - 1 > MAX_ID:
            problems.append("user %s: range %s ends above %d (uid %d too far above uid_base %d for count %d)"
                            % (name, _span(first, count), MAX_ID, uid, uid_base, count))
            continue
        ranges.append({"name": name, "uid": uid, "start": first, "count": count})
    ranges.sort(key=lambda r: r["uid"])
    highest = max(by_uid) if by_uid else 0
    for entry in ranges:
        if entry["start"] <= highest:
            problems.append("user %s: range %s overlaps the real UIDs of the users (0-%d)"
                            % (entry["name"], _span(entry["start"], entry["count"]), highest))
    for item in reserved or []:
        if not isinstance(item, Mapping) or "start" not in item or "count" not in item:
            raise AnsibleFilterError("%ssubid_ranges: a reserved range needs start and count, got %r" % (prefix, item))
        r_start = _int(item["start"], "reserved start", prefix)
        r_count = _int(item["count"], "reserved count", prefix)
        label = str(item.get("name") or "reserved")
        for entry in ranges:
            if overlaps(entry["start"], entry["count"], r_start, r_count):
                problems.append("user %s: range %s overlaps the reserved range %s (%s)"
                                % (entry["name"], _span(entry["start"], entry["count"]), label,
                                   _span(r_start, r_count)))
    if problems:
        raise AnsibleFilterError(prefix + "subordinate ID ranges refused: " + "; ".join(problems))
    return ranges


class FilterModule:
    """Subordinate ID ranges of the cluster users."""

    def filters(self):
        return {"subid_ranges": subid_ranges}
