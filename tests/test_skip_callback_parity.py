"""Callback hpc.cluster.skip_without_fork: a task whose `when` is false on a host, or whose loop is empty
there, is skipped by the controller's own process, with the result, registered value, callbacks and
counts a worker gives.

One playbook of tricky cases runs twice on three local hosts, with and without the callback; every
registered value and every task's outcome per host must be the same. A condition that runs a
command records the PID of the process evaluating it: with the callback, one process (the
controller's); without it, a worker per host.
"""

import json

import pytest
from playbook_harness import assert_same_runs, environment, local_host, start, with_and_without

CALLBACKS = "hpc.cluster.mitogen_warmup,hpc.cluster.template_cache"
HOSTS = {"h1": {"n": 1}, "h2": {"n": 2}, "h3": {"n": 3}}
REGISTERED = ["false_on_two", "pid_probe", "undefined", "looped", "once", "check_mode_var", "secret",
              "connection_var", "included", "blocked", "handler_ran", "empty_loop", "empty_on_one",
              "loop_pid_probe", "undefined_loop"]


def tasks(out):
    return [
        {"name": "False on h1 and h3", "ansible.builtin.set_fact": {"seen": "{{ n }}"},
         "when": "n == 2", "register": "false_on_two"},
        {"name": "Condition that records the PID evaluating it",
         "ansible.builtin.debug": {"msg": "never"}, "register": "pid_probe",
         "when": "lookup('ansible.builtin.pipe', 'echo $PPID >> %s/pids') == 'never'" % out},
        {"name": "An undefined variable: the worker reports it", "block": [
            {"ansible.builtin.debug": {"msg": "never"}, "when": "nosuch_variable == 1"}],
         "rescue": [{"ansible.builtin.set_fact": {"undefined": "{{ ansible_failed_result.msg }}"}}]},
        {"name": "A loop decides per item", "ansible.builtin.debug": {"msg": "{{ item }}"},
         "loop": [1, 2], "when": "item == n", "register": "looped"},
        {"name": "An empty loop: its condition is not evaluated", "ansible.builtin.debug": {"msg": "{{ item }}"},
         "loop": "{{ [] }}", "when": "nosuch_variable == 1", "register": "empty_loop"},
        {"name": "A loop empty on h1 only", "ansible.builtin.debug": {"msg": "{{ item }}"},
         "loop": "{{ range(1, n) | list }}", "when": "item != 2", "register": "empty_on_one"},
        {"name": "An empty loop's list, with the PID evaluating it", "ansible.builtin.debug": {"msg": "never"},
         "loop": "{{ [] if lookup('ansible.builtin.pipe', 'echo $PPID >> %s/loop_pids') is string else [1] }}" % out,
         "register": "loop_pid_probe"},
        {"name": "An undefined loop: the worker reports it", "block": [
            {"ansible.builtin.debug": {"msg": "never"}, "loop": "{{ nosuch_list }}"}],
         "rescue": [{"ansible.builtin.set_fact": {"undefined_loop": "{{ ansible_failed_result.msg }}"}}]},
        {"name": "Once for the play", "ansible.builtin.debug": {"msg": "never"}, "run_once": True,
         "when": "n == 5", "register": "once"},
        {"name": "Check mode of the task", "ansible.builtin.debug": {"msg": "ran"}, "check_mode": True,
         "when": "not ansible_check_mode", "register": "check_mode_var"},
        {"name": "Secret", "ansible.builtin.debug": {"msg": "never"}, "no_log": True, "when": "n > 1",
         "register": "secret"},
        {"name": "A connection variable", "ansible.builtin.debug": {"msg": "never"},
         "when": "ansible_connection != 'local'", "register": "connection_var"},
        {"name": "An include", "ansible.builtin.include_tasks": "included.yml", "when": "n == 3"},
        {"name": "A block's condition, then the task's", "when": "n != 2", "block": [
            {"name": "In the block", "ansible.builtin.debug": {"msg": "in"}, "when": "n != 3",
             "register": "blocked"}]},
        {"name": "Notify", "ansible.builtin.command": "true", "changed_when": True,
         "notify": "the handler"},
        {"ansible.builtin.meta": "flush_handlers"},
        {"name": "Write what each host registered", "ansible.builtin.copy": {
            "dest": "%s/{{ inventory_hostname }}.json" % out, "mode": "0644",
            "content": "{% set ns = namespace(found={}) %}{% for name in names %}{% set ns.found = ns.found | combine("
                       "{name: lookup('ansible.builtin.vars', name, default='(undefined)')}) %}{% endfor %}"
                       "{{ ns.found | to_nice_json }}"},
         "vars": {"names": REGISTERED}},
    ]


