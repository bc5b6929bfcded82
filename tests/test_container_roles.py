"""Roles apptainer and podman on a throwaway inventory with connection local: every refusal of
their preflights (before any change, naming the culprit) and what they render (apptainer.conf
from layered data, checked against the directives Apptainer knows; /etc/subuid and /etc/subgid;
containers.conf, storage.conf, registries.conf; the Slurm epilog, job hook and TaskProlog).

Only the preflights run (they read, never write) plus template tasks into tmp_path.
"""

import json
import os
import re
import subprocess

import pytest
import tomllib
import yaml
from playbook_harness import TOP, local_host, start

# Each role's one task of node reads (hpc.cluster.node_reads) in its preflight.
APPTAINER_READS = ("apptainer : Read the GPUs, the bind path sources, user.max_user_namespaces and the subordinate"
                   " ID files")
PODMAN_READS = ("podman : Read the storage root's file system, the image files and archives, the user namespaces"
                " and each user's images")

USERS = [{"name": "alice", "uid": 2001, "gid": 2000}, {"name": "bob", "uid": 2002, "gid": 2000}]
ALICE_START = 1048576 + 1001 * 65536
SAVE = "Save the rendered texts"


def inventory(hosts):
    """Hosts {name: variables} in group gpu of compute of cluster (cluster_users set there)."""
    return {"all": {"children": {"cluster": {
        "vars": {"cluster_users": USERS},
        "children": {"compute": {"children": {"gpu": {"hosts": {
            name: local_host(**variables) for name, variables in hosts.items()}}}}},
    }}}}


def play(gather_once=False):
    """Both roles' preflights on group compute, then the rendered texts as a debug message; hosts
    with `scripts_dir` also render the Slurm scripts there, `case_environment` is the environment."""
    save = {"name": SAVE, "ansible.builtin.debug": {"msg": (
        "{{ {'apptainer': __apptainer_conf_text | default(''),"
        " 'containers': __podman_containers_conf_text, 'storage': __podman_storage_conf_text,"
        " 'registries': __podman_registries_conf_text,"
        " 'subid': __podman_userns.files | default([]) | items2dict(key_name='path', value_name='content'),"
        " 'apptainer_subid': __apptainer_userns.files | default([])"
        " | items2dict(key_name='path', value_name='content'),"
        " 'known': __apptainer_known_keys} | to_json }}")}}
    render = [{"ansible.builtin.template": {"src": str(TOP / "roles/podman/templates" / (n + ".j2")),
                                            "dest": "{{ scripts_dir }}/" + n, "mode": "0755"},
               "when": "scripts_dir is defined"} for n in SCRIPTS]
    # Facts gathered once for all the hosts (they are all this machine).
    setup = [{"ansible.builtin.setup": {"gather_subset": ["min"]}, "run_once": True}] if gather_once else []
    return [{"name": "Containers preflight", "hosts": "compute", "gather_facts": not gather_once,
             "gather_subset": ["min"], "environment": "{{ case_environment | default({}) }}", "tasks": [
                 *setup,
                 {"ansible.builtin.include_role": {"name": "apptainer", "tasks_from": "preflight.yml",
                                                   "public": True}},
                 {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "preflight.yml",
                                                   "public": True}},
                 save, *render]}]


def facts(result, host):
    result.passed(host)
    return json.loads(result.task_result(host, SAVE)["msg"])


def refused(result, host, *texts):
    """Failed, changed nothing, named the culprit, never reached the end of the play."""
    result.refused(host, *texts)
    assert SAVE not in [task["name"] for task, _result in result.tasks(host)]


def conf_directives(text):
    """apptainer.conf -> [(directive, value)] of its non-comment lines."""
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs.append((key.strip(), value.strip()))
    return pairs


# --- The runs: every case a host of one batch; the cluster-wide cases each a run of their own ---

SCRIPTS = ["slurm-epilog", "podman-slurm-job-hook", "slurm-task-prolog", "oci.conf"]
GPU_CONFIG = {"apptainer_config_gpu": {"always use nv": "yes"}}
LAYERS = dict(
    {"apptainer_config": {"mount tmp": "no", "max loop devices": 128,
                          "bind path": ["/etc/hosts", "/home", "/tmp:/scratch"]}},
    # The group layer (group_vars of the gpu group in a real inventory).
    apptainer_config_group={"max loop devices": 64, "mount tmp": None, "limit container paths": ["/home", "/opt/sif"]})
