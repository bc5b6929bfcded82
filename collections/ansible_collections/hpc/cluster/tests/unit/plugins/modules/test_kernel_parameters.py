# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""kernel_parameters: the file as ansible.posix.sysctl writes it, running values read before any change."""

from __future__ import annotations

import pytest

from ansible_collections.hpc.cluster.plugins.modules import kernel_parameters

VALUES = {"net.ipv4.neigh.default.gc_thresh1": 8192, "net.ipv4.tcp_rmem": "4096 87380 6291456", "vm.x": True}
# As ansible.posix.sysctl leaves the file after one task per key.
CONVERGED = "net.ipv4.neigh.default.gc_thresh1=8192\nnet.ipv4.tcp_rmem=4096 87380 6291456\nvm.x=1\n"


def read(key, out, rc=0, err=""):
    return (("sysctl", ["-n", key]), rc, out, err)


def write(key, value, rc=0, err=""):
    return (("sysctl", ["-w", "%s=%s" % (key, value)]), rc, "", err)


LIVE_OK = [read("net.ipv4.neigh.default.gc_thresh1", "8192\n"), read("net.ipv4.tcp_rmem", "4096\t87380\t6291456\n"),
           read("vm.x", "1\n")]


def run(run_module, tmp_path, values=None, table=(), content=None, **kwargs):
    path = tmp_path / "90-hpc.conf"
    if content is not None:
        path.write_text(content)
    args = {"path": str(path), "values": VALUES if values is None else values}
    args.update(kwargs.pop("args", {}))
    result, _calls = run_module(kernel_parameters.main, args, list(table), **kwargs)
    return result, path


def test_converged_node_changes_nothing(run_module, tmp_path):
    result, path = run(run_module, tmp_path, table=LIVE_OK, content=CONVERGED)
    assert result["changed"] is False and result["set"] == [] and result["file_changed"] is False
    assert path.read_text() == CONVERGED


def test_fresh_node_gets_the_file_and_the_running_values(run_module, tmp_path):
    table = [read("net.ipv4.neigh.default.gc_thresh1", "128\n"), read("net.ipv4.tcp_rmem", "4096\t87380\t6291456\n"),
             read("vm.x", "0\n"), write("net.ipv4.neigh.default.gc_thresh1", "8192"), write("vm.x", "1")]
    result, path = run(run_module, tmp_path, table=table)
    assert result["changed"] is True and result["file_changed"] is True
    assert result["set"] == ["net.ipv4.neigh.default.gc_thresh1", "vm.x"]
    assert path.read_text() == CONVERGED
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_other_lines_kept_a_null_key_removed_a_changed_value_rewritten(run_module, tmp_path):
    content = ("# site tuning\n  kernel.other = 5 \nnet.ipv4.neigh.default.gc_thresh1=4096\nvm.x=1\n"
               "vm.gone=3\nnet.ipv4.neigh.default.gc_thresh1=1\n")
    values = {"net.ipv4.neigh.default.gc_thresh1": "8192", "vm.gone": None, "vm.x": "yes"}
    table = [read("net.ipv4.neigh.default.gc_thresh1", "8192\n"), read("vm.x", "1\n")]
    result, path = run(run_module, tmp_path, values=values, table=table, content=content, diff=True)
    assert result["changed"] is True and result["removed"] == ["vm.gone"] and result["set"] == []
    # As ansible.posix.sysctl rewrites it: stripped lines, first line of a key only.
    assert path.read_text() == "# site tuning\nkernel.other=5\nnet.ipv4.neigh.default.gc_thresh1=8192\nvm.x=1\n"
    assert result["diff"]["before"] == content and result["diff"]["after"] == path.read_text()


