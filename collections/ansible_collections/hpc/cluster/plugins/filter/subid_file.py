# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: subid_file
short_description: The content of /etc/subuid or /etc/subgid with the cluster users' ranges
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the current text of a node's C(/etc/subuid) (or C(/etc/subgid)) and the ranges of
    P(hpc.cluster.subid_ranges#filter), and returns the new text. Every line of a cluster user (by
    name or by UID) is replaced by that user's range; the ranges come last, in UID order. Every other
    line (comments, other users, for example the ranges C(useradd) gave local accounts) is kept
    where it is.
  - A kept entry whose range overlaps a cluster user's range is refused, naming the entry and the
    user, so that two accounts never share subordinate IDs. The same text in gives the same text
    out, so a second run changes nothing.
options:
  _input:
    description: Current content of the file (empty when it does not exist).
    type: str
    required: true
  ranges:
    description: The users' ranges, from P(hpc.cluster.subid_ranges#filter).
    type: list
    elements: dict
    required: true
  context:
    description: Put before the error message, to name the host and the file.
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Read /etc/subuid
  ansible.builtin.slurp:
    src: /etc/subuid
  register: __subuid

- name: Write it with the cluster users' ranges
  ansible.builtin.copy:
    content: >-
      {{ __subuid.content | b64decode
         | hpc.cluster.subid_file(__ranges, context=inventory_hostname ~ ' /etc/subuid') }}
    dest: /etc/subuid
    owner: root
    group: root
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The new content, one C(name:start:count) line per entry, ending with a newline.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.module_utils.subids import SubidError, merged_text


def subid_file(text, ranges, context=""):
    """Current file text + ranges -> new file text; see DOCUMENTATION."""
    try:
        return merged_text(text, ranges)
    except SubidError as exc:
        raise AnsibleFilterError("%s%s" % ("%s: " % context if context else "", exc)) from None


class FilterModule:
    """/etc/subuid and /etc/subgid content."""

    def filters(self):
        return {"subid_file": subid_file}
