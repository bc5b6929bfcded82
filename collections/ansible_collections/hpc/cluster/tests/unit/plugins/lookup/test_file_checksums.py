# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hpc.cluster.file_checksums: a controller file's SHA-1, as copy computes it, read once while unchanged."""

from __future__ import annotations

import hashlib
import os

import pytest
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader

from ansible_collections.hpc.cluster.plugins.lookup import file_checksums
from ansible_collections.hpc.cluster.plugins.lookup.file_checksums import LookupModule

pytestmark = pytest.mark.usefixtures("plugin_loader")


def lookup(*terms):
    return LookupModule(loader=DataLoader()).run(list(terms), variables={})


def test_each_path_to_its_sha1(tmp_path):
    big = tmp_path / "big.tar"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # more than one read block
    small = tmp_path / "small.tar"
    small.write_bytes(b"image")
    assert lookup([str(big), str(small)]) == [{
        str(big): hashlib.sha1(big.read_bytes()).hexdigest(),  # noqa: S324
        str(small): hashlib.sha1(b"image").hexdigest()}]  # noqa: S324


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    archive = tmp_path / "a.tar"
    archive.write_bytes(b"one")
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(file_checksums, "open", counting_open, raising=False)
    first = lookup(str(archive))[0][str(archive)]
    assert lookup(str(archive))[0][str(archive)] == first
    assert len(opened) == 1
    archive.write_bytes(b"two, longer")
    assert lookup(str(archive))[0][str(archive)] == hashlib.sha1(b"two, longer").hexdigest()  # noqa: S324
    assert len(opened) == 2


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_what_is_not_a_file_is_named(tmp_path, kind):
    path = tmp_path / "images"
    if kind == "directory":
        path.mkdir()
    with pytest.raises(AnsibleLookupError, match="file_checksums: %s is not a file on the controller" % path):
        lookup(str(path))
