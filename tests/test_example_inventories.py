"""Every shipped inventory renders end to end: slurm.conf, gres.conf, the /etc/hosts block and the
limits file, from synthetic facts, so an example can never rot.

Facts come from a jsonfile fact cache written here (one file per host, what `gathering = smart`
reads), so no host is contacted. One play renders the cluster-wide files on one host with
connection local, with the roles' own templates, variables and task files, into a temporary
directory (base's destinations are variables); a second play checks the inventory against every
role's argument spec and renders the limits on one host of each kind. No system file is read or
written.
"""

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

sys.path.insert(0, str(TOP / "collections"))
from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import expand  # noqa: E402
from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import lines_per_host  # noqa: E402

ROCKY9 = {"ansible_distribution": "Rocky", "ansible_os_family": "RedHat",
          "ansible_distribution_major_version": "9", "ansible_distribution_version": "9.6"}
DEBIAN12 = {"ansible_distribution": "Debian", "ansible_os_family": "Debian",
            "ansible_distribution_major_version": "12", "ansible_distribution_version": "12.11"}
# The slowest inventory must stay far below a minute: CPU seconds of ansible-playbook (CPU time,
# not wall time, which depends on what else the machine runs).
RENDER_BUDGET = 40


def lab_inventory(tmp_path):
    """A hosts file of the shape 'bin/lab up' writes, beside the lab's group_vars."""
    inv = tmp_path / "lab-inventory"
    inv.mkdir()
    (inv / "group_vars").symlink_to(TOP / "inventories" / "lab" / "group_vars")
    groups = {"control": {"hosts": {"head": {"ansible_host": "10.89.0.10"}}},
              "login": {"hosts": {"login1": {"ansible_host": "10.89.0.11"}}},
              "compute": {"hosts": {"c01": {"ansible_host": "10.89.0.21"},
                                    "c02": {"ansible_host": "10.89.0.22"}}}}
    hosts = {"all": {"children": {"cluster": {"children": groups, "vars": {
        "cluster_network": "10.89.0.0/24", "slurmdbd_db_password": "synthetic-password"}}},
        "vars": {"ansible_user": "root"}}}
    (inv / "hosts.yml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    return inv, DEBIAN12


INVENTORIES = {
    "example": lambda tmp: (TOP / "inventories" / "example", ROCKY9),
    "example-1000": lambda tmp: (TOP / "inventories" / "example-1000" / "hpc.cluster.yml", ROCKY9),
    "lab": lab_inventory,
}


def env_for(tmp_path):
    return dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(TOP / "roles"),
                ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"),
                ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
                ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_RETRY_FILES_ENABLED="0")


def read_inventory(source, env):
    run = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(source), "--list"],
                         capture_output=True, text=True, env=env, check=False, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(run.stdout)

    def members(group, seen=()):
        entry = data.get(group, {})
        hosts = list(entry.get("hosts", []))
        for child in entry.get("children", []):
            if child not in seen:
                hosts += members(child, seen + (group,))
        return hosts

    groups = {name: sorted(set(members(name))) for name in data if name != "_meta"}
    return groups, unwrap(data["_meta"]["hostvars"])


def unwrap(value):
    """ansible-inventory's JSON marks values from inventory plugins as {"__ansible_unsafe": value}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def host_facts(host, groups, hostvars, os_facts):
    """Hardware of the host's kind; GPU hosts get four A100s from hpc.cluster.gpu_facts."""
    address = hostvars[host].get("cluster_address") or hostvars[host].get("ansible_host")
    facts = dict(os_facts, ansible_hostname=host, ansible_processor_count=2, ansible_processor_cores=16,
                 ansible_processor_threads_per_core=1, ansible_memtotal_mb=191000,
                 ansible_default_ipv4={"address": address}, hpc_gpus=[])
    if host in groups.get("gpu", []):
        facts.update(ansible_processor_cores=32, ansible_processor_threads_per_core=2, ansible_memtotal_mb=515000,
                     hpc_gpus=[{"vendor": "nvidia", "index": i, "name": "NVIDIA A100-SXM4-40GB",
                                "type": "a100", "file": "/dev/nvidia%d" % i} for i in range(4)])
    elif host in groups.get("highmem", []):
        facts.update(ansible_memtotal_mb=1031000)
    return facts


