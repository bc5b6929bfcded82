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
    # Mounted from another server (its address moved): a remount would keep it, so every run would
    # report the mount fixed while /home stayed on the old server.
    "mounted-elsewhere": ({}, {"test_mounts": [{"mount": "/home", "device": "10.1.9.9:/home", "fstype": "nfs4"}]},
                          None, "nfs_client_mounts /home: mounted from 10.1.9.9:/home, not 10.1.0.%d:/home: a "
                                "remount keeps the old source. Unmount it where nothing uses it (umount /home)"),
    "mounted-here": ({}, {"test_mounts": [{"mount": "/home", "device": "10.1.0.%d:/home", "fstype": "nfs4"}]},
                     None, None),
    "export-twice": ({"nfs_server_exports": [{"path": "/home", "options": ["rw"]},
                                             {"path": "/home/", "options": ["ro"]}]},
                     {}, "nfs_server_exports /home/: listed twice for clients 10.1.0.0/16", None),
    "export-relative": ({"nfs_server_exports": [
                            {"path": "home", "options": ["rw"]},
                            {"path": "/opt/software", "clients": "10.1.2.0/24", "options": ["ro"]}]},
                        {}, "nfs_server_exports home: the path is not absolute", None),
}


# The node's mounts as fact gathering finds them (ansible_facts['mounts']), from test_mounts.
FAKE_MOUNTS = """from ansible.module_utils.basic import AnsibleModule
module = AnsibleModule(argument_spec={"mounts": {"type": "list", "elements": "dict"}})
module.exit_json(changed=False, ansible_facts={"mounts": module.params["mounts"]})
"""


def server_address(case):
    return "10.1.0.%d" % (10 + sorted(CASES).index(case))


def client_text(case):
    text = CASES[case][3]
    return text % (10 + sorted(CASES).index(case)) if text and "%d" in text else text


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    top = tmp_path_factory.mktemp("nfs")
    (top / "library").mkdir()
    (top / "library" / "fake_mounts.py").write_text(FAKE_MOUNTS)
    servers, others, clients = {}, {}, {}
    for case, (server, client, _server_text, _client_text) in sorted(CASES.items()):
        (servers if server is not None else others)["srv-" + case] = local_host(
            cluster_address=server_address(case), **(server or {}))
        mounts = [dict(entry, device=entry["device"].replace("10.1.0.%d", server_address(case)))
                  for entry in client.get("test_mounts", [])]
        client = dict(client, test_mounts=mounts)
        clients["cli-" + case] = local_host(nfs_client_server="srv-" + case, **client)
    inventory = {"all": {"children": {"cluster": {"vars": {"cluster_network": "10.1.0.0/16"}, "children": {
        "control": {"hosts": servers}, "storage": {"hosts": others}, "compute": {"hosts": clients}}}}}}
    plays = [
        {"name": "NFS servers", "hosts": "control", "gather_facts": False, "tasks": [
            {"ansible.builtin.include_role": {"name": "nfs_server", "tasks_from": "preflight.yml"}}]},
        {"name": "NFS clients", "hosts": "compute", "gather_facts": False, "tasks": [
            {"name": "the mounts", "fake_mounts": {"mounts": "{{ test_mounts }}"}},
            {"ansible.builtin.include_role": {"name": "nfs_client", "tasks_from": "preflight.yml"}},
            {"name": "after the checks", "ansible.builtin.debug": {"msg": "passed"}}]},
    ]
    return start(top, plays, inventory).result()


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mistake_is_refused_by_name(run, case):
    server, _client, server_text, _text = CASES[case]
    if server_text:
        run.refused("srv-" + case, server_text)
    elif server is not None:
        run.passed("srv-" + case)
    if client_text(case):
        run.refused("cli-" + case, client_text(case))
    else:
        run.passed("cli-" + case)
        assert run.task_result("cli-" + case, "after the checks")["msg"] == "passed"


def test_a_refusal_names_only_its_culprit(run):
    # The right export of the same list stays out of the message.
    assert "/opt/software" not in run.failure_text("srv-export-relative")
    assert "/opt/software" not in run.failure_text("cli-mount-twice")
