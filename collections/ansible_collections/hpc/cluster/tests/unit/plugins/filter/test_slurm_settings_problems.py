# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_settings_problems: role slurm's cluster-wide checks, every problem named in one list."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.filter.slurm_settings_problems import FilterModule

problems = FilterModule().filters()["slurm_settings_problems"]

KNOWN = ["ClusterName", "StateSaveLocation", "SlurmctldParameters", "AccountingStoragePass", "JobCompPass"]
CGROUP = ["ConstrainCores", "CgroupPlugin", "ConstrainDevices", "ConstrainRAMSpace", "AllowedRAMSpace",
          "MaxRAMPercent", "MinRAMSpace", "MemorySwappiness", "SystemdTimeout"]
GOOD = {"ClusterName": "lab", "StateSaveLocation": "/var/spool/slurmctld"}


def check(config=None, **kwargs):
    return problems(GOOD if config is None else config, known_keys=KNOWN, known_cgroup_keys=CGROUP, **kwargs)


def test_good_settings_have_no_problem():
    assert check(cgroup={"ConstrainCores": "yes"}, controllers=["head"], accounting=True, accounting_host="head",
                 accounting_password_set=True) == []


@pytest.mark.parametrize(("config", "cgroup", "expected"), [
    (dict(GOOD, SelectTypo="x"), {}, "unknown key(s) SelectTypo in slurm_config/slurm_config_group."),
    (GOOD, {"ConstrainTypo": "yes"},
     "unknown key(s) ConstrainTypo in slurm_cgroup_config: cgroup.conf has no such parameter. Known cgroup.conf"),
    # each source named with its own keys
    (dict(GOOD, A="1"), {"B": "2"}, "unknown key(s) A in slurm_config/slurm_config_group. Known slurm.conf"),
    (dict(GOOD, A="1"), {"B": "2"}, "unknown key(s) B in slurm_cgroup_config: cgroup.conf has no such parameter."),
])
def test_unknown_keys_are_named(config, cgroup, expected):
    messages = check(config, cgroup=cgroup, control_group="head_nodes")
    (message,) = [m for m in messages if m.startswith("slurm: " + expected)]
    assert len(messages) == len([c for c in (set(config) - set(GOOD), cgroup) if c])
    assert ("group 'head_nodes'" in message) == ("slurm_config/" in expected)


@pytest.mark.parametrize(("keys", "named", "hints"), [
    ({"AccountingStoragePass": "s3cret"}, "AccountingStoragePass", ["slurmdbd_db_password"]),
    ({"JobCompPass": "s3cret"}, "JobCompPass", ["JobCompPassScript"]),
    ({"AccountingStoragePass": "s3cret", "JobCompPass": "x"}, "AccountingStoragePass and JobCompPass",
     ["slurmdbd_db_password", "JobCompPassScript"]),
])
def test_passwords_in_slurm_conf_are_refused_without_the_password(keys, named, hints):
    (message,) = check(dict(GOOD, **keys))
    assert message.startswith("slurm: %s in slurm.conf (slurm_config or slurm_config_group): the file is "
                              "world-readable" % named)
    assert all(hint in message for hint in hints) and "s3cret" not in message


def test_accounting_storage_pass_may_name_a_munge_socket():
    assert check(dict(GOOD, AccountingStoragePass="/var/run/munge/global.socket.2")) == []


def test_two_controllers_need_a_shared_state_directory():
    (message,) = check(controllers=["head", "head2"])
    assert "group 'control' holds 2 controllers (head, head2)" in message
    assert "StateSaveLocation /var/spool/slurmctld is not declared shared" in message
    assert "slurm_state_save_shared: true" in message
    assert check(controllers=["head", "head2"], state_save_shared=True) == []
    assert check(controllers=["head"]) == []


def test_configless_needs_enable_configless():
    (message,) = check(dict(GOOD, SlurmctldParameters="idle_on_node_suspend"), configless=True)
    assert message == ("slurm: slurm_configless is on but SlurmctldParameters is 'idle_on_node_suspend': add "
                       "enable_configless to it.")
    assert check(dict(GOOD, SlurmctldParameters="enable_configless,idle_on_node_suspend"), configless=True) == []
    assert check(configless=False) == []


def test_hosts_with_other_cluster_wide_settings_are_named():
    (message,) = check(mismatch=["host c02 sees different slurm_config"], reference="head",
                       variables=["slurm_config", "slurm_partitions"])
    assert message == ("slurm: host c02 sees different slurm_config than head (slurm_config, slurm_partitions): "
                       "slurm.conf must be the same on every node; set them on a group holding the whole cluster.")


@pytest.mark.parametrize(("host", "password_set"), [("head", False), ("", True), ("", False)])
def test_accounting_needs_a_database_password(host, password_set):
    (message,) = check(accounting=True, accounting_host=host, accounting_password_set=password_set)
    assert message.startswith("slurm: accounting is on (slurm_accounting) but slurmdbd_db_password is not set for "
                              "the accounting host '%s'." % host)
    assert check(accounting=False, accounting_host=host) == []


def test_every_problem_is_named_at_once():
    found = check(dict(GOOD, SelectTypo="x", JobCompPass="y"), controllers=["a", "b"], accounting=True,
                  mismatch=["host c02 sees different slurm_config"], reference="head", variables=["slurm_config"])
    assert [m.split(" ", 2)[1] for m in found] == ["unknown", "JobCompPass", "group", "host", "accounting"]


