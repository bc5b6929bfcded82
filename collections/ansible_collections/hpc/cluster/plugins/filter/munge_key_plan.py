# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: munge_key_plan
short_description: Decide, once per run, where the cluster's munge key comes from and where it goes
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the state of the munge key file on every host of the run (exists, sha256 digest, size,
    whether the host runs a Slurm daemon, as M(hpc.cluster.munge_key_info) returns it) and returns
    which host is the key source, whether a key must be generated, and which hosts need the key
    written. Problems are returned in RV(_value.error)
    (never raised), so the caller can hide its input (the key) and still show the message.
  - B(Slurm hosts) (members) are hosts with a Slurm daemon (C(slurmd) or C(slurmctld)) installed.
    Their keys must all be the same, otherwise the hosts are refused by name, grouped by digest.
    Hosts that are not members yet get the cluster key written without complaint, even over a key
    of their own (Debian's munge package makes a random key on install).
  - A given O(key) is decoded and must be 32 to 1024 bytes. When Slurm hosts hold a key, the given
    key must be the same (a re-run never rotates the key).
  - Without O(key), the cluster key is the key of the Slurm hosts; when none holds one, the key of
    O(key_host); else the one key all holding hosts agree on. The source is O(key_host) when it
    holds that key, else the first host holding it. A key is generated on O(key_host) only when
    no host holds any key, and only when every host of O(cluster) is in the run.
  - A key held by the cluster must be 32 to 1024 bytes, the sizes munge accepts.
options:
  _input:
    description:
      - Maps each host of the run, in play order, to the state of its key file
        C({exists, sha256, size, member}); C(member) is true when a Slurm daemon is installed.
    type: dict
    required: true
  key:
    description: The given key, base64 text (whitespace ignored); V(null) when none is given.
    type: str
  key_host:
    description: The host that holds the key and generates it when no host has one.
    type: str
    default: ''
  key_host_state:
    description:
      - State of O(key_host)'s key file when the key host is not in the run (C(--limit)); it is
        then counted as a Slurm host.
    type: dict
  inventory:
    description: Every host of the inventory; O(key_host) must be one of them.
    type: list
    elements: str
  cluster:
    description:
      - Every host that must hold the key (groups C(control), C(compute), C(login)). A key is
        generated only when all of them are in the run. Default the hosts of the run.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Plan the cluster key once (each host registered __munge_key_state from hpc.cluster.munge_key_info)
  ansible.builtin.set_fact:
    __munge_key_plan: >-
      {{ dict(ansible_play_hosts
              | zip(lookup('hpc.cluster.host_values', ansible_play_hosts, names=['__munge_key_state']).values()
                    | map(attribute='__munge_key_state')))
         | hpc.cluster.munge_key_plan(key=munge_key | default(none), key_host=munge_key_host,
                                      inventory=groups['all'], cluster=groups['cluster']) }}
  run_once: true
  no_log: true

- name: The data it reads
  ansible.builtin.debug:
    msg: "{{ hosts | hpc.cluster.munge_key_plan(key_host='head') }}"
  vars:
    hosts:
      head: {exists: true, sha256: 9f86d081884c7d65, size: 1024, member: true}
      c01: {exists: true, sha256: 9f86d081884c7d65, size: 1024, member: true}
      c02: {exists: true, sha256: 60303ae22b998861, size: 1024, member: false}
      c03: {exists: false, sha256: '', size: 0, member: false}
    # => {error: '', source: head, generate: false, write: {c02: true, c03: true}, sha256: 9f86d081884c7d65}
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    error:
      description: Empty, or why the run must stop (names the hosts or the variable). Never holds the key.
      type: str
    source:
      description: Host to read the key from; empty when the key is given or on error.
      type: str
    generate:
      description: Whether to generate a new key on the key host (then also the source).
      type: bool
    write:
      description:
        - Hosts of the run whose key must be written, in play order, each mapped to true; a mapping, so
          that each host asks it for its own name without reading the others (a list read item by item
          by every host is quadratic in the cluster's size).
      type: dict
    sha256:
      description: Digest of the cluster key; empty when a key is to be generated.
      type: str
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import HostlistError, compress

KEY_MIN = 32
KEY_MAX = 1024
_MAKE = ("make one with: dd if=/dev/urandom bs=1024 count=1 | base64 -w0 | "
         "ansible-vault encrypt_string --stdin-name munge_key")
_ROTATE = ("rotate the key with playbooks/rotate_munge_key.yml, "
           "which quiesces the cluster first")


class _Refused(Exception):
    pass


def _names(hosts):
    try:
        return compress(list(hosts))
    except HostlistError:
        return ",".join(sorted(hosts))


def _flag(value):
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return bool(value)


def _state(host, data):
    if not isinstance(data, Mapping):
        raise AnsibleFilterError("munge_key_plan: host %s: expected a dict {exists, sha256, size, member}, got %r"
                                 % (host, data))
    exists = _flag(data.get("exists"))
    return {
        "exists": exists,
        "sha256": str(data.get("sha256") or "").lower() if exists else "",
        "size": int(data.get("size") or 0) if exists else 0,
        "member": _flag(data.get("member")),
    }


def _given_digest(key):
    if not isinstance(key, str):
        raise _Refused("munge_key must be base64 text (%s)" % _MAKE)
    text = re.sub(r"\s", "", key)
    if not text:
        raise _Refused("munge_key is empty (%s)" % _MAKE)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Refused("munge_key is not base64 text (%s)" % _MAKE) from None
    if not KEY_MIN <= len(raw) <= KEY_MAX:
        raise _Refused("munge_key decodes to %d bytes; munge needs %d to %d (%s)"
                       % (len(raw), KEY_MIN, KEY_MAX, _MAKE))
    return hashlib.sha256(raw).hexdigest()


def _by_digest(states):
    groups = {}
    for host, state in states.items():
        if state["exists"]:
            groups.setdefault(state["sha256"], []).append(host)
    return groups


def _describe(groups):
    parts = sorted("%s (sha256 %s...)" % (_names(hosts), digest[:12]) for digest, hosts in groups.items())
    return "; ".join(parts)


def _plan(hosts, key, key_host, key_host_state, inventory, cluster):
    given = _given_digest(key) if key is not None else ""
    if key_host and inventory is not None and key_host not in inventory:
        raise _Refused("munge_key_host '%s' is not a host of the inventory: set it to one "
                       "(default: the first host of group control)" % key_host)
    if not given and not key_host:
        raise _Refused("munge: no key host. Put a host in the inventory group 'control', "
                       "set munge_key_host, or give the vaulted munge_key")

    seen = dict(hosts)
    if key_host and key_host not in hosts and key_host_state is not None:
        seen[key_host] = dict(_state(key_host, key_host_state), member=True)

    members = _by_digest({h: s for h, s in seen.items() if s["member"]})
    if len(members) > 1:
        raise _Refused("munge: Slurm hosts hold different munge keys: %s. A re-run never picks one: "
                       "put the cluster key on the odd hosts by hand (or delete their key file, so they "
                       "get the key from munge_key_host), restart munge and the Slurm daemons there, "
                       "then re-run" % _describe(members))
    member_digest = next(iter(members), "")
    member_hosts = members.get(member_digest, [])

    if given:
        if member_digest and member_digest != given:
            raise _Refused("munge_key differs from the key the Slurm hosts hold (%s). A re-run never "
                           "rotates the key: remove munge_key to keep the current key, or %s"
                           % (_names(member_hosts), _ROTATE))
        return {"source": "", "generate": False, "sha256": given,
                "write": _hosts([h for h, s in hosts.items() if s["sha256"] != given])}

    key_host_digest = seen[key_host]["sha256"] if key_host in seen else ""
    holders = _by_digest(seen)
    if member_digest:
        digest = member_digest
    elif key_host_digest:
        digest = key_host_digest
    elif len(holders) == 1:
        digest = next(iter(holders))
    elif holders:
        raise _Refused("munge: no Slurm host holds a munge key and munge_key_host %s has none, but hosts "
                       "hold different keys: %s. Set munge_key_host to the host whose key to keep, "
                       "or give the vaulted munge_key" % (key_host, _describe(holders)))
    else:
        missing = [h for h in (cluster if cluster is not None else hosts) if h not in hosts]
        if key_host not in hosts and key_host not in missing:
            missing.append(key_host)
        if missing:
            raise _Refused("munge: no host of this run holds a munge key, so a new key would be generated, "
                           "but %s are not in this run (--limit?). Run on every host of control, compute "
                           "and login, so a key is generated only when no host has one" % _names(missing))
        return {"source": key_host, "generate": True, "sha256": "",
                "write": _hosts([h for h in hosts if h != key_host])}

    source = key_host if key_host_digest == digest else holders[digest][0]
    size = seen[source]["size"]
    if not KEY_MIN <= size <= KEY_MAX:
        raise _Refused("munge: the cluster's munge key (on %s) is %d bytes; munge needs %d to %d: %s"
                       % (_names(holders[digest]), size, KEY_MIN, KEY_MAX, _ROTATE))
    return {"source": source, "generate": False, "sha256": digest,
            "write": _hosts([h for h, s in hosts.items() if s["sha256"] != digest])}


def _hosts(names):
    """host -> true, in order."""
    return dict.fromkeys(names, True)


def munge_key_plan(hosts, key=None, key_host="", key_host_state=None, inventory=None, cluster=None):
    """Where the munge key comes from and where it goes; see DOCUMENTATION."""
    if not isinstance(hosts, Mapping):
        raise AnsibleFilterError("munge_key_plan: expected a dict of host -> key state, got %s"
                                 % type(hosts).__name__)
    states = {str(host): _state(host, data) for host, data in hosts.items()}
    result = {"error": "", "source": "", "generate": False, "write": {}, "sha256": ""}
    try:
        result.update(_plan(states, key, key_host or "", key_host_state, inventory, cluster))
    except _Refused as refusal:
        result["error"] = str(refusal)
    return result


class FilterModule:
    """munge cluster key plan."""

    def filters(self):
        return {"munge_key_plan": munge_key_plan}
