"""Containers in Slurm jobs (playbooks/containers.yml, roles apptainer and podman), scenario slurm.

As alice, batch jobs on a compute node run rootless Podman containers of the image
localhost/hpc-tiny (loaded from a file into each user's storage by podman_images_from_files;
it needs /bin/sh and coreutils). The container stays in the job's cgroup: --mem and scancel
reach it. The epilog removes the containers of the job that ended, and only those.
"""

import time
import uuid

import pytest

IMAGE = "localhost/hpc-tiny"
PODMAN_ENV = "env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"


def wait_for(check, timeout=120, interval=2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def as_user(node, user, command):
    """A shell command as a cluster user, from /tmp, with a clean environment."""
    return node.run("cd /tmp && %s runuser -u %s -- sh -c %s" % (PODMAN_ENV, user, "%s"), command)


def job_field(head, job, field):
    out = head.check_output("sacct -n -X -P -j %s -o %s", job, field)
    return out.strip().splitlines()[0] if out.strip() else ""


def job_state(head, job):
    """sacct's State, its first word: a cancelled job reads 'CANCELLED by <uid>'."""
    return (job_field(head, job, "State").split() or [""])[0]


def wait_state(head, job, states, timeout=180):
    return wait_for(lambda: job_state(head, job) in states and job_state(head, job), timeout=timeout)


def submit(login, user, wrap, *options):
    result = as_user(login, user, "sbatch --parsable -t 5 %s --wrap %s" % (
        " ".join(options), "'" + wrap.replace("'", "'\\''") + "'"))
    assert result.rc == 0, result.stderr
    return result.stdout.strip().split(";")[0]


def node_of(head, job):
    return wait_for(lambda: head.check_output("squeue -h -j %s -o %%N", job).strip() or None, timeout=60)


def compute(group, name):
    return next(n for n in group("compute") if n.backend.get_hostname() == name)


def containers_of(node, user):
    """Names of the user's containers on a node (its rootless storage), all states."""
    out = as_user(node, user, "podman ps -a --format '{{.Names}}'")
    assert out.rc == 0, out.stderr
    return set(out.stdout.split())


@pytest.fixture(scope="module")
def nodes(group):
    (head,) = group("control")
    (login,) = group("login")
    return head, login


def test_slurmd_first_started_with_its_container_files_in_place(group):
    """site.yml puts role podman's files before slurmd's first start: oci.conf (which slurmd
    reads at start) is older than slurmd's first start, so the cold converge did not restart
    slurmd for it, as it did when role podman ran after role slurm. Test order does not
    matter: later restarts leave the first start in the log."""
    for node in group("compute"):
        name = node.backend.get_hostname()
        log = node.check_output("scontrol show config | awk '$1 == \"SlurmdLogFile\" {print $3}'").strip()
        first = node.check_output("grep -m1 'slurmd version .* started' %s", log)
        stamp = first.split("]", 1)[0].lstrip("[")
        started = float(node.check_output("date -d %s +%%s.%%N", stamp))
        written = float(node.check_output("stat -c %s %s", "%.9Y", "/etc/slurm/oci.conf"))
        assert written < started, (name, "oci.conf written after slurmd first started", first, written)


def test_image_is_in_alices_storage(group):
    for node in group("compute"):
        assert as_user(node, "alice", "podman image exists %s" % IMAGE).rc == 0, node.backend.get_hostname()


def test_container_reads_and_writes_home_as_alice(group, nodes):
    head, login = nodes
    work = "/home/alice/containers-%s" % uuid.uuid4().hex[:8]
    assert as_user(login, "alice", "mkdir -p %s && echo hello-from-home > %s/in" % (work, work)).rc == 0
    job = submit(login, "alice",
                 "podman run --rm -v %s:/data %s sh -c 'cat /data/in /data/in > /data/out'" % (work, IMAGE),
                 "-N1", "-o", work + "/job.log")
    assert wait_state(head, job, ("COMPLETED", "FAILED")) == "COMPLETED", login.run("cat %s/job.log", work).stdout
    out = login.file(work + "/out")
    assert out.exists
    assert out.content_string == "hello-from-home\nhello-from-home\n"
    # Rootless: the container's root is alice on the host, so her file is hers.
    assert out.user == "alice"
    assert out.uid == 2001


def test_container_over_mem_is_killed_out_of_memory(group, nodes):
    head, login = nodes
    job = submit(login, "alice", "podman run --rm %s tail /dev/zero" % IMAGE, "-N1", "--mem=128M",
                 "-o", "/dev/null")
    assert wait_state(head, job, ("OUT_OF_MEMORY", "COMPLETED", "FAILED", "CANCELLED")) == "OUT_OF_MEMORY", \
        job_field(head, job, "State")


def test_scancel_leaves_no_container_process(group, nodes):
    head, login = nodes
    tag = uuid.uuid4().hex[:8]
    name = "sleeper-" + tag
    seconds = str(600 + int(tag, 16) % 1000)  # a command line no other test runs
    job = submit(login, "alice", "podman run --rm --name %s %s sleep %s" % (name, IMAGE, seconds),
                 "-N1", "-o", "/dev/null")
    assert wait_state(head, job, ("RUNNING",), timeout=60) == "RUNNING"
    node = compute(group, node_of(head, job))
    pattern = "sleep " + seconds
    assert wait_for(lambda: node.run("pgrep -u alice -f '%s'" % pattern).rc == 0, timeout=60), "container never ran"
    head.check_output("scancel %s", job)
    assert wait_state(head, job, ("CANCELLED",), timeout=60) == "CANCELLED"
    assert wait_for(lambda: node.run("pgrep -u alice -f '%s'" % pattern).rc == 1, timeout=60), \
        node.run("ps -o pid,user,args -u alice").stdout
    assert wait_for(lambda: node.run("pgrep -u alice -f 'conmon.*%s'" % name).rc == 1, timeout=30)
    # The epilog removed the cancelled job's container record.
    assert wait_for(lambda: name not in containers_of(node, "alice"), timeout=60)


def test_epilog_removes_that_jobs_containers_only(group, nodes):
    head, login = nodes
    tag = uuid.uuid4().hex[:8]
    first = group("compute")[0].backend.get_hostname()
    node = compute(group, first)
    # A long job of alice with a container, and a container bob runs on the node outside Slurm
    # (the nodes have 2 CPUs: the short job below needs the second one).
    keep_alice = submit(login, "alice", "podman run --name keep-%s %s sleep 600" % (tag, IMAGE),
                        "-N1", "-w", first, "-o", "/dev/null")
    bob = as_user(node, "bob", "podman run -d --name keep-%s %s sleep 600" % (tag, IMAGE))
    assert bob.rc == 0, bob.stderr
    try:
        assert wait_state(head, keep_alice, ("RUNNING",), timeout=60) == "RUNNING"
        assert wait_for(lambda: "keep-" + tag in containers_of(node, "alice"), timeout=60)
        # A short job of alice leaves a stopped container behind (no --rm): its epilog removes it.
        short = submit(login, "alice", "podman run --name gone-%s %s sleep 0" % (tag, IMAGE),
                       "-N1", "-w", first, "-o", "/dev/null")
        assert wait_state(head, short, ("COMPLETED", "FAILED")) == "COMPLETED", job_field(head, short, "State")
        assert wait_for(lambda: "gone-" + tag not in containers_of(node, "alice"), timeout=60)
        # Her other job's container and bob's are untouched, still running.
        assert "keep-" + tag in containers_of(node, "alice")
        assert "keep-" + tag in containers_of(node, "bob")
        assert job_state(head, keep_alice) == "RUNNING"
    finally:
        head.run("scancel %s", keep_alice)
        as_user(node, "bob", "podman rm --force --time 0 keep-%s" % tag)
    assert wait_for(lambda: "keep-" + tag not in containers_of(node, "alice"), timeout=90)
