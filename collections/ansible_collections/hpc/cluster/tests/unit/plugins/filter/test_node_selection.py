# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""node_selection: the nodes given to a day-2 playbook, expanded and checked; from tables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.node_selection import FilterModule, node_selection

GROUPS = {
    "all": ["head", "login1", "c01", "c02", "c03", "gpu1", "nfs1"],
    "ungrouped": ["nfs1"],
    "cluster": ["head", "login1", "c01", "c02", "c03", "gpu1"],
    "control": ["head"],
    "login": ["login1"],
    "compute": ["c01", "c02", "c03", "gpu1"],
    "gpu": ["gpu1"],
}


def test_filter_name():
    assert FilterModule().filters() == {"node_selection": node_selection}


@pytest.mark.parametrize("nodes, expected", [
    ("c[01-02]", ["c01", "c02"]),
    ("c[01-03],gpu1", ["c01", "c02", "c03", "gpu1"]),
    (["c01", "gpu1"], ["c01", "gpu1"]),
    # -e '{"nodes": ["c[01", "02]"]}' style splits are joined back.
    (["c[01", "03]"], ["c01", "c03"]),
    ("c02,c02, c01", ["c02", "c01"]),
])
def test_good_selection(nodes, expected):
    result = node_selection(nodes, GROUPS)
    assert result == {"nodes": expected, "in_inventory": expected, "removed": [], "unknown": [], "outside_compute": [],
                      "problems": []}


@pytest.mark.parametrize("nodes", [None, "", "  ", [], [""]])
def test_empty_selection_is_refused(nodes):
    result = node_selection(nodes, GROUPS)
    assert result["problems"] == ["nodes: no node given (name compute nodes as a Slurm hostlist, "
                                  "e.g. -e nodes=c[01-02])."]
    assert result["in_inventory"] == []


@pytest.mark.parametrize("nodes, problem", [
    ("c[03-01]", "reversed range '03-1' in 'c[03-01]'"),
    ("c[1-2]-ib", "text '-ib' after the last bracket"),
    ("c01,,c02", "empty name"),
])
def test_bad_hostlist_is_refused(nodes, problem):
    result = node_selection(nodes, GROUPS)
    assert len(result["problems"]) == 1 and problem in result["problems"][0], result
    assert result["in_inventory"] == []


@pytest.mark.parametrize("nodes, problem", [
    ("head", "nodes: head (group cluster, control) is not a compute node: day-2 playbooks act on hosts "
             "of group 'compute' only."),
    ("c01,head,login1", "nodes: head (group cluster, control), login1 (group cluster, login) are not compute "
                        "nodes: day-2 playbooks act on hosts of group 'compute' only."),
    ("nfs1", "nodes: nfs1 (group all) is not a compute node: day-2 playbooks act on hosts of group 'compute' only."),
])
def test_non_compute_hosts_are_refused_with_their_groups(nodes, problem):
    assert node_selection(nodes, GROUPS)["problems"] == [problem]


def test_unknown_nodes_are_refused_by_name():
    result = node_selection("c[01-02],c[09-10]", GROUPS)
    assert result["problems"] == ["nodes: c[09-10] are not in the inventory (a typo?)."]
    assert result["in_inventory"] == ["c01", "c02"] and result["unknown"] == ["c09", "c10"]


def test_removed_nodes_slurm_still_knows_are_accepted_only_when_allowed():
    known = ["c01", "c02", "c09"]
    allowed = node_selection("c02,c09", GROUPS, known=known, allow_removed=True)
    assert allowed == {"nodes": ["c02", "c09"], "in_inventory": ["c02"], "removed": ["c09"], "unknown": [],
                       "outside_compute": [], "problems": []}
    refused = node_selection("c02,c09", GROUPS, known=known)
    assert refused["unknown"] == ["c09"]
    assert refused["problems"] == ["nodes: c09 is not in the inventory (a typo?)."]


def test_unknown_to_inventory_and_slurm_is_refused():
    result = node_selection("c09,c77", GROUPS, known=["c09"], allow_removed=True)
    assert result["removed"] == ["c09"] and result["unknown"] == ["c77"]
    assert result["problems"] == ["nodes: c77 is neither in the inventory nor known to Slurm "
                                  "(a typo, or removed already)."]


def test_every_kind_of_problem_at_once():
    result = node_selection("head,c77,c01", GROUPS)
    assert len(result["problems"]) == 2
    assert result["problems"][0].startswith("nodes: head (group cluster, control) is not a compute node")
    assert result["problems"][1].startswith("nodes: c77 is not in the inventory")


def test_other_compute_group():
    groups = dict(GROUPS, batch=["c01", "c02"])
    result = node_selection("c01,c03", groups, compute_group="batch")
    assert result["problems"] == ["nodes: c03 (group cluster, compute) is not a compute node: day-2 "
                                  "playbooks act on hosts of group 'batch' only."]


@pytest.mark.parametrize("nodes, groups, message", [
    (5, GROUPS, "expected a hostlist string or a list of names, got int"),
    (["c01", 5], GROUPS, "every item must be a string"),
    ("c01", ["compute"], "groups must be a dict"),
])
def test_wrong_types_raise(nodes, groups, message):
    with pytest.raises(AnsibleFilterError, match="^node_selection: " + message):
        node_selection(nodes, groups)


def test_without_slurms_list_removed_names_are_unknown_for_a_second_call():
    first = node_selection("c02,c09", GROUPS, allow_removed=True)
    assert first["unknown"] == ["c09"] and first["removed"] == []
    assert first["problems"] == ["nodes: c09 is not in the inventory (a typo?)."]
    second = node_selection("c02,c09", GROUPS, known=["c09"], allow_removed=True)
    assert second["problems"] == [] and second["removed"] == ["c09"]


# A controller that runs jobs too (in groups control and compute).
BOTH = dict(GROUPS, control=["head", "c03"])


def test_a_compute_node_in_an_excluded_group_is_refused():
    """Rolling maintenance drained, updated and rebooted a controller that was a compute node too."""
    result = node_selection("c[01-03]", BOTH, exclude_groups=["control", "login"])
    assert result["in_inventory"] == ["c01", "c02"]
    assert result["problems"] == ["nodes: c03 is also in group control, whose hosts this playbook does not act on."]
    assert node_selection("c[01-03]", BOTH)["problems"] == []


@pytest.mark.parametrize("exclude", ["control", ["control", 5]])
def test_exclude_groups_must_be_a_list_of_names(exclude):
    with pytest.raises(AnsibleFilterError, match="^node_selection: exclude_groups must be a list of group names"):
        node_selection("c01", GROUPS, exclude_groups=exclude)


def test_a_controller_that_left_group_compute_is_removed_where_slurm_knows_it():
    """remove_nodes.yml's second step for a controller that ran jobs too: it left group compute, not
    the inventory; Slurm still knows it."""
    first = node_selection("head", GROUPS, allow_removed=True)
    assert first["outside_compute"] == ["head"] and first["unknown"] == []
    second = node_selection("head", GROUPS, known=["head", "c01"], allow_removed=True)
    assert second["problems"] == [] and second["removed"] == ["head"] and second["outside_compute"] == []
    # Not a node Slurm knows (a login host): still not a compute node.
    third = node_selection("login1", GROUPS, known=["head", "c01"], allow_removed=True)
    assert third["problems"][0].startswith("nodes: login1 (group cluster, login) is not a compute node")
