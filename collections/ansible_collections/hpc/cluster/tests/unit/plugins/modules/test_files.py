# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""files: directories and files in one call, only what differs, check mode, refusals before any change."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ansible_collections.hpc.cluster.plugins.modules import files

UID, GID = os.getuid(), os.getgid()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def run(run_module, entries, **kwargs):
    result, _calls = run_module(files.main, {"entries": entries}, [], **kwargs)
    return result


def layout(top):
    return [
        {"path": str(top / "etc" / "app"), "owner": str(UID), "group": str(GID), "mode": "0750"},
        {"path": str(top / "etc" / "app" / "app.conf"), "state": "file", "content": "a = 1\n", "mode": "0640"},
        {"path": str(top), "mode": "o+x"},
        {"path": str(top / "plain.txt"), "state": "file", "content": "plain\n"},
    ]


def test_fresh_then_nothing_to_do(run_module, tmp_path):
    os.chmod(tmp_path, 0o750)
    result = run(run_module, layout(tmp_path))
    assert result["changed"] is True
    assert result["changed_paths"] == [str(tmp_path / "etc"), str(tmp_path / "etc" / "app"),
                                       str(tmp_path / "etc" / "app" / "app.conf"), str(tmp_path),
                                       str(tmp_path / "plain.txt")]
    # A missing parent gets the entry's owner, group and mode, as ansible.builtin.file gives it.
    assert mode(tmp_path / "etc") == 0o750 and mode(tmp_path / "etc" / "app") == 0o750
    assert (tmp_path / "etc" / "app" / "app.conf").read_text() == "a = 1\n"
    assert mode(tmp_path / "etc" / "app" / "app.conf") == 0o640
    assert mode(tmp_path) == 0o751  # o+x added, the rest kept
    again = run(run_module, layout(tmp_path))
    assert again["changed"] is False and again["changed_paths"] == []


def test_drift_is_put_right_and_only_it(run_module, tmp_path):
    run(run_module, layout(tmp_path))
    conf = tmp_path / "etc" / "app" / "app.conf"
    conf.write_text("a = 2\n")
    os.chmod(tmp_path / "etc" / "app", 0o755)
    result = run(run_module, layout(tmp_path), diff=True)
    assert result["changed_paths"] == [str(tmp_path / "etc" / "app"), str(conf)]
    assert conf.read_text() == "a = 1\n" and mode(conf) == 0o640 and mode(tmp_path / "etc" / "app") == 0o750
    assert result["diff"] == [{"before_header": str(conf), "after_header": str(conf),
                               "before": "a = 2\n", "after": "a = 1\n"}]


def test_check_mode_reports_and_changes_nothing(run_module, tmp_path):
    result = run(run_module, layout(tmp_path / "new"), check_mode=True)
    assert result["changed"] is True and str(tmp_path / "new" / "etc" / "app" / "app.conf") in result["changed_paths"]
    assert not (tmp_path / "new").exists()
    run(run_module, layout(tmp_path))
    (tmp_path / "plain.txt").write_text("edited\n")
    result = run(run_module, layout(tmp_path), check_mode=True)
    assert result["changed_paths"] == [str(tmp_path / "plain.txt")]
    assert (tmp_path / "plain.txt").read_text() == "edited\n"


