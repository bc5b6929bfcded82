# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One private directory per user under a root, and links to them by name: what differs, and how to
put it right (modules user_dirs and files)."""

from __future__ import annotations

import os
import stat

# The options of modules user_dirs and files (its user_dirs).
OPTIONS = dict(
    root=dict(type="path", required=True),
    users=dict(type="list", elements="dict", required=True),
    mode=dict(type="str", default="0700"),
    by_name=dict(type="path", default=""),
)


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


def planned(params, check_mode=False):
    """plan() for the OPTIONS parameters of a module, once each user has a name and a numeric uid;
    Refused otherwise, and for a mode or gid that is not a number."""
    for user in params["users"]:
        if not str(user.get("name", "")) or not str(user.get("uid", "")).isdigit():
            raise Refused("each user needs a name and a numeric uid, not %s" % (user,))
    try:
        return plan(params["root"], params["users"], int(params["mode"], 8), params["by_name"], check_mode)
    except ValueError as exc:
        raise Refused(str(exc)) from None


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
