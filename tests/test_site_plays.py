"""site.yml walks through each play and task once: the preflight of every concern once, then each
concern's plays; paths that most nodes skip (an install method, a role that is off) are one
include, not one skipped task each. A re-run pays for every task it walks through, run or skipped
(about 0.1 s per skipped task on four nodes), so these are the shape a re-run's cost depends on."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")
CONCERNS = ["base", "containers", "slurm", "monitoring"]


def load(path):
    return yaml.safe_load(path.read_text())


def imports(path):
    """The playbooks path imports, in order, relative to the playbooks directory."""
    key = "ansible.builtin.import_playbook"
    return [entry[key] for entry in load(path) if key in entry]


def listed_plays(playbook):
    out = subprocess.run([PLAYBOOK_BIN, "-i", str(TOP / "inventories" / "lab"), str(TOP / "playbooks" / playbook),
                          "--list-tasks"], capture_output=True, text=True, cwd=TOP, check=True, timeout=300).stdout
    return re.findall(r"^  play #\d+ \([^)]*\): (.+?)\tTAGS", out, re.M), out


def test_site_imports_the_preflight_once_then_each_concerns_plays():
    assert imports(TOP / "playbooks" / "site.yml") == ["preflight.yml"] + ["plays/%s.yml" % c for c in CONCERNS]
    for concern in CONCERNS:
        plays = load(TOP / "playbooks" / "plays" / ("%s.yml" % concern))
        assert plays and all("hosts" in play for play in plays), concern  # plays only, no imports
        head = load(TOP / "playbooks" / ("%s.yml" % concern))
        assert [e.get("ansible.builtin.import_playbook") for e in head] == ["preflight.yml", "plays/%s.yml" % concern]
        assert head[0]["vars"] == {"cluster_preflight_concerns": [concern]}


def test_site_tags_each_concern_with_its_name():
    """--tags slurm (base, containers, monitoring) converges that concern; the preflight is always run."""
    tagged = {e["ansible.builtin.import_playbook"]: e.get("tags") for e in load(TOP / "playbooks" / "site.yml")}
    assert tagged == {"preflight.yml": None, **{"plays/%s.yml" % c: [c] for c in CONCERNS}}
    # A dynamic include passes no tag on: it is always reached and applies its concern's tag.
    for concern in CONCERNS:
        for play in load(TOP / "playbooks" / "plays" / ("%s.yml" % concern)):
            for task in play.get("tasks") or []:
                if "ansible.builtin.include_role" in task:
                    assert task["tags"] == ["always"], task["name"]
                    assert task["ansible.builtin.include_role"]["apply"]["tags"] == [concern], task["name"]


def test_site_lists_each_preflight_play_once():
    names, _ = listed_plays("site.yml")
    preflight = [p["name"] for p in load(TOP / "playbooks" / "preflight.yml")]
    assert [n for n in names if n in preflight] == preflight
    assert len(names) == len(set(names)), "a play listed twice: %s" % sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("playbook", ["base.yml", "slurm.yml", "containers.yml", "monitoring.yml"])
def test_concern_playbook_alone_still_runs_its_preflight_first(playbook):
    names, _ = listed_plays(playbook)
    assert names[0] == "Preflight: base OS (every node)"
    assert "Preflight: passed" in names


@pytest.mark.parametrize("role", ["node_exporter", "prometheus", "alertmanager"])
def test_install_is_one_include_skipped_when_the_package_is_there(role):
    """A node that has the package skips the install in one task; one installed from the package
    skips the archive's seven tasks with it."""
    tasks = load(TOP / "roles" / role / "tasks" / "install.yml")
    assert len(tasks) == 1, [t.get("name") for t in tasks]
    include = tasks[0]["ansible.builtin.include_tasks"]
    assert include["file"] == "install_{{ %s_install_method }}.yml" % role
    assert include["apply"]["tags"] == ["%s_install" % role]
    assert tasks[0]["when"].split() == ("%s_install_method == 'archive' or __%s_repository_packages | difference("
                                        "__preflight_packages.installed | default([])) | length > 0"
                                        % (role, role)).split()
    spec = load(TOP / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    for method in spec["%s_install_method" % role]["choices"]:
        assert (TOP / "roles" / role / "tasks" / ("install_%s.yml" % method)).exists(), method
    assert any("ansible.builtin.get_url" in t for t in load(TOP / "roles" / role / "tasks" / "install_archive.yml"))
    assert any("ansible.builtin.package" in t for t in load(TOP / "roles" / role / "tasks" / "install_package.yml"))


def test_apptainer_install_is_one_include_skipped_when_nothing_is_to_be_installed():
    tasks = load(TOP / "roles" / "apptainer" / "tasks" / "install.yml")
    assert len(tasks) == 1 and "ansible.builtin.include_tasks" in tasks[0], [t.get("name") for t in tasks]
    when = " ".join(tasks[0]["when"].split())
    assert when.startswith("__apptainer_install_source in ['url', 'file'] or (__apptainer_install_source == 'epel'")
    assert "difference(__preflight_packages.installed | default([]))" in when


def test_roles_that_may_be_off_are_includes():
    preflight = {p["name"]: p for p in load(TOP / "playbooks" / "preflight.yml")}
    for play, role in [("Preflight: NFS server (when nfs_enabled)", "nfs_server"),
                       ("Preflight: NFS clients (when nfs_enabled)", "nfs_client"),
                       ("Preflight: monitoring (every node and the monitoring hosts)", "grafana")]:
        task = next(t for t in preflight[play]["tasks"] if t["name"] == "Preflight of role %s" % role)
        include = task["ansible.builtin.include_role"]
        assert include["name"] == role and include["apply"]["tags"] == ["always"] and "when" in task
    monitoring = load(TOP / "playbooks" / "plays" / "monitoring.yml")[-1]
    *servers, grafana = monitoring["tasks"]
    assert [t["ansible.builtin.import_role"]["name"] for t in servers] == ["prometheus", "alertmanager"]
    assert grafana["ansible.builtin.include_role"]["name"] == "grafana"
    assert grafana["when"] == "grafana_enabled | default(true) | bool" and grafana["tags"] == ["always"]
    assert grafana["ansible.builtin.include_role"]["apply"]["tags"] == ["monitoring"]


# What site.yml lists statically (ansible-playbook --list-tasks): every task a re-run walks
# through when no include is taken: 863 before the preflight was imported once, the rarely
# taken paths became includes and the OS data was loaded once per run; 306 after; 266 once the
# plays imported each role's converge.yml (no second argument validation, OS-data or preflight
# include per role); 262 once each preflight play loaded the OS data and validated the arguments of
# all of its roles in one task each (playbooks/tasks/preflight_roles.yml); 225 at cc92dec (the
# budget had slack); 220 once one task (hpc.cluster.role_arguments) checked both the OS data and
# the settings; 215 once roles podman and apptainer read user.max_user_namespaces and planned
# /etc/subuid and /etc/subgid in one call (hpc.cluster.userns_info); 207 once slurm's cgroup.conf
# and gres.conf, node_exporter's directory and flags were one files call each, firewalld was
# started and enabled in one task, and two set_facts of derived values became role vars; 204 once
# base's hosts file was one call (hpc.cluster.hosts_file); 199 once hpc.cluster.role_arguments read
# the argument specs itself (a set_fact per preflight play before); 193 once the install steps of
# apptainer and of the three monitoring roles were one include each, skipped whole when nothing is
# to be installed; 190 once base's account fixes and slurm's slurmctld start were includes too;
# 176 once the accounting data was one module run (with the Unix-user check), slurm.conf,
# cgroup.conf and gres.conf one write (the handler chooses restart or reconfigure from what they
# replaced), slurm.conf rendered by the preflight, each daemon account one call
# (hpc.cluster.service_account), munge's key directory and key attributes one call, and the
# slurmdbd preflight's Unix-user check part of its checks task; 173 once the PartitionName lines
# were built with the slurm.conf layers, and the Slurm collector's files and Prometheus's
# directories and targets were one files call each; 170 once slurm's directories were part of the
# write of its configuration files (in both plays that run the role).
# Raise it only for a task that every run needs.
SITE_TASK_BUDGET = 170


def test_site_task_budget():
    _, out = listed_plays("site.yml")
    tasks = [line for line in out.splitlines() if "\tTAGS:" in line and not line.startswith("  play #")]
    assert len(tasks) <= SITE_TASK_BUDGET, "site.yml lists %d tasks (budget %d)" % (len(tasks), SITE_TASK_BUDGET)


# Task files that roles include per host (--list-tasks does not list them), with their budgets.
# (slurm's configless.yml had six tasks before its files became one hpc.cluster.files call, and
# none since they are entries of configure.yml's call.)
# slurm's service_controller.yml: 3 once the controller's restart or reconfigure became its checked
# first step (tasks/apply_controller.yml); a re-run walks none of it (the include is skipped).
# base's users_apply.yml: 3 once a login shell the preflight missed, where packages were to be
# installed, is read again before any account changes (a block, skipped in one step otherwise; the
# file runs only where an account differs).
INCLUDED_TASK_BUDGETS = {"roles/slurm/tasks/state.yml": 2, "roles/slurm/tasks/service_controller.yml": 3,
                         "roles/slurm/tasks/firewall.yml": 2, "roles/base/tasks/users_apply.yml": 3}


@pytest.mark.parametrize("path", sorted(INCLUDED_TASK_BUDGETS))
def test_included_task_budgets(path):
    tasks = load(TOP / path)
    assert len(tasks) <= INCLUDED_TASK_BUDGETS[path], "%s has %d tasks (budget %d)" % (
        path, len(tasks), INCLUDED_TASK_BUDGETS[path])


def test_steps_most_nodes_skip_on_a_rerun_are_one_include():
    """A re-run walks one task, not two, where every account holds (base) and on every node that is
    not a controller (slurm's slurmctld start and wait)."""
    users = load(TOP / "roles" / "base" / "tasks" / "users.yml")
    assert [next(k for k in t if k.startswith("ansible.builtin.") or k.startswith("hpc.")) for t in users] == [
        "ansible.builtin.include_tasks"]
    assert users[0]["ansible.builtin.include_tasks"]["file"] == "users_apply.yml"
    assert users[0]["when"] == ("__base_account_changes.groups | length > 0 "
                                "or __base_account_changes.users | length > 0")
    # the accounts are read once, by the preflight, which refuses an account with another ID
    checks = load(TOP / "roles" / "base" / "tasks" / "checks.yml")
    reads = [t for t in checks if "hpc.cluster.node_reads" in t]
    assert [(t["register"], t["hpc.cluster.node_reads"]["reads"]["accounts"]["module"]) for t in reads] == [
        ("__base_reads", "hpc.cluster.account_entries")]
    assert not [t for t in checks if "hpc.cluster.account_entries" in t]
    applied = load(TOP / "roles" / "base" / "tasks" / "users_apply.yml")
    # the shells a package of the run may bring are read again first (a block, skipped in one step)
    assert [("block" in t, "ansible.builtin.group" in t, "ansible.builtin.user" in t) for t in applied] == [
        (True, False, False), (False, True, False), (False, False, True)]
    assert applied[0]["when"][0] == "__base_shells_missing | length > 0"
    service = load(TOP / "roles" / "slurm" / "tasks" / "service.yml")
    controller = next(t for t in service if "ansible.builtin.include_tasks" in t)
    assert controller["ansible.builtin.include_tasks"]["file"] == "service_controller.yml"
    assert controller["when"][0] == "__slurm_is_control"
    assert "or not (__preflight_units.units['slurmctld'].ready | default(false))" in controller["when"][2]
    assert not any("slurmctld" in str(t.get("ansible.builtin.service", {})) for t in service)
    started = load(TOP / "roles" / "slurm" / "tasks" / "service_controller.yml")
    assert [t["name"] for t in started] == ["Apply the new slurm.conf on slurmctld", "Start and enable slurmctld",
                                            "Wait for slurmctld to listen"]


def accounting_group_run(tmp_path, limit=None):
    """The preflight's task that makes group slurm_accounting, then a play on that group."""
    from playbook_harness import local_host, start

    plays = load(TOP / "playbooks" / "preflight.yml")
    task = next(t for p in plays for t in p.get("tasks", [])
                if t.get("name") == "Put the accounting host in group slurm_accounting")
    test = [{"name": "Group", "hosts": "control:compute", "gather_facts": False, "tasks": [task]},
            {"name": "On the group", "hosts": "slurm_accounting", "gather_facts": False,
             "tasks": [{"name": "Here", "ansible.builtin.debug": {"msg": "{{ inventory_hostname }}"}}]}]
    hosts = {name: local_host() for name in ("head", "head2", "c01")}
    inventory = {"all": {"vars": {"slurm_accounting": True, "slurm_accounting_host": "head2"}, "children": {
        "control": {"hosts": {"head": hosts["head"], "head2": hosts["head2"]}},
        "compute": {"hosts": {"c01": hosts["c01"]}}}}}
    result = start(tmp_path, test, inventory, args=["--limit", limit] if limit else []).result()
    return task, sorted(h for p in result.data["plays"][1:] for t in p["tasks"] for h in t["hosts"])


def test_the_accounting_group_is_made_once_and_holds_the_accounting_host_of_this_run(tmp_path):
    task, ran = accounting_group_run(tmp_path)
    assert "ansible.builtin.add_host" in task  # once for the play (group_by runs on every host)
    assert ran == ["head2"]
    _, ran = accounting_group_run(tmp_path, limit="head,c01")
    assert ran == []  # not in this run: not made part of it


def test_a_monitoring_host_outside_the_cluster_gets_its_facts_in_one_task(tmp_path):
    """The monitoring preflight gathers facts for the monitoring hosts outside group cluster only,
    in one task for the play (not one per node, which every cluster node would skip)."""
    from playbook_harness import local_host, start

    plays = load(TOP / "playbooks" / "preflight.yml")
    task = next(t for p in plays for t in p.get("tasks", [])
                if t.get("name", "").startswith("Gather the facts the OS data is chosen by"))
    assert task["run_once"] is True
    test = [{"name": "Monitoring preflight's gather", "hosts": "cluster:monitoring", "gather_facts": False,
             "tasks": [task, {"name": "Family", "ansible.builtin.debug": {
                 "msg": "{{ ansible_facts['os_family'] | default('none') }}"}}]}]
    inventory = {"all": {"children": {"cluster": {"hosts": {"c01": local_host()}},
                                      "monitoring": {"hosts": {"mon1": local_host(), "mon2": local_host()}}}}}
    result = start(tmp_path, test, inventory, env=None).result()
    family = {host: result.task_result(host, "Family")["msg"] for host in ("c01", "mon1", "mon2")}
    assert family["c01"] == "none" and family["mon1"] == family["mon2"] != "none", family
    gathered = [r for t, r in result.tasks("c01") if t["name"] == task["name"]]
    assert [item["item"] for item in gathered[0]["results"]] == ["mon1", "mon2"], gathered


def test_accounting_entities_are_declared_in_one_module_run():
    """sacctmgr reads cost about 0.2 s each and a task about 0.15 s on the lab: a loop read two
    tables per user and account on every re-run; one module run with typed entries reads each
    table once for the cluster, the QOS, the accounts and the users, and checks the Unix users."""
    tasks = load(TOP / "roles" / "slurmdbd" / "tasks" / "accounts.yml")
    assert len(tasks) == 1
    call = tasks[0]["hpc.cluster.slurm_account"]
    assert not any(key.startswith(("loop", "with_")) for key in tasks[0])
    assert "hpc.cluster.slurm_accounting_entries" in call["entries"]
    assert call["require_unix_users"] is True


def test_ansible_cfg_enables_the_callbacks_that_cut_the_controller_s_cost():
    """Template texts compiled once per process, Mitogen's caches warmed before its forks, skipped
    tasks decided and controller-only actions run without a fork (the skip first: listed after)."""
    import configparser

    config = configparser.ConfigParser()
    config.read(TOP / "ansible.cfg")
    enabled = [name.strip() for name in config["defaults"]["callbacks_enabled"].split(",")]
    assert {"hpc.cluster.template_cache", "hpc.cluster.mitogen_warmup", "hpc.cluster.skip_without_fork",
            "hpc.cluster.actions_without_fork"} <= set(enabled)
    # The wrapper installed last runs first: a task skipped on a host never reaches the executor.
    assert enabled.index("hpc.cluster.skip_without_fork") > enabled.index("hpc.cluster.actions_without_fork")


def test_facts_are_not_injected_and_nothing_reads_them_as_variables():
    """ansible.cfg keeps facts under ansible_facts only: with injection ansible-core deep-copies and
    filters every host's facts into top-level variables for each task and host it queues. So no
    role, playbook, inventory, scenario or documented example may read a fact by its top-level name."""
    import configparser

    from ansible.module_utils.facts import default_collectors

    config = configparser.ConfigParser()
    config.read(TOP / "ansible.cfg")
    assert config.getboolean("defaults", "inject_facts_as_vars") is False

    facts = set()
    for collector in default_collectors.collectors:
        facts |= set(collector._fact_ids) | {collector.name}
    facts |= {"hostname", "nodename", "fqdn", "domain", "memtotal_mb", "memfree_mb", "swaptotal_mb",
              "processor_vcpus", "processor_threads_per_core", "product_name", "uptime_seconds", "memory_mb"}
    facts -= {"user", "local"}  # ansible_user is the connection's user; ansible_local is still promoted
    pattern = re.compile(r"\bansible_(%s)\b" % "|".join(sorted(map(re.escape, facts))))
    found = []
    for top in ("roles", "playbooks", "inventories", "molecule", "lab", "docs", "collections/ansible_collections/hpc"):
        for path in sorted((TOP / top).rglob("*")):
            if path.suffix in {".yml", ".yaml", ".j2", ".md", ".cfg"} and path.is_file():
                for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    found += ["%s:%d: %s" % (path.relative_to(TOP), number, match.group(0))
                              for match in pattern.finditer(line)]
    assert found == []


def test_templates_call_only_builtin_and_own_filters_and_tests():
    """A filter or test of another collection makes every worker that renders it load that
    collection's filter files one by one until it finds it (ansible-core's Jinja2 plugin loader),
    a tenth of a worker's CPU for community.general's; hpc.cluster's are loaded before the fork."""
    call = re.compile(r"""(?:\|\s*|\bis\s+(?:not\s+)?|(?:map|select|reject|selectattr|rejectattr)\([^)]*?['"])"""
                      r"""([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\.[a-z_][a-z0-9_]*\b""")
    found = []
    for top in ("roles", "playbooks", "inventories"):
        for path in sorted((TOP / top).rglob("*")):
            if path.suffix in {".yml", ".yaml", ".j2"} and path.is_file():
                for number, line in enumerate(path.read_text().splitlines(), 1):
                    found += ["%s:%d: %s" % (path.relative_to(TOP), number, match.group(0))
                              for match in call.finditer(line)
                              if match.group(1) not in {"hpc.cluster", "ansible.builtin"}]
    assert found == []
