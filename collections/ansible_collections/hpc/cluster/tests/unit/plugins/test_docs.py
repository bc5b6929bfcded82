# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every plugin documents itself in YAML, and modules document their argument_spec exactly."""

from __future__ import annotations

import ast
import importlib
import pathlib
from unittest import mock

import pytest
import yaml
from ansible.module_utils import basic

PLUGINS = pathlib.Path(__file__).resolve().parents[3] / "plugins"
DOCUMENTED = sorted(
    p for kind in ("filter", "modules", "inventory", "lookup", "test") for p in (PLUGINS / kind).glob("*.py")
    if p.name != "__init__.py"
)


def doc_strings(path):
    tree = ast.parse(path.read_text())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
                found[node.targets[0].id] = node.value.value
    return found


def test_all_plugins_found():
    assert {p.stem for p in DOCUMENTED} == {
        "hostlist_expand", "hostlist_compress", "slurm_node_lines", "slurm_nodes", "slurm_partition_lines",
        "slurm_conf_changes", "cluster_addresses", "slurm_account", "slurm_node", "slurm_controller_facts",
        "gpu_facts", "munge_key", "munge_key_plan", "cluster", "health_table", "node_selection",
        "prometheus_targets", "subid_ranges", "subid_file", "slurm_cluster_data", "firewalld_changes",
        "account_ids", "munge_key_info", "cluster_accounts", "account_entries", "accounts_to_change",
        "user_dirs", "host_values", "file_checksums", "os_data_file", "kernel_parameters", "firewalld_zones",
        "slurm_settings_problems",
        "checks", "files", "service_account", "service_accounts", "role_arguments", "userns_info", "hosts_file",
        "slurm_associations",
        "slurm_accounting_problems", "slurm_accounting_entries", "role_packages", "installed_packages",
        "unit_states", "role_units", "node_reads", "missing_images", "podman_images", "daemon_ready", "conf_values",
        "missing_paths", "ssh_lockout",
        "slurm_conf_value", "slurm_conf_problems", "limits_problems",
        "port_conflicts", "setting_moves", "slurm_ports", "slurmctld_port", "route_prefix", "configless_slurmd_restart",
        "bad_durations", "port", "firewalld_port", "host_port", "nfs_mount_problems", "nfs_export_problems",
        "whole_number", "duration_ms", "prometheus_rule_problems"}


@pytest.mark.parametrize("path", DOCUMENTED, ids=[p.stem for p in DOCUMENTED])
def test_docs_are_yaml(path):
    docs = doc_strings(path)
    assert set(docs) >= {"DOCUMENTATION", "EXAMPLES"}
    documentation = yaml.safe_load(docs["DOCUMENTATION"])
    assert documentation.get("module", documentation.get("name")) == path.stem
    assert documentation["short_description"]
    assert isinstance(documentation.get("options", {}), dict)
    assert isinstance(yaml.safe_load(docs["EXAMPLES"]), (list, dict))
    if path.parent.name != "inventory":
        assert isinstance(yaml.safe_load(docs["RETURN"]), dict)
    assert "GPL-3.0-or-later" in path.read_text().split("\n\n")[0]


MODULES = sorted(p.stem for p in (PLUGINS / "modules").glob("*.py"))


class Captured(Exception):
    pass


def argument_spec(module, name):
    """The argument_spec main() gives AnsibleModule; a stub without main() documents the action plugin of its name."""
    if not hasattr(module, "main"):
        return importlib.import_module("ansible_collections.hpc.cluster.plugins.action." + name).ARGUMENT_SPEC
    seen = {}

    def capture(self, argument_spec, **kwargs):
        seen["spec"] = argument_spec
        raise Captured()

    with mock.patch.object(basic.AnsibleModule, "__init__", capture):
        with pytest.raises(Captured):
            module.main()
    return seen["spec"]


@pytest.mark.parametrize("name", MODULES)
def test_module_docs_match_argument_spec(name):
    module = importlib.import_module("ansible_collections.hpc.cluster.plugins.modules." + name)
    documented = yaml.safe_load(module.DOCUMENTATION).get("options") or {}
    spec = argument_spec(module, name)
    assert set(documented) == set(spec)
    for option, arg in spec.items():
        doc = documented[option]
        assert doc.get("type", "str") == arg.get("type", "str"), option
        assert bool(doc.get("required", False)) == bool(arg.get("required", False)), option
        assert doc.get("default") == arg.get("default"), option
        assert doc.get("choices") == arg.get("choices"), option
        assert doc.get("elements") == arg.get("elements"), option
        assert doc.get("aliases") == arg.get("aliases"), option
