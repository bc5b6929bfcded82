#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: files
short_description: A role's directories and small files in one call
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Makes each entry of O(entries) what it says, in order, in one module call per host. A directory is
    made with its missing parents, which get the same owner, group and mode, as
    M(ansible.builtin.file) does. A file gets the given content, written to a temporary file
    beside it and renamed over it, as M(ansible.builtin.copy) does. Owner, group and mode are put
    right where they differ, and a re-run changes nothing.
  - A role's configuration step that would be a M(ansible.builtin.file) or M(ansible.builtin.copy)
    task per path (a module call per path and host) is one task.
  - Refuses, before changing anything, an entry whose path holds something of another kind (a file
    where a directory goes, a directory where a file goes), naming it.
  - Without O(entries[].owner), O(entries[].group) or O(entries[].mode) those are left as they are
    (a new path gets root's and the umask's). Modes are octal (C(0644)) or symbolic (C(o+x)), as
    M(ansible.builtin.file) takes them. SELinux contexts are left to the policy's defaults.
options:
  entries:
    description: The paths, in order (a directory before the files in it).
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      state:
        description:
          - C(directory), C(file), or C(absent) (a file or a link removed
            when it is there; a directory is refused, never removed).
          - C(line) keeps one line in a file and the rest of the file as it is, as
            M(ansible.builtin.lineinfile) does; a missing file is refused before any change, or made
            with that line with O(entries[].create).
        type: str
        choices: [directory, file, absent, line]
        default: directory
      content:
        description:
          - The file's whole content.
          - Without it, the file must exist already (a missing one is refused before any change),
            and only its owner, group and mode are put right.
        type: str
      owner:
        description: Owner (a name or a number).
        type: str
      group:
        description: Group (a name or a number).
        type: str
      mode:
        description: Mode, octal or symbolic; quote octal modes in YAML.
        type: raw
      report_previous:
        description:
          - When the file's content changes (or the file is removed), return its content before
            the change in RV(previous), so a later step can tell what changed (which daemon to
            restart, for one). Off by default, so that no file's content lands in a result unasked.
        type: bool
        default: false
      line:
        description: The line of a C(line) entry (without its newline).
        type: str
      regexp:
        description:
          - For a C(line) entry, a Python regular expression; the last line that matches it is
            replaced by O(entries[].line). Without a match the line is added, unless the file has it.
        type: str
      create:
        description: For a C(line) entry, make a missing file with the line.
        type: bool
        default: false
      insertafter:
        description:
          - For a C(line) entry that is added, a Python regular expression; the line goes after the
            last line that matches it, or at the end of the file when none does.
        type: str
      prune:
        description:
          - For a C(directory) entry, a shell pattern (C(site-*.yml)) of file names in it; the files and
            links it matches that no entry of this call names are removed (as C(absent) entries), so a
            file dropped from the settings does not stay behind. Subdirectories are left alone.
        type: str
      validate:
        description:
          - A command that checks the new content before the file is replaced, with C(%s) for the
            path of a temporary file holding it, as M(ansible.builtin.copy) takes it. When it fails the
            file is left as it was and the task fails with its output; the entries before it are
            written. Not run in check mode.
        type: str
  pending:
    description:
      - A file (absolute path) that makes a change whose run stopped before it was applied known to
        the next run. Before a file entry's content is written or a file removed, what the path held
        goes into this file (JSON), the first time only - its content for an entry with
        O(entries[].report_previous), else only the content's SHA-256 (no secret kept). The file stays
        until the caller, once it applied the change (a daemon restarted), removes it (an C(absent)
        entry of a later call).
      - While the file is there, each path it holds whose content is not the one it recorded is
        reported again in RV(changed_paths) and RV(replayed) (and in RV(previous), with the recorded
        content, for an entry with O(entries[].report_previous)), as if this run had just written it,
        so the caller applies it again. A path put back to the recorded content has nothing left to
        apply; when none is left the file is removed.
    type: path
  user_dirs:
    description:
      - After the entries, one private directory per user under a root, and links to them by name,
        in the same call, as M(hpc.cluster.user_dirs) makes them from the same options (C(root),
        C(users), C(mode), C(by_name)); an entry may make the root. What it would refuse is refused
        before any entry changes. Its paths made or put right are in RV(changed_paths).
    type: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: Create the configuration directories and write the configuration
  hpc.cluster.files:
    entries:
      - {path: /etc/containers, owner: root, group: root, mode: "0755"}
      - {path: /etc/containers/containers.conf, state: file, content: "{{ text }}", mode: "0644"}
      - {path: /var/lib/containers, mode: o+x}
