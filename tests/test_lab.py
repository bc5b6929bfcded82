"""The lab tool: input checks (no containers), then a small lab of its own (podman)."""

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import ansible_runner
import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "lab"))
import lab  # noqa: E402

ENV = dict(os.environ, CONTAINERS_CONF=str(TOP / "lab" / "containers.conf"))
TEST_LAB = "hpc-citest"
TEST_SUBNET = "10.89.60.0/24"


def run_lab(*args):
    return subprocess.run([sys.executable, str(TOP / "lab" / "lab.py"), *args],
                          capture_output=True, text=True, env=ENV, check=False)


def podman(*args, check=True):
    return subprocess.run(["podman", *args], capture_output=True, text=True, env=ENV, check=check)


def owned_objects(name):
    label = f"label={lab.LABEL}={name}"
    return (podman("ps", "-a", "--filter", label, "--format", "{{.Names}}").stdout.split()
            + podman("network", "ls", "--filter", label, "--format", "{{.Name}}").stdout.split()
            + podman("volume", "ls", "--filter", label, "--format", "{{.Name}}").stdout.split())


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("2", 2), ("16", 16), ("08", 8)])
def test_compute_count_accepts(value, expected):
    assert lab.compute_count(value) == expected


@pytest.mark.parametrize("value", ["0", "17", "-1", "two", "", "1.5", "3e1"])
def test_compute_count_refuses(value):
    with pytest.raises(lab.LabError, match="--compute"):
        lab.compute_count(value)


def test_runner_passes_only_this_runs_arguments(tmp_path):
    """bin/lab converge -e x=... once must not pass -e x=... to the next converge (ansible-runner env/)."""
    playbook = tmp_path / "show.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n"
                        "    - ansible.builtin.debug:\n        msg: \"value={{ probe | default('unset') }}\"\n")
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    env = {"PATH": "%s:%s" % (Path(sys.executable).parent, os.environ["PATH"]), "ANSIBLE_LOCALHOST_WARNING": "0",
           "ANSIBLE_NOCOLOR": "1", "HOME": os.environ.get("HOME", "/root")}
    outputs = []
    for extra, lab_env in ((["-e", "probe=first"], env), ([], dict(env, ANSIBLE_FORCE_COLOR="0"))):
        kwargs = dict(lab.runner_kwargs(tmp_path / "runner", playbook, inventory, extra, lab_env), quiet=True)
        run = ansible_runner.run(**kwargs)
        assert run.status == "successful", run.stdout.read()[-2000:]
        outputs.append(run.stdout.read())
        # Nothing of the run is kept for the next one (nor an -e value on disk).
        assert not (tmp_path / "runner" / "env" / "cmdline").exists()
        assert not (tmp_path / "runner" / "env" / "envvars").exists()
    assert "value=first" in outputs[0]
    assert "value=unset" in outputs[1], outputs[1][-2000:]


def test_runner_drops_arguments_an_older_lab_left(tmp_path):
    stale = tmp_path / "runner" / "env"
    stale.mkdir(parents=True)
    (stale / "cmdline").write_text("-e probe=old")
    (stale / "envvars").write_text("{}")
    kwargs = lab.runner_kwargs(tmp_path / "runner", tmp_path / "p.yml", tmp_path / "hosts", [], {"PATH": "/bin"})
    assert not (stale / "cmdline").exists() and not (stale / "envvars").exists()
    assert kwargs["suppress_env_files"] is True and kwargs["cmdline"] == ""


def test_plan_nodes_static_addresses():
    nodes = lab.plan_nodes(ipaddress.IPv4Network("10.89.7.0/24"), 3)
    assert [(n.name, n.group, n.ip) for n in nodes] == [
        ("head", "control", "10.89.7.10"),
        ("login1", "login", "10.89.7.11"),
        ("c01", "compute", "10.89.7.21"),
        ("c02", "compute", "10.89.7.22"),
        ("c03", "compute", "10.89.7.23"),
    ]


@pytest.mark.parametrize(("subnet", "message"), [
    ("10.89.0.0/25", "too small"),
    ("10.89.0.1/24", "not an IPv4 network"),
    ("nonsense", "not an IPv4 network"),
])
def test_bad_subnet(subnet, message):
    with pytest.raises(lab.LabError, match=message):
        lab.lab_network(subnet)


@pytest.mark.parametrize("count", ["0", "17", "many"])
def test_cli_refuses_bad_count_and_touches_nothing(count):
    proc = run_lab("--name", "hpc-badcount", "up", "--compute", count)
    assert proc.returncode == 2
    assert "--compute" in proc.stderr
    assert owned_objects("hpc-badcount") == []


CONVERGE_ARGS = [
    # (bin/lab arguments, what ansible-playbook gets after the playbook)
    (["converge"], []),
    (["converge", "--check"], ["--check"]),
    (["converge", "--", "--check"], ["--check"]),
    (["converge", "--check", "--diff", "--tags", "base", "-e", "x=1"],
     ["--check", "--diff", "--tags", "base", "-e", "x=1"]),
    (["--name", "other", "converge", "--limit", "head", "--check"], ["--limit", "head", "--check"]),
    (["converge", "-v", "--", "-x"], ["-v", "--", "-x"]),
]


@pytest.mark.parametrize(("argv", "extra"), CONVERGE_ARGS, ids=[" ".join(c[0]) for c in CONVERGE_ARGS])
def test_converge_hands_its_arguments_to_ansible_playbook(argv, extra):
    """As the README documents it: `bin/lab converge --check`; a leading `--` is dropped."""
    args = lab.parse_args(argv)
    assert args.command == "converge"
    assert args.extra == extra
    cmd = lab.playbook_command(Path("/lab/hosts.yml"), "playbooks/site.yml", args.extra)
    assert cmd[cmd.index(str(TOP / "playbooks/site.yml")) + 1:] == extra