PODMAN = {
    "podman_registry_mirrors": [{"prefix": "docker.io", "url": "https://mirror.example.org:5000/dockerhub/"},
                                {"prefix": "quay.io", "url": "http://10.1.0.5/quay"}],
    "podman_short_name_aliases": {"ubuntu": "docker.io/library/ubuntu"},
    "podman_storage_root": "/var/tmp/podman-users",
    "podman_containers_config": {"containers": {"default_ulimits": ["nofile=1024:1024"]}}}

BAD = [
    # (id, variables, texts expected: {host} is the case's host)
    ("unknown-apptainer-directive", {"apptainer_config": {"allow setuidd": "no"}},
     ["apptainer on {host}: apptainer.conf has no directive 'allow setuidd'"]),
    ("bind-path-missing", {"apptainer_config": {"bind path": ["/home", "/nonexistent/software:/opt/sw"]}},
     ["apptainer on {host}: bind path source(s) /nonexistent/software do not exist on this node"]),
    ("bind-path-relative", {"apptainer_config": {"bind path": ["/home", "software:/opt/sw"]}},
     ["apptainer on {host}: bind path source(s) software are no absolute paths"]),
    ("mirror-not-a-url", {"podman_registry_mirrors": [{"prefix": "docker.io", "url": "mirror.example.org"}]},
     ["podman on {host}: podman_registry_mirrors", "mirror.example.org"]),
    ("mirror-bad-scheme", {"podman_registry_mirrors": [{"prefix": "docker.io", "url": "ftp://m.example.org/x"}]},
     ["ftp://m.example.org/x"]),
    ("no-package-source", {"apptainer_required": True},
     ["apptainer on {host}: apptainer_required is true but this node has no package source"]),
    ("subid-overlaps-reserved", {"cluster_subid_reserved": [{"name": "idm", "start": ALICE_START + 5, "count": 1}]},
     ["user alice: range", "overlaps the reserved range idm"]),
    ("subid-overlaps-real-uids", {"cluster_subid_start": 1, "cluster_subid_count": 1},
     ["cluster_users: subordinate ID ranges refused", "user alice: range 1002-1002 overlaps the real UIDs"]),
    ("uid-below-base", {"cluster_users": [{"name": "svc", "uid": 500}]}, ["user svc: uid 500 is below uid_base"]),
    ("storage-under-home", {"podman_storage_root": "/home/containers"},
     ["podman on {host}: podman_storage_root '/home/containers' must be an absolute path on local disk"]),
    ("image-file-missing", {"podman_images_from_files": [{"name": "localhost/x", "file": "/nonexistent/x.tar"}]},
     ["podman on {host}: podman_images_from_files names file(s) missing on this node: /nonexistent/x.tar"]),
    ("image-file-one-missing", {"podman_images_from_files": [{"name": "localhost/x", "file": "/etc/hosts"},
                                                             {"name": "localhost/y", "file": "/nonexistent/y.tar"}]},
     ["podman on {host}: podman_images_from_files names file(s) missing on this node: /nonexistent/y.tar."]),
    ("image-file-relative", {"podman_images_from_files": [{"name": "localhost/x", "file": "images/x.tar"}]},
     ["podman on {host}: podman_images_from_files names file(s) by no absolute path: images/x.tar"]),
    ("alias-short-target", {"podman_short_name_aliases": {"ubuntu": "ubuntu"}}, ["refused: ubuntu"]),
]
# Checked once per run (run_once, cluster-wide data): a refusal there fails every host of the play.
CLUSTER_WIDE = {"subid-overlaps-reserved", "subid-overlaps-real-uids", "uid-below-base"}
FOREIGN_SUBUID = "# local accounts\nintruder:%d:10\nalice:100000:65536\n" % (ALICE_START + 3)


