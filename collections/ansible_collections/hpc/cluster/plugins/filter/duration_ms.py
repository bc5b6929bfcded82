# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: duration_ms
short_description: The milliseconds of a duration as Prometheus and Alertmanager read it
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - C(15s) -> 15000, C(1h30m) -> 5400000, C(0) -> 0, to compare two settings (a scrape timeout with its
    interval).
  - Fails for what Prometheus would refuse; check the settings with P(hpc.cluster.bad_durations#filter)
    first.
options:
  _input:
    description: The duration.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Refuse a scrape timeout longer than the interval
  ansible.builtin.assert:
    that: >-
      (prometheus_scrape_timeout | hpc.cluster.duration_ms)
      <= (prometheus_scrape_interval | hpc.cluster.duration_ms)
"""

RETURN = r"""
_value:
  description: The milliseconds.
  type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils import durations


def duration_ms(value):
    milliseconds = durations.duration_ms(value)
    if milliseconds is None:
        raise AnsibleFilterError("duration_ms: %r is not a duration Prometheus takes (15s, 1h30m, 15d)" % (value,))
    return milliseconds


class FilterModule:
    def filters(self):
        return {"duration_ms": duration_ms}
