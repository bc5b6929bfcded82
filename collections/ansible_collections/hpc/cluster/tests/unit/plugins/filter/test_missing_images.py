# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""missing_images: a podman_images read's answers -> the (user, image) pairs to load, or none."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.missing_images import FilterModule, missing_images

PAIRS = ["alice", "localhost/a", "alice", "localhost/b", "bob", "localhost/a"]


def read(*answers, **more):
    """A podman_images result; each answer is (user, image, present)."""
    return dict({"changed": False, "images": [
        {"user": user, "image": image, "present": present, "source": "storage"} for user, image, present in answers]},
        **more)


CASES = [
    # (id, read result, expected)
    ("all-present", read(("alice", "localhost/a", True), ("alice", "localhost/b", True), ("bob", "localhost/a", True)),
     []),
    ("some-missing", read(("alice", "localhost/a", True), ("alice", "localhost/b", False),
                          ("bob", "localhost/a", False)),
     [["alice", "localhost/b"], ["bob", "localhost/a"]]),
    ("any-order", read(("bob", "localhost/a", False), ("alice", "localhost/b", True), ("alice", "localhost/a", True)),
     [["bob", "localhost/a"]]),
    ("not-run", {}, None),
    ("skipped", {"skipped": True, "changed": False}, None),
    ("failed", read(("alice", "localhost/a", False), ("alice", "localhost/b", False), ("bob", "localhost/a", False),
                    failed=True), None),
    ("pair-left-out", read(("alice", "localhost/a", True), ("alice", "localhost/b", True)), None),
    ("pair-not-asked", read(("alice", "localhost/a", True), ("alice", "localhost/b", True),
                            ("carol", "localhost/a", True)), None),
    ("pair-twice", read(("alice", "localhost/a", True), ("alice", "localhost/b", True), ("bob", "localhost/a", True),
                        ("bob", "localhost/a", True)), None),
    # podman could not open the storage: no answer for that pair.
    ("no-answer", read(("alice", "localhost/a", True), ("alice", "localhost/b", None), ("bob", "localhost/a", True)),
     None),
    ("not-a-list", {"images": "alice"}, None),
]


@pytest.mark.parametrize("result, expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_missing_images(result, expected):
    assert missing_images(result, PAIRS) == expected


def test_no_pairs_and_no_answers_is_an_answer():
    assert missing_images(read(), []) == []


def test_pairs_must_be_flat_pairs():
    with pytest.raises(AnsibleFilterError, match="3 values"):
        missing_images(read(), ["alice", "localhost/a", "bob"])


def test_filter_is_registered():
    assert FilterModule().filters()["missing_images"] is missing_images
