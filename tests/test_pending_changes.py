"""A configuration change a run wrote and did not apply (the run stopped before the handlers: killed,
or a failure elsewhere) is applied by the next run.

Each role's configuration write keeps what it changed in a record (hpc.cluster.files' pending) that
the role's last handler, "Forget the change, applied", removes. Here, for each role, its own write
task (its entries swapped for a file in tmp_path) and its own last handler run on a local host
with, before that handler, a stand-in for the role's restart that fails on the first run: the next
run, with nothing left to write, notifies again; the one after changes nothing. role slurm and
role slurmdbd, whose apply is more than a handler, have tests of their own (test_slurm_handlers,
test_slurmdbd_configure)."""

import pytest
import yaml
from playbook_harness import TOP, local_host, start

ROLES = ["prometheus", "alertmanager", "node_exporter", "chrony", "slurm_exporter", "podman", "nfs_server", "grafana"]


def role_write(role):
    tasks = yaml.safe_load((TOP / "roles" / role / "tasks" / "configure.yml").read_text())
    return next(task for task in tasks if "hpc.cluster.files" in task and "pending" in task["hpc.cluster.files"])


@pytest.mark.parametrize("role", ROLES)
def test_the_write_keeps_its_change_until_the_last_handler(role):
    write = role_write(role)
    handlers = yaml.safe_load((TOP / "roles" / role / "handlers" / "main.yml").read_text())
    assert write["hpc.cluster.files"]["pending"] == "{{ __%s_pending_marker }}" % role
    assert handlers[-1]["name"] == "Forget the change, applied"
    assert handlers[-1]["listen"] == write["notify"]
    assert handlers[-1]["hpc.cluster.files"]["entries"] == [
        {"path": "{{ __%s_pending_marker }}" % role, "state": "absent"}]


@pytest.mark.parametrize("role", ROLES)
def test_a_change_not_applied_is_applied_by_the_next_run(tmp_path, role):
    write = role_write(role)
    forget = yaml.safe_load((TOP / "roles" / role / "handlers" / "main.yml").read_text())[-1]
    conf, marker, fail = tmp_path / "daemon.conf", tmp_path / "pending.json", tmp_path / "fail"
    conf.write_text("old\n")
    task = dict(write, **{"hpc.cluster.files": {"pending": write["hpc.cluster.files"]["pending"], "entries": [
        {"path": str(conf), "state": "file", "content": "new\n"}]}})
    task.pop("when", None)
    task.pop("vars", None)
    apply = {"name": "Apply", "ansible.builtin.command": {"argv": ["test", "!", "-e", str(fail)]},
             "changed_when": True, "listen": write["notify"]}
    play = [{"name": role, "hosts": "all", "gather_facts": False, "tasks": [task], "handlers": [apply, forget]}]

    def run():
        return start(tmp_path, play, {"all": {"hosts": {"h": local_host()}}},
                     extra={"__%s_pending_marker" % role: str(marker)}).result()

    fail.touch()
    stopped = run()
    assert stopped.stats("h")["failures"] == 1 and conf.read_text() == "new\n" and marker.exists()
    fail.unlink()
    rerun = run()
    rerun.passed("h")
    assert rerun.task_result("h", write["name"])["replayed"] == [str(conf)]
    assert rerun.task_result("h", "Apply")["changed"] and not marker.exists()
    last = run()
    last.passed("h")
    assert last.stats("h")["changed"] == 0
