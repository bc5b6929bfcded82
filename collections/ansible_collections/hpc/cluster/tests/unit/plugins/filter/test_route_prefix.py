# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""route_prefix: the path a web daemon serves under, from its external URL."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.route_prefix import FilterModule, route_prefix


@pytest.mark.parametrize(("url", "prefix"), [
    ("", ""),
    (None, ""),
    ("http://prometheus.lab:9090", ""),
    ("http://prometheus.lab:9090/", ""),
    ("https://hpc.example.org/prometheus/", "/prometheus"),
    ("https://hpc.example.org/prometheus", "/prometheus"),
    ("https://hpc.example.org/monitor/prometheus//", "/monitor/prometheus"),
    (" https://hpc.example.org/p/ ", "/p"),
])
def test_prefix(url, prefix):
    assert route_prefix(url) == prefix


def test_not_a_url():
    with pytest.raises(AnsibleFilterError, match="expected a URL, got int"):
        route_prefix(9090)


def test_registered():
    assert FilterModule().filters()["route_prefix"] is route_prefix
