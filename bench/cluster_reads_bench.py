#!/usr/bin/env python3
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller cost of one run-once read of every node's variables: hostvars extracts against hpc.cluster.host_values.

Not a test: run it by hand, from the repository root (see ../shared/BENCH.md for the method):

    .venv/bin/python bench/cluster_reads_bench.py                # writes docs/cluster-reads-benchmark.md
    .venv/bin/python bench/cluster_reads_bench.py --sizes 1000 --repeats 1 --output -

The inventory and fact cache are bench/scale_bench.py's (N compute nodes plus 3 other hosts,
real-sized facts). Each run is ansible-playbook with one play on the control host and one task,
the cluster address check of role base over every host of group cluster, written two ways:
- extract: `dict(hosts | zip(hosts | map('extract', hostvars))) | hpc.cluster.cluster_addresses`
  (how roles base, munge, chrony and prometheus read other hosts before);
- lookup: `lookup('hpc.cluster.host_values', hosts, names=[...], facts=['default_ipv4'])` into the
  same filter (how they read them now).
The floor is the same play with only a debug task. Reported: controller CPU (user+system of
ansible-playbook and its workers) above the floor, medians over the repeats, sizes and
variants interleaved. Both variants must give the same addresses (checked).
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale_bench as scale  # noqa: E402  (same directory)

ADDRESS_VARIABLES = ["cluster_address", "ansible_host"]
COLD = "lookup, first run"
VARIANTS = {
    "extract": "{{ dict(hosts | zip(hosts | map('extract', hostvars))) | hpc.cluster.cluster_addresses(unique=true) }}",
    "lookup": ("{{ lookup('hpc.cluster.host_values', hosts, names=%s, facts=['default_ipv4'])"
               " | hpc.cluster.cluster_addresses(unique=true) }}" % json.dumps(ADDRESS_VARIABLES)),
}


def play(variant):
    tasks = [{"name": "Nothing", "ansible.builtin.debug": {"msg": "{{ groups['cluster'] | length }}"}}]
    if variant != "floor":
        tasks = [
            {"name": "Read every node's address", "ansible.builtin.set_fact": {
                "addresses": VARIANTS["lookup" if variant == COLD else variant]},
             "vars": {"hosts": "{{ groups['cluster'] }}"}},
            {"name": "Show them", "ansible.builtin.debug": {
                "msg": "addresses {{ addresses | length }} {{ addresses | to_json | hash('sha1') }}"}},
        ]
    return [{"name": "Read", "hosts": "control", "gather_facts": False, "tasks": tasks}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", default=os.path.join(scale.TOP, "docs", "cluster-reads-benchmark.md"))
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="reads-bench-")
    interpreter = scale.module_python(work)
    base = scale.real_setup()
    prepared = {}
    for size in args.sizes:
        print("preparing %d compute nodes ..." % size, file=sys.stderr)
        prepared[size] = scale.prepare(work, size, base)
    load_start = scale.loadavg()
    speed_start = scale.machine_speed()
    results = {}
    for rep in range(args.repeats):
        for size in args.sizes:
            top, inventory_path, _compute = prepared[size]
            shown = {}
            for variant in ("floor", "extract", COLD, "lookup"):
                if variant == COLD:  # the first run after the facts changed: no fact extracts kept yet
                    for name in glob.glob(os.path.join(top, "facts", ".hpc.cluster.host_values.*")):
                        os.remove(name)
                extra = {"ansible_connection": "local", "ansible_python_interpreter": interpreter,
                         "ansible_become": False}
                label = "%s-%d" % (variant.split(",")[0] + ("-cold" if variant == COLD else ""), rep)
                result = scale.run(scale.TOP, top, inventory_path, play(variant), extra, label)
                results.setdefault((variant, size), []).append(result)
                shown[variant] = re.findall(r"addresses (\d+) ([0-9a-f]{40})", result["stdout"])
                print("rep %d  N=%-6d %-8s cpu %7.2fs  wall %7.2fs  rss %6.0f MB  load %s"
                      % (rep, size, variant, result["cpu"], result["wall"], result["rss"], scale.loadavg()),
                      file=sys.stderr)
            counts = {count for found in shown.values() for count, _digest in found}
            if not shown["extract"] == shown["lookup"] == shown[COLD] or counts != {str(size + 3)}:
                sys.exit("N=%d: the two reads differ or miss hosts: %s" % (size, shown))
    speed = (speed_start, scale.machine_speed())
    scale.write_report(report(args, results, load_start, scale.loadavg(), speed), args.output)
    shutil.rmtree(work, ignore_errors=True)


def report(args, results, load_start, load_end, speed):
    def med(variant, size, key="controller"):
        return statistics.median(r[key] for r in results[(variant, size)])

    out = []
    say = out.append
    say("# Benchmark: reading every node's variables once per run")
    say("")
    say("Produced by `bench/cluster_reads_bench.py` (do not edit by hand) on %s, code %s."
        % (datetime.date.today().isoformat(), scale.git_head(scale.TOP)))
    say("Machine: %s, %d CPUs, Python %s, %s; load average %s at the start, %s at the end; speed loop %.2f s "
        "at the start, %.2f s at the end (same code, lower is faster)."
        % (platform.platform(terse=True), os.cpu_count(), platform.python_version(), scale.ansible_version(),
           load_start, load_end, speed[0], speed[1]))
    say("")
    say("One `run_once` task reads the cluster address of every host of group `cluster` (N compute")
    say("nodes + 3) and checks them, as role base's preflight does; the inventory and the facts")
    say("(real-sized, from this machine's `setup`) are `bench/scale_bench.py`'s. Controller CPU")
    say("seconds (user+system) above a one-debug-task floor, medians of %d runs, sizes and variants"
        % args.repeats)
    say("interleaved; both variants gave the same addresses (count and SHA-1 of the result).")
    say("")
    say("| N compute nodes | floor | extract: `map('extract', hostvars)` | lookup, first run (extract / it) | lookup | "
        "extract per host | lookup per host (first run) |")
    say("| --- | --- | --- | --- | --- | --- | --- |")
    for size in args.sizes:
        floor = med("floor", size)
        extract = med("extract", size) - floor
        cold = med(COLD, size) - floor
        lookup = med("lookup", size) - floor
        say("| %d | %.2f s | %.2f s | %.2f s (%.1fx) | %.2f s | %.2f ms | %.2f ms (%.2f ms) |"
            % (size, floor, extract, cold, extract / cold if cold > 0 else float("inf"), lookup,
               1000 * extract / (size + 3), 1000 * lookup / (size + 3), 1000 * cold / (size + 3)))
    say("")
    say("\"First run\": no fact extracts kept yet (the first run after the facts changed); the lookup then")
    say("decodes every host's cached facts once and keeps the facts it read beside the fact cache")
    say("(`.hpc.cluster.host_values.*.json`), so that later runs decode only hosts whose facts changed.")
    say("A median at or below the floor is within this machine's noise.")
    say("")
    say("Where it applies: role base's address check and its fallback, role munge's key plan (every")
    say("host of the play), role prometheus's scrape targets (every node), role chrony's time servers,")
    say("`playbooks/health.yml` and `playbooks/rotate_munge_key.yml` read other hosts through the lookup.")
    say("`tests/test_cluster_reads.py` refuses `map('extract', hostvars)` in roles and playbooks.")
    say("The lookup checks itself against `hostvars` once per distinct set of groups, every run.")
    say("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
