# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sacctmgr's output and rules, shared by the modules that talk to slurmdbd."""

from __future__ import annotations

import time

import pytest

from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import (
    LimitError,
    Sacctmgr,
    differences,
    name_problem,
    norm_time,
    norm_tres,
    normalize,
    text_problem,
)


class Failed(Exception):
    pass


class FakeModule:
    """The few AnsibleModule members Sacctmgr uses; commands answered from a table."""

    def __init__(self, table, check_mode=False, installed=True):
        self.table = list(table)
        self.check_mode = check_mode
        self.installed = installed
        self.warnings = []
        self.calls = []

    def get_bin_path(self, name, required=False):
        if not self.installed and required:
            self.fail_json(msg="Failed to find required executable %s" % name)
        return "/usr/bin/%s" % name if self.installed else None

    def run_command(self, cmd, environ_update=None, check_rc=False):
        assert environ_update["LC_ALL"] == "C"
        self.calls.append(cmd)
        expected, rc, out, err = self.table.pop(0)
        assert cmd == ["/usr/bin/sacctmgr"] + expected
        return rc, out, err

    def warn(self, msg):
        self.warnings.append(msg)

    def fail_json(self, msg, **kwargs):
        raise Failed(msg)


SHOW_QOS = ["--noheader", "--parsable2", "show", "qos", "where", "name=long", "format=Name,MaxWall,Flags"]

READS = [
    ("one row", "long|7-00:00:00|DenyOnLimit\n", [{"Name": "long", "MaxWall": "7-00:00:00", "Flags": "DenyOnLimit"}]),
    ("empty values and blank lines", "long||\n\n", [{"Name": "long", "MaxWall": "", "Flags": ""}]),
    ("nothing", "", []),
]


@pytest.mark.parametrize("out, rows", [c[1:] for c in READS], ids=[c[0] for c in READS])
def test_show_parses_rows(out, rows):
    module = FakeModule([(SHOW_QOS, 0, out, "")])
    assert Sacctmgr(module).show("qos", [("name", "long")], ["Name", "MaxWall", "Flags"]) == rows


def test_show_refuses_shifted_columns():
    module = FakeModule([(SHOW_QOS, 0, "long|7-00:00:00|a|b\n", "")])
    with pytest.raises(Failed, match=r"cannot read sacctmgr output: expected 3 columns \(Name,MaxWall,Flags\), got 4"):
        Sacctmgr(module).show("qos", [("name", "long")], ["Name", "MaxWall", "Flags"])


def test_show_fails_outside_check_mode():
    module = FakeModule([(SHOW_QOS, 1, "", "Problem talking to the database\n")])
    with pytest.raises(Failed, match=r"sacctmgr failed \(rc=1\): Problem talking to the database"):
        Sacctmgr(module).show("qos", [("name", "long")], ["Name", "MaxWall", "Flags"])


def test_check_mode_goes_offline_when_slurmdbd_does_not_answer():
    module = FakeModule([(SHOW_QOS, 1, "", "Problem talking to the database\n")], check_mode=True)
    mgr = Sacctmgr(module)
    assert mgr.show("qos", [("name", "long")], ["Name", "MaxWall", "Flags"]) == []
    assert mgr.offline and "Problem talking to the database" in module.warnings[0]
    assert mgr.show("account", [("name", "a")], ["Account"]) == [] and len(module.calls) == 1


def test_check_mode_without_sacctmgr_records_changes_only():
    module = FakeModule([], check_mode=True, installed=False)
    mgr = Sacctmgr(module)
    mgr.change(["add", "qos", "long"])
    assert mgr.commands == [["sacctmgr", "-i", "add", "qos", "long"]] and module.calls == []
    assert "sacctmgr is not installed" in module.warnings[0]


def test_change_runs_outside_check_mode():
    module = FakeModule([(["-i", "add", "qos", "long"], 0, "", "")])
    mgr = Sacctmgr(module)
    mgr.change(["add", "qos", "long"])
    assert mgr.commands == [["/usr/bin/sacctmgr", "-i", "add", "qos", "long"]] and not module.table


