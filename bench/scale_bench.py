#!/usr/bin/env python3
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller cost of the Slurm preflight and the slurm.conf/gres.conf render at 1,000-10,000 nodes.

Not a test: run it by hand, from the repository root (see ../shared/BENCH.md for the method):

    .venv/bin/python bench/scale_bench.py                     # writes docs/scale-benchmark.md
    .venv/bin/python bench/scale_bench.py --sizes 1000 --repeats 1 --output -   # quick look
    git worktree add --detach /tmp/hpc-before 47ca68b
    .venv/bin/python bench/scale_bench.py --before /tmp/hpc-before   # adds the old code at 1,000

What runs, for each size N (compute nodes):
- an inventory from the hpc.cluster.cluster inventory plugin: 1 control host, 2 login hosts,
  N compute hosts (5% in group gpu, 1% in group highmem);
- facts for every host in a jsonfile fact cache, made from this machine's own `setup` output
  with the hardware varied (three node generations, some nodes with less memory, GPU nodes with
  4 A100 or 8 H100 from hpc.cluster.gpu_facts), `gathering = smart`, so nothing is gathered;
- the play "Preflight: Slurm and munge" exactly as playbooks/preflight.yml has it, limited to the
  control host (`--limit`), with connection local: every cluster-wide (run_once) task of roles
  munge and slurm runs in full, over every host's variables; the per-host tasks (the munge key
  state, the fixed-ID checks) run for the control host only;
- then a play on the control host that renders the role's slurm.conf.j2 and gres.conf.j2.
The floor is ansible-playbook with the same inventory and fact cache running one debug task.
Timed with /usr/bin/time -v (user+system CPU seconds of ansible-playbook, its workers and the
modules, peak RSS); the modules' own CPU is measured apart (their interpreter is Python under
/usr/bin/time), because on a cluster they run on the nodes, not on the controller. Sizes and
trees interleaved, medians over the repeats.
"""

from __future__ import annotations

import argparse
import configparser
import copy
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
BIN = os.path.dirname(sys.executable)
PLAY_NAME = "Preflight: Slurm and munge (control, compute, login)"
COLD = "now, first run"
DIGEST = ".hpc.cluster.slurm_cluster_data.json"  # hpc.cluster.slurm_cluster_data's FactDigest
CONTROL = "ctl1"
ROCKY9 = {"ansible_distribution": "Rocky", "ansible_os_family": "RedHat", "ansible_distribution_major_version": "9",
          "ansible_distribution_version": "9.6", "ansible_distribution_release": "Blue Onyx"}
# Compute generations: (sockets, cores per socket, threads per core, memtotal_mb).
GENERATIONS = [(2, 16, 1, 191000), (2, 32, 2, 385000), (2, 48, 2, 772000)]
WRITE_CACHE = """
import json, sys
from ansible.plugins.loader import cache_loader, init_plugin_loader
init_plugin_loader()
cache = cache_loader.get("ansible.builtin.jsonfile", _uri=sys.argv[1])
for host, facts in json.load(sys.stdin).items():
    cache.set(host, facts)
"""


def shape(size):
    gpu = size // 20
    highmem = size // 100
    return size - gpu - highmem, gpu, highmem


def inventory(size):
    """hpc.cluster.cluster plugin source for `size` compute hosts."""
    plain, gpu, highmem = shape(size)
    return {
        "plugin": "hpc.cluster.cluster", "cluster_name": "scale", "cluster_network": "10.20.0.0/16",
        "vars": {"slurm_partitions": [
            {"name": "batch", "groups": ["compute"], "default": True, "options": {"MaxTime": "2-00:00:00"}},
            {"name": "gpu", "groups": ["gpu"], "options": {"MaxTime": "1-00:00:00"}},
            {"name": "highmem", "groups": ["highmem"]}]},
        "groups": {
            "control": {"hosts": CONTROL, "address_start": "10.20.0.10"},
            "login": {"hosts": "login[1-2]", "address_start": "10.20.0.20"},
            "compute": {"hosts": "c[00001-%05d]" % plain, "address_offset": 256, "children": ["gpu", "highmem"],
                        "vars": {"slurm_node": {"Weight": 1}}},
            "gpu": {"hosts": "g[0001-%04d]" % gpu, "address_start": "10.20.100.1",
                    "vars": {"slurm_node": {"Weight": 10, "Features": ["gpu", "ib"]}}},
            "highmem": {"hosts": "hm[001-%03d]" % highmem, "address_start": "10.20.120.1",
                        "vars": {"slurm_node": {"Weight": 5}}},
        },
    }


def real_setup():
    """This machine's own setup output: the size and shape of real facts."""
    run = subprocess.run([os.path.join(BIN, "ansible"), "localhost", "-c", "local", "-m", "setup", "-o"],
                         capture_output=True, text=True, check=True, timeout=300,
                         env=dict(os.environ, ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_NOCOLOR="1"))
    return json.loads(run.stdout.split("=>", 1)[1])["ansible_facts"]