def subid_files(directory, subuid_text):
    """Both roles pointed at a subuid/subgid pair in directory."""
    directory.mkdir()
    subuid, subgid = directory / "subuid", directory / "subgid"
    subuid.write_text(subuid_text)
    subgid.write_text("")
    return {role + suffix: str(path) for role in ("apptainer", "podman")
            for suffix, path in (("_subuid_file", subuid), ("_subgid_file", subgid))}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    top = tmp_path_factory.mktemp("containers")
    tools = top / "bin"
    tools.mkdir()
    (tools / "nvidia-smi").write_text("#!/bin/sh\necho '0, NVIDIA A100-SXM4-40GB, 00000000:3B:00.0'\n")
    (tools / "nvidia-smi").chmod(0o755)
    (top / "scripts").mkdir()
    hosts = {
        "render-layers": LAYERS,
        "render-nogpu": GPU_CONFIG,
        # Same host data, a stand-in nvidia-smi first on PATH: hpc.cluster.gpu_facts finds a GPU.
        "render-gpu": dict(GPU_CONFIG, case_environment={"PATH": "%s:%s" % (tools, os.environ["PATH"])}),
        "render-default": {},
        "render-podman": PODMAN,
        "render-scripts": {"scripts_dir": str(top / "scripts")},
        "render-keep": subid_files(top / "keep", "debian:100000:65536\nalice:165536:65536\n"),
        "bad-foreign-subid": subid_files(top / "foreign", FOREIGN_SUBUID),
        # podman's own pair of files, apptainer's the default ones: each role reads its own.
        "render-podman-own-files": {key: value for key, value in subid_files(top / "own", "").items()
                                    if key.startswith("podman_")},
    }
    hosts.update({"bad-" + case: variables for case, variables, _texts in BAD if case not in CLUSTER_WIDE})
    batch = top / "batch"
    batch.mkdir()
    started = {"batch": start(batch, play(gather_once=True), inventory(hosts))}
    for case, variables, _texts in BAD:
        if case in CLUSTER_WIDE:
            (top / case).mkdir()
            inventory_one = inventory({"c01": {}})
            inventory_one["all"]["children"]["cluster"]["vars"].update(variables)
            started[case] = start(top / case, play(), inventory_one)
    return {"top": top, **{name: future.result() for name, future in started.items()}}


# --- Rendered configuration ------------------------------------------------------------


def test_apptainer_conf_from_layers_uses_known_directives_only(runs):
    data = facts(runs["batch"], "render-layers")
    pairs = conf_directives(data["apptainer"])
    assert data["apptainer"].startswith("#")
    assert {key for key, _ in pairs} <= set(data["known"]), pairs
    known_file = yaml.safe_load((TOP / "roles/apptainer/vars/main.yml").read_text())
    assert data["known"] == known_file["__apptainer_known_keys"]
    assert "config.go" in (TOP / "roles/apptainer/vars/main.yml").read_text()
    # Group beats cluster beats role; null removes; setuid off by default; one line per bind path.
    assert ("max loop devices", "64") in pairs
    assert "mount tmp" not in dict(pairs)
    assert ("allow setuid", "no") in pairs
    assert [v for k, v in pairs if k == "bind path"] == ["/etc/hosts", "/home", "/tmp:/scratch"]
    assert ("limit container paths", "/home, /opt/sif") in pairs
    assert ("mount home", "yes") in pairs


def test_the_bind_path_sources_are_checked_in_one_read_per_node(runs):
    """Every source in one call (a stat per path cost a round trip each); all exist here."""
    reads = runs["batch"].task_result("render-layers", APPTAINER_READS)["reads"]
    probe = reads["binds"]
    assert "results" not in probe and probe["missing"] == [] and probe["unread"] == [], probe
    assert probe["invocation"]["module_args"]["paths"][-3:] == ["/etc/hosts", "/home", "/tmp"]


def test_the_image_files_are_looked_for_in_one_command_per_node(runs):
    """Both archives in one call (a stat per file cost a round trip each): the missing one only."""
    probe = runs["batch"].task_result("bad-image-file-one-missing", PODMAN_READS)["reads"]["image_files"]
    assert "results" not in probe and probe["missing"] == ["/nonexistent/y.tar"], probe


def test_apptainer_nvidia_layer_from_gpu_facts(runs):
    """--nv settings follow hpc.cluster.gpu_facts (here a stand-in nvidia-smi on PATH), not host
    names: the same host data renders the GPU layer only when the tool reports a GPU."""
    without = facts(runs["batch"], "render-nogpu")
    assert "always use nv" not in dict(conf_directives(without["apptainer"]))
    with_gpu = facts(runs["batch"], "render-gpu")
    assert ("always use nv", "yes") in conf_directives(with_gpu["apptainer"])


def test_subid_files_rendered(runs):
    data = facts(runs["batch"], "render-default")
    expected = "alice:%d:65536\nbob:%d:65536" % (ALICE_START, ALICE_START + 65536)
    for path in ("/etc/subuid", "/etc/subgid"):
        assert data["subid"][path].rstrip("\n") == expected
        # Both roles plan the same content: the second writes nothing.
        assert data["apptainer_subid"][path] == data["subid"][path]


