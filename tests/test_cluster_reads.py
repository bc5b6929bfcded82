"""Run-once tasks read other hosts' variables with hpc.cluster.host_values, not whole hostvars entries.

`map('extract', hostvars)` over a host list builds each host's whole hostvars entry (every variable
source merged, its facts copied): 2-7 ms per host, tens of seconds per task at 10,000 nodes. The
lookup reads only the variables named (tests/unit/plugins/lookup/test_host_values.py checks it
gives the same values). A single host's `hostvars[name]` stays: it costs one entry.
"""

import re
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for top in ("roles", "playbooks") for p in (TOP / top).rglob("*.yml"))
SOURCES += sorted((TOP / "roles").rglob("*.j2"))
EXTRACT = re.compile(r"""map\(\s*['"]extract['"]\s*,\s*hostvars""")
LOOKUP = re.compile(r"""lookup\(\s*['"]hpc\.cluster\.host_values['"]\s*,\s*([^,]+),\s*names=""")


def test_sources_found():
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(TOP)) for p in SOURCES])
def test_no_whole_hostvars_extracts(path):
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if EXTRACT.search(line)]
    assert not lines, ("%s lines %s: read other hosts' variables with lookup('hpc.cluster.host_values', hosts, "
                       "names=[...]) instead of map('extract', hostvars)" % (path.relative_to(TOP), lines))


def test_the_cluster_wide_reads_use_the_lookup():
    """The reads over every node (or every host of the play) that used to extract hostvars."""
    expected = {
        "roles/base/tasks/preflight.yml": "__base_hosts_group_members",
        "roles/base/vars/main.yml": "__base_hosts_group_members",
        "roles/munge/tasks/preflight.yml": "ansible_play_hosts",
        "roles/prometheus/tasks/preflight.yml": "__prometheus_nodes",
        "roles/chrony/tasks/preflight.yml": "__chrony_servers",
        "playbooks/health.yml": "__health_hosts",
        "playbooks/rotate_munge_key.yml": "ansible_play_hosts",
    }
    for name, hosts in expected.items():
        found = [match.strip() for match in LOOKUP.findall((TOP / name).read_text())]
        assert hosts in found, "%s: expected lookup('hpc.cluster.host_values', %s, ...), found %s" % (
            name, hosts, found)
