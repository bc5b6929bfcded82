#!/usr/bin/env python3
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller cost of asking whether a host is in a group, and whether a package is installed.

Not a test: run it by hand, from the repository root (see ../shared/BENCH.md for the method):

    .venv/bin/python bench/membership_bench.py                  # writes docs/membership-benchmark.md
    .venv/bin/python bench/membership_bench.py --sizes 1000 --repeats 1 --output -

For each size N (compute nodes, plus a control and a login host, in group cluster): a YAML
inventory, ansible-core's own InventoryManager and VariableManager, and a compute node's variables
as a task sees them (get_vars). Each condition is evaluated as a `when:` is (Templar), many times;
reported is its median cost per evaluation, and what one evaluation on every host of the cluster
costs the controller (that times N + 2): the roles and playbooks evaluate such a condition for
each host, in several tasks. The package conditions use a node's installed packages, as
hpc.cluster.installed_packages returned them before (a list of names) and now (name -> version).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

CONDITIONS = [
    ("group, before", "inventory_hostname in groups['compute']"),
    ("group, now", "'compute' in group_names"),
    ("package, before", "['munge'] | difference(packages_list) | length > 0"),
    ("package, now", "['munge'] | difference(packages_map) | length > 0"),
]
PACKAGES = 1200  # a Rocky 9 compute node with development tools
# Evaluated once per run (run_once): the preflight's inventory check, hosts outside group cluster.
ONCE = [
    ("before", "(groups['control'] + groups['compute'] + groups['login']) | reject('in', groups['cluster'])"
               " | unique | list"),
    ("now", "(groups['control'] + groups['compute'] + groups['login']) | difference(groups['cluster']) | sort"),
]
ONCE_BEFORE_MAX = 4000  # beyond, the quadratic form takes minutes


def inventory_file(directory, size):
    compute = {"c%05d" % n: None for n in range(1, size + 1)}
    data = {"all": {"children": {"cluster": {"children": {
        "control": {"hosts": {"head": None}}, "compute": {"hosts": compute}, "login": {"hosts": {"login1": None}}}}}}}
    path = os.path.join(directory, "hosts.yml")
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(data, handle)
    return path


def measure(size, repeats, evaluations):
    """{condition label: median ms per evaluation} on one compute node of an inventory of size N."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template
    from ansible.vars.manager import VariableManager

    with tempfile.TemporaryDirectory() as directory:
        loader = DataLoader()
        inventory = InventoryManager(loader=loader, sources=[inventory_file(directory, size)])
        manager = VariableManager(loader=loader, inventory=inventory)
        variables = manager.get_vars(host=inventory.get_host("c00001"))
        names = ["pkg-%04d" % n for n in range(PACKAGES)] + ["munge"]
        variables.update(packages_list=names, packages_map=dict.fromkeys(names, "1.0-1"))
        templar = Templar(loader=loader, variables=variables)
        result = {}
        for label, condition in CONDITIONS:
            expression = trust_as_template(condition)
            templar.evaluate_conditional(expression)
            runs = []
            for _ in range(repeats):
                started = time.perf_counter()
                for _ in range(evaluations):
                    templar.evaluate_conditional(expression)
                runs.append((time.perf_counter() - started) / evaluations * 1000)
            result[label] = statistics.median(runs)
        for label, text in ONCE:
            if label == "before" and size > ONCE_BEFORE_MAX:
                continue
            expression = trust_as_template("{{ %s }}" % text)
            started = time.perf_counter()
            strays = templar.template(expression)
            result["once " + label] = (time.perf_counter() - started, len(strays))
        return result


def report(rows, args, started, code):
    lines = ["# Benchmark: is this host in a group, is this package installed", "",
             "Produced by `bench/membership_bench.py` (do not edit by hand) on %s, code %s." % (started, code),
             "Machine: %s, %d CPUs, Python %s; load average %s at the start, %s at the end." % (
                 platform.platform(), os.cpu_count(), platform.python_version(), args.load_start,
                 " ".join("%.2f" % x for x in os.getloadavg())), "",
             "One condition evaluated as a task's `when:` is, with a compute node's variables from "
             "ansible-core's VariableManager, %d times per repeat; medians of %d repeats. The package conditions "
             "read a node with %d packages installed. *cluster* is one evaluation on every host (N + 2): a role "
             "or playbook evaluates such a condition for each host, in several tasks." % (
                 args.evaluations, args.repeats, PACKAGES), "",
             "| N compute | condition | ms per evaluation | cluster, s |", "| ---: | --- | ---: | ---: |"]
    for size, result in rows:
        for label, condition in CONDITIONS:
            lines.append("| %d | %s: `%s` | %.3f | %.2f |" % (size, label, condition.replace("|", "\\|"), result[label],
                                                             result[label] * (size + 2) / 1000))
    lines += ["", "Once per run (run_once), the preflight's check that every node is in group cluster, seconds "
              "(one evaluation; the strays found in brackets):", "",
              "| N compute | %s |" % " | ".join("%s: `%s`" % (label, text.replace("|", "\\|")) for label, text in ONCE),
              "| ---: | ---: | ---: |"]
    for size, result in rows:
        lines.append("| %d | %s |" % (size, " | ".join(
            "%.3f (%d)" % result["once " + label] if "once " + label in result else "not run (quadratic)"
            for label, _text in ONCE)))
    lines += ["", "Looking the host up in a group's list costs in proportion to the group's size, and every host "
              "does it: quadratic in the cluster's size. `group_names` holds the host's own groups. A list of "
              "installed packages is read item by item by each condition that asks it for a name; a mapping "
              "by name is not. `reject('in', list)` looks each item up in the whole list, item by item; "
              "`difference` makes sets.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--evaluations", type=int, default=100)
    parser.add_argument("--output", default="docs/membership-benchmark.md")
    args = parser.parse_args()
    args.load_start = " ".join("%.2f" % x for x in os.getloadavg())
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    code = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False).stdout.strip() or "unknown"
    rows = [(size, measure(size, args.repeats, args.evaluations)) for size in args.sizes]
    text = report(rows, args, started, code)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        print("wrote %s" % args.output)


if __name__ == "__main__":
    main()
