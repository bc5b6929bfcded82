"""Day-2 playbooks on the running cluster (issue 12), in the order an admin meets them:
health.yml names a node whose slurmd stopped; rotate_munge_key.yml on an idle cluster; rolling
maintenance over the compute nodes while a job runs; remove_nodes.yml on a busy node, then the
node added back to the inventory while a job runs. Each test leaves the cluster as it found it.
"""

import os
import re
import uuid

from test_safety import inventory_without
from test_slurm import (
    NODES,
    as_user,
    changed_tasks,
    job_field,
    node_states,
    run_playbook,
    slurm_playbook,
    wait_for,
    wait_job_state,
)

# The CI machine's own disk is the containers' /: its fill level is not what these tests are about.
HEALTH_LIMITS = ("-e", "health_max_disk_percent=99")


def playbook(name):
    return os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "playbooks", name)


def text_of(proc):
    return " ".join((proc.stdout + proc.stderr).split())


def all_idle(head):
    return wait_for(lambda: (lambda s: s if s and all(v == "idle" for v in s.values()) else None)(node_states(head)),
                    timeout=180)


def queue_empty(head):
    return wait_for(lambda: head.check_output("squeue -h -o %%i").strip() == "", timeout=180)


def release_job(login, node, seconds=30):
    """A job of alice on one node that ends by itself, or earlier when its release file appears."""
    release = "/home/alice/release-%s" % uuid.uuid4().hex[:8]
    wrap = "for i in $(seq %d); do [ -e %s ] && break; sleep 1; done" % (seconds, release)
    result = as_user(login, "alice", "sbatch --parsable -w %s -N1 -t 10 -o /dev/null --wrap '%s'" % (node, wrap))
    assert result.rc == 0, result.stderr
    return result.stdout.strip().split(";")[0], release


def key_digests(group):
    return {n.backend.get_hostname(): n.check_output("md5sum /etc/munge/munge.key").split()[0]
            for n in group("cluster")}


def test_health_names_the_node_whose_slurmd_stopped(group):
    (head,) = group("control")
    assert all_idle(head), node_states(head)
    _changed, out = run_playbook(playbook("health.yml"), *HEALTH_LIMITS)
    assert "SLURM STATE" in out and "UNHEALTHY" not in out, out[-3000:]
    node = group("compute")[1]
    node.check_output("systemctl stop slurmd")
    try:
        proc = run_playbook(playbook("health.yml"), *HEALTH_LIMITS, expect_ok=False)
        assert proc.returncode != 0, "health.yml passed with slurmd stopped on %s" % NODES[1]
        verdict = re.search(r"health: (\d+) unhealthy node\(s\): (.*?)\.\s", text_of(proc))
        assert verdict, text_of(proc)[-3000:]
        assert verdict.group(1) == "1" and verdict.group(2).startswith(NODES[1] + ": "), verdict.group(0)
        assert "slurmd" in verdict.group(2), verdict.group(0)
    finally:
        node.check_output("systemctl start slurmd")
    assert all_idle(head), node_states(head)


def test_munge_key_rotation_on_an_idle_cluster(group):
    (head,) = group("control")
    (login,) = group("login")
    assert queue_empty(head), head.check_output("squeue")
    before = key_digests(group)
    assert len(set(before.values())) == 1, before
    run_playbook(playbook("rotate_munge_key.yml"))
    after = key_digests(group)
    assert len(set(after.values())) == 1, "the nodes hold different keys: %s" % after
    assert set(after.values()) != set(before.values()), "the key did not change"
    nodes = group("cluster")
    for maker in nodes:
        credential = maker.check_output("munge -n")
        for reader in nodes:
            result = reader.run("echo %s | unmunge", credential)
            assert result.rc == 0, "%s cannot decode a credential of %s: %s" % (
                reader.backend.get_hostname(), maker.backend.get_hostname(), result.stderr)
    assert all_idle(head), node_states(head)
    result = as_user(login, "alice", "srun -N2 hostname")
    assert result.rc == 0 and sorted(result.stdout.split()) == NODES, result.stdout + result.stderr


def test_rolling_maintenance_keeps_the_running_job(group):
    (head,) = group("control")
    (login,) = group("login")
    job, _release = release_job(login, NODES[0], seconds=60)
    assert wait_job_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
    # Package lists only: a dist-upgrade of the scenario's image would be a test of Debian's mirror.
    _changed, out = run_playbook(playbook("rolling_maintenance.yml"), "-e", "maintenance_apt_upgrade=no",
                                 "-e", "maintenance_timeout=300")
    changed = changed_tasks(out)
    for node in NODES:
        for task in ("Drain the node (its jobs go on)", "Resume the node"):
            assert "TASK [%s] [%s" % (task, node) in changed, "%s: no change by %r: %s" % (node, task, changed)
    assert job_field(head, job, "State") == "COMPLETED", job_field(head, job, "State")
    assert job_field(head, job, "ExitCode") == "0:0"
    assert all_idle(head), node_states(head)
    assert "maint_" not in head.check_output("scontrol show reservation")


def test_busy_node_is_removed_after_its_job_and_added_back_while_a_job_runs(group, tmp_path):
    (head,) = group("control")
    (login,) = group("login")
    gone = NODES[1]
    job, release = release_job(login, gone, seconds=600)
    try:
        assert wait_job_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
        proc = run_playbook(playbook("remove_nodes.yml"), "-e", "nodes=%s" % gone, "-e", "remove_nodes_timeout=15",
                            expect_ok=False)
        assert proc.returncode != 0, "remove_nodes.yml went on while job %s ran" % job
        assert "job(s) still running on %s: %s (user alice" % (gone, job) in text_of(proc), text_of(proc)[-3000:]
        assert job_field(head, job, "State") == "RUNNING"
        assert node_states(head)[gone] in ("drng", "drain", "drained"), node_states(head)
    finally:
        head.run("touch %s", release)
    assert wait_job_state(head, job, ("COMPLETED",), timeout=120) == "COMPLETED"

    # Step 1, the node still in the inventory: DOWN, slurmd stopped.
    run_playbook(playbook("remove_nodes.yml"), "-e", "nodes=%s" % gone)
    assert group("compute")[1].run("systemctl is-active slurmd").stdout.strip() != "active"
    # Step 2, the node gone from the inventory: slurm.conf without it, the rest still runs jobs.
    smaller = inventory_without(tmp_path, gone)
    _changed, out = run_playbook(playbook("remove_nodes.yml"), "-e", "nodes=%s" % gone, inventory=smaller)
    assert "removed from Slurm" in out, out[-3000:]
    assert head.run("scontrol show node %s", gone).rc != 0, "Slurm still knows %s" % gone
    result = as_user(login, "alice", "srun -N1 hostname")
    assert result.rc == 0 and result.stdout.split() == [NODES[0]], result.stdout + result.stderr

    # Added back to the inventory while a job runs on the other node: the job completes, the node is idle.
    job, release = release_job(login, NODES[0], seconds=600)
    try:
        assert wait_job_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
        run_playbook(slurm_playbook())
        assert job_field(head, job, "State") == "RUNNING", "the job did not survive the node's return"
    finally:
        head.run("touch %s", release)
    assert wait_job_state(head, job, ("COMPLETED",), timeout=120) == "COMPLETED"
    assert all_idle(head), node_states(head)
    result = as_user(login, "alice", "srun -N2 hostname")
    assert result.rc == 0 and sorted(result.stdout.split()) == NODES, result.stdout + result.stderr
