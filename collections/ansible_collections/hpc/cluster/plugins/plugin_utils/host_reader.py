# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A few variables of many hosts, read on the controller without building each host's hostvars.

``hostvars[host]`` merges every variable source of a host, its whole facts cleaned and copied
twice (2-7 ms per host in ansible-core 2.19). Reader reads only the variables asked for, layer by
layer in the order of VariableManager.get_vars (what hostvars holds: inventory group and host
variables, vars plugins such as host_group_vars, facts, include_vars/set_fact/register, extra
vars), with the group layers computed once per distinct set of groups. It falls back to hostvars:
for a whole run when an internal interface is missing or when the layered read of one host per
set of groups differs from its hostvars entry (checked every run); for one host when a value it
reads holds a template (hostvars templates it in the host's context).

Used by the action hpc.cluster.slurm_cluster_data and the lookup hpc.cluster.host_values.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping

from ansible import constants as C
from ansible.utils.display import Display

display = Display()

_PRECEDENCE = ("all_inventory", "all_plugins_inventory", "all_plugins_play", "groups_inventory",
               "groups_plugins_inventory", "groups_plugins_play")
_TEMPLATE_MARKS = ("{{", "{%", "{#")


def restrict_facts(facts, keys):
    """The part of ansible_facts that is asked for (keys)."""
    return {key: facts[key] for key in keys if key in facts}


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

    def __init__(self, hostvars, names, fact_keys=()):
        self._hostvars = hostvars
        self._names = tuple(names)
        self._fact_keys = tuple(fact_keys)

    def read(self, host, names=None):
        entry = self._hostvars[host]
        values = {name: entry[name] for name in names or self._names if name in entry}
        if isinstance(values.get("ansible_facts"), Mapping):
            values["ansible_facts"] = restrict_facts(values["ansible_facts"], self._fact_keys)
        return values


class FactDigest:
    """The few facts this plugin reads per host, kept beside a file-based fact cache.

    A host's extract is reused while its cache file is the same file with the same size and
    modification time (nanoseconds): re-gathering or editing the facts makes a new file, which is
    decoded again. Kept in the cache directory as a dot file (which the file cache plugins skip),
    rewritten only when an extract changed, and only for the hosts read in this run.
    """

    VERSION = 1

    def __init__(self, plugin, keys, name):
        self._plugin = plugin
        self._keys = sorted(keys)
        self._wanted = frozenset(keys)
        self.name = name
        self.path = os.path.join(plugin._cache_dir, name)
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
    def for_cache(cls, plugin, keys, name):
        """A digest for a file-based cache plugin (jsonfile, yaml, pickle), else None."""
        methods = ("_get_cache_file_name", "has_expired", "_load")
        if isinstance(getattr(plugin, "_cache_dir", None), str) and all(
                callable(getattr(plugin, method, None)) for method in methods):
            return cls(plugin, keys, name)
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
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=self.name + ".")
            with os.fdopen(handle, "w") as out:
                out.write(text)
            os.replace(temporary, self.path)
        except OSError as exc:
            display.vvv("hpc.cluster: cannot write %s (%s)" % (self.path, exc))


class FactReader:
    """A host's facts from the VariableManager's fact cache.

    A persistent cache (jsonfile, redis, ...) keeps each host's facts as one JSON text that
    ansible-core decodes with a Python hook on every dictionary. A text without the marker of a
    tagged value (the only thing the hook converts) decodes the same with the plain C decoder,
    about 4 times faster; a text with one goes through the cache's own decoder. With a file-based
    cache, the facts read (keys) of a host whose file did not change come from a FactDigest
    (digest_name: its file). With skip_absent, a text that names none of the keys is not decoded.
    """

    def __init__(self, fact_cache, keys=(), digest_name=None, skip_absent=False):
        self._cache = fact_cache
        self._plain = None
        self._marks = tuple('"%s"' % key for key in keys) if skip_absent else ()
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
            if keys and digest_name and isinstance(getattr(wrapped, "_cache", None), dict):
                self.digest = FactDigest.for_cache(wrapped, keys, digest_name)

    @staticmethod
    def _stored(wrapped, key, stamp):
        """The host's cache entry. A file read here is not kept in the plugin's memory: the reader
        runs in a task's worker, which ends with the task, and at 10,000 hosts every host's
        payload held at once was most of the worker's memory. A file the plugin cannot read is
        left to the plugin's own read, which reports it."""
        if stamp is not None and key not in wrapped._cache and not wrapped.has_expired(key):
            try:
                return wrapped._load(wrapped._get_cache_file_name(key))
            except Exception:  # noqa: BLE001 - the plugin's get() below handles and reports it
                pass
        return wrapped.get(key)

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
        if self.digest is not None:
            stamp = self.digest.stamp(key)
            # In memory (gathered, set or read earlier in this run): decoded from there, and the
            # extract kept for the next run (the file was written with what memory holds).
            if key not in wrapped._cache:
                facts = self.digest.get(key, stamp)
                if facts is not None:
                    return facts, True
        try:
            stored = self._stored(wrapped, key, stamp)
        except KeyError:
            return {}, True
        text = stored.get(payload_key) if isinstance(stored, Mapping) else None
        if self._marks and isinstance(text, str) and not any(mark in text for mark in self._marks):
            return {}, True
        if isinstance(text, str) and not any(marker in text for marker in markers):
            facts, plain = json.loads(text), '"_ansible_' not in text
            if plain and self.digest is not None:
                self.digest.put(key, stamp, facts)
            return facts, plain
        return decode(stored) or {}, False


