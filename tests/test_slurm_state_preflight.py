"""Role slurm's preflight against a controller's state: refusals name the node, job, path or variable.

ansible-playbook runs roles/slurm/tasks/preflight.yml end to end on the controller (connection
local) for a 4-host inventory (head, c01, c02, login1), with gathered facts. The "controller"
is faked: a temporary slurm.conf (__slurm_conf_dir), temporary state directories, and
scontrol, squeue and systemctl answered by small fake executables put first on PATH.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")

PING_UP = (0, "Slurmctld(primary) at head is UP\n")
PING_DOWN = (1, "Slurmctld(primary) at head is DOWN\n")
SQUEUE = ("--noheader --all --states=PENDING,CONFIGURING,RUNNING,COMPLETING,SUSPENDED "
          "--format=%i|%N|%P|%u|%a|%q")
SHOW_NODES = "--oneliner show node"
# Slurm's parser reading the new slurm.conf (SLURM_CONF names a temporary copy)
PARSE = "show hostnames localhost"
PARSED = (0, "localhost\n")

FAKE = """#!{python}
import json, os, sys
name = os.path.basename(sys.argv[0])
args = " ".join(sys.argv[1:])
with open(os.path.join({fake_dir!r}, "calls.log"), "a") as log:
    log.write(name + " " + args + "\\n")
with open(os.path.join({fake_dir!r}, "answers.json")) as handle:
    answers = json.load(handle).get(name, {{}})
if args not in answers:
    sys.stderr.write("fake %s: no answer for %r\\n" % (name, args))
    sys.exit(99)
rc, out = answers[args]
sys.stdout.write(out)
sys.exit(rc)
"""


# Every host of the test is this machine: a module next to the play gives each the host name facts
# of the node it plays (host variable host_name, else its inventory name), as setup would there.
HOST_NAME_FACTS = """#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule

module = AnsibleModule(argument_spec={"name": {"type": "str", "required": True}}, supports_check_mode=True)
name = module.params["name"]
module.exit_json(changed=False, ansible_facts={"hostname": name.split(".")[0], "nodename": name, "fqdn": name})
"""


def node_line(name, state="IDLE", layout=""):
    return "NodeName=%s Arch=x86_64 CoresPerSocket=1 CPUAlloc=0 %sState=%s Partitions=batch\n" % (name, layout, state)


class Lab:
    """A temporary controller: conf dir, state dirs, fake Slurm tools."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.etc = tmp_path / "etc"
        self.etc.mkdir()
        self.fake = tmp_path / "fake"
        self.fake.mkdir()
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        for tool in ("scontrol", "squeue", "systemctl"):
            path = self.bin / tool
            path.write_text(FAKE.format(python=sys.executable, fake_dir=str(self.fake)))
            path.chmod(path.stat().st_mode | stat.S_IXUSR)
        self.answers = {"scontrol": {"ping": PING_DOWN, PARSE: PARSED}, "squeue": {}, "systemctl": {}}
        self.controllers = ["head"]
        self.host_vars = {}

    def state_dir(self, name, clustername=None, files=("node_state",)):
        path = self.tmp / name
        path.mkdir(exist_ok=True)
        for file in files:
            (path / file).write_text("data of %s\n" % file)
        if clustername is not None:
            (path / "clustername").write_text(clustername)
        return str(path)

    def current_conf(self, **keys):
        text = "# written by a previous run\n" + "".join("%s=%s\n" % kv for kv in keys.items())
        (self.etc / "slurm.conf").write_text(text)

    def slurm_up(self, nodes, jobs, layout=""):
        """slurmctld answers; nodes: names Slurm knows; jobs: [(jobid, nodelist[, partitions])]."""
        self.answers["scontrol"] = {"ping": PING_UP, SHOW_NODES: (0, "".join(node_line(n, layout=layout)
                                                                           for n in nodes)),
                                    PARSE: PARSED}
        self.answers["squeue"] = {SQUEUE: (0, "".join("|".join(job) + "\n" for job in jobs))}

    def calls(self):
        log = self.fake / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def run(self, extra=None, tasks_after=None, check=False):
        (self.fake / "answers.json").write_text(json.dumps(self.answers))
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}

        def host(name):
            return dict(local, **self.host_vars.get(name, {}))

        inventory = {"all": {"children": {"cluster": {
            "children": {
                "control": {"hosts": {name: host(name) for name in self.controllers}},
                "compute": {"hosts": {"c01": host("c01"), "c02": host("c02")}},
                "login": {"hosts": {"login1": host("login1")}},
            },
            "vars": {"cluster_name": "lab", "slurm_accounting": False},
        }}}}
        (self.tmp / "inventory.yml").write_text(yaml.safe_dump(inventory))
        (self.tmp / "library").mkdir(exist_ok=True)
        (self.tmp / "library" / "host_name_facts.py").write_text(HOST_NAME_FACTS)
        tasks = [{"name": "Host name facts",
                  "host_name_facts": {"name": "{{ host_name | default(inventory_hostname) }}"}}]
        tasks += [{"name": "Slurm preflight", "ansible.builtin.include_role": {
            "name": "slurm", "tasks_from": "preflight.yml", "public": True}}]
        tasks += tasks_after or []
        play = [{"name": "Test", "hosts": "control:compute:login", "gather_facts": True,
                 "gather_subset": ["!all", "!min", "hardware", "distribution", "env"],
                 "tasks": tasks}]
        (self.tmp / "play.yml").write_text(yaml.safe_dump(play))
        env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
                   ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0",
                   ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_DISPLAY_SKIPPED_HOSTS="1",
                   PATH=str(self.bin) + os.pathsep + os.environ.get("PATH", ""))
        args = [PLAYBOOK_BIN, "-i", str(self.tmp / "inventory.yml"), str(self.tmp / "play.yml"),
                "-e", json.dumps(dict({"__slurm_conf_dir": str(self.etc)}, **(extra or {})))]
        if check:
            args.append("--check")
        return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)


