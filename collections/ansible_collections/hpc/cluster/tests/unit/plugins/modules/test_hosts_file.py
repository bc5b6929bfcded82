# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hosts_file: the block, stale lines naming a node, loopback lines; check and diff mode; refusals."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hpc.cluster.plugins.module_utils.hosts_file import HostsFileError, converge
from ansible_collections.hpc.cluster.plugins.modules import hosts_file

MARKER = "# {mark} hpc-cluster nodes (ANSIBLE MANAGED)"
BEGIN, END = "# BEGIN hpc-cluster nodes (ANSIBLE MANAGED)", "# END hpc-cluster nodes (ANSIBLE MANAGED)"
NODES = {"head": "10.1.0.10", "c01": "10.1.0.21"}
DOMAIN = "cluster.test"
BLOCK = [BEGIN, "10.1.0.10       head.cluster.test head", "10.1.0.21       c01.cluster.test c01", END]


def test_a_debian_image_file():
    text = ("127.0.0.1\tlocalhost\n127.0.1.1\thead.cluster.test head\n\n"
            "# The following lines are desirable for IPv6 capable hosts\n"
            "::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\n")
    new, removed, loopback = converge(text, NODES, MARKER, DOMAIN)
    assert removed == ["127.0.1.1\thead.cluster.test head"] and loopback == []
    assert new.splitlines() == ["127.0.0.1\tlocalhost", "",
                                "# The following lines are desirable for IPv6 capable hosts",
                                "::1     localhost ip6-localhost ip6-loopback", "ff02::1 ip6-allnodes"] + BLOCK
    assert converge(new, NODES, MARKER, DOMAIN) == (new, [], [])


def test_block_replaced_in_place_and_lines_after_it_kept():
    text = "\n".join(["127.0.0.1 localhost", "::1 localhost", BEGIN, "10.9.9.9 c01", END,
                      "192.0.2.1 other", "10.8.8.8 c01.cluster.test # stale"]) + "\n"
    new, removed, _ = converge(text, NODES, MARKER, DOMAIN)
    assert removed == ["10.8.8.8 c01.cluster.test # stale"]
    assert new.splitlines() == ["127.0.0.1 localhost", "::1 localhost"] + BLOCK + ["192.0.2.1 other"]


def test_loopback_lines_where_missing_ipv6_first():
    new, _, loopback = converge("192.0.2.1 other", NODES, MARKER, DOMAIN)
    assert loopback == ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"]
    assert new.splitlines() == ["::1 localhost ip6-localhost ip6-loopback", "127.0.0.1 localhost",
                                "192.0.2.1 other"] + BLOCK
    # A localhost line that also names a node goes; the loopback line comes back without the node.
    new, removed, loopback = converge("127.0.0.1 localhost c01\n::1 localhost\n", NODES, MARKER, DOMAIN)
    assert removed == ["127.0.0.1 localhost c01"] and loopback == ["127.0.0.1 localhost"]
    # A commented-out localhost line does not count.
    assert converge("# 127.0.0.1 localhost\n::1 localhost\n", NODES, MARKER, DOMAIN)[2] == ["127.0.0.1 localhost"]


def test_empty_entries_remove_the_block():
    text = "127.0.0.1 localhost\n::1 localhost\n" + "\n".join(BLOCK) + "\n"
    assert converge(text, {}, MARKER)[0] == "127.0.0.1 localhost\n::1 localhost\n"


@pytest.mark.parametrize("hosts, marker, domain, message", [
    ({"c01": "10.1.0.1 x"}, MARKER, "", "c01: address '10.1.0.1 x' is not one word"),
    ({"c01": ""}, MARKER, "", "c01: address '' is not one word"),
    ({"c 01": "10.1.0.1"}, MARKER, "", "host name 'c 01' is not one word"),
    (NODES, MARKER, ".cluster.test", "domain '.cluster.test' is not a DNS domain"),
    (NODES, MARKER, "cluster#test", "domain 'cluster#test' is not a DNS domain"),
    (NODES, "# hpc-cluster nodes", "", "must hold {mark} once"),
])
def test_bad_input_is_refused(hosts, marker, domain, message):
    with pytest.raises(HostsFileError) as refused:
        converge("", hosts, marker, domain)
    assert message in str(refused.value)


def test_without_a_domain_a_line_has_the_name_only():
    assert converge("127.0.0.1 localhost\n::1 localhost\n", {"c01": "10.1.0.21"}, MARKER)[0].splitlines()[2:] == [
        BEGIN, "10.1.0.21       c01", END]


def run(run_module, path, **kwargs):
    result, _calls = run_module(hosts_file.main, {"path": str(path), "hosts": NODES, "domain": DOMAIN}, [], **kwargs)
    return result


def test_module_check_diff_write_and_rerun(run_module, tmp_path):
    path = tmp_path / "hosts"
    path.write_text("127.0.0.1 localhost\n127.0.1.1 c01\n")
    os.chmod(path, 0o640)
    checked = run(run_module, path, check_mode=True, diff=True)
    assert checked["changed"] is True and checked["removed"] == ["127.0.1.1 c01"]
    assert path.read_text() == "127.0.0.1 localhost\n127.0.1.1 c01\n"  # check mode: nothing written
    assert checked["diff"]["before"] == "127.0.0.1 localhost\n127.0.1.1 c01\n"
    written = run(run_module, path)
    assert path.read_text() == checked["diff"]["after"] and written["changed"] is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640  # the file's mode is kept
    assert run(run_module, path)["changed"] is False


def test_module_creates_a_missing_file_and_refuses_a_directory(run_module, tmp_path):
    path = tmp_path / "hosts"
    umask = os.umask(0o077)  # a new hosts file must be readable by every user, whatever the umask
    try:
        assert run(run_module, path)["changed"] is True
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert path.read_text().splitlines()[-4:] == BLOCK
    refused = run(run_module, tmp_path)
    assert refused["failed"] and "is a directory" in refused["msg"]
