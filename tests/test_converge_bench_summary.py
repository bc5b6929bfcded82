"""bench/converge_bench.py: its pure parts (no lab): medians, ratios, goals, output parsing,
package lists, the floor play and the markdown."""

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
_SPEC = importlib.util.spec_from_file_location("converge_bench", TOP / "bench" / "converge_bench.py")
bench = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench)

# Real output of ansible-playbook 2.19 (default callback + ansible.posix.profile_tasks), shortened.
OUTPUT = """
PLAY [Floor: the facts site.yml gathers, and 10 trivial tasks] *****************
Wednesday 02 December 2026  15:46:24 +0000 (0:00:00.126)       0:00:00.126 ****

TASK [Gathering Facts] *********************************************************
ok: [n2]
ok: [n1]
Wednesday 02 December 2026  15:46:35 +0000 (0:00:10.523)       0:00:10.649 ****

TASK [Trivial task 0] **********************************************************
ok: [n1]
ok: [n2]

PLAY [Changes] *****************************************************************
Wednesday 02 December 2026  15:46:57 +0000 (0:00:01.847)       0:00:32.692 ****

TASK [Touch [x] on n2] *********************************************************
changed: [n2]
ok: [n1]

PLAY RECAP *********************************************************************
n1                         : ok=12   changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0
n2                         : ok=12   changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0


TASKS RECAP ********************************************************************
Wednesday 02 December 2026  15:46:58 +0000 (0:00:01.706)       0:00:34.399 ****
===============================================================================
Gathering Facts -------------------------------------------------------- 10.52s
Trivial task 0 ---------------------------------------------------------- 4.56s
Touch [x] on n2 --------------------------------------------------------- 1.71s
A task name far too long to be padded with dashes by profile_tasks at all, on 79 columns -- 0.50s
"""


def test_median_and_ratio():
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([1.0, 2.0]) == 1.5
    assert bench.median([]) is None
    assert bench.ratio(3.0, 1.5) == 2.0
    assert bench.ratio(None, 1.0) is None and bench.ratio(1.0, None) is None and bench.ratio(1.0, 0.0) is None


def sample(*times):
    return [(t, 1.0, 2.0) for t in times]


SAMPLES = {
    (2, "floor", "ssh"): sample(10, 11, 9), (2, "slurm", "ssh"): sample(10, 10, 12),
    (2, "site", "ssh"): sample(20, 19, 25), (2, "cold", "ssh"): sample(65),
    (2, "packages", ""): sample(50),
    (8, "floor", "ssh"): sample(20, 20, 20), (8, "slurm", "ssh"): sample(30, 30, 30),
    (8, "site", "ssh"): sample(40, 36, 50), (8, "cold", "ssh"): sample(130),
    (8, "packages", ""): sample(100),
}


def test_goals_use_medians_and_name_what_they_measure():
    goals = [(goal, conn, round(value, 3), limit, met)
             for goal, conn, value, limit, met in bench.evaluate_goals(SAMPLES, [2, 8], ["ssh"])]
    assert goals == [
        ("warm slurm.yml <= 1.0x floor, 2 compute", "ssh", 1.0, 1.0, True),
        ("warm site.yml <= 2.0x floor, 2 compute", "ssh", 2.0, 2.0, True),
        ("cold site.yml <= 1.3x package floor, 2 compute", "ssh", 1.3, 1.3, True),
        ("warm slurm.yml <= 1.0x floor, 8 compute", "ssh", 1.5, 1.0, False),
        ("warm site.yml <= 2.0x floor, 8 compute", "ssh", 2.0, 2.0, True),
        ("cold site.yml <= 1.3x package floor, 8 compute", "ssh", 1.3, 1.3, True),
        ("warm site.yml at 8 compute <= 1.8x the time at 2", "ssh", 2.0, 1.8, False),
    ]


def test_a_goal_without_measurements_is_not_met():
    goals = bench.evaluate_goals(SAMPLES, [2], ["mitogen"])
    assert [(value, met) for _, _, value, _, met in goals] == [(None, False)] * 3


def test_recap_per_host():
    recap = bench.parse_recap(OUTPUT)
    assert bench.parse_recap(OUTPUT.replace("ignored=0\n", "ignored=0   \n")) == recap  # as printed
    assert recap == {"n1": {"ok": 12, "changed": 0, "unreachable": 0, "failed": 0, "skipped": 0, "rescued": 0,
                            "ignored": 0},
                     "n2": {"ok": 12, "changed": 1, "unreachable": 0, "failed": 0, "skipped": 0, "rescued": 0,
                            "ignored": 0}}


def test_changes_name_the_host_and_its_tasks():
    assert bench.changes(OUTPUT) == ["n2: changed=1 (Touch [x] on n2)"]
    assert bench.changes(OUTPUT.replace("changed=1", "changed=0")) == []
    assert bench.changes("PLAY [x] ***\nok: [n1]\n") == ["no PLAY RECAP in the output"]


