# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hpc.cluster.role_arguments reads the roles' argument specs itself (roles_dir)."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail

from ansible_collections.hpc.cluster.plugins.action.role_arguments import read_specs

SPEC = """---
argument_specs:
  main:
    short_description: x
    options:
      demo_port:
        type: int
        description: A port.
"""


def role(tmp_path, name, text):
    meta = tmp_path / name / "meta"
    meta.mkdir(parents=True)
    (meta / "argument_specs.yml").write_text(text)


def test_the_main_options_of_each_role_are_read_as_plain_data(tmp_path):
    role(tmp_path, "demo", SPEC)
    role(tmp_path, "other", SPEC.replace("demo_port", "other_port"))
    specs = read_specs(str(tmp_path), ["demo", "other"])
    assert specs == {"demo": {"demo_port": {"type": "int", "description": "A port."}},
                     "other": {"other_port": {"type": "int", "description": "A port."}}}
    assert type(specs["demo"]["demo_port"]["type"]) is str


def test_a_role_without_a_spec_file_is_named(tmp_path):
    with pytest.raises(AnsibleActionFail, match=r"role missing: cannot read its argument spec .*missing/meta/"):
        read_specs(str(tmp_path), ["missing"])


def test_a_spec_file_without_main_options_is_named(tmp_path):
    role(tmp_path, "bad", "---\nargument_specs: {}\n")
    with pytest.raises(AnsibleActionFail, match=r"role bad: .*bad/meta/argument_specs.yml holds no argument_specs"):
        read_specs(str(tmp_path), ["bad"])


def test_an_unchanged_spec_is_parsed_once_and_given_as_a_copy(tmp_path, monkeypatch):
    """The task runs for every host in the controller's process: each spec is parsed once while its
    file is unchanged, and each host gets its own copy."""
    from ansible_collections.hpc.cluster.plugins.action import role_arguments

    role(tmp_path, "demo", SPEC)
    parsed = []
    real_load = role_arguments.yaml.load
    monkeypatch.setattr(role_arguments.yaml, "load", lambda *a, **k: parsed.append(1) or real_load(*a, **k))
    first = read_specs(str(tmp_path), ["demo"])
    first["demo"]["demo_port"]["type"] = "str"
    assert read_specs(str(tmp_path), ["demo"])["demo"]["demo_port"]["type"] == "int"
    assert len(parsed) == 1
    (tmp_path / "demo" / "meta" / "argument_specs.yml").write_text(SPEC.replace("type: int", "type: str") + "\n")
    assert read_specs(str(tmp_path), ["demo"])["demo"]["demo_port"]["type"] == "str"
    assert len(parsed) == 2
