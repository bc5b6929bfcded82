"""Role base without nodes: preflight asserts name the bad value, and the /etc/hosts block.

Each case runs ansible-playbook on the controller (connection local) against a small
inventory of the contract's shape; only role task files that touch no system files run.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from playbook_harness import local_host, start

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")

HOSTS = {
    "head": {"ansible_host": "10.1.0.10"},
    "login1": {"ansible_host": "login1.example.org", "cluster_address": "10.1.0.11"},
    "c01": {"ansible_host": "10.1.0.21"},
}
GROUPS = [{"name": "hpcusers", "gid": 2000}, {"name": "physics", "gid": 2100}]
USERS = [
    {"name": "alice", "uid": 2001, "gid": 2000, "groups": ["physics"]},
    {"name": "bob", "uid": 2002},
]


def run_role(tmp_path, tasks_from, cluster_vars, host_vars=None, extra=None, check=False, ssh_connection=None):
    """Run base's tasks_from (a file, or files in turn) on host head of a 3-node inventory; return the process.
    With ssh_connection, the play gathers the environment facts, SSH_CONNECTION set to it."""
    hosts = {name: dict(values, ansible_connection="local", ansible_python_interpreter=sys.executable)
             for name, values in HOSTS.items()}
    for name, values in (host_vars or {}).items():
        hosts[name].update(values)
    inventory = {"all": {"children": {"cluster": {"hosts": hosts, "vars": cluster_vars}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Test", "hosts": "head", "gather_facts": ssh_connection is not None,
             "gather_subset": ["!all", "!min", "env"],
             "tasks": [{"ansible.builtin.include_role": {"name": "base", "tasks_from": name}}
                       for name in ([tasks_from] if isinstance(tasks_from, str) else tasks_from)]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_DISPLAY_SKIPPED_HOSTS="1")
    if ssh_connection is not None:
        env["SSH_CONNECTION"] = ssh_connection
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    for key, value in (extra or {}).items():
        args += ["-e", json.dumps({key: value})]
    if check:
        args.append("--check")
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)


BASE_READS = "Read this node's cluster accounts, kernel parameters and firewall zones"
BASE = {"cluster_network": "10.1.0.0/16", "cluster_groups": GROUPS, "cluster_users": USERS}

CASES = [
    # (id, cluster vars overriding BASE, host vars, message expected in the failure)
    ("dup-uid", {"cluster_users": USERS + [{"name": "carol", "uid": 2001}]}, {}, "duplicate uid 2001"),
    ("dup-user", {"cluster_users": USERS + [{"name": "alice", "uid": 2003}]}, {}, "duplicate user name alice"),
    ("dup-gid", {"cluster_groups": GROUPS + [{"name": "chem", "gid": 2100}]}, {}, "duplicate gid 2100"),
    ("dup-group", {"cluster_groups": GROUPS + [{"name": "physics", "gid": 2200}]}, {},
     "duplicate group name physics"),
    # bob's personal group (gid 2002) clashes with a cluster group of that gid's name.
    ("personal-group-clash", {"cluster_groups": GROUPS + [{"name": "bob", "gid": 3000}]}, {},
     "duplicate group name bob"),
    ("unknown-group", {"cluster_users": [{"name": "dave", "uid": 2004, "groups": ["chemistry"]}]}, {},
     "dave: chemistry"),
    ("outside-network", {}, {"c01": {"ansible_host": "10.2.0.21"}}, "c01 10.2.0.21"),
    ("outside-network-edge", {"cluster_network": "10.1.0.0/28"}, {}, "c01 10.1.0.21"),
    ("dup-address", {}, {"c01": {"cluster_address": "10.1.0.10"}}, "duplicate cluster address: 10.1.0.10"),
    ("no-address", {}, {"c01": {"ansible_host": "c01.example.org"}}, "no cluster address for c01"),
    ("bad-network", {"cluster_network": "10.1.0.0"}, {}, "not 10.1.0.0"),
    ("bad-network-octet", {"cluster_network": "10.256.0.0/16"}, {}, "not 10.256.0.0/16"),
    ("low-uid", {"cluster_users": USERS + [{"name": "svc", "uid": 202, "gid": 2000}]}, {},
     "service accounts: svc"),
    ("low-gid", {"cluster_groups": GROUPS + [{"name": "munge", "gid": 201}]}, {}, "service accounts: munge"),
    ("bad-uid", {"cluster_users": [{"name": "eve", "uid": "x"}]}, {}, "cluster_users eve: uid 'x' is not a number"),
    # A quoted ID is a number: compared as one, and refused when it is not one.
    ("quoted-low-uid", {"cluster_users": USERS + [{"name": "svc", "uid": "150", "gid": 2000}]}, {},
     "service accounts: svc"),
    ("quoted-low-gid", {"cluster_groups": GROUPS + [{"name": "munge", "gid": "201"}]}, {}, "service accounts: munge"),
    ("quoted-low-user-gid", {"cluster_users": USERS + [{"name": "svc", "uid": "2005", "gid": "150"}]}, {},
     "service accounts: svc"),
    ("quoted-dup-uid", {"cluster_users": USERS + [{"name": "carol", "uid": "2001"}]}, {}, "duplicate uid 2001"),
    ("bad-user-gid", {"cluster_users": [{"name": "eve", "uid": 2005, "gid": "staff"}]}, {},
     "cluster_users eve: gid 'staff' is not a number"),
    ("uid-newline", {"cluster_users": [{"name": "eve", "uid": "2005\n"}]}, {},
     "cluster_users eve: uid '2005\\n' is not"),
    ("float-uid", {"cluster_users": [{"name": "eve", "uid": 2005.5}]}, {}, "cluster_users eve: uid 2005.5 is not"),
    ("bad-group-gid", {"cluster_groups": GROUPS + [{"name": "chem", "gid": "2x"}]}, {},
     "cluster_groups chem: gid '2x' is not a number"),
    # An account this node has with another ID (every machine has user nobody and a group of GID
    # 65534, nogroup on Debian, nobody on Red Hat): the role never renumbers one.
    ("renumbered-user", {"cluster_users": USERS + [{"name": "nobody", "uid": 60001, "gid": 2000}]}, {},
     "base on head: user nobody has UID 65534 here, not 60001 (cluster_users, cluster_groups). The role never"),
    ("renumbered-group", {"cluster_groups": GROUPS + [{"name": "nogroup", "gid": 60002},
                                                      {"name": "nobody", "gid": 60003}]}, {},
     "has GID 65534 here, not 6000"),
    # Kernel parameters: a list or a dict is no sysctl value, a name with a space or '=' no name.
    ("sysctl-list-value", {"base_sysctl": {"vm.swappiness": [10]}}, {"head": {"base_sysctl_host": {"a b": 1}}},
     "not so for vm.swappiness, a b"),
    ("sysctl-dict-value", {"base_sysctl_group": {"kernel.x": {"v": 1}, "kernel.y=2": 3}}, {},
     "not so for kernel.x, kernel.y=2"),
    # A key this node's kernel does not have: refused by the preflight, before anything changes.
    ("sysctl-unknown-key", {"base_sysctl": {"net.bogus.param": 1}}, {},
     "this node's kernel does not have net.bogus.param (sysctl: cannot stat"),
    # A login shell that is not there: useradd took it, and those users could not log in (lab).
    ("shell-missing", {"base_users_shell": "/bin/bsah", "base_packages": [], "base_packages_extra": []}, {},
     "base on head: login shell(s) /bin/bsah (base_users_shell, or the shell of an entry of cluster_users) are"
     " not an executable file here"),
    ("user-shell-missing", {"cluster_users": USERS + [{"name": "carol", "uid": 2003, "shell": "bash"}],
                            "base_packages": [], "base_packages_extra": []}, {}, "login shell(s) bash (base_users"),
    # firewalld on with nothing trusted would cut the cluster's own traffic.
    ("firewall-no-sources", {"base_firewall_manage": True, "base_firewall_cluster_sources": []}, {},
     "trust 'network'); got (none)"),
    ("firewall-bad-source", {"base_firewall_manage": True,
                             "base_firewall_cluster_sources": ["10.1.0.0/16", "10.1.0.0/33", "10.89.0.300/32",
                                                               "cluster"]}, {},
     "got ['10.1.0.0/33', '10.89.0.300/32', 'cluster']"),
    # One zone for both would trust the cluster in the zone that should open only what is declared.
    ("firewall-one-zone", {"base_firewall_manage": True, "base_firewall_cluster_sources": ["10.1.0.0/16"],
                           "base_firewall_public_zone": "trusted"}, {},
     "firewalld's cluster zone (trusted) must differ from the public zone (base_firewall_public_zone)"),
    # firewalld refused a port without its protocol only in the configure step, after other changes.
    ("firewall-port-no-protocol", {"base_firewall_manage": True, "base_firewall_cluster_sources": ["10.1.0.0/16"],
                                   "base_firewall_public_ports": ["2222", "8443/tcp"]},
     {"head": {"base_firewall_public_ports_host": ["9000-9100/tcpp"]}},
     "base_firewall_public_ports (or its _group and _host layers) '2222', '9000-9100/tcpp' must be port/protocol"),
    # firewalld refused 70000 in the configure step, and stored 10-5 as 5-10: every run added it again.
    ("firewall-port-out-of-range", {"base_firewall_manage": True, "base_firewall_cluster_sources": ["10.1.0.0/16"],
                                    "base_firewall_public_ports": ["70000/tcp", "10-5/udp", "22/tcp"]}, {},
     "base_firewall_public_ports (or its _group and _host layers) '70000/tcp', '10-5/udp' must be port/protocol"),
]


@pytest.mark.parametrize(("cluster_vars", "host_vars", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_preflight_names_the_bad_value(tmp_path, cluster_vars, host_vars, message):
    run = run_role(tmp_path, "preflight.yml", dict(BASE, **cluster_vars), host_vars)
    assert run.returncode != 0, run.stdout
    assert message in run.stdout, run.stdout[-4000:]


FIREWALL = dict(BASE, base_firewall_manage=True, base_firewall_cluster_sources=["10.1.0.0/16"])


@pytest.mark.parametrize(("services", "connection", "refused"), [
    (["http"], "192.0.2.7 50468 10.1.0.10 22", True),
    (["http", "ssh"], "192.0.2.7 50468 10.1.0.10 22", False),
    (["http"], "10.1.0.5 50468 10.1.0.10 22", False),
], ids=["ssh-dropped-from-outside", "ssh-kept", "from-the-cluster-network"])
def test_preflight_refuses_public_services_that_would_shut_the_run_out(tmp_path, services, connection, refused):
    """base_firewall_public_services without ssh (the list replaces the default [ssh]) shut the
    controller out of the node ('No route to host', lab); the run's own connection tells."""
    run = run_role(tmp_path, "preflight.yml", dict(FIREWALL, base_firewall_public_services=services),
                   ssh_connection=connection)
    said = "base on head: this run reaches the node over SSH from 192.0.2.7 (port 22), which only the public zone"
    assert (run.returncode != 0, said in run.stdout) == (refused, refused), run.stdout[-4000:] + run.stderr[-2000:]


