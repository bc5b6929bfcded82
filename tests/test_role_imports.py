"""A role import that has no argument spec to validate does not load the role's argument specs.

ansible-core reads a role's meta/argument_specs.yml at each import_role or include_role whose
rolespec_validate is true (its default), to find the spec of the entry point, and copies it deeply
from its file cache: the largest file of most roles here, read at each of the ~35 imports of
site.yml although only the roles' main and preflight.yml entry points have a spec. Those imports
say rolespec_validate: false (the playbook's parse: about 0.1-0.3 s less for site.yml and
slurm.yml on the lab machine); an import of an entry point with a spec keeps its validation.
"""

import pytest
import yaml
from task_files import SOURCES, TOP, all_tasks

IMPORTS = ("ansible.builtin.import_role", "ansible.builtin.include_role", "import_role", "include_role")


def entry_points(role):
    specs = yaml.safe_load((TOP / "roles" / role / "meta" / "argument_specs.yml").read_text())
    return set(specs["argument_specs"])


def role_imports():
    for path, task in all_tasks(SOURCES):
        module = next((m for m in IMPORTS if m in task), None)
        if module:
            yield str(path), task.get("name"), task[module]


def has_spec(args):
    entry = args.get("tasks_from", "main")
    return entry in entry_points(args["name"])


def test_imports_found():
    imports = list(role_imports())
    # Every role's checks and converge in the preflight and the plays, the helpers' imports.
    assert len(imports) >= 30
    assert any(has_spec(args) for _, _, args in imports)  # the main entry point (playbooks/tasks)


@pytest.mark.parametrize("path,name,args", list(role_imports()), ids=lambda v: v if isinstance(v, str) else "")
def test_an_import_without_a_spec_loads_none(path, name, args):
    if has_spec(args):
        assert args.get("rolespec_validate", True) is True, (path, name, "its entry point has a spec: validate it")
    else:
        assert args.get("rolespec_validate") is False, (
            path, name, "entry point %r of role %s has no argument spec: say rolespec_validate: false"
            % (args.get("tasks_from", "main"), args["name"]))
