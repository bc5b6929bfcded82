# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_account: sacctmgr mocked, cases from tables."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import C_LOCALE_ENV, SlurmRunner
from ansible_collections.hpc.cluster.plugins.modules import slurm_account

Q = ["--noheader", "--parsable2", "show"]


@pytest.fixture(autouse=True)
def reads_in_turn(monkeypatch):
    """A batch's first reads (SlurmRunner.run_many, tested with real processes in
    module_utils/test_slurm.py) go through the fake commands in their order."""
    monkeypatch.setattr(SlurmRunner, "run_many", lambda self, args_list: [
        self.module.run_command([self.path] + args, environ_update=C_LOCALE_ENV) for args in args_list])


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
    ("account: new description and parent (the parent exists)",
     {"type": "account", "name": "physics", "parent": "science", "description": "Physics"},
     [show("account", ["name=physics"], ACCOUNT_FIELDS, "physics|physics dept|science\n"),
      show("association", ["account=physics"], ["Cluster", "Account", "User", "Partition", "ParentName"],
           "lab|physics|||root\n"),
      show("association", ["account=science"], ["Cluster", "Account", "User", "Partition"], "lab|science||\n"),
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
    # sacctmgr lower-cases QOS descriptions as it does an account's.
    ("qos: description compared without case",
     {"type": "qos", "name": "long", "description": "Long Jobs"},
     [show("qos", ["name=long"], ["Name", "Description"], "long|long jobs\n")], False),
    ("qos: description changed",
     {"type": "qos", "name": "long", "description": "Long"},
     [show("qos", ["name=long"], ["Name", "Description"], "long|short\n"),
      change("modify", "qos", "where", "name=long", "set", "Description=Long")], True),
    ("qos: remove",
     {"type": "qos", "name": "long", "state": "absent"},
     [show("qos", ["name=long"], ["Name", "Description"], "long|long\n"),
      change("delete", "qos", "where", "name=long")], True),

    # sacctmgr's rules: names as given (lower case), text as one argv element, commas kept.
    ("account: description and organization with commas go as one argument each",
     {"type": "account", "name": "theory", "parent": "physics", "cluster": "lab",
      "description": "Theory, Physics & Maths", "organization": "Science, Inc."},
     [show("account", ["name=theory"], ACCOUNT_FIELDS),
      show("association", ["account=theory", "cluster=lab"], ["Cluster", "Account", "User", "Partition", "ParentName"]),
      show("association", ["account=physics", "cluster=lab"], ["Cluster", "Account", "User", "Partition"],
           "lab|physics||\n"),
      change("add", "account", "theory", "Cluster=lab", "Description=Theory, Physics & Maths",
             "Organization=Science, Inc.", "Parent=physics")], True),
    ("account: second run reads back what sacctmgr stored (lower case, commas kept): no change",
     {"type": "account", "name": "theory", "parent": "physics", "cluster": "lab",
      "description": "Theory, Physics & Maths", "organization": "Science, Inc."},
     [show("account", ["name=theory"], ACCOUNT_FIELDS, "theory|theory, physics & maths|science, inc.\n"),
      show("association", ["account=theory", "cluster=lab"], ["Cluster", "Account", "User", "Partition", "ParentName"],
           "lab|theory|||physics\nlab|theory|alice||\n")], False),
    ("user: second run with the users of a real cluster: no change",
     {"type": "user", "name": "alice", "account": "theory", "default_account": "physics", "cluster": "lab",
      "qos": ["normal", "long"], "default_qos": "normal"},
     [show("user", ["name=alice"], USER_FIELDS, "alice|physics\n"),
      show("association", ["user=alice", "account=theory", "cluster=lab"],
           ["Cluster", "Account", "User", "Partition", "DefaultQOS", "QOS"], "lab|theory|alice||normal|long,normal\n")],
     False),
    ("user: capitals kept when slurmdbd preserves the case of user names",
     {"type": "user", "name": "Alice", "account": "physics", "preserve_case_user": True},
     [show("user", ["name=Alice"], USER_FIELDS),
      show("association", ["user=Alice", "account=physics"], ["Cluster", "Account", "User", "Partition"]),
      change("add", "user", "Alice", "Account=physics")], True),
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

    # Names: sacctmgr lower-cases them and reads a comma as a list.
    ("account name with capitals", {"type": "account", "name": "Physics"}, [],
     "account 'Physics': sacctmgr stores account names in lower case: write 'physics', not 'Physics'"),
    ("cluster name with capitals", {"type": "cluster", "name": "Lab"}, [],
     "cluster 'Lab': sacctmgr stores cluster names in lower case: write 'lab', not 'Lab'"),
    ("cluster of an account with capitals", {"type": "account", "name": "physics", "cluster": "Lab"}, [],
     "account physics: cluster 'Lab': sacctmgr stores cluster names in lower case: write 'lab', not 'Lab'"),
    ("QOS name with capitals", {"type": "qos", "name": "Long"}, [],
     "QOS 'Long': sacctmgr stores QOS names in lower case: write 'long', not 'Long'"),
    ("parent with capitals", {"type": "account", "name": "theory", "parent": "Physics"}, [],
     "account theory: parent 'Physics': sacctmgr stores account names in lower case: write 'physics'"),
    ("user name with capitals", {"type": "user", "name": "Alice", "account": "physics"}, [],
     "user 'Alice': sacctmgr stores user names in lower case (unless slurmdbd has Parameters=PreserveCaseUser)"),
    ("user's account with capitals", {"type": "user", "name": "alice", "account": "Physics"}, [],
     "user alice: account 'Physics': sacctmgr stores account names in lower case"),
    ("QOS list entry with capitals", {"type": "user", "name": "alice", "account": "physics", "qos": ["Long"]}, [],
     "user alice: qos 'Long': sacctmgr stores QOS names in lower case"),
    ("account name with a comma", {"type": "account", "name": "physics,chemistry"}, [],
     "account 'physics,chemistry': sacctmgr reads a comma as a list of names"),
    ("user name with a comma", {"type": "user", "name": "alice,bob", "account": "physics"}, [],
     "user 'alice,bob': sacctmgr reads a comma as a list of names"),
    ("QOS list entry with a comma", {"type": "account", "name": "physics", "qos": ["normal,long"]}, [],
     "account physics: qos 'normal,long': sacctmgr reads a comma as a list of names"),
    ("account name with a space", {"type": "account", "name": "high energy"}, [],
     "account 'high energy': use letters, digits, '_', '.', '@' and '-' (not first)"),
    ("account name starting with a dash", {"type": "account", "name": "-x"}, [],
     "account '-x': use letters, digits"),
    ("cluster name longer than MySQL allows", {"type": "cluster", "name": "c" * 41}, [],
     "is longer than 40 characters"),

    # Text: '|' would shift sacctmgr's parsable columns; quotes become '`'; '\\' reaches MySQL unescaped.
    ("description with a pipe", {"type": "account", "name": "physics", "description": "physics | maths"}, [],
     "account physics: description 'physics | maths' holds '|'"),
    ("organization with a pipe", {"type": "account", "name": "physics", "organization": "a|b"}, [],
     "account physics: organization 'a|b' holds '|'"),
    ("description with a double quote", {"type": "account", "name": "physics", "description": 'the "lab"'}, [],
     "account physics: description 'the \"lab\"' holds '\"'"),
    ("description with a single quote", {"type": "qos", "name": "long", "description": "Alice's"}, [],
     "QOS long: description 'Alice's' holds \"'\""),
    ("description with a backslash", {"type": "account", "name": "physics", "description": "a\\b"}, [],
     "holds '\\'"),
    ("description on two lines", {"type": "account", "name": "physics", "description": "a\nb"}, [],
     "holds a line break"),

    # A parent must exist before its child is created under it.
    ("parent that does not exist",
     {"type": "account", "name": "theory", "parent": "physics", "cluster": "lab"},
     [show("account", ["name=theory"], ACCOUNT_FIELDS),
      show("association", ["account=theory", "cluster=lab"], ["Cluster", "Account", "User", "Partition", "ParentName"]),
      show("association", ["account=physics", "cluster=lab"], ["Cluster", "Account", "User", "Partition"])],
     "account theory: parent account 'physics' does not exist on cluster lab"),
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


def test_cluster_option_not_for_qos(run_module):
    result, _calls = run_module(slurm_account.main, {"type": "qos", "name": "long", "cluster": "lab"}, [])
    assert result["failed"] is True
    assert result["msg"] == "option cluster is not valid with type=qos (only with type=account or user)"


# On a fresh controller in check mode, sacctmgr may be missing or slurmdbd not running yet:
# everything is reported as to be created instead of failing.
OFFLINE = [
    ("sacctmgr not installed", {"sacctmgr": None}, [],
     {"type": "account", "name": "theory", "parent": "physics", "cluster": "lab"},
     [["sacctmgr", "-i", "add", "account", "theory", "Cluster=lab", "Parent=physics"]]),
    ("slurmdbd not reachable", {}, [
        (Q + ["cluster", "where", "name=lab", "format=Cluster"], 1, "",
         "sacctmgr: error: Problem talking to the database: Connection refused\n")],
     {"type": "cluster", "name": "lab"},
     [["/usr/bin/sacctmgr", "-i", "add", "cluster", "lab"]]),
    ("slurmdbd not reachable, user",  {}, [
        (Q + ["user", "where", "name=alice", "format=User,DefaultAccount"], 1, "",
         "sacctmgr: error: Problem talking to the database: Connection refused\n")],
     {"type": "user", "name": "alice", "account": "physics", "default_account": "physics"},
     [["/usr/bin/sacctmgr", "-i", "add", "user", "alice", "Account=physics", "DefaultAccount=physics"]]),
]


@pytest.mark.parametrize("case", OFFLINE, ids=[c[0] for c in OFFLINE])
def test_check_mode_without_slurmdbd_reports_would_change(run_module, case):
    _id, bins, table, args, commands = case
    result, _calls = run_module(slurm_account.main, args, table, check_mode=True, bins=bins)
    assert result["failed"] is False, result
    assert result["changed"] is True
    assert result["commands"] == commands


@pytest.mark.parametrize("bins, table", [
    ({"sacctmgr": None}, []),
    ({}, [(Q + ["cluster", "where", "name=lab", "format=Cluster"], 1, "",
           "sacctmgr: error: Problem talking to the database: Connection refused\n")]),
], ids=["not installed", "not reachable"])
def test_without_slurmdbd_a_real_run_fails(run_module, bins, table):
    result, _calls = run_module(slurm_account.main, {"type": "cluster", "name": "lab"}, table, bins=bins)
    assert result["failed"] is True
    assert "sacctmgr" in result["msg"]


def test_parent_missing_in_check_mode_is_not_an_error(run_module):
    """In check mode the parent may be one that an earlier task of the same run would create."""
    result, _calls = run_module(
        slurm_account.main, {"type": "account", "name": "theory", "parent": "physics", "cluster": "lab"},
        [show("account", ["name=theory"], ACCOUNT_FIELDS),
         show("association", ["account=theory", "cluster=lab"],
              ["Cluster", "Account", "User", "Partition", "ParentName"]),
         show("association", ["account=physics", "cluster=lab"], ["Cluster", "Account", "User", "Partition"])],
        check_mode=True)
    assert result["failed"] is False, result
    assert result["commands"] == [["/usr/bin/sacctmgr", "-i", "add", "account", "theory", "Cluster=lab",
                                   "Parent=physics"]]


# entries: many entities in one run, each table read once (and again after a change).
ASSOC_USER_FIELDS = ["Cluster", "Account", "User", "Partition"]


def read_all(entity, fields, out="", where=()):
    return (Q + [entity] + (["where"] + list(where) if where else []) + ["format=" + ",".join(fields)], 0, out, "")


def test_entries_unchanged_read_each_table_once(run_module):
    """Three associations, nothing to change: two reads, where a loop makes six."""
    result, calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "entries": [
            {"name": "alice", "account": "physics", "default_account": "physics"},
            {"name": "alice", "account": "chemistry", "default_account": "physics"},
            {"name": "bob", "account": "chemistry", "qos": ["normal", "long"]},
        ]},
        [read_all("user", USER_FIELDS, "alice|physics\nbob|chemistry\n"),
         # With the column bob's entry compares (QOS), asked before the first read.
         read_all("association", ASSOC_USER_FIELDS + ["QOS"],
                  "lab|physics|alice||normal\nlab|chemistry|alice||normal\nlab|chemistry|bob||long,normal\n"
                  "lab|chemistry|||normal\n", where=["cluster=lab"]),
         # The QOS bob names, none of them an entry: their names, read with the others at once.
         read_all("qos", ["Name"], "normal\nlong\n")])
    assert result["failed"] is False, result
    assert result["changed"] is False
    assert result["commands"] == []
    assert len(calls) == 3
    assert result["before"] == result["after"] == {}