def quietly(clean_facts, names):
    """clean_facts without its warning per restricted name: these names are asked for, not module data."""
    from ansible.vars import clean

    target = clean.display
    own = target.__dict__.get("warning")
    target.warning = lambda *args, **kwargs: None
    try:
        return clean_facts(names)
    finally:
        if own is None:
            del target.warning
        else:
            target.warning = own


class LayeredReader:
    """Only the named variables of a host, from the sources VariableManager.get_vars merges for hostvars.

    Built by :func:`layered_reader`, which returns None when an interface it needs is missing.
    read() returns (values, templated): templated when a value may hold a template.
    """

    kind = "layered"

    def __init__(self, variable_manager, names, api, fact_keys=(), digest_name=None):
        self._vm = variable_manager
        self._fact_keys = tuple(fact_keys)
        self._names = frozenset(names) | ({"ansible_facts"} if fact_keys else set())
        self._api = api
        self._inventory = variable_manager._inventory
        self._loader = variable_manager._loader
        self._basedirs = [self._loader.get_basedir()] if variable_manager.safe_basedir else []
        self._groups = {}
        # The names clean_facts keeps when it injects facts as variables (restricted names go).
        dummy = {name: None for name in self._names if name != "ansible_facts"}
        self._injectable = frozenset(quietly(api["clean_facts"], dummy)) & self._names
        wanted = set(fact_keys) | {"ansible_" + key for key in fact_keys} | self._injectable
        if fact_keys or "ansible_local" in self._names:
            wanted.add("ansible_local")
        # Without fact keys, only a fact named like a variable asked for matters (rare): look before decoding.
        self._facts = FactReader(variable_manager._fact_cache, sorted(wanted), digest_name, skip_absent=not fact_keys)
        self._read_facts = bool(wanted)
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

        facts, plain = self._facts.get(name) if self._read_facts else ({}, True)
        # ansible_facts replaces (get_vars uses |=), restricted to the fact keys asked for.
        namespaced = {}
        for short in self._fact_keys:
            long = "ansible_" + short
            if long in facts and short in facts:  # both: the later one in the facts wins
                order = list(facts)
                namespaced[short] = facts[long if order.index(long) > order.index(short) else short]
            elif long in facts:
                namespaced[short] = facts[long]
            elif short in facts:
                namespaced[short] = facts[short]
        if self._fact_keys:
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


def layered_reader(hostvars, names, fact_keys=(), digest_name=None):
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
        return LayeredReader(vm, names, api, fact_keys, digest_name)
    except Exception as exc:  # an interface that changed shape: the documented way still works
        display.vvv("hpc.cluster: reading hostvars (%s)" % exc)
        return None


class Reader:
    """Reads hosts through the layered reader where it agrees with hostvars, else through hostvars.

    names: the variables read; fact_keys: the part of ansible_facts read (none: no ansible_facts);
    digest_name: the file, in a file-based fact cache, that keeps those facts between runs;
    label: how warnings name the caller.
    """

    def __init__(self, hostvars, names, prefer="auto", fact_keys=(), digest_name=None, label="hpc.cluster"):
        self.hostvars = HostvarsReader(hostvars, names, fact_keys)
        self.layered = layered_reader(hostvars, names, fact_keys, digest_name) if prefer == "auto" else None
        self.names = tuple(names)
        self._read_names = self.names + (("ansible_facts",) if fact_keys else ())
        self._label = label
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
        if values[0] == self.hostvars.read(host, self._read_names):
            return True
        display.warning("%s: the variables of %s read layer by layer differ from its hostvars; "
                        "reading every host through hostvars (slower)" % (self._label, host))
        self.layered = None
        return False

    def read(self, host):
        """The host's variables (names); ansible_facts only the fact keys, when asked for."""
        if self.layered is not None:
            values, templated = self.layered.read(host, self._read_names)
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
