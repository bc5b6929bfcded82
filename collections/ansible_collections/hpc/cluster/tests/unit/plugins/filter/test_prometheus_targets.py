# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""prometheus_targets: inventory -> file_sd entries with cluster, group and partition labels."""

from __future__ import annotations

import time

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.prometheus_targets import FilterModule, prometheus_targets

HOSTS = {
    "head": {"ansible_host": "10.1.0.10"},
    "login1": {"ansible_host": "login1.example.org", "cluster_address": "10.1.0.11"},
    "c01": {"ansible_host": "10.1.0.21"},
    "g01": {"ansible_facts": {"default_ipv4": {"address": "10.1.0.31"}}, "node_exporter_port": 9200},
}
GROUPS = {
    "all": ["head", "login1", "c01", "g01"], "ungrouped": [], "cluster": ["head", "login1", "c01", "g01"],
    "control": ["head"], "login": ["login1"], "compute": ["c01", "g01"], "gpu": ["g01"],
}
PARTITIONS = [
    {"name": "batch", "groups": ["compute"], "default": True},
    {"name": "gpu", "groups": ["gpu", "compute"]},  # g01 through two groups: listed once
]


def by_node(entries):
    return {e["labels"]["node"]: e for e in entries}


def test_targets_and_labels():
    entries = prometheus_targets(HOSTS, GROUPS, 9100, partitions=PARTITIONS, cluster="lab",
                                 port_var="node_exporter_port", exclude_groups=["all", "ungrouped", "cluster"])
    assert [e["labels"]["node"] for e in entries] == ["head", "login1", "c01", "g01"]
    assert by_node(entries) == {
        "head": {"targets": ["10.1.0.10:9100"], "labels": {
            "instance": "head", "node": "head", "cluster": "lab", "groups": ",control,", "partitions": ""}},
        "login1": {"targets": ["10.1.0.11:9100"], "labels": {
            "instance": "login1", "node": "login1", "cluster": "lab", "groups": ",login,", "partitions": ""}},
        "c01": {"targets": ["10.1.0.21:9100"], "labels": {
            "instance": "c01", "node": "c01", "cluster": "lab", "groups": ",compute,", "partitions": ",batch,gpu,"}},
        "g01": {"targets": ["10.1.0.31:9200"], "labels": {
            "instance": "g01", "node": "g01", "cluster": "lab", "groups": ",compute,gpu,",
            "partitions": ",batch,gpu,"}},
    }


def test_default_exclusion_keeps_cluster_group():
    entries = prometheus_targets({"c01": HOSTS["c01"]}, GROUPS, 9100)
    assert entries[0]["labels"]["groups"] == ",cluster,compute,"


def test_extra_labels():
    entries = prometheus_targets({"c01": HOSTS["c01"]}, GROUPS, 6817, labels={"exporter": "slurm"})
    assert entries[0]["labels"]["exporter"] == "slurm" and entries[0]["targets"] == ["10.1.0.21:6817"]


def test_adding_a_node_only_adds_its_entry():
    before = prometheus_targets(HOSTS, GROUPS, 9100, partitions=PARTITIONS)
    hosts = dict(HOSTS, c02={"ansible_host": "10.1.0.22"})
    groups = dict(GROUPS, compute=GROUPS["compute"] + ["c02"], cluster=GROUPS["cluster"] + ["c02"])
    after = prometheus_targets(hosts, groups, 9100, partitions=PARTITIONS)
    assert after[:-1] == before
    assert after[-1]["targets"] == ["10.1.0.22:9100"]


ERRORS = [
    ("no-address", {"c01": {}}, {}, "prometheus_targets: no cluster address for c01"),
    ("bad-port", {"c01": {"ansible_host": "10.1.0.21", "node_exporter_port": "91OO"}},
     {"port_var": "node_exporter_port"}, "c01: node_exporter_port must be a port (1-65535), got '91OO'"),
    ("port-out-of-range", {"c01": {"ansible_host": "10.1.0.21", "node_exporter_port": 70000}},
     {"port_var": "node_exporter_port"}, "got 70000"),
    ("reserved-label", {"c01": HOSTS["c01"]}, {"labels": {"cluster": "x"}}, "labels cluster are set by the filter"),
    ("partition-without-name", {"c01": HOSTS["c01"]}, {"partitions": [{"groups": ["compute"]}]},
     "each partition needs a name"),
]


@pytest.mark.parametrize(("hosts", "kwargs", "message"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_refused(hosts, kwargs, message):
    with pytest.raises(AnsibleFilterError) as caught:
        prometheus_targets(hosts, GROUPS, 9100, **kwargs)
    assert message in str(caught.value)


@pytest.mark.parametrize("port", [0, True, "x", None])
def test_bad_default_port(port):
    with pytest.raises(AnsibleFilterError, match="port must be a port"):
        prometheus_targets({}, GROUPS, port)


def test_wrong_input_types():
    with pytest.raises(AnsibleFilterError, match="expected a dict"):
        prometheus_targets(["c01"], GROUPS, 9100)
    with pytest.raises(AnsibleFilterError, match="groups must be"):
        prometheus_targets({}, ["compute"], 9100)


def test_linear_at_10000_nodes():
    names = ["n%05d" % i for i in range(10000)]
    hosts = {n: {"ansible_host": "10.%d.%d.%d" % (i // 65536, i // 256 % 256, i % 256)} for i, n in enumerate(names)}
    groups = {"cluster": names, "compute": names, "all": names}
    start = time.monotonic()
    entries = prometheus_targets(hosts, groups, 9100, partitions=[{"name": "batch", "groups": ["compute"]}])
    assert len(entries) == 10000 and entries[-1]["labels"]["partitions"] == ",batch,"
    assert time.monotonic() - start < 2


def test_registered():
    assert FilterModule().filters()["prometheus_targets"] is prometheus_targets
