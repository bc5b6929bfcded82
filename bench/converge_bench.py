"""Converge speed on the lab (issue #13): warm and cold site.yml against their floors.

Not a test: run it by hand (`.venv/bin/python bench/converge_bench.py`), it writes
docs/converge-benchmark.md. It uses a lab of its own (hpc-cbench), never the main lab, and
removes it at the end. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
NAME = "hpc-cbench"
LAB = ["--name", NAME, "--subnet", "10.89.71.0/24"]
ENV = dict(os.environ, CONTAINERS_CONF=str(TOP / "lab" / "containers.conf"),
           ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
INVENTORY = TOP / ".lab" / NAME / "hosts.yml"
PLAYBOOKS = TOP / "playbooks"
SITE_PACKAGES = TOP / ".venv" / "lib" / "python3.11" / "site-packages"
PROFILE_TASKS = SITE_PACKAGES / "ansible_collections/ansible/posix/plugins/callback/profile_tasks.py"
CONNECTIONS = {
    "ssh": {},  # SSH with pipelining and ControlPersist, from ansible.cfg
    "mitogen": {"ANSIBLE_STRATEGY_PLUGINS": str(SITE_PACKAGES / "ansible_mitogen" / "plugins" / "strategy"),
                "ANSIBLE_STRATEGY": "mitogen_linear"},
}
ROWS = {"floor": "floor", "slurm": "warm slurm.yml", "site": "warm site.yml",
        "cold": "cold site.yml", "packages": "package floor"}
MANUAL = {"debian": ["apt-mark", "showmanual"],
          "redhat": ["dnf", "repoquery", "--userinstalled", "--queryformat", "%{name}\n"]}
T0 = time.monotonic()


# -- pure parts (tests/test_converge_bench_summary.py) ---------------------------------------
def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ratio(value: float | None, base: float | None) -> float | None:
    return value / base if value is not None and base else None


def seconds(samples: dict, compute: int, kind: str, conn: str) -> list[float]:
    """Times of one row and connection; the package floor has no connection ('')."""
    rows = samples.get((compute, kind, conn)) or samples.get((compute, kind, ""), [])
    return [row[0] for row in rows]


def evaluate_goals(samples: dict, computes: list[int], connections: list[str]) -> list[tuple]:
    """(goal, connection, measured ratio or None, limit, met) for each goal of issue #13."""
    def med(n, kind, conn):
        return median(seconds(samples, n, kind, conn))
    goals = []
    for conn in connections:
        for n in computes:
            floor = med(n, "floor", conn)
            goals.append((f"warm slurm.yml <= 1.0x floor, {n} compute", conn, ratio(med(n, "slurm", conn), floor), 1.0))
            goals.append((f"warm site.yml <= 2.0x floor, {n} compute", conn, ratio(med(n, "site", conn), floor), 2.0))
            goals.append((f"cold site.yml <= 1.3x package floor, {n} compute", conn,
                          ratio(med(n, "cold", conn), med(n, "packages", conn)), 1.3))
        if len(computes) > 1:
            low, high = min(computes), max(computes)
            goals.append((f"warm site.yml at {high} compute <= 1.8x the time at {low}", conn,
                          ratio(med(high, "site", conn), med(low, "site", conn)), 1.8))
    return [(goal, conn, value, limit, value is not None and value <= limit)
            for goal, conn, value, limit in goals]


def parse_recap(output: str) -> dict[str, dict[str, int]]:
    """The last PLAY RECAP: host -> {ok: n, changed: n, ...}."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("PLAY RECAP")]
    recap: dict[str, dict[str, int]] = {}
    for line in lines[starts[-1] + 1:] if starts else []:
        match = re.match(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", line.strip())
        if not match:
            if recap:
                break
            continue
        recap[match[1]] = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match[2])}
    return recap


def changed_tasks(output: str) -> list[tuple[str, str]]:
    """(host, task) for each 'changed: [host]' line of the default callback's output."""
    task, found = "(no task header)", []
    for line in output.splitlines():
        if header := re.match(r"^(?:TASK|RUNNING HANDLER) \[(.*)\]", line):
            task = header[1]
        elif changed := re.match(r"^changed: \[([^\]\s]+)", line):
            found.append((changed[1], task))
    return found


