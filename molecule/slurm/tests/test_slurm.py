"""Behaviour of the Slurm cluster built by playbooks/slurm.yml (scenario slurm).

Per-node checks use testinfra's `host` fixture; cluster behaviour uses `group(name)` from
molecule/conftest.py. The last test re-runs the playbooks while a job runs.
"""

import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
import yaml

NODES = ["slurm-c01", "slurm-c02"]


def slurm_playbook():
    """The project's playbooks/slurm.yml (molecule sets MOLECULE_PROJECT_DIRECTORY)."""
    return os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "playbooks", "slurm.yml")


def wait_for(check, timeout=120, interval=2):
    """Call check() until it returns a true value; return that value or the last one."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def as_user(node, user, command):
    """Run a shell command as a cluster user (from /tmp: homes are on the control node)."""
    return node.run("cd /tmp && runuser -u %s -- sh -c %s", user, command)


def job_field(head, job, field):
    out = head.check_output("sacct -n -X -P -j %s -o %s", job, field)
    return out.strip().splitlines()[0] if out.strip() else ""


def wait_job_state(head, job, states, timeout=180):
    return wait_for(lambda: job_field(head, job, "State") in states and job_field(head, job, "State"), timeout=timeout)


def node_states(head):
    out = head.check_output("sinfo -h -N -o '%%N %%t'")
    return dict(line.split() for line in out.splitlines() if line.strip())


# --- Every node -------------------------------------------------------------------------


def test_munge_key(host):
    key = host.file("/etc/munge/munge.key")
    assert key.user == "munge" and key.group == "munge"
    assert key.mode == 0o400
    assert key.size == 1024
    assert host.user("munge").uid == 201
    assert host.user("slurm").uid == 202
    assert host.service("munge").is_running


def test_same_munge_key_everywhere(group):
    sums = {
        node.backend.get_hostname(): node.check_output("sha256sum /etc/munge/munge.key").split()[0]
        for node in group("cluster")
    }
    assert len(set(sums.values())) == 1, "munge keys differ between nodes"


def test_munge_credential_crosses_nodes(group):
    (head,) = group("control")
    credential = head.check_output("munge -n")
    for node in group("compute") + group("login"):
        result = node.run("echo %s | unmunge", credential)
        assert result.rc == 0, result.stderr


def test_daemons_by_node_role(group):
    (head,) = group("control")
    assert head.service("slurmctld").is_running and head.service("slurmctld").is_enabled
    assert head.service("slurmdbd").is_running
    assert head.service("mariadb").is_running
    # Programs rather than package names: the same checks hold for Debian, EPEL and OpenHPC.
    assert not head.exists("slurmd")
    slurmdbd_conf = head.file("/etc/slurm/slurmdbd.conf")
    assert slurmdbd_conf.user == "slurm" and slurmdbd_conf.mode == 0o600
    for node in group("compute"):
        assert node.service("slurmd").is_running and node.service("slurmd").is_enabled
        assert not node.exists("slurmctld")
    for node in group("login"):
        assert node.exists("sbatch") and node.exists("sinfo")
        assert not node.exists("slurmd")
        assert not node.exists("slurmctld")


# Programs of each node role's packages (names differ between Debian, EPEL and OpenHPC).
ROLE_PROGRAMS = {
    "control": ["chronyd", "firewalld", "munged", "slurmctld", "slurmdbd"],
    "compute": ["chronyd", "firewalld", "munged", "slurmd", "podman"],
    "login": ["chronyd", "firewalld", "munged", "sbatch", "podman"],
}


def package_of(node, program):
    path = node.check_output("readlink -f $(command -v %s)", program)
    if node.exists("dpkg-query"):
        return node.check_output("dpkg-query --search %s", path).split(":")[0]
    return node.check_output("rpm --query --file --queryformat '%%{NAME}' %s", path)


def install_transactions(node):
    """Per installed package, the package manager's transaction that first installed it."""
    if not node.exists("dpkg-query"):
        lines = node.check_output("rpm --query --all --queryformat '%{NAME} %{INSTALLTID}\\n'").splitlines()
        return dict(line.split() for line in lines)
    found = {}
    entries = node.file("/var/log/apt/history.log").content_string.split("\n\n")
    for number, entry in enumerate(entries):
        for line in entry.splitlines():
            if line.startswith("Install: "):
                for item in line[len("Install: "):].split("), "):
                    found.setdefault(item.split(" (")[0].split(":")[0], number)
    return found


