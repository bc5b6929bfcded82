"""Parts of the Slurm preflight taken from the files, for tests that run them on this machine: one
read of its node read task with the fact its keep task makes of it, and role slurm's checks of that
fact."""

import yaml
from playbook_harness import TOP


def preflight_play(name_start):
    plays = yaml.safe_load((TOP / "playbooks/preflight.yml").read_text())
    return next(play for play in plays if play["name"].startswith(name_start))


def task_of(tasks, module, name_start):
    return next(task for task in tasks if module in task and task["name"].startswith(name_start))


def read_then_keep(read, fact, read_name):
    """The read task (registered as the preflight registers it) and the set_fact of one fact."""
    tasks = preflight_play("Preflight: Slurm and munge")["tasks"]
    reads = task_of(tasks, "hpc.cluster.node_reads", "Read this node's")["hpc.cluster.node_reads"]["reads"]
    keep = task_of(tasks, "ansible.builtin.set_fact", "Keep the munge key state")["ansible.builtin.set_fact"]
    return [{"name": read_name, "hpc.cluster.node_reads": {"reads": {read: reads[read]}},
             "register": "__preflight_slurm_reads"},
            {"name": "Keep " + fact, "ansible.builtin.set_fact": {fact: keep[fact]}}]


def slurm_checks_of(fact):
    """Role slurm's preflight checks that read the fact, as one task."""
    checks = yaml.safe_load((TOP / "roles/slurm/tasks/checks.yml").read_text())
    items = task_of(checks, "hpc.cluster.checks", "Check the package source")["hpc.cluster.checks"]["checks"]
    return {"name": "Check", "hpc.cluster.checks": {"checks": [item for item in items if fact in str(item)]}}


def slurm_role_vars(*names):
    role_vars = yaml.safe_load((TOP / "roles/slurm/vars/main.yml").read_text())
    return {name: role_vars[name] for name in names}