def test_podman_configs_rendered(runs):
    data = facts(runs["batch"], "render-podman")
    containers = tomllib.loads(data["containers"])
    assert containers["containers"]["cgroups"] == "disabled"
    assert containers["containers"]["netns"] == "host"
    assert containers["containers"]["default_ulimits"] == ["nofile=1024:1024"]
    assert containers["engine"]["cgroup_manager"] == "cgroupfs"
    assert containers["engine"]["runtime"] == "crun"
    assert "/etc/containers/oci/hooks.d" in containers["engine"]["hooks_dir"]
    storage = tomllib.loads(data["storage"])
    assert storage["storage"]["rootless_storage_path"] == "/var/tmp/podman-users/$UID/storage"
    assert storage["storage"]["driver"] == "overlay"
    registries = tomllib.loads(data["registries"])
    assert registries["unqualified-search-registries"] == []
    assert registries["short-name-mode"] == "enforcing"
    assert registries["aliases"] == {"ubuntu": "docker.io/library/ubuntu"}
    assert registries["registry"] == [
        {"prefix": "docker.io", "location": "docker.io", "mirror": [{"location": "mirror.example.org:5000/dockerhub"}]},
        {"prefix": "quay.io", "location": "quay.io", "mirror": [{"location": "10.1.0.5/quay", "insecure": True}]}]


