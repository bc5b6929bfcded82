#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: service_accounts
short_description: Several daemons' system users and primary groups, with fixed IDs, in one call
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Does for each of O(accounts), in order, what M(hpc.cluster.service_account) does for one, in one
    module call (one round trip where two daemons of a node each need their account).
  - Never renumbers. When any account's user or group exists with another ID, or its UID or GID
    belongs to another account, it fails naming every conflict of every account before changing
    anything.
  - In check mode it reports per account the commands that would run, so the task that makes an
    account runs only where it is missing or differs.
options:
  accounts:
    description: The accounts, each with the options of M(hpc.cluster.service_account).
    type: list
    elements: dict
    required: true
    suboptions:
      user:
        description: As O(hpc.cluster.service_account#module:user).
        type: str
        required: true
      uid:
        description: As O(hpc.cluster.service_account#module:uid).
        type: int
        required: true
      group:
        description: As O(hpc.cluster.service_account#module:group).
        type: str
        required: true
      gid:
        description: As O(hpc.cluster.service_account#module:gid).
        type: int
        required: true
      home:
        description: As O(hpc.cluster.service_account#module:home).
        type: path
        required: true
      shell:
        description: As O(hpc.cluster.service_account#module:shell).
        type: path
        required: true
      comment:
        description: As O(hpc.cluster.service_account#module:comment).
        type: str
        default: ""
      hint:
        description: As O(hpc.cluster.service_account#module:hint), for this account's conflicts.
        type: str
        default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: Check the munge and slurm accounts (and whether each differs)
  hpc.cluster.service_accounts:
    accounts:
      - {user: munge, uid: 990, group: munge, gid: 990, home: /var/lib/munge, shell: /usr/sbin/nologin,
         comment: MUNGE authentication service, hint: Set munge_uid/munge_gid.}
      - {user: slurm, uid: 991, group: slurm, gid: 991, home: /var/lib/slurm, shell: /usr/sbin/nologin,
         comment: Slurm workload manager, hint: Set slurm_uid/slurm_gid.}
  check_mode: true
  register: accounts

- name: Create the slurm account where it differs
  hpc.cluster.service_account:
    user: slurm
    uid: 991
    group: slurm
    gid: 991
    home: /var/lib/slurm
    shell: /usr/sbin/nologin
  when: accounts.accounts.slurm.commands | length > 0
"""

RETURN = r"""
accounts:
  description: User name to the commands run for it (in check mode, that would run), as argv lists.
  returned: always
  type: dict
  sample: {munge: {commands: []}, slurm: {commands: [["/usr/sbin/groupadd", "--system", "--gid", "991", "slurm"]]}}
commands:
  description: Every account's commands, in the order run.
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.service_account import (
    ACCOUNT_OPTIONS,
    account_plan,
    refusal,
    run_commands,
    wanted_settings,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(accounts=dict(type="list", elements="dict", required=True, options=ACCOUNT_OPTIONS)),
        supports_check_mode=True,
    )
    accounts = module.params["accounts"]
    users = [account["user"] for account in accounts]
    if len(set(users)) != len(users):
        module.fail_json(msg="accounts name user %s more than once: each daemon needs an account of its own"
                         % ", ".join(sorted({user for user in users if users.count(user) > 1})))
    plans = [(account, account_plan(account)) for account in accounts]
    refused = [refusal(found, account["hint"]) for account, (found, _current, _argvs) in plans if found]
    if refused:
        module.fail_json(msg=" ".join(refused), conflicts=[c for _a, (found, _c, _v) in plans for c in found])
    result = dict(accounts={}, commands=[])
    for account, (_found, _current, argvs) in plans:
        commands = run_commands(module, argvs)
        result["accounts"][account["user"]] = dict(commands=commands)
        result["commands"] += commands
    if module._diff:
        result["diff"] = [dict(before_header="user " + account["user"], after_header="user " + account["user"],
                               before=current or {}, after=wanted_settings(account))
                          for account, (_found, current, _argvs) in plans]
    module.exit_json(changed=bool(result["commands"]), **result)


if __name__ == "__main__":
    main()
