# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cluster's lines of a hosts file (/etc/hosts), as text in and text out.

One managed block with a line per cluster node; every other line naming a node removed, so each
name resolves to one address (no 127.0.1.1 line for the node's own name, no stale entry); a
loopback line added for each address family that has no line naming localhost. The block is
found as ansible.builtin.blockinfile finds it (the last BEGIN and the last END marker line) and
is added at the end of the file when it is not there.
"""

from __future__ import annotations

LOOPBACK = (("127.0.0.1 localhost", False), ("::1 localhost ip6-localhost ip6-loopback", True))


class HostsFileError(ValueError):
    pass


def fields(line):
    """Address and names of a hosts line (its comment dropped)."""
    return line.split("#", 1)[0].split()


def _one_word(value):
    """A string a hosts line holds as one field: no space, no comment sign (empty allowed)."""
    return isinstance(value, str) and not any(c.isspace() or c == "#" for c in value)


def block_lines(hosts, domain=""):
    """One line per host (name -> address, in order): the address padded to 15 columns, then the
    fully qualified name (with a domain) and the name."""
    if not _one_word(domain) or domain.startswith("."):
        raise HostsFileError("domain %r is not a DNS domain" % (domain,))
    lines = []
    for name, address in hosts.items():
        if not name or not _one_word(name):
            raise HostsFileError("host name %r is not one word" % (name,))
        if not address or not _one_word(address):
            raise HostsFileError("%s: address %r is not one word" % (name, address))
        names = ["%s.%s" % (name, domain), name] if domain else [name]
        lines.append("%-15s %s" % (address, " ".join(names)))
    return lines


def _block_span(lines, begin, end):
    """(first, last) index of the managed block, as blockinfile finds it, or None."""
    first = last = None
    for index, line in enumerate(lines):
        if line == begin:
            first = index
        if line == end:
            last = index
    if first is None or last is None:
        return None
    return (first, last) if first < last else (last, first)


def converge(text, hosts, marker, domain=""):
    """(new text, the lines removed, the loopback lines added) for a hosts file's text."""
    if marker.count("{mark}") != 1:
        raise HostsFileError("marker %r must hold {mark} once" % marker)
    begin, end = marker.replace("{mark}", "BEGIN") + "\n", marker.replace("{mark}", "END") + "\n"
    block = block_lines(hosts, domain)
    names = {name for line in block for name in fields(line)[1:]}
    lines = text.splitlines(True)
    span = _block_span(lines, begin, end)
    before, after = (lines, []) if span is None else (lines[:span[0]], lines[span[1] + 1:])

    def names_a_node(line):
        return bool(names.intersection(fields(line)[1:]))

    removed = [line.rstrip("\n") for line in before + after if names_a_node(line)]
    before = [line for line in before if not names_a_node(line)]
    after = [line for line in after if not names_a_node(line)]

    families = {":" in found[0] for found in map(fields, before + after) if "localhost" in found[1:]}
    added = [line for line, ipv6 in LOOPBACK if ipv6 not in families]
    # Each missing line goes first in the file, the IPv6 one before the IPv4 one.
    before = [line + "\n" for line in reversed(added)] + before

    new_block = [begin] + [line + "\n" for line in block] + [end] if block else []
    # Without a block, before is the whole file: its last line may lack a newline.
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"
    return "".join(before + new_block + after), removed, added