def failed_with(run, *parts):
    out = run.stdout + run.stderr
    assert run.returncode != 0, out[-4000:]
    for part in parts:
        assert part in out, "%r not in:\n%s" % (part, out[-4000:])


def passed(run):
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]


@pytest.fixture
def lab(tmp_path):
    return Lab(tmp_path)


# slurmd's spool directory as the role writes it on this machine (Debian).
DEBIAN_PATHS = yaml.safe_load((TOP / "roles/slurm/vars/Debian.yml").read_text())["__slurm_source_paths"]
SPOOL = DEBIAN_PATHS["distro"]["slurmd_spool"]


def converged(lab):
    """A converged controller: state in place, slurm.conf naming it (and slurmd's spool directory,
    as the role writes it); returns the state dir."""
    state = lab.state_dir("state", clustername="lab")
    lab.current_conf(ClusterName="lab", StateSaveLocation=state, SlurmdSpoolDir=SPOOL)
    return state


# --- Nodes removed from the inventory -------------------------------------------------------

def test_good_cluster_passes_end_to_end(lab):
    state = converged(lab)
    lab.slurm_up(["c01", "c02"], [("12", "c01"), ("14", "c[01-02]")])
    run = lab.run({"slurm_config": {"StateSaveLocation": state}},
                  tasks_after=[{"name": "Show the NodeName lines", "ansible.builtin.debug": {
                      "var": "__slurm_node_lines"}, "run_once": True}])
    passed(run)
    assert "NodeName=c[01-02] Sockets=" in run.stdout
    assert "squeue " + SQUEUE in lab.calls()


def test_a_removed_partition_with_jobs_is_refused(lab):
    # slurmctld fails the jobs of a partition its new slurm.conf lacks (pending ones included) when
    # it reads it: the partition stays until they are done.
    state = converged(lab)
    lab.slurm_up(["c01", "c02"], [("12", "c01", "batch"), ("15", "", "debug"), ("16", "", "debug,batch")])
    partitions = {"slurm_partitions": [{"name": "batch", "groups": ["compute"], "default": True}]}
    run = lab.run(dict({"slurm_config": {"StateSaveLocation": state}}, **partitions))
    failed_with(run, "partition debug holds job(s) 15, 16 (pending or running) but is not in slurm_partitions any more",
                "State: DRAIN")
    assert "partition batch" not in run.stdout
    lab.slurm_up(["c01", "c02"], [("12", "c01", "batch")])
    passed(lab.run(dict({"slurm_config": {"StateSaveLocation": state}}, **partitions)))


