"""playbooks/preflight.yml loads each node's OS data of the later preflight plays' roles in its first
play, and checks their settings, in the same two tasks as its own roles' (two tasks less per later play
and node): every play then has the OS data of every role it checks, loaded and checked once, for any
set of concerns a playbook asks for."""

from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

TOP = Path(__file__).resolve().parent.parent
SHARED = "tasks/preflight_roles.yml"
GROUPS = {"cluster": ["head", "c01", "login1"], "control": ["head"], "compute": ["c01"], "login": ["login1"],
          "monitoring": ["mon1"], "slurm_accounting": ["head"]}
CONCERN_OF = {"Preflight: base OS (every node)": "base",
              "Preflight: Slurm and munge (control, compute, login)": "slurm",
              "Preflight: Slurm accounting (the accounting host)": "slurm",
              "Preflight: container runtimes (compute, login)": "containers",
              "Preflight: monitoring (every node and the monitoring hosts)": "monitoring"}


def plays():
    """(play, the vars of its shared OS-data step), for the plays that have one."""
    data = DataLoader().load_from_file(str(TOP / "playbooks" / "preflight.yml"), trusted_as_template=True)
    found = []
    for play in data:
        step = [t for t in play.get("tasks", []) if t.get("ansible.builtin.import_tasks") == SHARED]
        if step:
            found.append((play, step[0]["vars"]))
    return found


def hosts_of(pattern):
    return sorted({host for group in pattern.split(":") for host in GROUPS.get(group, [])})


def loads(play, step, host, concerns, passed=()):
    """(roles whose OS data the play's step loads on host, roles it checks there)."""
    variables = dict(play.get("vars") or {}, **step)
    variables.update(inventory_hostname=host, groups=GROUPS, cluster_preflight_concerns=list(concerns),
                     group_names=sorted(group for group, members in GROUPS.items() if host in members),
                     __cluster_preflight_passed=list(passed), __prometheus_servers=["head"])
    templar = Templar(loader=DataLoader(), variables=variables)
    roles = templar.template(variables["__preflight_roles"])
    data = templar.template(variables.get("__preflight_data_roles", variables["__preflight_roles"]))
    return list(data), list(roles)


@pytest.mark.parametrize(("concerns", "passed"), [
    (["base", "slurm", "containers", "monitoring"], []),  # site.yml
    (["slurm"], []), (["containers"], []), (["monitoring"], []), (["base"], []),  # a concern playbook
    (["base", "slurm"], []),
    (["slurm", "containers"], ["base"]),  # a later import in the same run
])
def test_each_play_has_the_os_data_of_the_roles_it_checks_loaded_once(concerns, passed):
    todo = [c for c in concerns if c not in passed]
    first, *later = plays()
    assert CONCERN_OF[first[0]["name"]] == "base"
    early = {host: (loads(*first, host, concerns, passed)[0] if "base" in todo else [])
             for host in hosts_of(first[0]["hosts"])}
    checked = 0
    for play, step in later:
        if CONCERN_OF[play["name"]] not in todo:
            continue
        for host in hosts_of(play["hosts"]):
            data, roles = loads(play, step, host, concerns, passed)
            before = early.get(host, [])
            assert not set(data) & set(before), (play["name"], host, data, before)
            assert set(roles) <= set(data) | set(before), (play["name"], host, roles, data, before)
            checked += len(roles)
    assert checked > 0 or todo == ["base"]


def test_site_runs_load_nothing_in_the_later_plays_of_the_cluster_nodes():
    """The saving itself: with every concern, a cluster node's later plays load no OS data."""
    concerns = ["base", "slurm", "containers", "monitoring"]
    _first, *later = plays()
    for play, step in later:
        if play["hosts"] == "slurm_accounting":
            continue
        for host in set(hosts_of(play["hosts"])) & set(GROUPS["cluster"]):
            data, _roles = loads(play, step, host, concerns)
            assert data == [] or (host == "head" and play["name"].startswith("Preflight: monitoring")), (
                play["name"], host, data)


def test_the_shared_step_loads_and_checks_the_same_roles_with_their_defaults():
    tasks = DataLoader().load_from_file(str(TOP / "playbooks" / SHARED))
    load = next(t for t in tasks if "ansible.builtin.include_vars" in t)
    check = next(t for t in tasks if "hpc.cluster.role_arguments" in t)
    roles = "__preflight_data_roles | default(__preflight_roles)"
    assert check["hpc.cluster.role_arguments"]["roles"] == "{{ %s }}" % roles
    assert ("lookup('hpc.cluster.os_data_file', %s," % roles) in load["ansible.builtin.include_vars"]["file"]
    assert check["hpc.cluster.role_arguments"]["defaults"] is True
    assert check["when"] == load["when"] == roles + " | length > 0"


