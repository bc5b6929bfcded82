"""A wait for a daemon after its start asks often and stops at once when the daemon stopped.

ansible.builtin.wait_for asks once a second at best, and a uri task retried with a delay as often as
its delay: a daemon that listens 0.1 s after its start cost a first converge about a second per
start (two on Prometheus' 2 s delay), on the host the other nodes wait for. Both also wait their
whole timeout (60-120 s) for a daemon that exited on a bad setting, and then name no cause.
hpc.cluster.daemon_ready asks every 0.1 s and fails as soon as the unit stops, with its log lines.
"""

import pytest
from task_files import SOURCES, all_tasks


def test_sources_found():
    assert len(SOURCES) > 50


@pytest.mark.parametrize("module", ["ansible.builtin.wait_for", "wait_for"])
def test_no_daemon_is_waited_for_with_wait_for(module):
    found = [(str(path), task.get("name")) for path, task in all_tasks()
             if module in task and "port" in (task[module] or {})]
    assert not found, "wait for a daemon's port with hpc.cluster.daemon_ready (and its unit): %s" % found


def test_no_daemon_is_waited_for_with_a_retried_uri():
    # Retried until the daemon answers (its status); lab_proof.yml retries until Prometheus has
    # scraped each target once, which is not a wait for the daemon.
    found = [(str(path), task.get("name")) for path, task in all_tasks()
             if {"ansible.builtin.uri", "uri"} & set(task) and "status" in str(task.get("until", ""))]
    assert not found, "wait for a daemon's HTTP answer with hpc.cluster.daemon_ready (path:): %s" % found


def test_every_daemon_wait_names_its_unit():
    waits = [(path, task) for path, task in all_tasks() if "hpc.cluster.daemon_ready" in task]
    # slurmdbd's and slurmctld's starts and restarts, Prometheus' start, the key rotation's slurmctld,
    # slurmd's start and restarts.
    assert len(waits) >= 9
    assert [(str(path), task["name"]) for path, task in waits if not task["hpc.cluster.daemon_ready"].get("unit")] == []


def test_every_restart_handler_of_a_daemon_is_waited_for():
    """systemd returns from a restart before the daemon binds: a node exporter restarted on a flag it
    refused, or an Alertmanager on a port in use, stopped unseen while the run passed (lab)."""
    import yaml
    from task_files import TOP

    unwaited = []
    for path in sorted(TOP.glob("roles/*/handlers/main.yml")):
        handlers = yaml.safe_load(path.read_text()) or []
        for index, handler in enumerate(handlers):
            module = handler.get("ansible.builtin.systemd_service") or {}
            if module.get("state") != "restarted" or str(module.get("name", "")).endswith(".timer}}"):
                continue
            after = [later for later in handlers[index + 1:] if later.get("listen") == handler.get("listen")]
            if not any("hpc.cluster.daemon_ready" in later for later in after):
                unwaited.append("%s: %s" % (path.relative_to(TOP), handler["name"]))
    # Left, each for a reason: Prometheus' restart is waited for in its service step, after the
    # handlers ran (flush_handlers); the Slurm collector's timer answers on no port; Grafana cannot run
    # here (not packaged for Debian) to try a wait on. munge and chrony restart through
    # ansible.builtin.service and answer on no port.
    assert unwaited == ["roles/grafana/handlers/main.yml: Restart Grafana",
                        "roles/prometheus/handlers/main.yml: Restart Prometheus",
                        "roles/slurm_exporter/handlers/main.yml: Restart the collector's timer"], unwaited
