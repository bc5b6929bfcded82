"""The day-2 playbooks without the lab: syntax, and the refusals that come before any change.

Each refusal runs the real playbook with `-c local` against a throwaway inventory (head, login1,
c01, c02, all this machine). Slurm's tools (scontrol, squeue) are small fake executables first on
PATH that answer from a table and log every call, so a test can also show that nothing was
changed: no `scontrol update`, no key written. Every run is started once, side by side with the
others (tests/playbook_harness.py's pool), by a module fixture; the tests read their run.
"""

import json
import os
import stat
import sys

import pytest
import yaml
from playbook_harness import TOP, local_host, start

PLAYBOOKS = ["remove_nodes.yml", "rolling_maintenance.yml", "rotate_munge_key.yml", "health.yml"]
JOB_STATES = "--states=CONFIGURING,RUNNING,COMPLETING,SUSPENDED"

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


def node_line(name, state="IDLE", reason=""):
    line = "NodeName=%s Arch=x86_64 CoresPerSocket=1 CPUAlloc=0 State=%s Partitions=batch" % (name, state)
    return line + (" Reason=%s [root@2026-01-01T10:00:00]" % reason if reason else "") + "\n"


class Cluster:
    """A throwaway inventory of local hosts and fake Slurm tools."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.fake = tmp_path / "fake"
        self.fake.mkdir()
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        for tool in ("scontrol", "squeue", "sinfo", "systemctl", "munge", "unmunge", "chronyc", "df"):
            path = self.bin / tool
            path.write_text(FAKE.format(python=sys.executable, fake_dir=str(self.fake)))
            path.chmod(path.stat().st_mode | stat.S_IXUSR)
        self.answers = {}
        self.host_vars = {}
        # The hosts of group compute (head too: a controller that runs jobs).
        self.compute = ["c01", "c02"]

    def calls(self):
        log = self.fake / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def start(self, playbook, extra=None, check=False, limit=None, list_hosts=False):
        """Start the playbook in the pool; returns a future of its result."""
        (self.fake / "answers.json").write_text(json.dumps(self.answers))
        local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "ansible_become": False}

        def hosts(*names):
            return {name: dict(local, **self.host_vars.get(name, {})) for name in names}

        inventory = {"all": {"children": {"cluster": {"children": {
            "control": {"hosts": hosts("head")},
            "login": {"hosts": hosts("login1")},
            "compute": {"hosts": hosts(*self.compute)},
        }, "vars": {"cluster_name": "test"}}}}}
        env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
                   ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
                   ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_PIPELINING="1",
                   PATH=str(self.bin) + os.pathsep + os.environ.get("PATH", ""))
        args = ["--check"] if check else []
        if limit:
            args += ["--limit", limit]
        if list_hosts:
            args += ["--list-hosts"]
        return start(self.tmp, TOP / "playbooks" / playbook, inventory, extra=extra or {}, args=args, env=env)


def failed_with(run, *parts):
    out = run.stdout + run.stderr
    assert run.returncode != 0, out[-4000:]
    for part in parts:
        assert part in out, "%r not in:\n%s" % (part, out[-5000:])


def changes(cluster):
    """Calls that would change Slurm."""
    return [call for call in cluster.calls() if " update " in " %s " % call or "create" in call or "delete" in call]


# Every run of this file, by name: the function prepares a fresh Cluster and starts its run.
RUNS = {}


def run_of(name):
    def register(prepare):
        RUNS[name] = prepare
        return prepare
    return register


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    paths = ["playbooks/" + playbook for playbook in PLAYBOOKS]
    syntax = start(tmp_path_factory.mktemp("syntax"), paths[-1],
                   inventory=TOP / "inventories" / "example", args=["--syntax-check", *paths[:-1]],
                   env=dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_NOCOLOR="1"),
                   cwd=TOP, timeout=120)
    started = {}
    for name, prepare in RUNS.items():
        cluster = Cluster(tmp_path_factory.mktemp("day2"))
        started[name] = (cluster, prepare(cluster))
    done = {name: (cluster, future.result()) for name, (cluster, future) in started.items()}
    done["syntax"] = syntax.result()
    return done


# --- Syntax --------------------------------------------------------------------------------------

@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_syntax_check_against_the_example_inventory(runs, playbook):
    """One --syntax-check run of every playbook: each is named in its output."""
    run = runs["syntax"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "playbook: playbooks/%s\n" % playbook in run.stdout, run.stdout


# --- remove_nodes.yml -----------------------------------------------------------------------------

REMOVE_BAD = [
    ({}, "nodes: no node given (name compute nodes as a Slurm hostlist, e.g. -e nodes=c[01-02])."),
    ({"nodes": ""}, "nodes: no node given"),
    ({"nodes": []}, "nodes: no node given"),
    ({"nodes": "c[02-01]"}, "nodes: reversed range"),
    # Taken as 0 s: the node drained, and the run stopped at once naming its jobs.
    ({"nodes": "c02", "remove_nodes_timeout": "1h"},
     "remove_nodes: remove_nodes_timeout must be whole seconds to wait for the nodes' jobs, e.g. 3600 (got '1h')."),
]
for _index, (_extra, _message) in enumerate(REMOVE_BAD):
    run_of("remove-bad-%d" % _index)(lambda cluster, extra=_extra: cluster.start("remove_nodes.yml", extra))


@pytest.mark.parametrize("index, message", [(i, c[1]) for i, c in enumerate(REMOVE_BAD)],
                         ids=[json.dumps(c[0]) for c in REMOVE_BAD])
def test_remove_nodes_refuses_bad_input_before_asking_slurm(runs, index, message):
    cluster, run = runs["remove-bad-%d" % index]
    failed_with(run, "Remove nodes", message)
    assert cluster.calls() == []


@run_of("remove-not-compute")
def _remove_not_compute(cluster):
    cluster.answers["scontrol"] = {"--oneliner show node": (0, node_line("c01") + node_line("c02"))}
    return cluster.start("remove_nodes.yml", {"nodes": "c01,login1,head"})


def test_remove_nodes_refuses_a_host_that_is_no_compute_node_nor_a_node_slurm_knows(runs):
    """Asked of Slurm first: a controller that ran jobs too may have left group compute only."""
    cluster, run = runs["remove-not-compute"]
    failed_with(run, "Remove nodes", "nodes: login1 (group cluster, login), head (group cluster, control) are not "
                                     "compute nodes")
    assert cluster.calls() == ["scontrol --oneliner show node"]


@run_of("remove-unknown")
def _remove_unknown(cluster):
    cluster.answers["scontrol"] = {"--oneliner show node": (0, node_line("c01") + node_line("c02") + node_line("c05"))}
    return cluster.start("remove_nodes.yml", {"nodes": "c02,c09"})


def test_remove_nodes_refuses_a_node_neither_in_the_inventory_nor_in_slurm(runs):
    cluster, run = runs["remove-unknown"]
    failed_with(run, "nodes: c09 is neither in the inventory nor known to Slurm (a typo, or removed already).")
    assert cluster.calls() == ["scontrol --oneliner show node"]


@run_of("remove-jobs")
def _remove_jobs(cluster):
    cluster.answers["scontrol"] = {
        "show node -o c02": (0, node_line("c02", "MIXED")),
        "update nodename=c02 state=drain reason=removed by remove_nodes.yml": (0, ""),
    }
    cluster.answers["squeue"] = {
        "--noheader --nodelist=c02 %s --format=%%i (user %%u, %%M on %%N)" % JOB_STATES:
            (0, "4711 (user alice, 1:02:03 on c[01-02])\n"),
    }
    return cluster.start("remove_nodes.yml", {"nodes": "c02", "remove_nodes_timeout": 0})


def test_remove_nodes_stops_naming_the_jobs_still_running(runs):
    """The node is drained, its job outlives the timeout: the run stops and names the job."""
    cluster, run = runs["remove-jobs"]
    failed_with(run, "remove_nodes: job(s) still running on c02: 4711 (user alice, 1:02:03 on c[01-02])",
                "timeout after 0s waiting for c02 to be drained",
                "The nodes stay drained", "scontrol update nodename=c02 state=resume")
    assert changes(cluster) == ["scontrol update nodename=c02 state=drain reason=removed by remove_nodes.yml"]


# --- rolling_maintenance.yml ----------------------------------------------------------------------

MAINTENANCE_BAD = [
    ({"nodes": ""}, "nodes: no node given"),
    ({"nodes": "head,c01"}, "nodes: head (group cluster, control) is not a compute node"),
    ({"nodes": "c[01-02],c09"}, "nodes: c09 is not in the inventory (a typo?)."),
    ({"maintenance_batch_size": 0}, "maintenance_batch_size must be a positive number of nodes or a percentage"),
    ({"maintenance_batch_size": "150%"}, "(got '150%')"),
    ({"maintenance_max_fail_percentage": 101}, "maintenance_max_fail_percentage must be a whole number from 0 to "
                                               "100 (got '101')"),
    # Taken as 0 s: the node drained, and left drained at once when a job ran on it.
    ({"maintenance_timeout": "1h"}, "maintenance_timeout must be whole seconds to wait for a node's jobs, e.g. 3600 "
                                    "(got '1h')"),
    ({"maintenance_reboot_timeout": 0}, "maintenance_reboot_timeout must be whole seconds above 0"),
    # Neither auto nor always: the nodes were never rebooted, and nothing said so.
    ({"maintenance_reboot": "yes"}, "maintenance_reboot must be auto (when the update needs it), always or never "
                                    "(got 'yes')"),
    # Refused by apt in the update step, after the first node was drained (lab).
    ({"maintenance_apt_upgrade": "bogus"}, "maintenance_apt_upgrade must be dist, full, safe, yes or no, as apt's "
                                           "upgrade takes it (got 'bogus')"),
    ({"maintenance_update_exclude": {"slurm*": True}}, "maintenance_update_exclude must be a list of package name "
                                                       "patterns"),
    ({"maintenance_update_exclude": ["slurm*", 7]}, "(got [\"slurm*\", 7])"),
]
for _index, (_extra, _message) in enumerate(MAINTENANCE_BAD):
    run_of("maintenance-bad-%d" % _index)(
        lambda cluster, extra=_extra: cluster.start("rolling_maintenance.yml", extra))


@pytest.mark.parametrize("index, message", [(i, c[1]) for i, c in enumerate(MAINTENANCE_BAD)],
                         ids=[json.dumps(c[0]) for c in MAINTENANCE_BAD])
def test_rolling_maintenance_refuses_bad_input_before_any_change(runs, index, message):
    cluster, run = runs["maintenance-bad-%d" % index]
    failed_with(run, "Rolling maintenance", message)
    assert cluster.calls() == []


@run_of("maintenance-controller-named")
def _maintenance_controller_named(cluster):
    cluster.compute = ["head", "c01", "c02"]
    return cluster.start("rolling_maintenance.yml", {"nodes": "head,c01"})


def test_rolling_maintenance_refuses_a_controller_that_runs_jobs_too(runs):
    """Its update and reboot would take slurmctld with it: named, before any change."""
    cluster, run = runs["maintenance-controller-named"]
    failed_with(run, "Rolling maintenance", "nodes: head is also in group control, whose hosts this playbook "
                                            "does not act on.")
    assert cluster.calls() == []


@run_of("maintenance-controller-default")
def _maintenance_controller_default(cluster):
    cluster.compute = ["head", "c01", "c02"]
    return cluster.start("rolling_maintenance.yml", list_hosts=True)


def test_rolling_maintenance_leaves_out_a_controller_that_runs_jobs_too_by_default(runs):
    _cluster, run = runs["maintenance-controller-default"]
    assert run.returncode == 0, run.stdout + run.stderr
    play = run.stdout.split("Rolling maintenance: drain, update")[1].split("play #")[0]
    assert sorted(line.strip() for line in play.split("hosts (2):")[1].splitlines() if line.strip()) == [
        "c01", "c02"], play


@run_of("remove-controller-step-2")
def _remove_controller_step_2(cluster):
    """A controller that ran jobs too has left group compute (not the inventory); Slurm knows it."""
    cluster.answers["scontrol"] = {"--oneliner show node": (0, node_line("head", "IDLE+DRAIN") + node_line("c01"))}
    return cluster.start("remove_nodes.yml", {"nodes": "head"})


def test_remove_nodes_takes_a_controller_that_left_group_compute(runs):
    """Step 2 for it was refused ('head (group control) is not a compute node'): now it goes on to the
    drain check of the nodes Slurm knows (the fake answers no more)."""
    cluster, run = runs["remove-controller-step-2"]
    assert "is not a compute node" not in run.stdout + run.stderr
    assert cluster.calls()[:2] == ["scontrol --oneliner show node", "scontrol show node -o head"], cluster.calls()


# --- rotate_munge_key.yml -------------------------------------------------------------------------

OLD_KEY = b"o" * 1024
SQUEUE_ALL = ("--noheader --all --states=CONFIGURING,RUNNING,COMPLETING,SUSPENDED "
              "--format=%i (user %u on %N)")


def munge_cluster(cluster):
    """Each host's key file under tmp_path, holding the same old key."""
    for host in ("head", "login1", "c01", "c02"):
        root = cluster.tmp / host
        root.mkdir()
        (root / "munge.key").write_bytes(OLD_KEY)
        cluster.host_vars[host] = {"munge_key_file": str(root / "munge.key"), "munge_user": "root",
                                   "munge_group": "root"}


