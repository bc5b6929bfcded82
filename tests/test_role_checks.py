"""The roles' input checks: one task per host and role (hpc.cluster.checks), every mistake named at once.

A re-run's cost is set by the tasks each host walks through, so a role's per-host checks are one
task, not one assert per setting; and an admin with three mistakes sees three messages in one run.
The action itself is run through ansible-playbook (its conditions and messages are templated by
ansible-core); the roles' preflights run on this machine (connection local), one host per case.
"""

import pytest
import yaml
from playbook_harness import TOP, local_host, start

ROLES = sorted(path.parent.parent.name for path in (TOP / "roles").glob("*/tasks/checks.yml"))


def per_host_asserts_in_a_row(tasks):
    """Names of consecutive tasks that are both per-host asserts (one checks task would do)."""
    def per_host_assert(task):
        return "ansible.builtin.assert" in task and not task.get("run_once")

    return [(a["name"], b["name"]) for a, b in zip(tasks, tasks[1:]) if per_host_assert(a) and per_host_assert(b)]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_checks_one_setting_per_task(role):
    tasks = yaml.safe_load((TOP / "roles" / role / "tasks" / "checks.yml").read_text())
    assert per_host_asserts_in_a_row(tasks) == []


def test_the_rule_sees_asserts_in_a_row():
    tasks = [{"name": "a", "ansible.builtin.assert": {}}, {"name": "b", "ansible.builtin.assert": {}},
             {"name": "c", "ansible.builtin.assert": {}, "run_once": True}]
    assert per_host_asserts_in_a_row(tasks) == [("a", "b")]


ACTION_CASES = {
    # host: (its checks, the problems expected, how many checks applied)
    "all-hold": ([{"that": ["a == 1", "b is not defined"], "msg": "never templated: {{ nosuch.attribute }}"},
                  {"that": False, "msg": "not applied", "when": "a == 2"}], [], 1),
    "two-fail": ([{"that": ["b is defined", "b == 3"], "msg": "b is {{ b | default('unset') }}"},
                  {"that": "a == 2", "msg": "a must be 2,\n  not {{ a }}"},
                  {"that": True, "msg": "holds"}],
                 ["b is unset", "a must be 2, not 1"], 3),
    "when-list": ([{"that": "a == 5", "msg": "a is {{ a }}", "when": ["a > 0", "a < 3"]},
                   {"that": "a == 5", "msg": "not applied", "when": ["a > 0", "a > 3"]}], ["a is 1"], 1),
    # A warning does not fail the task; it is shown, and listed apart from the problems.
    "warns": ([{"that": "a == 2", "msg": "a is {{ a }}, not 2", "warn": True},
               {"that": "a == 1", "msg": "holds", "warn": True}], [], 2),
    "warns-and-fails": ([{"that": "a == 2", "msg": "only a warning", "warn": True},
                         {"that": "a == 3", "msg": "a problem"}], ["a problem"], 2),
}
WARNED = {"warns": ["a is 1, not 2"], "warns-and-fails": ["only a warning"]}


@pytest.fixture(scope="module")
def action_run(tmp_path_factory):
    """One host per case, each running its own checks (written in the play, as a role writes them)."""
    top = tmp_path_factory.mktemp("checks-action")
    hosts = {name: local_host(a=1) for name in [*ACTION_CASES, "bad-shape"]}
    tasks = [{"name": "Check (%s)" % name, "hpc.cluster.checks": {"checks": checks},
              "when": "inventory_hostname == %r" % name} for name, (checks, _, _) in ACTION_CASES.items()]
    tasks.append({"name": "Check a malformed entry", "hpc.cluster.checks": {"checks": [{"that": "a == 1"}]},
                  "when": "inventory_hostname == 'bad-shape'"})
    play = [{"name": "Checks", "hosts": "all", "gather_facts": False, "tasks": tasks}]
    return start(top, play, {"all": {"hosts": hosts}}).result()


@pytest.mark.parametrize("host", sorted(ACTION_CASES))
def test_checks_action(action_run, host):
    _checks, problems, applied = ACTION_CASES[host]
    result = action_run.task_result(host, "Check (%s)" % host)
    assert result["problems"] == problems
    assert result["warned"] == WARNED.get(host, [])
    assert result.get("warnings", []) == WARNED.get(host, [])
    assert result["checked"] == applied
    assert bool(result.get("failed")) == bool(problems)
    if len(problems) > 1:
        assert result["msg"] == "%d problems: %s" % (
            len(problems), " ".join("(%d) %s" % (n, text) for n, text in enumerate(problems, 1)))
    elif problems:
        assert result["msg"] == problems[0]


def test_checks_action_refuses_a_check_without_a_message(action_run):
    action_run.refused("bad-shape", "checks[0] needs 'that' and 'msg'")


