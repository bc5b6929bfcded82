# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests port, host_port, firewalld_port and whole_number: what the roles' checks refuse before anything changes."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.test import firewalld_port, host_port, port, whole_number


@pytest.mark.parametrize("value", [1, 22, 9090, "9090", 65535, "65535"])
def test_ports(value):
    assert port.port(value)


@pytest.mark.parametrize("value", [0, "0", 65536, "70000", -1, "-1", "6817-6818", "90 90", " 9090", "9090 ", "91OO",
                                   "", None, True, False, 9090.0, "٩٠٩٠", [9090]])
def test_not_ports(value):
    assert not port.port(value)


@pytest.mark.parametrize("value", ["2222/tcp", "53/udp", "60001-63000/udp", "1-65535/tcp", "5-5/sctp", "9/dccp"])
def test_firewalld_ports(value):
    assert firewalld_port.firewalld_port(value)


@pytest.mark.parametrize("value", [
    "2222",             # no protocol: firewalld's "improper port format"
    "2222/",
    "/tcp",
    "2222/tpc",
    "2222/TCP",         # firewalld knows its protocols in lower case only
    "2222/icmp",
    "70000/tcp",
    "0/tcp",
    "10-5/tcp",         # firewalld stores 5-10: every run would add 10-5 again
    "1-70000/udp",
    "2222/tcp ",
    " 2222/tcp",
    "22 22/tcp",
    "22 /tcp",          # firewalld never lists a port with a space: the runs would never agree
    "22/ tcp",
    "22\t/tcp",
    "ssh/tcp",
    "2222/tcp/udp",
    2222,
    None,
    ["2222/tcp"],
])
def test_not_firewalld_ports(value):
    assert not firewalld_port.firewalld_port(value)


@pytest.mark.parametrize("value", ["prometheus.lab:9093", "localhost:9093", "10.1.0.5:9093", "[fd00::5]:9093",
                                   "am_1.lab:1", "head:65535", "0.0.0.0:9100", "[::]:9100", "[::1]:9093"])
def test_host_ports(value):
    assert host_port.host_port(value)


@pytest.mark.parametrize("value", [
    "localhost",            # Prometheus would send to http's port 80
    "localhost:70000",      # Prometheus took it; its alerts went nowhere
    "localhost:0",
    "localhost:",
    ":9093",
    "http://localhost:9093",
    "localhost:9093/alerts",
    "fd00::5:9093",
    "local host:9093",
    "localhost:9093 ",
    "localhost:٩٠٩٣",
    "10.1.0.300:9093",  # digits and dots: an IPv4 address or nothing
    "10.1.0:9093",
    "[fd00::g]:9093",
    "[10.1.0.5]:9093",
    9093,
    None,
])
def test_not_host_ports(value):
    assert not host_port.host_port(value)


@pytest.mark.parametrize("value", [0, "0", 3600, "3600", "007", 10 ** 12])
def test_whole_numbers(value):
    assert whole_number.is_whole_number(value) is True
    assert whole_number.whole_number(value) == int(value)


@pytest.mark.parametrize("value", ["1h", "60m", "-1", -1, "+5", " 5", "5 ", "1.5", 1.5, "", "٣", True, False, None,
                                   [5]])
def test_not_whole_numbers(value):
    assert whole_number.is_whole_number(value) is False


def test_registered():
    assert port.TestModule().tests() == {"port": port.port}
    assert firewalld_port.TestModule().tests() == {"firewalld_port": firewalld_port.firewalld_port}
    assert host_port.TestModule().tests() == {"host_port": host_port.host_port}
    assert whole_number.TestModule().tests() == {"whole_number": whole_number.is_whole_number}
