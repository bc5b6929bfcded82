# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hpc.cluster.host_values gives what hostvars gives, for the names asked, without a hostvars entry per host."""

from __future__ import annotations

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import cache_loader
from ansible.utils.display import Display
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.hpc.cluster.plugins.lookup.host_values import LookupModule

pytestmark = pytest.mark.usefixtures("plugin_loader")

NAMES = ["cluster_address", "ansible_host", "node_exporter_port", "__key_state"]
# Eight nodes in four distinct sets of groups.
GROUPS = {"control": ["head"], "login": ["login1"], "compute": ["c01", "c02", "c03", "c04"], "gpu": ["g01", "g02"]}
HOSTS = [host for hosts in GROUPS.values() for host in hosts]


class CountingHostVars(HostVars):
    """HostVars that counts the entries built (each one merges every variable source of a host)."""

    entries = 0

    def __getitem__(self, host):
        type(self).entries += 1
        return super().__getitem__(host)


@pytest.fixture(params=["memory", "jsonfile"])
def cluster(request, tmp_path):
    inventory = {"all": {"children": {"cluster": {
        "children": {
            "control": {"hosts": {"head": {"ansible_host": "head.example.org", "cluster_address": "10.0.0.1"}}},
            "login": {"hosts": {"login1": {"ansible_host": "10.0.0.5"}}},
            "compute": {"hosts": {"c01": {}, "c02": {"node_exporter_port": 9200}, "c03": {}, "c04": {}},
                        "children": {"gpu": {"hosts": {"g01": {}, "g02": {}}}}},
        },
        "vars": {"node_exporter_port": 9100},
    }}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "gpu.yml").write_text(yaml.safe_dump({"node_exporter_port": 9300}))
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "c03.yml").write_text(yaml.safe_dump({"cluster_address": "10.0.0.33"}))
    loader = DataLoader()
    manager = VariableManager(loader=loader, inventory=InventoryManager(loader=loader,
                                                                         sources=[str(tmp_path / "hosts.yml")]))
    if request.param == "jsonfile":
        manager._fact_cache = cache_loader.get("ansible.builtin.jsonfile", _uri=str(tmp_path / "facts"))
    else:
        manager._fact_cache = cache_loader.get("ansible.builtin.memory")
    for number, host in enumerate(HOSTS):
        manager.set_host_facts(host, {"ansible_default_ipv4": {"address": "10.0.1.%d" % number},
                                      "ansible_memtotal_mb": 1000, "ansible_hostname": host})
        # What `register` leaves: a non-persistent fact.
        manager.set_nonpersistent_facts(host, {"__key_state": {"exists": True, "sha256": "ab%d" % number}})
    manager._vars_cache["c04"] = {"cluster_address": "10.0.0.44"}  # include_vars
    manager._extra_vars = {"node_exporter_port": 9999} if request.param == "jsonfile" else {}
    CountingHostVars.entries = 0
    return CountingHostVars(inventory=manager._inventory, variable_manager=manager, loader=loader), manager


def lookup(hostvars, hosts, **options):
    return LookupModule().run([hosts], variables={"hostvars": hostvars}, **options)[0]


def from_hostvars(hostvars, hosts, names, fact_keys=()):
    """What `map('extract', hostvars)` gives for the names (and the fact keys)."""
    out = {}
    for host in hosts:
        entry = hostvars[host]
        out[host] = {name: entry[name] for name in names if name in entry}
        if fact_keys:
            out[host]["ansible_facts"] = {key: entry["ansible_facts"][key] for key in fact_keys
                                          if key in entry["ansible_facts"]}
    return out


def test_same_values_as_hostvars_one_entry_per_set_of_groups(cluster):
    hostvars, _manager = cluster
    values = lookup(hostvars, HOSTS, names=NAMES, facts=["default_ipv4", "nothing_such"])
    # One hostvars entry per distinct set of groups (the self-check), not one per host.
    assert CountingHostVars.entries == len(GROUPS)
    assert values == from_hostvars(hostvars, HOSTS, NAMES, ["default_ipv4", "nothing_such"])
    assert list(values) == HOSTS
    assert values["c03"]["cluster_address"] == "10.0.0.33" and values["c04"]["cluster_address"] == "10.0.0.44"
    assert values["g01"]["ansible_facts"] == {"default_ipv4": {"address": "10.0.1.6"}}
    assert values["c01"]["__key_state"] == {"exists": True, "sha256": "ab2"}
    assert "cluster_address" not in values["c01"]  # a variable a host does not have is left out


