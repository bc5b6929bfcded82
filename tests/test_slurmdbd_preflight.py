"""Role slurmdbd's preflight: sacctmgr's rules refused up front, and --check on a fresh controller.

Each case runs roles/slurmdbd/tasks/preflight.yml with ansible-playbook on this machine
(connection local, no become) against a small inventory of the contract's shape; the
preflight only reads (OS data, users by name), so nothing on the machine changes.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

TOP = Path(__file__).resolve().parent.parent
PLAYBOOK_BIN = str(Path(sys.executable).parent / "ansible-playbook")

# Users that exist on no machine running the tests; root exists on every one.
NEW_USER = "hpctestnewuser1"
CLUSTER_USERS = [{"name": NEW_USER, "uid": 4001}]

QOS = [{"name": "long", "description": "Up to a week, on any node"}]
ACCOUNTS = [
    {"name": "physics", "description": "Physics, theory & experiment", "organization": "Science, Inc."},
    {"name": "theory", "parent": "physics"},
]
USERS = [{"name": "root", "account": "physics", "accounts": ["theory"], "qos": ["normal", "long"]}]
GOOD = {"cluster_name": "lab", "slurm_qos": QOS, "slurm_accounts": ACCOUNTS, "slurm_users": USERS,
        "cluster_users": CLUSTER_USERS}


def run_preflight(tmp_path, cases, check=False, tasks_from="preflight.yml", report=None, results=None,
                  path_first=None):
    """Run a task file (or a list of them) of role slurmdbd once, one host per case (its variables
    as host variables).

    Returns {host: message of its first failure, or None}; ``report`` (a dict) receives the
    stats of each host, ``results`` (a dict) each host's [(task name, result)]; ``path_first``: a
    directory searched first for commands.
    """
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
             "slurmdbd_db_password": "not-a-real-secret"}
    hosts = {name: dict(local, **values) for name, values in cases.items()}
    inventory = {"all": {"children": {"cluster": {"children": {"control": {"hosts": hosts}}}}}}
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "Test", "hosts": "control", "gather_facts": True, "gather_subset": ["!all", "min"],
             "tasks": [{"ansible.builtin.include_role": {"name": "slurmdbd", "tasks_from": name}}
                       for name in ([tasks_from] if isinstance(tasks_from, str) else tasks_from)]}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(os.environ, ANSIBLE_CONFIG=str(TOP / "ansible.cfg"), ANSIBLE_CACHE_PLUGIN="memory",
               ANSIBLE_ROLES_PATH=str(TOP / "roles"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOCALHOST_WARNING="0")
    if path_first is not None:
        env["PATH"] = "%s:%s" % (path_first, env["PATH"])
    args = [PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml")]
    if check:
        args.append("--check")
    run = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=600)
    output = json.loads(run.stdout)
    failures = {name: None for name in cases}
    for task in output["plays"][0]["tasks"]:
        for name, result in task["hosts"].items():
            if result.get("failed") and failures[name] is None:
                failures[name] = result.get("msg", "failed without a message")
            if results is not None:
                results.setdefault(name, []).append((task["task"]["name"], result))
    assert set(output["stats"]) == set(cases), run.stdout[-2000:] + run.stderr[-2000:]
    if report is not None:
        report.update(output["stats"])
    return failures


def with_(key, value):
    """GOOD with one variable replaced (users dropped when the accounts they name are)."""
    values = dict(GOOD, **{key: value})
    if key == "slurm_accounts":
        values["slurm_users"] = []
    return values


CASES = [
    # (id, inventory variables, message expected in the failure)
    ("account name with capitals", with_("slurm_accounts", [{"name": "Physics"}]),
     "slurm_accounts Physics: account 'Physics': sacctmgr stores account names in lower case: write 'physics'"),
    ("QOS name with capitals", with_("slurm_qos", [{"name": "Long"}]), "slurm_qos Long: QOS 'Long'"),
    ("user name with capitals", with_("slurm_users", [{"name": "Root", "account": "physics"}]),
     "slurm_users Root: user 'Root'"),
    ("cluster name with capitals", with_("cluster_name", "Lab"),
     "cluster name: cluster 'Lab': sacctmgr stores cluster names in lower case: write 'lab', not 'Lab'"),
    ("slurm_cluster_name with capitals", with_("slurm_cluster_name", "HPC1"), "write 'hpc1', not 'HPC1'"),
    ("cluster name too long", with_("cluster_name", "c" * 41), "longer than 40 characters"),
    ("account name with a comma", with_("slurm_accounts", [{"name": "physics,chemistry"}]),
     "account 'physics,chemistry': sacctmgr reads a comma as a list"),
    ("QOS reference with a comma", with_("slurm_users", [{"name": "root", "account": "physics",
                                                          "qos": ["normal,long"]}]),
     "slurm_users root: user root: qos 'normal,long'"),
    ("account name with a space", with_("slurm_accounts", [{"name": "high energy"}]), "account 'high energy'"),
    ("description with a pipe", with_("slurm_accounts", [{"name": "physics", "description": "a | b"}]),
     "slurm_accounts physics: account physics: description 'a | b' holds '|'"),
    ("organization with a quote", with_("slurm_accounts", [{"name": "physics", "organization": "Alice's lab"}]),
     "slurm_accounts physics: account physics: organization"),
    ("QOS description with a backslash", with_("slurm_qos", [{"name": "long", "description": "a\\b"}]),
     "slurm_qos long: QOS long: description"),
    ("parent not declared", with_("slurm_accounts", [{"name": "theory", "parent": "physics"}]),
     "slurm_accounts theory: parent physics must be root or declared"),
    ("parent declared after its child", with_("slurm_accounts", [{"name": "theory", "parent": "physics"},
                                                                 {"name": "physics"}]),
     "slurm_accounts theory: parent physics must be root or declared"),
    # Limits are checked before any change too (they were only when the module ran, late in the run).
    ("QOS limit not a duration", with_("slurm_qos", [{"name": "long", "limits": {"MaxWall": "1 day"}}]),
     "slurm_qos long: limit MaxWall: not a Slurm duration: '1 day'"),
    ("user limit of a QOS only", with_("slurm_users", [{"name": "root", "account": "physics",
                                                       "limits": {"MaxJobsPerUser": 4}}]),
     "slurm_users root: limit MaxJobsPerUser is not supported for type=user"),
    ("user of an undeclared account", with_("slurm_users", [{"name": "root", "account": "chemistry"}]),
     "slurm_users root: account(s) not declared in slurm_accounts, or declared absent: chemistry"),
    # slurmdbd.conf values its parser would cut short or break on (slurmdbd would not start)
    ("slurmdbd_config value with '#'", with_("slurmdbd_config", {"DebugLevel": "info # quieter"}),
     "slurmdbd_config: DebugLevel 'info # quieter' holds '#'"),
    ("slurmdbd_config value with a line break", with_("slurmdbd_config", {"LogFile": "/var/log/a\nDbdHost=x"}),
     "slurmdbd_config: LogFile '/var/log/a\\nDbdHost=x' holds a line break"),
    ("slurmdbd_config key slurmdbd does not know", with_("slurmdbd_config", {"DebugLevell": "info"}),
     "slurmdbd.conf has no parameter DebugLevell (slurmdbd_config): slurmdbd would not start"),
    ("StoragePass in slurmdbd_config", with_("slurmdbd_config", {"StoragePass": "x"}),
     "slurmdbd.conf has no parameter StoragePass"),
    ("password with whitespace and a double quote", with_("slurmdbd_db_password", 'not "a" real secret'),
     "slurmdbd_db_password is not set (or shorter than 8 characters, or holds '#', a line break or whitespace"),
]


def test_preflight_refuses_what_sacctmgr_would_not_keep(tmp_path):
    cases = {"case%02d" % i: case[1] for i, case in enumerate(CASES)}
    cases["good"] = GOOD
    # whitespace alone is written in double quotes
    cases["good_spaces"] = dict(GOOD, slurmdbd_db_password="not a real secret",
                                slurmdbd_config={"DebugLevel": "info", "TLSType": "tls/s2n"},
                                slurmdbd_config_extra_keys=["TLSType"])
    failures = run_preflight(tmp_path, cases)
    assert failures.pop("good") is None
    assert failures.pop("good_spaces") is None
    for i, (case_id, _vars, message) in enumerate(CASES):
        failure = failures["case%02d" % i]
        assert failure is not None, "%s: not refused" % case_id
        assert message in failure, "%s: %s" % (case_id, failure)


NEW_USERS = [{"name": NEW_USER, "account": "physics"}]
CAPITAL_USER = {"slurm_users": [{"name": "Hpctestnewuser2", "account": "physics"}],
                "cluster_users": [{"name": "Hpctestnewuser2", "uid": 4002}]}
MISSING = "user(s) %s of slurm_users do not exist here" % NEW_USER
CHECK_MODE_CASES = {
    # host: (inventory variables, None when accepted or a message of the refusal)
    "base_creates_the_user": (with_("slurm_users", NEW_USERS), None),
    "user_not_in_cluster_users": (dict(with_("slurm_users", NEW_USERS), cluster_users=[]), MISSING),
    "base_manages_no_users": (dict(with_("slurm_users", NEW_USERS), base_users_manage=False), MISSING),
    "capitals_in_user_name": (dict(GOOD, **CAPITAL_USER), "slurm_users Hpctestnewuser2: user 'Hpctestnewuser2'"),
    "capitals_kept_by_slurmdbd": (dict(GOOD, slurmdbd_config={"Parameters": "PreserveCaseUser"}, **CAPITAL_USER),
                                  None),
}


def test_check_mode_on_a_fresh_controller(tmp_path):
    """In --check, a user that role base creates in the same run is no error; any other missing user is."""
    failures = run_preflight(tmp_path, {name: case[0] for name, case in CHECK_MODE_CASES.items()}, check=True)
    for name, (_vars, message) in CHECK_MODE_CASES.items():
        if message is None:
            assert failures[name] is None, "%s: %s" % (name, failures[name])
        else:
            assert failures[name] is not None and message in failures[name], "%s: %s" % (name, failures[name])


def test_a_user_that_base_creates_later_in_the_run_passes_the_preflight(tmp_path):
    """site.yml runs every preflight before role base: a user of cluster_users may be missing yet.
    A user to remove from Slurm's accounting need not exist (nor have an account)."""
    failures = run_preflight(tmp_path, {
        "base_creates_the_user": with_("slurm_users", NEW_USERS),
        "user_not_in_cluster_users": dict(with_("slurm_users", NEW_USERS), cluster_users=[]),
        "user_to_remove": dict(with_("slurm_users", USERS + [{"name": NEW_USER, "state": "absent"}]),
                               cluster_users=[]),
    })
    assert failures["base_creates_the_user"] is None, failures
    assert MISSING in (failures["user_not_in_cluster_users"] or ""), failures
    assert failures["user_to_remove"] is None, failures


