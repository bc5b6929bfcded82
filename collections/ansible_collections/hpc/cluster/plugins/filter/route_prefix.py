# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: route_prefix
short_description: The path a web daemon serves under, from the external URL users reach it at
version_added: 0.8.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Prometheus and Alertmanager serve their pages and API under the path of C(--web.external-url)
    (behind a reverse proxy, C(https://hpc.example.org/prometheus/) serves C(/prometheus/-/ready)).
    Returns that path without its trailing slashes, or an empty string for none (no URL, or no path),
    so that C(prefix ~ '/-/ready') is the path to ask.
options:
  _input:
    description: The external URL; null or empty for none.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Ask Prometheus if it is ready
  ansible.builtin.uri:
    url: "http://localhost:9090{{ prometheus_external_url | hpc.cluster.route_prefix }}/-/ready"
  # https://hpc.example.org/prometheus/ => /prometheus
"""

RETURN = r"""
_value:
  description: The path, starting with C(/), or an empty string.
  type: str
"""

from urllib.parse import urlsplit

from ansible.errors import AnsibleFilterError


def route_prefix(url):
    if url is None:
        return ""
    if not isinstance(url, str):
        raise AnsibleFilterError("route_prefix: expected a URL, got %s" % type(url).__name__)
    path = urlsplit(url.strip()).path.rstrip("/")
    return path if not path or path.startswith("/") else "/" + path


class FilterModule:
    def filters(self):
        return {"route_prefix": route_prefix}