@pytest.mark.parametrize("text, seconds", [
    ("30", 30 * 60), ("30:15", 30 * 60 + 15), ("2:00:00", 7200), ("1-0", 86400), ("1-2", 93600),
    ("1-02:30", 95400), ("7-00:00:00", 604800), ("168:00:00", 604800), ("UNLIMITED", None), ("-1", None),
    ("", None),
])
def test_norm_time(text, seconds):
    assert norm_time(text) == seconds


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
    assert norm_tres(text) == tres


@pytest.mark.parametrize("kind, value, message", [
    ("time", "one week", "not a Slurm duration: 'one week'"),
    ("tres", "cpu", "not a TRES list (name=count,...): 'cpu'"),
    ("tres", "mem=lots", "bad memory amount 'lots' in 'mem=lots'"),
    ("int", "ten", "not an integer: 'ten'"),
])
def test_normalize_refuses(kind, value, message):
    with pytest.raises(LimitError) as caught:
        normalize(kind, value)
    assert str(caught.value) == message


def test_differences_compare_normalised_values():
    rows = [{"MaxWall": "2-00:00:00", "GrpTRES": "cpu=4,mem=1024M", "Description": "physics"}]
    wanted = {"MaxWall": ("MaxWall", "time", "48:00:00"), "GrpTRES": ("GrpTRES", "tres", "mem=1G,cpu=8"),
              "Description": ("Description", "caseless", "Physics")}
    assert differences(rows, wanted) == {"GrpTRES": "mem=1G,cpu=8"}
    assert differences([], wanted) == {k: v for k, (_f, _k, v) in wanted.items()}


@pytest.mark.parametrize("kind, name, problem", [
    ("account", "physics", None),
    ("account", "a,b", "sacctmgr reads a comma as a list of names"),
    ("qos", "Long", "sacctmgr stores QOS names in lower case: write 'long', not 'Long'"),
    ("user", "Alice", "(unless slurmdbd has Parameters=PreserveCaseUser)"),
    ("cluster", "c" * 41, "longer than 40 characters"),
    ("account", "-x", "use letters, digits"),
])
def test_name_problem(kind, name, problem):
    found = name_problem(kind, name)
    assert found == problem if problem is None else problem in found


def test_text_problem():
    assert text_problem("Physics, theory") is None
    assert "which sacctmgr turns into '`'" in text_problem("it's")
    assert "line break" in text_problem("a\nb")


# Sacctmgr.prefetch: a batch's first reads at once, through SlurmRunner.run_many (real processes:
# a stand-in sacctmgr that answers after a pause and logs its arguments).
FAKE_SACCTMGR = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/calls"
sleep 0.5
case "$*" in
  *"show qos"*) echo "long|7-00:00:00|" ;;
  *"show cluster"*) [ -e "$(dirname "$0")/down" ] && { echo "Problem talking to the database" >&2; exit 1; }
                    echo "lab" ;;
