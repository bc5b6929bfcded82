# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_associations
short_description: The Slurm users of the inventory as one entry per association, for slurm_account
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Turns C(slurm_users) (each C({name, account, accounts, qos, default_qos, limits})) into the
    O(hpc.cluster.slurm_account#module:entries) of a C(type=user) task, one per user and account.
  - A user's accounts are C(account) then C(accounts), each once; the default account is
    C(account), or the first of C(accounts) without it.
  - C(qos), C(default_qos) and C(limits) apply to each of the user's associations.
  - A user with C(state=absent) gives one entry with C(state=absent) per account it names, which
    removes that association, or one without an account, which removes the user (from the task's
    cluster, with O(hpc.cluster.slurm_account#module:cluster)).
  - A user without a name, or present without any account, is refused, naming it.
options:
  _input:
    description: The users, C(slurm_users).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Every user's associations in one module run
  hpc.cluster.slurm_account:
    type: user
    cluster: lab
    entries: "{{ slurm_users | hpc.cluster.slurm_associations }}"
  # slurm_users: [{name: alice, account: physics, accounts: [chemistry], qos: [normal]}]
  # => [{name: alice, account: physics, default_account: physics, qos: [normal]},
  #     {name: alice, account: chemistry, default_account: physics, qos: [normal]}]
"""

RETURN = r"""
_value:
  description: One C({name, account, default_account}) per association, with the user's C(qos),
    C(default_qos) and C(limits) when set, in the order of the users and their accounts; for a user
    to remove, C({name, state=absent}) with C(account) for each account it names.
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

SHARED = ("qos", "default_qos", "limits")


def user_accounts(user):
    """A user's accounts: ``account``, then ``accounts``, each once."""
    accounts = [user["account"]] if user.get("account") is not None else []
    extra = user.get("accounts") or []
    if not isinstance(extra, (list, tuple)):
        extra = [extra]
    for account in extra:
        if account not in accounts:
            accounts.append(account)
    return accounts


def slurm_associations(users):
    if not isinstance(users, (list, tuple)):
        raise AnsibleFilterError("slurm_associations: slurm_users must be a list, got %s" % type(users).__name__)
    entries = []
    for index, user in enumerate(users):
        name = user.get("name") if isinstance(user, Mapping) else None
        if not name:
            raise AnsibleFilterError("slurm_associations: slurm_users[%d] has no name" % index)
        accounts = user_accounts(user)
        if user.get("state") == "absent":
            entries.extend([dict(name=name, account=account, state="absent") for account in accounts]
                           or [dict(name=name, state="absent")])
            continue
        if not accounts:
            raise AnsibleFilterError("slurm_associations: Slurm user %s has no account (set account or accounts)"
                                     % name)
        shared = {key: user[key] for key in SHARED if user.get(key) is not None}
        for account in accounts:
            entries.append(dict(shared, name=name, account=account, default_account=accounts[0]))
    return entries


class FilterModule:
    """Slurm users as associations."""

    def filters(self):
        return {"slurm_associations": slurm_associations}
