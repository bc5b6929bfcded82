# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Compute nodes -> slurm.conf NodeName lines, gres.conf entries and lines, and GresTypes.

Shared by the action ``slurm_cluster_data`` (the role's one call per run) and the filters
``slurm_nodes`` and ``slurm_node_lines`` (kept for compatibility). Errors are
:class:`SlurmNodeError` with a message naming the host and the key; the callers prefix their name.
Pure Python, so it runs on the controller only once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
    expand,
)

# Declared key -> fact it is checked against.
HARDWARE = (
    ("Sockets", "processor_count"),
    ("CoresPerSocket", "processor_cores"),
    ("ThreadsPerCore", "processor_threads_per_core"),
    ("RealMemory", "memtotal_mb"),
)
FACTS = tuple(fact for _key, fact in HARDWARE)
# The variables of a compute host that nodes() reads: the facts Ansible injects as variables,
# slurm_node and slurm_gres; ansible_facts only when an injected hardware fact is missing.
INJECTED = tuple("ansible_" + fact for fact in FACTS) + ("hpc_gpus",)
VARIABLES = INJECTED + ("slurm_node", "slurm_gres")
_ORDER = (
    "CPUs", "Boards", "SocketsPerBoard", "Sockets", "CoresPerSocket", "ThreadsPerCore",
    "RealMemory", "TmpDisk", "MemSpecLimit", "CoreSpecCount", "CpuSpecList", "Gres",
    "Features", "Weight", "State", "Reason", "Port", "NodeAddr", "NodeHostname",
)
_RANK = {key: pos for pos, key in enumerate(_ORDER)}
_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SPACE_RE = re.compile(r"\s")


class SlurmNodeError(ValueError):
    """Input that would give a wrong or refused slurm.conf."""


def _integer(value, bad, least):
    """value as an int >= least (numbers and numeric strings, never booleans), else raise bad."""
    if isinstance(value, bool):
        raise bad
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise bad from None
    if number < least:
        raise bad
    return number


def _positive_int(host, what, value):
    bad = SlurmNodeError("host %s: %s must be a positive integer, got %r" % (host, what, value))
    number = _integer(value, bad, 1)
    if number != value and str(value).strip() != str(number):
        raise bad
    return number


def int_at_least(name, value, least):
    """A filter option that must be an integer >= least."""
    return _integer(value, SlurmNodeError("%s must be an integer >= %d, got %r" % (name, least, value)), least)


def _value(host, key, value):
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (list, tuple)):
        text = ",".join(str(v) for v in value)
    elif isinstance(value, Mapping) or value is None:
        raise SlurmNodeError("host %s: slurm_node.%s must be a string, a number or a list, got %r"
                             % (host, key, value))
    else:
        text = str(value)
    if text == "":
        raise SlurmNodeError("host %s: slurm_node.%s is empty" % (host, key))
    if '"' in text or "\n" in text:
        raise SlurmNodeError("host %s: slurm_node.%s contains a quote or a newline: %r" % (host, key, text))
    if _SPACE_RE.search(text):
        text = '"%s"' % text
    return text


