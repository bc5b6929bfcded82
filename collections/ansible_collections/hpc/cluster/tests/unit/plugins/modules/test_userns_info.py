# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""userns_info: user.max_user_namespaces and the planned subuid/subgid files in one read-only call."""

from __future__ import annotations

from ansible_collections.hpc.cluster.plugins.modules import userns_info

RANGES = [{"name": "alice", "uid": 2001, "start": 100000, "count": 65536},
          {"name": "bob", "uid": 2002, "start": 165536, "count": 65536}]
PLANNED = "alice:100000:65536\nbob:165536:65536\n"


def test_plans_both_files_keeping_other_accounts_and_changes_nothing(tmp_path, run_module):
    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text("# local\ndebian:300000:65536\nalice:1:2\n")
    args = {"ranges": RANGES, "subid_files": [str(subuid), str(subgid)]}
    for check in (False, True):
        result, calls = run_module(userns_info.main, args, [], check_mode=check)
        assert calls == [] and result["changed"] is False
        assert result["files"] == [
            {"path": str(subuid), "content": "# local\ndebian:300000:65536\n" + PLANNED},
            {"path": str(subgid), "content": PLANNED}]
    assert subuid.read_text() == "# local\ndebian:300000:65536\nalice:1:2\n"
    assert not subgid.exists()


def test_a_planned_file_plans_the_same_again(tmp_path, run_module):
    subuid = tmp_path / "subuid"
    subuid.write_text(PLANNED)
    result, _ = run_module(userns_info.main, {"ranges": RANGES, "subid_files": [str(subuid)]}, [])
    assert result["files"] == [{"path": str(subuid), "content": PLANNED}]


def test_overlaps_in_every_file_are_named_in_one_error(tmp_path, run_module):
    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text("intruder:100005:10\n")
    subgid.write_text("other:165530:10\n")
    args = {"ranges": RANGES, "subid_files": [str(subuid), str(subgid)], "context": "c01"}
    result, _ = run_module(userns_info.main, args, [])
    assert result["failed"] is True
    assert result["msg"].startswith("c01 %s: subordinate IDs of other accounts overlap" % subuid)
    assert "line 1 'intruder:100005:10' (100005-100014) overlaps the range of alice" in result["msg"]
    assert "%s: subordinate IDs" % subgid in result["msg"] and "overlaps the range of alice" in result["msg"]
    assert subuid.read_text() == "intruder:100005:10\n"


def test_a_directory_in_place_of_a_file_is_refused(tmp_path, run_module):
    result, _ = run_module(userns_info.main, {"ranges": RANGES, "subid_files": [str(tmp_path)]}, [])
    assert result["failed"] is True and "is not a regular file" in result["msg"]


def test_no_files_plans_nothing(run_module):
    result, _ = run_module(userns_info.main, {}, [])
    assert result["files"] == [] and result["changed"] is False


def test_max_user_namespaces(tmp_path):
    value = tmp_path / "max_user_namespaces"
    value.write_text("15000\n")
    assert userns_info.max_user_namespaces(str(value)) == 15000
    value.write_text("")
    assert userns_info.max_user_namespaces(str(value)) is None
    assert userns_info.max_user_namespaces(str(tmp_path / "missing")) is None