def test_asking_for_a_connection_variable_warns_nothing(cluster, monkeypatch):
    """ansible_host is a name clean_facts removes from module data, with a warning: not ours to show."""
    hostvars, _manager = cluster
    shown = []
    monkeypatch.setattr(Display, "warning", lambda self, text, *args, **kwargs: shown.append(text))
    values = lookup(hostvars, HOSTS, names=["ansible_host", "cluster_address"])
    assert values["head"]["ansible_host"] == "head.example.org" and shown == []
    Display().warning("still shown")  # the warning is back for everyone else
    assert shown == ["still shown"]


def test_without_facts_no_ansible_facts(cluster):
    hostvars, _manager = cluster
    values = lookup(hostvars, ["head", "c01"], names=["__key_state"])
    assert values == {"head": {"__key_state": {"exists": True, "sha256": "ab0"}},
                      "c01": {"__key_state": {"exists": True, "sha256": "ab2"}}}


@pytest.mark.parametrize("inject", [True, False], ids=["injected", "not-injected"])
def test_a_fact_named_like_a_variable_is_read_as_hostvars_reads_it(cluster, monkeypatch, inject):
    """Injected (ansible-core's default) the fact is a variable above the inventory; not injected (this
    project's ansible.cfg) it is no variable at all."""
    monkeypatch.setattr(C, "INJECT_FACTS_AS_VARS", inject)
    hostvars, manager = cluster
    manager.set_host_facts("c01", {"node_exporter_port": 9555})
    values = lookup(hostvars, HOSTS, names=NAMES)
    assert values == from_hostvars(hostvars, HOSTS, NAMES)
    if manager._extra_vars:
        assert values["c01"]["node_exporter_port"] == 9999
    else:
        assert (values["c01"]["node_exporter_port"] == 9555) is inject


def test_a_template_is_read_through_hostvars(cluster):
    hostvars, manager = cluster
    top = manager._inventory._sources[0].rsplit("/", 1)[0]
    with open(top + "/host_vars/c02.yml", "w") as handle:  # a file's strings are trusted templates
        handle.write("cluster_address: \"10.0.0.{{ 20 + 2 }}\"\n")
    values = lookup(hostvars, HOSTS, names=NAMES)
    assert values["c02"]["cluster_address"] == "10.0.0.22"
    assert values == from_hostvars(hostvars, HOSTS, NAMES)


def test_lists_are_flattened_and_hosts_read_once(cluster):
    hostvars, _manager = cluster
    values = LookupModule().run([["c02", "head"], "c02", [["g01"]]], variables={"hostvars": hostvars},
                                names=["node_exporter_port"])[0]
    assert list(values) == ["c02", "head", "g01"]


@pytest.mark.parametrize("hosts, message", [
    (["c01", "nosuch", "other"], "not in the inventory: nosuch, other"),
    ([["c01", 7]], "hosts must be inventory names, got 7"),
])
def test_bad_hosts_are_named(cluster, hosts, message):
    hostvars, _manager = cluster
    with pytest.raises(AnsibleLookupError, match=message):
        LookupModule().run(hosts, variables={"hostvars": hostvars}, names=NAMES)


@pytest.mark.parametrize("options, message", [
    ({}, "names must be a list of variable names, got None"),
    ({"names": "cluster_address"}, "names must be a list"),
    ({"names": NAMES, "facts": "default_ipv4"}, "facts must be a list"),
    ({"names": NAMES, "fact": ["default_ipv4"]}, "unknown options: fact"),
])
def test_bad_options_are_named(cluster, options, message):
    hostvars, _manager = cluster
    with pytest.raises(AnsibleLookupError, match=message):
        LookupModule().run(["c01"], variables={"hostvars": hostvars}, **options)


def test_no_hostvars_is_an_error():
    with pytest.raises(AnsibleLookupError, match="no hostvars"):
        LookupModule().run(["c01"], variables={}, names=NAMES)
