"""Every public variable of the base OS roles is described in meta/argument_specs.yml, with
the same default, and shown in the example inventory."""

from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
ROLES = ["repos", "chrony", "base", "nfs_server", "nfs_client"]


def load(path):
    return yaml.safe_load(path.read_text()) or {}


@pytest.mark.parametrize("role", ROLES)
def test_every_default_has_a_spec(role):
    defaults = load(TOP / "roles" / role / "defaults" / "main.yml")
    spec = load(TOP / "roles" / role / "meta" / "argument_specs.yml")["argument_specs"]["main"]["options"]
    assert sorted(defaults) == sorted(spec)
    for name, value in defaults.items():
        assert name.startswith(role + "_"), name
        if "default" in spec[name]:
            assert spec[name]["default"] == value, name
        elif not (isinstance(value, str) and "{{" in value):
            pytest.fail(f"{role}: {name} has a literal default but its spec has none")


@pytest.mark.parametrize("role", ROLES)
def test_example_inventory_shows_every_variable(role):
    text = "".join(p.read_text() for p in (TOP / "inventories" / "example").rglob("*.yml"))
    defaults = load(TOP / "roles" / role / "defaults" / "main.yml")
    assert [name for name in defaults if name not in text] == []