"""

RETURN = r"""
changed_paths:
  description: The paths made or put right (in check mode, that would be).
  returned: always
  type: list
  elements: str
previous:
  description:
    - For each entry with O(entries[].report_previous) whose content changed or that was removed
      (in check mode, would be), its content before (V(null) for a file that did not exist).
    - With O(pending), the content before the earlier run's change, for the paths it holds.
    - Owner, group or mode changes alone are not in it.
  returned: always
  type: dict
  sample: {"/etc/slurm/slurm.conf": "ClusterName=lab\n..."}
replayed:
  description: The paths of O(pending) an earlier run changed and did not apply, reported again.
  returned: always
  type: list
  elements: str
"""

import fnmatch
import hashlib
import json
import os
import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hpc.cluster.plugins.module_utils import user_dirs as dirs_of_users
from ansible_collections.hpc.cluster.plugins.module_utils.file_write import CheckFailed, write_file


class Refused(Exception):
    pass


def check_entry(index, entry):
    """The entry's state (defaulted); raises Refused for a malformed entry."""
    path, state = entry.get("path"), entry.get("state") or "directory"
    if not path or not os.path.isabs(path):
        raise Refused("entries[%d]: path must be absolute, not %r" % (index, path))
    if state != "file" and entry.get("content") is not None:
        raise Refused("entries[%d] (%s): %s entry takes no content"
                      % (index, path, {"absent": "an absent", "line": "a line"}.get(state, "a directory")))
    if (state == "line") != (entry.get("line") is not None):
        raise Refused("entries[%d] (%s): %s" % (index, path, "a line entry needs line" if state == "line"
                                                  else "line is for a line entry (state line)"))
    if entry.get("prune") is not None and (state != "directory" or not entry["prune"] or "/" in entry["prune"]):
        raise Refused("entries[%d] (%s): prune is a file name pattern (no '/') of a directory entry, not %r"
                      % (index, path, entry["prune"]))
    for key in ("regexp", "insertafter"):
        if entry.get(key) is not None:
            try:
                re.compile(entry[key])
            except re.error as error:
                raise Refused("entries[%d] (%s): %s %r is not a regular expression (%s)"
                              % (index, path, key, entry[key], error)) from None
    return state


def user_dirs_problems(user_dirs):
    """What hpc.cluster.user_dirs would refuse, before any entry changes (a root or by_name an entry
    makes counts as empty)."""
    try:
        dirs_of_users.planned(user_dirs, check_mode=True)
    except dirs_of_users.Refused as exc:
        return ["user_dirs: %s" % exc]
    return []


def with_line(text, line, regexp=None, insertafter=None):
    """text with line in it as ansible.builtin.lineinfile puts it: in place of the last line matching
    regexp; else unchanged when the line is there; else after the last line matching insertafter,
    or at the end."""
    lines = text.splitlines(keepends=True)
    bare = [item.rstrip("\r\n") for item in lines]
    if regexp:
        matches = [index for index, item in enumerate(bare) if re.search(regexp, item)]
        if matches:
            index = matches[-1]
            lines[index] = line + (lines[index][len(bare[index]):] or "\n")
            return "".join(lines)
    if line in bare:
        return text
    after = [index for index, item in enumerate(bare) if insertafter and re.search(insertafter, item)]
    at = after[-1] + 1 if after else len(lines)
    if at == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines.insert(at, line + "\n")
    return "".join(lines)


def kind_problem(path, state, content=None, create=False):
    """A text when path holds something that is not a `state` (links are followed, as copy does),
    or when a file without content (attributes only), or of a line entry without create, is missing."""
    if state == "line":
        if not create and not os.path.lexists(path):
            return "%s does not exist (a line entry without create edits an existing file)" % path
        state, content = "file", ""
    if state == "file" and content is None and not os.path.isfile(path):
        return "%s does not exist (an entry without content puts right an existing file's owner, group and mode)" % path
    if state == "absent":
        return "%s is a directory (not removed)" % path if os.path.isdir(path) and not os.path.islink(path) else None
    if not os.path.lexists(path):
        above = os.path.dirname(path)
        while not os.path.lexists(above):
            above = os.path.dirname(above)
        return None if os.path.isdir(above) else "%s (above %s) is not a directory" % (above, path)
    is_dir = os.path.isdir(path)
    if state == "directory" and not is_dir:
        return "%s is not a directory" % path
    if state == "file" and (is_dir or not os.path.isfile(path)):
        return "%s is not a regular file" % path
    return None