def test_preflight_accepts_good_data(tmp_path):
    run = run_role(tmp_path, "preflight.yml", BASE)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_preflight_names_every_problem_at_once(tmp_path):
    """One run shows every bad value: an admin fixes them all, not one per run."""
    cluster_vars = dict(BASE, cluster_users=USERS + [{"name": "carol", "uid": 2001, "groups": ["chem"]}],
                        cluster_groups=GROUPS + [{"name": "munge", "gid": 201}])
    run = run_role(tmp_path, "preflight.yml", cluster_vars)
    assert run.returncode != 0, run.stdout
    for message in ("duplicate uid 2001", "service accounts: munge", "carol: chem"):
        assert message in run.stdout, (message, run.stdout[-4000:])


@pytest.mark.parametrize("domain", [".cluster.test", "cluster test", "cluster#test"])
def test_preflight_refuses_a_domain_the_hosts_file_cannot_hold(tmp_path, domain):
    """Refused in the preflight, before any node changes, not by the hosts file write mid-run."""
    run = run_role(tmp_path, "preflight.yml", dict(BASE, cluster_domain=domain))
    assert run.returncode != 0, run.stdout
    assert "cluster_domain must be a DNS domain" in run.stdout and domain in run.stdout, run.stdout[-4000:]


def test_preflight_accepts_quoted_ids(tmp_path):
    cluster_vars = {"cluster_network": "10.1.0.0/16",
                    "cluster_groups": [{"name": "hpcusers", "gid": "2000"}, {"name": "physics", "gid": 2100}],
                    "cluster_users": [{"name": "alice", "uid": "2001", "gid": "2000", "groups": ["physics"]},
                                      {"name": "bob", "uid": "2002"}]}
    run = run_role(tmp_path, "preflight.yml", cluster_vars)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_hosts_block(tmp_path):
    """One line per node (FQDN first, inventory order), stale lines naming a node removed, then no change."""
    hosts_file = tmp_path / "hosts"
    hosts_file.write_text("127.0.0.1 localhost\n127.0.1.1 head.cluster.test head\n10.9.9.9 c01 # old\n"
                          "192.0.2.1 other\n")
    extra = {"base_hosts_file": str(hosts_file)}
    cluster_vars = dict(BASE, cluster_domain="cluster.test")
    first = run_role(tmp_path, "hosts.yml", cluster_vars, extra=extra)
    assert first.returncode == 0, first.stdout[-4000:]
    lines = hosts_file.read_text().splitlines()
    # The missing IPv6 localhost line comes first; 127.0.1.1 and the stale c01 line are gone.
    assert lines[:3] == ["::1 localhost ip6-localhost ip6-loopback", "127.0.0.1 localhost", "192.0.2.1 other"], lines
    entries = sorted(line.split() for line in lines[3:] if line and not line.startswith("#"))
    assert entries == [
        ["10.1.0.10", "head.cluster.test", "head"],
        ["10.1.0.11", "login1.cluster.test", "login1"],
        ["10.1.0.21", "c01.cluster.test", "c01"],
    ], lines
    second = run_role(tmp_path, "hosts.yml", cluster_vars, extra=extra)
    assert second.returncode == 0 and "changed=0" in second.stdout, second.stdout[-4000:]


