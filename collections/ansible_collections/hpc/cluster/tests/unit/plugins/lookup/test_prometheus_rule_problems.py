# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hpc.cluster.prometheus_rule_problems: the site's rule files checked on the controller, before any change."""

from __future__ import annotations

import pytest
from ansible.parsing.dataloader import DataLoader

from ansible_collections.hpc.cluster.plugins.lookup.prometheus_rule_problems import LookupModule
from ansible_collections.hpc.cluster.plugins.plugin_utils.prometheus_rules import rule_file_problems

pytestmark = pytest.mark.usefixtures("plugin_loader")

GOOD = """groups:
  - name: site
    rules:
      - alert: NodeDown
        expr: up == 0
        for: 5m
      - record: job:up:sum
        expr: sum by (job) (up)
  - name: empty
    rules: []
"""


def lookup(*terms):
    return LookupModule(loader=DataLoader()).run(list(terms), variables={})


def test_good_files_have_no_problem(tmp_path):
    (tmp_path / "a.yml").write_text(GOOD)
    (tmp_path / "b.yml").write_text("groups: []\n")
    assert lookup([str(tmp_path / "a.yml"), str(tmp_path / "b.yml")]) == [[]]


@pytest.mark.parametrize(("text", "problems"), [
    ("groups: [\n", ["f is not YAML (line 2): expected the node content, but found '<stream end>'"]),
    ("", ["f must hold 'groups:', a list of rule groups (Prometheus' rule file format)"]),
    ("- alert: A\n  expr: up\n", ["f must hold 'groups:', a list of rule groups (Prometheus' rule file format)"]),
    ("groups:\n  - rules: []\n  - name: a\n  - name: a\n    rules: {}\n",
     ["f, group 1: needs a name", "f, group a: needs rules, a list", "f, group a: the group name is given twice",
      "f, group a: needs rules, a list"]),
    ("groups:\n  - name: a\n    rules:\n      - alert: A\n      - record: r\n        alert: B\n        expr: up\n"
     "      - expr: up\n      - up == 0\n",
     ["f, group a, rule A: needs expr", "f, group a, rule 2: needs exactly one of alert and record",
      "f, group a, rule 3: needs exactly one of alert and record",
      "f, group a, rule 4: must be a mapping with alert or record, and expr"]),
])
def test_each_mistake_named(text, problems):
    assert rule_file_problems("f", text) == problems


def test_missing_files_and_names_given_twice(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "site.yml").write_text(GOOD)
    (tmp_path / "site.yml").write_text("groups:\n  - name: x\n")
    first, second, missing = (str(tmp_path / "one" / "site.yml"), str(tmp_path / "site.yml"),
                              str(tmp_path / "none.yml"))
    assert lookup([first, second, missing]) == [[
        "prometheus_rule_files %s and %s: both would be written as site-site.yml, the second over the first at "
        "every run (give them different names)" % (first, second),
        "prometheus_rule_files %s, group x: needs rules, a list" % second,
        "prometheus_rule_files %s: not a file on the controller (looked for in the role's files, then the "
        "playbook's)" % missing]]
