"""Run-once tasks read other hosts' variables with hpc.cluster.host_values, not whole hostvars entries.

`map('extract', hostvars)` over a host list builds each host's whole hostvars entry (every variable
source merged, its facts copied): 2-7 ms per host, tens of seconds per task at 10,000 nodes. The
lookup reads only the variables named (tests/unit/plugins/lookup/test_host_values.py checks it
gives the same values). A single host's `hostvars[name]` stays: it costs one entry.
"""

import re
import sys
from pathlib import Path

import pytest
import yaml

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
        "roles/base/tasks/checks.yml": "__base_hosts_group_members",
        "roles/base/vars/main.yml": "__base_hosts_group_members",
        "roles/munge/tasks/checks.yml": "ansible_play_hosts",
        "roles/prometheus/tasks/checks.yml": "__prometheus_nodes",
        "roles/chrony/tasks/checks.yml": "__chrony_servers",
        "playbooks/health.yml": "__health_hosts",
        "playbooks/rotate_munge_key.yml": "ansible_play_hosts",
    }
    for name, hosts in expected.items():
        found = [match.strip() for match in LOOKUP.findall((TOP / name).read_text())]
        assert hosts in found, "%s: expected lookup('hpc.cluster.host_values', %s, ...), found %s" % (
            name, hosts, found)


# --- The address rule: every read that feeds it names what it reads ------------------------------

sys.path.insert(0, str(TOP / "collections"))
from ansible_collections.hpc.cluster.plugins.filter import cluster_addresses as address_rule  # noqa: E402

# Lists of variable names read for the address rule, by file and key (prometheus adds its port).
ADDRESS_LISTS = {
    ("roles/base/vars/main.yml", "__base_address_variables"),
    ("roles/chrony/vars/main.yml", "__chrony_address_variables"),
    ("roles/prometheus/tasks/checks.yml", "__prometheus_target_variables"),
}
# A host_values lookup whose result goes to the address rule (directly or through prometheus_targets).
RULE_READ = re.compile(r"lookup\(\s*'hpc\.cluster\.host_values'(?P<args>[^)]*)\)\s*\|\s*"
                       r"hpc\.cluster\.(?:cluster_addresses|prometheus_targets)\b")


class RecordingHost(dict):
    """A host's variables that remember which keys the rule asked for."""

    def __init__(self, data, seen):
        super().__init__(data)
        self.seen = seen

    def get(self, key, default=None):
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.seen.add(key)
        return super().__getitem__(key)


def named_list(path, key):
    found = []

    def walk(node):
        if isinstance(node, dict):
            for name, value in node.items():
                if name == key:
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((TOP / path).read_text()))
    assert len(found) == 1, "%s: expected one %s, found %d" % (path, key, len(found))
    return found[0]


@pytest.mark.parametrize("host", [
    {"cluster_address": "10.1.0.5", "ansible_host": "10.9.0.5"},
    {"ansible_host": "10.1.0.6"},
    {"ansible_host": "c01.example.org", "ansible_facts": {"default_ipv4": {"address": "10.1.0.7"}}},
    {"ansible_facts": {}},
], ids=["cluster_address", "ansible_host", "facts", "nothing"])
def test_the_rule_reads_only_what_it_declares(host):
    seen, facts_seen = set(), set()
    data = RecordingHost(host, seen)
    if "ansible_facts" in host:
        data["ansible_facts"] = RecordingHost(host["ansible_facts"], facts_seen)
    address_rule._address(data)
    assert seen <= set(address_rule.ADDRESS_VARIABLES) | {"ansible_facts"}, seen
    assert facts_seen <= set(address_rule.ADDRESS_FACTS), facts_seen


@pytest.mark.parametrize("path,key", sorted(ADDRESS_LISTS))
def test_the_address_reads_name_every_variable_of_the_rule(path, key):
    names = named_list(path, key)
    missing = [name for name in address_rule.ADDRESS_VARIABLES if name not in names]
    assert not missing, "%s: %s lacks %s, which filter cluster_addresses reads (ADDRESS_VARIABLES)" % (
        path, key, missing)


def test_the_address_reads_ask_for_every_fact_of_the_rule():
    reads = 0
    for path in SOURCES:
        for match in RULE_READ.finditer(path.read_text()):
            reads += 1
            facts = re.search(r"facts=\[([^\]]*)\]", match.group("args"))
            named = re.findall(r"'([^']+)'", facts.group(1)) if facts else []
            missing = [fact for fact in address_rule.ADDRESS_FACTS if fact not in named]
            assert not missing, "%s: a host_values read for the address rule lacks facts %s" % (
                path.relative_to(TOP), missing)
    # base (preflight and vars), chrony (preflight and vars), prometheus (two target lists)
    assert reads >= 6, reads
