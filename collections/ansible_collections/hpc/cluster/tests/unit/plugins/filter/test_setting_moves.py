# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""setting_moves: the settings a run would move away from the data a daemon uses now."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.setting_moves import FilterModule

moves = FilterModule().filters()["setting_moves"]

DBD = {"StorageHost": "localhost", "StoragePort": "3306", "StorageLoc": "slurm_acct_db"}
PROM = {"--storage.tsdb.path": None}


def read(**values):
    return {"exists": True, "values": values}


@pytest.mark.parametrize(("now", "wanted", "expected"), [
    (read(StorageLoc="slurm_acct_db"), {"StorageLoc": "slurm_acct_db", "DbdPort": 6819}, []),
    # the file leaves a setting out: Slurm's default stands for it, on both sides
    (read(), {}, []),
    (read(), {"StorageLoc": "acct"}, ["StorageLoc slurm_acct_db -> acct"]),
    (read(StorageLoc="acct"), {}, ["StorageLoc acct -> slurm_acct_db"]),
    (read(StorageLoc="acct"), {"StorageLoc": None}, ["StorageLoc acct -> slurm_acct_db"]),
    # numbers as the inventory types them
    (read(StoragePort="3306"), {"StoragePort": 3306}, []),
    (read(StorageHost="db1", StoragePort="3307"), {"StorageHost": "db2", "StoragePort": 3306},
     ["StorageHost db1 -> db2", "StoragePort 3307 -> 3306"]),
    # a new node (no file yet), or no read made
    ({"exists": False, "values": {}}, {"StorageLoc": "acct"}, []),
    (None, {"StorageLoc": "acct"}, []),
    ({}, {"StorageLoc": "acct"}, []),
])
def test_slurmdbd_storage(now, wanted, expected):
    assert [m["text"] for m in moves(now, wanted, DBD)] == expected


@pytest.mark.parametrize(("args", "wanted", "expected"), [
    ("--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/var/lib/prometheus/metrics2",
     "/var/lib/prometheus/metrics2/", []),
    ("--storage.tsdb.path=/var/lib/prometheus/metrics2", "/srv/prometheus",
     [{"name": "--storage.tsdb.path", "now": "/var/lib/prometheus/metrics2", "wanted": "/srv/prometheus",
       "text": "--storage.tsdb.path /var/lib/prometheus/metrics2 -> /srv/prometheus"}]),
    ("--storage.tsdb.path='/srv/a b'", "/srv/a b", []),
    # the package's flags, before the role wrote its own: nothing there yet
    ("", "/srv/prometheus", []),
    ("--web.listen-address=:9090", "/srv/prometheus", []),
    # the last flag is the one the daemon takes
    ("--storage.tsdb.path=/a --storage.tsdb.path=/b", "/b", []),
])
def test_prometheus_flags(args, wanted, expected):
    assert moves(read(ARGS=args), {"--storage.tsdb.path": wanted}, PROM, flags="ARGS") == expected


def test_a_path_compares_without_trailing_slashes_a_name_as_it_is():
    assert moves(read(p="/srv/x//"), {"p": "/srv/x"}, {"p": None}) == []
    assert [m["text"] for m in moves(read(p="/srv/x/"), {"p": "/srv/y/"}, {"p": None})] == ["p /srv/x -> /srv/y"]
    assert [m["text"] for m in moves(read(p="db/"), {"p": "db"}, {"p": None})] == ["p db/ -> db"]


def test_the_arguments_must_be_dictionaries():
    with pytest.raises(AnsibleFilterError, match="must be dictionaries"):
        moves(read(), ["StorageLoc"], DBD)