def test_the_units_are_read_once_and_never_replaced_by_a_skipped_read():
    """The first play reads the units among base's node reads and keeps them; the Slurm play (among
    its node reads) and the monitoring play read them only when the first play checked nothing
    (slurm.yml or monitoring.yml run alone). A skipped task that registers __preflight_units would
    replace the first play's read with a skipped result: only the include's own file registers it."""
    data = DataLoader().load_from_file(str(TOP / "playbooks" / "preflight.yml"))
    def file_of(task):
        include = task.get("ansible.builtin.include_tasks")
        return task.get("ansible.builtin.import_tasks") or (include or {}).get("file")

    reads = [(play["name"], task) for play in data for task in play.get("tasks", [])
             if file_of(task) == "tasks/preflight_units.yml"]
    assert [(name, "ansible.builtin.import_tasks" in task) for name, task in reads] == [
        ("Preflight: monitoring (every node and the monitoring hosts)", False)]
    assert all(task["when"] == "'base' not in __preflight_todo" for _name, task in reads)
    # An include's tasks take no tag from the play: apply keeps them in every --tags selection.
    assert all(task["ansible.builtin.include_tasks"]["apply"]["tags"] == ["always"] for _name, task in reads)
    first = data[0]
    base = next(task for task in first["tasks"] if task["name"] == "Preflight of role base")
    assert first["vars"]["__preflight_node_reads"]["units"]["module"] == "hpc.cluster.role_units"
    assert "when" not in base
    kept = [task for task in first["tasks"] if "__preflight_units" in task.get("ansible.builtin.set_fact", {})]
    assert [(task["ansible.builtin.set_fact"]["__preflight_units"], "when" in task) for task in kept] == [
        ("{{ __base_reads.reads.units }}", False)]
    registering = [task for play in data for task in play.get("tasks", [])
                   if task.get("register") == "__preflight_units"]
    assert registering == []
    shared = DataLoader().load_from_file(str(TOP / "playbooks" / "tasks" / "preflight_units.yml"))
    assert [task.get("register") for task in shared] == ["__preflight_units"]
    # The Slurm play reads the units among its node reads, under the same condition, and keeps its
    # read under the name where it made one, else the first play's (a set_fact, not a register).
    slurm = next(play for play in data if play["name"].startswith("Preflight: Slurm and munge"))
    node_reads = next(task for task in slurm["tasks"] if "hpc.cluster.node_reads" in task)
    units = node_reads["hpc.cluster.node_reads"]["reads"]["units"]
    assert units["module"] == "hpc.cluster.role_units"
    assert units["enabled"] == "{{ 'base' not in __preflight_todo }}"
    kept = [task for task in slurm["tasks"] if "__preflight_units" in task.get("ansible.builtin.set_fact", {})]
    assert [(task["ansible.builtin.set_fact"]["__preflight_units"], "when" in task) for task in kept] == [
        ("{{ __preflight_slurm_reads.reads.units | default(__preflight_units | default({})) }}", False)]
    assert [task["register"] for task in slurm["tasks"] if "register" in task] == ["__preflight_slurm_reads"]


def test_the_munge_key_state_is_read_once_per_node_and_run():
    """The Slurm play reads each node's munge key state among its node reads and keeps it under the
    name role munge's key plan reads; munge's checks.yml (which the play imports) reads nothing of
    its own, its preflight.yml (the role used alone) reads it before the checks."""
    data = DataLoader().load_from_file(str(TOP / "playbooks" / "preflight.yml"))
    slurm = next(play for play in data if play["name"].startswith("Preflight: Slurm and munge"))
    reads = next(task for task in slurm["tasks"] if "hpc.cluster.node_reads" in task)["hpc.cluster.node_reads"]
    own = DataLoader().load_from_file(str(TOP / "roles" / "munge" / "tasks" / "preflight.yml"))
    read = next(task for task in own if "hpc.cluster.munge_key_info" in task)
    assert reads["reads"]["munge_key"] == {"module": "hpc.cluster.munge_key_info",
                                           "args": read["hpc.cluster.munge_key_info"]}
    assert "enabled" not in reads["reads"]["munge_key"] and read["register"] == "__munge_key_state"
    names = [task["name"] for task in own]
    assert names.index(read["name"]) < names.index("Checks")
    kept = [task["ansible.builtin.set_fact"] for task in slurm["tasks"] if "ansible.builtin.set_fact" in task]
    assert [fact["__munge_key_state"] for fact in kept if "__munge_key_state" in fact] == [
        "{{ __preflight_slurm_reads.reads.munge_key }}"]
    checks = DataLoader().load_from_file(str(TOP / "roles" / "munge" / "tasks" / "checks.yml"))
    assert not [task for task in checks if "hpc.cluster.munge_key_info" in task and "delegate_to" not in task]
