# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_cluster_data's readers against a real VariableManager: the layered read gives what hostvars gives.

The inventory has every source hostvars merges: inventory group and host variables, group_vars
and host_vars files (vars plugin host_group_vars), facts in a memory or a jsonfile fact cache,
include_vars and set_fact values, extra vars. Both readers read every host; they must agree.
"""

from __future__ import annotations

import json

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import cache_loader
from ansible.vars.hostvars import HostVars
from ansible.vars.manager import VariableManager

from ansible_collections.hpc.cluster.plugins.action import slurm_cluster_data as plugin
from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import VARIABLES, nodes
from ansible_collections.hpc.cluster.plugins.plugin_utils import host_reader

pytestmark = pytest.mark.usefixtures("plugin_loader")


SETTINGS = ["slurm_config", "slurm_config_group", "slurm_partitions", "slurm_cgroup_config"]
NAMES = sorted(set(VARIABLES) | set(SETTINGS))


def hardware(sockets=2, cores=16, threads=1, mem=191000, gpus=()):
    return {"ansible_processor_count": sockets, "ansible_processor_cores": cores,
            "ansible_processor_threads_per_core": threads, "ansible_memtotal_mb": mem,
            "ansible_hostname": "x", "ansible_mounts": [{"mount": "/", "size_total": 1}],
            "hpc_gpus": [{"vendor": "nvidia", "index": i, "type": "a100", "file": "/dev/nvidia%d" % i}
                         for i in range(len(gpus))]}


def write_inventory(top):
    inventory = {"all": {"children": {"cluster": {
        "children": {
            "control": {"hosts": {"head": {}}},
            "login": {"hosts": {"login1": {}}},
            "compute": {"hosts": {"c01": {}, "c02": {"slurm_node": {"Weight": 7}}, "c03": {}, "c04": {}},
                        "children": {"gpu": {"hosts": {"g01": {}, "g02": {}}}}},
        },
        "vars": {"slurm_partitions": [{"name": "batch", "groups": ["compute"], "default": True}],
                 "slurm_node": {"Weight": 1}},
    }}}}
    (top / "hosts.yml").write_text(yaml.safe_dump(inventory))
    (top / "group_vars").mkdir()
    (top / "group_vars" / "all.yml").write_text(yaml.safe_dump({"slurm_config": {"ClusterName": "lab"}}))
    (top / "group_vars" / "gpu.yml").write_text(yaml.safe_dump({"slurm_node": {"Weight": 10, "Features": ["gpu"]}}))
    (top / "host_vars").mkdir()
    (top / "host_vars" / "c03.yml").write_text(yaml.safe_dump({"slurm_node": {"RealMemory": 180000}}))
    return top / "hosts.yml"


@pytest.fixture(params=["memory", "jsonfile"])
def cluster(request, tmp_path, monkeypatch):
    """(hostvars, variable_manager) over the inventory above, with facts in the cache plugin of the param."""
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[str(write_inventory(tmp_path))])
    manager = VariableManager(loader=loader, inventory=inventory)
    if request.param == "jsonfile":
        manager._fact_cache = cache_loader.get("ansible.builtin.jsonfile", _uri=str(tmp_path / "facts"))
    else:
        manager._fact_cache = cache_loader.get("ansible.builtin.memory")
    for host in ("head", "login1", "c01", "c02", "c03", "c04"):
        manager.set_host_facts(host, hardware(mem=191000 + (host == "c04")))
    for host in ("g01", "g02"):
        manager.set_host_facts(host, hardware(2, 32, 2, 515000, gpus=range(4)))
    # include_vars and set_fact results, extra vars: above the inventory and the facts.
    manager._vars_cache["c04"] = {"slurm_gres": [{"name": "shard", "count": 4}]}
    manager.set_nonpersistent_facts("c01", {"slurm_node": {"Weight": 3}})
    manager._extra_vars = {"slurm_cgroup_config": {"ConstrainCores": True}}
    return HostVars(inventory=inventory, variable_manager=manager, loader=loader), manager


HOSTS = ["head", "login1", "c01", "c02", "c03", "c04", "g01", "g02"]


def slurm_reader(hostvars, prefer="auto"):
    """The reader as the action builds it."""
    return host_reader.Reader(hostvars, NAMES, prefer, fact_keys=plugin.FACT_KEYS, digest_name=plugin.DIGEST_NAME)


def read_all(hostvars, prefer):
    reader = slurm_reader(hostvars, prefer)
    return reader, {host: {k: v for k, v in reader.read(host).items() if k != "ansible_facts"} for host in HOSTS}


def test_layered_read_equals_hostvars(cluster, monkeypatch):
    """With facts injected as variables (ansible-core's default; without, the test below)."""
    monkeypatch.setattr(C, "INJECT_FACTS_AS_VARS", True)
    hostvars, _manager = cluster
    fast_reader, fast = read_all(hostvars, "auto")
    slow_reader, slow = read_all(hostvars, "hostvars")
    assert fast_reader.kind == "layered" and slow_reader.kind == "hostvars"
    assert fast_reader.fallbacks == 0
    assert fast == slow
    # Every layer is seen: set_fact > host_vars file > group_vars file > inventory group vars.
    assert fast["c01"]["slurm_node"] == {"Weight": 3}
    assert fast["c02"]["slurm_node"] == {"Weight": 7}
    assert fast["c03"]["slurm_node"] == {"RealMemory": 180000}
    assert fast["g01"]["slurm_node"] == {"Weight": 10, "Features": ["gpu"]}
    assert fast["c04"]["slurm_gres"] == [{"name": "shard", "count": 4}]
    assert fast["head"]["slurm_config"] == {"ClusterName": "lab"}
    assert fast["login1"]["slurm_cgroup_config"] == {"ConstrainCores": True}
    assert fast["g02"]["ansible_memtotal_mb"] == 515000 and len(fast["g02"]["hpc_gpus"]) == 4


def test_same_node_lines_as_the_hostvars_filter_input(cluster):
    hostvars, _manager = cluster
    compute = ["c01", "c02", "c03", "c04", "g01", "g02"]
    fast = slurm_reader(hostvars)
    before = nodes({h: hostvars[h] for h in compute}, 1024, 1024)
    assert nodes({h: fast.read(h) for h in compute}, 1024, 1024) == before
    assert len(before["node_lines"]) == 5 and before["gres_types"] == "gpu,shard"


def test_without_injected_facts_ansible_facts_decides(cluster, monkeypatch):
    hostvars, _manager = cluster
    monkeypatch.setattr(C, "INJECT_FACTS_AS_VARS", False)
    fast_reader, fast = read_all(hostvars, "auto")
    _slow_reader, slow = read_all(hostvars, "hostvars")
    assert fast_reader.kind == "layered" and fast == slow
    assert "ansible_processor_count" not in fast["c01"]
    compute = ["c01", "g01"]
    assert (nodes({h: fast_reader.read(h) for h in compute})
            == nodes({h: slurm_reader(hostvars, "hostvars").read(h) for h in compute}))


def test_a_template_is_read_through_hostvars(cluster):
    hostvars, manager = cluster
    top = manager._inventory._sources[0].rsplit("/", 1)[0]
    with open(top + "/host_vars/c02.yml", "w") as handle:  # a file's strings are trusted templates
        handle.write("slurm_node: {Weight: '{{ 40 + 2 }}'}\n")
    reader = slurm_reader(hostvars)
    assert reader.read("c02")["slurm_node"] == {"Weight": 42}
    assert reader.fallbacks == 1 and reader.kind == "layered"


def test_a_disagreeing_layered_read_switches_to_hostvars(cluster, monkeypatch):
    hostvars, _manager = cluster
    reader = slurm_reader(hostvars)
    original = reader.layered.read

    def wrong(host, names=None):
        values, templated = original(host, names)
        return dict(values, slurm_node={"Weight": 99}), templated

    monkeypatch.setattr(reader.layered, "read", wrong)
    assert reader.read("c01")["slurm_node"] == {"Weight": 3}
    assert reader.kind == "hostvars"


def test_missing_internal_interface_means_hostvars():
    class Bare(dict):
        pass

    entry = {"slurm_node": {"Weight": 2}}
    reader = slurm_reader(Bare(c01=entry))
    assert reader.kind == "hostvars"
    assert reader.read("c01")["slurm_node"] == {"Weight": 2}
    assert reader.read("c01").get("ansible_facts") is None


def test_missing_variable_precedence_entry_means_hostvars(cluster, monkeypatch):
    hostvars, _manager = cluster
    monkeypatch.setattr(C, "VARIABLE_PRECEDENCE", ["plugins_by_groups"])
    assert host_reader.layered_reader(hostvars, NAMES, plugin.FACT_KEYS) is None


def test_tagged_facts_go_through_the_cache_decoder(tmp_path):
    cache = cache_loader.get("ansible.builtin.jsonfile", _uri=str(tmp_path))
    cache.set("plain", {"ansible_memtotal_mb": 1000})
    cache.set("internal", {"hpc_gpus": [{"file": "/dev/nvidia0", "_ansible_no_log": False}]})
    reader = host_reader.FactReader(cache)
    assert reader.get("plain") == ({"ansible_memtotal_mb": 1000}, True)
    assert reader.get("internal")[1] is False
    assert reader.get("nothing") == ({}, True)
    # A stored value with a tag: the decoder's marker is in the text.
    stored = cache.__wrapped__.get(cache._get_key("plain"))
    payload = json.loads(stored[cache._PAYLOAD_KEY])
    payload["ansible_memtotal_mb"] = {"__ansible_type": "unknown-type-of-a-future-release"}
    cache.__wrapped__.set(cache._get_key("tagged"), {cache._PAYLOAD_KEY: json.dumps(payload)})
    with pytest.raises(TypeError, match="not JSON deserializable"):
        reader.get("tagged")  # decoded by ansible-core's decoder, which refuses what it does not know


def test_fact_reader_without_interposer_uses_get():
    cache = cache_loader.get("ansible.builtin.memory")
    cache.set("c01", {"ansible_memtotal_mb": 1000})
    reader = host_reader.FactReader(cache)
    assert reader.get("c01") == ({"ansible_memtotal_mb": 1000}, False)
    assert reader.get("c02") == ({}, True)


def fresh_reader(directory, keys=("ansible_memtotal_mb",)):
    """A reader over a new plugin instance, as a new ansible-playbook run has (nothing in memory)."""
    cache = cache_loader.get("ansible.builtin.jsonfile", _uri=str(directory))
    cache.__wrapped__._cache.clear()
    return cache, host_reader.FactReader(cache, keys, plugin.DIGEST_NAME)


def test_fact_digest_serves_unchanged_hosts_and_rereads_changed_ones(tmp_path):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000, "ansible_mounts": [{"mount": "/"}]})
    cache.set("c02", {"ansible_memtotal_mb": 2000})
    cache.__wrapped__._cache.clear()
    assert reader.get("c01") == ({"ansible_memtotal_mb": 1000, "ansible_mounts": [{"mount": "/"}]}, True)
    assert reader.get("c02")[0] == {"ansible_memtotal_mb": 2000}
    reader.digest.save()

    cache, reader = fresh_reader(tmp_path)
    # Only the keys asked for are kept; a host whose file changed is decoded again.
    cache.set("c02", {"ansible_memtotal_mb": 3000})
    cache.__wrapped__._cache.clear()
    assert reader.get("c01") == ({"ansible_memtotal_mb": 1000}, True)
    assert reader.get("c02") == ({"ansible_memtotal_mb": 3000}, True)
    assert reader.digest.hits == 1


