"""Every role has the shape of docs/role-skeleton.md: one table of contents, one tag scheme, one
OS-data pattern; and the OS data is chosen from the facts, unknown OSes refused by name."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")
ROLES = sorted(p.name for p in (TOP / "roles").iterdir() if (p / "tasks" / "main.yml").exists())
STEPS = ["install", "configure", "service"]
# Dynamic includes the skeleton allows, each for a reason its converge.yml states in a comment.
DYNAMIC = {
    "base": {"selinux.yml", "service.yml", "firewall.yml"},  # check-mode guards
    "repos": {"{{ ansible_facts['os_family'] }}.yml"},  # file name from the facts
    "slurmdbd": {"configure.yml", "service.yml"},  # check-mode guard
}
# base starts firewalld before it configures the zones: its modules need the running daemon.
STEP_OF_FILE = {"hosts.yml": "configure", "users.yml": "configure", "limits.yml": "configure",
                "sysctl.yml": "configure", "selinux.yml": "configure", "firewall.yml": "zones",
                "RedHat.yml": "configure", "{{ ansible_facts['os_family'] }}.yml": "configure"}


def load(path):
    return yaml.safe_load(path.read_text())


def included_file(task):
    for key in ("ansible.builtin.import_tasks", "ansible.builtin.include_tasks"):
        if key in task:
            value = task[key]
            return key.rsplit(".", 1)[1], value["file"] if isinstance(value, dict) else value
    raise AssertionError("main.yml and converge.yml hold only imports and includes: %r" % task)


# The concern of playbooks/preflight.yml each role's own preflight is skipped after.
CONCERN_OF_ROLE = {
    **dict.fromkeys(("munge", "slurm", "slurmdbd"), "slurm"),
    **dict.fromkeys(("apptainer", "podman"), "containers"),
    **dict.fromkeys(("node_exporter", "slurm_exporter", "prometheus", "alertmanager", "grafana"), "monitoring"),
}


@pytest.mark.parametrize("role", ROLES)
def test_table_of_contents(role):
    tasks = load(TOP / "roles" / role / "tasks" / "main.yml")
    first, second, third = tasks
    # The steps that change the node live in converge.yml, which playbooks/plays/ imports directly.
    assert included_file(third) == ("import_tasks", "converge.yml") and "tags" not in third, third
    steps = load(TOP / "roles" / role / "tasks" / "converge.yml")
    assert first["tags"] == ["always"]
    # A role whose preflight loads the OS data (when a value of it is undefined) skips loading it
    # again in one task when the preflight play has: the same condition, an include.
    loads = [t for t in load(TOP / "roles" / role / "tasks" / "preflight.yml")[:1]
             if "set_vars.yml" in (t.get("ansible.builtin.include_tasks"), t.get("ansible.builtin.import_tasks"))]
    if loads:
        assert included_file(first) == ("include_tasks", "set_vars.yml")
        assert first["when"] == loads[0]["when"]
        assert first["ansible.builtin.include_tasks"]["apply"]["tags"] == ["always"]
    else:
        assert included_file(first) == ("import_tasks", "set_vars.yml")
    # An include, skipped whole once playbooks/preflight.yml checked the concern: a skipped
    # import would overwrite the results its tasks registered in the preflight play.
    assert included_file(second) == ("include_tasks", "preflight.yml")
    assert second["ansible.builtin.include_tasks"]["apply"]["tags"] == second["tags"]
    concern = CONCERN_OF_ROLE.get(role, "base")
    assert second["when"] == "'%s' not in __cluster_preflight_passed | default([])" % concern
    assert second["tags"] == [role + "_preflight", "always"]
    order = []
    for task in steps:
        kind, name = included_file(task)
        step = STEP_OF_FILE.get(name, name.removesuffix(".yml"))
        order.append(step)
        tag = role + "_" + ("configure" if step == "zones" else step)
        assert tag in task["tags"], (role, name, task["tags"])
        assert all(t.startswith(role + "_") for t in task["tags"]), task["tags"]
        if kind == "include_tasks":
            assert name in DYNAMIC.get(role, set()), "%s: %s is included dynamically for no reason" % (role, name)
            assert task["ansible.builtin.include_tasks"]["apply"]["tags"] == task["tags"]
    known = [s for s in order if s in STEPS]
    assert known == sorted(known, key=STEPS.index), (role, order)
    assert len(steps) >= 1


def test_dynamic_includes_say_why():
    for role in DYNAMIC:
        text = (TOP / "roles" / role / "tasks" / "converge.yml").read_text()
        assert re.search(r"# .*(dynamic include|check-mode guard)", text), role


@pytest.mark.parametrize("role", ROLES)
def test_one_set_vars_pattern(role):
    reference = (TOP / "roles/munge/tasks/set_vars.yml").read_text().replace("munge", "ROLE")
    assert (TOP / "roles" / role / "tasks" / "set_vars.yml").read_text().replace(role, "ROLE") == reference
    assert load(TOP / "roles" / role / "vars" / "default.yml") == {"__%s_os_unknown" % role: True}


@pytest.mark.parametrize("role", ROLES)
def test_no_vars_file_repeats_its_fallback(role):
    vars_dir = TOP / "roles" / role / "vars"
    families = {"Rocky": "RedHat", "AlmaLinux": "RedHat", "RedHat": "RedHat", "Debian": "Debian"}
    for path in vars_dir.glob("*_*.yml"):
        distribution = path.stem.split("_")[0]
        fallback = next(p for p in (vars_dir / (distribution + ".yml"), vars_dir / (families[distribution] + ".yml"))
                        if p.exists())
        assert load(path) != load(fallback), "%s holds what %s holds: delete it" % (path, fallback.name)


WRITE_CACHE = """
import json, sys
from ansible.plugins.loader import cache_loader, init_plugin_loader
init_plugin_loader()
cache = cache_loader.get("ansible.builtin.jsonfile", _uri=sys.argv[1])
for host, facts in json.load(sys.stdin).items():
    cache.set(host, facts)
