# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""munge_key_plan: per-host key digests -> source, generation, hosts to write; from tables."""

from __future__ import annotations

import base64
import hashlib

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.cluster.plugins.filter.munge_key_plan import FilterModule, munge_key_plan

RAW_A = bytes(range(256)) * 4  # 1024 bytes
RAW_B = b"B" * 1024
A = hashlib.sha256(RAW_A).hexdigest()
B = hashlib.sha256(RAW_B).hexdigest()
R = hashlib.sha256(b"debian package key").hexdigest()
KEY_A = base64.b64encode(RAW_A).decode()
KEY_B = base64.b64encode(RAW_B).decode()


def none():
    return {"exists": False, "sha256": "", "size": 0, "member": False}


def key(digest, member=True, size=1024):
    return {"exists": True, "sha256": digest, "size": size, "member": member}


INVENTORY = ["head", "login1", "c01", "c02", "c03", "nfs"]
CLUSTER = ["head", "login1", "c01", "c02", "c03"]


def plan(source="", generate=False, write=(), sha256=""):
    return {"error": "", "source": source, "generate": generate, "write": dict.fromkeys(write, True), "sha256": sha256}


CASES = [
    # (id, hosts, keyword arguments, expected plan)
    ("fresh-cluster", {h: none() for h in CLUSTER}, {},
     plan("head", True, ["login1", "c01", "c02", "c03"])),
    ("converged", {h: key(A) for h in CLUSTER}, {}, plan("head", sha256=A)),
    # Login nodes run no Slurm daemon: their key still agrees.
    ("converged-login-no-daemon", dict({h: key(A) for h in CLUSTER}, login1=key(A, member=False)), {},
     plan("head", sha256=A)),
    # A new node whose package made its own key, no Slurm yet: it gets the cluster key.
    ("new-node-foreign-key", dict({h: key(A) for h in CLUSTER}, c03=key(R, member=False)), {},
     plan("head", write=["c03"], sha256=A)),
    ("new-node-no-key", dict({h: key(A) for h in CLUSTER}, c03=none()), {},
     plan("head", write=["c03"], sha256=A)),
    # The first control host reinstalled: the key comes from a host that has it, never a new one.
    ("key-host-reinstalled", dict({h: key(A) for h in CLUSTER}, head=none()), {},
     plan("login1", write=["head"], sha256=A)),
    ("key-host-reinstalled-foreign", dict({h: key(A) for h in CLUSTER}, head=key(R, member=False)), {},
     plan("login1", write=["head"], sha256=A)),
    # `control` reordered: the key host is another host; nothing changes.
    ("key-host-other", {h: key(A) for h in CLUSTER}, {"key_host": "c02"}, plan("c02", sha256=A)),
    # Before any Slurm daemon: the key host's key (even a package's) is kept.
    ("no-members-key-host-key", dict({h: key(R, member=False) for h in CLUSTER}, c01=none()), {},
     plan("head", write=["c01"], sha256=R)),
    ("no-members-agreeing-keys", dict({h: key(A, member=False) for h in CLUSTER}, head=none(), c03=none()), {},
     plan("login1", write=["head", "c03"], sha256=A)),
    # A given key equal to the cluster's: nothing to do; written where missing or foreign.
    ("given-equal", {h: key(A) for h in CLUSTER}, {"key": KEY_A}, plan(sha256=A)),
    ("given-equal-new-node", dict({h: key(A) for h in CLUSTER}, c03=key(R, member=False)), {"key": KEY_A},
     plan(write=["c03"], sha256=A)),
    ("given-fresh", {h: none() for h in CLUSTER}, {"key": KEY_A}, plan(write=CLUSTER, sha256=A)),
    # Whitespace (a wrapped vault value) is ignored.
    ("given-wrapped", {h: key(A) for h in CLUSTER}, {"key": "\n".join(KEY_A[i:i + 76] for i in range(0, 1368, 76))},
     plan(sha256=A)),
    ("given-no-key-host", {h: none() for h in CLUSTER}, {"key": KEY_A, "key_host": ""}, plan(write=CLUSTER, sha256=A)),
    # The key host outside this run (--limit c03) is read on its own and decides.
    ("limit-new-node", {"c03": key(R, member=False)},
     {"key_host_state": key(A)}, plan("head", write=["c03"], sha256=A)),
    ("limit-converged", {"c03": key(A)}, {"key_host_state": key(A)}, plan("head", sha256=A)),
    ("limit-key-host-without-key", {"c01": key(A), "c03": none()},
     {"key_host_state": none()}, plan("c01", write=["c03"], sha256=A)),
    ("key-32-bytes", {h: none() for h in CLUSTER}, {"key": base64.b64encode(b"k" * 32).decode()},
     plan(write=CLUSTER, sha256=hashlib.sha256(b"k" * 32).hexdigest())),
]


