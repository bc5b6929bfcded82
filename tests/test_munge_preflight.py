"""Role munge's preflight on a cluster of local hosts: the key plan and its refusals.

Every host of a 4-node inventory (control, login, compute) maps to this machine with
connection local; each has its own key file and its own Slurm daemon paths under tmp_path, so
the preflight's per-host reads (stat with sha256, daemon check) see what each case sets up.
Only roles/munge/tasks/preflight.yml runs: it reads and never writes.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")
GROUPS = {"control": ["head"], "login": ["login1"], "compute": ["c01", "c02"]}
HOSTS = [h for hosts in GROUPS.values() for h in hosts]
KEY_A = bytes(range(256)) * 4
KEY_B = b"b" * 1024
FOREIGN = b"f" * 1024


def sha(raw):
    return hashlib.sha256(raw).hexdigest()


def run_preflight(tmp_path, keys, daemons=(), cluster_vars=None, check=False, ids=None, accounts=None,
                  prepare=None):
    """keys: host -> key bytes (absent: no key file); daemons: hosts with slurmd installed;
    ids: munge_uid/munge_user/... for every host instead of free ones. accounts: (passwd line,
    group line) added to this machine's files, seen by the run only (a mount namespace of its own),
    which then runs account.yml after the preflight (the run must be in check mode). prepare:
    called with each host's directory (its key's) once the files are there."""
    host_vars = {}
    for host in HOSTS:
        root = tmp_path / host
        root.mkdir()
        if host in keys:
            (root / "munge.key").write_bytes(keys[host])
        if host in daemons:
            (root / "slurmd").write_text("")
        if prepare:
            prepare(host, root)
        host_vars[host] = {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
            "munge_key_file": str(root / "munge.key"),
            "munge_slurm_daemons": [str(root / "slurmd"), str(root / "slurmctld")],
            # IDs free on any test machine.
            "munge_uid": 64901, "munge_gid": 64901, "munge_user": "mungetest", "munge_group": "mungetest",
            **(ids or {}),
        }
    inventory = {"all": {"children": {"cluster": {
        "vars": cluster_vars or {},
        "children": {group: {"hosts": {h: host_vars[h] for h in hosts}} for group, hosts in GROUPS.items()},
    }}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Munge preflight", "hosts": "control:compute:login", "gather_facts": True,
             "gather_subset": ["min"],
             "tasks": [
                 {"ansible.builtin.include_role": {"name": "munge", "tasks_from": "preflight.yml"}},
                 {"name": "Save the plan", "ansible.builtin.copy": {
                     "content": "{{ __munge_key_plan | to_json }}", "dest": str(tmp_path / "plan.json"),
                     "mode": "0600"},
                  "run_once": True, "check_mode": False},
             ] + ([{"ansible.builtin.include_role": {"name": "munge", "tasks_from": "account.yml"}}]
                  if accounts else [])}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_LOCALHOST_WARNING="0")
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    if check:
        args.append("--check")
    if accounts:
        assert check, "account.yml would change this machine"
        files = []
        for name, line in zip(("passwd", "group"), accounts):
            files.append(tmp_path / name)
            files[-1].write_text(Path("/etc", name).read_text() + line + "\n")
        mounts = 'mount --bind "$0" /etc/passwd && mount --bind "$1" /etc/group && shift && exec "$@"'
        args = ["unshare", "--mount", "sh", "-c", mounts, *map(str, files), *args]
        env["ANSIBLE_DISPLAY_SKIPPED_HOSTS"] = "1"
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=300)


def plan_of(tmp_path, run):
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return json.loads((tmp_path / "plan.json").read_text())


def test_short_key_refused(tmp_path):
    """31 bytes are 44 base64 characters: the length of the text proves nothing."""
    key = base64.b64encode(b"k" * 31).decode()
    run = run_preflight(tmp_path, {}, cluster_vars={"munge_key": key})
    assert run.returncode != 0, run.stdout[-4000:]
    assert "munge_key decodes to 31 bytes; munge needs 32 to 1024" in run.stdout, run.stdout[-4000:]
    assert key not in run.stdout + run.stderr


def test_member_keys_differ_refused(tmp_path):
    keys = {"head": KEY_A, "login1": KEY_A, "c01": KEY_A, "c02": KEY_B}
    run = run_preflight(tmp_path, keys, daemons=["head", "c01", "c02"])
    assert run.returncode != 0, run.stdout[-4000:]
    assert "Slurm hosts hold different munge keys" in run.stdout, run.stdout[-4000:]
    # login1 runs no Slurm daemon: not counted among the members.
    assert "c01,head (sha256 %s" % sha(KEY_A)[:12] in run.stdout, run.stdout[-4000:]
    assert "c02 (sha256 %s" % sha(KEY_B)[:12] in run.stdout, run.stdout[-4000:]


def test_fresh_cluster_plans_generation(tmp_path):
    plan = plan_of(tmp_path, run_preflight(tmp_path, {}, check=True))
    assert plan == {"error": "", "source": "head", "generate": True,
                    "write": {"c01": True, "c02": True, "login1": True}, "sha256": ""}


def test_new_node_with_foreign_key_gets_the_cluster_key(tmp_path):
    keys = {"head": KEY_A, "login1": KEY_A, "c01": KEY_A, "c02": FOREIGN}
    plan = plan_of(tmp_path, run_preflight(tmp_path, keys, daemons=["head", "c01"]))
    assert plan == {"error": "", "source": "head", "generate": False, "write": {"c02": True}, "sha256": sha(KEY_A)}


def test_given_key_differing_from_the_cluster_refused(tmp_path):
    keys = dict.fromkeys(HOSTS, KEY_A)
    run = run_preflight(tmp_path, keys, daemons=["head", "c01", "c02"],
                        cluster_vars={"munge_key": base64.b64encode(KEY_B).decode()})
    assert run.returncode != 0, run.stdout[-4000:]
    assert "munge_key differs from the key the Slurm hosts hold" in run.stdout, run.stdout[-4000:]
    assert "playbooks/rotate_munge_key.yml" in run.stdout


def test_key_host_typo_refused(tmp_path):
    run = run_preflight(tmp_path, {}, cluster_vars={"munge_key_host": "haed"})
    assert run.returncode != 0, run.stdout[-4000:]
    assert "munge_key_host 'haed' is not a host of the inventory" in run.stdout, run.stdout[-4000:]


def test_fixed_uid_of_another_user_refused(tmp_path):
    run = run_preflight(tmp_path, {}, ids={"munge_uid": 0})
    assert run.returncode != 0, run.stdout[-4000:]
    expected = "uid 0 belongs to user root: nothing was changed. Set munge_uid/munge_gid to free or matching IDs"
    assert expected in run.stdout, run.stdout[-4000:]


def test_existing_user_with_other_ids_refused(tmp_path):
    run = run_preflight(tmp_path, {}, ids={"munge_user": "root", "munge_group": "root"})
    assert run.returncode != 0, run.stdout[-4000:]
    expected = "user root has uid 0, not 64901; group root has gid 0, not 64901: nothing was changed."
    assert expected in run.stdout, run.stdout[-4000:]


# The account task runs only where the preflight's read (the same module in check mode) found the
# account missing or different: a re-run makes no call for it, and a hand-made change is put right.
MUNGETEST_GROUP = "mungetest:x:64901:"


def account_task_results(tmp_path, passwd_line, task_name="Create the munge group and user", prepare=None):
    run = run_preflight(tmp_path, dict.fromkeys(HOSTS, KEY_A), check=True, accounts=(passwd_line, MUNGETEST_GROUP),
                        prepare=prepare)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    task = run.stdout.split("TASK [munge : %s]" % task_name)[1].split("TASK [")[0]
    return {host: line.split(":")[0] for line in task.splitlines()
            for host in HOSTS if line.endswith(": [%s]" % host) or ": [%s]" % host in line}


def test_account_as_it_should_be_is_left_alone(tmp_path):
    line = "mungetest:x:64901:64901:MUNGE authentication service:/nonexistent:/usr/sbin/nologin"
    assert account_task_results(tmp_path, line) == dict.fromkeys(HOSTS, "skipping")


def test_account_changed_by_hand_is_put_right(tmp_path):
    line = "mungetest:x:64901:64901:MUNGE authentication service:/nonexistent:/bin/bash"
    assert account_task_results(tmp_path, line) == dict.fromkeys(HOSTS, "changed")


def test_the_key_directory_is_written_only_where_it_is_not_private_to_munge(tmp_path):
    """The preflight's read of the key tells whether its directory (0700) and the key (0400) are
    munge's: a re-run makes no call for them, and a mode changed by hand is put right."""
    line = "mungetest:x:64901:64901:MUNGE authentication service:/nonexistent:/usr/sbin/nologin"
    modes = {"head": (0o700, 0o400), "c01": (0o700, 0o400), "c02": (0o755, 0o400), "login1": (0o700, 0o644)}

    def prepare(host, root):
        for path, mode in zip((root, root / "munge.key"), modes[host]):
            os.chown(path, 64901, 64901)
            path.chmod(mode)
    results = account_task_results(tmp_path, line, "Create the key directory and keep the key private to munge",
                                   prepare)
    assert results == {"head": "skipping", "c01": "skipping", "c02": "changed", "login1": "changed"}