def test_slurm_scripts_render_and_parse(runs):
    """The epilog, job hook and TaskProlog are valid sh; oci.conf has only RunTime keys."""
    runs["batch"].passed("render-scripts")
    scripts = runs["top"] / "scripts"
    for name in SCRIPTS[:3]:
        check = subprocess.run(["sh", "-n", str(scripts / name)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, (name, check.stderr)
    epilog = (scripts / "slurm-epilog").read_text()
    assert "root=/var/lib/containers/users" in epilog and "runuser -u" in epilog
    # The epilog exits 0 whatever happens: without a job it does nothing.
    done = subprocess.run(["sh", str(scripts / "slurm-epilog")], env={"PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0
    keys = {line.split("=", 1)[0] for line in (scripts / "oci.conf").read_text().splitlines()
            if line and not line.startswith("#")}
    # Slurm 22.05 refuses RunTimeEnvExclude (23.02+) and the pattern %U ("unexpected replacement
    # character", tried on the lab): only the keys and replacements it knows.
    assert keys == {"RunTimeQuery", "RunTimeKill", "RunTimeDelete", "RunTimeRun"}
    oci = "\n".join(line for line in (scripts / "oci.conf").read_text().splitlines() if not line.startswith("#"))
    assert set(re.findall(r"%(.)", oci)) <= set("%@bejnstu"), re.findall(r"%(.)", oci)
    assert "--root=/var/lib/containers/users/by-name/%u/crun" in oci


# --- Bad input, refused in the preflight ------------------------------------------------


@pytest.mark.parametrize(("case", "texts"), [(c[0], c[2]) for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_refused(runs, case, texts):
    result, host = (runs[case], "c01") if case in CLUSTER_WIDE else (runs["batch"], "bad-" + case)
    refused(result, host, *(text.format(host=host) for text in texts))


def test_subid_overlap_with_another_account_refused(runs):
    """Another account's entry in the node's subuid file overlapping a cluster range is refused,
    naming the file, the line and the cluster user; the file is left as it was."""
    subuid = runs["top"] / "foreign/subuid"
    refused(runs["batch"], "bad-foreign-subid",
            "bad-foreign-subid %s: subordinate IDs of other accounts overlap" % subuid,
            "line 2 'intruder:%d:10'" % (ALICE_START + 3), "overlaps the range of alice")
    assert subuid.read_text() == FOREIGN_SUBUID


def test_subid_files_keep_other_accounts(runs):
    subuid = runs["top"] / "keep/subuid"
    data = facts(runs["batch"], "render-keep")
    assert data["subid"][str(subuid)].rstrip("\n") == "debian:100000:65536\nalice:%d:65536\nbob:%d:65536" % (
        ALICE_START, ALICE_START + 65536)


def test_good_hosts_pass_next_to_refused_ones(runs):
    """Every render host of the batch ran to the end although other hosts of the play failed."""
    for host in ("render-layers", "render-nogpu", "render-gpu", "render-default", "render-podman",
                 "render-scripts", "render-keep"):
        runs["batch"].passed(host)
        assert runs["batch"].task_result(host, SAVE)


def test_debian_without_source_warns_and_renders(runs):
    data = facts(runs["batch"], "render-default")
    assert data["apptainer"], data
    name = "apptainer : Check the package source, the apptainer.conf keys and the bind paths"
    checks = runs["batch"].task_result("render-default", name)
    assert [text for text in checks["warned"] if "no package source" in text] == [
        "apptainer on render-default: no package source (Debian has no apptainer package; set apptainer_package_url"
        " or apptainer_package_file): the install and apptainer.conf are skipped; subordinate IDs and user"
        " namespaces are still configured."], checks




def test_podman_takes_apptainers_read_of_the_same_subid_files(runs):
    """Where role apptainer read the same subordinate ID files for the same ranges in this run, role
    podman makes no read of its own (one call fewer per node) and plans the same contents; with
    files of its own it reads them."""
    shared = runs["batch"].task_result("render-keep", PODMAN_READS)
    assert "userns" not in shared["reads"], shared
    data = facts(runs["batch"], "render-keep")
    assert data["subid"] == data["apptainer_subid"] and len(data["subid"]) == 2, data
    own = runs["batch"].task_result("render-podman-own-files", PODMAN_READS)["reads"]["userns"]
    assert own.get("skipped") is not True and not own.get("failed"), own
    data = facts(runs["batch"], "render-podman-own-files")
    assert sorted(data["subid"]) == sorted(str(runs["top"] / "own" / name) for name in ("subuid", "subgid"))
    assert sorted(data["apptainer_subid"]) == ["/etc/subgid", "/etc/subuid"]
    assert "alice:%d:65536" % ALICE_START in data["subid"][str(runs["top"] / "own" / "subuid")]


def test_podman_makes_the_user_directories_and_links_in_its_configuration_call():
    """The storage directories and (on the Slurm compute nodes) their links by name are the user_dirs
    of the one hpc.cluster.files call of configure.yml (they were a user_dirs call of their own)."""
    tasks = [(path.name, task) for path in sorted((TOP / "roles/podman/tasks").glob("*.yml"))
             for task in yaml.safe_load(path.read_text()) or []]
    assert not [name for name, task in tasks if "hpc.cluster.user_dirs" in task]
    calls = [(name, task) for name, task in tasks if "user_dirs" in task.get("hpc.cluster.files", {})]
    assert len(calls) == 1, [name for name, _ in calls]
    name, task = calls[0]
    assert name == "configure.yml"
    assert task["hpc.cluster.files"]["user_dirs"]["root"] == "{{ podman_storage_root }}"
    assert "__podman_by_name_links" in task["hpc.cluster.files"]["user_dirs"]["by_name"]
    assert "when" not in task, "every node gets its directories"


def test_a_check_run_that_would_copy_the_apptainer_package_does_not_install_from_the_missing_copy(tmp_path):
    """--check on a node without the package file: the copy would happen, so there is no file to
    install from yet. The install from the file is skipped (it failed, 'Could not open file'), and
    the configuration that needs the package counts it as installed now (skipped in check mode)."""
    package = tmp_path / ("apptainer_0.0.%d_amd64.deb" % os.getpid())
    package.write_bytes(b"not a package: never read in check mode")
    plays = [{"name": "Install step of role apptainer", "hosts": "all", "gather_facts": True,
              "gather_subset": ["!all", "!min", "distribution"], "tasks": [
                  {"ansible.builtin.import_role": {"name": "apptainer", "tasks_from": "install.yml"}},
                  {"name": "Installed now", "ansible.builtin.debug": {"msg": "{{ __apptainer_installed_now }}"}}]}]
    hosts = {"all": {"hosts": {"node": local_host(apptainer_package_file=str(package),
                                                  __apptainer_package_source="none", apptainer_enabled=True)}}}
    result = start(tmp_path, plays, hosts, args=["--check"]).result()
    result.passed("node")
    copy = result.task_result("node", "apptainer : Copy the Apptainer package from the controller")
    assert copy.get("changed") is True, copy
    family = "Debian" if os.path.exists("/etc/debian_version") else "RedHat"
    install = result.task_result("node", "apptainer : Install Apptainer from the package URL or file (%s)" % family)
    assert install.get("skipped") is True, install
    assert result.task_result("node", "Installed now")["msg"] in (True, "True")
    assert not (tmp_path / "etc").exists()


def test_the_images_step_asks_each_node_once_for_every_user_and_image(tmp_path):
    """One module call per node answers for each user and image whether the storage has it (a call
    per pair cost a round trip each); only the missing pairs are loaded. Here, as root (whose
    storage podman is asked for), in --check: two images no storage has."""
    images = [{"name": "localhost/hpc-absent-%d-%s" % (os.getpid(), letter), "file": "/nonexistent/%s.tar" % letter}
              for letter in "ab"]
    plays = [{"name": "Images step of role podman", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.import_role": {"name": "podman", "tasks_from": "images.yml"}}]}]
    hosts = {"all": {"hosts": {"node": local_host(cluster_users=[{"name": "root", "uid": 0}],
                                                  podman_images_users=["root"], podman_images_from_files=images)}}}
    result = start(tmp_path, plays, hosts, args=["--check"]).result()
    result.passed("node")
    probe = result.task_result("node", "podman : Look for the images in each user's storage")
    assert "results" not in probe, probe
    assert probe["images"] == [{"user": "root", "image": image["name"], "present": False, "source": "podman"}
                               for image in images]
    loads = result.task_result("node", "podman : Load the missing images")
    assert [item["item"] for item in loads["results"]] == [["root", image["name"]] for image in images]


IMAGE_PROBE = "podman : Look for the images in each user's storage"


@pytest.mark.parametrize("changed", [False, True], ids=["re-run", "configuration-changed"])
def test_the_preflight_read_answers_the_images_step_unless_the_configuration_changed(tmp_path, changed):
    """Where podman is installed, role podman's preflight read asks each user's storage for each image
    in its one node_reads task; on a re-run the images step then asks nothing again (a module call
    fewer per node) and loads what that read found missing. Where its configuration or a storage
    changed in the run, it asks again. Preflight and images step in --check, podman installed as
    the preflight's package list says; one user (root), two images no storage has."""
    images = [{"name": "localhost/hpc-absent-%d-%s" % (os.getpid(), letter), "file": "/etc/hostname"}
              for letter in "ab"]
    written = ("{'changed': true}" if changed else "{'changed': false}")
    plays = [{"name": "Preflight and images step of role podman", "hosts": "all", "gather_facts": True,
              "gather_subset": ["min"], "tasks": [
                  {"ansible.builtin.set_fact": {
                      "__preflight_packages": {"installed": ["podman"]},
                      "__podman_files_written": "{{ %s }}" % written}},
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "preflight.yml", "public": True}},
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "images.yml"}}]}]
    hosts = {"all": {"hosts": {"node": local_host(
        cluster_users=[{"name": "root", "uid": 0}], podman_images_users=["root"], podman_images_from_files=images,
        podman_storage_root=str(tmp_path / "storage"), podman_subid_manage=False, podman_packages=["podman"])}}}
    result = start(tmp_path, plays, hosts, args=["--check"]).result()
    result.passed("node")
    read = result.task_result("node", PODMAN_READS)["reads"]["images"]
    assert [(entry["user"], entry["image"], entry["present"]) for entry in read["images"]] == [
        ("root", image["name"], False) for image in images], read
    probe = result.task_result("node", IMAGE_PROBE)
    assert probe.get("skipped", False) is not changed, probe
    loads = result.task_result("node", "podman : Load the missing images")
    assert [item["item"] for item in loads["results"]] == [["root", image["name"]] for image in images]


def test_only_archives_missing_or_different_on_the_node_are_copied(tmp_path):
    """Role podman's preflight compares each node's copy of the archives from the controller with the
    controller's checksum, computed once (copy computed it once per node, and made a module call per
    node); the images step copies only the archives missing there or different. --check, this
    machine as controller and node: one copy equal, one different, one missing."""
    controller, node = tmp_path / "controller", tmp_path / "images"
    controller.mkdir()
    node.mkdir()
    for name in ("same", "changed", "missing"):
        (controller / (name + ".tar")).write_bytes(b"archive " + name.encode())
    (node / "same.tar").write_bytes(b"archive same")
    (node / "changed.tar").write_bytes(b"an older archive")
    images = [{"name": "localhost/" + name, "src": str(controller / (name + ".tar"))}
              for name in ("same", "changed", "missing")]
    plays = [{"name": "Preflight and images step of role podman", "hosts": "all", "gather_facts": True,
              "gather_subset": ["min"], "tasks": [
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "preflight.yml", "public": True}},
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "images.yml"}}]}]
    hosts = {"all": {"hosts": {"node": local_host(
        cluster_users=[], podman_images_users=[], podman_images_from_files=images, podman_images_dir=str(node),
        podman_storage_root=str(tmp_path / "storage"), podman_subid_manage=False)}}}
    result = start(tmp_path, plays, hosts, args=["--check"]).result()
    result.passed("node")
    read = result.task_result("node", PODMAN_READS)["reads"]["archives"]
    assert read["stdout_lines"] == [str(node / "changed.tar"), str(node / "missing.tar")], read
    copies = result.task_result("node", "podman : Copy the image archives from the controller")
    assert [item["item"]["name"] for item in copies["results"]] == ["localhost/changed", "localhost/missing"]
    assert all(item["changed"] for item in copies["results"]), copies
    assert (node / "changed.tar").read_bytes() == b"an older archive" and not (node / "missing.tar").exists()


