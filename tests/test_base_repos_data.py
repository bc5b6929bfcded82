"""The RedHat data of role repos, rendered for Rocky 9 and 10 facts, matches ../shared/ROCKY.md
section 1 (release RPM URLs, key files, EPEL fingerprints). The Rocky path cannot be converged
here, so its data is checked as text."""

from pathlib import Path

import jinja2
import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent


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


@pytest.mark.parametrize(("major", "arch", "url", "epel_key", "fingerprint", "ohpc_key"), [
    ("9", "x86_64", "http://repos.openhpc.community/OpenHPC/3/EL_9/x86_64/ohpc-release-3-1.el9.x86_64.rpm",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9", "FF8AD1344597106ECE813B918A3872BF3228467C",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-OpenHPC-3"),
    ("9", "aarch64", "http://repos.openhpc.community/OpenHPC/3/EL_9/aarch64/ohpc-release-3-1.el9.aarch64.rpm",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9", "FF8AD1344597106ECE813B918A3872BF3228467C",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-OpenHPC-3"),
    ("10", "x86_64", "http://repos.openhpc.community/OpenHPC/4/EL_10/x86_64/ohpc-release-4-1.el10.x86_64.rpm",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-10", "7D8D15CBFC4E62688591FB2633D98517E37ED158",
     "/etc/pki/rpm-gpg/RPM-GPG-KEY-OpenHPC-4"),
])
def test_rocky_repository_data(major, arch, url, epel_key, fingerprint, ohpc_key):
    facts = {"distribution_major_version": major, "architecture": arch}
    data = render_vars(TOP / "roles/repos/vars/RedHat.yml", facts)
    assert data["__repos_openhpc_release_url"] == url
    assert data["__repos_epel_gpg_key"] == epel_key
    assert data["__repos_epel_gpg_fingerprint"] == fingerprint
    assert data["__repos_openhpc_gpg_key"] == ohpc_key
    assert data["__repos_openhpc_ids"] == ["OpenHPC", "OpenHPC-updates"]


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
