"""Role slurm's handler that chooses how to apply a configuration change: changed, and notifying,
only when it applies something.

The write of slurm's directories and configuration files (tasks/configure.yml) notifies it with what
the files replaced and the paths it changed; a directory or a mode put right alone, or nothing
replaced, applies nothing; slurmd's options or configless drop-in (entries of the same write)
restart slurmd. The handler's
own task (less its listen and notify) runs here as a task on three local hosts, one per case, as the
play would run it.
"""

import json
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
import yaml
from playbook_harness import TOP, environment, local_host, start

CONF_DIR = "/etc/slurm"
OPTIONS = "/etc/default/slurmd"
CASES = {
    # host: (what the write replaced, the paths it changed, changed, what the handler applies)
    "directory-alone": ({}, [CONF_DIR], False, []),
    "cgroup-conf": ({CONF_DIR + "/cgroup.conf": "CgroupPlugin=autodetect\n"}, [CONF_DIR + "/cgroup.conf"], True,
                    ["slurmd restart"]),
    "new-slurm-conf": ({CONF_DIR + "/slurm.conf": None}, [CONF_DIR + "/slurm.conf"], True, ["slurm restart"]),
    # slurmd's options and configless drop-in are entries of the same write: slurmd reads them at start.
    "slurmd-options": ({}, [OPTIONS], True, ["slurmd restart"]),
    "configless-dropin": ({}, ["/etc/systemd/system/slurmd.service.d/configless.conf"], True, ["slurmd restart"]),
    "slurm-conf-mode-alone": ({}, [CONF_DIR + "/slurm.conf"], False, []),
    # the controller's state directory is an entry of the same write: its mode put right applies nothing
    "state-directory-alone": ({}, ["/var/spool/slurmctld"], False, []),
}


ROLE_VARS = yaml.safe_load((TOP / "roles" / "slurm" / "vars" / "main.yml").read_text())


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
                      "__slurm_version": "22.05.8", "slurm_restart_keys": [], "__slurm_local_config": True,
                      **{name: ROLE_VARS[name] for name in ("__slurm_slurmd_dropin", "__slurm_slurmd_start_files")},
                      "__slurm_slurmd_env_file": OPTIONS}}]
    hosts = {name: local_host(__slurm_conf_written={"changed": True, "previous": case[0], "changed_paths": case[1]})
             for name, case in CASES.items()}
    return start(tmp_path_factory.mktemp("handler"), play, {"all": {"hosts": hosts}}).result()


@pytest.mark.parametrize("host", list(CASES))
def test_changed_only_when_it_applies_something(result, host):
    _previous, _paths, changed, applies = CASES[host]
    result.passed(host)
    assert result.task_result(host, "Choose between restart and reconfigure")["changed"] is changed
    assert result.task_result(host, "What it applies")["__slurm_apply"] == applies


def test_slurmd_options_and_drop_in_are_entries_of_the_configuration_write():
    """On compute nodes slurmd's options, its configless drop-in and the local files a configless
    node must not have are entries of the one hpc.cluster.files call of configure.yml (they had a
    call of their own, a module round trip per compute node), and no other task writes them."""
    tasks = {path.name: yaml.safe_load(path.read_text()) for path in (TOP / "roles/slurm/tasks").glob("*.yml")}
    writes = [(name, task) for name, listed in tasks.items() for task in listed or []
              if "hpc.cluster.files" in task and "__slurm_slurmd_options" in str(task)]
    assert [name for name, _ in writes] == ["configure.yml"]
    task = writes[0][1]
    assert "__slurm_spool_entry + __slurm_slurmd_entries if __slurm_is_compute" in task["hpc.cluster.files"]["entries"]
    assert task["notify"] == "slurm configuration written"
    assert "__slurm_slurmd_env_file" in task["vars"]["__slurm_slurmd_options"]["path"]
    assert task["vars"]["__slurm_configless_dropin"][1]["path"] == "{{ __slurm_slurmd_dropin }}"
    assert ROLE_VARS["__slurm_slurmd_dropin"] == "/etc/systemd/system/slurmd.service.d/configless.conf"


