# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurmctld_port: the port clients ask slurmctld on."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurmctld_port import FilterModule, slurmctld_port


@pytest.mark.parametrize(("config", "overrides", "port"), [
    ({}, None, 6817),
    (None, None, 6817),
    ({"SlurmctldPort": ""}, {}, 6817),
    ({"SlurmctldPort": 7817}, None, 7817),
    # A range: clients ask its first port (the former Jinja took '6817-6818' | int, 0).
    ({"SlurmctldPort": "6817-6818"}, None, 6817),
    # The group's settings win, in any case.
    ({"SlurmctldPort": 6817}, {"slurmctldport": "7000-7003"}, 7000),
    ({"SlurmctldPort": 7817}, {"SlurmdPort": 7818}, 7817),
])
def test_port(config, overrides, port):
    assert slurmctld_port(config, overrides) == port


@pytest.mark.parametrize("spec", ["6818-6817", "0", "70000", "6817,6818", True])
def test_not_a_port_is_refused(spec):
    with pytest.raises(AnsibleFilterError, match="SlurmctldPort .* is not a port"):
        slurmctld_port({"SlurmctldPort": spec})


def test_not_settings():
    with pytest.raises(AnsibleFilterError, match="expected slurm.conf settings, got list"):
        slurmctld_port({}, ["SlurmctldPort"])


def test_registered():
    assert FilterModule().filters()["slurmctld_port"] is slurmctld_port