def test_entries_change_only_what_differs_and_keep_the_rows_of_others(run_module):
    """A change to carol leaves bob's rows as read: bob's entry is answered without a read."""
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "entries": [
            {"name": "alice", "account": "physics", "default_account": "physics"},
            {"name": "carol", "account": "physics", "default_account": "physics"},
            {"name": "bob", "account": "physics", "default_account": "physics"},
        ]},
        [read_all("user", USER_FIELDS, "alice|physics\nbob|physics\n"),
         read_all("association", ASSOC_USER_FIELDS, "lab|physics|alice|\nlab|physics|bob|\n", where=["cluster=lab"]),
         change("add", "user", "carol", "Account=physics", "Cluster=lab", "DefaultAccount=physics")],
        diff=True)
    assert result["failed"] is False, result
    assert result["changed"] is True
    assert result["commands"] == [["/usr/bin/sacctmgr", "-i", "add", "user", "carol", "Account=physics",
                                   "Cluster=lab", "DefaultAccount=physics"]]
    assert list(result["diff"]["after"]) == ["carol@physics"]
    assert result["diff"]["before"] == {"carol@physics": {}}


def test_entries_a_users_second_account_needs_no_read(run_module):
    """carol's second account: her user row is the one her first add made, and her association with
    theory is not the one that add touched: no read (each cost the lab ~0.2 s)."""
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "entries": [
            {"name": "carol", "account": "physics", "default_account": "physics"},
            {"name": "carol", "account": "theory", "default_account": "physics"},
        ]},
        [read_all("user", USER_FIELDS, ""),
         read_all("association", ASSOC_USER_FIELDS, "", where=["cluster=lab"]),
         change("add", "user", "carol", "Account=physics", "Cluster=lab", "DefaultAccount=physics"),
         change("add", "user", "carol", "Account=theory", "Cluster=lab")])
    assert result["failed"] is False, result
    assert len(result["commands"]) == 2


