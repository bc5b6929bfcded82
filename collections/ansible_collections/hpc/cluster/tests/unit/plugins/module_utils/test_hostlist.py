# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostlist expand/compress against Slurm's rules, from tables."""

from __future__ import annotations

import random
import re

import hostlist as python_hostlist
import pytest

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
    expand,
)

EXPAND = [
    ("c1", ["c1"]),
    ("", []),
    ("   ", []),
    ("n[1-3]", ["n1", "n2", "n3"]),
    # Padding width comes from the lower bound (Slurm), also when the upper is shorter.
    ("n[009-11]", ["n009", "n010", "n011"]),
    ("n[9-11]", ["n9", "n10", "n11"]),
    ("n[9-011]", ["n9", "n10", "n11"]),
    ("n[01-02,5]", ["n01", "n02", "n5"]),
    ("n[0-1]", ["n0", "n1"]),
    ("pre[7]", ["pre7"]),
    ("rack[1-2]-n[01-02]", ["rack1-n01", "rack1-n02", "rack2-n01", "rack2-n02"]),
    ("a[1-2]b[1-2]c[1]", ["a1b1c1", "a1b2c1", "a2b1c1", "a2b2c1"]),
    ("a,b, c ", ["a", "b", "c"]),
    ("login1,c[1-2]", ["login1", "c1", "c2"]),
    # Repeated names appear once, first position wins.
    ("c[1-2],c1", ["c1", "c2"]),
    ("c2,c[1-3]", ["c2", "c1", "c3"]),
    ("n[1-3,2-4]", ["n1", "n2", "n3", "n4"]),
    ("n[1-11][1-1]", ["n11", "n21", "n31", "n41", "n51", "n61", "n71", "n81", "n91", "n101", "n111"]),
    ("n[1,11][1,11]", ["n11", "n111", "n1111"]),
    ("x%d[1-2]", ["x%d1", "x%d2"]),
    ("[1-2]", ["1", "2"]),
    ("node-a.example[1-2]", ["node-a.example1", "node-a.example2"]),
]

# Inventories name BMC and InfiniBand interfaces with text after the last bracket; both
# hostlist libraries expand it, so expand does too unless slurm=True.
EXPAND_LIBERAL = [
    ("c[001-003]-ipmi", ["c001-ipmi", "c002-ipmi", "c003-ipmi"]),
    ("n[1-3]-ib", ["n1-ib", "n2-ib", "n3-ib"]),
    ("n[1-2]x,c1", ["n1x", "n2x", "c1"]),
    ("rack[1-2]-n[01-02]-ib", ["rack1-n01-ib", "rack1-n02-ib", "rack2-n01-ib", "rack2-n02-ib"]),
    ("n[1-2]-ib,n1-ib,c[1-2]", ["n1-ib", "n2-ib", "c1", "c2"]),
    ("n[1,11]1", ["n11", "n111"]),
    ("n[1-2]%d", ["n1%d", "n2%d"]),
]

# Refused with slurm=True only: Slurm refuses text after the last bracket.
SLURM_ERRORS = [
    ("n[1-3]-ib", "text '-ib' after the last bracket in 'n[1-3]-ib': Slurm refuses it"),
    ("n[1-2]x,c1", "text 'x' after the last bracket in 'n[1-2]x'"),
    ("c1,rack[1-2]-n[1-2]-ib", "text '-ib' after the last bracket in 'rack[1-2]-n[1-2]-ib'"),
]

# Text after the last bracket is checked like the rest.
LIBERAL_ERRORS = [
    ("n[5-1]-ib", "reversed range '5-1' in 'n[5-1]-ib'"),
    ("n[1-2]-ib]", "unbalanced or nested brackets"),
    ("n[1-2]-i b", "whitespace inside item 'n[1-2]-i b'"),
    ("n[a]-ib", "non-numeric range 'a' in 'n[a]-ib'"),
]

