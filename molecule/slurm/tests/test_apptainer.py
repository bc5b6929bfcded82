"""Apptainer on the compute nodes (scenario slurm on Debian, scenario rocky on Rocky 9/10).

On Rocky (EPEL's apptainer package) a user job runs a SIF built from the same image archive
the Podman tests use, reading and writing the user's /home. Debian 12 has no Apptainer package
and the lab gives no package URL: there the role skips the install (visibly, in its output),
and this checks that it left no half-installed runtime behind, while subordinate IDs and user
namespaces, which Apptainer's --fakeroot needs, are still set.
"""

import uuid

IMAGE_ARCHIVE = "/var/lib/containers/image-files/hpc-tiny.tar"


def redhat(node):
    return node.system_info.distribution.lower() in ("rocky", "rhel", "almalinux", "centos")


def test_user_namespaces_and_subids_for_fakeroot(group):
    for node in group("compute"):
        assert int(node.sysctl("user.max_user_namespaces")) > 0
        for user in ("alice", "bob"):
            for path in ("/etc/subuid", "/etc/subgid"):
                lines = [line for line in node.file(path).content_string.splitlines()
                         if line.startswith(user + ":")]
                assert len(lines) == 1, (node.backend.hostname, path, lines)


def test_apptainer_runs_a_job_as_the_user_or_is_visibly_absent(group):
    (login,) = group("login")
    for node in group("compute"):
        if not redhat(node):
            assert node.run("command -v apptainer").rc != 0
            assert not node.file("/etc/apptainer/apptainer.conf").exists
            continue
        conf = node.file("/etc/apptainer/apptainer.conf").content_string
        assert "allow setuid = no" in conf
        assert "mount home = yes" in conf
        sif = "/home/alice/tiny-%s.sif" % uuid.uuid4().hex[:6]
        build = node.run("cd /tmp && runuser -u alice -- apptainer build %s docker-archive:%s", sif, IMAGE_ARCHIVE)
        assert build.rc == 0, build.stderr
        marker = "apptainer-%s" % uuid.uuid4().hex[:6]
        job = login.run(
            "cd /tmp && runuser -u alice -- sbatch --wait -w %s -o /dev/null --wrap "
            "'apptainer exec %s sh -c \"id -u > /home/alice/%s\"'",
            node.backend.hostname, sif, marker,
        )
        assert job.rc == 0, job.stderr
        out = node.file("/home/alice/" + marker)
        assert out.content_string.strip() == "2001" and out.user == "alice"
