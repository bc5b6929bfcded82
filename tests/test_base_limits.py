"""Role base's limits step: the limits file and pam_limits in the PAM services that lack it, in one
module call (they were a call each, and one per service). On a local host, paths under tmp_path."""

from playbook_harness import local_host, start

WRITE = "base : Write the limits and apply pam_limits in the PAM services that lack it"
# Debian's /etc/pam.d/su: pam_limits commented out.
SU = ("auth       sufficient pam_rootok.so\nsession       required   pam_env.so readenv=1\n"
      "# session    required   pam_limits.so\n@include common-session\n")


def converge(tmp_path, name):
    (tmp_path / name).mkdir()
    facts = {"__base_pam_dir": str(tmp_path / "pam.d"), "base_limits_file": str(tmp_path / "limits.conf")}
    plays = [{"name": "Limits step of role base", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.set_fact": facts},
        {"ansible.builtin.include_role": {"name": "base", "tasks_from": "limits.yml"}}]}]
    host = local_host(base_limits_pam_services=["su", "sshd"],
                      base_limits={"*": {"nofile": {"soft": 4096, "hard": 65536}}})
    return start(tmp_path / name, plays, {"all": {"hosts": {"node": host}}}).result()


def test_the_limits_and_pam_limits_are_one_call(tmp_path):
    (tmp_path / "pam.d").mkdir()
    (tmp_path / "pam.d" / "su").write_text(SU)
    sshd = "auth required pam_unix.so\nsession    required   pam_limits.so\n"
    (tmp_path / "pam.d" / "sshd").write_text(sshd)
    first = converge(tmp_path, "first")
    first.passed("node")
    written = first.task_result("node", WRITE)
    assert "results" not in written, written
    assert written["changed_paths"] == [str(tmp_path / "limits.conf"), str(tmp_path / "pam.d" / "su")]
    assert (tmp_path / "pam.d" / "su").read_text() == SU.replace("# session    required   pam_limits.so",
                                                                 "session    required   pam_limits.so")
    assert (tmp_path / "pam.d" / "sshd").read_text() == sshd
    assert "nofile" in (tmp_path / "limits.conf").read_text()
    assert converge(tmp_path, "again").task_result("node", WRITE)["changed"] is False
