# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_controller_facts: the decision from tables, the reading with files and scontrol/squeue mocked."""

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.hpc.cluster.plugins.modules import slurm_controller_facts as scf

OLD = "/var/lib/slurm/slurmctld"
NEW = "/var/spool/slurmctld"
MOVE_HINT = "set slurm_state_migrate: true"


def facts(jobs=None, conf=None, dirs=None):
    return {"jobs": jobs or {}, "conf": conf if conf is not None else {"StateSaveLocation": OLD},
            "state_dirs": dirs or {}}


def state(has_state=True, clustername="lab"):
    return {"exists": True, "has_state": has_state, "clustername": clustername}


DECISIONS = [
    # (id, facts, cluster_name, new StateSaveLocation, compute nodes, migrate, problems (parts), move)
    ("nothing to say", facts(dirs={OLD: state()}), "lab", OLD, ["c01"], False, [], {}),
    ("fresh cluster", facts(conf={}), "lab", OLD, ["c01"], False, [], {}),
    ("busy nodes in the inventory", facts(jobs={"c01": ["12"], "c02": ["12", "14"]}),
     "lab", OLD, ["c01", "c02"], False, [], {}),
    ("removed busy nodes, one message each, sorted",
     facts(jobs={"c04": ["16"], "c03": ["12", "14"], "c01": ["12"]}), "lab", OLD, ["c01", "c02"], False,
     [["node c03 runs job(s) 12, 14 but is not in the inventory any more",
       "playbooks/remove_nodes.yml", "or put it back"],
      ["node c04 runs job(s) 16 but"]], {}),
    ("ClusterName change", facts(dirs={OLD: state()}), "lab2", OLD, [], False,
     [["ClusterName would change from 'lab' (saved in %s/clustername) to 'lab2'" % OLD,
       "Keep slurm_cluster_name (or cluster_name) 'lab'"]], {}),
    ("ClusterName in capitals is the same cluster", facts(dirs={OLD: state()}), "LAB", OLD, [], False, [], {}),
    ("no clustername file yet", facts(dirs={OLD: state(clustername=None)}), "lab2", OLD, [], False, [], {}),
    ("ClusterName change seen in the new directory too",
     facts(dirs={OLD: state(has_state=False, clustername=None), NEW: state(clustername="old")}),
     "lab", NEW, [], False, [["from 'old' (saved in %s/clustername) to 'lab'" % NEW]], {}),
    ("StateSaveLocation change with state", facts(dirs={OLD: state(), NEW: state(False, None)}),
     "lab", NEW, [], False,
     [["StateSaveLocation changes from %s to %s" % (OLD, NEW), "%s holds slurmctld's state" % OLD,
       MOVE_HINT, "keep StateSaveLocation: %s in slurm_config" % OLD]], {}),
    ("StateSaveLocation change, migration allowed", facts(dirs={OLD: state(), NEW: state(False, None)}),
     "lab", NEW, [], True, [], {"from": OLD, "to": NEW}),
    ("StateSaveLocation change, new directory missing", facts(dirs={OLD: state()}),
     "lab", NEW, [], True, [], {"from": OLD, "to": NEW}),
    ("StateSaveLocation change, old directory empty", facts(dirs={OLD: state(False, None)}),
     "lab", NEW, [], False, [], {}),
    ("StateSaveLocation change, both hold state", facts(dirs={OLD: state(), NEW: state()}),
     "lab", NEW, [], True, [["%s and %s both hold slurmctld's state" % (OLD, NEW)]], {}),
    ("trailing slash is no change", facts(dirs={OLD: state()}), "lab", OLD + "/", [], False, [], {}),
    ("everything at once",
     facts(jobs={"c09": ["7"]}, dirs={OLD: state(clustername="old"), NEW: state(False, None)}),
     "lab", NEW, ["c01"], False,
     [["node c09 runs job(s) 7"], ["from 'old'"], ["StateSaveLocation changes"]], {}),
]


