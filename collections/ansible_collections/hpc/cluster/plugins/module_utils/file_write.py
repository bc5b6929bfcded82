# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A file's whole content written as the modules of hpc.cluster write it."""

from __future__ import annotations

import os
import tempfile


def write_file(module, path, content, new_mode=None):
    """Write content (bytes) to a temporary file beside path and rename it over path.

    An existing file keeps its owner, group and mode (AnsibleModule.atomic_move). A new file gets
    new_mode when given (atomic_move would give it 0666 less the umask).
    """
    created = not os.path.exists(path)
    handle, temp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".%s." % os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        module.atomic_move(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    if created and new_mode is not None:
        os.chmod(path, new_mode)
