"""A group that slurm_partitions' AllowGroups names and the controller cannot resolve is refused by
the Slurm preflight, naming it, before anything changes.

Before, slurm.conf named it and the run passed; slurmctld ("Could not find configured group")
refused every user on that partition ("User's group not permitted to use this partition", lab).
The site preflight reads the groups on the controllers in its one read task (hpc.cluster.node_reads,
read allow_groups); role slurm's checks refuse the missing ones. Groups role base makes in the run
(cluster_groups, users' personal groups) are not asked to be there yet. The read, the fact it
leaves and the check are taken from the files and run here, on this machine (group root exists,
the names below do not)."""

import pytest
from playbook_harness import local_host, start
from slurm_preflight_parts import read_then_keep, slurm_checks_of, slurm_role_vars

MISSING = "hpc-test-nosuch-group"


def partitions(allow):
    return [{"name": "batch", "groups": ["compute"], "options": {"AllowGroups": allow, "State": "UP"}},
            {"name": "debug", "groups": ["compute"], "options": {"MaxTime": "1:00:00"}}]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("allow-groups")
    tasks = read_then_keep("allow_groups", "__slurm_allow_groups_missing", "Read the groups")
    tasks.append(slurm_checks_of("__slurm_allow_groups_missing"))
    hosts = {
        # One missing among groups that resolve: named, and only it.
        "missing": local_host(slurm_partitions=partitions("root,%s, ALL" % MISSING)),
        # A list, as slurm_partitions may give it.
        "missing-in-a-list": local_host(slurm_partitions=partitions(["root", MISSING])),
        "present": local_host(slurm_partitions=partitions("root")),
        # Role base makes them in this run.
        "base-makes-them": local_host(slurm_partitions=partitions("physics-test,carol-test"),
                                      cluster_groups=[{"name": "physics-test", "gid": 4100}],
                                      cluster_users=[{"name": "carol-test", "uid": 4101}]),
        "allow-all": local_host(slurm_partitions=partitions("ALL")),
        # slurmctld resolves them: not read on other nodes.
        "compute": local_host(__slurm_is_control=False, slurm_partitions=partitions(MISSING)),
    }
    play = [{"name": "Slurm preflight's AllowGroups read", "hosts": "all", "gather_facts": False,
             "vars": slurm_role_vars("__slurm_allow_groups"), "tasks": tasks}]
    inventory = {"all": {"hosts": hosts, "vars": {"__slurm_is_control": True}}}
    return start(top, play, inventory).result()


@pytest.mark.parametrize("host", ["missing", "missing-in-a-list"])
def test_a_group_the_controller_cannot_resolve_is_refused_by_name(run, host):
    run.refused(host, "slurm on %s: slurm_partitions' AllowGroups name group(s) %s this controller does not "
                "know" % (host, MISSING), "User's group not permitted to use this partition")
    assert "root" not in run.failure_text(host).split("does not know")[0]


@pytest.mark.parametrize("host", ["present", "base-makes-them", "allow-all", "compute"])
def test_no_refusal_where_the_groups_resolve_are_made_by_base_or_not_read(run, host):
    run.passed(host)


@pytest.mark.parametrize("host", ["base-makes-them", "allow-all", "compute"])
def test_the_read_is_left_out_where_no_group_is_to_be_read(run, host):
    assert "allow_groups" not in run.task_result(host, "Read the groups")["reads"]
