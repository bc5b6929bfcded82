#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: gpu_facts
short_description: Gather the GPUs of a node as facts ready for Slurm's gres.conf
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Lists NVIDIA GPUs with C(nvidia-smi --query-gpu=index,name,pci.bus_id --format=csv,noheader)
    and AMD GPUs with C(rocm-smi --showproductname --json), and sets
    C(ansible_facts.hpc_gpus).
  - A node without a vendor's tool has no GPU of that vendor.
  - A tool that exists but fails (for example with C(Failed to initialize NVML - Driver/library
    version mismatch) after a driver update without a reboot) is an error naming the node and the
    tool's message, never "no GPUs", which would drop C(Gres=) from slurm.conf and restart every
    Slurm daemon. Reboot the node after a driver update, or declare its GPUs by hand
    (C(slurm_gres) on the host, or C(slurm_gpu_facts=false)).
  - Each GPU's C(type) is the Slurm GRES type built from the model name, lowercased, without
    vendor and form-factor words (C(NVIDIA A100-SXM4-40GB) is V(a100),
    C(AMD Instinct MI250X) is V(mi250x)), and C(file) is its device file for C(gres.conf).
options: {}
notes:
  - NVIDIA device files come from C(/proc/driver/nvidia/gpus/<bus id>/information)
    (C(Device Minor)), falling back to C(/dev/nvidia<index>).
  - AMD device files are the render node of C(/sys/class/drm/card<N>), falling back to
    C(/dev/dri/renderD<128+N>).
requirements:
  - C(nvidia-smi) (NVIDIA driver) and/or C(rocm-smi) (ROCm) where GPUs exist.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
  - hpc.cluster.attributes
  - hpc.cluster.attributes.facts
"""

EXAMPLES = r"""
- name: Read the GPUs
  hpc.cluster.gpu_facts:

- name: Gres string for slurm_node_lines, e.g. gpu:a100:4
  ansible.builtin.set_fact:
    gres: >-
      {% for type, gpus in ansible_facts.hpc_gpus | groupby('type') -%}
      gpu:{{ type }}:{{ gpus | length }}{{ '' if loop.last else ',' }}
      {%- endfor %}
  when: ansible_facts.hpc_gpus | length > 0

- name: gres.conf lines
  ansible.builtin.debug:
    msg: "Name=gpu Type={{ item.type }} File={{ item.file }}"
  loop: "{{ ansible_facts.hpc_gpus }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: dict
  contains:
    hpc_gpus:
      description: One entry per GPU, NVIDIA first, each vendor in index order. Empty without GPUs.
      returned: always
      type: list
      elements: dict
      contains:
        vendor:
          description: V(nvidia) or V(amd).
          type: str
        index:
          description: Index of the GPU as the vendor tool numbers it.
          type: int
        name:
          description: Model name as the vendor tool reports it.
          type: str
        type:
          description: Slurm GRES type derived from the name.
          type: str
        file:
          description: Device file for gres.conf.
          type: str
      sample:
        - {vendor: nvidia, index: 0, name: NVIDIA A100-SXM4-40GB, type: a100, file: /dev/nvidia0}