# Refused in both modes.
EXPAND_ERRORS = [
    ("n[1-2", "unbalanced or nested brackets in 'n[1-2' (character 2 of the hostlist)"),
    ("c1,n[1-2", "unbalanced or nested brackets in 'n[1-2' (character 5 of the hostlist)"),
    ("n1-2]", "unbalanced or nested brackets in 'n1-2]' (character 5 of the hostlist)"),
    ("n[1[2]]", "unbalanced or nested brackets"),
    ("n[[1]]", "unbalanced or nested brackets"),
    ("n[5-1]", "reversed range '5-1' in 'n[5-1]'"),
    ("n[a-c]", "non-numeric range 'a-c' in 'n[a-c]'"),
    ("n[1-b]", "non-numeric range '1-b'"),
    ("n[1-]", "non-numeric range '1-'"),
    ("n[-1]", "non-numeric range '-1'"),
    ("n[1-3-5]", "non-numeric range '1-3-5'"),
    ("n[\u00b2]", "non-numeric range '\u00b2'"),
    ("n[]", "empty brackets in 'n[]'"),
    ("n[1,,2]", "empty range in '[1,,2]' of 'n[1,,2]'"),
    ("n[1,]", "empty range"),
    ("a,,b", "empty name (item 2 of 'a,,b')"),
    ("a,", "empty name (item 2 of 'a,')"),
    (",a", "empty name (item 1 of ',a')"),
    ("n[1-2],", "empty name after the last comma of 'n[1-2],'"),
    ("n[1-2],,c1", "empty name (item 2 of 'n[1-2],,c1')"),
    ("a b", "whitespace inside name 'a b'"),
    ("n[1-2] x", "whitespace inside item 'n[1-2] x'"),
    (42, "expected a hostlist string, got int"),
    (None, "expected a hostlist string, got NoneType"),
    (["c1"], "expected a hostlist string, got list"),
]

COMPRESS = [
    ([], ""),
    (["c1"], "c1"),
    (["c1", "c2", "c3"], "c[1-3]"),
    (["c3", "c1", "c2"], "c[1-3]"),
    (["c1", "c1", "c2"], "c[1-2]"),
    (["c1", "c3", "c5"], "c[1,3,5]"),
    (["c1", "c2", "c4", "c5", "c7"], "c[1-2,4-5,7]"),
    (["n009", "n010", "n011"], "n[009-011]"),
    (["n9", "n10", "n11"], "n[9-11]"),
    (["x9", "x10", "x0"], "x[0,9-10]"),
    (["n098", "n099", "n100", "n101"], "n[098-101]"),
    (["n1", "n01", "n2", "n02"], "n[1-2,01-02]"),
    # Mixed widths: a padded run reaching 099 continues with 100... (all read with width 3).
    (["n098", "n099", "n100", "n1000"], "n[098-100,1000]"),
    (["n098", "n099", "n101"], "n[098-099,101]"),
    (["n9", "n10", "n011"], "n[9-10,011]"),
    (["n08", "n09", "n10", "n11", "n7"], "n[7,08-11]"),
    (["n1", "n001", "n01"], "n[1,01,001]"),
    # Text after the number cannot be ranged (Slurm refuses n[1-2]-ib).
    (["n1-ib", "n2-ib"], "n1-ib,n2-ib"),
    (["ib-n1", "ib-n2"], "ib-n[1-2]"),
    (["rack1-n01", "rack1-n02", "rack1-n03", "rack1-n04",
      "rack2-n01", "rack2-n02", "rack2-n03", "rack2-n04"], "rack[1-2]-n[01-04]"),
    (["rack1-n01", "rack2-n01"], "rack1-n01,rack2-n01"),
    (["rack1-n01", "rack1-n02", "rack2-n01"], "rack1-n[01-02],rack2-n01"),
    (["rack1-n01", "rack1-n02", "rack2-n03", "rack2-n04"], "rack1-n[01-02],rack2-n[03-04]"),
    (["a1b1c1", "a1b1c2", "a1b2c1", "a1b2c2", "a2b1c1", "a2b1c2", "a2b2c1", "a2b2c2"], "a[1-2]b[1-2]c[1-2]"),
    (["login", "c1", "c2", "c10"], "c[1-2,10],login"),
    (["login", "login1"], "login,login1"),
    (["1", "2"], "1,2"),
    (["b", "a"], "a,b"),
    (("c1", "c2"), "c[1-2]"),
    ({"c1": {}, "c2": {}}, "c[1-2]"),
    (iter(["c2", "c1"]), "c[1-2]"),
    (["n%1", "n%2"], "n%[1-2]"),
]

COMPRESS_ERRORS = [
    ([""], "empty name (item 1)"),
    (["a", ""], "empty name (item 2)"),
    (["a", 3], "item 2 (3) is not a string"),
    (["a", None], "item 2 (None) is not a string"),
    (["x[1]"], "name 'x[1]' (item 1) contains a comma, a bracket or whitespace"),
    (["a", "b,c"], "name 'b,c' (item 2)"),
    (["a b"], "name 'a b' (item 1)"),
    (["a\n"], "(item 1) contains"),
    ("c1,c2", "got a string"),
    (None, "expected a list of names, got NoneType"),
    (42, "expected a list of names, got int"),
]