def test_accounting_entries_to_remove_that_active_jobs_use_are_refused(lab):
    # sacctmgr refuses to remove a user or an account with active jobs, late in the run (the
    # accounting step); a QOS it removes under its jobs (a pending one never starts). Tried on the lab.
    state = converged(lab)
    lab.slurm_up(["c01", "c02"], [("12", "c01", "batch", "alice", "physics", "normal"),
                                  ("15", "", "batch", "bob", "theory", "long")])
    accounting = {"slurm_accounting": True, "slurmdbd_db_password": "not-a-secret-of-any-cluster",
                  "slurm_qos": [{"name": "long", "state": "absent"}],
                  "slurm_accounts": [{"name": "physics"}, {"name": "theory", "state": "absent"}],
                  "slurm_users": [{"name": "alice", "state": "absent"}, {"name": "bob", "account": "physics"}]}
    run = lab.run(dict({"slurm_config": {"StateSaveLocation": state}}, **accounting))
    failed_with(run, "slurm_qos removes QOS long (state: absent) while job(s) 15 use it",
                "slurm_accounts removes account theory (state: absent) while job(s) 15 are pending or running",
                "slurm_users removes user alice (state: absent) while job(s) 12 are pending or running")
    # Once they are done (or with accounting off) nothing is in the way.
    lab.slurm_up(["c01", "c02"], [("16", "c01", "batch", "bob", "physics", "normal")])
    passed(lab.run(dict({"slurm_config": {"StateSaveLocation": state}}, **accounting)))


def test_a_cluster_name_other_than_the_accounting_databases_is_refused(lab):
    """slurmdbd_cluster_name set apart from slurm_cluster_name: the accounting step declares another
    cluster, and slurmctld (AccountingStorageEnforce=associations) would refuse every job."""
    accounting = {"slurm_accounting": True, "slurmdbd_db_password": "not-a-secret-of-any-cluster"}
    failed_with(lab.run(dict(accounting, slurmdbd_cluster_name="other")),
                "slurm: ClusterName 'lab' is not the cluster role slurmdbd declares in the accounting database, "
                "'other' (slurmdbd_cluster_name)")
    passed(lab.run(dict(accounting, slurmdbd_cluster_name="lab")))


def test_a_busy_node_whose_layout_would_change_is_refused(lab):
    # slurmctld aborts the jobs of a node whose sockets or cores change: Slurm has c01 and c02 with
    # 64 sockets of 64 cores, the facts of this machine give another layout; c01 runs a job.
    state = converged(lab)
    lab.slurm_up(["c01", "c02"], [("12", "c01", "batch")], layout="Sockets=64 Boards=1 ")
    run = lab.run({"slurm_config": {"StateSaveLocation": state}})
    failed_with(run, "node c01 runs job(s) 12 and its layout would change from 64 socket(s) of 1 core(s) to",
                "slurmctld aborts the jobs of a node whose sockets or cores change")
    assert "node c02" not in run.stdout


def test_removed_busy_node_is_refused(lab):
    state = converged(lab)
    lab.slurm_up(["c01", "c02", "c03", "c04"],
                 [("12", "c03"), ("14", "c[02-03]"), ("15_3", "c01"), ("16", "c04")])
    run = lab.run({"slurm_config": {"StateSaveLocation": state}})
    failed_with(run, "node c03 runs job(s) 12, 14 but is not in the inventory any more",
                "node c04 runs job(s) 16", "playbooks/remove_nodes.yml")
    assert "node c01" not in run.stdout and "node c02" not in run.stdout


def test_removed_idle_node_is_fine(lab):
    state = converged(lab)
    lab.slurm_up(["c01", "c02", "c03"], [("12", "c01")])
    passed(lab.run({"slurm_config": {"StateSaveLocation": state}}))


