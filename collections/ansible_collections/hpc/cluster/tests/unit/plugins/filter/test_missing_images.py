# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""missing_images: a storage probe's answers -> the (user, image) pairs to load, or none."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.missing_images import FilterModule, missing_images

PAIRS = ["alice", "localhost/a", "alice", "localhost/b", "bob", "localhost/a"]


def probe(*lines, rc=0):
    return {"rc": rc, "stdout_lines": list(lines)}


CASES = [
    # (id, probe result, expected)
    ("all-present", probe("0\talice\tlocalhost/a", "0\talice\tlocalhost/b", "0\tbob\tlocalhost/a"), []),
    ("some-missing", probe("0\talice\tlocalhost/a", "1\talice\tlocalhost/b", "1\tbob\tlocalhost/a"),
     [["alice", "localhost/b"], ["bob", "localhost/a"]]),
    ("any-order", probe("1\tbob\tlocalhost/a", "0\talice\tlocalhost/b", "0\talice\tlocalhost/a"),
     [["bob", "localhost/a"]]),
    ("not-run", {}, None),
    ("skipped", {"skipped": True, "changed": False}, None),
    ("failed", dict(probe("1\talice\tlocalhost/a", "1\talice\tlocalhost/b", "1\tbob\tlocalhost/a"), failed=True),
     None),
    ("command-rc", probe("1\talice\tlocalhost/a", "1\talice\tlocalhost/b", "1\tbob\tlocalhost/a", rc=1), None),
    ("pair-left-out", probe("0\talice\tlocalhost/a", "0\talice\tlocalhost/b"), None),
    ("pair-not-asked", probe("0\talice\tlocalhost/a", "0\talice\tlocalhost/b", "0\tcarol\tlocalhost/a"), None),
    ("pair-twice", probe("0\talice\tlocalhost/a", "0\talice\tlocalhost/b", "0\tbob\tlocalhost/a",
                         "0\tbob\tlocalhost/a"), None),
    # podman could not open the storage (125), or the line is cut.
    ("other-exit-code", probe("0\talice\tlocalhost/a", "125\talice\tlocalhost/b", "0\tbob\tlocalhost/a"), None),
    ("short-line", probe("0\talice\tlocalhost/a", "0\talice", "0\tbob\tlocalhost/a"), None),
]


@pytest.mark.parametrize("result, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_missing_images(result, expected):
    assert missing_images(result, PAIRS) == expected


def test_no_pairs_and_no_lines_is_an_answer():
    assert missing_images(probe(), []) == []


def test_pairs_must_be_flat_pairs():
    with pytest.raises(AnsibleFilterError, match="3 values"):
        missing_images(probe(), ["alice", "localhost/a", "bob"])


def test_filter_is_registered():
    assert FilterModule().filters()["missing_images"] is missing_images
