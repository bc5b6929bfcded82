# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gres_lines: gres.conf entries per host -> lines whose NodeName is a hostlist of the hosts sharing them."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import (
    SlurmNodeError,
    gres_lines,
    lines_per_host,
)


def a100s(count):
    return [{"name": "gpu", "type": "a100", "file": "/dev/nvidia%d" % i} for i in range(count)]


CASES = [
    # No host has a gres: no line.
    ({}, []),
    ({"c1": []}, []),
    # Hosts with the same devices share their lines; a host's device order is kept.
    ({"g2": a100s(2), "g1": a100s(2)},
     ["NodeName=g[1-2] Name=gpu Type=a100 File=/dev/nvidia0",
      "NodeName=g[1-2] Name=gpu Type=a100 File=/dev/nvidia1"]),
    # Another device count is another group; groups come in the order of their first host.
    ({"g3": a100s(1), "g1": a100s(2), "g2": a100s(2)},
     ["NodeName=g[1-2] Name=gpu Type=a100 File=/dev/nvidia0",
      "NodeName=g[1-2] Name=gpu Type=a100 File=/dev/nvidia1",
      "NodeName=g3 Name=gpu Type=a100 File=/dev/nvidia0"]),
    # Declared entries: Count when there is no File; Cores and Flags; an empty Type is left out.
    ({"c1": [{"name": "gpu", "type": "", "count": 2, "cores": "0-7", "flags": "nvidia_gpu_env"},
             {"name": "mps", "count": 100}],
      "c2": [{"name": "shard", "count": 8}]},
     ["NodeName=c1 Name=gpu Count=2 Cores=0-7 Flags=nvidia_gpu_env",
      "NodeName=c1 Name=mps Count=100",
      "NodeName=c2 Name=shard Count=8"]),
    # File wins over Count when both are given (the entry's devices are counted by the file).
    ({"c1": [{"name": "gpu", "file": "/dev/nvidia[0-1]", "count": 2}]},
     ["NodeName=c1 Name=gpu File=/dev/nvidia[0-1]"]),
]


@pytest.mark.parametrize("gres, lines", CASES, ids=[str(i) for i in range(len(CASES))])
def test_gres_lines(gres, lines):
    assert gres_lines(gres) == lines


def test_lines_per_host_are_the_entries_at_scale():
    """5,000 GPU hosts of two kinds: 2 + 4 lines, and each host gets exactly its own entries."""
    gres = {"g%04d" % i: a100s(4 if i % 3 else 2) for i in range(1, 5001)}
    lines = gres_lines(gres)
    assert len(lines) == 6
    assert lines_per_host(lines) == {host: ["Name=gpu Type=a100 File=%s" % e["file"] for e in entries]
                        for host, entries in gres.items()}


def test_bad_host_name_is_refused():
    with pytest.raises(SlurmNodeError, match="bad host name"):
        gres_lines({"g[1]x": a100s(1)})


def test_lines_per_host_reads_either_form():
    one_per_device = ["# a comment", "AutoDetect=off", "NodeName=g1 Name=gpu File=/dev/nvidia0",
                      "NodeName=g1 Name=gpu File=/dev/nvidia1", "NodeName=g2 Name=gpu File=/dev/nvidia0"]
    shared = ["AutoDetect=off", "NodeName=g[1-2] Name=gpu File=/dev/nvidia0", "NodeName=g1 Name=gpu File=/dev/nvidia1"]
    expected = {"g1": ["Name=gpu File=/dev/nvidia0", "Name=gpu File=/dev/nvidia1"],
                "g2": ["Name=gpu File=/dev/nvidia0"]}
    assert lines_per_host(one_per_device) == expected
    assert lines_per_host(shared) == expected
    assert lines_per_host([]) == {}
