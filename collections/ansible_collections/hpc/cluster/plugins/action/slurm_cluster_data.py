# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster-wide Slurm data read from every host's variables once, on the controller.

Returns what hpc.cluster.slurm_nodes computes (NodeName lines, gres.conf entries, GresTypes)
for the compute hosts, and which hosts hold other values of the cluster-wide settings than
the reference host.

``hostvars[host]`` merges every variable source of a host, its whole facts cleaned and copied
twice (2-7 ms per host in ansible-core 2.19); this plugin reads only the few variables it needs,
layer by layer in the order of VariableManager.get_vars (what hostvars holds: inventory group
and host variables, vars plugins such as host_group_vars, facts, include_vars/set_fact, extra
vars), with the group layers computed once per distinct set of groups. It falls back to
hostvars: for a whole run when an internal interface is missing or when the layered read of
one host per set of groups differs from its hostvars entry (checked every run); for one host
when a value it reads holds a template (hostvars templates it in the host's context).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import HostlistError, compress
from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import (
    FACTS,
    VARIABLES,
    SlurmNodeError,
    gres_lines,
    nodes,
)

display = Display()

# ansible_facts (namespaced) is read only for these keys: nodes() reads no other.
FACT_KEYS = FACTS + ("hpc_gpus",)
_PRECEDENCE = ("all_inventory", "all_plugins_inventory", "all_plugins_play", "groups_inventory",
               "groups_plugins_inventory", "groups_plugins_play")
_TEMPLATE_MARKS = ("{{", "{%", "{#")

ARGUMENT_SPEC = {
    "compute_group": {"type": "str", "required": True},
    "memory_reserve_mb": {"type": "raw", "default": 0},
    "memory_granularity_mb": {"type": "raw", "default": 1},
    "same_groups": {"type": "list", "elements": "str", "default": []},
    "same_variables": {"type": "list", "elements": "str", "default": []},
    "reader": {"type": "str", "choices": ["auto", "hostvars"], "default": "auto"},
}


def restrict_facts(facts):
    """The part of ansible_facts that nodes() reads."""
    return {key: facts[key] for key in FACT_KEYS if key in facts}


def has_template(value):
    """True when a string inside value looks like Jinja (hostvars would template it)."""
    if isinstance(value, str):
        return any(mark in value for mark in _TEMPLATE_MARKS)
    if isinstance(value, Mapping):
        return any(has_template(k) or has_template(v) for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return any(has_template(v) for v in value)
    return False


class HostvarsReader:
    """Variables of a host as hostvars[host] gives them: every source merged, then templated."""

    kind = "hostvars"

    def __init__(self, hostvars, names):
        self._hostvars = hostvars
        self._names = tuple(names)

    def read(self, host, names=None):
        entry = self._hostvars[host]
        values = {name: entry[name] for name in names or self._names if name in entry}
        if isinstance(values.get("ansible_facts"), Mapping):
            values["ansible_facts"] = restrict_facts(values["ansible_facts"])
        return values


class FactDigest:
    """The few facts this plugin reads per host, kept beside a file-based fact cache.

    A host's extract is reused while its cache file is the same file with the same size and
    modification time (nanoseconds): re-gathering or editing the facts makes a new file, which is
    decoded again. Kept in the cache directory as a dot file (which the file cache plugins skip),
    rewritten only when an extract changed, and only for the hosts read in this run.
    """

    NAME = ".hpc.cluster.slurm_cluster_data.json"
    VERSION = 1

    def __init__(self, plugin, keys):
        self._plugin = plugin
        self._keys = sorted(keys)
        self._wanted = frozenset(keys)
        self.path = os.path.join(plugin._cache_dir, self.NAME)
        self._old = {}
        self._new = {}
        self.hits = 0
        try:
            with open(self.path) as handle:
                stored = json.load(handle)
            if stored.get("version") == self.VERSION and stored.get("keys") == self._keys:
                self._old = stored["hosts"]
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            self._old = {}

    @classmethod
    def for_cache(cls, plugin, keys):
        """A digest for a file-based cache plugin (jsonfile, yaml, pickle), else None."""
        if isinstance(getattr(plugin, "_cache_dir", None), str) and callable(
                getattr(plugin, "_get_cache_file_name", None)) and callable(getattr(plugin, "has_expired", None)):
            return cls(plugin, keys)
        return None

    def stamp(self, key):
        try:
            st = os.stat(self._plugin._get_cache_file_name(key))
        except OSError:
            return None
        return [st.st_ino, st.st_size, st.st_mtime_ns]

    def get(self, key, stamp):
        entry = self._old.get(key)
        if stamp is None or not entry or entry[0] != stamp or self._plugin.has_expired(key):
            return None
        self._new[key] = entry
        self.hits += 1
        return entry[1]

    def put(self, key, stamp, facts):
        if stamp is not None:
            self._new[key] = [stamp, {name: facts[name] for name in facts if name in self._wanted}]

    def save(self):
        """Write the extracts of this run's hosts when they differ from what was read (best effort)."""
        if self._new == self._old:
            return
        text = json.dumps({"version": self.VERSION, "keys": self._keys, "hosts": self._new})
        try:
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=self.NAME + ".")
            with os.fdopen(handle, "w") as out:
                out.write(text)
            os.replace(temporary, self.path)
        except OSError as exc:
            display.vvv("slurm_cluster_data: cannot write %s (%s)" % (self.path, exc))


class FactReader:
    """A host's facts from the VariableManager's fact cache.

    A persistent cache (jsonfile, redis, ...) keeps each host's facts as one JSON text that
    ansible-core decodes with a Python hook on every dictionary. A text without the marker of a
    tagged value (the only thing the hook converts) decodes the same with the plain C decoder,
    about 4 times faster; a text with one goes through the cache's own decoder. With a file-based
    cache, the facts read (keys) of a host whose file did not change come from a FactDigest.
    """

    def __init__(self, fact_cache, keys=()):
        self._cache = fact_cache
        self._plain = None
        self.digest = None
        try:
            from ansible._internal._json._profiles._cache_persistence import Decoder

            markers = tuple('"%s"' % key for key in Decoder._profile.deserialize_map)
            wrapped, payload, decode = fact_cache.__wrapped__, fact_cache._PAYLOAD_KEY, fact_cache._decode
            fact_cache._get_key("x")
        except (ImportError, AttributeError, TypeError):
            return
        if markers and isinstance(payload, str) and callable(decode):
            self._plain = (wrapped, payload, decode, markers)
            if keys and isinstance(getattr(wrapped, "_cache", None), dict):
                self.digest = FactDigest.for_cache(wrapped, keys)

    def get(self, host):
        """(facts, plain): plain when freshly decoded without tagged values or internal (_ansible_*) keys.

        Plain facts need no copy, no stripping of internal keys, and hold no trusted template.
        """
        if self._plain is None:
            try:
                return self._cache.get(host) or {}, False
            except KeyError:
                return {}, True
        wrapped, payload_key, decode, markers = self._plain
        key = self._cache._get_key(host)
        stamp = None
        if self.digest is not None and key not in wrapped._cache:  # in memory: gathered or set in this run
            stamp = self.digest.stamp(key)
            facts = self.digest.get(key, stamp)
            if facts is not None:
                return facts, True
        try:
            stored = wrapped.get(key)
        except KeyError:
            return {}, True
        text = stored.get(payload_key) if isinstance(stored, Mapping) else None
        if isinstance(text, str) and not any(marker in text for marker in markers):
            facts, plain = json.loads(text), '"_ansible_' not in text
            if plain and self.digest is not None:
                self.digest.put(key, stamp, facts)
            return facts, plain
        return decode(stored) or {}, False


class LayeredReader:
    """Only the named variables of a host, from the sources VariableManager.get_vars merges for hostvars.

    Built by :func:`layered_reader`, which returns None when an interface it needs is missing.
    read() returns (values, templated): templated when a value may hold a template.
    """

    kind = "layered"

    def __init__(self, variable_manager, names, api):
        self._vm = variable_manager
        self._names = frozenset(names) | {"ansible_facts"}
        self._api = api
        self._inventory = variable_manager._inventory
        self._loader = variable_manager._loader
        self._basedirs = [self._loader.get_basedir()] if variable_manager.safe_basedir else []
        self._groups = {}
        # The names clean_facts keeps when it injects facts as variables (restricted names go).
        dummy = {name: None for name in self._names if name != "ansible_facts"}
        self._injectable = frozenset(api["clean_facts"](dummy)) & self._names
        fact_keys = set(FACT_KEYS) | {"ansible_" + key for key in FACT_KEYS} | self._injectable | {"ansible_local"}
        self._facts = FactReader(variable_manager._fact_cache, fact_keys)
        self._extra = self._pick(variable_manager._extra_vars)
        self._inventory_dirs = self._plugins_inventory_dirs()
        self.group_key = None

    def _pick(self, data):
        return {name: data[name] for name in self._names if name in data} if data else {}

    def _plugins_inventory(self, entities):
        return self._api["from_sources"](self._loader, self._inventory._sources, entities, "task")

    def _plugins_inventory_dirs(self):
        """The directories get_vars_from_inventory_sources reads vars plugins from (host lists skipped)."""
        dirs = []
        for path in self._inventory._sources:
            if path is None or "," in path and not os.path.exists(path):
                continue
            dirs.append(path if os.path.isdir(path) else os.path.dirname(path))
        return dirs

    def _plugins_host(self, host):
        """Vars plugins for one host: inventory-adjacent, then play-adjacent (as get_vars)."""
        combine, from_path = self._api["combine"], self._api["from_path"]
        inventory = {}
        for path in self._inventory_dirs:
            inventory = combine(inventory, from_path(self._loader, path, [host], "task"))
        play = {}
        for path in self._basedirs:
            play = combine(play, from_path(self._loader, path, [host], "task"))
        return inventory, play

    def _plugins_play(self, entities):
        data = {}
        for path in self._basedirs:
            data = self._api["combine"](data, self._api["from_path"](self._loader, path, entities, "task"))
        return data

    def _group_layers(self, host):
        """The layers that depend only on the host's groups, in C.VARIABLE_PRECEDENCE order, merged (cached)."""
        groups = self._api["sort_groups"]([g for g in host.get_groups() if g.name != "all"])
        key = tuple(g.name for g in groups)
        self.group_key = key
        if key not in self._groups:
            all_group = self._inventory.groups.get("all")
            sources = {
                "all_inventory": lambda: all_group.get_vars(),
                "all_plugins_inventory": lambda: self._plugins_inventory([all_group]),
                "all_plugins_play": lambda: self._plugins_play([all_group]),
                "groups_inventory": lambda: self._api["group_vars"](groups),
                "groups_plugins_inventory": lambda: self._plugins_inventory(groups),
                "groups_plugins_play": lambda: self._plugins_play(groups),
            }
            data = {}
            for entry in C.VARIABLE_PRECEDENCE:
                data = self._api["combine"](data, self._pick(sources[entry]()))
            self._groups[key] = (data, has_template(data))
        return self._groups[key]

    def read(self, name, names=None):
        host = self._inventory.get_host(name)
        combine = self._api["combine"]
        data, templated = self._group_layers(host)
        for layer in (host.vars,) + self._plugins_host(host):
            layer = self._pick(layer)
            if layer:
                templated = templated or has_template(layer)
                data = combine(data, layer)

        facts, plain = self._facts.get(name)
        # ansible_facts replaces (get_vars uses |=), restricted to what nodes() reads.
        namespaced = {}
        for short in FACT_KEYS:
            long = "ansible_" + short
            if long in facts and short in facts:  # both: the later one in the facts wins
                order = list(facts)
                namespaced[short] = facts[long if order.index(long) > order.index(short) else short]
            elif long in facts:
                namespaced[short] = facts[long]
            elif short in facts:
                namespaced[short] = facts[short]
        data = dict(data, ansible_facts=namespaced)
        if C.INJECT_FACTS_AS_VARS:
            injected = {key: facts[key] for key in self._injectable if key in facts}
        else:
            injected = {"ansible_local": facts.get("ansible_local", {})} if "ansible_local" in self._names else {}
        if injected:
            if not plain:  # as clean_facts: a copy (the memory cache hands out its own) without _ansible_* keys
                injected = self._api["copy"](injected)
                self._api["strip"](injected)
            data = combine(data, injected)
        if not plain:
            templated = templated or has_template(namespaced) or has_template(injected)

        for layer in (self._vm._vars_cache.get(name), self._vm._nonpersistent_fact_cache.get(name)):
            layer = self._pick(layer)
            if layer:
                templated = templated or has_template(layer)
                data = combine(data, layer)
        if self._extra:
            templated = templated or has_template(self._extra)
            data = combine(data, self._extra)
        wanted = names or self._names - {"ansible_facts"}
        return {key: value for key, value in data.items() if key in wanted}, templated


def layered_reader(hostvars, names):
    """A LayeredReader over hostvars' VariableManager, or None when an interface is missing."""
    try:
        from ansible.inventory.helpers import get_group_vars, sort_groups
        from ansible.utils.vars import combine_vars
        from ansible.vars.clean import clean_facts, module_response_deepcopy, strip_internal_keys
        from ansible.vars.plugins import get_vars_from_inventory_sources, get_vars_from_path
    except ImportError:
        return None
    vm = getattr(hostvars, "_variable_manager", None)
    needed = ("_inventory", "_loader", "_fact_cache", "_vars_cache", "_nonpersistent_fact_cache", "_extra_vars",
              "safe_basedir")
    if vm is None or not all(hasattr(vm, attr) for attr in needed):
        return None
    if not all(hasattr(vm._inventory, attr) for attr in ("_sources", "groups", "get_host")):
        return None
    if not set(C.VARIABLE_PRECEDENCE) <= set(_PRECEDENCE):
        return None
    api = {"sort_groups": sort_groups, "group_vars": get_group_vars, "combine": combine_vars,
           "clean_facts": clean_facts, "strip": strip_internal_keys, "copy": module_response_deepcopy,
           "from_sources": get_vars_from_inventory_sources, "from_path": get_vars_from_path}
    try:
        return LayeredReader(vm, names, api)
    except Exception as exc:  # an interface that changed shape: the documented way still works
        display.vvv("slurm_cluster_data: reading hostvars (%s)" % exc)
        return None


class Reader:
    """Reads hosts through the layered reader where it agrees with hostvars, else through hostvars."""

    def __init__(self, hostvars, names, prefer="auto"):
        self.hostvars = HostvarsReader(hostvars, names)
        self.layered = layered_reader(hostvars, names) if prefer == "auto" else None
        self.names = tuple(names)
        self.checked = set()
        self.fallbacks = 0

    @property
    def kind(self):
        return self.layered.kind if self.layered else self.hostvars.kind

    @property
    def digest(self):
        return self.layered._facts.digest if self.layered else None

    def save(self):
        """Keep the fact extracts for the next run (only while the layered read is trusted)."""
        if self.digest is not None:
            self.digest.save()

    def _agrees(self, host, key, values):
        """Once per set of groups: the layered read must equal hostvars, else hostvars from now on."""
        if key in self.checked:
            return True
        self.checked.add(key)
        if values[1]:  # a template: the host is read through hostvars anyway
            return True
        if values[0] == self.hostvars.read(host, self.names + ("ansible_facts",)):
            return True
        display.warning("slurm_cluster_data: the variables of %s read layer by layer differ from its hostvars; "
                        "reading every host through hostvars (slower)" % host)
        self.layered = None
        return False

    def read(self, host):
        """The host's variables (names); ansible_facts only what nodes() reads, when it asks."""
        if self.layered is not None:
            values, templated = self.layered.read(host, self.names + ("ansible_facts",))
            if self._agrees(host, self.layered.group_key, (values, templated)):
                if not templated:
                    return values
                self.fallbacks += 1
        return HostValues(self.hostvars.read(host),
                          lambda: self.hostvars.read(host, ("ansible_facts",)).get("ansible_facts"))


class HostValues(Mapping):
    """A host's variables from hostvars; ansible_facts is read on first access (it costs the most there)."""

    def __init__(self, values, read_facts):
        self._values = values
        self._read_facts = read_facts

    def __getitem__(self, key):
        if key == "ansible_facts" and key not in self._values:
            facts = self._read_facts()
            if facts is None:
                raise KeyError(key)
            self._values[key] = facts
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def mismatches(values_by_host, reference, names):
    """Texts naming the hosts whose values of names differ from the reference host's."""
    want = values_by_host[reference]
    differ = {}
    for host, values in values_by_host.items():
        bad = tuple(name for name in names if (name in values) != (name in want) or values.get(name) != want.get(name))
        if bad:
            differ.setdefault(bad, []).append(host)
    texts = []
    for bad, hosts in sorted(differ.items(), key=lambda item: item[1][0]):
        try:
            listed = compress(hosts)
        except HostlistError:
            listed = ",".join(hosts)
        texts.append("%s %s %s different %s" % ("host" if len(hosts) == 1 else "hosts", listed,
                                               "sees" if len(hosts) == 1 else "see", ", ".join(bad)))
    return texts


class ActionModule(ActionBase):
    """Compute nodes' slurm.conf/gres.conf data and the cluster-wide settings check, in one read per host."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        # Group names, not host lists: templating a list of 10,000 names costs more than reading them.
        groups = task_vars.get("groups") or {}
        compute = list(groups.get(args["compute_group"]) or [])
        same = list(dict.fromkeys(h for name in args["same_groups"] for h in groups.get(name) or []))
        names = set(VARIABLES) | set(args["same_variables"])
        hostvars = task_vars.get("hostvars")
        if hostvars is None:
            raise AnsibleActionFail("slurm_cluster_data: no hostvars in the task's variables")

        reader = Reader(hostvars, sorted(names), args["reader"])
        values = {}
        for host in dict.fromkeys(compute + same):
            values[host] = reader.read(host)
        reader.save()
        try:
            data = nodes({h: values[h] for h in compute}, args["memory_reserve_mb"], args["memory_granularity_mb"])
            data["gres_lines"] = gres_lines(data["gres"])
        except SlurmNodeError as exc:
            raise AnsibleActionFail("slurm_cluster_data: %s" % exc) from None

        reference = task_vars.get("inventory_hostname")
        if reference not in same:
            reference = same[0] if same else None
        settings = sorted(args["same_variables"])
        data["settings_reference"] = reference
        data["settings_mismatch"] = mismatches({h: values[h] for h in same}, reference, settings) if same else []
        data["reader"] = reader.kind
        data["hostvars_reads"] = reader.fallbacks
        data["facts_from_digest"] = reader.digest.hits if reader.digest is not None else 0
        result.update(data, changed=False)
        return result
