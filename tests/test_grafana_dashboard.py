"""The provisioned Grafana files: the dashboard shows nodes by state, jobs per partition, CPU and
memory per node, and every panel query names only metrics our exporters produce (the Slurm
collector's table in hpc.cluster, the node exporter list of roles/node_exporter/vars/main.yml)."""

import json
import re
import sys
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
DASHBOARD = TOP / "roles/grafana/files/dashboards/hpc-cluster.json"
RULES = TOP / "roles/prometheus/files/rules/hpc-cluster.rules.yml"
sys.path.insert(0, str(TOP / "collections"))

from ansible_collections.hpc.cluster.plugins.module_utils.slurm_metrics import METRICS  # noqa: E402

NODE_EXPORTER = set(yaml.safe_load((TOP / "roles/node_exporter/vars/main.yml").read_text())[
    "__node_exporter_metrics_used"])
KNOWN = set(METRICS) | NODE_EXPORTER
# PromQL words that look like metric names: functions, aggregations, keywords, Grafana variables.
WORDS = {"sum", "by", "without", "avg", "max", "min", "count", "rate", "irate", "time", "abs", "and", "or",
         "unless", "on", "ignoring", "label_values", "increase", "offset", "bool", "humanize"}


def metric_names(expr):
    """Names in a PromQL expression: identifiers not inside {...} or [...] nor followed by '('."""
    stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"", " ", expr)
    # Label lists of aggregations and vector matching.
    stripped = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", stripped)
    names = set()
    for match in re.finditer(r"(?<![$\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", stripped):
        if match.group(2) or match.group(1) in WORDS or re.fullmatch(r"\d.*", match.group(1)):
            continue
        names.add(match.group(1))
    return names


def panels():
    return json.loads(DASHBOARD.read_text())["panels"]


def test_metric_names_parser():
    assert metric_names('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))') == {
        "node_cpu_seconds_total"}
    assert metric_names("time() - max(slurm_x{a=\"b\"})") == {"slurm_x"}


def test_every_panel_query_names_known_metrics():
    seen = set()
    for panel in panels():
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names, (panel["title"], target["expr"])
            assert names <= KNOWN, "%s: unknown metric(s) %s" % (panel["title"], sorted(names - KNOWN))
            seen |= names
    assert {"slurm_nodes", "slurm_jobs", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes"} <= seen


def test_an_unknown_metric_is_caught():
    assert metric_names("sum(slurm_node_count)") - KNOWN == {"slurm_node_count"}


def test_alert_rules_name_known_metrics():
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            names = metric_names(rule["expr"])
            assert names and names <= KNOWN, (rule["alert"], sorted(names - KNOWN))


def test_required_panels():
    titles = {p["title"] for p in panels()}
    assert {"Nodes by state", "Jobs per partition", "CPU busy per node", "Memory used per node"} <= titles
    by_title = {p["title"]: p for p in panels()}
    assert "by (state)" in by_title["Nodes by state"]["targets"][0]["expr"]
    assert "by (partition, state)" in by_title["Jobs per partition"]["targets"][0]["expr"]


def test_panels_use_the_provisioned_datasource():
    datasource = (TOP / "roles/grafana/templates/datasources/hpc-prometheus.yml.j2").read_text()
    uid = re.search(r"uid: (\S+)", datasource).group(1)
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and len({p["id"] for p in panels()}) == len(panels())
    for panel in panels():
        assert panel["datasource"]["uid"] == uid
        assert all(t["datasource"]["uid"] == uid for t in panel["targets"])


def test_dashboard_provider_points_at_the_installed_file():
    provider = (TOP / "roles/grafana/templates/dashboards/hpc.yml.j2").read_text()
    assert "grafana_dashboards_dir" in provider
    install = yaml.safe_load((TOP / "roles/grafana/tasks/configure.yml").read_text())
    copy = next(t for t in install if "ansible.builtin.copy" in t)["ansible.builtin.copy"]
    assert copy["src"] == "dashboards/" + DASHBOARD.name and copy["dest"].startswith("{{ grafana_dashboards_dir }}")
