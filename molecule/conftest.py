"""Shared fixtures for the Molecule verifiers (testinfra).

Scenarios test behaviour across nodes, so besides testinfra's per-host `host`
fixture they get `group(name)`: the testinfra hosts of an inventory group.
"""

import os

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner


@pytest.fixture(scope="session")
def inventory():
    path = os.environ.get("MOLECULE_INVENTORY_FILE")
    if not path:
        pytest.fail("MOLECULE_INVENTORY_FILE is not set: run these tests through molecule verify")
    return AnsibleRunner(path)


@pytest.fixture(scope="session")
def group(inventory):
    """Return the testinfra hosts of an inventory group; an empty group fails the test."""
    cache = {}

    def hosts(name):
        if name not in cache:
            names = inventory.get_hosts(name)
            if not names:
                pytest.fail(f"inventory group {name!r} has no hosts")
            cache[name] = [
                testinfra.get_host(f"ansible://{n}", ansible_inventory=inventory.inventory_file)
                for n in names
            ]
        return cache[name]

    return hosts
