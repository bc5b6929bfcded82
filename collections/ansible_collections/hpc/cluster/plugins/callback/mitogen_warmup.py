# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: mitogen_warmup
type: aggregate
short_description: Lists the installed collections once, before Mitogen's worker processes fork
version_added: 0.4.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - With Mitogen's strategies (C(mitogen_linear), C(mitogen_free)), every task that runs a module of a
    collection lists every installed collection (C(ansible.collections.list.list_collection_dirs)) in
    its worker process, which ansible-core forks anew for each task and host. A cold listing imports
    ansible-core's Galaxy code and reads each collection's metadata (some 0.15 s of CPU with the 90-odd
    collections of the C(ansible) package); a warm one, in a process forked after it, costs a tenth of
    that.
  - This callback lists them once in the controller's main process when the first play with a Mitogen
    strategy starts, so that every worker forked after it starts warm. With other strategies it does
    nothing. It changes no result and prints nothing.
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
        from ansible.collections.list import list_collection_dirs

        for _path in list_collection_dirs():
            pass
        self.warmed = True
