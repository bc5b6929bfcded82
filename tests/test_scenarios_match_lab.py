"""The Molecule scenarios that stand for the lab use the lab's own settings.

What `molecule test -s slurm` proves should be what `bin/lab demo` converges: every setting in
inventories/lab/group_vars must appear in those scenarios' inventories with the same value.
"""

from pathlib import Path

import pytest
import yaml

TOP = Path(__file__).resolve().parent.parent
# Names that may differ per scenario (each scenario is its own cluster).
OWN = {"cluster_name"}
# What the Rocky scenarios may leave out: Rocky hosts mount cgroup v2 (the role's default).
ROCKY_ONLY_LAB = {"slurm_cgroup_config"}


def lab_settings():
    settings = {}
    for path in sorted((TOP / "inventories" / "lab" / "group_vars" / "all").glob("*.yml")):
        settings.update(yaml.safe_load(path.read_text()) or {})
    assert settings, "no lab settings found"
    return settings


def scenario_settings(name):
    config = yaml.safe_load((TOP / "molecule" / name / "molecule.yml").read_text())
    return config["provisioner"]["inventory"]["group_vars"]["all"]


@pytest.mark.parametrize(("scenario", "may_omit"), [
    ("slurm", set()),
    ("rocky9", ROCKY_ONLY_LAB),
    ("rocky10", ROCKY_ONLY_LAB),
])
def test_scenario_uses_the_lab_settings(scenario, may_omit):
    lab = lab_settings()
    ours = scenario_settings(scenario)
    missing = sorted(set(lab) - set(ours) - OWN - may_omit)
    assert not missing, f"molecule/{scenario} lacks lab settings: {missing}"
    differ = sorted(k for k in set(lab) & set(ours) - OWN if lab[k] != ours[k])
    assert not differ, f"molecule/{scenario} differs from the lab in: {differ}"