def test_a_file_read_is_not_kept_in_the_plugins_memory(tmp_path):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000, "ansible_mounts": [{"mount": "/"}]})
    cache.__wrapped__._cache.clear()
    assert reader.get("c01")[0]["ansible_memtotal_mb"] == 1000
    assert cache.__wrapped__._cache == {}  # at 10,000 hosts: every payload held at once


def test_a_corrupt_cache_file_is_reported_by_the_plugin(tmp_path):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000})
    cache.__wrapped__._cache.clear()
    (path,) = [path for path in tmp_path.iterdir() if path.name.endswith("c01")]
    path.write_text("{not json")
    with pytest.raises(AnsibleError, match="corrupt"):
        reader.get("c01")


def test_fact_digest_survives_a_second_read_in_the_same_run(tmp_path):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000})
    cache.__wrapped__._cache.clear()
    reader.get("c01")
    reader.digest.save()
    # A second reader in the same run (hpc.cluster.host_values is called by several tasks): the
    # facts are in memory now; its save must still leave the extract for the next run.
    second = host_reader.FactReader(cache, ("ansible_memtotal_mb",), plugin.DIGEST_NAME)
    assert second.get("c01")[0] == {"ansible_memtotal_mb": 1000}
    second.digest.save()
    _cache, next_run = fresh_reader(tmp_path)
    assert next_run.get("c01") == ({"ansible_memtotal_mb": 1000}, True) and next_run.digest.hits == 1