def test_slurmctld_down_nothing_to_ask(lab):
    state = converged(lab)
    lab.answers["squeue"] = {SQUEUE: (0, "12|c03\n")}
    passed(lab.run({"slurm_config": {"StateSaveLocation": state}}))
    assert not [c for c in lab.calls() if c.startswith("squeue")]


def test_fresh_cluster_passes(lab):
    """No slurm.conf, no state, no Slurm tools answering: nothing to check."""
    passed(lab.run({"slurm_config": {"StateSaveLocation": str(lab.tmp / "nothing-yet")}}))


def test_a_stateless_controller_of_a_live_cluster_is_refused(lab):
    # slurmd runs on c01 (the preflight's unit read) but the controller has no saved state: a new
    # control host, or a wiped state directory. It would start the cluster afresh.
    lab.host_vars = {"c01": {"__preflight_units": {"units": {"slurmd": {"active_state": "active", "ready": True}}}},
                     "c02": {"__preflight_units": {"units": {"slurmd": {"active_state": "inactive"}}}}}
    extra = {"slurm_config": {"StateSaveLocation": str(lab.tmp / "nothing-yet")}}
    failed_with(lab.run(extra), "this controller has no saved state in %s, yet slurmd runs on c01:"
                % (lab.tmp / "nothing-yet"), "slurm_state_start_empty: true")
    passed(lab.run(dict(extra, slurm_state_start_empty=True)))


# --- ClusterName ------------------------------------------------------------------------------

def test_cluster_name_change_is_refused(lab):
    state = converged(lab)
    run = lab.run({"slurm_config": {"StateSaveLocation": state}, "cluster_name": "lab2"})
    failed_with(run, "ClusterName would change from 'lab' (saved in %s/clustername) to 'lab2'" % state)


def test_cluster_name_same_in_other_case_is_fine(lab):
    """Slurm lower-cases ClusterName: 'Lab' is the cluster saved as 'lab'."""
    state = converged(lab)
    passed(lab.run({"slurm_config": {"StateSaveLocation": state}, "cluster_name": "Lab"}))


def test_cluster_name_newer_file_format(lab):
    """Slurm 23.11+ writes 'name|ClusterID' into the clustername file."""
    state = lab.state_dir("state", clustername="lab|1234")
    lab.current_conf(ClusterName="lab", StateSaveLocation=state)
    passed(lab.run({"slurm_config": {"StateSaveLocation": state}}))
    failed_with(lab.run({"slurm_config": {"StateSaveLocation": state}, "cluster_name": "other"}),
                "from 'lab' (saved in %s/clustername) to 'other'" % state)


# --- StateSaveLocation -----------------------------------------------------------------------

def test_state_save_location_change_is_refused(lab):
    old = converged(lab)
    new = str(lab.tmp / "new-state")
    run = lab.run({"slurm_config": {"StateSaveLocation": new}})
    failed_with(run, "StateSaveLocation changes from %s to %s" % (old, new),
                "%s holds slurmctld's state" % old, "slurm_state_migrate: true")


def test_state_save_location_change_of_an_empty_directory_is_fine(lab):
    old = lab.state_dir("state", files=())
    lab.current_conf(ClusterName="lab", StateSaveLocation=old)
    passed(lab.run({"slurm_config": {"StateSaveLocation": str(lab.tmp / "new-state")}}))


def test_state_save_location_both_hold_state_is_refused(lab):
    old = converged(lab)
    new = lab.state_dir("new-state", clustername="lab")
    run = lab.run({"slurm_config": {"StateSaveLocation": new}, "slurm_state_migrate": True})
    failed_with(run, "%s and %s both hold slurmctld's state" % (old, new))


MOVE = [{"name": "State directory", "ansible.builtin.include_role": {
    "name": "slurm", "tasks_from": "state.yml"}}]
ROOT = {"slurm_user": "root", "slurm_group": "root", "slurm_uid": 0, "slurm_gid": 0}