def test_the_controller_state_directory_is_an_entry_of_the_configuration_write():
    """On controllers StateSaveLocation is an entry of configure.yml's one hpc.cluster.files call (a
    file task of its own was one more module round trip on each controller, in the controller's
    play that runs alone); state.yml is included only to move the state, and makes no directory
    but the new one of a move."""
    configure = yaml.safe_load((TOP / "roles/slurm/tasks/configure.yml").read_text())
    write = next(task for task in configure if "hpc.cluster.files" in task)
    assert "(__slurm_state_entry if __slurm_is_control else [])" in write["hpc.cluster.files"]["entries"]
    assert write["vars"]["__slurm_state_entry"] == [
        {"path": "{{ __slurm_config.StateSaveLocation }}", "owner": "{{ slurm_user }}",
         "group": "{{ slurm_group }}", "mode": "0700"}]
    include = next(task for task in configure if task.get("ansible.builtin.include_tasks") == "state.yml")
    assert configure.index(include) < configure.index(write)
    assert include["when"] == ["__slurm_is_control", "__slurm_state_move | default({}) | length > 0"]
    state = yaml.safe_load((TOP / "roles/slurm/tasks/state.yml").read_text())
    assert [task["name"] for task in state] == ["Move the controller's state to the new StateSaveLocation"]
    made = [task for task in state[0]["block"] if "ansible.builtin.file" in task]
    assert [task["ansible.builtin.file"]["path"] for task in made] == ["{{ __slurm_state_now.state_move.to }}"]


# --- A controller that stops on the new slurm.conf ---------------------------------------------

# systemctl and scontrol for tasks/apply_controller.yml: "slurmctld" listens on FAKE_PORT after a
# restart or a reconfigure unless the slurm.conf it reads holds a value it refuses, as slurmctld 22.05
# stopped on PriorityWeightTRES naming a TRES the cluster lacks (at a restart, and just after a
# reconfigure that scontrol reported done).
FAKE_TOOL = '''#!{python}
import os, signal, socket, subprocess, sys, time
args = " ".join(sys.argv[1:])
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write("%s %s\\n" % (os.path.basename(sys.argv[0]), args))
if args == "show slurmctld":
    print("Id=slurmctld.service\\nLoadState=loaded\\nActiveState=active\\nSubState=running")
    sys.exit(0)
if args not in ("restart slurmctld", "reconfigure"):
    sys.stderr.write("fake: no answer for %r\\n" % args)
    sys.exit(2)
pidfile = os.environ["FAKE_LOG"] + ".pid"
if os.path.exists(pidfile):
    try:
        os.kill(int(open(pidfile).read()), signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.unlink(pidfile)
    time.sleep(0.2)
with open(os.environ["FAKE_CONF"]) as handle:
    if "GRES/foo" in handle.read():
        sys.exit(0)
listener = subprocess.Popen([sys.executable, "-c", "import socket, time; s = socket.socket(); "
                             "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                             "s.bind(('127.0.0.1', %s)); s.listen(); time.sleep(120)" % os.environ["FAKE_PORT"]],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
open(pidfile, "w").write(str(listener.pid))
time.sleep(0.5)
'''
GOOD_CONF = "ClusterName=lab\nSlurmctldPort={port}\nPriorityWeightTRES=CPU=1000\n"
BAD_CONF = "ClusterName=lab\nSlurmctldPort={port}\nPriorityWeightTRES=CPU=1000,GRES/foo=2000\n"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fake_controller(tmp_path, conf_text):
    """A free port, the conf dir with slurm.conf (conf_text for that port), the fake tools' dir, their log."""
    port = free_port()
    conf_dir = tmp_path / "etc"
    conf_dir.mkdir()
    conf = conf_dir / "slurm.conf"
    conf.write_text(conf_text.format(port=port))
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("systemctl", "scontrol"):
        (fake / name).write_text(FAKE_TOOL.format(python=sys.executable))
        (fake / name).chmod(0o755)
    return port, conf_dir, conf, fake, tmp_path / "calls.log"


@pytest.mark.parametrize(("action", "before"), [("restart", GOOD_CONF), ("reconfigure", GOOD_CONF),
                                                ("restart", None)], ids=["restart", "reconfigure", "first-start"])