def test_a_path_of_another_kind_is_refused_before_any_change(run_module, tmp_path):
    os.chmod(tmp_path, 0o750)
    (tmp_path / "etc").write_text("a file where a directory goes\n")
    (tmp_path / "plain.txt").mkdir()
    result = run(run_module, layout(tmp_path))
    assert result["failed"] is True
    assert result["msg"] == ("{0}/etc (above {0}/etc/app) is not a directory; {0}/etc (above {0}/etc/app/app.conf)"
                             " is not a directory; {0}/plain.txt is not a regular file: nothing was changed"
                             ).format(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["etc", "plain.txt"] and mode(tmp_path) == 0o750


def test_malformed_entries_are_named(run_module, tmp_path):
    no_content = run(run_module, [{"path": str(tmp_path / "d")}, {"path": str(tmp_path / "x"), "state": "file"}])
    assert no_content["msg"] == ("%s does not exist (an entry without content puts right an existing file's owner, "
                                 "group and mode): nothing was changed" % (tmp_path / "x"))
    relative = run(run_module, [{"path": "etc/x"}])
    assert relative["msg"] == "entries[0]: path must be absolute, not 'etc/x'"
    with_content = run(run_module, [{"path": str(tmp_path / "d"), "content": "x"}])
    assert with_content["msg"] == "entries[0] (%s): a directory entry takes no content" % (tmp_path / "d")
    assert os.listdir(tmp_path) == []


def test_absent_removes_a_file_or_a_link_once_and_check_mode_only_reports(run_module, tmp_path):
    old, link = tmp_path / "gres.conf", tmp_path / "link"
    old.write_text("Name=gpu\n")
    link.symlink_to(tmp_path / "nowhere")
    entries = [{"path": str(old), "state": "absent"}, {"path": str(link), "state": "absent"},
               {"path": str(tmp_path / "never"), "state": "absent"}]
    result = run(run_module, entries, check_mode=True, diff=True)
    assert result["changed_paths"] == [str(old), str(link)] and old.exists() and os.path.lexists(link)
    assert result["diff"][0] == {"before_header": str(old), "after_header": str(old), "before": "Name=gpu\n",
                                 "after": ""}
    assert run(run_module, entries)["changed_paths"] == [str(old), str(link)]
    assert not os.path.lexists(old) and not os.path.lexists(link)
    assert run(run_module, entries)["changed"] is False


def test_absent_refuses_a_directory_and_content(run_module, tmp_path):
    (tmp_path / "conf").mkdir()
    kept = tmp_path / "kept"
    kept.write_text("x")
    entries = [{"path": str(kept), "state": "absent"}, {"path": str(tmp_path / "conf"), "state": "absent"}]
    result = run(run_module, entries)
    assert result["failed"] is True and "is a directory (not removed)" in result["msg"] and kept.exists()
    result = run(run_module, [{"path": str(kept), "state": "absent", "content": "x"}])
    assert result["failed"] is True and "an absent entry takes no content" in result["msg"]


def test_previous_content_only_where_asked_and_only_when_the_content_changed(run_module, tmp_path):
    """report_previous gives the content before the change (null for a new file); a mode change
    alone is not a content change, and files not asked for never show their content."""
    conf, secret, gone = tmp_path / "slurm.conf", tmp_path / "secret.conf", tmp_path / "gres.conf"

    def entries(conf_text, conf_mode="0644"):
        return [{"path": str(conf), "state": "file", "content": conf_text, "mode": conf_mode, "report_previous": True},
                {"path": str(secret), "state": "file", "content": "password=new\n"},
                {"path": str(gone), "state": "absent", "report_previous": True}]

    first = run(run_module, entries("a = 1\n"))
    assert first["previous"] == {str(conf): None}
    secret.write_text("password=old\n")
    gone.write_text("Name=gpu\n")
    second = run(run_module, entries("a = 2\n"), check_mode=True)
    assert second["previous"] == {str(conf): "a = 1\n", str(gone): "Name=gpu\n"}
    assert "password" not in str(second)
    run(run_module, entries("a = 2\n"))
    mode_only = run(run_module, entries("a = 2\n", "0600"))
    assert mode_only["changed_paths"] == [str(conf)] and mode_only["previous"] == {}


def test_a_file_without_content_gets_its_owner_group_and_mode_only(run_module, tmp_path):
    directory = tmp_path / "munge"
    directory.mkdir(mode=0o755)
    key = directory / "munge.key"
    key.write_bytes(b"secret")
    os.chmod(key, 0o644)
    entries = [{"path": str(directory), "mode": "0700"}, {"path": str(key), "state": "file", "mode": "0400"}]
    checked = run(run_module, entries, check_mode=True)
    assert checked["changed_paths"] == [str(directory), str(key)] and mode(key) == 0o644
    result = run(run_module, entries)
    assert result["changed_paths"] == [str(directory), str(key)]
    assert mode(key) == 0o400 and key.read_bytes() == b"secret"
    assert run(run_module, entries)["changed"] is False


def test_validate_checks_the_new_content_before_the_file_is_replaced(run_module, tmp_path):
    """A file's validate command runs on a temporary file with the new content: when it fails the file
    keeps its content, the task fails naming the file and the check's output, and the entries before
    it are written; in check mode it does not run."""
    config, before = tmp_path / "app.conf", tmp_path / "before.conf"
    config.write_text("good\n")
    seen = []

    def checker(argv):
        seen.append((argv[:2], Path(argv[2]).read_text(), Path(argv[2]).parent))
        return (0, "", "") if Path(argv[2]).read_text().startswith("good") else (1, "", "line 1: bad key\n")

    def entries(text):
        return [{"path": str(before), "state": "file", "content": "x\n"},
                {"path": str(config), "state": "file", "content": text, "validate": "/usr/bin/appcheck -c %s"}]

    result, _ = run_module(files.main, {"entries": entries("bad\n")}, [checker])
    assert result["failed"] is True
    assert result["changed"] is True and result["changed_paths"] == [str(before)]
    assert result["msg"] == ("%s: not written, its check failed (/usr/bin/appcheck -c %s, exit 1): line 1: bad key"
                             % (config, config))
    assert config.read_text() == "good\n" and before.read_text() == "x\n"
    assert seen == [(["/usr/bin/appcheck", "-c"], "bad\n", tmp_path)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.conf", "before.conf"]
    result, _ = run_module(files.main, {"entries": entries("good too\n")}, [checker])
    assert result["changed_paths"] == [str(config)] and config.read_text() == "good too\n"
    result, _ = run_module(files.main, {"entries": entries("bad again\n")}, [], check_mode=True)
    assert result["changed_paths"] == [str(config)] and config.read_text() == "good too\n"


PAM_SU = ("auth sufficient pam_rootok.so\nsession required pam_env.so\n"
          "# session    required   pam_limits.so\n@include common-session\n")


@pytest.mark.parametrize(("text", "line", "regexp", "insertafter", "expected"), [
    # The last line matching regexp is replaced (a commented-out default put in force).
    (PAM_SU, "session    required   pam_limits.so", r"^#?\s*session\s+required\s+pam_limits\.so", "^session",
     PAM_SU.replace("# session    required   pam_limits.so", "session    required   pam_limits.so")),
    # No match: after the last line matching insertafter.
    ("session a\nsession b\nother\n", "session limits", r"^limits", "^session",
     "session a\nsession b\nsession limits\nother\n"),
    # No match, no insertafter match: at the end (a last line without newline gets one).
    ("OPTIONS=-x", "DAEMON_OPTS=\"-F 1\"", "^DAEMON_OPTS=", None, "OPTIONS=-x\nDAEMON_OPTS=\"-F 1\"\n"),
    # The line is there: nothing changes, even without a regexp match.
    ("a\nkeep\n", "keep", "^nomatch", None, "a\nkeep\n"),
    # A new file holds the line alone.
    ("", "DAEMON_OPTS=\"-F 1\"", "^DAEMON_OPTS=", None, "DAEMON_OPTS=\"-F 1\"\n"),
    # The replaced line keeps its line ending.
    ("X=1\r\nY=2\r\n", "X=3", "^X=", None, "X=3\r\nY=2\r\n"),
], ids=["regexp-replaces-last", "insertafter", "end-of-file", "already-there", "new-file", "line-ending"])
def test_with_line_puts_a_line_as_lineinfile_does(text, line, regexp, insertafter, expected):
    assert files.with_line(text, line, regexp, insertafter) == expected


def test_a_line_entry_edits_one_line_and_keeps_the_rest(run_module, tmp_path):
    """A line entry changes one line of a file in the same call as the other entries; a re-run
    changes nothing; a missing file is made with the line; a line entry needs its line."""
    options, pam = tmp_path / "chrony", tmp_path / "su"
    options.write_text("# Options to pass to chrony.\nDAEMON_OPTS=\"-F 1\"\n")
    pam.write_text(PAM_SU)
    entries = [{"path": str(options), "state": "line", "line": 'DAEMON_OPTS="-F 1 -r"', "regexp": "^DAEMON_OPTS="},
               {"path": str(pam), "state": "line", "line": "session    required   pam_limits.so",
                "regexp": r"^#?\s*session\s+required\s+pam_limits\.so", "insertafter": "^session"},
               {"path": str(tmp_path / "new"), "state": "line", "line": "A=1", "mode": "0600",
                "create": True}]
    result = run(run_module, entries)
    assert result["changed_paths"] == [str(options), str(pam), str(tmp_path / "new")]
    assert options.read_text() == "# Options to pass to chrony.\nDAEMON_OPTS=\"-F 1 -r\"\n"
    assert "\nsession    required   pam_limits.so\n@include" in pam.read_text()
    assert (tmp_path / "new").read_text() == "A=1\n" and stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o600
    assert run(run_module, entries)["changed"] is False
    missing = run(run_module, [{"path": str(options), "state": "line", "line": "B=2"},
                               {"path": str(tmp_path / "absent"), "state": "line", "line": "A=1"}])
    assert missing["failed"] is True and missing["msg"] == (
        "%s does not exist (a line entry without create edits an existing file): nothing was changed"
        % (tmp_path / "absent"))
    assert "B=2" not in options.read_text()
    refused = run(run_module, [{"path": str(options), "state": "line"}])
    assert refused["failed"] is True and "a line entry needs line" in refused["msg"]
    refused = run(run_module, [{"path": str(options), "state": "line", "line": "x", "regexp": "(unclosed"}])
    assert refused["failed"] is True and "regexp '(unclosed' is not a regular expression" in refused["msg"]


def test_a_line_entry_keeps_bytes_that_are_not_utf8(run_module, tmp_path):
    path = tmp_path / "latin1.conf"
    path.write_bytes(b"# caf\xe9\nX=1\n")
    result = run(run_module, [{"path": str(path), "state": "line", "line": "X=2", "regexp": "^X="}])
    assert result["changed_paths"] == [str(path)]
    assert path.read_bytes() == b"# caf\xe9\nX=2\n"


def test_user_dirs_come_after_the_entries_in_the_same_call(run_module, tmp_path):
    """With user_dirs, a private directory per user under a root an entry makes, and links by name,
    in the same call; a re-run changes nothing; what user_dirs refuses is refused before any entry
    is written."""
    me = os.getuid(), os.getgid()
    root, conf = tmp_path / "users", tmp_path / "storage.conf"
    args = {"entries": [{"path": str(root), "mode": "0755"}, {"path": str(root / "by-name"), "mode": "0755"},
                        {"path": str(conf), "state": "file", "content": "x\n"}],
            "user_dirs": {"root": str(root), "by_name": str(root / "by-name"),
                          "users": [{"name": "alice", "uid": me[0], "gid": me[1]}]}}
    checked, _ = run_module(files.main, args, [], check_mode=True)
    assert checked["changed_paths"] == [str(root), str(root / "by-name"), str(conf), str(root / str(me[0])),
                                        str(root / "by-name" / "alice")]
    assert not root.exists()
    result, _ = run_module(files.main, args, [])
    assert result["changed_paths"] == checked["changed_paths"]
    assert os.readlink(root / "by-name" / "alice") == "../%d" % me[0]
    assert stat.S_IMODE((root / str(me[0])).stat().st_mode) == 0o700
    assert run_module(files.main, args, [])[0]["changed"] is False
    os.unlink(root / "by-name" / "alice")
    (root / "by-name" / "alice").write_text("not a link")
    conf.write_text("changed by hand\n")
    refused, _ = run_module(files.main, args, [])
    assert refused["failed"] is True
    assert refused["msg"] == ("user_dirs: %s (user alice) is not a link: nothing was changed"
                              % (root / "by-name" / "alice"))
    assert conf.read_text() == "changed by hand\n"


# --- pending: a change written and not applied yet is known to the next run ----------------------

def run_pending(run_module, tmp_path, conf_text, secret="password=old\n", **kwargs):
    entries = [{"path": str(tmp_path / "slurm.conf"), "state": "file", "content": conf_text, "report_previous": True},
               {"path": str(tmp_path / "secret.conf"), "state": "file", "content": secret}]
    result, _calls = run_module(files.main, {"entries": entries, "pending": str(tmp_path / "pending.json")}, [],
                                **kwargs)
    return result


def applied(run_module, tmp_path):
    """What the caller does once it applied the change: the pending file removed."""
    result, _calls = run_module(files.main, {"entries": [{"path": str(tmp_path / "pending.json"), "state": "absent"}]},
                                [])
    return result


def test_a_change_not_applied_is_reported_again_until_the_caller_applied_it(run_module, tmp_path):
    marker = tmp_path / "pending.json"
    (tmp_path / "slurm.conf").write_text("a = 1\n")
    (tmp_path / "secret.conf").write_text("password=old\n")
    first = run_pending(run_module, tmp_path, "a = 2\n")
    assert first["previous"] == {str(tmp_path / "slurm.conf"): "a = 1\n"} and first["replayed"] == []
    assert mode(marker) == 0o600 and "a = 1" in marker.read_text() and "secret" not in marker.read_text()
    # The run stopped before it applied the change: the next run, writing the same, reports it again.
    again = run_pending(run_module, tmp_path, "a = 2\n")
    assert again["changed"] and again["replayed"] == [str(tmp_path / "slurm.conf")]
    assert again["previous"] == {str(tmp_path / "slurm.conf"): "a = 1\n"}
    # Check mode reports the same and changes nothing.
    assert run_pending(run_module, tmp_path, "a = 2\n", check_mode=True)["previous"] == again["previous"]
    # Another change on top: the content before is still the one the daemon runs with.
    third = run_pending(run_module, tmp_path, "a = 3\n")
    assert third["previous"] == {str(tmp_path / "slurm.conf"): "a = 1\n"} and third["replayed"] == []
    assert applied(run_module, tmp_path)["changed"] and not marker.exists()
    assert not run_pending(run_module, tmp_path, "a = 3\n")["changed"]


def test_a_change_put_back_before_it_was_applied_leaves_nothing_to_apply(run_module, tmp_path):
    marker = tmp_path / "pending.json"
    (tmp_path / "slurm.conf").write_text("a = 1\n")
    (tmp_path / "secret.conf").write_text("password=old\n")
    run_pending(run_module, tmp_path, "a = 2\n")
    back = run_pending(run_module, tmp_path, "a = 1\n", check_mode=True)
    assert back["changed"] and back["previous"] == {} and marker.exists()
    back = run_pending(run_module, tmp_path, "a = 1\n")
    assert back["changed"] and back["previous"] == {} and back["replayed"] == [] and not marker.exists()
    assert not run_pending(run_module, tmp_path, "a = 1\n")["changed"]


def test_a_run_stopped_between_the_record_and_the_write_leaves_nothing_to_apply(run_module, tmp_path):
    marker = tmp_path / "pending.json"
    (tmp_path / "slurm.conf").write_text("a = 1\n")
    (tmp_path / "secret.conf").write_text("password=old\n")
    marker.write_text('{"previous": {"%s": "a = 1\\n"}}' % (tmp_path / "slurm.conf"))
    rerun = run_pending(run_module, tmp_path, "a = 1\n")
    # Nothing to apply: no change reported, so no daemon restarts for it.
    assert rerun["previous"] == {} and not marker.exists() and not rerun["changed"], rerun


def test_a_write_its_check_refused_leaves_nothing_to_apply(run_module, tmp_path):
    """A validate command refused the new content: nothing was written, so the next run, with the old
    content again, reports no change (chronyd -p refused a chrony.conf; the next run restarted chrony)."""
    conf, marker = tmp_path / "chrony.conf", tmp_path / "pending.json"
    conf.write_text("server ntp1\n")

    def write(text, checks):
        entries = [{"path": str(conf), "state": "file", "content": text, "validate": "/usr/sbin/chronyd -p -f %s"}]
        result, _calls = run_module(files.main, {"entries": entries, "pending": str(marker)}, checks)
        return result

    refused = write("bogus\n", [lambda argv: (1, "", "Invalid directive at line 1\n")])
    assert refused["failed"] and conf.read_text() == "server ntp1\n"
    rerun = write("server ntp1\n", [])
    assert not rerun["changed"] and rerun["changed_paths"] == [] and not marker.exists(), rerun


def test_a_file_not_reported_is_recorded_by_its_digest_and_replayed_without_content(run_module, tmp_path):
    """A file whose content must not land in a result (a password): its change is kept as the old
    content's SHA-256, and replayed in changed_paths alone."""
    marker, secret = tmp_path / "pending.json", tmp_path / "secret.conf"
    (tmp_path / "slurm.conf").write_text("a = 1\n")
    secret.write_text("password=old\n")
    first = run_pending(run_module, tmp_path, "a = 1\n", secret="password=new\n")
    assert first["changed_paths"] == [str(secret)] and first["previous"] == {}
    assert "password" not in marker.read_text() and str(secret) in marker.read_text()
    again = run_pending(run_module, tmp_path, "a = 1\n", secret="password=new\n")
    assert again["replayed"] == [str(secret)] and again["changed_paths"] == [str(secret)]
    assert again["previous"] == {} and "password" not in str(again)
    # Put back before it was applied: nothing left, the record goes.
    back = run_pending(run_module, tmp_path, "a = 1\n")
    assert back["replayed"] == [] and not marker.exists()


def test_a_pending_file_that_is_no_record_is_refused(run_module, tmp_path):
    (tmp_path / "pending.json").write_text("slurm.conf was written\n")
    result = run_pending(run_module, tmp_path, "a = 2\n")
    assert result["failed"] and "pending.json: not a record of pending changes" in result["msg"]
    assert not (tmp_path / "slurm.conf").exists()


# --- prune: files a directory should no longer hold --------------------------------------------

def test_prune_removes_the_matching_files_no_entry_names(run_module, tmp_path):
    """Prometheus loads every rules/*.yml: a site rule file dropped from the settings went on alerting."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in ("hpc-cluster.rules.yml", "site-old.yml", "site-kept.yml", "other.txt"):
        (rules / name).write_text(name + "\n")
    (rules / "site-dir.yml").mkdir()
    (rules / "site-link.yml").symlink_to(rules / "other.txt")
    entries = [{"path": str(rules), "prune": "site-*.yml"},
               {"path": str(rules / "site-kept.yml"), "state": "file", "content": "site-kept.yml\n"},
               {"path": str(rules / "site-new.yml"), "state": "file", "content": "new\n"}]
    checked = run(run_module, entries, check_mode=True)
    assert checked["changed_paths"] == [str(rules / "site-new.yml"), str(rules / "site-link.yml"),
                                        str(rules / "site-old.yml")]
    assert (rules / "site-old.yml").exists() and not (rules / "site-new.yml").exists()
    result = run(run_module, entries)
    assert result["changed_paths"] == checked["changed_paths"]
    assert sorted(p.name for p in rules.iterdir()) == ["hpc-cluster.rules.yml", "other.txt", "site-dir.yml",
                                                       "site-kept.yml", "site-new.yml"]
    assert not run(run_module, entries)["changed"]


def test_prune_keeps_a_record_of_what_it_removed(run_module, tmp_path):
    rules, marker = tmp_path / "rules", tmp_path / "pending.json"
    rules.mkdir()
    (rules / "site-old.yml").write_text("groups: []\n")
    result, _calls = run_module(files.main, {"entries": [{"path": str(rules), "prune": "site-*.yml"}],
                                             "pending": str(marker)}, [])
    old = str(rules / "site-old.yml")
    assert result["changed_paths"] == [old] and old in marker.read_text()


@pytest.mark.parametrize("entry", [
    {"state": "file", "content": "x\\n", "prune": "*.yml"},
    {"prune": "rules/*.yml"},
    {"prune": ""},
])
def test_prune_is_a_name_pattern_of_a_directory_entry(run_module, tmp_path, entry):
    result = run(run_module, [dict(entry, path=str(tmp_path / "rules"))])
    assert result["failed"] and "prune is a file name pattern (no '/') of a directory entry" in result["msg"]
    assert not (tmp_path / "rules").exists()
