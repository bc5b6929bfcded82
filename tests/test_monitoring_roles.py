"""Roles prometheus and alertmanager on a throwaway inventory, connection local.

Bad input (a scrape interval or retention that is not a duration, a monitoring host not in the
inventory, a receiver URL that is not a URL) is refused by the preflights, naming the culprit,
before any change. Then the configuration is rendered into tmp_path (configure.yml with the
paths pointed there, promtool from .cache/ as its validator) and read back: prometheus.yml,
the file_sd targets, alertmanager.yml; a node added to the inventory changes the targets only.

Cases share runs: every bad input and every render is a host of one batch (outside group cluster,
so never a scrape target); cluster-wide cases and other inventories get runs of their own.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from playbook_harness import TOP, local_host, start

GROUPS = {"control": ["head"], "login": ["login1"], "compute": ["c01", "c02"]}
ADDRESSES = {"head": "10.1.0.10", "login1": "10.1.0.11", "c01": "10.1.0.21", "c02": "10.1.0.22",
             "c03": "10.1.0.23"}
CLUSTER_VARS = {"cluster_name": "lab", "slurm_partitions": [{"name": "batch", "groups": ["compute"], "default": True}]}
MARKER = "Change something"


def promtool():
    """promtool from bin/bootstrap's .cache (or PATH)."""
    cached = TOP / ".cache/prometheus/usr/bin/promtool"
    found = str(cached) if cached.exists() else shutil.which("promtool")
    assert found, "promtool missing: run bin/bootstrap"
    return found


def inventory(cluster_vars=None, groups=None, cases=None, render=None):
    """The cluster (groups of hosts at ADDRESSES); beside it, outside group cluster (so never a
    scrape target), group `cases` (a bad-input case per host) and group `render` (hosts that
    render the configuration into their own out_dir)."""
    groups = groups or GROUPS
    children = {"cluster": {"vars": dict(cluster_vars or {}), "children": {
        g: {"hosts": {h: local_host(ansible_host=ADDRESSES[h]) for h in members}} for g, members in groups.items()}}}
    for group, hosts in (("cases", cases), ("render", render)):
        if hosts:
            children[group] = {"hosts": {h: local_host(**variables) for h, variables in hosts.items()}}
    return {"all": {"vars": CLUSTER_VARS, "children": children}}


def preflight_play(markers=None, hosts="cluster", gather_once=False):
    """Both preflights, then (with markers) a change, a marker file per host outside group render:
    absent where the run was refused. gather_once: the facts gathered once for every host (all
    are this machine), not once per host by the roles."""
    setup = [{"ansible.builtin.setup": {"gather_subset": ["min"]}, "run_once": True}] if gather_once else []
    change = [{"name": MARKER, "ansible.builtin.copy": {
        "content": "changed\n", "dest": str(markers / "marker-{{ inventory_hostname }}"), "mode": "0644"},
        "when": "'render' not in group_names"}] if markers else []
    return {"name": "Monitoring preflight", "hosts": hosts, "gather_facts": False, "tasks": [
        *setup,
        {"ansible.builtin.include_role": {"name": "prometheus", "tasks_from": "preflight.yml"}},
        {"ansible.builtin.include_role": {"name": "alertmanager", "tasks_from": "preflight.yml"}},
        *change,
    ]}


def render_play():
    """configure.yml of prometheus and alertmanager on group render, every path under the host's
    out_dir (set as facts: they beat the roles' OS data); amtool is not on this machine (the
    rendered file is read back instead)."""
    paths = {
        "prometheus_config_dir": "{{ out_dir }}/prometheus",
        "__prometheus_env_file": "{{ out_dir }}/default-prometheus", "__prometheus_promtool": promtool(),
        "alertmanager_config_file": "{{ out_dir }}/alertmanager.yml",
        "__alertmanager_env_file": "{{ out_dir }}/default-alertmanager",
        "__alertmanager_amtool": "/bin/true", "__alertmanager_user": "root",
    }
    return {"name": "Render", "hosts": "render", "gather_facts": False, "tasks": [
        {"ansible.builtin.set_fact": paths},
        {"ansible.builtin.include_role": {"name": "prometheus", "tasks_from": "configure.yml"}},
        {"ansible.builtin.include_role": {"name": "alertmanager", "tasks_from": "configure.yml"}},
        # Never the handlers (reload of a real service) on this machine; their last step, which
        # forgets the change written (else the next run here applies it again), is done here.
        {"name": "Forget the changes written", "hpc.cluster.files": {"entries": [
            {"path": "{{ out_dir }}/.prometheus.not-applied.json", "state": "absent"},
            {"path": "{{ out_dir }}/.alertmanager.not-applied.json", "state": "absent"}]}},
        {"ansible.builtin.meta": "end_play"}]}
