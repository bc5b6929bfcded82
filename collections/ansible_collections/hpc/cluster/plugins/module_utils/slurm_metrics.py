# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Slurm metrics for node_exporter's textfile collector: parse sinfo, squeue, scontrol ping and
sdiag as data, render the Prometheus text format.

Pure Python standard library (3.9+), no Ansible import: role slurm_exporter copies this file to
the control node and runs it from a systemd timer (``main``). Node and job data come from
``sinfo --json``/``squeue --json`` where the release and build give them, else (or when the JSON
has a shape this file does not know) from explicit ``-h -o`` formats with a ``|`` delimiter;
never from sinfo's default columns. sdiag has no machine format before 23.02: its labelled
``Key: value`` lines are read by label.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

# Node states always written (0 when no node has them), so a count that drops to 0 is seen.
NODE_STATES = ("idle", "allocated", "mixed", "completing", "drained", "draining", "down", "fail",
               "maint", "reserved", "unknown")
JOB_STATES = ("pending", "running")

# Per-node metrics name the node in label slurm_node: Prometheus's target label `node` (the
# exporter's host, from the inventory) would overwrite a label `node` (as `exported_node`).
# Metric name -> (type, help). The names our exporter writes; tests of the dashboards and alert
# rules check their queries against this table.
METRICS = {
    "slurm_nodes": ("gauge", "Slurm nodes by state (drained and draining take precedence)."),
    "slurm_node_state": ("gauge", "1 for the state of each Slurm node."),
    "slurm_node_responding": ("gauge", "0 when slurmctld marks the node not responding (slurmd unreachable)."),
    "slurm_jobs": ("gauge", "Slurm jobs by partition and state (pending, running)."),
    "slurm_scheduler_up": ("gauge", "1 when the primary slurmctld answers scontrol ping."),
    "slurm_scheduler_backfill_last_cycle_timestamp_seconds": (
        "gauge", "Unix time of the last backfill cycle (sdiag)."),
    "slurm_scheduler_backfill_last_cycle_age_seconds": (
        "gauge", "Seconds since the last backfill cycle, when the metrics were collected."),
    "slurm_scheduler_backfill_last_cycle_duration_seconds": ("gauge", "Duration of the last backfill cycle."),
    "slurm_scheduler_main_last_cycle_duration_seconds": ("gauge", "Duration of the last main scheduling cycle."),
    "slurm_scheduler_agent_queue_size": ("gauge", "RPCs queued by slurmctld's agent (sdiag)."),
    "slurm_metrics_collect_success": ("gauge", "1 when the command of the source label succeeded."),
    "slurm_metrics_json": ("gauge", "1 when node and job data came from --json, 0 from the -o formats."),
    "slurm_metrics_last_success_timestamp_seconds": ("gauge", "Unix time this file was written."),
}

SINFO_TEXT = ["sinfo", "-h", "-N", "-o", "%N|%T|%R"]
SQUEUE_TEXT = ["squeue", "-h", "-a", "-t", "PENDING,RUNNING", "-o", "%i|%P|%T"]
SINFO_JSON = ["sinfo", "--json"]
SQUEUE_JSON = ["squeue", "-a", "--json"]
PING = ["scontrol", "ping"]
SDIAG = ["sdiag"]

# sinfo's state suffixes: * not responding, ~ powered off, # powering up, ! pending power down,
# % powering down, $ maintenance reservation, @ pending reboot, ^ reboot issued, - planned, + more.
_SUFFIXES = "*~#!%$@^-+"
_ALIASES = {"alloc": "allocated", "mix": "mixed", "comp": "completing", "drng": "draining", "drain": "drained",
            "resv": "reserved", "unk": "unknown", "powered_down": "powered_down", "inval": "invalid"}
_NAME_RE = re.compile(r"[^a-z0-9_]")


class SlurmMetricsError(ValueError):
    """Output of a Slurm command this parser does not understand."""


def _state_name(text):
    name = _NAME_RE.sub("_", text.strip().lower())
    return _ALIASES.get(name, name) or "unknown"


def parse_text_state(text):
    """sinfo %T ('idle', 'drained*', 'mixed-') -> (state, responding)."""
    raw = text.strip()
    if not raw:
        raise SlurmMetricsError("empty node state")
    responding = "*" not in raw
    return _state_name(raw.rstrip(_SUFFIXES)), responding


