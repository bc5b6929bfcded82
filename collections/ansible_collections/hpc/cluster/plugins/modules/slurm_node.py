#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: slurm_node
short_description: Drain, resume and wait for Slurm nodes with scontrol
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Drains Slurm nodes (with a reason), resumes them, or waits until they are drained or idle,
    through C(scontrol show node -o) and C(scontrol update).
  - Only nodes whose state needs a change are updated, so the module is idempotent.
  - Run it where C(scontrol) can reach slurmctld (usually delegated to the controller, once).
options:
  name:
    description:
      - Node names as a Slurm hostlist expression (C(c[001-128],gpu1)) or a list of names.
      - It is read as Slurm reads it - text after the last bracket (C(c[1-2]-ib)) is refused; list
        such names one by one (C(c1-ib,c2-ib)).
    type: list
    elements: str
    required: true
    aliases: [nodes]
  state:
    description:
      - V(drain) sets the DRAIN flag (needs O(reason)); running jobs keep running. A node already
        draining with a different reason gets the new reason.
      - V(drained) drains where needed (needs O(reason) then) and waits until no job runs on the
        nodes (C(IDLE+DRAIN), C(DOWN+DRAIN)).
      - V(resume) clears DRAIN, DOWN and FAIL so the nodes take jobs again.
      - V(idle) only waits until every node is C(IDLE) without DRAIN, DOWN, FAIL or
        NOT_RESPONDING flags, for example after slurmd was restarted. It never changes anything.
    type: str
    choices: [drain, drained, resume, idle]
    required: true
  reason:
    description:
      - Reason recorded with the drain (C(scontrol update reason=...)).
      - Required by O(state=drain), and by O(state=drained) when a node is not draining yet.
    type: str
  timeout:
    description:
      - Seconds to wait for O(state=drained) or O(state=idle) before failing.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two state reads while waiting.
    type: int
    default: 5
notes:
  - Check mode reports what would change and does not wait.
  - Supports diff mode (node states before and after).
requirements:
  - C(scontrol) in the PATH of the node the task runs on.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes.diff
"""

EXAMPLES = r"""
- name: Drain two racks before maintenance
  hpc.cluster.slurm_node:
    name: c[001-064]
    state: drain
    reason: firmware update
  delegate_to: "{{ groups['control'] | first }}"
  run_once: true

- name: Wait until the node of this play is drained (jobs finished)
  hpc.cluster.slurm_node:
    name: "{{ inventory_hostname }}"
    state: drained
    reason: kernel update
    timeout: 3600
  delegate_to: "{{ groups['control'] | first }}"

- name: Put it back into service
  hpc.cluster.slurm_node:
    name: "{{ inventory_hostname }}"
    state: resume
  delegate_to: "{{ groups['control'] | first }}"

- name: Wait until every compute node is idle
  hpc.cluster.slurm_node:
    name: "{{ groups['compute'] | hpc.cluster.hostlist_compress }}"
    state: idle
    timeout: 300
  delegate_to: "{{ groups['control'] | first }}"
  run_once: true
"""

RETURN = r"""
nodes:
  description: Node name -> Slurm state (C(State=) of C(scontrol show node)) after the task.
  returned: always
  type: dict
  sample: {"c001": "IDLE+DRAIN", "c002": "MIXED+DRAIN"}
changed_nodes:
  description: Nodes that were (or in check mode would be) updated, as a hostlist.
  returned: always
  type: str
  sample: c[001-002]
commands:
  description: The scontrol update commands run (or that would run in check mode).
  returned: always
  type: list
  elements: list
  sample: [["scontrol", "update", "nodename=c[001-002]", "state=drain", "reason=firmware update"]]
