"""A re-run calls no service module where the services run: the site preflight reads, once per node,
the states of the units its roles start (hpc.cluster.role_units, each role's __<role>_units), and
each role's start task is skipped where its unit is running and enabled, and runs otherwise."""

import re
from pathlib import Path

import pytest
import yaml
from playbook_harness import local_host, start
from task_files import walk

TOP = Path(__file__).resolve().parent.parent
ROLES = ["chrony", "base", "munge", "slurm", "node_exporter"]
SERVERS = ["slurmdbd", "slurm_exporter", "prometheus", "alertmanager", "grafana"]
# The start task of each role, and its unit on Debian (this machine).
STARTS = {"chrony": ("chrony : Start chrony and enable it at boot", "chrony"),
          "munge": ("munge : Start and enable munge", "munge"),
          "slurm": ("slurm : Start and enable slurmd", "slurmd"),
          "node_exporter": ("node_exporter : Start and enable the node exporter", "prometheus-node-exporter"),
          "slurmdbd": ("slurmdbd : Start and enable slurmdbd", "slurmdbd")}


def inventory():
    hosts = {"ready": {}, "stopped": {}, "head": {"base_firewall_manage": False}}
    return {"all": {"children": {"cluster": {"children": {
        "control": {"hosts": {"head": local_host(**hosts["head"])}},
        "compute": {"hosts": {name: local_host(**hosts[name]) for name in ("ready", "stopped")}}}}},
        "vars": {"cluster_network": "10.0.0.0/16", "base_firewall_manage": True, "slurmdbd_wait": 2}}}


def play():
    load = {"name": "Load the OS data", "ansible.builtin.include_vars": {
        "file": str(TOP / "roles") + "/{{ item }}/vars/Debian.yml"}, "loop": ROLES}
    # The roles are not imported: their names come from their own defaults and vars.
    # The servers' roles: their OS data is not loaded; the action reads it.
    read = {"name": "Read the units", "hpc.cluster.role_units": {"roles": ROLES + SERVERS,
                                                                 "roles_dir": str(TOP / "roles")},
            "register": "__preflight_units"}
    # This machine runs no systemd: on host 'ready', the read is replaced by one where all run.
    ready = {"name": "All units run on host ready", "ansible.builtin.set_fact": {"__preflight_units": {
        "units": {unit: {"ready": True} for _task, unit in STARTS.values()}}}, "when": "inventory_hostname == 'ready'"}
    starts = [{"name": "Start " + role, "block": [
        {"ansible.builtin.include_role": {"name": role, "tasks_from": "service.yml"}}],
        "rescue": [{"name": "Remember the failure of " + role, "ansible.builtin.set_fact": {
            "failed_" + role: "{{ ansible_failed_result.msg | default('failed') }}"}}]}
        for role in STARTS]
    return [{"name": "Units", "hosts": "all", "gather_facts": True, "gather_subset": ["!all", "!min", "distribution"],
             "tasks": [load, read, ready, *starts]}]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("units")
    return start(workdir, play(), inventory()).result()


def test_each_role_names_its_units_as_it_would_see_them(run):
    read = {host: run.task_result(host, "Read the units") for host in ("ready", "stopped", "head")}
    assert read["stopped"]["roles"] == {
        "chrony": ["chrony"], "base": ["firewalld"], "munge": ["munge"], "slurm": ["slurmd"],
        "node_exporter": ["prometheus-node-exporter"], "slurmdbd": ["mariadb", "slurmdbd"],
        "slurm_exporter": ["hpc-slurm-metrics.timer"], "prometheus": ["prometheus"],
        "alertmanager": ["prometheus-alertmanager"], "grafana": ["grafana-server"]}
    # base_firewall_manage false: no firewalld; a control node: slurmctld, not slurmd.
    assert read["head"]["roles"]["base"] == [] and read["head"]["roles"]["slurm"] == ["slurmctld"]
    # No systemd on this machine: nothing is ready, so every start task runs.
    assert read["stopped"]["systemd"] is False
    units = [unit for names in read["stopped"]["roles"].values() for unit in names]
    assert read["stopped"]["units"] == {unit: {"ready": False, "active_state": "", "unit_file_state": "",
                                               "load_state": ""} for unit in units}