def test_fact_digest_ignores_a_corrupt_or_foreign_file_and_other_keys(tmp_path):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000, "hpc_gpus": []})
    cache.__wrapped__._cache.clear()
    reader.get("c01")
    reader.digest.save()
    _cache, other = fresh_reader(tmp_path, keys=("hpc_gpus",))  # another key set: not this digest
    assert other.get("c01")[0]["hpc_gpus"] == [] and other.digest.hits == 0
    (tmp_path / plugin.DIGEST_NAME).write_text("{not json")
    _cache, broken = fresh_reader(tmp_path)
    assert broken.get("c01")[0]["ansible_memtotal_mb"] == 1000 and broken.digest.hits == 0


def test_fact_digest_expires_with_the_cache(tmp_path, monkeypatch):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000})
    cache.__wrapped__._cache.clear()
    reader.get("c01")
    reader.digest.save()
    cache, reader = fresh_reader(tmp_path)
    monkeypatch.setattr(cache.__wrapped__, "has_expired", lambda key: True)
    assert reader.get("c01") == ({}, True)  # expired facts are no facts, as the plugin says


def test_fact_digest_is_best_effort_in_a_read_only_directory(tmp_path, monkeypatch):
    cache, reader = fresh_reader(tmp_path)
    cache.set("c01", {"ansible_memtotal_mb": 1000})
    cache.__wrapped__._cache.clear()
    reader.get("c01")

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(host_reader.tempfile, "mkstemp", refuse)
    reader.digest.save()  # no exception
    assert not (tmp_path / plugin.DIGEST_NAME).exists()


