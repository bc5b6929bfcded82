# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""health_table: raw command output of every node -> one table and the unhealthy nodes; from tables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.health_table import (
    FilterModule,
    health_table,
    parse_chrony,
    parse_df,
    parse_failed_units,
    state_flags,
)

CHRONY_OK = """Reference ID    : 0A140001 (head)
Stratum         : 11
System time     : 0.000012345 seconds fast of NTP time
Last offset     : +0.000001000 seconds
Leap status     : Normal
"""
CHRONY_SLOW = CHRONY_OK.replace("0.000012345 seconds fast", "2.500000000 seconds slow")
CHRONY_UNSYNC = CHRONY_OK.replace("Leap status     : Normal", "Leap status     : Not synchronised")
DF = """Filesystem     1024-blocks     Used Available Capacity Mounted on
overlay           51290592 21370492  27281024      44% /
/dev/sdb1        102400000 92160000  10240000      91% /home
"""
DF_ROOT_ONLY = "\n".join(DF.splitlines()[:2]) + "\n"
SCONTROL = (
    "NodeName=c01 Arch=x86_64 CPUAlloc=0 State=IDLE Partitions=batch\n"
    "NodeName=c02 Arch=x86_64 CPUAlloc=0 State=IDLE+DRAIN Partitions=batch "
    "Reason=rolling maintenance failed [root@2026-01-01T10:00:00]\n"
    "NodeName=c03 Arch=x86_64 CPUAlloc=0 State=DOWN* Partitions=batch "
    "Reason=Not responding [slurm@2026-01-01T10:00:00]\n"
)


def report(**changes):
    base = {
        "reachable": True, "slurm_node": True, "daemon": "slurmd", "daemon_state": "active\n",
        "munge_rc": 0, "munge_error": "", "version": "slurm 22.05.8\n", "chrony_rc": 0,
        "chrony": CHRONY_OK, "df": DF_ROOT_ONLY, "failed_units": "",
    }
    base.update(changes)
    return base


def test_filter_name():
    assert FilterModule().filters() == {"health_table": health_table}


@pytest.mark.parametrize("state, flags", [
    ("IDLE", {"IDLE"}),
    ("MIXED+DRAIN", {"MIXED", "DRAIN"}),
    ("DOWN*", {"DOWN", "NOT_RESPONDING"}),
    ("idle*", {"IDLE", "NOT_RESPONDING"}),
    ("DRAINED", {"DRAIN"}),
    ("", set()),
])
def test_state_flags(state, flags):
    assert state_flags(state) == flags


@pytest.mark.parametrize("text, expected", [
    (CHRONY_OK, (0.000012345, "Normal")),
    (CHRONY_SLOW, (-2.5, "Normal")),
    (CHRONY_UNSYNC, (0.000012345, "Not synchronised")),
    ("", (None, "")),
])
def test_parse_chrony(text, expected):
    assert parse_chrony(text) == expected


@pytest.mark.parametrize("text, expected", [
    (DF, [44, 91]),
    (DF_ROOT_ONLY, [44, None]),
    ("", [None, None]),
])
def test_parse_df(text, expected):
    assert parse_df(text) == expected


def test_parse_failed_units_and_ignore_patterns():
    text = "slurmd.service loaded failed failed Slurm node daemon\n\u25cf nfs.mount loaded failed failed /nfs\n"
    assert parse_failed_units(text, []) == ["slurmd.service", "nfs.mount"]
    assert parse_failed_units(text, ["*.mount"]) == ["slurmd.service"]


def test_healthy_cluster():
    hosts = {"head": report(slurm_node=False, daemon="slurmctld", version="slurm 22.05.8"), "c01": report()}
    result = health_table(hosts, slurm_nodes=SCONTROL)
    assert result["healthy"] is True and result["unhealthy"] == {}
    head, c01 = result["rows"]
    assert head["state"] == "-" and head["daemon"] == "slurmctld active" and head["problems"] == []
    assert c01 == {"node": "c01", "state": "IDLE", "reason": "-", "munge": "ok", "daemon": "slurmd active",
                   "version": "22.05.8", "time_offset": "+0.000012s", "root": "44%", "home": "-",
                   "failed_units": "-", "problems": []}
    assert result["table"][0].split() == ["NODE", "SLURM", "STATE", "REASON", "MUNGE", "DAEMON", "VERSION",
                                          "TIME", "OFFSET", "/", "USE", "/home", "USE", "FAILED", "UNITS", "HEALTH"]
    assert result["table"][2].startswith("c01 ") and result["table"][2].endswith("  OK")