"""
OS_FACTS = {
    "rocky10": ("Rocky", "10", "RedHat"),
    "rocky9": ("Rocky", "9", "RedHat"),
    "debian12": ("Debian", "12", "Debian"),
    "gentoo": ("Gentoo", "2", "Gentoo"),
}


def os_hosts(tmp_path):
    """Local hosts named after OS_FACTS, their OS facts in a jsonfile cache under tmp_path/facts."""
    facts = {host: {"ansible_distribution": d, "ansible_distribution_major_version": v, "ansible_os_family": f,
                    "ansible_distribution_version": v}
             for host, (d, v, f) in OS_FACTS.items()}
    subprocess.run([sys.executable, "-c", WRITE_CACHE, str(tmp_path / "facts")], input=json.dumps(facts),
                   text=True, check=True, timeout=300)
    return {h: {"ansible_connection": "local", "ansible_python_interpreter": sys.executable} for h in OS_FACTS}


def test_os_data_chosen_and_unknown_os_refused(tmp_path):
    hosts = os_hosts(tmp_path)
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    play = [{"name": "OS data", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.include_role": {"name": role, "tasks_from": "set_vars.yml", "public": True}}
        for role in ("munge", "slurm")] + [
        {"ansible.builtin.copy": {"content": "{{ [__munge_nologin, __slurm_package_source] | to_json }}",
                                  "dest": str(tmp_path / "seen-{{ inventory_hostname }}"), "mode": "0644"}}]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="jsonfile",
               ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"), ANSIBLE_GATHERING="smart",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0")
    run = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")],
                         capture_output=True, text=True, env=env, check=False, timeout=300)
    assert "role munge has no OS data for Gentoo 2 (family Gentoo)" in run.stdout, run.stdout[-4000:]
    assert "roles/munge/vars/Gentoo.yml" in run.stdout
    assert not (tmp_path / "seen-gentoo").exists()
    # Rocky 10 has no file of its own: it reads RedHat.yml, as Rocky 9 does.
    seen = {h: json.loads((tmp_path / ("seen-" + h)).read_text()) for h in ("rocky10", "rocky9", "debian12")}
    assert seen == {"rocky10": ["/sbin/nologin", "openhpc"], "rocky9": ["/sbin/nologin", "openhpc"],
                    "debian12": [load(TOP / "roles/munge/vars/Debian.yml")["__munge_nologin"], "distro"]}, seen


def role_imports(tasks):
    """(task, import_role/include_role arguments) of every role import in a list of tasks, blocks included."""
    for task in tasks or []:
        for key in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
            if key in task:
                yield task, task[key]
        yield from role_imports(task.get("block"))


PLAYS = sorted((TOP / "playbooks" / "plays").glob("*.yml"))


@pytest.mark.parametrize("path", PLAYS, ids=[p.stem for p in PLAYS])
def test_plays_run_the_roles_converge_step_only(path):
    """playbooks/plays/ runs after playbooks/preflight.yml: each role's converge.yml, which has no
    argument spec, so a re-run validates each role's arguments once (in the preflight) and walks
    through no preflight or OS-data include a second time."""
    imported = []
    for play in load(path):
        assert "roles" not in play, "%s: play %r uses roles: (its main.yml)" % (path.name, play["name"])
        for _task, args in role_imports(play.get("tasks")):
            entry = args.get("tasks_from", "main")
            if entry != "accounts.yml":
                assert entry == "converge.yml", (path.name, args)
            imported.append(args["name"])
    assert imported, path
    for role in imported:
        specs = load(TOP / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]
        assert not {"converge", "converge.yml"} & set(specs), role


def test_every_playbook_runs_the_preflight_before_the_plays():
    for path in sorted((TOP / "playbooks").glob("*.yml")):
        imports = [task["ansible.builtin.import_playbook"] for task in load(path) or []
                   if "ansible.builtin.import_playbook" in task]
        for position, target in enumerate(imports):
            if target.startswith("plays/"):
                assert "preflight.yml" in imports[:position], "%s imports %s without the preflight first" % (
                    path.name, target)


@pytest.mark.parametrize("role", ROLES)
def test_preflight_is_os_data_then_checks(role):
    """tasks_from: preflight.yml (and main.yml) loads the OS data, unless loaded, then runs checks.yml,
    which playbooks/preflight.yml imports directly. Between them only reads of the node that
    playbooks/preflight.yml makes itself (among a play's node reads) and keeps under the same name."""
    first, *reads, second = load(TOP / "roles" / role / "tasks" / "preflight.yml")
    kept = {name for play in load(TOP / "playbooks" / "preflight.yml") for task in play.get("tasks", [])
            for name in task.get("ansible.builtin.set_fact", {})}
    for read in reads:
        assert read["register"] in kept and "when" not in read, (role, read["name"])
    assert included_file(first) == ("include_tasks", "set_vars.yml")
    assert first["when"] == load(TOP / "roles" / role / "tasks" / "main.yml")[0]["when"]
    assert included_file(second) == ("import_tasks", "checks.yml")
    assert (TOP / "roles" / role / "tasks" / "checks.yml").exists()


SHARED = "tasks/preflight_roles.yml"


def test_site_preflight_loads_and_validates_each_plays_roles_in_one_step():
    """Each play of playbooks/preflight.yml imports its roles' checks.yml after one import of
    tasks/preflight_roles.yml naming exactly those roles; a role that may be off is included
    through its own preflight.yml (which loads and validates it alone)."""
    checked = set()
    for play in load(TOP / "playbooks" / "preflight.yml"):
        tasks = play.get("tasks") or []
        shared = [i for i, t in enumerate(tasks) if t.get("ansible.builtin.import_tasks") == SHARED]
        imported = [(i, args) for i, t in enumerate(tasks) for key, args in t.items()
                    if key == "ansible.builtin.import_role"]
        for _, args in imported:
            assert args["tasks_from"] == "checks.yml", (play["name"], args)
        for task in tasks:
            if "ansible.builtin.include_role" in task:
                assert task["ansible.builtin.include_role"]["tasks_from"] == "preflight.yml", play["name"]
        if not imported:
            assert not shared, play["name"]
            continue
        assert len(shared) == 1 and shared[0] < imported[0][0], play["name"]
        play_roles = tasks[shared[0]]["vars"]["__preflight_play_roles"]
        assert play_roles == [args["name"] for _, args in imported], play["name"]
        checked.update(play_roles)
    assert checked == set(ROLES) - {"nfs_server", "nfs_client", "grafana"}


def test_site_preflight_chooses_the_os_data_as_set_vars_does():
    """The shared step's file comes from hpc.cluster.os_data_file, which chooses each role's file by
    os_data_names: the test below holds that list equal to set_vars.yml's."""
    shared = load(TOP / "playbooks" / SHARED)
    step = next(t for t in shared if "ansible.builtin.include_vars" in t)
    assert "lookup('hpc.cluster.os_data_file'" in step["ansible.builtin.include_vars"]["file"]
    assert "loop" not in step


def run_shared(tmp_path, hosts, roles, play_extra, extra=None, imported=True):
    """The shared step on hosts; with imported, the play imports the roles (their defaults in its
    scope), as the plays of playbooks/preflight.yml import their checks.yml; without, as its first
    play checks the later plays' roles."""
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    play = [dict({"name": "Site preflight step", "hosts": "all", "tasks": [
        {"name": "Load the OS data and validate the arguments of the play's roles",
         "ansible.builtin.import_tasks": str(TOP / "playbooks" / SHARED),
         "vars": {"__preflight_play_roles": roles, "__preflight_roles": roles}}] + [
        # an import exposes the role's defaults to the play, as the imports of its checks.yml do
        {"ansible.builtin.import_role": {"name": role, "tasks_from": "set_vars.yml"}, "when": False}
        for role in (roles if imported else [])] + [
        {"ansible.builtin.copy": {"content": "{{ [__munge_nologin, __munge_packages, __preflight_specs is defined]"
                                             " | to_json }}",
                                  "dest": str(tmp_path / "seen-{{ inventory_hostname }}"), "mode": "0644"}}]},
        **play_extra)]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="jsonfile",
               ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"), ANSIBLE_GATHERING="smart",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0")
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    for key, value in (extra or {}).items():
        args += ["-e", json.dumps({key: value})]
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)