def keys_untouched(cluster):
    for host in ("head", "login1", "c01", "c02"):
        assert sorted(p.name for p in (cluster.tmp / host).iterdir()) == ["munge.key"], host
        assert (cluster.tmp / host / "munge.key").read_bytes() == OLD_KEY, host


@run_of("munge-jobs")
def _munge_jobs(cluster):
    munge_cluster(cluster)
    cluster.answers["squeue"] = {SQUEUE_ALL: (0, "4711 (user alice on c[01-02])\n4712 (user bob on c01)\n")}
    return cluster.start("rotate_munge_key.yml")


def test_rotate_munge_key_refuses_while_jobs_run(runs):
    cluster, run = runs["munge-jobs"]
    failed_with(run, "rotate_munge_key: job(s) running: 4711 (user alice on c[01-02]); 4712 (user bob on c01).",
                "munge_rotate_force=true")
    keys_untouched(cluster)
    assert cluster.calls() == ["squeue " + SQUEUE_ALL]


@run_of("munge-partial")
def _munge_partial(cluster):
    munge_cluster(cluster)
    return cluster.start("rotate_munge_key.yml", limit="c01")


def test_rotate_munge_key_refuses_a_partial_run(runs):
    cluster, run = runs["munge-partial"]
    failed_with(run, "rotate_munge_key: every host of control, compute and login must get the new key in one run; "
                     "not in this run: c02, head, login1 (--limit?).")
    keys_untouched(cluster)
    assert cluster.calls() == []


