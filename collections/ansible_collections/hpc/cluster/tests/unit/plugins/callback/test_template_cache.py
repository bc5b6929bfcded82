# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""template_cache: a template text compiled once, the same results as without the cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ansible._internal._templating._jinja_bits import AnsibleEnvironment
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.hpc.cluster.plugins.callback import template_cache


@pytest.fixture
def cache(monkeypatch, tmp_path):
    """The memo installed on AnsibleEnvironment for one test (put back after), with compilations counted."""
    original = AnsibleEnvironment.compile
    compiled = []

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(str(source) if isinstance(source, str) else source)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(AnsibleEnvironment, "compile", counting)
    monkeypatch.setattr(AnsibleEnvironment, "compile_expression", AnsibleEnvironment.compile_expression)
    assert template_cache.install(directory=str(tmp_path)) is True
    memo = AnsibleEnvironment.compile.hpc_cluster_cache
    yield memo, compiled
    monkeypatch.setattr(AnsibleEnvironment, "compile", original)


def render(text, **variables):
    return Templar(loader=DataLoader(), variables=variables).template(trust_as_template(text))


def holds(condition, **variables):
    return Templar(loader=DataLoader(), variables=variables).evaluate_conditional(trust_as_template(condition))


def expression_keys(memo):
    return [key[0][1] for key in memo if isinstance(key[0], tuple) and key[0][0] == "expression"]


def test_a_text_is_compiled_once_and_renders_with_each_call_s_variables(cache):
    memo, compiled = cache
    assert render("{{ x }}-{{ y | default('none') }}", x=1) == "1-none"
    assert render("{{ x }}-{{ y | default('none') }}", x=2, y="b") == "2-b"
    assert compiled.count("{{ x }}-{{ y | default('none') }}") == 1
    assert len(memo) == 1


def test_texts_differ_and_so_do_their_codes(cache):
    memo, _compiled = cache
    assert render("a{{ x }}", x=1) == "a1"
    assert render("b{{ x }}", x=1) == "b1"
    assert len(memo) == 2


def test_an_override_header_is_another_compilation(cache):
    """'#jinja2:' settings (here the variable delimiters) are part of the key."""
    memo, _compiled = cache
    assert render("<<x>> {{ x }}", x=1) == "<<x>> 1"
    assert render("#jinja2:variable_start_string:'<<',variable_end_string:'>>'\n<<x>> {{ x }}", x=1) == "1 {{ x }}"
    assert render("<<x>> {{ x }}", x=2) == "<<x>> 2"
    assert len(memo) == 2


def test_an_expression_is_compiled_once_and_evaluated_with_each_call_s_variables(cache):
    """A condition (compile_expression: a parsed tree, not a text) is memoised by its text."""
    memo, compiled = cache
    assert holds("x == 1 and y | default(0) < 2", x=1) is True
    assert holds("x == 1 and y | default(0) < 2", x=2) is False
    assert holds("x == 1 and y | default(0) < 2", x=1, y=5) is False
    assert len([source for source in compiled if not isinstance(source, str)]) == 1
    assert expression_keys(memo) == ["x == 1 and y | default(0) < 2"]


def test_an_expression_and_a_template_of_the_same_text_are_two_compilations(cache):
    memo, _compiled = cache
    environment = AnsibleEnvironment()
    environment.compile_expression("1 + 1")
    environment.compile("1 + 1")
    assert len(memo) == 2 and expression_keys(memo) == ["1 + 1"]


def test_a_tree_not_from_an_expression_is_not_memoised(cache):
    """After an expression that does not parse, a tree compiled directly is not taken for it."""
    from jinja2 import TemplateSyntaxError, nodes

    memo, _compiled = cache
    environment = AnsibleEnvironment()
    with pytest.raises(TemplateSyntaxError):
        environment.compile_expression("x ==")
    tree = nodes.Template([nodes.Output([nodes.TemplateData("plain")])], lineno=1)
    environment.compile(tree)
    environment.compile(tree)
    assert memo == {}


def test_escaped_backslashes_are_another_compilation(cache):
    from ansible._internal._templating._jinja_bits import _TemplateCompileContext

    memo, _compiled = cache
    environment = AnsibleEnvironment()
    with _TemplateCompileContext(escape_backslashes=True):
        escaped = environment.compile("{{ 'a\\nb' }}")
    plain = environment.compile("{{ 'a\\nb' }}")
    assert len(memo) == 2 and escaped is not plain