# Ansible's own jsonfile cache plugin writes the files, in the format ansible-playbook reads.
WRITE_CACHE = """
import json, sys
from ansible.plugins.loader import cache_loader, init_plugin_loader
init_plugin_loader()
cache = cache_loader.get("ansible.builtin.jsonfile", _uri=sys.argv[1])
for host, facts in json.load(sys.stdin).items():
    cache.set(host, facts)
"""


def write_fact_cache(path, facts):
    subprocess.run([sys.executable, "-c", WRITE_CACHE, str(path)], input=json.dumps(facts), text=True,
                   check=True, timeout=300)


def playbook(render_host, limits_hosts):
    templates = TOP / "roles" / "slurm" / "templates"
    return [
        {"name": "Render the cluster-wide files", "hosts": render_host, "gather_facts": False, "tasks": [
            {"name": "Load role slurm's defaults, variables and OS data",
             "ansible.builtin.include_role": {"name": "slurm", "tasks_from": "set_vars.yml", "public": True}},
            # What slurm's preflight computes once per run: node lines, gres.conf entries, merged settings.
            {"name": "Compute the cluster-wide Slurm data", "ansible.builtin.include_role": {
                "name": "slurm", "tasks_from": "cluster.yml", "public": True}},
            {"name": "Render slurm.conf", "ansible.builtin.template": {
                "src": str(templates / "slurm.conf.j2"), "dest": "{{ out }}/slurm.conf", "mode": "0644"}},
            {"name": "Render gres.conf", "ansible.builtin.template": {
                "src": str(templates / "gres.conf.j2"), "dest": "{{ out }}/gres.conf", "mode": "0644"}},
            {"name": "Render the hosts block", "ansible.builtin.include_role": {
                "name": "base", "tasks_from": "hosts.yml"}},
        ]},
        {"name": "Render the limits", "hosts": ",".join(limits_hosts), "gather_facts": False, "tasks": [
            # What the inventory gives must pass every role's argument spec.
            {"name": "Check the inventory against the roles' argument specs",
             "ansible.builtin.validate_argument_spec": {
                 "argument_spec": "{{ (lookup('file', item) | from_yaml).argument_specs.main.options }}"},
             "loop": sorted(str(p) for p in (TOP / "roles").glob("*/meta/argument_specs.yml"))},
            {"name": "Render the limits file", "ansible.builtin.include_role": {
                "name": "base", "tasks_from": "limits.yml"}},
        ]},
    ]


def render(tmp_path, name):
    source, os_facts = INVENTORIES[name](tmp_path)
    env = env_for(tmp_path)
    groups, hostvars = read_inventory(source, env)
    cluster = groups["cluster"]
    write_fact_cache(tmp_path / "facts", {h: host_facts(h, groups, hostvars, os_facts) for h in cluster})
    out = tmp_path / "out"
    out.mkdir()
    (out / "hosts").write_text("127.0.0.1 localhost\n")
    # One host of each kind, and every host with host_vars of its own.
    limits_hosts = sorted({groups[g][0] for g in ("control", "login", "compute", "gpu") if groups.get(g)}
                          | {h for h in cluster if (Path(str(source)) / "host_vars" / (h + ".yml")).exists()})
    (tmp_path / "play.yml").write_text(yaml.safe_dump(playbook(groups["control"][0], limits_hosts), sort_keys=False))
    extra = {"out": str(out), "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
             "base_hosts_file": str(out / "hosts"), "base_limits_pam_services": [],
             # What a site's Vault file holds (the examples have none).
             "slurmdbd_db_password": "synthetic-vault-password",
             "base_limits_file": str(out) + "/limits-{{ inventory_hostname }}.conf"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(source), str(tmp_path / "play.yml"),
                          "-e", json.dumps(extra)], capture_output=True, text=True, env=env, check=False,
                         timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-3000:]
    return groups, hostvars, out, limits_hosts, seconds