def test_entries_read_every_table_again_after_a_removal(run_module):
    result, _calls = run_module(
        slurm_account.main,
        {"type": "account", "cluster": "lab", "entries": [{"name": "old", "state": "absent"}, {"name": "physics"}]},
        [read_all("account", ACCOUNT_FIELDS, "old|old|old\nphysics|physics|physics\n"),
         read_all("association", ASSOC_USER_FIELDS, "lab|old||\nlab|physics||\n", where=["cluster=lab"]),
         change("delete", "account", "where", "name=old", "cluster=lab"),
         read_all("account", ACCOUNT_FIELDS, "physics|physics|physics\n"),
         read_all("association", ASSOC_USER_FIELDS, "lab|physics||\n", where=["cluster=lab"])])
    assert result["failed"] is False, result
    assert result["commands"] == [["/usr/bin/sacctmgr", "-i", "delete", "account", "where", "name=old",
                                   "cluster=lab"]]


def test_entries_check_mode_reads_once_and_runs_nothing(run_module):
    result, calls = run_module(
        slurm_account.main,
        {"type": "qos", "entries": [{"name": "normal"}, {"name": "long", "limits": {"MaxWall": "7-00:00:00"}}]},
        [read_all("qos", ["Name", "Description", "MaxWall"], "normal|normal|\n")],
        check_mode=True)
    assert result["changed"] is True
    assert result["commands"] == [["/usr/bin/sacctmgr", "-i", "add", "qos", "long", "MaxWall=7-00:00:00"]]
    assert not any(call[1] == "-i" for call in calls)