def test_template_debugging_bypasses_the_cache(cache, monkeypatch):
    memo, compiled = cache
    monkeypatch.setattr(AnsibleEnvironment, "_debuggable_template_source", True, raising=False)
    environment = AnsibleEnvironment()
    environment.compile("{{ 1 }}")
    environment.compile("{{ 1 }}")
    assert compiled == ["{{ 1 }}", "{{ 1 }}"]
    assert memo == {}


def test_a_full_cache_starts_again(cache, monkeypatch):
    memo, _compiled = cache
    monkeypatch.setattr(template_cache, "LIMIT", 2)
    for text in ("{{ 1 }}", "{{ 2 }}", "{{ 3 }}"):
        AnsibleEnvironment().compile(text)
    assert len(memo) == 1


def test_install_twice_keeps_one_memo(cache):
    memo, _compiled = cache
    assert template_cache.install() is True
    assert AnsibleEnvironment.compile.hpc_cluster_cache is memo


def test_the_callback_installs_it(monkeypatch):
    """All three patches (and none for real here: they would stay for the tests after this one)."""
    calls = []
    for name in ("install", "layer_template_lookup_variables", "resolve_plugin_names_once"):
        monkeypatch.setattr(template_cache, name, lambda name=name: calls.append(name))
    template_cache.CallbackModule()
    assert calls == ["install", "layer_template_lookup_variables", "resolve_plugin_names_once"]


def test_the_first_play_loads_the_collection_s_filters_once(monkeypatch):
    """Loaded before the workers fork: each filter file of plugins/filter by its name, once per run."""
    from ansible.plugins.loader import filter_loader

    for name in ("install", "layer_template_lookup_variables", "resolve_plugin_names_once"):
        monkeypatch.setattr(template_cache, name, lambda: True)
    asked = []
    monkeypatch.setattr(filter_loader, "get", lambda name: asked.append(name) or (lambda value: value))
    callback = template_cache.CallbackModule()
    callback.v2_playbook_on_play_start(None)
    callback.v2_playbook_on_play_start(None)
    folder = Path(template_cache.__file__).parent.parent / "filter"
    names = sorted(path.stem for path in folder.glob("*.py") if not path.stem.startswith("_"))
    assert len(names) > 10 and asked == ["hpc.cluster." + name for name in names]


