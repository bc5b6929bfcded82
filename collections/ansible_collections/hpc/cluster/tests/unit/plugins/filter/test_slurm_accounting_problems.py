# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_accounting_problems: the inventory's accounting data against sacctmgr's rules, all problems at once."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_accounting_problems import (
    FilterModule,
    slurm_accounting_problems,
)

QOS = [{"name": "long", "description": "Up to a week, on any node", "limits": {"MaxWall": "7-00:00:00"}}]
ACCOUNTS = [{"name": "physics", "description": "Physics, theory & experiment", "organization": "Science, Inc.",
             "limits": {"GrpTRES": "cpu=512,mem=2T"}},
            {"name": "theory", "parent": "physics", "qos": ["normal", "long"]}]
USERS = [{"name": "alice", "account": "physics", "accounts": ["theory"], "qos": ["normal", "long"],
          "default_qos": "normal", "limits": {"MaxJobs": 100}},
         {"name": "bob", "accounts": ["theory"]}]


def problems(qos=QOS, accounts=ACCOUNTS, users=USERS, cluster="lab", **kwargs):
    return slurm_accounting_problems(qos, accounts=accounts, users=users, cluster=cluster, **kwargs)


def test_good_data_has_no_problem():
    assert problems() == []
    assert problems(qos=[], accounts=[], users=[]) == []