def test_changed_tasks_of_handlers_loops_and_delegation():
    output = ("TASK [slurm : Write slurm.conf] ***\nok: [c01]\nchanged: [head] => (item=a)\n"
              "RUNNING HANDLER [slurm : Reconfigure] ***\nchanged: [c01 -> head]\n")
    assert bench.changed_tasks(output) == [("head", "slurm : Write slurm.conf"), ("c01", "slurm : Reconfigure")]


def test_profile_slowest_first():
    assert bench.parse_profile(OUTPUT, top=3) == [("Gathering Facts", 10.52), ("Trivial task 0", 4.56),
                                                  ("Touch [x] on n2", 1.71)]
    assert bench.parse_profile(OUTPUT)[-1] == (
        "A task name far too long to be padded with dashes by profile_tasks at all, on 79 columns", 0.5)
    assert bench.parse_profile("no recap here") == []


def test_floor_play_copies_the_gathering_play_of_preflight():
    preflight = yaml.safe_load((TOP / "playbooks" / "preflight.yml").read_text())
    gathering = preflight[0]
    assert gathering["gather_facts"] is True
    play = bench.floor_play(preflight)[0]
    for key in ("hosts", "become", "gather_subset", "gather_timeout"):
        assert play.get(key) == gathering.get(key), key
    assert play["hosts"] == "cluster"
    assert len(play["tasks"]) == 10


def test_floor_play_skips_plays_without_facts_and_keeps_subsets():
    plays = [{"hosts": "control", "gather_facts": False, "tasks": []},
             {"hosts": "cluster", "gather_subset": ["min", "network"], "tasks": []}]
    play = bench.floor_play(plays, tasks=2)[0]
    assert (play["hosts"], play["gather_subset"], len(play["tasks"])) == ("cluster", ["min", "network"], 2)


