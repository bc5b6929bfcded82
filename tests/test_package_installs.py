"""A re-run calls no package manager: preflight.yml lists each node's installed packages once per
preflight, and every role's install task asks for packages only when one of them is missing."""

import socket
from pathlib import Path

import pytest
import yaml
from playbook_harness import local_host, start
from task_files import tasks_of

TOP = Path(__file__).resolve().parent.parent
BASE_READS = "Read this node's cluster accounts, kernel parameters and firewall zones"
KEEP = "Keep the package list and the units' states read with base's for the later plays"
SLURM_READS = "Read this node's unit states, cluster zone, GPUs, munge and slurm accounts and munge key state"
SLURMDBD_CHECKS = "slurmdbd : Check the password, the package source, the accounting data and the Unix users"
SLURM_KEEP = "Keep the munge key state, slurmdbd's database and the unit states for the roles"
INSTALL_MODULES = {"ansible.builtin.package", "ansible.builtin.apt", "ansible.builtin.dnf"}
# Installs from a package file or URL: the package manager compares the file's version itself.
FROM_A_FILE = {("roles/apptainer/tasks/install_package_file.yml",
                "Install Apptainer from the package URL or file (RedHat)")}


def package_name_installs():
    """(file, task) of every task that installs packages by name (not from a .deb or .rpm file)."""
    found = []
    for path in sorted(TOP.glob("roles/*/tasks/*.yml")):
        for task in tasks_of(path):
            module = next((m for m in INSTALL_MODULES if m in task), None)
            if module and isinstance(task[module], dict) and "name" in task[module] \
                    and task[module].get("state", "present") == "present" \
                    and (str(path.relative_to(TOP)), task["name"]) not in FROM_A_FILE:
                found.append((path.relative_to(TOP), task))
    return found


def test_every_install_by_name_is_skipped_when_nothing_is_missing():
    installs = package_name_installs()
    assert len(installs) >= 13, installs  # every role that installs packages
    for path, task in installs:
        when = task.get("when", [])
        when = " ".join(when) if isinstance(when, list) else str(when)
        assert "difference(__preflight_packages.installed | default([]))" in when, (str(path), task["name"])


def test_the_list_is_made_at_the_preflight_before_anything_ends_the_play():
    """Where the first play ends before base's checks, the list is a task of its own before the
    end, registered; else it is one of base's node reads, kept by a set_fact that is not cacheable
    (a fact cache would keep it for later runs)."""
    play = yaml.safe_load((TOP / "playbooks" / "preflight.yml").read_text())[0]
    names = [t["name"] for t in play["tasks"]]
    listing = next(t for t in play["tasks"] if "hpc.cluster.installed_packages" in t)
    end = next(t for t in play["tasks"] if "ansible.builtin.meta" in t)
    assert listing["register"] == "__preflight_packages"
    assert names.index(listing["name"]) < names.index(end["name"])
    assert listing["when"] == ["__preflight_packages_read.enabled", end["when"], "not __preflight_packages_with_slurm"]
    read = play["vars"]["__preflight_packages_read"]
    assert read["module"] == "hpc.cluster.installed_packages"
    assert listing["hpc.cluster.installed_packages"] == {key: "{{ __preflight_packages_read.args.%s }}" % key
                                                        for key in read["args"]}
    assert play["vars"]["__preflight_node_reads"]["packages"] == "{{ __preflight_packages_read }}"
    kept = [t["ansible.builtin.set_fact"] for t in play["tasks"] if "__preflight_packages" in t.get(
        "ansible.builtin.set_fact", {})]
    assert kept == [{"__preflight_packages": "{{ __base_reads.reads.packages | default(__preflight_packages) }}",
                     "__preflight_units": "{{ __base_reads.reads.units }}"}]


@pytest.mark.parametrize("concerns", [["base"], [], ["slurm"]], ids=["with-base", "without-base", "slurm-alone"])
def test_the_first_play_lists_the_packages_once_among_base_reads_or_alone(tmp_path, concerns):
    """playbooks/preflight.yml on this machine (a control node, --check): with base checked, the
    package list and the units' states are two of base's node reads (one task per node for all;
    they were two tasks of their own) and are kept under the names the roles read; without base,
    the package list is the play's one task before it ends; for slurm.yml alone, one of the Slurm
    play's node reads (a task fewer per node)."""
    # The Slurm checks want the inventory name to be the host's name.
    name = socket.gethostname() if concerns == ["slurm"] else "head"
    hosts = {name: local_host(ansible_host="10.1.0.10")}
    inv = {"all": {"children": {"cluster": {
        "vars": {"cluster_network": "10.1.0.0/16", "cluster_users": [], "cluster_groups": [],
                 "base_firewall_manage": False, "slurm_accounting": False, "slurm_firewall_manage": False},
        "children": {"control": {"hosts": hosts}, "compute": {"hosts": {name: {}}}}}}}}
    if concerns == ["slurm"]:  # and the accounting host's read of the database slurmdbd uses
        inv["all"]["children"]["cluster"]["vars"].update(
            slurm_accounting=True, slurm_accounting_host=name, slurmdbd_db_password="not-a-real-secret")
    run = start(tmp_path, TOP / "playbooks" / "preflight.yml", inv, args=["--check"],
                extra={"cluster_preflight_concerns": concerns}).result()
    run.passed(name)
    listing = run.task_result(name, "List the installed packages")
    if concerns == ["slurm"]:
        assert listing.get("skipped") is True, listing
        reads = run.task_result(name, SLURM_READS)["reads"]
        assert "dpkg" in reads["packages"]["installed"] or "rpm" in reads["packages"]["installed"], reads
        kept = run.task_result(name, SLURM_KEEP)["ansible_facts"]
        assert kept["__preflight_packages"]["installed"] == reads["packages"]["installed"]
        assert set(reads["slurmdbd_storage"]) >= {"exists", "values"}, reads
        assert kept["__slurmdbd_storage_now"] == reads["slurmdbd_storage"]
        # which role slurmdbd's checks then took (the run passed: no database to move here)
        assert run.task_result(name, SLURMDBD_CHECKS).get("failed") is not True
    elif concerns:
        assert listing.get("skipped") is True, listing
        reads = run.task_result(name, "base : " + BASE_READS)["reads"]
        assert "dpkg" in reads["packages"]["installed"] or "rpm" in reads["packages"]["installed"], reads["packages"]
        assert set(reads["units"]["roles"]) >= {"repos", "chrony", "base"}, reads["units"]
        kept = run.task_result(name, KEEP)["ansible_facts"]
        assert kept["__preflight_packages"]["installed"] == reads["packages"]["installed"]
        assert kept["__preflight_units"]["units"] == reads["units"]["units"]
    else:
        assert "dpkg" in listing["installed"] or "rpm" in listing["installed"], listing
        assert not [task for task, _result in run.tasks(name) if task["name"] in ("base : " + BASE_READS, KEEP)]