def test_kernel_parameters_are_set_only_where_the_preflight_found_a_difference(tmp_path):
    """The preflight reads the parameters in check mode; the configure step runs only on a difference.

    The value is this machine's own, so nothing changes in its running kernel; only the file differs.
    """
    swappiness = int(Path("/proc/sys/vm/swappiness").read_text())
    conf = tmp_path / "sysctl.conf"
    extra = {"base_sysctl_file": str(conf), "base_sysctl_default": {}, "base_sysctl": {"vm.swappiness": swappiness}}
    task = "TASK [base : Set the kernel parameters]"

    def converge():
        run = run_role(tmp_path, ["preflight.yml", "sysctl.yml"], BASE, extra=extra)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        return run.stdout.split(task, 1)[1].split("TASK [", 1)[0].split("PLAY RECAP", 1)[0]

    assert "changed: [head]" in converge()
    assert conf.read_text().splitlines() == ["vm.swappiness=%d" % swappiness]
    assert "skipping: [head]" in converge()
    conf.write_text("# emptied by hand\n")
    assert "changed: [head]" in converge()
    assert conf.read_text().splitlines() == ["# emptied by hand", "vm.swappiness=%d" % swappiness]


def test_check_run_skips_firewall_zones_until_firewalld_runs(tmp_path):
    """firewalld's modules need the running daemon: in a check run where it would only now start
    (installed but stopped), the zone tasks are skipped instead of failing. Start and enable are
    one task: the unit's state before it (status.ActiveState) decides, so a change of the boot
    setting alone skips nothing."""
    tasks = yaml.safe_load((TOP / "roles/base/tasks/service.yml").read_text())
    start = [t for t in tasks if t.get("register") == "__base_firewall_start"]
    assert len(tasks) == 1 and len(start) == 1, tasks
    assert start[0]["ansible.builtin.systemd_service"] == {
        "name": "{{ __base_firewall_service }}", "state": "started", "enabled": True}
    main = yaml.safe_load((TOP / "roles/base/tasks/converge.yml").read_text())
    zones = [t for t in main if t.get("ansible.builtin.include_tasks", {}).get("file") == "firewall.yml"]
    assert len(zones) == 1, main
    assert "not (ansible_check_mode and __base_firewall_was_active is false)" in zones[0]["when"]
    # The zone include's own expression, on the results the start task gives.
    cases = {
        "stopped": {"changed": True, "status": {"ActiveState": "inactive"}},
        "enabled-only": {"changed": True, "status": {"ActiveState": "active"}},
        "unchanged": {"changed": False, "status": {"ActiveState": "active"}},
        "skipped": {"changed": False, "skipped": True},
    }
    expression = zones[0]["vars"]["__base_firewall_was_active"]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"ansible.builtin.debug": {"msg": "%s=%s" % (name, expression)},
         "vars": {"__base_firewall_start": result}} for name, result in cases.items()]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default")
    run = subprocess.run([PLAYBOOK_BIN, "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml")],
                         capture_output=True, text=True, env=env, check=False, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    for name, active in (("stopped", False), ("enabled-only", True), ("unchanged", True), ("skipped", True)):
        assert "%s=%s" % (name, active) in run.stdout, run.stdout[-3000:]


