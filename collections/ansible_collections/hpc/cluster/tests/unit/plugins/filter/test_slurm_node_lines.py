# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_node_lines: facts -> NodeName lines, from tables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_node_lines import FilterModule, slurm_node_lines


def facts(sockets=1, cores=2, threads=1, mem=23081, **extra):
    data = dict(processor_count=sockets, processor_cores=cores,
                processor_threads_per_core=threads, memtotal_mb=mem)
    data.update(extra)
    return data


CASES = [
    # The lab: containers report the host's CPUs and memory.
    ({"c01": facts(), "c02": facts()}, 0,
     ["NodeName=c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081"]),
    ({"c01": facts(), "c02": facts()}, 1024,
     ["NodeName=c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=22057"]),
    # Different hardware: two lines, sorted.
    ({"c1": facts(2, 16, 2, 192000), "c2": facts(2, 16, 2, 192000), "c3": facts(), "big1": facts(4, 32, 2, 1024000)}, 0,
     ["NodeName=big1 Sockets=4 CoresPerSocket=32 ThreadsPerCore=2 RealMemory=1024000",
      "NodeName=c3 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081",
      "NodeName=c[1-2] Sockets=2 CoresPerSocket=16 ThreadsPerCore=2 RealMemory=192000"]),
    # Declared parameters override facts (smaller is fine) and add keys in a fixed order.
    ({"g01": facts(2, 32, 2, 515000, gres="gpu:a100:4",
                   slurm_node={"RealMemory": 512000, "Features": ["a100", "ib"], "Weight": 10}),
      "g02": facts(2, 32, 2, 515000, gres="gpu:a100:4",
                   slurm_node={"Weight": 10, "Features": "a100,ib", "RealMemory": 512000})}, 4096,
     ["NodeName=g[01-02] Sockets=2 CoresPerSocket=32 ThreadsPerCore=2 RealMemory=512000 "
      "Gres=gpu:a100:4 Features=a100,ib Weight=10"]),
    # Declared Gres wins over the gres string; ThreadsPerCore=1 to ignore SMT.
    ({"g1": facts(2, 8, 2, 64000, gres="gpu:a100:4", slurm_node={"Gres": "gpu:a100:2", "ThreadsPerCore": 1})}, 0,
     ["NodeName=g1 Sockets=2 CoresPerSocket=8 ThreadsPerCore=1 RealMemory=64000 Gres=gpu:a100:2"]),
    # Unknown keys keep a stable place (after the known ones, by name); spaces are quoted.
    ({"c1": facts(slurm_node={"Zeta": 1, "Alpha": "x", "Reason": "new node", "CPUs": 2, "TmpDisk": 100})}, 0,
     ['NodeName=c1 CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081 TmpDisk=100 '
      'Reason="new node" Alpha=x Zeta=1']),
    # Facts under ansible_facts, or as ansible_* host variables (a hostvars entry).
    ({"c1": {"ansible_facts": facts()},
      "c2": {"ansible_processor_count": 1, "ansible_processor_cores": 2,
             "ansible_processor_threads_per_core": 1, "ansible_memtotal_mb": 23081}}, 0,
     ["NodeName=c[1-2] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081"]),
    # Missing facts are fine when declared.
    ({"c1": {"slurm_node": {"Sockets": 1, "CoresPerSocket": 4, "ThreadsPerCore": 1, "RealMemory": 8000}}}, 0,
     ["NodeName=c1 Sockets=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=8000"]),
    # Numeric strings are accepted (facts from a cache may be strings).
    ({"c1": facts("1", "2", "1", "23081")}, "0",
     ["NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081"]),
    ({}, 0, []),
    # Padding kept, hosts with a suffix not ranged.
    ({"c009": facts(), "c010": facts(), "c011": facts(), "n1-ib": facts(), "n2-ib": facts()}, 0,
     ["NodeName=c[009-011],n1-ib,n2-ib Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081"]),
]