@run_of("munge-bad-key")
def _munge_bad_key(cluster):
    munge_cluster(cluster)
    cluster.answers["squeue"] = {SQUEUE_ALL: (0, "")}
    return cluster.start("rotate_munge_key.yml", {"munge_key": "c2hvcnQ="})


def test_rotate_munge_key_refuses_a_bad_given_key_without_showing_it(runs):
    cluster, run = runs["munge-bad-key"]
    failed_with(run, "rotate_munge_key: munge_key decodes to 5 bytes; munge needs 32 to 1024")
    assert "c2hvcnQ=" not in run.stdout + run.stderr
    keys_untouched(cluster)


# --- health.yml -----------------------------------------------------------------------------------

CHRONY = "System time     : 0.000012345 seconds fast of NTP time\nLeap status     : Normal\n"
DF = ("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
      "/dev/sda1 1000 400 600 40% /\n/dev/sda1 1000 400 600 40% /\n")


def healthy(cluster, states):
    """Fake slurmd and slurmctld too, and the answers of a healthy cluster with these node states."""
    for tool in ("slurmd", "slurmctld"):
        path = cluster.bin / tool
        path.write_text((cluster.bin / "scontrol").read_text())
        path.chmod(0o755)
    cluster.answers.update({
        "munge": {"--no-input": (0, "MUNGE:cred:\n")},
        "unmunge": {"": (0, "STATUS: Success (0)\n")},
        "systemctl": {"is-active slurmd": (0, "active\n"), "is-active slurmctld": (0, "active\n"),
                      "list-units --state=failed --plain --no-legend --no-pager": (0, "")},
        "slurmd": {"-V": (0, "slurm 22.05.8\n")},
        "slurmctld": {"-V": (0, "slurm 22.05.8\n")},
        "sinfo": {"-V": (0, "slurm 22.05.8\n")},
        "chronyc": {"tracking": (0, CHRONY)},
        "df": {"-P / /home": (0, DF)},
        "scontrol": {"--oneliner show node": (0, "".join(node_line(n, s, r) for n, (s, r) in states.items()))},
    })