def test_the_preflight_does_not_ask_for_images_where_podman_is_not_installed(tmp_path):
    """A new node (the preflight's package list lacks podman's packages): no images read in the
    preflight; the images step asks after the install."""
    images = [{"name": "localhost/hpc-absent", "file": "/etc/hostname"}]
    plays = [{"name": "Preflight of role podman", "hosts": "all", "gather_facts": True, "gather_subset": ["min"],
              "tasks": [{"ansible.builtin.set_fact": {"__preflight_packages": {"installed": []}}},
                        {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "preflight.yml"}}]}]
    hosts = {"all": {"hosts": {"node": local_host(
        cluster_users=[{"name": "root", "uid": 0}], podman_images_users=["root"], podman_images_from_files=images,
        podman_storage_root=str(tmp_path / "storage"), podman_subid_manage=False)}}}
    result = start(tmp_path, plays, hosts, args=["--check"]).result()
    result.passed("node")
    assert "images" not in result.task_result("node", PODMAN_READS)["reads"]


@pytest.mark.parametrize("oci", [True, False], ids=["oci", "no-oci"])
def test_the_slurm_pieces_and_oci_conf_are_entries_of_the_configuration_call(tmp_path, oci):
    """Role podman's Slurm pieces and oci.conf are entries of its configuration's one hpc.cluster.files
    call on a compute node (they had a call of their own, and oci.conf a template task before that);
    a running slurmd restarts for oci.conf only. Preflight, configuration and Slurm steps in --check,
    paths under tmp_path: everything would be written, nothing is."""
    paths = {"podman_helper_dir": str(tmp_path / "helper"), "podman_slurm_oci_file": str(tmp_path / "oci.conf"),
             "podman_slurm_epilog_file": str(tmp_path / "epilog.d" / "50-podman"),
             "podman_slurm_task_prolog_file": str(tmp_path / "task-prolog"),
             "podman_storage_root": str(tmp_path / "storage"), "podman_subuid_file": str(tmp_path / "subuid"),
             "podman_subgid_file": str(tmp_path / "subgid"), "podman_max_user_namespaces": 0}
    plays = [{"name": "Role podman on a compute node", "hosts": "compute", "gather_facts": True,
              "gather_subset": ["min"], "tasks": [
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "preflight.yml", "public": True}},
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "configure.yml"}},
                  {"ansible.builtin.include_role": {"name": "podman", "tasks_from": "slurm.yml"}},
                  {"ansible.builtin.meta": "end_play"}]}]
    hosts = {"all": {"children": {"compute": {"hosts": {"node": local_host(podman_slurm_oci=oci, **paths)}}}}}
    result = start(tmp_path, plays, hosts, args=["--check"]).result()
    result.passed("node")
    name = ("podman : Write /etc/subuid, /etc/subgid, Podman's configuration, the Slurm pieces and a storage"
            " directory per user")
    files = result.task_result("node", name)
    assert "results" not in files, files
    assert (paths["podman_slurm_oci_file"] in files["changed_paths"]) is oci, files["changed_paths"]
    assert paths["podman_slurm_task_prolog_file"] in files["changed_paths"], files["changed_paths"]
    restart = result.task_result("node", "podman : Restart a running slurmd when oci.conf changed")
    assert restart.get("changed") is oci and restart.get("skipped", False) is not oci, restart
    assert not any(tmp_path.joinpath(name).exists() for name in ("helper", "oci.conf", "task-prolog", "storage"))