def changes(output: str) -> list[str]:
    """What a run with nothing to change changed, one line per host; [] when nothing did."""
    recap = parse_recap(output)
    if not recap:
        return ["no PLAY RECAP in the output"]
    tasks = changed_tasks(output)
    return [f"{host}: changed={counts['changed']} "
            f"({'; '.join(sorted({t for h, t in tasks if h == host})) or 'task names not in the output'})"
            for host, counts in sorted(recap.items()) if counts.get("changed")]


def parse_profile(output: str, top: int = 15) -> list[tuple[str, float]]:
    """The slowest tasks from ansible.posix.profile_tasks' TASKS RECAP."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("TASKS RECAP")]
    rows = []
    for line in lines[starts[-1] + 1:] if starts else []:
        if match := re.match(r"^(?P<name>.+?) -*\s*(?P<seconds>\d+\.\d+)s$", line.rstrip()):
            rows.append((match["name"], float(match["seconds"])))
    return sorted(rows, key=lambda row: -row[1])[:top]


def with_profile_tasks(config_file: Path) -> str:
    """callbacks_enabled of config_file with ansible.posix.profile_tasks first (the variable replaces the list)."""
    config = configparser.ConfigParser()
    config.read(config_file)
    names = [name.strip() for name in config["defaults"].get("callbacks_enabled", "").split(",") if name.strip()]
    return ",".join(["ansible.posix.profile_tasks", *names])


def floor_play(preflight: list[dict], tasks: int = 10) -> list[dict]:
    """The first play of preflight.yml that gathers facts (its hosts, become, gather keywords),
    with trivial tasks: the facts site.yml gathers, on the same hosts."""
    first = next(p for p in preflight if str(p.get("gather_facts", True)).lower() in ("true", "yes", "1"))
    play = {key: first[key] for key in ("hosts", "become", "gather_facts", "gather_subset", "gather_timeout")
            if key in first}
    play["name"] = f"Floor: the facts site.yml gathers, and {tasks} trivial tasks"
    play["tasks"] = [{"name": f"Trivial task {n}", "ansible.builtin.command": "true", "changed_when": False}
                     for n in range(tasks)]
    return [play]


def os_family(os_release: str) -> str:
    """'debian' or 'redhat' from /etc/os-release (ID and ID_LIKE)."""
    fields = dict(line.split("=", 1) for line in os_release.splitlines() if "=" in line)
    ids = {word.strip("\"'") for key in ("ID", "ID_LIKE") for word in fields.get(key, "").strip("\"'").split()}
    if ids & {"debian", "ubuntu"}:
        return "debian"
    if ids & {"rhel", "fedora", "centos", "rocky", "almalinux"}:
        return "redhat"
    raise ValueError(f"unknown OS family: ID/ID_LIKE {sorted(ids)}")


def package_diff(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, list[str]]:
    """Per node, the packages marked manually installed after the converge and not before."""
    diff = {node: sorted(pkgs - before.get(node, set())) for node, pkgs in after.items()}
    return {node: pkgs for node, pkgs in sorted(diff.items()) if pkgs}


def install_command(family: str, packages: list[str]) -> str:
    """The package manager alone, with the options the roles get from ansible.builtin.package."""
    names = shlex.join(packages)
    if family == "redhat":
        return f"dnf install -y {names}"
    # Role repos downloads the apt lists when none are present (fresh lab nodes have none).
    return ("{ ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -q; } && apt-get install -y -q"
            f" -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold {names}")


def render(meta: dict, samples: dict, profiles: dict, packages: dict) -> str:
    def cell(values):
        return f"{median(values):.1f} ({min(values):.1f}–{max(values):.1f})" if values else "—"

    def times(value):
        return f"{value:.2f}x" if value is not None else "—"
    conns, lines = meta["connections"], [
        "# Converge benchmark", "",
        f"Written by `bench/converge_bench.py` on {meta['date']} (code {meta['commit']}); do not edit by hand.",
        f"Machine: {meta['platform']}, {meta['cores']} cores, {meta['ansible']}. "
        f"Load average (1 min): {meta['load_start']:.1f} at the start, {meta['load_end']:.1f} at the end.", "",
        f"Run: {meta['runs']} warm run(s) of each row per connection (medians, min–max in brackets), "
        f"{meta['cold_runs']} cold site.yml run(s) per compute count and connection and as many package floors "
        "per compute count (each needs fresh nodes). Command: `" + meta["command"] + "`.", "",
        "- *floor*: the first play of `playbooks/preflight.yml` that gathers facts (its hosts, `become`, gather "
        "keywords) and 10 `command: true` tasks.",
        "- *warm*: re-runs after the cold converge; each showed changed=0 for every host in its PLAY RECAP "
        "(else the bench stops). Every run keeps facts in memory only, so each gathers them (as a weekly "
        "re-run does once the cache expired).",
        "  Warm rows run interleaved (floor, slurm.yml, site.yml for each connection, then again).",
        "- *cold*: site.yml on freshly started nodes. *package floor*: per node, the packages that site.yml "
        "marked as manually installed (`apt-mark showmanual` after minus before), installed with the package "
        "manager alone on fresh nodes, all nodes in parallel, its `apt-get update` included.",
        "- *ssh*: SSH with pipelining and ControlPersist (ansible.cfg); *mitogen*: the `mitogen_linear` strategy.",
        "- Load: 1-minute load average at the start and end of each measurement, lowest–highest.", ""]
    for n in meta["computes"]:
        lines += [f"## {n} compute nodes ({n + 2} nodes)", "",
                  "| | " + " | ".join(f"{c}: median s | {c}: ratio" for c in conns) + " | runs | load |",
                  "| --- |" + " ---: | ---: |" * len(conns) + " ---: | --- |"]
        for kind, label in ROWS.items():
            base = {"cold": "packages", "packages": kind}.get(kind, "floor")
            cells = [f"{cell(seconds(samples, n, kind, c))} | "
                     f"{times(ratio(median(seconds(samples, n, kind, c)), median(seconds(samples, n, base, c))))}"
                     for c in conns]
            rows = [r for c in conns for r in samples.get((n, kind, c)) or samples.get((n, kind, ""), [])]
            loads = [load for r in rows for load in r[1:]]
            load = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "—"
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {len(seconds(samples, n, kind, conns[0]))}"
                         f" | {load} |")
        lines.append("")
        lines.append("Ratios: to the floor; cold site.yml to the package floor. Packages the roles installed:")
        nodes_of: dict[str, list[str]] = {}  # nodes with the same list on one line
        for node, pkgs in packages.get(n, {}).items():
            nodes_of.setdefault(" ".join(pkgs), []).append(node)
        lines += [f"- {', '.join(nodes)}: {pkgs}" for pkgs, nodes in nodes_of.items()] + [""]
    lines += ["## Goals (issue #13)", "", "| goal | connection | measured | result |", "| --- | --- | ---: | --- |"]
    lines += [f"| {goal} | {conn} | {times(value)} | {'met' if met else 'not met'} |"
              for goal, conn, value, _, met in evaluate_goals(samples, meta["computes"], conns)]
    for (n, conn), rows in profiles.items():
        lines += ["", f"## Slowest tasks of a warm site.yml, {n} compute, {conn}", "",
                  "One more warm run with callback `ansible.posix.profile_tasks` (not among the timed runs): "
                  "a task's time runs from its start to the next task's start, over all hosts.", "",
                  "| task | s |", "| --- | ---: |", *[f"| {name} | {secs:.2f} |" for name, secs in rows]]
    return "\n".join(lines) + "\n"


# -- the lab ----------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], env: dict | None = None) -> tuple[float, str]:
    """Seconds and stdout of a command that must succeed."""
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=TOP, env=env or ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{shlex.join(cmd)} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.monotonic() - start, proc.stdout


def lab(*args: str) -> float:
    return run([sys.executable, "lab/lab.py", *LAB, *args])[0]


def fresh_lab(compute: int) -> None:
    lab("down")
    log(f"fresh lab, {compute} compute: up in {lab('up', '--compute', str(compute)):.1f} s")


def playbook(path: Path, conn: str, **extra: str) -> tuple[float, str]:
    """As Lab.playbook() with LAB_RUNNER=0: the lab's inventory, its group_vars, its fact cache."""
    # Facts in memory: every run gathers them, as a weekly re-run does (the cache would have expired),
    # and a fresh lab never reads the facts of the last one.
    env = dict(ENV, ANSIBLE_CACHE_PLUGIN="memory", **CONNECTIONS[conn], **extra)
    return run([str(TOP / ".venv" / "bin" / "ansible-playbook"), "-i", str(INVENTORY),
                "-i", str(TOP / "inventories" / "lab"), str(path)], env)