WHERE_PLAY = {"name": "Where", "hosts": "monitoring_servers", "gather_facts": False, "tasks": [
    {"name": "Monitoring server", "ansible.builtin.debug": {"msg": "{{ inventory_hostname }}"}}]}


def render_run(workdir, render, cluster_vars=None, groups=None):
    """Preflight on the cluster and the render hosts, then configure.yml on the render hosts (which
    carry the cluster's variables too, like a monitoring host of the cluster)."""
    workdir.mkdir()
    render = {host: dict(cluster_vars or {}, **variables) for host, variables in render.items()}
    play = [preflight_play(None, "cluster:render", gather_once=True), WHERE_PLAY, render_play()]
    return start(workdir, play, inventory(cluster_vars, groups, render=render))


def rendered(result, host):
    """The host rendered without failure and no handler ran."""
    result.passed(host)
    handlers = [task["name"] for task, _result in result.tasks(host) if "/handlers/" in task.get("path", "")]
    assert handlers == [], handlers


BAD = [
    # (id, variables, culprit expected in the message; {host} is the case's host)
    ("scrape-interval", {"prometheus_scrape_interval": "15 seconds"},
     "prometheus_scrape_interval '15 seconds' is not a duration"),
    ("scrape-interval-number", {"prometheus_scrape_interval": 15},
     "prometheus_scrape_interval '15' is not a duration"),
    ("retention", {"prometheus_retention": "2 weeks"}, "prometheus_retention '2 weeks' is not a duration"),
    # The configure step's file lookup failed on it, after the other roles' changes.
    ("rule-file-missing", {"prometheus_rule_files": ["/nonexistent/site.rules.yml"]},
     "prometheus_rule_files /nonexistent/site.rules.yml: not a file on the controller"),
    # promtool refused it only in the configure step, after the other roles' changes.
    ("scrape-timeout", {"prometheus_scrape_interval": "10s", "prometheus_scrape_timeout": "30s"},
     "prometheus_scrape_timeout '30s' is longer than prometheus_scrape_interval '10s': Prometheus refuses that"),
    ("retention-unit-order", {"prometheus_retention": "30m1h"}, "prometheus_retention '30m1h'"),
    ("monitoring-host", {"prometheus_server_host": "haed"},
     "prometheus_server_host 'haed' is not a host of the inventory"),
    ("receiver-url", {"alertmanager_receiver_url": "hooks.example.org/alerts"},
     "alertmanager_receiver_url 'hooks.example.org/alerts' is not a URL"),
    ("receiver-url-scheme", {"alertmanager_receiver_url": "ftp://hooks.example.org/alerts"},
     "alertmanager_receiver_url 'ftp://hooks.example.org/alerts' is not a URL"),
    ("receiver-url-space", {"alertmanager_receiver_url": "https://hooks.example.org/a b"},
     "is not a URL"),
    # Prometheus took it and made its alert links 'prometheus.lab:9090/graph?...'.
    ("external-url", {"prometheus_external_url": "prometheus.lab:9090"},
     "prometheus_external_url 'prometheus.lab:9090' must be empty or the http(s)://host[:port][/path] users reach"),
    ("external-url-query", {"prometheus_external_url": "https://hpc.example.org/prometheus?x=1"},
     "prometheus_external_url 'https://hpc.example.org/prometheus?x=1' must be empty or"),
    ("group-wait", {"alertmanager_group_wait": "30 seconds"},
     "alertmanager_group_wait '30 seconds' is not a duration (a duration is a number and a unit"),
    # amtool refused it only when the configure step got there ("group_interval cannot be zero").
    ("group-interval-zero", {"alertmanager_group_interval": "0s", "alertmanager_repeat_interval": "0"},
     "alertmanager_group_interval '0s' must not be zero; alertmanager_repeat_interval '0' must not be zero"),
    ("evaluation-interval-zero", {"prometheus_evaluation_interval": "0s0ms"},
     "prometheus_evaluation_interval '0s0ms' must not be zero"),
    # Prometheus took it and sent every alert to localhost:80 (http's port), where nothing listens.
    ("alertmanager-no-port", {"prometheus_alertmanagers": ["am1.lab:9093", "localhost"]},
     "prometheus_alertmanagers 'localhost' must be host:port"),
    # Prometheus took it and sent every alert to localhost:70000, which no daemon can listen on.
    ("alertmanager-port-out-of-range", {"prometheus_alertmanagers": ["localhost:70000", "[fd00::5]:9093"]},
     "prometheus_alertmanagers 'localhost:70000' must be host:port, the port from 1 to 65535"),
]
# Each refusal names its culprit only: the settings that are right stay out of the message (the
# retention size, port, URL and archive settings were one message that named them all).
NOT_NAMED = {"external-url": ["prometheus_retention_size", "prometheus_port", "prometheus_archive_checksum"],
             "alertmanager-no-port": ["am1.lab", "prometheus_external_url", "prometheus_port"],
             "alertmanager-port-out-of-range": ["fd00::5"],
             "group-wait": ["alertmanager_group_interval", "alertmanager_repeat_interval", "alertmanager_port",
                            "alertmanager_archive_checksum"]}
