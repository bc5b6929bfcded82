"""Role slurm's handler that chooses how to apply a configuration change: changed, and notifying,
only when it applies something.

The write of slurm's directories and configuration files (tasks/configure.yml) notifies it with what
the files replaced; a directory put right alone, or nothing replaced, applies nothing. The handler's
own task (less its listen and notify) runs here as a task on three local hosts, one per case, as the
play would run it.
"""

import pytest
import yaml
from playbook_harness import TOP, local_host, start

CONF_DIR = "/etc/slurm"
CASES = {
    # host: (what the write replaced, changed, what the handler applies)
    "directory-alone": ({}, False, []),
    "cgroup-conf": ({CONF_DIR + "/cgroup.conf": "CgroupPlugin=autodetect\n"}, True, ["slurmd restart"]),
    "new-slurm-conf": ({CONF_DIR + "/slurm.conf": None}, True, ["slurm restart"]),
}


def chooser():
    handlers = yaml.safe_load((TOP / "roles" / "slurm" / "handlers" / "main.yml").read_text())
    handler = next(h for h in handlers if h["name"] == "Choose between restart and reconfigure")
    return {key: value for key, value in handler.items() if key not in ("listen", "notify")}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    handler = chooser()
    tasks = [dict(handler, register="chosen"),
             {"name": "What it applies", "ansible.builtin.debug": {"var": "__slurm_apply"}, "vars": handler["vars"]}]
    play = [{"name": "Handler as a task", "hosts": "all", "gather_facts": False, "tasks": tasks,
             "vars": {"__slurm_conf_dir": CONF_DIR, "__slurm_conf_text": "ClusterName=lab\n",
                      "__slurm_version": "22.05.8", "slurm_restart_keys": []}}]
    hosts = {name: local_host(__slurm_conf_written={"changed": True, "previous": case[0]})
             for name, case in CASES.items()}
    return start(tmp_path_factory.mktemp("handler"), play, {"all": {"hosts": hosts}}).result()


@pytest.mark.parametrize("host", list(CASES))
def test_changed_only_when_it_applies_something(result, host):
    _previous, changed, applies = CASES[host]
    result.passed(host)
    assert result.task_result(host, "Choose between restart and reconfigure")["changed"] is changed
    assert result.task_result(host, "What it applies")["__slurm_apply"] == applies