def test_entries_accounts_take_the_task_cluster_and_parent_from_the_table(run_module):
    """An account's parent check is answered by the association table of the task's cluster."""
    result, _calls = run_module(
        slurm_account.main,
        {"type": "account", "cluster": "lab", "entries": [
            {"name": "science"},
            {"name": "physics", "parent": "science", "description": "Physics"},
        ]},
        [read_all("account", ACCOUNT_FIELDS, "science|science|science\n"),
         read_all("association", ASSOC_USER_FIELDS + ["ParentName"], "lab|science|||root\n", where=["cluster=lab"]),
         change("add", "account", "physics", "Cluster=lab", "Description=Physics", "Parent=science")])
    assert result["failed"] is False, result
    assert result["changed"] is True


def test_a_read_asking_for_a_column_not_read_yet_reads_the_table_again(run_module):
    """Columns no entry announced (a parent check asks for the key columns only): read again."""
    mgr_module = type("M", (), {"check_mode": False, "get_bin_path": lambda self, name, required=False: "/s",
                                "run_command": None})()
    from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import Sacctmgr, Table

    reads = []

    row = {"Cluster": "lab", "Account": "physics", "User": "alice", "Partition": "", "QOS": "normal"}

    def run_command(cmd, **_kwargs):
        reads.append(cmd[-1])
        return 0, "|".join(row[field] for field in cmd[-1][len("format="):].split(",")) + "\n", ""

    mgr_module.run_command = run_command
    mgr = Sacctmgr(mgr_module, {"association": Table({"user": "User", "cluster": "Cluster"}, [("cluster", "lab")])})
    assert mgr.show("association", [("cluster", "lab"), ("user", "alice")], ASSOC_USER_FIELDS)[0]["User"] == "alice"
    assert mgr.show("association", [("cluster", "lab"), ("user", "bob")], ASSOC_USER_FIELDS) == []
    assert mgr.show("association", [("user", "alice"), ("cluster", "lab")], ["QOS"]) == [{"QOS": "normal"}]
    # Not within the table's scope (no cluster): sacctmgr answers it.
    mgr.show("association", [("user", "alice")], ["User"])
    assert reads == ["format=Cluster,Account,User,Partition", "format=Cluster,Account,User,Partition,QOS",
                     "format=User"]


def test_entries_without_one_cluster_read_associations_of_every_cluster(run_module):
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "entries": [{"name": "alice", "account": "physics", "cluster": "lab"},
                                     {"name": "alice", "account": "physics", "cluster": "other"}]},
        [read_all("user", USER_FIELDS, "alice|physics\n"),
         read_all("association", ASSOC_USER_FIELDS, "lab|physics|alice|\nother|physics|alice|\n")])
    assert result["changed"] is False, result


ENTRY_FAILURES = [
    ("a bad entry stops the batch before any read",
     {"type": "user", "cluster": "lab", "entries": [{"name": "alice", "account": "physics"},
                                                    {"name": "Bob", "account": "physics"}]},
     "entries[1] (Bob): user 'Bob': sacctmgr stores user names in lower case"),
    ("an entry without a name", {"type": "qos", "entries": [{"description": "x"}]},
     "entries[0]: name must not be empty"),
    ("an unknown key in an entry", {"type": "user", "entries": [{"name": "alice", "acount": "physics"}]},
     "entries[0] (alice): unknown option acount (an entry takes account, cluster, default_account"),
    ("a wrong type in an entry", {"type": "user", "entries": [{"name": "alice", "account": "a", "limits": "x"}]},
     "entries[0] (alice): argument 'limits' is of type str and we were unable to convert to dict"),
    ("an entry's own type takes only its options", {"type": "user", "entries": [{"name": "alice", "account": "a",
                                                                              "type": "qos"}]},
     "entries[0] (alice): option account is not valid with type=qos (only with type=user)"),
    ("an unknown type in an entry", {"entries": [{"name": "alice", "type": "group"}]},
     "entries[0] (alice): value of type must be one of: cluster, account, user, qos, got: group"),
    ("an option of the task only", {"type": "user", "entries": [{"name": "alice", "preserve_case_user": True}]},
     "entries[0] (alice): unknown option preserve_case_user"),
    ("an option not for the type", {"type": "qos", "entries": [{"name": "long"}, {"name": "x", "parent": "root"}]},
     "entries[1] (x): option parent is not valid with type=qos"),
    ("name and entries together", {"type": "qos", "name": "long", "entries": []},
     "mutually exclusive"),
    ("neither name nor entries", {"type": "qos"}, "one of the following is required: name, entries"),
]