@pytest.mark.parametrize("host, changes, problem", [
    ("c01", {"daemon_state": "inactive\n"}, "slurmd is inactive"),
    ("c01", {"munge_rc": 1, "munge_error": "unmunge: Error: Invalid credential"},
     "munge -n | unmunge failed: unmunge: Error: Invalid credential"),
    ("c01", {"munge_rc": None}, "munge -n | unmunge failed: rc None"),
    ("c01", {"chrony": CHRONY_SLOW}, "clock off by -2.500s (limit 0.5s)"),
    ("c01", {"chrony": CHRONY_UNSYNC}, "chrony not synchronised (leap status Not synchronised)"),
    ("c01", {"chrony_rc": 1, "chrony": ""}, "chronyc tracking failed"),
    ("c01", {"df": DF}, "/home is 91% full"),
    ("c01", {"df": ""}, "df of / unreadable"),
    ("c01", {"failed_units": "fstrim.service loaded failed failed Discard\n"}, "failed unit(s) fstrim.service"),
    ("c02", {}, "Slurm state IDLE+DRAIN (rolling maintenance failed)"),
    ("c03", {}, "Slurm state DOWN* (Not responding)"),
    ("c09", {}, "not a node Slurm knows"),
])
def test_one_problem_makes_the_node_unhealthy(host, changes, problem):
    result = health_table({"head": report(slurm_node=False, daemon="slurmctld"), host: report(**changes)},
                          slurm_nodes=SCONTROL)
    assert result["healthy"] is False
    assert result["unhealthy"] == {host: [problem]}
    assert result["table"][2].startswith(host + " ")
    assert result["table"][2].endswith("UNHEALTHY: " + problem)


def test_unreachable_host_and_missing_report():
    result = health_table({"c01": {}, "c03": {"reachable": False}}, slurm_nodes=SCONTROL)
    assert result["unhealthy"] == {
        "c01": ["did not answer (unreachable, or it failed before reporting)"],
        "c03": ["did not answer (unreachable, or it failed before reporting)"]}
    assert result["rows"][1]["state"] == "DOWN*" and result["rows"][1]["reason"] == "Not responding"


def test_limits_and_ignores():
    hosts = {"c02": report(df=DF, chrony=CHRONY_SLOW, failed_units="fstrim.service loaded failed failed x\n")}
    result = health_table(hosts, slurm_nodes=SCONTROL, allow_drain=True, max_disk_percent=95,
                          max_time_offset=3, ignore_units=["fstrim.*"])
    assert result["healthy"] is True, result["unhealthy"]


def test_yes_no_limits_given_as_strings():
    """-e health_allow_drain=false passes the string 'false': false, not a non-empty string taken as true."""
    hosts = {"c02": report(df=DF, chrony=CHRONY_SLOW)}
    strict = health_table(hosts, slurm_nodes=SCONTROL, allow_drain="false", require_time_sync="yes",
                          max_disk_percent=95, max_time_offset=3)
    assert strict == health_table(hosts, slurm_nodes=SCONTROL, allow_drain=False, require_time_sync=True,
                                  max_disk_percent=95, max_time_offset=3)
    assert not strict["healthy"]
    assert health_table(hosts, slurm_nodes=SCONTROL, allow_drain="true", max_disk_percent=95, max_time_offset=3)[
        "healthy"]


def test_unreadable_slurm_list_is_named():
    result = health_table({"c01": report()}, slurm_nodes="")
    assert result["unhealthy"] == {"c01": ["Slurm's node list unreadable"]}


def test_several_problems_are_joined():
    result = health_table({"c01": report(daemon_state="failed", munge_rc=1, munge_error="boom")},
                          slurm_nodes=SCONTROL)
    assert result["unhealthy"]["c01"] == ["munge -n | unmunge failed: boom", "slurmd is failed"]
    assert result["table"][1].endswith("UNHEALTHY: munge -n | unmunge failed: boom; slurmd is failed")


@pytest.mark.parametrize("args, message", [
    (([],), "expected a dict of host -> report, got list"),
    (({"c01": "up"},), "host c01: expected a dict"),
    (({"c01": {}}, "", "fast"), "max_time_offset must be a number"),
    (({"c01": {}}, "", 1, True, "full"), "max_disk_percent must be a number"),
    (({"c01": {}}, "", 1, True, 90, False, [3]), "ignore_units must be a list of strings"),
    (({"c01": {}}, "", 1, True, 90, "sometimes"), "allow_drain must be true or false, got 'sometimes'"),
    (({"c01": {}}, "", 1, "maybe"), "require_time_sync must be true or false, got 'maybe'"),
])
def test_bad_input_raises(args, message):
    with pytest.raises(AnsibleFilterError, match="^health_table: " + message):
        health_table(*args)
