"""Role slurm_exporter's preflight checks: each refusal names its culprit, and only it (the three
settings were one message that named the right ones too)."""

from __future__ import annotations

import pytest
from playbook_harness import local_host, start

NAMES = ["slurm_exporter_interval", "slurm_exporter_slurm_version", "slurm_exporter_textfile_dir"]
CASES = {
    # (variables, the culprit's message)
    "zero-interval": ({"slurm_exporter_interval": 0},
                      "slurm_exporter_interval '0' must be a number of seconds, 5 or more"),
    "interval-unit": ({"slurm_exporter_interval": "1m"},
                      "slurm_exporter_interval '1m' must be a number of seconds, 5 or more"),
    "version": ({"slurm_exporter_slurm_version": "latest"},
                "slurm_exporter_slurm_version 'latest' must be a release like 22.05"),
    "textfile-dir": ({"slurm_exporter_textfile_dir": "node-exporter"},
                     "slurm_exporter_textfile_dir 'node-exporter' must be an absolute path"),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("slurm_exporter")
    hosts = {name: local_host(**variables) for name, (variables, _msg) in CASES.items()}
    hosts["good"] = local_host(slurm_exporter_interval="30", slurm_exporter_slurm_version="25.11")
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": "slurm_exporter", "tasks_from": "checks.yml"}},
        {"name": "after the checks", "ansible.builtin.debug": {"msg": "passed"}}]}]
    return start(top, play, {"all": {"hosts": hosts}}).result()


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_naming_the_culprit_only(run, case):
    variables, message = CASES[case]
    run.refused(case, message)
    text = run.failure_text(case)
    assert [name for name in NAMES if name not in variables and name in text] == [], text


def test_good_settings_pass(run):
    run.passed("good")
    assert run.task_result("good", "after the checks")["msg"] == "passed"
