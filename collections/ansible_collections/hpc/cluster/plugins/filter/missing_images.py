# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: missing_images
short_description: The users whose container storage lacks an image, from one read's answers
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the result of M(hpc.cluster.podman_images), which answered for each (user, image) pair
    whether that user's container storage has the image, and returns the pairs it lacks.
  - Returns C(none) when the result does not answer every pair asked, once each, with true or false,
    that is when the read did not run (skipped, or an empty result), failed, left a pair out, or Podman
    could not answer for a pair (for example, it could not open a storage). Role podman then asks
    again, or fails, instead of loading from a partial answer.
options:
  _input:
    description: The registered result of M(hpc.cluster.podman_images), or an empty mapping.
    type: dict
    required: true
  pairs:
    description: The pairs asked, flat (user, image, user, image, ...), as the read took them.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Load the images the users lack
  ansible.builtin.command:
    argv: [runuser, -u, "{{ item[0] }}", --, podman, load, --input, "/srv/images/{{ item[1] }}.tar"]
  loop: "{{ __read | hpc.cluster.missing_images(['alice', 'localhost/tools', 'bob', 'localhost/tools']) }}"
"""

RETURN = r"""
_value:
  description: "[user, image] of each pair the storage lacks, sorted; C(none) when the answers are not complete."
  type: list
  elements: list
"""

from ansible.errors import AnsibleFilterError


def missing_images(result, pairs):
    """podman_images result + flat pairs -> sorted [user, image] lacking, or None; see DOCUMENTATION."""
    if len(pairs) % 2:
        raise AnsibleFilterError("missing_images: pairs must be flat (user, image) pairs, got %d values" % len(pairs))
    asked = list(zip(pairs[0::2], pairs[1::2]))
    result = result or {}
    if result.get("skipped") or result.get("failed") or not isinstance(result.get("images"), list):
        return None
    answers = {}
    for entry in result["images"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("present"), bool):
            return None
        answers[(entry.get("user"), entry.get("image"))] = entry["present"]
    if set(answers) != set(asked) or len(result["images"]) != len(asked):
        return None
    return [[user, image] for user, image in sorted(answers) if not answers[(user, image)]]


class FilterModule:
    """Container images from a storage read."""

    def filters(self):
        return {"missing_images": missing_images}
