#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: daemon_ready
short_description: Wait until a daemon answers on its port; fail at once when its unit stops
version_added: 0.6.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Waits until a TCP connection to O(host):O(port) succeeds or, with O(path), until an HTTP C(GET) of
    that path answers 200 (Prometheus' C(/-/ready)), asking every O(interval) seconds.
  - With O(unit), fails as soon as systemd reports the unit C(failed) or C(inactive) (a daemon that
    exited on a bad setting), naming its state and with its last journal lines, instead of waiting
    for O(timeout) to pass; the same lines come with a timeout.
  - M(ansible.builtin.wait_for) asks once a second at best; a daemon that listens 0.1 s after its start
    cost a run a second per start or restart.
  - In check mode nothing was started, so it looks once, and the task is skipped when the daemon does not answer.
options:
  port:
    description:
      - The TCP port the daemon listens on, or a range of them written C(6817-6818), as Slurm's
        C(SlurmctldPort) takes; with a range the first port is asked (slurmctld listens on each).
      - A port outside 1-65535, or text that is neither, fails before any wait.
    type: raw
    required: true
  host:
    description: The address to connect to.
    type: str
    default: 127.0.0.1
  path:
    description: An HTTP path; the daemon is ready when a C(GET) of it answers 200, not when it accepts connections.
    type: str
  unit:
    description: The daemon's systemd unit; without it (or without systemd) its state is not read.
    type: str
  timeout:
    description: Seconds to wait at most.
    type: int
    default: 60
  interval:
    description: Seconds between two tries.
    type: float
    default: 0.1
  journal_lines:
    description: How many of the unit's last journal lines (and of O(log_file)'s) a failure shows.
    type: int
    default: 15
  log_file:
    description:
      - The daemon's own log file (Slurm's C(SlurmdLogFile)); its last lines come with a failure too. A
        daemon that logs to a file writes why it stopped there, not to the journal (slurmd's
        C(can't stat gres.conf file)). Empty or missing, none are shown.
    type: str
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Wait for slurmctld after its restart
  hpc.cluster.daemon_ready:
    port: 6817
    unit: slurmctld

- name: Wait for Prometheus to answer
  hpc.cluster.daemon_ready:
    port: 9090
    path: /-/ready
    unit: prometheus
"""

RETURN = r"""
elapsed:
  description: Seconds waited.
  type: float
  returned: always
state:
  description: The unit's C(ActiveState) when the module last read it (empty when it did not).
  type: str
  returned: always
journal:
  description: The unit's last journal lines, on a failure.
  type: list
  elements: str
  returned: failure
log_lines:
  description: The last lines of O(log_file), on a failure.
  type: list
  elements: str
  returned: failure
"""

import os
import socket
import time
import urllib.error
import urllib.request

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.ports import port_span

# How often the unit's state is read while waiting (a systemctl call each).
STATE_EVERY = 0.5
STOPPED = ("failed", "inactive")


def answers(host, port, path, timeout=1.0):
    """Whether the daemon accepts a connection (or, with path, answers 200 to a GET of it)."""
    if path is None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                return True
        except OSError:
            return False
    name = "[%s]" % host if ":" in host else host
    try:
        with urllib.request.urlopen("http://%s:%d%s" % (name, port, path), timeout=timeout) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def first_port(value):
    """The port to ask: value itself, or the first of a range 'N-M'; None when it is neither."""
    span = port_span(value)
    return span[0] if span else None


def systemd_running():
    return os.path.isdir("/run/systemd/system")


def unit_state(module, systemctl, unit):
    """(ActiveState, Result) of the unit; ('', '') when systemctl does not answer."""
    rc, out, _err = module.run_command([systemctl, "show", "--property=ActiveState,Result", "--", unit],
                                       environ_update={"LC_ALL": "C"})
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line) if rc == 0 else {}
    return values.get("ActiveState", ""), values.get("Result", "")


def journal(module, unit, lines):
    journalctl = module.get_bin_path("journalctl")
    if not journalctl:
        return []
    rc, out, _err = module.run_command([journalctl, "--unit", unit, "--lines", str(lines), "--no-pager",
                                        "--output", "cat"], environ_update={"LC_ALL": "C"})
    return out.splitlines() if rc == 0 else []


def log_tail(path, lines, chunk=65536):
    """The last lines of the file at path ([] when it is empty, missing or unreadable)."""
    if not path:
        return []
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - chunk))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    return text.splitlines()[-lines:] if lines > 0 else []


def log_text(log_file, lines, log_lines):
    """The journal lines (None: no journal read), then the log file's, as a failure message shows them."""
    parts = [] if lines is None else ["\n".join(lines) or "(none)"]
    if log_lines:
        parts.append("the last lines of %s:\n%s" % (log_file, "\n".join(log_lines)))
    return "\n".join(parts)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            port=dict(type="raw", required=True),
            host=dict(type="str", default="127.0.0.1"),
            path=dict(type="str"),
            unit=dict(type="str"),
            timeout=dict(type="int", default=60),
            interval=dict(type="float", default=0.1),
            journal_lines=dict(type="int", default=15),
            log_file=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    p = module.params
    port = first_port(p["port"])
    if port is None:
        module.fail_json(msg="port must be a port (1-65535) or a range of ports 'N-M': %r" % (p["port"],))
    if p["path"] is not None and not p["path"].startswith("/"):
        module.fail_json(msg="path must start with '/': %r" % p["path"])
    what = "%s:%d%s" % (p["host"], port, p["path"] or "")
    label = p["unit"] or "the daemon"
    systemctl = module.get_bin_path("systemctl") if p["unit"] and systemd_running() else None

    start = time.monotonic()
    if module.check_mode and not answers(p["host"], port, p["path"]):
        module.exit_json(changed=False, skipped=True, elapsed=0.0, state="",
                         msg="check mode: %s does not answer on %s; nothing was started to wait for" % (label, what))

    state, result, next_state = "", "", start
    while True:
        if answers(p["host"], port, p["path"]):
            module.exit_json(changed=False, elapsed=round(time.monotonic() - start, 2), state=state)
        now = time.monotonic()
        if systemctl and now >= next_state:
            state, result = unit_state(module, systemctl, p["unit"])
            next_state = now + STATE_EVERY
            if state in STOPPED:
                lines = journal(module, p["unit"], p["journal_lines"])
                log_lines = log_tail(p["log_file"], p["journal_lines"])
                module.fail_json(
                    msg="%s is %s (%s) and never answered on %s; its last log lines:\n%s"
                        % (p["unit"], state, result or "no result", what, log_text(p["log_file"], lines, log_lines)),
                    elapsed=round(now - start, 2), state=state, journal=lines, log_lines=log_lines)
        if now - start >= p["timeout"]:
            lines = journal(module, p["unit"], p["journal_lines"]) if systemctl else []
            log_lines = log_tail(p["log_file"], p["journal_lines"])
            if systemctl:
                said = "; its unit is %s; its last log lines:\n%s" % (state or "unknown",
                                                                      log_text(p["log_file"], lines, log_lines))
            else:
                said = "; " + log_text(p["log_file"], None, log_lines) if log_lines else ""
            module.fail_json(msg="%s did not answer on %s within %d s%s" % (label, what, p["timeout"], said),
                             elapsed=round(now - start, 2), state=state, journal=lines, log_lines=log_lines)
        time.sleep(p["interval"])


if __name__ == "__main__":
    main()
