"""hpc.cluster.slurm_cluster_data gives, through ansible-playbook, what the hostvars path gave before.

For the shipped inventories (group_vars/host_vars files; the hpc.cluster.cluster inventory plugin
with 1,000 nodes) and a small one with every variable source (host_vars file, set_fact on another
host, extra vars, a template), one play on the control host computes the compute nodes' data
three ways: the action reading layer by layer (reader auto), the action reading hostvars
(reader hostvars), and the filter over `dict(hosts | zip(hosts | map('extract', hostvars)))`
as roles/slurm/tasks/cluster.yml did before. All three must be equal, and the settings check
must name the same hosts either way. Facts come from a jsonfile fact cache, as in a real run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETTINGS = ["slurm_config", "slurm_config_group", "slurm_partitions", "slurm_cgroup_config"]

WRITE_CACHE = """
import json, sys
from ansible.plugins.loader import cache_loader, init_plugin_loader
init_plugin_loader()
cache = cache_loader.get("ansible.builtin.jsonfile", _uri=sys.argv[1])
for host, facts in json.load(sys.stdin).items():
    cache.set(host, facts)
"""


def env_for(tmp_path):
    return dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(TOP / "roles"),
                ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"),
                ANSIBLE_CACHE_PLUGIN_TIMEOUT="0", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="0",
                ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_RETRY_FILES_ENABLED="0")


def groups_of(source, env):
    run = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(source), "--list"], capture_output=True,
                         text=True, env=env, check=True, timeout=300)
    data = json.loads(run.stdout)

    def members(group):
        entry = data.get(group, {})
        return list(entry.get("hosts", [])) + [h for child in entry.get("children", []) for h in members(child)]

    return {name: sorted(set(members(name))) for name in data if name != "_meta"}


def facts_for(host, index, gpu):
    facts = {"ansible_distribution": "Rocky", "ansible_os_family": "RedHat", "ansible_hostname": host,
             "ansible_processor_count": 2, "ansible_processor_cores": 16 + 16 * (index % 3 == 1),
             "ansible_processor_threads_per_core": 1 + (index % 3 == 2),
             "ansible_memtotal_mb": 191000 - 16384 * (index % 50 == 7), "hpc_gpus": []}
    if gpu:
        facts["hpc_gpus"] = [{"vendor": "nvidia", "index": i, "type": "a100", "file": "/dev/nvidia%d" % i}
                             for i in range(4)]
    return facts


def small_inventory(tmp_path):
    """Every variable source: inventory vars, group_vars and host_vars files, and (in the play) more."""
    top = tmp_path / "small"
    (top / "group_vars").mkdir(parents=True)
    (top / "host_vars").mkdir()
    hosts = {"all": {"children": {"cluster": {"children": {
        "control": {"hosts": {"head": {}}},
        "login": {"hosts": {"login1": {}}},
        "compute": {"hosts": {"c01": {}, "c02": {}, "c03": {}, "c04": {"slurm_config": {"MaxJobCount": 5}}},
                    "children": {"gpu": {"hosts": {"g01": {}}}}}}}}}}
    (top / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (top / "group_vars" / "all.yml").write_text("slurm_partitions: [{name: batch, groups: [compute]}]\n")
    (top / "group_vars" / "compute.yml").write_text("slurm_node: {Weight: 1}\n")
    (top / "group_vars" / "gpu.yml").write_text("slurm_node: {Weight: 10, Features: [gpu]}\n")
    # A template, read through hostvars; a host_vars file with other settings.
    (top / "host_vars" / "c02.yml").write_text("slurm_node: {Weight: '{{ 40 + 2 }}'}\n")
    (top / "host_vars" / "c03.yml").write_text("slurm_config: {MaxJobCount: 5}\n")
    return top


INVENTORIES = {
    "example": lambda tmp: TOP / "inventories" / "example",
    "example-1000": lambda tmp: TOP / "inventories" / "example-1000" / "hpc.cluster.yml",
    "small": small_inventory,
}


def play(groups, out):
    compute = groups["compute"]
    action = {"compute_group": "compute", "memory_reserve_mb": 1024, "memory_granularity_mb": 1024,
              "same_groups": ["control", "compute", "login"], "same_variables": SETTINGS}
    before = ("{{ dict(groups['compute'] | zip(groups['compute'] | map('extract', hostvars)))"
              " | hpc.cluster.slurm_nodes(memory_reserve_mb=1024, memory_granularity_mb=1024) }}")
    tasks = [
        # A set_fact on another host (delegate_facts): above the inventory and the facts.
        {"name": "Set a fact on a compute host", "ansible.builtin.set_fact": {"slurm_gres": [{"name": "shard"}]},
         "delegate_to": compute[0], "delegate_facts": True},
        {"name": "Layer by layer", "hpc.cluster.slurm_cluster_data": action, "register": "fast"},
        {"name": "Through hostvars", "hpc.cluster.slurm_cluster_data": dict(action, reader="hostvars"),
         "register": "slow"},
        {"name": "As before", "ansible.builtin.set_fact": {"old": before}},
        {"name": "Keep the results", "ansible.builtin.copy": {
            "content": "{{ {'fast': fast, 'slow': slow, 'old': old} | to_json }}", "dest": str(out), "mode": "0644"}},
    ]
    return [{"name": "Compare", "hosts": groups["control"][0], "gather_facts": False, "tasks": tasks}]


def write_facts(tmp_path, facts):
    subprocess.run([sys.executable, "-c", WRITE_CACHE, str(tmp_path / "facts")], input=json.dumps(facts),
                   text=True, check=True, timeout=300)


def run_play(tmp_path, source, groups, env):
    out = tmp_path / "result.json"
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play(groups, out), sort_keys=False))
    extra = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
             "slurm_cgroup_config": {"ConstrainCores": True}}
    run = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(source), str(tmp_path / "play.yml"),
                          "-e", json.dumps(extra)], capture_output=True, text=True, env=env, check=False,
                         timeout=900)
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-3000:]
    assert "WARNING" not in run.stdout + run.stderr, run.stdout + run.stderr
    return json.loads(out.read_text())


def cluster_facts(groups):
    gpu = set(groups.get("gpu", []))
    return {h: facts_for(h, i, h in gpu) for i, h in enumerate(sorted(groups["cluster"]))}


@pytest.mark.parametrize("name", sorted(INVENTORIES))
def test_action_equals_the_hostvars_path(tmp_path, name):
    source = INVENTORIES[name](tmp_path)
    env = env_for(tmp_path)
    groups = groups_of(source, env)
    write_facts(tmp_path, cluster_facts(groups))
    result = run_play(tmp_path, source, groups, env)
    fast, slow, old = result["fast"], result["slow"], result["old"]

    keys = ("node_lines", "gres", "gres_types")
    assert {k: fast[k] for k in keys} == {k: slow[k] for k in keys} == old
    assert fast["settings_mismatch"] == slow["settings_mismatch"]
    assert fast["settings_reference"] == slow["settings_reference"] == groups["control"][0]
    assert (fast["reader"], slow["reader"]) == ("layered", "hostvars")
    # The set_fact on the first compute host reached the data: it declares a gres.
    assert old["gres"][groups["compute"][0]] == [{"name": "shard"}]
    lines = "\n".join(old["node_lines"])
    if name == "small":
        assert fast["hostvars_reads"] == 1  # c02's templated slurm_node
        assert "NodeName=c02 " in lines and "Weight=42" in lines
        assert fast["settings_mismatch"] == ["hosts c[03-04] see different slurm_config"]
    else:
        assert fast["hostvars_reads"] == 0
        assert fast["settings_mismatch"] == []


def test_fact_digest_is_reused_until_a_hosts_facts_change(tmp_path):
    """The second run reads the unchanged hosts' facts from the digest; a host with new facts is decoded again."""
    source = small_inventory(tmp_path)
    env = env_for(tmp_path)
    groups = groups_of(source, env)
    facts = cluster_facts(groups)
    write_facts(tmp_path, facts)
    first = run_play(tmp_path, source, groups, env)
    digest = json.loads((tmp_path / "facts" / ".hpc.cluster.slurm_cluster_data.json").read_text())
    # Every host the action read, the play's own too (its facts are in memory, from the same file);
    # keyed as the cache plugin names the host's file (ansible-core adds a prefix such as s1_).
    stored = set(groups["compute"]) | set(groups["login"]) | {groups["control"][0]}
    assert len(digest["hosts"]) == len(stored) and all(any(k.endswith(h) for k in digest["hosts"]) for h in stored)
    assert first["fast"]["facts_from_digest"] == 0
    # Later runs take from the digest every host but the play's own (read from memory).
    read = stored - {groups["control"][0]}

    second = run_play(tmp_path, source, groups, env)
    assert second["fast"]["facts_from_digest"] == len(read)
    assert second["fast"]["node_lines"] == first["fast"]["node_lines"] == second["old"]["node_lines"]

    # c03 gets more memory (its cache file is rewritten): the digest must not hand out the old value.
    facts["c03"]["ansible_memtotal_mb"] = 385000
    write_facts(tmp_path, {"c03": facts["c03"]})
    third = run_play(tmp_path, source, groups, env)
    assert third["fast"]["facts_from_digest"] == len(read) - 1
    assert third["fast"]["node_lines"] == third["old"]["node_lines"] != first["fast"]["node_lines"]
    assert any(line.startswith("NodeName=c03 ") and "RealMemory=382976" in line
               for line in third["fast"]["node_lines"]), third["fast"]["node_lines"]


def test_role_slurm_hands_its_gres_autodetect_to_the_action():
    """The action refuses a GPU without device files unless gres.conf has AutoDetect (the role's)."""
    tasks = yaml.safe_load((TOP / "roles" / "slurm" / "tasks" / "cluster.yml").read_text())
    action = next(t["hpc.cluster.slurm_cluster_data"] for t in tasks if "hpc.cluster.slurm_cluster_data" in t)
    assert action["gres_autodetect"] == "{{ slurm_gres_autodetect }}"