def node_params(host, facts, declared, gres, reserve, granularity):
    """The NodeName parameters of one host, as the text after ``NodeName=<host> ``.

    facts: the four hardware facts (FACTS; a value may be None), declared: the host's
    slurm_node (or None), gres: its Gres string ('' for none).
    """
    declared = declared or {}
    if not isinstance(declared, Mapping):
        raise SlurmNodeError("host %s: slurm_node must be a dictionary, got %s" % (host, type(declared).__name__))
    for key in declared:
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            raise SlurmNodeError("host %s: slurm_node key %r is not a NodeName parameter name" % (host, key))
        if key.lower() == "nodename":
            raise SlurmNodeError("host %s: slurm_node must not set NodeName (it is the host name)" % host)

    params = {}
    hardware = {}
    for key, fact in HARDWARE:
        raw = facts.get(fact)
        have = None if raw is None else _positive_int(host, fact, raw)
        if key in declared:
            want = _positive_int(host, "slurm_node.%s" % key, declared[key])
            if have is not None and want > have:
                raise SlurmNodeError("host %s: slurm_node.%s=%d is larger than the facts (%s=%d)"
                                     % (host, key, want, fact, have))
            value = want
        elif have is None:
            raise SlurmNodeError("host %s: fact %s is missing (gather facts, or declare slurm_node.%s)"
                                 % (host, fact, key))
        elif key == "RealMemory":
            value = have - reserve
            if value <= 0:
                raise SlurmNodeError("host %s: RealMemory would be %d (memtotal_mb %d - memory_reserve_mb %d)"
                                     % (host, value, have, reserve))
            if value >= granularity:
                value -= value % granularity
        else:
            value = have
        hardware[key] = value
        params[key] = str(value)

    if "CPUs" in declared:
        cpus = _positive_int(host, "slurm_node.CPUs", declared["CPUs"])
        most = hardware["Sockets"] * hardware["CoresPerSocket"] * hardware["ThreadsPerCore"]
        if cpus > most:
            raise SlurmNodeError("host %s: slurm_node.CPUs=%d is larger than Sockets x CoresPerSocket x "
                                 "ThreadsPerCore = %d" % (host, cpus, most))

    # slurmctld resets a CoreSpecCount of all the cores or more to 1, and every Slurm command then
    # prints "CoreSpecCount=5 is invalid, reset to 1" (22.05, lab).
    spec = next((key for key in declared if key.lower() == "corespeccount"), None)
    if spec is not None:
        count = _integer(declared[spec], SlurmNodeError(
            "host %s: slurm_node.%s must be a whole number, got %r" % (host, spec, declared[spec])), 0)
        cores = hardware["Sockets"] * hardware["CoresPerSocket"]
        if count >= cores:
            raise SlurmNodeError("host %s: slurm_node.%s=%d leaves no core for jobs (Sockets x CoresPerSocket = %d):"
                                 " slurmctld resets it to 1" % (host, spec, count, cores))

    if gres not in (None, "") and "Gres" not in declared:
        if not isinstance(gres, str):
            raise SlurmNodeError("host %s: gres must be a string, got %r" % (host, gres))
        params["Gres"] = _value(host, "Gres", gres)
    for key, value in declared.items():
        if key in hardware:
            continue
        params[key] = _value(host, key, value)
    ordered = sorted(params, key=lambda k: (_RANK.get(k, len(_ORDER)), k))
    return " ".join("%s=%s" % (key, params[key]) for key in ordered)


def check_host_name(host):
    if not isinstance(host, str) or host == "":
        raise SlurmNodeError("host names must be non-empty strings, got %r" % (host,))


def _shared(value_by_host):
    """(hostlist, value) for each distinct value, in the order of the first host with it."""
    groups = {}
    for host, value in value_by_host.items():
        groups.setdefault(value, []).append(host)
    out = []
    for value, hosts in groups.items():
        try:
            out.append((compress(hosts), value))
        except HostlistError as exc:
            raise SlurmNodeError("bad host name: %s" % exc) from None
    return out


def group_lines(params_by_host):
    """Hosts with identical parameters share one line (compressed hostlist); lines sorted."""
    return sorted("NodeName=%s %s" % pair for pair in _shared(params_by_host))


def _device_files(count):
    """NVIDIA's device files of count GPUs, as gres.conf's File= names them."""
    return "/dev/nvidia0" if count == 1 else "/dev/nvidia[0-%d]" % (count - 1)


