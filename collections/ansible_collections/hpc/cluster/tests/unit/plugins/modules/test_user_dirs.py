# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""user_dirs: per-user directories and by-name links, only what differs, refusals before any change."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.hpc.cluster.plugins.module_utils import user_dirs

UID, GID = os.getuid(), os.getgid()  # owners this test may set without privileges


def users(*uids):
    return [{"name": "user%d" % uid, "uid": uid, "gid": GID} for uid in uids]


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "by-name").mkdir()
    return tmp_path


def run(tree, wanted, mode=0o700, by_name=True):
    steps = user_dirs.plan(str(tree), wanted, mode, str(tree / "by-name") if by_name else "")
    user_dirs.apply(steps)
    return [user_dirs.describe(step) for step in steps]


def test_fresh_then_nothing_to_do(tree):
    made = run(tree, users(UID))
    assert len(made) == 2
    path = tree / str(UID)
    info = path.stat()
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert (info.st_uid, info.st_gid) == (UID, GID)
    assert os.readlink(tree / "by-name" / ("user%d" % UID)) == "../%d" % UID
    assert run(tree, users(UID)) == []


def test_mode_and_link_drift_put_right(tree):
    run(tree, users(UID))
    os.chmod(tree / str(UID), 0o755)
    link = tree / "by-name" / ("user%d" % UID)
    link.unlink()
    link.symlink_to("../elsewhere")
    assert run(tree, users(UID)) == ["mode of %s set to 0700" % (tree / str(UID)),
                                     "relinked %s -> ../%d" % (link, UID)]
    assert stat.S_IMODE((tree / str(UID)).stat().st_mode) == 0o700 and os.readlink(link) == "../%d" % UID


def test_plan_changes_nothing(tree):
    """What check mode runs: the plan alone."""
    steps = user_dirs.plan(str(tree), users(UID), 0o700, str(tree / "by-name"))
    assert [kind for kind, _path, _detail in steps] == ["mkdir", "link"]
    assert not (tree / str(UID)).exists() and not os.listdir(tree / "by-name")


def test_other_owner_planned(tree):
    (tree / str(UID)).mkdir(mode=0o700)
    steps = user_dirs.plan(str(tree), [{"name": "x", "uid": UID, "gid": GID + 1}], 0o700, "")
    assert steps == [("chown", str(tree / str(UID)), (UID, GID + 1))]


def test_gid_defaults_to_uid(tree):
    steps = user_dirs.plan(str(tree), [{"name": "x", "uid": 4321}], 0o700, "")
    assert steps == [("mkdir", str(tree / "4321"), (4321, 4321, 0o700))]


@pytest.mark.parametrize("make, where", [
    (lambda t: (t / str(UID)).write_text("not a dir"), "dir"),
    (lambda t: (t / "by-name" / ("user%d" % UID)).mkdir(), "link"),
    (lambda t: (t / "by-name" / ("user%d" % UID)).write_text("a file"), "link"),
])
def test_refused_before_any_change(tree, make, where):
    make(tree)
    wanted = users(UID + 100000, UID)  # the first user's directory would be made; nothing may be
    with pytest.raises(user_dirs.Refused, match="user%d" % UID):
        user_dirs.plan(str(tree), wanted, 0o700, str(tree / "by-name"))
    assert not (tree / str(UID + 100000)).exists()


def test_missing_root_refused(tmp_path):
    with pytest.raises(user_dirs.Refused, match="not a directory"):
        user_dirs.plan(str(tmp_path / "nope"), users(UID), 0o700, "")


def test_check_mode_counts_a_missing_root_as_empty(tmp_path):
    root = tmp_path / "storage"
    steps = user_dirs.plan(str(root), users(UID), 0o700, str(root / "by-name"), check_mode=True)
    assert [kind for kind, _path, _detail in steps] == ["mkdir", "link"]
    with pytest.raises(user_dirs.Refused, match="not a directory"):
        user_dirs.plan(str(root), users(UID), 0o700, "", check_mode=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(user_dirs.Refused, match="not a directory"):
        user_dirs.plan(str(tmp_path / "file"), users(UID), 0o700, "", check_mode=True)
