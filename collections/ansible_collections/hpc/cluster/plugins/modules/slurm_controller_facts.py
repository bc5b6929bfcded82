#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slurm_controller_facts
short_description: Read a Slurm controller's state and say what a new configuration would lose
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Reads, on the primary controller, what a new slurm.conf must not lose - the current slurm.conf's
    C(ClusterName) and C(StateSaveLocation), the cluster name saved in C(<StateSaveLocation>/clustername),
    whether the current and the new state directories hold state, the installed slurmctld's release
    (C(slurmctld -V)), and, when slurmctld answers C(scontrol ping), the nodes Slurm knows, the
    jobs running on each node and the jobs of each partition.
  - Compares that with the new configuration and returns the refusals in RV(problems) (each names the
    node, job, path or variable and says what to do instead) and the state move to make in
    RV(state_move).
  - "Never changes anything; run it with C(check_mode: false) so check mode sees the same answers."
options:
  conf_path:
    description: The current slurm.conf. A missing file means a controller never configured.
    type: path
    default: /etc/slurm/slurm.conf
  cluster_name:
    description: The new C(ClusterName).
    type: str
    required: true
  state_save_location:
    description: The new C(StateSaveLocation).
    type: path
    required: true
  compute_nodes:
    description:
      - The inventory's compute nodes (the new node list). A node Slurm knows that is not here and runs
        jobs is a problem.
    type: list
    elements: str
    default: []
  state_migrate:
    description:
      - Allow a C(StateSaveLocation) change whose old directory holds state; RV(state_move) then says
        what to move.
    type: bool
    default: false
  live_nodes:
    description:
      - The compute nodes whose slurmd runs. When there is any, no saved state in the new
        C(StateSaveLocation) and none to move is a problem (unless O(start_empty)) - the
        controller would start the cluster afresh, its running jobs and queue lost.
    type: list
    elements: str
    default: []
  start_empty:
    description: Allow a controller without saved state while slurmd runs (see O(live_nodes)).
    type: bool
    default: false
  node_lines:
    description:
      - The new slurm.conf's NodeName lines. A node that runs jobs and whose socket and core layout
        (C(Sockets), or C(Boards) times C(SocketsPerBoard), and C(CoresPerSocket)) would differ from
        what Slurm has is a problem - slurmctld aborts the jobs of such a node. Not checked when
        omitted.
    type: list
    elements: str
  partitions:
    description:
      - The new slurm.conf's partitions. A partition Slurm has that is not here and holds pending or
        running jobs is a problem - slurmctld fails them (pending, running or suspended) when it
        reads a slurm.conf without their partition. Not checked when omitted.
    type: list
    elements: str
  new_conf:
    description:
      - The text of the new slurm.conf. Where C(scontrol) is installed, Slurm's own parser reads it (a
        temporary copy, named by C(SLURM_CONF) to C(scontrol show hostnames); no slurmctld is asked),
        and what it refuses is a problem - a value or partition option the running release would not
        read stops slurmctld and every Slurm command at the next reconfigure.
      - A plugin it names anew (a C(*Type) or C(*Plugin) value not in the current slurm.conf) that
        Slurm's plugin directory does not hold is a problem too (its C(PluginDir), else the
        distribution's).
      - A C(SlurmdSpoolDir) other than the current slurm.conf's while a node of O(compute_nodes) runs
        jobs is a problem - slurmd finds the steps it runs in that directory and would lose them
        (C(scancel) or a time limit would leave their processes running).
    type: str
  accounting_entries:
    description:
      - The accounting entries this run declares, as P(hpc.cluster.slurm_accounting_entries#filter) makes
        them; those with C(state=absent) are checked against the active jobs.
      - A user, a user's association with an account, or an account to remove while jobs of theirs are
        active is a problem - C(sacctmgr) refuses it ("Job(s) active"), late in the run, after the
        controller and the nodes took the rest of it.
      - A QOS to remove while jobs use it is a problem - C(sacctmgr) removes it under them (a running
        job's QOS becomes C((null)); a pending one stays pending, C(InvalidQOS), and never starts).
    type: list
    elements: dict
    default: []
notes:
  - Jobs are those C(squeue) lists as pending, configuring, running, completing or suspended.
  - Nothing is asked of Slurm when C(scontrol) is missing or no slurmctld answers.
requirements:
  - C(scontrol) and C(squeue) on the controller, once Slurm is installed.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Read the controller's state
  hpc.cluster.slurm_controller_facts:
    conf_path: /etc/slurm/slurm.conf
    cluster_name: "{{ slurm_cluster_name }}"
    state_save_location: /var/spool/slurmctld
    compute_nodes: "{{ groups['compute'] }}"
  delegate_to: "{{ groups['control'] | first }}"
  run_once: true
  check_mode: false
  register: controller

- name: Refuse what a new configuration would lose
  ansible.builtin.assert:
    that: controller.problems | length == 0
    fail_msg: "{{ controller.problems | join(' ') }}"
"""

RETURN = r"""
version:
  description: Release of the installed slurmctld; empty when it is not installed or does not say.
  returned: always
  type: str
  sample: 22.05.8
slurmctld_running:
  description: Whether a slurmctld answered C(scontrol ping).
  returned: always
  type: bool
conf:
  description:
    - Keys of interest of the current slurm.conf (those present), with Slurm's spelling.
    - Role slurm waits on C(SlurmctldPort) when it puts this slurm.conf back.
  returned: always
  type: dict
  sample: {ClusterName: lab, StateSaveLocation: /var/lib/slurm/slurmctld, SlurmdSpoolDir: /var/lib/slurm/slurmd}
conf_sha256:
  description:
    - SHA-256 of the current slurm.conf; empty when there is none.
    - Role slurm compares it with the copy a configless slurmd runs with
      (P(hpc.cluster.configless_slurmd_restart#filter)).
  returned: always
  type: str
state_dirs:
  description: The current and the new state directory, each with what it holds.
  returned: always
  type: dict
  sample:
    /var/lib/slurm/slurmctld: {exists: true, has_state: true, clustername: lab}
nodes:
  description: Nodes slurmctld knows (empty when it does not answer).
  returned: always
  type: list
  elements: str
jobs:
  description: Job IDs per node, for configuring, running, completing and suspended jobs.
  returned: always
  type: dict
  sample: {c01: ["12", "14"]}
layouts:
  description: Sockets and cores per socket of each node Slurm knows (empty when it does not answer).
  returned: always
  type: dict
  sample: {c01: [1, 2]}
partition_jobs:
  description: Job IDs per partition, for pending, configuring, running, completing and suspended jobs.
  returned: always
  type: dict
  sample: {batch: ["12", "14", "15"]}
problems:
  description: One message per refusal; empty when the new configuration loses nothing.
  returned: always
  type: list
  elements: str
removed_nodes:
  description: Nodes Slurm knows that are not in O(compute_nodes), as a hostlist (busy or not).
  returned: always
  type: str
  sample: c[03-04]
new_conf:
  description: O(new_conf) as given, the text checked, for the task that writes it (no second rendering).
  returned: when O(new_conf) is given
  type: str
state_move:
  description: C({from, to}) when the state must be moved (C(state_migrate) set), else empty.
  returned: always
  type: dict
  sample: {from: /var/lib/slurm/slurmctld, to: /var/spool/slurmctld}
"""

import hashlib
import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
    expand,
)
from ansible_collections.hpc.cluster.plugins.module_utils.slurm import (
    C_LOCALE_ENV,
    SlurmRunner,
    parse_oneliner,
    parse_oneliners,
)

# slurm.conf keys read from the current file (Slurm's keys are case-insensitive).
CONF_KEYS = ("ClusterName", "StateSaveLocation", "SlurmdSpoolDir", "SlurmctldPort")
# slurmd's spool directory where slurm.conf names none (slurm.conf(5), SlurmdSpoolDir).
SPOOL_DEFAULT = "/var/spool/slurmd"
# Lines that define an entity rather than set global keys.
_ENTITY_KEYS = {"nodename", "partitionname", "nodeset", "downnodes", "frontendname", "switchname",
                "slurmctldhost", "include"}
JOB_STATES = "PENDING,CONFIGURING,RUNNING,COMPLETING,SUSPENDED"
# Job ID, nodes, partitions, user, account, QOS.
SQUEUE_ARGS = ["--noheader", "--all", "--states=" + JOB_STATES, "--format=%i|%N|%P|%u|%a|%q"]
SHOWN_JOBS = 10
REMOVE_PLAYBOOK = "playbooks/remove_nodes.yml"


def global_settings(text):
    """(key, value) of each Key=Value of a slurm.conf text's global lines, in order (comments,
    entity lines such as NodeName and PartitionName, and quotes around a value left out)."""
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if "=" not in line or line.split("=", 1)[0].strip().lower() in _ENTITY_KEYS:
            continue
        for token in line.split():
            key, sep, value = token.partition("=")
            if sep:
                yield key, value.strip().strip('"')


def parse_conf(text):
    """slurm.conf text -> {key: value} for CONF_KEYS (last one wins, like Slurm)."""
    wanted = {key.lower(): key for key in CONF_KEYS}
    return {wanted[key.lower()]: value for key, value in global_settings(text) if key.lower() in wanted}


def read_clustername(path):
    """Name saved by slurmctld in <state>/clustername ('name', or 'name|id' since 23.11)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(4096)
    except OSError:
        return None
    return text.replace("\0", "").strip().split("|", 1)[0].strip() or None


def read_state_dir(path):
    if not os.path.isdir(path):
        return {"exists": os.path.exists(path), "has_state": False, "clustername": None}
    return {
        "exists": True,
        "has_state": bool(os.listdir(path)),
        "clustername": read_clustername(os.path.join(path, "clustername")),
    }


def _job_lines(text):
    """(jobid, nodelist, partitions, (user, account, qos)) of each squeue line of SQUEUE_ARGS' format,
    or of its first two or three fields ('' for those missing)."""
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("|")]
        if len(fields) not in (2, 3, 6):
            raise ValueError("unexpected squeue line %r" % line)
        fields += [""] * (6 - len(fields))
        yield fields[0], fields[1], fields[2].split(",") if fields[2] else [], tuple(fields[3:])


def parse_squeue(text):
    """squeue lines -> (jobs per node, jobs per partition, jobs per owner), read in one pass.

    Jobs per node: {node: [jobid, ...]}, hostlists expanded (a pending job has no node). Jobs per
    partition: {partition: [jobid, ...]} (a job pending in several: in each). Jobs per owner:
    {(kind, name): [jobid, ...]}, each job under ('user', user), ('association', (user, account)),
    ('account', account) and ('qos', qos); accounts and QOS in lowercase, as Slurm keeps them."""
    jobs, partition_jobs, owners = {}, {}, {}
    for jobid, nodelist, partitions, (user, account, qos) in _job_lines(text):
        for node in expand(nodelist, slurm=True) if nodelist else []:
            jobs.setdefault(node, []).append(jobid)
        for partition in partitions:
            partition_jobs.setdefault(partition, []).append(jobid)
        account, qos = account.lower(), qos.lower()
        keys = [("account", account)] if account else []
        keys += [("qos", qos)] if qos else []
        keys += [("user", user)] if user else []
        keys += [("association", (user, account))] if user and account else []
        for key in keys:
            owners.setdefault(key, []).append(jobid)
    return jobs, partition_jobs, owners


def removal_problems(owners, entries):
    """One problem per accounting entry to remove (state absent) that active jobs still use.
    ``owners``: the jobs per owner parse_squeue read; ``entries``: slurm_accounting_entries' entries."""
    problems = []
    for entry in entries:
        if entry.get("state") != "absent" or not entry.get("name"):
            continue
        kind, name, account = entry.get("type"), entry["name"], entry.get("account")
        if kind == "user" and account:
            jobs = owners.get(("association", (name, account.lower())))
            what = "slurm_users removes the association of user %s with account %s" % (name, account)
        elif kind in ("user", "account"):
            jobs = owners.get((kind, name if kind == "user" else name.lower()))
            what = "%s removes %s %s" % ("slurm_users" if kind == "user" else "slurm_accounts", kind, name)
        elif kind == "qos":
            jobs = owners.get(("qos", name.lower()))
            if jobs:
                problems.append(
                    "slurm_qos removes QOS %s (state: absent) while job(s) %s use it: sacctmgr removes it under "
                    "them (a running job's QOS becomes (null); a pending one stays pending, InvalidQOS, and never "
                    "starts). Let them finish or cancel them (squeue --qos=%s), then run again."
                    % (name, _job_list(jobs), name))
            continue
        else:
            continue
        if jobs:
            problems.append(
                "%s (state: absent) while job(s) %s are pending or running under it: sacctmgr refuses that "
                "(\"Job(s) active\"), late in the run, after the controller and the nodes took the rest of it. Let "
                "them finish or cancel them, then run again." % (what, _job_list(jobs)))
    return problems


def _layout(params):
    """(sockets, cores per socket) of NodeName parameters or a node record, or None when unknown."""
    keys = {key.lower(): value for key, value in params.items()}
    try:
        if "socketsperboard" in keys:
            sockets = int(keys.get("boards", 1)) * int(keys["socketsperboard"])
        else:
            sockets = int(keys["sockets"])
        return sockets, int(keys["corespersocket"])
    except (KeyError, ValueError):
        return None


def parse_node_lines(lines):
    """{node: (sockets, cores per socket)} of NodeName lines (hostlists expanded)."""
    layouts = {}
    for line in lines:
        fields = parse_oneliner(line)
        names = fields.pop("NodeName", None)
        layout = _layout(fields)
        if names and layout:
            for node in expand(names, slurm=True):
                layouts[node] = layout
    return layouts


def _job_list(jobids):
    shown = ", ".join(jobids[:SHOWN_JOBS])
    return shown + (" and %d more" % (len(jobids) - SHOWN_JOBS) if len(jobids) > SHOWN_JOBS else "")


def spool_dir(conf_text):
    """The SlurmdSpoolDir a slurm.conf text sets (Slurm's default when it sets none)."""
    named = [value for key, value in global_settings(conf_text) if key.lower() == "slurmdspooldir"]
    return named[-1] if named else SPOOL_DEFAULT


def spool_problem(facts, new_spool, compute_nodes):
    """slurmd finds the steps it runs (their sockets) in its spool directory: moved under running
    jobs, it loses them, and scancel or a time limit leaves their processes running on nodes Slurm
    then counts as free. '' when the directory stays, or no node of the inventory runs a job."""
    if not facts["conf"]:
        return ""
    old = facts["conf"].get("SlurmdSpoolDir") or SPOOL_DEFAULT
    if os.path.normpath(old) == os.path.normpath(new_spool):
        return ""
    inventory = set(compute_nodes)
    busy = sorted(node for node in facts["jobs"] if node in inventory)
    if not busy:
        return ""
    jobids = list(dict.fromkeys(jobid for node in busy for jobid in facts["jobs"][node]))
    return ("SlurmdSpoolDir would change from %s to %s while %s run(s) job(s) %s: slurmd finds the steps it "
            "runs in that directory, so it would lose them, and scancel or a time limit would leave their "
            "processes running on nodes Slurm counts as free. Let those jobs finish first (drain the nodes: "
            "scontrol update nodename=%s state=drain reason=...), or keep SlurmdSpoolDir: %s in slurm_config."
            % (old, new_spool, compress(busy), _job_list(jobids), compress(busy), old))


def decide(facts, cluster_name, state_save_location, compute_nodes, state_migrate, partitions=None,
           layouts=None, live_nodes=(), start_empty=False, new_spool=None):
    """What the new configuration would lose -> (problems, state_move). Pure: no I/O.

    ``facts`` holds ``jobs`` ({node: [jobid]}), ``partition_jobs`` ({partition: [jobid]}, pending
    jobs included), ``conf`` (current slurm.conf keys) and ``state_dirs`` ({normalised path:
    {has_state, clustername}}), ``layouts`` ({node: (sockets, cores per socket)} as Slurm has them).
    ``partitions``: the new partition names, ``layouts``: the new nodes' layouts (None: not checked).
    ``live_nodes``: compute nodes whose slurmd runs; ``start_empty``: allow a stateless start then.
    ``new_spool``: the new SlurmdSpoolDir (None: not checked).
    """
    problems = []
    inventory = set(compute_nodes)
    for node in sorted(n for n in facts["jobs"] if n not in inventory):
        problems.append(
            "node %s runs job(s) %s but is not in the inventory any more: drain it and remove it "
            "with %s (docs/day2.md), or put it back." % (node, ", ".join(facts["jobs"][node]), REMOVE_PLAYBOOK))
    for node in sorted(n for n in facts["jobs"] if layouts is not None and n in layouts):
        before, after = facts.get("layouts", {}).get(node), layouts[node]
        if before is not None and before != after:
            problems.append(
                "node %s runs job(s) %s and its layout would change from %d socket(s) of %d core(s) to %d of %d: "
                "slurmctld aborts the jobs of a node whose sockets or cores change. Drain it and let them finish "
                "first (scontrol update nodename=%s state=drain reason=...), or keep the layout (slurm_node)."
                % (node, _job_list(facts["jobs"][node]), before[0], before[1], after[0], after[1], node))
    spool = spool_problem(facts, new_spool, compute_nodes) if new_spool is not None else ""
    if spool:
        problems.append(spool)
    kept = set(partitions) if partitions is not None else None
    for partition, jobids in sorted(facts.get("partition_jobs", {}).items()):
        if kept is not None and partition not in kept:
            problems.append(
                "partition %s holds job(s) %s (pending or running) but is not in slurm_partitions any more: "
                "slurmctld would fail them when it reads the new slurm.conf. Keep the partition with State: DRAIN "
                "(it takes no new jobs) until they are done, or cancel them; then remove it."
                % (partition, _job_list(jobids)))

    new_name = cluster_name.lower()
    for path, info in sorted(facts["state_dirs"].items()):
        saved = info.get("clustername")
        if saved is not None and saved != new_name:
            problems.append(
                "ClusterName would change from '%s' (saved in %s/clustername) to '%s': slurmctld "
                "refuses to start on that state. Keep slurm_cluster_name (or cluster_name) '%s'; to "
                "start afresh under the new name, stop slurmctld and move %s aside first."
                % (saved, path, cluster_name, saved, path))

    state_move = {}
    old = facts["conf"].get("StateSaveLocation")
    old = os.path.normpath(old) if old else None
    new = os.path.normpath(state_save_location)
    if old and old != new and facts["state_dirs"].get(old, {}).get("has_state"):
        if facts["state_dirs"].get(new, {}).get("has_state"):
            problems.append(
                "StateSaveLocation changes from %s to %s, and %s and %s both hold slurmctld's state: "
                "keep the one to use (move the other aside by hand, slurmctld stopped), or set "
                "StateSaveLocation back to %s in slurm_config." % (old, new, old, new, old))
        elif not state_migrate:
            problems.append(
                "StateSaveLocation changes from %s to %s (its default follows slurm_package_source / "
                "cluster_slurm_source) and %s holds slurmctld's state: set slurm_state_migrate: true "
                "to move it with slurmctld stopped, or keep StateSaveLocation: %s in slurm_config."
                % (old, new, old, old))
        else:
            state_move = {"from": old, "to": new}
    stateless = not any(info.get("has_state") for info in facts["state_dirs"].values())
    if live_nodes and not start_empty and stateless:
        problems.append(
            "this controller has no saved state in %s, yet slurmd runs on %s: slurmctld would start the cluster "
            "afresh, its running jobs and queue lost (a new control host, or a wiped state directory). Move the "
            "state here first (slurmctld stopped on the old controller, the directory copied with owners and "
            "modes), or set slurm_state_start_empty: true to start afresh."
            % (new, compress(sorted(live_nodes))))
    return problems, state_move


def read_version(module):
    """'22.05.8' from `slurmctld -V`; '' when slurmctld is not installed or says no release."""
    if not module.get_bin_path("slurmctld"):
        return ""
    rc, out, _err = SlurmRunner(module, "slurmctld").run(["-V"], check_rc=False)
    match = re.search(r"\b(\d+\.\d+(?:\.\d+)?)\b", out) if rc == 0 else None
    return match.group(1) if match else ""


def read_slurm(module):
    """(running, nodes, their layouts, jobs per node, jobs per partition, the jobs' owners) from scontrol
    and squeue; nothing when slurmctld does not answer."""
    if not module.get_bin_path("scontrol"):
        return False, [], {}, {}, {}, {}
    scontrol = SlurmRunner(module, "scontrol")
    rc, out, _err = scontrol.run(["ping"], check_rc=False)
    if rc != 0 or " is UP" not in out:
        return False, [], {}, {}, {}, {}
    _rc, out, _err = scontrol.run(["--oneliner", "show", "node"])
    records = [r for r in parse_oneliners(out) if r.get("NodeName")]
    nodes = [r["NodeName"] for r in records]
    layouts = {name: layout for name, layout in ((r["NodeName"], _layout(r)) for r in records) if layout}
    squeue = SlurmRunner(module, "squeue")
    _rc, out, _err = squeue.run(SQUEUE_ARGS)
    try:
        jobs, partition_jobs, owners = parse_squeue(out)
    except (ValueError, HostlistError) as exc:
        module.fail_json(msg="squeue: %s" % exc, stdout=out)
    return True, nodes, layouts, jobs, partition_jobs, owners


# Where distributions put Slurm's plugins (PluginDir unset): Rocky (EPEL, OpenHPC), Debian, source.
PLUGIN_DIRS = ("/usr/lib64/slurm", "/usr/lib/x86_64-linux-gnu/slurm-wlm", "/usr/lib/aarch64-linux-gnu/slurm-wlm",
               "/usr/lib/slurm", "/usr/local/lib/slurm", "/usr/local/lib64/slurm")
_PLUGIN_KEY_RE = re.compile(r"(type|plugins?)$", re.I)
_PLUGIN_RE = re.compile(r"[a-z_]+/[A-Za-z0-9_]+")


def conf_plugins(text):
    """The 'kind/name' plugins a slurm.conf text names in its global *Type and *Plugin(s) keys."""
    return {item.strip() for key, value in global_settings(text) if _PLUGIN_KEY_RE.search(key)
            for item in value.split(",") if _PLUGIN_RE.fullmatch(item.strip())}


def plugin_dir(new_conf):
    """Slurm's plugin directory: the new slurm.conf's PluginDir, else the first known one holding an
    auth plugin (every Slurm has one); None when there is none."""
    named = [value.split(":")[0] for key, value in global_settings(new_conf) if key.lower() == "plugindir"]
    for directory in named[-1:] or PLUGIN_DIRS:
        if os.path.isdir(directory) and any(name.startswith("auth_") and name.endswith(".so")
                                            for name in os.listdir(directory)):
            return directory
    return None


def missing_plugins(new_conf, current_conf, directory):
    """Plugins the new slurm.conf names anew that directory does not hold, sorted."""
    added = conf_plugins(new_conf) - conf_plugins(current_conf)
    return sorted(p for p in added if not os.path.exists(os.path.join(directory, p.replace("/", "_") + ".so")))


def parse_refusal(rc, out, err, path):
    """Slurm's words on a slurm.conf it could not read (its temporary path named slurm.conf), or ''."""
    if rc == 0:
        return ""
    lines = [line.split(": ", 1)[1] if line.startswith("scontrol: ") else line
             for line in (err or out).replace(path, "slurm.conf").splitlines() if line.strip()]
    return "; ".join(lines) or "scontrol exited with %d" % rc


def read_new_conf(module, text, version, current=""):
    """The problem Slurm's parser finds in the new slurm.conf, or a plugin it names anew that is not
    installed, or '' (also when Slurm is not installed)."""
    scontrol = module.get_bin_path("scontrol") if text is not None else None
    if not scontrol:
        return ""
    plugins = plugin_dir(text)
    missing = missing_plugins(text, current, plugins) if plugins else []
    if missing:
        return ("Slurm%s has no plugin %s in %s: slurmctld and slurmd would stop when they load it. Check the "
                "name (slurm.conf(5) lists them), or install the package that holds it first."
                % (" " + version if version else "", ", ".join(missing), plugins))
    directory = tempfile.mkdtemp(prefix="hpc-slurm-conf-")
    try:
        path = os.path.join(directory, "slurm.conf")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        rc, out, err = module.run_command([scontrol, "show", "hostnames", "localhost"],
                                           environ_update=dict(C_LOCALE_ENV, SLURM_CONF=path))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    refusal = parse_refusal(rc, out, err, path)
    if not refusal:
        return ""
    return ("Slurm%s cannot read the new slurm.conf: %s. Nothing was written; fix the value it names "
            "(slurm_config, slurm_config_group, or the options of slurm_partitions)."
            % (" " + version if version else "", refusal))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            conf_path=dict(type="path", default="/etc/slurm/slurm.conf"),
            cluster_name=dict(type="str", required=True),
            state_save_location=dict(type="path", required=True),
            compute_nodes=dict(type="list", elements="str", default=[]),
            state_migrate=dict(type="bool", default=False),
            new_conf=dict(type="str"),
            partitions=dict(type="list", elements="str"),
            node_lines=dict(type="list", elements="str"),
            live_nodes=dict(type="list", elements="str", default=[]),
            start_empty=dict(type="bool", default=False),
            accounting_entries=dict(type="list", elements="dict", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    raw = b""
    try:
        with open(params["conf_path"], "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        pass
    except OSError as exc:
        module.fail_json(msg="cannot read %s: %s" % (params["conf_path"], exc))
    current = raw.decode("utf-8", errors="replace")
    conf = parse_conf(current)

    dirs = [conf.get("StateSaveLocation"), params["state_save_location"]]
    state_dirs = {os.path.normpath(p): read_state_dir(p) for p in dirs if p}
    version = read_version(module)
    running, nodes, layouts, jobs, partition_jobs, owners = read_slurm(module)

    facts = {"version": version, "slurmctld_running": running, "conf": conf,
             "conf_sha256": hashlib.sha256(raw).hexdigest() if raw else "", "state_dirs": state_dirs,
             "nodes": nodes, "layouts": layouts, "jobs": jobs, "partition_jobs": partition_jobs}
    try:
        new_layouts = parse_node_lines(params["node_lines"]) if params["node_lines"] is not None else None
    except HostlistError as exc:
        module.fail_json(msg="node_lines: %s" % exc)
    problems, state_move = decide(facts, params["cluster_name"], params["state_save_location"],
                                  params["compute_nodes"], params["state_migrate"], params["partitions"],
                                  new_layouts, params["live_nodes"], params["start_empty"],
                                  spool_dir(params["new_conf"]) if params["new_conf"] is not None else None)
    problems += removal_problems(owners, params["accounting_entries"])
    refusal = read_new_conf(module, params["new_conf"], version, current)
    if refusal:
        problems.append(refusal)
    removed = [n for n in nodes if n not in set(params["compute_nodes"])]
    checked = {"new_conf": params["new_conf"]} if params["new_conf"] is not None else {}
    module.exit_json(changed=False, problems=problems, state_move=state_move,
                     removed_nodes=compress(removed) if removed else "", **dict(facts, **checked))


if __name__ == "__main__":
    main()