# Checked once per run (run_once): a refusal fails every host, so the case has a run of its own.
CLUSTER_WIDE = {"monitoring-host"}
GOOD = {"prometheus_scrape_interval": "30s", "prometheus_retention": "1y2w", "alertmanager_group_wait": "0s",
        "alertmanager_receiver_url": "https://hooks.example.org:8443/alerts?team=hpc"}
RECEIVER = "https://hooks.example.org/alerts"
# Behind a reverse proxy's path: Prometheus serves under /prometheus (its route prefix).
EXTERNAL = "https://hpc.example.org/prometheus/"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    top = tmp_path_factory.mktemp("monitoring")
    out = {name: top / name for name in ("prom", "default", "receiver", "added", "rerun", "slurm")}
    render = {"render-prom": {"out_dir": str(out["prom"]), "prometheus_retention": "30d",
                              "prometheus_scrape_interval": "20s", "prometheus_external_url": EXTERNAL},
              "render-default": {"out_dir": str(out["default"])},
              "render-receiver": {"out_dir": str(out["receiver"]), "alertmanager_receiver_url": RECEIVER},
              "render-added": {"out_dir": str(out["added"])},
              "render-rerun": {"out_dir": str(out["rerun"])}}
    cases = {"bad-" + case: variables for case, variables, _culprit in BAD if case not in CLUSTER_WIDE}
    # The cluster's own hosts carry good input: they pass next to the refused cases.
    batch = top / "batch"
    batch.mkdir()
    started = {"batch": start(batch, [preflight_play(batch, "cluster:cases:render", gather_once=True), WHERE_PLAY,
                                      render_play()], inventory(GOOD, cases=cases, render=render))}
    # A site rule file dropped from prometheus_rule_files since the last run, and one still there.
    (out["slurm"] / "prometheus/rules").mkdir(parents=True)
    (out["slurm"] / "prometheus/rules/site-dropped.yml").write_text("groups: []\n")
    (top / "kept.yml").write_text("groups:\n  - name: site\n    rules:\n      - alert: Up\n        expr: up == 1\n")
    started["slurm"] = render_run(top / "run-slurm", {"render-slurm": {"out_dir": str(out["slurm"])}},
                                  cluster_vars={"slurm_version": "25.11",
                                                "prometheus_rule_files": [str(top / "kept.yml")],
                                                "slurm_config": {"SlurmctldPort": "6827-6828"}})
    for case, variables, _culprit in BAD:
        if case in CLUSTER_WIDE:
            (top / case).mkdir()
            started[case] = start(top / case, [preflight_play(top / case)], inventory(variables))
    wins = top / "group-wins"
    wins.mkdir()
    started["group-wins"] = start(wins, [
        {"name": "Preflight", "hosts": "cluster", "gather_facts": False, "tasks": [
            {"ansible.builtin.include_role": {"name": "prometheus", "tasks_from": "preflight.yml"}}]},
        {"name": "Where", "hosts": "monitoring_servers", "gather_facts": False, "tasks": [
            {"ansible.builtin.copy": {"content": "x", "dest": str(wins / "server-{{ inventory_hostname }}"),
                                      "mode": "0644"}}]}], inventory(groups=dict(GROUPS, monitoring=["login1"])))
    results = {"top": top, "out": out, "batch": started.pop("batch").result()}
    # Second renders into the first run's directories: a node more; the same inventory again.
    results["before"] = {p.relative_to(out["added"]): p.read_bytes() for p in out["added"].rglob("*") if p.is_file()}
    started["added"] = render_run(top / "run-added", {"render-added": {"out_dir": str(out["added"])}},
                                  groups=dict(GROUPS, compute=["c01", "c02", "c03"]))
    started["rerun"] = render_run(top / "run-rerun", {"render-rerun": {"out_dir": str(out["rerun"])}})
    results.update({name: future.result() for name, future in started.items()})
    return results


