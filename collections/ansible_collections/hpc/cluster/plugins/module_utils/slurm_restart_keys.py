# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""slurm.conf keys whose change needs a daemon restart, per Slurm release, with their source.

Everything else in slurm.conf takes effect with `scontrol reconfigure` (slurm.conf(5),
DESCRIPTION). Each release lists what its own slurm.conf(5) says needs a restart; the notes say
where (section, parameter) so the list can be checked again against the page.

Keys that always need a restart, whatever the release (node definitions, controllers, plugin
choices), are decided by the filter ``slurm_conf_changes``, not listed here.

Since 23.11 ``scontrol reconfigure`` (and SIGHUP) re-executes slurmctld and slurmd, so the
pages of 23.11 and later dropped the per-parameter "a restart is required" notes; they keep
three rules: TCP listening settings need a restart (DESCRIPTION), AuthType needs every daemon
and command stopped, SwitchType needs every daemon restarted or reconfigured.
"""

from __future__ import annotations

# Where each release's list was read.
SOURCES = {
    "22.05": "slurm.conf(5) of Slurm 22.05.8 (Debian 12 package slurm-client "
             "22.05.8-4+deb12u3), PARAMETERS and NODE CONFIGURATION",
    "23.11": "slurm.conf(5) of Slurm 23.11: the rules of 24.05 (reconfigure re-executes the "
             "daemons from 23.11 on); the 23.11 page itself was not at hand to re-read",
    "24.05": "slurm.conf(5) of Slurm 24.05.2 (DESCRIPTION: TCP listening settings need a "
             "restart), per parameter as in 24.11",
    "24.11": "slurm.conf(5) of Slurm 24.11.5 (Debian 13 package slurm-client "
             "24.11.5-4+deb13u1), DESCRIPTION and PARAMETERS",
    "25.05": "slurm.conf(5) of Slurm 25.05: the rules of 24.11, which the page of 26.05 "
             "(Debian package slurm-client 26.05.5-1) still states word for word",
}

_CTLD = "a restart of slurmctld is required (PARAMETERS, %s)"
_BOTH = "a restart of slurmctld and slurmd is required (PARAMETERS, %s)"

# key -> {"why": text, "options": option names (only these sub-options count), or None (any)}
_RULES_22_05 = {
    "AccountingStorageEnforce": {"why": _CTLD % "AccountingStorageEnforce"},
    "AuthType": {"why": "every daemon and command must be stopped before a change "
                        "(PARAMETERS, AuthType)"},
    "CoreSpecPlugin": {"why": "a restart of slurmd is required (PARAMETERS, CoreSpecPlugin)"},
    "CredType": {"why": _CTLD % "CredType"},
    "GresTypes": {"why": _BOTH % "GresTypes"},
    "JobContainerType": {"why": _CTLD % "JobContainerType"},
    "MaxJobCount": {"why": _CTLD % "MaxJobCount"},
    "MaxNodeCount": {"why": _CTLD % "MaxNodeCount"},
    "PluginDir": {"why": _BOTH % "PluginDir"},
    "PowerPlugin": {"why": _CTLD % "PowerPlugin"},
    "ProctrackType": {"why": _CTLD % "ProctrackType"},
    "SchedulerParameters": {"why": _CTLD % "SchedulerParameters=no_backup_scheduling",
                            "options": ("no_backup_scheduling",)},
    "SchedulerType": {"why": _CTLD % "SchedulerType"},
    "SelectType": {"why": _BOTH % "SelectType"},
    "SelectTypeParameters": {"why": _CTLD % "SelectTypeParameters"},
    "SlurmctldHost": {"why": _CTLD % "SlurmctldHost"},
    "SlurmctldParameters": {"why": _CTLD % "SlurmctldParameters=enable_configless",
                            "options": ("enable_configless",)},
    "SlurmctldPort": {"why": _CTLD % "SlurmctldPort"},
    "SlurmdPort": {"why": _CTLD % "SlurmdPort"},
    "StateSaveLocation": {"why": _CTLD % "StateSaveLocation"},
    "SwitchType": {"why": "every daemon, command and job must be restarted (PARAMETERS, "
                          "SwitchType)"},
}

_LISTEN = "TCP listening settings need a daemon restart (DESCRIPTION; %s)"
_RULES_23_11 = {
    "AuthType": {"why": "every daemon and command must be stopped before a change "
                        "(PARAMETERS, AuthType)"},
    "CommunicationParameters": {
        "why": _LISTEN % "CommunicationParameters binding options",
        "options": ("DisableIPv4", "EnableIPv6", "NoCtldInAddrAny", "NoInAddrAny")},
    "SlurmctldPort": {"why": _LISTEN % "SlurmctldPort"},
    "SlurmdPort": {"why": _LISTEN % "SlurmdPort"},
    "SwitchType": {"why": "every daemon, command and job must be restarted or reconfigured "
                          "(PARAMETERS, SwitchType)"},
}

# Release -> rules. A running version uses the newest release at or below it; a version
# older than all of them, or unknown, uses the oldest (the most keys).
RESTART_KEYS = {
    "22.05": _RULES_22_05,
    "23.11": _RULES_23_11,
    "24.05": _RULES_23_11,
    "24.11": _RULES_23_11,
    "25.05": _RULES_23_11,
}