@pytest.mark.parametrize("case", DECISIONS, ids=[c[0] for c in DECISIONS])
def test_decide(case):
    _id, given, name, location, nodes, migrate, expected, move = case
    problems, state_move = scf.decide(given, name, location, nodes, migrate)
    assert len(problems) == len(expected), problems
    for message, parts in zip(problems, expected):
        for part in parts:
            assert part in message, (part, message)
    assert state_move == move


@pytest.mark.parametrize(("text", "expected"), [
    ("ClusterName=lab\nStateSaveLocation=/var/spool/slurmctld\n",
     {"ClusterName": "lab", "StateSaveLocation": "/var/spool/slurmctld"}),
    ("clustername=Lab # comment\n# StateSaveLocation=/nope\n", {"ClusterName": "Lab"}),
    ("NodeName=c01 ClusterName=x\nPartitionName=batch Nodes=c01\n", {}),
    ("SlurmUser=slurm StateSaveLocation=\"/srv/state\"\nStateSaveLocation=/srv/last\n",
     {"StateSaveLocation": "/srv/last"}),
    ("", {}),
    ("SlurmctldPort=6817\nslurmdspooldir=/srv/spool\n", {"SlurmctldPort": "6817", "SlurmdSpoolDir": "/srv/spool"}),
])
def test_parse_conf(text, expected):
    assert scf.parse_conf(text) == expected


@pytest.mark.parametrize(("content", "name"), [
    ("lab", "lab"), ("lab\n", "lab"), ("lab|4096", "lab"), ("lab\0", "lab"), ("", None),
])
def test_read_clustername(tmp_path, content, name):
    (tmp_path / "clustername").write_text(content)
    assert scf.read_clustername(str(tmp_path / "clustername")) == name


def test_read_clustername_missing(tmp_path):
    assert scf.read_clustername(str(tmp_path / "clustername")) is None


@pytest.mark.parametrize(("text", "jobs"), [
    ("12|c01\n14|c[01-02]\n", {"c01": ["12", "14"], "c02": ["14"]}),
    ("15_3|gpu1\n16+0|c01\n\n", {"gpu1": ["15_3"], "c01": ["16+0"]}),
    ("", {}),
])
def test_parse_squeue_jobs_per_node(text, jobs):
    assert scf.parse_squeue(text)[0] == jobs


def test_parse_squeue_with_partitions_and_pending_jobs():
    text = "12|c01|batch\n15||debug\n16||debug,batch\n17|c[01-02]|batch\n"
    jobs, partition_jobs, _owners = scf.parse_squeue(text)
    assert jobs == {"c01": ["12", "17"], "c02": ["17"]}
    assert partition_jobs == {"batch": ["12", "16", "17"], "debug": ["15", "16"]}


def test_parse_squeue_reads_users_accounts_and_qos():
    text = "12|c01|batch|alice|Physics|normal\n15||debug|bob|physics|long\n16|c02|batch|alice|theory|normal\n"
    owners = scf.parse_squeue(text)[2]
    assert owners[("user", "alice")] == ["12", "16"] and owners[("user", "bob")] == ["15"]
    assert owners[("association", ("alice", "physics"))] == ["12"]
    assert owners[("account", "physics")] == ["12", "15"]
    assert owners[("qos", "normal")] == ["12", "16"] and owners[("qos", "long")] == ["15"]
    # squeue output of the older three fields: no owners.
    assert scf.parse_squeue("12|c01|batch\n")[2] == {}


OWNERS = scf.parse_squeue("12|c01|batch|alice|physics|normal\n15||batch|bob|theory|long\n")[2]


@pytest.mark.parametrize(("entry", "named"), [
    ({"type": "user", "name": "alice", "state": "absent"},
     "slurm_users removes user alice (state: absent) while job(s) 12 are pending or running"),
    ({"type": "user", "name": "bob", "account": "Theory", "state": "absent"},
     "slurm_users removes the association of user bob with account Theory (state: absent) while job(s) 15 "),
    ({"type": "account", "name": "physics", "state": "absent"},
     "slurm_accounts removes account physics (state: absent) while job(s) 12 "),
    ({"type": "qos", "name": "long", "state": "absent"},
     "slurm_qos removes QOS long (state: absent) while job(s) 15 use it"),
])
def test_an_entry_to_remove_that_active_jobs_use_is_refused(entry, named):
    problems = scf.removal_problems(OWNERS, [entry])
    assert len(problems) == 1 and problems[0].startswith(named), problems


