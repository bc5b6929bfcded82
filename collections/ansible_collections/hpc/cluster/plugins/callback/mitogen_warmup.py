# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: mitogen_warmup
type: aggregate
short_description: Warms Mitogen's caches once, before its worker processes fork
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - With Mitogen's strategies (C(mitogen_linear), C(mitogen_free)), every task that runs a module of a
    collection lists every installed collection (C(ansible.collections.list.list_collection_dirs)) in
    its worker process, which ansible-core forks anew for each task and host. The listing reads each
    collection's metadata every time (the 90-odd collections of the C(ansible) package), and was a
    sixth of a worker's CPU in a re-run of this project's site even after the first listing had
    imported ansible-core's Galaxy code.
  - This callback lists them once in the controller's main process when the first play with a Mitogen
    strategy starts, and gives that list to Mitogen's planner (its C(_load_collections), which adds
    each collection directory to the module's import paths) in place of a new listing, in every worker
    forked after it. Collections installed while a playbook runs are not seen by that run (nor were they
    by its earlier tasks).
  - Mitogen scans each module's imports in its multiplexer process (forked after that point), compiling
    every file a module imports, C(basic.py) and the fifty-odd files it pulls in included, once per
    distinct module and run (some 0.1 s of CPU each, 2 to 3 s of a re-run of this project's site).
    The callback lets that scan compile each source once per run. It memoises the C(compile) that
    C(ansible_mitogen.module_finder) calls on the source, file name and mode, which gives the same code
    object a new compilation would.
  - With other strategies it does nothing. It changes no result and prints nothing.
requirements:
  - enable it in C(callbacks_enabled) (this project's C(ansible.cfg) does)
"""

EXAMPLES = r"""
# In ansible.cfg (an ini file, not YAML):
#   [defaults]
#   callbacks_enabled = hpc.cluster.mitogen_warmup
"""

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hpc.cluster.mitogen_warmup"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warmed = False

    def v2_playbook_on_play_start(self, play):
        from ansible import constants as C

        strategy = getattr(play, "strategy", None) or C.DEFAULT_STRATEGY
        if self.warmed or "mitogen" not in str(strategy):
            return
        list_collections_once()
        memoize_module_scans()
        self.warmed = True


def list_collections_once():
    """Mitogen's planner served one listing of the collections; True when installed (now or before)."""
    try:
        from ansible_mitogen import planner
    except ImportError:
        return False
    original = getattr(planner, "_load_collections", None)
    if original is None:
        return False
    if getattr(original, "hpc_cluster_dirs", None) is not None:
        return True
    from ansible.collections.list import list_collection_dirs

    dirs = tuple(path.decode("utf-8") if isinstance(path, bytes) else path for path in list_collection_dirs())

    def _load_collections(invocation):
        invocation._extra_sys_paths.update(dirs)

    _load_collections.hpc_cluster_dirs = dirs
    planner._load_collections = _load_collections
    return True


def compile_once(cache):
    """compile(), memoised in cache for byte sources compiled with no flags."""

    def compile_source(source, filename, mode, *args, **kwargs):
        if args or kwargs or not isinstance(source, bytes):
            return compile(source, filename, mode, *args, **kwargs)
        key = (source, filename, mode)
        code = cache.get(key)
        if code is None:
            code = cache[key] = compile(source, filename, mode)
        return code

    compile_source.hpc_cluster_cache = cache
    return compile_source


def memoize_module_scans():
    """One compilation per source for Mitogen's module scans; True when installed (see DOCUMENTATION)."""
    try:
        from ansible_mitogen import module_finder
    except ImportError:
        return False
    # The module calls the builtin compile() by its global name: a global of that name is found first.
    if not hasattr(getattr(module_finder, "compile", None), "hpc_cluster_cache"):
        module_finder.compile = compile_once({})
    return True
