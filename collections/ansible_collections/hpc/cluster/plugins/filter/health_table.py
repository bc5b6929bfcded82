# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: health_table
short_description: One health table for the whole cluster, and the nodes that are unhealthy
version_added: 0.3.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Turns what each node reported (the raw output of a few read-only commands) and the Slurm
    controller's view of the nodes into one row per node, a text table, and the problems of each
    unhealthy node. C(playbooks/health.yml) prints the table and fails, naming the nodes, when any
    node is unhealthy.
  - Columns are the node, its Slurm state and reason (C(scontrol --oneliner show node); C(-) for a
    host that is not a Slurm node), whether a munge credential made on the node decodes there
    (C(munge -n | unmunge)), the state of its Slurm daemon (C(slurmd) on compute nodes, C(slurmctld)
    on control hosts), the Slurm version it runs, its clock offset (C(chronyc tracking)), the use of
    the file systems holding C(/) and C(/home) (C(df -P / /home)) and its failed systemd units.
  - A node is unhealthy when it did not answer, its Slurm state holds C(DOWN), C(FAIL),
    C(NOT_RESPONDING) (C(*)), C(DRAIN) (unless O(allow_drain)) or it is a compute node Slurm does not
    know, munge fails, its daemon is not C(active), chrony is not synchronised (O(require_time_sync))
    or off by more than O(max_time_offset) seconds, a file system is O(max_disk_percent) full or
    more, or a systemd unit failed (unless it matches O(ignore_units)).
options:
  _input:
    description:
      - Host name -> what the host reported, a dict with the keys C(reachable) (bool), C(slurm_node)
        (bool, a compute node Slurm must know), C(daemon) (unit name or empty), C(daemon_state)
        (C(systemctl is-active) output), C(munge_rc) (exit code of C(unmunge), V(null) when
        C(munge -n) failed), C(munge_error), C(version) (C(slurmd -V) or C(sinfo -V) output),
        C(chrony_rc), C(chrony) (C(chronyc tracking) output), C(df) (C(df -P / /home) output) and
        C(failed_units) (C(systemctl list-units --state=failed --plain --no-legend) output).
      - A host with no data (unreachable, or it failed before reporting) is unhealthy.
    type: dict
    required: true
  slurm_nodes:
    description: Output of C(scontrol --oneliner show node) on the controller; empty when it failed.
    type: str
    default: ''
  max_time_offset:
    description: Largest clock offset (seconds, either direction) of a healthy node.
    type: float
    default: 0.5
  require_time_sync:
    description: Whether a node whose chrony is not synchronised (C(Leap status) not C(Normal)) is unhealthy.
    type: bool
    default: true
  max_disk_percent:
    description: A file system used this much (percent) or more makes the node unhealthy.
    type: int
    default: 90
  allow_drain:
    description: Whether a drained (or draining) node still counts as healthy.
    type: bool
    default: false
  ignore_units:
    description: Shell patterns (C(fnmatch)) of failed systemd units that do not count.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Build the table once, from what every node reported
  ansible.builtin.set_fact:
    __health: >-
      {{ dict(ansible_play_hosts_all
              | zip(lookup('hpc.cluster.host_values', ansible_play_hosts_all, names=['__health_report']).values()
                    | map(attribute='__health_report', default={})))
         | hpc.cluster.health_table(slurm_nodes=__health_scontrol.stdout | default(''),
                                    max_disk_percent=85, ignore_units=['systemd-networkd-wait-online.service']) }}
  run_once: true

- name: Print it
  ansible.builtin.debug:
    msg: "{{ __health.table }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The table and its verdict.
  type: dict
  contains:
    rows:
      description:
        - One dict per node, in input order, with C(node), C(state), C(reason), C(munge), C(daemon),
          C(version), C(time_offset), C(root), C(home), C(failed_units) (texts as printed) and
          C(problems) (a list).
      type: list
      elements: dict
    table:
      description: The table as text lines, a header first; the last column says OK or what is wrong.
      type: list
      elements: str
    unhealthy:
      description: Unhealthy node -> its problems.
      type: dict
    healthy:
      description: Whether every node is healthy.
      type: bool