def _file_count(host, pos, entry):
    """How many device files the entry's file names (File=/dev/nvidia[0-3] is 4), which is its count
    (gres.conf(5)); a count that says otherwise is refused."""
    where = "host %s: slurm_gres[%d]" % (host, pos)
    try:
        files = expand(str(entry["file"]))
    except HostlistError as exc:
        raise SlurmNodeError("%s.file %r is not a device file or range Slurm reads "
                             "(/dev/nvidia0, /dev/nvidia[0-3]): %s" % (where, entry["file"], exc)) from None
    if entry.get("count") is not None and int(entry["count"]) != len(files):
        raise SlurmNodeError(
            "%s: count %s, but file %s names %d device file(s): slurm.conf's Gres= would say %s and slurmd "
            "would find %d (fewer than Gres= makes slurmctld mark the node INVALID, more leave GPUs unused); "
            "give the count of the files, or leave count out"
            % (where, entry["count"], entry["file"], len(files), entry["count"], len(files)))
    return len(files)


def gres_entries(host, declared, gpus, autodetect=False):
    """gres.conf entries of one host: its declared slurm_gres, else its GPUs (hpc_gpus).

    A declared GPU needs its device files unless gres.conf has AutoDetect (autodetect): slurmd drops
    a GPU without them (Slurm 20.11 and later) and slurmctld marks the node INVALID."""
    if declared is not None:
        if not isinstance(declared, (list, tuple)):
            raise SlurmNodeError("host %s: slurm_gres must be a list of {name, type, file, count} entries, got %s"
                                 % (host, type(declared).__name__))
        entries = []
        for pos, entry in enumerate(declared):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) or not entry.get("name"):
                raise SlurmNodeError("host %s: slurm_gres[%d] needs a name (gpu, mps, shard, ...), got %r"
                                     % (host, pos, entry))
            if entry.get("count") is not None:
                _positive_int(host, "slurm_gres[%d].count" % pos, entry["count"])
            if entry["name"].lower() == "gpu" and not entry.get("file") and not autodetect:
                raise SlurmNodeError(
                    "host %s: slurm_gres[%d] is a GPU without its device files: slurmd drops such a GPU "
                    "('Removing file-less GPU') and slurmctld marks the node INVALID (gres/gpu count reported "
                    "lower than configured). Give them (file: %s), or set slurm_gres_autodetect"
                    % (host, pos, _device_files(int(entry.get("count") or 1))))
            if entry.get("file"):
                _file_count(host, pos, entry)
            entries.append({key: value for key, value in entry.items() if value is not None})
        return entries
    if not gpus:
        return []
    if not isinstance(gpus, (list, tuple)):
        raise SlurmNodeError("host %s: fact hpc_gpus must be a list, got %s" % (host, type(gpus).__name__))
    entries = []
    for pos, gpu in enumerate(gpus):
        if not isinstance(gpu, Mapping) or not gpu.get("file"):
            raise SlurmNodeError("host %s: fact hpc_gpus[%d] has no device file: %r (run hpc.cluster.gpu_facts, "
                                 "or declare slurm_gres)" % (host, pos, gpu))
        entries.append({"name": "gpu", "type": gpu.get("type") or "", "file": gpu["file"]})
    return entries


def _lower(text):
    return text.lower()


def gres_string(entries):
    """Gres= of a node, e.g. gpu:a100:4: counts per name[:type], sorted (case-insensitive)."""
    counts = {}
    for entry in entries:
        key = entry["name"] + (":%s" % entry["type"] if entry.get("type") else "")
        # An entry with device files counts them (File=/dev/nvidia[0-3] is 4, as slurmd counts them).
        number = len(expand(str(entry["file"]))) if entry.get("file") else int(entry.get("count", 1))
        counts[key] = counts.get(key, 0) + number
    return ",".join("%s:%d" % (key, counts[key]) for key in sorted(counts, key=_lower))


def gres_types(gres_by_host):
    """GresTypes: every gres name once (case-insensitive), sorted."""
    seen = {}
    for entries in gres_by_host.values():
        for entry in entries:
            seen.setdefault(entry["name"].lower(), entry["name"])
    return ",".join(sorted(seen.values(), key=_lower))


