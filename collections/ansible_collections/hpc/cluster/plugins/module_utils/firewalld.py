# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""firewalld zone contents as {zone: {kind: [items]}}, from firewall-cmd's text, firewalld's D-Bus
interface or its client library."""

from __future__ import annotations

import re

# Plural key (in firewall-cmd's listing and in these dicts) -> ansible.posix.firewalld's option.
KINDS = {"sources": "source", "services": "service", "ports": "port"}
_FIELD = re.compile(r"^  (sources|services|ports):(.*)$")


def parse_zones(text):
    """`firewall-cmd [--permanent] --list-all-zones` -> {zone: {kind: [items]}}."""
    zones, zone = {}, None
    for line in text.splitlines():
        if line and not line[0].isspace():
            zone = line.split()[0]
            zones[zone] = {kind: [] for kind in KINDS}
            continue
        field = _FIELD.match(line)
        if field and zone is not None:
            zones[zone][field.group(1)] = field.group(2).split()
    return zones


def settings_items(settings):
    """A zone's settings as firewalld's D-Bus getZoneSettings2/getSettings2 give them (a dict) ->
    {kind: [items]}, ports written as firewall-cmd writes them."""
    return {
        "sources": [str(source) for source in settings.get("sources", [])],
        "services": [str(service) for service in settings.get("services", [])],
        "ports": ["%s/%s" % (port, protocol) for port, protocol in settings.get("ports", [])],
    }


def zone_items(settings):
    """firewall.client zone settings -> {kind: [items]}, as settings_items gives them."""
    return settings_items({"sources": settings.getSources(), "services": settings.getServices(),
                           "ports": settings.getPorts()})