def test_site_preflight_step_loads_the_os_data_and_refuses_an_unknown_os(tmp_path):
    hosts = os_hosts(tmp_path)
    run = run_shared(tmp_path, hosts, ["munge"], {"gather_facts": False})
    assert "role(s) munge have no OS data for Gentoo 2 (family Gentoo)" in run.stdout, run.stdout[-6000:]
    assert not (tmp_path / "seen-gentoo").exists()
    seen = {h: json.loads((tmp_path / ("seen-" + h)).read_text()) for h in ("rocky10", "rocky9", "debian12")}
    redhat, debian = (load(TOP / "roles/munge/vars" / name) for name in ("RedHat.yml", "Debian.yml"))
    # The argument specs are read by the check itself, not left in every host's variables (where each
    # later template lookup would deep-copy them, tagged, some 40 ms a time).
    assert seen == {"rocky10": [redhat["__munge_nologin"], redhat["__munge_packages"], False],
                    "rocky9": [redhat["__munge_nologin"], redhat["__munge_packages"], False],
                    "debian12": [debian["__munge_nologin"], debian["__munge_packages"], False]}, seen


def test_site_preflight_step_validates_every_roles_arguments(tmp_path):
    hosts = {"c01": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}
    gather = {"gather_facts": True, "gather_subset": ["!all", "!min", "hardware", "distribution"]}
    run = run_shared(tmp_path, hosts, ["munge", "slurm"], gather, extra={"slurm_partitions": [{"name": "batch"}]})
    assert run.returncode != 0
    assert "TASK [Check this OS's data and the roles' settings against their argument specs]" in run.stdout
    assert "role slurm: missing required arguments: groups found in slurm_partitions" in run.stdout, run.stdout[-3000:]
    assert not (tmp_path / "seen-c01").exists()
    run = run_shared(tmp_path, hosts, ["munge", "slurm"], gather, extra={"munge_uid": "two hundred"})
    assert run.returncode != 0 and "role munge: " in run.stdout and "munge_uid" in run.stdout, run.stdout[-3000:]
    # Strings Ansible's validation converts but the roles read as written (-e key=value gives strings).
    run = run_shared(tmp_path, hosts, ["munge", "slurm"], gather,
                     extra={"slurm_configless": "false", "slurm_partitions": [{"name": "batch", "groups": "compute"}]})
    assert run.returncode != 0 and not (tmp_path / "seen-c01").exists()
    for text in ("role slurm: slurm_configless must be true or false, not the string 'false'",
                 "role slurm: slurm_partitions[0].groups must be a list, not the string 'compute'"):
        assert text in run.stdout, run.stdout[-3000:]
    # The one-run flags the messages tell to pass with -e are read through | bool: taken as strings.
    run = run_shared(tmp_path, hosts, ["munge", "slurm"], gather, extra={"slurm_state_migrate": "true"})
    assert run.returncode == 0, run.stdout[-4000:]
    assert (tmp_path / "seen-c01").exists()


