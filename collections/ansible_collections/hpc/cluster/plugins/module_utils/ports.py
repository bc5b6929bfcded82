# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ports as the settings write them: a port (6817) or a range (6817-6818, 60001-63000); firewalld adds a protocol."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.hpc.cluster.plugins.module_utils.whole_number import whole_number

_SPEC_RE = re.compile(r"([0-9]+)(?:-([0-9]+))?")
# host:port as Prometheus' targets write it: a name, an IPv4 address or a bracketed IPv6 address.
_HOST_PORT_RE = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):([0-9]+)")
_DOTTED_RE = re.compile(r"[0-9.]+")
# Slurm's compiled-in ports, where its files set none (slurm.conf(5), slurmdbd.conf(5)).
DEFAULT_PORTS = {"slurmctldport": 6817, "slurmdport": 6818, "dbdport": 6819}
# The protocols of firewalld's port entries (firewall-cmd(1), --add-port).
FIREWALLD_PROTOCOLS = ("tcp", "udp", "sctp", "dccp")


def slurm_port_setting(settings, name):
    """The value of Slurm's setting name in settings, names in any case as Slurm reads them (the last
    one set wins); unset or empty, its default port (DEFAULT_PORTS), else None."""
    found = None
    for key, value in settings.items():
        if str(key).lower() == name.lower() and value is not None and value != "":
            found = value
    return DEFAULT_PORTS.get(name.lower()) if found is None else found


def port_span(spec):
    """(first, last) of a port or a range of ports, or None when it is neither (or out of 1-65535)."""
    if isinstance(spec, bool):
        return None
    match = _SPEC_RE.fullmatch(str(spec).strip())
    if not match:
        return None
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    return (first, last) if 1 <= first <= last <= 65535 else None


def port_number(value):
    """The port value names (an integer or its digits, 1-65535), or None: a range, a word, a boolean."""
    number = whole_number(value)
    return number if number is not None and 1 <= number <= 65535 else None


def host_port(value):
    """True for host:port with a port from 1 to 65535 (prometheus.lab:9093, 10.1.0.5:9093, [fd00::5]:9093);
    a host of digits and dots must be an IPv4 address (not 10.1.0.300)."""
    match = _HOST_PORT_RE.fullmatch(value) if isinstance(value, str) else None
    if not match or port_number(match.group(1)) is None:
        return False
    host = value[:match.start(1) - 1]
    if host.startswith("["):
        return is_address(host[1:-1], ipaddress.IPv6Address)
    return not _DOTTED_RE.fullmatch(host) or is_address(host, ipaddress.IPv4Address)


def is_address(text, kind=ipaddress.ip_address):
    """Whether text is an IP address (of kind: ipaddress.IPv4Address, IPv6Address, or either)."""
    try:
        kind(text)
    except ValueError:
        return False
    return True


def firewalld_port(spec):
    """True for a port as firewalld takes one: port or first-last, a slash and its protocol (2222/tcp)."""
    if not isinstance(spec, str) or any(char.isspace() for char in spec):
        return False
    ports, slash, protocol = spec.partition("/")
    return bool(slash) and protocol in FIREWALLD_PROTOCOLS and port_span(ports) is not None


def port_held(item, present):
    """Whether a port entry of present ('60001-63000/tcp') holds the port or range item ('60001/tcp'):
    the same protocol, and the item's ports within the entry's."""
    spec, _slash, protocol = item.partition("/")
    span = port_span(spec)
    if span is None:
        return False
    for other in present:
        other_spec, _slash, other_protocol = other.partition("/")
        other_span = port_span(other_spec)
        if other_protocol == protocol and other_span and other_span[0] <= span[0] and span[1] <= other_span[1]:
            return True
    return False


def merged_spans(spans):
    """The (first, last) spans sorted, those that overlap or touch made one."""
    out = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out
