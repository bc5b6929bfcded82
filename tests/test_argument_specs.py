"""Inputs as a schema: every role's meta/argument_specs.yml describes its public variables and the
inventory inputs it reads (list-of-dict entries down to their keys), and the same spec guards the
role's preflight when it runs alone (include_role tasks_from: preflight.yml)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")
ROLES = sorted(p.parent.parent.name for p in (TOP / "roles").glob("*/meta/argument_specs.yml"))
# Base OS roles: their defaults equal the spec's and the example inventory shows each of them.
BASE_ROLES = ["repos", "chrony", "base", "nfs_server", "nfs_client"]
# Inputs a role reads that are not its own defaults: secrets, the inventory contract, per-host data.
INPUTS = {
    "base": {"cluster_network", "cluster_domain", "cluster_groups", "cluster_users"},
    "munge": {"munge_key"},
    "slurm": {"slurm_node", "slurm_gres"},
    "slurmdbd": {"slurmdbd_db_password", "slurm_qos", "slurm_accounts", "slurm_users"},
    **dict.fromkeys(("apptainer", "podman"), {"cluster_users", "cluster_subid_start", "cluster_subid_count",
                                              "cluster_subid_uid_base", "cluster_subid_reserved"}),
}


def load(path):
    return yaml.safe_load(path.read_text()) or {}


def specs(role):
    return load(TOP / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]


def walk(options, path=""):
    """(dotted name, spec) of every option, nested ones included."""
    for name, spec in options.items():
        yield path + name, spec
        yield from walk(spec.get("options") or {}, path + name + ".")


def test_roles_found():
    assert set(BASE_ROLES) | {"munge", "slurm", "slurmdbd"} <= set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_every_default_and_input_has_a_spec(role):
    defaults = load(TOP / "roles" / role / "defaults" / "main.yml")
    options = specs(role)["main"]["options"]
    assert sorted(options) == sorted(set(defaults) | INPUTS.get(role, set()))
    for name in defaults:
        assert name.startswith(role + "_"), name


@pytest.mark.parametrize("role", BASE_ROLES)
def test_spec_defaults_match(role):
    defaults = load(TOP / "roles" / role / "defaults" / "main.yml")
    options = specs(role)["main"]["options"]
    for name, value in defaults.items():
        if "default" in options[name]:
            assert options[name]["default"] == value, name
        elif not (isinstance(value, str) and "{{" in value):
            pytest.fail(f"{role}: {name} has a literal default but its spec has none")


@pytest.mark.parametrize("role", BASE_ROLES)
def test_example_inventory_shows_every_variable(role):
    text = "".join(p.read_text() for p in (TOP / "inventories" / "example").rglob("*.yml"))
    defaults = load(TOP / "roles" / role / "defaults" / "main.yml")
    assert [name for name in defaults if name not in text] == []


@pytest.mark.parametrize("role", ROLES)
def test_list_of_dicts_have_nested_options(role):
    """A list of dicts is described down to its keys (types, required ones, choices)."""
    for name, spec in walk(specs(role)["main"]["options"]):
        assert spec.get("type"), name
        assert spec.get("description"), name
        if spec.get("type") == "list" and spec.get("elements") == "dict":
            assert spec.get("options"), f"{role}: {name} has no nested options"


@pytest.mark.parametrize("role", ROLES)
def test_preflight_entry_points_share_main(role):
    """include_role tasks_from: preflight.yml validates the entry point 'preflight.yml'
    (tasks_from: preflight, the entry point 'preflight'): both carry main's options."""
    assert (TOP / "roles" / role / "tasks" / "preflight.yml").exists()
    entry_points = specs(role)
    for name in ("preflight", "preflight.yml"):
        assert entry_points[name]["options"] == entry_points["main"]["options"], name


