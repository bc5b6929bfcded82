# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""bad_durations: the settings Prometheus or Alertmanager would refuse as durations, each named."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.bad_durations import FilterModule, bad_durations
from ansible_collections.hpc.cluster.plugins.module_utils.durations import duration_ms


@pytest.mark.parametrize(("text", "milliseconds"), [
    ("15s", 15000), ("1m", 60000), ("1h30m", 5400000), ("15d", 1296000000), ("2w", 1209600000),
    ("1y", 31536000000), ("500ms", 500), ("1m30s500ms", 90500), ("0s", 0), ("0", 0), ("00h", 0),
    ("1y2w3d4h5m6s7ms", 31536000000 + 2 * 604800000 + 3 * 86400000 + 4 * 3600000 + 5 * 60000 + 6 * 1000 + 7),
    # The longest ones promtool 2.42 takes (tried: one millisecond more is "duration out of range").
    ("292y", 292 * 31536000000), ("106751d23h47m16s854ms", 9223372036854),
])
def test_durations(text, milliseconds):
    assert duration_ms(text) == milliseconds


@pytest.mark.parametrize("text", ["", "15", "15 seconds", "15days", "15S", "1.5h", "30m1h", "1h 30m", " 15s", "15s ",
                                  "1s1s", "ms", "s", "-1s", "1d1y", "15sec", 15, 0, None, True, 1.5, ["15s"],
                                  "293y", "292y52w", "106751d23h47m16s855ms", "9223372036855ms", "1000000y"])
def test_not_durations(text):
    assert duration_ms(text) is None


def test_each_culprit_named_in_order():
    settings = {"prometheus_scrape_interval": "15 seconds", "prometheus_scrape_timeout": "10s",
                "prometheus_evaluation_interval": "0s", "prometheus_retention": 15}
    assert bad_durations(settings) == [
        "prometheus_scrape_interval '15 seconds' is not a duration",
        "prometheus_evaluation_interval '0s' must not be zero",
        "prometheus_retention '15' is not a duration",
    ]


def test_too_long_named_apart():
    assert bad_durations({"prometheus_retention": "300y", "prometheus_scrape_interval": "15 y"}) == [
        "prometheus_retention '300y' is longer than Prometheus and Alertmanager can hold (292y at most)",
        "prometheus_scrape_interval '15 y' is not a duration",
    ]
    assert bad_durations({"prometheus_retention": "292y"}) == []


def test_zero_allowed():
    assert bad_durations({"alertmanager_group_wait": "0s", "x": "0"}, zero=True) == []
    assert bad_durations({"alertmanager_group_wait": "0 s"}, zero=True) == [
        "alertmanager_group_wait '0 s' is not a duration"]


def test_all_durations():
    assert bad_durations({}) == []
    assert bad_durations({"a": "30s", "b": "5m", "c": "4h"}) == []


@pytest.mark.parametrize(("settings", "zero", "message"), [
    (["15s"], False, "expected setting names and values, got list"),
    ("15s", False, "expected setting names and values, got str"),
    ({"a": "15s"}, "yes", "zero must be true or false"),
])
def test_refused_arguments(settings, zero, message):
    with pytest.raises(AnsibleFilterError, match=message):
        bad_durations(settings, zero=zero)


def test_registered():
    assert FilterModule().filters()["bad_durations"] is bad_durations


def test_the_duration_ms_filter():
    from ansible_collections.hpc.cluster.plugins.filter import duration_ms as module
    assert module.duration_ms("1h30m") == 5400000 and module.duration_ms("0") == 0
    for bad in ("15 seconds", 15, "293y"):
        with pytest.raises(AnsibleFilterError, match="is not a duration Prometheus takes"):
            module.duration_ms(bad)
    assert module.FilterModule().filters() == {"duration_ms": module.duration_ms}
