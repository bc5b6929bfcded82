# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""sacctmgr: read its parsable output, compare its values, know which names it keeps.

* :class:`Sacctmgr` runs ``sacctmgr --noheader --parsable2 show ...`` and ``sacctmgr -i ...``
  for an AnsibleModule, check mode included (offline when sacctmgr or slurmdbd is not there yet),
  and can answer the reads of many entries from one read of each table (:class:`Table`);
* :func:`normalize` turns a value as sacctmgr prints it, or as a user writes it, into a
  comparable form (durations, TRES lists with memory units, sets, numbers), and
  :func:`differences` compares wanted settings with the rows read;
* :func:`name_problem` and :func:`text_problem` say why sacctmgr would not keep a name or a
  text as given.
"""

from __future__ import annotations

import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import (
    SlurmRunner,
    parse_parsable2,
)

_MEM_UNITS = {"K": 1.0 / 1024, "M": 1, "G": 1024, "T": 1024 ** 2, "P": 1024 ** 3}
_MEM_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)([KMGTP]?)B?", re.I)
_UNSET = ("", "-1", "unlimited", "none")


class LimitError(ValueError):
    pass


def norm_time(value):
    """Slurm duration -> seconds ('-1', '', UNLIMITED -> None)."""
    text = str(value).strip()
    if text.lower() in _UNSET + ("infinite",):
        return None
    match = re.fullmatch(r"(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?", text)
    if not match:
        raise LimitError("not a Slurm duration: %r" % text)
    days, first, second, third = match.groups()
    days = int(days or 0)
    if match.group(1) is not None:
        # days-hours[:minutes[:seconds]]
        hours, minutes, seconds = int(first), int(second or 0), int(third or 0)
    elif third is not None:
        hours, minutes, seconds = int(first), int(second), int(third)
    else:
        # minutes[:seconds]
        hours, minutes, seconds = 0, int(first), int(second or 0)
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def norm_tres(value):
    """'cpu=4,mem=1G' -> {'cpu': '4', 'mem': 1024.0}; elements set to -1 are dropped."""
    text = str(value).strip()
    if text.lower() in _UNSET:
        return None
    result = {}
    for part in text.split(","):
        key, sep, amount = part.partition("=")
        if not sep or not key.strip() or not amount.strip():
            raise LimitError("not a TRES list (name=count,...): %r" % text)
        key = key.strip().lower()
        amount = amount.strip()
        if amount == "-1":
            continue
        if key == "mem" or key.endswith("/mem"):
            match = _MEM_RE.fullmatch(amount)
            if not match:
                raise LimitError("bad memory amount %r in %r" % (amount, text))
            amount = float(match.group(1)) * _MEM_UNITS[(match.group(2) or "M").upper()]
        result[key] = amount
    return result or None


_NUMBERS = {"int": (int, "an integer"), "float": (float, "a number")}

# sacctmgr's rules for names and text (src/sacctmgr: slurm_addto_char_list() splits a name at
# commas and lower-cases it; strip_quotes() lower-cases a description or organization and turns
# quotes into '`'; slurmdbd writes text into MySQL between quotes without escaping '\\').
_NAME_RE = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9_.@-]*")
_TEXT_REFUSED = (
    ("|", "'|', which would shift the columns of sacctmgr's parsable output"),
    ('"', "'\"', which sacctmgr turns into '`'"),
    ("'", "\"'\", which sacctmgr turns into '`'"),
    ("\\", "'\\', which slurmdbd hands to MySQL unescaped"),
)
# ClusterName names MySQL tables (<cluster>_job_table): at most 40 characters (slurm.conf(5)).
CLUSTER_NAME_MAX = 40
ENTITY_LABEL = {"account": "account", "user": "user", "qos": "QOS", "cluster": "cluster"}


def name_problem(kind, name, preserve_case=False):
    """Why sacctmgr would not keep ``name`` (of an account, user, QOS, cluster) as given, or None."""
    what = ENTITY_LABEL[kind]
    if "," in name:
        return "sacctmgr reads a comma as a list of names; give one %s per entry" % what
    if not _NAME_RE.fullmatch(name):
        return "use letters, digits, '_', '.', '@' and '-' (not first) in a %s name" % what
    if name != name.lower() and not (kind == "user" and preserve_case):
        unless = " (unless slurmdbd has Parameters=PreserveCaseUser)" if kind == "user" else ""
        return "sacctmgr stores %s names in lower case%s: write '%s', not '%s'" % (
            what, unless, name.lower(), name)
    if kind == "cluster" and len(name) > CLUSTER_NAME_MAX:
        return "a cluster name is longer than %d characters (MySQL's limit on table names)" % CLUSTER_NAME_MAX
    return None


def text_problem(text):
    """Why sacctmgr could not store and read back ``text`` (a description, organization), or None."""
    for char, why in _TEXT_REFUSED:
        if char in text:
            return "holds %s; write it without" % why
    if any(ord(c) < 32 for c in text):
        return "holds a line break or control character; write it on one line"
    return None


def normalize(kind, value):
    """Comparable form of a value of the given kind (None = unset)."""
    if value is None:
        return None
    if kind == "exact":
        return None if str(value) == "" else str(value)
    if kind == "caseless":
        # sacctmgr stores descriptions and organizations in lower case.
        return None if str(value) == "" else str(value).lower()
    if kind in _NUMBERS:
        cast, what = _NUMBERS[kind]
        text = str(value).strip()
        if text.lower() in _UNSET:
            return None
        try:
            return cast(text)
        except ValueError:
            raise LimitError("not %s: %r" % (what, text)) from None
    if kind == "time":
        return norm_time(value)
    if kind == "tres":
        return norm_tres(value)
    if kind == "set":
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        items = {str(i).strip().lower() for i in items if str(i).strip()}
        return (items - {"", "-1"}) or None
    text = str(value).strip()
    return None if text.lower() in _UNSET else text.lower()


def setting(value):
    """Value for 'Key=value' on the command line (-1 clears)."""
    if value is None:
        return "-1"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


# option name -> (format field of 'show', kind)
ASSOC_LIMITS = {
    "Fairshare": ("Fairshare", "str"),
    "GrpJobs": ("GrpJobs", "int"),
    "GrpSubmitJobs": ("GrpSubmitJobs", "int"),
    "GrpTRES": ("GrpTRES", "tres"),
    "GrpTRESMins": ("GrpTRESMins", "tres"),
    "GrpTRESRunMins": ("GrpTRESRunMins", "tres"),
    "GrpWall": ("GrpWall", "time"),
    "MaxJobs": ("MaxJobs", "int"),
    "MaxSubmitJobs": ("MaxSubmitJobs", "int"),
    "MaxTRES": ("MaxTRES", "tres"),
    "MaxTRESPerNode": ("MaxTRESPerNode", "tres"),
    "MaxTRESMins": ("MaxTRESMins", "tres"),
    "MaxWall": ("MaxWall", "time"),
    "Priority": ("Priority", "int"),
}
QOS_LIMITS = {
    "Flags": ("Flags", "set"),
    "GraceTime": ("GraceTime", "time"),
    "GrpJobs": ("GrpJobs", "int"),
    "GrpSubmitJobs": ("GrpSubmitJobs", "int"),
    "GrpTRES": ("GrpTRES", "tres"),
    "GrpTRESMins": ("GrpTRESMins", "tres"),
    "GrpTRESRunMins": ("GrpTRESRunMins", "tres"),
    "GrpWall": ("GrpWall", "time"),
    "MaxJobsPerAccount": ("MaxJobsPA", "int"),
    "MaxJobsPerUser": ("MaxJobsPU", "int"),
    "MaxSubmitJobsPerAccount": ("MaxSubmitJobsPA", "int"),
    "MaxSubmitJobsPerUser": ("MaxSubmitJobsPU", "int"),
    "MaxTRES": ("MaxTRES", "tres"),
    "MaxTRESMins": ("MaxTRESMins", "tres"),
    "MaxTRESPerAccount": ("MaxTRESPA", "tres"),
    "MaxTRESPerNode": ("MaxTRESPerNode", "tres"),
    "MaxTRESPerUser": ("MaxTRESPU", "tres"),
    "MaxWall": ("MaxWall", "time"),
    "MinTRES": ("MinTRES", "tres"),
    "Preempt": ("Preempt", "set"),
    "PreemptMode": ("PreemptMode", "set"),
    "Priority": ("Priority", "int"),
    "UsageFactor": ("UsageFactor", "float"),
}
# The columns that identify an association (a user's has User, an account's has not).
ASSOC_KEY_FIELDS = ["Cluster", "Account", "User", "Partition"]
# Which options apply to which type.
VALID_FOR = {
    "cluster": ("account", "user"),
    "parent": ("account",),
    "description": ("account", "qos"),
    "organization": ("account",),
    "account": ("user",),
    "default_account": ("user",),
    "qos": ("account", "user"),
    "default_qos": ("account", "user"),
    "limits": ("account", "user", "qos"),
}
# option -> kind of the names it holds
NAME_OPTIONS = {"cluster": "cluster", "parent": "account", "account": "account",
                "default_account": "account", "qos": "qos", "default_qos": "qos"}


class EntryError(Exception):
    """A problem of one entry, told to the user as is."""


def check_names(params):
    """Refuse, naming the entry, a name or text sacctmgr would not keep as given."""
    kind = params["type"]
    name = params["name"]
    preserve = params["preserve_case_user"]
    problem = name_problem(kind, name, preserve)
    if problem:
        raise EntryError("%s '%s': %s" % (ENTITY_LABEL[kind], name, problem))
    entry = "%s %s" % (ENTITY_LABEL[kind], name)
    for option, option_kind in NAME_OPTIONS.items():
        values = params[option]
        if values is None:
            continue
        for value in values if isinstance(values, list) else [values]:
            problem = name_problem(option_kind, value)
            if problem:
                raise EntryError("%s: %s '%s': %s" % (entry, option, value, problem))
    for option in ("description", "organization"):
        if params[option] is not None:
            problem = text_problem(params[option])
            if problem:
                raise EntryError("%s: %s '%s' %s" % (entry, option, params[option], problem))


def check_options(params):
    kind = params["type"]
    if not params["name"] or not params["name"].strip():
        raise EntryError("name must not be empty")
    for option, types in VALID_FOR.items():
        if params[option] is not None and kind not in types:
            raise EntryError("option %s is not valid with type=%s (only with type=%s)"
                             % (option, kind, " or ".join(types)))
    if kind == "user" and params["state"] == "present" and not params["account"]:
        raise EntryError("type=user with state=present needs account")
    table = QOS_LIMITS if kind == "qos" else ASSOC_LIMITS
    limits = {}
    by_lower = {k.lower(): k for k in table}
    for key, value in (params["limits"] or {}).items():
        canonical = by_lower.get(str(key).lower())
        if canonical is None:
            raise EntryError("limit %s is not supported for type=%s; supported: %s"
                             % (key, kind, ", ".join(sorted(table))))
        try:
            normalize(table[canonical][1], value)
        except LimitError as exc:
            raise EntryError("limit %s: %s" % (canonical, exc)) from None
        limits[canonical] = None if str(value).strip() == "-1" else value
    return table, limits


def check_entry(params):
    """check_options, then check_names: the (limit table, limits) of an entry sacctmgr would keep
    as given. Raises EntryError."""
    table_limits = check_options(params)
    check_names(params)
    return table_limits


OPTIONS = dict(
    type=dict(type="str", choices=["cluster", "account", "user", "qos"]),
    name=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    cluster=dict(type="str"),
    parent=dict(type="str"),
    description=dict(type="str"),
    organization=dict(type="str"),
    account=dict(type="str"),
    default_account=dict(type="str"),
    qos=dict(type="list", elements="str"),
    default_qos=dict(type="str"),
    limits=dict(type="dict"),
    preserve_case_user=dict(type="bool", default=False),
    require_unix_users=dict(type="bool", default=False),
    unix_users_pending=dict(type="list", elements="str", default=[]),
)
# Options of the task alone, never of an entry.
TASK_ONLY = ("preserve_case_user", "require_unix_users", "unix_users_pending")
# What an entry of O(entries) may set: an entity's own options and its type, no defaults (a
# missing one is the task's).
ENTRY_OPTIONS = {
    option: {k: v for k, v in spec.items() if k not in ("default", "required")}
    for option, spec in OPTIONS.items() if option not in TASK_ONLY
}


def entry_params(entry, shared):
    """One entry's parameters: its options (checked and converted like a module's), and ``shared``'s
    (a task's) where it sets none. An entry of its own type takes only the task's options that
    apply to that type. Raises EntryError."""
    unknown = sorted(str(key) for key in entry if key not in ENTRY_OPTIONS)
    if unknown:
        raise EntryError("unknown option %s (an entry takes %s; %s are the task's)"
                         % (", ".join(unknown), ", ".join(sorted(ENTRY_OPTIONS)), ", ".join(TASK_ONLY)))
    result = ArgumentSpecValidator(ENTRY_OPTIONS).validate(dict(entry))
    if result.error_messages:
        raise EntryError("; ".join(result.error_messages))
    own = {k: v for k, v in result.validated_parameters.items() if v is not None}
    params = dict(shared)
    if "type" in own:
        params.update((option, None) for option, types in VALID_FOR.items() if own["type"] not in types)
    elif not shared.get("type"):
        raise EntryError("type is not set (neither by the entry nor by the task)")
    params.update(own)
    return params


def task_params(kind, **values):
    """The parameters of a task of this type that sets only ``values`` (defaults for the rest)."""
    params = {option: spec.get("default") for option, spec in OPTIONS.items()}
    params.update(values, type=kind)
    return params


class Table:
    """One table read once for many entries: ``where`` conditions become column matches.

    ``keys`` maps a condition's name to its column; ``scope`` is the condition of the read itself
    (``[("cluster", "lab")]``), so only queries that name the same condition are answered.
    ``changed`` holds the rows a change made stale (:meth:`stale`), each as the conditions they all
    match (``(("user", "alice"), ("account", "physics"))``): a query that may match such a row (it
    names no other value for any of those conditions) goes to sacctmgr, the others are still
    answered from the rows read.
    """

    def __init__(self, keys, scope=()):
        self.keys = keys
        self.scope = list(scope)
        self.fields = []
        self.rows = None
        # The stale rows' conditions: their names (sorted) -> the sets of values given to them.
        self.changed = {}
        # The rows by the values of a set of conditions' columns, built for the rows of _indexed.
        self._indexes = {}
        self._indexed = None

    def forget(self):
        self.rows = None
        self.changed = {}

    def stale(self, conditions):
        """The rows matching all these conditions ((key, value) pairs) changed: read them again."""
        values = dict(conditions)
        names = tuple(sorted(values))
        self.changed.setdefault(names, set()).add(tuple(values[name] for name in names))

    def _may_be_stale(self, named):
        """Whether a query with these conditions may match a stale row: looked up by the stale
        conditions' values where the query names them all (a batch marks a row per entry, each
        entry queries: a scan of them made it quadratic, 1.8 s at 2,000 associations)."""
        for names, stale in self.changed.items():
            if all(name in named for name in names):
                if tuple(named[name] for name in names) in stale:
                    return True
            else:
                given = [(index, named[name]) for index, name in enumerate(names) if name in named]
                if any(all(values[index] == value for index, value in given) for values in stale):
                    return True
        return False

    def want(self, fields):
        """Read these columns too at the next read (one read for a batch whose entries ask for more)."""
        self.fields = self.fields + [field for field in fields if field not in self.fields]

    def answers(self, where):
        named = dict(where)
        return (all(key in self.keys for key in named)
                and all(condition in where for condition in self.scope)
                and not self._may_be_stale(named))

    def put(self, row):
        """A row known without a read (a change just made it): replaces the row of the same key."""
        key = self.keys["name"]
        if self._index(("name",)).get((row[key],)):
            self.rows = [old for old in self.rows if old[key] != row[key]] + [row]
            return
        self.rows.append(row)
        for names, index in self._indexes.items():
            index.setdefault(tuple(row[self.keys[name]] for name in names), []).append(row)

    def _index(self, names):
        """The rows by their values for these conditions, built once per set of conditions: a
        batch's entries each look their rows up (at 2,000 associations a scan each took 4 s)."""
        if self._indexed is not self.rows:
            self._indexes, self._indexed = {}, self.rows
        index = self._indexes.get(names)
        if index is None:
            index = self._indexes[names] = {}
            columns = [self.keys[name] for name in names]
            for row in self.rows:
                index.setdefault(tuple(row[column] for column in columns), []).append(row)
        return index

    def select(self, where, fields):
        wanted = dict(where)
        if len(wanted) < len(set(where)):  # one condition named with two values: no row matches both
            return []
        names = tuple(sorted(wanted))
        rows = self._index(names).get(tuple(wanted[name] for name in names), [])
        return [{field: row.get(field, "") for field in fields} for row in rows]


