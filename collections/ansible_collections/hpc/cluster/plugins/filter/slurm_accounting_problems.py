# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_accounting_problems
short_description: What sacctmgr would refuse or not keep in the inventory's QOS, accounts and users
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Checks C(slurm_qos), C(slurm_accounts) and C(slurm_users) and the cluster name with the rules of
    M(hpc.cluster.slurm_account), before anything changes, and returns every problem found (an empty
    list when there is none).
  - "Per entry: a name; names and text as sacctmgr keeps them (lower case, no comma in a name; no
    quote, backslash, C(|) or line break in a description or organization); limits that exist for
    the kind of entry, with values of their kind (durations, TRES lists, numbers)."
  - "Across entries: a user has an account, and names only accounts of C(slurm_accounts) (or
    C(root)) that are not to be removed (C(state=absent)); a parent account is C(root) or declared
    (present) before its children (they are created in list order); the cluster name is at most 40
    characters."
  - Call it once per run; the data is the same for every host.
options:
  _input:
    description: The QOS, C(slurm_qos) (each C({name, description, limits, state})).
    type: list
    elements: dict
    required: true
  accounts:
    description: The accounts, C(slurm_accounts) (each C({name, parent, description, organization, qos,
      default_qos, limits, state})).
    type: list
    elements: dict
    default: []
  users:
    description: The users, C(slurm_users) (each C({name, account, accounts, qos, default_qos, limits})).
    type: list
    elements: dict
    default: []
  cluster:
    description: The cluster name of the accounting database.
    type: str
    required: true
  preserve_case_user:
    description: slurmdbd keeps the case of user names (C(Parameters=PreserveCaseUser)).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Refuse what sacctmgr would not keep, before any change
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "slurmdbd: {{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ slurm_qos | hpc.cluster.slurm_accounting_problems(accounts=slurm_accounts, users=slurm_users,
                                                          cluster='lab') }}
  # slurm_qos: [{name: long, limits: {MaxWall: 1 week}}] =>
  # ["slurm_qos: limit MaxWall: not a Slurm duration: '1 week'"]
"""

RETURN = r"""
_value:
  description: One message per problem, naming the inventory variable and the entry.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_associations import slurm_associations, user_accounts
from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import (
    EntryError,
    check_entry,
    entry_params,
    task_params,
)

LISTS = (("slurm_qos", "qos"), ("slurm_accounts", "account"), ("slurm_users", "user"))


def _entry_problem(label, kind, entry, **task_values):
    """What M(hpc.cluster.slurm_account) would refuse in this entry, or None."""
    try:
        check_entry(entry_params(entry, task_params(kind, **task_values)))
    except EntryError as exc:
        return "%s: %s" % (label, exc)
    return None


def _user_problems(user, cluster, preserve_case_user, declared):
    """The user's own problems, then those of the entries slurm_associations makes of it."""
    name = user["name"]
    problems = []
    if user.get("state") != "absent":
        # A user to remove names no account, or accounts that may be gone already.
        accounts = user_accounts(user)
        if not accounts:
            return ["slurm_users %s: no account (set account or accounts)" % name]
        unknown = [str(account) for account in accounts if account not in declared]
        if unknown:
            problems.append("slurm_users %s: account(s) not declared in slurm_accounts, or declared absent: %s"
                            % (name, ", ".join(unknown)))
    for entry in slurm_associations([user]):
        problems.append(_entry_problem("slurm_users %s" % name, "user", entry, cluster=cluster,
                                       preserve_case_user=bool(preserve_case_user)))
    return problems


def _plain(value):
    """Plain Python data: the checks copy each entry, and a copy of the template engine's lazy
    containers and tagged strings costs about 0.1 s each."""
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def slurm_accounting_problems(qos, accounts=(), users=(), cluster="", preserve_case_user=False):
    lists = {"slurm_qos": qos, "slurm_accounts": accounts, "slurm_users": users}
    for variable, entries in lists.items():
        if not isinstance(entries, (list, tuple)):
            raise AnsibleFilterError("slurm_accounting_problems: %s must be a list" % variable)
        lists[variable] = _plain(entries)
    cluster = str(cluster)
    problems = []
    cluster_problem = _entry_problem("cluster name", "cluster", {"name": cluster})
    if cluster_problem:
        problems.append(cluster_problem + " (slurmdbd_cluster_name, from slurm_cluster_name or cluster_name; "
                        "slurmctld lower-cases ClusterName too)")
        cluster = None  # said once, not again for each account and user
    declared = ["root"]
    for variable, kind in LISTS:
        for index, entry in enumerate(lists[variable]):
            if not isinstance(entry, Mapping) or not entry.get("name"):
                problems.append("%s[%d]: no name" % (variable, index))
            elif kind == "user":
                problems.extend(_user_problems(entry, cluster, preserve_case_user, declared))
            else:
                label = "%s %s" % (variable, entry["name"])
                task_values = {"cluster": cluster} if kind == "account" else {}
                problems.append(_entry_problem(label, kind, entry, **task_values))
                if kind == "account":
                    parent = entry.get("parent")
                    if parent is not None and parent not in declared:
                        problems.append("%s: parent %s must be root or declared in slurm_accounts before its children"
                                        % (label, parent))
                    if entry.get("state", "present") != "absent":
                        declared.append(entry["name"])
    seen = set()
    return [p for p in problems if p and not (p in seen or seen.add(p))]


class FilterModule:
    """sacctmgr's rules over the inventory's accounting data."""

    def filters(self):
        return {"slurm_accounting_problems": slurm_accounting_problems}
