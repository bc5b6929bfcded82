# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hpc.cluster.cluster inventory plugin: the model from tables, then the real CLI."""

from __future__ import annotations

import functools
import json
import os
import pathlib
import subprocess
import sys

import pytest
from ansible.errors import AnsibleParserError

from ansible_collections.hpc.cluster.plugins.inventory.cluster import build_model

COLLECTIONS = pathlib.Path(__file__).resolve().parents[7]
REPO = COLLECTIONS.parent


def model(groups, network="10.0.0.0/24", overrides=None, cluster_vars=None, domain=None):
    return build_model("test.cluster.yml", "lab", network, domain, cluster_vars or {}, groups, overrides or {})


def hostvars(result):
    return {host: variables for host, _group, variables in result["hosts"]}


def test_small_cluster():
    result = model({
        "control": {"hosts": "ctl", "address_start": "10.0.0.10"},
        "login": {"hosts": "login[1-2]", "address_offset": 20},
        "compute": {"hosts": "c[01-03]", "address_start": "10.0.0.100", "children": ["gpu"],
                    "vars": {"slurm_weight": 1}},
        "gpu": {"hosts": ["g1", "g2"], "address_start": "10.0.0.200"},
        "highmem": {"hosts": "hm1"},
    }, overrides={"c02": {"cluster_address": "10.0.0.150", "rack": 2}, "g1": {"ansible_host": "g1.mgmt"}},
        cluster_vars={"slurm_partitions": []}, domain="lab.local")
    assert result["groups"] == ["control", "login", "compute", "gpu", "highmem"]
    assert result["edges"] == [("cluster", "control"), ("cluster", "login"), ("cluster", "compute"),
                               ("compute", "gpu"), ("compute", "highmem")]
    assert result["cluster_vars"] == {"cluster_name": "lab", "cluster_network": "10.0.0.0/24",
                                      "cluster_domain": "lab.local", "slurm_partitions": []}
    assert result["group_vars"] == {"compute": {"slurm_weight": 1}}
    assert [(h, g) for h, g, _v in result["hosts"]] == [
        ("ctl", "control"), ("login1", "login"), ("login2", "login"), ("c01", "compute"), ("c02", "compute"),
        ("c03", "compute"), ("g1", "gpu"), ("g2", "gpu"), ("hm1", "highmem")]
    assert hostvars(result) == {
        "ctl": {"cluster_address": "10.0.0.10", "ansible_host": "10.0.0.10"},
        "login1": {"cluster_address": "10.0.0.20", "ansible_host": "10.0.0.20"},
        "login2": {"cluster_address": "10.0.0.21", "ansible_host": "10.0.0.21"},
        "c01": {"cluster_address": "10.0.0.100", "ansible_host": "10.0.0.100"},
        "c02": {"cluster_address": "10.0.0.150", "ansible_host": "10.0.0.150", "rack": 2},
        "c03": {"cluster_address": "10.0.0.102", "ansible_host": "10.0.0.102"},
        "g1": {"cluster_address": "10.0.0.200", "ansible_host": "g1.mgmt"},
        "g2": {"cluster_address": "10.0.0.201", "ansible_host": "10.0.0.201"},
        "hm1": {},
    }


def test_core_groups_exist_when_empty():
    result = model({"compute": {"hosts": "c1"}})
    assert result["groups"] == ["control", "login", "compute"]
    assert hostvars(result) == {"c1": {}}


def test_ipv6():
    result = model({"compute": {"hosts": "c[1-2]", "address_start": "fd00::10"}}, network="fd00::/64")
    assert [v["cluster_address"] for v in hostvars(result).values()] == ["fd00::10", "fd00::11"]


def test_names_with_text_after_the_last_bracket():
    """BMC and InfiniBand names (c[001-002]-ipmi): hosts of the inventory, never a Slurm hostlist."""
    result = model({"compute": {"hosts": "c[001-002]"},
                    "bmc": {"hosts": "c[001-002]-ipmi", "address_start": "10.0.0.201"}})
    assert hostvars(result) == {
        "c001": {}, "c002": {},
        "c001-ipmi": {"cluster_address": "10.0.0.201", "ansible_host": "10.0.0.201"},
        "c002-ipmi": {"cluster_address": "10.0.0.202", "ansible_host": "10.0.0.202"}}


