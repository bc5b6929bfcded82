# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""podman_images: each user's images read from the storage's image list where the configuration in
force is known, else asked from Podman (here a fake runuser that logs what it is asked)."""

from __future__ import annotations

import json
import pwd
import time

import pytest

from ansible_collections.hpc.cluster.plugins.modules import podman_images

CONF_TEXT = "[storage]\ndriver = \"overlay\"\n"


@pytest.mark.parametrize("image, stored", [
    ("localhost/tools", "localhost/tools:latest"),
    ("localhost/tools:1.2", "localhost/tools:1.2"),
    ("registry.example.org/hpc/tools", "registry.example.org/hpc/tools:latest"),
    ("registry.example.org:5000/tools:v1", "registry.example.org:5000/tools:v1"),
    ("tools", None),                                  # a short name: registries.conf decides
    ("hpc/tools", None),                              # no registry either
    ("docker.io/busybox", None),                      # docker.io adds library/
    ("localhost/tools@sha256:" + "0" * 64, None),     # a digest
])
def test_the_stored_name_of_an_image(image, stored):
    assert podman_images.stored_name(image) == stored


@pytest.fixture
def node(tmp_path, monkeypatch):
    """A storage configuration, a home for alice and bob, and a fake runuser logging each question."""
    monkeypatch.setattr(podman_images, "OTHER_CONFIGS", (str(tmp_path / "storage.conf.d"),))
    accounts = {name: pwd.struct_passwd((name, "x", uid, uid, "", str(tmp_path / "home" / name), "/bin/sh"))
                for name, uid in (("alice", 2001), ("bob", 2002))}
    monkeypatch.setattr(podman_images.pwd, "getpwnam", lambda name: accounts[name])
    conf = tmp_path / "storage.conf"
    conf.write_text(CONF_TEXT)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "asked"
    # runuser -u USER -- podman image exists IMAGE: present when IMAGE ends in "present", 125 for "broken".
    (bin_dir / "runuser").write_text(
        '#!/bin/sh\necho "$2 $7" >> %s\ncase "$7" in *present) exit 0;; *broken) echo cannot open >&2; exit 125;; '
        'esac\nexit 1\n' % log)
    (bin_dir / "runuser").chmod(0o755)

    def store(user, names):
        images = tmp_path / "users" / str(accounts[user].pw_uid) / "storage" / "overlay-images"
        images.mkdir(parents=True)
        (images / "images.json").write_text(json.dumps([{"id": "1" * 64, "names": names, "names-history": []}]))

    def args(pairs, **more):
        storage = str(tmp_path / "users" / "$UID" / "storage")
        config = {"storage": {"driver": "overlay", "rootless_storage_path": storage}}
        return dict({"pairs": pairs, "storage_config": config, "storage_conf_path": str(conf),
                     "storage_conf_content": CONF_TEXT, "search_path": "%s:/usr/bin:/bin" % bin_dir}, **more)

    def asked():
        return sorted(log.read_text().splitlines()) if log.exists() else []

    return {"store": store, "args": args, "asked": asked, "tmp": tmp_path, "conf": conf}


def answers(result):
    return [(entry["user"], entry["image"], entry["present"], entry["source"]) for entry in result["images"]]


def test_the_image_lists_answer_full_names_and_podman_the_others(node, run_module):
    node["store"]("alice", ["localhost/tools:latest"])
    node["store"]("bob", ["localhost/other:latest"])
    pairs = ["alice", "localhost/tools", "bob", "localhost/tools", "alice", "short-present", "bob", "short"]
    result, _ = run_module(podman_images.main, node["args"](pairs), [])
    assert result["changed"] is False
    assert answers(result) == [("alice", "localhost/tools", True, "storage"),
                               ("bob", "localhost/tools", False, "storage"),
                               ("alice", "short-present", True, "podman"), ("bob", "short", False, "podman")]
    assert node["asked"]() == ["alice short-present", "bob short"]


def test_a_name_only_in_the_history_is_not_there(node, run_module):
    images = node["tmp"] / "users" / "2001" / "storage" / "overlay-images"
    images.mkdir(parents=True)
    (images / "images.json").write_text(json.dumps([{"id": "1" * 64, "names": [],
                                                     "names-history": ["localhost/tools:latest"]}]))
    result, _ = run_module(podman_images.main, node["args"](["alice", "localhost/tools"]), [])
    assert answers(result) == [("alice", "localhost/tools", False, "storage")]


@pytest.mark.parametrize("change", ["file-differs", "drop-in", "own-config", "no-list", "bad-list",
                                    "extra-stores", "no-driver"])
def test_podman_is_asked_where_the_configuration_in_force_is_not_known(node, run_module, change):
    node["store"]("alice", ["localhost/tools-present:latest"])
    args = node["args"](["alice", "localhost/tools-present", "alice", "localhost/gone"])
    images = node["tmp"] / "users" / "2001" / "storage" / "overlay-images" / "images.json"
    if change == "file-differs":
        node["conf"].write_text(CONF_TEXT + "# edited by hand\n")
    elif change == "drop-in":
        (node["tmp"] / "storage.conf.d").mkdir()
    elif change == "own-config":
        config = node["tmp"] / "home" / "alice" / ".config" / "containers"
        config.mkdir(parents=True)
        (config / "storage.conf").write_text("[storage]\n")
    elif change == "no-list":
        images.unlink()
    elif change == "bad-list":
        images.write_text("{not json")
    elif change == "extra-stores":
        args["storage_config"]["storage"]["options"] = {"additionalimagestores": ["/srv/images"]}
    else:
        del args["storage_config"]["storage"]["driver"]
    result, _ = run_module(podman_images.main, args, [])
    assert answers(result) == [("alice", "localhost/tools-present", True, "podman"),
                               ("alice", "localhost/gone", False, "podman")]
    assert node["asked"]() == ["alice localhost/gone", "alice localhost/tools-present"]


@pytest.mark.parametrize("made", ["nothing", "storage root"])
def test_a_storage_where_podman_never_stored_an_image_holds_none_without_asking(node, run_module, made):
    """A new user, or a new node where role podman made the storage root: no image list directory."""
    if made == "storage root":
        (node["tmp"] / "users" / "2002" / "storage").mkdir(parents=True)
    result, _ = run_module(podman_images.main, node["args"](["bob", "localhost/tools"]), [])
    assert answers(result) == [("bob", "localhost/tools", False, "storage")]
    assert node["asked"]() == []


def test_a_pair_podman_cannot_answer_has_no_answer_and_its_message(node, run_module):
    result, _ = run_module(podman_images.main, node["args"](["alice", "tools-broken", "bob", "tools"]), [])
    assert result.get("failed") is False
    assert result["images"][0] == {"user": "alice", "image": "tools-broken", "present": None, "source": "podman",
                                   "error": "cannot open"}
    assert result["images"][1]["present"] is False


def test_several_pairs_are_asked_at_once(node, run_module):
    (node["tmp"] / "bin" / "runuser").write_text("#!/bin/sh\nsleep 1\nexit 1\n")
    pairs = [value for n in range(8) for value in ("alice", "tools%d" % n)]
    started = time.monotonic()
    result, _ = run_module(podman_images.main, node["args"](pairs), [])
    assert [entry["present"] for entry in result["images"]] == [False] * 8
    assert time.monotonic() - started < 4


def test_pairs_must_be_flat_pairs(node, run_module):
    result, _ = run_module(podman_images.main, node["args"](["alice", "localhost/a", "bob"]), [])
    assert result["failed"] is True and "3 values" in result["msg"]