def test_firewall_trusts_the_nodes_or_the_network(tmp_path):
    """trust: nodes puts each node's cluster address (/32) in the cluster zone; network the CIDRs."""
    shown = {}
    for trust in ("nodes", "network"):
        play = tmp_path / trust
        play.mkdir()
        run = run_role(play, "preflight.yml", BASE)  # writes the inventory
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        inventory = play / "inventory.yml"
        debug = [{"name": "Show", "hosts": "head", "gather_facts": False, "roles": [],
                  "tasks": [{"ansible.builtin.include_role": {"name": "base", "tasks_from": "preflight.yml",
                                                              "public": True}},
                            {"ansible.builtin.debug": {
                                "msg": "SOURCES={{ __base_firewall_cluster_sources | to_json }}"}}]}]
        (play / "show.yml").write_text(yaml.safe_dump(debug))
        env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_ROLES_PATH=str(TOP / "roles"),
                   ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
                   ANSIBLE_LOCALHOST_WARNING="0")
        out = subprocess.run([PLAYBOOK_BIN, "-i", str(inventory), str(play / "show.yml"),
                              "-e", json.dumps({"base_firewall_manage": True, "base_firewall_cluster_trust": trust})],
                             capture_output=True, text=True, env=env, check=False, timeout=300)
        assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
        shown[trust] = json.loads(out.stdout.split("SOURCES=", 1)[1].split("\n", 1)[0].rstrip('"').replace('\\"', '"'))
    assert sorted(shown["nodes"]) == ["10.1.0.10/32", "10.1.0.11/32", "10.1.0.21/32"]
    assert shown["network"] == ["10.1.0.0/16"]