def test_users_the_name_service_does_not_list_pass_the_preflight(tmp_path):
    """LDAP users where SSSD does not enumerate them (its default) resolve by name but are not in a
    listing of the passwd database (`getent passwd`): the preflight looks each user up by name, so
    such a user passes and a missing one is still refused. Here a getent first on PATH lists only
    nobody, as such a name service would list a directory's users."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "getent").write_text("#!/bin/sh\n[ $# -eq 1 ] && [ \"$1\" = passwd ] && "
                                 "echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' && exit 0\n"
                                 "exec /usr/bin/getent \"$@\"\n")
    (fake / "getent").chmod(0o755)
    failures = run_preflight(tmp_path, {
        "resolves_by_name": GOOD,
        "missing": dict(with_("slurm_users", NEW_USERS), cluster_users=[]),
    }, path_first=fake)
    assert failures["resolves_by_name"] is None, failures
    assert MISSING in (failures["missing"] or ""), failures


def test_accounts_on_a_fresh_controller(tmp_path):
    """tasks/accounts.yml: a real run refuses a missing user before sacctmgr; --check reports changes.

    This machine has no sacctmgr, like a controller before its first run.
    """
    assert shutil.which("sacctmgr") is None, "these tests need a machine without Slurm"
    failures = run_preflight(tmp_path, {"head": with_("slurm_users", NEW_USERS)}, tasks_from="accounts.yml")
    assert "user(s) %s do not exist here as Unix users" % NEW_USER in (failures["head"] or ""), failures
    stats, results = {}, {}
    failures = run_preflight(tmp_path, {"head": with_("slurm_users", NEW_USERS)}, check=True,
                             tasks_from="accounts.yml", report=stats, results=results)
    assert failures["head"] is None, failures
    # One task: the cluster, each QOS, account and association would be added, in that order.
    assert stats["head"]["changed"] == 1, stats
    task_name = "Declare the cluster, QOS, accounts and users' associations"
    (result,) = [r for task, r in results["head"] if task.endswith(task_name)]
    added = [command[3:5] for command in result["commands"]]
    assert added[0] == ["cluster", "lab"], added
    assert [kind for kind, _name in added] == sorted((kind for kind, _name in added),
                                                      key=["cluster", "qos", "account", "user"].index), added
    assert ["user", NEW_USER] in added, added


def storage_now(**values):
    """The preflight's read of slurmdbd.conf (hpc.cluster.conf_values) where it names those values."""
    return {"__slurmdbd_storage_now": {"exists": True, "values": values}}


