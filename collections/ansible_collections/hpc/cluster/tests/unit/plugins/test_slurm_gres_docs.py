# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every slurm_gres the collection's docs show has the form role slurm reads (its argument spec)."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from ansible_collections.hpc.cluster.plugins.inventory import cluster

COLLECTION = pathlib.Path(__file__).resolve().parents[3]
ROLE_SPEC = COLLECTION.parents[3] / "roles" / "slurm" / "meta" / "argument_specs.yml"
TYPES = {"str": str, "int": int}


def role_gres_spec():
    spec = yaml.safe_load(ROLE_SPEC.read_text())["argument_specs"]["main"]["options"]["slurm_gres"]
    assert spec["type"] == "list" and spec["elements"] == "dict"
    return spec["options"]


def find_gres(data, where):
    """Every value of a slurm_gres key anywhere in data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "slurm_gres":
                yield where, value
            else:
                yield from find_gres(value, where)
    elif isinstance(data, list):
        for item in data:
            yield from find_gres(item, where)


def documented():
    found = list(find_gres(yaml.safe_load(cluster.EXAMPLES), "inventory plugin EXAMPLES"))
    readme = (COLLECTION / "README.md").read_text()
    for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", readme, re.S)):
        found += find_gres(yaml.safe_load(block), "README.md yaml block %d" % (index + 1))
    return found


def test_docs_show_slurm_gres():
    wheres = {where.split(" yaml")[0] for where, _value in documented()}
    assert wheres == {"inventory plugin EXAMPLES", "README.md"}


@pytest.mark.parametrize(("where", "value"), documented(), ids=[w for w, _v in documented()])
def test_documented_slurm_gres_matches_the_role(where, value):
    options = role_gres_spec()
    assert isinstance(value, list) and value, "%s: slurm_gres must be a list of entries" % where
    for entry in value:
        assert isinstance(entry, dict), "%s: entry %r is not a dictionary" % (where, entry)
        assert set(entry) <= set(options), "%s: unknown keys %s" % (where, set(entry) - set(options))
        for key, option in options.items():
            if option.get("required"):
                assert key in entry, "%s: %s missing" % (where, key)
            if key in entry:
                assert isinstance(entry[key], TYPES[option["type"]]), "%s: %s=%r" % (where, key, entry[key])
