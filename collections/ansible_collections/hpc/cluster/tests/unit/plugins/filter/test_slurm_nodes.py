# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_nodes: compute hosts' hostvars -> NodeName lines, gres.conf entries, GresTypes, from tables."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_node_lines import slurm_node_lines
from ansible_collections.hpc.cluster.plugins.filter.slurm_nodes import FilterModule, slurm_nodes


def facts(sockets=1, cores=2, threads=1, mem=23081, gpus=None):
    data = dict(processor_count=sockets, processor_cores=cores, processor_threads_per_core=threads, memtotal_mb=mem)
    if gpus is not None:
        data["hpc_gpus"] = gpus
    return data


def host(sockets=1, cores=2, threads=1, mem=23081, gpus=None, **variables):
    """A hostvars entry: facts under ansible_facts, slurm_node/slurm_gres beside them."""
    return dict(variables, ansible_facts=facts(sockets, cores, threads, mem, gpus))


def a100s(count, model="a100"):
    return [{"vendor": "nvidia", "index": i, "name": "NVIDIA A100", "type": model, "file": "/dev/nvidia%d" % i}
            for i in range(count)]


def gpu_entries(count, model="a100"):
    return [{"name": "gpu", "type": model, "file": "/dev/nvidia%d" % i} for i in range(count)]


CASES = [
    # No compute host: nothing at all.
    ({}, 0, [], {}, ""),
    # The lab: two identical nodes without GPUs (an empty hpc_gpus is no GPU).
    ({"c01": host(), "c02": host(gpus=[])}, 1024,
     ["NodeName=c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=22057"], {}, ""),
    # GPUs found by gpu_facts: gres.conf entries, Gres= on the line, GresTypes.
    ({"c1": host(), "g1": host(2, 32, 2, 515000, gpus=a100s(4)), "g2": host(2, 32, 2, 515000, gpus=a100s(4))}, 0,
     ["NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081",
      "NodeName=g[1-2] Sockets=2 CoresPerSocket=32 ThreadsPerCore=2 RealMemory=515000 Gres=gpu:a100:4"],
     {"g1": gpu_entries(4), "g2": gpu_entries(4)}, "gpu"),
    # A GPU without a type (gpu_facts could not name the model): Gres=gpu:N.
    ({"g1": host(gpus=[{"file": "/dev/nvidia0"}, {"file": "/dev/nvidia1", "type": ""}])}, 0,
     ["NodeName=g1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=gpu:2"],
     {"g1": [{"name": "gpu", "type": "", "file": "/dev/nvidia0"}, {"name": "gpu", "type": "", "file": "/dev/nvidia1"}]},
     "gpu"),
    # Declared slurm_gres wins over the facts; counts add up per name:type, sorted without case.
    ({"g1": host(gpus=a100s(4), slurm_gres=[
        {"name": "gpu", "type": "a100", "file": "/dev/nvidia[0-1]", "count": 2},
        {"name": "gpu", "type": "a100", "file": "/dev/nvidia[2-3]", "count": "2"},
        {"name": "shard", "count": 8},
        {"name": "gpu", "type": "V100", "file": "/dev/nvidia4", "cores": "0-15", "flags": None}])}, 0,
     ["NodeName=g1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=gpu:a100:4,gpu:V100:1,shard:8"],
     {"g1": [{"name": "gpu", "type": "a100", "file": "/dev/nvidia[0-1]", "count": 2},
             {"name": "gpu", "type": "a100", "file": "/dev/nvidia[2-3]", "count": "2"},
             {"name": "shard", "count": 8},
             {"name": "gpu", "type": "V100", "file": "/dev/nvidia4", "cores": "0-15"}]},
     "gpu,shard"),
    # Declared Gres on the line wins over the entries' string; gres.conf keeps the entries.
    ({"g1": host(gpus=a100s(2), slurm_node={"Gres": "gpu:a100:1", "Weight": 10})}, 0,
     ["NodeName=g1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=gpu:a100:1 Weight=10"],
     {"g1": gpu_entries(2)}, "gpu"),
    # An empty slurm_gres declares "no gres" on a host whose tools see GPUs.
    ({"g1": host(gpus=a100s(2), slurm_gres=[])}, 0,
     ["NodeName=g1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081"], {}, ""),
    # GresTypes: each name once, sorted.
    ({"a": host(slurm_gres=[{"name": "shard"}]),
      "b": host(slurm_gres=[{"name": "gpu", "file": "/dev/nvidia0"}, {"name": "mps", "count": 100}]),
      "c": host(slurm_gres=[{"name": "gpu", "type": "h100", "file": "/dev/nvidia0"}])}, 0,
     ["NodeName=a Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=shard:1",
      "NodeName=b Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=gpu:1,mps:100",
      "NodeName=c Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=gpu:h100:1"],
     {"a": [{"name": "shard"}], "b": [{"name": "gpu", "file": "/dev/nvidia0"}, {"name": "mps", "count": 100}],
      "c": [{"name": "gpu", "type": "h100", "file": "/dev/nvidia0"}]},
     "gpu,mps,shard"),
    # Missing facts are fine when declared; no ansible_facts at all.
    ({"c1": {"slurm_node": {"Sockets": 1, "CoresPerSocket": 4, "ThreadsPerCore": 1, "RealMemory": 8000}}}, 0,
     ["NodeName=c1 Sockets=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=8000"], {}, ""),
]


