"""The scenarios' shared create/destroy playbooks touch only the podman objects they labelled.

molecule/shared/create.yml and destroy.yml run here against a stand-in `podman` on PATH that
keeps containers, networks and volumes (with their labels) in a JSON file and logs each call,
so these tests need no container: what would be removed, and what stops a run before any change.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
SHARED = TOP / "molecule" / "shared"
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")
LABEL = "io.hpc-lab.molecule-scenario"

FAKE_PODMAN = r'''#!{python}
"""Stand-in podman: ls/ps, create and rm of containers, networks and volumes, with labels."""
import json, os, sys
state_file, log = os.environ["FAKE_PODMAN_STATE"], os.environ["FAKE_PODMAN_LOG"]
args = sys.argv[1:]
with open(log, "a") as f:
    f.write(json.dumps(args) + "\n")
state = json.load(open(state_file))
kind = "container" if args[0] in ("ps", "rm") else args[0]
verb = args[0] if kind == "container" else args[1]
def option(name):
    return [args[i + 1] for i, a in enumerate(args) if a == name]
if verb in ("ps", "ls"):
    wanted = [f.split("=", 1)[1] for f in option("--filter")]
    for name, labels in state[kind].items():
        if all(w in ["%s=%s" % kv for kv in labels.items()] for w in wanted):
            print(name)
elif verb == "create":
    state[kind][args[-1]] = dict(label.split("=", 1) for label in option("--label"))
elif verb == "rm":
    rest, skip = args[1:] if kind == "container" else args[2:], False
    for a in rest:
        if skip or a in ("-t", "--time"):
            skip = not skip
        elif not a.startswith("-"):
            del state[kind][a]
else:
    sys.exit("fake podman: unexpected call %s" % args)
json.dump(state, open(state_file, "w"))
'''

PLATFORMS = [
    {"name": "slurm-head", "groups": ["cluster", "control"], "network": "molecule-slurm", "ip": "10.89.2.10"},
    {"name": "slurm-c01", "groups": ["cluster", "compute"], "network": "molecule-slurm", "ip": "10.89.2.21"},
]


def ours(scenario):
    return {LABEL: scenario}


def run(tmp_path, playbook, objects, scenario="rocky", lab_os="rocky9"):
    """Run a shared playbook for `scenario` over `objects`; return (process, objects after, podman calls)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    podman = bin_dir / "podman"
    podman.write_text(FAKE_PODMAN.replace("{python}", sys.executable))
    podman.chmod(0o755)
    state, log = tmp_path / "podman.json", tmp_path / "podman.log"
    state.write_text(json.dumps({"container": {}, "network": {}, "volume": {}, **objects}))
    log.write_text("")
    key = tmp_path / "project" / ".lab" / "ssh" / "id_ed25519.pub"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_text("ssh-ed25519 AAAA test\n")
    lab_os_allowed = ["rocky9", "rocky10"] if scenario == "rocky" else ["debian12"]
    extra = tmp_path / "molecule.yml"
    extra.write_text(yaml.safe_dump({
        "molecule_yml": {"scenario": {"name": scenario}, "driver": {"lab_os": lab_os_allowed},
                         "platforms": PLATFORMS},
        "molecule_instance_config": str(tmp_path / "instance_config.yml"),
    }))
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", FAKE_PODMAN_STATE=str(state),
               FAKE_PODMAN_LOG=str(log), LAB_OS=lab_os, MOLECULE_PROJECT_DIRECTORY=str(tmp_path / "project"),
               ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    proc = subprocess.run(
        [PLAYBOOK_BIN, "-i", "localhost,", "-e", f"ansible_python_interpreter={sys.executable}",
         "-e", f"@{extra}", str(SHARED / playbook)],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return proc, json.loads(state.read_text()), calls


def changing(calls):
    return [c for c in calls if c[0] not in ("ps", "ls") and (len(c) < 2 or c[1] != "ls")]


def test_destroy_removes_only_what_the_scenario_labelled(tmp_path):
    objects = {
        "container": {"slurm-head": ours("rocky"), "slurm-c01": ours("rocky"), "slurm-old": ours("rocky"),
                      "lab-head": {"io.hpc-lab.owner": "lab"}, "other": {}},
        "network": {"molecule-slurm": ours("rocky"), "lab": {"io.hpc-lab.owner": "lab"}},
        "volume": {"rocky-home": ours("rocky"), "slurm-home": ours("slurm"), "data": {}},
    }
    proc, after, _ = run(tmp_path, "destroy.yml", objects)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert after == {
        "container": {"lab-head": {"io.hpc-lab.owner": "lab"}, "other": {}},
        "network": {"lab": {"io.hpc-lab.owner": "lab"}},
        "volume": {"slurm-home": ours("slurm"), "data": {}},
    }


@pytest.mark.parametrize(("playbook", "objects", "culprit"), [
    ("destroy.yml", {"container": {"slurm-head": ours("slurm"), "slurm-c01": ours("rocky")}},
     "container slurm-head"),
    ("destroy.yml", {"network": {"molecule-slurm": {}}, "volume": {"rocky-home": ours("rocky")}},
     "network molecule-slurm"),
    ("create.yml", {"container": {"slurm-c01": {}}}, "container slurm-c01"),
    ("create.yml", {"volume": {"rocky-home": {"io.hpc-lab.owner": "lab"}}}, "volume rocky-home"),
])
def test_same_named_object_without_the_label_is_refused(tmp_path, playbook, objects, culprit):
    proc, after, calls = run(tmp_path, playbook, objects)
    assert proc.returncode != 0
    text = " ".join(proc.stdout.split())
    assert f"{culprit} exist but were not made by this scenario (no label {LABEL}=rocky)" in text, text[-3000:]
    assert "nothing was changed" in text and "molecule destroy -s" in text
    assert changing(calls) == [], calls
    assert after == {"container": {}, "network": {}, "volume": {}, **objects}


def test_create_refuses_a_lab_os_the_scenario_does_not_run(tmp_path):
    proc, _, calls = run(tmp_path, "create.yml", {}, scenario="rocky", lab_os="debian12")
    assert proc.returncode != 0
    text = " ".join(proc.stdout.split())
    assert "Scenario rocky runs on LAB_OS rocky9 or rocky10, not debian12" in text, text[-3000:]
    assert calls == []