"""

import fnmatch
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import parse_oneliners

COLUMNS = (("node", "NODE"), ("state", "SLURM STATE"), ("reason", "REASON"), ("munge", "MUNGE"),
           ("daemon", "DAEMON"), ("version", "VERSION"), ("time_offset", "TIME OFFSET"),
           ("root", "/ USE"), ("home", "/home USE"), ("failed_units", "FAILED UNITS"))
_BAD_FLAGS = ("DOWN", "FAIL", "NOT_RESPONDING")
_CHRONY_OFFSET_RE = re.compile(r"^System time\s*:\s*([0-9.]+)\s+seconds\s+(fast|slow)", re.MULTILINE)
_CHRONY_LEAP_RE = re.compile(r"^Leap status\s*:\s*(.+?)\s*$", re.MULTILINE)
_VERSION_RE = re.compile(r"\b(\d+\.\d+(?:\.\d+)?)\b")


def state_flags(state):
    """'IDLE+DRAIN' -> {'IDLE', 'DRAIN'}; a trailing '*' (not responding) becomes NOT_RESPONDING."""
    state = (state or "").strip().upper()
    flags = set()
    if state.endswith("*"):
        flags.add("NOT_RESPONDING")
        state = state.rstrip("*")
    for part in state.split("+"):
        if part in ("DRAINED", "DRAINING"):
            part = "DRAIN"
        if part:
            flags.add(part)
    return flags


def parse_chrony(text):
    """chronyc tracking output -> (offset in seconds, signed: negative when slow, leap status)."""
    offset = None
    match = _CHRONY_OFFSET_RE.search(text or "")
    if match:
        offset = float(match.group(1)) * (-1 if match.group(2) == "slow" else 1)
    leap = _CHRONY_LEAP_RE.search(text or "")
    return offset, leap.group(1) if leap else ""


def parse_df(text):
    """df -P / /home output -> [use percent of /, of /home] (None where missing)."""
    uses = []
    for line in (text or "").splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 6 and fields[4].endswith("%") and fields[4][:-1].isdigit():
            uses.append(int(fields[4][:-1]))
    return (uses + [None, None])[:2]


def parse_failed_units(text, ignore):
    """systemctl list-units --state=failed output -> unit names not matching an ignore pattern."""
    units = []
    for line in (text or "").splitlines():
        fields = line.replace("\u25cf", " ").split()  # the bullet of output without --plain
        if fields:
            units.append(fields[0])
    return [u for u in units if not any(fnmatch.fnmatchcase(u, pattern) for pattern in ignore)]


def _number(value, name, kind):
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise AnsibleFilterError("health_table: %s must be a number, got %r" % (name, value)) from None


def _flag(value, name):
    """A yes/no setting as -e passes it too ('false' is false)."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        raise AnsibleFilterError("health_table: %s must be true or false, got %r" % (name, value)) from None