def test_filter_name():
    assert FilterModule().filters() == {"slurm_nodes": slurm_nodes}


@pytest.mark.parametrize("hosts, reserve, lines, gres, types", CASES, ids=[str(i) for i in range(len(CASES))])
def test_nodes(hosts, reserve, lines, gres, types):
    assert slurm_nodes(hosts, memory_reserve_mb=reserve) == {"node_lines": lines, "gres": gres, "gres_types": types}


# The lines are exactly those of slurm_node_lines (the same slurm.conf before and after).
SAME_AS_BEFORE = [
    {"c01": {}, "c02": {}},
    {"c1": {"f": (2, 16, 2, 192000)}, "c2": {"f": (2, 16, 2, 192000)}, "c3": {}, "big1": {"f": (4, 32, 2, 1024000)}},
    {"g01": {"f": (2, 32, 2, 515000), "slurm_node": {"RealMemory": 512000, "Features": ["a100", "ib"], "Weight": 10}},
     "g02": {"f": (2, 32, 2, 515000), "slurm_node": {"Weight": 10, "Features": "a100,ib", "RealMemory": 512000}}},
    {"c1": {"slurm_node": {"Zeta": 1, "Alpha": "x", "Reason": "new node", "CPUs": 2, "TmpDisk": 100}}},
    {"c009": {}, "c010": {}, "c011": {}, "n1-ib": {}, "n2-ib": {}},
    {"c1": {"f": ("1", "2", "1", "23081")}},
]


@pytest.mark.parametrize("nodes", SAME_AS_BEFORE, ids=[str(i) for i in range(len(SAME_AS_BEFORE))])
@pytest.mark.parametrize("reserve, granularity", [(0, 1), (1024, 1), (4096, 1024)])
def test_lines_same_as_slurm_node_lines(nodes, reserve, granularity):
    old = {h: dict(facts(*d.get("f", ())), **({"slurm_node": d["slurm_node"]} if "slurm_node" in d else {}))
           for h, d in nodes.items()}
    new = {h: host(*d.get("f", ()), **({"slurm_node": d["slurm_node"]} if "slurm_node" in d else {}))
           for h, d in nodes.items()}
    assert (slurm_nodes(new, memory_reserve_mb=reserve, memory_granularity_mb=granularity)["node_lines"]
            == slurm_node_lines(old, memory_reserve_mb=reserve, memory_granularity_mb=granularity))