def host_facts(base, host, index, total, address):
    """Generations in blocks of consecutive hosts, as clusters grow; every 50th node lost a DIMM."""
    facts = copy.deepcopy(base)
    sockets, cores, threads, mem = GENERATIONS[index * len(GENERATIONS) // total]
    gpus = []
    if host.startswith("g"):
        sockets, cores, threads, mem = 2, 32, 2, 1031000
        model, count = ("a100", 4) if int(host[1:]) % 3 else ("h100", 8)
        gpus = [{"vendor": "nvidia", "index": i, "name": "NVIDIA %s" % model.upper(), "type": model,
                 "file": "/dev/nvidia%d" % i} for i in range(count)]
    elif host.startswith("hm"):
        mem = 2063000
    elif index % 50 == 7:
        mem -= 16384    # a failed DIMM
    facts.update(ROCKY9, ansible_hostname=host, ansible_nodename=host, ansible_fqdn=host,
                 ansible_processor_count=sockets, ansible_processor_cores=cores,
                 ansible_processor_threads_per_core=threads, ansible_processor_vcpus=sockets * cores * threads,
                 ansible_memtotal_mb=mem, hpc_gpus=gpus)
    facts["ansible_default_ipv4"] = dict(facts.get("ansible_default_ipv4") or {}, address=address)
    return facts


def prepare(work, size, base):
    """Inventory file and fact cache for one size; returns the inventory path and the host list."""
    top = os.path.join(work, "n%d" % size)
    os.makedirs(top)
    path = os.path.join(top, "hpc.cluster.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(inventory(size), handle, sort_keys=False)
    listing = subprocess.run([os.path.join(BIN, "ansible-inventory"), "-i", path, "--list"], capture_output=True,
                             text=True, check=True, timeout=600, env=env_for(TOP, top))
    data = json.loads(listing.stdout)
    hostvars = data["_meta"]["hostvars"]
    hosts = sorted(hostvars)
    for start in range(0, len(hosts), 1000):    # in chunks: 10,000 hosts' facts take gigabytes at once
        facts = {}
        for index in range(start, min(start + 1000, len(hosts))):
            host = hosts[index]
            address = hostvars[host].get("cluster_address")
            if isinstance(address, dict):
                address = address.get("__ansible_unsafe")
            facts[host] = host_facts(base, host, index, len(hosts), address)
        subprocess.run([sys.executable, "-c", WRITE_CACHE, os.path.join(top, "facts")], input=json.dumps(facts),
                       text=True, check=True, timeout=1200)
    compute = [h for h in hosts if re.match(r"(c|g|hm)\d", h)]
    # An existing munge key on the control host: the munge preflight plans "keep it".
    with open(os.path.join(top, "munge.key"), "wb") as handle:
        handle.write(os.urandom(1024))
    return top, path, compute


def tree_callbacks(tree):
    """The callbacks the tree's ansible.cfg enables (the variable above replaces its list)."""
    config = configparser.ConfigParser()
    config.read(os.path.join(tree, "ansible.cfg"))
    return [name.strip() for name in config["defaults"].get("callbacks_enabled", "").split(",") if name.strip()]


def env_for(tree, top):
    return dict(os.environ, ANSIBLE_CONFIG=os.path.join(tree, "ansible.cfg"),
                ANSIBLE_ROLES_PATH=os.path.join(tree, "roles"),
                ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=os.path.join(top, "facts"),
                ANSIBLE_CACHE_PLUGIN_TIMEOUT="0", ANSIBLE_GATHERING="smart", ANSIBLE_NOCOLOR="1",
                ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0",
                ANSIBLE_CALLBACKS_ENABLED=",".join(["ansible.posix.profile_tasks", *tree_callbacks(tree)]),
                PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
                ANSIBLE_DISPLAY_SKIPPED_HOSTS="0", ANSIBLE_RETRY_FILES_ENABLED="0")


def playbooks(tree, out):
    """The tree's own Slurm preflight play, then the render; and the floor."""
    with open(os.path.join(tree, "playbooks", "preflight.yml")) as handle:
        plays = yaml.safe_load(handle)
    slurm = [p for p in plays if p["name"] == PLAY_NAME]
    assert len(slurm) == 1, "no play %r in %s/playbooks/preflight.yml" % (PLAY_NAME, tree)
    for task in slurm[0]["tasks"]:  # the play is written elsewhere: its task files by absolute path
        path = task.get("ansible.builtin.import_tasks")
        if isinstance(path, str) and not os.path.isabs(path):
            task["ansible.builtin.import_tasks"] = os.path.join(tree, "playbooks", path)
    templates = os.path.join(tree, "roles", "slurm", "templates")
    render = {"name": "Render slurm.conf and gres.conf", "hosts": "control", "gather_facts": False, "tasks": [
        {"name": "Load role slurm's defaults and variables",
         "ansible.builtin.include_role": {"name": "slurm", "tasks_from": "set_vars.yml", "public": True}},
        # A tree whose preflight renders slurm.conf (__slurm_conf_text) is not charged a second render.
        {"name": "Write the preflight's slurm.conf", "ansible.builtin.copy": {
            "content": "{{ __slurm_conf_text }}", "dest": os.path.join(out, "slurm.conf"), "mode": "0644"},
         "when": "__slurm_conf_text is defined"},
        {"name": "Render slurm.conf", "ansible.builtin.template": {
            "src": os.path.join(templates, "slurm.conf.j2"), "dest": os.path.join(out, "slurm.conf"), "mode": "0644"},
         "when": "__slurm_conf_text is not defined"},
        {"name": "Render gres.conf", "ansible.builtin.template": {
            "src": os.path.join(templates, "gres.conf.j2"), "dest": os.path.join(out, "gres.conf"), "mode": "0644"}},
    ]}
    floor = [{"name": "Floor", "hosts": "control", "gather_facts": False, "tasks": [
        {"name": "Nothing", "ansible.builtin.debug": {"msg": "{{ ansible_facts['distribution'] }}"}}]}]
    return slurm + [render], floor


def parse_time(text):
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    return user + system, seconds, rss / 1024.0


TASK_RE = re.compile(r"^(.+?) -+ ([\d.]+)s\s*$")


def parse_tasks(stdout):
    """profile_tasks' summary: task name -> wall seconds."""
    tasks = {}
    tail = stdout.split("===============================================================================")[-1]
    for line in tail.splitlines():
        match = TASK_RE.match(line.strip())
        if match:
            tasks[match.group(1).strip()] = float(match.group(2))
    return tasks


def module_python(work):
    """The modules' interpreter: Python under /usr/bin/time, appending each module's CPU to a file.

    With connection local the modules run on the controller; on a real cluster they run on the
    nodes. Their CPU is measured apart so that the controller's own share can be reported.
    """
    path = os.path.join(work, "module-python")
    with open(path, "w") as handle:
        handle.write('#!/bin/sh\nexec /usr/bin/time -a -o "$HPC_BENCH_MODULE_TIMES" -f "%%U %%S" %s "$@"\n'
                     % sys.executable)
    os.chmod(path, 0o755)
    return path


def module_cpu(path):
    """(CPU seconds, runs) of the module processes listed in path."""
    total, runs = 0.0, 0
    if os.path.exists(path):
        with open(path) as handle:
            for line in handle:
                fields = line.split()
                if len(fields) == 2 and all(re.match(r"[\d.]+\Z", f) for f in fields):
                    total += float(fields[0]) + float(fields[1])
                    runs += 1
    return total, runs


def run(tree, top, inventory_path, play, extra, label):
    path = os.path.join(top, "%s.yml" % label)
    with open(path, "w") as handle:
        yaml.safe_dump(play, handle, sort_keys=False)
    times = os.path.join(top, "%s.modules" % label)
    if os.path.exists(times):
        os.remove(times)
    args = ["/usr/bin/time", "-v", os.path.join(BIN, "ansible-playbook"), "-i", inventory_path, path,
            "--limit", CONTROL, "-e", json.dumps(extra)]
    env = dict(env_for(tree, top), HPC_BENCH_MODULE_TIMES=times)
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=7200)
    if done.returncode != 0:
        sys.exit("%s failed:\n%s\n%s" % (label, done.stdout[-6000:], done.stderr[-3000:]))
    cpu, wall, rss = parse_time(done.stderr)
    modules, module_runs = module_cpu(times)
    return {"cpu": cpu, "wall": wall, "rss": rss, "modules": modules, "module_runs": module_runs,
            "controller": cpu - modules, "tasks": parse_tasks(done.stdout), "stdout": done.stdout}


def check_render(out, compute):
    """Every compute host in exactly one NodeName line; gres.conf names the GPU hosts."""
    sys.path.insert(0, os.path.join(TOP, "collections"))
    from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import expand

    with open(os.path.join(out, "slurm.conf")) as handle:
        lines = [line for line in handle.read().splitlines() if line.startswith("NodeName=")]
    named = [h for line in lines for h in expand(line.split()[0].split("=", 1)[1])]
    assert sorted(named) == sorted(compute), "slurm.conf does not name every compute host once"
    with open(os.path.join(out, "gres.conf")) as handle:
        gres_hosts = set(gres_per_host(handle.read()))
    assert gres_hosts == {h for h in compute if h.startswith("g")}, "gres.conf does not name the GPU hosts"
    return len(lines)


def gres_per_host(text):
    """gres.conf's lines per host (NodeName hostlists expanded), to compare files of either form."""
    sys.path.insert(0, os.path.join(TOP, "collections"))
    from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import lines_per_host

    return lines_per_host(text.splitlines())


def slope(points):
    """Least-squares slope of log(cpu) over log(size)."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(c, 1e-3)) for _, c in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


SPEED_LOOP = "sum of range(30,000,000), best of 3"


def machine_speed():
    """Seconds of CPU for a fixed loop: the same code's CPU time moves with the (shared) machine's speed."""
    best = None
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(30_000_000):
            total += i
        took = time.process_time() - start
        best = took if best is None else min(best, took)
    return best


def loadavg():
    return " ".join("%.2f" % v for v in os.getloadavg())


def git_head(tree):
    done = subprocess.run(["git", "-C", tree, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", tree, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return done.stdout.strip() + (" + uncommitted changes" if dirty else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", help="a worktree of older code, measured at --before-sizes")
    parser.add_argument("--before-sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--output", default=os.path.join(TOP, "docs", "scale-benchmark.md"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="scale-bench-")
    interpreter = module_python(work)
    base = real_setup()
    # "now, first run": the same code with no fact digest (the first run after the facts changed).
    trees = [(COLD, TOP), ("now", TOP)] + ([("before", os.path.abspath(args.before))] if args.before else [])
    sizes = sorted(set(args.sizes) | (set(args.before_sizes) if args.before else set()))
    prepared = {}
    for size in sizes:
        print("preparing %d compute nodes ..." % size, file=sys.stderr)
        prepared[size] = prepare(work, size, base)
    load_start = loadavg()
    speed_start = machine_speed()
    results = {}
    rendered = {}
    for rep in range(args.repeats):
        for size in sizes:
            top, inventory_path, compute = prepared[size]
            jobs = [("floor", TOP)] + [(name, tree) for name, tree in trees
                                       if name in ("now", COLD) and size in args.sizes
                                       or name == "before" and size in args.before_sizes]
            for name, tree in jobs:
                out = os.path.join(top, "out-%s" % name)
                os.makedirs(out, exist_ok=True)
                os.makedirs(os.path.join(top, "etc"), exist_ok=True)
                slurm_play, floor_play = playbooks(tree, out)
                if name == COLD:
                    digest = os.path.join(top, "facts", DIGEST)
                    if os.path.exists(digest):
                        os.remove(digest)
                extra = {"ansible_connection": "local", "ansible_python_interpreter": interpreter,
                         "ansible_become": False, "slurmdbd_db_password": "synthetic-vault-password",
                         "munge_key_file": os.path.join(top, "munge.key"),
                         "__slurm_conf_dir": os.path.join(top, "etc")}
                result = run(tree, top, inventory_path, floor_play if name == "floor" else slurm_play, extra,
                             "%s-%d" % (name, rep))
                results.setdefault((name, size), []).append(result)
                if name != "floor":
                    rendered[(name, size)] = check_render(out, compute)
                print("rep %d  N=%-6d %-6s cpu %7.2fs (modules %5.2fs, %d runs)  wall %7.2fs  rss %6.0f MB  load %s"
                      % (rep, size, name, result["cpu"], result["modules"], result["module_runs"], result["wall"],
                         result["rss"], loadavg()), file=sys.stderr)
    load_end = loadavg()
    speed = (speed_start, machine_speed())

    same = None
    if args.before:
        size = args.before_sizes[0]
        files = []
        for name in ("now", "before"):
            out = os.path.join(prepared[size][0], "out-%s" % name)
            with open(os.path.join(out, "slurm.conf")) as slurm, open(os.path.join(out, "gres.conf")) as gres:
                files.append((slurm.read(), gres_per_host(gres.read())))
        same = files[0] == files[1]

    write_report(report(args, trees, sizes, results, rendered, load_start, load_end, same, speed), args.output)
    if args.keep:
        print("work directory: %s" % work, file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)


def write_report(text, output):
    """The report to a file, or to standard output for "-"."""
    if output == "-":
        sys.stdout.write(text)
    else:
        with open(output, "w") as handle:
            handle.write(text)
        print("wrote %s" % output, file=sys.stderr)


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def report(args, trees, sizes, results, rendered, load_start, load_end, same, speed):
    out = []
    say = out.append
    say("# Scale benchmark: Slurm preflight and slurm.conf on the controller\n")
    say("Written by `bench/scale_bench.py` (%s); do not edit by hand.\n"
        % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    before = dict(trees).get("before")
    say("- Code: %s%s" % (git_head(TOP), "; before: %s (%s)" % (git_head(before), before) if before else ""))
    say("- Machine: %s, %d CPUs, Python %s, ansible-core %s" % (
        platform.platform(), os.cpu_count(), platform.python_version(), ansible_version()))
    say("- Load average (1, 5, 15 min) at start: %s; at end: %s" % (load_start, load_end))
    say("- Machine speed: a fixed pure-Python loop (%s) took %.2f s at the start, %.2f s at the end; "
        "the same run's CPU seconds move with it (this machine is shared: the loop has taken from 0.85 "
        "to 2.5 s within an hour)" % (SPEED_LOOP, speed[0], speed[1]))
    say("- Medians of %d runs; sizes and code versions interleaved in each run.\n" % args.repeats)
    say("## What is measured\n")
    say("Per size N (compute nodes; plus 1 control and 2 login hosts): an inventory from the "
        "`hpc.cluster.cluster` plugin (5% of the nodes in `gpu`, 1% in `highmem`), facts in a jsonfile "
        "fact cache made from a real `setup` output with three node generations, some nodes with less "
        "memory and GPU nodes (4 A100 or 8 H100 from `hpc.cluster.gpu_facts`), `gathering = smart`.")
    say("`ansible-playbook` runs the play *%s* of the tree's own `playbooks/preflight.yml`, limited "
        "to the control host with connection local, then renders the role's `slurm.conf.j2` and "
        "`gres.conf.j2` on it. Every cluster-wide (run_once) task of roles munge and slurm runs in "
        "full over every host; the per-host tasks (the munge key state, the fixed-ID checks) run for "
        "the control host only, "
        "so their cost on the other N+2 hosts (one worker fork per host and task, linear in N) is "
        "not in these figures. *floor*: the same inventory and fact cache, one debug task. CPU is "
        "user+system seconds of ansible-playbook, its workers and the modules they start "
        "(`/usr/bin/time -v`). *modules* is the CPU of the module processes alone (the modules' "
        "interpreter is Python under `/usr/bin/time`): with connection local they run on the "
        "controller, on a cluster they run on the nodes. *controller* is CPU minus modules, the "
        "controller's own cost.\n" % PLAY_NAME)
    say("| N compute | code | CPU s | modules CPU s (runs) | controller CPU s | wall s | peak RSS MB | floor CPU s "
        "| controller above floor | NodeName lines |")
    say("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        floor = med(results[("floor", size)], "cpu")
        for name, _tree in trees:
            runs = results.get((name, size))
            if not runs:
                continue
            cpu = med(runs, "cpu")
            controller = med(runs, "controller")
            say("| %d | %s | %.1f | %.1f (%d) | %.1f | %.1f | %.0f | %.1f | %.1f | %d |" % (
                size, name, cpu, med(runs, "modules"), med(runs, "module_runs"), controller, med(runs, "wall"),
                med(runs, "rss"), floor, controller - floor, rendered[(name, size)]))
    say("")
    now = [(s, med(results[("now", s)], "cpu")) for s in args.sizes if ("now", s) in results]
    above = [(s, med(results[("now", s)], "cpu") - med(results[("floor", s)], "cpu")) for s in args.sizes]
    floors = [(s, med(results[("floor", s)], "cpu")) for s in args.sizes]
    goal = max(args.sizes)
    if ("now", goal) in results:
        controller = med(results[("now", goal)], "controller")
        say("Goal of issue 9, under 5 s of controller CPU at 10,000 compute nodes: at N=%d the controller "
            "spends %.1f CPU s (with the modules run locally, %.1f): %s.\n"
            % (goal, controller, med(results[("now", goal)], "cpu"),
               ("met" if controller < 5.0 else "not met") if goal >= 10000 else "not measured at 10,000"))
    small = min(args.sizes)
    if ("now", goal) in results and small < goal:
        fixed = med(results[("now", small)], "controller")
        say("Most of it does not depend on N. At N=%d the controller spends %.1f CPU s (the floor %.1f); from "
            "N=%d to N=%d its CPU grows by %.1f s (the floor by %.1f s). The part at N=%d is ansible-core's cost "
            "per task (the play walks through %d tasks: a worker each, its templating and callbacks) and per "
            "distinct module (each built once per run, %d module runs), whatever the inventory's size.\n"
            % (small, fixed, med(results[("floor", small)], "cpu"), small, goal,
               med(results[("now", goal)], "controller") - fixed,
               med(results[("floor", goal)], "cpu") - med(results[("floor", small)], "cpu"), small,
               statistics.median(len(r["tasks"]) for r in results[("now", small)]),
               med(results[("now", small)], "module_runs")))
    if len(now) > 1:
        say("Log-log slope of CPU seconds over N (1 = linear, 2 = quadratic): whole run %.2f, above the "
            "floor %.2f, floor alone %.2f.\n" % (slope(now), slope(above), slope(floors)))
    for size in args.sizes:
        if (COLD, size) in results:
            say("At N=%d the first run after the facts changed (no fact digest: every host's facts decoded) "
                "takes %.1f CPU s, a run with the digest %.1f.\n"
                % (size, med(results[(COLD, size)], "cpu"), med(results[("now", size)], "cpu")))
    if before:
        for size in args.before_sizes:
            if ("before", size) in results and ("now", size) in results:
                b = med(results[("before", size)], "cpu")
                n = med(results[("now", size)], "cpu")
                say("At N=%d the code before takes %.1f CPU s, now %.1f: %.1fx less controller CPU. "
                    "Rendered slurm.conf identical and gres.conf the same for every host: %s.\n"
                    % (size, b, n, b / n, "yes" if same else "NO"))
    say(NOTES)
    say("## Where the time goes (wall seconds per task, profile_tasks, median)\n")
    for size in sizes:
        for name, _tree in trees:
            runs = results.get((name, size))
            if not runs:
                continue
            names = set().union(*(r["tasks"] for r in runs))
            times = {t: statistics.median(r["tasks"].get(t, 0.0) for r in runs) for t in names}
            top = sorted(times.items(), key=lambda kv: -kv[1])[:6]
            say("- N=%d, %s: %s" % (size, name, "; ".join("%s %.2f" % kv for kv in top)))
    say("")
    return "\n".join(out) + "\n"


NOTES = """## How the cluster-wide data is read, and what is left

Before: one `hostvars[host]` read per compute host (`map('extract', hostvars)`), which merges every
variable source of the host and cleans and copies its whole facts twice (`clean_facts`,
`namespace_facts`), then decodes the fact cache's JSON with a Python hook per dictionary: 2-7 ms
per host. Now the action `hpc.cluster.slurm_cluster_data` (collection `plugins/action/`) reads only the
variables it needs (the four hardware facts, `hpc_gpus`, `slurm_node`, `slurm_gres` and the four
cluster-wide settings), layer by layer in the order of ansible-core's `VariableManager.get_vars`
(inventory and vars-plugin group layers once per distinct set of groups; host variables, host_vars
files, facts, include_vars/set_fact and extra vars per host), and decodes a cached host's facts with
the plain C JSON decoder when they hold no tagged value. Every run it compares this read with
`hostvars` for one host of each set of groups, and reads through `hostvars` when they differ, when an
internal interface is missing, or (for one host) when a value holds a template. The per-host settings
check (one assert per Slurm host against a run_once reference) is one run_once check over the same
read, naming every host that differs; the unknown-keys check runs once too. The reader lives in
the collection's `plugins/plugin_utils/host_reader.py`; the lookup `hpc.cluster.host_values` uses it
for the other run-once reads over every node (role base's address check, role munge's key plan,
role prometheus's targets), which this bench does not time (its play is limited to the control
host, so the key plan reads one host): `bench/cluster_reads_bench.py` times one of them at the same
sizes (`docs/cluster-reads-benchmark.md`).

Facts of a host whose jsonfile cache file did not change come from a digest beside the cache
(`.hpc.cluster.slurm_cluster_data.json`: per host, the file's inode, size and modification time in
nanoseconds, and the dozen facts the action reads). A host whose file changed (facts gathered again,
a file edited or replaced) is decoded again, as is every host of the first run; facts gathered or set
in the same run are read from memory, never from the digest. *now, first run* is a run without the
digest, *now* one with it.

gres.conf has one line per device of each set of nodes with the same devices (`NodeName=<hostlist>`),
not one per device of every GPU node: at 10,000 nodes (500 with GPUs) 12 lines instead of 2,670,
which every compute node used to render.

What is left, per host: a stat of its fact cache file (and its decoding when it changed), the vars
plugins for the host (host_group_vars looks for its host_vars file) and the NodeName computation;
and, independent of N, the munge and slurm preflight modules that run for the control host (the
munge key state, two fixed-ID checks, the controller's state) and the two renders (each a stat and
a copy module): eight module runs. On the controller each costs a worker and the module's build
(ansible-core parses the module and its module_utils once per distinct module and run); the module
process itself (a Python start, 0.15-0.2 s of CPU) runs on the node in a real run, here on the
controller, and is counted apart (*modules*). Then the inventory parse (the floor). A py-spy profile
of one run at N=10,000 (2026-12-03) put about 2 s of the workers' CPU in those module builds
(`recursive_finder`, which compiles every module_utils file a module imports: `basic.py` alone pulls
in some fifty), about 1 s in the action `hpc.cluster.slurm_cluster_data`, 0.7 s in the inventory
plugin and the rest in each task's worker start, templating and callbacks. The main process's
polling of its workers (`internal_poll_interval`) is not a cost here: at 0.01 s instead of 0.001 s
the run took the same CPU.

Not in these figures: in a real run the play runs every per-host task on every Slurm host. Each
(host, task) pair costs the controller one `get_vars` (the same whole-facts cleaning, 3-7 ms with
real facts) and one worker fork, whatever the task does; this is linear in N and is the
controller's largest cost at 10,000 hosts (minutes per per-host task), so the slurm preflight keeps
as few per-host tasks as it can.

Ansible settings the bench uses and an admin would use: `fact_caching = jsonfile` with
`gathering = smart` (facts gathered once, not per run; with the default memory cache the facts are
in memory and reading them costs nothing, but every run gathers them), `forks` as high as the
controller's cores allow for the per-host tasks. `ansible.posix.profile_tasks` (bench only) adds a
little.
"""


def ansible_version():
    from ansible.release import __version__

    return __version__


if __name__ == "__main__":
    main()