def json_state(base, flags):
    """Slurm's node_state_string precedence: DRAIN over the base state, then FAIL, MAINT, COMPLETING."""
    base = _state_name(base)
    flags = {str(f).upper() for f in flags}
    busy = base in ("allocated", "mixed") or "COMPLETING" in flags
    if "DRAIN" in flags:
        return "draining" if busy else "drained"
    if "FAIL" in flags:
        return "failing" if busy else "fail"
    if "MAINTENANCE" in flags:
        return "maint"
    if "COMPLETING" in flags:
        return "completing"
    return base


def parse_sinfo_text(text):
    """`sinfo -h -N -o '%N|%T|%R'` -> {node: {state, responding, partitions}}, one line per node and
    partition (a node in two partitions comes twice)."""
    nodes = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) != 3 or not fields[0]:
            raise SlurmMetricsError("sinfo line %d: expected NODE|STATE|PARTITION, got %r" % (number, line))
        name, state_text, partition = fields
        state, responding = parse_text_state(state_text)
        node = nodes.setdefault(name, {"state": state, "responding": responding, "partitions": []})
        if partition and partition not in node["partitions"]:
            node["partitions"].append(partition)
    return nodes


def _split_state(value, flags):
    """JSON state: a string plus state_flags (22.05), or a list, base first (23.02 on)."""
    if isinstance(value, list):
        if not value:
            raise SlurmMetricsError("empty node state list")
        return str(value[0]), [str(v) for v in value[1:]] + list(flags or [])
    if isinstance(value, str):
        return value, list(flags or [])
    raise SlurmMetricsError("node state %r is neither a string nor a list" % (value,))


def parse_sinfo_json(text):
    """`sinfo --json` -> the shape of parse_sinfo_text. Knows the per-node list ("nodes", 21.08 to
    22.05) and the per-group list ("sinfo", 23.02 on); raises SlurmMetricsError for another shape."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SlurmMetricsError("sinfo --json: not JSON (%s)" % exc) from None
    if not isinstance(data, dict):
        raise SlurmMetricsError("sinfo --json: expected an object")
    nodes = {}
    if isinstance(data.get("nodes"), list):
        for entry in data["nodes"]:
            base, flags = _split_state(entry.get("state"), entry.get("state_flags"))
            nodes[str(entry["name"])] = {
                "state": json_state(base, flags), "responding": "NOT_RESPONDING" not in {f.upper() for f in flags},
                "partitions": [str(p) for p in entry.get("partitions") or []]}
        return nodes
    if isinstance(data.get("sinfo"), list):
        for entry in data["sinfo"]:
            base, flags = _split_state((entry.get("node") or {}).get("state"), None)
            names = (entry.get("nodes") or {}).get("nodes")
            if not isinstance(names, list) or any("[" in str(n) for n in names):
                raise SlurmMetricsError("sinfo --json: node names are not a plain list: %r" % (names,))
            partition = (entry.get("partition") or {}).get("name")
            for name in names:
                node = nodes.setdefault(str(name), {
                    "state": json_state(base, flags),
                    "responding": "NOT_RESPONDING" not in {f.upper() for f in flags}, "partitions": []})
                if partition and partition not in node["partitions"]:
                    node["partitions"].append(str(partition))
        return nodes
    raise SlurmMetricsError("sinfo --json: neither 'nodes' nor 'sinfo' in the output")


def _job_state(value):
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).lower()


def _count_jobs(rows):
    """(partition text, state) rows -> {(partition, state): count}; a pending job that names several
    partitions ('batch,debug') counts in each."""
    counts = {}
    for partitions, state in rows:
        if state not in JOB_STATES:
            continue
        for partition in str(partitions).split(","):
            if partition:
                counts[(partition, state)] = counts.get((partition, state), 0) + 1
    return counts


def parse_squeue_text(text):
    """`squeue -h -a -t PENDING,RUNNING -o '%i|%P|%T'` -> {(partition, state): count}."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) != 3:
            raise SlurmMetricsError("squeue line %d: expected JOBID|PARTITION|STATE, got %r" % (number, line))
        rows.append((fields[1], fields[2].strip().lower()))
    return _count_jobs(rows)


