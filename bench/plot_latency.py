#!/usr/bin/python3
"""Plots hallmark-loadgen latency percentiles against the 200 ms budget.

Reads one or more hallmark-loadgen JSON files -- sweeps (--sweep) or single
runs, against hallmarkd or anything else -- and draws p50/p90/p99/p99.9 per
request rate on a log y-axis, with the 200 ms budget as a line. Where a file
holds an echo baseline measured in the same run (--baseline), the plotted
value is the *added* latency (target minus baseline, per percentile);
otherwise it is the absolute latency, and the legend says which.

Added latencies at or below zero (the difference is within the noise) cannot
be drawn on a log axis: they are drawn at the axis floor (1 µs) with an
open marker. Sweep steps that failed (p99 over the threshold, errors,
shedding, late sends) are drawn with open markers too.

Usage:
  /usr/bin/python3 bench/plot_latency.py --out latency.png sweep.json [run.json ...]

Needs Debian's python3-matplotlib (scripts/install-deps.sh installs it).
"""
import argparse
import collections
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

PERCENTILES = [("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p999", "p99.9")]
COLORS = {"p50": "tab:blue", "p90": "tab:green", "p99": "tab:orange", "p999": "tab:purple"}
BUDGET_MS = 200.0
FLOOR_MS = 0.001


def points_from_file(path):
    """Yields (series_key, rate, {pct: ms}, added, passed) for one JSON file."""
    with open(path) as f:
        doc = json.load(f)
    config = doc.get("config", {})
    workload = config.get("workload", "?")
    if "sweep" in doc:
        for step in doc["sweep"]:
            added = "added_latency_ms" in step
            values = step["added_latency_ms"] if added else step["latency_ms"]
            label = step.get("label", "target")
            yield ((label, workload, added), step["rate"],
                   {k: values[k] for k, _ in PERCENTILES}, added, step.get("passed", True))
        return
    added = "added_latency_ms" in doc
    values = doc["added_latency_ms"] if added else doc["latency_ms"]
    rate = config.get("rate", 0) or doc.get("throughput_rps", 0)
    yield ((doc.get("label", "target"), workload, added), rate,
           {k: values[k] for k, _ in PERCENTILES}, added, doc.get("errors", 0) == 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="hallmark-loadgen --json files")
    parser.add_argument("--out", required=True, help="PNG to write")
    parser.add_argument("--title", default="Latency hallmarkd adds, against the 200 ms budget")
    args = parser.parse_args()

    series = collections.OrderedDict()
    for path in args.files:
        for key, rate, values, added, passed in points_from_file(path):
            series.setdefault(key, []).append((rate, values, passed))
    if not series:
        sys.exit("plot_latency: no data points in the given files")

    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=120)
    markers = ["o", "s", "^", "D", "v", "P"]
    for index, ((label, workload, added), points) in enumerate(series.items()):
        points.sort(key=lambda p: p[0])
        marker = markers[index % len(markers)]
        what = f"{label} − echo" if added else f"{label} (absolute)"
        for key, name in PERCENTILES:
            rates = [p[0] for p in points]
            ys = [max(p[1][key], FLOOR_MS) for p in points]
            ax.plot(rates, ys, color=COLORS[key], marker=marker, linewidth=1.5, markersize=5,
                    label=f"{name}, {workload}, {what}")
            # Open markers: failed steps and values clipped to the floor.
            hollow = [(r, y) for (r, y, p) in zip(rates, ys, points)
                      if not p[2] or p[1][key] <= FLOOR_MS]
            if hollow:
                ax.plot([h[0] for h in hollow], [h[1] for h in hollow], linestyle="none",
                        marker=marker, markersize=9, markerfacecolor="white",
                        markeredgecolor=COLORS[key])

    ax.axhline(BUDGET_MS, color="red", linestyle="--", linewidth=2)
    ax.text(0.01, BUDGET_MS * 1.15, "200 ms budget", color="red",
            transform=ax.get_yaxis_transform(), fontsize=10)
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_ylim(FLOOR_MS * 0.8, BUDGET_MS * 5)
    rates = sorted({p[0] for points in series.values() for p in points})
    ax.set_xticks(rates)
    ax.set_xticklabels([f"{r:,.0f}" for r in rates], rotation=30, fontsize=8)
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("offered load, requests/s (open loop)")
    ax.set_ylabel("latency, ms (log scale)")
    ax.set_title(args.title)
    ax.grid(True, which="major", alpha=0.4)
    ax.grid(True, which="minor", alpha=0.15)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, 0.88))
    fig.text(0.01, 0.01, "open markers: failed sweep step, or added latency ≤ 0 drawn at 1 µs",
             fontsize=7, color="gray")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"plot_latency: wrote {args.out} ({sum(len(p) for p in series.values())} points)")


if __name__ == "__main__":
    main()
