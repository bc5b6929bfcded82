# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One small runner for Slurm's command line tools (scontrol, sacctmgr).

Commands are argv lists run with ``LC_ALL=C``; a failing command ends the
module with ``fail_json`` showing the command, its exit code and output.
"""

from __future__ import annotations

import os
import re
import subprocess

# Environment of every command whose output a module parses (scontrol, sacctmgr, squeue,
# nvidia-smi): the C locale, so messages, numbers and dates read the same on every node.
C_LOCALE_ENV = {"LC_ALL": "C", "LANG": "C", "LANGUAGE": "C"}

_ONELINE_KEY_RE = re.compile(r"(?:^|(?<=\s))([A-Za-z][A-Za-z0-9_]*)=")


class SlurmRunner:
    """Run one Slurm binary for an AnsibleModule."""

    def __init__(self, module, binary):
        self.module = module
        self.binary = binary
        self.path = module.get_bin_path(binary, required=True)

    def argv(self, args):
        """The command line of ``binary args...``."""
        return [self.path] + [str(arg) for arg in args]

    def run(self, args, check_rc=True):
        """Run ``binary args...``; return (rc, stdout, stderr)."""
        cmd = self.argv(args)
        rc, out, err = self.module.run_command(
            cmd, environ_update=C_LOCALE_ENV, check_rc=False
        )
        if rc != 0 and check_rc:
            self.fail(cmd, rc, out, err)
        return rc, out, err

    def fail(self, cmd, rc, out, err):
        """End the module for a failed command, showing it, its exit code and output."""
        self.module.fail_json(
            msg="%s failed (rc=%d): %s" % (self.binary, rc, (err or out).strip() or "no output"),
            cmd=cmd,
            rc=rc,
            stdout=out,
            stderr=err,
        )

    def run_many(self, args_list):
        """Run ``binary args...`` for each of ``args_list`` at once, one process each, and return
        their (rc, stdout, stderr) in order: for reads that do not depend on each other, whose time
        is mostly the tool's start and its round trip to the daemon. The processes are started from
        this thread (no fork from a helper thread) and read one after the other."""
        env = dict(os.environ, **C_LOCALE_ENV)
        started = [
            subprocess.Popen(self.argv(args), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             encoding="utf-8", errors="surrogateescape")
            for args in args_list
        ]
        results = []
        for process in started:
            out, err = process.communicate()
            results.append((process.returncode, out, err))
        return results


def parse_parsable2(text, fields):
    """Parse ``--noheader --parsable2`` output into a list of dicts.

    ``fields`` are the names given to ``format=``, in order. Lines with a
    different number of columns are an error (a ``|`` inside a value would
    shift the columns silently otherwise).
    """
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        values = line.split("|")
        if len(values) != len(fields):
            raise ValueError(
                "expected %d columns (%s), got %d in %r"
                % (len(fields), ",".join(fields), len(values), line)
            )
        rows.append(dict(zip(fields, values)))
    return rows


def parse_oneliner(line):
    """Parse one ``scontrol show ... -o`` line into a dict.

    Values may hold spaces (``Reason=maint window [root@2026-01-01T10:00:00]``):
    a value runs until the next ``Key=`` that follows whitespace.
    """
    result = {}
    matches = list(_ONELINE_KEY_RE.finditer(line))
    for pos, match in enumerate(matches):
        end = matches[pos + 1].start() if pos + 1 < len(matches) else len(line)
        result[match.group(1)] = line[match.end():end].strip()
    return result


def parse_oneliners(text):
    """Parse ``scontrol show ... -o`` output: one dict per non-empty line."""
    return [parse_oneliner(line) for line in text.splitlines() if line.strip()]


# slurm.conf, cgroup.conf and slurmdbd.conf: Slurm reads Key=Value up to the first whitespace unless
# the value is in double quotes, and drops the rest of a line from a '#' on (as a comment).
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_SPACE_RE = re.compile(r"\s")


def conf_text(value, true="YES", false="NO"):
    """The text of a setting's value in a Slurm configuration file: booleans as true/false, lists
    joined with commas, in double quotes when it holds whitespace (and is not quoted already)."""
    if isinstance(value, bool):
        return true if value else false
    text = ",".join(str(item) for item in value) if isinstance(value, (list, tuple)) else str(value)
    quoted = len(text) > 1 and text[0] == text[-1] == '"'
    return '"%s"' % text if _SPACE_RE.search(text) and not quoted else text


def conf_value_problem(value):
    """Why a Slurm configuration file cannot carry this value, or '' when it can."""
    if value is None or isinstance(value, dict):
        return "is not a string, number, boolean or list (null removes a key)"
    text = conf_text(value)
    if text == "":
        return "is empty (null removes a key)"
    if _CONTROL_RE.search(text):
        return "holds a line break or another control character"
    if "#" in text:
        return "holds '#', from which Slurm reads the rest of the line as a comment"
    if text.startswith('"') and '"' in text[1:-1]:
        return "holds whitespace and a double quote, which no quoting carries"
    return ""


def conf_problems(settings, where, secret_keys=()):
    """One text naming each value of settings that its file cannot carry (secret values not shown)."""
    problems = []
    for key in sorted(settings or {}):
        problem = conf_value_problem(settings[key])
        if problem:
            shown = "(value not shown)" if key in secret_keys else repr(settings[key])
            problems.append("%s %s %s" % (key, shown, problem))
    if not problems:
        return ""
    return ("%s: %s. Slurm stops at a configuration file it cannot read (its daemons and commands alike); "
            "fix or remove these values." % (where, "; ".join(problems)))
