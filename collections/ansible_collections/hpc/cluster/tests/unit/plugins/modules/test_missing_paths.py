# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""missing_paths: which of some paths (or Slurm device file ranges) a node lacks, in one read."""

from __future__ import annotations

import os

import pytest

from ansible_collections.hpc.cluster.plugins.modules import missing_paths


@pytest.fixture
def devices(tmp_path):
    """nvidia0 and nvidia1 exist, nvidia2 is a link to nothing, nvidia3 is absent."""
    for name in ("nvidia0", "nvidia1"):
        (tmp_path / name).write_text("")
    os.symlink(tmp_path / "gone", tmp_path / "nvidia2")
    return tmp_path


def test_plain_paths(devices, run_module):
    paths = [str(devices / name) for name in ("nvidia0", "nvidia2", "nvidia3", "nvidia3", "nvidia1")]
    for check in (False, True):
        result, calls = run_module(missing_paths.main, {"paths": paths}, [], check_mode=check)
        assert calls == [] and result["changed"] is False
        assert result["missing"] == [str(devices / "nvidia2"), str(devices / "nvidia3")]
        assert result["unread"] == [] and result["not_executable"] == []


def test_executable(devices, run_module):
    """A program that exists but root may not run (no execute bit, or a directory) is named apart."""
    program = devices / "prolog"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    (devices / "nvidia0").chmod(0o644)
    paths = [str(program), str(devices / "nvidia0"), str(devices), str(devices / "nvidia3")]
    result, _ = run_module(missing_paths.main, {"paths": paths, "executable": True}, [])
    assert result["missing"] == [str(devices / "nvidia3")]
    assert result["not_executable"] == [str(devices / "nvidia0"), str(devices)]


def test_a_plain_path_is_not_expanded(devices, run_module):
    odd = str(devices / "nvidia[0-1]")
    result, _ = run_module(missing_paths.main, {"paths": [odd]}, [])
    assert result["missing"] == [odd]


def test_slurm_ranges(devices, run_module):
    ranges = ["%s/nvidia[0-3]" % devices, "%s/nvidia1,%s/nvidia4" % (devices, devices)]
    result, _ = run_module(missing_paths.main, {"paths": ranges, "slurm_ranges": True}, [])
    assert result["missing"] == ["%s/nvidia%d" % (devices, number) for number in (2, 3, 4)]
    assert result["unread"] == []


@pytest.mark.parametrize("entry", ["/dev/nvidia[3-1]", "/dev/nvidia[0-1]x", "/dev/nvidia[0-", "nvidia[0-1]", ""])
def test_what_slurm_would_not_read_is_left_unread(run_module, entry):
    result, _ = run_module(missing_paths.main, {"paths": ["/", entry], "slurm_ranges": True}, [])
    assert result["failed"] is False
    assert result["unread"] == [entry] and result["missing"] == []


def test_a_relative_path_is_left_unread(run_module):
    result, _ = run_module(missing_paths.main, {"paths": ["dev/null", "/nonexistent-path"]}, [])
    assert result["unread"] == ["dev/null"] and result["missing"] == ["/nonexistent-path"]
