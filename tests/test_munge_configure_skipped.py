"""Role munge's configure tasks skipped as a whole (a play imported with a false `when`, as
playbooks/remove_nodes.yml imports slurm.yml in its first step) run clean before any preflight
made the key plan: the key read's delegate_to never names an undefined host."""

from playbook_harness import local_host, start


def test_configure_skipped_without_a_key_plan(tmp_path):
    play = [{
        "name": "Munge configure, skipped",
        "hosts": "head",
        "gather_facts": False,
        "tasks": [{"name": "Configure munge",
                   "ansible.builtin.import_role": {"name": "munge", "tasks_from": "configure.yml"},
                   "when": "groups['nothing_to_do'] | default([]) | length > 0"}],
    }]
    run = start(tmp_path, play, {"all": {"hosts": {"head": local_host()}}}).result()
    run.passed("head")
    assert run.stats("head")["skipped"] >= 1 and run.stats("head")["ok"] == 0
