# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_partition_lines: partitions + inventory groups -> PartitionName lines, from tables."""

from __future__ import annotations

import time

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_partition_lines import (
    FilterModule,
    slurm_partition_lines,
)

GROUPS = {
    "all": ["head", "c01", "c02", "c03", "g01", "g02"],
    "cluster": ["head", "c01", "c02", "c03", "g01", "g02"],
    "control": ["head"],
    "compute": ["c01", "c02", "c03", "g01", "g02"],
    "gpu": ["g01", "g02"],
    "empty": [],
}


def part(name="batch", groups=("compute",), **extra):
    return dict(name=name, groups=list(groups), **extra)


CASES = [
    # The role's default: the output the Jinja loop produced before, byte for byte.
    ([part(options={"State": "drain"})], ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=NO State=drain"]),
    ([part(default=True, options={"MaxTime": "INFINITE", "State": "UP"})],
     ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=YES MaxTime=INFINITE State=UP"]),
    # No options, no default; options null.
    ([part("gpu", ["gpu"]), part("all", ["gpu", "compute"], options=None)],
     ["PartitionName=gpu Nodes=g[01-02] Default=NO", "PartitionName=all Nodes=c[01-03],g[01-02] Default=NO"]),
    # Keys sorted case-insensitively (Jinja's dictsort); lists joined; numbers as given.
    ([part(options={"State": "UP", "allowGroups": ["physics", "chem"], "MaxNodes": 4, "Priority": 1.5})],
     ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=NO allowGroups=physics,chem MaxNodes=4 "
      "Priority=1.5 State=UP"]),
    # A Key=Value string, as pasted from slurm.conf: same line as the dict form.
    ([part(default=True, options="State=UP  MaxTime=2-00:00:00 AllowGroups=a,b")],
     ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=YES AllowGroups=a,b MaxTime=2-00:00:00 State=UP"]),
    ([part(options="")], ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=NO"]),
    # Booleans are YES/NO; default as a string is read as a boolean.
    ([part(default="no", options={"Hidden": True, "RootOnly": False})],
     ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=NO Hidden=YES RootOnly=NO"]),
    # A host in two groups is listed once.
    ([part(groups=["gpu", "compute", "gpu"])], ["PartitionName=batch Nodes=c[01-03],g[01-02] Default=NO"]),
    ([], []),
]


@pytest.mark.parametrize(("partitions", "expected"), CASES)
def test_lines(partitions, expected):
    assert slurm_partition_lines(partitions, GROUPS, compute_group="compute") == expected


ERRORS = [
    ("not-a-list", {"name": "batch"}, "slurm_partitions must be a list"),
    ("not-a-dict", ["batch"], "slurm_partitions[0] must be a dictionary"),
    ("no-name", [{"groups": ["compute"]}], "slurm_partitions[0]: name None"),
    ("bad-name", [part("my batch")], "name 'my batch'"),
    ("twice", [part(), part()], "partition batch is declared twice"),
    ("two-defaults", [part("a", default=True), part("b", default=True)], "more than one default partition: a, b"),
    ("bad-default", [part(default="maybe")], "partition batch: default must be true or false"),
    ("groups-string", [{"name": "batch", "groups": "compute"}], "partition batch: groups must be a non-empty list"),
    ("groups-missing", [{"name": "batch"}], "partition batch: groups must be a non-empty list"),
    ("unknown-group", [part(groups=["compute", "gpus"])], "partition batch: unknown inventory group(s) gpus"),
    ("empty-group", [part(groups=["empty"])], "partition batch: its groups empty hold no host"),
    ("outsider", [part(groups=["cluster"])], "partition batch: host(s) head are not in the compute group"),
    ("options-list", [part(options=["MaxTime=1"])], "partition batch: options must be a dictionary"),
    ("options-int", [part(options=5)], "partition batch: options must be a dictionary"),
    ("string-no-equals", [part(options="MaxTime")], "partition batch: options 'MaxTime': 'MaxTime' is not Key=Value"),
    ("string-empty-value", [part(options="MaxTime= State=UP")], "'MaxTime=' is not Key=Value"),
    ("string-no-key", [part(options="=UP")], "'=UP' is not Key=Value"),
    ("string-twice", [part(options="State=UP State=DOWN")], "partition batch: option State is given twice"),
    ("reserved-nodes", [part(options={"Nodes": "c01"})], "partition batch: option Nodes is set from"),
    ("reserved-default", [part(options="Default=YES")], "partition batch: option Default is set from"),
    ("bad-key", [part(options={"Max Time": 1})], "partition batch: option 'Max Time' is not"),
    ("dict-value", [part(options={"MaxTime": {"a": 1}})], "partition batch: option MaxTime must be a string"),
    ("none-value", [part(options={"MaxTime": None})], "partition batch: option MaxTime must be a string"),
    ("space-value", [part(options={"Reason": "two words"})], "partition batch: option Reason='two words'"),
    ("quote-value", [part(options='State="UP"')], "partition batch: option State='\"UP\"'"),
    ("empty-value", [part(options={"State": ""})], "partition batch: option State=''"),
    # Slurm reads the first letters: DOWNN took the partition down (lab), and the run passed.
    ("state-typo", [part(options={"State": "DOWNN"})],
     "partition batch: option State=DOWNN is not a partition state (UP, DOWN, DRAIN, INACTIVE)"),
    ("state-word", [part(options="state=open")], "partition batch: option state=open is not a partition state"),
]


@pytest.mark.parametrize(("partitions", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_name_the_partition(partitions, message):
    with pytest.raises(AnsibleFilterError) as exc:
        slurm_partition_lines(partitions, GROUPS, compute_group="compute")
    assert message in str(exc.value)
    assert str(exc.value).startswith("slurm_partition_lines: ")


def test_every_mistake_of_every_partition_in_one_error():
    partitions = [part("batch", ["computes"], default=True, options={"MaxTime": "1 hour", "State": "UP"}),
                  part("batch", default=True),
                  part("gpu", ["empty"], options="State=UP State=DOWN"),
                  "debug"]
    with pytest.raises(AnsibleFilterError) as exc:
        slurm_partition_lines(partitions, GROUPS, compute_group="compute")
    assert str(exc.value) == (
        "slurm_partition_lines: partition batch: unknown inventory group(s) computes; "
        "partition batch: option MaxTime='1 hour' is empty or holds whitespace, a quote or '#'; "
        "partition batch is declared twice; "
        "partition gpu: its groups empty hold no host; partition gpu: option State is given twice; "
        "slurm_partitions[3] must be a dictionary, got 'debug'; "
        "more than one default partition: batch, batch; keep default: true on one")


def test_without_compute_group_any_host_goes():
    assert slurm_partition_lines([part(groups=["cluster"])], GROUPS) == [
        "PartitionName=batch Nodes=c[01-03],g[01-02],head Default=NO"]


@pytest.mark.parametrize(("groups", "compute_group", "message"), [
    (["compute"], None, "groups must be the inventory's groups"),
    (GROUPS, "computes", "compute group 'computes' is not an inventory group"),
])
def test_bad_arguments(groups, compute_group, message):
    with pytest.raises(AnsibleFilterError, match=message):
        slurm_partition_lines([part()], groups, compute_group=compute_group)


def test_linear_in_nodes():
    """10,000 nodes in a few partitions: well under a second."""
    nodes = ["c%05d" % i for i in range(10000)]
    groups = {"compute": nodes, "half": nodes[:5000], "gpu": nodes[9000:]}
    partitions = [part("batch", ["compute"], default=True), part("half", ["half"]), part("gpu", ["gpu", "half"])]
    start = time.perf_counter()
    lines = slurm_partition_lines(partitions, groups, compute_group="compute")
    assert time.perf_counter() - start < 1.0
    assert lines[2] == "PartitionName=gpu Nodes=c[00000-04999,09000-09999] Default=NO"


def test_registered():
    assert FilterModule().filters()["slurm_partition_lines"] is slurm_partition_lines