@pytest.mark.parametrize("entry", [
    {"type": "user", "name": "carol", "state": "absent"},
    {"type": "user", "name": "alice", "account": "theory", "state": "absent"},
    {"type": "account", "name": "chemistry", "state": "absent"},
    {"type": "qos", "name": "debug", "state": "absent"},
    {"type": "user", "name": "alice", "account": "physics"},
    {"type": "cluster", "name": "lab"},
])
def test_entries_no_active_job_uses_pass(entry):
    assert scf.removal_problems(OWNERS, [entry]) == []


@pytest.mark.parametrize(("partitions", "named"), [
    (["batch", "debug"], []),
    (["batch"], ["partition debug holds job(s) 15, 16 (pending or running) but is not in slurm_partitions"]),
    ([], ["partition batch holds job(s) 12", "partition debug holds job(s) 15, 16"]),
    (None, []),  # not checked
])
def test_decide_removed_partitions_with_jobs(partitions, named):
    state = facts()
    state["partition_jobs"] = {"batch": ["12"], "debug": ["15", "16"]}
    problems, _move = scf.decide(state, "lab", OLD, [], False, partitions)
    assert len(problems) == len(named)
    for problem, part in zip(problems, named):
        assert problem.startswith(part) and "State: DRAIN" in problem


def test_decide_names_ten_jobs_and_counts_the_rest():
    state = facts()
    state["partition_jobs"] = {"old": [str(n) for n in range(100, 125)]}
    (problem,), _move = scf.decide(state, "lab", OLD, [], False, ["batch"])
    assert "job(s) 100, 101, 102, 103, 104, 105, 106, 107, 108, 109 and 15 more (pending" in problem


def test_parse_node_lines():
    assert scf.parse_node_lines(["NodeName=c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=22528",
                                 "NodeName=g1 Boards=1 SocketsPerBoard=2 CoresPerSocket=8 Gres=gpu:2",
                                 "NodeName=x RealMemory=1"]) == {"c01": (1, 2), "c02": (1, 2), "g1": (2, 8)}


@pytest.mark.parametrize(("new", "refused"), [
    ({"c01": (1, 2), "c02": (2, 1)}, ["node c02 runs job(s) 14 and its layout would change from 1 socket(s) of 2"
                                      " core(s) to 2 of 1: slurmctld aborts the jobs"]),
    ({"c01": (1, 2), "c02": (1, 2), "c03": (4, 4)}, []),  # c03 runs nothing
    ({"c01": (1, 2)}, []),  # c02 leaves the inventory: the removed-node check speaks for it
    (None, []),  # not checked
])
def test_decide_layout_changes_of_busy_nodes(new, refused):
    state = facts(jobs={"c02": ["14"]})
    state["layouts"] = {"c01": (1, 2), "c02": (1, 2), "c03": (1, 2)}
    problems, _move = scf.decide(state, "lab", OLD, ["c01", "c02", "c03"], False, None, new)
    assert len(problems) == len(refused)
    for problem, part in zip(problems, refused):
        assert problem.startswith(part) and "Drain it" in problem


def test_parse_squeue_refuses_other_output():
    with pytest.raises(ValueError):
        scf.parse_squeue("JOBID NODELIST\n")


def test_parse_squeue_reads_node_lists_as_slurm_writes_them():
    with pytest.raises(ValueError, match="text '-ib' after the last bracket in 'c\\[1-2\\]-ib'"):
        scf.parse_squeue("12|c[1-2]-ib\n")


# --- The module: files in tmp_path, scontrol and squeue mocked -------------------------------

