# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""port_conflicts: a node's daemons that would listen on the same port are named."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.port_conflicts import FilterModule

conflicts = FilterModule().filters()["port_conflicts"]

HEAD = [["node_exporter", 9100], ["prometheus", 9090], ["alertmanager", "9093"], ["grafana", 3000],
        ["slurmctld", "6817"], ["slurmdbd", 6819], ["MariaDB", 3306]]


def test_the_defaults_have_a_port_each():
    assert conflicts(HEAD) == []
    assert conflicts([["node_exporter", 9100], ["slurmd", 6818], ["srun", "60001-63000"], ["none", None],
                      ["empty", ""]]) == []


@pytest.mark.parametrize(("listeners", "expected"), [
    ([["node_exporter (node_exporter_port)", 9090], ["prometheus (prometheus_port)", 9090]],
     ["node_exporter (node_exporter_port) 9090 and prometheus (prometheus_port) 9090 would listen on the same port"]),
    ([["node_exporter", "61000"], ["srun (SrunPortRange)", "60001-63000"]],
     ["node_exporter 61000 and srun (SrunPortRange) 60001-63000 would listen on the same port"]),
    ([["slurmctld", "6817-6818"], ["slurmd", 6818]],
     ["slurmctld 6817-6818 and slurmd 6818 would listen on the same port"]),
    ([["a", 70000], ["b", "x"], ["c", True], ["d", "9-8"]],
     ["a: 70000 is not a port (1-65535) or a range of ports", "b: 'x' is not a port (1-65535) or a range of ports",
      "c: True is not a port (1-65535) or a range of ports", "d: '9-8' is not a port (1-65535) or a range of ports"]),
])
def test_overlaps_and_bad_ports_are_named(listeners, expected):
    assert conflicts(listeners) == expected


def test_every_pair_is_named():
    assert len(conflicts([["a", 1], ["b", 1], ["c", 1]])) == 3


def test_pairs_are_required():
    with pytest.raises(AnsibleFilterError, match="list of \\[name, port\\] pairs"):
        conflicts([["a"]])