@pytest.mark.parametrize(("case", "culprit"), [(c[0], c[2]) for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_refused_before_any_change(runs, case, culprit):
    if case in CLUSTER_WIDE:
        run = runs[case]
        assert run.returncode != 0, run.output[-3000:]
        assert culprit in run.output, run.output[-3000:]
        assert not list((runs["top"] / case).glob("marker-*")), "a task ran after the refusal"
    else:
        host = "bad-" + case
        runs["batch"].refused(host, culprit)
        assert MARKER not in [task["name"] for task, _result in runs["batch"].tasks(host)]
        assert not (runs["top"] / "batch" / ("marker-" + host)).exists(), "a task ran after the refusal"


@pytest.mark.parametrize("case", sorted(NOT_NAMED))
def test_a_refusal_names_only_the_culprit(runs, case):
    message = runs["batch"].failure_text("bad-" + case)
    assert [name for name in NOT_NAMED[case] if name in message] == [], message


def test_good_input_passes(runs):
    for host in ("head", "login1", "c01", "c02"):
        runs["batch"].passed(host)
    assert sorted(p.name for p in (runs["top"] / "batch").glob("marker-*")) == [
        "marker-c01", "marker-c02", "marker-head", "marker-login1"]


def test_monitoring_group_wins(runs):
    """With a `monitoring` group, its hosts form monitoring_servers (no control host by default)."""
    run = runs["group-wins"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert [p.name for p in (runs["top"] / "group-wins").glob("server-*")] == ["server-login1"]


def test_control_host_is_the_monitoring_server_by_default(runs):
    assert [host for host in ("head", "login1", "c01", "c02")
            if "Monitoring server" in [task["name"] for task, _result in runs["batch"].tasks(host)]] == ["head"]


def test_render_prometheus(runs):
    out = runs["out"]["prom"]
    rendered(runs["batch"], "render-prom")
    config = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    assert config["global"]["scrape_interval"] == "20s"
    assert config["global"]["external_labels"] == {"cluster": "lab"}
    assert config["rule_files"] == [str(out / "prometheus/rules") + "/*.yml"]
    node_job = next(job for job in config["scrape_configs"] if job["job_name"] == "node")
    assert node_job["file_sd_configs"] == [{"files": [str(out / "prometheus/file_sd/node.json")]}]
    assert not [job for job in config["scrape_configs"] if job["job_name"].startswith("slurm")]
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["localhost:9093"]
    assert (out / "prometheus/rules/hpc-cluster.rules.yml").read_bytes() == (
        TOP / "roles/prometheus/files/rules/hpc-cluster.rules.yml").read_bytes()
    flags = (out / "default-prometheus").read_text()
    assert "--storage.tsdb.retention.time=30d" in flags
    assert "--web.external-url=%s" % EXTERNAL in flags
    # Its own metrics under the route prefix; /metrics answered 404 there.
    own = next(job for job in config["scrape_configs"] if job["job_name"] == "prometheus")
    assert own["metrics_path"] == "/prometheus/metrics"
    assert "--config.file=%s/prometheus.yml" % (out / "prometheus") in flags
    # The rendered file passes promtool with the rule and file_sd files it names.
    check = subprocess.run([promtool(), "check", "config", str(out / "prometheus/prometheus.yml")],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert re.search(r"SUCCESS: 1 rule files? found", check.stdout + check.stderr), check.stdout + check.stderr


def test_render_file_sd(runs):
    out = runs["out"]["default"]
    rendered(runs["batch"], "render-default")
    config = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    assert "metrics_path" not in next(job for job in config["scrape_configs"] if job["job_name"] == "prometheus")
    targets = json.loads((out / "prometheus/file_sd/node.json").read_text())
    assert sorted((t["labels"]["node"], t["targets"], t["labels"]["groups"], t["labels"]["partitions"])
                  for t in targets) == [
        ("c01", ["10.1.0.21:9100"], ",compute,", ",batch,"),
        ("c02", ["10.1.0.22:9100"], ",compute,", ",batch,"),
        ("head", ["10.1.0.10:9100"], ",control,", ""),
        ("login1", ["10.1.0.11:9100"], ",login,", ""),
    ]
    assert {t["labels"]["cluster"] for t in targets} == {"lab"}
    assert json.loads((out / "prometheus/file_sd/slurm.json").read_text()) == []


def test_slurm_openmetrics_from_25_11(runs):
    out = runs["out"]["slurm"]
    rendered(runs["slurm"], "render-slurm")
    config = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job.get("metrics_path") for job in config["scrape_configs"]}
    assert jobs["slurm-nodes"] == "/metrics/nodes" and jobs["slurm-scheduler"] == "/metrics/scheduler"
    slurm = json.loads((out / "prometheus/file_sd/slurm.json").read_text())
    # slurmctld's port as slurm.conf sets it (the first of a range): a fixed 6817 missed a moved one.
    assert [t["targets"] for t in slurm] == [["10.1.0.10:6827"]]
    # Prometheus loads every rules/*.yml: a site file no longer listed went on alerting.
    assert sorted(p.name for p in (out / "prometheus/rules").iterdir()) == ["hpc-cluster.rules.yml", "site-kept.yml"]


def test_added_node_changes_only_the_targets(runs):
    out = runs["out"]["added"]
    rendered(runs["batch"], "render-added")
    rendered(runs["added"], "render-added")
    before = runs["before"]
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    changed = sorted(str(p) for p in after if after[p] != before.get(p))
    assert changed == ["prometheus/file_sd/node.json"], changed
    assert "c03" in after[Path("prometheus/file_sd/node.json")].decode()


def test_rerun_changes_nothing(runs):
    rendered(runs["batch"], "render-rerun")
    run = runs["rerun"]
    rendered(run, "render-rerun")
    assert {host: stats["changed"] for host, stats in run.data["stats"].items() if stats["changed"]} == {}


def test_render_alertmanager_without_receiver(runs):
    rendered(runs["batch"], "render-default")
    config = yaml.safe_load((runs["out"]["default"] / "alertmanager.yml").read_text())
    assert config["route"]["receiver"] == "none"
    assert config["receivers"] == [{"name": "none"}]


def test_render_alertmanager_with_receiver(runs):
    rendered(runs["batch"], "render-receiver")
    config = yaml.safe_load((runs["out"]["receiver"] / "alertmanager.yml").read_text())
    assert config["route"]["receiver"] == "site"
    assert config["receivers"] == [{"name": "site", "webhook_configs": [{"url": RECEIVER, "send_resolved": True}]}]


# A node's own copy of the server's settings is never used: site.yml's preflight (playbooks/
# preflight.yml) checks Prometheus and Alertmanager settings on the monitoring servers only, so a
# re-run costs no check per node for them (and a bad copy on a node is no error).
SERVER_ONLY_BAD = {"prometheus_retention": "2 weeks", "alertmanager_receiver_url": "hooks.example.org/alerts"}


def site_preflight_run(workdir, bad_host):
    """The monitoring concern of playbooks/preflight.yml, with the bad settings on one host."""
    workdir.mkdir()
    inv = inventory(dict(CLUSTER_VARS, grafana_enabled=False))
    for group in inv["all"]["children"]["cluster"]["children"].values():
        if bad_host in group["hosts"]:
            group["hosts"][bad_host].update(SERVER_ONLY_BAD)
    return start(workdir, TOP / "playbooks" / "preflight.yml", inv,
                 extra={"cluster_preflight_concerns": ["monitoring"]})


def test_site_preflight_checks_the_server_settings_on_the_servers_only(tmp_path):
    on_node, on_server = site_preflight_run(tmp_path / "node", "c01"), site_preflight_run(tmp_path / "server", "head")
    on_node, on_server = on_node.result(), on_server.result()
    assert on_node.returncode == 0, on_node.output[-3000:]
    checked = {host: [task["name"] for task, result in on_node.tasks(host)
                      if task["name"].startswith(("prometheus : Check the", "alertmanager : Check the"))
                      and not result.get("skipped")]
               for host in ("head", "c01", "login1")}
    assert checked == {"head": ["prometheus : Check the durations, sizes, port and archive settings",
                                "alertmanager : Check the receiver URL, the routing intervals and the port"],
                       "c01": [], "login1": []}
    on_server.refused("head", "prometheus_retention '2 weeks' is not a duration")


def test_daemons_of_a_node_on_one_port_are_refused(tmp_path):
    # node_exporter on every node, Prometheus and Alertmanager on the monitoring host, slurmctld on
    # the controller, slurmd on the compute nodes: a shared port is named on each node it is on.
    inv = inventory(dict(CLUSTER_VARS, grafana_enabled=False, node_exporter_port=9090,
                         slurm_config={"SlurmdPort": 9090}))
    run = start(tmp_path, TOP / "playbooks" / "preflight.yml", inv,
                extra={"cluster_preflight_concerns": ["monitoring"]}).result()
    run.refused("head", "monitoring on head: node_exporter (node_exporter_port) 9090 and prometheus (prometheus_port)"
                " 9090 would listen on the same port. Give each daemon a port of its own.")
    run.refused("c01", "node_exporter (node_exporter_port) 9090 and slurmd (SlurmdPort) 9090 would listen")
    assert "monitoring on login1" not in run.output


def test_the_slurm_collector_and_its_units_are_one_call(tmp_path):
    """Role slurm_exporter writes the collector (library directory, code, program) and its service
    and timer units in one call (hpc.cluster.files; they were two, and a template per unit before);
    only a unit changed restarts the timer. Paths under tmp_path; the play ends before its handlers."""
    paths = {"__slurm_exporter_unit_dir": str(tmp_path / "units"), "__slurm_exporter_lib_dir": str(tmp_path / "lib"),
             "__slurm_exporter_program": str(tmp_path / "hpc-slurm-metrics"),
             "__slurm_exporter_python": "/usr/bin/python3"}
    for name in ("units", "first", "second"):
        (tmp_path / name).mkdir()
    plays = [{"name": "Collector of role slurm_exporter", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.set_fact": paths},
        {"ansible.builtin.include_role": {"name": "slurm_exporter", "tasks_from": "configure.yml"}},
        # The handlers do not run here; their last step (forget the change written) does.
        {"hpc.cluster.files": {"entries": [{"path": str(tmp_path / "lib" / ".not-applied.json"), "state": "absent"}]}},
        {"ansible.builtin.meta": "end_play"}]}]
    write = "slurm_exporter : Install the collector (its code and program) and its systemd units (service and timer)"
    restart = "slurm_exporter : Restart the collector's timer when a unit changed"
    units = [str(tmp_path / "units" / ("hpc-slurm-metrics." + kind)) for kind in ("service", "timer")]
    first = start(tmp_path / "first", plays, {"all": {"hosts": {"node": local_host()}}}).result()
    first.passed("node")
    written = first.task_result("node", write)
    assert "results" not in written, written
    assert written["changed_paths"] == [paths["__slurm_exporter_lib_dir"],
                                        paths["__slurm_exporter_lib_dir"] + "/slurm_metrics.py",
                                        paths["__slurm_exporter_program"], *units]
    assert first.task_result("node", restart)["msg"] == "units changed: " + ", ".join(units)
    Path(paths["__slurm_exporter_program"]).write_text("#!/bin/sh\n")
    second = start(tmp_path / "second", plays, {"all": {"hosts": {"node": local_host()}}}).result()
    second.passed("node")
    assert second.task_result("node", write)["changed_paths"] == [paths["__slurm_exporter_program"]]
    assert second.task_result("node", restart).get("skipped") is True


PROMETHEUS_WRITE = ("prometheus : Write the configuration directories, the scrape targets, the alert rules,"
                    " prometheus.yml and the start flags")
PROMETHEUS_APPLY = "prometheus : Reload or restart Prometheus for what changed"


def test_prometheus_writes_its_configuration_in_one_call_and_applies_what_changed(runs):
    """Role prometheus's directories, targets, rules, prometheus.yml (checked by promtool) and start
    flags are one hpc.cluster.files call (they were four module calls); what changed decides: a rule
    file or prometheus.yml reloads, the start flags restart, the targets alone nothing."""
    out = runs["out"]["default"]
    first = runs["batch"].task_result("render-default", PROMETHEUS_WRITE)
    assert "results" not in first, first
    assert {str(out / "prometheus/rules/hpc-cluster.rules.yml"), str(out / "prometheus/prometheus.yml"),
            str(out / "default-prometheus")} <= set(first["changed_paths"]), first["changed_paths"]
    assert runs["batch"].task_result("render-default", PROMETHEUS_APPLY)["msg"].startswith(
        "prometheus reload and prometheus restart: ")
    added = runs["added"].task_result("render-added", PROMETHEUS_WRITE)
    assert added["changed_paths"] == [str(runs["out"]["added"] / "prometheus/file_sd/node.json")]
    assert runs["added"].task_result("render-added", PROMETHEUS_APPLY).get("skipped") is True


def test_alertmanager_writes_its_configuration_in_one_call_and_applies_what_changed(runs):
    """alertmanager.yml (checked by amtool) and the start flags: one call; a new alertmanager.yml
    reloads, new start flags restart; a node added changes neither."""
    out = runs["out"]["default"]
    name = "alertmanager : Write alertmanager.yml (checked by amtool) and the start flags"
    first = runs["batch"].task_result("render-default", name)
    assert first["changed_paths"] == [str(out / "alertmanager.yml"), str(out / "default-alertmanager")]
    apply = "alertmanager : Reload or restart Alertmanager for what changed"
    assert runs["batch"].task_result("render-default", apply)["msg"].startswith(
        "alertmanager reload and alertmanager restart: ")
    assert runs["added"].task_result("render-added", name)["changed_paths"] == []
    assert runs["added"].task_result("render-added", apply).get("skipped") is True


# Where Prometheus (Alertmanager) runs with another data directory than the inventory's, the run
# would start it with no samples (no silences): refused unless the admin moved them (the flag).
DATA_DIRS = {
    # (the data directories in the start flags, extra variables, refused with)
    "moved_away": (("/srv/prom/old/", "/var/lib/prometheus/alertmanager"), {},
                   "prometheus on head: prometheus_data_dir would change from /srv/prom/old (where Prometheus runs "
                   "now) to /var/lib/prometheus/metrics2: Prometheus would start with no samples there"),
    "silences_away": (("/var/lib/prometheus/metrics2", "/srv/am"), {"alertmanager_data_dir": "/srv/am2/"},
                      "alertmanager on head: alertmanager_data_dir would change from /srv/am (where Alertmanager "
                      "runs now) to /srv/am2/: Alertmanager would start without its silences"),
    "moved_by_the_admin": (("/srv/prom/old", "/srv/am"), {"prometheus_data_moved": True,
                                                           "alertmanager_data_moved": True}, None),
    "same_with_a_slash": (("/var/lib/prometheus/metrics2/", "/var/lib/prometheus/alertmanager"),
                          {"prometheus_data_dir": "/var/lib/prometheus/metrics2"}, None),
}


def test_a_data_directory_change_is_refused_where_the_daemon_runs_with_another(tmp_path):
    runs = {}
    for name, ((prometheus_dir, alertmanager_dir), extra, _) in DATA_DIRS.items():
        workdir = tmp_path / name
        workdir.mkdir()
        (workdir / "prometheus.env").write_text(
            '# flags\nARGS="--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=%s'
            ' --web.listen-address=:9090"\n' % prometheus_dir)
        (workdir / "alertmanager.env").write_text(
            'ARGS="--config.file=/etc/prometheus/alertmanager.yml --storage.path=%s"\n' % alertmanager_dir)
        runs[name] = start(workdir, TOP / "playbooks" / "preflight.yml", inventory(dict(CLUSTER_VARS, **extra)),
                           extra={"cluster_preflight_concerns": ["monitoring"],
                                  "__prometheus_env_file": str(workdir / "prometheus.env"),
                                  "__alertmanager_env_file": str(workdir / "alertmanager.env")})
    for name, (_, _, refused) in DATA_DIRS.items():
        run = runs[name].result()
        if refused:
            run.refused("head", refused, "data_moved=true")
        else:
            run.passed("head")


def test_the_slurm_play_reads_the_flags_files_the_roles_write():
    """On control hosts the Slurm play reads the flags among its node reads (no task more): the same
    files roles prometheus and alertmanager write (role vars the Slurm play does not load)."""
    play = next(p for p in yaml.safe_load((TOP / "playbooks" / "preflight.yml").read_text())
                if p["name"].startswith("Preflight: Slurm and munge"))
    reads = next(t["hpc.cluster.node_reads"]["reads"] for t in play["tasks"] if "hpc.cluster.node_reads" in t)
    for role in ("prometheus", "alertmanager"):
        files = {yaml.safe_load((TOP / "roles" / role / "vars" / name).read_text()).get("__%s_env_file" % role)
                 for name in ("main.yml", "Debian.yml", "RedHat.yml")} - {None}
        assert reads["%s_flags" % role]["args"]["path"] in files and len(files) == 1, (role, files)


@pytest.mark.parametrize(("url", "prefix"), [("", ""), (EXTERNAL, "/prometheus"), ("http://hpc:8080/a/b", "/a/b"),
                                             ("https://hpc.example.org/", ""), ("https://hpc.example.org", "")])
def test_the_route_prefix_the_role_and_grafana_ask_prometheus_under(tmp_path, url, prefix):
    # The role's wait asked /-/ready, which Prometheus under /prometheus answers 404: 60 s, then the
    # run failed (lab); Grafana's data source and the lab's proof asked the same root.
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_vars": str(TOP / "roles/prometheus/vars/main.yml")},
        {"ansible.builtin.include_vars": str(TOP / "roles/grafana/defaults/main.yml")},
        {"name": "value",
         "ansible.builtin.debug": {"msg": "{{ [__prometheus_route_prefix, grafana_prometheus_url] }}"}}]}]
    run = start(tmp_path, play, {"all": {"hosts": {"m": local_host(prometheus_external_url=url)}}}).result()
    run.passed("m")
    assert run.task_result("m", "value")["msg"] == [prefix, "http://localhost:9090" + prefix]
