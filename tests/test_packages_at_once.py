"""site.yml installs the packages of every role of a node in one transaction (issue 13).

playbooks/tasks/packages_at_once.yml asks hpc.cluster.role_packages for the packages of the roles a
node runs (by the groups the site plays target); each role names them in __<role>_repository_packages,
the variable its own install task installs. The task runs here, as written, against the real roles
on Debian and Rocky (RedHat family) hosts; the mapping is checked against the site plays.
"""

import copy
import re

import pytest
import yaml
from playbook_harness import TOP, local_host, start

TASKS = TOP / "playbooks" / "tasks"
ROLES = ["chrony", "base", "node_exporter", "munge", "slurm", "slurmdbd", "apptainer", "podman",
         "prometheus", "alertmanager"]


def os_data(family, role):
    return yaml.safe_load((TOP / "roles" / role / "vars" / ("%s.yml" % family)).read_text()) or {}


def listing_task():
    return yaml.safe_load((TASKS / "packages_at_once.yml").read_text())[0]


HOSTS = {
    # host: (groups, OS family, its variables)
    "deb-head": (["control", "slurm_accounting", "monitoring_servers"], "Debian", {"base_firewall_manage": True}),
    "deb-c01": (["compute"], "Debian", {"node_exporter_install_method": "archive", "base_packages_extra": ["htop"],
                                        "base_firewall_manage": True}),
    "deb-login": (["login"], "Debian", {"installed": ["chrony", "firewalld", "python3-firewall", "munge"],
                                        "base_firewall_manage": True}),
    "rh-head": (["control", "slurm_accounting"], "RedHat", {"base_selinux_manage": True}),
    "rh-c01": (["compute"], "RedHat", {"apptainer_suid": True}),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("packages-at-once")
    groups = {name: {"hosts": {}} for name in ["control", "compute", "login", "slurm_accounting",
                                               "monitoring_servers", "odd"]}
    hosts = {}
    for host, (member_of, family, variables) in HOSTS.items():
        variables = dict(variables)
        installed = variables.pop("installed", [])
        hosts[host] = local_host(os_family=family, __preflight_packages={"installed": installed}, **variables)
        for name in member_of:
            groups[name]["hosts"][host] = {}
    hosts["odd"] = local_host(os_family="Debian", __preflight_packages={"installed": []})
    groups["odd"]["hosts"]["odd"] = {}
    inventory = {"all": {"children": {"cluster": {"hosts": hosts, "children": groups}}}}

    listing = copy.deepcopy(listing_task())
    listing["hpc.cluster.role_packages"]["roles_dir"] = str(TOP / "roles")
    listing["when"] = listing["when"] + ["inventory_hostname != 'odd'"]
    play = [{"name": "The packages of each node's roles", "hosts": "cluster", "gather_facts": False, "tasks": [
        {"name": "Load the roles' OS data, as the preflight does",
         "ansible.builtin.include_vars": {"file": "%s/{{ item }}/vars/{{ os_family }}.yml" % (TOP / "roles")},
         "loop": ROLES},
        listing,
        {"name": "A role without the variable", "hpc.cluster.role_packages": {
            "roles": ["chrony", "grafana"], "roles_dir": str(TOP / "roles")},
         "when": "inventory_hostname == 'odd'"},
    ]}]
    return start(top, play, inventory).result()


def packages(run, host):
    run.passed(host)
    return run.task_result(host, listing_task()["name"])


def test_a_debian_head_gets_every_package_of_its_roles(run):
    result = packages(run, "deb-head")
    assert result["packages"] == {
        "chrony": ["chrony"], "base": ["firewalld", "python3-firewall"],
        "node_exporter": ["prometheus-node-exporter"], "munge": ["munge"],
        "slurm": ["slurmctld", "slurm-client"], "slurmdbd": ["mariadb-server", "python3-pymysql", "slurmdbd"],
        "prometheus": ["prometheus"], "alertmanager": ["prometheus-alertmanager"]}
    assert result["missing"] == result["wanted"] and len(result["wanted"]) == 12
    assert sorted(result["missing_roles"]) == sorted(result["packages"])


def test_the_inventory_wins_over_the_role_defaults(run):
    result = packages(run, "deb-c01")
    assert result["packages"]["node_exporter"] == []  # installed from the release archive
    assert result["packages"]["base"] == ["htop", "firewalld", "python3-firewall"]
    assert result["packages"]["slurm"] == ["slurmd", "slurm-client"]
    assert result["packages"]["podman"] == os_data("Debian", "podman")["__podman_packages"]
    assert result["packages"]["apptainer"] == []  # Debian: from a package file, not a repository
    assert "prometheus" not in result["packages"]


def test_installed_packages_are_not_missing(run):
    result = packages(run, "deb-login")
    assert {"chrony", "firewalld", "munge"} <= set(result["wanted"])
    assert not {"chrony", "firewalld", "python3-firewall", "munge"} & set(result["missing"])
    assert sorted(result["missing_roles"]) == ["node_exporter", "podman", "slurm"]
    assert "slurm-client" in result["missing"]


def test_rocky_names_come_from_the_os_data(run):
    head, compute = packages(run, "rh-head"), packages(run, "rh-c01")
    slurm = os_data("RedHat", "slurm")["__slurm_packages"]["openhpc"]
    assert head["packages"]["slurm"] == slurm["control"]
    assert compute["packages"]["slurm"] == slurm["compute"]
    dbd = os_data("RedHat", "slurmdbd")
    assert head["packages"]["slurmdbd"] == dbd["__slurmdbd_mysql_packages"] + dbd["__slurmdbd_packages"]["openhpc"]
    assert compute["packages"]["apptainer"] == ["apptainer", "apptainer-suid"]  # EPEL, with apptainer_suid
    base = os_data("RedHat", "base")
    assert head["packages"]["base"] == base["__base_selinux_packages"] + base["__base_firewall_packages"]


def test_a_role_without_the_variable_is_named(run):
    result = run.task_result("odd", "A role without the variable")
    assert result["failed"]
    assert result["msg"].startswith("role grafana: its vars/main.yml defines no __grafana_repository_packages")


def site_roles_by_group():
    """Per role of the site plays, the groups its plays target (negations and [0] left out)."""
    found = {}
    for path in sorted((TOP / "playbooks" / "plays").glob("*.yml")):
        for play in yaml.safe_load(path.read_text()):
            groups = {re.sub(r"\[.*\]$", "", part) for part in play["hosts"].split(":") if not part.startswith("!")}
            for task in play.get("tasks", []):
                role = (task.get("ansible.builtin.import_role") or {}).get("name")
                if role:
                    found.setdefault(role, set()).update(groups)
    return found


def test_the_roles_by_group_are_those_of_the_site_plays():
    mapping = listing_task()["vars"]["__packages_at_once_roles"]
    listed = {}
    for group, roles in mapping.items():
        for role in roles:
            listed.setdefault(role, set()).add(group)
    site = site_roles_by_group()
    with_packages = {role for role in site
                     if "_repository_packages:" in (TOP / "roles" / role / "vars" / "main.yml").read_text()}
    assert set(listed) == with_packages
    for role, groups in listed.items():
        assert groups == site[role], role


def test_each_role_installs_its_repository_packages_variable():
    """The roles' own install tasks install exactly the variable the one transaction reads."""
    for role in listing_task()["vars"]["__packages_at_once_roles"]["cluster"] + ROLES:
        texts = " ".join(path.read_text() for path in (TOP / "roles" / role / "tasks").glob("install*.yml"))
        names = re.findall(r"ansible\.builtin\.package:\n\s+name: \"\{\{ (\S+) \}\}\"", texts)
        assert names and set(names) == {"__%s_repository_packages" % role}, (role, names)


@pytest.fixture(scope="module")
def narrowed(tmp_path_factory):
    """The listing task (tagged as site.yml tags it) under several tag selections."""
    cases = {"none": [], "notest": ["--skip-tags", "molecule-notest,notest"],
             "skip-monitoring": ["--skip-tags", "monitoring"], "skip-install": ["--skip-tags", "munge_install"],
             "tags-base": ["--tags", "base"]}
    listing = copy.deepcopy(listing_task())
    listing["hpc.cluster.role_packages"]["roles_dir"] = str(TOP / "roles")
    listing["tags"] = ["base"]
    host = local_host(os_family="Debian", __preflight_packages={"installed": []}, base_firewall_manage=True)
    play = [{"name": "Tags", "hosts": "cluster", "gather_facts": False, "tasks": [
        {"name": "Load the OS data", "ansible.builtin.include_vars": {
            "file": "%s/{{ item }}/vars/Debian.yml" % (TOP / "roles")}, "loop": ["chrony", "base", "node_exporter"],
         "tags": ["always"]},
        listing]}]
    runs = {}
    for name, args in cases.items():
        top = tmp_path_factory.mktemp("tags-" + name)
        runs[name] = start(top, play, {"all": {"children": {"cluster": {"hosts": {"n1": host}}}}}, args=args)
    return {name: future.result() for name, future in runs.items()}


@pytest.mark.parametrize("case,lists", [("none", True), ("notest", True), ("skip-monitoring", False),
                                        ("skip-install", False), ("tags-base", False)])
def test_only_a_run_of_every_concern_installs_at_once(narrowed, case, lists):
    run = narrowed[case]
    run.passed("n1")
    results = [r for task, r in run.tasks("n1") if task["name"] == listing_task()["name"]]
    listed = bool(results) and not results[-1].get("skipped")
    assert listed == lists, (case, results)
    if lists:
        assert results[-1]["wanted"] == ["chrony", "firewalld", "python3-firewall", "prometheus-node-exporter"]
