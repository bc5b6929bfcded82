"""A re-run on a live cluster loses nothing (issue 8): state the playbooks must refuse to touch.

Each test brings the cluster into a situation seen on real clusters (a busy node dropped from
the inventory, a user removed from accounting while her job runs, a GPU tool broken by a driver
update) and checks that playbooks/slurm.yml stops in
its preflight, naming the culprit, while jobs keep running.
"""

import json
import os
import shutil

import yaml
from test_slurm import (
    NODES,
    as_user,
    assert_refused_in_preflight,
    job_field,
    lab_slurm_users,
    run_playbook,
    slurm_playbook,
    wait_job_state,
)


def inventory_without(tmp_path, node):
    """A copy of the scenario's inventory (with its group_vars) that lacks one node."""
    source = os.environ["MOLECULE_INVENTORY_FILE"]
    inventory = yaml.safe_load(open(source))

    def drop(group):
        (group.get("hosts") or {}).pop(node, None)
        for child in (group.get("children") or {}).values():
            drop(child or {})

    # Molecule writes groups both under `all` and as top-level keys.
    for top in inventory.values():
        drop(top or {})
    for name in ("group_vars", "host_vars"):
        path = os.path.join(os.path.dirname(source), name)
        if os.path.isdir(path):
            shutil.copytree(path, tmp_path / name)
    target = tmp_path / "inventory.yml"
    target.write_text(yaml.safe_dump(inventory))
    return str(target)


def test_busy_node_removed_from_inventory_is_refused(group, tmp_path):
    (login,) = group("login")
    (head,) = group("control")
    busy = NODES[1]
    result = as_user(login, "alice", "sbatch --parsable -w %s -N1 -t 10 -o /dev/null --wrap 'sleep 600'" % busy)
    assert result.rc == 0, result.stderr
    job = result.stdout.strip().split(";")[0]
    try:
        assert wait_job_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
        proc = run_playbook(slurm_playbook(), inventory=inventory_without(tmp_path, busy), expect_ok=False)
        assert proc.returncode != 0, "a busy node left the inventory and the run went on"
        text = " ".join((proc.stdout + proc.stderr).split())
        assert busy in text and job in text and "remove_nodes.yml" in text, text[-3000:]
        assert_refused_in_preflight(proc)
        assert job_field(head, job, "State") == "RUNNING"
    finally:
        head.run("scancel %s", job)


def test_failing_gpu_tool_is_refused_by_name(group):
    """A driver update that breaks nvidia-smi must not read as 'no GPUs' (which drops Gres=)."""
    node = group("compute")[0]
    name = node.backend.get_hostname()
    fake = "/usr/local/bin/nvidia-smi"
    node.run(
        "printf '#!/bin/sh\\necho \"Failed to initialize NVML: Driver/library version mismatch\"\\nexit 18\\n' > %s"
        " && chmod 755 %s",
        fake,
        fake,
    )
    try:
        proc = run_playbook(slurm_playbook(), expect_ok=False)
        assert proc.returncode != 0, "a failing nvidia-smi was read as a node without GPUs"
        text = " ".join((proc.stdout + proc.stderr).split())
        assert name in text and "nvidia-smi" in text and "mismatch" in text, text[-3000:]
        assert_refused_in_preflight(proc)
    finally:
        node.run("rm -f %s", fake)


def test_removing_a_user_whose_job_runs_is_refused(group):
    """sacctmgr refuses it ("Job(s) active"), but only in the accounting step, after the controller
    and the nodes took the rest of the run: the preflight names the user and the job instead."""
    (login,) = group("login")
    (head,) = group("control")
    result = as_user(login, "alice", "sbatch --parsable -N1 -t 10 -o /dev/null --wrap 'sleep 600'")
    assert result.rc == 0, result.stderr
    job = result.stdout.strip().split(";")[0]
    try:
        assert wait_job_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
        users = [u for u in lab_slurm_users() if u["name"] != "alice"] + [{"name": "alice", "state": "absent"}]
        proc = run_playbook(slurm_playbook(), "-e", json.dumps({"slurm_users": users}), expect_ok=False)
        assert proc.returncode != 0, "alice left accounting while her job ran"
        text = " ".join((proc.stdout + proc.stderr).split())
        assert "slurm_users removes user alice (state: absent) while job(s) %s " % job in text, text[-3000:]
        assert_refused_in_preflight(proc)
        assert job_field(head, job, "State") == "RUNNING"
    finally:
        head.run("scancel %s", job)
