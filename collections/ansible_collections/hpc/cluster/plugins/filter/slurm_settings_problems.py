# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: slurm_settings_problems
short_description: Everything wrong with a cluster's merged slurm.conf settings, one message each
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Role slurm's cluster-wide checks, run once per run in its preflight, all in one call so that
    one error names every problem. Each message starts with C(slurm:) and says what to change.
  - Unknown slurm.conf or cgroup.conf keys; values those files cannot carry (as
    P(hpc.cluster.slurm_conf_problems#filter) finds them), cgroup.conf booleans and numbers of another
    kind, and a C(ClusterName) with whitespace; a
    password in the world-readable slurm.conf
    (C(AccountingStoragePass) that is not a MUNGE socket path, C(JobCompPass)); two controllers
    without a shared C(StateSaveLocation); a C(SelectTypeParameters) the C(SelectType) plugin
    refuses at start (slurmctld stops there, and Slurm's own parser, run on the new slurm.conf, does
    not load the plugin); configless mode without C(enable_configless) in
    C(SlurmctldParameters); hosts that see other cluster-wide settings than the reference host
    (as P(hpc.cluster.slurm_cluster_data#action) lists them); accounting without a database
    password on the accounting host.
options:
  _input:
    description: The merged slurm.conf settings (role slurm's C(__slurm_config)).
    type: dict
    required: true
  cgroup:
    description: The merged cgroup.conf settings.
    type: dict
    default: {}
  known_keys:
    description: The slurm.conf keys the role knows.
    type: list
    elements: str
    required: true
  known_cgroup_keys:
    description: The cgroup.conf keys the role knows.
    type: list
    elements: str
    required: true
  control_group:
    description: The inventory group of the controllers.
    type: str
    default: control
  controllers:
    description: The hosts of O(control_group).
    type: list
    elements: str
    default: []
  state_save_shared:
    description: Whether C(StateSaveLocation) is declared shared between the controllers.
    type: bool
    default: false
  configless:
    description: Whether configless mode is on.
    type: bool
    default: false
  mismatch:
    description: One text per host whose cluster-wide settings differ from the reference host's.
    type: list
    elements: str
    default: []
  reference:
    description: The reference host of O(mismatch).
    type: str
    default: ""
  variables:
    description: The cluster-wide variables O(mismatch) compares.
    type: list
    elements: str
    default: []
  accounting:
    description: Whether accounting (slurmdbd) is on.
    type: bool
    default: false
  accounting_host:
    description: The accounting host.
    type: str
    default: ""
  accounting_password_set:
    description: Whether the accounting host has a non-empty string C(slurmdbd_db_password).
    type: bool
    default: false
  slurm_user:
    description:
      - The account the role makes for slurmctld and gives its directories (C(slurm_user)); a
        C(SlurmUser) that names another is refused (slurmctld stops at its next restart, unable to
        write its state). Empty to leave C(SlurmUser) unchecked.
    type: str
    default: ""
  accounting_cluster:
    description:
      - With O(accounting), the cluster role slurmdbd declares in the accounting database
        (C(slurmdbd_cluster_name)); a C(ClusterName) that is another (compared without case, as
        slurmctld lower-cases it) is refused. Empty to leave it unchecked.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Check the cluster-wide Slurm settings
  ansible.builtin.assert:
    that: __problems | length == 0
    fail_msg: "{{ __problems | join(' ') }}"
  vars:
    __problems: >-
      {{ __slurm_config | hpc.cluster.slurm_settings_problems(
           known_keys=__slurm_config_keys, known_cgroup_keys=__slurm_cgroup_keys) }}
"""

RETURN = r"""
_value:
  description: The problems, one message each; empty when there is none.
  type: list
  elements: string
"""

import re

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import conf_problems

_SPACE_RE = re.compile(r"\s")

ACCOUNTING_PASS = (
    "AccountingStoragePass: the accounting database password belongs in slurmdbd.conf, set it as "
    "slurmdbd_db_password (Ansible Vault) for role slurmdbd; in slurm.conf AccountingStoragePass may only name an "
    "alternate MUNGE socket (an absolute path)."
)
JOBCOMP_PASS = (
    "JobCompPass: use a job completion plugin that needs no password in slurm.conf (jobcomp/none, jobcomp/filetxt, "
    "jobcomp/elasticsearch), or JobCompPassScript where the Slurm release has it."
)


# cgroup.conf's booleans and numbers (cgroup.conf(5)): slurmd stops at a value it cannot read
# ("maybe" is not a valid option for "ConstrainCores"), on every node at its next restart.
CGROUP_BOOLEANS = ("CgroupAutomount", "ConstrainCores", "ConstrainDevices", "ConstrainKmemSpace", "ConstrainRAMSpace",
                   "ConstrainSwapSpace", "EnableControllers", "IgnoreSystemd", "IgnoreSystemdOnFailure",
                   "SignalChildrenProcesses")
CGROUP_PERCENTS = ("AllowedKmemSpace", "AllowedRAMSpace", "AllowedSwapSpace", "MaxKmemPercent", "MaxRAMPercent",
                   "MaxSwapPercent")
CGROUP_INTEGERS = ("MemorySwappiness", "MinKmemSpace", "MinRAMSpace", "SystemdTimeout")
_BOOLEAN_WORDS = ("yes", "no", "true", "false", "up", "down", "1", "0")
_PERCENT_RE = re.compile(r"\d+(\.\d+)?")


def cgroup_type_problems(cgroup):
    """The cgroup.conf values of the wrong kind, named."""
    wrong = []
    for key, value in sorted((cgroup or {}).items()):
        text = str(value).strip().lower()
        if key in CGROUP_BOOLEANS and not isinstance(value, bool) and text not in _BOOLEAN_WORDS:
            wrong.append("%s %r is not yes or no" % (key, value))
        elif key in CGROUP_PERCENTS and (isinstance(value, bool) or not _PERCENT_RE.fullmatch(text)):
            wrong.append("%s %r is not a number" % (key, value))
        elif key in CGROUP_INTEGERS and (isinstance(value, bool) or not text.isdigit()):
            wrong.append("%s %r is not a whole number" % (key, value))
    if not wrong:
        return ""
    return ("slurm: slurm_cgroup_config: %s. slurmd would not read cgroup.conf and would stop on every node at its "
            "next restart." % "; ".join(wrong))


# SelectTypeParameters' resource options (case-insensitive, as Slurm reads them). At start
# select/linear refuses them ("it can't contain CR_(CPU|CORE|SOCKET)"), select/cons_res and
# select/cons_tres need one ("You need at least CR_(CPU|CORE|SOCKET)*", CR_Core_Memory when unset).
_RESOURCE_OPTION_RE = re.compile(r"cr_(cpu|core|socket)(_memory)?", re.I)
_CONSUMABLE_SELECTS = ("select/cons_res", "select/cons_tres")


def select_problem(config):
    """SelectTypeParameters that the SelectType plugin would refuse when slurmctld starts, or ''."""
    select = str(config.get("SelectType") or "").strip().lower()
    params = config.get("SelectTypeParameters")
    options = [o.strip() for o in str(params).split(",")] if params not in (None, "") else []
    resources = [o for o in options if _RESOURCE_OPTION_RE.fullmatch(o)]
    if select == "select/linear" and resources:
        return ("slurm: SelectType select/linear allocates whole nodes and refuses SelectTypeParameters %s "
                "(%s): slurmctld would stop at its start. Set SelectTypeParameters to CR_Memory, or null "
                "(slurm_config), or keep a consumable-resource SelectType." % (params, ", ".join(resources)))
    if select in _CONSUMABLE_SELECTS and options and not resources:
        return ("slurm: SelectType %s needs CR_CPU, CR_Core or CR_Socket (alone or with _Memory) in "
                "SelectTypeParameters, which is %s: slurmctld would stop at its start. Add one, e.g. "
                "CR_Core_Memory." % (select, params))
    return ""


def secret_keys(config):
    """The keys that would put a password in slurm.conf."""
    keys = []
    if "AccountingStoragePass" in config and not str(config["AccountingStoragePass"]).startswith("/"):
        keys.append("AccountingStoragePass")
    if "JobCompPass" in config:
        keys.append("JobCompPass")
    return keys


def slurm_settings_problems(config, known_keys, known_cgroup_keys, cgroup=None, control_group="control",
                            controllers=(), state_save_shared=False, configless=False, mismatch=(), reference="",
                            variables=(), accounting=False, accounting_host="", accounting_password_set=False,
                            slurm_user="", accounting_cluster=""):
    problems = []
    unknown = [key for key in config if key not in known_keys]
    unknown_cgroup = [key for key in (cgroup or {}) if key not in known_cgroup_keys]
    if unknown:
        problems.append(
            "slurm: unknown key(s) %s in slurm_config/slurm_config_group. Known slurm.conf keys are listed in "
            "roles/slurm/vars/main.yml; NodeName, PartitionName and SlurmctldHost lines come from the inventory "
            "(slurm_node, slurm_partitions, group '%s')." % (", ".join(unknown), control_group))
    if unknown_cgroup:
        problems.append(
            "slurm: unknown key(s) %s in slurm_cgroup_config: cgroup.conf has no such parameter. Known cgroup.conf "
            "keys are listed in roles/slurm/vars/main.yml." % ", ".join(unknown_cgroup))
    for settings, where in ((config, "slurm_config/slurm_config_group"), (cgroup, "slurm_cgroup_config")):
        unwritable = conf_problems(settings, "slurm: values of " + where, secret_keys=secret_keys(config))
        if unwritable:
            problems.append(unwritable)
    wrong_kinds = cgroup_type_problems(cgroup)
    if wrong_kinds:
        problems.append(wrong_kinds)
    select = select_problem(config)
    if select:
        problems.append(select)
    if _SPACE_RE.search(str(config.get("ClusterName", ""))):
        problems.append("slurm: ClusterName %r holds whitespace: the accounting database names its tables after "
                        "it. Choose a name of one word (slurm_cluster_name or cluster_name)." % config["ClusterName"])
    secrets = secret_keys(config)
    if secrets:
        problems.append(" ".join(
            ["slurm: %s in slurm.conf (slurm_config or slurm_config_group): the file is world-readable, so every "
             "user could read the password." % " and ".join(secrets)]
            + [text for key, text in (("AccountingStoragePass", ACCOUNTING_PASS), ("JobCompPass", JOBCOMP_PASS))
               if key in secrets]))
    if len(controllers) >= 2 and not state_save_shared:
        problems.append(
            "slurm: group '%s' holds 2 controllers (%s) but their StateSaveLocation %s is not declared shared: after a "
            "failover the backup would start from its own, empty state. Mount one shared directory there on both "
            "(NFS, for example) and set slurm_state_save_shared: true, or keep one host in '%s'."
            % (control_group, ", ".join(controllers), config.get("StateSaveLocation"), control_group))
    if configless and "enable_configless" not in str(config.get("SlurmctldParameters", "")):
        problems.append("slurm: slurm_configless is on but SlurmctldParameters is '%s': add enable_configless to it."
                        % config.get("SlurmctldParameters", ""))
    if mismatch:
        problems.append(
            "slurm: %s than %s (%s): slurm.conf must be the same on every node; set them on a group holding the "
            "whole cluster." % ("; ".join(mismatch), reference, ", ".join(variables)))
    if slurm_user and str(config.get("SlurmUser", slurm_user)) != str(slurm_user):
        problems.append(
            "slurm: SlurmUser '%s' in slurm_config/slurm_config_group is not slurm_user '%s', the account the role "
            "makes and gives StateSaveLocation and the spool and log directories: slurmctld took it at the reconfigure "
            "and stopped at its next restart ('Incorrect permissions on state save loc', lab). Set slurm_user (with "
            "slurm_uid and slurm_gid) instead, and leave SlurmUser out." % (config["SlurmUser"], slurm_user))
    cluster = str(config.get("ClusterName", ""))
    if accounting and accounting_cluster and cluster.lower() != str(accounting_cluster).lower():
        problems.append(
            "slurm: ClusterName '%s' is not the cluster role slurmdbd declares in the accounting database, '%s' "
            "(slurmdbd_cluster_name): slurmctld would find no association of its own, and with "
            "AccountingStorageEnforce=associations refuse every job. Set slurm_cluster_name, which both follow, and "
            "leave ClusterName and slurmdbd_cluster_name out." % (cluster, accounting_cluster))
    if accounting and not (accounting_host and accounting_password_set):
        problems.append(
            "slurm: accounting is on (slurm_accounting) but slurmdbd_db_password is not set for the accounting host "
            "'%s'. Keep it in Ansible Vault, or set slurm_accounting: false." % accounting_host)
    return problems


class FilterModule:
    def filters(self):
        return {"slurm_settings_problems": slurm_settings_problems}