def test_site_installs_each_node_packages_in_one_transaction(group):
    """site.yml installs the packages of every role of a node at once (issue 13): the packages
    of chrony, base, munge, Slurm and Podman came in the same transaction."""
    for role, programs in ROLE_PROGRAMS.items():
        for node in group(role):
            packages = {program: package_of(node, program) for program in programs}
            transactions = install_transactions(node)
            by_transaction = {program: transactions.get(package) for program, package in packages.items()}
            assert None not in by_transaction.values(), (node.backend.host, packages, by_transaction)
            assert len(set(by_transaction.values())) == 1, (node.backend.host, by_transaction)


# Daemons that no verifier restarts, by node role and OS family (unit names differ).
STARTED_ONCE = {
    "debian": {"control": ["chrony", "prometheus-node-exporter", "mariadb", "prometheus-alertmanager"],
               "compute": ["chrony", "prometheus-node-exporter"], "login": ["chrony", "prometheus-node-exporter"]},
    "rocky": {"control": ["chronyd", "prometheus-node-exporter", "mariadb", "prometheus-alertmanager"],
              "compute": ["chronyd", "prometheus-node-exporter"], "login": ["chronyd", "prometheus-node-exporter"]},
}


def test_cold_converge_starts_each_daemon_once(group):
    """A daemon starts once, configured: no restart right after its first start (issue 13). On
    Debian the site's package transaction holds the daemons the packages would start with their
    own configuration; the roles' restart handlers skip a daemon their start task just started."""
    for role in ("control", "compute", "login"):
        for node in group(role):
            family = "debian" if node.system_info.distribution == "debian" else "rocky"
            for unit in STARTED_ONCE[family][role]:
                journal = node.check_output("journalctl --unit %s.service --output cat --no-pager", unit)
                starts = [line for line in journal.splitlines() if line.startswith("Started ")]
                assert len(starts) == 1, (node.backend.host, unit, journal)


# --- The cluster ------------------------------------------------------------------------


def test_sinfo_shows_both_nodes_idle(group):
    (head,) = group("control")
    states = wait_for(
        lambda: (lambda s: s if all(s.get(n) == "idle" for n in NODES) else None)(node_states(head)), timeout=120
    )
    assert states, "nodes not idle: %s" % node_states(head)


def test_node_lines_from_facts(group):
    (head,) = group("control")
    conf = head.file("/etc/slurm/slurm.conf").content_string
    assert re.search(r"^NodeName=slurm-c\[01-02\] .*RealMemory=\d+", conf, re.M)
    assert re.search(r"^PartitionName=batch Nodes=slurm-c\[01-02\] Default=YES", conf, re.M)
    # MemTotal minus the reserve (1024), rounded down to slurm_node_memory_granularity_mb (1024).
    for node in group("compute"):
        facts = node.ansible("setup", "filter=ansible_memtotal_mb")["ansible_facts"]
        real = int(re.search(r"RealMemory=(\d+)", conf).group(1))
        assert real == (facts["ansible_memtotal_mb"] - 1024) // 1024 * 1024


def test_srun_from_login_runs_on_both_nodes(group):
    (login,) = group("login")
    out = login.check_output("srun -N2 -t 1 hostname")
    assert sorted(out.split()) == NODES


def test_batch_job_as_alice_is_accounted(group):
    (login,) = group("login")
    (head,) = group("control")
    result = as_user(login, "alice", "sbatch --parsable -N2 -t 2 --wrap 'srun hostname'")
    assert result.rc == 0, result.stderr
    job = result.stdout.strip().split(";")[0]
    assert wait_job_state(head, job, ("COMPLETED",)) == "COMPLETED", job_field(head, job, "State")
    assert job_field(head, job, "User") == "alice"
    assert job_field(head, job, "Account") == "physics"
    assert job_field(head, job, "NNodes") == "2"


