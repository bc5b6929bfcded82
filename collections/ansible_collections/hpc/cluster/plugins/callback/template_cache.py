# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: template_cache
type: aggregate
short_description: Compiles each Jinja template text and each expression once per run
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - ansible-core 2.19 compiles a template from its text (C(Environment.from_string)) each time it
    renders it, without Jinja's template cache, which only serves templates loaded by name. Within
    one task's worker process the same text is often rendered several times (a role variable read
    by several others, a loop's item); a re-run of this project's site on four nodes compiled 2,245
    texts (389 distinct) in its 423 worker processes, about 1.5 ms each, and 393 of them had been
    compiled before in the same process.
  - This callback memoises that compilation for the process (and the processes forked from it). The
    key is all the compilation reads (the text, the environment's class and settings - delimiters,
    block trimming, newlines, finalize, undefined - the template name, and whether backslashes are
    escaped), so a hit gives the code object a new compilation would. Each rendering still builds its
    own template object from that code, with its own globals.
  - Expressions (a C(when), a C(changed_when), an assert's C(that)) are compiled by
    C(Environment.compile_expression), which parses the text into a tree and compiles the tree; the
    tree is parsed again each time (cheap) and its compilation, the costly part, is memoised with the
    expression's text in place of the template text. The controller evaluates every host's C(when) of
    every task (and the workers it forks inherit what it compiled before the fork).
  - Each worker process is forked for one task and host, and compiles anew what no process before
    it compiled (a third of a worker's CPU went there). So the code is also kept on disk, with
    Jinja's own bytecode cache (C(FileSystemBytecodeCache), in a directory of the user's own in the
    system's temporary directory, mode 0700, checked before use, files written whole and renamed),
    keyed by all of the above and the versions of ansible-core and Jinja (Jinja's file header holds
    Python's). A worker, or a later run, loads the code instead of compiling it. A key that cannot
    be written stably (a setting without a stable name) is kept in memory only, and with no usable
    directory the cache is memory only.
  - When the first play starts, it also loads this collection's filter plugins in the controller's
    process, so that every worker forked after it has them (a worker otherwise loads, and without
    bytecode files compiles, each filter file its templates call, a tenth of its CPU).
  - It also spares C(ansible.builtin.template)'s lookup a deep copy of every variable of the task for
    each file it renders (the copy only keeps the lookup's own C(template_*) variables and
    C(template_vars) out of the task's); they go to a layer of their own over the task's variables
    (a C(ChainMap)), which the lookup's own code suggests. A template that changes a variable's
    contents in place would now change the task's; this project's templates change none.
  - And it resolves each filter and test name once per process. ansible-core resolves a name (its
    collection's metadata, redirects, the plugin's module) once per Jinja environment, and makes an
    environment for nearly every templating object, so the controller resolved C(combine) and its
    like again for most tasks and hosts. An environment's own additions still come first.
  - It is off while ansible-core's template debugging (which rewrites the compiled source) is on.
  - It changes no result and prints nothing. With ansible-core versions whose internals differ, it
    does nothing.
requirements:
  - enable it in C(callbacks_enabled) (this project's C(ansible.cfg) does)
"""

EXAMPLES = r"""
# In ansible.cfg (an ini file, not YAML):
#   [defaults]
#   callbacks_enabled = hpc.cluster.template_cache
"""

import copy
import os
import sys
import threading
from collections import ChainMap

from ansible.plugins.callback import CallbackBase
from jinja2 import nodes
from jinja2.bccache import FileSystemBytecodeCache

# Bound on the entries kept (a run of this project's site compiles about 2,000 distinct texts).
LIMIT = 20000
# The environment's settings the compilation reads, beside the override fields (delimiters, ...).
SETTINGS = ("optimized", "autoescape", "is_async", "finalize", "undefined", "code_generator_class",
            "extensions")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "hpc.cluster.template_cache"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        install()
        layer_template_lookup_variables()
        resolve_plugin_names_once()
        self.filters_loaded = False

    def v2_playbook_on_play_start(self, play):
        if not self.filters_loaded:
            load_filters()
            self.filters_loaded = True


def load_filters():
    """Load this collection's filter plugins in this process; the names loaded."""
    from ansible.plugins.loader import filter_loader

    folder = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "filter")
    loaded = []
    for file_name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        name, extension = os.path.splitext(file_name)
        if extension != ".py" or name.startswith("_"):
            continue
        try:
            found = filter_loader.get("hpc.cluster." + name)
        except Exception:  # noqa: BLE001 - the worker loads it (and reports any error) as before
            found = None
        if found is not None:
            loaded.append(name)
    return loaded


def layered_variables(variables):
    """The template lookup's copy of the task's variables: a layer of its own over them."""
    return ChainMap({}, variables)


def layer_template_lookup_variables():
    """ansible.builtin.template's lookup takes layered_variables() for its deep copy; True when it does.

    In the module the plugin loader loaded (and keeps: the lookups of this process and of the workers
    forked from it use it), which is not the module an import gives.
    """
    try:
        from ansible.plugins.loader import lookup_loader

        module = sys.modules[lookup_loader.get("ansible.builtin.template", class_only=True).__module__]
    except Exception:  # noqa: BLE001 - no such lookup or loader here: left as it is
        return False
    current = getattr(module, "deepcopy", None)
    if current is layered_variables:
        return True
    if current is not copy.deepcopy:  # an ansible-core that copies otherwise: left as it is
        return False
    module.deepcopy = layered_variables
    return True


def resolve_plugin_names_once():
    """A Jinja environment's filters and tests (JinjaPluginIntercept) resolved once per process and name;
    True when installed (now or before)."""
    try:
        from ansible._internal._templating._jinja_plugins import JinjaPluginIntercept
    except ImportError:
        return False
    original = JinjaPluginIntercept.__getitem__
    if hasattr(original, "hpc_cluster_resolved"):
        return True
    resolved = {}

    def __getitem__(self, key):
        own = getattr(self, "_wrapped_funcs", {}).get(key)  # this environment's own, or resolved by it
        if own is not None:
            return own
        found = resolved.get((self._plugin_loader.type, key))
        if found is None:
            found = original(self, key)
            resolved[(self._plugin_loader.type, key)] = found
        return found

    __getitem__.hpc_cluster_resolved = resolved
    JinjaPluginIntercept.__getitem__ = __getitem__
    return True


def _setting(value):
    if isinstance(value, dict):
        return tuple(sorted(value))
    return value


def _stable(value):
    """A text for value that is the same in every run, or None (a function's or class's by its name)."""
    if isinstance(value, type) or callable(value):
        name = getattr(value, "__qualname__", None)
        return None if name is None or "<" in name else "%s.%s" % (getattr(value, "__module__", ""), name)
    if isinstance(value, tuple):
        parts = [_stable(part) for part in value]
        return None if None in parts else "(%s)" % ", ".join(parts)
    text = repr(value)
    return None if " at 0x" in text else text


class DiskCache:
    """Compiled code kept in files between processes and runs (Jinja's FileSystemBytecodeCache)."""

    PATTERN = "__hpc_cluster_%s.cache"

    def __init__(self, versions, directory=None):
        self.versions = versions
        try:
            self.store = FileSystemBytecodeCache(directory, self.PATTERN)
        except (OSError, RuntimeError):
            self.store = None

    def name(self, key):
        text = _stable(key)
        return None if self.store is None or text is None else "%s %s" % (self.versions, text)

    def load(self, environment, key, source):
        name = self.name(key)
        if name is None:
            return None, None
        try:
            bucket = self.store.get_bucket(environment, name, None, source)
        except Exception:  # noqa: BLE001 - an unreadable entry is a miss, never a failed run
            return None, None
        return bucket.code, bucket

    def save(self, bucket, code):
        if bucket is None:
            return
        bucket.code = code
        try:
            self.store.set_bucket(bucket)
        except Exception:  # noqa: BLE001 - a cache that cannot be written is memory only
            pass


def cached_compile(original, compile_context, override_names, cache, expression, disk):
    """Environment.compile, memoised in cache (see DOCUMENTATION).

    A template text is its own key; the tree of an expression (compile_expression's, marked in
    expression.text by cached_compile_expression) is keyed by the expression's text. disk (DiskCache)
    is looked in before compiling, and keeps what was compiled.
    """

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        text, expression.text = getattr(expression, "text", None), None
        if isinstance(source, str):
            text = str(source)
        elif text is not None and isinstance(source, nodes.Template):
            text = ("expression", text)
        else:
            text = None
        if raw or text is None or getattr(self, "_debuggable_template_source", False):
            return original(self, source, name, filename, raw, defer_init)
        context = compile_context.current(optional=True)
        try:
            key = (text, name, filename, defer_init, bool(context and context.escape_backslashes), type(self),
                   tuple(getattr(self, field) for field in override_names),
                   tuple(_setting(getattr(self, setting, None)) for setting in SETTINGS))
            hash(key)
        except (AttributeError, TypeError):
            return original(self, source, name, filename, raw, defer_init)
        code = cache.get(key)
        if code is None:
            code, bucket = disk.load(self, key, str(text))
            if code is None:
                code = original(self, source, name, filename, raw, defer_init)
                disk.save(bucket, code)
            if len(cache) >= LIMIT:
                cache.clear()
            cache[key] = code
        return code

    compile.hpc_cluster_cache = cache
    return compile


def cached_compile_expression(original, expression):
    """Environment.compile_expression marking its expression's text for the next compile (its tree's)."""

    def compile_expression(self, source, *args, **kwargs):
        expression.text = source if isinstance(source, str) else None
        try:
            return original(self, source, *args, **kwargs)
        finally:
            expression.text = None

    return compile_expression


def install(directory=None):
    """Memoise AnsibleEnvironment.compile (templates and expressions); True when installed (now or before).

    directory: where the compiled code is kept (default: Jinja's per-user directory in the temporary directory).
    """
    try:
        from ansible._internal._templating._jinja_bits import (
            _TEMPLATE_OVERRIDE_FIELD_NAMES,
            AnsibleEnvironment,
            _TemplateCompileContext,
        )
    except ImportError:
        return False
    if hasattr(AnsibleEnvironment.compile, "hpc_cluster_cache"):
        return True
    import jinja2
    from ansible.release import __version__

    expression = threading.local()
    disk = DiskCache("ansible-core %s jinja2 %s" % (__version__, jinja2.__version__), directory)
    AnsibleEnvironment.compile = cached_compile(AnsibleEnvironment.compile, _TemplateCompileContext,
                                                _TEMPLATE_OVERRIDE_FIELD_NAMES, {}, expression, disk)
    AnsibleEnvironment.compile_expression = cached_compile_expression(AnsibleEnvironment.compile_expression,
                                                                      expression)
    return True