def test_gpu_line_same_as_slurm_node_lines_with_gres_string():
    old = {"g1": dict(facts(2, 32, 2, 515000), gres="gpu:a100:4", slurm_node={"Weight": 10})}
    new = {"g1": host(2, 32, 2, 515000, gpus=a100s(4), slurm_node={"Weight": 10})}
    assert slurm_nodes(new)["node_lines"] == slurm_node_lines(old)


class HostVarsLike(Mapping):
    """Like a hostvars entry: every key read is templated; reading any other key fails the test."""

    NEEDED = {"ansible_facts", "slurm_node", "slurm_gres", "hpc_gpus", "ansible_processor_count",
              "ansible_processor_cores", "ansible_processor_threads_per_core", "ansible_memtotal_mb"}

    def __init__(self, variables):
        self._vars = dict(variables, inventory_hostname="x", big_unrelated_template="{{ lookup('pipe', 'x') }}")
        self.read = []

    def __getitem__(self, key):
        assert key in self.NEEDED, "read %s" % key
        value = self._vars[key]
        self.read.append(key)
        return value

    def __iter__(self):
        raise AssertionError("iterated over every variable")

    def __len__(self):
        return len(self._vars)


def injected(entry):
    """A hostvars entry as Ansible builds it by default: the facts also injected as ansible_* variables."""
    extra = {("ansible_" + k if k != "hpc_gpus" else k): v for k, v in entry.get("ansible_facts", {}).items()}
    return dict(entry, **extra)


def test_reads_only_what_it_needs_once():
    entry = HostVarsLike(host(gpus=a100s(1), slurm_node={"Weight": 2}))
    result = slurm_nodes({"g1": entry})
    assert result["gres_types"] == "gpu"
    assert sorted(entry.read) == ["ansible_facts", "slurm_node"]


def test_injected_facts_spare_the_whole_facts_dictionary():
    entry = HostVarsLike(injected(host(gpus=a100s(1), slurm_node={"Weight": 2})))
    assert slurm_nodes({"g1": entry})["gres"] == {"g1": gpu_entries(1)}
    assert "ansible_facts" not in entry.read
    assert sorted(entry.read) == ["ansible_memtotal_mb", "ansible_processor_cores", "ansible_processor_count",
                                  "ansible_processor_threads_per_core", "hpc_gpus", "slurm_node"]


@pytest.mark.parametrize("case", CASES, ids=[str(i) for i in range(len(CASES))])
def test_injected_facts_give_the_same(case):
    hosts, reserve = case[0], case[1]
    assert (slurm_nodes({h: injected(e) for h, e in hosts.items()}, memory_reserve_mb=reserve)
            == slurm_nodes(hosts, memory_reserve_mb=reserve))


def test_partly_injected_facts_read_ansible_facts():
    """A fact missing among the injected ones (a host with declared hardware, say): ansible_facts decides."""
    entry = dict(host(mem=64000), ansible_processor_count=4)
    assert slurm_nodes({"c1": entry})["node_lines"] == [
        "NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=64000"]


def test_output_independent_of_input_order():
    hosts = {"c%02d" % i: host(mem=1000 * (i % 3 + 1), gpus=a100s(i % 2)) for i in range(1, 31)}
    reverse = dict(reversed(list(hosts.items())))
    assert slurm_nodes(hosts)["node_lines"] == slurm_nodes(reverse)["node_lines"]
    assert len(slurm_nodes(hosts)["node_lines"]) == 6