def test_inventory_accounting_entities_are_in_slurmdbd(group):
    """slurm_qos, slurm_accounts and slurm_users (inventories/lab), each declared by one task."""
    (head,) = group("control")
    qos = head.check_output("sacctmgr -n -P show qos where name=long format=Name,MaxWall")
    assert qos.strip() == "long|1-00:00:00"
    theory = head.check_output("sacctmgr -n -P show assoc where account=theory user= format=Account,ParentName")
    assert theory.strip() == "theory|physics"
    assocs = head.check_output("sacctmgr -n -P show assoc where user=alice,bob format=User,Account,DefaultQOS,QOS")
    assert sorted(assocs.split()) == ["alice|physics|normal|long,normal", "alice|theory|normal|long,normal",
                                      "bob|physics||normal"]
    defaults = head.check_output("sacctmgr -n -P show user where name=alice,bob format=User,DefaultAccount")
    assert sorted(defaults.split()) == ["alice|physics", "bob|physics"]
    (login,) = group("login")
    result = as_user(login, "alice", "srun -N1 -t 1 -A theory -q long true")
    assert result.rc == 0, result.stderr


def test_job_over_its_memory_is_killed(group):
    (login,) = group("login")
    grab = "python3 -c 'b = bytearray(512 * 1024 * 1024); import time; time.sleep(3)'"
    result = as_user(login, "alice", "srun -N1 -t 1 --mem=128M " + grab)
    output = (result.stdout + result.stderr).lower()
    assert result.rc != 0
    assert "out of memory" in output or "oom" in output, output


def test_unknown_user_cannot_submit(group):
    (login,) = group("login")
    result = login.run("cd /tmp && runuser -u nobody -- sbatch -t 1 --wrap true")
    assert result.rc != 0


def test_drain_and_resume_through_the_slurm_node_module(group):
    """hpc.cluster.slurm_node against the real scontrol: drain with a reason, again (no
    change), resume. testinfra's ansible() runs in check mode unless check=False."""
    (head,) = group("control")
    drain = "name=slurm-c02 state=drained reason='verifier drain' timeout=60"
    first = head.ansible("hpc.cluster.slurm_node", drain, check=False)
    assert first["changed"] is True
    assert node_states(head)["slurm-c02"] == "drain"
    assert "verifier drain" in head.check_output("sinfo -h -R -o '%%E %%N'")
    assert head.ansible("hpc.cluster.slurm_node", drain, check=False)["changed"] is False
    resume = head.ansible("hpc.cluster.slurm_node", "name=slurm-c02 state=resume", check=False)
    assert resume["changed"] is True
    assert wait_for(lambda: node_states(head).get("slurm-c02") == "idle", timeout=60), node_states(head)


# --- Bad input is refused before any change ---------------------------------------------

