#!/usr/bin/python
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: user_dirs
short_description: One private directory per user under a root, and links to them by name, in one call
version_added: 0.1.0
author: hpc.cluster contributors (!UNKNOWN)
description:
  - Makes O(root)/<uid> for each user of O(users), owned by the user and its primary group, with
    O(mode); with O(by_name), also the link O(by_name)/<name> to C(../<uid>).
  - Puts right only what differs (a missing directory or link, another owner, group or mode,
    a link to elsewhere); a re-run makes no change, in one call whatever the number of users
    (M(ansible.builtin.file) in a loop makes one call per user and path).
  - Refuses, before changing anything, a path that is not what it should be and is not a link
    (a file or a directory where a link goes, a file where a directory goes), naming it.
options:
  root:
    description: The directory the users' directories are in. It must exist.
    type: path
    required: true
  users:
    description: The users, each C({name, uid}) and optionally C(gid) (default the C(uid)).
    type: list
    elements: dict
    required: true
  mode:
    description: The mode of each user's directory, in octal.
    type: str
    default: "0700"
  by_name:
    description: A directory (it must exist) for a link per user name to its directory; none when empty.
    type: path
    default: ""
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - hpc.cluster.attributes
"""

EXAMPLES = r"""
- name: Create each cluster user's storage directory, and a link to it by name
  hpc.cluster.user_dirs:
    root: /var/lib/containers/users
    users: [{name: alice, uid: 2001, gid: 2000}, {name: bob, uid: 2002}]
    by_name: /var/lib/containers/users/by-name
"""

RETURN = r"""
changes:
  description: One text per path made or put right.
  returned: always
  type: list
  elements: str
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule


class Refused(Exception):
    pass


def plan(root, users, mode, by_name, check_mode=False):
    """[(kind, path, detail)] of what differs; raises Refused for paths it will not replace.

    In check mode a missing root or by_name counts as empty: an earlier task of the same check
    run would have made it.
    """
    for what, path in (("root", root), ("by_name", by_name)):
        if path and not os.path.isdir(path) and not (check_mode and not os.path.lexists(path)):
            raise Refused("%s %s is not a directory" % (what, path))
    steps = []
    for user in users:
        uid = int(user["uid"])
        gid = int(user.get("gid") if user.get("gid") is not None else uid)
        path = os.path.join(root, str(uid))
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            steps.append(("mkdir", path, (uid, gid, mode)))
        else:
            if not stat.S_ISDIR(info.st_mode):
                raise Refused("%s (user %s) is not a directory" % (path, user["name"]))
            if (info.st_uid, info.st_gid) != (uid, gid):
                steps.append(("chown", path, (uid, gid)))
            if stat.S_IMODE(info.st_mode) != mode:
                steps.append(("chmod", path, mode))
        if by_name:
            link, target = os.path.join(by_name, str(user["name"])), "../%d" % uid
            if os.path.islink(link):
                if os.readlink(link) != target:
                    steps.append(("relink", link, target))
            elif os.path.lexists(link):
                raise Refused("%s (user %s) is not a link" % (link, user["name"]))
            else:
                steps.append(("link", link, target))
    return steps


def apply(steps):
    for kind, path, detail in steps:
        if kind == "mkdir":
            uid, gid, mode = detail
            os.mkdir(path, 0o700)
            os.chown(path, uid, gid)
            os.chmod(path, mode)
        elif kind == "chown":
            os.chown(path, *detail)
        elif kind == "chmod":
            os.chmod(path, detail)
        else:  # link, relink: a new link renamed over the old one
            temp = "%s.%d.tmp" % (path, os.getpid())
            os.symlink(detail, temp)
            os.rename(temp, path)


def describe(step):
    kind, path, detail = step
    if kind == "mkdir":
        return "created %s (%d:%d, %04o)" % (path, detail[0], detail[1], detail[2])
    if kind == "chown":
        return "owner of %s set to %d:%d" % (path, detail[0], detail[1])
    if kind == "chmod":
        return "mode of %s set to %04o" % (path, detail)
    return "%s %s -> %s" % ("linked" if kind == "link" else "relinked", path, detail)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", required=True),
            users=dict(type="list", elements="dict", required=True),
            mode=dict(type="str", default="0700"),
            by_name=dict(type="path", default=""),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        mode = int(params["mode"], 8)
        for user in params["users"]:
            if not str(user.get("name", "")) or not str(user.get("uid", "")).isdigit():
                raise Refused("each user needs a name and a numeric uid, not %s" % (user,))
        steps = plan(params["root"], params["users"], mode, params["by_name"], module.check_mode)
    except (Refused, ValueError) as exc:
        module.fail_json(msg="user_dirs: %s" % exc)
    if steps and not module.check_mode:
        apply(steps)
    module.exit_json(changed=bool(steps), changes=[describe(step) for step in steps])


if __name__ == "__main__":
    main()