# One host per role: two or three mistakes in settings its checks task reads; each message in
# the one failure. On the code before, each setting had its own assert and the run stopped at the first.
ROLE_CASES = {
    "chrony": ({"chrony_sources": [{"type": "pool", "address": ""},
                                   {"type": "server", "address": "ntp.example.org"}],
                "chrony_cluster_server": True, "chrony_server_group": "nosuchgroup", "chrony_local_stratum": 16},
               ["chrony_sources entries need type pool, server or peer and an address;"
                " not so: {'address': '', 'type': 'pool'}",
                "chrony_cluster_server needs hosts in group nosuchgroup",
                # chronyd -p refused it in the configure step, after the other roles' changes.
                "chrony_local_stratum must be from 1 to 15 (chronyd's local stratum), or 0 for none; not 16"]),
    # A shell that is not there, a relative home root and a group the inventory lacks passed, and left
    # users who could not log in, a useradd refusal half-way, and a firewall message about sources (lab).
    "base": ({"cluster_network": "10.1.0.0",
              "base_limits": {"*": "nofile 4096", "@hpc": {"nofile": {"soft": 65536, "hard": 1024}}},
              "base_sysctl": {"vm.swappiness": [10]},
              "base_users_home_root": "home", "base_hosts_group": "nosuch"},
             ["cluster_network must be an IPv4 CIDR such as 10.0.0.0/16, not 10.1.0.0",
              "limits for a domain must be {item: {soft: value, hard: value}}; not so for *: nofile 4096",
              "limits @hpc nofile: soft 65536 is above hard 1024 (pam_limits would lower it to the hard limit)",
              "not so for vm.swappiness",
              "base_users_home_root must be an absolute path such as /home, not 'home'",
              "base_hosts_group 'nosuch' is not a group of the inventory with hosts in it"]),
    "repos": ({"repos_mirrors": {"epel": "mirror.example.org/epel", "crb": "https://mirror.example.org/crb",
                                 "ohpc": "example"}},
              ["repos_mirrors.epel is mirror.example.org/epel; repos_mirrors.ohpc is example"]),
    # A user cluster_users lacks (a typo) was left out of the image loads, unsaid.
    "podman": ({"podman_registry_mirrors": [{"prefix": "docker.io", "url": "mirror.example.org"}],
                "podman_short_name_aliases": {"ubuntu": "ubuntu:22.04"},
                "podman_images_from_files": [{"name": "localhost/tools:1", "file": "/nonexistent/tools.tar"}],
                "podman_images_users": ["nosuchuser"]},
               ["podman_registry_mirrors entries need a registry prefix", "refused: ubuntu.",
                "podman_images_users names nosuchuser, not in cluster_users"]),
    "apptainer": ({"apptainer_config": {"no such directive": "yes"},
                   "apptainer_package_url": "apptainer.rpm"},
                  ["apptainer_package_url 'apptainer.rpm' is not an http(s) or ftp URL",
                   "apptainer.conf has no directive 'no such directive'"]),
    # A node group the inventory lacks left Prometheus with nothing to scrape (lab), unsaid.
    "prometheus": ({"prometheus_scrape_interval": "15 seconds", "prometheus_retention": "2 weeks",
                    "prometheus_port": 70000, "prometheus_node_group": "nosuch"},
                   ["prometheus_scrape_interval '15 seconds' is not a duration; "
                    "prometheus_retention '2 weeks' is not a duration",
                    "prometheus_port '70000' is not a port",
                    "prometheus_node_group 'nosuch' is not a group of the inventory with hosts in it"]),
    # One message named all three settings, the right ones too.
    # The exporter took the address and failed to bind at its restart, unseen, on every node.
    "node_exporter": ({"node_exporter_port": 70000, "node_exporter_textfile_dir": "textfile",
                       "node_exporter_listen_address": "10.1.0.300"},
                      ["node_exporter_port '70000' is not a port (1-65535)",
                       "node_exporter_textfile_dir 'textfile' is not an absolute path",
                       "node_exporter_listen_address '10.1.0.300' must be an address of the node"]),
    "alertmanager": ({"alertmanager_receiver_url": "hooks.example.org", "alertmanager_group_wait": "soon"},
                     ["alertmanager_receiver_url 'hooks.example.org' is not a URL",
                      "alertmanager_group_wait 'soon'"]),
    "slurmdbd": ({"slurmdbd_db_password": "short", "slurmdbd_package_source": "openhpc",
                  "slurm_accounts": [{"name": "theory", "parent": "physics"}]},
                 ["slurmdbd_db_password is not set (or shorter than 8",
                  "package source 'openhpc' is not available on Debian",
                  "slurm_accounts theory: parent physics must be root or declared"]),
}


@pytest.fixture(scope="module")
def role_run(tmp_path_factory):
    top = tmp_path_factory.mktemp("role-checks")
    hosts = {role: local_host(case_role=role, **variables) for role, (variables, _) in ROLE_CASES.items()}
    play = [{"name": "Preflights", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.setup": {"gather_subset": ["min"]}, "run_once": True},
        {"name": "Preflight of the case's role",
         "ansible.builtin.include_role": {"name": "{{ case_role }}", "tasks_from": "preflight.yml"}},
    ]}]
    return start(top, play, {"all": {"children": {"cluster": {"hosts": hosts}}}}).result()


@pytest.mark.parametrize("role", sorted(ROLE_CASES))
def test_a_role_names_every_mistake_in_one_failure(role_run, role):
    role_run.refused(role, *ROLE_CASES[role][1])
    failed = [task["name"] for task, result in role_run.tasks(role) if result.get("failed")]
    assert len(failed) == 1, failed


def test_a_refusal_names_only_its_culprits(role_run):
    # node_exporter's one message named the port, the textfile directory and the archive checksum.
    assert "node_exporter_archive_checksum" not in role_run.failure_text("node_exporter")