CASES = [
    # (id, changes, the one problem expected)
    ("QOS limit not a duration", {"qos": [{"name": "long", "limits": {"MaxWall": "1 week"}}]},
     "slurm_qos long: limit MaxWall: not a Slurm duration: '1 week'"),
    ("account limit of a QOS only", {"accounts": [{"name": "physics", "limits": {"MaxJobsPerUser": 1}}], "users": []},
     "slurm_accounts physics: limit MaxJobsPerUser is not supported for type=account"),
    ("user limit not a number", {"users": [{"name": "bob", "account": "physics", "limits": {"MaxJobs": "many"}}]},
     "slurm_users bob: limit MaxJobs: not an integer: 'many'"),
    ("bad TRES", {"accounts": [{"name": "physics", "limits": {"GrpTRES": "cpu"}}], "users": []},
     "slurm_accounts physics: limit GrpTRES: not a TRES list"),
    ("account name with capitals", {"accounts": [{"name": "Physics"}], "users": []},
     "slurm_accounts Physics: account 'Physics': sacctmgr stores account names in lower case: write 'physics', "
     "not 'Physics'"),
    ("user name with capitals", {"users": [{"name": "Bob", "account": "physics"}]},
     "slurm_users Bob: user 'Bob': sacctmgr stores user names in lower case"),
    ("QOS reference with a comma", {"users": [{"name": "bob", "account": "physics", "qos": ["normal,long"]}]},
     "slurm_users bob: user bob: qos 'normal,long': sacctmgr reads a comma as a list of names"),
    ("description with a pipe", {"accounts": [{"name": "physics", "description": "a | b"}], "users": []},
     "slurm_accounts physics: account physics: description 'a | b' holds '|'"),
    ("QOS description with a backslash", {"qos": [{"name": "long", "description": "a\\b"}]},
     "slurm_qos long: QOS long: description 'a\\b' holds '\\'"),
    ("parent after its child", {"accounts": [{"name": "theory", "parent": "physics"}, {"name": "physics"}],
                                "users": []},
     "slurm_accounts theory: parent physics must be root or declared in slurm_accounts before its children"),
    ("user of an unknown account", {"users": [{"name": "bob", "account": "chemistry"}]},
     "slurm_users bob: account(s) not declared in slurm_accounts, or declared absent: chemistry"),
    ("user of an account to be removed", {"accounts": [{"name": "physics", "state": "absent"}],
                                          "users": [{"name": "bob", "account": "physics"}]},
     "slurm_users bob: account(s) not declared in slurm_accounts, or declared absent: physics"),
    ("child of an account to be removed", {"accounts": [{"name": "physics", "state": "absent"},
                                                        {"name": "theory", "parent": "physics"}], "users": []},
     "slurm_accounts theory: parent physics must be root or declared"),
    ("user without an account", {"users": [{"name": "bob", "accounts": []}]},
     "slurm_users bob: no account (set account or accounts)"),
    ("entry without a name", {"qos": [{"description": "x"}]}, "slurm_qos[0]: no name"),
    ("unknown key", {"accounts": [{"name": "physics", "descripton": "x"}], "users": []},
     "slurm_accounts physics: unknown option descripton"),
    ("option of another kind", {"qos": [{"name": "long", "parent": "root"}]},
     "slurm_qos long: option parent is not valid with type=qos"),
    ("cluster name with capitals", {"cluster": "Lab"},
     "cluster name: cluster 'Lab': sacctmgr stores cluster names in lower case: write 'lab', not 'Lab' "
     "(slurmdbd_cluster_name, from slurm_cluster_name or cluster_name; slurmctld lower-cases ClusterName too)"),
    ("cluster name too long", {"cluster": "c" * 41}, "longer than 40 characters"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_one_problem(case):
    _id, changes, expected = case
    found = problems(**changes)
    assert len(found) == 1, found
    assert expected in found[0]


def test_every_problem_at_once_each_once():
    found = problems(qos=[{"name": "Long"}], accounts=[{"name": "physics", "parent": "science"}],
                     users=[{"name": "bob", "account": "physics", "accounts": ["theory"], "qos": ["Long"]}])
    assert found == [
        "slurm_qos Long: QOS 'Long': sacctmgr stores QOS names in lower case: write 'long', not 'Long'",
        "slurm_accounts physics: parent science must be root or declared in slurm_accounts before its children",
        "slurm_users bob: account(s) not declared in slurm_accounts, or declared absent: theory",
        "slurm_users bob: user bob: qos 'Long': sacctmgr stores QOS names in lower case: write 'long', not 'Long'",
    ]


def test_users_to_remove_need_no_account_and_may_name_removed_accounts():
    assert problems(accounts=[{"name": "physics"}, {"name": "old", "state": "absent"}],
                    users=[{"name": "erin", "state": "absent"},
                           {"name": "fay", "account": "old", "state": "absent"}]) == []
    assert problems(users=[{"name": "Erin", "state": "absent"}]) == [
        "slurm_users Erin: user 'Erin': sacctmgr stores user names in lower case (unless slurmdbd has "
        "Parameters=PreserveCaseUser): write 'erin', not 'Erin'"]


def test_capitals_in_user_names_kept_by_slurmdbd():
    users = [{"name": "Bob", "account": "physics"}]
    assert problems(users=users, preserve_case_user=True) == []
    assert problems(users=users)


def test_not_a_list():
    with pytest.raises(AnsibleFilterError, match="slurm_users must be a list"):
        problems(users={"name": "bob"})


def test_registered():
    assert FilterModule().filters()["slurm_accounting_problems"] is slurm_accounting_problems


def test_entries_are_checked_as_plain_data():
    """The template engine hands lazy containers and tagged strings, whose copies are slow: the
    entries are made plain (exact dict, list and str) before the checks copy them."""
    from collections import UserDict

    from ansible_collections.hpc.cluster.plugins.filter.slurm_accounting_problems import _plain

    class Tagged(str):
        pass

    plain = _plain([UserDict({Tagged("name"): Tagged("long"), "limits": UserDict({"MaxWall": Tagged("1:00:00")}),
                              "flags": (Tagged("a"),), "n": 3})])
    assert plain == [{"name": "long", "limits": {"MaxWall": "1:00:00"}, "flags": ["a"], "n": 3}]
    assert type(plain[0]) is dict and type(plain[0]["limits"]) is dict and type(plain[0]["flags"]) is list
    assert all(type(key) is str for key in plain[0]) and type(plain[0]["name"]) is str
    assert type(plain[0]["limits"]["MaxWall"]) is str and type(plain[0]["flags"][0]) is str