def config_lines(text):
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def params(line):
    return dict(field.split("=", 1) for field in line.split())


@pytest.mark.parametrize("name", sorted(INVENTORIES))
def test_inventory_renders(tmp_path, name):
    groups, hostvars, out, limits_hosts, seconds = render(tmp_path, name)
    compute = set(groups["compute"])
    assert compute, "no compute host"
    control = groups["control"][0]
    partitions = hostvars[control].get("slurm_partitions")
    if partitions is None:
        partitions = yaml.safe_load((TOP / "roles/slurm/defaults/main.yml").read_text())["slurm_partitions"]
    slurm_conf = config_lines((out / "slurm.conf").read_text())

    # Every compute host in exactly one NodeName line, and no other host.
    nodes = [h for line in slurm_conf if line.startswith("NodeName=") for h in expand(params(line)["NodeName"])]
    assert sorted(nodes) == sorted(compute)
    # Declared NodeName parameters (slurm_node) reach the host's line.
    line_of = {h: params(line) for line in slurm_conf if line.startswith("NodeName=")
               for h in expand(params(line)["NodeName"])}
    for host in compute:
        for key, value in (hostvars[host].get("slurm_node") or {}).items():
            if key not in ("Sockets", "CoresPerSocket", "ThreadsPerCore", "RealMemory", "CPUs"):
                text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
                assert line_of[host].get(key) == text, (host, key)

    # One line per declared partition, in order; its nodes are exactly its groups' hosts.
    lines = [params(line) for line in slurm_conf if line.startswith("PartitionName=")]
    assert [p["PartitionName"] for p in lines] == [p["name"] for p in partitions]
    for line, part in zip(lines, partitions):
        members = set(expand(line["Nodes"]))
        assert members <= compute, line
        assert members == {h for g in part["groups"] for h in groups[g]}, line
    assert [p["Default"] for p in lines].count("YES") <= 1
    assert params(next(line for line in slurm_conf if line.startswith("ClusterName=")))["ClusterName"] == \
        hostvars[control].get("cluster_name", "cluster")

    # gres.conf names the GPU hosts (facts or declared slurm_gres), and their NodeName lines carry Gres.
    gpu_hosts = set(groups.get("gpu", [])) | {h for h in compute if hostvars[h].get("slurm_gres")}
    if gpu_hosts:
        gres_lines = [line for line in config_lines((out / "gres.conf").read_text()) if line.startswith("NodeName=")]
        per_host = lines_per_host(gres_lines)
        assert set(per_host) == gpu_hosts
        # Hosts with the same entries share their lines: one line per entry of each distinct set.
        distinct = {tuple(entries) for entries in per_host.values()}
        assert len(gres_lines) == sum(len(entries) for entries in distinct), gres_lines
        for line in slurm_conf:
            if line.startswith("NodeName=") and set(expand(params(line)["NodeName"])) & gpu_hosts:
                assert "Gres" in params(line), line
    else:
        assert "NodeName=" not in (out / "gres.conf").read_text()

    # The hosts block: one line per cluster host, each name and address once.
    text = (out / "hosts").read_text()
    block = re.search(r"# BEGIN hpc-cluster nodes.*?\n(.*?)# END hpc-cluster nodes", text, re.S).group(1)
    entries = [line.split() for line in block.splitlines()]
    assert sorted(e[-1] for e in entries) == sorted(groups["cluster"])
    assert len({e[0] for e in entries}) == len(entries)

    # The limits file of each host rendered: "<domain> <type> <item> <value>" lines.
    for host in limits_hosts:
        limits = config_lines((out / ("limits-%s.conf" % host)).read_text())
        assert limits and all(len(line.split()) == 4 for line in limits), host

    assert seconds < RENDER_BUDGET, "%s took %.0f CPU seconds to render" % (name, seconds)