ERRORS = [
    ({"c1": facts(slurm_node={"Sockets": 2})}, 0,
     "host c1: slurm_node.Sockets=2 is larger than the facts (processor_count=1)"),
    ({"c1": facts(slurm_node={"CoresPerSocket": 4})}, 0,
     "host c1: slurm_node.CoresPerSocket=4 is larger than the facts (processor_cores=2)"),
    ({"c1": facts(slurm_node={"ThreadsPerCore": 2})}, 0,
     "host c1: slurm_node.ThreadsPerCore=2 is larger than the facts (processor_threads_per_core=1)"),
    ({"c1": facts(slurm_node={"RealMemory": 30000})}, 0,
     "host c1: slurm_node.RealMemory=30000 is larger than the facts (memtotal_mb=23081)"),
    ({"c1": facts(slurm_node={"CPUs": 4})}, 0,
     "host c1: slurm_node.CPUs=4 is larger than Sockets x CoresPerSocket x ThreadsPerCore = 2"),
    ({"c1": facts(mem=1000)}, 1000, "host c1: RealMemory would be 0 (memtotal_mb 1000 - memory_reserve_mb 1000)"),
    ({"c1": {"processor_count": 1, "processor_cores": 2, "processor_threads_per_core": 1}}, 0,
     "host c1: fact memtotal_mb is missing (gather facts, or declare slurm_node.RealMemory)"),
    ({"c1": facts(sockets=0)}, 0, "host c1: processor_count must be a positive integer, got 0"),
    ({"c1": facts(cores="two")}, 0, "host c1: processor_cores must be a positive integer, got 'two'"),
    ({"c1": facts(cores=True)}, 0, "host c1: processor_cores must be a positive integer, got True"),
    ({"c1": facts(cores=2.5)}, 0, "host c1: processor_cores must be a positive integer, got 2.5"),
    ({"c1": facts(slurm_node={"NodeName": "x"})}, 0, "host c1: slurm_node must not set NodeName"),
    ({"c1": facts(slurm_node={"bad key": 1})}, 0, "host c1: slurm_node key 'bad key' is not a NodeName parameter"),
    ({"c1": facts(slurm_node={"Features": {"a": 1}})}, 0, "host c1: slurm_node.Features must be a string"),
    ({"c1": facts(slurm_node={"Features": ""})}, 0, "host c1: slurm_node.Features is empty"),
    ({"c1": facts(slurm_node={"Reason": 'say "hi"'})}, 0, "host c1: slurm_node.Reason contains a quote"),
    ({"c1": facts(slurm_node=["x"])}, 0, "host c1: slurm_node must be a dictionary, got list"),
    ({"c1": facts(gres=4)}, 0, "host c1: gres must be a string, got 4"),
    ({"c1": "facts"}, 0, "host c1: expected a dictionary of facts, got str"),
    ({"c[1]": facts()}, 0, "bad host name: name 'c[1]'"),
    ({"c1": facts()}, -1, "memory_reserve_mb must be an integer >= 0, got -1"),
    ({"c1": facts()}, "lots", "memory_reserve_mb must be an integer >= 0, got 'lots'"),
    (["c1"], 0, "expected a dictionary of host name -> facts, got list"),
]


def test_filter_name():
    assert FilterModule().filters() == {"slurm_node_lines": slurm_node_lines}


@pytest.mark.parametrize("nodes, reserve, lines", CASES, ids=[str(i) for i in range(len(CASES))])
def test_lines(nodes, reserve, lines):
    assert slurm_node_lines(nodes, memory_reserve_mb=reserve) == lines


def test_default_reserve_is_zero():
    assert slurm_node_lines({"c1": facts()}) == [
        "NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081"]


def test_output_independent_of_input_order():
    nodes = {"c%02d" % i: facts(mem=1000 * (i % 3 + 1)) for i in range(1, 31)}
    reverse = dict(reversed(list(nodes.items())))
    assert slurm_node_lines(nodes) == slurm_node_lines(reverse)
    assert len(slurm_node_lines(nodes)) == 3


@pytest.mark.parametrize("nodes, reserve, message", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(nodes, reserve, message):
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_node_lines(nodes, memory_reserve_mb=reserve)
    assert "slurm_node_lines: " + message in str(caught.value)


# RealMemory = (memtotal_mb - reserve) rounded down to the granularity, so a kernel update
# that moves MemTotal by a few MiB leaves slurm.conf (and the daemons) alone.
GRANULARITY = [
    # memtotal_mb, reserve, granularity, RealMemory
    (23081, 1024, 1024, 21504),
    (23040, 1024, 1024, 21504),   # 41 MiB less after a kernel update: same line
    (22529, 1024, 1024, 21504),
    (22527, 1024, 1024, 20480),   # crossing a whole GiB does change it
    (515000, 4096, 1024, 509952),
    (515000, 4096, 4096, 507904),
    (23081, 1024, 1, 22057),      # granularity 1: the old exact arithmetic
    (2047, 1024, 1024, 1023),     # less than one unit left: not rounded to zero, kept as is
]


@pytest.mark.parametrize("mem, reserve, granularity, real", GRANULARITY,
                         ids=[str(g) for g in GRANULARITY])
def test_memory_granularity(mem, reserve, granularity, real):
    lines = slurm_node_lines({"c1": facts(mem=mem)}, memory_reserve_mb=reserve,
                             memory_granularity_mb=granularity)
    assert lines == ["NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=%d" % real]


def test_small_memtotal_drift_keeps_one_line():
    before = {"c%d" % i: facts(mem=257400) for i in range(1, 5)}
    after = dict(before, c3=facts(mem=257352))   # c3 rebooted into a new kernel
    assert (slurm_node_lines(after, memory_reserve_mb=1024, memory_granularity_mb=1024)
            == slurm_node_lines(before, memory_reserve_mb=1024, memory_granularity_mb=1024)
            == ["NodeName=c[1-4] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=256000"])


def test_granularity_leaves_declared_memory_alone():
    nodes = {"c1": facts(mem=64000, slurm_node={"RealMemory": 60001})}
    assert slurm_node_lines(nodes, memory_reserve_mb=1024, memory_granularity_mb=1024) == [
        "NodeName=c1 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=60001"]


def test_declared_memory_above_facts_still_refused_with_granularity():
    nodes = {"c1": facts(mem=64000, slurm_node={"RealMemory": 64001})}
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_node_lines(nodes, memory_reserve_mb=1024, memory_granularity_mb=1024)
    assert "host c1: slurm_node.RealMemory=64001 is larger than the facts (memtotal_mb=64000)" in str(caught.value)


@pytest.mark.parametrize("granularity", [0, -1, "lots", True])
def test_bad_granularity(granularity):
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_node_lines({"c1": facts()}, memory_granularity_mb=granularity)
    assert "memory_granularity_mb must be an integer >= 1, got %r" % (granularity,) in str(caught.value)
