"""Behaviour of the base OS roles (playbooks/base.yml) on the scenario's nodes.

Expected values follow the lab's settings (inventories/lab/group_vars) and the scenario's own
(molecule.yml, host_vars/base-c01.yml): users alice/bob, limits within what the lab's
containers may set, sysctl layers all < group < host.
"""

import os
import re
import subprocess

USERS = {"alice": (2001, 2000), "bob": (2002, 2002)}
NODES = ["base-head", "base-login1", "base-c01"]
ADDRESSES = {"base-head": "10.89.1.10", "base-login1": "10.89.1.11", "base-c01": "10.89.1.21"}


def test_chrony_runs_without_clock_control(host):
    """chronyd runs, and with -x: in the lab it must never steer the shared clock."""
    service = "chrony"
    assert host.service(service).is_running
    assert host.service(service).is_enabled
    cmdline = host.run("cat /proc/$(pidof chronyd | cut -d' ' -f1)/cmdline | tr '\\0' ' '").stdout
    assert " -x" in f" {cmdline}", cmdline
    assert host.run("chronyc -n tracking").rc == 0


def test_compute_takes_time_from_control(group):
    """Nodes other than the control node use only the control node as source."""
    for node in group("compute") + group("login"):
        sources = node.check_output("chronyc -n sources")
        lines = [line for line in sources.splitlines() if re.match(r"[\^=#][*+?x~-] ", line)]
        assert [line.split()[1] for line in lines] == [ADDRESSES["base-head"]], sources


def test_control_serves_the_cluster(group):
    (head,) = group("control")
    assert "allow 10.89.1.0/24" in head.file("/etc/chrony/chrony.conf").content_string
    # chronyd answers NTP on the cluster address.
    assert head.socket("udp://0.0.0.0:123").is_listening


def test_every_node_resolves_every_other(group):
    for node in group("cluster"):
        for name, address in ADDRESSES.items():
            for query in (name, f"{name}.cluster.test"):
                out = node.check_output(f"getent ahostsv4 {query}")
                assert {line.split()[0] for line in out.splitlines()} == {address}, (query, out)


def test_localhost_resolves(host):
    assert host.check_output("getent ahostsv4 localhost").split()[0] == "127.0.0.1"


def test_hosts_block_has_no_duplicates(host):
    names = []
    for line in host.file("/etc/hosts").content_string.splitlines():
        fields = line.split("#")[0].split()
        names += fields[1:]
    for name in NODES:
        assert names.count(name) == 1, host.file("/etc/hosts").content_string


def test_users_have_the_same_ids_everywhere(group):
    for node in group("cluster"):
        for name, (uid, gid) in USERS.items():
            user = node.user(name)
            assert (user.uid, user.gid) == (uid, gid), node.backend.get_hostname()
        assert "physics" in node.user("alice").groups
        assert node.group("physics").gid == 2100


def test_home_is_shared_and_owned(group):
    (head,) = group("control")
    for node in group("cluster"):
        home = node.file("/home/alice")
        assert home.is_directory and home.uid == 2001, node.backend.get_hostname()
    assert head.file("/home/alice/.profile").exists


def test_limits_apply_in_a_login_shell(host):
    """pam_limits applies the merged limits in a login shell (su -)."""
    nofile = "4096" if host.backend.get_hostname() == "base-c01" else "8192"
    assert host.check_output("su - alice -c 'ulimit -l'") == "4096"
    assert host.check_output("su - alice -c 'ulimit -Hl'") == "8192"
    assert host.check_output("su - alice -c 'ulimit -n'") == nofile
    assert host.check_output("su - alice -c 'ulimit -Hn'") == "16384"


def test_sysctl_values_are_live(host):
    keepalive = "300" if host.backend.get_hostname() == "base-c01" else "600"
    assert host.file("/proc/sys/net/core/somaxconn").content_string.strip() == "8192"
    assert host.file("/proc/sys/net/ipv4/tcp_keepalive_time").content_string.strip() == keepalive
    persisted = host.file("/etc/sysctl.d/90-hpc-cluster.conf").content_string
    assert re.search(rf"^net.ipv4.tcp_keepalive_time\s*=\s*{keepalive}$", persisted, re.M), persisted


def test_check_mode_reports_no_changes():
    """A --check run of the converge playbook on the converged nodes changes nothing."""
    scenario = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    run = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "--check",
         os.path.join(scenario, "converge.yml")],
        capture_output=True, text=True, check=False, timeout=600,
    )
    recap = run.stdout[run.stdout.rfind("PLAY RECAP"):]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    changed = re.findall(r"^(\S+)\s*:.*\bchanged=(\d+).*\bfailed=(\d+)", recap, re.M)
    assert len(changed) == len(NODES), recap
    assert all(c == "0" and f == "0" for _, c, f in changed), recap
