# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A file's whole content written as the modules of hpc.cluster write it."""

from __future__ import annotations

import os
import shlex
import tempfile


class CheckFailed(Exception):
    """The validate command refused the new content: (message, stdout, stderr)."""


def write_file(module, path, content, new_mode=None, validate=None):
    """Write content (bytes) to a temporary file beside path and rename it over path.

    An existing file keeps its owner, group and mode (AnsibleModule.atomic_move). A new file gets
    new_mode when given (atomic_move would give it 0666 less the umask). With validate (a command
    with %s for the temporary file, as M(ansible.builtin.copy) takes it), the command runs on the
    temporary file first: when it fails, path is left as it was and CheckFailed is raised with the
    command's output.
    """
    created = not os.path.exists(path)
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        if validate:
            rc, out, err = module.run_command(shlex.split(validate % temp), environ_update={"LC_ALL": "C"})
            if rc != 0:
                raise CheckFailed("%s: not written, its check failed (%s, exit %d): %s" % (
                    path, validate % path, rc, (err or out).strip()), out, err)
        module.atomic_move(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    if created and new_mode is not None:
        os.chmod(path, new_mode)
