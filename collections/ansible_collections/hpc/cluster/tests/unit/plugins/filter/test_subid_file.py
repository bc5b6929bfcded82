# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""subid_file: a node's /etc/subuid text + the cluster ranges -> the new text; from tables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.subid_file import FilterModule, subid_file
from ansible_collections.hpc.cluster.plugins.filter.subid_ranges import subid_ranges

RANGES = subid_ranges([{"name": "alice", "uid": 2001}, {"name": "bob", "uid": 2002}])
OURS = "alice:66650112:65536\nbob:66715648:65536\n"

CASES = [
    # (id, current text, expected text)
    ("empty", "", OURS),
    ("unchanged", OURS, OURS),
    # useradd's own allocation for the cluster users (different on every node) is replaced.
    ("useradd-entries-replaced", "alice:100000:65536\nbob:165536:65536\n", OURS),
    ("by-uid-replaced", "2001:100000:65536\n", OURS),
    ("others-kept-in-place", "# local\ndebian:100000:65536\nalice:165536:65536\n",
     "# local\ndebian:100000:65536\n" + OURS),
    ("no-final-newline", "debian:100000:65536", "debian:100000:65536\n" + OURS),
    ("adjacent-entry-kept", "svc:66650111:1\n", "svc:66650111:1\n" + OURS),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_content(text, expected):
    assert subid_file(text, RANGES) == expected
    # A second run on its own output changes nothing.
    assert subid_file(expected, RANGES) == expected


def test_overlap_with_another_account_refused():
    with pytest.raises(AnsibleFilterError) as error:
        subid_file("root:0:1\nintruder:66700000:100\n", RANGES, context="c01 /etc/subuid")
    message = str(error.value)
    assert message.startswith("c01 /etc/subuid: ")
    assert "line 2 'intruder:66700000:100' (66700000-66700099) overlaps the range of alice (66650112-66715647)" \
        in message
    assert "cluster_subid_start" in message


def test_no_ranges_keeps_the_file():
    assert subid_file("debian:100000:65536\n", []) == "debian:100000:65536\n"
    assert subid_file("", []) == ""


def test_malformed_range_refused():
    with pytest.raises(AnsibleFilterError):
        subid_file("", [{"name": "alice"}])


def test_registered():
    assert FilterModule().filters()["subid_file"] is subid_file
