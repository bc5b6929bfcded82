"""The task files of the roles and playbooks, and a walk through their tasks, for static tests."""

from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
# Every YAML file of the roles and playbooks that may hold tasks or plays.
SOURCES = sorted(p for top in ("roles", "playbooks") for p in (TOP / top).rglob("*.yml")
                 if "templates" not in p.parts and "defaults" not in p.parts)
NESTED = ("block", "rescue", "always", "tasks", "pre_tasks", "post_tasks", "handlers")


def walk(node, conditions=()):
    """(task, conditions) for every mapping of parsed YAML that may hold a module call, plays and
    blocks walked; conditions are the task's own `when` after those of its blocks."""
    if isinstance(node, list):
        for item in node:
            yield from walk(item, conditions)
    elif isinstance(node, dict):
        when = node.get("when", [])
        when = tuple(conditions) + tuple(when if isinstance(when, list) else [when])
        yield node, when
        for key in NESTED:
            yield from walk(node.get(key), when)


def tasks_of(path):
    """The tasks of one file, blocks walked."""
    return [task for task, _ in walk(yaml.safe_load(Path(path).read_text()))]


def all_tasks(sources=SOURCES):
    """(path relative to the top, task) for every task of the sources."""
    for path in sources:
        for task in tasks_of(path):
            yield path.relative_to(TOP), task
