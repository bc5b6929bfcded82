"""bin/airgap-manifest: the committed docs/airgap-manifest.md is current, every URL of the roles
is covered by a rule, and the rules find variables in roles they were not written for."""

import subprocess
import sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
_LOADER = SourceFileLoader("airgap_manifest", str(TOP / "bin" / "airgap-manifest"))
manifest = module_from_spec(spec_from_loader("airgap_manifest", _LOADER))
_LOADER.exec_module(manifest)


def test_committed_manifest_is_current():
    run = subprocess.run([sys.executable, str(TOP / "bin" / "airgap-manifest"), "--check"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, "docs/airgap-manifest.md is stale or a role has an uncovered URL " \
                                "variable (regenerate with bin/airgap-manifest):\n" + run.stderr


def test_roles_have_no_uncovered_url():
    _entries, problems, _notes = manifest.scan(TOP / "roles")
    assert problems == []


def test_every_role_with_a_package_list_is_in_the_manifest():
    text = (TOP / "docs" / "airgap-manifest.md").read_text()
    for defaults in sorted(TOP.glob("roles/*/defaults/main.yml")):
        names = [n for n in (yaml.safe_load(defaults.read_text()) or {}) if n.endswith("_packages")]
        for name in names:
            assert "`%s`" % name in text, "%s of %s missing" % (name, defaults)


def role(root, name, defaults, os_vars=None, tasks=None):
    base = root / "roles" / name
    (base / "defaults").mkdir(parents=True)
    (base / "vars").mkdir()
    (base / "tasks").mkdir()
    (base / "defaults" / "main.yml").write_text(yaml.safe_dump(defaults, sort_keys=False))
    for stem, data in (os_vars or {}).items():
        (base / "vars" / (stem + ".yml")).write_text(yaml.safe_dump(data))
    (base / "tasks" / "main.yml").write_text(yaml.safe_dump(tasks or []))


def test_rules_find_variables_of_a_new_role(tmp_path):
    role(tmp_path, "newsvc", {
        "newsvc_packages": "{{ __newsvc_packages | default([]) }}",
        "newsvc_repo_baseurl": "{{ __newsvc_baseurl }}",
        "newsvc_gpgkey": "https://example.org/key.asc",
        "newsvc_archive_url": "https://example.org/newsvc-{{ newsvc_version }}.tar.gz",
        "newsvc_listen_port": 8080,
    }, {"RedHat": {"__newsvc_packages": ["newsvc"], "__newsvc_baseurl": "https://rpm.example.org"},
        "Debian": {"__newsvc_packages": ["newsvc-bin"], "__newsvc_baseurl": "https://apt.example.org"}})
    entries, problems, notes = manifest.scan(tmp_path / "roles")
    assert problems == [] and notes == []
    assert [(e["variable"], e["kind"]) for e in entries] == [
        ("newsvc_packages", "packages"), ("newsvc_repo_baseurl", "repository"),
        ("newsvc_gpgkey", "signing key"), ("newsvc_archive_url", "archive")]
    text = manifest.render(entries)
    assert "| newsvc | packages | `newsvc_packages` | {{ __newsvc_packages \\| default([]) }} | [newsvc] | " \
           "[newsvc-bin] |" in text
    assert "| newsvc | repository | `newsvc_repo_baseurl` | {{ __newsvc_baseurl }} | https://rpm.example.org | " \
           "https://apt.example.org |" in text


def test_uncovered_urls_and_unexposed_repositories_are_problems(tmp_path):
    role(tmp_path, "odd", {"odd_download_from": "https://example.org/odd.tar.gz"},
         {"RedHat": {"__odd_repo": "https://rpm.example.org"}},
         tasks=[{"name": "Fetch it", "ansible.builtin.get_url": {"url": "https://example.org/x", "dest": "/tmp/x"}},
                {"block": [{"name": "Install", "ansible.builtin.dnf": {"name": ["odd-tools"]}}]}])
    entries, problems, _notes = manifest.scan(tmp_path / "roles")
    assert len(problems) == 3, problems
    assert "roles/odd/defaults/main.yml: odd_download_from holds a URL but no rule covers its name" in problems[1]
    assert "roles/odd/tasks/main.yml: task 'Fetch it' fetches https://example.org/x written into the task" \
        in problems[0]
    assert "roles/odd/vars: __odd_repo (repository) is not read by a public variable" in problems[2]
    assert ("odd-tools" in manifest.render(entries)) and "none (named in roles/odd/tasks/main.yml)" in \
        manifest.render(entries)


def test_service_addresses_are_not_fetched():
    assert manifest.kind_of("grafana_prometheus_url") is None
    assert manifest.kind_of("prometheus_archive_url") == "archive"
    assert manifest.kind_of("__repos_epel_gpg_key") == "signing key"
