"""slurmd's environment file on a configless node: --conf-server names each controller and the port
slurmctld answers on (slurm.conf(5): SlurmctldPort, a port or a range; slurmd --conf-server host[:port])."""

import pytest
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
