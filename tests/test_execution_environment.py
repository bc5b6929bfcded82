"""execution-environment.yml: `ansible-builder create` makes a build context holding our pins,
the collections of requirements.yml and our own collection hpc.cluster (no image is built:
that needs podman and a registry)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def pins(path):
    """name (lower case) -> 'name==version' of a requirements file's pinned lines."""
    found = {}
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[=<>!~\[ ]", line, maxsplit=1)[0].lower()
            found[name] = line
    return found


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    context = tmp_path_factory.mktemp("ee") / "context"
    run = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml",
                          "--context", str(context)], cwd=TOP, capture_output=True, text=True, check=False,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Complete! The build context can be found at" in run.stdout
    return context


def test_definition_is_schema_3_with_a_configurable_base_image():
    definition = yaml.safe_load((TOP / "execution-environment.yml").read_text())
    assert definition["version"] == 3
    assert definition["images"]["base_image"]["name"]


def test_containerfile_installs_our_pins_on_a_configurable_base(context):
    containerfile = (context / "Containerfile").read_text()
    base = yaml.safe_load((TOP / "execution-environment.yml").read_text())["images"]["base_image"]["name"]
    assert 'ARG EE_BASE_IMAGE="%s"' % base in containerfile
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile
    project = pins(TOP / "requirements.txt")
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.MULTILINE).group(1).split()
    assert sorted(refs) == sorted([project["ansible-core"], project["ansible-runner"]])
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile


def test_python_requirements_match_the_project_pins(context):
    ours = pins(context / "_build" / "requirements.txt")
    assert ours, "no Python requirement in the build context"
    project = pins(TOP / "requirements.txt")
    for name, line in ours.items():
        assert name in project, "%s is in the EE but not in requirements.txt" % name
        assert line == project[name], "EE pins %s, requirements.txt %s" % (line, project[name])
    assert not {"pytest", "molecule", "ansible-lint", "ruff"} & set(ours), "test tools in the image"


def test_every_collection_of_requirements_yml_and_ours(context):
    wanted = yaml.safe_load((TOP / "requirements.yml").read_text())["collections"]
    built = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    assert built == wanted
    names = [c["name"] for c in built]
    assert "hpc.cluster" in names and {"community.general", "ansible.posix"} <= set(names)
    ours = next(c for c in built if c["name"] == "hpc.cluster")
    galaxy = yaml.safe_load((context / "_build" / ours["source"] / "galaxy.yml").read_text())
    assert (galaxy["namespace"], galaxy["name"]) == ("hpc", "cluster")
    assert (context / "_build" / ours["source"] / "plugins" / "filter" / "health_table.py").is_file()


def test_our_collection_installs_from_the_build_context_offline(context, tmp_path):
    """What the image's galaxy stage runs (in /build), for hpc.cluster alone: no network needed."""
    build = context / "_build"
    ours = [c for c in yaml.safe_load((build / "requirements.yml").read_text())["collections"]
            if c["name"] == "hpc.cluster"]
    (tmp_path / "ours.yml").write_text(yaml.safe_dump({"collections": ours}))
    # As in the image: no project ansible.cfg, so no collection is found installed already.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    run = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "-r", str(tmp_path / "ours.yml"),
                          "-p", str(tmp_path / "installed")], cwd=build, env=env, capture_output=True, text=True,
                         check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "installed" / "ansible_collections" / "hpc" / "cluster" / "MANIFEST.json").is_file()


def test_system_packages_for_ssh(context):
    assert "openssh-clients" in (context / "_build" / "bindep.txt").read_text()
