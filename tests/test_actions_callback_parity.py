"""Callback hpc.cluster.actions_without_fork: a task of an action that never touches the host
(assert, set_fact, include_vars, hpc.cluster.checks, ...) runs in the controller's own process, with
the result, registered value, facts, callbacks and counts a worker gives.

One playbook of such tasks runs twice on three local hosts, with and without the callback; every
registered value and fact, every task's outcome per host and the stats must be the same. A fact
templated with a command records the PID of the process running the task: with the callback, one
process (the controller's); without it, a worker per host.
"""

import functools
import json

import pytest
from playbook_harness import assert_same_runs, environment, local_host, start, with_and_without

CALLBACKS = "hpc.cluster.mitogen_warmup,hpc.cluster.template_cache,hpc.cluster.skip_without_fork"
HOSTS = {"h1": {"n": 1}, "h2": {"n": 2}, "h3": {"n": 3}}
KEPT = ["fact_one", "set_one", "once_fact", "assert_failed", "checks_failed", "a_var", "b_var", "included",
        "secret", "fail_failed", "undefined_msg", "looped", "looped_fact", "handler_fact", "failed_when_msg",
        "checked_fact", "pid_probe", "debug_n",
        "from_include", "from_role"]


def rescued(name, task, fact):
    """task in a block whose rescue keeps the failure's message in fact."""
    return {"name": name, "block": [task],
            "rescue": [{"ansible.builtin.set_fact": {fact: "{{ ansible_failed_result.msg }}"}}]}


def tasks(out):
    return [
        {"name": "A fact, changed on h2", "ansible.builtin.set_fact": {"fact_one": "{{ n * 10 }}"},
         "changed_when": "n == 2", "register": "set_one", "notify": "the handler"},
        {"name": "A fact once for the play", "ansible.builtin.set_fact": {"once_fact": "{{ n }}"}, "run_once": True},
        {"name": "A fact with the PID of the process running the task",
         "ansible.builtin.set_fact": {"pid_probe": "{{ lookup('ansible.builtin.pipe', 'echo $PPID >> %s/pids') }}"
                                                   % out}},
        rescued("An assert that fails on h2", {"ansible.builtin.assert": {
            "that": ["n != 2"], "fail_msg": "h{{ n }} refused", "quiet": True}}, "assert_failed"),
        rescued("Checks that fail on h3", {"hpc.cluster.checks": {"checks": [
            {"that": ["n < 3"], "msg": "n is {{ n }}"},
            {"that": ["n > 0"], "msg": "never"},
            {"that": ["n != 3"], "msg": "not three", "when": ["n > 2"]}]}}, "checks_failed"),
        {"name": "Variables from files, in a loop", "ansible.builtin.include_vars": {"file": "{{ item }}"},
         "loop": ["a.yml", "b.yml"], "register": "included"},
        # add_host runs once for the play (it bypasses the host loop): a loop over the play's hosts.
        {"name": "Hosts with an even n in group evens", "ansible.builtin.add_host": {
            "name": "{{ item }}", "groups": "evens"}, "loop": "{{ ansible_play_hosts }}",
         "when": "hostvars[item]['n'] is even"},
        {"name": "A group per parity", "ansible.builtin.group_by": {"key": "odd_{{ n is odd }}"}},
        {"name": "A secret", "ansible.builtin.debug": {"msg": "secret {{ n }}"}, "no_log": True,
         "register": "secret"},
        {"name": "A message", "ansible.builtin.debug": {"var": "n"}, "register": "debug_n"},
        rescued("A fail on h1", {"ansible.builtin.fail": {"msg": "h{{ n }} failed"}, "when": "n == 1"},
                "fail_failed"),
        rescued("An undefined variable", {"ansible.builtin.set_fact": {"x": "{{ nosuch_variable }}"}},
                "undefined_msg"),
        {"name": "A loop decides per item", "ansible.builtin.set_fact": {"looped_fact": "{{ item }}"},
         "loop": [1, 2], "when": "item == n", "register": "looped"},
        rescued("failed_when on h3", {"ansible.builtin.set_fact": {"y": 1}, "failed_when": "n == 3"},
                "failed_when_msg"),
        {"name": "A fact in check mode", "ansible.builtin.set_fact": {"checked_fact": "{{ ansible_check_mode }}"},
         "check_mode": True},
        {"name": "An include, its file named by a variable", "ansible.builtin.include_tasks": "{{ included_file }}",
         "vars": {"included_file": "inc.yml"}},
        {"name": "A role included with a variable", "ansible.builtin.include_role": {"name": "one_role"},
         "vars": {"role_input": "{{ n * 3 }}"}},
        {"ansible.builtin.meta": "flush_handlers"},
        {"name": "Write what each host kept", "ansible.builtin.copy": {
            "dest": "%s/{{ inventory_hostname }}.json" % out, "mode": "0644",
            "content": "{% set ns = namespace(found={}) %}{% for name in names %}{% set ns.found = ns.found | combine("
                       "{name: lookup('ansible.builtin.vars', name, default='(undefined)')}) %}{% endfor %}"
                       "{{ ns.found | combine({'groups': groups | dict2items | selectattr('key', 'in', "
                       "['evens', 'odd_True', 'odd_False']) | items2dict}) | to_nice_json }}"},
         "vars": {"names": KEPT}},
    ]