def test_memory_cache_has_no_digest():
    memory = cache_loader.get("ansible.builtin.memory")
    assert host_reader.FactReader(memory, ("ansible_memtotal_mb",), plugin.DIGEST_NAME).digest is None


MISMATCH = [
    ({"a": {"x": 1}, "b": {"x": 1}}, "a", []),
    ({"a": {"x": 1}, "b": {"x": 2}}, "a", ["host b sees different x"]),
    ({"a": {"x": 1}, "b": {}}, "a", ["host b sees different x"]),
    ({"a": {"x": None}, "b": {}}, "a", ["host b sees different x"]),
    ({"c1": {"x": 1, "y": 1}, "c2": {"x": 2, "y": 1}, "c3": {"x": 2, "y": 1}, "c4": {"x": 1, "y": 2}}, "c1",
     ["hosts c[2-3] see different x", "host c4 sees different y"]),
]


@pytest.mark.parametrize("values, reference, texts", MISMATCH, ids=[str(i) for i in range(len(MISMATCH))])
def test_mismatches(values, reference, texts):
    assert plugin.mismatches(values, reference, ["x", "y"]) == texts


@pytest.mark.parametrize("value, templated", [
    ("x", False), ("{{ x }}", True), ({"a": ["b", {"c": "{% if %}"}]}, True), ({"{{ k }}": 1}, True),
    ([1, 2.0, None, True], False), ("{# note #}", True)])
def test_has_template(value, templated):
    assert host_reader.has_template(value) is templated


def test_a_gpu_without_device_files_is_refused_unless_autodetect():
    """slurmd drops a GPU without its device files, and the node goes INVALID (Slurm 22.05 on the lab)."""
    values = {"c01": dict(hardware(), slurm_gres=[{"name": "gpu", "count": 2}])}
    args = {"memory_reserve_mb": 0, "memory_granularity_mb": 1, "gres_autodetect": ""}
    with pytest.raises(AnsibleActionFail) as caught:
        plugin.compute_data(values, args)
    assert "slurm_cluster_data: host c01: slurm_gres[0] is a GPU without its device files" in str(caught.value)
    data = plugin.compute_data(values, dict(args, gres_autodetect="nvml"))
    assert data["gres_lines"] == ["NodeName=c01 Name=gpu Count=2"]
    assert plugin.ARGUMENT_SPEC["gres_autodetect"] == {"type": "str", "default": ""}

