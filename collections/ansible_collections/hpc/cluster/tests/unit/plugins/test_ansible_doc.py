# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-doc renders every plugin of the collection, with no error and no warning."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

PLUGINS = pathlib.Path(__file__).resolve().parents[3] / "plugins"
COLLECTIONS = PLUGINS.parents[3]
ANSIBLE_DOC = pathlib.Path(sys.executable).parent / "ansible-doc"
# Directory of the plugin files -> ansible-doc's plugin type.
TYPES = {"filter": "filter", "modules": "module", "inventory": "inventory", "lookup": "lookup", "callback": "callback",
         "test": "test"}
RENDERED = sorted(
    (TYPES[path.parent.name], path.stem)
    for kind in TYPES for path in (PLUGINS / kind).glob("*.py") if path.name != "__init__.py"
)
MODULES = [name for kind, name in RENDERED if kind == "module"]


def ansible_doc(*args, cwd):
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOME=str(cwd / ".ansible"), ANSIBLE_DEPRECATION_WARNINGS="1")
    # cwd holds no ansible.cfg: only the collection under test is configured.
    return subprocess.run([str(ANSIBLE_DOC), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_every_plugin_directory_is_rendered():
    kinds = {path.name for path in PLUGINS.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert kinds - set(TYPES) <= {"module_utils", "plugin_utils", "doc_fragments", "action"}, \
        "a plugin type the test does not render"
    assert ("inventory", "cluster") in RENDERED and ("module", "slurm_account") in RENDERED


@pytest.mark.parametrize(("kind", "name"), RENDERED, ids=["%s:%s" % case for case in RENDERED])
def test_ansible_doc_renders(kind, name, tmp_path):
    run = ansible_doc("-t", kind, "hpc.cluster." + name, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "", "ansible-doc warned or failed: %s" % run.stderr
    header = run.stdout.lstrip().splitlines()[0]
    assert header.startswith("> ") and "hpc.cluster." + name in header, header
    assert "EXAMPLES:" in run.stdout


@pytest.fixture(scope="module")
def module_docs(tmp_path_factory):
    """The modules' documentation as ansible-doc --json renders it, fragments merged."""
    run = ansible_doc("--json", "-t", "module", *("hpc.cluster." + name for name in MODULES),
                      cwd=tmp_path_factory.mktemp("ansible-doc"))
    assert run.returncode == 0 and run.stderr.strip() == "", run.stderr
    return json.loads(run.stdout)


def own_documentation(name):
    tree = ast.parse((PLUGINS / "modules" / (name + ".py")).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DOCUMENTATION":
            return yaml.safe_load(node.value.value)
    raise AssertionError("no DOCUMENTATION in %s" % name)


@pytest.mark.parametrize("name", MODULES)
def test_module_attributes_come_from_the_fragment(name, module_docs):
    """Check mode, diff mode and platform, rendered with their descriptions, written once."""
    own = own_documentation(name)
    assert "attributes" not in own, "use the hpc.cluster.attributes doc fragment"
    fragments = own["extends_documentation_fragment"]
    assert fragments[0] == "ansible.builtin.action_common_attributes"
    assert {"hpc.cluster.attributes", "hpc.cluster.attributes.diff"} & set(fragments)
    attributes = module_docs["hpc.cluster." + name]["doc"]["attributes"]
    assert attributes["check_mode"]["support"] == "full"
    assert attributes["diff_mode"]["support"] in ("full", "none")
    assert attributes["platform"]["platforms"] == "posix"
    assert all(attribute.get("description") for attribute in attributes.values()), attributes