def test_a_controller_that_stops_on_the_new_slurm_conf_gets_the_one_it_ran_with_back(tmp_path, action, before):
    port, conf_dir, conf, fake, log = fake_controller(tmp_path, BAD_CONF)  # as configure.yml wrote it
    previous = {str(conf): before.format(port=port) if before else None}
    marker = conf_dir / Path(ROLE_VARS["__slurm_pending_marker"]).name  # as the write left it
    marker.write_text(json.dumps({"previous": previous}))
    play = [{"name": "Controller apply", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": "slurm", "tasks_from": "apply_controller.yml"},
         "vars": {"__slurm_controller_apply": action, "__slurm_conf_dir": str(conf_dir),
                  "__slurm_config": {"SlurmctldPort": port}, "slurm_controller_wait": 3,
                  # the preflight's read of the slurm.conf slurmctld ran with
                  "__slurm_controller_state": {"conf": {"SlurmctldPort": str(port)}},
                  "__slurm_conf_written": {"changed": True, "previous": previous}}}]}]
    env = environment(PATH="%s:%s" % (fake, os.environ["PATH"]), FAKE_LOG=str(log), FAKE_CONF=str(conf),
                      FAKE_PORT=str(port))
    try:
        result = start(tmp_path, play, {"all": {"hosts": {"head": local_host()}}}, env=env).result()
        message = result.failure_text("head")
        assert "slurm on head: slurmctld stopped on the new slurm.conf (%s)" % action in message, message
        assert "did not answer on 127.0.0.1:%d" % port in message, message
        calls = [line.split(" ", 1)[1] for line in log.read_text().splitlines() if "show" not in line]
        if before:
            assert "The slurm.conf it ran with is back and slurmctld runs on it again" in message, message
            assert conf.read_text() == before.format(port=port) and not marker.exists()
            assert calls == [action if action == "reconfigure" else "restart slurmctld", "restart slurmctld"]
            with socket.create_connection(("127.0.0.1", port), timeout=2):
                pass  # slurmctld answers on the slurm.conf it ran with
        else:
            assert "There was no earlier slurm.conf to put back" in message, message
            assert conf.read_text() == BAD_CONF.format(port=port)
            assert calls == ["restart slurmctld"]
            assert marker.exists()  # nothing put back: the next run applies the new slurm.conf again
    finally:
        pidfile = Path(str(log) + ".pid")
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)


def test_a_change_slurmctld_took_is_forgotten(tmp_path):
    """The record configure.yml's write keeps until the change is applied (hpc.cluster.files'
    pending) goes once slurmctld answers on the new slurm.conf: the next run has nothing to apply."""
    port, conf_dir, conf, fake, log = fake_controller(tmp_path, GOOD_CONF)
    marker = conf_dir / Path(ROLE_VARS["__slurm_pending_marker"]).name
    marker.write_text('{"previous": {"%s": null}}' % conf)
    play = [{"name": "Controller apply", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": "slurm", "tasks_from": "service_controller.yml"},
         "vars": {"__slurm_controller_apply": "restart", "__slurm_primary": "head",
                  "__slurm_conf_dir": str(conf_dir), "__slurm_config": {"SlurmctldPort": port},
                  "slurm_controller_wait": 3, "__slurm_controller_state": {"conf": {"SlurmctldPort": str(port)}},
                  "__preflight_units": {"units": {"slurmctld": {"ready": True}}},
                  "__slurm_conf_written": {"changed": True, "previous": {str(conf): None}}}}]}]
    env = environment(PATH="%s:%s" % (fake, os.environ["PATH"]), FAKE_LOG=str(log), FAKE_CONF=str(conf),
                      FAKE_PORT=str(port))
    try:
        result = start(tmp_path, play, {"all": {"hosts": {"head": local_host()}}}, env=env).result()
        result.passed("head")
        calls = [line.split(" ", 1)[1] for line in log.read_text().splitlines() if "show" not in line]
        assert calls == ["restart slurmctld"]
        assert not marker.exists()
        assert conf.read_text() == GOOD_CONF.format(port=port)
    finally:
        pidfile = Path(str(log) + ".pid")
        if pidfile.exists():
            os.kill(int(pidfile.read_text()), signal.SIGTERM)


# --- A run that stops between the write and the restart -----------------------------------------

# systemctl for the handlers: logs each call; `restart slurmd` fails while FAKE_FAIL exists (the run
# stops there, as one killed or failing on a node would).
FAKE_SYSTEMCTL = '''#!{python}
import os, sys
args = " ".join(sys.argv[1:])
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(args + "\\n")
if args.startswith("show"):
    print("Id=slurmd.service\\nLoadState=loaded\\nActiveState=active\\nSubState=running")
elif args == "restart slurmd" and os.path.exists(os.environ["FAKE_FAIL"]):
    sys.exit(1)
'''


