"""firewalld as role base and role slurm leave it (scenario slurm; the lab turns it on).

The lab trusts the nodes only (base_firewall_cluster_trust: nodes): the machine that runs the
tests is the network's gateway, outside the cluster, so it meets the public zone like an
admin's desktop would. Jobs across nodes are tested by test_slurm.py with the firewall on.
"""

import socket
import time

import pytest

PORT = 7777  # nobody opens it: reachable inside the cluster only


def firewall(node, *args):
    return node.check_output("firewall-cmd " + " ".join(args)).split()


def address(node):
    return node.check_output("hostname -I").split()[0]


def test_firewalld_runs_everywhere(group):
    for node in group("cluster"):
        assert node.service("firewalld").is_running, node.backend.hostname
        assert node.service("firewalld").is_enabled, node.backend.hostname


def test_cluster_zone_trusts_exactly_the_nodes(group):
    nodes = group("cluster")
    expected = sorted(address(n) + "/32" for n in nodes)
    for node in nodes:
        assert sorted(firewall(node, "--zone=trusted", "--list-sources")) == expected
        # Runtime and permanent configuration agree (nothing waits for a reload).
        assert sorted(firewall(node, "--permanent", "--zone=trusted", "--list-sources")) == expected


def test_public_zone_keeps_only_ssh(group):
    for node in group("cluster"):
        assert firewall(node, "--zone=public", "--list-services") == ["ssh"], node.backend.hostname
        assert firewall(node, "--zone=public", "--list-ports") == [], node.backend.hostname


def test_slurm_ports_are_open_in_the_cluster_zone(group):
    for node in group("control") + group("compute"):
        ports = firewall(node, "--zone=trusted", "--list-ports")
        assert "6817-6819/tcp" in ports, (node.backend.hostname, ports)


def connects(host, port, timeout=3.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@pytest.fixture
def listener(group):
    """A TCP server on a compute node, on a port no role opens."""
    node = group("compute")[0]
    node.run("systemd-run --unit=fw-probe --collect timeout 120 python3 -m http.server %s", str(PORT))
    try:
        for _ in range(30):
            if node.run("ss -Hltn 'sport = :%s'" % PORT).stdout.strip():
                break
            time.sleep(0.5)
        else:
            pytest.fail("the probe server did not start")
        yield node
    finally:
        node.run("systemctl stop fw-probe")


def test_unopened_port_is_closed_outside_and_open_inside(group, listener):
    target = address(listener)
    head = group("control")[0]
    inside = head.run(
        "python3 -c 'import socket; socket.create_connection((\"%s\", %s), timeout=3).close()'", target, str(PORT)
    )
    assert inside.rc == 0, inside.stderr
    assert not connects(target, PORT), f"{target}:{PORT} is reachable from outside the cluster"
    assert connects(target, 22), "ssh must stay open in the public zone"