"""

import glob
import json
import os
import re
import socket

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import C_LOCALE_ENV

_VENDOR_WORDS = {"nvidia", "tesla", "geforce", "amd", "instinct", "ati", "radeon", "graphics"}
_NOISE_RE = re.compile(
    r"^(?:\d+(?:gb|g)|pcie|sxm\d*|hbm\d*e?|nvl\d*|oam|mxm|smx\d*|\(tm\)|\(r\))$"
)


def gres_type(name):
    """'NVIDIA A100-SXM4-40GB' -> 'a100'; 'AMD Instinct MI250X' -> 'mi250x'."""
    text = name.lower().replace("(tm)", " ").replace("(r)", " ")
    words = []
    for word in re.split(r"[\s_]+", text):
        first = word.split("-")[0] if re.match(r"^[a-z]+\d", word) else word
        if not first or first in _VENDOR_WORDS or _NOISE_RE.match(first):
            continue
        words.append(first)
    result = re.sub(r"[^a-z0-9]+", "_", "_".join(words)).strip("_")
    return result or "gpu"


def nvidia_device(bus_id, index, proc_root="/proc/driver/nvidia/gpus"):
    """Device file of an NVIDIA GPU from its PCI bus id (00000000:3B:00.0)."""
    if bus_id:
        domain, _sep, rest = bus_id.strip().lower().rpartition(":")
        domain_bus = domain.split(":")
        if len(domain_bus) == 2:
            short = "%s:%s:%s" % (domain_bus[0][-4:], domain_bus[1], rest)
            info = os.path.join(proc_root, short, "information")
            try:
                with open(info, encoding="utf-8") as handle:
                    for line in handle:
                        if line.startswith("Device Minor:"):
                            return "/dev/nvidia%d" % int(line.split(":", 1)[1])
            except (OSError, ValueError):
                pass
    return "/dev/nvidia%d" % index


def amd_device(card, drm_root="/sys/class/drm"):
    """Render node of DRM card N."""
    nodes = sorted(glob.glob(os.path.join(drm_root, "card%d" % card, "device", "drm", "renderD*")))
    if nodes:
        return "/dev/dri/" + os.path.basename(nodes[0])
    return "/dev/dri/renderD%d" % (128 + card)


def parse_nvidia(text):
    gpus = []
    for line in text.splitlines():
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) < 2 or not fields[0].isdigit():
            raise ValueError("unexpected nvidia-smi line: %r" % line)
        index = int(fields[0])
        name = fields[1]
        bus_id = fields[2] if len(fields) > 2 else ""
        gpus.append(dict(vendor="nvidia", index=index, name=name, type=gres_type(name),
                         file=nvidia_device(bus_id, index)))
    return sorted(gpus, key=lambda g: g["index"])


def parse_rocm(text):
    data = json.loads(text) if text.strip() else {}
    if not isinstance(data, dict):
        raise ValueError("unexpected rocm-smi JSON: %r" % text[:200])
    gpus = []
    for key, info in data.items():
        match = re.fullmatch(r"card(\d+)", key)
        if not match or not isinstance(info, dict):
            continue
        card = int(match.group(1))
        name = ""
        for field in ("Card Series", "Card series", "Device Name", "Card SKU", "Card model",
                      "Card Model"):
            if str(info.get(field, "")).strip():
                name = str(info[field]).strip()
                break
        gpus.append(dict(vendor="amd", index=card, name=name or "AMD GPU",
                         type=gres_type(name) if name else "gpu", file=amd_device(card)))
    return sorted(gpus, key=lambda g: g["index"])


def _run_tool(module, tool, cmd):
    """Output of a vendor tool; a failing tool ends the module naming the node."""
    rc, out, err = module.run_command(cmd, environ_update=C_LOCALE_ENV)
    if rc != 0:
        module.fail_json(
            msg="gpu_facts on %s: %s failed (rc=%d): %s. The GPUs of this node cannot be read, "
                "and counting none would drop its Gres= and restart every Slurm daemon. After a "
                "driver update, reboot the node; or declare its GPUs by hand with slurm_gres on "
                "the host (or slurm_gpu_facts: false)."
                % (socket.gethostname(), tool, rc, (err or out).strip()[:300] or "no output"),
            cmd=cmd, rc=rc, stdout=out, stderr=err)
    return out


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    gpus = []
    nvidia_smi = module.get_bin_path("nvidia-smi")
    if nvidia_smi:
        cmd = [nvidia_smi, "--query-gpu=index,name,pci.bus_id", "--format=csv,noheader"]
        out = _run_tool(module, "nvidia-smi", cmd)
        try:
            gpus.extend(parse_nvidia(out))
        except ValueError as exc:
            module.fail_json(msg=str(exc), cmd=cmd, stdout=out)
    rocm_smi = module.get_bin_path("rocm-smi")
    if rocm_smi:
        cmd = [rocm_smi, "--showproductname", "--json"]
        out = _run_tool(module, "rocm-smi", cmd)
        try:
            gpus.extend(parse_rocm(out))
        except ValueError as exc:
            module.fail_json(msg="cannot read rocm-smi output: %s" % exc, cmd=cmd, stdout=out)
    module.exit_json(changed=False, ansible_facts=dict(hpc_gpus=gpus))


if __name__ == "__main__":
    main()