@pytest.mark.parametrize("expr, names", EXPAND, ids=[repr(c[0]) for c in EXPAND])
def test_expand(expr, names):
    assert expand(expr) == names


@pytest.mark.parametrize("slurm", [False, True])
@pytest.mark.parametrize("expr, names", EXPAND, ids=[repr(c[0]) for c in EXPAND])
def test_expand_slurm_flag_changes_nothing_slurm_accepts(expr, names, slurm):
    assert expand(expr, slurm=slurm) == names


@pytest.mark.parametrize("expr, names", EXPAND_LIBERAL, ids=[repr(c[0]) for c in EXPAND_LIBERAL])
def test_expand_text_after_the_last_bracket(expr, names):
    assert expand(expr, slurm=False) == names


@pytest.mark.parametrize("expr, message", SLURM_ERRORS, ids=[repr(c[0]) for c in SLURM_ERRORS])
def test_expand_slurm_refuses_text_after_the_last_bracket(expr, message):
    with pytest.raises(HostlistError) as caught:
        expand(expr, slurm=True)
    assert message in str(caught.value)
    with pytest.raises(HostlistError, match="Slurm refuses it"):
        expand(expr)


@pytest.mark.parametrize("expr, message", LIBERAL_ERRORS, ids=[repr(c[0]) for c in LIBERAL_ERRORS])
def test_expand_checks_items_with_text_after_the_last_bracket(expr, message):
    with pytest.raises(HostlistError) as caught:
        expand(expr, slurm=False)
    assert message in str(caught.value)


@pytest.mark.parametrize("slurm", [False, True])
@pytest.mark.parametrize("expr, message", EXPAND_ERRORS, ids=[repr(c[0]) for c in EXPAND_ERRORS])
def test_expand_errors(expr, message, slurm):
    with pytest.raises(HostlistError) as caught:
        expand(expr, slurm=slurm)
    assert message in str(caught.value)


def test_expand_keeps_repeats_on_request():
    assert expand("c[1-2],c1", unique=False) == ["c1", "c2", "c1"]
    assert expand("c1,c1", unique=False) == ["c1", "c1"]


def test_expand_too_many(monkeypatch):
    from ansible_collections.hpc.cluster.plugins.module_utils import hostlist

    monkeypatch.setattr(hostlist, "MAX_NAMES", 100)
    with pytest.raises(HostlistError, match="expands to more than 100 names"):
        expand("n[1-101]")
    assert len(expand("n[1-100]")) == 100


@pytest.mark.parametrize("names, expr", COMPRESS, ids=[str(i) for i in range(len(COMPRESS))])
def test_compress(names, expr):
    assert compress(names) == expr


@pytest.mark.parametrize("names, message", COMPRESS_ERRORS, ids=[repr(c[0]) for c in COMPRESS_ERRORS])
def test_compress_errors(names, message):
    with pytest.raises(HostlistError) as caught:
        compress(names)
    assert message in str(caught.value)


# An item Slurm accepts: text and bracket groups, ending with a bracket or with text
# that holds no bracket at all.
_SLURM_ITEM = re.compile(r"(?:[^\[\],]*\[[0-9,-]+\])+|[^\[\],]+")


def _items(expr):
    return re.findall(r"(?:[^,\[]|\[[^\]]*\])+", expr)


def _random_names(rng):
    shape = rng.choice(["padded", "natural", "mixed", "2d", "suffix", "literal"])
    count = rng.randint(1, 300)
    names = set()
    for _index in range(count):
        n = rng.randint(0, 1200)
        if shape == "padded":
            names.add("c%04d" % n)
        elif shape == "natural":
            names.add("node%d" % n)
        elif shape == "mixed":
            names.add("n%0*d" % (rng.randint(1, 4), n))
        elif shape == "2d":
            names.add("r%d-n%02d" % (rng.randint(0, 5), n % 40))
        elif shape == "suffix":
            names.add("n%d-ib" % n)
        else:
            names.add(rng.choice(["login", "ctl", "c", "gpu"]) + str(n % 7) + rng.choice(["", "a", "-x"]))
    return sorted(names)


@pytest.mark.parametrize("seed", range(60))
def test_round_trip_random(seed):
    rng = random.Random(seed)
    names = _random_names(rng)
    shuffled = names[:]
    rng.shuffle(shuffled)
    expr = compress(shuffled)
    assert sorted(expand(expr)) == names
    assert compress(expand(expr)) == expr, "compress output must be canonical"
    for item in _items(expr):
        assert _SLURM_ITEM.fullmatch(item), "Slurm would refuse %r in %r" % (item, expr)
        assert not re.search(r"\][^\[\]]*$", item) or item.endswith("]"), item


