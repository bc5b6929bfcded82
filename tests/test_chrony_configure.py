"""Role chrony's configuration step: chronyd's options line and chrony.conf in one module call (they
were two), the options file's other lines left as they are, chrony.conf checked by `chronyd -p`
before it replaces the old one. On local hosts, every path under tmp_path, a stand-in chronyd that
refuses a configuration with 'bogus' in it; the play ends before its handlers."""

import pytest
import yaml
from playbook_harness import TOP, local_host, start

WRITE = "chrony : Set the chronyd command-line options and write the chrony configuration"


@pytest.fixture
def paths(tmp_path):
    (tmp_path / "bin").mkdir()
    chronyd = tmp_path / "bin" / "chronyd"
    chronyd.write_text('#!/bin/sh\n[ "$1 $2" = "-p -f" ] || exit 2\n'
                       'if grep -q bogus "$3"; then echo "Could not parse server directive" >&2; exit 1; fi\n')
    chronyd.chmod(0o755)
    debian = yaml.safe_load((TOP / "roles/chrony/vars/Debian.yml").read_text())
    return dict(debian, __chrony_options_file=str(tmp_path / "default-chrony"),
                __chrony_config_file=str(tmp_path / "chrony.conf"))


def converge(tmp_path, paths, name, sources=None):
    run_dir = tmp_path / name
    run_dir.mkdir()
    extra = {"chrony_sources": sources} if sources else {}
    plays = [{"name": "Configuration step of role chrony", "hosts": "all", "gather_facts": False,
              "environment": {"PATH": "%s:/usr/sbin:/usr/bin:/sbin:/bin" % (tmp_path / "bin")}, "tasks": [
                  {"ansible.builtin.set_fact": paths},
                  {"ansible.builtin.include_role": {"name": "chrony", "tasks_from": "configure.yml"}},
                  # The restart handler does not run here; its last step (forget the change) does.
                  {"hpc.cluster.files": {"entries": [
                      {"path": str(tmp_path / ".chrony.not-applied.json"), "state": "absent"}]}},
                  {"ansible.builtin.meta": "end_play"}]}]
    return start(run_dir, plays, {"all": {"hosts": {"node": local_host(**extra)}}}).result()


def test_the_options_line_and_chrony_conf_are_one_call(tmp_path, paths):
    options = tmp_path / "default-chrony"
    options.write_text('# Options to pass to chrony.\nDAEMON_OPTS="-F 0"\n# a site note\n')
    first = converge(tmp_path, paths, "first")
    first.passed("node")
    written = first.task_result("node", WRITE)
    assert "results" not in written, written
    assert written["changed_paths"] == [paths["__chrony_options_file"], paths["__chrony_config_file"]]
    assert options.read_text() == '# Options to pass to chrony.\nDAEMON_OPTS="-F 1"\n# a site note\n'
    again = converge(tmp_path, paths, "again")
    assert again.task_result("node", WRITE)["changed"] is False


def test_a_configuration_chronyd_refuses_is_not_written(tmp_path, paths):
    conf = tmp_path / "chrony.conf"
    conf.write_text("pool 2.debian.pool.ntp.org iburst\n")
    sources = [{"address": "ntp.example.org", "type": "server", "options": ["bogusopt"]}]
    result = converge(tmp_path, paths, "bad", sources=sources)
    failure = result.failure_text("node")
    assert "chrony.conf: not written, its check failed (chronyd -p -f %s, exit 1)" % conf in failure, failure
    assert "Could not parse server directive" in failure
    assert conf.read_text() == "pool 2.debian.pool.ntp.org iburst\n"