@run_of("health-ok")
def _health_ok(cluster):
    healthy(cluster, {"c01": ("IDLE", ""), "c02": ("MIXED", "")})
    return cluster.start("health.yml")


def test_health_passes_on_a_healthy_cluster_and_prints_the_table(runs):
    _cluster, run = runs["health-ok"]
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "NODE" in run.stdout and "SLURM STATE" in run.stdout
    for node in ("head", "login1", "c01", "c02"):
        assert node + " " in run.stdout
    assert "UNHEALTHY" not in run.stdout


@run_of("health-down")
def _health_down(cluster):
    healthy(cluster, {"c01": ("IDLE", ""), "c02": ("DOWN*", "Not responding")})
    return cluster.start("health.yml")


def test_health_fails_naming_the_unhealthy_node(runs):
    _cluster, run = runs["health-down"]
    failed_with(run, "health: 1 unhealthy node(s): c02: Slurm state DOWN* (Not responding).")
    assert "c01: " not in run.stdout + run.stderr


@run_of("health-controller")
def _health_controller(cluster):
    healthy(cluster, {"c01": ("IDLE", ""), "c02": ("IDLE", "")})
    cluster.answers["systemctl"]["is-active slurmctld"] = (3, "inactive\n")
    return cluster.start("health.yml")


