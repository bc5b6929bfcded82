#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slurm_account
short_description: Manage Slurm accounting clusters, accounts, users and QOS with sacctmgr
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Creates, updates and removes the entities of Slurm's accounting database through
    C(sacctmgr) - clusters, accounts (with their parent, description, organization), users (their
    association with an account, default account) and QOS, plus the QOS list, default QOS and
    simple limits of an association.
  - Reads the current state with C(sacctmgr --noheader --parsable2 show ...) and only runs
    C(sacctmgr -i add/modify/delete) when something differs, so it is idempotent.
  - "One task manages one entity, so an inventory list such as
    C({type: account, name: physics, parent: root}) or
    C({type: user, name: alice, account: physics, qos: [normal]}) maps onto a loop directly."
  - "With O(entries), one task manages a list of entities (of one O(type), or each of its own), in
    list order, as a loop would, but in one module run: each table is read once for all entries,
    so a re-run costs one C(sacctmgr) read per table whatever the number of entries, where a loop
    costs two per entry. The first reads of the tables run at once, before any change.
    After a change, the rows of the entity changed (a user and its associations) are read from
    C(sacctmgr) again when a later entry names it; after a removal, every table is read again.
    Users added with the same settings share one command (C(add user alice,bob ...)), as do users
    removed on the same conditions (C(delete user where name=alice,bob ...))."
  - With O(entries), every entry is checked before anything changes, and so is every QOS the
    account and user entries name (O(qos), O(default_qos)) - it must be a QOS entry of the batch
    kept or added, or exist in the database (read once, with the batch's first reads), not one the
    batch removes. sacctmgr refuses an unknown QOS only at the entry naming it, after the changes
    of the entries before it.
  - Run it where C(sacctmgr) reaches slurmdbd (usually the controller, once).
  - "sacctmgr's rules are checked before anything runs: sacctmgr stores account, cluster, QOS
    and (by default) user names in lower case and reads a comma in a name as a list, so names
    take lower-case letters, digits, C(_), C(.), C(@) and C(-) (not first). It stores
    descriptions and organizations in lower case (they are compared without case), turns quotes
    into a backquote, hands a backslash to MySQL unescaped, and a C(|) would shift the columns of
    its parsable output: text with a quote, a backslash, a C(|) or a line break is refused.
    Commas in text are kept as given."
options:
  type:
    description:
      - Kind of entity. Required with O(name).
      - With O(entries), the type of the entries that do not set their own.
    type: str
    choices: [cluster, account, user, qos]
  name:
    description:
      - Name of the cluster, account, user or QOS.
      - Required unless O(entries) is given (then each entry has its own).
    type: str
  entries:
    description:
      - Entities to manage, in this order, each a dictionary of this module's options other than
        O(preserve_case_user), O(require_unix_users), O(unix_users_pending) and O(entries) (O(name)
        is required in each).
      - An option an entry does not set takes this task's value (O(type), O(cluster), O(state), ...).
      - "An entry may set its own O(type), so one task can declare a cluster, its QOS, accounts and
        users (in that order) and read each table once for all of them. Such an entry takes only
        the task's options that apply to its type: a task's O(cluster) goes to its accounts and
        users, not to its QOS."
      - Mutually exclusive with O(name).
    type: list
    elements: dict
  state:
    description:
      - V(present) creates the entity or association and brings the given attributes to the given
        values; attributes not given are left alone.
      - V(absent) removes it. For O(type=user) with O(account), only the association of the user
        with that account is removed; without O(account), the user.
    type: str
    choices: [present, absent]
    default: present
  cluster:
    description:
      - Cluster of the association (O(type=account) or O(type=user)). Without it, sacctmgr acts on
        the associations of every cluster.
    type: str
  parent:
    description:
      - Parent account (O(type=account)). Slurm uses V(root) when an account is created without one.
      - It must exist (on O(cluster)) before its child is created or moved under it.
    type: str
  description:
    description:
      - Description (O(type=account) or O(type=qos)). sacctmgr stores it in lower case, so it is
        compared without case.
    type: str
  organization:
    description: Organization (O(type=account)).
    type: str
  account:
    description:
      - Account of the user's association (O(type=user)). Required with O(state=present).
    type: str
  default_account:
    description: Default account of the user (O(type=user)); the user must be associated with it.
    type: str
  qos:
    description:
      - QOS allowed on the association (O(type=account) or O(type=user)), replacing the current
        list. Order does not matter.
    type: list
    elements: str
  default_qos:
    description: Default QOS of the association (O(type=account) or O(type=user)).
    type: str
  limits:
    description:
      - Limits of the association (O(type=account) or O(type=user)) or of the QOS (O(type=qos)),
        by their sacctmgr names. A value of V(-1) removes the limit.
      - "Associations: C(Fairshare), C(GrpJobs), C(GrpSubmitJobs), C(GrpTRES), C(GrpTRESMins),
        C(GrpTRESRunMins), C(GrpWall), C(MaxJobs), C(MaxSubmitJobs), C(MaxTRES), C(MaxTRESPerNode),
        C(MaxTRESMins), C(MaxWall), C(Priority)."
      - "QOS: C(Flags), C(GraceTime), C(GrpJobs), C(GrpSubmitJobs), C(GrpTRES), C(GrpTRESMins),
        C(GrpTRESRunMins), C(GrpWall), C(MaxJobsPerAccount), C(MaxJobsPerUser),
        C(MaxSubmitJobsPerAccount), C(MaxSubmitJobsPerUser), C(MaxTRES), C(MaxTRESMins),
        C(MaxTRESPerAccount), C(MaxTRESPerNode), C(MaxTRESPerUser), C(MaxWall), C(MinTRES),
        C(Preempt), C(PreemptMode), C(Priority), C(UsageFactor)."
      - TRES values compare as sets with memory units normalised (C(mem=1G) equals C(mem=1024M)),
        times compare as durations (C(48:00:00) equals C(2-00:00:00)).
    type: dict
  preserve_case_user:
    description:
      - Set when slurmdbd.conf has C(Parameters=PreserveCaseUser), which keeps the case of user
        names; otherwise a user name with capitals is refused (sacctmgr would store it in lower
        case, and the association would not match the Unix user).
    type: bool
    default: false
  require_unix_users:
    description:
      - Refuse, before any change and naming them all, the users to be present (O(type=user),
        O(state=present)) that this host cannot resolve as Unix users. slurmctld caches the
        association of a user it cannot resolve until it restarts.
    type: bool
    default: false
  unix_users_pending:
    description:
      - Users that may be missing for O(require_unix_users), because an earlier task of the same run
        creates them (in check mode, it has not).
    type: list
    elements: str
    default: []
notes:
  - Check mode computes the commands and reports them without running them.
  - "In check mode, when C(sacctmgr) is not installed yet or cannot reach slurmdbd (a fresh
    controller, where the same run would install and start them), the module warns and reports
    every change as if the database were empty, instead of failing."
  - Supports diff mode.
  - Removing an account or user that still has running jobs or children fails with sacctmgr's message.
  - A user removed from O(cluster) (no O(account)) loses her other accounts there before her default
    one, which sacctmgr refuses to remove while she has others on the cluster.