ERRORS = [
    ({"c1": host(slurm_node={"Sockets": 2})}, 0,
     "host c1: slurm_node.Sockets=2 is larger than the facts (processor_count=1)"),
    ({"c1": host(slurm_node={"RealMemory": 30000})}, 0,
     "host c1: slurm_node.RealMemory=30000 is larger than the facts (memtotal_mb=23081)"),
    ({"c1": host(slurm_node={"CPUs": 4})}, 0,
     "host c1: slurm_node.CPUs=4 is larger than Sockets x CoresPerSocket x ThreadsPerCore = 2"),
    ({"c1": host(mem=1000)}, 1000, "host c1: RealMemory would be 0 (memtotal_mb 1000 - memory_reserve_mb 1000)"),
    ({"c1": {"ansible_facts": {"processor_count": 1, "processor_cores": 2, "processor_threads_per_core": 1}}}, 0,
     "host c1: fact memtotal_mb is missing (gather facts, or declare slurm_node.RealMemory)"),
    ({"c1": {}}, 0, "host c1: fact processor_count is missing (gather facts, or declare slurm_node.Sockets)"),
    ({"c1": host(cores="two")}, 0, "host c1: processor_cores must be a positive integer, got 'two'"),
    # slurmctld reset it to 1, and every Slurm command printed "CoreSpecCount=5 is invalid" (lab).
    ({"c1": host(slurm_node={"CoreSpecCount": 5})}, 0,
     "host c1: slurm_node.CoreSpecCount=5 leaves no core for jobs (Sockets x CoresPerSocket = 2): slurmctld"
     " resets it to 1"),
    ({"c1": host(slurm_node={"CoreSpecCount": 2})}, 0, "host c1: slurm_node.CoreSpecCount=2 leaves no core"),
    ({"c1": host(slurm_node={"corespeccount": "two"})}, 0,
     "host c1: slurm_node.corespeccount must be a whole number, got 'two'"),
    ({"c1": host(slurm_node={"NodeName": "x"})}, 0, "host c1: slurm_node must not set NodeName"),
    ({"c1": host(slurm_node=["x"])}, 0, "host c1: slurm_node must be a dictionary, got list"),
    ({"c1": host(slurm_node={"Features": ""})}, 0, "host c1: slurm_node.Features is empty"),
    ({"c1": host(slurm_gres="gpu:a100:4")}, 0,
     "host c1: slurm_gres must be a list of {name, type, file, count} entries, got str"),
    ({"c1": host(slurm_gres=[{"type": "a100", "count": 4}])}, 0,
     "host c1: slurm_gres[0] needs a name (gpu, mps, shard, ...), got {'type': 'a100', 'count': 4}"),
    ({"c1": host(slurm_gres=[{"name": "gpu", "file": "/dev/nvidia0"}, "gpu"])}, 0,
     "host c1: slurm_gres[1] needs a name"),
    # slurmd drops a GPU without its device files, and the node goes INVALID (Slurm 22.05 on the lab).
    ({"c1": host(slurm_gres=[{"name": "mps", "count": 100}, {"name": "GPU", "count": 2}])}, 0,
     "host c1: slurm_gres[1] is a GPU without its device files: slurmd drops such a GPU ('Removing file-less GPU')"
     " and slurmctld marks the node INVALID (gres/gpu count reported lower than configured). Give them"
     " (file: /dev/nvidia[0-1]), or set slurm_gres_autodetect"),
    ({"c1": host(slurm_gres=[{"name": "gpu", "type": "a100"}])}, 0,
     "host c1: slurm_gres[0] is a GPU without its device files"),
    ({"c1": host(slurm_gres=[{"name": "gpu", "count": "four"}])}, 0,
     "host c1: slurm_gres[0].count must be a positive integer, got 'four'"),
    ({"c1": host(slurm_gres=[{"name": "gpu", "count": 0}])}, 0,
     "host c1: slurm_gres[0].count must be a positive integer, got 0"),
    # A count beside device files that name another number: Gres= said the count, slurmd found the files.
    ({"c1": host(slurm_gres=[{"name": "gpu", "type": "a100", "file": "/dev/nvidia[0-3]", "count": 8}])}, 0,
     "host c1: slurm_gres[0]: count 8, but file /dev/nvidia[0-3] names 4 device file(s): slurm.conf's Gres= would"
     " say 8 and slurmd would find 4"),
    ({"c1": host(slurm_gres=[{"name": "gpu", "file": "/dev/nvidia[0-"}])}, 0,
     "host c1: slurm_gres[0].file '/dev/nvidia[0-' is not a device file or range Slurm reads"),
    ({"c1": host(slurm_gres=[{"name": "gpu", "file": "/dev/nvidia[0-1]x"}])}, 0,
     "host c1: slurm_gres[0].file '/dev/nvidia[0-1]x' is not a device file or range Slurm reads"),
    ({"g1": host(gpus=[{"type": "a100"}])}, 0, "host g1: fact hpc_gpus[0] has no device file"),
    ({"g1": host(gpus="a100")}, 0, "host g1: fact hpc_gpus must be a list, got str"),
    ({"c1": {"ansible_facts": "x"}}, 0, "host c1: ansible_facts must be a dictionary, got str"),
    ({"c1": "facts"}, 0, "host c1: expected its hostvars entry (a dictionary), got str"),
    ({"c[1]": host()}, 0, "bad host name: name 'c[1]'"),
    ({"": host()}, 0, "host names must be non-empty strings, got ''"),
    ({"c1": host()}, -1, "memory_reserve_mb must be an integer >= 0, got -1"),
    (["c1"], 0, "expected a dictionary of host name -> hostvars entry, got list"),
]