def read_args(entity, where, fields):
    """sacctmgr's arguments for the rows of ``entity`` matching ``where``, with ``fields``."""
    args = ["--noheader", "--parsable2", "show", entity]
    if where:
        args += ["where"] + ["%s=%s" % (k, v) for k, v in where]
    return args + ["format=%s" % ",".join(fields)]


class Sacctmgr:
    """Read with ``show`` (parsed into dicts), change with ``-i``; commands are recorded.

    In check mode a missing sacctmgr or an unreachable slurmdbd makes it offline: reads
    return nothing (with a warning), so every change is reported as to be made.

    With ``tables`` (entity -> :class:`Table`), a read of such an entity is answered from one
    read of the whole table (within its scope) with the fields asked so far. After a change (outside
    check mode) the caller says what it touched (:meth:`touched`).
    """

    def __init__(self, module, tables=None):
        self.module = module
        # In check mode on a fresh controller the run that would install sacctmgr and start
        # slurmdbd has not: read nothing, report every change, warn. A real run needs both.
        self.offline = module.check_mode and module.get_bin_path("sacctmgr") is None
        self.runner = None if self.offline else SlurmRunner(module, "sacctmgr")
        self.path = "sacctmgr" if self.offline else self.runner.path
        if self.offline:
            module.warn("sacctmgr is not installed: check mode reports every change as if the "
                        "accounting database were empty")
        # commands: one per change of an entity; ran: the commands run (or to run in check mode).
        self.commands = []
        # (entity, name) of what this run added: known to exist without a read.
        self.added = set()
        self.ran = []
        self.tables = tables or {}
        self.group_users = bool(tables)
        # (rank, head, key, tail) -> the users of a command held; each held user's last rank.
        self._pending = {}
        self._rank = {}

    def show(self, entity, where, fields):
        """Rows of ``sacctmgr show entity where k=v... format=fields`` as dicts keyed by fields."""
        table = self.tables.get(entity)
        if table is None or not table.answers(where):
            return self._read(entity, where, fields)
        missing = [field for field in fields if field not in table.fields]
        if table.rows is None or missing:
            table.want(missing)
            table.rows = self._read(entity, table.scope, table.fields)
        return table.select(where, fields)

    def prefetch(self, entities):
        """Read these tables (each within its scope, with the columns asked so far) at once, before
        any change: a read costs sacctmgr's start and its round trip to slurmdbd (about 0.2 s on
        the lab), and a batch's first reads do not depend on each other."""
        todo = [(entity, self.tables[entity]) for entity in entities
                if entity in self.tables and self.tables[entity].rows is None and self.tables[entity].fields]
        if self.offline or len(todo) < 2:
            return
        commands = [read_args(entity, table.scope, table.fields) for entity, table in todo]
        for (_entity, table), args, result in zip(todo, commands, self.runner.run_many(commands)):
            table.rows = self._rows(args, table.fields, *result)

    def _read(self, entity, where, fields):
        self.flush()
        if self.offline:
            return []
        args = read_args(entity, where, fields)
        return self._rows(args, fields, *self.runner.run(args, check_rc=False))

    def _rows(self, args, fields, rc, out, err):
        """The parsed rows of a read; after a failed one, in check mode, none (and none from then on)."""
        if self.offline:
            return []
        if rc != 0:
            if not self.module.check_mode:
                self.runner.fail(self.runner.argv(args), rc, out, err)
            self.offline = True
            self.module.warn("sacctmgr cannot read the accounting database (%s): check mode reports "
                             "every change as if it were empty" % ((err or out).strip() or "rc=%d" % rc))
            return []
        try:
            return parse_parsable2(out, fields)
        except ValueError as exc:
            self.module.fail_json(msg="cannot read sacctmgr output: %s" % exc, stdout=out)

    def change(self, args):
        """Record ``sacctmgr -i args...``; run it unless in check mode.

        With ``tables`` (a batch), users added with the same settings are added by one command
        (``add user alice,bob Account=...``, sacctmgr's list form), and users removed on the same
        conditions by one (``delete user where name=alice,bob ...``): held until another command,
        a read from sacctmgr or :meth:`flush`. A user's commands run in their order: her second
        command held joins a group that runs after every group holding her first (users in two
        accounts: two commands for all of them, where one per user and account would run).
        """
        self.commands.append([self.path, "-i"] + args)
        held = None
        if self.group_users and args[:2] == ["add", "user"]:
            held, user = (("add", "user"), "", tuple(args[3:])), args[2]
        elif self.group_users and args[:3] == ["delete", "user", "where"] and args[3].startswith("name="):
            held, user = (tuple(args[:3]), "name=", tuple(args[4:])), args[3][5:]
        if held:
            rank = self._rank.get(user, -1) + 1
            self._rank[user] = rank
            self._pending.setdefault((rank,) + held, []).append(user)
            return
        self.flush()
        self._run(args)

    def flush(self):
        pending, self._pending, self._rank = self._pending, {}, {}
        for (_rank, head, key, tail), names in sorted(pending.items(), key=lambda item: item[0][0]):
            self._run(list(head) + [key + ",".join(names)] + list(tail))

    def _run(self, args):
        self.ran.append([self.path, "-i"] + args)
        if not self.module.check_mode:
            self.runner.run(["-i"] + args)

    def known(self, entity, row):
        """A change (run, not in check mode) left this row of a batch's table: kept without a read.
        Where the table was not read yet or reads other columns, the row's name is read again."""
        table = self.tables.get(entity)
        if self.module.check_mode or table is None or table.rows is None:
            return
        if all(field in row for field in table.fields):
            table.put({field: row[field] for field in table.fields})
        else:
            table.stale([("name", row[table.keys["name"]])])

    def touched(self, conditions, since=0):
        """After the changes from command ``since`` on: the rows matching any of these conditions
        (entity -> [((key, value), ...)], each the conditions its rows all match) are read from
        sacctmgr from now on; after the removal of an account or QOS (which may take other rows
        with it) every table is read again, after other changes each table not listed."""
        ran = self.commands[since:]
        if self.module.check_mode or not ran:
            return
        # Removing an account or QOS may take associations of other entities with it.
        if any(command[2] == "delete" and command[3] != "user" for command in ran):
            conditions = {}
        for entity, table in self.tables.items():
            if entity in conditions:
                for stale in conditions[entity]:
                    table.stale(stale)
            else:
                table.forget()


def differences(rows, wanted):
    """Settings in ``wanted`` (name -> (field, kind, value)) that differ in any row."""
    sets = {}
    for name, (field, kind, value) in wanted.items():
        target = normalize(kind, value)
        if not rows or any(normalize(kind, row.get(field, "")) != target for row in rows):
            sets[name] = value
    return sets