def test_health_names_a_stopped_controller(runs):
    _cluster, run = runs["health-controller"]
    failed_with(run, "health: 1 unhealthy node(s): head: slurmctld is inactive.")


@run_of("health-check-mode")
def _health_check_mode(cluster):
    healthy(cluster, {"c01": ("IDLE", ""), "c02": ("IDLE", "")})
    return cluster.start("health.yml", check=True)


def test_health_changes_nothing_in_check_mode_either(runs):
    _cluster, run = runs["health-check-mode"]
    assert run.returncode == 0, run.stdout[-4000:]
    assert "changed=0" in run.stdout and "changed=1" not in run.stdout


def test_remove_nodes_timeout_check_holds_without_the_setting(tmp_path):
    # ansible-core 2.19 templates an assert's message when the check holds: an undefined
    # remove_nodes_timeout in it failed every run that left the default (Molecule's day-2 test).
    plays = yaml.safe_load((TOP / "playbooks" / "remove_nodes.yml").read_text())
    check = [task for task in plays[0]["tasks"] if task.get("name") == "Check the timeout"]
    assert len(check) == 1
    run = start(tmp_path, [{"hosts": "all", "gather_facts": False, "vars": plays[0]["vars"], "tasks": check}],
                {"all": {"hosts": {"head": local_host()}}}).result()
    run.passed("head")
