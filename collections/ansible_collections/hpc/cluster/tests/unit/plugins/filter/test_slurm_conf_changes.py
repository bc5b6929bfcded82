# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_conf_changes: old and new slurm.conf -> changed keys, restart or reconfigure, why."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_conf_changes import FilterModule, slurm_conf_changes
from ansible_collections.hpc.cluster.plugins.module_utils.slurm_restart_keys import RESTART_KEYS, SOURCES

# What the role writes on the lab (Debian 12), trimmed to the parts the cases touch.
LAB = """\
# Ansible managed
ClusterName=lab
SlurmctldHost=slurm-head
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
SlurmctldPort=6817
SlurmdPort=6818
SrunPortRange=60001-63000
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup,task/affinity
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=bf_continue,bf_window=2880
DefMemPerCPU=1024
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=slurm-head
AccountingStorageEnforce=associations,limits,qos
JobCompType=jobcomp/none

NodeName=slurm-c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=21504
PartitionName=batch Nodes=slurm-c[01-02] Default=YES MaxTime=INFINITE State=UP
"""


def edit(text, old, new):
    assert old in text, old
    return text.replace(old, new)


def add(text, line):
    return edit(text, "JobCompType=jobcomp/none\n", "JobCompType=jobcomp/none\n%s\n" % line)


