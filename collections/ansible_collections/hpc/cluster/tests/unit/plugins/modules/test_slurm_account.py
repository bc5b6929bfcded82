# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_account: sacctmgr mocked, cases from tables."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.modules import slurm_account

Q = ["--noheader", "--parsable2", "show"]


def show(entity, where, fields, out=""):
    return (Q + [entity, "where"] + where + ["format=" + ",".join(fields)], 0, out, "")


def change(*args):
    return (["-i"] + list(args), 0, "", "")


ACCOUNT_FIELDS = ["Account", "Description", "Organization"]
USER_FIELDS = ["User", "DefaultAccount"]

CASES = [
    # (id, args, commands, expected changed)
    ("cluster: add", {"type": "cluster", "name": "lab"},
     [show("cluster", ["name=lab"], ["Cluster"]), change("add", "cluster", "lab")], True),
    ("cluster: exists", {"type": "cluster", "name": "lab"},
     [show("cluster", ["name=lab"], ["Cluster"], "lab\n")], False),
    ("cluster: remove", {"type": "cluster", "name": "lab", "state": "absent"},
     [show("cluster", ["name=lab"], ["Cluster"], "lab\n"), change("delete", "cluster", "where", "name=lab")], True),
    ("cluster: already absent", {"type": "cluster", "name": "lab", "state": "absent"},
     [show("cluster", ["name=lab"], ["Cluster"], "")], False),

    ("account: add with parent, description, organization on one cluster",
     {"type": "account", "name": "physics", "parent": "root", "description": "Physics dept",
      "organization": "science", "cluster": "lab"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS),
      show("association", ["account=physics", "cluster=lab"],
           ["Cluster", "Account", "User", "Partition", "ParentName"]),
      change("add", "account", "physics", "Cluster=lab", "Description=Physics dept", "Organization=science",
             "Parent=root")], True),
    ("account: unchanged (user rows under the account are ignored)",
     {"type": "account", "name": "physics", "parent": "root", "description": "Physics dept",
      "organization": "science", "cluster": "lab"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|Physics dept|science\n"),
      show("association", ["account=physics", "cluster=lab"], ["Cluster", "Account", "User", "Partition", "ParentName"],
           "lab|physics|||root\nlab|physics|alice||\n")], False),
    ("account: unchanged when sacctmgr stored description and organization in lower case",
     {"type": "account", "name": "physics", "description": "Physics Dept", "organization": "Science"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|physics dept|science\n"),
      show("association", ["account=physics"], ["Cluster", "Account", "User", "Partition"],
           "lab|physics||\n")], False),
    ("account: new description and parent",
     {"type": "account", "name": "physics", "parent": "science", "description": "Physics"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|Physics dept|science\n"),
      show("association", ["account=physics"], ["Cluster", "Account", "User", "Partition", "ParentName"],
           "lab|physics|||root\n"),
      change("modify", "account", "where", "name=physics", "set", "Description=Physics"),
      change("modify", "account", "where", "name=physics", "set", "Parent=science")], True),
    ("account: limits equal after normalisation (mem=1G is 1024M, 48:00:00 is 2-00:00:00)",
     {"type": "account", "name": "physics", "limits": {"GrpTRES": "mem=1G,cpu=100", "MaxWall": "48:00:00",
                                                       "maxjobs": 10}},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|physics|physics\n"),
      show("association", ["account=physics"],
           ["Cluster", "Account", "User", "Partition", "GrpTRES", "MaxJobs", "MaxWall"],
           "lab|physics|||cpu=100,mem=1024M|10|2-00:00:00\n")], False),
    ("account: limits, QOS list and default QOS changed",
     {"type": "account", "name": "physics", "cluster": "lab", "qos": ["normal", "long"], "default_qos": "normal",
      "limits": {"GrpTRES": "cpu=200", "MaxJobs": -1}},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|physics|physics\n"),
      show("association", ["account=physics", "cluster=lab"],
           ["Cluster", "Account", "User", "Partition", "DefaultQOS", "GrpTRES", "MaxJobs", "QOS"],
           "lab|physics|||normal|cpu=100|10|normal\n"),
      change("modify", "account", "where", "name=physics", "cluster=lab", "set",
             "GrpTRES=cpu=200", "MaxJobs=-1", "QOS=normal,long")], True),
    ("account: remove on one cluster",
     {"type": "account", "name": "physics", "cluster": "lab", "state": "absent"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|physics|physics\n"),
      show("association", ["account=physics", "cluster=lab"], ["Cluster", "Account", "User", "Partition"],
           "lab|physics||\n"),
      change("delete", "account", "where", "name=physics", "cluster=lab")], True),
    ("account: already absent",
     {"type": "account", "name": "physics", "state": "absent"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS),
      show("association", ["account=physics"], ["Cluster", "Account", "User", "Partition"])], False),

    ("user: add with default account and QOS",
     {"type": "user", "name": "alice", "account": "physics", "default_account": "physics",
      "qos": ["normal", "long"], "cluster": "lab"},
     [show("user", ["name=alice"], USER_FIELDS),
      show("association", ["user=alice", "account=physics", "cluster=lab"],
           ["Cluster", "Account", "User", "Partition", "QOS"]),
      change("add", "user", "alice", "Account=physics", "Cluster=lab", "DefaultAccount=physics",
             "QOS=normal,long")], True),
    ("user: unchanged, QOS order does not matter, partition rows ignored",
     {"type": "user", "name": "alice", "account": "physics", "default_account": "physics",
      "qos": ["normal", "long"]},
     [show("user", ["name=alice"], USER_FIELDS, "alice|physics\n"),
      show("association", ["user=alice", "account=physics"], ["Cluster", "Account", "User", "Partition", "QOS"],
           "lab|physics|alice||long,normal\nlab|physics|alice|gpu|normal\n")], False),
    ("user: second account for an existing user, then the default account",
     {"type": "user", "name": "alice", "account": "chemistry", "default_account": "chemistry"},
     [show("user", ["name=alice"], USER_FIELDS, "alice|physics\n"),
      show("association", ["user=alice", "account=chemistry"], ["Cluster", "Account", "User", "Partition"]),
      change("add", "user", "alice", "Account=chemistry"),
      change("modify", "user", "where", "name=alice", "set", "DefaultAccount=chemistry")], True),
    ("user: association limits",
     {"type": "user", "name": "alice", "account": "physics", "limits": {"MaxJobs": 100, "MaxSubmitJobs": 200}},
     [show("user", ["name=alice"], USER_FIELDS, "alice|physics\n"),
      show("association", ["user=alice", "account=physics"],
           ["Cluster", "Account", "User", "Partition", "MaxJobs", "MaxSubmitJobs"], "lab|physics|alice||100|\n"),
      change("modify", "user", "where", "name=alice", "account=physics", "set", "MaxSubmitJobs=200")], True),
    ("user: leave one account",
     {"type": "user", "name": "alice", "account": "physics", "state": "absent"},
     [show("user", ["name=alice"], USER_FIELDS, "alice|physics\n"),
      show("association", ["user=alice", "account=physics"], ["Cluster", "Account", "User", "Partition"],
           "lab|physics|alice|\n"),
      change("delete", "user", "where", "name=alice", "account=physics")], True),
    ("user: remove entirely",
     {"type": "user", "name": "alice", "state": "absent"},
     [show("user", ["name=alice"], USER_FIELDS, "alice|physics\n"),
      show("association", ["user=alice"], ["Cluster", "Account", "User", "Partition"], "lab|physics|alice|\n"),
      change("delete", "user", "where", "name=alice")], True),
    ("user: absent already",
     {"type": "user", "name": "bob", "state": "absent"},
     [show("user", ["name=bob"], USER_FIELDS),
      show("association", ["user=bob"], ["Cluster", "Account", "User", "Partition"])], False),

    ("qos: add with limits",
     {"type": "qos", "name": "long", "description": "up to a week",
      "limits": {"MaxWall": "7-00:00:00", "MaxTRESPerUser": "cpu=256", "Priority": 10}},
     [show("qos", ["name=long"], ["Name", "Description", "MaxTRESPU", "MaxWall", "Priority"]),
      change("add", "qos", "long", "Description=up to a week", "MaxTRESPerUser=cpu=256",
             "MaxWall=7-00:00:00", "Priority=10")], True),
    ("qos: unchanged (168:00:00 is 7 days)",
     {"type": "qos", "name": "long", "limits": {"MaxWall": "168:00:00", "Flags": ["NoReserve", "DenyOnLimit"]}},
     [show("qos", ["name=long"], ["Name", "Description", "Flags", "MaxWall"],
           "long|long|DenyOnLimit,NoReserve|7-00:00:00\n")], False),
    ("qos: priority and usage factor changed",
     {"type": "qos", "name": "long", "limits": {"Priority": 10, "UsageFactor": 0.5}},
     [show("qos", ["name=long"], ["Name", "Description", "Priority", "UsageFactor"], "long|long|5|1.000000\n"),
      change("modify", "qos", "where", "name=long", "set", "Priority=10", "UsageFactor=0.5")], True),
    ("qos: description is compared exactly",
     {"type": "qos", "name": "long", "description": "Long"},
     [show("qos", ["name=long"], ["Name", "Description"], "long|long\n"),
      change("modify", "qos", "where", "name=long", "set", "Description=Long")], True),
    ("qos: remove",
     {"type": "qos", "name": "long", "state": "absent"},
     [show("qos", ["name=long"], ["Name", "Description"], "long|long\n"),
      change("delete", "qos", "where", "name=long")], True),
]