STORAGE_CASES = {
    # (inventory variables, message expected in the failure, or None)
    "renamed": (dict(GOOD, slurmdbd_db_name="acct_new", **storage_now(StorageLoc="slurm_acct_db")),
                "this run would point slurmdbd at another database (StorageLoc slurm_acct_db -> acct_new;"),
    "other_host": (dict(GOOD, slurmdbd_config={"StorageHost": "db1", "StoragePort": 3307},
                        **storage_now(StorageHost="localhost", StorageLoc="slurm_acct_db")),
                   "(StorageHost localhost -> db1, StoragePort 3306 -> 3307;"),
    # slurmdbd.conf without the keys: Slurm's defaults, which the role's settings are.
    "defaults": (dict(GOOD, **storage_now()), None),
    "same": (dict(GOOD, **storage_now(StorageHost="localhost", StoragePort="3306", StorageLoc="slurm_acct_db")),
             None),
    "moved": (dict(GOOD, slurmdbd_db_name="acct_new", slurmdbd_storage_moved=True,
                   **storage_now(StorageLoc="slurm_acct_db")), None),
    "new_host": (dict(GOOD, slurmdbd_db_name="acct_new", __slurmdbd_storage_now={"exists": False, "values": {}}),
                 None),
}


def test_preflight_refuses_pointing_slurmdbd_at_another_database(tmp_path):
    """slurmdbd would start on an empty database: sacct, sreport and fair-share lose the history."""
    cases = {name: case[0] for name, case in STORAGE_CASES.items()}
    failures = run_preflight(tmp_path, cases, tasks_from=["set_vars.yml", "checks.yml"])
    for name, (_, expected) in STORAGE_CASES.items():
        if expected is None:
            assert failures[name] is None, (name, failures[name])
        else:
            assert failures[name] is not None and expected in failures[name], (name, failures[name])
            assert "slurmdbd_storage_moved=true" in failures[name]
