# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nfs_mount_problems and nfs_export_problems: each mistake of the NFS settings, named."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter import nfs_export_problems as exports_filter
from ansible_collections.hpc.cluster.plugins.filter import nfs_mount_problems as mounts_filter
from ansible_collections.hpc.cluster.plugins.filter.nfs_export_problems import nfs_export_problems
from ansible_collections.hpc.cluster.plugins.filter.nfs_mount_problems import nfs_mount_problems

EXPORTS = ["/home", "/opt/software"]


@pytest.mark.parametrize("mounts", [
    [],
    [{"path": "/home"}, {"path": "/opt/software", "options": ["ro"]}],
    [{"path": "/projects", "src": "/home/projects"}],      # a directory under an export
    [{"path": "/home", "src": "/home/"}],
])
def test_mounts_of_exported_paths(mounts):
    assert nfs_mount_problems(mounts, exports=EXPORTS, server="head") == []


def test_a_path_not_exported():
    assert nfs_mount_problems([{"path": "/scratch"}, {"path": "/homes", "src": "/homes"}], exports=EXPORTS,
                              server="head") == [
        "nfs_client_mounts /scratch: head does not export /scratch (its exports: /home, /opt/software): every "
        "client would fail to mount it after the server's changes. Add it to nfs_server_exports, or mount a path "
        "it exports.",
        "nfs_client_mounts /homes: head does not export /homes (its exports: /home, /opt/software): every "
        "client would fail to mount it after the server's changes. Add it to nfs_server_exports, or mount a path "
        "it exports.",
    ]


def test_trailing_slashes_do_not_matter():
    assert nfs_mount_problems([{"path": "/home"}, {"path": "/sw", "src": "/opt/software/"}],
                              exports=["/home/", "/opt/software"]) == []


def test_the_root_export_holds_every_path():
    assert nfs_mount_problems([{"path": "/scratch"}, {"path": "/r", "src": "/"}], exports=["/"]) == []


@pytest.mark.parametrize("src", ["/homes", "/hom", "/opt", "/opt/softwares/x"])
def test_a_path_beside_an_export_is_not_under_it(src):
    assert len(nfs_mount_problems([{"path": "/x", "src": src}], exports=EXPORTS + ["/data/"])) == 1


def test_unknown_exports_check_the_mounts_alone():
    assert nfs_mount_problems([{"path": "/scratch"}]) == []
    assert nfs_mount_problems([{"path": "/scratch"}], exports=[]) == [
        "nfs_client_mounts /scratch: the NFS server does not export /scratch (its exports: none): every client "
        "would fail to mount it after the server's changes. Add it to nfs_server_exports, or mount a path it exports."]


@pytest.mark.parametrize(("mount", "problem"), [
    ({"path": "home"}, "nfs_client_mounts home: the mount point is not an absolute path."),
    ({"path": "/data", "src": "data"}, "nfs_client_mounts /data: src 'data' is not an absolute path"),
    ({"path": "/data", "src": 5}, "nfs_client_mounts /data: src 5 is not an absolute path"),
    ({"path": "/home", "options": "rw,hard"},
     "nfs_client_mounts /home: options must be a list ([rw, hard]), not the string 'rw,hard'."),
    ("/home", "nfs_client_mounts entry '/home' must be a mapping with a path"),
    ({"src": "/home"}, "nfs_client_mounts entry {'src': '/home'} must be a mapping with a path"),
])
def test_a_bad_mount(mount, problem):
    problems = nfs_mount_problems([mount])
    assert len(problems) == 1 and problems[0].startswith(problem), problems


@pytest.mark.parametrize(("mounts", "where"), [
    ([{"path": "/home"}, {"path": "/opt/software"}, {"path": "/home", "src": "/home/u"}], "/home"),
    ([{"path": "/home"}, {"path": "/home/", "src": "/home"}], "/home/"),   # one mount point, two spellings
    ([{"path": "/data/", "src": "/home"}, {"path": "/data//", "src": "/home"}], "/data//"),
])
def test_a_mount_point_twice(mounts, where):
    assert nfs_mount_problems(mounts, exports=EXPORTS) == [
        "nfs_client_mounts %s: listed twice (trailing slashes aside): fstab holds one line per mount point, and each "
        "run would rewrite it." % where]


def test_a_relative_mount_point_and_src_each_named():
    # Equal strings, both given: each is a mistake of its own (not one said twice).
    assert nfs_mount_problems([{"path": "home", "src": "home"}]) == [
        "nfs_client_mounts home: the mount point is not an absolute path.",
        "nfs_client_mounts home: src 'home' is not an absolute path (the export's path on the server).",
    ]
    assert nfs_mount_problems([{"path": "home", "src": ""}]) == [
        "nfs_client_mounts home: the mount point is not an absolute path."]


