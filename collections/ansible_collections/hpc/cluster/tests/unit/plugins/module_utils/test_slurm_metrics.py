# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_metrics: captured sinfo/squeue/scontrol/sdiag outputs (fixtures/slurm_metrics) -> metrics."""

from __future__ import annotations

import os
import pathlib
import re

import pytest

from ansible_collections.hpc.cluster.plugins.module_utils import slurm_metrics as sm

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "slurm_metrics"


def fixture(name):
    return (FIXTURES / name).read_text()


def counts(nodes):
    found = {}
    for node in nodes.values():
        found[node["state"]] = found.get(node["state"], 0) + 1
    return found


def test_sinfo_text():
    nodes = sm.parse_sinfo_text(fixture("sinfo_nodes.txt"))
    assert counts(nodes) == {"idle": 2, "allocated": 1, "mixed": 2, "drained": 2, "draining": 1, "down": 1,
                             "completing": 1}
    assert nodes["c03"]["partitions"] == ["batch", "debug"]
    assert [n for n, v in nodes.items() if not v["responding"]] == ["c06", "c07", "gpu01"]


@pytest.mark.parametrize(("text", "state", "responding"), [
    ("idle", "idle", True), ("idle*", "idle", False), ("drained*", "drained", False), ("mixed-", "mixed", True),
    ("alloc", "allocated", True), ("drain", "drained", True), ("powered_down~", "powered_down", True),
    ("reserved$", "reserved", True), ("MIXED", "mixed", True),
])
def test_text_states(text, state, responding):
    assert sm.parse_text_state(text) == (state, responding)


@pytest.mark.parametrize(("base", "flags", "state"), [
    ("idle", [], "idle"), ("IDLE", ["DRAIN"], "drained"), ("MIXED", ["DRAIN"], "draining"),
    ("allocated", ["DRAIN"], "draining"), ("idle", ["COMPLETING", "DRAIN"], "draining"),
    ("down", ["DRAIN"], "drained"), ("allocated", ["COMPLETING"], "completing"), ("idle", ["FAIL"], "fail"),
    ("down", ["NOT_RESPONDING"], "down"), ("idle", ["MAINTENANCE"], "maint"),
])
def test_json_state_precedence(base, flags, state):
    assert sm.json_state(base, flags) == state


def test_sinfo_json_22_05():
    nodes = sm.parse_sinfo_json(fixture("sinfo_22.05.json"))
    assert {n: v["state"] for n, v in nodes.items()} == {
        "c01": "idle", "c02": "drained", "c03": "draining", "c04": "down", "c05": "completing"}
    assert nodes["c04"]["responding"] is False and nodes["c01"]["responding"] is True
    assert nodes["c03"]["partitions"] == ["batch", "debug"]


def test_sinfo_json_24_05_groups():
    nodes = sm.parse_sinfo_json(fixture("sinfo_24.05.json"))
    assert {n: v["state"] for n, v in nodes.items()} == {
        "c01": "idle", "c02": "idle", "c03": "mixed", "c04": "drained", "c05": "down"}
    assert nodes["c03"]["partitions"] == ["batch", "debug"]
    assert nodes["c05"]["responding"] is False


@pytest.mark.parametrize(("text", "message"), [
    ("not json", "not JSON"), ("[]", "expected an object"), ('{"errors": []}', "neither 'nodes' nor 'sinfo'"),
    ('{"sinfo": [{"node": {"state": ["IDLE"]}, "nodes": {"nodes": ["c[01-02]"]}}]}', "not a plain list"),
    ('{"nodes": [{"name": "c01", "state": 3}]}', "neither a string nor a list"),
])
def test_sinfo_json_unknown_shapes_refused(text, message):
    with pytest.raises(sm.SlurmMetricsError, match=re.escape(message)):
        sm.parse_sinfo_json(text)


@pytest.mark.parametrize("line", ["c01|idle", "|idle|batch", "c01 idle batch"])
def test_sinfo_text_refuses_other_columns(line):
    with pytest.raises(sm.SlurmMetricsError, match="expected NODE\\|STATE\\|PARTITION"):
        sm.parse_sinfo_text(line)