def run(workdir, with_callback):
    workdir.mkdir()
    (workdir / "included.yml").write_text(
        '- {name: Included, ansible.builtin.set_fact: {included: "{{ n }}"}}\n')
    play = [{"name": "Cases", "hosts": "all", "gather_facts": False, "tasks": tasks(workdir),
             "handlers": [{"name": "the handler", "ansible.builtin.set_fact": {"handler_ran": "{{ n }}"},
                           "when": "n == 1"}]}]
    callbacks = CALLBACKS + (",hpc.cluster.skip_without_fork" if with_callback else "")
    return start(workdir, play, {"all": {"hosts": {h: local_host(**v) for h, v in HOSTS.items()}}},
                 env=environment(ANSIBLE_CALLBACKS_ENABLED=callbacks))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    top = tmp_path_factory.mktemp("skip")
    return top, with_and_without(top, run)


def test_same_outcomes_with_and_without(runs):
    top, results = runs
    assert_same_runs(results)
    for host in HOSTS:
        registered = {name: json.loads((top / name / (host + ".json")).read_text().replace(str(top / name), "OUT"))
                      for name in results}
        assert registered["with"] == registered["without"]


def test_the_cases_do_what_they_say(runs):
    top, _results = runs
    registered = {host: json.loads((top / "with" / (host + ".json")).read_text()) for host in HOSTS}
    assert registered["h1"]["false_on_two"] == {"changed": False, "skipped": True, "false_condition": "n == 2",
                                                "skip_reason": "Conditional result was False"}
    assert "ansible_facts" in registered["h2"]["false_on_two"]
    assert "nosuch_variable" in registered["h1"]["undefined"]
    assert [item.get("skipped", False) for item in registered["h2"]["looped"]["results"]] == [True, False]
    # The worker reads the run's check mode there (not the task's check_mode): so does the controller.
    assert registered["h2"]["check_mode_var"]["msg"] == "ran"
    assert registered["h1"]["secret"]["skipped"] is True
    assert registered["h2"]["secret"]["msg"] == "never"
    assert registered["h2"]["once"]["skipped"] is True
    assert registered["h1"]["connection_var"]["skipped"] is True
    assert [registered[h]["included"] for h in HOSTS] == ["(undefined)", "(undefined)", 3]
    assert [registered[h]["blocked"].get("false_condition") for h in HOSTS] == [None, "n != 2", "n != 3"]
    assert [registered[h]["handler_ran"] for h in HOSTS] == [1, "(undefined)", "(undefined)"]
    assert registered["h1"]["empty_loop"] == {"changed": False, "skipped": True, "results": [],
                                              "skipped_reason": "No items in the list"}
    assert registered["h1"]["empty_on_one"]["skipped_reason"] == "No items in the list"
    assert [len(registered[h]["empty_on_one"]["results"]) for h in HOSTS] == [0, 1, 2]
    assert registered["h3"]["empty_on_one"]["results"][1]["skipped"] is True
    assert "nosuch_list" in registered["h1"]["undefined_loop"]


@pytest.mark.parametrize("probe", ["pids", "loop_pids"], ids=["false condition", "empty loop"])
def test_the_skip_is_decided_by_the_controller_s_process(runs, probe):
    """One evaluating process with the callback (the controller's), a worker per host without."""
    top, _results = runs
    with_callback = (top / "with" / probe).read_text().split()
    without = (top / "without" / probe).read_text().split()
    assert len(with_callback) == len(without) == len(HOSTS)
    assert len(set(with_callback)) == 1, with_callback
    assert len(set(without)) == len(HOSTS), without