@pytest.mark.parametrize("case", ENTRY_FAILURES, ids=[c[0] for c in ENTRY_FAILURES])
def test_entries_failures(run_module, case):
    _id, args, message = case
    result, calls = run_module(slurm_account.main, args, [])
    assert result["failed"] is True
    assert message in result["msg"]
    assert calls == []


def test_empty_entries_read_nothing(run_module):
    result, calls = run_module(slurm_account.main, {"type": "user", "cluster": "lab", "entries": []}, [])
    assert result["changed"] is False
    assert calls == []


def test_entries_add_new_users_with_the_same_settings_in_one_command(run_module):
    """Adds wait for the next read or another command: users alike share one (sacctmgr's list form)."""
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "entries": [
            {"name": "ann", "account": "physics", "default_account": "physics"},
            {"name": "ben", "account": "physics", "default_account": "physics", "qos": ["long"]},
            {"name": "cat", "account": "physics", "default_account": "physics"},
            # ann again: held after her first (it runs after the group holding that one).
            {"name": "ann", "account": "theory", "default_account": "physics"},
            {"name": "dan", "account": "physics", "default_account": "physics"},
        ]},
        [read_all("user", USER_FIELDS, ""),
         read_all("association", ASSOC_USER_FIELDS + ["QOS"], "", where=["cluster=lab"]),
         read_all("qos", ["Name"], "normal\nlong\n"),
         change("add", "user", "ann,cat,dan", "Account=physics", "Cluster=lab", "DefaultAccount=physics"),
         change("add", "user", "ben", "Account=physics", "Cluster=lab", "DefaultAccount=physics", "QOS=long"),
         change("add", "user", "ann", "Account=theory", "Cluster=lab")],
        diff=True)
    assert result["failed"] is False, result
    assert [c[4] for c in result["commands"]] == ["ann,cat,dan", "ben", "ann"]
    assert list(result["diff"]["after"]) == ["ann@physics", "ben@physics", "cat@physics", "ann@theory",
                                             "dan@physics"]


def test_entries_in_check_mode_report_the_grouped_adds(run_module):
    result, calls = run_module(
        slurm_account.main,
        {"type": "user", "entries": [{"name": "ann", "account": "physics"}, {"name": "ben", "account": "physics"}]},
        [read_all("user", USER_FIELDS, ""), read_all("association", ASSOC_USER_FIELDS, "")], check_mode=True)
    assert result["commands"] == [["/usr/bin/sacctmgr", "-i", "add", "user", "ann,ben", "Account=physics"]]
    assert not any(call[1] == "-i" for call in calls)


def test_users_with_other_accounts_lose_those_before_their_default_one(run_module):
    """sacctmgr refuses `delete user where name=u1 cluster=lab` while u1 has another account there
    ("You can not remove the default account of a user"): the other accounts go first, for every
    such user at once; a user whose default account is not on this cluster goes in one command."""
    result, calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "state": "absent",
         "entries": [{"name": "u1"}, {"name": "u2"}, {"name": "u3"}, {"name": "u4"}]},
        [read_all("user", USER_FIELDS, "u1|physics\nu2|physics\nu3|physics\nu4|chemistry\n"),
         read_all("association", ASSOC_USER_FIELDS,
                  "lab|physics|u1|\nlab|theory|u1|\nlab|physics|u2|\nlab|theory|u2|\nlab|physics|u3|\n"
                  "lab|physics|u4|\nlab|theory|u4|\n", where=["cluster=lab"]),
         change("delete", "user", "where", "name=u1,u2", "account=theory", "cluster=lab"),
         change("delete", "user", "where", "name=u3,u4", "cluster=lab"),
         change("delete", "user", "where", "name=u1,u2", "cluster=lab")])
    assert result["failed"] is False, result
    assert len(calls) == 5


def test_entries_remove_users_on_the_same_conditions_in_one_command(run_module):
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "state": "absent", "entries": [
            {"name": "ann"}, {"name": "ben"}, {"name": "cat", "account": "physics"}, {"name": "dan"}]},
        [read_all("user", USER_FIELDS, "ann|physics\nben|physics\ncat|physics\n"),
         read_all("association", ASSOC_USER_FIELDS, "lab|physics|ann|\nlab|physics|ben|\nlab|physics|cat|\n",
                  where=["cluster=lab"]),
         change("delete", "user", "where", "name=ann,ben", "cluster=lab"),
         change("delete", "user", "where", "name=cat", "account=physics", "cluster=lab")])
    assert result["failed"] is False, result
    assert len(result["commands"]) == 2
    assert list(result["before"]) == ["ann", "ben", "cat@physics"]


