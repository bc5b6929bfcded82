# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gpu_facts: nvidia-smi and rocm-smi mocked, cases from tables."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hpc.cluster.plugins.modules import gpu_facts

NVIDIA_CMD = ("nvidia-smi", ["--query-gpu=index,name,pci.bus_id", "--format=csv,noheader"])
ROCM_CMD = ("rocm-smi", ["--showproductname", "--json"])

ROCM_JSON = json.dumps({
    "card1": {"Card Series": "AMD Instinct MI250X", "Card Model": "0x740c", "Card Vendor": "AMD"},
    "card0": {"Card series": "Instinct MI210", "Card SKU": "D67301"},
    "system": {"Driver version": "6.2"},
})


@pytest.mark.parametrize("name, gres", [
    ("NVIDIA A100-SXM4-40GB", "a100"),
    ("NVIDIA A100 80GB PCIe", "a100"),
    ("Tesla V100-PCIE-16GB", "v100"),
    ("Tesla T4", "t4"),
    ("NVIDIA H100 80GB HBM3", "h100"),
    ("NVIDIA H100 NVL", "h100"),
    ("NVIDIA GeForce RTX 3090", "rtx_3090"),
    ("NVIDIA RTX A6000", "rtx_a6000"),
    ("NVIDIA L40S", "l40s"),
    ("AMD Instinct MI250X", "mi250x"),
    ("Instinct MI210", "mi210"),
    ("AMD Radeon(TM) Pro W6800", "pro_w6800"),
    ("NVIDIA", "gpu"),
])
def test_gres_type(name, gres):
    assert gpu_facts.gres_type(name) == gres


@pytest.fixture
def no_sysfs(monkeypatch):
    """Device files from the fallbacks, whatever the test machine has."""
    monkeypatch.setattr(gpu_facts, "nvidia_device",
                        lambda bus_id, index: "/dev/nvidia%d" % index)
    monkeypatch.setattr(gpu_facts, "amd_device", lambda card: "/dev/dri/renderD%d" % (128 + card))


CASES = [
    ("no driver tools at all", {"nvidia-smi": None, "rocm-smi": None}, [], []),
    ("two NVIDIA GPUs, out of order",
     {"rocm-smi": None},
     [(NVIDIA_CMD, 0, "1, NVIDIA A100-SXM4-40GB, 00000000:3B:00.0\n0, NVIDIA A100-SXM4-40GB, 00000000:1A:00.0\n", "")],
     [{"vendor": "nvidia", "index": 0, "name": "NVIDIA A100-SXM4-40GB", "type": "a100", "file": "/dev/nvidia0"},
      {"vendor": "nvidia", "index": 1, "name": "NVIDIA A100-SXM4-40GB", "type": "a100", "file": "/dev/nvidia1"}]),
    ("nvidia-smi with no GPU", {"rocm-smi": None}, [(NVIDIA_CMD, 0, "", "")], []),
    ("AMD GPUs from rocm-smi",
     {"nvidia-smi": None},
     [(ROCM_CMD, 0, ROCM_JSON, "")],
     [{"vendor": "amd", "index": 0, "name": "Instinct MI210", "type": "mi210", "file": "/dev/dri/renderD128"},
      {"vendor": "amd", "index": 1, "name": "AMD Instinct MI250X", "type": "mi250x", "file": "/dev/dri/renderD129"}]),
    ("both vendors",
     {},
     [(NVIDIA_CMD, 0, "0, Tesla T4, 00000000:00:04.0\n", ""), (ROCM_CMD, 0, ROCM_JSON, "")],
     [{"vendor": "nvidia", "index": 0, "name": "Tesla T4", "type": "t4", "file": "/dev/nvidia0"},
      {"vendor": "amd", "index": 0, "name": "Instinct MI210", "type": "mi210", "file": "/dev/dri/renderD128"},
      {"vendor": "amd", "index": 1, "name": "AMD Instinct MI250X", "type": "mi250x", "file": "/dev/dri/renderD129"}]),
]