FAILURES = [
    ("parent is only for accounts", {"type": "user", "name": "alice", "account": "a", "parent": "root"}, [],
     "option parent is not valid with type=user (only with type=account)"),
    ("user needs an account", {"type": "user", "name": "alice"}, [],
     "type=user with state=present needs account"),
    ("unknown limit", {"type": "account", "name": "a", "limits": {"MaxCPUs": 1}}, [],
     "limit MaxCPUs is not supported for type=account; supported: Fairshare, GrpJobs"),
    ("QOS-only limit on an account", {"type": "account", "name": "a", "limits": {"MaxJobsPerUser": 1}}, [],
     "limit MaxJobsPerUser is not supported for type=account"),
    ("bad TRES", {"type": "qos", "name": "q", "limits": {"GrpTRES": "cpu"}}, [],
     "limit GrpTRES: not a TRES list (name=count,...): 'cpu'"),
    ("bad duration", {"type": "qos", "name": "q", "limits": {"MaxWall": "1 day"}}, [],
     "limit MaxWall: not a Slurm duration: '1 day'"),
    ("bad count", {"type": "qos", "name": "q", "limits": {"Priority": "high"}}, [],
     "limit Priority: not an integer: 'high'"),
    ("empty name", {"type": "cluster", "name": " "}, [], "name must not be empty"),
    ("sacctmgr error is shown",
     {"type": "cluster", "name": "lab"},
     [(Q + ["cluster", "where", "name=lab", "format=Cluster"], 1, "",
       "sacctmgr: error: Problem talking to the database: Connection refused\n")],
     "sacctmgr failed (rc=1): sacctmgr: error: Problem talking to the database: Connection refused"),
    ("unexpected columns",
     {"type": "qos", "name": "long"},
     [show("qos", ["name=long"], ["Name", "Description"], "long|a|b\n")],
     "cannot read sacctmgr output: expected 2 columns (Name,Description), got 3"),
    ("add fails",
     {"type": "cluster", "name": "lab"},
     [show("cluster", ["name=lab"], ["Cluster"]),
      (["-i", "add", "cluster", "lab"], 1, " Nothing added\n", "")],
     "sacctmgr failed (rc=1): Nothing added"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_present_absent(run_module, case):
    _id, args, table, changed = case
    result, calls = run_module(slurm_account.main, args, table)
    assert result["failed"] is False, result
    assert result["changed"] is changed
    mutations = [c[0] for c in table if c[0][0] == "-i"]
    assert [c[1:] for c in result["commands"]] == mutations
    assert all(call[0] == "/usr/bin/sacctmgr" for call in calls)


@pytest.mark.parametrize("case", [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_check_mode_reports_without_running(run_module, case):
    _id, args, table, _changed = case
    reads = [c for c in table if c[0][0] != "-i"]
    result, calls = run_module(slurm_account.main, args, reads, check_mode=True, diff=True)
    assert result["changed"] is True
    assert [c[1:] for c in result["commands"]] == [c[0] for c in table if c[0][0] == "-i"]
    assert not any(call[1] == "-i" for call in calls)
    assert result["diff"]["before"] != result["diff"]["after"]


@pytest.mark.parametrize("case", FAILURES, ids=[c[0] for c in FAILURES])
def test_failures(run_module, case):
    _id, args, table, message = case
    result, _calls = run_module(slurm_account.main, args, table)
    assert result["failed"] is True
    assert message in result["msg"]


def test_diff_of_new_account(run_module):
    result, _calls = run_module(
        slurm_account.main,
        {"type": "account", "name": "physics", "parent": "root", "description": "Physics"},
        [show("account", ["name=physics"], ACCOUNT_FIELDS),
         show("association", ["account=physics"], ["Cluster", "Account", "User", "Partition", "ParentName"])],
        check_mode=True, diff=True)
    assert result["diff"] == {"before": {}, "after": {"account": "physics", "Description": "Physics",
                                                      "Parent": "root"}}


@pytest.mark.parametrize("text, seconds", [
    ("30", 30 * 60), ("30:15", 30 * 60 + 15), ("2:00:00", 7200), ("1-0", 86400), ("1-2", 93600),
    ("1-02:30", 95400), ("7-00:00:00", 604800), ("168:00:00", 604800), ("UNLIMITED", None), ("-1", None),
    ("", None),
])
def test_norm_time(text, seconds):
    assert slurm_account.norm_time(text) == seconds


@pytest.mark.parametrize("text, tres", [
    ("cpu=4,mem=1G", {"cpu": "4", "mem": 1024.0}),
    ("mem=1024M,cpu=4", {"cpu": "4", "mem": 1024.0}),
    ("mem=2T", {"mem": 2097152.0}),
    ("mem=512", {"mem": 512.0}),
    ("gres/gpu:a100=4,cpu=-1", {"gres/gpu:a100": "4"}),
    ("cpu=-1", None),
    ("", None),
])
def test_norm_tres(text, tres):
    assert slurm_account.norm_tres(text) == tres


def test_cluster_option_not_for_qos(run_module):
    result, _calls = run_module(slurm_account.main, {"type": "qos", "name": "long", "cluster": "lab"}, [])
    assert result["failed"] is True
    assert result["msg"] == "option cluster is not valid with type=qos (only with type=account or user)"
