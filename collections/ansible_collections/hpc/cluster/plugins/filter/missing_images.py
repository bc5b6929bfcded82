# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: missing_images
short_description: The users whose container storage lacks an image, from one probe command's answers
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Takes the result of a command that asked, for each (user, image) pair, whether that user's
    container storage has the image, one line C(rc<TAB>user<TAB>image) per pair (C(rc) 0 when it
    has it, 1 when not), and returns the pairs whose answer is 1.
  - Returns C(none) when the result does not answer every pair, and only those, with 0 or 1, that is when
    the command did not run (skipped, or an empty result), failed, left a pair out, or a lookup failed
    in another way (for example, podman could not open a storage). Role podman then asks again, or
    fails, instead of loading from a partial answer.
options:
  _input:
    description: The command's registered result (C(rc), C(stdout_lines)), or an empty mapping.
    type: dict
    required: true
  pairs:
    description: The pairs asked, flat (user, image, user, image, ...), as the command took them.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Load the images the users lack
  ansible.builtin.command:
    argv: [runuser, -u, "{{ item[0] }}", --, podman, load, --input, "/srv/images/{{ item[1] }}.tar"]
  loop: "{{ __probe | hpc.cluster.missing_images(['alice', 'localhost/tools', 'bob', 'localhost/tools']) }}"
"""

RETURN = r"""
_value:
  description: "[user, image] of each pair answered 1, sorted; C(none) when the answers are not complete."
  type: list
  elements: list
"""

from ansible.errors import AnsibleFilterError


def missing_images(result, pairs):
    """Probe result + flat pairs -> sorted [user, image] lacking, or None; see DOCUMENTATION."""
    if len(pairs) % 2:
        raise AnsibleFilterError("missing_images: pairs must be flat (user, image) pairs, got %d values" % len(pairs))
    asked = list(zip(pairs[0::2], pairs[1::2]))
    result = result or {}
    if result.get("skipped") or result.get("failed") or result.get("rc") != 0:
        return None
    answers = {}
    for line in result.get("stdout_lines") or []:
        fields = line.split("\t")
        if len(fields) != 3 or fields[0] not in ("0", "1"):
            return None
        answers[(fields[1], fields[2])] = fields[0]
    if set(answers) != set(asked) or len(result["stdout_lines"]) != len(asked):
        return None
    return [[user, image] for user, image in sorted(answers) if answers[(user, image)] == "1"]


class FilterModule:
    """Container images from a storage probe."""

    def filters(self):
        return {"missing_images": missing_images}
