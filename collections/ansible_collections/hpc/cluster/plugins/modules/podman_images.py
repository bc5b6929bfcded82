#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: podman_images
short_description: Whether each user's rootless Podman storage holds each image, in one call
version_added: 0.5.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Answers, for each (user, image) pair of O(pairs), whether that user's rootless storage holds the
    image, as C(podman image exists) run as the user would.
  - Where it can, it reads the answer from the storage's image list
    (C(<rootless_storage_path>/<driver>-images/images.json)) instead of starting Podman, which costs
    a node about 60 ms of CPU per pair (a storage without that directory holds no image). It reads
    the list only when the storage configuration that
    applies is known to be O(storage_config) - the file O(storage_conf_path) holds exactly
    O(storage_conf_content), no drop-in directory or rootless file of containers-storage.conf(5)
    exists, the user has no C(~/.config/containers/storage.conf) and is not root - and the image is
    named in full (registry, path, optional tag; no digest, not C(docker.io)).
  - Every other pair is asked with C(podman image exists) as the user (C(runuser), a clean
    environment), several at once. A pair Podman cannot answer (another exit code) is returned with
    RV(images[].present) null and Podman's message; the module does not fail for it.
  - Never changes anything.
options:
  pairs:
    description: Users and images, flat - user, image, user, image...
    type: list
    elements: str
    required: true
  storage_config:
    description:
      - The storage configuration the role writes (the C(storage) table of containers-storage.conf(5)).
        Without C(storage.driver) and C(storage.rootless_storage_path), or with
        C(storage.options.additionalimagestores), every pair is asked from Podman.
    type: dict
    default: {}
  storage_conf_path:
    description: The system storage configuration file.
    type: path
    default: /etc/containers/storage.conf
  storage_conf_content:
    description: The text O(storage_config) is written as; the list is read only when the file holds it.
    type: str
    default: ''
  search_path:
    description: E(PATH) of the clean environment Podman runs in.
    type: str
    default: /usr/sbin:/usr/bin:/sbin:/bin
  parallel:
    description: Podman processes at once.
    type: int
    default: 8
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Ask each user's storage for the job image
  hpc.cluster.podman_images:
    pairs: [alice, localhost/tools, bob, localhost/tools]
    storage_config: "{{ podman_storage }}"
    storage_conf_content: "{{ lookup('ansible.builtin.file', 'storage.conf') }}"
  register: images
"""

RETURN = r"""
images:
  description: One per pair, in the order of O(pairs).
  type: list
  elements: dict
  returned: always
  contains:
    user:
      description: The user.
      type: str
    image:
      description: The image, as given.
      type: str
    present:
      description: Whether the user's storage holds it; null when Podman could not answer.
      type: bool
    source:
      description: Where the answer comes from, V(storage) (the image list) or V(podman).
      type: str
    error:
      description: Podman's message, where it could not answer.
      type: str
      returned: when present is null
"""

import json
import os
import pwd
import subprocess

from ansible.module_utils.basic import AnsibleModule

# Places containers-storage.conf(5) reads besides the system file; any of them may change the
# storage a user's Podman uses, so where one exists Podman is asked.
OTHER_CONFIGS = (
    "/etc/containers/storage.rootless.conf",
    "/etc/containers/storage.conf.d",
    "/etc/containers/storage.rootless.conf.d",
    "/usr/share/containers/storage.conf.d",
    "/usr/share/containers/storage.rootless.conf.d",
)
DOCKER_HUB = ("docker.io", "index.docker.io")


def stored_name(image):
    """The name containers/storage keeps for a fully named image (tag :latest added), else None."""
    if "@" in image or "/" not in image:
        return None
    registry = image.split("/", 1)[0]
    if registry in DOCKER_HUB or not ("." in registry or ":" in registry or registry == "localhost"):
        return None
    if ":" not in image.rsplit("/", 1)[1]:
        image += ":latest"
    return image


def storage_path(config, account):
    """The user's storage root from rootless_storage_path ($UID, $USER, $HOME), or None."""
    template = (config.get("storage") or {}).get("rootless_storage_path") or ""
    path = (template.replace("$UID", str(account.pw_uid)).replace("$USER", account.pw_name)
            .replace("$HOME", account.pw_dir))
    return path if path.startswith("/") and "$" not in path else None


