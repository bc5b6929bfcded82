"""A compute node's declared GPU device files (slurm_gres `file`) that the node lacks are refused by
the Slurm preflight, naming them, before anything changes.

Before, gres.conf named them, slurmd stopped at its start on every such node ("fatal: can't stat
gres.conf file /dev/nvidia0", lab), and the run passed. The site preflight reads the missing files
in its one read task (hpc.cluster.node_reads, read gres_files); role slurm's checks refuse them. The
read, the fact it leaves and the check are taken from the files and run here, on this machine."""

import pytest
from playbook_harness import local_host, start
from slurm_preflight_parts import read_then_keep, slurm_checks_of, slurm_role_vars


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("gres-files")
    devices = top / "dev"
    devices.mkdir()
    for name in ("nvidia0", "nvidia1", "nvidia2"):
        (devices / name).touch()
    tasks = read_then_keep("gres_files", "__slurm_gres_files_missing", "Read the missing device files")
    tasks.append(slurm_checks_of("__slurm_gres_files_missing"))
    variables = slurm_role_vars("__slurm_gres_declared_files")
    dev = str(devices)
    hosts = {
        # nvidia3 is not there: named, and only it.
        "missing": local_host(__slurm_is_compute=True, slurm_gres=[
            {"name": "gpu", "type": "a100", "file": dev + "/nvidia[0-1]"},
            {"name": "gpu", "type": "a100", "file": dev + "/nvidia[2-3]"}]),
        "present": local_host(__slurm_is_compute=True, slurm_gres=[
            {"name": "gpu", "file": dev + "/nvidia[0-2]"}, {"name": "shard", "count": 8}]),
        # Not ranges Slurm reads: left to hpc.cluster.slurm_cluster_data, which names the host.
        "malformed": local_host(__slurm_is_compute=True, slurm_gres=[{"name": "gpu", "file": dev + "/nvidia[0-"}]),
        "reversed": local_host(__slurm_is_compute=True, slurm_gres=[{"name": "gpu", "file": dev + "/nvidia[3-1]"}]),
        "login": local_host(__slurm_is_compute=False, slurm_gres=[{"name": "gpu", "file": dev + "/nvidia9"}]),
        "declares-none": local_host(__slurm_is_compute=True),
    }
    play = [{"name": "Slurm preflight's gres file read", "hosts": "all", "gather_facts": False,
             "vars": variables, "tasks": tasks}]
    result = start(top, play, {"all": {"hosts": hosts}}).result()
    return result, dev


def test_a_missing_device_file_is_refused_by_name(run):
    result, dev = run
    result.refused("missing", "slurm on missing: slurm_gres declares device file(s) %s/nvidia3, which this node "
                   "does not have: slurmd would stop at its start" % dev)
    assert "nvidia2" not in result.failure_text("missing")


@pytest.mark.parametrize("host", ["present", "malformed", "reversed", "login", "declares-none"])
def test_no_refusal_where_the_files_are_there_or_not_read(run, host):
    result, _dev = run
    result.passed(host)


def test_the_read_is_left_out_where_nothing_is_declared(run):
    result, _dev = run
    for host in ("login", "declares-none"):
        assert "gres_files" not in result.task_result(host, "Read the missing device files")["reads"]


@pytest.mark.parametrize("host", ["malformed", "reversed"])
def test_a_file_that_is_no_slurm_range_is_not_read(run, host):
    result, dev = run
    read = result.task_result(host, "Read the missing device files")["reads"]["gres_files"]
    assert read["missing"] == [] and read["unread"] == [dev + ("/nvidia[0-" if host == "malformed" else "/nvidia[3-1]")]
