"""The local lab: a cluster of systemd containers on one podman network.

Run through bin/lab. Every object the lab creates carries the label
io.hpc-lab.owner=<lab name>; `down` removes only objects with that label, and `up`
refuses to touch a same-named object without it.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import os
import re
import runpy
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
STATE = TOP / ".lab"
IMAGES = TOP / "lab" / "images"
LABEL = "io.hpc-lab.owner"
RECIPE_LABEL = "io.hpc-lab.recipe"
MAX_COMPUTE = 16
TINY_IMAGE = "localhost/hpc-tiny:latest"
OS_CHOICES = ("debian12", "rocky9", "rocky10")
NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


class LabError(Exception):
    """A problem the user can act on; printed without a traceback."""


@dataclass(frozen=True)
class Node:
    name: str
    group: str
    ip: str


def compute_count(value: str) -> int:
    """Parse --compute: an integer from 1 to MAX_COMPUTE."""
    try:
        count = int(value, 10)
    except (TypeError, ValueError):
        raise LabError(f"--compute must be a whole number from 1 to {MAX_COMPUTE}, not {value!r}") from None
    if not 1 <= count <= MAX_COMPUTE:
        raise LabError(f"--compute must be from 1 to {MAX_COMPUTE}, not {count}")
    return count


def lab_network(value: str) -> ipaddress.IPv4Network:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise LabError(f"--subnet {value!r} is not an IPv4 network: {exc}") from None
    if net.prefixlen > 24:
        raise LabError(f"--subnet {value} is too small: use a /24 or larger")
    return net


def plan_nodes(net: ipaddress.IPv4Network, compute: int) -> list[Node]:
    """Nodes with static addresses: head .10, login1 .11, cNN .20+NN."""
    base = net.network_address
    nodes = [Node("head", "control", str(base + 10)), Node("login1", "login", str(base + 11))]
    nodes += [Node(f"c{i:02d}", "compute", str(base + 20 + i)) for i in range(1, compute + 1)]
    return nodes


class Lab:
    def __init__(self, name: str, subnet: str, os_name: str, inventory: Path | None):
        if not NAME_RE.match(name):
            raise LabError(f"--name {name!r}: use lowercase letters, digits and '-', starting with a letter")
        self.name = name
        self.net = lab_network(subnet)
        self.os = os_name
        prefix = os.environ.get("LAB_IMAGE_PREFIX", "localhost/hpc-lab")
        self.image = f"{prefix}:{os_name}"
        self.rootfs = f"{prefix}-rootfs:{os_name}"
        self.state = STATE / name
        self.inventory = inventory or (TOP / "inventories" / "lab" / "hosts.yml"
                                       if name == "hpc-lab" else self.state / "hosts.yml")
        self.env = dict(os.environ, CONTAINERS_CONF=str(TOP / "lab" / "containers.conf"))
        # Facts are cached per lab: labs reuse host names, and a new lab means new nodes.
        self.fact_cache = TOP / ".cache" / "facts" / name

    # -- podman helpers -------------------------------------------------
    def podman(self, *args: str, check: bool = True, capture: bool = True,
               stdin: bytes | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(["podman", *args], env=self.env, input=stdin,
                              capture_output=capture, check=False)
        if check and proc.returncode != 0:
            err = proc.stderr.decode(errors="replace").strip() if capture else ""
            raise LabError(f"podman {' '.join(args[:3])} failed: {err}")
        return proc

    def inspect(self, kind: str, name: str) -> dict | None:
        """Inspect a podman object; None if it does not exist."""
        proc = self.podman(kind, "inspect", name, check=False)
        if proc.returncode != 0:
            return None
        data = json.loads(proc.stdout or b"[]")
        return data[0] if data else None

    @staticmethod
    def labels_of(kind: str, obj: dict) -> dict:
        if kind == "container":
            return obj.get("Config", {}).get("Labels") or {}
        if kind == "volume":
            return obj.get("Labels") or {}
        return obj.get("labels") or obj.get("Labels") or {}

    def owned(self, kind: str, name: str) -> bool | None:
        """True: ours. False: exists but not ours. None: absent."""
        obj = self.inspect(kind, name)
        if obj is None:
            return None
        return self.labels_of(kind, obj).get(LABEL) == self.name

    def ours(self, kind: str) -> list[str]:
        fmt = {"container": "{{.Names}}", "network": "{{.Name}}", "volume": "{{.Name}}"}[kind]
        args = ["ps", "-a"] if kind == "container" else [kind, "ls"]
        out = self.podman(*args, "--filter", f"label={LABEL}={self.name}", "--format", fmt).stdout
        return out.decode().split()

    # -- image ------------------------------------------------------------
    @property
    def recipe(self) -> Path:
        """Image recipe folder: debian12, or rocky for rocky9 and rocky10."""
        return IMAGES / ("rocky" if self.os.startswith("rocky") else self.os)

    def recipe_hash(self) -> str:
        digest = hashlib.sha256(self.os.encode())
        for path in sorted(self.recipe.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(IMAGES).as_posix().encode())
                digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def image_recipe(self, image: str) -> str | None:
        obj = self.inspect("image", image)
        if obj is None:
            return None
        return (obj.get("Config", {}).get("Labels") or {}).get(RECIPE_LABEL)

    def build_image(self) -> None:
        want = self.recipe_hash()
        if self.image_recipe(self.image) == want:
            print(f"lab: image {self.image} is up to date ({want})")
            return
        start = time.monotonic()
        recipe = self.recipe
        if self.os == "debian12":
            self.build_rootfs(recipe, want)
            build_args = ["--pull=never", "--build-arg", f"ROOTFS={self.rootfs}"]
        else:
            build_args = ["--build-arg", f"RELEASE={self.os.removeprefix('rocky')}"]
        self.podman("build", *build_args, "--label", f"{RECIPE_LABEL}={want}", "-t", self.image,
                    str(recipe), capture=False)
        print(f"lab: built {self.image} in {time.monotonic() - start:.0f} s")

    def build_tiny_image(self) -> Path:
        """The image the container tests run in jobs (localhost/hpc-tiny): busybox alone, made
        without a registry, and saved to a file as a site without a registry brings one in."""
        tar = STATE / "images" / "hpc-tiny.tar"
        busybox = Path("/bin/busybox")
        if not busybox.exists():
            raise LabError("/bin/busybox is missing: run bin/bootstrap first (package busybox-static)")
        want = hashlib.sha256(busybox.read_bytes()).hexdigest()[:16]
        if tar.exists() and self.image_recipe(TINY_IMAGE) == want:
            return tar
        tar.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="hpc-tiny-") as tmp:
            root = Path(tmp)
            (root / "bin").mkdir()
            (root / "tmp").mkdir(mode=0o1777)
            shutil.copy2(busybox, root / "bin" / "busybox")
            for applet in ("sh", "cat", "tail", "sleep", "id", "ls", "echo", "head", "dd", "wc"):
                (root / "bin" / applet).symlink_to("busybox")
            pack = subprocess.Popen(["tar", "-C", str(root), "--owner=0", "--group=0", "-c", "."],
                                    stdout=subprocess.PIPE)
            subprocess.run(["podman", "import", "--change", f"LABEL {RECIPE_LABEL}={want}",
                            "--change", "CMD /bin/sh", "-", TINY_IMAGE], stdin=pack.stdout, env=self.env,
                           check=True, stdout=subprocess.DEVNULL)
            if pack.wait() != 0:
                raise LabError("tar of the tiny image's tree failed")
        tar.unlink(missing_ok=True)
        self.podman("save", "--format", "oci-archive", "-o", str(tar), TINY_IMAGE)
        print(f"lab: built {TINY_IMAGE} into {tar.relative_to(TOP)}")
        return tar

    def build_rootfs(self, recipe: Path, want: str) -> None:
        rootfs = self.rootfs
        packages = (recipe / "packages").read_text().strip()
        rootfs_hash = hashlib.sha256(packages.encode()).hexdigest()[:16]
        if self.image_recipe(rootfs) == rootfs_hash:
            return
        if shutil.which("debootstrap") is None:
            raise LabError("debootstrap is missing: run bin/bootstrap first")
        with tempfile.TemporaryDirectory(prefix="hpc-lab-rootfs-") as tmp:
            target = Path(tmp) / "root"
            print(f"lab: debootstrap Debian 12 ({packages})")
            subprocess.run(["debootstrap", "--variant=minbase", f"--include={packages}",
                            "bookworm", str(target), "http://deb.debian.org/debian"],
                           check=True, stdout=subprocess.DEVNULL)
            tar = subprocess.Popen(["tar", "-C", str(target), "-c", "."], stdout=subprocess.PIPE)
            subprocess.run(["podman", "import", "--change", f"LABEL {RECIPE_LABEL}={rootfs_hash}",
                            "-", rootfs], stdin=tar.stdout, env=self.env, check=True,
                           stdout=subprocess.DEVNULL)
            if tar.wait() != 0:
                raise LabError("tar of the debootstrap tree failed")

    # -- up / down ----------------------------------------------------------
    def preflight(self, nodes: list[Node]) -> None:
        """Refuse clashes with objects the lab did not create, before changing anything."""
        problems = []
        network = self.owned("network", self.name)
        if network is False:
            problems.append(f"network {self.name!r} exists and was not created by this lab")
        if self.owned("volume", f"{self.name}-home") is False:
            problems.append(f"volume '{self.name}-home' exists and was not created by this lab")
        for node in nodes:
            cname = f"{self.name}-{node.name}"
            if self.owned("container", cname) is False:
                problems.append(f"container {cname!r} exists and was not created by this lab")
        if network is None:
            for other in self.podman("network", "ls", "--format", "{{.Name}}").stdout.decode().split():
                info = self.inspect("network", other) or {}
                for sub in info.get("subnets") or []:
                    try:
                        if ipaddress.IPv4Network(sub.get("subnet", "")).overlaps(self.net):
                            problems.append(f"subnet {self.net} overlaps network {other!r} ({sub['subnet']})")
                    except ValueError:
                        continue
        else:
            info = self.inspect("network", self.name) or {}
            subnets = [s.get("subnet") for s in info.get("subnets") or []]
            if str(self.net) not in subnets:
                problems.append(f"lab {self.name!r} runs on {subnets}, not {self.net}: "
                                "run 'bin/lab down' first to change it")
        running = {c for c in self.ours("container")}
        extra = running - {f"{self.name}-{n.name}" for n in nodes}
        if extra:
            problems.append(f"lab {self.name!r} has more nodes than asked ({', '.join(sorted(extra))}); "
                            "removing nodes is not done by 'up': run 'bin/lab down' first")
        if self.image_recipe(self.image) is None:
            problems.append(f"image {self.image} is missing: run 'bin/lab image' first")
        if problems:
            raise LabError("refusing to start the lab, nothing was changed:\n  - " + "\n  - ".join(problems))

    def ssh_key(self) -> Path:
        key = STATE / "ssh" / "id_ed25519"
        if not key.exists():
            key.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hpc-lab",
                            "-f", str(key)], check=True)
        return key

    def up(self, compute: int) -> None:
        nodes = plan_nodes(self.net, compute)
        self.preflight(nodes)
        start = time.monotonic()
        key = self.ssh_key()
        label = f"{LABEL}={self.name}"
        if self.owned("network", self.name) is None:
            self.podman("network", "create", "--label", label, "--subnet", str(self.net), self.name)
        home = f"{self.name}-home"
        if self.owned("volume", home) is None:
            self.podman("volume", "create", "--label", label, home)
        for node in nodes:
            cname = f"{self.name}-{node.name}"
            obj = self.inspect("container", cname)
            if obj is not None:
                if not obj.get("State", {}).get("Running"):
                    self.podman("start", cname)
                continue
            volumes = ["-v", f"{home}:/home", "-v", f"{key}.pub:/root/.ssh/authorized_keys:ro"]
            if node.group == "compute":
                # Containers inside compute nodes need a non-overlay storage dir.
                if self.owned("volume", f"{cname}-containers") is None:
                    self.podman("volume", "create", "--label", label, f"{cname}-containers")
                volumes += ["-v", f"{cname}-containers:/var/lib/containers"]
            self.podman("run", "-d", "--name", cname, "--hostname", node.name,
                        "--label", label, "--label", f"io.hpc-lab.group={node.group}",
                        "--network", self.name, "--ip", node.ip, "--systemd=always", "--no-hosts",
                        "--privileged", *volumes, self.image, "/sbin/init")
        self.wait_ready(nodes)
        self.write_inventory(nodes, key)
        print(f"lab: {len(nodes)} nodes up in {time.monotonic() - start:.1f} s; inventory {self.inventory}")

    def wait_ready(self, nodes: list[Node], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        pending = list(nodes)
        while pending:
            node = pending[0]
            cname = f"{self.name}-{node.name}"
            state = self.podman("exec", cname, "systemctl", "is-system-running", check=False)
            status = state.stdout.decode().strip()
            keyfile = self.podman("exec", cname, "cat", "/etc/ssh/ssh_host_ed25519_key.pub", check=False)
            sshd = self.podman("exec", cname, "systemctl", "is-active", "ssh", "sshd", check=False)
            if status in ("running", "degraded") and keyfile.returncode == 0 and b"\nactive" in b"\n" + sshd.stdout:
                pending.pop(0)
                continue
            if time.monotonic() > deadline:
                raise LabError(f"{cname} is not ready after {timeout:.0f} s (systemd: {status or 'no answer'})")
            time.sleep(0.5)

    def known_hosts(self, nodes: list[Node]) -> Path:
        lines = []
        for node in nodes:
            pub = self.podman("exec", f"{self.name}-{node.name}", "cat",
                              "/etc/ssh/ssh_host_ed25519_key.pub").stdout.decode().split()
            lines.append(f"{node.ip},{node.name} {pub[0]} {pub[1]}")
        path = self.state / "known_hosts"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        return path

    def secrets(self) -> dict:
        """Lab-only secrets, made once and kept: a real site keeps these in Ansible Vault."""
        path = self.state / "secrets.yml"
        data = yaml.safe_load(path.read_text()) if path.exists() else {}
        if not data.get("slurmdbd_db_password"):
            data["slurmdbd_db_password"] = secrets.token_urlsafe(24)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(yaml.safe_dump(data))
        return data

    def write_inventory(self, nodes: list[Node], key: Path) -> None:
        known = self.known_hosts(nodes)
        groups: dict = {}
        for node in nodes:
            groups.setdefault(node.group, {"hosts": {}})["hosts"][node.name] = {"ansible_host": node.ip}
        inventory = {
            "all": {
                "children": {"cluster": {"children": groups,
                                         "vars": {"cluster_network": str(self.net), **self.secrets()}},
                             # Prometheus, Alertmanager (and Grafana where it installs) on the head.
                             "monitoring": {"hosts": {nodes[0].name: {}}}},
                "vars": {
                    "ansible_user": "root",
                    "ansible_ssh_private_key_file": str(key),
                    "ansible_ssh_common_args": f"-o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes",
                    "lab_name": self.name,
                },
            }
        }
        self.inventory.parent.mkdir(parents=True, exist_ok=True)
        group_vars = self.inventory.parent / "group_vars"
        if not group_vars.exists():
            # A lab's inventory elsewhere still gets the lab settings.
            group_vars.symlink_to(TOP / "inventories" / "lab" / "group_vars")
        self.inventory.write_text(f"# Written by 'bin/lab up' for lab {self.name!r}; do not edit.\n"
                                  + yaml.safe_dump(inventory, sort_keys=False))
        self.inventory.chmod(0o600)

    def down(self) -> None:
        removed = []
        containers = self.ours("container")
        if containers:
            self.podman("rm", "-f", "-t", "5", *containers)
            removed += containers
        for kind in ("network", "volume"):
            for name in self.ours(kind):
                self.podman(kind, "rm", name)
                removed.append(name)
        if self.inventory.exists() and self.inventory.read_text().startswith("# Written by 'bin/lab up'"):
            self.inventory.unlink()
        shutil.rmtree(self.fact_cache, ignore_errors=True)
        listing = f": {' '.join(removed)}" if removed else ""
        print(f"lab: removed {len(removed)} objects of lab {self.name!r}{listing}")

    def status(self) -> None:
        out = self.podman("ps", "-a", "--filter", f"label={LABEL}={self.name}", "--format",
                          "{{.Names}}\t{{.Status}}\t{{.Networks}}", capture=True).stdout.decode()
        print(out or f"lab {self.name!r}: no nodes")

    # -- playbooks ----------------------------------------------------------
    def playbook(self, playbook: str, extra: list[str]) -> None:
        if not self.inventory.exists():
            raise LabError(f"no inventory at {self.inventory}: run 'bin/lab up' first")
        cmd = playbook_command(self.inventory, playbook, extra)
        env = dict(os.environ, ANSIBLE_CACHE_PLUGIN_CONNECTION=str(self.fact_cache))
        if os.environ.get("LAB_MITOGEN", "1") == "1":
            # Mitogen's strategy: the fastest connection measured on the lab (docs/lab-benchmark.md).
            # LAB_MITOGEN=0 falls back to SSH with pipelining.
            import ansible_mitogen
            env["ANSIBLE_STRATEGY_PLUGINS"] = str(Path(ansible_mitogen.__file__).parent / "plugins" / "strategy")
            env["ANSIBLE_STRATEGY"] = "mitogen_linear"
        if os.environ.get("LAB_RUNNER", "1") != "1":
            proc = subprocess.run(cmd, cwd=TOP, env=env, check=False)
            if proc.returncode != 0:
                raise LabError(f"{playbook} failed (exit {proc.returncode})")
            return
        # Through ansible-runner, as CI and AWX drive us (docs/ansible-runner.md): its events give
        # the per-play timing printed at the end. LAB_RUNNER=0 runs ansible-playbook directly.
        import ansible_runner
        summarize = runpy.run_path(str(TOP / "bin" / "runner-timing"))
        env["PATH"] = f"{TOP / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["ANSIBLE_CONFIG"] = str(TOP / "ansible.cfg")
        run = ansible_runner.run(**runner_kwargs(self.state / "runner", TOP / playbook, self.inventory, extra, env))
        rows = summarize["summarize"](run.events)
        # Plays under a second (a concern playbook's preflight plays that end at once): one line.
        quick = [row for row in rows if row["seconds"] < 1.0]
        print(summarize["format_summary"]([row for row in rows if row["seconds"] >= 1.0]))
        if quick:
            print(f"(and {len(quick)} plays under 1 s each, {sum(r['seconds'] for r in quick):.1f} s in all)")
        if run.rc != 0:
            raise LabError(f"{playbook} failed (ansible-runner status {run.status}, exit {run.rc})")


def runner_kwargs(private_data_dir: Path, playbook: Path, inventory: Path, extra: list[str],
                  env: dict[str, str]) -> dict:
    """ansible_runner.run() arguments for one lab run, with this run's arguments only.

    ansible-runner writes cmdline and envvars to env/ of the private data directory when they are
    not there yet, and from then on reads them from there: without suppress_env_files, the first
    run's `-e ...` would be passed to every later run. Files left there by an older bin/lab go.
    """
    private_data_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("cmdline", "envvars"):
        (private_data_dir / "env" / stale).unlink(missing_ok=True)
    return {"private_data_dir": str(private_data_dir), "project_dir": str(TOP), "playbook": str(playbook),
            "inventory": str(inventory), "cmdline": shlex.join(extra),
            "envvars": {k: v for k, v in env.items() if k.startswith(("ANSIBLE_", "PATH"))},
            "suppress_env_files": True, "rotate_artifacts": 3, "quiet": False}


def playbook_command(inventory: Path, playbook: str, extra: list[str]) -> list[str]:
    """ansible-playbook against the lab's inventory (and its group_vars), then extra's arguments."""
    return [str(TOP / ".venv" / "bin" / "ansible-playbook"), "-i", str(inventory),
            "-i", str(TOP / "inventories" / "lab"), str(TOP / playbook), *extra]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line. converge hands every argument it does not know to ansible-playbook
    (`bin/lab converge --check`), dropping a leading `--`; other commands refuse them."""
    parser = argparse.ArgumentParser(prog="bin/lab", description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=os.environ.get("LAB_NAME", "hpc-lab"),
                        help="lab name: prefix of its containers, its network (default hpc-lab)")
    parser.add_argument("--subnet", default=os.environ.get("LAB_SUBNET", "10.89.0.0/24"))
    parser.add_argument("--os", dest="os_name", choices=OS_CHOICES, default=os.environ.get("LAB_OS", "debian12"))
    parser.add_argument("--inventory", type=Path, help="where 'up' writes the inventory")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("image", help="build the node image if its recipe changed, and the lab SSH key")
    up = sub.add_parser("up", help="start the lab (adds missing nodes) and write its inventory")
    up.add_argument("--compute", default=os.environ.get("LAB_COMPUTE", "2"),
                    help=f"number of compute nodes, 1 to {MAX_COMPUTE} (default 2)")
    sub.add_parser("down", help="remove everything this lab created, nothing else")
    sub.add_parser("status", help="list the lab's nodes")
    sub.add_parser("converge", help="run playbooks/site.yml against the lab; other arguments go to "
                   "ansible-playbook (--check, --tags, ...)")
    args, extra = parser.parse_known_args(argv)
    if args.command != "converge" and extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra[1:] if extra[:1] == ["--"] else extra
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        compute = compute_count(args.compute) if args.command == "up" else 0
        if args.os_name not in OS_CHOICES:
            raise LabError(f"--os must be one of {', '.join(OS_CHOICES)}")
        lab = Lab(args.name, args.subnet, args.os_name, args.inventory)
        if args.command == "image":
            lab.build_image()
            lab.build_tiny_image()
            lab.ssh_key()
        elif args.command == "up":
            lab.up(compute)
        elif args.command == "down":
            lab.down()
        elif args.command == "status":
            lab.status()
        elif args.command == "converge":
            lab.playbook("playbooks/site.yml", args.extra)
    except LabError as exc:
        print(f"lab: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
