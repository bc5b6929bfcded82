"""hpc.cluster.node_reads runs several read modules on a node in one task: each read's result under
its name, reads whose 'enabled' is false left out, every read in check mode unless it says otherwise
(also under --check), facts set as the module sets them, and the first failing read named with its
module's message (the reads after it not run)."""

from pathlib import Path

import pytest
from playbook_harness import local_host, start

TOP = Path(__file__).resolve().parent.parent


def play(workdir):
    marker = workdir / "ran"
    reads = {"name": "Read", "hpc.cluster.node_reads": {"reads": {
        "file": {"module": "ansible.builtin.stat", "args": {"path": str(TOP / "README.md")}},
        "echo": {"module": "ansible.builtin.command", "args": {"argv": ["echo", "read"]}, "check_mode": False},
        "would_write": {"module": "ansible.builtin.command", "args": {"argv": ["touch", str(marker)]}},
        "left_out": {"module": "ansible.builtin.command", "args": {"argv": ["false"]}, "enabled": "{{ 1 > 2 }}"},
        "gpus": {"module": "hpc.cluster.gpu_facts"},
        "units": {"module": "hpc.cluster.role_units", "args": {"roles": ["munge"], "roles_dir": str(TOP / "roles")}},
    }}, "register": "node"}
    facts = {"name": "The facts of the reads are set", "ansible.builtin.assert": {
        "that": ["ansible_facts.hpc_gpus is defined"]}}
    failing = {"name": "Fail", "block": [{"name": "Fail in the second read", "hpc.cluster.node_reads": {"reads": {
        # yaml.safe_dump writes the keys sorted: the names keep the order
        "a_first": {"module": "ansible.builtin.stat", "args": {"path": "/"}},
        "b_broken": {"module": "ansible.builtin.command", "args": {"argv": ["sh", "-c", "echo bad >&2; exit 3"]},
                   "check_mode": False},
        "c_never": {"module": "ansible.builtin.command", "args": {"argv": ["touch", str(marker)]},
                  "check_mode": False}}}}],
        "rescue": [{"name": "Keep the failure",
                    "ansible.builtin.set_fact": {"failure": "{{ ansible_failed_result }}"}}]}
    malformed = {"name": "Malformed", "block": [{"name": "A read without a module", "hpc.cluster.node_reads": {
        "reads": {"zone": {"args": {}}}}}],
        "rescue": [{"name": "Keep the refusal", "ansible.builtin.set_fact": {
            "refusal": "{{ ansible_failed_result.msg }}"}}]}
    show = {"name": "Show", "ansible.builtin.debug": {"msg": {"failure": "{{ failure }}", "refusal": "{{ refusal }}",
                                                             "marker": "{{ '%s' is exists }}" % marker}}}
    return [{"name": "Reads", "hosts": "all", "gather_facts": False,
             "tasks": [reads, facts, failing, malformed, show]}]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    futures = {}
    for mode, args in (("run", ()), ("check", ("--check",))):
        workdir = tmp_path_factory.mktemp(mode)
        futures[mode] = start(workdir, play(workdir), {"all": {"hosts": {"node": local_host()}}}, args=args)
    return {mode: future.result() for mode, future in futures.items()}


@pytest.mark.parametrize("mode", ["run", "check"])
def test_each_read_under_its_name_in_check_mode_unless_it_says_not(runs, mode):
    run = runs[mode]
    run.passed("node")
    node = run.task_result("node", "Read")
    assert node["changed"] is False
    reads = node["reads"]
    assert sorted(reads) == ["echo", "file", "gpus", "units", "would_write"]
    assert reads["file"]["stat"]["exists"] is True
    # check_mode false: run also under --check
    assert reads["echo"]["stdout"] == "read"
    # the default: check mode, also in a real run (the command module then runs nothing)
    assert reads["would_write"].get("skipped") is True or reads["would_write"].get("rc") is None
    assert "ansible_facts" not in reads["gpus"]
    assert reads["units"]["roles"] == {"munge": ["munge"]}
    shown = run.task_result("node", "Show")["msg"]
    assert shown["marker"] is False


@pytest.mark.parametrize("mode", ["run", "check"])
def test_the_first_failing_read_is_named_and_stops_the_reads(runs, mode):
    shown = runs[mode].task_result("node", "Show")["msg"]
    failure = shown["failure"]
    assert failure["read"] == "b_broken" and failure["rc"] == 3 and failure["stderr"] == "bad"
    assert list(failure["reads"]) == ["a_first"]
    # the read after it never ran (it would have made the marker, outside check mode)
    assert shown["marker"] is False
    assert "'zone'" in shown["refusal"] and "module" in shown["refusal"]
