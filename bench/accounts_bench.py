#!/usr/bin/env python3
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Time of declaring N Slurm users with hpc.cluster.slurm_account: one run with entries against a loop.

Not a test: run it by hand on a running lab (`bin/lab demo` or `bin/lab up` and a converge), from
the repository root:

    .venv/bin/python bench/accounts_bench.py                     # writes docs/accounts-benchmark.md
    .venv/bin/python bench/accounts_bench.py --sizes 10 --loop-max 10 --output -

Per N, on the lab's controller, users bench00001... of account physics (cluster lab), each with
its default account and a QOS list (the columns role slurmdbd compares), and with --accounts 2
also in account theory (the lab's sub-account of physics: 2N associations):
- *first run*: one task with `entries` creates them (its sacctmgr calls counted);
- *re-run, entries*: the same task again, nothing to change (each run must report no change);
- *re-run, loop*: one task per user through `loop` (how role slurmdbd declared them before),
  nothing to change; only up to --loop-max users, as it grows by about half a second per user;
then the users are removed (one task with entries, state absent). Times are each task's duration
from the json callback, medians of --repeats re-runs, sizes and variants interleaved; the
sacctmgr calls of one re-run are counted with a PATH wrapper on the controller.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOK = os.path.join(TOP, ".venv", "bin", "ansible-playbook")
CLUSTER = "lab"
ACCOUNT = "physics"
SECOND_ACCOUNT = "theory"
COUNTER = "/tmp/hpc-bench-sacctmgr.count"
# A sacctmgr in front of the real one that counts its calls (put first in PATH for one run).
WRAPPER = "#!/bin/sh\necho x >> %s\nexec /usr/bin/sacctmgr \"$@\"\n" % COUNTER


def users(n, accounts=1):
    """Each user's associations, her default account's first (as hpc.cluster.slurm_associations lists them)."""
    entries = []
    for i in range(1, n + 1):
        entries.append({"name": "bench%05d" % i, "account": ACCOUNT, "default_account": ACCOUNT, "qos": ["normal"]})
        if accounts > 1:
            entries.append({"name": "bench%05d" % i, "account": SECOND_ACCOUNT, "qos": ["normal"]})
    return entries


def task(kind, n, state="present", accounts=1):
    entries = (users(n, accounts) if state == "present"
               else [{"name": u["name"], "state": "absent"} for u in users(n)])
    args = {"type": "user", "cluster": CLUSTER}
    if kind == "loop":
        return {"name": "bench", "hpc.cluster.slurm_account": dict(args, name="{{ item.name }}",
                                                                  account="{{ item.account }}",
                                                                  default_account="{{ item.default_account"
                                                                                  " | default(omit) }}",
                                                                  qos="{{ item.qos }}"),
                "loop": entries, "loop_control": {"label": "{{ item.name }}"}}
    return {"name": "bench", "hpc.cluster.slurm_account": dict(args, entries=entries)}


def run(workdir, kind, n, state="present", counted=False, accounts=1):
    """(seconds of the task, changed, sacctmgr calls or None)."""
    tasks = [task(kind, n, state, accounts)]
    environment = {}
    if counted:
        tasks.insert(0, {"name": "counter", "ansible.builtin.copy": {
            "dest": "/tmp/hpc-bench-bin/sacctmgr", "content": WRAPPER, "mode": "0755"}})
        tasks.insert(0, {"name": "reset", "ansible.builtin.shell": "mkdir -p /tmp/hpc-bench-bin && : > %s" % COUNTER,
                         "changed_when": False})
        tasks.append({"name": "count", "ansible.builtin.command": "wc -l %s" % COUNTER, "changed_when": False,
                      "register": "count"})
        environment = {"PATH": "/tmp/hpc-bench-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    play = [{"name": "bench", "hosts": "head", "gather_facts": False, "tasks": tasks}]
    if environment:
        for entry in play[0]["tasks"]:
            if entry["name"] == "bench":
                entry["environment"] = environment
    path = os.path.join(workdir, "play.json")
    with open(path, "w") as handle:
        json.dump(play, handle)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_NOCOLOR="1")
    out = subprocess.run([PLAYBOOK, "-i", os.path.join(TOP, "inventories", "lab", "hosts.yml"),
                          "-i", os.path.join(TOP, "inventories", "lab"), path],
                         capture_output=True, text=True, env=env, cwd=TOP, check=False)
    if out.returncode != 0:
        sys.exit("bench run failed:\n" + out.stdout[-3000:] + out.stderr[-3000:])
    data = json.loads(out.stdout)
    results = {t["task"]["name"]: t["hosts"]["head"] for t in data["plays"][0]["tasks"]}
    bench = next(t for t in data["plays"][0]["tasks"] if t["task"]["name"] == "bench")
    start = datetime.datetime.fromisoformat(bench["task"]["duration"]["start"].replace("Z", "+00:00"))
    end = datetime.datetime.fromisoformat(bench["task"]["duration"]["end"].replace("Z", "+00:00"))
    calls = int(results["count"]["stdout"].split()[0]) if counted else None
    return (end - start).total_seconds(), bool(results["bench"].get("changed")), calls


def code_version():
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=TOP).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                           cwd=TOP).stdout.strip()
    return head.strip() + (" + uncommitted changes" if dirty else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--loop-max", type=int, default=100, help="largest N timed as a loop")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--accounts", type=int, choices=[1, 2], default=1,
                        help="accounts per user (2: physics and its sub-account theory)")
    parser.add_argument("--output", default=os.path.join(TOP, "docs", "accounts-benchmark.md"))
    args = parser.parse_args()
    load_start = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for n in args.sizes:
            first, changed, first_calls = run(workdir, "entries", n, counted=True, accounts=args.accounts)
            if not changed:
                sys.exit("the first run of %d users changed nothing: remove bench users first" % n)
            kinds = ["entries"] + (["loop"] if n <= args.loop_max else [])
            times = {kind: [] for kind in kinds}
            calls = {}
            for repeat in range(args.repeats):
                for kind in kinds:
                    seconds, changed, count = run(workdir, kind, n, counted=repeat == 0, accounts=args.accounts)
                    if changed:
                        sys.exit("a re-run of %d users (%s) changed something" % (n, kind))
                    times[kind].append(seconds)
                    if count is not None:
                        calls[kind] = count
            removed, _changed, _calls = run(workdir, "entries", n, state="absent")
            rows.append((n, first, first_calls, times, calls, removed))
            print(n, first, first_calls, times, calls, removed, file=sys.stderr)
    load_end = os.getloadavg()
    lines = [
        "# Accounts benchmark: declaring N Slurm users",
        "",
        "Written by `bench/accounts_bench.py` (%s); do not edit by hand."
        % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "",
        "- Code: %s" % code_version(),
        "- Machine: %s, %d CPUs; the lab's controller (Debian 12, Slurm 22.05, MariaDB) in a container"
        % (platform.platform(), os.cpu_count()),
        "- Load average (1, 5, 15 min) at start: %s; at end: %s" % (
            " ".join("%.2f" % x for x in load_start), " ".join("%.2f" % x for x in load_end)),
        "- Re-runs: medians of %d, entries and loop interleaved; sacctmgr calls counted in the first re-run."
        % args.repeats,
        "",
        "Users `bench00001`... in account physics with their default account and a QOS list%s; each "
        "figure is the one task's duration (json callback). *first run*: one task with `entries` "
        "adds them. *re-run*: nothing to change. *loop*: one module run per association, as role slurmdbd "
        "declared them before (not timed above %d users). Afterwards the users are removed."
        % (", and in account theory (two associations each)" if args.accounts > 1 else "", args.loop_max),
        "",
        "| users | first run s (entries) | sacctmgr calls | re-run s, entries | sacctmgr calls | re-run s, loop | "
        "sacctmgr calls | loop / entries | removal s (entries) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, first, first_calls, times, calls, removed in rows:
        entries = statistics.median(times["entries"])
        loop = statistics.median(times["loop"]) if "loop" in times else None
        lines.append("| %d | %.1f | %d | %.2f | %d | %s | %s | %s | %.1f |" % (
            n, first, first_calls, entries, calls["entries"], "%.1f" % loop if loop else "-",
            calls.get("loop", "-"), "%.0fx" % (loop / entries) if loop else "-", removed))
    lines.append("")
    text = "\n".join(lines)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
