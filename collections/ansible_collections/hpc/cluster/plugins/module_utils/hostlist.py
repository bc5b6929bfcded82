# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Slurm hostlist expressions: expand and compress.

Slurm's rules (slurm.conf(5), src/common/hostlist.c) are the reference:

* a hostlist is a comma separated list of items; an item is a name, or a name
  with one or more bracketed range lists (``rack[1-2]-n[01-04]``);
* a range list holds comma separated numbers or ``lo-hi`` ranges; the padding
  width of a range is the length of its lower bound (``n[009-11]`` is
  ``n009,n010,n011``);
* text after the last bracket (``c[001-128]-ipmi``) is refused by Slurm but
  common in inventories (BMC and InfiniBand names), and both python-hostlist
  and ClusterShell expand it: :func:`expand` does too with ``slurm=False``,
  and refuses it by default (for strings that come from or go to Slurm);
  :func:`compress` never produces it;
* where Slurm quietly mangles broken input (unbalanced or nested brackets,
  reversed or non-numeric ranges, empty items), this module raises
  :class:`HostlistError` naming the bad part.

Pure Python, no third-party dependency, so the same code serves filters and
the inventory plugin on the controller and modules on the managed nodes.
"""

from __future__ import annotations

import re
from itertools import chain, count, islice, repeat
from itertools import compress as _select
from operator import add, getitem, gt, lt, sub

__all__ = ["HostlistError", "expand", "compress", "MAX_NAMES"]

#: Refuse to expand more names than this in one call (guards against typos
#: such as ``n[1-100000000]`` eating the controller's memory).
MAX_NAMES = 10000000

_DIGITS = "0123456789"
# One item: text and complete bracket groups, no top-level comma.
_ITEM_RE = re.compile(r"(?:[^,\[\]]*\[[^\[\]]*\])*[^,\[\]]*")
_SPLIT_BRACKETS_RE = re.compile(r"\[([^\[\]]*)\]")
_RANGE_RE = re.compile(r"([0-9]+)(?:-([0-9]+))?")
_SPACE_RE = re.compile(r"\s")
_BAD_NAME_RE = re.compile(r"[\[\]\s]")
_LAST_NUMBER_RE = re.compile(r"(.*?)([0-9]+)([^0-9]*)", re.S)


class HostlistError(ValueError):
    """A malformed hostlist expression or host name."""


def _short(text, limit=60):
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------
# Expansion
# --------------------------------------------------------------------------


_NO_DIGITS = str.maketrans("", "", _DIGITS)
_SEPARATORS_RE = re.compile(r"(?:-?,)*-?")


def _valid_rangelist(content):
    """Same answer as _RANGELIST_RE.fullmatch, in a few C-speed passes over the string."""
    separators = content.translate(_NO_DIGITS)
    if len(separators) == len(content) or not _SEPARATORS_RE.fullmatch(separators):
        return False  # no digit at all, another character, or two '-' in one range
    return not (
        content[0] in ",-" or content[-1] in ",-"
        or ",," in content or ",-" in content or "-," in content or "--" in content
    )


def _rangelist_error(content, item):
    if content == "":
        raise HostlistError("empty brackets in '%s'" % _short(item))
    for part in content.split(","):
        if part == "":
            raise HostlistError(
                "empty range in '[%s]' of '%s'" % (_short(content), _short(item))
            )
        if not _RANGE_RE.fullmatch(part):
            raise HostlistError(
                "non-numeric range '%s' in '%s' (expected N or N-M with digits)"
                % (_short(part), _short(item))
            )
    raise HostlistError(  # pragma: no cover - every invalid content hits a case above
        "malformed range list '[%s]' in '%s'" % (_short(content), _short(item)))


def _parse_rangelist(content, item):
    """``1-3,07`` (bracket content) -> (los, his, widths), three parallel lists."""
    if not _valid_rangelist(content):
        _rangelist_error(content, item)
    # Bulk conversions (C loops): a bracket may hold hundreds of thousands of ranges.
    dashes = content.count("-")
    commas = content.count(",")
    if dashes == 0:
        lo_strings = content.split(",")
        los = list(map(int, lo_strings))
        his = los
    elif dashes == commas + 1:
        numbers = content.replace("-", ",").split(",")
        lo_strings = numbers[0::2]
        los = list(map(int, lo_strings))
        his = list(map(int, numbers[1::2]))
    else:
        pairs = [part.partition("-") for part in content.split(",")]
        lo_strings = [lo for lo, _sep, _hi in pairs]
        los = list(map(int, lo_strings))
        his = [int(hi) if hi else lo for (_lo, _sep, hi), lo in zip(pairs, los)]
    if any(map(gt, los, his)):
        for lo_s, lo, hi in zip(lo_strings, los, his):
            if lo > hi:
                raise HostlistError("reversed range '%s-%d' in '%s'" % (lo_s, hi, _short(item)))
    return los, his, list(map(len, lo_strings))


def _overlaps(rangelist):
    """True when two ranges share a number (then names may repeat)."""
    los, his, _widths = rangelist
    if len(los) < 2 or all(map(lt, his, islice(los, 1, None))):
        return False  # ascending and disjoint, the usual case
    ordered = sorted(zip(los, his))
    return any(b[0] <= a[1] for a, b in zip(ordered, ordered[1:]))


def _count(rangelist):
    los, his, _widths = rangelist
    return sum(his) - sum(los) + len(los)


def _generate(prefix, rangelist, out):
    """Append prefix + every number of the range list (padded per range) to ``out``."""
    los, his, widths = rangelist
    escaped = prefix.replace("%", "%%")
    if len(set(widths)) == 1:
        fmt = "%s%%0%dd" % (escaped, widths[0])
        out.extend(map(fmt.__mod__, chain.from_iterable(map(range, los, map(add, his, repeat(1))))))
        return
    for lo, hi, width in zip(los, his, widths):
        fmt = "%s%%0%dd" % (escaped, width)
        out.extend(map(fmt.__mod__, range(lo, hi + 1)))


def _expand_item(item, out, slurm):
    """Expand one item with brackets into ``out``; return True if it may repeat names."""
    parts = _SPLIT_BRACKETS_RE.split(item)
    # parts = [text0, content1, text1, content2, text2, ...]
    texts = parts[0::2]
    contents = parts[1::2]
    suffix = texts[-1]
    if suffix and slurm:
        raise HostlistError(
            "text '%s' after the last bracket in '%s': Slurm refuses it "
            "(put the range last, e.g. 'ib-n[1-3]')" % (_short(suffix), _short(item))
        )
    rangelists = [_parse_rangelist(c, item) for c in contents]
    total = 1
    for rl in rangelists:
        total *= _count(rl)
    if total + len(out) > MAX_NAMES:
        raise HostlistError(
            "'%s' expands to more than %d names" % (_short(item), MAX_NAMES)
        )
    may_repeat = any(_overlaps(rl) for rl in rangelists) or any(
        t == "" or t[0] in _DIGITS for t in texts[1:-1]
    )
    if suffix:
        # A constant suffix keeps distinct names distinct: expand without it, then append it.
        names = []
        _expand_item(item[: len(item) - len(suffix)], names, slurm)
        out.extend(map(add, names, repeat(suffix)))
        return may_repeat
    # Prefixes for every bracket but the last one, then the last one in bulk.
    prefixes = [texts[0]]
    for rl, text in zip(rangelists[:-1], texts[1:-1]):
        values = []
        _generate("", rl, values)
        prefixes = [p + v + text for p in prefixes for v in values]
    if len(prefixes) == 1:
        _generate(prefixes[0], rangelists[-1], out)
    else:
        # Format the last numbers once, then only concatenate.
        values = []
        _generate("", rangelists[-1], values)
        for prefix in prefixes:
            out.extend(map(prefix.__add__, values))
    return may_repeat


def _check_name(name, where):
    if name == "":
        raise HostlistError("empty name %s" % where)
    if _SPACE_RE.search(name):
        raise HostlistError("whitespace inside name '%s'" % _short(name))


def expand(hostlist, unique=True, slurm=True):
    """Expand a hostlist expression into a list of names.

    Order is kept; repeated names are dropped (first one wins) unless
    ``unique`` is false. An empty or blank string gives an empty list.
    With ``slurm`` true (the default: Python callers mostly read Slurm's
    strings), text after the last bracket of an item is an error, as in
    Slurm; ``slurm=False`` expands it (``c[001-128]-ipmi``), for
    inventories.
    """
    if not isinstance(hostlist, str):
        raise HostlistError(
            "expected a hostlist string, got %s" % type(hostlist).__name__
        )
    if hostlist.strip() == "":
        return []
    if "[" not in hostlist and "]" not in hostlist:
        names = hostlist.split(",")
        for pos, name in enumerate(names):
            stripped = name.strip()
            if stripped != name:
                names[pos] = name = stripped
            _check_name(name, "(item %d of '%s')" % (pos + 1, _short(hostlist)))
        if unique and len(names) > 1:
            names = list(dict.fromkeys(names))
        return names

    out = []
    may_repeat = False
    pos = 0
    end = len(hostlist)
    index = 0
    while True:
        index += 1
        match = _ITEM_RE.match(hostlist, pos)
        stop = match.end()
        if stop < end and hostlist[stop] != ",":
            raise HostlistError(
                "unbalanced or nested brackets in '%s' (character %d of the hostlist)"
                % (_short(hostlist[pos:]), stop + 1)
            )
        item = match.group().strip()
        if item == "":
            raise HostlistError("empty name (item %d of '%s')" % (index, _short(hostlist)))
        if _SPACE_RE.search(item):
            raise HostlistError("whitespace inside item '%s'" % _short(item))
        if "[" in item:
            may_repeat = _expand_item(item, out, slurm) or may_repeat
        else:
            out.append(item)
        if stop >= end:
            break
        pos = stop + 1
        if pos >= end:
            raise HostlistError("empty name after the last comma of '%s'" % _short(hostlist))
    if unique and (index > 1 or may_repeat):
        out = list(dict.fromkeys(out))
    if len(out) > MAX_NAMES:
        raise HostlistError("'%s' expands to more than %d names" % (_short(hostlist), MAX_NAMES))
    return out


# --------------------------------------------------------------------------
# Compression
# --------------------------------------------------------------------------


def _runs(ints):
    """Sorted unique ints -> list of (lo, hi) of consecutive numbers."""
    n = len(ints)
    if ints[-1] - ints[0] == n - 1:
        return [(ints[0], ints[-1])]
    # Indices where the step is not 1, found without a Python-level loop.
    breaks = list(
        _select(count(1), map((1).__ne__, map(sub, islice(ints, 1, None), ints)))
    )
    los = [ints[0]]
    los.extend(map(ints.__getitem__, breaks))
    his = [ints[b - 1] for b in breaks]
    his.append(ints[-1])
    return list(zip(los, his))


def _format_runs(runs, width):
    """(lo, hi) runs -> 'lo-hi' strings; width 0 means natural (no padding)."""
    if width:
        one = "%%0%dd" % width
        two = "%%0%dd-%%0%dd" % (width, width)
    else:
        one = "%d"
        two = "%d-%d"
    return [one % lo if lo == hi else two % (lo, hi) for lo, hi in runs]


def _rangeset(tails):
    """Distinct digit strings -> list of (lo, hi, width) covering exactly them.

    ``width`` 0 means natural numbers (no leading zero); otherwise numbers are
    zero padded to ``width``, which is how Slurm reads a range whose lower
    bound has that many digits.
    """
    lengths = set(map(len, tails))
    ints = list(map(int, tails))
    if len(lengths) == 1:
        width = lengths.pop()
        ints.sort()
        return [(lo, hi, width) for lo, hi in _runs(ints)]
    if list(map(len, map(str, ints))) == list(map(len, tails)):
        ints.sort()
        return [(lo, hi, 0) for lo, hi in _runs(ints)]
    # Mixed: natural numbers and zero padded ones of several widths.
    natural = []
    padded = {}
    for tail, value in zip(tails, ints):
        if len(tail) > 1 and tail[0] == "0":
            padded.setdefault(len(tail), []).append(value)
        else:
            natural.append(value)
    natural.sort()
    nat_runs = _runs(natural) if natural else []
    result = []
    for width, values in padded.items():
        values.sort()
        for lo, hi in _runs(values):
            # A padded run ending at 0..99 (width 3: '099') continues with
            # natural numbers of the same width ('100', '101'...).
            if hi == 10 ** (width - 1) - 1:
                for pos, (nlo, nhi) in enumerate(nat_runs):
                    if nlo == hi + 1:
                        hi = nhi
                        del nat_runs[pos]
                        break
            result.append((lo, hi, width))
    result.extend((lo, hi, 0) for lo, hi in nat_runs)
    result.sort()
    return result


def _bracket(rangeset):
    """(lo, hi, width) list -> '07' or '[01-04,07]'."""
    if len(rangeset) == 1 and rangeset[0][0] == rangeset[0][1]:
        lo, _hi, width = rangeset[0]
        return "%0*d" % (width, lo)
    parts = []
    if len({w for _lo, _hi, w in rangeset}) == 1:
        parts = _format_runs([(lo, hi) for lo, hi, _w in rangeset], rangeset[0][2])
    else:
        for lo, hi, width in rangeset:
            parts.extend(_format_runs([(lo, hi)], width))
    return "[" + ",".join(parts) + "]"


def _find_bad_name(names):
    for pos, name in enumerate(names):
        if not isinstance(name, str):
            raise HostlistError(
                "item %d (%r) is not a string" % (pos + 1, name)
            )
        if name == "":
            raise HostlistError("empty name (item %d)" % (pos + 1))
        if "," in name or _BAD_NAME_RE.search(name):
            raise HostlistError(
                "name '%s' (item %d) contains a comma, a bracket or whitespace"
                % (_short(name), pos + 1)
            )
    raise HostlistError("invalid names")  # pragma: no cover - defensive


def _check_names(names):
    try:
        joined = ",".join(names)
    except TypeError:
        _find_bad_name(names)
    if (
        joined.count(",") != len(names) - 1
        or _BAD_NAME_RE.search(joined)
        or ",," in joined
        or joined[:1] in ("", ",")
        or joined[-1:] == ","
    ):
        _find_bad_name(names)


def _group(keys, values):
    groups = {}
    for key, value in zip(keys, values):
        group = groups.get(key)
        if group is None:
            groups[key] = [value]
        else:
            group.append(value)
    return groups


def compress(names):
    """Compress names into the shortest Slurm hostlist this module knows.

    Repeated names are merged; the result is sorted and does not depend on
    the input order. Only a trailing number is ranged, so the expression
    always ends with a bracket or a literal name, as Slurm requires; a name
    with several numbers is ranged on the earlier ones too when the later
    ones already form a range (``rack[1-2]-n[01-04]``).
    """
    if isinstance(names, (str, bytes)):
        raise HostlistError(
            "expected a list of names, got a string (use hostlist_expand first)"
        )
    if isinstance(names, dict):
        names = list(names)
    elif not isinstance(names, list):
        try:
            names = list(names)
        except TypeError:
            raise HostlistError(
                "expected a list of names, got %s" % type(names).__name__
            ) from None
    if not names:
        return ""
    _check_names(names)

    unique = list(set(names))
    heads = list(map(str.rstrip, unique, repeat(_DIGITS)))
    tails = list(map(getitem, unique, map(slice, map(len, heads), repeat(None))))
    if len(heads) == 1 or heads.count(heads[0]) == len(heads):
        groups = {heads[0]: tails}
    else:
        groups = _group(heads, tails)

    final = []  # (sort key, text)
    pending = []  # (head, right, sort key): right ends with ']'
    for head, group_tails in groups.items():
        if "" in group_tails:
            group_tails = [t for t in group_tails if t != ""]
            final.append(((head, -1, 0, ""), head))
        if not group_tails:
            continue
        if head == "":
            # Purely numeric names: never start an expression with '['.
            final.extend(((t, -1, 0, ""), t) for t in group_tails)
            continue
        rangeset = _rangeset(group_tails)
        right = _bracket(rangeset)
        key = (head, rangeset[0][0], rangeset[0][2], "")
        if right[-1] == "]":
            pending.append((head, right, key))
        else:
            final.append((key, head + right))

    # Range earlier numbers of names whose last number is already a range.
    while pending:
        candidates = {}
        for head, right, key in pending:
            match = _LAST_NUMBER_RE.fullmatch(head)
            if match is None or match.group(1) == "":
                final.append((key, head + right))
                continue
            prefix, digits, middle = match.groups()
            candidates.setdefault((prefix, middle + right), []).append(
                (digits, key)
            )
        pending = []
        for (prefix, rest), members in candidates.items():
            if len(members) == 1:
                digits, key = members[0]
                final.append((key, prefix + digits + rest))
                continue
            rangeset = _rangeset([d for d, _k in members])
            key = (prefix, rangeset[0][0], rangeset[0][2], rest)
            pending.append((prefix, _bracket(rangeset) + rest, key))

    final.sort()
    return ",".join(text for _key, text in final)