def compute_write_and_handlers(tmp_path, slurmd_port):
    """configure.yml's write of a restart-class slurm.conf change and the role's handlers, on a
    compute node whose slurmd answers on slurmd_port; returns run() -> (result, calls) and the paths."""
    configure = yaml.safe_load((TOP / "roles/slurm/tasks/configure.yml").read_text())
    write = next(task for task in configure if "hpc.cluster.files" in task)
    handlers = yaml.safe_load((TOP / "roles/slurm/handlers/main.yml").read_text())
    conf_dir, fake, log, fail = tmp_path / "etc", tmp_path / "bin", tmp_path / "calls.log", tmp_path / "fail"
    conf_dir.mkdir()
    fake.mkdir()
    (fake / "systemctl").write_text(FAKE_SYSTEMCTL.format(python=sys.executable))
    (fake / "systemctl").chmod(0o755)
    conf = conf_dir / "slurm.conf"
    conf.write_text("ClusterName=lab\nMaxJobCount=10000\n")
    play = [{"name": "Write and apply", "hosts": "all", "gather_facts": False, "tasks": [write],
             "handlers": handlers}]
    new_conf = "ClusterName=lab\nMaxJobCount=20000\n"
    # Extra vars beat the task's own: the write's entries in tmp_path, the role's names for the rest.
    extra = {"__slurm_dir_entries": [], "__slurm_state_entry": [], "__slurm_spool_entry": [],
             "__slurm_slurmd_entries": [],
             "__slurm_conf_entries": [{"path": str(conf), "state": "file", "content": new_conf,
                                       "report_previous": True}],
             "__slurm_local_config": True, "__slurm_is_control": False, "__slurm_is_compute": True,
             "__slurm_conf_dir": str(conf_dir), "__slurm_conf_text": new_conf, "__slurm_version": "22.05.8",
             "slurm_restart_keys": [], "__slurm_primary": "head", "__slurm_slurmd_env_file": str(tmp_path / "env"),
             "__slurm_config": {"SlurmdPort": slurmd_port}, "slurm_slurmd_wait": 5,
             "__slurm_pending_marker": ROLE_VARS["__slurm_pending_marker"],
             **{name: ROLE_VARS[name] for name in ("__slurm_slurmd_dropin", "__slurm_slurmd_start_files")}}
    env = environment(PATH="%s:%s" % (fake, os.environ["PATH"]), FAKE_LOG=str(log), FAKE_FAIL=str(fail))
    marker = conf_dir / Path(ROLE_VARS["__slurm_pending_marker"]).name

    def run():
        log.write_text("")
        result = start(tmp_path, play, {"all": {"hosts": {"c01": local_host()}}}, extra=extra, env=env).result()
        return result, [line for line in log.read_text().splitlines() if not line.startswith("show")]

    return run, write, conf, new_conf, marker, fail


def listening_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_change_written_and_not_applied_is_applied_by_the_next_run(tmp_path):
    """The first run writes a restart-class slurm.conf change and stops at slurmd's restart; the next
    run, with nothing left to write, restarts slurmd all the same (before, it changed nothing and
    slurmd kept the old file); the one after changes nothing."""
    with listening_port() as slurmd:
        run, write, conf, new_conf, marker, fail = compute_write_and_handlers(tmp_path, slurmd.getsockname()[1])
        fail.touch()
        stopped, calls = run()
        assert stopped.stats("c01")["failures"] == 1 and "restart slurmd" in calls
        assert conf.read_text() == new_conf and marker.exists()
        fail.unlink()
        rerun, calls = run()
        rerun.passed("c01")
        assert rerun.task_result("c01", write["name"])["replayed"] == [str(conf)]
        assert calls == ["daemon-reload", "restart slurmd"] and not marker.exists()
        last, calls = run()
        last.passed("c01")
        assert last.stats("c01")["changed"] == 0 and calls == []


def test_a_slurmd_that_stops_after_its_restart_fails_the_run(tmp_path):
    """systemd's restart returns before slurmd reads its configuration: one that stopped there (a
    NodeName it is not) went unseen while the run passed. Now the run fails, and the change stays
    recorded for the next run. (No systemd here: the wait reads no unit state, and times out.)"""
    with listening_port() as taken:
        port = taken.getsockname()[1]
    run, write, conf, new_conf, marker, fail = compute_write_and_handlers(tmp_path, port)
    result, calls = run()
    assert calls == ["daemon-reload", "restart slurmd"]
    assert result.stats("c01")["failures"] == 1
    assert "slurmd did not answer on 127.0.0.1:%d within 5 s" % port in result.failure_text("c01")
    assert marker.exists()