BAD_INPUT = {
    "unknown slurm.conf key": ('{"slurm_config": {"SelectTypo": "x"}}', "SelectTypo"),
    "unknown partition group": (
        '{"slurm_partitions": [{"name": "gpu", "groups": ["gpunodes"]}]}',
        "unknown inventory group(s) gpunodes",
    ),
    "hardware above facts": ('{"slurm_node": {"RealMemory": 99999999}}', "slurm_node.RealMemory=99999999"),
    "more than two controllers": ('{"slurm_control_group": "cluster"}', "must hold 1 or 2 hosts"),
    "no database password": ('{"slurmdbd_db_password": ""}', "slurmdbd_db_password"),
    # 31 random bytes: base64 of the right length, one byte short of munge's minimum.
    "munge key of 31 bytes": ('{"munge_key": "%s"}' % base64.b64encode(bytes(range(31))).decode(), "munge_key"),
    "munge key unlike the cluster's": (
        '{"munge_key": "%s"}' % base64.b64encode(bytes(range(64))).decode(),
        "rotate_munge_key.yml",
    ),
    "munge key host not in the inventory": ('{"munge_key_host": "slurm-hed"}', "slurm-hed"),
    "accounting host not in the inventory": ('{"slurm_accounting_host": "slurm-hed"}', "slurm-hed"),
    "cluster name change on saved state": ('{"slurm_cluster_name": "renamed"}', "renamed"),
    "state directory change": (
        '{"slurm_config": {"StateSaveLocation": "/var/spool/slurm-moved"}}',
        "slurm_state_migrate",
    ),
    "partition options not key=value": (
        '{"slurm_partitions": [{"name": "batch", "groups": ["compute"], "options": "MaxTime"}]}',
        "batch",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_refused_before_any_change(case):
    extra, culprit = BAD_INPUT[case]
    playbook = slurm_playbook()
    proc = run_playbook(playbook, "-e", extra, expect_ok=False)
    assert proc.returncode != 0, "accepted: %s" % case
    text = " ".join((proc.stdout + proc.stderr).replace("''", "'").split())
    assert culprit in text, text[-3000:]
    assert_refused_in_preflight(proc)


def assert_refused_in_preflight(proc):
    """The run stopped in playbooks/preflight.yml's plays, before any play that changes a thing."""
    assert re.search(r"^PLAY \[Preflight: ", proc.stdout, re.M), proc.stdout[-2000:]
    plays = re.findall(r"^PLAY \[([^\]]*)\]", proc.stdout, re.M)
    assert all(play.startswith("Preflight: ") for play in plays), "went past the preflight: %s" % plays
    assert not changed_tasks(proc.stdout)


# --- Re-running the playbooks on a live cluster -----------------------------------------


def playbook_command(playbook, *extra, inventory=None):
    """ansible-playbook's command and environment, with the scenario's settings."""
    env = dict(os.environ)
    ephemeral = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
    project = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
    env.update(
        ANSIBLE_CONFIG=os.path.join(ephemeral, "ansible.cfg"),
        ANSIBLE_ROLES_PATH=os.path.join(project, "roles"),
        ANSIBLE_COLLECTIONS_PATH=os.path.join(project, "collections"),
        ANSIBLE_PIPELINING="true",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_STDOUT_CALLBACK="default",
        ANSIBLE_CALLBACK_RESULT_FORMAT="yaml",
    )
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i",
        inventory or os.environ["MOLECULE_INVENTORY_FILE"],
        playbook,
        *extra,
    ]
    return cmd, env


def run_playbook(playbook, *extra, expect_ok=True, inventory=None):
    cmd, env = playbook_command(playbook, *extra, inventory=inventory)
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1500)
    if not expect_ok:
        return proc
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    changed = {
        m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", proc.stdout, re.M)
    }
    return changed, proc.stdout


def run_playbook_until(playbook, marker, *extra, timeout=1500):
    """Start the playbook and kill it (and its workers) as soon as its output shows marker, as an
    admin's Ctrl-C or a lost session would stop it; returns the output until then."""
    cmd, env = playbook_command(playbook, *extra)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines, deadline = [], time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line)
        if marker in line or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    out = "".join(lines)
    assert marker in out, out[-4000:]
    return out


def changed_tasks(out):
    """The TASK lines followed by a `changed:` result in ansible-playbook's output."""
    found, task = [], None
    for line in out.splitlines():
        if line.startswith(("TASK [", "RUNNING HANDLER [")):
            task = line.split("]")[0] + "]"
        elif line.startswith("changed:") and task:
            found.append("%s %s" % (task, line.split()[1]))
    return found


def slurm_version(head):
    """(major, minor) of the controller's Slurm, e.g. (22, 5) from 'slurm 22.05.8'."""
    match = re.search(r"(\d+)\.(\d+)", head.check_output("sinfo -V"))
    return int(match.group(1)), int(match.group(2))


def nodes_busy_and_up(head):
    """Both nodes carry the running job and none is down, drained or not responding."""
    return wait_for(
        lambda: (lambda s: s if all(s.get(n) in ("mix", "alloc") for n in NODES) else None)(node_states(head)),
        timeout=120,
    )


def pids(group):
    (head,) = group("control")
    result = {"slurmctld": head.check_output("systemctl show -p MainPID --value slurmctld")}
    for node in group("compute"):
        result[node.backend.get_hostname()] = node.check_output("systemctl show -p MainPID --value slurmd")
    return result


@pytest.fixture(scope="module")
def running_job(group):
    """A 2-node job of alice that runs until the test releases it (file on shared /home)."""
    (login,) = group("login")
    (head,) = group("control")
    release = "/home/alice/release-%s" % uuid.uuid4().hex[:8]
    wrap = "while [ ! -e %s ]; do sleep 2; done" % release
    result = as_user(login, "alice", "sbatch --parsable -N2 -t 30 -o /dev/null --wrap '%s'" % wrap)
    assert result.rc == 0, result.stderr
    job = result.stdout.strip().split(";")[0]
    assert wait_job_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
    yield job, release
    head.run("rm -f %s; scancel %s", release, job)


