"""Role grafana's preflight checks: each refusal names its culprit, and only it (Grafana is not
packaged anywhere this machine reaches, so its preflight is what can run here)."""

from __future__ import annotations

import pytest
from playbook_harness import local_host, start

CASES = {
    # (variables, the culprit's message, settings that are right and must not be named)
    "bad-url": ({"grafana_prometheus_url": "localhost:9090"},
                "grafana_prometheus_url 'localhost:9090' is not a URL", ["grafana_repo_url", "grafana_port"]),
    "bad-repo": ({"grafana_repo_url": "rpm.grafana.com"},
                 "grafana_repo_url 'rpm.grafana.com' is not a URL", ["grafana_prometheus_url", "grafana_port"]),
    "bad-port": ({"grafana_port": 70000},
                 "grafana_port '70000' is not a port (1-65535)", ["grafana_prometheus_url", "grafana_repo_url"]),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("grafana")
    hosts = {name: local_host(**variables) for name, (variables, _msg, _others) in CASES.items()}
    hosts["good"] = local_host()
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": "grafana", "tasks_from": "checks.yml"}},
        {"name": "after the checks", "ansible.builtin.debug": {"msg": "passed"}}]}]
    return start(top, play, {"all": {"hosts": hosts}}).result()


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_naming_the_culprit_only(run, case):
    _variables, message, others = CASES[case]
    run.refused(case, message)
    text = run.failure_text(case)
    assert [name for name in others if name in text] == [], text


def test_good_settings_pass(run):
    run.passed("good")
    assert run.task_result("good", "after the checks")["msg"] == "passed"