def test_squeue_text_counts_multi_partition_jobs_in_each():
    assert sm.parse_squeue_text(fixture("squeue_jobs.txt")) == {
        ("batch", "running"): 2, ("batch", "pending"): 2, ("debug", "pending"): 2, ("debug", "running"): 1}


@pytest.mark.parametrize(("name", "expected"), [
    ("squeue_22.05.json", {("batch", "running"): 1, ("batch", "pending"): 1, ("debug", "pending"): 1}),
    ("squeue_24.05.json", {("batch", "running"): 1, ("batch", "pending"): 1}),
])
def test_squeue_json(name, expected):
    assert sm.parse_squeue_json(fixture(name)) == expected


def test_squeue_text_refuses_other_columns():
    with pytest.raises(sm.SlurmMetricsError, match="squeue line 1"):
        sm.parse_squeue_text("101 batch RUNNING")


@pytest.mark.parametrize(("name", "expected"), [
    ("scontrol_ping_up.txt", {"primary": True}),
    ("scontrol_ping_backup_down.txt", {"primary": True, "backup": False}),
    ("scontrol_ping_down.txt", {"primary": False}),
])
def test_ping(name, expected):
    assert sm.parse_ping(fixture(name)) == expected


def test_ping_without_answer_refused():
    with pytest.raises(sm.SlurmMetricsError):
        sm.parse_ping("slurm_load_ctl_conf error: Unable to contact slurm controller (connect failure)")


def test_sdiag():
    assert sm.parse_sdiag(fixture("sdiag_22.05.txt")) == {
        "agent_queue_size": 2, "main_last_cycle_us": 105, "backfill_last_cycle_us": 2500,
        "backfill_last_cycle_when": 1704967170}


def test_sdiag_before_the_first_backfill_cycle():
    parsed = sm.parse_sdiag(fixture("sdiag_no_backfill.txt"))
    assert "backfill_last_cycle_when" not in parsed
    assert parsed["main_last_cycle_us"] == 80 and parsed["backfill_last_cycle_us"] == 0


def test_sdiag_date_without_epoch():
    text = "Backfilling stats\n\tLast cycle when: Thu Jan 11 09:59:30 2024\n"
    assert "backfill_last_cycle_when" in sm.parse_sdiag(text)


class Commands:
    """runner(argv) -> (rc, stdout) from a table keyed by the argv tuple; records the calls."""

    def __init__(self, table):
        self.table, self.calls = table, []

    def __call__(self, argv):
        self.calls.append(tuple(argv))
        return self.table.get(tuple(argv), (1, ""))


TEXT_TABLE = {
    tuple(sm.SINFO_TEXT): (0, fixture("sinfo_nodes.txt")),
    tuple(sm.SQUEUE_TEXT): (0, fixture("squeue_jobs.txt")),
    tuple(sm.PING): (0, fixture("scontrol_ping_up.txt")),
    tuple(sm.SDIAG): (0, fixture("sdiag_22.05.txt")),
}


def test_collect_prefers_json():
    table = dict(TEXT_TABLE)
    table[tuple(sm.SINFO_JSON)] = (0, fixture("sinfo_22.05.json"))
    table[tuple(sm.SQUEUE_JSON)] = (0, fixture("squeue_22.05.json"))
    runner = Commands(table)
    data = sm.collect(runner)
    assert data["json"] is True
    assert tuple(sm.SINFO_TEXT) not in runner.calls
    assert counts(data["nodes"])["drained"] == 1


@pytest.mark.parametrize("sinfo_json", [(1, ""), (0, '{"errors": []}')], ids=["no-serializer", "unknown-shape"])
def test_collect_falls_back_to_the_formats(sinfo_json):
    table = dict(TEXT_TABLE)
    table[tuple(sm.SINFO_JSON)] = sinfo_json
    data = sm.collect(Commands(table))
    assert data["json"] is False
    assert counts(data["nodes"])["drained"] == 2
    assert data["partitions"] == ["batch", "debug", "gpu"]
    assert data["success"] == {"sinfo": True, "squeue": True, "scontrol_ping": True, "sdiag": True}


