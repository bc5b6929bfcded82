# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""subid_ranges: cluster users -> stable, non-overlapping subordinate ID ranges; from tables."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.subid_ranges import FilterModule, subid_ranges

ALICE = {"name": "alice", "uid": 2001}
BOB = {"name": "bob", "uid": "2002"}

CASES = [
    # (id, users, options, expected [(name, start, count)])
    ("defaults", [ALICE], {}, [("alice", 1048576 + 1001 * 65536, 65536)]),
    ("quoted-uid", [BOB], {}, [("bob", 1048576 + 1002 * 65536, 65536)]),
    ("sorted-by-uid", [BOB, ALICE], {}, [("alice", 66650112, 65536), ("bob", 66715648, 65536)]),
    ("uid-base-first-slot", [{"name": "u", "uid": 1000}], {}, [("u", 1048576, 65536)]),
    ("own-layout", [ALICE], {"start": 200000, "count": 1000, "uid_base": 2000}, [("alice", 201000, 1000)]),
    ("last-id-that-fits", [{"name": "u", "uid": 1000}], {"start": 4294967295 - 65536, "count": 65536},
     [("u", 4294901759, 65536)]),
    ("none", [], {}, []),
]


@pytest.mark.parametrize(("users", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_ranges(users, options, expected):
    ranges = subid_ranges(users, **options)
    assert [(r["name"], r["start"], r["count"]) for r in ranges] == expected


def test_stable_whatever_the_other_users():
    """A user's range depends on the user's UID only: adding users never moves it."""
    alone = subid_ranges([ALICE])[0]
    crowded = subid_ranges([BOB, {"name": "carol", "uid": 1500}, ALICE, {"name": "dave", "uid": 9000}])
    assert [r for r in crowded if r["name"] == "alice"] == [alone]
    spans = sorted((r["start"], r["start"] + r["count"]) for r in crowded)
    assert all(a_end <= b_start for (_a, a_end), (b_start, _b) in zip(spans, spans[1:]))


ERRORS = [
    # (id, users, options, texts expected in the message)
    ("uid-below-base", [{"name": "svc", "uid": 999}], {}, ["user svc: uid 999 is below uid_base 1000"]),
    ("shared-uid", [ALICE, {"name": "alice2", "uid": 2001}], {}, ["users alice and alice2 share uid 2001"]),
    ("beyond-32-bit", [{"name": "ldap", "uid": 70000}], {}, ["user ldap: range", "ends above 4294967294"]),
    ("overlaps-real-uids", [{"name": "low", "uid": 1000}, {"name": "high", "uid": 5000}], {"start": 500, "count": 10},
     ["user low: range 500-509 overlaps the real UIDs of the users (0-5000)"]),
    ("reserved", [ALICE], {"reserved": [{"name": "ipa", "start": 66650112 + 100, "count": 10}]},
     ["user alice: range 66650112-66715647 overlaps the reserved range ipa (66650212-66650221)"]),
    ("several-at-once", [{"name": "svc", "uid": 10}, ALICE],
     {"reserved": [{"start": 66650112, "count": 1}]},
     ["user svc: uid 10", "user alice: range", "reserved (66650112-66650112)"]),
    ("context", [{"name": "svc", "uid": 10}], {"context": "c01"}, ["c01: subordinate ID ranges refused"]),
]


@pytest.mark.parametrize(("users", "options", "texts"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_refused(users, options, texts):
    with pytest.raises(AnsibleFilterError) as error:
        subid_ranges(users, **options)
    for text in texts:
        assert text in str(error.value)


def test_reserved_next_to_a_range_is_accepted():
    first = 1048576 + 1001 * 65536
    reserved = [{"start": first - 10, "count": 10}, {"start": first + 65536, "count": 5}]
    assert subid_ranges([ALICE], reserved=reserved)[0]["start"] == first


@pytest.mark.parametrize("bad", [{"uid": 2001}, "alice", {"name": "x", "uid": "two"}])
def test_malformed_users(bad):
    with pytest.raises(AnsibleFilterError):
        subid_ranges([bad])


def test_registered():
    assert FilterModule().filters()["subid_ranges"] is subid_ranges