FAKE_FIREWALL_CMD = """#!/bin/sh
# firewall-cmd for the tests: logs each call; exits 252 (not running) once while the file 'down' exists.
dir=$(dirname "$0")
echo "$*" >> "$dir/calls"
if [ -e "$dir/down" ]; then rm -f "$dir/down"; exit 252; fi
case "$*" in
  *--list-all-zones) printf 'dmz\\n  sources: 192.0.2.0/24\\n  services: ssh\\n  ports: \\n\\n'
                     printf 'public\\n  sources: \\n  services: ssh\\n  ports: \\n\\n'
                     printf 'trusted\\n  sources: 10.1.0.0/16\\n  services: \\n  ports: \\n\\n' ;;
  *--get-services) echo "http https ssh" ;;
  *) exit 2 ;;
esac
"""


@pytest.fixture
def firewall_cmd(tmp_path, monkeypatch):
    """A firewall-cmd first on PATH whose zones already hold what base wants; returns its directory."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "firewall-cmd").write_text(FAKE_FIREWALL_CMD)
    (bin_dir / "firewall-cmd").chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    return bin_dir


def firewall_calls(bin_dir):
    calls = bin_dir / "calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_preflight_refuses_a_public_service_firewalld_does_not_know(tmp_path, firewall_cmd):
    """Where firewalld runs, an unknown service is refused by name in the preflight, before the
    configure step (which would otherwise stop at firewalld's INVALID_SERVICE, after the packages)."""
    extra = {"base_firewall_manage": True, "base_firewall_public_services": ["ssh", "no-such-service"]}
    run = run_role(tmp_path, ["preflight.yml", "firewall.yml"], BASE, extra=extra)
    assert run.returncode != 0
    assert "TASK [base : Read this node's cluster accounts, kernel parameters and firewall zones]" in run.stdout
    failed = run.stdout.split("fatal: [head]", 1)[1]
    assert "\n    read: zones\n" in failed
    assert "knows no service named 'no-such-service'" in failed and "base_firewall_public_services" in failed
    assert "TASK [base : Read the firewall zones and check the public services (firewalld" not in run.stdout
    assert all("get-services" in call or "list-all-zones" in call for call in firewall_calls(firewall_cmd))


def test_the_configure_step_uses_the_preflight_read(tmp_path, firewall_cmd):
    """A re-run reads the zones once per node: firewall.yml takes the preflight's read."""
    extra = {"base_firewall_manage": True}
    run = run_role(tmp_path, ["preflight.yml", "firewall.yml"], BASE, extra=extra)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert firewall_calls(firewall_cmd) == ["--list-all-zones", "--permanent --list-all-zones",
                                            "--get-services", "--permanent --get-services"]
    assert "changed: [head]" not in run.stdout


def test_the_preflight_reads_only_the_zones_the_role_changes(tmp_path, firewall_cmd):
    """Role base reads its cluster and public zones, not every zone firewalld has (each zone more is
    more of firewalld's answers on every node and run); another zone (dmz here) is left alone. A
    re-run: the zones already hold what base wants, nothing changes."""
    hosts = {"all": {"children": {"cluster": {"vars": dict(BASE, base_firewall_manage=True), "hosts": {
        name: local_host(**values) for name, values in HOSTS.items()}}}}}
    plays = [{"name": "Base's preflight and firewall step", "hosts": "head", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": "base", "tasks_from": name}} for name in ("preflight.yml",
                                                                                         "firewall.yml")]}]
    result = start(tmp_path, plays, hosts).result()
    result.passed("head")
    zones = result.task_result("head", "base : " + BASE_READS)["reads"]["zones"]
    assert sorted(zones["runtime"]) == sorted(zones["permanent"]) == ["public", "trusted"], zones
    assert result.stats("head")["changed"] == 0