PARTITION = {"name": "batch", "groups": ["compute"], "default": True, "options": {"MaxTime": "1:00:00"}}
INVALID = [
    # (id, role, variables, text expected in the validation failure)
    ("user-without-name", "base", {"cluster_users": [{"uid": 2001}]},
     "missing required arguments: name found in cluster_users"),
    ("user-typo", "base", {"cluster_users": [{"name": "alice", "uid": 2001, "group": ["physics"]}]},
     "group. Supported parameters include"),
    ("group-without-gid", "base", {"cluster_groups": [{"name": "physics"}]},
     "missing required arguments: gid found in cluster_groups"),
    ("partition-default", "slurm", {"slurm_partitions": [dict(PARTITION, default="maybe")]},
     "'default' is of type str found in 'slurm_partitions'"),
    ("partition-without-groups", "slurm", {"slurm_partitions": [{"name": "batch"}]},
     "missing required arguments: groups found in slurm_partitions"),
    ("partition-typo", "slurm", {"slurm_partitions": [dict(PARTITION, nodes="c[01-02]")]},
     "nodes. Supported parameters include"),
    ("gres-without-name", "slurm", {"slurm_gres": [{"type": "a100", "count": 4}]},
     "missing required arguments: name found in slurm_gres"),
    ("gres-count", "slurm", {"slurm_gres": [{"name": "gpu", "count": "four"}]},
     "'count' is of type str found in 'slurm_gres'"),
    ("node-not-dict", "slurm", {"slurm_node": ["Weight=10"]}, "argument 'slurm_node' is of type list"),
    ("account-state", "slurmdbd", {"slurm_accounts": [{"name": "physics", "state": "gone"}]},
     "state must be one of: present, absent"),
    ("user-qos-dict", "slurmdbd", {"slurm_users": [{"name": "alice", "account": "a", "qos": {"normal": 1}}]},
     "'qos' is of type dict found in 'slurm_users'"),
    ("qos-limits", "slurmdbd", {"slurm_qos": [{"name": "long", "limits": "MaxWall"}]},
     "'limits' is of type str found in 'slurm_qos'"),
]


def run_preflight(tmp_path, role, variables, tasks_from):
    """include_role ROLE tasks_from TASKS_FROM on the controller, with VARIABLES as inventory vars."""
    host = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "ansible_host": "10.1.0.10"}
    inventory = {"all": {"children": {"cluster": {"children": {
        "control": {"hosts": {"head": host}}, "compute": {"hosts": {"c01": dict(host, ansible_host="10.1.0.21")}}},
        "vars": dict({"cluster_network": "10.1.0.0/16", "slurmdbd_db_password": "not-a-real-secret"},
                     **variables)}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    # Facts (a minimal set) as in a real run: some roles' defaults read them.
    play = [{"name": "Preflight", "hosts": "c01", "gather_facts": True, "gather_subset": ["!all", "!min", "hardware"],
             "tasks": [{"ansible.builtin.include_role": {"name": role, "tasks_from": tasks_from}}]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    return subprocess.run([PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")],
                          capture_output=True, text=True, env=env, check=False, timeout=300)


@pytest.mark.parametrize(("role", "variables", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_preflight_validates_the_spec(tmp_path, role, variables, message):
    run = run_preflight(tmp_path, role, variables, "preflight.yml")
    assert run.returncode != 0, run.stdout[-3000:]
    assert "Validating arguments against arg spec 'preflight.yml'" in run.stdout
    assert "Validation of arguments failed" in run.stdout, run.stdout[-3000:]
    assert message in run.stdout, run.stdout[-3000:]


def test_preflight_without_extension_validates_too(tmp_path):
    run = run_preflight(tmp_path, "slurm", {"slurm_partitions": [{"name": "batch"}]}, "preflight")
    assert run.returncode != 0
    assert "missing required arguments: groups found in slurm_partitions" in run.stdout, run.stdout[-3000:]


def test_valid_inputs_pass_the_spec(tmp_path):
    """The documented shapes pass validation (the preflight's own checks come after it)."""
    variables = {
        "cluster_groups": [{"name": "hpcusers", "gid": 2000}],
        "cluster_users": [{"name": "alice", "uid": "2001", "gid": 2000, "groups": ["hpcusers"], "shell": "/bin/bash",
                           "comment": "Alice"}],
    }
    run = run_preflight(tmp_path, "base", variables, "preflight.yml")
    assert "Validation of arguments failed" not in run.stdout, run.stdout[-3000:]
    assert json.dumps("The arg spec validation passed") in run.stdout or "ok: [c01]" in run.stdout