def test_loading_the_filters_really_loads_them():
    """In a process of its own, with the collection finder set up as ansible-playbook does."""
    collections = Path(template_cache.__file__).resolve().parents[5]
    script = "\n".join([
        "import sys",
        "from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder",
        "_AnsibleCollectionFinder(paths=[sys.argv[1]])._install()",
        "from ansible_collections.hpc.cluster.plugins.callback import template_cache",
        "from ansible.plugins.loader import filter_loader",
        "module = 'ansible_collections.hpc.cluster.plugins.filter.hostlist_expand'",
        "assert module not in sys.modules",
        "print(' '.join(template_cache.load_filters()))",
        "assert module in sys.modules",
        "print(filter_loader.get('hpc.cluster.hostlist_expand').j2_function('n[1-2]'))",
    ])
    done = subprocess.run([sys.executable, "-c", script, str(collections)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    names, expanded = done.stdout.splitlines()
    assert {"subid_ranges", "hostlist_expand", "slurm_accounting_problems"} <= set(names.split())
    assert expanded == "['n1', 'n2']"


def test_a_later_process_loads_the_code_from_disk(cache, tmp_path):
    """What one worker compiled, the next (memo empty, as in a new process) loads instead."""
    memo, compiled = cache
    assert render("{{ x * 2 }}", x=2) == 4
    assert holds("x > 1", x=2) is True
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2 and all(path.name.startswith("__hpc_cluster_") for path in files)
    memo.clear()
    before = len(compiled)
    assert render("{{ x * 2 }}", x=5) == 10
    assert holds("x > 1", x=0) is False
    assert len(compiled) == before, "compiled again instead of loaded"


def test_a_damaged_file_is_compiled_again(cache, tmp_path):
    memo, compiled = cache
    assert render("{{ x + 1 }}", x=1) == 2
    for path in tmp_path.iterdir():
        path.write_bytes(b"not a bytecode file")
    memo.clear()
    assert render("{{ x + 1 }}", x=2) == 3
    assert compiled.count("{{ x + 1 }}") == 2


def test_a_setting_without_a_stable_name_stays_in_memory(tmp_path):
    disk = template_cache.DiskCache("versions", str(tmp_path))
    assert disk.name(("{{ 1 }}", None, (lambda value: value,))) is None
    assert disk.name(("{{ 1 }}", None, (object(),))) is None
    assert disk.name(("{{ 1 }}", None, (AnsibleEnvironment, "text", 1))) == (
        "versions ('{{ 1 }}', None, (%s.AnsibleEnvironment, 'text', 1))" % AnsibleEnvironment.__module__)


class Uncopyable:
    """A variable that refuses a deep copy, as a costly one would be better refused."""

    def __deepcopy__(self, memo):
        raise AssertionError("deep-copied")


def render_file(tmp_path, text, variables, **options):
    """ansible.builtin.template's lookup on a file holding text."""
    from ansible.plugins.loader import lookup_loader

    (tmp_path / "file.j2").write_text(text)
    templar = Templar(loader=DataLoader(), variables=variables)
    lookup = lookup_loader.get("ansible.builtin.template", loader=templar._loader, templar=templar)
    variables = dict(variables, ansible_search_path=[str(tmp_path)])
    return lookup.run([str(tmp_path / "file.j2")], variables, **options)[0], variables


def loaded_template_lookup():
    """The module of the template lookup as the plugin loader loaded it (the one lookups use)."""
    from ansible.plugins.loader import lookup_loader

    return sys.modules[lookup_loader.get("ansible.builtin.template", class_only=True).__module__]


@pytest.fixture
def layered(monkeypatch, plugin_loader):
    template_lookup = loaded_template_lookup()
    monkeypatch.setattr(template_lookup, "deepcopy", template_lookup.deepcopy)
    assert template_cache.layer_template_lookup_variables() is True
    assert template_cache.layer_template_lookup_variables() is True
    return template_lookup


def test_the_template_lookup_does_not_deep_copy_the_task_s_variables(layered, tmp_path):
    text, _variables = render_file(tmp_path, "{{ x }} {{ guard is defined }}", {"x": 1, "guard": Uncopyable()})
    assert text == "1 True"


def test_the_template_lookup_s_own_variables_stay_in_its_layer(layered, tmp_path):
    """template_vars and the template_* variables reach the template, not the task's variables."""
    text, variables = render_file(tmp_path, "{{ x }} {{ y }} {{ template_path | basename }} {{ ansible_managed }}",
                                  {"x": 1}, template_vars={"y": 2, "x": 3})
    assert text.startswith("3 2 file.j2 ")
    assert "Ansible managed" in text
    assert set(variables) == {"x", "ansible_search_path"} and variables["x"] == 1


def test_an_unknown_copy_is_left_as_it_is(monkeypatch, plugin_loader):
    monkeypatch.setattr(loaded_template_lookup(), "deepcopy", lambda value: value)
    assert template_cache.layer_template_lookup_variables() is False


@pytest.fixture
def resolving(monkeypatch, plugin_loader):
    """The names a filter loader resolves, with the memo installed for one test."""
    from ansible._internal._templating._jinja_plugins import JinjaPluginIntercept
    from ansible.plugins.loader import Jinja2Loader

    monkeypatch.setattr(JinjaPluginIntercept, "__getitem__", JinjaPluginIntercept.__getitem__)
    asked = []
    original = Jinja2Loader.get

    def counting(self, name, *args, **kwargs):
        asked.append((self.type, name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(Jinja2Loader, "get", counting)
    assert template_cache.resolve_plugin_names_once() is True
    assert template_cache.resolve_plugin_names_once() is True
    return asked


def test_a_filter_name_is_resolved_once_for_every_environment(resolving):
    first = render("{{ a | combine(b) | dict2items | length }}", a={"x": 1}, b={"y": 2})
    second = render("{{ a | combine(b) | dict2items | length }}", a={"x": 1}, b={"z": 3, "w": 4})
    assert (first, second) == (2, 3)
    assert resolving.count(("filter", "combine")) == 1
    assert resolving.count(("filter", "dict2items")) == 1


def test_a_test_and_a_filter_of_one_name_stay_apart(resolving):
    assert render("{{ [1, 2] | map('string') | list }} {{ 'a' is string }}") == "['1', '2'] True"
    assert render("{{ 'x' is string }}") is True


def test_an_environment_s_own_filter_comes_first(resolving):
    templar = Templar(loader=DataLoader(), variables={})
    templar.environment.filters["combine"] = lambda *args: "own"
    assert templar.template(trust_as_template("{{ {} | combine({}) }}")) == "own"
    assert render("{{ {'a': 1} | combine({}) }}") == {"a": 1}