@pytest.mark.parametrize("imported", [True, False])
def test_site_preflight_step_validates_the_defaults_as_the_role_sees_them(tmp_path, imported):
    """A default templated from a cluster-wide setting is checked with it, also when the play does
    not import the role (the first preflight play checks the later plays' roles)."""
    hosts = {"c01": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}
    gather = {"gather_facts": True, "gather_subset": ["!all", "!min", "distribution"]}
    run = run_shared(tmp_path, hosts, ["munge", "slurm"], gather, extra={"cluster_slurm_source": "ports"},
                     imported=imported)
    assert run.returncode != 0, run.stdout[-3000:]
    assert "role slurm: value of slurm_package_source must be one of: distro, openhpc, epel, site, got: ports" \
        in run.stdout, run.stdout[-3000:]


def test_role_units_chooses_the_os_data_as_set_vars_does():
    """hpc.cluster.role_units templates a role's units with its OS data, found as set_vars.yml finds it."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar, trust_as_template

    if str(TOP / "collections") not in sys.path:
        sys.path.insert(0, str(TOP / "collections"))
    from ansible_collections.hpc.cluster.plugins.plugin_utils.role_files import os_data_names

    own = next(t for t in load(TOP / "roles/munge/tasks/set_vars.yml") if "ansible.builtin.include_vars" in t)
    facts = {"distribution": "Rocky", "distribution_major_version": "10", "os_family": "RedHat"}
    expected = [Templar(loader=DataLoader(), variables={"ansible_facts": facts}).template(trust_as_template(name))
                for name in own["vars"]["__munge_vars_files"]["files"]]
    assert os_data_names(facts) == expected == ["Rocky_10.yml", "Rocky.yml", "RedHat.yml", "default.yml"]


def test_the_booleans_taken_as_strings_are_read_through_bool_only():
    """The preflight takes -e prometheus_data_moved=true (a string) for the one-run flags it lists in
    bool_strings: right only while every role reads them through | bool (a bare `when:` fails on a
    string in ansible-core 2.19, and a template takes "false" as true)."""
    path = TOP / "playbooks/tasks/preflight_roles.yml"
    check = next(task for task in yaml.safe_load(path.read_text()) if "hpc.cluster.role_arguments" in task)
    names = check["hpc.cluster.role_arguments"]["bool_strings"]
    specs = {name: option for spec in TOP.glob("roles/*/meta/argument_specs.yml")
             for name, option in yaml.safe_load(spec.read_text())["argument_specs"]["main"]["options"].items()}
    assert names and [name for name in names if specs.get(name, {}).get("type") != "bool"] == []
    bare = re.compile(r"\b(%s)\b(?!\s*\|\s*bool\b)(?!=true)" % "|".join(names))
    files = [file for pattern in ("roles/*/tasks/*.yml", "roles/*/handlers/*.yml", "roles/*/vars/*.yml",
                                  "roles/*/templates/**/*.j2", "playbooks/**/*.yml") for file in TOP.glob(pattern)]
    found = ["%s:%d: %s" % (file.relative_to(TOP), number, line.strip())
             for file in files if file != path
             for number, line in enumerate(file.read_text().splitlines(), 1)
             if not line.lstrip().startswith("#") and bare.search(line)]
    assert found == [], "read without | bool, so a string would break them: drop them from bool_strings"
