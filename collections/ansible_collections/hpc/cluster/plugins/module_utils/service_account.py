# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A service account (a system user and its primary group) with fixed IDs, read through the name
service: the IDs' conflicts (modules account_ids and service_account) and the commands that make
the account what it should be (service_account)."""

from __future__ import annotations

import grp
import pwd

from ansible_collections.hpc.cluster.plugins.module_utils.slurm import C_LOCALE_ENV

# The options of a service account's IDs, shared by modules account_ids and service_account.
ID_OPTIONS = dict(
    user=dict(type="str", required=True),
    uid=dict(type="int", required=True),
    group=dict(type="str", required=True),
    gid=dict(type="int", required=True),
    hint=dict(type="str", default=""),
)

# A whole account's options (module service_account; each entry of service_accounts' accounts).
ACCOUNT_OPTIONS = dict(
    ID_OPTIONS,
    home=dict(type="path", required=True),
    shell=dict(type="path", required=True),
    comment=dict(type="str", default=""),
)


def id_conflicts(params):
    """(what the name service says, the conflicts) for a module's ID_OPTIONS parameters."""
    ids = read_ids(params["user"], params["uid"], params["group"], params["gid"])
    return ids, conflicts(params["user"], params["uid"], params["group"], params["gid"], ids)


def _lookup(function, key, field):
    try:
        return getattr(function(key), field)
    except KeyError:
        return None


def read_ids(user, uid, group, gid):
    """What the name service says about the account and its wanted IDs."""
    return {
        "user_uid": _lookup(pwd.getpwnam, user, "pw_uid"),
        "group_gid": _lookup(grp.getgrnam, group, "gr_gid"),
        "uid_owner": _lookup(pwd.getpwuid, uid, "pw_name") or "",
        "gid_owner": _lookup(grp.getgrgid, gid, "gr_name") or "",
    }


def conflicts(user, uid, group, gid, ids):
    """Sentences naming every way the IDs clash; a shared UID the user itself holds is fine."""
    found = []
    if ids["user_uid"] not in (None, uid):
        found.append("user %s has uid %d, not %d" % (user, ids["user_uid"], uid))
    if ids["uid_owner"] not in ("", user) and ids["user_uid"] != uid:
        found.append("uid %d belongs to user %s" % (uid, ids["uid_owner"]))
    if ids["group_gid"] not in (None, gid):
        found.append("group %s has gid %d, not %d" % (group, ids["group_gid"], gid))
    if ids["gid_owner"] not in ("", group) and ids["group_gid"] != gid:
        found.append("gid %d belongs to group %s" % (gid, ids["gid_owner"]))
    return found


def user_settings(user):
    """The settings of an existing user that service_account manages, or None."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return {"uid": entry.pw_uid, "gid": entry.pw_gid, "home": entry.pw_dir, "shell": entry.pw_shell,
            "comment": entry.pw_gecos}


def account_commands(params, ids, current):
    """The groupadd/useradd/usermod argv lists (without the binary's path) that make the account.

    ``ids`` is :func:`read_ids`'s answer (no conflicts), ``current`` :func:`user_settings`'s.
    """
    commands = []
    if ids["group_gid"] is None:
        commands.append(["groupadd", "--system", "--gid", str(params["gid"]), params["group"]])
    if current is None:
        commands.append(["useradd", "--system", "--uid", str(params["uid"]), "--gid", params["group"],
                         "--home-dir", params["home"], "--no-create-home", "--shell", params["shell"],
                         "--comment", params["comment"], params["user"]])
        return commands
    changes = []
    if current["gid"] != params["gid"]:
        changes += ["--gid", params["group"]]
    if current["home"] != params["home"]:
        changes += ["--home", params["home"]]
    if current["shell"] != params["shell"]:
        changes += ["--shell", params["shell"]]
    if current["comment"] != params["comment"]:
        changes += ["--comment", params["comment"]]
    if changes:
        commands.append(["usermod"] + changes + [params["user"]])
    return commands


def account_plan(params):
    """(conflicts, current settings, commands without the binaries' paths) of one account's
    ACCOUNT_OPTIONS parameters: with a conflict, no commands."""
    ids, found = id_conflicts(params)
    if found:
        return found, None, []
    current = user_settings(params["user"])
    return [], current, account_commands(params, ids, current)


def run_commands(module, argvs):
    """account_plan's commands with their binaries' paths, run in order unless in check mode: the
    commands for the module's result."""
    commands = [[module.get_bin_path(argv[0], required=True)] + argv[1:] for argv in argvs]
    if not module.check_mode:
        for argv in commands:
            module.run_command(argv, check_rc=True, environ_update=C_LOCALE_ENV)
    return commands


def refusal(found, hint):
    """The failure message of an account's conflicts."""
    return " ".join(["; ".join(found) + ": nothing was changed.", hint]).strip()


def wanted_settings(params):
    """What the account should hold, as user_settings gives what it holds (for a diff)."""
    return {key: params[key] for key in ("uid", "gid", "home", "shell", "comment")}