# Entries of several types: one task for the cluster, its QOS, accounts and users.
MIXED = {"cluster": "lab", "entries": [
    {"type": "cluster", "name": "lab"},
    {"type": "qos", "name": "long", "limits": {"MaxWall": "7-00:00:00"}},
    {"type": "account", "name": "physics"},
    {"type": "user", "name": "root", "account": "physics", "default_account": "physics", "qos": ["long"]},
]}
MIXED_READS = [
    read_all("cluster", ["Cluster"], "lab\n"),
    read_all("qos", ["Name", "Description", "MaxWall"], "normal|normal|\nlong|long|7-00:00:00\n"),
    read_all("account", ACCOUNT_FIELDS, "physics|physics|physics\n"),
    read_all("association", ASSOC_USER_FIELDS + ["QOS"], "lab|physics|||normal\nlab|physics|root||long\n",
             where=["cluster=lab"]),
    read_all("user", USER_FIELDS, "root|physics\n"),
]


def test_entries_of_every_type_read_each_table_once(run_module):
    """The task's cluster goes to the account and the user, not to the QOS (where it is no option)."""
    result, calls = run_module(slurm_account.main, MIXED, MIXED_READS)
    assert result["failed"] is False, result
    assert result["changed"] is False
    assert len(calls) == len(MIXED_READS)


def test_entries_of_every_type_on_an_empty_database_in_order(run_module):
    result, _calls = run_module(
        slurm_account.main, MIXED,
        # Every table first (at once), then the changes. The new cluster's root associations make
        # the association table stale (read again), a new QOS only its own row, a new account only
        # its own association (not root's with it): the user needs no read.
        [read_all("cluster", ["Cluster"]),
         read_all("qos", ["Name", "Description", "MaxWall"], "normal|normal|\n"),
         read_all("account", ACCOUNT_FIELDS),
         read_all("association", ASSOC_USER_FIELDS + ["QOS"], where=["cluster=lab"]),
         read_all("user", USER_FIELDS),
         change("add", "cluster", "lab"),
         change("add", "qos", "long", "MaxWall=7-00:00:00"),
         read_all("association", ASSOC_USER_FIELDS + ["QOS"], "lab|root|||normal\n", where=["cluster=lab"]),
         change("add", "account", "physics", "Cluster=lab"),
         change("add", "user", "root", "Account=physics", "Cluster=lab", "DefaultAccount=physics", "QOS=long")])
    assert result["failed"] is False, result
    assert [command[2:4] for command in result["commands"]] == [
        ["add", "cluster"], ["add", "qos"], ["add", "account"], ["add", "user"]]


def test_an_entry_needs_a_type_from_itself_or_the_task(run_module):
    result, calls = run_module(slurm_account.main, {"entries": [{"type": "qos", "name": "long"}, {"name": "x"}]}, [])
    assert result["failed"] is True
    assert result["msg"] == "entries[1] (x): type is not set (neither by the entry nor by the task)"
    assert calls == []


def test_name_needs_type(run_module):
    result, calls = run_module(slurm_account.main, {"name": "lab"}, [])
    assert result["failed"] is True
    assert "type" in result["msg"]
    assert calls == []


def test_missing_unix_users_are_refused_before_any_read(run_module):
    """Every missing user named once; removed users and pending users need no Unix user."""
    args = {"type": "user", "cluster": "lab", "require_unix_users": True,
            "unix_users_pending": ["hpctestpending"],
            "entries": [{"name": "root", "account": "physics"},
                        {"name": "hpctestnouser1", "account": "physics"},
                        {"name": "hpctestnouser1", "account": "chemistry"},
                        {"name": "hpctestpending", "account": "physics"},
                        {"name": "hpctestgone", "state": "absent"},
                        {"name": "hpctestnouser2", "account": "physics"}]}
    result, calls = run_module(slurm_account.main, args, [])
    assert result["failed"] is True
    assert result["msg"].startswith("user(s) hpctestnouser1, hpctestnouser2 do not exist here as Unix users")
    assert calls == []


def test_unix_users_are_not_required_unless_asked(run_module):
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "entries": [{"name": "hpctestnouser1", "account": "physics"}]},
        [read_all("user", USER_FIELDS), read_all("association", ASSOC_USER_FIELDS, where=["cluster=lab"]),
         change("add", "user", "hpctestnouser1", "Account=physics", "Cluster=lab")])
    assert result["failed"] is False, result
    assert result["changed"] is True