# A tool that exists but fails is drift (driver/library mismatch after an update), never
# "no GPUs": that would drop Gres= from slurm.conf and restart every daemon.
TOOL_FAILURES = [
    ("NVML driver/library mismatch",
     {"rocm-smi": None},
     [(NVIDIA_CMD, 18, "Failed to initialize NVML: Driver/library version mismatch\n", "")],
     "nvidia-smi failed (rc=18): Failed to initialize NVML: Driver/library version mismatch"),
    ("nvidia-smi without a running driver",
     {"rocm-smi": None},
     [(NVIDIA_CMD, 9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n", "")],
     "nvidia-smi failed (rc=9): NVIDIA-SMI has failed because it couldn't communicate"),
    ("rocm-smi fails after NVIDIA GPUs were read",
     {},
     [(NVIDIA_CMD, 0, "0, Tesla T4, 00000000:00:04.0\n", ""), (ROCM_CMD, 2, "", "ROCm not found\n")],
     "rocm-smi failed (rc=2): ROCm not found"),
]


@pytest.mark.parametrize("case", TOOL_FAILURES, ids=[c[0] for c in TOOL_FAILURES])
def test_failing_tool_is_an_error(run_module, no_sysfs, monkeypatch, case):
    _id, bins, table, reason = case
    monkeypatch.setattr(gpu_facts.socket, "gethostname", lambda: "gpu07")
    result, _calls = run_module(gpu_facts.main, {}, table, bins=bins)
    assert result["failed"] is True
    assert "ansible_facts" not in result
    msg = result["msg"]
    assert msg.startswith("gpu_facts on gpu07: " + reason)
    assert "reboot the node" in msg
    assert "slurm_gres" in msg and "slurm_gpu_facts: false" in msg


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_module(run_module, no_sysfs, case):
    _id, bins, table, gpus = case
    result, _calls = run_module(gpu_facts.main, {}, table, bins=bins)
    assert result["failed"] is False
    assert result["changed"] is False
    assert result["ansible_facts"] == {"hpc_gpus": gpus}


def test_module_check_mode(run_module, no_sysfs):
    result, _calls = run_module(gpu_facts.main, {}, [], check_mode=True,
                                bins={"nvidia-smi": None, "rocm-smi": None})
    assert result["ansible_facts"] == {"hpc_gpus": []}


def test_bad_nvidia_output(run_module, no_sysfs):
    result, _calls = run_module(gpu_facts.main, {}, [(NVIDIA_CMD, 0, "garbage\n", "")],
                                bins={"rocm-smi": None})
    assert result["failed"] is True
    assert result["msg"] == "unexpected nvidia-smi line: 'garbage'"


def test_bad_rocm_output(run_module, no_sysfs):
    result, _calls = run_module(gpu_facts.main, {}, [(ROCM_CMD, 0, "[1, 2]", "")],
                                bins={"nvidia-smi": None})
    assert result["failed"] is True
    assert result["msg"].startswith("cannot read rocm-smi output: unexpected rocm-smi JSON")


def test_nvidia_device_minor(tmp_path):
    gpu = tmp_path / "0000:3b:00.0"
    gpu.mkdir()
    (gpu / "information").write_text("Model: NVIDIA A100\nDevice Minor: 3\nBus Location: 0000:3b:00.0\n")
    assert gpu_facts.nvidia_device("00000000:3B:00.0", 0, proc_root=str(tmp_path)) == "/dev/nvidia3"
    assert gpu_facts.nvidia_device("00000000:1A:00.0", 5, proc_root=str(tmp_path)) == "/dev/nvidia5"
    assert gpu_facts.nvidia_device("", 2, proc_root=str(tmp_path)) == "/dev/nvidia2"


def test_amd_render_node(tmp_path):
    drm = tmp_path / "card1" / "device" / "drm"
    (drm / "renderD130").mkdir(parents=True)
    (drm / "card1").mkdir()
    assert gpu_facts.amd_device(1, drm_root=str(tmp_path)) == "/dev/dri/renderD130"
    assert gpu_facts.amd_device(0, drm_root=str(tmp_path)) == "/dev/dri/renderD128"