def test_floor_play_is_a_playbook_ansible_reads(tmp_path):
    path = tmp_path / "floor.yml"
    path.write_text(json.dumps(bench.floor_play(yaml.safe_load((TOP / "playbooks" / "preflight.yml").read_text()))))
    (tmp_path / "hosts.yml").write_text("all:\n  children:\n    cluster:\n      hosts:\n        n1:\n")
    proc = subprocess.run([str(TOP / ".venv" / "bin" / "ansible-playbook"), "-i", str(tmp_path / "hosts.yml"),
                           "--list-tasks", str(path)], capture_output=True, text=True,
                          env=dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg")), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Trivial task 9" in proc.stdout


@pytest.mark.parametrize(("text", "family"), [
    ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', "debian"),
    ("ID=ubuntu\nID_LIKE=debian\n", "debian"),
    ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', "redhat"),
    ('ID="almalinux"\n', "redhat"),
])
def test_os_family(text, family):
    assert bench.os_family(text) == family


def test_os_family_refuses_an_unknown_os():
    with pytest.raises(ValueError, match="alpine"):
        bench.os_family("ID=alpine\n")


def test_an_empty_os_release_from_a_node_just_started_is_read_again(monkeypatch):
    answers = iter(["", "", "ID=debian\n"])
    monkeypatch.setattr(bench, "node_exec", lambda node, *cmd: next(answers))
    monkeypatch.setattr(bench.time, "sleep", lambda seconds: None)
    assert bench.node_os_family("c07") == "debian"
    monkeypatch.setattr(bench, "node_exec", lambda node, *cmd: "")
    with pytest.raises(ValueError, match="unknown OS family"):
        bench.node_os_family("c07")


def test_package_diff_per_node():
    before = {"head": {"python3", "sudo"}, "c01": {"python3"}}
    after = {"head": {"python3", "sudo", "slurmctld", "munge"}, "c01": {"python3"}, "c02": {"slurmd"}}
    assert bench.package_diff(before, after) == {"c02": ["slurmd"], "head": ["munge", "slurmctld"]}


def test_install_command():
    debian = bench.install_command("debian", ["munge", "slurm-wlm"])
    assert debian.startswith("{ ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -q; } && ")
    assert debian.endswith("apt-get install -y -q -o Dpkg::Options::=--force-confdef "
                           "-o Dpkg::Options::=--force-confold munge slurm-wlm")
    assert bench.install_command("redhat", ["a b"]) == "dnf install -y 'a b'"


def test_markdown():
    meta = {"date": "2026-12-02 10:00", "commit": "abc123", "platform": "Linux", "cores": 2,
            "ansible": "ansible-playbook [core 2.19.14]", "load_start": 1.0, "load_end": 2.0, "runs": 3,
            "cold_runs": 1, "computes": [2, 8], "connections": ["ssh"], "command": "bench --runs 3"}
    profiles = {(2, "ssh"): [("slurm : Write slurm.conf", 3.25)]}
    text = bench.render(meta, SAMPLES, profiles, {2: {"head": ["munge", "slurmctld"]}})
    lines = text.splitlines()
    assert "| floor | 10.0 (9.0–11.0) | 1.00x | 3 | 1.0–2.0 |" in lines
    assert "| warm site.yml | 20.0 (19.0–25.0) | 2.00x | 3 | 1.0–2.0 |" in lines
    assert "| cold site.yml | 65.0 (65.0–65.0) | 1.30x | 1 | 1.0–2.0 |" in lines
    assert "| package floor | 50.0 (50.0–50.0) | 1.00x | 1 | 1.0–2.0 |" in lines
    assert "| warm slurm.yml <= 1.0x floor, 8 compute | ssh | 1.50x | not met |" in lines
    assert "| warm site.yml <= 2.0x floor, 2 compute | ssh | 2.00x | met |" in lines
    assert "- head: munge slurmctld" in lines
    assert "| slurm : Write slurm.conf | 3.25 |" in lines
    assert "`bench --runs 3`" in text and "3 warm run(s)" in text


class FakeLab:
    """Stands in for the lab's commands: records their order, answers as a converged lab would."""

    def __init__(self, changed_on_warm=False):
        self.calls, self.changed_on_warm, self.cold_done = [], changed_on_warm, False

    def fresh_lab(self, n):
        self.calls.append(f"up {n}")
        self.cold_done = False

    def playbook(self, path, conn, **extra):
        name = Path(path).stem
        if "ANSIBLE_CALLBACKS_ENABLED" in extra:
            name += "+profile"
        warm = self.cold_done and name != "floor"
        self.calls.append(f"{name} {conn}" if warm or name == "floor" else f"cold {conn}")
        changed = 1 if warm and self.changed_on_warm else 0
        self.cold_done = True
        return 1.0, (f"TASK [munge : Write the key] ***\n{'changed' if changed else 'ok'}: [head]\n"
                     f"PLAY RECAP ***\nhead : ok=3 changed={changed} failed=0\n\n"
                     "TASKS RECAP ***\n====\nmunge : Write the key ---- 0.25s\n")

    def manual_packages(self):
        self.calls.append("showmanual")
        return {"head": {"python3", "munge"} if self.cold_done else {"python3"}}

    def install_packages(self, packages):
        self.calls.append(f"install {packages}")
        return 2.0, ""


def test_order_of_a_compute_count(monkeypatch):
    fake = FakeLab()
    for name in ("fresh_lab", "playbook", "manual_packages", "install_packages"):
        monkeypatch.setattr(bench, name, getattr(fake, name))
    monkeypatch.setattr(bench, "log", lambda message: None)
    args = bench.parse_args(["--compute", "2", "--runs", "2"])
    samples, profiles, packages = {}, {}, {}
    bench.bench_compute(2, args, Path("floor.yml"), samples, profiles, packages)
    warm_round = ["floor ssh", "slurm ssh", "site ssh", "floor mitogen", "slurm mitogen", "site mitogen"]
    assert fake.calls == ["up 2", "showmanual", "cold ssh", "showmanual", *warm_round, *warm_round,
                          "site+profile ssh", "site+profile mitogen", "up 2", "cold mitogen",
                          "up 2", "install {'head': ['munge']}"]
    assert bench.seconds(samples, 2, "site", "mitogen") == [1.0, 1.0]
    assert bench.seconds(samples, 2, "packages", "ssh") == [2.0]
    assert profiles[(2, "ssh")] == [("munge : Write the key", 0.25)]


def test_a_warm_run_that_changes_something_stops_the_bench(monkeypatch):
    fake = FakeLab(changed_on_warm=True)
    for name in ("fresh_lab", "playbook", "manual_packages", "install_packages"):
        monkeypatch.setattr(bench, name, getattr(fake, name))
    monkeypatch.setattr(bench, "log", lambda message: None)
    problem = r"slurm.yml \(8 compute, ssh\).*\n  head: changed=1 \(munge : Write the key\)"
    with pytest.raises(SystemExit, match=problem):
        bench.bench_compute(8, bench.parse_args(["--compute", "8"]), Path("floor.yml"), {}, {}, {})


def test_every_playbook_run_gathers_its_facts(monkeypatch):
    """Facts in memory only: no run reads facts cached by an earlier run or an earlier lab."""
    seen = []
    monkeypatch.setattr(bench, "run", lambda cmd, env=None: seen.append(env) or (1.0, ""))
    for conn in bench.CONNECTIONS:
        bench.playbook(Path("site.yml"), conn)
    assert seen and all(env["ANSIBLE_CACHE_PLUGIN"] == "memory" for env in seen)
