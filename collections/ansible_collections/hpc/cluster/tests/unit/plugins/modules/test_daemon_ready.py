# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""daemon_ready: sub-second polls, a stopped unit fails at once with its log, check mode waits for nothing."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from ansible_collections.hpc.cluster.plugins.modules import daemon_ready

SHOW = ["show", "--property=ActiveState,Result", "--", "slurmctld"]
JOURNAL = ["--unit", "slurmctld", "--lines", "15", "--no-pager", "--output", "cat"]


class Clock:
    """time.monotonic and time.sleep of the module: sleeping moves the clock, nothing waits."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(daemon_ready.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(daemon_ready.time, "sleep", fake.sleep)
    monkeypatch.setattr(daemon_ready, "systemd_running", lambda: True)
    return fake


def answering_after(tries):
    """answers() that is false for the first `tries` asks."""
    asked = []

    def answers(host, port, path, timeout=1.0):
        asked.append((host, port, path))
        return len(asked) > tries
    return answers, asked


def test_a_daemon_answering_after_a_third_of_a_second_is_waited_for_in_tenths(run_module, clock, monkeypatch):
    answers, asked = answering_after(3)
    monkeypatch.setattr(daemon_ready, "answers", answers)
    result, calls = run_module(daemon_ready.main, {"port": 6817, "unit": "slurmctld"},
                               [(("systemctl", SHOW), 0, "ActiveState=active\nResult=success\n", "")])
    assert result["failed"] is False and result["changed"] is False
    # wait_for would have slept a whole second; the unit's state read once (every 0.5 s).
    assert clock.sleeps == [0.1, 0.1, 0.1] and result["elapsed"] == pytest.approx(0.3)
    assert asked[0] == ("127.0.0.1", 6817, None) and len(calls) == 1 and result["state"] == "active"


def test_a_unit_that_failed_fails_at_once_with_its_log(run_module, clock, monkeypatch):
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: False)
    result, _ = run_module(daemon_ready.main, {"port": 6817, "unit": "slurmctld", "timeout": 120,
                                                   "interval": 0.25}, [
        (("systemctl", SHOW), 0, "ActiveState=active\nResult=success\n", ""),
        (("systemctl", SHOW), 0, "ActiveState=failed\nResult=exit-code\n", ""),
        (("journalctl", JOURNAL), 0, "fatal: Unable to determine this slurmd's NodeName\n", ""),
    ])
    assert result["failed"] is True and result["state"] == "failed"
    assert result["elapsed"] == pytest.approx(0.5)  # not the 120 s of the timeout
    assert "slurmctld is failed (exit-code) and never answered on 127.0.0.1:6817" in result["msg"]
    assert result["journal"] == ["fatal: Unable to determine this slurmd's NodeName"]
    assert "NodeName" in result["msg"]


def test_a_timeout_names_the_unit_state_and_its_log(run_module, clock, monkeypatch):
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: False)
    running = (("systemctl", SHOW), 0, "ActiveState=activating\nResult=success\n", "")
    result, calls = run_module(daemon_ready.main, {"port": 9090, "path": "/-/ready", "unit": "slurmctld",
                                                   "timeout": 2, "interval": 0.5},
                               [running] * 5 + [(("journalctl", JOURNAL), 0, "loading WAL\n", "")])
    assert result["failed"] is True and result["elapsed"] == pytest.approx(2.0)
    assert result["msg"].startswith("slurmctld did not answer on 127.0.0.1:9090/-/ready within 2 s; its unit is "
                                    "activating; its last log lines:\nloading WAL")
    assert len(calls) == 6


def test_without_a_unit_no_systemctl_and_the_timeout_names_the_address(run_module, clock, monkeypatch):
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: False)
    result, calls = run_module(daemon_ready.main, {"port": 6819, "timeout": 1}, [])
    assert calls == [] and result["failed"] is True
    assert result["msg"] == "the daemon did not answer on 127.0.0.1:6819 within 1 s"


def test_check_mode_skips_what_does_not_answer_and_passes_what_does(run_module, clock, monkeypatch):
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: False)
    result, calls = run_module(daemon_ready.main, {"port": 6817, "unit": "slurmctld"}, [], check_mode=True)
    assert result["skipped"] is True and calls == [] and clock.sleeps == []
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: True)
    result, _ = run_module(daemon_ready.main, {"port": 6817, "unit": "slurmctld"}, [], check_mode=True)
    assert result["failed"] is False and "skipped" not in result


def test_a_path_must_be_absolute(run_module, clock):
    result, _ = run_module(daemon_ready.main, {"port": 9090, "path": "-/ready"}, [])
    assert result["failed"] is True and "must start with '/'" in result["msg"]


# answers() itself, against real sockets on loopback.
def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_answers_a_listening_port_and_not_a_closed_one():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        assert daemon_ready.answers("127.0.0.1", server.getsockname()[1], None) is True
    assert daemon_ready.answers("127.0.0.1", free_port(), None) is False


@pytest.mark.parametrize(("status", "ready"), [(200, True), (503, False)])
def test_answers_a_path_only_with_200(status, ready):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            self.send_response(status if self.path == "/-/ready" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        assert daemon_ready.answers("127.0.0.1", port, "/-/ready") is ready
        assert daemon_ready.answers("127.0.0.1", port, "/other") is False
    finally:
        server.shutdown()
        server.server_close()


def test_a_port_range_is_waited_on_its_first_port(run_module, clock, monkeypatch):
    # SlurmctldPort=6817-6818: slurmctld listens on each; the role passed '6817-6818' | int, 0.
    answers, asked = answering_after(0)
    monkeypatch.setattr(daemon_ready, "answers", answers)
    result, _calls = run_module(daemon_ready.main, {"port": "6817-6818", "unit": "slurmctld"}, [])
    assert result["failed"] is False
    assert asked == [("127.0.0.1", 6817, None)]


@pytest.mark.parametrize("port", [0, "0", "70000", "6818-6817", "6817-70000", "6817-", "slurmctld", "", True])
def test_what_is_not_a_port_fails_before_any_wait(run_module, clock, monkeypatch, port):
    answers, asked = answering_after(0)
    monkeypatch.setattr(daemon_ready, "answers", answers)
    result, calls = run_module(daemon_ready.main, {"port": port, "unit": "slurmctld"}, [])
    assert result["failed"] is True and "port must be a port (1-65535)" in result["msg"]
    assert asked == [] and calls == [] and clock.sleeps == []


@pytest.mark.parametrize(("value", "port"), [(6817, 6817), ("6817", 6817), (" 6819 ", 6819), ("6817-6817", 6817),
                                             ("60001-63000", 60001)])
def test_first_port(value, port):
    assert daemon_ready.first_port(value) == port


def test_a_stopped_daemon_shows_the_end_of_its_own_log_file(run_module, clock, monkeypatch, tmp_path):
    # slurmd logs to SlurmdLogFile: its journal held only systemd's lines, the reason was in the file (lab).
    log = tmp_path / "slurmd.log"
    log.write_text("".join("[2026-12-07T13:58:%02d] old line %d\n" % (n, n) for n in range(40))
                   + "[2026-12-07T13:59:07.032] fatal: can't stat gres.conf file /dev/nvidia0\n")
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: False)
    journal = ["--unit", "slurmd", "--lines", "3", "--no-pager", "--output", "cat"]
    result, _ = run_module(daemon_ready.main, {"port": 6818, "unit": "slurmd", "journal_lines": 3,
                                               "log_file": str(log)}, [
        (("systemctl", ["show", "--property=ActiveState,Result", "--", "slurmd"]), 0,
         "ActiveState=failed\nResult=exit-code\n", ""),
        (("journalctl", journal), 0, "slurmd.service: Failed with result 'exit-code'.\n", ""),
    ])
    assert result["failed"] is True
    assert result["log_lines"] == ["[2026-12-07T13:58:38] old line 38", "[2026-12-07T13:58:39] old line 39",
                                   "[2026-12-07T13:59:07.032] fatal: can't stat gres.conf file /dev/nvidia0"]
    assert result["msg"].endswith("slurmd.service: Failed with result 'exit-code'.\nthe last lines of %s:\n"
                                  "[2026-12-07T13:58:38] old line 38\n[2026-12-07T13:58:39] old line 39\n"
                                  "[2026-12-07T13:59:07.032] fatal: can't stat gres.conf file /dev/nvidia0" % log)


def test_a_timeout_without_systemd_shows_the_log_file(run_module, clock, monkeypatch, tmp_path):
    log = tmp_path / "slurmd.log"
    log.write_text("error: Unable to bind listen port (6818): Address already in use\n")
    monkeypatch.setattr(daemon_ready, "systemd_running", lambda: False)
    monkeypatch.setattr(daemon_ready, "answers", lambda *a, **k: False)
    result, calls = run_module(daemon_ready.main, {"port": 6818, "unit": "slurmd", "timeout": 1,
                                                   "log_file": str(log)}, [])
    assert calls == [] and result["failed"] is True
    assert result["msg"] == ("slurmd did not answer on 127.0.0.1:6818 within 1 s; the last lines of %s:\n"
                             "error: Unable to bind listen port (6818): Address already in use" % log)


@pytest.mark.parametrize("path", ["", "/nonexistent/slurmd.log"])
def test_no_log_file_no_lines(path):
    assert daemon_ready.log_tail(path, 15) == []