def parse_squeue_json(text):
    """`squeue --json` -> {(partition, state): count}; job_state a string (22.05) or a list (23.02 on)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SlurmMetricsError("squeue --json: not JSON (%s)" % exc) from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise SlurmMetricsError("squeue --json: no 'jobs' list in the output")
    return _count_jobs((job.get("partition", ""), _job_state(job.get("job_state"))) for job in data["jobs"])


_PING_RE = re.compile(r"Slurmctld\((primary|backup\d*)\) at (\S+) is (UP|DOWN)")


def parse_ping(text):
    """`scontrol ping` -> {'primary': True, 'backup': False, ...} (UP is True)."""
    found = {role: state == "UP" for role, _host, state in _PING_RE.findall(text)}
    if not found:
        raise SlurmMetricsError("scontrol ping: no 'Slurmctld(...) at HOST is UP|DOWN' line in %r" % text[:200])
    return found


_SDIAG_SECTIONS = {"main schedule statistics": "main", "backfilling stats": "backfill"}
_SDIAG_WHEN_RE = re.compile(r"\((\d+)\)\s*$")


def parse_sdiag(text):
    """sdiag's labelled lines -> {'agent_queue_size', 'main_last_cycle_us', 'backfill_last_cycle_us',
    'backfill_last_cycle_when'} (only those present; times in microseconds and Unix seconds)."""
    section, out = "", {}
    for line in text.splitlines():
        stripped = line.strip()
        if line[:1] not in ("", " ", "\t"):
            # An unindented line starts a section (statistics lines are indented).
            lowered = stripped.lower()
            section = next((name for title, name in _SDIAG_SECTIONS.items() if lowered.startswith(title)), "")
        if ":" not in stripped:
            continue
        label, value = (part.strip() for part in stripped.split(":", 1))
        label = label.lower()
        if label == "agent queue size":
            out["agent_queue_size"] = int(value)
        elif label == "last cycle" and section in ("main", "backfill"):
            out[section + "_last_cycle_us"] = int(value)
        elif label == "last cycle when" and section == "backfill":
            match = _SDIAG_WHEN_RE.search(value)
            if match:
                out["backfill_last_cycle_when"] = int(match.group(1))
            elif value.upper() not in ("N/A", "NONE", ""):
                out["backfill_last_cycle_when"] = int(time.mktime(time.strptime(value, "%a %b %d %H:%M:%S %Y")))
    if not out:
        raise SlurmMetricsError("sdiag: none of the expected labels found")
    return out


def _escape(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _sample(name, labels, value):
    inner = ",".join('%s="%s"' % (key, _escape(val)) for key, val in labels)
    number = repr(float(value)) if isinstance(value, float) else str(int(value))
    return "%s{%s} %s" % (name, inner, number) if inner else "%s %s" % (name, number)


def render(data, now):
    """The collected data -> Prometheus text format (every metric with HELP and TYPE)."""
    samples = {name: [] for name in METRICS}
    nodes = data.get("nodes")
    if nodes is not None:
        counts = dict.fromkeys(NODE_STATES, 0)
        for node in nodes.values():
            counts[node["state"]] = counts.get(node["state"], 0) + 1
        samples["slurm_nodes"] = [_sample("slurm_nodes", [("state", s)], n) for s, n in sorted(counts.items())]
        for name in sorted(nodes):
            node = nodes[name]
            samples["slurm_node_state"].append(
                _sample("slurm_node_state", [("slurm_node", name), ("state", node["state"])], 1))
            samples["slurm_node_responding"].append(
                _sample("slurm_node_responding", [("slurm_node", name)], 1 if node["responding"] else 0))
    jobs = data.get("jobs")
    if jobs is not None:
        partitions = set(data.get("partitions") or ()) | {p for p, _s in jobs}
        for partition in sorted(partitions):
            for state in JOB_STATES:
                samples["slurm_jobs"].append(_sample(
                    "slurm_jobs", [("partition", partition), ("state", state)], jobs.get((partition, state), 0)))
    if "scheduler_up" in data:
        samples["slurm_scheduler_up"].append(_sample("slurm_scheduler_up", [], 1 if data["scheduler_up"] else 0))
    sdiag = data.get("sdiag") or {}
    if "backfill_last_cycle_when" in sdiag:
        when = sdiag["backfill_last_cycle_when"]
        samples["slurm_scheduler_backfill_last_cycle_timestamp_seconds"].append(
            _sample("slurm_scheduler_backfill_last_cycle_timestamp_seconds", [], when))
        samples["slurm_scheduler_backfill_last_cycle_age_seconds"].append(
            _sample("slurm_scheduler_backfill_last_cycle_age_seconds", [], max(0, int(now) - when)))
    for key, metric in (("backfill_last_cycle_us", "slurm_scheduler_backfill_last_cycle_duration_seconds"),
                        ("main_last_cycle_us", "slurm_scheduler_main_last_cycle_duration_seconds")):
        if key in sdiag:
            samples[metric].append(_sample(metric, [], sdiag[key] / 1e6))
    if "agent_queue_size" in sdiag:
        samples["slurm_scheduler_agent_queue_size"].append(
            _sample("slurm_scheduler_agent_queue_size", [], sdiag["agent_queue_size"]))
    for source, ok in sorted((data.get("success") or {}).items()):
        samples["slurm_metrics_collect_success"].append(
            _sample("slurm_metrics_collect_success", [("source", source)], 1 if ok else 0))
    if "json" in data:
        samples["slurm_metrics_json"].append(_sample("slurm_metrics_json", [], 1 if data["json"] else 0))
    samples["slurm_metrics_last_success_timestamp_seconds"].append(
        _sample("slurm_metrics_last_success_timestamp_seconds", [], int(now)))
    lines = []
    for name, (kind, text) in METRICS.items():
        if samples[name]:
            lines += ["# HELP %s %s" % (name, text), "# TYPE %s %s" % (name, kind)] + samples[name]
    return "\n".join(lines) + "\n"


def run(argv, timeout):
    """(rc, stdout) of a Slurm command in the C locale; rc 127 when it is missing, 124 on timeout."""
    env = dict(os.environ, LC_ALL="C", SLURM_TIME_FORMAT="standard")
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout, check=False)
    except FileNotFoundError:
        return 127, ""
    except subprocess.TimeoutExpired:
        return 124, ""
    return proc.returncode, proc.stdout


def _parsed(runner, command, parser):
    rc, out = runner(command)
    if rc != 0:
        return None
    try:
        return parser(out)
    except (SlurmMetricsError, KeyError, TypeError, ValueError):
        return None


def collect(runner, use_json=True):
    """Run the commands through runner(argv) -> (rc, stdout) and gather what they gave."""
    data = {"success": {}}
    nodes = jobs = None
    if use_json:
        nodes = _parsed(runner, SINFO_JSON, parse_sinfo_json)
        jobs = _parsed(runner, SQUEUE_JSON, parse_squeue_json) if nodes is not None else None
    data["json"] = nodes is not None and jobs is not None
    if not data["json"]:
        nodes = _parsed(runner, SINFO_TEXT, parse_sinfo_text)
        jobs = _parsed(runner, SQUEUE_TEXT, parse_squeue_text)
    data["success"]["sinfo"] = nodes is not None
    data["success"]["squeue"] = jobs is not None
    if nodes is not None:
        data["nodes"] = nodes
        data["partitions"] = sorted({p for node in nodes.values() for p in node["partitions"]})
    if jobs is not None:
        data["jobs"] = jobs
    rc, out = runner(PING)
    try:
        data["scheduler_up"] = parse_ping(out).get("primary", False)
        data["success"]["scontrol_ping"] = True
    except SlurmMetricsError:
        data["scheduler_up"] = False
        data["success"]["scontrol_ping"] = False
    sdiag = _parsed(runner, SDIAG, parse_sdiag)
    data["success"]["sdiag"] = sdiag is not None
    if sdiag:
        data["sdiag"] = sdiag
    return data


def write_atomically(path, text):
    """Write text to path through a temporary file in the same directory (the collector never
    reads half a file)."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".slurm-metrics.", dir=directory)
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write Slurm metrics for node_exporter's textfile collector.")
    parser.add_argument("--output", required=True, help="the .prom file in the textfile collector directory")
    parser.add_argument("--format", choices=("auto", "json", "text"), default="auto",
                        help="auto: --json where it works, else the -o formats")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per Slurm command")
    args = parser.parse_args(argv)
    data = collect(lambda command: run(command, args.timeout), use_json=args.format != "text")
    if args.format == "json" and not data["json"]:
        print("slurm-metrics: --json output unavailable or not understood; used the -o formats", file=sys.stderr)
    write_atomically(args.output, render(data, time.time()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
