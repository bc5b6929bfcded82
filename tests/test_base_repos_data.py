"""The RedHat data of role repos, rendered for Rocky 9 and 10 facts, matches ../shared/ROCKY.md
section 1 (release RPM URLs, key files, EPEL fingerprints). The Rocky path cannot be converged
here, so its data is checked as text."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml
from playbook_harness import local_host, start

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")
# Fingerprints of RPM-GPG-KEY-OpenHPC-3 and -4 as published in openhpc/ohpc
# (components/admin/ohpc-release/SOURCES), computed with `gpg --show-keys`.
OHPC3_FPR = "6E19BE11D9A082C00A7DB41A7AC05F0940A90CC8"
OHPC4_FPR = "5E333CA3A1BDBBC9DF149D7409ADFAE4D722A692"


def render_vars(path, facts):
    """Resolve the templated values of a vars file against the given facts: a value is
    rendered once every variable it names is resolved."""
    pending = yaml.safe_load(path.read_text())
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    resolved = {"ansible_facts": facts}
    while pending:
        progress = False
        for name, raw in list(pending.items()):
            try:
                resolved[name] = env.from_string(raw).render(resolved) if isinstance(raw, str) else raw
            except jinja2.UndefinedError:
                continue
            del pending[name]
            progress = True
        assert progress, f"cannot resolve {sorted(pending)}"
    return resolved


@pytest.mark.parametrize(("major", "arch", "url", "epel_key", "fingerprint", "ohpc_key", "ohpc_fingerprint"), [
    ("9", "x86_64", "https://repos.openhpc.community/OpenHPC/3/EL_9/x86_64/ohpc-release-3-1.el9.x86_64.rpm",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9", "FF8AD1344597106ECE813B918A3872BF3228467C",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-OpenHPC-3", OHPC3_FPR),
    ("9", "aarch64", "https://repos.openhpc.community/OpenHPC/3/EL_9/aarch64/ohpc-release-3-1.el9.aarch64.rpm",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9", "FF8AD1344597106ECE813B918A3872BF3228467C",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-OpenHPC-3", OHPC3_FPR),
    ("10", "x86_64", "https://repos.openhpc.community/OpenHPC/4/EL_10/x86_64/ohpc-release-4-1.el10.x86_64.rpm",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-10", "7D8D15CBFC4E62688591FB2633D98517E37ED158",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-OpenHPC-4", OHPC4_FPR),
])
def test_rocky_repository_data(major, arch, url, epel_key, fingerprint, ohpc_key, ohpc_fingerprint):
    facts = {"distribution_major_version": major, "architecture": arch}
    data = render_vars(TOP / "roles/repos/vars/RedHat.yml", facts)
    assert data["__repos_openhpc_release_url"] == url
    assert data["__repos_epel_gpg_key"] == epel_key
    assert data["__repos_epel_gpg_fingerprint"] == fingerprint
    assert data["__repos_openhpc_gpg_key"] == ohpc_key
    assert data["__repos_openhpc_gpg_fingerprint"] == ohpc_fingerprint
    assert data["__repos_openhpc_ids"] == ["OpenHPC", "OpenHPC-updates"]


def test_every_signing_key_is_imported_after_its_fingerprint_matched():
    tasks = yaml.safe_load((TOP / "roles/repos/tasks/RedHat.yml").read_text())
    imports = {t["name"]: t["ansible.builtin.rpm_key"] for t in tasks if "ansible.builtin.rpm_key" in t}
    assert len(imports) == 2, sorted(imports)
    fingerprints = sorted(args.get("fingerprint", "") for args in imports.values())
    assert fingerprints == ["{{ repos_epel_gpg_fingerprint }}", "{{ repos_openhpc_gpg_fingerprint }}"], imports


def run_repos_preflight(tmp_path, major, extra):
    """Role repos' preflight on its own (as playbooks/preflight.yml runs it) on the controller,
    with Rocky facts set by hand."""
    inventory = {"all": {"hosts": {"node": {"ansible_connection": "local",
                                             "ansible_python_interpreter": sys.executable}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    facts = {"os_family": "RedHat", "distribution": "Rocky", "distribution_major_version": major,
             "distribution_version": f"{major}.0", "architecture": "x86_64", "cacheable": True}
    play = [{"name": "Test", "hosts": "node", "gather_facts": False, "tasks": [
        {"ansible.builtin.set_fact": facts},
        {"ansible.builtin.include_role": {"name": "repos", "tasks_from": "preflight.yml"}},
    ]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0")
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    for key, value in extra.items():
        args += ["-e", json.dumps({key: value})]
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)


REPOS_PREFLIGHT_REFUSALS = [
    # (id, EL major, extra vars, message expected in the failure)
    ("ohpc-http", "9",
     {"repos_openhpc_release_url": "http://repos.openhpc.community/OpenHPC/3/EL_9/x86_64/ohpc-release-3-1.el9.x86_64.rpm"},
     "repos_openhpc_release_url is http://repos.openhpc.community/"),
    ("epel-ftp", "10", {"repos_epel_release_package": "ftp://mirror.example.org/epel-release-latest-10.noarch.rpm"},
     "repos_epel_release_package is ftp://mirror.example.org/"),
    ("ohpc-no-fingerprint", "9", {"repos_openhpc_gpg_fingerprint": ""}, "repos_openhpc_gpg_fingerprint is ''"),
    ("ohpc-short-fingerprint", "10", {"repos_openhpc_gpg_fingerprint": "D722A692"},
     "repos_openhpc_gpg_fingerprint is 'D722A692'"),
    ("epel-no-fingerprint", "9", {"repos_epel_gpg_fingerprint": ""}, "repos_epel_gpg_fingerprint is ''"),
]


@pytest.mark.parametrize(("major", "extra", "message"), [c[1:] for c in REPOS_PREFLIGHT_REFUSALS],
                         ids=[c[0] for c in REPOS_PREFLIGHT_REFUSALS])
def test_repos_preflight_refuses_unpinned_release_packages(tmp_path, major, extra, message):
    run = run_repos_preflight(tmp_path, major, extra)
    assert run.returncode != 0, run.stdout[-4000:]
    assert message in run.stdout, run.stdout[-4000:]


@pytest.mark.parametrize(("major", "extra"), [
    ("9", {}),
    ("10", {}),
    # A mirror's release RPM by https URL or local path, a fingerprint written with spaces,
    # OpenHPC off (its fingerprint is then not needed).
    ("9", {"repos_epel_release_package": "/srv/mirror/epel-release-latest-9.noarch.rpm",
           "repos_openhpc_release_url": "https://mirror.example.org/ohpc-release-3-1.el9.x86_64.rpm",
           "repos_openhpc_gpg_fingerprint": "6E19 BE11 D9A0 82C0 0A7D  B41A 7AC0 5F09 40A9 0CC8"}),
    ("10", {"repos_openhpc_enabled": False, "repos_openhpc_gpg_fingerprint": ""}),
], ids=["el9-defaults", "el10-defaults", "mirror", "no-openhpc"])
def test_repos_preflight_accepts_pinned_release_packages(tmp_path, major, extra):
    run = run_repos_preflight(tmp_path, major, extra)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_epel_excludes_slurm_only_when_openhpc_is_the_slurm_source():
    expr = yaml.safe_load((TOP / "roles/repos/defaults/main.yml").read_text())["repos_epel_excludepkgs"]
    env = jinja2.Environment()
    cases = {(True, True): "['slurm*']", (True, False): "[]", (False, True): "[]", (False, False): "[]"}
    for (enabled, slurm), expected in cases.items():
        assert env.from_string(expr).render(repos_openhpc_enabled=enabled, repos_openhpc_slurm=slurm) == expected


@pytest.mark.parametrize(("os_family", "cluster_source", "repo_on", "slurm_source"), [
    ("RedHat", None, "True", "openhpc"),
    ("RedHat", "epel", "False", "epel"),
    ("RedHat", "site", "False", "site"),
    ("Debian", None, "False", "distro"),
    ("Debian", "openhpc", "True", "openhpc"),
])
def test_openhpc_repository_follows_the_cluster_slurm_source(os_family, cluster_source, repo_on, slurm_source):
    """The repos and slurm roles read one cluster-wide choice and agree on its OS default."""
    env = jinja2.Environment()
    repo_expr = yaml.safe_load((TOP / "roles/repos/defaults/main.yml").read_text())["repos_openhpc_enabled"]
    slurm_expr = yaml.safe_load((TOP / "roles/slurm/defaults/main.yml").read_text())["slurm_package_source"]
    repos_vars = yaml.safe_load((TOP / f"roles/repos/vars/{os_family}.yml").read_text())
    slurm_vars = yaml.safe_load((TOP / f"roles/slurm/vars/{os_family}.yml").read_text())
    context = {"__repos_slurm_source": repos_vars["__repos_slurm_source"],
               "__slurm_package_source": slurm_vars.get("__slurm_package_source", "distro")}
    if cluster_source:
        context["cluster_slurm_source"] = cluster_source
    assert env.from_string(repo_expr).render(context) == repo_on
    assert env.from_string(slurm_expr).render(context) == slurm_source


APT_LOOK = "repos : Look for downloaded apt package lists"
APT_DOWNLOAD = "repos : Download the apt package lists (none are present)"


@pytest.mark.parametrize(("preflight", "lists_dir", "look_runs"), [
    # The preflight's list of installed packages counted apt's lists in this run: no call of its own.
    ({"installed": [], "apt_lists": 3}, "/var/lib/apt/lists", False),
    # Role repos alone (no preflight count), or its lists elsewhere: it looks itself.
    (None, "tmp", True),
    ({"installed": [], "apt_lists": 3}, "tmp", True),
], ids=["counted-by-the-preflight", "alone", "other-directory"])
def test_the_apt_lists_are_looked_for_once_per_run(tmp_path, preflight, lists_dir, look_runs):
    """On Debian the preflight's package list counts apt's downloaded lists (hpc.cluster.installed_packages,
    apt_lists_dir): role repos then makes no call of its own to look for them. Lists are present in
    every case: nothing is downloaded."""
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages").write_text("")
    variables = yaml.safe_load((TOP / "roles/repos/vars/Debian.yml").read_text())
    variables["__repos_apt_lists_dir"] = str(tmp_path / "lists") if lists_dir == "tmp" else lists_dir
    if preflight is not None:
        variables["__preflight_packages"] = preflight
    plays = [{"name": "Debian step of role repos", "hosts": "all", "gather_facts": False, "vars": variables,
              "tasks": [{"ansible.builtin.import_role": {"name": "repos", "tasks_from": "Debian.yml"}}]}]
    result = start(tmp_path, plays, {"all": {"hosts": {"node": local_host()}}}, args=["--check"]).result()
    result.passed("node")
    look = result.task_result("node", APT_LOOK)
    assert (look.get("skipped") is not True) is look_runs, look
    assert look_runs is False or look["matched"] == 1, look
    assert result.task_result("node", APT_DOWNLOAD).get("skipped") is True


def test_the_preflight_counts_the_apt_lists_where_role_repos_looks():
    first = yaml.safe_load((TOP / "playbooks/preflight.yml").read_text())[0]
    read = first["vars"]["__preflight_packages_read"]
    directory = yaml.safe_load((TOP / "roles/repos/vars/Debian.yml").read_text())["__repos_apt_lists_dir"]
    assert read["args"]["apt_lists_dir"] == "{{ '%s' if ansible_facts['os_family'] == 'Debian' else '' }}" % directory