ERRORS = [
    ({"compute": {"hosts": "c[1-3]"}, "gpu": {"hosts": "c3"}}, {}, "10.0.0.0/24",
     "host c3 is defined twice (groups compute and gpu)"),
    ({"compute": {"hosts": "c[1-3],c2"}}, {}, "10.0.0.0/24",
     "host c2 appears twice in the hosts pattern of group compute"),
    ({"compute": {"hosts": "c[1-3]-ib]"}}, {}, "10.0.0.0/24",
     "group compute: bad hosts pattern: unbalanced or nested brackets"),
    ({"compute": {"hosts": "c[3-1]"}}, {}, "10.0.0.0/24", "group compute: bad hosts pattern: reversed range '3-1'"),
    ({"compute": {"hosts": "c[1-2", "address_start": "10.0.0.1"}}, {}, "10.0.0.0/24",
     "group compute: bad hosts pattern: unbalanced"),
    ({"compute": {"hosts": "c[1-3]", "address_start": "10.0.0.253"}}, {}, "10.0.0.0/24",
     "group compute: host c3 (number 3 of the group) would get address 10.0.0.255, outside the usable "
     "addresses of 10.0.0.0/24"),
    ({"compute": {"hosts": "c[1-3]", "address_start": "10.0.1.1"}}, {}, "10.0.0.0/24",
     "group compute: address_start 10.0.1.1 is not a usable address of 10.0.0.0/24"),
    ({"compute": {"hosts": "c[1-3]", "address_offset": 0}}, {}, "10.0.0.0/24",
     "group compute: address_offset must be a positive integer, got 0"),
    ({"compute": {"hosts": "c[1-3]", "address_offset": 300}}, {}, "10.0.0.0/24",
     "group compute: address_offset 300 is outside 10.0.0.0/24 (256 addresses)"),
    ({"compute": {"hosts": "c1", "address_offset": 1, "address_start": "10.0.0.1"}}, {}, "10.0.0.0/24",
     "group compute: give address_start or address_offset, not both"),
    ({"compute": {"hosts": "c1", "address_start": "ten"}}, {}, "10.0.0.0/24",
     "group compute: address_start 'ten' is not an IP address"),
    ({"control": {"hosts": "ctl", "address_start": "10.0.0.5"},
      "compute": {"hosts": "c[1-3]", "address_start": "10.0.0.3"}}, {}, "10.0.0.0/24",
     "hosts ctl and c3 have the same address 10.0.0.5"),
    ({"compute": {"hosts": "c[1-2]", "address_start": "10.0.0.1"}}, {"c2": {"cluster_address": "10.0.0.1"}},
     "10.0.0.0/24", "hosts c1 and c2 have the same address 10.0.0.1"),
    ({"compute": {"hosts": "c1"}}, {"c1": {"cluster_address": "192.168.0.1"}}, "10.0.0.0/24",
     "hosts: c1: cluster_address 192.168.0.1 is not a usable address of 10.0.0.0/24"),
    ({"compute": {"hosts": "c1"}}, {"c1": {"cluster_address": "nope"}}, "10.0.0.0/24",
     "hosts: c1: cluster_address 'nope' is not an IP address"),
    ({"compute": {"hosts": "c1"}}, {"c9": {"rack": 1}}, "10.0.0.0/24",
     "hosts: c9 is not in any group's hosts pattern"),
    ({"compute": {"hosts": "c1", "adress_start": "10.0.0.1"}}, {}, "10.0.0.0/24",
     "group compute: unknown key(s) adress_start"),
    ({"compute": {"hosts": "c1", "children": ["gpu"]}}, {}, "10.0.0.0/24",
     "group compute: unknown child group 'gpu'"),
    ({"gpu": {"children": ["compute"]}}, {}, "10.0.0.0/24",
     "group gpu: compute is a child of cluster and cannot be moved"),
    ({"cluster": {"hosts": "c1"}}, {}, "10.0.0.0/24", "group 'cluster' is reserved"),
    ({"gpu-nodes": {"hosts": "g1"}}, {}, "10.0.0.0/24", "group name 'gpu-nodes' is not valid"),
    ({"compute": {"hosts": "c1"}}, {}, "10.0.0.1/24", "cluster_network '10.0.0.1/24' is not a network"),
    ({"compute": {"hosts": "c1"}}, {}, "lab", "cluster_network 'lab' is not a network"),
    ({"compute": ["c1"]}, {}, "10.0.0.0/24", "group compute: expected a dictionary"),
]


