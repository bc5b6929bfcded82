# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: configless_slurmd_restart
short_description: Why a configless compute node's slurmd must restart, or nothing
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - A configless slurmd keeps the slurm.conf it fetched from slurmctld in its spool directory
    (C(conf-cache/slurm.conf)); slurmctld sends a new one at C(scontrol reconfigure), not when it
    restarts. So a slurmd that missed a restart-class change (a run stopped between slurmctld's
    restart and slurmd's, or a run limited to the controllers) runs on with the old file, and no
    later run sees a file change on that node.
  - Returns why slurmd must restart, else an empty string. It must when slurmctld restarted for a
    slurm.conf change in this run (O(controller_change)), or when the file slurmd runs with is not
    the one slurmctld ran with before this run (the text O(controller_previous) that this run
    replaced, else the controller's file at the preflight, O(controller_sha256)). A restart fetches
    the one slurmctld has now.
  - A missing cache or an unknown controller file decides nothing.
options:
  _input:
    description: SHA-256 of the node's C(conf-cache/slurm.conf) at the preflight; empty when missing.
    type: str
    required: true
  controller_sha256:
    description: SHA-256 of the primary controller's slurm.conf at the preflight; empty when missing.
    type: str
    required: true
  controller_previous:
    description: The slurm.conf text the controller's write replaced in this run; null when it did not change it.
    type: str
  controller_change:
    description:
      - What the controller's handler decided for slurm.conf in this run (C(changed), C(restart)), as
        P(hpc.cluster.slurm_conf_changes#filter) returns it; null when it decided nothing.
    type: dict
"""

EXAMPLES = r"""
- name: Restart slurmd where it runs with another slurm.conf than slurmctld (configless)
  ansible.builtin.debug:
    msg: "{{ reason }}"
  changed_when: true
  notify: slurmd restart
  when: reason | length > 0
  vars:
    reason: >-
      {{ cache.stat.checksum | default('') | hpc.cluster.configless_slurmd_restart(controller.conf_sha256) }}
"""

RETURN = r"""
_value:
  description: Why slurmd must restart, one sentence; empty when it need not.
  type: str
"""

import hashlib
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes


def configless_slurmd_restart(cache_sha256, controller_sha256, controller_previous=None, controller_change=None):
    for name, value in (("the cache's digest", cache_sha256), ("controller_sha256", controller_sha256)):
        if value is not None and not isinstance(value, str):
            raise AnsibleFilterError("configless_slurmd_restart: %s must be a string, got %r" % (name, value))
    # Another type would be hashed as its repr: a digest no file has, and every configless slurmd restarted.
    if controller_previous is not None and not isinstance(controller_previous, str):
        raise AnsibleFilterError("configless_slurmd_restart: controller_previous must be the text of slurm.conf, "
                                 "got %s" % type(controller_previous).__name__)
    if controller_change is not None and not isinstance(controller_change, Mapping):
        raise AnsibleFilterError("configless_slurmd_restart: controller_change must be a mapping, got %r"
                                 % (controller_change,))
    change = controller_change or {}
    if change.get("restart"):
        changed = ", ".join(change.get("changed") or ["slurm.conf"])
        return "slurmctld restarted for %s: slurmd restarts after it" % changed
    if controller_previous is not None:
        controller_sha256 = hashlib.sha256(to_bytes(controller_previous, errors="surrogate_or_strict")).hexdigest()
    if cache_sha256 and controller_sha256 and cache_sha256 != controller_sha256:
        return ("slurmd runs with a slurm.conf that slurmctld no longer has (its conf-cache differs from the "
                "controller's file; a restart of slurmctld, unlike a reconfigure, sends none): slurmd restarts "
                "and fetches the current one")
    return ""


class FilterModule:
    def filters(self):
        return {"configless_slurmd_restart": configless_slurmd_restart}
