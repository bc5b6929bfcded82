"""One cluster-address rule for roles base, chrony and nfs_client, computed once per run.

Each case runs the roles' preflights with ansible-playbook on the controller (connection local)
against a 3-node inventory of the contract's shape; nothing on the system is touched.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")

HOSTS = {
    "head": {"ansible_host": "10.1.0.10"},
    "login1": {"ansible_host": "login1.example.org", "cluster_address": "10.1.0.11"},
    "c01": {"ansible_host": "10.1.0.21"},
}
CLUSTER_VARS = {"cluster_network": "10.1.0.0/16", "chrony_cluster_server": True}
PREFLIGHTS = [{"ansible.builtin.include_role": {"name": role, "tasks_from": "preflight.yml", "public": True}}
              for role in ("base", "chrony", "nfs_client")]


def run_play(tmp_path, tasks, host_vars=None, hosts="cluster"):
    """Run tasks on `hosts` of a head (control) + login1 (login) + c01 (compute) inventory."""
    inventory_hosts = {name: dict(values, ansible_connection="local", ansible_python_interpreter=sys.executable)
                       for name, values in HOSTS.items()}
    for name, values in (host_vars or {}).items():
        inventory_hosts[name].update(values)
    children = {"control": {"hosts": {"head": inventory_hosts["head"]}},
                "login": {"hosts": {"login1": inventory_hosts["login1"]}},
                "compute": {"hosts": {"c01": inventory_hosts["c01"]}}}
    inventory = {"all": {"children": {"cluster": {"children": children, "vars": CLUSTER_VARS}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Test", "hosts": hosts, "gather_facts": False, "tasks": tasks}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0")
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)


ADDRESSES = {"head": "10.1.0.10", "login1": "10.1.0.11", "c01": "10.1.0.21"}


def test_three_roles_one_rule_computed_once(tmp_path):
    """After the preflights every host holds the addresses as facts, and the roles read those."""
    report = ("{{ {'facts': [__base_addresses, __chrony_addresses, __nfs_client_addresses],"
              " 'read': [__base_hosts_addresses.values() | list, __chrony_server_addresses,"
              " __nfs_client_server_address], 'sources': __chrony_effective_sources} | to_json }}")
    tasks = [*PREFLIGHTS,
             {"ansible.builtin.copy": {"content": report, "dest": str(tmp_path / "seen-{{ inventory_hostname }}"),
                                       "mode": "0644"}}]
    run = run_play(tmp_path, tasks)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    for task in ("Find the cluster address of every node", "Find the cluster address of the time servers",
                 "Find the cluster address of the NFS server"):
        section = run.stdout.split(task, 1)[1].split("TASK [", 1)[0]
        assert section.count("ok: [") == 1, section  # run once, for every host
    for host in HOSTS:
        seen = json.loads((tmp_path / ("seen-" + host)).read_text())
        assert seen["facts"] == [ADDRESSES, {"head": "10.1.0.10"}, {"head": "10.1.0.10"}], host
        base, chrony, nfs = seen["read"]
        assert (sorted(base), chrony, nfs) == (sorted(ADDRESSES.values()), ["10.1.0.10"], "10.1.0.10"), host
        clients = [{"address": "10.1.0.10", "type": "server", "options": ["iburst"]}]
        assert (seen["sources"] == clients) is (host != "head"), host


CASES = [
    # (id, host vars, message expected in the failure)
    ("base-not-ipv4", {"c01": {"cluster_address": "c01-ib.example.org"}},
     "cluster address is not an IPv4 address for c01 (c01-ib.example.org)"),
    ("chrony-server-no-address", {"head": {"ansible_host": "head.example.org"}},
     "time servers, group control (chrony_server_group): no cluster address for head"),
    ("chrony-server-not-ipv4", {"head": {"cluster_address": "fd00::10"}},
     "time servers, group control (chrony_server_group): cluster address is not an IPv4 address for head"),
    ("nfs-server-not-ipv4", {"head": {"cluster_address": "head-ib"}},
     "NFS server head (nfs_client_server): cluster address is not an IPv4 address for head (head-ib)"),
]


@pytest.mark.parametrize(("role", "host_vars", "message"),
                         [(c[0].split("-")[0].replace("nfs", "nfs_client"), *c[1:]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_preflight_refuses_by_name(tmp_path, role, host_vars, message):
    tasks = [{"ansible.builtin.include_role": {"name": role, "tasks_from": "preflight.yml"}}]
    run = run_play(tmp_path, tasks, host_vars, hosts="c01")
    assert run.returncode != 0, run.stdout[-4000:]
    assert message in run.stdout, run.stdout[-4000:]
