"""bin/runner-timing: per-play timing from ansible-runner events (synthetic, then from a real run)."""

import json
import os
import subprocess
import sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import ansible_runner
import pytest

TOP = Path(__file__).resolve().parent.parent
_LOADER = SourceFileLoader("runner_timing", str(TOP / "bin" / "runner-timing"))
timing = module_from_spec(spec_from_loader("runner_timing", _LOADER))
_LOADER.exec_module(timing)


def ev(counter, event, second, **data):
    return {"counter": counter, "event": event, "created": "2026-01-01T10:00:%06.3f" % second,
            "event_data": data}


EVENTS = [
    ev(1, "playbook_on_start", 0.0),
    ev(2, "playbook_on_play_start", 1.0, play="Base OS"),
    ev(3, "playbook_on_task_start", 1.0, play="Base OS", task="Gathering Facts"),
    ev(4, "runner_on_ok", 3.0, host="c01", res={"changed": False}),
    ev(5, "runner_on_ok", 3.5, host="c02", res={"changed": False}),
    ev(6, "playbook_on_task_start", 4.0, play="Base OS", task="Install packages"),
    ev(7, "runner_on_ok", 14.0, host="c01", res={"changed": True}),
    ev(8, "runner_on_failed", 15.0, host="c02", res={}),
    ev(9, "playbook_on_play_start", 16.0, play="Slurm"),
    ev(10, "playbook_on_task_start", 16.0, play="Slurm", task="Write slurm.conf"),
    ev(11, "runner_on_ok", 17.0, host="c01", res={"changed": True}),
    ev(12, "runner_on_unreachable", 17.5, host="c03", res={}),
    ev(13, "playbook_on_handler_task_start", 18.0, play="Slurm", task="Restart slurmd"),
    ev(14, "runner_on_ok", 22.0, host="c01", res={"changed": True}),
    ev(15, "playbook_on_stats", 23.0),
]


def test_summary_per_play():
    rows = timing.summarize(list(reversed(EVENTS)))  # order comes from the counters
    assert [(r["play"], r["seconds"], r["tasks"], r["hosts"], r["changed"], r["failed"], r["unreachable"])
            for r in rows] == [("Base OS", 15.0, 2, 2, 1, 1, 0), ("Slurm", 7.0, 2, 2, 2, 0, 1)]
    assert rows[0]["slowest"] == [("Install packages", 12.0), ("Gathering Facts", 3.0)]
    assert rows[1]["slowest"][0] == ("Restart slurmd", 5.0)


def test_a_run_cut_short_ends_at_its_last_event():
    rows = timing.summarize(EVENTS[:8])
    assert rows[0]["seconds"] == 14.0 and rows[0]["slowest"][0] == ("Install packages", 11.0)


def test_format_summary():
    text = timing.format_summary(timing.summarize(EVENTS), top=2)
    lines = text.splitlines()
    assert lines[0].split() == ["PLAY", "SECONDS", "TASKS", "HOSTS", "CHANGED", "FAILED"]
    assert lines[1].split() == ["Base", "OS", "15.0", "2", "2", "1", "1"]
    assert lines[2] == "  slowest: Install packages (12.0 s)"
    assert lines[3] == "  slowest: Gathering Facts (3.0 s)"
    assert lines[-1].split() == ["TOTAL", "22.0"]
    assert timing.format_summary([]) == "runner-timing: no play in these events"


def test_bad_events_are_named():
    with pytest.raises(timing.TimingError, match="event 2 .playbook_on_play_start. has no 'created' time"):
        timing.summarize([{"counter": 2, "event": "playbook_on_play_start", "event_data": {}}])
    with pytest.raises(timing.TimingError, match="event 3: unreadable time 'noon'"):
        timing.summarize([{"counter": 3, "event": "playbook_on_play_start", "created": "noon"}])


def write_artifacts(root, events):
    job_events = root / "artifacts" / "run1" / "job_events"
    job_events.mkdir(parents=True)
    for event in events:
        (job_events / ("%d-uuid.json" % event["counter"])).write_text(json.dumps(event))
    return job_events


@pytest.mark.parametrize("level", ["private_data_dir", "artifacts", "job_events"])
def test_command_line_reads_every_directory_form(tmp_path, level):
    job_events = write_artifacts(tmp_path, EVENTS)
    path = {"private_data_dir": tmp_path, "artifacts": job_events.parent, "job_events": job_events}[level]
    run = subprocess.run([sys.executable, str(TOP / "bin" / "runner-timing"), str(path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[1].split()[:3] == ["Base", "OS", "15.0"]


def test_command_line_names_a_directory_without_events(tmp_path):
    run = subprocess.run([sys.executable, str(TOP / "bin" / "runner-timing"), str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1 and "runner-timing: no job_events/*.json under %s" % tmp_path in run.stderr


def test_events_of_a_real_ansible_runner_run(tmp_path):
    """ansible_runner.run() on a two-play local playbook: the summary reads its real events."""
    playbook = tmp_path / "project" / "two_plays.yml"
    playbook.parent.mkdir()
    playbook.write_text(
        "- name: First play\n  hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: Wait a little\n      ansible.builtin.pause:\n        seconds: 1\n"
        "    - name: Say hello\n      ansible.builtin.debug:\n        msg: hello\n"
        "- name: Second play\n  hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: Change something\n      ansible.builtin.command: 'true'\n")
    runner = ansible_runner.run(private_data_dir=str(tmp_path), playbook="two_plays.yml", quiet=True,
                                inventory="localhost ansible_connection=local ansible_python_interpreter=%s"
                                          % sys.executable,
                                envvars={"ANSIBLE_LOCALHOST_WARNING": "0",
                                         "PATH": "%s:%s" % (Path(sys.executable).parent, os.environ["PATH"])})
    assert runner.status == "successful" and runner.rc == 0, runner.stdout.read()
    rows = timing.summarize(runner.events)
    assert [(r["play"], r["tasks"], r["hosts"], r["changed"]) for r in rows] == [
        ("First play", 2, 1, 0), ("Second play", 1, 1, 1)]
    assert rows[0]["slowest"][0][0] == "Wait a little" and rows[0]["slowest"][0][1] >= 1.0
    from_disk = timing.summarize(timing.load_events(tmp_path))
    assert [(r["play"], r["tasks"]) for r in from_disk] == [("First play", 2), ("Second play", 1)]
