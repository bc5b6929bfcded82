"""Role slurmdbd's configuration step: MariaDB's settings, slurmdbd's log directory and slurmdbd.conf
in one module call (they were three), with the password hidden, and each daemon told in order:
MariaDB restarts before the database user is made, slurmdbd only once its user exists.
The step needs a MariaDB server, so this reads its task file; molecule scenario slurm converges it."""

import yaml
from playbook_harness import TOP, local_host, start

TASKS = yaml.safe_load((TOP / "roles/slurmdbd/tasks/configure.yml").read_text())


def action(task):
    return next(key for key in task if key.startswith(("ansible.", "hpc.", "community.")))


def test_the_files_are_one_call_that_hides_the_password():
    writes = [task for task in TASKS if action(task) in ("hpc.cluster.files", "ansible.builtin.template",
                                                         "ansible.builtin.file", "ansible.builtin.copy")]
    assert len(writes) == 1, [task["name"] for task in writes]
    write = writes[0]
    assert write["no_log"] is True
    assert write["hpc.cluster.files"]["entries"] == (
        "{{ [__slurmdbd_mysql_entry] + __slurmdbd_log_entry + [__slurmdbd_conf_entry] }}")
    assert write["vars"]["__slurmdbd_conf_entry"]["mode"] == "0600"
    assert write["register"] == "__slurmdbd_written"


def test_each_daemon_is_told_in_order_and_only_for_its_own_file():
    names = [task["name"] for task in TASKS]
    notify = {task["notify"]: (names.index(task["name"]), task["when"]) for task in TASKS if "notify" in task}
    assert set(notify) == {"slurmdbd mariadb restart", "slurmdbd restart"}
    mariadb, slurmdbd = notify["slurmdbd mariadb restart"], notify["slurmdbd restart"]
    assert mariadb[0] < names.index("Apply MariaDB settings before creating the database user")
    assert slurmdbd[0] > names.index("Create the database user")
    assert mariadb[1] == "__slurmdbd_mysql_conf_file in __slurmdbd_written.changed_paths"
    assert slurmdbd[1] == "__slurmdbd_conf_file in __slurmdbd_written.changed_paths"


def test_slurmdbd_creates_its_database_itself():
    """slurmdbd makes its database at its first connection (CREATE DATABASE on ER_BAD_DB_ERROR),
    given every privilege on it: a task of ours that made it was one more MariaDB connection on
    each run, on the accounting host alone, while every other node waited."""
    assert not [task["name"] for task in TASKS if action(task) == "community.mysql.mysql_db"]
    user = next(task for task in TASKS if action(task) == "community.mysql.mysql_user")
    assert user["community.mysql.mysql_user"]["priv"] == "{{ slurmdbd_db_name }}.*:ALL"
    assert user["no_log"] is True


def test_a_change_written_and_not_applied_restarts_slurmdbd_at_the_next_run(tmp_path):
    """The write and the slurmdbd restart task of configure.yml, and service.yml's forgetting, on a
    local host: a run that stops after the write (lab: killed there with DbdPort moved, slurmdbd
    kept listening on the old port, slurm.conf then sent slurmctld and sacctmgr to the new one and
    every re-run failed at the accounting step) leaves the record, so the next run, with nothing
    left to write, still tells slurmdbd to restart; the forgetting removes the record; the run
    after tells nothing."""
    write = next(task for task in TASKS if action(task) == "hpc.cluster.files")
    restart = next(task for task in TASKS if task.get("notify") == "slurmdbd restart")
    service = yaml.safe_load((TOP / "roles/slurmdbd/tasks/service.yml").read_text())
    forget = next(task for task in service if task["name"] == "Forget the change, applied")
    role_vars = yaml.safe_load((TOP / "roles/slurmdbd/vars/main.yml").read_text())
    conf, marker = tmp_path / "slurmdbd.conf", tmp_path / "pending.json"
    conf.write_text("DbdPort=6819\nStoragePass=old\n")
    # Extra vars beat the task's own: the entries in tmp_path, the role's names for the rest.
    extra = {"__slurmdbd_mysql_entry": {"path": str(tmp_path / "mysql.cnf"), "state": "file", "content": "[x]\n"},
             "__slurmdbd_log_entry": [],
             "__slurmdbd_conf_entry": {"path": str(conf), "state": "file", "content": "DbdPort=6829\nStoragePass=s\n"},
             "__slurmdbd_conf_file": str(conf), "__slurmdbd_pending_marker": str(marker)}
    assert role_vars["__slurmdbd_pending_marker"].startswith("/etc/slurm/")

    def run(tasks):
        play = [{"name": "slurmdbd write", "hosts": "all", "gather_facts": False,
                 "tasks": [dict(task, no_log=False) for task in tasks],
                 "handlers": [{"name": "Restart slurmdbd", "ansible.builtin.debug": {"msg": "restarted"},
                               "listen": "slurmdbd restart"}]}]
        result = start(tmp_path, play, {"all": {"hosts": {"dbd": local_host()}}}, extra=extra).result()
        result.passed("dbd")
        return result

    stopped = run([write])  # the run stops right after the write
    assert marker.exists() and "StoragePass" not in marker.read_text()
    rerun = run([write, restart, {"ansible.builtin.meta": "flush_handlers"}, forget])
    assert rerun.task_result("dbd", restart["name"])["changed"] is True
    assert rerun.task_result("dbd", "Restart slurmdbd")["msg"] == "restarted"
    assert not marker.exists()
    last = run([write, restart, forget])
    assert last.stats("dbd")["changed"] == 0
    assert stopped.task_result("dbd", write["name"])["changed"] is True