# The lab's accounting data on a new database: each table read once, before the first change, and
# no read between the changes (the accounts' and users' rows each change made are known or not
# asked for again). Nine sacctmgr runs where the rows read again after each change made sixteen
# (each read ~0.2 s, each change ~0.5 s on the lab: a first converge's accounting step took 5.3 s).
LAB = {"cluster": "lab", "entries": [
    {"type": "qos", "name": "long", "limits": {"MaxWall": "1-00:00:00"}},
    {"type": "account", "name": "physics", "parent": "root"},
    {"type": "account", "name": "theory", "parent": "physics"},
    {"type": "user", "name": "alice", "account": "physics", "default_account": "physics"},
    {"type": "user", "name": "alice", "account": "theory"},
    {"type": "user", "name": "bob", "account": "physics", "default_account": "physics"},
]}


def test_entries_on_a_new_database_read_each_table_once_and_nothing_between_the_changes(run_module):
    assoc_fields = ASSOC_USER_FIELDS + ["ParentName"]
    result, calls = run_module(slurm_account.main, LAB, [
        read_all("qos", ["Name", "Description", "MaxWall"], "normal|normal|\n"),
        read_all("account", ACCOUNT_FIELDS, "root|default root account|root\n"),
        read_all("association", assoc_fields, "lab|root|||\nlab|root|root||\n", where=["cluster=lab"]),
        read_all("user", USER_FIELDS, "root|root\n"),
        change("add", "qos", "long", "MaxWall=1-00:00:00"),
        change("add", "account", "physics", "Cluster=lab", "Parent=root"),
        # physics was added by this run: its existence as theory's parent needs no read.
        change("add", "account", "theory", "Cluster=lab", "Parent=physics"),
        # bob's association is alike alice's first: one command; alice's second after it.
        change("add", "user", "alice,bob", "Account=physics", "Cluster=lab", "DefaultAccount=physics"),
        change("add", "user", "alice", "Account=theory", "Cluster=lab")])
    assert result["failed"] is False, result
    assert len(calls) == 9 and sum(call[1] == "-i" for call in calls) == 5


def test_a_users_commands_run_in_their_order_across_groups(run_module):
    """ann's add to theory (no DefaultAccount: her first add makes her) would share bob's group,
    which was held first; her add to physics, held later, must run before it."""
    result, _calls = run_module(
        slurm_account.main,
        {"type": "user", "cluster": "lab", "entries": [
            {"name": "bob", "account": "theory", "default_account": "theory"},
            {"name": "cat", "account": "theory"},
            {"name": "ann", "account": "physics", "default_account": "physics"},
            {"name": "ann", "account": "theory"},
        ]},
        [read_all("user", USER_FIELDS, "cat|theory\n"),
         read_all("association", ASSOC_USER_FIELDS, "", where=["cluster=lab"]),
         change("add", "user", "bob", "Account=theory", "Cluster=lab", "DefaultAccount=theory"),
         change("add", "user", "cat", "Account=theory", "Cluster=lab"),
         change("add", "user", "ann", "Account=physics", "Cluster=lab", "DefaultAccount=physics"),
         change("add", "user", "ann", "Account=theory", "Cluster=lab")])
    assert result["failed"] is False, result


def test_users_in_two_accounts_are_added_by_two_commands(run_module):
    """Each user's default account, then her second: a group per account and rank, whatever their
    number (the rows read again after each add made it a command per user and account, ~0.5 s each)."""
    users = ["u%d" % n for n in range(1, 4)]
    entries = [entry for user in users for entry in (
        {"name": user, "account": "physics", "default_account": "physics"}, {"name": user, "account": "theory"})]
    result, calls = run_module(
        slurm_account.main, {"type": "user", "cluster": "lab", "entries": entries},
        [read_all("user", USER_FIELDS, ""),
         read_all("association", ASSOC_USER_FIELDS, "", where=["cluster=lab"]),
         change("add", "user", "u1,u2,u3", "Account=physics", "Cluster=lab", "DefaultAccount=physics"),
         change("add", "user", "u1,u2,u3", "Account=theory", "Cluster=lab")])
    assert result["failed"] is False, result
    assert len(calls) == 4 and len(result["after"]) == 6


def test_an_accounts_changed_settings_make_every_association_stale(run_module):
    """physics' QOS passes to theory (its sub-account) and to their users: their rows are read again."""
    fields = ASSOC_USER_FIELDS + ["QOS", "ParentName"]
    result, _calls = run_module(
        slurm_account.main,
        {"cluster": "lab", "entries": [
            {"type": "account", "name": "physics", "qos": ["normal", "long"]},
            {"type": "account", "name": "theory", "parent": "physics"},
        ]},
        [read_all("account", ACCOUNT_FIELDS, "physics|physics|physics\ntheory|theory|theory\n"),
         read_all("association", fields, "lab|physics|||normal|root\nlab|theory|||normal|physics\n",
                  where=["cluster=lab"]),
         read_all("qos", ["Name"], "normal\nlong\n"),
         change("modify", "account", "where", "name=physics", "cluster=lab", "set", "QOS=normal,long"),
         read_all("association", fields, "lab|physics|||long,normal|root\nlab|theory|||long,normal|physics\n",
                  where=["cluster=lab"])])
    assert result["failed"] is False, result
    assert len(result["commands"]) == 1


