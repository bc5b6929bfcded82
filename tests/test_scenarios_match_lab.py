"""The Molecule scenarios read the lab's settings; they never keep a copy of them.

What `molecule test -s slurm` proves should be what `bin/lab demo` converges. Every scenario
links inventories/lab/group_vars into the inventory Molecule writes (`provisioner.inventory.links`
in .config/molecule/config.yml) and adds only what is its own: the values `bin/lab up` writes
into the lab's hosts.yml (cluster_network, the database password), and the few settings listed
in OVERRIDES below. These tests rebuild the inventory Molecule 26 writes (provisioner/ansible.py:
one entry per platform in each of its groups, `provisioner.connection_options` on every host,
`links` as symlinks beside it) and ask ansible-inventory what each node gets.
"""

import json
import subprocess
import sys
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
LAB_GROUP_VARS = TOP / "inventories" / "lab" / "group_vars"
BASE_CONFIG = TOP / ".config" / "molecule" / "config.yml"
INVENTORY_BIN = str(Path(sys.executable).parent / "ansible-inventory")
SCENARIOS = sorted(p.parent.name for p in (TOP / "molecule").glob("*/molecule.yml"))
# Lab settings a scenario may set to a value of its own, and why. Every scenario is its own
# cluster (cluster_name); nothing else may repeat or change a lab setting.
OVERRIDES = {
    "base": {"cluster_users": "a user without gid (a group of his own) and with a shell of his own"},
    "rocky": {"slurm_cgroup_config": "Rocky hosts mount cgroup v2: the role's default (autodetect)"},
}
OWN_EVERYWHERE = {"cluster_name"}
SLURM_VERIFIER = TOP / "molecule" / "slurm" / "tests"


def merge(a, b):
    """Molecule's merge of the shared base and a scenario's molecule.yml (recursive on dicts)."""
    out = dict(a)
    for key, value in b.items():
        out[key] = merge(a[key], value) if isinstance(a.get(key), dict) and isinstance(value, dict) else value
    return out


def config(scenario):
    return merge(yaml.safe_load(BASE_CONFIG.read_text()),
                 yaml.safe_load((TOP / "molecule" / scenario / "molecule.yml").read_text()))


def links(scenario):
    """The scenario's inventory links, resolved as Molecule does (relative to its directory)."""
    found = config(scenario).get("provisioner", {}).get("inventory", {}).get("links") or {}
    return {name: (TOP / "molecule" / scenario / source).resolve() for name, source in found.items()}


def lab_settings(group="*"):
    """{name: value} of the lab's group_vars (files or directories of files)."""
    settings = {}
    for path in sorted(LAB_GROUP_VARS.glob(f"{group}/*.yml")) + sorted(LAB_GROUP_VARS.glob(f"{group}.yml")):
        settings.update(yaml.safe_load(path.read_text()) or {})
    return settings


def own_settings(scenario):
    """{name: value} a scenario sets itself: connection_options and its linked host_vars."""
    own = {"connection_options": dict(config(scenario).get("provisioner", {}).get("connection_options") or {})}
    host_vars = links(scenario).get("host_vars")
    if host_vars:
        for path in sorted(host_vars.glob("*.yml")):
            own[str(path.relative_to(TOP))] = yaml.safe_load(path.read_text()) or {}
    return own


def molecule_inventory(scenario, where):
    """Write the inventory Molecule would write for the scenario into `where`; return its path."""
    cfg = config(scenario)
    options = cfg.get("provisioner", {}).get("connection_options") or {}
    inventory = {"all": {"hosts": {}}}
    for platform in cfg["platforms"]:
        host = {"ansible_host": platform["ip"], "ansible_user": "root", **options}
        inventory["all"]["hosts"][platform["name"]] = host
        for group in platform.get("groups", ["ungrouped"]):
            inventory.setdefault(group, {"hosts": {}})["hosts"][platform["name"]] = host
    for name, source in links(scenario).items():
        (where / name).symlink_to(source)
    path = where / "ansible_inventory.yml"
    path.write_text(yaml.safe_dump(inventory))
    return path


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_links_the_lab_group_vars(scenario):
    assert links(scenario).get("group_vars") == LAB_GROUP_VARS.resolve(), (
        f"molecule/{scenario} does not link inventories/lab/group_vars")
    inline = {k for k in ("group_vars", "host_vars", "hosts")
              if config(scenario)["provisioner"].get("inventory", {}).get(k)}
    # With links, Molecule writes no inline group_vars/host_vars/hosts: they would be lost.
    assert not inline, f"molecule/{scenario} has inline {sorted(inline)}, which Molecule drops when it links"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_does_not_retype_lab_settings(scenario):
    lab = lab_settings()
    allowed = OWN_EVERYWHERE | set(OVERRIDES.get(scenario, {}))
    for where, values in own_settings(scenario).items():
        retyped = sorted(set(values) & set(lab) - allowed)
        assert not retyped, f"molecule/{scenario} ({where}) retypes lab settings {retyped}: remove them"
        same = sorted(k for k in set(values) & set(lab) - OWN_EVERYWHERE if values[k] == lab[k])
        assert not same, f"molecule/{scenario} ({where}) overrides {same} with the lab's own value: remove them"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_nodes_get_the_lab_settings_and_the_scenario_values(scenario, tmp_path):
    inventory = molecule_inventory(scenario, tmp_path)
    proc = subprocess.run([INVENTORY_BIN, "-i", str(inventory), "--list"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    hostvars = json.loads(proc.stdout)["_meta"]["hostvars"]
    platforms = config(scenario)["platforms"]
    assert sorted(hostvars) == sorted(p["name"] for p in platforms)
    options = config(scenario)["provisioner"]["connection_options"]
    expected = {**lab_settings("all"), **options}
    host_vars = links(scenario).get("host_vars")
    for platform in platforms:
        got = hostvars[platform["name"]]
        own = host_vars / f"{platform['name']}.yml" if host_vars else None
        want = {**expected, **(yaml.safe_load(own.read_text()) if own and own.exists() else {})}
        differ = sorted(k for k, v in want.items() if got.get(k) != v)
        assert not differ, f"{platform['name']} of molecule/{scenario} gets other values for {differ}"
        assert got["cluster_name"] != lab_settings("all")["cluster_name"], "the scenario is a cluster of its own"
        assert ip_address(platform["ip"]) in ip_network(got["cluster_network"]), platform


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_slurm_scenarios_converge_the_whole_site(scenario):
    verifier = config(scenario).get("verifier", {}).get("directory", "tests")
    if (TOP / "molecule" / scenario / verifier).resolve() != SLURM_VERIFIER:
        return
    plays = yaml.safe_load((TOP / "molecule" / scenario / "converge.yml").read_text())
    assert [p.get("ansible.builtin.import_playbook") for p in plays] == ["../../playbooks/site.yml"], scenario


def test_rocky_is_one_scenario_for_both_releases():
    assert "rocky" in SCENARIOS and not {"rocky9", "rocky10"} & set(SCENARIOS), SCENARIOS
    assert config("rocky")["driver"]["lab_os"] == ["rocky9", "rocky10"]
    assert (TOP / "molecule" / "rocky" / config("rocky")["verifier"]["directory"]).resolve() == SLURM_VERIFIER
    for scenario in set(SCENARIOS) - {"rocky"}:
        assert config(scenario)["driver"]["lab_os"] == ["debian12"], scenario