def run_through_ansible_runner(playbook, private_data_dir):
    """The playbook as CI and AWX run it: ansible_runner.run() (docs/ansible-runner.md)."""
    import ansible_runner

    ephemeral = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
    project = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
    envvars = {
        "ANSIBLE_CONFIG": os.path.join(ephemeral, "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": os.path.join(project, "roles"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(project, "collections"),
        "ANSIBLE_PIPELINING": "true",
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    }
    return ansible_runner.run(private_data_dir=str(private_data_dir), project_dir=project, playbook=playbook,
                              inventory=os.environ["MOLECULE_INVENTORY_FILE"], envvars=envvars, quiet=True)


def test_rerun_changes_nothing_and_job_survives(group, running_job, tmp_path):
    """The whole site again, through ansible-runner, while a job runs: it succeeds on every host,
    changes nothing, restarts nothing, and the job runs on."""
    (head,) = group("control")
    job, _release = running_job
    before = pids(group)
    scenario = os.environ["MOLECULE_SCENARIO_DIRECTORY"]
    run = run_through_ansible_runner(os.path.join(scenario, "converge.yml"), tmp_path)
    stats = run.stats or {}
    assert (run.status, run.rc) == ("successful", 0), "\n".join(run.stdout.read().splitlines()[-60:])
    hosts = {h.backend.get_hostname() for h in group("cluster")}
    assert set(stats.get("ok", {})) == hosts, stats
    assert not stats.get("failures") and not stats.get("dark"), stats
    changed = {host: count for host, count in stats.get("changed", {}).items() if count}
    changed_events = [(e["event_data"].get("host"), e["event_data"].get("task")) for e in run.events
                      if e.get("event") == "runner_on_ok" and e["event_data"].get("res", {}).get("changed")]
    assert not changed, (changed, changed_events)
    assert pids(group) == before, "a daemon restarted although nothing changed"
    assert job_field(head, job, "State") == "RUNNING"


def test_reconfigure_only_change_keeps_daemons(group, running_job):
    """MaxStepCount needs no restart on any release. Up to 23.02 `scontrol reconfigure` keeps
    the daemons' PIDs; from 23.11 on it re-executes them (new PIDs), so there the test checks
    what users see: the job runs on, no node goes down, the new value is live."""
    (head,) = group("control")
    job, _release = running_job
    before = pids(group)
    playbook = slurm_playbook()
    changed, out = run_playbook(playbook, "-e", '{"slurm_config": {"MaxStepCount": 50000}}')
    assert "RUNNING HANDLER [slurm : Reconfigure Slurm]" in out
    assert "RUNNING HANDLER [slurm : Restart" not in out
    if slurm_version(head) < (23, 11):
        assert pids(group) == before, "scontrol reconfigure should have sufficed"
    assert "50000" in head.check_output("scontrol show config | grep -i '^MaxStepCount'")
    assert job_field(head, job, "State") == "RUNNING"
    assert nodes_busy_and_up(head), node_states(head)


def restart_class_change(head):
    """(key, value, extra vars) of a change that restarts the daemons, slurmctld first, then slurmd:
    MaxJobCount by slurm.conf(5) of 22.05; from 23.11 on no such everyday key is left, so a site key
    (slurm_restart_keys) instead."""
    if slurm_version(head) < (23, 11):
        return "MaxJobCount", "20000", {"slurm_config": {"MaxJobCount": 20000}}
    return "TreeWidth", "32", {"slurm_config": {"TreeWidth": 32}, "slurm_restart_keys": ["TreeWidth"]}


def conf_cache_digest(node, head):
    """SHA-256 of the slurm.conf a configless slurmd runs with (conf-cache in its spool directory)."""
    spool = head.check_output("scontrol show config | awk '/^SlurmdSpoolDir/ {print $3}'")
    return node.check_output("sha256sum %s/conf-cache/slurm.conf", spool).split()[0]


def test_configless_round_trip_keeps_job(group, running_job):
    (head,) = group("control")
    job, _release = running_job
    playbook = slurm_playbook()
    run_playbook(playbook, "-e", '{"slurm_configless": true}')
    for node in group("compute"):
        assert not node.file("/etc/slurm/slurm.conf").exists
        assert "--conf-server slurm-head:6817" in node.check_output("ps -o args= -C slurmd")
    assert "enable_configless" in head.check_output("scontrol show config | grep -i '^SlurmctldParameters'")
    assert sorted(head.check_output("scontrol show hostnames $(squeue -h -j %s -o %%N)", job).split()) == NODES
    (login,) = group("login")
    assert sorted(login.check_output("srun -N2 -t 1 hostname").split()) == NODES
    # A restart-class change, the run stopped once the controller applied it, before the compute
    # nodes' play: slurmctld restarted and sent slurmd no new copy (it does at a reconfigure, not at
    # a restart). The next run restarts slurmd, which fetches the controller's file; before, that run
    # changed nothing and slurmd kept the old copy for good.
    _key, _value, extra = restart_class_change(head)
    extra["slurm_configless"] = True
    run_playbook_until(playbook, "PLAY [Slurm compute and login nodes]", "-e", json.dumps(extra))
    controller_file = head.check_output("sha256sum /etc/slurm/slurm.conf").split()[0]
    assert all(conf_cache_digest(node, head) != controller_file for node in group("compute"))
    before = pids(group)
    _changed, out = run_playbook(playbook, "-e", json.dumps(extra))
    restarts = [t for t in changed_tasks(out) if "Restart slurmd where it runs with another slurm.conf" in t]
    assert len(restarts) == 2, changed_tasks(out)
    after = pids(group)
    assert after["slurmctld"] == before["slurmctld"]
    assert all(after[k] != before[k] for k in before if k != "slurmctld"), (before, after)
    assert all(conf_cache_digest(node, head) == controller_file for node in group("compute"))
    assert nodes_busy_and_up(head), node_states(head)
    # Back to local configuration files.
    run_playbook(playbook)
    for node in group("compute"):
        assert node.file("/etc/slurm/slurm.conf").exists
        assert "--conf-server" not in node.check_output("ps -o args= -C slurmd")
    assert job_field(head, job, "State") == "RUNNING"


def lab_slurm_users():
    """slurm_users of the lab inventory, which the scenario reads."""
    project = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
    with open(os.path.join(project, "inventories", "lab", "group_vars", "all", "slurm.yml")) as handle:
        return yaml.safe_load(handle)["slurm_users"]


def bob_associations(head):
    return head.check_output("sacctmgr -n -P show assoc where user=bob format=User,Account").split()


def test_restart_class_change_restarts_in_order_and_job_survives(group, running_job):
    """The same two runs take bob out of Slurm's accounting (slurm_users with state absent; his
    Unix account stays) and put him back with the inventory's list, while alice's job runs."""
    (head,) = group("control")
    job, release = running_job
    before = pids(group)
    playbook = slurm_playbook()
    key, value, extra = restart_class_change(head)
    # SlurmctldPort as a range (slurmctld listens on each): the role's waits took '6817-6818' | int, 0.
    extra["slurm_config"]["SlurmctldPort"] = "6817-6818"
    assert bob_associations(head) == ["bob|physics"]
    extra["slurm_users"] = [u for u in lab_slurm_users() if u["name"] != "bob"] + [{"name": "bob", "state": "absent"}]
    changed, out = run_playbook(playbook, "-e", json.dumps(extra))
    after = pids(group)
    assert all(after[k] != before[k] for k in before), (before, after)
    assert out.index("RUNNING HANDLER [slurm : Restart slurmctld]") < out.index(
        "RUNNING HANDLER [slurm : Restart slurmd]"
    )
    assert value in head.check_output("scontrol show config | grep -i '^%s'" % key)
    assert "6817-6818" in head.check_output("scontrol show config | grep -i '^SlurmctldPort'")
    assert bob_associations(head) == []
    assert head.run("id bob").rc == 0
    # Back to the inventory's settings (a restart on 22.05, a reconfigure later), the job still running.
    run_playbook(playbook)
    assert job_field(head, job, "State") == "RUNNING"
    assert nodes_busy_and_up(head), node_states(head)
    assert bob_associations(head) == ["bob|physics"]
    head.run("touch %s", release)
    assert wait_job_state(head, job, ("COMPLETED",), timeout=120) == "COMPLETED"