def test_the_image_archives_directory_is_written_with_the_configuration():
    """The directory of the image archives copied from the controller is an entry of configure.yml's
    files call (a file task of its own in images.yml cost a module call per node)."""
    tasks = {path.name: yaml.safe_load(path.read_text()) for path in (TOP / "roles/podman/tasks").glob("*.yml")}
    assert not [task["name"] for task in tasks["images.yml"] if "ansible.builtin.file" in task]
    files = [task for task in tasks["configure.yml"] if "hpc.cluster.files" in task]
    assert len(files) == 1
    assert "__podman_images_dir_entry" in files[0]["hpc.cluster.files"]["entries"]
    assert files[0]["vars"]["__podman_images_dir_entry"] == [
        {"path": "{{ podman_images_dir }}", "owner": "root", "group": "root", "mode": "0755"}]
    assert "podman_images" in files[0]["tags"]


@pytest.mark.parametrize("source", ["epel", "none"])
def test_apptainer_writes_the_subid_files_and_its_own_files_in_one_call(tmp_path, source):
    """Role apptainer's configuration step: /etc/subuid and /etc/subgid as the preflight planned them
    and, where Apptainer has a package source, apptainer.conf and (NVIDIA nodes) the --nv library
    list: one hpc.cluster.files call (they were three tasks). Facts as the preflight leaves them,
    every path under tmp_path."""
    facts = {"__apptainer_install_source": source, "__apptainer_has_nvidia": True,
             "__apptainer_conf_text": "allow setuid = no\n",
             "apptainer_config_file": str(tmp_path / "apptainer.conf"),
             "apptainer_nvliblist_file": str(tmp_path / "nvliblist.conf"),
             "__apptainer_userns": {"max_user_namespaces": 65536, "files": [
                 {"path": str(tmp_path / "subuid"), "content": "alice:%d:65536\n" % ALICE_START},
                 {"path": str(tmp_path / "subgid"), "content": "alice:%d:65536\n" % ALICE_START}]}}
    plays = [{"name": "Configuration step of role apptainer", "hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.set_fact": facts},
        {"ansible.builtin.include_role": {"name": "apptainer", "tasks_from": "configure.yml"}}]}]
    hosts = {"all": {"hosts": {"node": local_host(apptainer_max_user_namespaces=0)}}}
    name = ("apptainer : Write /etc/subuid and /etc/subgid with the cluster users' ranges, apptainer.conf"
            " and the --nv library list")
    expected = [str(tmp_path / n) for n in ("subuid", "subgid")] + (
        [str(tmp_path / "apptainer.conf"), str(tmp_path / "nvliblist.conf")] if source == "epel" else [])
    for run in ("first", "again"):
        (tmp_path / run).mkdir()
        result = start(tmp_path / run, plays, hosts).result()
        result.passed("node")
        written = result.task_result("node", name)
        assert "results" not in written, written
        assert written["changed_paths"] == (expected if run == "first" else []), written
    assert (tmp_path / "subuid").read_text() == "alice:%d:65536\n" % ALICE_START
    assert (tmp_path / "apptainer.conf").exists() is (source == "epel")