# id, old, new, version, extra restart keys, changed keys, restart, keys given as the reason
CASES = [
    ("nothing changed", LAB, LAB, "22.05.8", [], [], False, []),
    ("comments and blank lines only", LAB, "# another header\n\n" + LAB.replace("\n\n", "\n"),
     "22.05.8", [], [], False, []),
    ("key spelled in another case", LAB, edit(LAB, "DefMemPerCPU=1024", "defmempercpu=1024"),
     "22.05.8", [], [], False, []),
    # After a reconfigure slurmd took the new SlurmUser and refused slurmctld's RPCs (lab, 22.05):
    # a restart of both, whatever the release.
    ("SlurmUser on 22.05", LAB, edit(LAB, "SlurmUser=slurm", "SlurmUser=slurmsvc"), "22.05.8", [],
     ["SlurmUser"], True, ["SlurmUser"]),
    ("SlurmUser on 24.11", LAB, edit(LAB, "SlurmUser=slurm", "SlurmUser=slurmsvc"), "24.11.5", [],
     ["SlurmUser"], True, ["SlurmUser"]),
    # 22.05's page: MaxJobCount, MaxNodeCount, AccountingStorageEnforce need slurmctld restarted.
    ("MaxJobCount on 22.05", LAB, add(LAB, "MaxJobCount=20000"), "22.05.8", [],
     ["MaxJobCount"], True, ["MaxJobCount"]),
    ("MaxNodeCount on 22.05", LAB, add(LAB, "MaxNodeCount=64"), "22.05.8", [],
     ["MaxNodeCount"], True, ["MaxNodeCount"]),
    ("AccountingStorageEnforce on 22.05", LAB,
     edit(LAB, "Enforce=associations,limits,qos", "Enforce=associations,limits,qos,safe"),
     "22.05.8", [], ["AccountingStorageEnforce"], True, ["AccountingStorageEnforce"]),
    ("GresTypes on 22.05", LAB, add(LAB, "GresTypes=gpu"), "22.05.8", [],
     ["GresTypes"], True, ["GresTypes"]),
    ("SelectTypeParameters on 22.05", LAB,
     edit(LAB, "CR_Core_Memory", "CR_CPU_Memory"), "22.05.8", [],
     ["SelectTypeParameters"], True, ["SelectTypeParameters"]),
    ("StateSaveLocation on 22.05", LAB,
     edit(LAB, "StateSaveLocation=/var/lib/slurm/slurmctld", "StateSaveLocation=/srv/slurm"),
     "22.05.8", [], ["StateSaveLocation"], True, ["StateSaveLocation"]),
    # ... and the same keys reconfigure from 23.11 on (reconfigure re-executes the daemons).
    ("MaxJobCount on 23.11", LAB, add(LAB, "MaxJobCount=20000"), "23.11.10", [],
     ["MaxJobCount"], False, []),
    ("MaxJobCount on 24.11", LAB, add(LAB, "MaxJobCount=20000"), "slurm 24.11.5", [],
     ["MaxJobCount"], False, []),
    ("AccountingStorageEnforce on 25.05", LAB,
     edit(LAB, "Enforce=associations,limits,qos", "Enforce=associations,limits"),
     "25.05.3", [], ["AccountingStorageEnforce"], False, []),
    # Reconfigure-class everywhere.
    ("MaxStepCount on 22.05", LAB, add(LAB, "MaxStepCount=50000"), "22.05.8", [],
     ["MaxStepCount"], False, []),
    ("TreeWidth on 22.05 (not in the page's list)", LAB, add(LAB, "TreeWidth=32"), "22.05.8", [],
     ["TreeWidth"], False, []),
    ("partition options", LAB, edit(LAB, "MaxTime=INFINITE", "MaxTime=7-00:00:00"),
     "22.05.8", [], ["PartitionName"], False, []),
    ("a partition added", LAB,
     LAB + "PartitionName=debug Nodes=slurm-c01 MaxTime=30 State=UP\n", "24.11.5", [],
     ["PartitionName"], False, []),
    # TCP listening settings: a restart on every release.
    ("SlurmctldPort on 24.05", LAB, edit(LAB, "SlurmctldPort=6817", "SlurmctldPort=7817"),
     "24.05.2", [], ["SlurmctldPort"], True, ["SlurmctldPort"]),
    ("SlurmdPort on 22.05", LAB, edit(LAB, "SlurmdPort=6818", "SlurmdPort=7818"),
     "22.05.8", [], ["SlurmdPort"], True, ["SlurmdPort"]),
    ("CommunicationParameters binding on 24.11", LAB, add(LAB, "CommunicationParameters=NoInAddrAny"),
     "24.11.5", [], ["CommunicationParameters"], True, ["CommunicationParameters"]),
    ("CommunicationParameters keepalive on 24.11", LAB,
     add(LAB, "CommunicationParameters=keepalivetime=60"), "24.11.5", [],
     ["CommunicationParameters"], False, []),
    # Only some options of a parameter need a restart.
    ("enable_configless on 22.05", LAB, add(LAB, "SlurmctldParameters=enable_configless"),
     "22.05.8", [], ["SlurmctldParameters"], True, ["SlurmctldParameters"]),
    ("enable_configless on 24.11", LAB, add(LAB, "SlurmctldParameters=enable_configless"),
     "24.11.5", [], ["SlurmctldParameters"], False, []),
    ("another SlurmctldParameters option on 22.05",
     add(LAB, "SlurmctldParameters=enable_configless"),
     add(LAB, "SlurmctldParameters=enable_configless,idle_on_node_suspend"),
     "22.05.8", [], ["SlurmctldParameters"], False, []),
    ("scheduler option on 22.05", LAB,
     edit(LAB, "bf_continue,bf_window=2880", "bf_continue,bf_window=4320"), "22.05.8", [],
     ["SchedulerParameters"], False, []),
    ("no_backup_scheduling on 22.05", LAB,
     edit(LAB, "bf_continue,bf_window=2880", "bf_continue,bf_window=2880,no_backup_scheduling"),
     "22.05.8", [], ["SchedulerParameters"], True, ["SchedulerParameters"]),
    # Always a restart: node definitions, controllers, plugin choices.
    ("a node's memory", LAB, edit(LAB, "RealMemory=21504", "RealMemory=20480"), "24.11.5", [],
     ["NodeName"], True, ["NodeName"]),
    ("a node added", LAB,
     edit(LAB, "slurm-c[01-02] Sockets", "slurm-c[01-03] Sockets").replace(
         "Nodes=slurm-c[01-02]", "Nodes=slurm-c[01-03]"),
     "25.05.3", [], ["NodeName", "PartitionName"], True, ["NodeName"]),
    ("a node set", LAB, LAB + "NodeSet=gpus Feature=a100\n", "24.11.5", [],
     ["NodeSet"], True, ["NodeSet"]),
    ("a backup controller", LAB,
     edit(LAB, "SlurmctldHost=slurm-head\n", "SlurmctldHost=slurm-head\nSlurmctldHost=slurm-head2\n"),
     "24.11.5", [], ["SlurmctldHost"], True, ["SlurmctldHost"]),
    ("a plugin", LAB, edit(LAB, "TaskPlugin=task/cgroup,task/affinity", "TaskPlugin=task/cgroup"),
     "24.11.5", [], ["TaskPlugin"], True, ["TaskPlugin"]),
    ("a Type key", LAB, edit(LAB, "JobCompType=jobcomp/none", "JobCompType=jobcomp/filetxt"),
     "24.11.5", [], ["JobCompType"], True, ["JobCompType"]),
    # The site's own additions.
    ("site key", LAB, add(LAB, "TreeWidth=32"), "22.05.8", ["TreeWidth"],
     ["TreeWidth"], True, ["TreeWidth"]),
    ("site key in another case", LAB, add(LAB, "TreeWidth=32"), "24.11.5", ["treewidth"],
     ["TreeWidth"], True, ["TreeWidth"]),
    # Several keys: every restart reason is given.
    ("several keys", LAB,
     add(edit(LAB, "RealMemory=21504", "RealMemory=20480"), "MaxJobCount=20000\nKillWait=45"),
     "22.05.8", [], ["KillWait", "MaxJobCount", "NodeName"], True, ["MaxJobCount", "NodeName"]),
    ("a removed key", add(LAB, "MaxJobCount=20000"), LAB, "22.05.8", [],
     ["MaxJobCount"], True, ["MaxJobCount"]),
    # An unknown version (nothing installed, or an unreadable answer): the oldest rules.
    ("unknown version", LAB, add(LAB, "MaxJobCount=20000"), "", [],
     ["MaxJobCount"], True, ["MaxJobCount"]),
    ("older than every release listed", LAB, add(LAB, "MaxJobCount=20000"), "21.08.5", [],
     ["MaxJobCount"], True, ["MaxJobCount"]),
    ("23.02 follows 22.05", LAB, add(LAB, "MaxJobCount=20000"), "23.02.7", [],
     ["MaxJobCount"], True, ["MaxJobCount"]),
]