VERSION = (("slurmctld", ["-V"]), 0, "slurm 22.05.8\n", "")
PING = (("scontrol", ["ping"]), 0, "Slurmctld(primary) at head is UP\n", "")
PING_DOWN = (("scontrol", ["ping"]), 1, "Slurmctld(primary) at head is DOWN\n", "")
SHOW = (("scontrol", ["--oneliner", "show", "node"]), 0,
        "NodeName=c01 Arch=x86_64 CoresPerSocket=2 Sockets=1 Boards=1 State=IDLE Partitions=batch\n"
        "NodeName=c03 Arch=x86_64 State=ALLOCATED Partitions=batch\n", "")


def squeue(text):
    return (("squeue", scf.SQUEUE_ARGS), 0, text, "")


def controller(tmp_path, name="lab", files=("node_state",)):
    old = tmp_path / "old"
    old.mkdir()
    for file in files:
        (old / file).write_text("x")
    if name:
        (old / "clustername").write_text(name)
    conf = tmp_path / "slurm.conf"
    conf.write_text("ClusterName=lab\nStateSaveLocation=%s\n" % old)
    return str(conf), str(old)


def args(conf, location, **more):
    return dict({"conf_path": conf, "cluster_name": "lab", "state_save_location": location,
                 "compute_nodes": ["c01", "c02"]}, **more)


