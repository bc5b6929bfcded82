# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_ports: Slurm's ports as its settings set them, for firewalld."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_ports import FilterModule, slurm_ports
from ansible_collections.hpc.cluster.plugins.module_utils.ports import merged_spans, port_span


@pytest.mark.parametrize(("config", "dbd_port", "ports"), [
    # Slurm's defaults: the role's former fixed list.
    ({"SrunPortRange": "60001-63000"}, 6819, ["6817-6819/tcp", "60001-63000/tcp"]),
    ({}, None, ["6817-6819/tcp"]),
    # A controller port range, moved ports: a fixed 6817-6819 left them closed.
    ({"SlurmctldPort": "6817-6820", "SlurmdPort": 6821, "SrunPortRange": "60001-63000"}, 6819,
     ["6817-6821/tcp", "60001-63000/tcp"]),
    ({"SlurmctldPort": 7817, "SlurmdPort": "7818", "SrunPortRange": None}, "7819", ["7817-7819/tcp"]),
    ({"slurmctldport": 6817, "slurmdport": 6900}, 6819, ["6817/tcp", "6819/tcp", "6900/tcp"]),
    ({"SlurmdPort": ""}, 6819, ["6817-6819/tcp"]),
])
def test_ports(config, dbd_port, ports):
    assert slurm_ports(config, dbd_port=dbd_port) == ports


@pytest.mark.parametrize(("config", "dbd_port", "named"), [
    ({"SlurmctldPort": "6818-6817"}, 6819, "SlurmctldPort '6818-6817'"),
    ({"SrunPortRange": "60001:63000"}, 6819, "SrunPortRange '60001:63000'"),
    ({}, 70000, "DbdPort 70000"),
])
def test_what_is_not_a_port_is_named(config, dbd_port, named):
    with pytest.raises(AnsibleFilterError, match="slurm_ports: %s is not a port" % named):
        slurm_ports(config, dbd_port=dbd_port)


def test_not_a_dictionary():
    with pytest.raises(AnsibleFilterError, match="expected the slurm.conf settings"):
        slurm_ports(["SlurmctldPort=6817"])


@pytest.mark.parametrize(("spec", "span"), [(6817, (6817, 6817)), (" 6817-6818 ", (6817, 6818)), ("0", None),
                                            ("65536", None), ("6818-6817", None), (True, None), ("x", None)])
def test_port_span(spec, span):
    assert port_span(spec) == span


def test_merged_spans():
    assert merged_spans([(6819, 6819), (6817, 6817), (6818, 6818), (60001, 63000), (62000, 64000)]) == [
        (6817, 6819), (60001, 64000)]


def test_registered():
    assert FilterModule().filters()["slurm_ports"] is slurm_ports
