"""Role slurm reads the firewall zones again only when role base did not read them in this run or
changed them: a re-run that changes nothing then reads each node's zones once instead of twice
(molecule scenario slurm converges the path)."""

from pathlib import Path

from playbook_harness import local_host, start

TOP = Path(__file__).resolve().parent.parent
ZONES = {"trusted": {"sources": ["10.0.0.1/32"], "services": [], "ports": ["6817-6819/tcp"]}}


def read(running=True):
    """What hpc.cluster.firewalld_zones registers."""
    return {"changed": False, "running": running, "reader": "client", "runtime": ZONES, "permanent": ZONES}


CASES = {
    # base's preflight read both configurations (firewalld ran), firewall.yml took that read and
    # its change list was empty: the read stands
    "preflight": ({"__base_firewall_preflight_zones": read(), "__base_firewall_zones": {"skipped": True},
                   "__base_firewall_applied": {"results": [], "skipped": True}}, True),
    # firewalld did not run at the preflight; firewall.yml read again and changed nothing
    "unchanged": ({"__base_firewall_preflight_zones": read(running=False), "__base_firewall_zones": read(),
                   "__base_firewall_applied": {"results": [], "skipped": True}}, True),
    # the preflight's read, then base opened or closed something: read again
    "preflight_changed": ({"__base_firewall_preflight_zones": read(), "__base_firewall_zones": {"skipped": True},
                           "__base_firewall_applied": {"results": [{"item": {"zone": "public"}, "changed": True}]}},
                          False),
    # base opened or closed something: read again
    "changed": ({"__base_firewall_zones": read(),
                 "__base_firewall_applied": {"results": [{"item": {"zone": "trusted"}, "changed": True}]}}, False),
    # base did not manage the firewall in this run (slurm.yml alone, or base_firewall_manage off)
    "no_base": ({}, False),
    # base's preflight read the zones but its firewall tasks did not run (check run on a new node)
    "preflight_only": ({"__base_firewall_preflight_zones": read()}, False),
    # base's firewall tasks were skipped whole (check run on a new node)
    "skipped": ({"__base_firewall_zones": {"skipped": True}, "__base_firewall_applied": {"skipped": True}}, False),
    # firewalld did not answer base's read
    "not_running": ({"__base_firewall_zones": read(running=False), "__base_firewall_applied": {"results": []}}, False),
}


def test_slurm_reuses_base_zone_read_only_when_nothing_changed(tmp_path):
    inventory = {"all": {"hosts": {name: local_host(**variables) for name, (variables, _) in CASES.items()}}}
    play = [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_vars": str(TOP / "roles" / "slurm" / "vars" / "main.yml")},
        {"name": "decision", "ansible.builtin.debug": {"msg": "{{ __slurm_firewall_base_read }}"}},
    ]}]
    run = start(tmp_path, play, inventory).result()
    for name, (_, expected) in CASES.items():
        run.passed(name)
        assert run.task_result(name, "decision")["msg"] is expected, name