@pytest.mark.parametrize(("mounts", "exports", "message"), [
    ({"path": "/home"}, None, "expected the list nfs_client_mounts, got dict"),
    ([], "/home", "exports must be a list of paths"),
    ([], [None], "exports must be a list of paths"),
])
def test_mount_arguments_refused(mounts, exports, message):
    with pytest.raises(AnsibleFilterError, match=message):
        nfs_mount_problems(mounts, exports=exports)


@pytest.mark.parametrize("exports", [
    [],
    [{"path": "/home", "options": ["rw"]}, {"path": "/opt/software", "clients": "10.1.2.0/24", "options": ["ro"]}],
    # One path for two client networks: two lines exportfs takes both of.
    [{"path": "/home", "clients": "10.1.0.0/16", "options": ["rw"]},
     {"path": "/home", "clients": "10.2.0.0/16", "options": ["ro"]}],
])
def test_good_exports(exports):
    assert nfs_export_problems(exports, network="10.1.0.0/16") == []


@pytest.mark.parametrize(("exports", "network", "problems"), [
    ([{"path": "home", "options": ["rw"]}], "10.1.0.0/16", ["nfs_server_exports home: the path is not absolute."]),
    ([{"path": "/home", "options": ["rw"]}], "",
     ["nfs_server_exports /home: no clients (give clients, or set cluster_network)."]),
    ([{"path": "/home", "options": "rw,sync"}], "10.1.0.0/16",
     ["nfs_server_exports /home: options must be a list ([rw, sync, no_subtree_check]), not the string 'rw,sync'."]),
    ([{"path": "/home", "options": ["rw"]}, {"path": "/home/", "options": ["ro"]}], "10.1.0.0/16",
     ["nfs_server_exports /home/: listed twice for clients 10.1.0.0/16: exportfs would take one of the two lines."]),
    (["/home"], "10.1.0.0/16",
     ["nfs_server_exports entry '/home' must be a mapping with a path, clients and options."]),
])
def test_bad_exports(exports, network, problems):
    assert nfs_export_problems(exports, network=network) == problems


def test_export_arguments_refused():
    with pytest.raises(AnsibleFilterError, match="expected the list nfs_server_exports, got str"):
        nfs_export_problems("/home")


def test_registered():
    assert mounts_filter.FilterModule().filters() == {"nfs_mount_problems": nfs_mount_problems}
    assert exports_filter.FilterModule().filters() == {"nfs_export_problems": nfs_export_problems}


NFS_HOME = {"mount": "/home", "device": "10.1.0.10:/home", "fstype": "nfs4"}


@pytest.mark.parametrize("mounted", [
    [],
    [NFS_HOME],
    [dict(NFS_HOME, device="10.1.0.10:/home/")],                           # trailing slashes aside
    [dict(NFS_HOME, device="head:/home")],                                 # a host name: not compared
    [dict(NFS_HOME, fstype="ext4", device="/dev/sdb1")],                   # not NFS: mounted over, as before
    [{"mount": "/homes", "device": "10.9.9.9:/homes", "fstype": "nfs"}],   # another mount point
])
def test_mounted_from_the_same_source(mounted):
    assert nfs_mount_problems([{"path": "/home"}], exports=EXPORTS, mounted=mounted, address="10.1.0.10") == []


@pytest.mark.parametrize(("entry", "source"), [
    (dict(NFS_HOME, device="10.1.0.99:/home"), "10.1.0.99:/home"),          # another server
    (dict(NFS_HOME, device="10.1.0.10:/export/home"), "10.1.0.10:/export/home"),   # another export
    (dict(NFS_HOME, device="[fd00::5]:/home", fstype="nfs"), "[fd00::5]:/home"),
    (dict(NFS_HOME, mount="/home/", device="head:/srv/home"), "head:/srv/home"),
])
def test_mounted_from_another_source(entry, source):
    assert nfs_mount_problems([{"path": "/home"}, {"path": "/opt/software"}], exports=EXPORTS, server="head",
                              mounted=[entry], address="10.1.0.10") == [
        "nfs_client_mounts /home: mounted from %s, not 10.1.0.10:/home: a remount keeps the old source. Unmount it "
        "where nothing uses it (umount /home), then run again." % source]


def test_mounted_refused_when_not_a_list():
    with pytest.raises(AnsibleFilterError, match="mounted must be the list"):
        nfs_mount_problems([], mounted={"mount": "/home"})
