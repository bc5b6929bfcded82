# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""limits_problems: limits pam_limits would skip, lower or not set are named."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.limits_problems import FilterModule

problems = FilterModule().filters()["limits_problems"]

DEFAULTS = {"*": {"memlock": {"soft": "unlimited", "hard": "unlimited"}, "nofile": {"soft": 65536, "hard": 65536}}}


def test_the_role_defaults_and_common_limits_are_fine():
    assert problems(DEFAULTS) == []
    assert problems({"@hpc": {"nproc": {"soft": "4096", "hard": "unlimited"}, "stack": {"-": "unlimited"},
                              "nice": {"soft": -5, "hard": -10}, "core": {"soft": 0, "hard": "infinity"},
                              "nonewprivs": {"-": 1}, "nofile": {"soft": 1048576, "hard": 1048576}},
                     "bob": None, "alice": {"nofile": None}}) == []


@pytest.mark.parametrize(("limits", "expected"), [
    ({"*": {"nofile": {"soft": 65536, "hard": 1024}}},
     "limits * nofile: soft 65536 is above hard 1024 (pam_limits would lower it to the hard limit)"),
    ({"*": {"nofile": {"soft": "unlimited", "hard": "unlimited"}}},
     "limits * nofile: hard unlimited is above fs.nr_open (1048576), the most open files a process may have, and"
     " nofile cannot be unlimited: pam_limits cannot set it: it logs 'Could not set limit' and the users keep a"
     " lower default"),
    ({"*": {"nofile": {"-": 2000000}}}, "limits * nofile: hard 2000000 is above fs.nr_open (1048576)"),
    ({"*": {"memlock": {"soft": "unlimited", "hard": 64}}}, "limits * memlock: soft unlimited is above hard 64"),
    ({"*": {"nproc": {"soft": "lots"}}}, "limits * nproc: soft 'lots' is not a number or unlimited"),
    ({"*": {"nproc": {"max": 10}}}, "limits * nproc: type max is not soft, hard or -"),
    # A typo: pam_limits logs "unknown limit item" and skips the line (lab: nofiles written, users kept 1024).
    ({"*": {"nofiles": {"soft": 1, "hard": 10}}},
     "limits * nofiles: pam_limits knows no item 'nofiles' and would skip the line (did you mean nofile?)"),
    ({"@hpc": {"NOFILE": {"-": 4096}}}, "limits @hpc NOFILE: pam_limits knows no item 'NOFILE'"),
    ({"*": {"bandwidth": {"-": 4096}}}, "limits * bandwidth: pam_limits knows no item 'bandwidth' and would skip the "
                                        "line; its items: as, chroot, core,"),
    ({"*": "nofile 4096"}, "limits for a domain must be {item: {soft: value, hard: value}}; not so for *: nofile 4096"),
])
def test_limits_pam_cannot_set_are_named(limits, expected):
    found = problems(limits)
    assert len(found) >= 1 and any(text.startswith(expected) for text in found), found


def test_nr_open_raised_allows_more_open_files():
    assert problems({"*": {"nofile": {"soft": 2000000, "hard": 2000000}}}, nr_open=4194304) == []


def test_every_problem_is_named():
    found = problems({"*": {"nofile": {"soft": 10, "hard": 5}}, "@a": {"nproc": {"soft": "x"}}, "b": [1]})
    assert [text.split(":")[0] for text in found] == ["limits for a domain must be {item", "limits * nofile",
                                                       "limits @a nproc"]


def test_limits_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="must be a dictionary, got list"):
        problems([])