def test_collect_with_slurmctld_down():
    runner = Commands({tuple(sm.PING): (1, fixture("scontrol_ping_down.txt"))})
    data = sm.collect(runner)
    assert data["scheduler_up"] is False
    assert "nodes" not in data and "jobs" not in data
    assert data["success"] == {"sinfo": False, "squeue": False, "scontrol_ping": True, "sdiag": False}
    text = sm.render(data, 1704967200)
    assert "slurm_scheduler_up 0" in text
    assert 'slurm_metrics_collect_success{source="sinfo"} 0' in text
    assert "slurm_nodes{" not in text


def samples(text):
    return {line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1] for line in text.splitlines() if not line.startswith("#")}


def test_render():
    data = sm.collect(Commands(TEXT_TABLE), use_json=False)
    got = samples(sm.render(data, 1704967200))
    assert got['slurm_nodes{state="drained"}'] == "2"
    assert got['slurm_nodes{state="idle"}'] == "2"
    # Every listed state is written, 0 when no node has it.
    assert got['slurm_nodes{state="maint"}'] == "0"
    assert got['slurm_node_state{slurm_node="c04",state="drained"}'] == "1"
    assert got['slurm_node_responding{slurm_node="c06"}'] == "0"
    assert got['slurm_jobs{partition="batch",state="pending"}'] == "2"
    assert got['slurm_jobs{partition="gpu",state="running"}'] == "0"
    assert got["slurm_scheduler_up"] == "1"
    assert got["slurm_scheduler_backfill_last_cycle_timestamp_seconds"] == "1704967170"
    assert got["slurm_scheduler_backfill_last_cycle_age_seconds"] == "30"
    assert got["slurm_scheduler_backfill_last_cycle_duration_seconds"] == "0.0025"
    assert got["slurm_scheduler_agent_queue_size"] == "2"
    assert got["slurm_metrics_json"] == "0"
    assert got["slurm_metrics_last_success_timestamp_seconds"] == "1704967200"


def test_render_declares_every_metric_once_with_known_names():
    text = sm.render(sm.collect(Commands(TEXT_TABLE), use_json=False), 1704967200)
    declared = re.findall(r"^# TYPE (\S+) gauge$", text, re.M)
    assert len(declared) == len(set(declared))
    assert set(declared) <= set(sm.METRICS)
    for name in {line.split("{")[0].split(" ")[0] for line in text.splitlines() if not line.startswith("#")}:
        assert name in declared, name


def test_label_values_escaped():
    data = {"nodes": {'odd"name\\': {"state": "idle", "responding": True, "partitions": []}}}
    assert 'slurm_node="odd\\"name\\\\"' in sm.render(data, 0)


def test_main_writes_the_file_atomically(tmp_path, monkeypatch):
    monkeypatch.setattr(sm, "run", lambda argv, timeout: TEXT_TABLE.get(tuple(argv), (1, "")))
    output = tmp_path / "slurm.prom"
    assert sm.main(["--output", str(output)]) == 0
    assert 'slurm_nodes{state="drained"} 2' in output.read_text()
    assert oct(output.stat().st_mode & 0o777) == "0o644"
    assert os.listdir(tmp_path) == ["slurm.prom"]


def test_run_reports_a_missing_command():
    assert sm.run(["/nonexistent/sinfo"], 5) == (127, "")


def test_no_ansible_import():
    """The file runs on the node with the platform Python alone."""
    source = pathlib.Path(sm.__file__).read_text()
    assert not re.search(r"^\s*(from|import) ansible", source, re.M)


def test_no_label_collides_with_a_target_label():
    """Prometheus renames a metric's label that a target label also sets (`node` would become
    `exported_node`, and the alert would name the exporter's host): the metrics use none of them."""
    from ansible_collections.hpc.cluster.plugins.filter.prometheus_targets import prometheus_targets

    groups = {"all": ["c01"], "cluster": ["c01"], "compute": ["c01"]}
    targets = prometheus_targets({"c01": {"ansible_host": "10.1.0.21"}}, groups, 9100, cluster="lab",
                                 partitions=[{"name": "batch", "groups": ["compute"]}])
    target_labels = {"instance", "job"} | {key for entry in targets for key in entry["labels"]}
    text = sm.render(sm.collect(Commands(TEXT_TABLE), use_json=False), 1704967200)
    used = set(re.findall(r"[{,]([a-z_]+)=\"", text))
    assert "node" in target_labels and used
    assert not used & target_labels, used & target_labels