def _gres_fields(entry):
    """The part of a gres.conf line after NodeName (Name, Type, File or Count, Cores, Flags)."""
    fields = ["Name=%s" % entry["name"]]
    if entry.get("type"):
        fields.append("Type=%s" % entry["type"])
    if entry.get("file"):
        fields.append("File=%s" % entry["file"])
    elif entry.get("count") is not None:
        fields.append("Count=%s" % entry["count"])
    for key in ("cores", "flags"):
        if entry.get(key):
            fields.append("%s=%s" % (key.capitalize(), entry[key]))
    return " ".join(fields)


def gres_lines(gres_by_host):
    """gres.conf lines: hosts with the same entries share their lines (NodeName=<hostlist>).

    A host's entries keep their order (device order is index order); groups are sorted by
    their first host, so the file does not change when the hosts come in another order.
    """
    fields_by_host = {host: tuple(_gres_fields(entry) for entry in gres_by_host[host]) for host in sorted(gres_by_host)}
    shared = _shared({host: fields for host, fields in fields_by_host.items() if fields})
    return ["NodeName=%s %s" % (hostlist, field) for hostlist, fields in shared for field in fields]


def lines_per_host(lines):
    """Each host's entries in NodeName=<hostlist> lines (gres.conf), in order: what gres_lines shared.

    Other lines (comments, AutoDetect=...) are ignored. To compare files of either form: one line
    per device of each host, or shared lines.
    """
    per_host = {}
    for line in lines:
        if line.startswith("NodeName="):
            names, _, entry = line.partition(" ")
            for host in expand(names.split("=", 1)[1]):
                per_host.setdefault(host, []).append(entry)
    return per_host


def host_facts(host, data):
    """The facts read, from the injected copies when Ansible injects facts as variables.

    Reading ``ansible_facts`` from a hostvars entry templates the whole facts dictionary; the
    injected ``ansible_*`` copies are read one by one. Without injection (INJECT_FACTS_AS_VARS
    off), or when one of them is missing, ``ansible_facts`` is read.
    """
    injected = {name: data.get("ansible_" + name) for name in FACTS}
    if all(value is not None for value in injected.values()):
        injected["hpc_gpus"] = data.get("hpc_gpus")
        return injected
    facts = data.get("ansible_facts") or {}
    if not isinstance(facts, Mapping):
        raise SlurmNodeError("host %s: ansible_facts must be a dictionary, got %s" % (host, type(facts).__name__))
    return {name: facts.get(name) for name in FACTS + ("hpc_gpus",)}


def nodes(hosts, memory_reserve_mb=0, memory_granularity_mb=1, gres_autodetect=""):
    """{node_lines, gres, gres_types} of the compute hosts.

    gres_autodetect: gres.conf's AutoDetect ('' for none), which finds the GPUs' device files.

    hosts: host name -> its variables (a hostvars entry, or any mapping holding VARIABLES and,
    when an injected hardware fact is missing, ansible_facts); only those keys are read.
    """
    if not isinstance(hosts, Mapping):
        raise SlurmNodeError("expected a dictionary of host name -> hostvars entry, got %s" % type(hosts).__name__)
    reserve = int_at_least("memory_reserve_mb", memory_reserve_mb, 0)
    granularity = int_at_least("memory_granularity_mb", memory_granularity_mb, 1)
    params = {}
    gres = {}
    for host, data in hosts.items():
        check_host_name(host)
        if not isinstance(data, Mapping):
            raise SlurmNodeError("host %s: expected its hostvars entry (a dictionary), got %s"
                                 % (host, type(data).__name__))
        facts = host_facts(host, data)
        entries = gres_entries(host, data.get("slurm_gres"), facts.get("hpc_gpus"), bool(gres_autodetect))
        if entries:
            gres[host] = entries
        params[host] = node_params(host, facts, data.get("slurm_node"), gres_string(entries), reserve, granularity)
    return {"node_lines": group_lines(params), "gres": gres, "gres_types": gres_types(gres)}
