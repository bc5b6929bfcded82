# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_accounting_entries
short_description: The inventory's cluster, QOS, accounts and users as the entries of one slurm_account task
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Turns a cluster name and the lists C(slurm_qos), C(slurm_accounts) and C(slurm_users) into the
    O(hpc.cluster.slurm_account#module:entries) of one task, each entry with its C(type), in the
    order sacctmgr needs them - the cluster, then the QOS, the accounts (a parent before its
    children, as listed), and the users' associations.
  - The users become one entry per association, as P(hpc.cluster.slurm_associations#filter) makes them.
options:
  _input:
    description: The cluster's name (C(ClusterName) of slurm.conf).
    type: str
    required: true
  qos:
    description: The QOS, C(slurm_qos).
    type: list
    elements: dict
    default: []
  accounts:
    description: The accounts, C(slurm_accounts).
    type: list
    elements: dict
    default: []
  users:
    description: The users, C(slurm_users).
    type: list
    elements: dict
    default: []
  removals:
    description:
      - Only the entries to remove (C(state=absent)), without the cluster's; the others are not looked
        at. Role slurm's preflight checks these against the active jobs.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The accounting data in one module run
  hpc.cluster.slurm_account:
    cluster: lab
    entries: >-
      {{ 'lab' | hpc.cluster.slurm_accounting_entries(qos=slurm_qos, accounts=slurm_accounts,
                                                      users=slurm_users) }}
  # slurm_qos: [{name: long}]; slurm_accounts: [{name: physics}]; slurm_users: [{name: alice, account: physics}]
  # => [{type: cluster, name: lab}, {type: qos, name: long}, {type: account, name: physics},
  #     {type: user, name: alice, account: physics, default_account: physics}]
"""

RETURN = r"""
_value:
  description: The entries, each a dictionary of slurm_account options with its C(type).
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_associations import slurm_associations


def _typed(kind, variable, entries):
    if not isinstance(entries, (list, tuple)):
        raise AnsibleFilterError("slurm_accounting_entries: %s must be a list, got %s"
                                 % (variable, type(entries).__name__))
    typed = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise AnsibleFilterError("slurm_accounting_entries: %s[%d] is not a dictionary" % (variable, index))
        typed.append(dict(entry, type=kind))
    return typed


def _absent(entries):
    if not isinstance(entries, (list, tuple)):
        return entries
    return [entry for entry in entries if isinstance(entry, Mapping) and entry.get("state") == "absent"]


def slurm_accounting_entries(cluster, qos=(), accounts=(), users=(), removals=False):
    if not isinstance(cluster, str) or not cluster:
        raise AnsibleFilterError("slurm_accounting_entries: the cluster name must be a non-empty string")
    if removals:
        return (_typed("qos", "slurm_qos", _absent(qos)) + _typed("account", "slurm_accounts", _absent(accounts))
                + _typed("user", "slurm_users", slurm_associations(_absent(users))))
    return ([{"type": "cluster", "name": cluster}] + _typed("qos", "slurm_qos", qos)
            + _typed("account", "slurm_accounts", accounts)
            + _typed("user", "slurm_users", slurm_associations(users)))


class FilterModule:
    """The accounting data as typed slurm_account entries."""

    def filters(self):
        return {"slurm_accounting_entries": slurm_accounting_entries}
