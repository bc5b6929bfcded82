# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""slurm_conf_value and slurm_conf_problems: values as Slurm's configuration files read them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.slurm_conf_problems import FilterModule as Problems
from ansible_collections.hpc.cluster.plugins.filter.slurm_conf_value import FilterModule as Value

value = Value().filters()["slurm_conf_value"]
problems = Problems().filters()["slurm_conf_problems"]


@pytest.mark.parametrize(("given", "text"), [
    (True, "YES"), (False, "NO"), (300, "300"), ("/var/spool/slurmctld", "/var/spool/slurmctld"),
    (["Alloc", "Contain"], "Alloc,Contain"), (("a", 1), "a,1"),
    # Slurm reads an unquoted value up to the first whitespace
    ("--interactive --preserve-env --pty $SHELL", '"--interactive --preserve-env --pty $SHELL"'),
    ('"--pty /bin/bash"', '"--pty /bin/bash"'),  # quoted by the admin already: kept
    ('ab"c', 'ab"c'),  # a quote without whitespace reads as written
    (["a b", "c"], '"a b,c"'),
])
def test_values_render_as_slurm_reads_them(given, text):
    assert value(given) == text


def test_booleans_in_other_words():
    assert (value(True, "yes", "no"), value(False, "yes", "no")) == ("yes", "no")


@pytest.mark.parametrize("given", ["", None, {"a": 1}, "a\nb", "a\rb", "x#y", 'a "b" c', []])
def test_values_no_file_can_carry_fail(given):
    with pytest.raises(AnsibleFilterError, match="slurm_conf_value: "):
        value(given)


def test_problems_name_each_value():
    message = problems({"MailProg": "/bin/mail\nSlurmUser=root", "A": "ok", "B": "", "C": "x # y"}, "slurm_config")
    assert message.startswith("slurm_config: B '' is empty (null removes a key); C 'x # y' holds '#', from")
    assert "MailProg '/bin/mail\\nSlurmUser=root' holds a line break" in message
    assert " A " not in message
    assert message.endswith("fix or remove these values.")


def test_problems_of_good_values_are_empty():
    assert problems({"A": "ok", "B": ["x", "y"], "C": True, "D": "two words"}, "x") == ""


def test_secret_values_are_not_shown():
    message = problems({"StoragePass": "s3cr3t v4lue#1"}, "slurmdbd_db_password", secret_keys=["StoragePass"])
    assert message.startswith("slurmdbd_db_password: StoragePass (value not shown) holds '#'")
    assert "s3cr3t" not in message and "v4lue" not in message


def test_settings_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="slurmdbd_config must be a dictionary, got list"):
        problems([], "slurmdbd_config")
