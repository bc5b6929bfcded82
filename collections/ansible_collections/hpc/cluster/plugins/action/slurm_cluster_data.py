# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cluster-wide Slurm data read from every host's variables once, on the controller.

Returns what hpc.cluster.slurm_nodes computes (NodeName lines, gres.conf entries, GresTypes)
for the compute hosts, and which hosts hold other values of the cluster-wide settings than
the reference host. The hosts' variables are read by plugin_utils.host_reader (only the
variables and facts needed, not each host's whole hostvars).
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import HostlistError, compress
from ansible_collections.hpc.cluster.plugins.module_utils.slurm_nodes import (
    FACTS,
    VARIABLES,
    SlurmNodeError,
    gres_lines,
    nodes,
)
from ansible_collections.hpc.cluster.plugins.plugin_utils.host_reader import Reader

# ansible_facts (namespaced) is read only for these keys: nodes() reads no other.
FACT_KEYS = FACTS + ("hpc_gpus",)
# The fact extracts kept between runs, in a file-based fact cache's directory.
DIGEST_NAME = ".hpc.cluster.slurm_cluster_data.json"

ARGUMENT_SPEC = {
    "compute_group": {"type": "str", "required": True},
    "memory_reserve_mb": {"type": "raw", "default": 0},
    "memory_granularity_mb": {"type": "raw", "default": 1},
    "gres_autodetect": {"type": "str", "default": ""},
    "same_groups": {"type": "list", "elements": "str", "default": []},
    "same_variables": {"type": "list", "elements": "str", "default": []},
    "reader": {"type": "str", "choices": ["auto", "hostvars"], "default": "auto"},
}


def mismatches(values_by_host, reference, names):
    """Texts naming the hosts whose values of names differ from the reference host's."""
    want = values_by_host[reference]
    differ = {}
    for host, values in values_by_host.items():
        bad = tuple(name for name in names if (name in values) != (name in want) or values.get(name) != want.get(name))
        if bad:
            differ.setdefault(bad, []).append(host)
    texts = []
    for bad, hosts in sorted(differ.items(), key=lambda item: item[1][0]):
        try:
            listed = compress(hosts)
        except HostlistError:
            listed = ",".join(hosts)
        texts.append("%s %s %s different %s" % ("host" if len(hosts) == 1 else "hosts", listed,
                                               "sees" if len(hosts) == 1 else "see", ", ".join(bad)))
    return texts


def compute_data(values_by_host, args):
    """What hpc.cluster.slurm_nodes computes of the compute hosts' values, and the gres.conf lines."""
    try:
        data = nodes(values_by_host, args["memory_reserve_mb"], args["memory_granularity_mb"], args["gres_autodetect"])
        data["gres_lines"] = gres_lines(data["gres"])
    except SlurmNodeError as exc:
        raise AnsibleActionFail("slurm_cluster_data: %s" % exc) from None
    return data


class ActionModule(ActionBase):
    """Compute nodes' slurm.conf/gres.conf data and the cluster-wide settings check, in one read per host."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        # Group names, not host lists: templating a list of 10,000 names costs more than reading them.
        groups = task_vars.get("groups") or {}
        compute = list(groups.get(args["compute_group"]) or [])
        same = list(dict.fromkeys(h for name in args["same_groups"] for h in groups.get(name) or []))
        names = set(VARIABLES) | set(args["same_variables"])
        hostvars = task_vars.get("hostvars")
        if hostvars is None:
            raise AnsibleActionFail("slurm_cluster_data: no hostvars in the task's variables")

        reader = Reader(hostvars, sorted(names), args["reader"], fact_keys=FACT_KEYS, digest_name=DIGEST_NAME,
                        label="slurm_cluster_data")
        values = {}
        for host in dict.fromkeys(compute + same):
            values[host] = reader.read(host)
        reader.save()
        data = compute_data({h: values[h] for h in compute}, args)

        reference = task_vars.get("inventory_hostname")
        if reference not in same:
            reference = same[0] if same else None
        settings = sorted(args["same_variables"])
        data["settings_reference"] = reference
        data["settings_mismatch"] = mismatches({h: values[h] for h in same}, reference, settings) if same else []
        data["reader"] = reader.kind
        data["hostvars_reads"] = reader.fallbacks
        data["facts_from_digest"] = reader.digest.hits if reader.digest is not None else 0
        result.update(data, changed=False)
        return result