@pytest.mark.parametrize("seed", range(20))
def test_expand_matches_python_hostlist(seed):
    """python-hostlist follows Slurm's padding rules: same names for valid input.

    python-hostlist is pinned in requirements.txt: a missing library fails this file."""
    rng = random.Random(1000 + seed)
    parts = []
    for _part in range(rng.randint(1, 4)):
        lo = rng.randint(0, 200)
        hi = lo + rng.randint(0, 50)
        width = rng.randint(1, 4)
        prefix = rng.choice(["c", "gpu", "r1-n", "x"])
        parts.append("%s[%0*d-%d]" % (prefix, width, lo, hi))
    expr = ",".join(parts)
    assert expand(expr) == python_hostlist.expand_hostlist(expr)


# Hostlists from python-hostlist's documentation (expand_hostlist's and expand_part's docstrings,
# hostlist(1)) and from inventories: both libraries give the same names, in the same order.
LIBRARY_EXPAND = [
    "n[9-11],d[01-02]",
    "x[1-2]y[1-3][1-3]",
    "n[1-20]",
    "n[10-19],n[15-24]",
    "n[1-14,16,19-20]",
    "c[001-128]-ipmi",
    "c[001-004]-ib,c[001-004]",
    "rack[1-2]-n[01-04]-bmc",
    "n[009-11]",
    "n[9-011]",
    "n[01-02,5]",
    "n[0-1],pre[7],[1-2]",
    "n[1-3,2-4]",
    "n[1,11][1,11]",
    "c[1-2],c1,login1",
    "a,b,c",
    "x%d[1-2]",
    "",
]

# What python-hostlist accepts and this module refuses on purpose (Slurm would mangle it).
LIBRARY_LENIENT = [
    ("a,,b", "empty name"),
    ("a,", "empty name"),
    ("a b", "whitespace inside name"),
]

# Name sets for compression, both ways.
LIBRARY_COMPRESS = [
    ["c%03d-ipmi" % i for i in range(1, 9)],
    ["n1-ib", "n2-ib", "n3-ib", "ib-n1", "ib-n2"],
    ["rack%d-n%02d" % (r, n) for r in (1, 2) for n in range(1, 5)],
    ["rack%d-n%02d-ib" % (r, n) for r in (1, 2) for n in range(1, 5)],
    ["n9", "n10", "n011", "n098", "n099", "n100"],
    ["n1", "n01", "n001", "n2"],
    ["login", "c1", "c2", "c10", "c1"],
]


@pytest.mark.parametrize("expr", LIBRARY_EXPAND)
def test_expand_like_python_hostlist(expr):
    assert expand(expr, slurm=False) == python_hostlist.expand_hostlist(expr)
    assert expand(expr, unique=False, slurm=False) == python_hostlist.expand_hostlist(expr, allow_duplicates=True)


@pytest.mark.parametrize("expr, message", LIBRARY_LENIENT, ids=[c[0] for c in LIBRARY_LENIENT])
def test_refuses_what_python_hostlist_accepts(expr, message):
    assert python_hostlist.expand_hostlist(expr)
    with pytest.raises(HostlistError, match=message):
        expand(expr, slurm=False)


def _library_cases():
    rng = random.Random(7)
    return LIBRARY_COMPRESS + [_random_names(rng) for _seed in range(30)]


@pytest.mark.parametrize("names", _library_cases())
def test_compress_both_ways_with_python_hostlist(names):
    """Each side expands the other's compressed form back to the names; ours is Slurm-valid."""
    wanted = sorted(set(names))
    ours = compress(names)
    assert sorted(python_hostlist.expand_hostlist(ours)) == wanted
    assert sorted(expand(ours, slurm=True)) == wanted
    theirs = python_hostlist.collect_hostlist(names)
    assert sorted(expand(theirs, slurm=False)) == wanted


_RANGELIST_GRAMMAR = re.compile(r"[0-9]+(?:-[0-9]+)?(?:,[0-9]+(?:-[0-9]+)?)*")


def test_fast_rangelist_check_matches_the_grammar():
    """_valid_rangelist (string passes) accepts exactly the range-list grammar."""
    from itertools import product

    from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import _valid_rangelist

    checked = 0
    for length in range(0, 7):
        for chars in product("01,-a", repeat=length):
            content = "".join(chars)
            assert _valid_rangelist(content) == bool(_RANGELIST_GRAMMAR.fullmatch(content)), content
            checked += 1
    assert checked == sum(5 ** n for n in range(7))
