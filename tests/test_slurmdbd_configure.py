"""Role slurmdbd's configuration step: MariaDB's settings, slurmdbd's log directory and slurmdbd.conf
in one module call (they were three), with the password hidden, and each daemon told in order:
MariaDB restarts before the database user is made, slurmdbd only once its user exists.
The step needs a MariaDB server, so this reads its task file; molecule scenario slurm converges it."""

import yaml
from playbook_harness import TOP

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
    assert slurmdbd[1] == "'/etc/slurm/slurmdbd.conf' in __slurmdbd_written.changed_paths"


def test_slurmdbd_creates_its_database_itself():
    """slurmdbd makes its database at its first connection (CREATE DATABASE on ER_BAD_DB_ERROR),
    given every privilege on it: a task of ours that made it was one more MariaDB connection on
    each run, on the accounting host alone, while every other node waited."""
    assert not [task["name"] for task in TASKS if action(task) == "community.mysql.mysql_db"]
    user = next(task for task in TASKS if action(task) == "community.mysql.mysql_user")
    assert user["community.mysql.mysql_user"]["priv"] == "{{ slurmdbd_db_name }}.*:ALL"
    assert user["no_log"] is True
