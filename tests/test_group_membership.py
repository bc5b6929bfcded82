"""A host asks its own groups (group_names) whether it is in a group, never a group's host list.

With ansible-core 2.19 a template that reads a list variable goes through every item of it (about
4 microseconds each): `inventory_hostname in groups['compute']` costs 4-5 ms per host and evaluation
at 1,000 compute nodes, and each of the N hosts evaluates it, so the run's cost grows with N squared
(bench/membership_bench.py, docs/membership-benchmark.md). `'compute' in group_names` reads the
host's own few groups.
"""

import re
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for top in ("roles", "playbooks", "inventories", "molecule") for p in (TOP / top).rglob("*.yml"))
SOURCES += sorted((TOP / "roles").rglob("*.j2"))
# The host itself looked up in a group's list, directly or through a role's variable for it.
MEMBERSHIP = re.compile(r"inventory_hostname\s+(not\s+)?in\s+"
                        r"(groups\s*\[|__slurm_(controllers|compute_hosts|login_hosts)\b)")
# Every item of a list looked up in a list of hosts: quadratic, each lookup going through the whole
# list item by item (31 s at 4,000 hosts); difference and intersect make sets of them.
ITEMS_IN_HOSTS = re.compile(r"""(select|reject)\(\s*['"]in['"]\s*,\s*(groups\s*\[|ansible_play_hosts)""")


def test_sources_found():
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(TOP)) for p in SOURCES])
def test_no_host_looked_up_in_a_group_list(path):
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if MEMBERSHIP.search(line)]
    assert not lines, ("%s lines %s: ask the host's own groups ('compute' in group_names) instead of looking the host "
                       "up in the group's list" % (path.relative_to(TOP), lines))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(TOP)) for p in SOURCES])
def test_no_items_looked_up_one_by_one_in_a_host_list(path):
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if ITEMS_IN_HOSTS.search(line)]
    assert not lines, ("%s lines %s: compare lists of hosts with difference or intersect, not select/reject('in', ...)"
                       % (path.relative_to(TOP), lines))


def test_the_pattern_finds_what_it_refuses():
    for text in ("inventory_hostname in groups['compute']", "inventory_hostname not in groups[group]",
                 "inventory_hostname in __slurm_compute_hosts"):
        assert MEMBERSHIP.search(text), text
    assert not MEMBERSHIP.search("'compute' in group_names")
    assert ITEMS_IN_HOSTS.search("hosts | reject('in', groups['cluster'] | default([]))")
    assert ITEMS_IN_HOSTS.search('servers | select("in", ansible_play_hosts_all)')
    assert not ITEMS_IN_HOSTS.search("hosts | difference(groups['cluster'])")
