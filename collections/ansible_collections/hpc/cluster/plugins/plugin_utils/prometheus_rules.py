# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape of a Prometheus rule file (groups of alerting and recording rules), checked on the controller
before any node changes; promtool, on the monitoring host, still checks the expressions."""

from __future__ import annotations

from collections.abc import Mapping

import yaml


def rule_file_problems(name, text):
    """One sentence per mistake in the rule file name holding text: not YAML, no list of groups, a group
    without a name (or named twice) or rules, a rule without expr or with not exactly one of alert, record."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = " (line %d)" % (mark.line + 1) if mark is not None else ""
        return ["%s is not YAML%s: %s" % (name, where, getattr(exc, "problem", None) or exc)]
    if not isinstance(data, Mapping) or not isinstance(data.get("groups"), list):
        return ["%s must hold 'groups:', a list of rule groups (Prometheus' rule file format)" % name]
    problems, seen = [], set()
    for index, group in enumerate(data["groups"]):
        if not isinstance(group, Mapping) or not isinstance(group.get("name"), str) or not group["name"]:
            problems.append("%s, group %d: needs a name" % (name, index + 1))
            continue
        where = "%s, group %s" % (name, group["name"])
        if group["name"] in seen:
            problems.append("%s: the group name is given twice" % where)
        seen.add(group["name"])
        if not isinstance(group.get("rules"), list):
            problems.append("%s: needs rules, a list" % where)
            continue
        for number, rule in enumerate(group["rules"], 1):
            if not isinstance(rule, Mapping):
                problems.append("%s, rule %d: must be a mapping with alert or record, and expr" % (where, number))
                continue
            kinds = [key for key in ("alert", "record") if rule.get(key)]
            if len(kinds) != 1:
                problems.append("%s, rule %d: needs exactly one of alert and record" % (where, number))
            if rule.get("expr") in (None, ""):
                problems.append("%s, rule %s: needs expr" % (where, rule.get(kinds[0]) if len(kinds) == 1
                                                              else number))
    return problems
