# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""file_memo: a value computed from a controller file once while the file is unchanged."""

from __future__ import annotations

from ansible_collections.hpc.cluster.plugins.plugin_utils.file_memo import unchanged_file_value


def test_computed_once_while_unchanged_again_after_a_change_and_apart_per_computation(tmp_path):
    path = tmp_path / "data"
    path.write_text("one")
    calls = []

    def size(real):
        calls.append(("size", real))
        return len(open(real).read())

    def text(real):
        calls.append(("text", real))
        return open(real).read()

    assert unchanged_file_value(str(path), size) == 3
    assert unchanged_file_value(str(path), size) == 3
    assert unchanged_file_value(str(path), text) == "one"
    path.write_text("three")
    assert unchanged_file_value(str(path), size) == 5
    assert [name for name, _real in calls] == ["size", "text", "size"]


def test_a_link_and_its_target_are_one_file(tmp_path):
    target = tmp_path / "target"
    target.write_text("x")
    (tmp_path / "link").symlink_to(target)
    calls = []

    def read(real):
        calls.append(real)
        return open(real).read()

    assert unchanged_file_value(str(tmp_path / "link"), read) == unchanged_file_value(str(target), read) == "x"
    assert calls == [str(target)]