requirements:
  - C(sacctmgr) in the PATH and a reachable slurmdbd.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: The cluster itself
  hpc.cluster.slurm_account:
    type: cluster
    name: lab

- name: QOS for long jobs
  hpc.cluster.slurm_account:
    type: qos
    name: long
    description: jobs up to one week
    limits:
      MaxWall: 7-00:00:00
      MaxTRESPerUser: cpu=256
      Priority: 10

- name: Account under root
  hpc.cluster.slurm_account:
    type: account
    name: physics
    parent: root
    description: Physics department, theory and experiment
    organization: science
    cluster: lab
    limits:
      GrpTRES: cpu=512,mem=2T

- name: User in the account, default account, QOS list and a job limit
  hpc.cluster.slurm_account:
    type: user
    name: alice
    account: physics
    default_account: physics
    cluster: lab
    qos: [normal, long]
    default_qos: normal
    limits:
      MaxJobs: 100

- name: Entities declared in the inventory
  hpc.cluster.slurm_account: "{{ item }}"
  loop: "{{ slurm_accounting_entities }}"

- name: Every user's association in one run (two sacctmgr reads when nothing changes)
  hpc.cluster.slurm_account:
    type: user
    cluster: lab
    entries:
      - {name: alice, account: physics, default_account: physics}
      - {name: alice, account: chemistry, default_account: physics}
      - {name: bob, account: chemistry, qos: [normal, long]}