def run(workdir, with_callback, strategy="linear"):
    workdir.mkdir()
    (workdir / "a.yml").write_text("a_var: from a\n")
    (workdir / "b.yml").write_text("b_var: '{{ n + 100 }}'\n")
    (workdir / "inc.yml").write_text('- {name: Included, ansible.builtin.set_fact: {from_include: "{{ n }}"}}\n')
    (workdir / "roles" / "one_role" / "tasks").mkdir(parents=True)
    (workdir / "roles" / "one_role" / "tasks" / "main.yml").write_text(
        '- {name: In the role, ansible.builtin.set_fact: {from_role: "{{ role_input }}"}}\n')
    cases = tasks(workdir)
    if strategy == "free":  # free runs neither add_host (it bypasses the host loop) nor run_once
        cases = [case for case in cases if "ansible.builtin.add_host" not in case and not case.get("run_once")]
    play = [{"name": "Cases", "hosts": "all", "gather_facts": False, "tasks": cases,
             "handlers": [{"name": "the handler", "ansible.builtin.set_fact": {"handler_fact": "{{ n }}"}}]}]
    callbacks = CALLBACKS + (",hpc.cluster.actions_without_fork" if with_callback else "")
    return start(workdir, play, {"all": {"hosts": {h: local_host(**v) for h, v in HOSTS.items()}}},
                 env=environment(ANSIBLE_CALLBACKS_ENABLED=callbacks, ANSIBLE_STRATEGY=strategy))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    top = tmp_path_factory.mktemp("actions")
    return top, with_and_without(top, run)


def kept(top, name, host):
    """What a host kept, its groups' members sorted: group_by adds the hosts of a forked run in the
    order their workers answer, which changes from run to run without any callback."""
    data = json.loads((top / name / (host + ".json")).read_text().replace(str(top / name), "OUT"))
    data.pop("pid_probe")
    data["groups"] = {group: sorted(members) for group, members in data["groups"].items()}
    return data


def processes(directory):
    """The PIDs of the processes that ran the PID-probe task, one line per host."""
    return (directory / "pids").read_text().split()


def test_same_outcomes_with_and_without(runs):
    top, results = runs
    assert_same_runs(results)
    for host in HOSTS:
        assert kept(top, "with", host) == kept(top, "without", host)


def test_the_cases_do_what_they_say(runs):
    top, results = runs
    found = {host: kept(top, "with", host) for host in HOSTS}
    assert [found[h]["fact_one"] for h in HOSTS] == [10, 20, 30]
    assert [found[h]["set_one"]["changed"] for h in HOSTS] == [False, True, False]
    assert [found[h]["once_fact"] for h in HOSTS] == [1, 1, 1]
    assert [found[h]["assert_failed"] for h in HOSTS] == ["(undefined)", "h2 refused", "(undefined)"]
    assert found["h3"]["checks_failed"] == "2 problems: (1) n is 3 (2) not three"
    assert [found[h]["b_var"] for h in HOSTS] == [101, 102, 103]
    assert found["h1"]["a_var"] == "from a"
    assert [item["item"] for item in found["h1"]["included"]["results"]] == ["a.yml", "b.yml"]
    assert found["h1"]["groups"] == {"evens": ["h2"], "odd_True": ["h1", "h3"], "odd_False": ["h2"]}
    # Registered as it is; censored in what the run shows.
    assert found["h1"]["secret"]["msg"] == "secret 1"
    shown = results["with"].task_result("h1", "A secret")
    assert "censored" in shown and "secret 1" not in json.dumps(shown)
    assert found["h2"]["debug_n"]["n"] == 2
    assert [found[h]["fail_failed"] for h in HOSTS] == ["h1 failed", "(undefined)", "(undefined)"]
    assert "nosuch_variable" in found["h1"]["undefined_msg"]
    assert [found[h]["looped_fact"] for h in HOSTS] == [1, 2, "(undefined)"]
    assert [item.get("skipped", False) for item in found["h2"]["looped"]["results"]] == [True, False]
    assert [found[h]["failed_when_msg"] for h in HOSTS][:2] == ["(undefined)", "(undefined)"]
    assert found["h3"]["failed_when_msg"] != "(undefined)"
    assert [found[h]["checked_fact"] for h in HOSTS] == [False] * 3
    assert [found[h]["from_include"] for h in HOSTS] == [1, 2, 3]
    assert [found[h]["from_role"] for h in HOSTS] == [3, 6, 9]
    assert [found[h]["handler_fact"] for h in HOSTS] == ["(undefined)", 2, "(undefined)"]


def test_the_tasks_run_in_the_controller_s_process(runs):
    """One process runs the task on every host with the callback (the controller's), a worker per host
    without."""
    top, _results = runs
    with_callback, without = processes(top / "with"), processes(top / "without")
    assert len(with_callback) == len(without) == len(HOSTS)
    assert len(set(with_callback)) == 1, with_callback
    assert len(set(without)) == len(HOSTS), without


def test_the_free_strategy_gives_the_same_outcomes(tmp_path):
    """The callback wraps the strategies' common _queue_task: free's hosts get the same results too
    (its cases less add_host and run_once, which free does not run)."""
    results = with_and_without(tmp_path, functools.partial(run, strategy="free"))
    assert_same_runs(results)
    for host in HOSTS:
        assert kept(tmp_path, "with", host) == kept(tmp_path, "without", host)
    assert len(set(processes(tmp_path / "with"))) == 1
    assert len(set(processes(tmp_path / "without"))) == len(HOSTS)
