"""Role slurm reads the firewall zones again only when role base did not read them in this run or
changed them: a re-run that changes nothing then reads each node's zones once instead of twice
(molecule scenario slurm converges the path)."""

from pathlib import Path

import yaml
from playbook_harness import local_host, role_vars_values, start

TOP = Path(__file__).resolve().parent.parent
ZONES = {"trusted": {"sources": ["10.0.0.1/32"], "services": [], "ports": ["6817-6819/tcp"]}}


def read(running=True):
    """What hpc.cluster.firewalld_zones registers."""
    return {"changed": False, "running": running, "reader": "client", "runtime": ZONES, "permanent": ZONES}


CASES = {
    # base's preflight read both configurations (firewalld ran), firewall.yml took that read and
    # its change list was empty: the read stands
    "preflight": ({"__base_reads": {"reads": {"zones": read()}}, "__base_firewall_zones": {"skipped": True},
                   "__base_firewall_applied": {"results": [], "skipped": True}}, True),
    # firewalld did not run at the preflight; firewall.yml read again and changed nothing
    "unchanged": ({"__base_reads": {"reads": {"zones": read(running=False)}}, "__base_firewall_zones": read(),
                   "__base_firewall_applied": {"results": [], "skipped": True}}, True),
    # the preflight's read, then base opened or closed something: read again
    "preflight_changed": ({"__base_reads": {"reads": {"zones": read()}}, "__base_firewall_zones": {"skipped": True},
                           "__base_firewall_applied": {"results": [{"item": {"zone": "public"}, "changed": True}]}},
                          False),
    # base opened or closed something: read again
    "changed": ({"__base_firewall_zones": read(),
                 "__base_firewall_applied": {"results": [{"item": {"zone": "trusted"}, "changed": True}]}}, False),
    # base did not manage the firewall in this run (slurm.yml alone, or base_firewall_manage off)
    "no_base": ({}, False),
    # base's preflight read the zones but its firewall tasks did not run (check run on a new node)
    "preflight_only": ({"__base_reads": {"reads": {"zones": read()}}}, False),
    # base's firewall tasks were skipped whole (check run on a new node)
    "skipped": ({"__base_firewall_zones": {"skipped": True}, "__base_firewall_applied": {"skipped": True}}, False),
    # base read only its own zones (cluster and public), and Slurm's zone is another one: read again
    "other_zone": ({"__base_reads": {"reads": {"zones": dict(read(), runtime={"public": ZONES["trusted"]})}},
                    "__base_firewall_zones": {"skipped": True},
                    "__base_firewall_applied": {"results": [], "skipped": True}}, False),
    # firewalld did not answer base's read
    "not_running": ({"__base_firewall_zones": read(running=False), "__base_firewall_applied": {"results": []}}, False),
}


def test_slurm_reuses_base_zone_read_only_when_nothing_changed(tmp_path):
    decisions = role_vars_values(tmp_path, ["slurm"], {name: dict(variables, slurm_firewall_zone="trusted")
                                                       for name, (variables, _) in CASES.items()},
                                 "{{ __slurm_firewall_base_read }}")
    for name, (_, expected) in CASES.items():
        assert decisions[name] is expected, name


PREFLIGHT_ZONES = {"trusted": {"sources": ["10.0.0.2/32"], "services": [], "ports": []}}
EARLIER = {
    # site.yml: base's read stands; the Slurm preflight did not read (base runs)
    "base_read": ({**CASES["preflight"][0], "__preflight_slurm_reads": {"reads": {}}}, "base"),
    # site.yml, base changed something: firewall.yml reads
    "base_changed": ({**CASES["preflight_changed"][0], "__preflight_slurm_reads": {"reads": {}}}, None),
    # slurm.yml: the Slurm preflight read the zone on every node at once
    "slurm_preflight": ({"__preflight_slurm_reads": {"reads": {"zone": dict(read(), runtime=PREFLIGHT_ZONES)}}},
                        "preflight"),
    # slurm.yml, firewalld did not answer the preflight's read: firewall.yml reads
    "slurm_preflight_not_running": ({"__preflight_slurm_reads": {"reads": {"zone": read(running=False)}}}, None),
    # the role on its own (neither preflight read)
    "alone": ({}, None),
}


