"""Measure the lab: image build, start time, idle memory, connection speed, converge time.

Not a test: run it by hand (`.venv/bin/python bench/lab_bench.py`), it writes
docs/lab-benchmark.md. It uses a lab of its own (hpc-bench), never the main lab.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
ENV = dict(os.environ, CONTAINERS_CONF=str(TOP / "lab" / "containers.conf"),
           ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
LAB = ["--name", "hpc-bench", "--subnet", "10.89.70.0/24"]
NOOP = """
- name: No-op play
  hosts: cluster
  gather_facts: true
  tasks:
{tasks}
"""
TASK = """    - name: Trivial task {n}
      ansible.builtin.command: "true"
      changed_when: false
"""


def run(*cmd: str, env: dict | None = None) -> float:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=TOP, env=env or ENV, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.monotonic() - start


def lab(*args: str) -> float:
    return run(sys.executable, "lab/lab.py", *args)


def idle_memory_mb() -> list[float]:
    out = subprocess.run(["podman", "stats", "--no-stream", "--format", "json"], env=ENV,
                         capture_output=True, text=True, check=True).stdout
    units = {"kB": 1 / 1024, "KB": 1 / 1024, "MB": 1, "MiB": 1, "GB": 1024, "GiB": 1024, "B": 1 / 2**20}
    sizes = []
    for row in json.loads(out):
        if not row["name"].startswith("hpc-bench-"):
            continue
        used = row["mem_usage"].split("/")[0].strip()
        for unit in sorted(units, key=len, reverse=True):
            if used.endswith(unit):
                sizes.append(float(used[: -len(unit)]) * units[unit])
                break
    return sizes


def noop_play(inventory: Path, extra_env: dict, extra_args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        play = Path(tmp) / "noop.yml"
        play.write_text(NOOP.format(tasks="".join(TASK.format(n=n) for n in range(10))))
        env = dict(ENV, ANSIBLE_GATHERING="implicit", ANSIBLE_CACHE_PLUGIN="memory", **extra_env)
        times = [run(".venv/bin/ansible-playbook", "-i", str(inventory), *extra_args, str(play), env=env)
                 for _ in range(2)]
    return min(times)


def main() -> None:
    rows = []
    load = os.getloadavg()[0]
    # The cold build goes to images of its own, so the lab's images stay in use.
    bench_images = ["localhost/hpc-bench-img:debian12", "localhost/hpc-bench-img-rootfs:debian12"]
    subprocess.run(["podman", "rmi", "-f", *bench_images], env=ENV, capture_output=True, check=False)
    img_env = dict(ENV, LAB_IMAGE_PREFIX="localhost/hpc-bench-img")
    cold = run(sys.executable, "lab/lab.py", "image", env=img_env)
    rows.append(("Image build, cold (debootstrap + podman build)", f"{cold:.0f} s"))
    warm = run(sys.executable, "lab/lab.py", "image", env=img_env)
    rows.append(("Image build, recipe unchanged", f"{warm:.1f} s"))
    subprocess.run(["podman", "rmi", "-f", *bench_images], env=ENV, capture_output=True, check=False)
    lab("image")
    lab(*LAB, "down")
    rows.append(("Lab start, 2 compute nodes (4 nodes, ready for SSH)", f"{lab(*LAB, 'up', '--compute', '2'):.1f} s"))
    lab(*LAB, "down")
    rows.append(("Lab start, 8 compute nodes (10 nodes, ready for SSH)", f"{lab(*LAB, 'up', '--compute', '8'):.1f} s"))
    time.sleep(15)
    mem = idle_memory_mb()
    rows.append(("Memory per idle node (mean of 10, podman stats)", f"{sum(mem) / len(mem):.1f} MiB"))
    inventory = TOP / ".lab" / "hpc-bench" / "hosts.yml"
    podman_inv = Path(tempfile.mkstemp(suffix=".yml")[1])
    text = inventory.read_text()
    podman_inv.write_text(text)
    podman_args = ["-e", "ansible_connection=containers.podman.podman",
                   "-e", "ansible_host=hpc-bench-{{ inventory_hostname }}"]
    strategy = TOP / ".venv/lib/python3.11/site-packages/ansible_mitogen/plugins/strategy"
    conns = [
        ("SSH, pipelining + ControlPersist (Molecule, ansible-runner)", {}, []),
        ("podman connection (containers.podman)", {}, podman_args),
        ("mitogen_linear strategy over SSH", {"ANSIBLE_STRATEGY_PLUGINS": str(strategy),
                                              "ANSIBLE_STRATEGY": "mitogen_linear"}, []),
    ]
    for name, env, args in conns:
        rows.append((f"No-op play, 10 nodes, facts + 10 tasks: {name}", f"{noop_play(inventory, env, args):.1f} s"))
    podman_inv.unlink()
    lab(*LAB, "down")
    for name, mitogen in (("SSH + pipelining (LAB_MITOGEN=0)", "0"), ("Mitogen strategy (default)", "1")):
        lab(*LAB, "up", "--compute", "2")
        env = dict(ENV, LAB_MITOGEN=mitogen)
        fresh = run(sys.executable, "lab/lab.py", *LAB, "converge", env=env)
        again = run(sys.executable, "lab/lab.py", *LAB, "converge", env=env)
        rows.append((f"site.yml on a fresh lab (4 nodes, packages from the mirror): {name}", f"{fresh:.0f} s"))
        rows.append((f"site.yml re-run with nothing to change: {name}", f"{again:.1f} s"))
        lab(*LAB, "down")
    out = TOP / "docs" / "lab-benchmark.md"
    lines = [
        "# Lab measurements",
        "",
        f"Measured by `bench/lab_bench.py` on {time.strftime('%Y-%m-%d')}: {platform.platform()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the start. Play times are the best of two runs.",
        "",
        "| what | result |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
    ]
    out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