@pytest.mark.parametrize(("hosts", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_plan(hosts, kwargs, expected):
    args = dict(key_host="head", inventory=INVENTORY, cluster=CLUSTER)
    args.update(kwargs)
    assert munge_key_plan(hosts, **args) == expected


ERRORS = [
    ("key-31-bytes", {h: none() for h in CLUSTER}, {"key": base64.b64encode(b"k" * 31).decode()},
     ["munge_key decodes to 31 bytes", "32 to 1024"]),
    ("key-1025-bytes", {h: none() for h in CLUSTER}, {"key": base64.b64encode(b"k" * 1025).decode()},
     ["munge_key decodes to 1025 bytes"]),
    ("key-not-base64", {h: none() for h in CLUSTER}, {"key": "not base64 at all!"},
     ["munge_key is not base64 text"]),
    ("key-bad-padding", {h: none() for h in CLUSTER}, {"key": KEY_A[:-1]}, ["munge_key is not base64 text"]),
    ("key-empty", {h: none() for h in CLUSTER}, {"key": ""}, ["munge_key is empty"]),
    ("key-not-text", {h: none() for h in CLUSTER}, {"key": 12345}, ["munge_key must be base64 text"]),
    ("key-host-typo", {h: key(A) for h in CLUSTER}, {"key_host": "haed"},
     ["munge_key_host 'haed' is not a host of the inventory"]),
    ("key-host-typo-with-key", {h: key(A) for h in CLUSTER}, {"key_host": "haed", "key": KEY_A},
     ["munge_key_host 'haed' is not a host of the inventory"]),
    ("no-key-host", {h: none() for h in CLUSTER}, {"key_host": ""}, ["no key host"]),
    ("members-disagree", dict({h: key(A) for h in CLUSTER}, c02=key(B), c03=key(B)), {},
     ["hold different munge keys", "c01,head,login1 (sha256 %s" % A[:12], "c[02-03] (sha256 %s" % B[:12]]),
    # A member with another key is refused even when the key is given.
    ("members-disagree-given", dict({h: key(A) for h in CLUSTER}, c03=key(B)), {"key": KEY_A},
     ["hold different munge keys", "c03 (sha256 %s" % B[:12]]),
    ("given-different", {h: key(A) for h in CLUSTER}, {"key": KEY_B},
     ["munge_key differs from the key the Slurm hosts hold (c[01-03],head,login1)",
      "playbooks/rotate_munge_key.yml", "quiesces the cluster"]),
    ("limit-given-different", {"c03": none()}, {"key": KEY_B, "key_host_state": key(A)},
     ["munge_key differs from the key the Slurm hosts hold (head)"]),
    ("limit-disagrees-with-key-host", {"c03": key(B)}, {"key_host_state": key(A)},
     ["hold different munge keys", "head (sha256 %s" % A[:12], "c03 (sha256 %s" % B[:12]]),
    # A key would be generated, but part of the cluster was not read (--limit).
    ("limit-fresh", {"c03": none()}, {"key_host_state": none()}, ["c[01-02],head,login1 are not in this run"]),
    ("no-members-disagree", {"head": none(), "c01": key(R, member=False), "c02": key(B, member=False)}, {},
     ["c01 (sha256 %s" % R[:12], "c02 (sha256 %s" % B[:12], "munge_key_host head has none"]),
    ("cluster-key-too-short", {h: key(A, size=31) for h in CLUSTER}, {}, ["is 31 bytes", "32 to 1024"]),
]


@pytest.mark.parametrize(("hosts", "kwargs", "messages"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_error(hosts, kwargs, messages):
    args = dict(key_host="head", inventory=INVENTORY, cluster=CLUSTER)
    args.update(kwargs)
    result = munge_key_plan(hosts, **args)
    for message in messages:
        assert message in result["error"]
    assert result["write"] == {} and result["generate"] is False and result["source"] == ""
    # The key never appears in a message, nor in the plan.
    for secret in (KEY_A, KEY_B, KEY_A[:40], KEY_B[:40]):
        assert secret not in repr(result)


def test_plan_never_holds_the_key():
    result = munge_key_plan({"c01": none()}, key_host="c01", key=KEY_A)
    assert KEY_A[:40] not in repr(result) and result["sha256"] == A


def test_hosts_order_kept_and_strings_accepted():
    # Facts may come back as strings (a fact cache): 'True', '1024'.
    hosts = {"c02": {"exists": "True", "sha256": A, "size": "1024", "member": "False"}, "c01": none()}
    assert munge_key_plan(hosts, key_host="c01") == plan("c02", write=["c01"], sha256=A)


@pytest.mark.parametrize("bad", [None, ["c01"], {"c01": "yes"}])
def test_wrong_input_type(bad):
    with pytest.raises(AnsibleFilterError, match="munge_key_plan"):
        munge_key_plan(bad, key_host="c01")


def test_registered():
    assert FilterModule().filters()["munge_key_plan"] is munge_key_plan
