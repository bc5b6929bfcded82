# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: prometheus_rule_problems
short_description: Every mistake in the site's Prometheus rule files, read on the controller
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the rule files of C(prometheus_rule_files) (role prometheus) and returns one sentence per
    mistake, naming the file; an empty list when there is none. A relative path is looked for as the
    C(ansible.builtin.file) lookup of the role's configure step looks for it (the role's C(files)
    directory, then the playbook's).
  - Refused - a file that is not there, two files of one name (both would be written as
    C(site-<name>), the second over the first at every run), a file that is not YAML or not Prometheus'
    rule file format (C(groups), each with a C(name) given once and C(rules), each rule with C(expr) and
    one of C(alert) and C(record)).
  - promtool, on the monitoring host, still checks the expressions when the role writes the files.
options:
  _terms:
    description: The rule files' paths; lists are flattened.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Check the site's rule files
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ lookup('hpc.cluster.prometheus_rule_problems', prometheus_rule_files) }}"
"""

RETURN = r"""
_raw:
  description: One list of sentences.
  type: list
  elements: list
"""

import os

from ansible.plugins.lookup import LookupBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.prometheus_rules import rule_file_problems


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        problems, names = [], {}
        for term in self._flatten(terms):
            where = "prometheus_rule_files %s" % term
            base = os.path.basename(str(term))
            if base in names:
                problems.append("prometheus_rule_files %s and %s: both would be written as site-%s, the second "
                                "over the first at every run (give them different names)" % (names[base], term, base))
            names.setdefault(base, term)
            found = self.find_file_in_search_path(variables or {}, "files", term, ignore_missing=True)
            if not found or not os.path.isfile(found):
                problems.append("%s: not a file on the controller (looked for in the role's files, then the "
                                "playbook's)" % where)
                continue
            try:
                with open(found, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError as exc:
                problems.append("%s: cannot read it: %s" % (where, exc.strerror))
                continue
            problems += rule_file_problems(where, text)
        return [problems]
