# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: limits_problems
short_description: What is wrong with the limits role base writes to limits.d, one message each
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Role base's check of its merged limits (domain to item to soft and hard values), made before
    anything changes.
  - Refuses an item pam_limits does not know (limits.conf(5); it logs C(unknown limit item) and skips
    the line), a domain or item that is not a mapping, a value that is neither a number nor
    C(unlimited), a soft limit above its hard limit, and an open-file limit (C(nofile)) that is
    C(unlimited) or above O(nr_open). pam_limits skips a line it cannot read, lowers a soft limit to
    its hard one, and cannot set an open-file limit above C(fs.nr_open) (the users keep a lower
    default; older PAM releases refuse the login).
  - A type C(-) sets both limits.
options:
  _input:
    description: The merged limits; a null domain, item or type is left out (removed).
    type: dict
    required: true
  nr_open:
    description: The kernel's C(fs.nr_open), the highest open-file limit a process may have.
    type: int
    default: 1048576
"""

EXAMPLES = r"""
- name: Check the limits
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ base_limits | hpc.cluster.limits_problems(nr_open=1048576) }}"
"""

RETURN = r"""
_value:
  description: One message per problem; empty when the limits can be set.
  type: list
  elements: str
"""

import difflib
import re

from ansible.errors import AnsibleFilterError

UNLIMITED = ("unlimited", "infinity", "-1")
# Items whose value is a count or a size, where a soft limit above the hard one is refused.
RESOURCE_ITEMS = ("as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nofile", "nproc", "rss",
                  "rtprio", "sigpending", "stack")
FREE_ITEMS = ("chroot", "nonewprivs")  # not numbers
# Every item limits.conf(5) names (Linux-PAM 1.5; chroot is Debian's), as pam_limits compares them (case and all).
ITEMS = RESOURCE_ITEMS + FREE_ITEMS + ("maxlogins", "maxsyslogins", "nice", "priority")
_INTEGER_RE = re.compile(r"-?\d+")


def _number(value):
    """An int, float('inf') for unlimited, or None for neither."""
    text = str(value).strip().lower()
    if isinstance(value, bool):
        return None
    if text in UNLIMITED:
        return float("inf")
    return int(text) if _INTEGER_RE.fullmatch(text) else None


NOT_SET = ("pam_limits cannot set it: it logs 'Could not set limit' and the users keep a lower default "
           "(older PAM releases refuse the login)")


def _item_problems(domain, item, types, nr_open):
    where = "%s %s" % (domain, item)
    if item not in ITEMS:
        close = difflib.get_close_matches(str(item).lower(), ITEMS, n=1)
        return ["limits %s: pam_limits knows no item %r and would skip the line%s; its items: %s"
                % (where, item, " (did you mean %s?)" % close[0] if close else "", ", ".join(sorted(ITEMS)))]
    values = {kind: value for kind, value in types.items() if value is not None}
    if "-" in values:
        values = dict({"soft": values["-"], "hard": values["-"]}, **{k: v for k, v in values.items() if k != "-"})
    unknown = sorted(str(kind) for kind in values if kind not in ("soft", "hard"))
    if unknown:
        return ["limits %s: type %s is not soft, hard or - (pam_limits would skip the line)"
                % (where, ", ".join(unknown))]
    if item in FREE_ITEMS:
        return []
    numbers = {kind: _number(value) for kind, value in values.items()}
    bad = [kind for kind, number in sorted(numbers.items()) if number is None]
    if bad:
        return ["limits %s: %s %r is not a number or unlimited (pam_limits would skip the line)"
                % (where, kind, values[kind]) for kind in bad]
    problems = []
    if item in RESOURCE_ITEMS and numbers.get("soft", 0) > numbers.get("hard", float("inf")):
        problems.append("limits %s: soft %s is above hard %s (pam_limits would lower it to the hard limit)"
                        % (where, values["soft"], values["hard"]))
    if item == "nofile":
        problems += ["limits %s: %s %s is above fs.nr_open (%d), the most open files a process may have%s: %s"
                     % (where, kind, values[kind], nr_open,
                        ", and nofile cannot be unlimited" if numbers[kind] == float("inf") else "", NOT_SET)
                     for kind, number in sorted(numbers.items()) if number > nr_open]
    return problems


def limits_problems(limits, nr_open=1048576):
    if not isinstance(limits, dict):
        raise AnsibleFilterError("limits_problems: the limits must be a dictionary, got %s" % type(limits).__name__)
    shape, problems = [], []
    for domain, items in limits.items():
        if items is None:
            continue
        if not isinstance(items, dict) or any(types is not None and not isinstance(types, dict)
                                              for types in items.values()):
            shape.append("%s: %s" % (domain, items))
            continue
        for item, types in items.items():
            if types is not None:
                problems += _item_problems(domain, item, types, int(nr_open))
    if shape:
        problems.insert(0, "limits for a domain must be {item: {soft: value, hard: value}}; not so for "
                        + "; ".join(shape))
    return problems


class FilterModule:
    def filters(self):
        return {"limits_problems": limits_problems}