def config_known(config, conf_path, conf_content, other_configs=None):
    """Whether the storage configuration in force is ``config``: see DOCUMENTATION."""
    storage = config.get("storage") or {}
    if not storage.get("driver") or not storage.get("rootless_storage_path"):
        return False
    if (storage.get("options") or {}).get("additionalimagestores"):
        return False
    if any(os.path.lexists(path) for path in (OTHER_CONFIGS if other_configs is None else other_configs)):
        return False
    try:
        with open(conf_path, encoding="utf-8", errors="surrogateescape") as handle:
            return handle.read() == conf_content
    except OSError:
        return False


def user_config_absent(account):
    """Whether the user has no storage.conf of their own; False where their home cannot be read."""
    for name in ("storage.conf", "storage.conf.d"):
        try:
            os.lstat(os.path.join(account.pw_dir, ".config", "containers", name))
        except FileNotFoundError:
            continue
        except OSError:
            return False
        return False
    return True


def stored_names(path):
    """Every name in a storage's image list, or None when the list cannot be read; none where the
    list's directory is not there either (Podman never stored an image there: a new user or node)."""
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)
        return {name for entry in entries for name in entry.get("names") or []}
    except FileNotFoundError:
        return set() if not os.path.lexists(os.path.dirname(path)) else None
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def answer_from_storage(pairs, config, known):
    """{(user, image): present} for the pairs the image lists answer."""
    answers, lists = {}, {}
    if not known:
        return answers
    driver = config["storage"]["driver"]
    for user, image in pairs:
        name = stored_name(image)
        if name is None:
            continue
        if user not in lists:
            lists[user] = None
            try:
                account = pwd.getpwnam(user)
            except KeyError:
                continue
            # Root's Podman uses graphroot, not the rootless path.
            root = storage_path(config, account) if account.pw_uid != 0 else None
            if root and user_config_absent(account):
                lists[user] = stored_names(os.path.join(root, "%s-images" % driver, "images.json"))
        if lists[user] is not None:
            answers[(user, image)] = name in lists[user]
    return answers


def ask_podman(pairs, search_path, parallel):
    """{(user, image): (present or None, error)} from `podman image exists` run as each user."""
    env = {"PATH": search_path, "LC_ALL": "C"}
    answers = {}
    for start in range(0, len(pairs), max(parallel, 1)):
        batch = pairs[start:start + max(parallel, 1)]
        running = []
        for user, image in batch:
            try:
                running.append(((user, image), subprocess.Popen(
                    ["runuser", "-u", user, "--", "podman", "image", "exists", image], cwd="/", env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                    encoding="utf-8", errors="replace")))
            except OSError as exc:
                answers[(user, image)] = (None, str(exc))
        for pair, process in running:
            _out, err = process.communicate()
            if process.returncode in (0, 1):
                answers[pair] = (process.returncode == 0, "")
            else:
                answers[pair] = (None, (err or "").strip() or "podman image exists exited %d" % process.returncode)
    return answers


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pairs=dict(type="list", elements="str", required=True),
            storage_config=dict(type="dict", default={}),
            storage_conf_path=dict(type="path", default="/etc/containers/storage.conf"),
            storage_conf_content=dict(type="str", default=""),
            search_path=dict(type="str", default="/usr/sbin:/usr/bin:/sbin:/bin"),
            parallel=dict(type="int", default=8),
        ),
        supports_check_mode=True,
    )
    params = module.params
    flat = params["pairs"]
    if len(flat) % 2:
        module.fail_json(msg="pairs must be flat (user, image) pairs, got %d values" % len(flat))
    pairs = list(zip(flat[0::2], flat[1::2]))
    config = params["storage_config"]
    known = config_known(config, params["storage_conf_path"], params["storage_conf_content"])
    stored = answer_from_storage(pairs, config, known)
    asked = ask_podman([pair for pair in pairs if pair not in stored], params["search_path"], params["parallel"])
    images = []
    for user, image in pairs:
        entry = {"user": user, "image": image}
        if (user, image) in stored:
            entry.update(present=stored[(user, image)], source="storage")
        else:
            present, error = asked[(user, image)]
            entry.update(present=present, source="podman")
            if present is None:
                entry["error"] = error
        images.append(entry)
    module.exit_json(changed=False, images=images)


if __name__ == "__main__":
    main()