@pytest.mark.parametrize("hosts, reserve, message", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(hosts, reserve, message):
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_nodes(hosts, memory_reserve_mb=reserve)
    assert "slurm_nodes: " + message in str(caught.value)


@pytest.mark.parametrize("granularity", [0, "lots", True])
def test_bad_granularity(granularity):
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_nodes({"c1": host()}, memory_granularity_mb=granularity)
    assert "memory_granularity_mb must be an integer >= 1, got %r" % (granularity,) in str(caught.value)


def test_granularity_applies():
    result = slurm_nodes({"c1": host(mem=23081)}, memory_reserve_mb=1024, memory_granularity_mb=1024)
    assert result["node_lines"] == ["NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=21504"]


def test_a_gpu_names_its_device_files():
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_nodes({"c1": host(slurm_gres=[{"name": "gpu", "type": "a100"}])})
    assert "Give them (file: /dev/nvidia0), or set slurm_gres_autodetect" in str(caught.value)


def test_autodetect_finds_the_gpus_device_files():
    """With AutoDetect, slurmd finds the files: a declared GPU may go without them."""
    hosts = {"c1": host(slurm_gres=[{"name": "gpu", "type": "a100", "count": 4}])}
    data = slurm_nodes(hosts, gres_autodetect="nvml")
    assert data["node_lines"] == [
        "NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 Gres=gpu:a100:4"]
    assert data["gres"] == {"c1": [{"name": "gpu", "type": "a100", "count": 4}]}


@pytest.mark.parametrize(("declared", "gres"), [
    # Device files without a count: as many GPUs as files (before, Gres= said 1 and 3 of 4 sat unused).
    ([{"name": "gpu", "type": "a100", "file": "/dev/nvidia[0-3]"}], "gpu:a100:4"),
    ([{"name": "gpu", "type": "a100", "file": "/dev/nvidia[0-1],/dev/nvidia3"}], "gpu:a100:3"),
    ([{"name": "gpu", "type": "a100", "file": "/dev/nvidia[0-3]", "count": "4"}], "gpu:a100:4"),
    ([{"name": "gpu", "type": "a100", "file": "/dev/nvidia0"}, {"name": "shard", "count": 8}], "gpu:a100:1,shard:8"),
])
def test_device_files_are_counted(declared, gres):
    lines = slurm_nodes({"g1": host(2, 32, 2, 515000, slurm_gres=declared)})["node_lines"]
    assert lines[0].endswith(" Gres=%s" % gres), lines


def test_core_spec_count_below_the_cores_is_kept():
    lines = slurm_nodes({"c1": host(2, 32, 2, 515000, slurm_node={"CoreSpecCount": 2})})["node_lines"]
    assert "CoreSpecCount=2" in lines[0]
