"""The munge and slurm accounts are checked in one module call by the Slurm preflight
(playbooks/preflight.yml, hpc.cluster.service_accounts among its node reads) instead of one call per role and node; each
role's own check runs only where the role is used on its own, and each role's account task (and
role slurmdbd's) takes whichever check ran. Molecule scenario slurm converges the path."""

from pathlib import Path

import yaml
from playbook_harness import role_vars_values

TOP = Path(__file__).resolve().parent.parent
MAKE = [["/usr/sbin/groupadd", "--system", "--gid", "990", "munge"]]
BOTH = {"__preflight_slurm_reads": {"changed": False, "reads": {"accounts": {"changed": False, "accounts": {
    "munge": {"commands": MAKE}, "slurm": {"commands": []}}}}}}
OWN = {"__munge_account_plan": {"changed": False, "commands": []},
       "__slurm_account_plan": {"changed": False, "commands": MAKE}}
SKIPPED = {"__munge_account_plan": {"skipped": True, "changed": False},
           "__slurm_account_plan": {"skipped": True, "changed": False}}
CASES = {
    # host: (its variables, what munge's, slurm's and slurmdbd's account tasks take)
    "site_preflight": ({**BOTH, **SKIPPED}, (MAKE, [], [])),
    "role_alone": (OWN, ([], MAKE, MAKE)),
    "no_check": ({}, (None, None, None)),
}


def load(path):
    return yaml.safe_load((TOP / path).read_text())


def test_each_account_task_takes_the_check_that_ran(tmp_path):
    users = {"munge_user": "munge", "slurm_user": "slurm"}
    taken = role_vars_values(tmp_path, ["munge", "slurm", "slurmdbd"],
                             {name: dict(users, **variables) for name, (variables, _) in CASES.items()},
                             ["{{ __munge_account_check.commands | default(None) }}",
                              "{{ __slurm_account_check.commands | default(None) }}",
                              "{{ __slurmdbd_slurm_account_check.commands | default(None) }}"])
    for name, (_variables, expected) in CASES.items():
        assert tuple(taken[name]) == expected, name


def test_the_slurm_preflight_checks_both_accounts_in_one_call_before_the_roles_checks():
    plays = load("playbooks/preflight.yml")
    slurm = next(play for play in plays if play["name"].startswith("Preflight: Slurm and munge"))
    names = [task["name"] for task in slurm["tasks"]]
    both = next(task for task in slurm["tasks"] if "hpc.cluster.node_reads" in task)
    accounts = both["hpc.cluster.node_reads"]["reads"]["accounts"]
    assert accounts == {"module": "hpc.cluster.service_accounts",
                        "args": {"accounts": ["{{ __munge_account }}", "{{ __slurm_account }}"]}}
    # Unconditional, in check mode (node_reads' default: the module only says what it would do).
    assert both["register"] == "__preflight_slurm_reads" and "when" not in both
    assert names.index(both["name"]) < names.index("Preflight of role munge") < names.index("Preflight of role slurm")
    for role, check, make in (("munge", "checks.yml", "account.yml"), ("slurm", "checks.yml", "user.yml")):
        own = [task for task in load("roles/%s/tasks/%s" % (role, check)) if "hpc.cluster.service_account" in task]
        assert len(own) == 1 and own[0]["when"] == "__preflight_slurm_reads is not defined", role
        assert own[0]["check_mode"] is True
        made = [task for task in load("roles/%s/tasks/%s" % (role, make)) if "hpc.cluster.service_account" in task]
        assert made[0]["when"] == "__%s_account_check.commands | default(['unknown']) | length > 0" % role
        # One spec per role, for its check, its account task and the preflight's call.
        assert own[0]["hpc.cluster.service_account"] == made[0]["hpc.cluster.service_account"]
        assert set(own[0]["hpc.cluster.service_account"].values()) == {
            "{{ __%s_account.%s }}" % (role, key)
            for key in ("user", "uid", "group", "gid", "home", "shell", "comment", "hint")}
    dbd = load("roles/slurmdbd/tasks/install.yml")[0]
    assert dbd["when"] == "__slurmdbd_slurm_account_check.commands | default(['unknown']) | length > 0"