"""

import re
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hpc.cluster.plugins.module_utils.hostlist import (
    HostlistError,
    compress,
    expand,
)
from ansible_collections.hpc.cluster.plugins.module_utils.slurm import (
    SlurmRunner,
    parse_oneliners,
)

_REASON_SUFFIX_RE = re.compile(r"\s*\[[^\]]*@[^\]]*\]\s*$")
_DOWN_FLAGS = ("DRAIN", "DOWN", "FAIL")
_NOT_IDLE_FLAGS = ("DRAIN", "DOWN", "FAIL", "NOT_RESPONDING", "REBOOT_REQUESTED", "REBOOT_ISSUED")


def split_state(state):
    """'IDLE+DRAIN' -> ('IDLE', {'DRAIN'}); '*' (not responding) becomes a flag."""
    state = state.strip().upper()
    flags = set()
    if state.endswith("*"):
        state = state.rstrip("*")
        flags.add("NOT_RESPONDING")
    parts = state.split("+")
    flags.update(p for p in parts[1:] if p)
    base = parts[0]
    if base in ("DRAINED", "DRAINING", "DRAIN"):
        # Older spellings: the base state is then implied.
        flags.add("DRAIN")
        base = "IDLE" if base == "DRAINED" else "ALLOCATED" if base == "DRAINING" else "IDLE"
    if base in _DOWN_FLAGS:
        flags.add(base)
    return base, flags


def is_draining(state):
    return "DRAIN" in split_state(state)[1]


def is_drained(state):
    base, flags = split_state(state)
    return "DRAIN" in flags and base in ("IDLE", "DOWN")


def is_idle(state):
    base, flags = split_state(state)
    return base == "IDLE" and not flags.intersection(_NOT_IDLE_FLAGS)


def needs_resume(state):
    base, flags = split_state(state)
    return bool(flags.intersection(_DOWN_FLAGS)) or base in _DOWN_FLAGS


def clean_reason(reason):
    """Drop the ' [user@time]' suffix scontrol adds to a reason."""
    return _REASON_SUFFIX_RE.sub("", reason or "").strip()


def read_nodes(runner, names):
    _rc, out, _err = runner.run(["show", "node", "-o", compress(names)])
    nodes = {}
    for record in parse_oneliners(out):
        name = record.get("NodeName")
        if name:
            nodes[name] = {
                "state": record.get("State", ""),
                "reason": clean_reason(record.get("Reason", "")),
            }
    missing = [n for n in names if n not in nodes]
    if missing:
        runner.module.fail_json(
            msg="scontrol does not know node(s) %s" % compress(missing),
            stdout=out,
        )
    return nodes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="list", elements="str", required=True, aliases=["nodes"]),
            state=dict(type="str", required=True, choices=["drain", "drained", "resume", "idle"]),
            reason=dict(type="str"),
            timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=5),
        ),
        required_if=[("state", "drain", ("reason",))],
        supports_check_mode=True,
    )
    state = module.params["state"]
    reason = module.params["reason"]
    if reason is not None and reason.strip() == "":
        module.fail_json(msg="reason must not be empty")
    if module.params["timeout"] < 0 or module.params["poll_interval"] < 1:
        module.fail_json(msg="timeout must be >= 0 and poll_interval >= 1")

    # A list option splits 'c[1-2],c5' at the comma inside brackets too:
    # join the pieces back and read them as one hostlist expression.
    try:
        names = expand(",".join(module.params["name"]), slurm=True)
    except HostlistError as exc:
        module.fail_json(msg="name: %s" % exc)
    if not names:
        module.fail_json(msg="name: no node given")

    runner = SlurmRunner(module, "scontrol")
    before = read_nodes(runner, names)

    update = []
    if state in ("drain", "drained"):
        todo = [
            n for n in names
            if not is_draining(before[n]["state"])
            or (reason is not None and before[n]["reason"] != reason.strip())
        ]
        if todo:
            if reason is None:
                module.fail_json(
                    msg="reason is required to drain %s (state=%s)" % (compress(todo), state)
                )
            update = ["update", "nodename=%s" % compress(todo), "state=drain",
                      "reason=%s" % reason.strip()]
    elif state == "resume":
        todo = [n for n in names if needs_resume(before[n]["state"])]
        if todo:
            update = ["update", "nodename=%s" % compress(todo), "state=resume"]
    else:
        todo = []

    commands = []
    after = {n: dict(before[n]) for n in names}
    if update:
        commands.append([runner.path] + update)
        for n in todo:
            if state == "resume":
                base, _flags = split_state(before[n]["state"])
                after[n] = {"state": base if base not in _DOWN_FLAGS else "IDLE", "reason": ""}
            else:
                after[n] = {"state": before[n]["state"] if is_draining(before[n]["state"])
                            else split_state(before[n]["state"])[0] + "+DRAIN",
                            "reason": reason.strip()}
        if not module.check_mode:
            runner.run(update)

    if not module.check_mode and state in ("drained", "idle"):
        wanted = is_drained if state == "drained" else is_idle
        deadline = time.monotonic() + module.params["timeout"]
        current = read_nodes(runner, names) if update else before
        while True:
            waiting = [n for n in names if not wanted(current[n]["state"])]
            if not waiting:
                break
            if time.monotonic() >= deadline:
                module.fail_json(
                    msg="timeout after %ds waiting for %s to be %s; still %s"
                    % (module.params["timeout"], compress(waiting), state,
                       ", ".join("%s=%s" % (n, current[n]["state"]) for n in waiting[:10])),
                    nodes={n: current[n]["state"] for n in names},
                    changed=bool(update),
                    commands=commands,
                )
            time.sleep(module.params["poll_interval"])
            current = read_nodes(runner, names)
        after = current
    elif update and not module.check_mode:
        after = read_nodes(runner, names)

    result = dict(
        changed=bool(update),
        nodes={n: after[n]["state"] for n in names},
        changed_nodes=compress(todo) if update else "",
        commands=commands,
    )
    if module._diff:
        result["diff"] = dict(
            before={n: before[n] for n in names},
            after={n: after[n] for n in names},
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