def _row(host, report, slurm, limits):
    row = {key: "-" for key, _title in COLUMNS}
    row["node"] = host
    problems = []
    if not report or not report.get("reachable", False):
        row["state"] = slurm.get(host, {}).get("State", "-")
        row["reason"] = slurm.get(host, {}).get("Reason", "") or "-"
        row["problems"] = ["did not answer (unreachable, or it failed before reporting)"]
        return row

    record = slurm.get(host)
    if record is not None:
        row["state"] = record.get("State", "") or "?"
        row["reason"] = record.get("Reason", "") or "-"
        flags = state_flags(row["state"])
        bad = [flag for flag in _BAD_FLAGS if flag in flags]
        if "DRAIN" in flags and not limits["allow_drain"]:
            bad.append("DRAIN")
        if bad:
            problems.append("Slurm state %s (%s)" % (row["state"], row["reason"]))
    elif report.get("slurm_node"):
        row["state"] = "unknown"
        problems.append("not a node Slurm knows" if limits["slurm_read"] else "Slurm's node list unreadable")

    munge_rc = report.get("munge_rc")
    if munge_rc == 0:
        row["munge"] = "ok"
    else:
        row["munge"] = "FAIL"
        problems.append("munge -n | unmunge failed: %s" % ((report.get("munge_error") or "").strip()
                                                            or "rc %s" % munge_rc))

    daemon = report.get("daemon") or ""
    if daemon:
        state = (report.get("daemon_state") or "unknown").strip() or "unknown"
        row["daemon"] = "%s %s" % (daemon, state)
        if state != "active":
            problems.append("%s is %s" % (daemon, state))

    version = _VERSION_RE.search(report.get("version") or "")
    row["version"] = version.group(1) if version else "?"

    if report.get("chrony_rc", 1) != 0:
        row["time_offset"] = "?"
        problems.append("chronyc tracking failed")
    else:
        offset, leap = parse_chrony(report.get("chrony"))
        row["time_offset"] = "%+.6fs" % offset if offset is not None else "?"
        if offset is None:
            problems.append("no offset in chronyc tracking")
        elif abs(offset) > limits["max_time_offset"]:
            problems.append("clock off by %.3fs (limit %ss)" % (offset, limits["max_time_offset"]))
        if limits["require_time_sync"] and leap != "Normal":
            problems.append("chrony not synchronised (leap status %s)" % (leap or "unknown"))

    root, home = parse_df(report.get("df"))
    for key, path, use in (("root", "/", root), ("home", "/home", home)):
        if use is None:
            continue
        row[key] = "%d%%" % use
        if use >= limits["max_disk_percent"]:
            problems.append("%s is %d%% full" % (path, use))
    if root is None:
        problems.append("df of / unreadable")

    failed = parse_failed_units(report.get("failed_units"), limits["ignore_units"])
    row["failed_units"] = ",".join(failed) if failed else "-"
    if failed:
        problems.append("failed unit(s) %s" % ", ".join(failed))
    row["problems"] = problems
    return row


def _format(rows):
    titles = [title for _key, title in COLUMNS] + ["HEALTH"]
    lines = [[str(row[key]) for key, _title in COLUMNS]
             + ["OK" if not row["problems"] else "UNHEALTHY: " + "; ".join(row["problems"])] for row in rows]
    widths = [max(len(cells[i]) for cells in [titles] + lines) for i in range(len(titles) - 1)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(cells[:-1], widths)) + "  " + cells[-1]
            for cells in [titles] + lines]


def health_table(hosts, slurm_nodes="", max_time_offset=0.5, require_time_sync=True, max_disk_percent=90,
                 allow_drain=False, ignore_units=None):
    """Rows, text table and verdict; see DOCUMENTATION."""
    if not isinstance(hosts, Mapping):
        raise AnsibleFilterError("health_table: expected a dict of host -> report, got %s" % type(hosts).__name__)
    ignore = list(ignore_units or [])
    if not all(isinstance(pattern, str) for pattern in ignore):
        raise AnsibleFilterError("health_table: ignore_units must be a list of strings, got %r" % (ignore_units,))
    limits = {
        "max_time_offset": _number(max_time_offset, "max_time_offset", float),
        "max_disk_percent": _number(max_disk_percent, "max_disk_percent", int),
        "require_time_sync": _flag(require_time_sync, "require_time_sync"),
        "allow_drain": _flag(allow_drain, "allow_drain"),
        "ignore_units": ignore,
        "slurm_read": bool((slurm_nodes or "").strip()),
    }
    slurm = {record["NodeName"]: record for record in parse_oneliners(slurm_nodes or "") if record.get("NodeName")}
    for record in slurm.values():
        # scontrol appends ' [user@time]' to a reason it records.
        record["Reason"] = re.sub(r"\s*\[[^\]]*@[^\]]*\]\s*$", "", record.get("Reason", "")).strip()
    rows = []
    for host, report in hosts.items():
        if report is not None and not isinstance(report, Mapping):
            raise AnsibleFilterError("health_table: host %s: expected a dict, got %r" % (host, report))
        rows.append(_row(str(host), report or {}, slurm, limits))
    unhealthy = {row["node"]: row["problems"] for row in rows if row["problems"]}
    return {"rows": rows, "table": _format(rows), "unhealthy": unhealthy, "healthy": not unhealthy}


class FilterModule:
    """Cluster health table."""

    def filters(self):
        return {"health_table": health_table}