def test_a_running_enabled_unit_is_not_started_again(run):
    results = dict((task["name"], result) for task, result in run.tasks("ready"))
    for name, unit in STARTS.values():
        assert results[name].get("skipped") is True, (name, results[name])
        assert "__preflight_units" in results[name]["false_condition"], (name, unit)


def test_a_daemon_that_ran_already_is_not_waited_for(run):
    """The wait for slurmdbd's port follows only this run's start (a restart waits in its handler):
    on host 'ready' nothing listens on it here, and the wait is skipped, not failed."""
    results = dict((task["name"], result) for task, result in run.tasks("ready"))
    wait = results["slurmdbd : Wait for slurmdbd to listen"]
    assert wait.get("skipped") is True and "__preflight_units" in wait["false_condition"], wait
    assert "Remember the failure of slurmdbd" not in results


def test_each_wait_for_a_daemon_follows_its_start_task():
    """slurmctld, slurmdbd and Prometheus: the wait runs where the start task could run (for Prometheus
    also after a restart in this run); a re-run where they ran costs no port or HTTP probe."""
    for path, starter, wait in (("slurm/tasks/service_controller.yml", "Start and enable slurmctld",
                                 "Wait for slurmctld to listen"),
                                ("slurmdbd/tasks/service.yml", "Start and enable slurmdbd",
                                 "Wait for slurmdbd to listen"),
                                ("prometheus/tasks/service.yml", "Start and enable Prometheus",
                                 "Wait for Prometheus to answer")):
        tasks = {task["name"]: task for task in yaml.safe_load((TOP / "roles" / path).read_text())}
        ready = re.compile(r"not \(__preflight_units\.units\[[^]]+\]\.ready \| default\(false\)\)")
        guard = ready.search(" ".join(str(tasks[starter]["when"]).split())).group(0)
        assert guard in " ".join(str(tasks[wait].get("when", "")).split()), (path, guard)


def test_a_unit_that_does_not_run_is_started(run):
    """Host 'stopped': each start task runs (and fails here, where no systemd runs)."""
    results = dict((task["name"], result) for task, result in run.tasks("stopped"))
    for name, _unit in STARTS.values():
        assert not results[name].get("skipped"), (name, results[name])
        assert results[name].get("failed") is True, (name, results[name])


def test_base_skips_its_firewalld_start_step_where_it_runs():
    """base's start step is an include (a check run must see whether firewalld would only now start):
    the include itself is skipped where the preflight found firewalld running and enabled."""
    tasks = yaml.safe_load((TOP / "roles/base/tasks/converge.yml").read_text())
    step = next(t for t in tasks if t["name"] == "Service (firewalld)")
    assert "not (__preflight_units.units[__base_firewall_service].ready | default(false))" in step["when"]


def test_slurmctld_is_started_where_it_does_not_run_or_its_state_moved():
    task = next(t for t in yaml.safe_load((TOP / "roles/slurm/tasks/service_controller.yml").read_text())
                if t["name"] == "Start and enable slurmctld")
    assert task["ansible.builtin.service"] == {"name": "slurmctld", "state": "started", "enabled": True}
    assert task["when"].split() == ("not (__preflight_units.units['slurmctld'].ready | default(false)) "
                                    "or __slurm_state_move | default({}) | length > 0").split()


def started_tasks(path):
    """The tasks of a tasks file that start a unit, with the conditions of their blocks."""
    for task, when in walk(yaml.safe_load(path.read_text())):
        module = task.get("ansible.builtin.service") or task.get("ansible.builtin.systemd_service")
        if isinstance(module, dict) and module.get("state") == "started":
            yield task, " ".join(" ".join(when).split())


@pytest.mark.parametrize("role", sorted(p.parent.parent.name for p in TOP.glob("roles/*/vars/main.yml")
                                        if "__%s_units:" % p.parent.parent.name in p.read_text()))
def test_every_unit_a_role_reads_has_its_start_task_skipped_where_it_runs(role):
    """A role that names its units guards each of its start tasks with the preflight's read."""
    starts = [(task, when) for path in sorted((TOP / "roles" / role / "tasks").glob("*.yml"))
              for task, when in started_tasks(path)]
    assert starts, role
    for task, when in starts:
        if role == "base":  # its include carries the guard (test above)
            continue
        assert "__preflight_units.units[" in when and "ready | default(false)" in when, (role, task["name"])