def test_only_a_differing_running_value_is_set(run_module, tmp_path):
    table = LIVE_OK[:1] + [read("net.ipv4.tcp_rmem", "4096 87380 4194304\n"), LIVE_OK[2],
                           write("net.ipv4.tcp_rmem", "4096 87380 6291456")]
    result, path = run(run_module, tmp_path, table=table, content=CONVERGED)
    assert result["changed"] is True and result["file_changed"] is False and result["set"] == ["net.ipv4.tcp_rmem"]


def test_check_mode_reports_and_changes_nothing(run_module, tmp_path):
    table = [read("net.ipv4.neigh.default.gc_thresh1", "128\n")] + LIVE_OK[1:]
    result, path = run(run_module, tmp_path, table=table, check_mode=True)
    assert result["changed"] is True and result["set"] == ["net.ipv4.neigh.default.gc_thresh1"]
    assert result["file_changed"] is True and not path.exists()


def test_a_parameter_the_kernel_lacks_is_named_and_nothing_changes(run_module, tmp_path):
    table = [read("net.ipv4.neigh.default.gc_thresh1", "128\n"),
             read("net.ipv4.tcp_rmem", "", rc=255, err="sysctl: cannot stat /proc/sys/net/ipv4/tcp_rmem: No such file"),
             read("vm.x", "0\n")]
    result, path = run(run_module, tmp_path, table=table, content="vm.x=0\n")
    assert result["failed"] is True
    assert "does not have net.ipv4.tcp_rmem (sysctl: cannot stat" in result["msg"]
    assert "nothing was changed" in result["msg"] and path.read_text() == "vm.x=0\n"


def test_a_refused_write_fails_naming_it(run_module, tmp_path):
    table = [read("net.ipv4.neigh.default.gc_thresh1", "128\n")] + LIVE_OK[1:] + [
        write("net.ipv4.neigh.default.gc_thresh1", "8192",
              err='sysctl: setting key "net.ipv4.neigh.default.gc_thresh1": Read-only file system')]
    result, _path = run(run_module, tmp_path, table=table, content=CONVERGED)
    assert result["failed"] is True and "setting net.ipv4.neigh.default.gc_thresh1=8192 failed" in result["msg"]


def test_without_apply_only_the_file(run_module, tmp_path):
    result, path = run(run_module, tmp_path, table=[], args={"apply": False})
    assert result["changed"] is True and result["set"] == [] and path.read_text() == CONVERGED


@pytest.mark.parametrize("key", ["", "a b", "a=b"])
def test_a_bad_name_is_refused(run_module, tmp_path, key):
    result, _path = run(run_module, tmp_path, values={key: 1})
    assert result["failed"] is True and "not a parameter name" in result["msg"]


@pytest.mark.parametrize("value, text", [(True, "1"), (False, "0"), ("no", "0"), ("On", "1"), (5, "5"),
                                         (" 4096  8192 ", "4096  8192")])
def test_values_as_ansible_posix_sysctl_writes_them(value, text):
    assert kernel_parameters.normalise(value) == text


def test_a_word_where_the_kernel_holds_numbers_is_named_and_nothing_changes(run_module, tmp_path):
    values = {"vm.swappiness": "lots", "net.ipv4.tcp_rmem": "4096 lots", "kernel.printk": "3",
              "net.ipv4.tcp_congestion_control": "bbr", "kernel.core_pattern": "core.%p"}
    table = [read("vm.swappiness", "60\n"), read("net.ipv4.tcp_rmem", "4096\t87380\t6291456\n"),
             read("kernel.printk", "4\t4\t1\t7\n"), read("net.ipv4.tcp_congestion_control", "cubic\n"),
             read("kernel.core_pattern", "core\n")]
    result, path = run(run_module, tmp_path, values=values, table=table)
    assert result["failed"] is True
    assert result["msg"] == ("kernel_parameters: these take whole numbers: vm.swappiness is '60' here, not 'lots'; "
                             "net.ipv4.tcp_rmem is '4096 87380 6291456' here, not '4096 lots'; nothing was changed")
    assert not path.exists()