def test_state_migration_moves_with_slurmctld_stopped_then_changes_nothing(lab):
    old = converged(lab)
    Path(old, "hash.3").mkdir()
    Path(old, "hash.3", "job.13").write_text("job")
    os.chmod(Path(old, "node_state"), 0o600)
    os.chmod(old, 0o700)
    new = str(lab.tmp / "spool" / "ctld")
    lab.answers["systemctl"] = {"show slurmctld": (0, "Id=slurmctld.service\nLoadState=loaded\n"
                                                      "ActiveState=active\nSubState=running\n"),
                                "stop slurmctld": (0, "")}
    # Not a controller for the handlers: they would restart a real slurmctld and wait for its port.
    extra = dict(ROOT, slurm_config={"StateSaveLocation": new}, slurm_state_migrate=True,
                 __slurm_is_control=False)

    check = lab.run(extra, tasks_after=MOVE, check=True)
    passed(check)
    assert not Path(new).exists() and "stop slurmctld" not in "\n".join(lab.calls())

    first = lab.run(extra, tasks_after=MOVE)
    passed(first)
    calls = lab.calls()
    assert "systemctl stop slurmctld" in calls, calls
    assert sorted(p.name for p in Path(new).iterdir()) == ["clustername", "hash.3", "node_state"]
    assert Path(new, "hash.3", "job.13").read_text() == "job"
    assert stat.S_IMODE(Path(new, "node_state").stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(new).stat().st_mode) == 0o700
    assert Path(old, "node_state").exists(), "the old directory stays as it was"
    assert "RUNNING HANDLER [slurm : Restart slurmctld]" in first.stdout, first.stdout[-3000:]

    # The role writes the new slurm.conf next; a re-run then has nothing to move.
    lab.current_conf(ClusterName="lab", StateSaveLocation=new)
    (lab.fake / "calls.log").unlink()
    again = lab.run(extra, tasks_after=MOVE)
    passed(again)
    assert "changed=0" in again.stdout.split("PLAY RECAP")[-1].split("head")[1].splitlines()[0], again.stdout
    assert "systemctl stop slurmctld" not in lab.calls()
    assert "RUNNING HANDLER" not in again.stdout


# --- Two controllers --------------------------------------------------------------------------

def test_two_controllers_need_a_shared_state(lab):
    state = converged(lab)
    lab.controllers = ["head", "head2"]
    run = lab.run({"slurm_config": {"StateSaveLocation": state}})
    failed_with(run, "2 controllers (head, head2)", "slurm_state_save_shared: true")
    passed(lab.run({"slurm_config": {"StateSaveLocation": state}, "slurm_state_save_shared": True}))


def test_a_host_with_other_cluster_wide_settings_is_refused(lab):
    lab.host_vars = {"c02": {"slurm_config": {"MaxJobCount": 5}}}
    failed_with(lab.run(), "host c02 sees different slurm_config", "than head")


# --- Firewall zone and passwords --------------------------------------------------------------

SHOW_ZONE = [{"name": "Show the zone", "ansible.builtin.debug": {"var": "slurm_firewall_zone"},
              "run_once": True}]


def test_firewall_zone_defaults_to_the_cluster_zone(lab):
    run = lab.run(tasks_after=SHOW_ZONE)
    passed(run)
    assert '"slurm_firewall_zone": "trusted"' in run.stdout, run.stdout[-3000:]


def test_firewall_zone_public_is_refused(lab):
    # On Debian slurm_firewall_manage follows role base's base_firewall_manage (off by default).
    failed_with(lab.run({"slurm_firewall_zone": "public", "base_firewall_manage": True}),
                "slurm_firewall_zone is 'public'", "slurm_firewall_manage: false")
    failed_with(lab.run({"base_firewall_public_zone": "external", "base_firewall_cluster_zone": "external",
                         "slurm_firewall_manage": True}),
                "slurm_firewall_zone is 'external'")
    passed(lab.run({"slurm_firewall_zone": "public"}))
    passed(lab.run({"slurm_firewall_zone": "public", "slurm_firewall_manage": False}))


@pytest.mark.parametrize(("key", "value", "where"), [
    ("AccountingStoragePass", "s3cret-db", "slurmdbd_db_password"),
    ("JobCompPass", "s3cret-jc", "JobCompPass"),
])
def test_password_keys_are_refused(lab, key, value, where):
    run = lab.run({"slurm_config": {key: value}})
    failed_with(run, "%s in slurm.conf" % key, "world-readable", where)
    assert value not in run.stdout + run.stderr