def test_slurm_takes_the_earliest_read_that_still_holds(tmp_path):
    """Role slurm's firewall.yml reads the zone only when neither role base's read (unchanged) nor the
    Slurm preflight's (slurm.yml, where base does not run) holds the state: on a slurm.yml re-run the
    controller makes no read of its own in its play, which runs one controller at a time."""
    taken = role_vars_values(tmp_path, ["slurm"], {name: dict(variables, slurm_firewall_zone="trusted")
                                                   for name, (variables, _) in EARLIER.items()},
                             "{{ __slurm_firewall_earlier_zones }}")
    for name, (_, expected) in EARLIER.items():
        earlier = taken[name]
        if expected is None:
            assert earlier == {}, name
        else:
            assert earlier["running"] is True, name
            assert earlier["runtime"] == (ZONES if expected == "base" else PREFLIGHT_ZONES), name


def test_the_slurm_preflight_reads_the_zone_only_where_base_does_not_run():
    plays = yaml.safe_load((TOP / "playbooks" / "preflight.yml").read_text())
    slurm = next(play for play in plays if play["name"].startswith("Preflight: Slurm and munge"))
    reads = next(task for task in slurm["tasks"] if "hpc.cluster.node_reads" in task)
    assert reads["register"] == "__preflight_slurm_reads"
    zone = reads["hpc.cluster.node_reads"]["reads"]["zone"]
    assert zone["module"] == "hpc.cluster.firewalld_zones"
    assert zone["enabled"] == "{{ 'base' not in __preflight_todo and slurm_firewall_manage | bool }}"
    firewall = yaml.safe_load((TOP / "roles" / "slurm" / "tasks" / "firewall.yml").read_text())
    assert firewall[0]["when"] == "__slurm_firewall_earlier_zones | length == 0"


def test_the_ports_opened_are_those_slurm_conf_sets(tmp_path):
    # A fixed 6817-6819/tcp left a moved port, or a SlurmctldPort range past 6819, closed in a zone
    # that is not 'trusted' (which accepts every port from the cluster's sources anyway). And
    # slurm.conf names slurmdbd's moved port: with Slurm's 6819 left there, slurmctld and sacctmgr
    # knocked on a closed port (lab).
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_vars": str(TOP / "roles/slurm/defaults/main.yml")},
        # The inventory's values (include_vars would win over host variables).
        {"ansible.builtin.set_fact": {"slurm_config": "{{ case.config | default({}) }}",
                                      "slurm_config_group": "{{ case.group | default({}) }}",
                                      "slurmdbd_config": "{{ case.dbd | default({}) }}"}},
        {"name": "value", "ansible.builtin.debug": {"msg": "{{ slurm_firewall_ports }}"}},
        {"name": "dbd", "ansible.builtin.debug": {"msg": "{{ slurm_config_defaults.AccountingStoragePort }}"}}]}]
    hosts = {"default": {"case": {}},
             "moved": {"case": {"config": {"SlurmctldPort": "6817-6820", "SlurmdPort": 7818},
                                "dbd": {"DbdPort": 7819}}},
             "group": {"case": {"group": {"SrunPortRange": "50001-50100"}}}}
    run = start(tmp_path, play, {"all": {"hosts": {name: local_host(**variables)
                                                   for name, variables in hosts.items()}}}).result()
    ports = {name: run.task_result(name, "value")["msg"] for name in hosts}
    assert ports == {"default": ["6817-6819/tcp", "60001-63000/tcp"],
                     "moved": ["6817-6820/tcp", "7818-7819/tcp", "60001-63000/tcp"],
                     "group": ["6817-6819/tcp", "50001-50100/tcp"]}
    assert {name: run.task_result(name, "dbd")["msg"] for name in hosts} == {"default": None, "moved": 7819,
                                                                            "group": None}