def test_module_reads_everything(run_module, tmp_path):
    conf, old = controller(tmp_path)
    result, _calls = run_module(scf.main, args(conf, old),
                                [VERSION, PING, SHOW, squeue("12|c01\n13|c03\n")], check_mode=True)
    assert result["failed"] is False and result["changed"] is False
    assert result["slurmctld_running"] is True
    assert result["version"] == "22.05.8"
    assert result["conf"] == {"ClusterName": "lab", "StateSaveLocation": old}
    # The file's digest, as a configless slurmd's copy of it is compared (conf-cache/slurm.conf).
    text = "ClusterName=lab\nStateSaveLocation=%s\n" % old
    assert result["conf_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert result["state_dirs"] == {old: {"exists": True, "has_state": True, "clustername": "lab"}}
    assert result["nodes"] == ["c01", "c03"]
    assert result["layouts"] == {"c01": (1, 2)}
    assert result["removed_nodes"] == "c03"
    assert result["jobs"] == {"c01": ["12"], "c03": ["13"]}
    assert len(result["problems"]) == 1 and result["problems"][0].startswith("node c03 runs job(s) 13 ")


def test_module_refuses_removing_a_user_whose_job_runs(run_module, tmp_path):
    conf, old = controller(tmp_path)
    removals = [{"type": "user", "name": "alice", "state": "absent"},
                {"type": "qos", "name": "long", "state": "absent"}]
    result, _calls = run_module(scf.main, args(conf, old, accounting_entries=removals),
                                [VERSION, PING, SHOW, squeue("12|c01|batch|alice|physics|normal\n")], check_mode=True)
    assert result["failed"] is False and len(result["problems"]) == 1
    assert result["problems"][0].startswith("slurm_users removes user alice (state: absent) while job(s) 12 ")
    # The owners stay in the module: a fact per job would grow with the queue.
    assert not any("owner" in key for key in result)


def test_module_slurmctld_down_asks_nothing_more(run_module, tmp_path):
    conf, old = controller(tmp_path)
    result, calls = run_module(scf.main, args(conf, old), [VERSION, PING_DOWN])
    assert result["slurmctld_running"] is False and result["jobs"] == {} and result["problems"] == []
    assert result["version"] == "22.05.8"
    assert len(calls) == 2


def test_module_fresh_controller(run_module, tmp_path):
    result, calls = run_module(scf.main, args(str(tmp_path / "none.conf"), str(tmp_path / "state")), [],
                               bins={"scontrol": None, "slurmctld": None})
    assert result["failed"] is False and calls == [] and result["version"] == ""
    assert result["conf"] == {} and result["problems"] == [] and result["state_move"] == {}
    assert result["conf_sha256"] == ""
    assert result["state_dirs"] == {str(tmp_path / "state"): {
        "exists": False, "has_state": False, "clustername": None}}


def test_module_state_move(run_module, tmp_path):
    conf, old = controller(tmp_path)
    new = str(tmp_path / "new")
    refused, _calls = run_module(scf.main, args(conf, new), [VERSION, PING_DOWN])
    assert len(refused["problems"]) == 1 and MOVE_HINT in refused["problems"][0]
    allowed, _calls = run_module(scf.main, args(conf, new, state_migrate=True), [VERSION, PING_DOWN])
    assert allowed["problems"] == [] and allowed["state_move"] == {"from": old, "to": new}


def test_module_squeue_failure_is_an_error(run_module, tmp_path):
    conf, old = controller(tmp_path)
    result, _calls = run_module(scf.main, args(conf, old), [
        VERSION, PING, SHOW, (("squeue", scf.SQUEUE_ARGS), 1, "", "slurm_load_jobs error: Socket timed out\n")])
    assert result["failed"] is True and "squeue failed (rc=1): slurm_load_jobs error" in result["msg"]


def test_module_bad_squeue_output_is_an_error(run_module, tmp_path):
    conf, old = controller(tmp_path)
    result, _calls = run_module(scf.main, args(conf, old), [VERSION, PING, SHOW, squeue("12|c[01-\n")])
    assert result["failed"] is True and result["msg"].startswith("squeue: ")


@pytest.mark.parametrize(("answer", "version"), [
    ((0, "slurm 22.05.8\n", ""), "22.05.8"),
    ((0, "slurm 24.11\n", ""), "24.11"),
    ((0, "slurm-wlm 25.05.3-1\n", ""), "25.05.3"),
    ((1, "", "error while loading shared libraries\n"), ""),
    ((0, "no release here\n", ""), ""),
], ids=["release", "no-patch-level", "debian-name", "broken-binary", "unparsable"])
def test_module_version(run_module, tmp_path, answer, version):
    result, _calls = run_module(scf.main, args(str(tmp_path / "none.conf"), str(tmp_path / "state")),
                                [(("slurmctld", ["-V"]),) + answer], bins={"scontrol": None})
    assert result["failed"] is False and result["version"] == version


# --- The new slurm.conf, read by Slurm's own parser -------------------------------------------

BAD_VALUE = ('scontrol: error: Bad value "forever" for MaxTime\n'
             "scontrol: fatal: Unable to process configuration file\n")


def parser(tmp_path, rc, err, seen):
    """scontrol show hostnames localhost, reading the temporary slurm.conf the module wrote."""
    def answer(argv):
        assert argv[1:] == ["show", "hostnames", "localhost"], argv
        seen.append((tmp_path / "parse" / "slurm.conf").read_text())
        return rc, "localhost\n" if rc == 0 else "", err.replace("PATH", str(tmp_path / "parse" / "slurm.conf"))
    return answer


@pytest.fixture
def parse_dir(tmp_path, monkeypatch):
    def mkdtemp(prefix):
        (tmp_path / "parse").mkdir()
        return str(tmp_path / "parse")
    monkeypatch.setattr(scf.tempfile, "mkdtemp", mkdtemp)
    return tmp_path / "parse"


def test_module_new_conf_slurm_cannot_read_is_a_problem(run_module, tmp_path, parse_dir):
    conf, old = controller(tmp_path)
    seen = []
    text = "ClusterName=lab\nPartitionName=batch Nodes=c01 MaxTime=forever\n"
    result, _calls = run_module(scf.main, args(conf, old, new_conf=text),
                                [VERSION, PING_DOWN, parser(tmp_path, 1, BAD_VALUE, seen)])
    assert seen == [text]
    assert not parse_dir.exists()
    assert result["problems"] == [
        'Slurm 22.05.8 cannot read the new slurm.conf: error: Bad value "forever" for MaxTime; fatal: Unable '
        "to process configuration file. Nothing was written; fix the value it names (slurm_config, "
        "slurm_config_group, or the options of slurm_partitions)."]


def test_module_new_conf_parse_error_names_no_temporary_path(run_module, tmp_path, parse_dir):
    conf, old = controller(tmp_path)
    err = ("scontrol: error: Parsing error at unrecognized key: MaxTimee\n"
           'scontrol: error: Parse error in file PATH line 2: " MaxTimee=1:00:00"\n'
           "scontrol: fatal: Unable to process configuration file\n")
    result, _calls = run_module(scf.main, args(conf, old, new_conf="x"),
                                [VERSION, PING_DOWN, parser(tmp_path, 1, err, [])])
    (problem,) = result["problems"]
    assert 'Parse error in file slurm.conf line 2: " MaxTimee=1:00:00"' in problem
    assert str(parse_dir) not in problem


def test_module_new_conf_slurm_reads_is_fine(run_module, tmp_path, parse_dir):
    conf, old = controller(tmp_path)
    seen = []
    result, _calls = run_module(scf.main, args(conf, old, new_conf="ClusterName=lab\n"),
                                [VERSION, PING_DOWN, parser(tmp_path, 0, "", seen)])
    assert result["problems"] == [] and seen == ["ClusterName=lab\n"]
    assert result["new_conf"] == "ClusterName=lab\n"  # as checked, for the task that writes it


def test_module_new_conf_without_slurm_asks_nothing(run_module, tmp_path):
    result, calls = run_module(scf.main, args(str(tmp_path / "none.conf"), str(tmp_path / "state"),
                                              new_conf="x=y"), [], bins={"scontrol": None, "slurmctld": None})
    assert result["problems"] == [] and calls == [] and result["new_conf"] == "x=y"


@pytest.mark.parametrize(("dirs", "live", "start_empty", "refused"), [
    ({NEW: state(has_state=False)}, ["c02", "c01"], False, True),  # a new control host, or a wiped state
    ({NEW: state(has_state=False)}, [], False, False),  # a fresh cluster: no slurmd runs yet
    ({NEW: state(has_state=False)}, ["c01"], True, False),  # the admin starts afresh on purpose
    ({NEW: state()}, ["c01"], False, False),  # the state is there
])
def test_decide_a_stateless_controller_of_a_live_cluster(dirs, live, start_empty, refused):
    problems, _move = scf.decide(facts(conf={}, dirs=dirs), "lab", NEW, ["c01", "c02"], False,
                                 live_nodes=live, start_empty=start_empty)
    assert bool(problems) is refused
    if refused:
        assert problems[0].startswith("this controller has no saved state in %s, yet slurmd runs on c[01-02]:" % NEW)
        assert "slurm_state_start_empty: true" in problems[0]


def test_decide_state_to_move_is_not_a_stateless_start():
    dirs = {OLD: state(), NEW: state(has_state=False)}
    problems, move = scf.decide(facts(dirs=dirs), "lab", NEW, ["c01"], True, live_nodes=["c01"])
    assert problems == [] and move == {"from": OLD, "to": NEW}


def test_conf_plugins_reads_the_plugin_keys():
    text = ("SchedulerType=sched/backfill\nTaskPlugin=task/cgroup,task/affinity # both\nMpiDefault=none\n"
            "JobSubmitPlugins=lua\nNodeName=c01 Type=x/y\nSlurmctldParameters=enable_configless\n"
            'AuthType="auth/munge"\n')
    assert scf.conf_plugins(text) == {"sched/backfill", "task/cgroup", "task/affinity", "auth/munge"}


def plugins_here(tmp_path, *names):
    directory = tmp_path / "plugins"
    directory.mkdir()
    for name in ("auth_munge",) + names:
        (directory / (name + ".so")).write_text("")
    return directory


def test_a_new_plugin_that_is_not_installed_is_named(tmp_path):
    directory = plugins_here(tmp_path, "task_cgroup", "sched_backfill")
    new = "PluginDir=%s\nSchedulerType=sched/typo\nTaskPlugin=task/cgroup,task/affinitty\nSwitchType=switch/gone\n" % (
        directory)
    current = "SchedulerType=sched/backfill\nSwitchType=switch/gone\n"  # works today: not asked again
    assert scf.plugin_dir(new) == str(directory)
    assert scf.missing_plugins(new, current, str(directory)) == ["sched/typo", "task/affinitty"]


def test_without_a_plugin_directory_nothing_is_asked(tmp_path):
    assert scf.plugin_dir("PluginDir=%s\n" % (tmp_path / "none")) is None
    assert scf.plugin_dir("PluginDir=%s\n" % plugins_here(tmp_path)) == str(tmp_path / "plugins")


def test_module_refuses_a_plugin_slurm_does_not_have(run_module, tmp_path):
    conf, old = controller(tmp_path)
    directory = plugins_here(tmp_path, "sched_backfill")
    new_conf = "PluginDir=%s\nSchedulerType=sched/typo\n" % directory
    result, _calls = run_module(scf.main, args(conf, old, new_conf=new_conf), [VERSION, PING_DOWN])
    assert result["problems"] == [
        "Slurm 22.05.8 has no plugin sched/typo in %s: slurmctld and slurmd would stop when they load it. Check the "
        "name (slurm.conf(5) lists them), or install the package that holds it first." % directory]


SPOOL = "/var/lib/slurm/slurmd"


@pytest.mark.parametrize(("conf", "jobs", "new", "refused"), [
    # (current slurm.conf keys, jobs per node, new SlurmdSpoolDir, what the message says)
    ({"SlurmdSpoolDir": SPOOL}, {"c01": ["4"], "c02": ["4", "7"]}, "/var/spool/slurmd",
     ["SlurmdSpoolDir would change from %s to /var/spool/slurmd while c[01-02] run(s) job(s) 4, 7:" % SPOOL,
      "scancel or a time limit would leave their processes running",
      "scontrol update nodename=c[01-02] state=drain", "keep SlurmdSpoolDir: %s in slurm_config" % SPOOL]),
    # Slurm's default where the current file names none
    ({"ClusterName": "lab"}, {"c01": ["4"]}, SPOOL, ["from /var/spool/slurmd to %s while c01" % SPOOL]),
    ({"SlurmdSpoolDir": SPOOL}, {"c01": ["4"]}, SPOOL + "/", []),  # the same directory
    ({"SlurmdSpoolDir": SPOOL}, {}, "/var/spool/slurmd", []),  # no job runs: nothing to lose
    ({}, {}, "/var/spool/slurmd", []),  # a controller never configured
])
def test_decide_spool_directory_moved_under_running_jobs(conf, jobs, new, refused):
    problems, _move = scf.decide(facts(jobs=jobs, conf=conf), "lab", OLD, ["c01", "c02"], False, new_spool=new)
    assert len(problems) == (1 if refused else 0), problems
    for part in refused:
        assert part in problems[0], (part, problems[0])


def test_decide_spool_directory_of_a_node_leaving_the_inventory_is_said_once():
    problems, _move = scf.decide(facts(jobs={"c03": ["9"]}, conf={"SlurmdSpoolDir": SPOOL}), "lab", OLD,
                                 ["c01"], False, new_spool="/srv/spool")
    assert len(problems) == 1 and problems[0].startswith("node c03 runs job(s) 9 but is not in the inventory")


@pytest.mark.parametrize(("text", "spool"), [
    ("ClusterName=lab\nSlurmdSpoolDir=/srv/a\nslurmdspooldir=\"/srv/b\"\n", "/srv/b"),
    ("ClusterName=lab\n# SlurmdSpoolDir=/srv/a\n", "/var/spool/slurmd"),
])
def test_spool_dir_of_a_conf_text(text, spool):
    assert scf.spool_dir(text) == spool


def test_module_refuses_a_spool_directory_moved_under_running_jobs(run_module, tmp_path, parse_dir):
    conf, old = controller(tmp_path)
    with open(conf, "a") as handle:
        handle.write("SlurmdSpoolDir=%s\n" % SPOOL)
    text = "ClusterName=lab\nStateSaveLocation=%s\nSlurmdSpoolDir=/srv/spool\n" % old
    result, _calls = run_module(scf.main, args(conf, old, new_conf=text),
                                [VERSION, PING, SHOW, squeue("12|c01|batch\n"), parser(tmp_path, 0, "", [])])
    assert result["conf"]["SlurmdSpoolDir"] == SPOOL
    (problem,) = result["problems"]
    assert problem.startswith("SlurmdSpoolDir would change from %s to /srv/spool while c01 run(s) job(s) 12:" % SPOOL)