def test_a_value_with_whitespace_is_written_in_double_quotes(lab):
    # Slurm reads an unquoted value up to the first whitespace (" --preserve-env ..." would be a
    # parse error and stop every daemon and command); quoted, it reads the whole value.
    run = lab.run({"slurm_config": {"InteractiveStepOptions": "--interactive --preserve-env --pty /bin/sh"}},
                  tasks_after=[{"name": "Show slurm.conf", "ansible.builtin.debug": {
                      "msg": "{{ __slurm_conf_text.splitlines() | select('match', 'Interactive') | list }}"},
                      "run_once": True}])
    passed(run)
    assert 'InteractiveStepOptions=\\"--interactive --preserve-env --pty /bin/sh\\"' in run.stdout, run.stdout[-3000:]


def test_a_slurm_conf_slurm_cannot_read_is_refused_before_any_change(lab):
    # Slurm's own parser (scontrol, on the controller) reads the new slurm.conf: a partition option
    # it refuses would stop slurmctld at the next reconfigure, and every Slurm command with it.
    lab.answers["scontrol"][PARSE] = (1, 'scontrol: error: Bad value "forever" for MaxTime\n')
    run = lab.run({"slurm_partitions": [{"name": "batch", "groups": ["compute"], "default": True,
                                         "options": {"MaxTime": "forever"}}]})
    failed_with(run, 'slurm: Slurm cannot read the new slurm.conf: error: Bad value \\"forever\\" for MaxTime',
                "options of slurm_partitions")
    assert "scontrol " + PARSE in lab.calls()


def test_accounting_storage_pass_as_a_munge_socket_is_fine(lab):
    passed(lab.run({"slurm_config": {"AccountingStoragePass": "/var/run/munge/global.socket.2"}}))


def test_every_cluster_wide_problem_is_named_in_one_error(lab):
    """Unknown keys, a password in slurm.conf, configless without enable_configless and a host with
    other settings: one run, one error naming all of them (hpc.cluster.slurm_settings_problems)."""
    lab.host_vars = {"c02": {"slurm_cgroup_config": {"ConstrainTypo": "yes"}}}
    run = lab.run({"slurm_config": {"SelectTypo": "x", "JobCompPass": "s3cret-jc",
                                    "SlurmctldParameters": "idle_on_node_suspend", "SlurmUser": "nobody"},
                   "slurm_configless": True})
    failed_with(run, "TASK [slurm : Check the cluster-wide Slurm settings]", "unknown key(s) SelectTypo",
                "JobCompPass in slurm.conf", "add enable_configless to it",
                "host c02 sees different slurm_cgroup_config",
                "SlurmUser 'nobody' in slurm_config/slurm_config_group is not slurm_user 'slurm'")
    assert "s3cret-jc" not in run.stdout + run.stderr


def test_a_daemon_node_whose_host_name_slurm_would_not_find_is_refused(lab):
    # slurmd finds its NodeName line, slurmctld itself in SlurmctldHost, by the node's host name
    # (short or full): a node the inventory names otherwise would not start its daemon.
    lab.host_vars = {"c01": {"host_name": "node17.cluster.example.org"}, "head": {"host_name": "mgmt"},
                     "login1": {"host_name": "gateway"}}
    run = lab.run()
    failed_with(run, "slurm on c01: slurm.conf names this node 'c01'",
                "its host name is 'node17.cluster.example.org': slurmd would not find",
                "Name the host 'node17' in the inventory",
                "slurm on head: slurm.conf names this node 'head'", "host name is 'mgmt': slurmctld would not")
    assert "slurm on login1" not in run.stdout  # runs no Slurm daemon: its name is Slurm's no concern
    assert "slurm on c02" not in run.stdout


def test_a_host_name_slurm_finds_is_fine(lab):
    # The short or the full host name, or slurm_node's NodeHostname (slurmd looks that up too).
    lab.host_vars = {"c01": {"host_name": "node17", "slurm_node": {"NodeHostname": "node17"}},
                     "c02": {"host_name": "c02.cluster.example.org"}, "head": {"host_name": "head"},
                     "login1": {"host_name": "gateway"}}
    passed(lab.run())