- name: The cluster, its QOS, accounts and users in one run, each table read once
  hpc.cluster.slurm_account:
    cluster: lab
    require_unix_users: true
    entries:
      - {type: cluster, name: lab}
      - {type: qos, name: long, limits: {MaxWall: 7-00:00:00}}
      - {type: account, name: physics}
      - {type: user, name: alice, account: physics, default_account: physics, qos: [normal, long]}

- name: Take alice out of physics (the user stays)
  hpc.cluster.slurm_account:
    type: user
    name: alice
    account: physics
    state: absent
"""

RETURN = r"""
commands:
  description:
    - The sacctmgr commands run (or that would run in check mode), as argv lists.
    - With O(entries), users added with the same settings share one C(add user) command, users
      removed on the same conditions one C(delete user) command.
  returned: always
  type: list
  elements: list
  sample: [["sacctmgr", "-i", "add", "account", "physics", "parent=root"]]
before:
  description:
    - The relevant state read before the change (empty when absent).
    - With O(entries), by entry (C(name), or C(name@account) for a user's association), for the
      entries that change only.
  returned: always
  type: dict
after:
  description:
    - The state expected after the change (empty when absent).
    - With O(entries), by entry as in RV(before).
  returned: always
  type: dict
"""

import pwd

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.sacctmgr import (
    ASSOC_KEY_FIELDS,
    OPTIONS,
    EntryError,
    Sacctmgr,
    Table,
    check_entry,
    differences,
    entry_params,
    setting,
)

# The columns of the cluster, account and user tables the reads ask for.
CLUSTER_FIELDS = ["Cluster"]
ACCOUNT_FIELDS = ["Account", "Description", "Organization"]
USER_FIELDS = ["User", "DefaultAccount"]
# What `modify account ... set` changes on the account itself, not on its association.
ACCOUNT_ENTITY_SETS = ("Description=", "Organization=")


def raw_state(rows, wanted):
    if not rows:
        return {}
    return {name: rows[0].get(field, "") for name, (field, _kind, _value) in wanted.items()}


def limits_wanted(wanted, table, limits):
    """``wanted`` with each limit as (column, kind, value), its column and kind from ``table``."""
    for key, value in limits.items():
        field, kind = table[key]
        wanted[key] = (field, kind, value)
    return wanted


def assoc_wanted(params, table, limits):
    wanted = {}
    if params.get("parent") is not None:
        wanted["Parent"] = ("ParentName", "str", params["parent"])
    if params["qos"] is not None:
        wanted["QOS"] = ("QOS", "set", params["qos"])
    if params["default_qos"] is not None:
        wanted["DefaultQOS"] = ("DefaultQOS", "str", params["default_qos"])
    return limits_wanted(wanted, table, limits)


def assoc_columns(wanted):
    """The columns a read of associations asks for: the keys, then what ``wanted`` compares."""
    return ASSOC_KEY_FIELDS + sorted({field for field, _k, _v in wanted.values()})


def qos_wanted(params, table, limits):
    wanted = {}
    if params["description"] is not None:
        wanted["Description"] = ("Description", "caseless", params["description"])
    return limits_wanted(wanted, table, limits)


def qos_columns(wanted):
    """The columns a read of QOS asks for: name and description, then what ``wanted`` compares."""
    return ["Name", "Description"] + sorted({field for field, _k, _v in wanted.values()} - {"Description"})


def sets_args(sets):
    return ["%s=%s" % (key, setting(value)) for key, value in sorted(sets.items())]


def manage_cluster(mgr, params, _table, _limits):
    name = params["name"]
    rows = mgr.show("cluster", [("name", name)], CLUSTER_FIELDS)
    exists = any(r["Cluster"] == name for r in rows)
    before = {"cluster": name} if exists else {}
    if params["state"] == "present":
        if not exists:
            mgr.change(["add", "cluster", name])
        return before, {"cluster": name}
    if exists:
        mgr.change(["delete", "cluster", "where", "name=%s" % name])
    return before, {}


def manage_qos(mgr, params, table, limits):
    name = params["name"]
    wanted = qos_wanted(params, table, limits)
    rows = [r for r in mgr.show("qos", [("name", name)], qos_columns(wanted)) if r["Name"] == name]
    before = dict(raw_state(rows, wanted), name=name) if rows else {}
    if params["state"] == "absent":
        if rows:
            mgr.change(["delete", "qos", "where", "name=%s" % name])
        return before, {}
    after = dict(before, name=name)
    after.update({k: setting(v) for k, (_f, _k, v) in wanted.items()})
    if not rows:
        add = {k: v for k, (_f, _k, v) in wanted.items() if v is not None}
        mgr.change(["add", "qos", name] + sets_args(add))
        return before, after
    sets = differences(rows, wanted)
    if sets:
        mgr.change(["modify", "qos", "where", "name=%s" % name, "set"] + sets_args(sets))
    return before, after


def check_parent(mgr, params):
    """A parent must exist (on the cluster) before an account is created or moved under it."""
    parent, cluster = params["parent"], params["cluster"]
    if parent in (None, "root") or mgr.offline or ("account", parent) in mgr.added:
        return
    where = [("account", parent)] + ([("cluster", cluster)] if cluster else [])
    rows = [r for r in mgr.show("association", where, ASSOC_KEY_FIELDS)
            if r["Account"] == parent and r["User"] == "" and r["Partition"] == ""]
    # In check mode an earlier task of the same run may be the one creating the parent.
    if not rows and not mgr.module.check_mode:
        mgr.module.fail_json(
            msg="account %s: parent account '%s' does not exist%s; declare it (before '%s') in "
                "slurm_accounts, or use parent root"
            % (params["name"], parent, " on cluster %s" % cluster if cluster else "", params["name"]))


def manage_account(mgr, params, table, limits):
    name = params["name"]
    cluster = params["cluster"]
    entity_wanted = {}
    if params["description"] is not None:
        entity_wanted["Description"] = ("Description", "caseless", params["description"])
    if params["organization"] is not None:
        entity_wanted["Organization"] = ("Organization", "caseless", params["organization"])
    wanted = assoc_wanted(params, table, limits)

    entity = [r for r in mgr.show("account", [("name", name)], ACCOUNT_FIELDS) if r["Account"] == name]
    where = [("account", name)] + ([("cluster", cluster)] if cluster else [])
    assocs = [r for r in mgr.show("association", where, assoc_columns(wanted))
              if r["Account"] == name and r["User"] == "" and r["Partition"] == ""]

    before = {}
    if entity and assocs:
        before = dict(raw_state(entity, entity_wanted), **raw_state(assocs, wanted))
        before["account"] = name
    target = [("name", name)] + ([("cluster", cluster)] if cluster else [])
    if params["state"] == "absent":
        if assocs or (entity and not cluster):
            mgr.change(["delete", "account", "where"] + ["%s=%s" % kv for kv in target])
        return before, {}

    after = dict(before, account=name)
    after.update({k: setting(v) for k, (_f, _k, v) in entity_wanted.items()})
    after.update({k: setting(v) for k, (_f, _k, v) in wanted.items()})
    if not assocs:
        check_parent(mgr, params)
        add = {k: v for k, (_f, _k, v) in entity_wanted.items()}
        add.update({k: v for k, (_f, _k, v) in wanted.items() if v is not None})
        if cluster:
            add["Cluster"] = cluster
        mgr.change(["add", "account", name] + sets_args(add))
        mgr.added.add(("account", name))
        return before, after
    assoc_sets = differences(assocs, wanted)
    if "Parent" in assoc_sets:
        check_parent(mgr, params)
    entity_sets = differences(entity, entity_wanted)
    if entity_sets:
        mgr.change(["modify", "account", "where", "name=%s" % name, "set"] + sets_args(entity_sets))
    if assoc_sets:
        mgr.change(["modify", "account", "where"] + ["%s=%s" % kv for kv in target]
                   + ["set"] + sets_args(assoc_sets))
    return before, after


def manage_user(mgr, params, table, limits):
    name = params["name"]
    account = params["account"]
    cluster = params["cluster"]
    wanted = assoc_wanted(params, table, limits)

    user = [r for r in mgr.show("user", [("name", name)], USER_FIELDS) if r["User"] == name]
    where = [("user", name)]
    if account:
        where.append(("account", account))
    if cluster:
        where.append(("cluster", cluster))
    assocs = [r for r in mgr.show("association", where, assoc_columns(wanted))
              if r["User"] == name and r["Partition"] == ""
              and (not account or r["Account"] == account)]

    # The same conditions for 'modify/delete user' name the user with name=.
    target = [("name", name)] + where[1:]
    before = {}
    if user:
        before = {"user": name, "DefaultAccount": user[0]["DefaultAccount"]}
        if assocs:
            before.update(raw_state(assocs, wanted))
            before["account"] = account
    if params["state"] == "absent":
        if account:
            if assocs:
                mgr.change(["delete", "user", "where"] + ["%s=%s" % kv for kv in target])
        elif user:
            # sacctmgr refuses to take a user's default account from her on a cluster while she has
            # other accounts there: those go first.
            here, default = {row["Account"] for row in assocs}, user[0]["DefaultAccount"]
            others = sorted(here - {default})
            if cluster and default in here and others:
                mgr.change(["delete", "user", "where", "name=%s" % name, "account=%s" % ",".join(others),
                            "cluster=%s" % cluster])
            mgr.change(["delete", "user", "where", "name=%s" % name]
                       + (["cluster=%s" % cluster] if cluster else []))
        return before, {}

    after = dict(before, user=name, account=account)
    after.update({k: setting(v) for k, (_f, _k, v) in wanted.items()})
    if params["default_account"] is not None:
        after["DefaultAccount"] = params["default_account"]
    elif not user:
        after["DefaultAccount"] = account

    if not assocs:
        add = {"Account": account}
        add.update({k: v for k, (_f, _k, v) in wanted.items() if v is not None})
        if cluster:
            add["Cluster"] = cluster
        if not user and params["default_account"] is not None:
            add["DefaultAccount"] = params["default_account"]
        mgr.change(["add", "user", name] + sets_args(add))
    else:
        sets = differences(assocs, wanted)
        if sets:
            mgr.change(["modify", "user", "where"] + ["%s=%s" % kv for kv in target]
                       + ["set"] + sets_args(sets))
    if (user and params["default_account"] is not None
            and user[0]["DefaultAccount"] != params["default_account"]):
        mgr.change(["modify", "user", "where", "name=%s" % name, "set",
                    "DefaultAccount=%s" % params["default_account"]])
    if not user or before["DefaultAccount"] != after["DefaultAccount"]:
        # Its row as the change left it: a later entry of the same user needs no read of it.
        mgr.known("user", {"User": name, "DefaultAccount": after["DefaultAccount"]})
    return before, after


# sacctmgr's conditions and the columns they match, for the tables read once per batch.
TABLE_KEYS = {
    "cluster": {"name": "Cluster"},
    "qos": {"name": "Name"},
    "account": {"name": "Account"},
    "user": {"name": "User"},
    "association": {"account": "Account", "cluster": "Cluster", "user": "User"},
}
MANAGE = {"cluster": manage_cluster, "qos": manage_qos, "account": manage_account, "user": manage_user}


def entry_label(params):
    if params["type"] == "user" and params["account"]:
        return "%s@%s" % (params["name"], params["account"])
    return str(params["name"])


def prepared_entries(params):
    """(params, limit table, limits) of the task, or of each entry of O(entries) with the task's
    options where it sets none; the first entry sacctmgr would refuse raises EntryError."""
    if params["entries"] is None:
        return [(params,) + check_entry(params)]
    shared = {k: v for k, v in params.items() if k != "entries"}
    prepared = []
    for index, entry in enumerate(params["entries"]):
        try:
            merged = entry_params(entry, shared)
            prepared.append((merged,) + check_entry(merged))
        except EntryError as exc:
            raise EntryError("%s: %s" % (entry_position(index, entry), exc)) from None
    return prepared


def entry_position(index, entry):
    """entries[index], with the entry's name when it has one."""
    name = entry.get("name") if isinstance(entry, dict) else None
    return "entries[%d] (%s)" % (index, name) if name else "entries[%d]" % index


def columns_read(entry, table, limits):
    """[(table, columns)] of the reads an entry makes, in the order it makes them."""
    if entry["type"] == "cluster":
        return [("cluster", CLUSTER_FIELDS)]
    if entry["type"] == "qos":
        return [("qos", qos_columns(qos_wanted(entry, table, limits)))]
    own = ("account", ACCOUNT_FIELDS) if entry["type"] == "account" else ("user", USER_FIELDS)
    return [own, ("association", assoc_columns(assoc_wanted(entry, table, limits)))]


def rows_changed(entry, commands):
    """The rows the commands run for this entry touched, by table, each as the conditions they all
    match (Sacctmgr.touched reads a table not named here again whole): a user's associations with
    its account (its own row is kept by manage_user where a change made it, read again after a
    removal); an account's own row and its own association (a user's association with it is
    another row), or every association after a change of its association settings (its
    sub-accounts and users inherit them); a QOS's own row; a new cluster's own row and every
    association (its root associations)."""
    name = entry["name"]
    rows = {entity: [] for entity in TABLE_KEYS}
    if entry["type"] == "user":
        account = (("account", entry["account"]),) if entry["account"] else ()
        rows["association"] = [(("user", name),) + account]
        if entry["state"] == "absent":
            rows["user"] = [(("name", name),)]
    elif entry["type"] == "account":
        rows["account"] = [(("name", name),)]
        rows["association"] = [(("account", name), ("user", ""))]
        if any(command[2] == "modify" and not all(arg.startswith(ACCOUNT_ENTITY_SETS)
                                                  for arg in command[command.index("set") + 1:])
               for command in commands):
            del rows["association"]
    elif entry["type"] == "qos":
        rows["qos"] = [(("name", name),)]
    else:
        rows["cluster"] = [(("name", name),)]
        del rows["association"]
    return rows


def batch_tables(prepared):
    """One Table per entity, asked beforehand for every column the entries read (so a re-run reads
    each table once); associations read for the one cluster of the account and user entries, if
    they have one."""
    clusters = {entry["cluster"] for entry, _table, _limits in prepared if entry["type"] in ("account", "user")}
    scope = [("cluster", clusters.pop())] if len(clusters) == 1 and None not in clusters else []
    tables = {entity: Table(keys, scope if entity == "association" else ())
              for entity, keys in TABLE_KEYS.items()}
    for entry, table, limits in prepared:
        for entity, fields in columns_read(entry, table, limits):
            tables[entity].want(fields)
    return tables


def first_reads(prepared):
    """The tables the entries read, in the order of their first read."""
    order = {}
    for entry, table, limits in prepared:
        order.update((entity, None) for entity, _fields in columns_read(entry, table, limits))
    return list(order)


def unknown_qos_named(prepared):
    """{QOS name: [labels of the account and user entries kept or added that name it]} of the QOS
    no QOS entry of the batch keeps or adds, each name and label once, in order; and the set of QOS
    the batch removes."""
    kept = {entry["name"] for entry, _t, _l in prepared if entry["type"] == "qos" and entry["state"] == "present"}
    removed = {entry["name"] for entry, _t, _l in prepared if entry["type"] == "qos" and entry["state"] == "absent"}
    named = {}
    for entry, _table, _limits in prepared:
        if entry["type"] not in ("account", "user") or entry["state"] != "present":
            continue
        label = "%s %s" % (entry["type"], entry_label(entry))
        for name in list(entry["qos"] or []) + ([entry["default_qos"]] if entry["default_qos"] else []):
            if name in kept:
                continue
            labels = named.setdefault(name, [])
            if label not in labels:
                labels.append(label)
    return named, removed - kept


def qos_problems(named, removed, existing):
    """Why sacctmgr would refuse the QOS the entries name: one text per QOS, [] when none."""
    problems = []
    for name, labels in named.items():
        if name in removed:
            problems.append("QOS %s, named by %s, is removed by this batch" % (name, ", ".join(labels)))
        elif name not in existing:
            problems.append("QOS %s, named by %s, is neither in the accounting database nor among the QOS entries"
                            % (name, ", ".join(labels)))
    if problems:
        problems.append("sacctmgr would refuse it at that entry, after the changes of the entries before it "
                        "(QOS in the database: %s)" % (", ".join(sorted(existing)) or "none"))
    return problems


def missing_unix_users(prepared, pending):
    """The users to keep or add in accounting that this host cannot resolve, each once, in order."""
    missing = []
    for entry, _table, _limits in prepared:
        name = entry["name"]
        if entry["type"] != "user" or entry["state"] != "present" or name in pending or name in missing:
            continue
        try:
            pwd.getpwnam(name)
        except KeyError:
            missing.append(name)
    return missing


def main():
    module = AnsibleModule(
        argument_spec=dict(OPTIONS, entries=dict(type="list", elements="dict")),
        required_one_of=[("name", "entries")],
        mutually_exclusive=[("name", "entries")],
        required_by={"name": "type"},
        supports_check_mode=True,
    )
    batch = module.params["entries"] is not None
    try:
        prepared = prepared_entries(module.params)
    except EntryError as exc:
        module.fail_json(msg=str(exc))
    if module.params["require_unix_users"]:
        missing = missing_unix_users(prepared, module.params["unix_users_pending"])
        if missing:
            module.fail_json(
                msg="user(s) %s do not exist here as Unix users: create them first, with the same UID on "
                    "every node (slurmctld caches the association of a user it cannot resolve until it "
                    "restarts)" % ", ".join(missing))

    mgr = Sacctmgr(module, batch_tables(prepared) if batch else None)
    if batch:
        named, removed = unknown_qos_named(prepared)
        reads = first_reads(prepared)
        if named:
            mgr.tables["qos"].want(["Name"])
            reads += [] if "qos" in reads else ["qos"]
        mgr.prefetch(reads)
        if named and not mgr.offline:
            existing = {row["Name"] for row in mgr.show("qos", [], ["Name"])}
            problems = qos_problems(named, removed, existing)
            if problems:
                module.fail_json(msg="; ".join(problems))
    before, after = {}, {}
    for entry, table, limits in prepared:
        ran = len(mgr.commands)
        one_before, one_after = MANAGE[entry["type"]](mgr, entry, table, limits)
        if len(mgr.commands) == ran:
            one_after = one_before
        mgr.touched(rows_changed(entry, mgr.commands[ran:]), since=ran)
        if not batch:
            before, after = one_before, one_after
        elif len(mgr.commands) > ran:
            before[entry_label(entry)], after[entry_label(entry)] = one_before, one_after

    mgr.flush()
    changed = bool(mgr.commands)
    result = dict(changed=changed, commands=mgr.ran, before=before, after=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
