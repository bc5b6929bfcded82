"""Behaviour of the monitoring built by playbooks/monitoring.yml (scenario slurm): Prometheus on
the control node scrapes every inventory node's exporter; the Slurm metrics follow sinfo (drain,
resume); the alert rules' unit tests pass on the node; a configuration change reloads
Prometheus without restarting it; a re-run changes nothing.
"""

import base64
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import yaml
from test_safety import inventory_without

NODE = "slurm-c02"


def wait_for(check, timeout=120, interval=3):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def api(head, path):
    """GET http://localhost:9090<path> on the control node, as JSON."""
    script = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())"
    out = head.check_output("python3 -c %s %s", script, "http://localhost:9090" + path)
    answer = json.loads(out)
    assert answer.get("status") == "success", answer
    return answer["data"]


def query(head, promql):
    """{frozenset(labels.items()): value} of an instant query."""
    data = api(head, "/api/v1/query?query=" + urllib.parse.quote(promql))
    return {frozenset(r["metric"].items()): float(r["value"][1]) for r in data["result"]}


def drained_count(head):
    values = list(query(head, 'slurm_nodes{state="drained"}').values())
    return values[0] if values else None


@pytest.fixture(scope="module")
def head(group):
    (control,) = group("control")
    return control


def test_every_inventory_node_exporter_is_up(group, head):
    names = sorted(n.backend.get_hostname() for n in group("cluster"))
    up = wait_for(lambda: (lambda r: r if sorted(r) == names and all(v == 1 for v in r.values()) else None)(
        {dict(k)["node"]: v for k, v in query(head, 'up{job="node"}').items()}), timeout=120)
    assert up, query(head, 'up{job="node"}')


def test_targets_carry_inventory_labels(head):
    targets = api(head, "/api/v1/targets?state=active")["activeTargets"]
    labels = {t["labels"]["node"]: t["labels"] for t in targets if t["labels"].get("job") == "node"}
    assert labels["slurm-c01"]["groups"] == ",compute,"
    assert labels["slurm-c01"]["partitions"] == ",batch,"
    assert labels["slurm-head"]["groups"] == ",control,monitoring,"  # molecule.yml puts it in both
    assert {lab["cluster"] for lab in labels.values()} == {"molecule"}


def sinfo_counts(head):
    counts = {}
    for line in head.check_output("sinfo -h -N -o '%%N|%%T'").splitlines():
        state = line.split("|")[1].rstrip("*~#!%$@^-+")
        counts[state] = counts.get(state, 0) + 1
    return counts


def metric_counts(head):
    return {dict(k)["state"]: int(v) for k, v in query(head, "slurm_nodes").items() if v}


def counts_agree(head):
    """The metric's idle and drained counts equal sinfo's (the metric lags up to 30 s)."""
    metric, sinfo = metric_counts(head), sinfo_counts(head)
    return all(metric.get(s, 0) == sinfo.get(s, 0) for s in ("idle", "drained"))


def test_slurm_metrics_match_sinfo_through_drain_and_resume(head):
    assert wait_for(lambda: drained_count(head) == 0, timeout=90), drained_count(head)
    assert wait_for(lambda: counts_agree(head), timeout=90), (metric_counts(head), sinfo_counts(head))
    head.check_output("scontrol update nodename=%s state=drain reason=monitoring-verifier", NODE)
    try:
        assert sinfo_counts(head).get("drained") == 1, sinfo_counts(head)
        # The collector runs every 15 s, Prometheus scrapes every 15 s.
        assert wait_for(lambda: drained_count(head) == 1, timeout=90), drained_count(head)
        state = query(head, 'slurm_node_state{slurm_node="%s"}' % NODE)
        assert [dict(k)["state"] for k in state] == ["drained"]
    finally:
        head.check_output("scontrol update nodename=%s state=resume", NODE)
    assert wait_for(lambda: drained_count(head) == 0, timeout=90), drained_count(head)
    assert wait_for(lambda: counts_agree(head), timeout=90), (metric_counts(head), sinfo_counts(head))
    assert query(head, "slurm_scheduler_up") and all(v == 1 for v in query(head, "slurm_scheduler_up").values())


def test_jobs_per_partition_metric_present(head):
    jobs = {tuple(sorted(dict(k).items())) for k in query(head, "slurm_jobs")}
    assert any(dict(k).get("partition") == "batch" for k in jobs), jobs


def test_promtool_test_rules_passes_on_the_node(head):
    project = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"])
    tests = yaml.safe_load((project / "tests/promtool/hpc-cluster.rules.test.yml").read_text())
    tests["rule_files"] = ["/etc/prometheus/rules/hpc-cluster.rules.yml"]
    encoded = base64.b64encode(yaml.safe_dump(tests).encode()).decode()
    head.check_output("echo %s | base64 -d > /tmp/hpc-cluster.rules.test.yml", encoded)
    result = head.run("promtool test rules /tmp/hpc-cluster.rules.test.yml")
    assert result.rc == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def run_monitoring(*extra, inventory=None):
    ephemeral = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
    project = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ephemeral, "ansible.cfg"),
               ANSIBLE_ROLES_PATH=os.path.join(project, "roles"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(project, "collections"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_STDOUT_CALLBACK="default")
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
           inventory or os.environ["MOLECULE_INVENTORY_FILE"], os.path.join(project, "playbooks", "monitoring.yml"),
           *extra]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    changed = {m.group(1): int(m.group(2))
               for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", proc.stdout, re.M)}
    return changed, proc.stdout


def prometheus_pid(head):
    return head.check_output("systemctl show -p MainPID --value prometheus")


def test_config_change_reloads_without_restart(head):
    before = prometheus_pid(head)
    _changed, out = run_monitoring("-e", '{"prometheus_evaluation_interval": "20s"}')
    assert "RUNNING HANDLER [prometheus : Reload Prometheus]" in out
    assert "RUNNING HANDLER [prometheus : Restart Prometheus]" not in out
    assert prometheus_pid(head) == before, "Prometheus restarted instead of reloading"
    assert "evaluation_interval: 20s" in api(head, "/api/v1/status/config")["yaml"]
    assert all(v == 1 for v in query(head, "prometheus_config_last_reload_successful").values())
    run_monitoring()
    assert prometheus_pid(head) == before


def node_targets(head):
    """{node: health} of Prometheus's active node exporter targets."""
    targets = api(head, "/api/v1/targets?state=active")["activeTargets"]
    return {t["labels"]["node"]: t["health"] for t in targets if t["labels"].get("job") == "node"}


def test_node_added_to_the_inventory_becomes_a_target_without_restart(head, tmp_path):
    """A node missing from the inventory is no target; added, it is one after the next run (file_sd)."""
    before = prometheus_pid(head)
    started = head.check_output("systemctl show -p ExecMainStartTimestampMonotonic --value prometheus")
    run_monitoring(inventory=inventory_without(tmp_path, NODE))
    assert wait_for(lambda: NODE not in node_targets(head), timeout=60), node_targets(head)
    assert "slurm-c01" in node_targets(head)
    _changed, out = run_monitoring()
    assert "RUNNING HANDLER [prometheus : Restart Prometheus]" not in out
    assert wait_for(lambda: node_targets(head).get(NODE) == "up", timeout=90), node_targets(head)
    assert prometheus_pid(head) == before, "Prometheus restarted"
    assert head.check_output("systemctl show -p ExecMainStartTimestampMonotonic --value prometheus") == started


def test_rerun_changes_nothing(head):
    before = prometheus_pid(head)
    changed, out = run_monitoring()
    assert changed and all(count == 0 for count in changed.values()), changed
    assert prometheus_pid(head) == before