def test_a_node_where_firewalld_starts_later_is_checked_before_its_zones_change(tmp_path, firewall_cmd):
    """firewalld not running at the preflight (a new node): firewall.yml reads again, with the same
    check, before any zone changes."""
    (firewall_cmd / "down").touch()
    extra = {"base_firewall_manage": True, "base_firewall_public_services": ["ssh", "no-such-service"]}
    run = run_role(tmp_path, ["preflight.yml", "firewall.yml"], BASE, extra=extra)
    assert run.returncode != 0
    failed = run.stdout.split("fatal: [head]", 1)[1]
    assert "check the public services (firewalld did not run at the preflight)" in run.stdout.split("fatal:", 1)[0]
    assert "knows no service named 'no-such-service'" in failed
    assert firewall_calls(firewall_cmd)[0] == "--list-all-zones"
    assert len(firewall_calls(firewall_cmd)) == 5


def test_check_run_puts_a_user_in_a_group_the_run_would_create(tmp_path):
    # --check on a converged node: a new cluster group, and an existing user (nobody) moved into it.
    # The group is not created in check mode; user must not fail naming it (it did).
    groups = [{"name": "hpc-test-new-group", "gid": 62000}]
    users = [{"name": "nobody", "uid": 65534, "gid": 62000, "groups": ["hpc-test-new-group"]}]
    run = run_role(tmp_path, ["preflight.yml", "users.yml"],
                   dict(BASE, cluster_groups=groups, cluster_users=users, base_users_create_home=False), check=True)
    assert run.returncode == 0, run.stdout[-4000:]
    assert "changed: [head] => (item=hpc-test-new-group (62000))" in run.stdout


def test_a_shell_a_package_of_the_run_may_bring_is_checked_again_before_any_account(tmp_path):
    """With packages to install, the preflight cannot tell whether one brings the shell (zsh in
    base_packages_extra and /usr/bin/zsh): it lets it pass; the users step reads it again after the
    packages, and refuses it before a group or user is made."""
    cluster_vars = dict(BASE, base_users_shell="/usr/bin/no-such-shell", base_packages_extra=["no-such-shell"],
                        cluster_users=[{"name": "hpc-shell-test", "uid": 2901}], cluster_groups=[],
                        base_users_create_home=False)
    try:
        run = run_role(tmp_path, ["preflight.yml", "users.yml"], cluster_vars)
    finally:
        # Code without the check makes the account on this machine: take it away again.
        subprocess.run(["userdel", "hpc-shell-test"], capture_output=True, check=False)
        subprocess.run(["groupdel", "hpc-shell-test"], capture_output=True, check=False)
    assert run.returncode != 0, run.stdout[-4000:]
    assert "TASK [base : Check the cluster users and groups" in run.stdout
    assert ("base on head: login shell(s) /usr/bin/no-such-shell (base_users_shell, or the shell of an entry of"
            " cluster_users) are not an executable file here, and no package this run installed brought them"
            in run.stdout), run.stdout[-4000:]
    assert "Create the cluster groups" not in run.stdout
