"""Throwaway ansible-playbook runs for the tests, kept fast on a small CI machine.

Many cases become hosts of one run (connection local, each host carrying its case's variables),
several runs go at once (a small thread pool: the machine has few cores), and the JSON stdout
callback gives each host's results, so a test reads the failure of its own host.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PARALLEL = int(os.environ.get("HPC_TEST_PARALLEL", "3"))
_POOL = ThreadPoolExecutor(max_workers=PARALLEL)


def local_host(**host_vars):
    """Inventory entry of a host that is this machine."""
    return dict({"ansible_connection": "local", "ansible_python_interpreter": sys.executable}, **host_vars)


def environment(json_output=True, **extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_PIPELINING="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json" if json_output else "ansible.builtin.default")
    env.update(extra)
    return env


def fold(text):
    return " ".join(text.split())


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class Result:
    """A finished run: return code, output and (JSON callback) each host's results."""

    def __init__(self, proc):
        self.returncode, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr
        self._data = None

    @property
    def output(self):
        return fold(self.stdout + self.stderr)

    @property
    def data(self):
        if self._data is None:
            start = self.stdout.find("{")
            assert start >= 0, "no JSON output:\n" + self.stdout[-2000:] + self.stderr[-3000:]
            self._data = json.loads(self.stdout[start:])
        return self._data

    def stats(self, host):
        assert host in self.data["stats"], "%s did not run: %s" % (host, self.stderr[-3000:])
        return self.data["stats"][host]

    def tasks(self, host):
        """[(task, result)] of one host, in order (handlers included)."""
        return [(task["task"], task["hosts"][host]) for play in self.data["plays"] for task in play["tasks"]
                if host in task["hosts"]]

    def task_result(self, host, name):
        found = [result for task, result in self.tasks(host) if task["name"] == name]
        assert found, "task %r did not run on %s: %s" % (name, host, self.failure_text(host)[-3000:])
        return found[-1]

    def outcomes(self):
        """Per task name and host: skipped, changed or ok, and the failure message if any."""
        found = {}
        for play in self.data["plays"]:
            for task in play["tasks"]:
                for host, outcome in task["hosts"].items():
                    state = "skipped" if outcome.get("skipped") else "changed" if outcome.get("changed") else "ok"
                    found[(task["task"]["name"], host)] = (state, outcome.get("msg") if outcome.get("failed") else None)
        return found

    def failure_text(self, host):
        """Every text of the host's failed results, whitespace folded."""
        failed = [result for _task, result in self.tasks(host) if result.get("failed")]
        return fold(" ".join(text for result in failed for text in _strings(result)))

    def passed(self, host):
        stats = self.stats(host)
        assert stats["failures"] == 0 and stats["unreachable"] == 0, (host, self.failure_text(host)[-4000:])

    def refused(self, host, *texts):
        """The host failed, changed nothing, and the failure names every text."""
        stats = self.stats(host)
        assert stats["failures"] >= 1, (host, stats)
        assert stats["changed"] == 0, (host, stats)
        message = self.failure_text(host)
        for text in texts:
            assert text in message, "%r not in %s's failure: %s" % (text, host, message[-3000:])


def start(workdir, playbook, inventory=None, extra=None, args=(), env=None, cwd=None, timeout=600):
    """Write the inventory (a dict) and the playbook (a list of plays, or a path), start the run in
    the pool; returns a future of Result. args come before the playbook (more playbooks: the
    options first)."""
    workdir = Path(workdir)
    command = [str(BIN / "ansible-playbook")]
    if inventory is not None:
        if isinstance(inventory, dict):
            (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory))
            inventory = workdir / "inventory.yml"
        command += ["-i", str(inventory)]
    if isinstance(playbook, list):
        (workdir / "play.yml").write_text(yaml.safe_dump(playbook))
        playbook = workdir / "play.yml"
    command += [*args, str(playbook)]
    if extra is not None:
        command += ["-e", json.dumps(extra)]
    env = env if env is not None else environment()

    def run():
        return Result(subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, check=False,
                                     timeout=timeout))

    return _POOL.submit(run)


def role_vars_values(workdir, roles, hosts, expression):
    """{host: the value of expression} on local hosts ({name: its variables}) once the vars/main.yml
    of each of roles is loaded, as the roles' tasks see their private variables; every host passed."""
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_vars": str(TOP / "roles" / role / "vars" / "main.yml")} for role in roles] + [
        {"name": "value", "ansible.builtin.debug": {"msg": expression}}]}]
    inventory = {"all": {"hosts": {name: local_host(**variables) for name, variables in hosts.items()}}}
    run = start(workdir, play, inventory).result()
    for name in hosts:
        run.passed(name)
    return {name: run.task_result(name, "value")["msg"] for name in hosts}


def with_and_without(top, run):
    """run(workdir, with_callback) under top/with and top/without, both at once: {name: Result}."""
    started = {name: run(top / name, name == "with") for name in ("with", "without")}
    return {name: future.result() for name, future in started.items()}


def assert_same_runs(results):
    """The two runs of with_and_without passed, with the same outcomes per task and host and the same stats."""
    for result in results.values():
        assert result.returncode == 0, result.output[-3000:]
    assert results["with"].outcomes() == results["without"].outcomes()
    assert results["with"].data["stats"] == results["without"].data["stats"]
