"""NFS roles without NFS (this kernel has none): render the exports file and the mounts.

ansible-playbook renders the roles' own template and variables on the controller
(connection local) with the roles' defaults, as a converge would.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")


def run_play(tmp_path, tasks, vars_files, cluster_vars, host_vars=None, extra=None):
    """Run tasks on c01 of a head+c01 inventory; extra vars beat the roles' files (like inventory)."""
    hosts = {"head": {"ansible_host": "10.1.0.10"}, "c01": {"ansible_host": "10.1.0.21"}}
    for name, values in (host_vars or {}).items():
        hosts[name].update(values)
    for values in hosts.values():
        values.update(ansible_connection="local", ansible_python_interpreter=sys.executable)
    inventory = {"all": {"children": {"cluster": {"children": {
        "control": {"hosts": {"head": hosts["head"]}},
        "compute": {"hosts": {"c01": hosts["c01"]}}}, "vars": cluster_vars}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Render", "hosts": "c01", "gather_facts": False,
             "vars_files": [str(TOP / f) for f in vars_files], "tasks": tasks}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    if extra:
        args += ["-e", json.dumps(extra)]
    run = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def render_exports(tmp_path, cluster_vars, extra=None):
    out = tmp_path / "exports"
    run_play(tmp_path, [{"ansible.builtin.template": {
        "src": str(TOP / "roles/nfs_server/templates/exports.j2"), "dest": str(out), "mode": "0644"}}],
        ["roles/nfs_server/defaults/main.yml"], cluster_vars, extra=extra)
    return out.read_text()




def test_exports_render_to_the_cluster_network(tmp_path):
    text = render_exports(tmp_path, {"cluster_network": "10.1.0.0/16"})
    assert text.startswith("#")
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        "/home 10.1.0.0/16(rw,sync,no_subtree_check,root_squash)",
        "/opt/software 10.1.0.0/16(ro,sync,no_subtree_check,root_squash)",
    ]


def test_exports_take_their_own_clients(tmp_path):
    exports = [{"path": "/scratch", "clients": "10.1.2.0/24", "options": ["rw", "async"]}]
    text = render_exports(tmp_path, {"cluster_network": "10.1.0.0/16"}, {"nfs_server_exports": exports})
    assert "/scratch 10.1.2.0/24(rw,async)" in text.splitlines()


def mounts(tmp_path, cluster_vars, host_vars=None):
    out = tmp_path / "mounts.json"
    run_play(tmp_path, [{"ansible.builtin.copy": {
        "content": "{{ __nfs_client_mounts | to_json }}", "dest": str(out), "mode": "0644"}}],
        ["roles/nfs_client/defaults/main.yml", "roles/nfs_client/vars/main.yml"], cluster_vars, host_vars)
    return json.loads(out.read_text())


def test_mounts_use_the_server_ansible_host_address(tmp_path):
    assert mounts(tmp_path, {"cluster_network": "10.1.0.0/16"}) == [
        {"path": "/home", "src": "10.1.0.10:/home", "fstype": "nfs",
         "opts": "rw,hard,noatime,_netdev,vers=4.2"},
        {"path": "/opt/software", "src": "10.1.0.10:/opt/software", "fstype": "nfs",
         "opts": "ro,hard,noatime,_netdev,vers=4.2"},
    ]


def test_mounts_prefer_cluster_address(tmp_path):
    result = mounts(tmp_path, {"cluster_network": "10.1.0.0/16"},
                    {"head": {"ansible_host": "head.example.org", "cluster_address": "10.1.0.99"}})
    assert [m["src"] for m in result] == ["10.1.0.99:/home", "10.1.0.99:/opt/software"]
