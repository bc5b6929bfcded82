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


def test_os_data_chosen_and_unknown_os_refused(tmp_path):
    facts = {host: {"ansible_distribution": d, "ansible_distribution_major_version": v, "ansible_os_family": f,
                    "ansible_distribution_version": v}
             for host, (d, v, f) in OS_FACTS.items()}
    subprocess.run([sys.executable, "-c", WRITE_CACHE, str(tmp_path / "facts")], input=json.dumps(facts),
                   text=True, check=True, timeout=300)
    hosts = {h: {"ansible_connection": "local", "ansible_python_interpreter": sys.executable} for h in OS_FACTS}
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