esac
"""


@pytest.fixture
def fake_sacctmgr(tmp_path):
    binary = tmp_path / "sacctmgr"
    binary.write_text(FAKE_SACCTMGR)
    binary.chmod(0o755)
    return tmp_path


class RealModule(FakeModule):
    def __init__(self, directory, check_mode=False):
        super().__init__([], check_mode=check_mode)
        self.directory = directory

    def get_bin_path(self, name, required=False):
        return str(self.directory / name)


def tables():
    from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import Table

    result = {"cluster": Table({"name": "Cluster"}), "qos": Table({"name": "Name"}), "user": Table({"name": "User"})}
    result["cluster"].want(["Cluster"])
    result["qos"].want(["Name", "MaxWall", "Flags"])
    return result


def test_prefetch_reads_the_tables_at_once_and_answers_from_them(fake_sacctmgr):
    mgr = Sacctmgr(RealModule(fake_sacctmgr), tables())
    start = time.monotonic()
    mgr.prefetch(["cluster", "qos", "user"])  # user: no columns asked, not read
    assert time.monotonic() - start < 0.95, "the reads ran one after the other (2 x 0.5 s)"
    assert sorted((fake_sacctmgr / "calls").read_text().splitlines()) == [
        "--noheader --parsable2 show cluster format=Cluster",
        "--noheader --parsable2 show qos format=Name,MaxWall,Flags"]
    assert mgr.show("qos", [("name", "long")], ["Name", "MaxWall"]) == [{"Name": "long", "MaxWall": "7-00:00:00"}]
    assert mgr.show("cluster", [("name", "lab")], ["Cluster"]) == [{"Cluster": "lab"}]
    assert len((fake_sacctmgr / "calls").read_text().splitlines()) == 2


def test_prefetch_failure_fails_a_real_run_and_goes_offline_in_check_mode(fake_sacctmgr):
    (fake_sacctmgr / "down").touch()
    with pytest.raises(Failed, match=r"sacctmgr failed \(rc=1\): Problem talking to the database"):
        Sacctmgr(RealModule(fake_sacctmgr), tables()).prefetch(["cluster", "qos"])
    module = RealModule(fake_sacctmgr, check_mode=True)
    mgr = Sacctmgr(module, tables())
    mgr.prefetch(["cluster", "qos"])
    assert mgr.offline and len(module.warnings) == 1
    assert mgr.show("qos", [("name", "long")], ["Name"]) == []


class CountingRow(dict):
    """A table row that counts the reads of its columns."""

    reads = 0

    def __getitem__(self, key):
        CountingRow.reads += 1
        return super().__getitem__(key)


def test_a_table_answers_each_entry_without_going_through_every_row():
    """2,000 associations, each entry's rows looked up: linear in the rows, where a scan per entry
    read 8 million columns (4 s of a re-run with 1,000 users in two accounts)."""
    from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import Table

    table = Table({"user": "User", "account": "Account", "cluster": "Cluster"}, [("cluster", "lab")])
    table.rows = [CountingRow(Cluster="lab", Account=account, User="u%04d" % n, Partition="")
                  for n in range(1000) for account in ("physics", "theory")]
    CountingRow.reads = 0
    for n in range(1000):
        for account in ("physics", "theory"):
            where = [("user", "u%04d" % n), ("account", account), ("cluster", "lab")]
            assert table.answers(where)
            assert table.select(where, ["User", "Account"]) == [{"User": "u%04d" % n, "Account": account}]
    assert CountingRow.reads <= 4 * len(table.rows)
    assert table.select([("user", "u0001"), ("user", "u0002")], ["User"]) == []


def test_a_row_put_is_found_by_every_index_and_replaces_its_old_row():
    from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import Table

    table = Table({"name": "User"})
    table.rows = [{"User": "alice", "DefaultAccount": "physics"}]
    assert table.select([("name", "bob")], ["User"]) == []
    table.put({"User": "bob", "DefaultAccount": "physics"})
    assert table.select([("name", "bob")], ["DefaultAccount"]) == [{"DefaultAccount": "physics"}]
    table.put({"User": "alice", "DefaultAccount": "theory"})
    assert table.select([("name", "alice")], ["DefaultAccount"]) == [{"DefaultAccount": "theory"}]
    assert [row["User"] for row in table.rows] == ["bob", "alice"]


class CountingName(str):
    """A condition's value that counts its comparisons."""

    compared = 0

    def __eq__(self, other):
        CountingName.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_a_query_is_told_from_the_stale_rows_without_going_through_each():
    """A batch marks a row stale per entry and each entry queries: 1,000 of each, a few comparisons
    per query, where a check of every stale row made it quadratic (1.8 s at 2,000 associations)."""
    from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import Table

    table = Table({"user": "User", "account": "Account", "cluster": "Cluster"}, [("cluster", "lab")])
    table.rows = []
    CountingName.compared = 0
    for n in range(500):
        for account in ("physics", "theory"):
            where = [("user", CountingName("u%04d" % n)), ("account", account), ("cluster", "lab")]
            assert table.answers(where)
            table.stale([("user", CountingName("u%04d" % n)), ("account", account)])
    assert CountingName.compared <= 4 * 1000
    assert not table.answers([("user", "u0007"), ("account", "theory"), ("cluster", "lab")])
    assert table.answers([("user", "u0007"), ("account", "chemistry"), ("cluster", "lab")])
    # A query naming fewer conditions than a stale row may match it.
    assert not table.answers([("account", "physics"), ("cluster", "lab")])
    assert table.answers([("account", "chemistry"), ("cluster", "lab")])