@pytest.mark.parametrize(("config", "cgroup", "expected"), [
    (dict(GOOD, SlurmctldParameters="enable_configless\nSlurmUser=root"), {},
     "slurm: values of slurm_config/slurm_config_group: SlurmctldParameters 'enable_configless\\nSlurmUser=root'"
     " holds a line break"),
    (dict(GOOD, StateSaveLocation=""), {}, "StateSaveLocation '' is empty (null removes a key)"),
    (GOOD, {"CgroupPlugin": "cgroup/v2 # always"}, "slurm: values of slurm_cgroup_config: CgroupPlugin"
     " 'cgroup/v2 # always' holds '#'"),
    (dict(GOOD, ClusterName="my cluster"), {}, "slurm: ClusterName 'my cluster' holds whitespace"),
])
def test_values_slurm_cannot_read_are_named(config, cgroup, expected):
    (message,) = check(config, cgroup=cgroup)
    assert expected in message, message


def test_a_secret_value_is_not_shown():
    (message, _secret) = check(dict(GOOD, AccountingStoragePass="pass#word"))
    assert "AccountingStoragePass (value not shown) holds '#'" in message
    assert "pass#word" not in message


def test_whitespace_alone_is_fine():
    assert check(dict(GOOD, SlurmctldParameters="enable_configless"), cgroup={"CgroupPlugin": "a b"}) == []


def test_cgroup_values_of_another_kind_are_named():
    (message,) = check(cgroup={"ConstrainCores": "maybe", "ConstrainDevices": True, "ConstrainRAMSpace": "YES",
                               "AllowedRAMSpace": "98.5", "MaxRAMPercent": "most", "MinRAMSpace": "30MB",
                               "MemorySwappiness": 0, "SystemdTimeout": 1000})
    assert message == ("slurm: slurm_cgroup_config: ConstrainCores 'maybe' is not yes or no; MaxRAMPercent 'most' "
                       "is not a number; MinRAMSpace '30MB' is not a whole number. slurmd would not read cgroup.conf "
                       "and would stop on every node at its next restart.")


SELECT_KNOWN = KNOWN + ["SelectType", "SelectTypeParameters"]


@pytest.mark.parametrize(("select", "params", "expected"), [
    # slurmctld 22.05 on the lab: "fatal: Invalid SelectTypeParameters for select/linear: CR_CORE_MEMORY (20),
    # it can't contain CR_(CPU|CORE|SOCKET)." - the role's default parameters with select/linear alone.
    ("select/linear", "CR_Core_Memory",
     "slurm: SelectType select/linear allocates whole nodes and refuses SelectTypeParameters CR_Core_Memory "
     "(CR_Core_Memory): slurmctld would stop at its start. Set SelectTypeParameters to CR_Memory, or null"),
    ("Select/Linear", "cr_cpu,CR_ONE_TASK_PER_CORE",
     "refuses SelectTypeParameters cr_cpu,CR_ONE_TASK_PER_CORE (cr_cpu)"),
    ("select/linear", "CR_Memory", ""),
    ("select/linear", None, ""),
    ("select/cons_tres", "CR_Memory",
     "slurm: SelectType select/cons_tres needs CR_CPU, CR_Core or CR_Socket (alone or with _Memory) in "
     "SelectTypeParameters, which is CR_Memory: slurmctld would stop at its start."),
    ("select/cons_res", "CR_ONE_TASK_PER_CORE", "SelectType select/cons_res needs CR_CPU"),
    ("select/cons_tres", "CR_Socket_Memory,CR_LLN", ""),
    ("select/cons_tres", "CR_CPU", ""),
    ("select/cons_tres", None, ""),  # unset: the plugin's default, CR_Core_Memory
    (None, "CR_Memory", ""),  # no SelectType (the role sets one): not judged
])
def test_select_type_parameters_the_plugin_refuses_are_named(select, params, expected):
    config = dict(GOOD, SelectType=select, SelectTypeParameters=params)
    config = {key: value for key, value in config.items() if value is not None}
    found = problems(config, known_keys=SELECT_KNOWN, known_cgroup_keys=CGROUP)
    if expected:
        assert len(found) == 1 and expected in found[0], found
    else:
        assert found == []


@pytest.mark.parametrize("config, expected", [
    ({"SlurmUser": "slurm"}, []),
    ({}, []),
    ({"SlurmUser": "nobody"}, ["slurm: SlurmUser 'nobody' in slurm_config/slurm_config_group is not slurm_user "
                               "'slurm', the account the role makes"]),
])
def test_a_slurm_user_other_than_the_roles_account_is_refused(config, expected):
    """slurmctld took SlurmUser=nobody at the reconfigure and stopped at its next restart (lab)."""
    found = problems(config, known_keys=["SlurmUser"], known_cgroup_keys=[], slurm_user="slurm")
    assert [problem[:len(text)] for problem, text in zip(found, expected)] == expected
    assert len(found) == len(expected)


@pytest.mark.parametrize("cluster, accounting_cluster, accounting, refused", [
    ("lab", "lab", True, False),
    ("Lab", "lab", True, False),
    ("lab", "", True, False),
    ("lab", "other", False, False),
    ("lab", "other", True, True),
])
def test_a_cluster_name_other_than_the_accounting_databases_is_refused(cluster, accounting_cluster, accounting,
                                                                       refused):
    found = check({"ClusterName": cluster}, accounting=accounting, accounting_host="head",
                  accounting_password_set=True, accounting_cluster=accounting_cluster)
    expected = ["slurm: ClusterName 'lab' is not the cluster role slurmdbd declares in the accounting database, "
                "'other' (slurmdbd_cluster_name)"] if refused else []
    assert [problem[:len(text)] for problem, text in zip(found, expected)] == expected
    assert len(found) == len(expected)
