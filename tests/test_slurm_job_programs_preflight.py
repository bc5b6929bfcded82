"""The job scripts slurm.conf names (Prolog, Epilog, TaskProlog, TaskEpilog on a compute node,
PrologSlurmctld and EpilogSlurmctld on a controller) that a node lacks or cannot run are refused by
the site preflight, naming each with its key, before anything changes.

Before, slurm.conf named them and the run passed: a missing Prolog drained each node a job ran on
("Prolog error", the job failed), a missing TaskProlog failed every job step (lab). The Slurm
preflight reads them in its one read task (hpc.cluster.node_reads, read job_programs); the play
"Preflight: passed" refuses them, but for the scripts role podman writes later in the same run (its
preflight's plan, __cluster_files_planned). The read, the facts and the check are taken from the
files and run here, on this machine."""

import pytest
import yaml
from playbook_harness import TOP, local_host, start
from slurm_preflight_parts import preflight_play, read_then_keep, slurm_role_vars, task_of


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("job-programs")
    scripts = top / "scripts"
    (scripts / "epilog.d").mkdir(parents=True)
    (scripts / "prolog").write_text("#!/bin/sh\n")
    (scripts / "prolog").chmod(0o755)
    (scripts / "plain").write_text("#!/bin/sh\n")
    (scripts / "plain").chmod(0o644)
    podman_checks = yaml.safe_load((TOP / "roles/podman/tasks/checks.yml").read_text())
    plan = task_of(podman_checks, "ansible.builtin.set_fact", "Render containers.conf")
    passed_play = preflight_play("Preflight: passed")
    check = task_of(passed_play["tasks"], "ansible.builtin.assert", "Check that each Slurm node")
    tasks = read_then_keep("job_programs", "__slurm_job_programs_unfit", "Read the job programs") + [
        {"name": "Podman's plan", "ansible.builtin.set_fact": {
            "__cluster_files_planned": plan["ansible.builtin.set_fact"]["__cluster_files_planned"]}},
        dict(check, name="Check"),
    ]
    variables = slurm_role_vars("__slurm_job_program_keys", "__slurm_job_programs")
    # The role's defaults name no job script; a host's layers do (a default one is one more layer).
    # Inventory variables (play variables would hide the hosts' own).
    shared = dict(slurm_config_defaults={"SlurmdPort": 6818}, slurm_config={}, slurm_config_group={},
                  podman_slurm_epilog_file=str(scripts / "epilog.d/50-podman"),
                  podman_slurm_task_prolog_file=str(scripts / "task-prolog-podman"),
                  __podman_slurm_node=False, __slurm_is_compute=True, __slurm_is_control=False)
    path = str(scripts)

    def compute(**config):
        return local_host(slurm_config=config)

    hosts = {
        "prolog-missing": compute(Prolog=path + "/nosuch", Epilog=path + "/prolog"),
        "not-executable": compute(TaskEpilog=path + "/plain"),
        "a-directory": compute(Epilog=path),
        "group-layer": local_host(slurm_config={"Prolog": path + "/prolog"},
                                  slurm_config_group={"Prolog": path + "/nosuch"}),
        # A glob and a relative path are left to Slurm; null removes a key.
        "fit": compute(Prolog=path + "/prolog", Epilog=path + "/epilog.d/*", TaskProlog="task-prolog",
                       TaskEpilog=None),
        # Role podman writes it later in this run: not refused yet.
        "podman-writes-it": local_host(slurm_config={"TaskProlog": path + "/task-prolog-podman"},
                                       __podman_slurm_node=True),
        "podman-does-not": compute(TaskProlog=path + "/task-prolog-podman"),
        "controller": local_host(__slurm_is_compute=False, __slurm_is_control=True,
                                 slurm_config={"Prolog": path + "/nosuch", "EpilogSlurmctld": path + "/gone"}),
        "login": local_host(__slurm_is_compute=False, slurm_config={"Prolog": path + "/nosuch"}),
    }
    play = [{"name": "Slurm preflight's job program read", "hosts": "all", "gather_facts": False,
             "vars": variables, "tasks": tasks}]
    result = start(top, play, {"all": {"hosts": hosts, "vars": shared}}).result()
    return result, path


@pytest.mark.parametrize(("host", "named"), [
    ("prolog-missing", "Prolog {path}/nosuch (missing)"),
    ("not-executable", "TaskEpilog {path}/plain (not a file root may run)"),
    ("a-directory", "Epilog {path} (not a file root may run)"),
    ("group-layer", "Prolog {path}/nosuch (missing)"),
    ("podman-does-not", "TaskProlog {path}/task-prolog-podman (missing)"),
    ("controller", "EpilogSlurmctld {path}/gone (missing)"),
])
def test_a_job_script_the_node_lacks_or_cannot_run_is_refused_by_name(run, host, named):
    result, path = run
    result.refused(host, "slurm on %s: slurm.conf names job script(s) this node lacks or cannot run: %s."
                   % (host, named.format(path=path)), "drains each node a job runs on")


def test_only_the_scripts_at_fault_are_named(run):
    result, path = run
    def named(host):
        return result.failure_text(host).split("cannot run: ")[1].split(". ")[0]
    assert named("prolog-missing") == "Prolog %s/nosuch (missing)" % path
    assert named("controller") == "EpilogSlurmctld %s/gone (missing)" % path


@pytest.mark.parametrize("host", ["fit", "podman-writes-it", "login"])
def test_no_refusal_where_the_scripts_are_there_planned_or_not_run(run, host):
    result, _path = run
    result.passed(host)


def test_the_read_asks_for_absolute_paths_only_and_is_left_out_where_none_is_named(run):
    result, path = run
    read = result.task_result("fit", "Read the job programs")["reads"]["job_programs"]
    assert read["invocation"]["module_args"]["paths"] == [path + "/prolog"]
    assert "job_programs" not in result.task_result("login", "Read the job programs")["reads"]
