# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_node_lines
short_description: Turn per-host hardware facts into slurm.conf NodeName lines
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Builds the C(NodeName=...) lines of slurm.conf from each host's Ansible hardware facts.
  - For each host, C(Sockets) is C(processor_count), C(CoresPerSocket) is C(processor_cores),
    C(ThreadsPerCore) is C(processor_threads_per_core) and C(RealMemory) is C(memtotal_mb) minus
    O(memory_reserve_mb), rounded down to a multiple of O(memory_granularity_mb).
  - Parameters declared in the host's C(slurm_node) dictionary override the facts, and any other
    NodeName parameter (C(Features), C(Gres), C(Weight), C(TmpDisk), ...) is added as given.
    Declaring more hardware than the facts show (C(Sockets), C(CoresPerSocket),
    C(ThreadsPerCore), C(RealMemory) above C(memtotal_mb), C(CPUs) above the product) is an error
    naming the host and the key, since slurmd would then drain the node.
  - A host's C(gres) string (for example built from P(hpc.cluster.gpu_facts#module)) becomes
    C(Gres=) unless C(slurm_node) declares C(Gres).
  - Hosts whose lines are identical share one line with a compressed hostlist
    (P(hpc.cluster.hostlist_compress#filter)). The lines are sorted, and parameters always come in
    the same order (C(CPUs), C(Boards), C(SocketsPerBoard), C(Sockets), C(CoresPerSocket),
    C(ThreadsPerCore), C(RealMemory), then the others in a fixed order), so the output is stable
    between runs.
  - Facts are looked up as C(processor_count), then C(ansible_facts.processor_count), then
    C(ansible_processor_count), so a host's dictionary may also be its C(hostvars) entry.
    A fact may be missing only when C(slurm_node) declares the matching parameter.
options:
  _input:
    description:
      - Maps each host name to a dictionary with the host's facts C(processor_count) (sockets),
        C(processor_cores) (cores per socket), C(processor_threads_per_core), C(memtotal_mb), and
        optionally C(slurm_node) (dictionary of declared NodeName parameters) and C(gres)
        (string).
    type: dict
    required: true
  memory_reserve_mb:
    description:
      - Memory in MiB kept back for the operating system; subtracted from C(memtotal_mb) to give
        C(RealMemory). A result of zero or less is an error naming the host.
      - Not applied to a declared C(RealMemory).
    type: int
    default: 0
  memory_granularity_mb:
    description:
      - C(RealMemory) from the facts is rounded down to a multiple of this many MiB (after
        subtracting O(memory_reserve_mb)), so that the small changes of C(memtotal_mb) a kernel
        update brings do not change slurm.conf (a change of a node line restarts every daemon).
        Rounding down is always safe, since Slurm only needs C(RealMemory) at most what slurmd finds.
      - A value below one unit is kept as it is. Not applied to a declared C(RealMemory).
      - V(1) gives the exact difference.
    type: int
    default: 1
seealso:
  - plugin: hpc.cluster.hostlist_compress
    plugin_type: filter
  - module: hpc.cluster.gpu_facts
"""

EXAMPLES = r"""
- name: NodeName lines of the compute nodes, keeping 1 GiB for the system
  vars:
    nodes: >-
      {{ dict(groups['compute'] | zip(groups['compute'] | map('extract', hostvars))) }}
  ansible.builtin.debug:
    msg: "{{ nodes | hpc.cluster.slurm_node_lines(memory_reserve_mb=1024, memory_granularity_mb=1024) }}"

- name: The data it reads
  ansible.builtin.debug:
    msg: "{{ input | hpc.cluster.slurm_node_lines }}"
  vars:
    input:
      c01: {processor_count: 1, processor_cores: 2, processor_threads_per_core: 1, memtotal_mb: 23081}
      c02: {processor_count: 1, processor_cores: 2, processor_threads_per_core: 1, memtotal_mb: 23081}
      g01:
        processor_count: 2
        processor_cores: 32
        processor_threads_per_core: 2
        memtotal_mb: 515000
        gres: gpu:a100:4
        slurm_node: {RealMemory: 512000, Features: [a100, ib], Weight: 10}
    # => ['NodeName=c[01-02] Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=23081',
    #     'NodeName=g01 Sockets=2 CoresPerSocket=32 ThreadsPerCore=2 RealMemory=512000
    #      Gres=gpu:a100:4 Features=a100,ib Weight=10']  (one line)
"""

RETURN = r"""
_value:
  description: Sorted slurm.conf NodeName lines, one per distinct hardware description.
  type: list
  elements: string
"""

import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
)

# Declared key -> fact it is checked against.
_HARDWARE = (
    ("Sockets", "processor_count"),
    ("CoresPerSocket", "processor_cores"),
    ("ThreadsPerCore", "processor_threads_per_core"),
    ("RealMemory", "memtotal_mb"),
)
_ORDER = (
    "CPUs", "Boards", "SocketsPerBoard", "Sockets", "CoresPerSocket", "ThreadsPerCore",
    "RealMemory", "TmpDisk", "MemSpecLimit", "CoreSpecCount", "CpuSpecList", "Gres",
    "Features", "Weight", "State", "Reason", "Port", "NodeAddr", "NodeHostname",
)
_RANK = {key: pos for pos, key in enumerate(_ORDER)}
_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _fail(msg):
    raise AnsibleFilterError("slurm_node_lines: %s" % msg)


def _fact(host, data, name):
    if name in data:
        return data[name]
    facts = data.get("ansible_facts")
    if isinstance(facts, Mapping) and name in facts:
        return facts[name]
    return data.get("ansible_" + name)


def _positive_int(host, what, value):
    if isinstance(value, bool):
        _fail("host %s: %s must be a positive integer, got %r" % (host, what, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        _fail("host %s: %s must be a positive integer, got %r" % (host, what, value))
    if number != value and str(value).strip() != str(number):
        _fail("host %s: %s must be a positive integer, got %r" % (host, what, value))
    if number <= 0:
        _fail("host %s: %s must be a positive integer, got %r" % (host, what, value))
    return number


def _value(host, key, value):
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, (list, tuple)):
        text = ",".join(str(v) for v in value)
    elif isinstance(value, Mapping) or value is None:
        _fail("host %s: slurm_node.%s must be a string, a number or a list, got %r"
              % (host, key, value))
    else:
        text = str(value)
    if text == "":
        _fail("host %s: slurm_node.%s is empty" % (host, key))
    if '"' in text or "\n" in text:
        _fail("host %s: slurm_node.%s contains a quote or a newline: %r" % (host, key, text))
    if re.search(r"\s", text):
        text = '"%s"' % text
    return text


def _host_params(host, data, reserve, granularity):
    if not isinstance(data, Mapping):
        _fail("host %s: expected a dictionary of facts, got %s" % (host, type(data).__name__))
    declared = data.get("slurm_node") or {}
    if not isinstance(declared, Mapping):
        _fail("host %s: slurm_node must be a dictionary, got %s" % (host, type(declared).__name__))
    for key in declared:
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            _fail("host %s: slurm_node key %r is not a NodeName parameter name" % (host, key))
        if key.lower() == "nodename":
            _fail("host %s: slurm_node must not set NodeName (it is the host name)" % host)

    params = {}
    hardware = {}
    for key, fact in _HARDWARE:
        raw = _fact(host, data, fact)
        have = None if raw is None else _positive_int(host, fact, raw)
        if key in declared:
            want = _positive_int(host, "slurm_node.%s" % key, declared[key])
            if have is not None and want > have:
                _fail("host %s: slurm_node.%s=%d is larger than the facts (%s=%d)"
                      % (host, key, want, fact, have))
            value = want
        elif have is None:
            _fail("host %s: fact %s is missing (gather facts, or declare slurm_node.%s)"
                  % (host, fact, key))
        elif key == "RealMemory":
            value = have - reserve
            if value <= 0:
                _fail("host %s: RealMemory would be %d (memtotal_mb %d - memory_reserve_mb %d)"
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
            _fail("host %s: slurm_node.CPUs=%d is larger than Sockets x CoresPerSocket x "
                  "ThreadsPerCore = %d" % (host, cpus, most))

    gres = data.get("gres")
    if gres not in (None, "") and "Gres" not in declared:
        if not isinstance(gres, str):
            _fail("host %s: gres must be a string, got %r" % (host, gres))
        params["Gres"] = _value(host, "Gres", gres)
    for key, value in declared.items():
        if key in hardware:
            continue
        params[key] = _value(host, key, value)
    ordered = sorted(params, key=lambda k: (_RANK.get(k, len(_ORDER)), k))
    return " ".join("%s=%s" % (key, params[key]) for key in ordered)


def _int_at_least(name, value, least):
    if isinstance(value, bool):
        _fail("%s must be an integer >= %d, got %r" % (name, least, value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        _fail("%s must be an integer >= %d, got %r" % (name, least, value))
    if number < least:
        _fail("%s must be an integer >= %d, got %r" % (name, least, value))
    return number


def slurm_node_lines(nodes, memory_reserve_mb=0, memory_granularity_mb=1):
    """Group hosts by identical NodeName parameters; return sorted lines."""
    if not isinstance(nodes, Mapping):
        _fail("expected a dictionary of host name -> facts, got %s" % type(nodes).__name__)
    reserve = _int_at_least("memory_reserve_mb", memory_reserve_mb, 0)
    granularity = _int_at_least("memory_granularity_mb", memory_granularity_mb, 1)

    groups = {}
    for host in nodes:
        if not isinstance(host, str) or host == "":
            _fail("host names must be non-empty strings, got %r" % host)
        params = _host_params(host, nodes[host], reserve, granularity)
        groups.setdefault(params, []).append(host)
    lines = []
    for params, hosts in groups.items():
        try:
            hostlist = compress(hosts)
        except HostlistError as exc:
            _fail("bad host name: %s" % exc)
        lines.append("NodeName=%s %s" % (hostlist, params))
    return sorted(lines)


class FilterModule:
    """slurm.conf NodeName lines."""

    def filters(self):
        return {"slurm_node_lines": slurm_node_lines}
