# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared fixtures of the hpc.cluster unit tests.

Run from the repository root:  .venv/bin/pytest collections/ansible_collections/hpc/cluster/tests/unit
"""

from __future__ import annotations

import pathlib
import sys
from unittest import mock

import pytest

# .../collections/ansible_collections/hpc/cluster/tests/unit/conftest.py -> .../collections
COLLECTIONS = pathlib.Path(__file__).resolve().parents[5]
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402


class ModuleExit(Exception):
    """Raised instead of exit_json/fail_json; carries the result."""

    def __init__(self, result):
        super().__init__(result.get("msg", ""))
        self.result = result


class FakeCommands:
    """run_command replacement that checks each call against a table.

    Each entry: (argv after the binary path, rc, stdout, stderr). The binary
    itself is checked by name (last path component) when the entry's argv is
    given as (binary, [args...]). An entry may also be a function of the whole
    argv returning (rc, stdout, stderr), for an argument the test cannot know.
    """

    def __init__(self, table):
        self.table = list(table)
        self.calls = []

    def __call__(self, module, args, **kwargs):
        assert isinstance(args, list), "commands must be argv lists, got %r" % (args,)
        self.calls.append(list(args))
        assert self.table, "unexpected command %r" % (args,)
        env = kwargs.get("environ_update") or {}
        assert env.get("LC_ALL") == "C", "commands must run with LC_ALL=C"
        if callable(self.table[0]):
            return self.table.pop(0)(list(args))
        expected, rc, out, err = self.table.pop(0)
        if isinstance(expected, tuple):
            binary, expected = expected
            assert args[0].rsplit("/", 1)[-1] == binary, (args, binary)
        assert args[1:] == expected, "command %r, expected %r" % (args[1:], expected)
        return rc, out, err


@pytest.fixture
def run_module():
    """run_module(main, args, table, check_mode=False, diff=False, bins=None) -> (result, calls)."""

    def _run(main, args, table, check_mode=False, diff=False, bins=None):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        fake = FakeCommands(table)
        bins = bins or {}

        def exit_json(self, **kwargs):
            kwargs.setdefault("failed", False)
            raise ModuleExit(kwargs)

        def fail_json(self, msg, **kwargs):
            kwargs["msg"] = msg
            kwargs["failed"] = True
            raise ModuleExit(kwargs)

        def get_bin_path(self, name, required=False, opt_dirs=None):
            path = bins.get(name, "/usr/bin/%s" % name)
            if path is None and required:
                self.fail_json(msg="Failed to find required executable %s" % name)
            return path

        def run_command(self, cmd, **kwargs):
            return fake(self, cmd, **kwargs)

        with patch_module_args(args), mock.patch.multiple(
            basic.AnsibleModule,
            exit_json=exit_json,
            fail_json=fail_json,
            get_bin_path=get_bin_path,
            run_command=run_command,
        ):
            with pytest.raises(ModuleExit) as caught:
                main()
        assert not fake.table, "commands expected but not run: %r" % (fake.table,)
        return caught.value.result, fake.calls

    return _run


@pytest.fixture(scope="module")
def plugin_loader():
    """Ansible's collection finder (the plugin loaders need it), without its sys.path hook.

    pytest puts these tests' directories, inside the collection path, on sys.path, and conftest's
    sys.path entry makes ansible_collections a plain namespace package. The finder's path hook
    claims every sys.path entry inside a collection path; when Python recomputes the namespace
    package's __path__ (sys.path grew), that hook's finder raises ValueError for the top-level
    ansible_collections. The hook only serves pkgutil.iter_modules; the meta path finder loads plugins.
    """
    from ansible.plugins.loader import init_plugin_loader
    from ansible.utils.collection_loader import AnsibleCollectionConfig
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    installed = AnsibleCollectionConfig.collection_finder is None
    if installed:
        init_plugin_loader()
    hook = AnsibleCollectionConfig.collection_finder._ansible_collection_path_hook
    hooked = hook in sys.path_hooks
    if hooked:
        sys.path_hooks.remove(hook)
        sys.path_importer_cache.clear()  # drop the path entry finders the hook made
    yield
    if installed:
        _AnsibleCollectionFinder._remove()
    elif hooked:
        sys.path_hooks.insert(0, hook)
        sys.path_importer_cache.clear()
