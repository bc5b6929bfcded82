# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bad_durations
short_description: The settings whose values are not durations as Prometheus and Alertmanager read them
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes settings by name and returns one sentence per setting whose value Prometheus or Alertmanager
    would refuse as a duration (a number and a unit, units from largest to smallest, each at most once,
    no spaces; C(15s), C(1h30m), C(15d); at most C(292y), Go's longest duration), in the order given. An
    empty list when all are durations.
  - A zero duration (C(0s), C(0)) is refused too unless O(zero) is true.
options:
  _input:
    description: Setting name -> value.
    type: dict
    required: true
  zero:
    description: Whether a zero duration is one (Alertmanager's C(group_wait) may be zero, its C(group_interval) not).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Refuse what is not a duration
  ansible.builtin.assert:
    that: bad | length == 0
    fail_msg: "{{ bad | join('; ') }}"
  vars:
    bad: "{{ {'prometheus_scrape_interval': prometheus_scrape_interval} | hpc.cluster.bad_durations }}"
  # prometheus_scrape_interval: 15 seconds
  # => ["prometheus_scrape_interval '15 seconds' is not a duration"]
"""

RETURN = r"""
_value:
  description: One sentence per culprit, naming the setting and its value.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.durations import duration_ms, written_ms


def bad_durations(settings, zero=False):
    if not isinstance(settings, Mapping):
        raise AnsibleFilterError("bad_durations: expected setting names and values, got %s" % type(settings).__name__)
    if not isinstance(zero, bool):
        raise AnsibleFilterError("bad_durations: zero must be true or false, not %r" % (zero,))
    bad = []
    for name, value in settings.items():
        milliseconds = duration_ms(value)
        if milliseconds is None and written_ms(value) is not None:
            bad.append("%s '%s' is longer than Prometheus and Alertmanager can hold (292y at most)" % (name, value))
        elif milliseconds is None:
            bad.append("%s '%s' is not a duration" % (name, value))
        elif milliseconds == 0 and not zero:
            bad.append("%s '%s' must not be zero" % (name, value))
    return bad


class FilterModule:
    def filters(self):
        return {"bad_durations": bad_durations}