def measure(samples: dict, key: tuple, action) -> str:
    """Time action() into samples[key] with the load before and after; its output."""
    load = os.getloadavg()[0]
    took, output = action()
    samples.setdefault(key, []).append((took, load, os.getloadavg()[0]))
    log(f"{key[0]} compute, {ROWS[key[1]]}, {key[2] or 'no Ansible'}: {took:.1f} s (load {load:.1f})")
    return output


def assert_unchanged(what: str, output: str) -> None:
    if problems := changes(output):
        sys.exit(f"{what} changed something with nothing to change:\n  " + "\n  ".join(problems))


def node_exec(node: str, *cmd: str) -> str:
    return run(["podman", "exec", f"{NAME}-{node}", *cmd])[1]


def node_os_family(node: str, tries: int = 5) -> str:
    """The node's OS family. podman exec on a node just started, on a loaded machine, has answered
    nothing with exit 0 (seen once at 8 compute nodes, load 11): asked again, a second apart."""
    for attempt in range(tries):
        text = node_exec(node, "cat", "/etc/os-release")
        if text.strip() or attempt == tries - 1:
            return os_family(text)
        time.sleep(1)
    raise AssertionError("unreachable")


def manual_packages() -> dict[str, set[str]]:
    """Per node of the lab (its containers: <lab>-<node>), the packages marked manually installed."""
    names = run(["podman", "ps", "--filter", f"label=io.hpc-lab.owner={NAME}", "--format", "{{.Names}}"])[1]
    nodes = sorted(name.removeprefix(f"{NAME}-") for name in names.split())
    return {node: set(node_exec(node, *MANUAL[node_os_family(node)]).split()) for node in nodes}