@pytest.mark.parametrize("groups, overrides, network, message", ERRORS, ids=[e[3][:50] for e in ERRORS])
def test_errors(groups, overrides, network, message):
    with pytest.raises(AnsibleParserError) as caught:
        model(groups, network=network, overrides=overrides)
    assert message in str(caught.value)
    assert str(caught.value).startswith("test.cluster.yml: ")


# --- the real ansible-inventory ---------------------------------------------

ANSIBLE_INVENTORY = pathlib.Path(sys.executable).parent / "ansible-inventory"


def needs_cli(test):
    """ansible-inventory comes with ansible-core, next to the Python running the tests."""
    def run(*args, **kwargs):
        assert ANSIBLE_INVENTORY.exists(), "ansible-inventory is not next to %s" % sys.executable
        return test(*args, **kwargs)
    return functools.wraps(test)(run)


def run_inventory(tmp_path, path, *args):
    """ansible-inventory with a neutral ansible.cfg and only this collection."""
    config = tmp_path / "ansible.cfg"
    config.write_text("[defaults]\n")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_CONFIG=str(config),
               ANSIBLE_INVENTORY_UNPARSED_FAILED="true", ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path), ANSIBLE_HOME=str(tmp_path))
    return subprocess.run([str(ANSIBLE_INVENTORY), "-i", str(path)] + list(args), env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)


@needs_cli
def test_example_1000(tmp_path):
    path = REPO / "inventories" / "example-1000" / "hpc.cluster.yml"
    assert path.exists(), "the 1,000-node example inventory is missing"
    proc = run_inventory(tmp_path, path, "--list")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    hostvars = data["_meta"]["hostvars"]
    assert len(hostvars) == 1000
    assert data["cluster"]["children"] == ["control", "login", "compute"]
    assert sorted(data["compute"]["children"]) == ["gpu", "highmem"]
    addresses = [v["cluster_address"] for v in hostvars.values()]
    assert len(set(map(str, addresses))) == 1000


@needs_cli
def test_cli_refuses_duplicates(tmp_path):
    path = tmp_path / "bad.cluster.yml"
    path.write_text("plugin: hpc.cluster.cluster\ncluster_name: t\ncluster_network: 10.1.0.0/24\n"
                    "groups:\n  compute:\n    hosts: c[1-3]\n  gpu:\n    hosts: c[3-4]\n")
    proc = run_inventory(tmp_path, path, "--graph")
    assert proc.returncode != 0
    assert "host c3 is defined twice (groups compute and gpu)" in proc.stderr


@needs_cli
def test_cli_small(tmp_path):
    path = tmp_path / "lab.cluster.yml"
    path.write_text("plugin: hpc.cluster.cluster\ncluster_name: t\ncluster_network: 10.1.0.0/24\n"
                    "groups:\n  control:\n    hosts: ctl\n    address_start: 10.1.0.2\n"
                    "  compute:\n    hosts: c[1-2]\n    address_offset: 10\n")
    proc = run_inventory(tmp_path, path, "--host", "c2")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"ansible_host": "10.1.0.11", "cluster_address": "10.1.0.11",
                                       "cluster_name": "t", "cluster_network": "10.1.0.0/24"}