@pytest.mark.parametrize("argv", [["up", "--check"], ["status", "--check"], ["down", "-e", "x=1"]])
def test_other_commands_refuse_unknown_arguments(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        lab.parse_args(argv)
    assert caught.value.code == 2
    assert f"unrecognized arguments: {' '.join(argv[1:])}" in capsys.readouterr().err


def test_cli_converge_check_reaches_the_lab():
    """`bin/lab converge --check` gets past the argument parsing (no lab of that name: no inventory)."""
    proc = run_lab("--name", "hpc-nolab", "converge", "--check")
    assert proc.returncode == 2
    assert "no inventory at" in proc.stderr, proc.stderr


@pytest.mark.lab
def test_cli_refuses_clash_with_foreign_network():
    podman("network", "create", "--subnet", "10.89.61.0/24", "hpc-clash")
    try:
        proc = run_lab("--name", "hpc-clash", "--subnet", "10.89.62.0/24", "up", "--compute", "1")
        assert proc.returncode == 2
        assert "network 'hpc-clash' exists and was not created by this lab" in proc.stderr
        assert "nothing was changed" in proc.stderr
        assert owned_objects("hpc-clash") == []
        # An overlapping subnet is refused too, naming the other network.
        proc = run_lab("--name", "hpc-other", "--subnet", "10.89.61.0/24", "up", "--compute", "1")
        assert proc.returncode == 2
        assert "overlaps network 'hpc-clash'" in proc.stderr
        assert owned_objects("hpc-other") == []
        # down removes only what the lab labelled: the foreign network stays.
        assert run_lab("--name", "hpc-clash", "down").returncode == 0
        assert podman("network", "exists", "hpc-clash", check=False).returncode == 0
    finally:
        podman("network", "rm", "hpc-clash", check=False)


@pytest.fixture(scope="module")
def small_lab():
    """A lab of its own: head, login1 and one compute node."""
    run_lab("--name", TEST_LAB, "down")
    assert run_lab("image").returncode == 0
    proc = run_lab("--name", TEST_LAB, "--subnet", TEST_SUBNET, "up", "--compute", "1")
    assert proc.returncode == 0, proc.stderr
    yield TOP / ".lab" / TEST_LAB / "hosts.yml"
    proc = run_lab("--name", TEST_LAB, "down")
    assert proc.returncode == 0, proc.stderr
    assert owned_objects(TEST_LAB) == []


@pytest.mark.lab
def test_lab_inventory_matches_contract(small_lab):
    inventory = yaml.safe_load(small_lab.read_text())
    cluster = inventory["all"]["children"]["cluster"]
    groups = {g: sorted(v["hosts"]) for g, v in cluster["children"].items()}
    assert groups == {"control": ["head"], "login": ["login1"], "compute": ["c01"]}
    assert cluster["vars"]["cluster_network"] == TEST_SUBNET
    hosts = {h: v["ansible_host"] for g in cluster["children"].values() for h, v in g["hosts"].items()}
    assert hosts == {"head": "10.89.60.10", "login1": "10.89.60.11", "c01": "10.89.60.21"}
    # /home is one volume on every node.
    mounts = json.loads(podman("inspect", f"{TEST_LAB}-head", f"{TEST_LAB}-c01").stdout)
    homes = [[m["Name"] for m in c["Mounts"] if m["Destination"] == "/home"] for c in mounts]
    assert homes == [[f"{TEST_LAB}-home"], [f"{TEST_LAB}-home"]]


@pytest.mark.lab
def test_up_again_is_a_no_op_and_keeps_nodes(small_lab):
    before = podman("inspect", "--format", "{{.Id}}", f"{TEST_LAB}-c01").stdout
    proc = run_lab("--name", TEST_LAB, "--subnet", TEST_SUBNET, "up", "--compute", "1")
    assert proc.returncode == 0, proc.stderr
    assert podman("inspect", "--format", "{{.Id}}", f"{TEST_LAB}-c01").stdout == before
    # Fewer nodes than running is refused rather than deleting a node.
    proc = run_lab("--name", TEST_LAB, "--subnet", "10.89.63.0/24", "up", "--compute", "1")
    assert proc.returncode == 2 and "run 'bin/lab down' first" in proc.stderr


@pytest.mark.lab
def test_playbook_through_ansible_runner(small_lab, tmp_path):
    """CI users drive us through ansible-runner: run the base playbook, check the stats."""
    kwargs = {
        "private_data_dir": str(tmp_path),
        "project_dir": str(TOP),
        "playbook": str(TOP / "playbooks" / "base.yml"),
        "inventory": [str(small_lab)],
        "envvars": {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                    "ANSIBLE_CONFIG": str(TOP / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(tmp_path / "facts")},
        "quiet": True,
    }
    first = ansible_runner.run(**kwargs)
    assert first.status == "successful", first.stdout.read()[-3000:]
    assert first.rc == 0
    stats = first.stats
    assert sorted(stats["ok"]) == ["c01", "head", "login1"]
    assert not stats["failures"] and not stats["dark"]
    assert set(stats["changed"]) == {"c01", "head", "login1"}
    second = ansible_runner.run(**kwargs)
    assert second.status == "successful"
    assert not second.stats["changed"], f"second run changed: {second.stats['changed']}"
