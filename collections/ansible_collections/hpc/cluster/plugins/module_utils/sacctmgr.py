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


class Table:
    """One table read once for many entries: ``where`` conditions become column matches.

    ``keys`` maps a condition's name to its column; ``scope`` is the condition of the read itself
    (``[("cluster", "lab")]``), so only queries that name the same condition are answered.
    """

    def __init__(self, keys, scope=()):
        self.keys = keys
        self.scope = list(scope)
        self.fields = []
        self.rows = None

    def want(self, fields):
        """Read these columns too at the next read (one read for a batch whose entries ask for more)."""
        self.fields = self.fields + [field for field in fields if field not in self.fields]

    def answers(self, where):
        return (all(key in self.keys for key, _value in where)
                and all(condition in where for condition in self.scope))

    def select(self, where, fields):
        return [{field: row.get(field, "") for field in fields} for row in self.rows
                if all(row[self.keys[key]] == value for key, value in where)]


class Sacctmgr:
    """Read with ``show`` (parsed into dicts), change with ``-i``; commands are recorded.

    In check mode a missing sacctmgr or an unreachable slurmdbd makes it offline: reads
    return nothing (with a warning), so every change is reported as to be made.

    With ``tables`` (entity -> :class:`Table`), a read of such an entity is answered from one
    read of the whole table (within its scope) with the fields asked so far; a change (outside
    check mode) makes every table read again at its next use.
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
        self.commands = []
        self.tables = tables or {}

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

    def _read(self, entity, where, fields):
        if self.offline:
            return []
        args = ["--noheader", "--parsable2", "show", entity]
        if where:
            args += ["where"] + ["%s=%s" % (k, v) for k, v in where]
        args.append("format=%s" % ",".join(fields))
        rc, out, err = self.runner.run(args, check_rc=not self.module.check_mode)
        if rc != 0:
            self.offline = True
            self.module.warn("sacctmgr cannot read the accounting database (%s): check mode reports "
                             "every change as if it were empty" % ((err or out).strip() or "rc=%d" % rc))
            return []
        try:
            return parse_parsable2(out, fields)
        except ValueError as exc:
            self.module.fail_json(msg="cannot read sacctmgr output: %s" % exc, stdout=out)

    def change(self, args):
        """Record ``sacctmgr -i args...``; run it unless in check mode."""
        self.commands.append([self.path, "-i"] + args)
        if not self.module.check_mode:
            self.runner.run(["-i"] + args)
            for table in self.tables.values():
                table.rows = None


def differences(rows, wanted):
    """Settings in ``wanted`` (name -> (field, kind, value)) that differ in any row."""
    sets = {}
    for name, (field, kind, value) in wanted.items():
        target = normalize(kind, value)
        if not rows or any(normalize(kind, row.get(field, "")) != target for row in rows):
            sets[name] = value
    return sets