def install_packages(packages: dict[str, list[str]]) -> tuple[float, str]:
    """Each node's list installed by the package manager alone, all nodes at once: the wall time."""
    commands = {node: install_command(os_family(node_exec(node, "cat", "/etc/os-release")), pkgs)
                for node, pkgs in packages.items()}

    def install(node: str) -> subprocess.CompletedProcess:
        return subprocess.run(["podman", "exec", "-e", "DEBIAN_FRONTEND=noninteractive", f"{NAME}-{node}",
                               "sh", "-c", commands[node]], env=ENV, capture_output=True, text=True, check=False)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        procs = dict(zip(commands, pool.map(install, commands)))
    took = time.monotonic() - start
    for node, proc in procs.items():
        if proc.returncode != 0:
            sys.exit(f"package floor on {node} failed: {commands[node]}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return took, ""


def warm_runs(n: int, args: argparse.Namespace, floor: Path, samples: dict, profiles: dict) -> None:
    """The warm rows interleaved, so load drift hits them all alike; then one profiled site.yml each."""
    for _ in range(args.runs):
        for c in args.connections:
            measure(samples, (n, "floor", c), lambda c=c: playbook(floor, c))
            for kind in ("slurm", "site"):
                out = measure(samples, (n, kind, c), lambda c=c, kind=kind: playbook(PLAYBOOKS / f"{kind}.yml", c))
                assert_unchanged(f"{kind}.yml ({n} compute, {c})", out)
    for c in args.connections:
        log(f"{n} compute, site.yml with profile_tasks, {c}")
        out = playbook(PLAYBOOKS / "site.yml", c,
                       ANSIBLE_CALLBACKS_ENABLED=with_profile_tasks(TOP / "ansible.cfg"),
                       PROFILE_TASKS_TASK_OUTPUT_LIMIT="all")[1]
        assert_unchanged(f"site.yml with profile_tasks ({n} compute, {c})", out)
        profiles[(n, c)] = parse_profile(out)


def bench_compute(n: int, args: argparse.Namespace, floor: Path, samples: dict, profiles: dict,
                  packages: dict) -> None:
    """Cold site.yml per connection, each on fresh nodes (the first lab also gives the package lists
    and the warm runs), then the package floor on fresh nodes."""
    for cold_run in range(args.cold_runs):
        for conn in args.connections:
            fresh_lab(n)
            first = cold_run == 0 and conn == args.connections[0]
            before = manual_packages() if first else {}
            measure(samples, (n, "cold", conn), lambda conn=conn: playbook(PLAYBOOKS / "site.yml", conn))
            if first:
                packages[n] = package_diff(before, manual_packages())
                if not packages[n]:
                    sys.exit("site.yml marked no package as manually installed: no package floor to measure")
                warm_runs(n, args, floor, samples, profiles)
    for _ in range(args.cold_runs):
        fresh_lab(n)
        measure(samples, (n, "packages", ""), lambda: install_packages(packages[n]))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compute", type=int, nargs="+", default=[2, 8], help="compute node counts (default 2 8)")
    parser.add_argument("--connections", nargs="+", choices=list(CONNECTIONS), default=list(CONNECTIONS),
                        help="default: ssh mitogen")
    parser.add_argument("--runs", type=int, default=3, help="warm runs per row and connection (default 3)")
    parser.add_argument("--cold-runs", type=int, default=1, help="cold site.yml runs per compute count and "
                        "connection, and package floors per compute count (default 1: each needs fresh nodes)")
    parser.add_argument("--out", type=Path, default=Path("docs/converge-benchmark.md"),
                        help="the report, relative to the project (default docs/converge-benchmark.md)")
    args = parser.parse_args(argv)
    if min(args.runs, args.cold_runs) < 1 or not all(1 <= n <= 16 for n in args.compute):
        parser.error("--runs and --cold-runs must be at least 1, --compute from 1 to 16")
    if not PROFILE_TASKS.exists():
        parser.error(f"ansible.posix is not installed in .venv ({PROFILE_TASKS} is missing)")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    import yaml  # the lab needs .venv's Python anyway

    ansible = run([str(TOP / ".venv" / "bin" / "ansible-playbook"), "--version"])[1].splitlines()[0]
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=TOP, capture_output=True,
                            text=True, check=False).stdout.strip() or "unknown"
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "platform": platform.platform(), "cores": os.cpu_count(),
            "ansible": ansible, "commit": commit, "load_start": os.getloadavg()[0], "runs": args.runs,
            "cold_runs": args.cold_runs, "computes": args.compute, "connections": args.connections,
            "command": shlex.join([".venv/bin/python", "bench/converge_bench.py", *(argv or sys.argv[1:])])}
    samples: dict = {}
    profiles: dict = {}
    packages: dict = {}
    preflight = yaml.safe_load((PLAYBOOKS / "preflight.yml").read_text())
    with tempfile.TemporaryDirectory(prefix="converge-bench-") as tmp:
        floor = Path(tmp) / "floor.yml"
        floor.write_text(json.dumps(floor_play(preflight), indent=2))  # JSON is YAML
        try:
            log(f"lab image: {lab('image'):.1f} s")
            for n in args.compute:
                bench_compute(n, args, floor, samples, profiles, packages)
        finally:
            lab("down")
    meta["load_end"] = os.getloadavg()[0]
    out = args.out if args.out.is_absolute() else TOP / args.out
    out.write_text(render(meta, samples, profiles, packages))
    log(f"wrote {out}")
    print(out.read_text())


if __name__ == "__main__":
    main()
