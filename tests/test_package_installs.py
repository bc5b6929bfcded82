"""A re-run calls no package manager: preflight.yml lists each node's installed packages once per
preflight, and every role's install task asks for packages only when one of them is missing."""

from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
INSTALL_MODULES = {"ansible.builtin.package", "ansible.builtin.apt", "ansible.builtin.dnf"}
# Installs from a package file or URL: the package manager compares the file's version itself.
FROM_A_FILE = {("roles/apptainer/tasks/install_package_file.yml",
                "Install Apptainer from the package URL or file (RedHat)")}


def tasks_of(path):
    def walk(tasks):
        for task in tasks or []:
            yield task
            for key in ("block", "rescue", "always"):
                yield from walk(task.get(key))
    return list(walk(yaml.safe_load(path.read_text())))


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
    """One task per node, registered (not a fact, which a fact cache would keep for later runs)."""
    play = yaml.safe_load((TOP / "playbooks" / "preflight.yml").read_text())[0]
    names = [t["name"] for t in play["tasks"]]
    listing = next(t for t in play["tasks"] if "hpc.cluster.installed_packages" in t)
    assert listing["register"] == "__preflight_packages"
    assert names.index(listing["name"]) < names.index(
        next(t["name"] for t in play["tasks"] if "ansible.builtin.meta" in t))
    assert listing["vars"]["__preflight_package_managers"] == {"Debian": "dpkg", "RedHat": "rpm"}
    assert not [t for t in play["tasks"] if "__preflight_packages" in t.get("ansible.builtin.set_fact", {})]
