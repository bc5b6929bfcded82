"""The cluster's alert rules and Prometheus configuration, checked by promtool (from
bin/bootstrap's .cache, or PATH): check rules, the unit tests of tests/promtool (each rule fires
in one case and not in another), a rule broken on purpose failing them, check config on a
rendered prometheus.yml, and check metrics on our Slurm collector's output."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
RULES = TOP / "roles/prometheus/files/rules/hpc-cluster.rules.yml"
TESTS = TOP / "tests/promtool/hpc-cluster.rules.test.yml"
sys.path.insert(0, str(TOP / "collections"))

from ansible_collections.hpc.cluster.plugins.module_utils import slurm_metrics  # noqa: E402


def promtool(*args, stdin=None):
    cached = TOP / ".cache/prometheus/usr/bin/promtool"
    binary = str(cached) if cached.exists() else shutil.which("promtool")
    assert binary, "promtool missing: run bin/bootstrap"
    return subprocess.run([binary, *args], capture_output=True, text=True, input=stdin, check=False, timeout=120)


def test_check_rules():
    run = promtool("check", "rules", str(RULES))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SUCCESS: 9 rules found" in run.stdout


def test_rule_unit_tests_pass():
    run = promtool("test", "rules", str(TESTS))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SUCCESS" in run.stdout


def test_every_rule_fires_once_and_stays_silent_once():
    alerts = [r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    cases = [c for t in yaml.safe_load(TESTS.read_text())["tests"] for c in t["alert_rule_test"]]
    for alert in alerts:
        mine = [c for c in cases if c["alertname"] == alert]
        assert any(c["exp_alerts"] for c in mine), "%s never fires in the tests" % alert
        assert any(not c["exp_alerts"] for c in mine), "%s is never shown silent" % alert
    for required in ("NodeDown", "SlurmdDown", "SlurmctldDown", "NodeDrained", "MungeDown",
                     "FilesystemNearlyFull", "TimeOffsetTooLarge"):
        assert required in alerts


def test_a_broken_rule_fails_the_unit_tests(tmp_path):
    """The unit tests can fail: a threshold of 1 % instead of 10 % misses the 5 %-free disk."""
    broken = RULES.read_text().replace("< 0.10", "< 0.01")
    assert broken != RULES.read_text()
    rules = tmp_path / "roles/prometheus/files/rules"
    rules.mkdir(parents=True)
    (rules / RULES.name).write_text(broken)
    (tmp_path / "tests/promtool").mkdir(parents=True)
    (tmp_path / "tests/promtool" / TESTS.name).write_text(TESTS.read_text())
    run = promtool("test", "rules", str(tmp_path / "tests/promtool" / TESTS.name))
    assert run.returncode != 0
    assert "FilesystemNearlyFull" in run.stdout + run.stderr


# promtool check config of a rendered prometheus.yml: tests/test_monitoring_roles.py.


def test_check_config_refuses_a_missing_rule_file(tmp_path):
    """What `validate:` guards against: a prometheus.yml naming a rule file that is not there."""
    config = tmp_path / "prometheus.yml"
    config.write_text("rule_files: [%s/missing.yml]\nscrape_configs: []\n" % tmp_path)
    run = promtool("check", "config", str(config))
    assert run.returncode != 0


def test_collector_output_passes_check_metrics():
    fixtures = (TOP / "collections/ansible_collections/hpc/cluster/tests/unit/plugins/module_utils"
                / "fixtures/slurm_metrics")
    table = {
        tuple(slurm_metrics.SINFO_TEXT): (0, (fixtures / "sinfo_nodes.txt").read_text()),
        tuple(slurm_metrics.SQUEUE_TEXT): (0, (fixtures / "squeue_jobs.txt").read_text()),
        tuple(slurm_metrics.PING): (0, (fixtures / "scontrol_ping_up.txt").read_text()),
        tuple(slurm_metrics.SDIAG): (0, (fixtures / "sdiag_22.05.txt").read_text()),
    }
    data = slurm_metrics.collect(lambda argv: table.get(tuple(argv), (1, "")), use_json=False)
    run = promtool("check", "metrics", stdin=slurm_metrics.render(data, 1704967200))
    # check metrics lints names and help texts; exit 0 means no problem found.
    assert run.returncode == 0, run.stdout + run.stderr
