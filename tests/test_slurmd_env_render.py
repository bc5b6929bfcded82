"""slurmd's environment file on a configless node: --conf-server names each controller and the port
slurmctld answers on (slurm.conf(5): SlurmctldPort, a port or a range; slurmd --conf-server host[:port])."""

import shlex
import subprocess

import pytest
import yaml
from test_nfs_render import TOP, run_play


@pytest.mark.parametrize(("port", "server"), [
    (None, "head:6817"),
    (7817, "head:7817"),
    # A range: its first port (before, the file said head:6817-6818).
    ("6817-6818", "head:6817"),
])
def test_conf_server_port(tmp_path, port, server):
    out = tmp_path / "slurmd.env"
    config = {} if port is None else {"SlurmctldPort": port}
    run_play(tmp_path, [{"ansible.builtin.template": {
        "src": str(TOP / "roles/slurm/templates/slurmd.env.j2"), "dest": str(out), "mode": "0644"}}],
        [], {}, extra={"slurm_configless": True, "__slurm_controllers": ["head"], "__slurm_config": config,
                       "slurm_slurmd_options": ""})
    assert 'SLURMD_OPTIONS="--conf-server %s"' % server in out.read_text()


# slurmd 22.05's command line, as its _process_cmdline reads it (getopt_long): the options it knows,
# -V and -h exit at once, any other stops at its usage. Stands in for /usr/sbin/slurmd, not here.
FAKE_SLURMD = """#!/usr/bin/python3
import getopt, sys
try:
    opts, _ = getopt.getopt(sys.argv[1:], "bcCd:Df:F::GhL:Mn:N:svVZ", ["conf=", "conf-server=", "version"])
except getopt.GetoptError as err:
    sys.exit("slurmd: %s\\nUsage: slurmd [OPTIONS]" % err)
for opt, _ in opts:
    if opt in ("-V", "--version"):
        print("slurm-wlm 22.05.8")
        sys.exit(0)
    if opt == "-h":
        sys.exit(print("Usage: slurmd [OPTIONS]", file=sys.stderr))
print("slurmd started")
"""


@pytest.mark.parametrize(("options", "configless", "refusal"), [
    ("", False, None),
    ("-n 5 -v", False, None),
    ("-v", True, None),
    # Unknown to slurmd: written before, slurmd then stopped at its start on every compute node.
    ("--bogus", False, "option --bogus not recognized"),
    ("-v --bogus", True, "option --bogus not recognized"),
    # A last option without its value takes the -V as its value, and slurmd would run: -h stops it.
    ("-N", False, "the last option lacks its value"),
    ("-v -n", True, "the last option lacks its value"),
])
def test_slurmd_reads_its_options_before_they_are_written(tmp_path, options, configless, refusal):
    env_file = tmp_path / "slurmd.env"
    run_play(tmp_path, [{"ansible.builtin.template": {
        "src": str(TOP / "roles/slurm/templates/slurmd.env.j2"), "dest": str(env_file), "mode": "0644"}}],
        [], {}, extra={"slurm_configless": configless, "__slurm_controllers": ["head"], "__slurm_config": {},
                       "slurm_slurmd_options": options})
    fake = tmp_path / "slurmd"
    fake.write_text(FAKE_SLURMD)
    fake.chmod(0o755)
    check = yaml.safe_load((TOP / "roles/slurm/vars/main.yml").read_text())["__slurm_slurmd_options_check"]
    assert "/usr/sbin/slurmd -D -s $SLURMD_OPTIONS" in check
    argv = shlex.split(check.replace("/usr/sbin/slurmd", str(fake)) % env_file)
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if refusal is None:
        assert done.returncode == 0, done.stderr
        assert "slurm-wlm 22.05.8" in done.stderr
    else:
        assert done.returncode != 0
        assert refusal in done.stderr
    assert "slurmd started" not in done.stdout + done.stderr