def missing_parents(path):
    """The missing directories above and including path, top first."""
    missing = []
    while path and path != os.sep and not os.path.lexists(path):
        missing.append(path)
        path = os.path.dirname(path)
    return list(reversed(missing))


def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def attributes(module, entry, path):
    return module.load_file_common_arguments({"path": path, "owner": entry.get("owner"),
                                              "group": entry.get("group"), "mode": entry.get("mode")})


def text(content):
    return None if content is None else content.decode("utf-8", "replace")


class Pending:
    """The pending file: what each path written and not applied yet held before - its content (for
    an entry with report_previous) or that content's SHA-256 (the others: no secret kept)."""

    def __init__(self, module, path):
        self.module, self.path = module, path
        self.recorded = {}
        if path and os.path.exists(path):
            try:
                data = json.loads(read(path) or b"{}")
                self.recorded = {name: (kind, value) for kind in ("previous", "sha256")
                                 for name, value in data.get(kind, {}).items()}
            except (ValueError, AttributeError, TypeError):
                module.fail_json(msg="%s: not a record of pending changes; remove it and restart the daemons "
                                     "that read the files it is for" % path)
        self.earlier = dict(self.recorded)

    def record(self, path, before, report):
        """Keep what path held before (bytes, or None), ahead of its write (the first write only)."""
        if not self.path or path in self.recorded:
            return
        self.recorded[path] = ("previous", text(before)) if report else ("sha256", digest(before))
        if not self.module.check_mode:
            data = {kind: {name: value for name, (of, value) in self.recorded.items() if of == kind}
                    for kind in ("previous", "sha256")}
            write_file(self.module, self.path, json.dumps(data, indent=1, sort_keys=True).encode(), new_mode=0o600)

    def _left(self, path, after):
        """Whether path's content is not the one recorded (after: what this call left in the paths it wrote)."""
        kind, value = self.recorded[path]
        now = after[path] if path in after else read(path)
        return (text(now) if kind == "previous" else digest(now)) != value

    def replay(self, changed_paths, previous, after):
        """Report again what the earlier run changed and did not apply; the paths replayed."""
        replayed = []
        for path, (kind, before) in self.earlier.items():
            if not self._left(path, after):
                previous.pop(path, None)
                continue
            if kind == "previous":
                previous[path] = before
            if path not in changed_paths:
                changed_paths.append(path)
                replayed.append(path)
        # Every path holds what it held before the first unapplied write: the daemons run with what the
        # files say, so the record goes unreported (no restart). A file put back in this call was a change.
        if self.earlier and not any(self._left(path, after) for path in self.recorded):
            if not self.module.check_mode:
                os.unlink(self.path)
        return replayed


def digest(content):
    return None if content is None else hashlib.sha256(content).hexdigest()


