"""Role slurm's handler that chooses how to apply a configuration change: changed, and notifying,
only when it applies something.

The write of slurm's directories and configuration files (tasks/configure.yml) notifies it with what
the files replaced; a directory put right alone, or nothing replaced, applies nothing. The handler's
own expressions are evaluated here with ansible-core's templar, as the play would.
"""

from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

TOP = Path(__file__).resolve().parent.parent
CONF_DIR = "/etc/slurm"


@pytest.fixture(scope="module", autouse=True)
def _collections():
    """hpc.cluster's filters (slurm_conf_changes) for the templar, as the project's ansible.cfg finds them."""
    from ansible.plugins.loader import init_plugin_loader

    init_plugin_loader([str(TOP / "collections")])


def chooser():
    handlers = yaml.safe_load((TOP / "roles" / "slurm" / "handlers" / "main.yml").read_text())
    return next(h for h in handlers if h["name"] == "Choose between restart and reconfigure")


def trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {key: trusted(item) for key, item in value.items()}
    return value


def evaluate(previous):
    handler = chooser()
    variables = dict(trusted(handler["vars"]), __slurm_conf_dir=CONF_DIR,
                     __slurm_conf_written={"changed": True, "previous": previous},
                     __slurm_conf_text="ClusterName=lab\n", __slurm_version="22.05.8", slurm_restart_keys=[])
    templar = Templar(loader=DataLoader(), variables=variables)
    return (templar.evaluate_conditional(trusted(handler["changed_when"])),
            templar.template(trust_as_template("{{ __slurm_apply }}")))


@pytest.mark.parametrize(("previous", "changed", "apply"), [
    ({}, False, []),
    ({CONF_DIR + "/cgroup.conf": "CgroupPlugin=autodetect\n"}, True, ["slurmd restart"]),
    ({CONF_DIR + "/slurm.conf": None}, True, ["slurm restart"]),
], ids=["a directory alone", "cgroup.conf", "a new slurm.conf"])
def test_changed_only_when_it_applies_something(previous, changed, apply):
    assert evaluate(previous) == (changed, apply)
