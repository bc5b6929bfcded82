"""requirements.txt names the Python tools we use; constraints.txt pins every package they
pull in, so a fresh bin/bootstrap installs the versions CI tested (an unpinned dependency's
new release once broke a fresh clone's tests)."""

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

TOP = Path(__file__).resolve().parent.parent


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def lines(path):
    for line in (TOP / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def constraints():
    pinned = {}
    for line in lines("constraints.txt"):
        name, sep, version = line.partition("==")
        assert sep and version and not re.search(r"[\[;<>!~ ]", line), "not a plain name==version: %s" % line
        assert canonical(name) not in pinned, "%s is pinned twice" % name
        pinned[canonical(name)] = version
    return pinned


def needed():
    """Canonical names of what requirements.txt asks for and everything they need, with extras."""
    wanted = [Requirement(line) for line in lines("requirements.txt")]
    seen = {}
    while wanted:
        requirement = wanted.pop()
        name = canonical(requirement.name)
        extras = set(requirement.extras)
        if name in seen and extras <= seen[name]:
            continue
        seen[name] = seen.get(name, set()) | extras
        for text in metadata.requires(requirement.name) or []:
            dependency = Requirement(text)
            if dependency.marker is None or any(
                    dependency.marker.evaluate({"extra": extra}) for extra in seen[name] | {""}):
                wanted.append(dependency)
    return seen


def test_every_requirement_is_pinned_the_same_in_constraints():
    pinned = constraints()
    for line in lines("requirements.txt"):
        requirement = Requirement(line)
        versions = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        assert versions, "requirements.txt must pin %s with ==" % requirement.name
        assert pinned.get(canonical(requirement.name)) == versions[0], (
            "%s: requirements.txt pins %s, constraints.txt %s"
            % (requirement.name, versions[0], pinned.get(canonical(requirement.name))))


def test_every_dependency_is_pinned_and_installed_at_its_pin():
    pinned = constraints()
    unpinned = sorted(set(needed()) - set(pinned) - {"pip", "setuptools", "wheel"})
    assert not unpinned, "needed but not pinned in constraints.txt: %s" % ", ".join(unpinned)
    for name in needed():
        if name in pinned:
            installed = metadata.version(name)
            assert installed == pinned[name], (
                "%s %s is installed, constraints.txt pins %s: run bin/bootstrap" % (name, installed, pinned[name]))


def test_bootstrap_installs_with_the_constraints_and_notices_their_change():
    bootstrap = (TOP / "bin" / "bootstrap").read_text()
    assert re.search(r"pip install .*-r requirements\.txt -c constraints\.txt", bootstrap)
    assert "cat requirements.txt constraints.txt | sha256sum" in bootstrap
