# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter wrappers: names, results, AnsibleFilterError."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter import hostlist_compress, hostlist_expand


def test_filter_names():
    assert hostlist_expand.FilterModule().filters() == {"hostlist_expand": hostlist_expand.hostlist_expand}
    assert hostlist_compress.FilterModule().filters() == {
        "hostlist_compress": hostlist_compress.hostlist_compress}


@pytest.mark.parametrize("expr, names", [
    ("c[01-03],gpu1", ["c01", "c02", "c03", "gpu1"]),
    ("n[009-11]", ["n009", "n010", "n011"]),
    ("c[001-002]-ipmi", ["c001-ipmi", "c002-ipmi"]),
])
def test_expand_filter(expr, names):
    assert hostlist_expand.hostlist_expand(expr) == names


def test_expand_filter_slurm_flag():
    assert hostlist_expand.hostlist_expand("c[1-2],ib-n[1-2]", slurm=True) == ["c1", "c2", "ib-n1", "ib-n2"]
    with pytest.raises(AnsibleFilterError, match=r"^hostlist_expand: text '-ib' after the last bracket in "
                                                 r"'n\[1-3\]-ib': Slurm refuses it"):
        hostlist_expand.hostlist_expand("n[1-3]-ib", slurm=True)


@pytest.mark.parametrize("flag", ["yes", 1, None])
def test_expand_filter_slurm_flag_must_be_a_boolean(flag):
    with pytest.raises(AnsibleFilterError, match=r"^hostlist_expand: slurm must be true or false, got "):
        hostlist_expand.hostlist_expand("c1", slurm=flag)


@pytest.mark.parametrize("expr, message", [
    ("n[3-1]", "hostlist_expand: reversed range '3-1'"),
    ("a,,b", "hostlist_expand: empty name"),
])
def test_expand_filter_errors(expr, message):
    with pytest.raises(AnsibleFilterError, match=r"^" + message.replace("[", r"\[")):
        hostlist_expand.hostlist_expand(expr)


@pytest.mark.parametrize("names, expr", [
    (["ib-n1", "ib-n2", "n1-ib", "n2-ib"], "ib-n[1-2],n1-ib,n2-ib"),
    (["c%03d" % i for i in range(1, 129)], "c[001-128]"),
])
def test_compress_filter(names, expr):
    assert hostlist_compress.hostlist_compress(names) == expr


def test_compress_filter_error():
    with pytest.raises(AnsibleFilterError, match=r"^hostlist_compress: empty name \(item 2\)"):
        hostlist_compress.hostlist_compress(["c1", ""])