def test_an_accounts_description_keeps_the_association_rows(run_module):
    result, calls = run_module(
        slurm_account.main,
        {"cluster": "lab", "entries": [
            {"type": "account", "name": "physics", "description": "Physics"},
            {"type": "user", "name": "bob", "account": "physics"},
        ]},
        [read_all("account", ACCOUNT_FIELDS, "physics|old|physics\n"),
         read_all("association", ASSOC_USER_FIELDS, "lab|physics||\nlab|physics|bob|\n",
                  where=["cluster=lab"]),
         read_all("user", USER_FIELDS, "bob|physics\n"),
         change("modify", "account", "where", "name=physics", "set", "Description=Physics")])
    assert result["failed"] is False, result
    assert len(calls) == 4


# The QOS that account and user entries name: each a QOS entry kept or added, or in the database.
QOS_NAMED = [
    {"type": "qos", "name": "long", "limits": {"MaxWall": "7-00:00:00"}},
    {"type": "qos", "name": "old", "state": "absent"},
    {"type": "account", "name": "physics", "qos": ["normal", "long"], "default_qos": "normal"},
    {"type": "user", "name": "alice", "account": "physics", "qos": ["normal", "longg"]},
    {"type": "user", "name": "bob", "account": "physics", "qos": ["old"], "default_qos": "old"},
    {"type": "user", "name": "carol", "account": "physics", "qos": ["longg"], "default_qos": "longg"},
    # Removed: the QOS it names no longer matter.
    {"type": "user", "name": "dan", "account": "physics", "qos": ["gone"], "state": "absent"},
]
ROWS = {
    "qos": [{"Name": "normal"}, {"Name": "old"}, {"Name": "long", "Description": "long", "MaxWall": "7-00:00:00"}],
    "account": [{"Account": "physics"}],
    "association": [{"Cluster": "lab", "Account": "physics", "QOS": "long,normal", "DefaultQOS": "normal",
                     "ParentName": "root"},
                    {"Cluster": "lab", "Account": "physics", "User": "alice", "QOS": "long,normal"},
                    {"Cluster": "lab", "Account": "physics", "User": "carol", "QOS": "long", "DefaultQOS": "long"}],
    "user": [{"User": "alice", "DefaultAccount": "physics"}, {"User": "carol", "DefaultAccount": "physics"}],
}


def database(rows):
    """A read of any table whole, answered from rows (missing columns empty); one call per read."""
    def answer(argv):
        assert argv[1:4] == Q and argv[-1].startswith("format="), argv
        fields = argv[-1][len("format="):].split(",")
        return 0, "".join("|".join(row.get(field, "") for field in fields) + "\n" for row in rows[argv[4]]), ""
    return answer


@pytest.mark.parametrize("check_mode", [False, True], ids=["run", "check"])
def test_a_qos_named_that_is_neither_declared_nor_in_the_database_is_refused_before_any_change(run_module,
                                                                                              check_mode):
    rows = dict(ROWS, qos=ROWS["qos"][:2])
    result, calls = run_module(slurm_account.main, {"cluster": "lab", "entries": QOS_NAMED}, [database(rows)] * 4,
                               check_mode=check_mode)
    assert result["failed"] is True
    assert result["msg"] == (
        "QOS longg, named by user alice@physics, user carol@physics, is neither in the accounting database nor "
        "among the QOS entries; QOS old, named by user bob@physics, is removed by this batch; sacctmgr would "
        "refuse it at that entry, after the changes of the entries before it (QOS in the database: normal, old)")
    assert len(calls) == 4 and not any(call[1] == "-i" for call in calls)


def test_the_qos_named_are_read_with_the_first_reads_where_no_entry_declares_them(run_module):
    entries = [QOS_NAMED[2], dict(QOS_NAMED[3], qos=["normal", "long"]),
               dict(QOS_NAMED[5], qos=["long"], default_qos="long")]
    result, calls = run_module(slurm_account.main, {"cluster": "lab", "entries": entries}, [database(ROWS)] * 4)
    assert result["failed"] is False, result
    assert result["changed"] is False and len(calls) == 4
    assert calls[-1][-2:] == ["qos", "format=Name"]


def test_a_qos_declared_in_the_batch_needs_no_read(run_module):
    entries = [QOS_NAMED[0], dict(QOS_NAMED[5], qos=["long"], default_qos="long")]
    result, calls = run_module(slurm_account.main, {"cluster": "lab", "entries": entries}, [database(ROWS)] * 3)
    assert result["failed"] is False, result
    assert result["changed"] is False
    assert [call[4] for call in calls] == ["qos", "user", "association"]


def test_without_slurmdbd_check_mode_does_not_refuse_the_qos_named(run_module, monkeypatch):
    monkeypatch.setattr(slurm_account.Sacctmgr, "prefetch", lambda self, entities: setattr(self, "offline", True))
    result, _calls = run_module(slurm_account.main, {"cluster": "lab", "entries": QOS_NAMED[3:4]}, [],
                                check_mode=True)
    assert result["failed"] is False, result