def test_the_users_storage_does_not_move_unless_the_admin_resets_it(tmp_path):
    """storage.conf on the node names where the users' storage is now: a new podman_storage_root
    (their pulled images would stay behind, Slurm would lose sight of running jobs' containers) is
    refused unless podman_storage_reset; the same root, a trailing slash apart, is no move."""
    conf = tmp_path / "storage.conf"
    conf.write_text('[storage]\ndriver = "overlay"\n# rootless_storage_path = "/nope"\n'
                    'rootless_storage_path = "/var/tmp/old-users/$UID/storage"\n')
    hosts = {"moved": {"podman_storage_root": "/var/tmp/podman-users"},
             "reset": {"podman_storage_root": "/var/tmp/podman-users", "podman_storage_reset": True},
             "same": {"podman_storage_root": "/var/tmp/old-users/"}}
    result = start(tmp_path, play(), inventory(hosts), extra={"__podman_storage_conf_file": str(conf)}).result()
    refused(result, "moved", "podman on moved: the users' storage would move from /var/tmp/old-users/$UID/storage"
            " to /var/tmp/podman-users/$UID/storage (podman_storage_root", "podman_storage_reset=true")
    for host in ("reset", "same"):
        facts(result, host)


def test_the_storage_driver_does_not_change_under_the_users_storage(tmp_path):
    """podman 4.3 keeps the driver its database recorded for each user: a new driver in the same
    storage reached only new users, and each job of the others printed an error (lab). Refused
    unless it comes with a new storage root and podman_storage_reset."""
    conf = tmp_path / "storage.conf"
    conf.write_text('[storage]\ndriver = "overlay"\n'
                    'rootless_storage_path = "/var/tmp/old-users/$UID/storage"\n')
    vfs = {"storage": {"driver": "vfs"}}
    hosts = {"driver": {"podman_storage_root": "/var/tmp/old-users", "podman_storage_config": vfs},
             "driver-reset": {"podman_storage_root": "/var/tmp/old-users", "podman_storage_config": vfs,
                              "podman_storage_reset": True},
             "new-root": {"podman_storage_root": "/var/tmp/new-users", "podman_storage_config": vfs,
                          "podman_storage_reset": True},
             "same": {"podman_storage_root": "/var/tmp/old-users",
                      "podman_storage_config": {"storage": {"driver": "overlay"}}}}
    result = start(tmp_path, play(), inventory(hosts), extra={"__podman_storage_conf_file": str(conf)}).result()
    for host in ("driver", "driver-reset"):
        refused(result, host, "podman on %s: the storage driver would change from overlay to vfs" % host,
                "together with a new podman_storage_root")
    for host in ("new-root", "same"):
        facts(result, host)
