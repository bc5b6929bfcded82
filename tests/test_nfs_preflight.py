"""NFS preflights: the server's exports and the clients' mounts, each mistake named, before any change.

Each case is a server (group control) and a client of its own in one run, as playbooks/preflight.yml
orders them: the servers' checks first (they record their export paths), then the clients' against
them. Connection local; nothing on the system is touched (this kernel has no NFS server anyway).
"""

import pytest
from playbook_harness import local_host, start

DEFAULT_MOUNTS = [{"path": "/home", "options": ["rw", "hard"]}, {"path": "/opt/software", "options": ["ro", "hard"]}]
CASES = {
    # case: (server variables, client variables, expected in the server's failure, in the client's)
    "good": ({}, {"nfs_client_mounts": DEFAULT_MOUNTS + [{"path": "/projects", "src": "/home/projects"}]},
             None, None),
    # Mounted on every client after the server's changes, and failed there: the server exports no /scratch.
    "not-exported": ({}, {"nfs_client_mounts": DEFAULT_MOUNTS + [{"path": "/scratch", "options": ["rw"]}]},
                     None, "nfs_client_mounts /scratch: srv-not-exported does not export /scratch "
                           "(its exports: /home, /opt/software)"),
    "exported-elsewhere": ({"nfs_server_exports": [{"path": "/export/home", "options": ["rw"]}]},
                           {"nfs_client_mounts": [{"path": "/home"}]},
                           None, "srv-exported-elsewhere does not export /home (its exports: /export/home)"),
    # Not a server this inventory manages (not in group control): its exports are not known.
    "unmanaged-server": (None, {"nfs_client_mounts": [{"path": "/scratch"}]}, None, None),
    "mount-twice": ({}, {"nfs_client_mounts": DEFAULT_MOUNTS + [{"path": "/home", "options": ["ro"]}]},
                    None, "nfs_client_mounts /home: listed twice"),
    "mount-relative-src": ({}, {"nfs_client_mounts": [{"path": "/data", "src": "data"}]},
                           None, "nfs_client_mounts /data: src 'data' is not an absolute path"),
    "mount-options-string": ({}, {"nfs_client_mounts": [{"path": "/home", "options": "rw,hard"}]},
                             None, "nfs_client_mounts /home: options must be a list ([rw, hard]), not the string"),
    "export-twice": ({"nfs_server_exports": [{"path": "/home", "options": ["rw"]},
                                             {"path": "/home/", "options": ["ro"]}]},
                     {}, "nfs_server_exports /home/: listed twice for clients 10.1.0.0/16", None),
    "export-relative": ({"nfs_server_exports": [
                            {"path": "home", "options": ["rw"]},
                            {"path": "/opt/software", "clients": "10.1.2.0/24", "options": ["ro"]}]},
                        {}, "nfs_server_exports home: the path is not absolute", None),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("nfs")
    servers, others, clients = {}, {}, {}
    for number, (case, (server, client, _server_text, _client_text)) in enumerate(sorted(CASES.items()), 10):
        (servers if server is not None else others)["srv-" + case] = local_host(
            cluster_address="10.1.0.%d" % number, **(server or {}))
        clients["cli-" + case] = local_host(nfs_client_server="srv-" + case, **client)
    inventory = {"all": {"children": {"cluster": {"vars": {"cluster_network": "10.1.0.0/16"}, "children": {
        "control": {"hosts": servers}, "storage": {"hosts": others}, "compute": {"hosts": clients}}}}}}
    plays = [
        {"name": "NFS servers", "hosts": "control", "gather_facts": False, "tasks": [
            {"ansible.builtin.include_role": {"name": "nfs_server", "tasks_from": "preflight.yml"}}]},
        {"name": "NFS clients", "hosts": "compute", "gather_facts": False, "tasks": [
            {"ansible.builtin.include_role": {"name": "nfs_client", "tasks_from": "preflight.yml"}},
            {"name": "after the checks", "ansible.builtin.debug": {"msg": "passed"}}]},
    ]
    return start(top, plays, inventory).result()


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_refused_by_name(run, case):
    server, _client, server_text, client_text = CASES[case]
    if server_text:
        run.refused("srv-" + case, server_text)
    elif server is not None:
        run.passed("srv-" + case)
    if client_text:
        run.refused("cli-" + case, client_text)
    else:
        run.passed("cli-" + case)
        assert run.task_result("cli-" + case, "after the checks")["msg"] == "passed"


def test_a_refusal_names_only_its_culprit(run):
    # The right export of the same list stays out of the message.
    assert "/opt/software" not in run.failure_text("srv-export-relative")
    assert "/opt/software" not in run.failure_text("cli-mount-twice")