def test_filter_name():
    assert FilterModule().filters() == {"slurm_conf_changes": slurm_conf_changes}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_changes(case):
    _id, old, new, version, extra, changed, restart, why_keys = case
    result = slurm_conf_changes(new, old, version=version, restart_keys=extra)
    assert result["changed"] == changed
    assert result["restart"] is restart
    assert [reason["key"] for reason in result["reasons"]] == why_keys
    assert all(reason["why"] for reason in result["reasons"])


@pytest.mark.parametrize("old", [None, ""])
def test_no_current_file_is_a_restart(old):
    result = slurm_conf_changes(LAB, old, version="24.11.5")
    assert result["restart"] is True
    assert result["reasons"][0] == {"key": "slurm.conf", "why": "no current slurm.conf: the daemons start from it"}
    assert "ClusterName" in result["changed"] and "NodeName" in result["changed"]


@pytest.mark.parametrize("version, rules", [
    ("22.05.8", "22.05"), ("slurm 22.05.8", "22.05"), ("slurm-wlm 22.05.8", "22.05"),
    ("23.02.7", "22.05"), ("23.11.10", "23.11"), ("24.05.2", "24.05"), ("24.11.5-4", "24.11"),
    ("25.05.3", "25.05"), ("25.11.2", "25.05"), ("26.05.5", "25.05"), ("", "22.05"),
    (None, "22.05"), ("21.08.5", "22.05"), ("not a version", "22.05"),
])
def test_rules_by_version(version, rules):
    assert slurm_conf_changes(LAB, LAB, version=version)["rules"] == rules


def test_reason_names_the_source():
    result = slurm_conf_changes(add(LAB, "MaxJobCount=20000"), LAB, version="22.05.8")
    (reason,) = result["reasons"]
    assert reason["key"] == "MaxJobCount"
    assert "slurmctld" in reason["why"] and "22.05" in reason["why"]


def test_every_release_has_a_source():
    assert set(SOURCES) == set(RESTART_KEYS)
    for release, rules in RESTART_KEYS.items():
        for key, rule in rules.items():
            assert rule["why"], (release, key)


def test_first_key_of_a_line_counts():
    # A NodeName line holds many key=value pairs; only the line's first key names it.
    new = edit(LAB, "RealMemory=21504", "RealMemory=21504 Weight=10")
    assert slurm_conf_changes(new, LAB, version="24.11.5")["changed"] == ["NodeName"]


def test_comment_after_a_value():
    new = edit(LAB, "DefMemPerCPU=1024", "DefMemPerCPU=1024  # per CPU")
    assert slurm_conf_changes(new, LAB, version="22.05.8")["changed"] == []


@pytest.mark.parametrize("args, message", [
    ((42, LAB), "new slurm.conf must be a string, got int"),
    ((LAB, ["x"]), "current slurm.conf must be a string, got list"),
    ((LAB, LAB, "22.05", "TreeWidth"), "restart_keys must be a list of slurm.conf keys, got 'TreeWidth'"),
    ((LAB, LAB, "22.05", [3]), "restart_keys must be a list of slurm.conf keys, got [3]"),
    ((LAB + "NotAKeyLine\n", LAB), "line 'NotAKeyLine' of the new slurm.conf is not key=value"),
])
def test_errors(args, message):
    with pytest.raises(AnsibleFilterError) as caught:
        slurm_conf_changes(*args)
    assert "slurm_conf_changes: " + message in str(caught.value)
