# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: host_values
short_description: A few variables of many hosts, without building each host's hostvars
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Returns, for each host named, the variables named in O(names) that the host has (a variable
    a host does not have is left out), and with O(facts) the part of its C(ansible_facts) named
    there, as C(hostvars[host]) gives them.
  - C(map('extract', hostvars)) over every node builds each node's whole C(hostvars) entry, every
    variable source merged and its facts copied, 2-7 ms per host in ansible-core 2.19; at 10,000
    nodes that is tens of seconds for one task. This lookup reads only what is asked for, source
    by source, and the group variables once per distinct set of groups.
  - It checks itself on every run, against C(hostvars), for one host of each distinct set of
    groups, and reads every host through C(hostvars) when they differ (with a warning), when
    ansible-core lacks an interface it uses, or, for one host, when a value holds a template.
options:
  _terms:
    description: The hosts (inventory names); lists are flattened.
    type: list
    elements: str
    required: true
  names:
    description: The variables to read.
    type: list
    elements: str
    required: true
  facts:
    description:
      - The keys of C(ansible_facts) to read, without the C(ansible_) prefix; they are returned
        under C(ansible_facts). Empty, C(ansible_facts) is not returned.
    type: list
    elements: str
    default: []
notes:
  - Use it in a task that runs once (C(run_once)); it costs one pass over the hosts named.
seealso:
  - plugin: hpc.cluster.cluster_addresses
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Every node's address, once per run
  ansible.builtin.set_fact:
    addresses: >-
      {{ lookup('hpc.cluster.host_values', groups['cluster'],
                names=['cluster_address', 'ansible_host'], facts=['default_ipv4'])
         | hpc.cluster.cluster_addresses }}
  run_once: true

- name: A value each host registered
  ansible.builtin.debug:
    msg: "{{ lookup('hpc.cluster.host_values', ansible_play_hosts, names=['key_state']) }}"
  run_once: true
  # => {c01: {key_state: {...}}, c02: {key_state: {...}}}
"""

RETURN = r"""
_raw:
  description: One dict, host name to a dict of the variables it has (and C(ansible_facts)).
  type: list
  elements: dict
"""

import hashlib
import json
from collections.abc import Mapping

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.hpc.cluster.plugins.plugin_utils.host_reader import Reader


def _hosts(terms):
    """Host names from the terms, lists flattened, in order, each once."""
    hosts = []
    for term in terms:
        if isinstance(term, (list, tuple)):
            hosts.extend(_hosts(term))
        elif isinstance(term, str):
            hosts.append(term)
        else:
            raise AnsibleLookupError("host_values: hosts must be inventory names, got %r" % (term,))
    return list(dict.fromkeys(hosts))


class LookupModule(LookupBase):
    """hpc.cluster.host_values; see DOCUMENTATION."""

    def run(self, terms, variables=None, names=None, facts=(), **kwargs):
        if kwargs:
            raise AnsibleLookupError("host_values: unknown options: %s (it takes names and facts)" % ", ".join(kwargs))
        if not isinstance(names, (list, tuple)) or not names:
            raise AnsibleLookupError("host_values: names must be a list of variable names, got %r" % (names,))
        if not isinstance(facts, (list, tuple)):
            raise AnsibleLookupError("host_values: facts must be a list of fact keys, got %r" % (facts,))
        names = [str(name) for name in names]
        fact_keys = tuple(dict.fromkeys(str(key) for key in facts))
        hostvars = (variables or {}).get("hostvars")
        if hostvars is None:
            raise AnsibleLookupError("host_values: no hostvars in the task's variables")
        hosts = _hosts(terms)
        unknown = [host for host in hosts if host not in hostvars]
        if unknown:
            raise AnsibleLookupError("host_values: not in the inventory: %s" % ", ".join(unknown))
        # With a file-based fact cache, the facts read are kept beside it between runs, one file per set of keys.
        digest = hashlib.sha256(json.dumps([sorted(names), sorted(fact_keys)]).encode()).hexdigest()[:16]
        reader = Reader(hostvars, names, fact_keys=fact_keys, digest_name=".hpc.cluster.host_values.%s.json" % digest,
                        label="host_values")
        values = {}
        for host in hosts:
            read = reader.read(host)
            values[host] = {name: read[name] for name in names if name in read}
            if fact_keys:
                facts = read.get("ansible_facts")
                values[host]["ansible_facts"] = dict(facts) if isinstance(facts, Mapping) else {}
        reader.save()
        return [values]