def converge(module, entries, pending):
    """(changed paths, diffs, contents before of the reported paths, contents after of the paths
    written or removed) after making each entry what it says; what each of those paths held goes to
    pending ahead of its write."""
    changed_paths, diffs, previous, after = [], [], {}, {}
    check = module.check_mode
    named = {os.path.normpath(entry["path"]) for entry, _state in entries}
    # A directory's prune adds absent entries at the end (the loop goes on over them).
    work = list(entries)
    for entry, state in work:
        path = entry["path"]
        if state == "absent":
            if os.path.lexists(path):
                changed_paths.append(path)
                before_bytes = b"" if os.path.islink(path) else (read(path) or b"")
                pending.record(path, before_bytes, entry.get("report_previous"))
                after[path] = None
                if entry.get("report_previous") or module._diff:
                    before = text(before_bytes)
                    if entry.get("report_previous"):
                        previous[path] = before
                    if module._diff:
                        diffs.append({"before_header": path, "after_header": path, "before": before, "after": ""})
                if not check:
                    os.unlink(path)
        elif state == "directory":
            for directory in missing_parents(path):
                changed_paths.append(directory)
                if not check:
                    os.mkdir(directory)
                    module.set_fs_attributes_if_different(attributes(module, entry, directory), False, expand=False)
            if os.path.isdir(path):
                if module.set_fs_attributes_if_different(attributes(module, entry, path), False, expand=False):
                    changed_paths.append(path)
                if entry.get("prune"):
                    work += [({"path": full, "report_previous": entry.get("report_previous")}, "absent")
                               for full in (os.path.join(path, name) for name in sorted(os.listdir(path))
                                            if fnmatch.fnmatchcase(name, entry["prune"]))
                               if os.path.normpath(full) not in named
                               and (os.path.islink(full) or not os.path.isdir(full))]
        else:
            # Without content: an existing file's owner, group and mode only (kind_problem checked it).
            content = None if entry.get("content") is None else to_bytes(entry["content"])
            current = read(path) if content is not None or state == "line" else None
            if state == "line":
                # Bytes that are not UTF-8 go through unchanged (surrogateescape).
                edited = with_line((current or b"").decode("utf-8", "surrogateescape"), entry["line"],
                                   entry.get("regexp"), entry.get("insertafter"))
                content = edited.encode("utf-8", "surrogateescape")
            if content is not None and current != content:
                changed_paths.append(path)
                pending.record(path, current, entry.get("report_previous"))
                after[path] = content
                if entry.get("report_previous"):
                    previous[path] = text(current)
                if module._diff:
                    diffs.append({"before_header": path, "after_header": path,
                                  "before": text(current or b""), "after": text(content)})
                if not check:
                    try:
                        write_file(module, path, content, validate=entry.get("validate"))
                    except CheckFailed as failed:
                        changed_paths.remove(path)
                        done = list(dict.fromkeys(changed_paths))
                        module.fail_json(msg=failed.args[0], stdout=failed.args[1], stderr=failed.args[2],
                                         changed=bool(done), changed_paths=done)
            if os.path.exists(path) or not check:
                if module.set_fs_attributes_if_different(attributes(module, entry, path), False, expand=False):
                    changed_paths.append(path)
    # A path made and then put right, or named by two entries, is listed once, where it first changed.
    return list(dict.fromkeys(changed_paths)), diffs, previous, after


def main():
    module = AnsibleModule(
        argument_spec=dict(
            entries=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                state=dict(type="str", choices=["directory", "file", "absent", "line"], default="directory"),
                content=dict(type="str"),
                owner=dict(type="str"),
                group=dict(type="str"),
                mode=dict(type="raw"),
                report_previous=dict(type="bool", default=False),
                validate=dict(type="str"),
                line=dict(type="str"),
                regexp=dict(type="str"),
                insertafter=dict(type="str"),
                create=dict(type="bool", default=False),
                prune=dict(type="str"),
            )),
            pending=dict(type="path"),
            user_dirs=dict(type="dict", options=dirs_of_users.OPTIONS),
        ),
        supports_check_mode=True,
    )
    user_dirs = module.params["user_dirs"]
    try:
        entries = [(entry, check_entry(index, entry)) for index, entry in enumerate(module.params["entries"])]
        problems = [problem for problem in (kind_problem(entry["path"], state, entry.get("content"),
                                                         entry.get("create"))
                                            for entry, state in entries) if problem]
        if user_dirs:
            problems += user_dirs_problems(user_dirs)
        if problems:
            raise Refused("; ".join(problems) + ": nothing was changed")
    except Refused as refused:
        module.fail_json(msg=str(refused))
    pending = Pending(module, module.params["pending"])
    changed_paths, diffs, previous, after = converge(module, entries, pending)
    replayed = pending.replay(changed_paths, previous, after)
    if user_dirs:
        try:
            steps = dirs_of_users.planned(user_dirs, module.check_mode)
        except dirs_of_users.Refused as refused:
            module.fail_json(msg="user_dirs: %s" % refused, changed=bool(changed_paths), changed_paths=changed_paths)
        if not module.check_mode:
            dirs_of_users.apply(steps)
        changed_paths += [path for path in dict.fromkeys(path for _kind, path, _detail in steps)
                          if path not in changed_paths]
    result = dict(changed=bool(changed_paths), changed_paths=changed_paths, previous=previous, replayed=replayed)
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
