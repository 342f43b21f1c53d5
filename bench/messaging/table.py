#!/usr/bin/env python3
"""Markdown table of a scripts/bench-messaging.sh results file (JSON lines: hippocrate,
prosody, ejabberd), with the ratios the messaging issue sets as targets. With several
rounds (ROUNDS > 1, lines tagged "round"), each figure is the median over the rounds, and
the latency test gets one row per round with its p99 ratio.
usage: table.py RESULTS.jsonl"""
import json, statistics, sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
runs = {}  # server -> test -> [row, ...] in round order
for r in rows:
    if r.get("result"):
        runs.setdefault(r["server"], {}).setdefault(r["test"], []).append(r)
rounds = max((len(v) for s in runs.values() for v in s.values()), default=1)

def median_of(results, path):
    """The median of a numeric field (path: keys) over results that have it, else None."""
    vals = []
    for x in results:
        for k in path:
            x = x.get(k) if isinstance(x, dict) else None
        if isinstance(x, (int, float)):
            vals.append(x)
    return statistics.median(vals) if vals else None

def merged(rs):
    """One result for a test: the only one, or the medians of the numeric fields used below."""
    results = [r["result"] for r in rs]
    if len(results) == 1:
        return rs[0]
    out = dict(results[0])
    for key in ("delivered_per_s", "server_cpu_pct", "gen_cpu_pct"):
        out[key] = median_of(results, (key,))
    if "lat_us" in out:
        out["lat_us"] = {k: median_of(results, ("lat_us", k)) for k in out["lat_us"]}
    return dict(rs[0], result=out)

by = {s: {t: merged(rs) for t, rs in tests.items()} for s, tests in runs.items()}
names = [("hippocrate", "Hippocrate (TLS WS, durable)"), ("prosody", "Prosody (TCP)"), ("ejabberd", "ejabberd (TCP)")]

def res(s, t):
    r = by.get(s, {}).get(t)
    return r["result"] if r else None

def fmt(v, d=0):
    return "–" if v is None else f"{v:,.{d}f}"

tput = next((t for t in by.get("hippocrate", {}) if t.startswith("tput")), None) or \
       next((t for s in by.values() for t in s if t.startswith("tput")), None)
lat = next((t for s in by.values() for t in s if t.startswith("lat")), None)
print("| metric | " + " | ".join(n for _, n in names) + " | ratio |")
print("|---|" + "---|" * (len(names) + 1))
if tput:
    v = {s: (res(s, tput) or {}).get("delivered_per_s") for s, _ in names}
    best = max([v[s] for s in ("prosody", "ejabberd") if v[s]] or [0])
    ratio = f"**{v['hippocrate'] / best:.2f}** × the faster (target ≥ 3)" if best and v["hippocrate"] else "–"
    print(f"| {tput}: delivered msg/s | " + " | ".join(fmt(v[s]) for s, _ in names) + f" | {ratio} |")
    for key, label in (("server_cpu_pct", "server CPU %"), ("gen_cpu_pct", "generator CPU %")):
        print(f"| {tput}: {label} | " + " | ".join(fmt((res(s, tput) or {}).get(key), 1) for s, _ in names) + " | |")
    print(f"| {tput}: latency p50 / p99 ms | " + " | ".join(
        "–" if not res(s, tput) or "lat_us" not in res(s, tput) else
        f"{res(s, tput)['lat_us']['p50'] / 1e3:.1f} / {res(s, tput)['lat_us']['p99'] / 1e3:.1f}" for s, _ in names) + " | |")
if lat:
    def l(s):
        r = res(s, lat)
        return r["lat_us"] if r and "lat_us" in r else None
    cells = [("–" if not l(s) else f"{l(s)['p50'] / 1e3:.2f} / {l(s)['p99'] / 1e3:.2f} / {l(s)['max'] / 1e3:.1f}") for s, _ in names]
    p99s = [l(s)["p99"] for s in ("prosody", "ejabberd") if l(s)]
    ratio = f"**{l('hippocrate')['p99'] / min(p99s):.2f}** × the better p99 (target ≤ 1)" if p99s and l("hippocrate") else "–"
    print(f"| {lat}: p50 / p99 / max ms | " + " | ".join(cells) + f" | {ratio} |")
    print(f"| {lat}: delivered msg/s | " + " | ".join(fmt((res(s, lat) or {}).get("delivered_per_s")) for s, _ in names) + " | |")
    print(f"| {lat}: server CPU % | " + " | ".join(fmt((res(s, lat) or {}).get("server_cpu_pct"), 1) for s, _ in names) + " | |")
if lat and rounds > 1:
    per_round = []
    print(f"| {lat}: p99 ms per round | " + " | ".join("" for _ in names) + " | |")
    for i in range(rounds):
        def p99(s):
            rs = runs.get(s, {}).get(lat, [])
            return rs[i]["result"]["lat_us"]["p99"] if i < len(rs) and "lat_us" in rs[i]["result"] else None
        anchors = [p99(s) for s in ("prosody", "ejabberd") if p99(s)]
        ratio = p99("hippocrate") / min(anchors) if anchors and p99("hippocrate") else None
        if ratio is not None: per_round.append(ratio)
        print(f"| round {i + 1} | " + " | ".join(fmt(p99(s) and p99(s) / 1e3, 2) for s, _ in names) +
              f" | {fmt(ratio, 2)} × |")
    if per_round:
        met = sum(1 for x in per_round if x <= 1)
        print(f"| {lat}: p99 ratio over {len(per_round)} rounds | | | | median **{statistics.median(per_round):.2f}** ×, "
              f"≤ 1 in {met} of {len(per_round)} |")
mem = {s: res(s, "mem") for s, _ in names}
stages = [st["conns"] for st in (mem.get("hippocrate") or mem.get("prosody") or {"stages": []})["stages"] if isinstance(st["conns"], int) and st["conns"] > 0]
for n in stages:
    def kb(s):
        m = mem.get(s)
        if not m: return None
        st = [x for x in m["stages"] if x["conns"] == n]
        return st[0].get("kb_per_conn_vs_0") if st else None
    v = {s: kb(s) for s, _ in names}
    ratio = ", ".join(f"{v['hippocrate'] / v[s]:.2f} × {s}" for s in ("prosody", "ejabberd") if v[s] and v["hippocrate"] is not None)
    print(f"| RSS KiB per idle conn at {n:,} (vs 0) | " + " | ".join(fmt(v[s], 1) for s, _ in names) + f" | {ratio or '–'} (target < 1 for both) |")
for s, _ in names:
    m = mem.get(s)
    if m:
        rss = {x["conns"]: x["rss_kb"] for x in m["stages"]}
        print(f"| {s}: RSS MiB at " + " / ".join(str(k) for k in rss) + " | " + " / ".join(f"{v / 1024:.1f}" for v in rss.values()) + " | | | |")
checks = []  # every round's, not the medians'
for t, rs in runs.get("hippocrate", {}).items():
    for i, r in enumerate(rs):
        x = r["result"]
        if "undelivered_after_drain" in x:
            name = t if len(rs) == 1 else f"{t} round {i + 1}"
            checks.append(f"{name}: undelivered {x['undelivered_after_drain']}, duplicates {x['duplicates']}, out of order {x['out_of_order']}, "
                          f"send errors {x['send_errors']}, unacked {x['unacked_after_drain']}")
print()
if rounds > 1:
    print(f"Each figure above is the median over {rounds} rounds (ours, then the anchors, each round).")
print("Load average (1/5/15 min) at the start of each run: " + "; ".join(
    f"{r['server']} {r['test']}: {r.get('loadavg', '?')}" for r in rows if r.get("result")))
if checks: print("Checks (hippocrate): " + "; ".join(checks))
print("\nXMPP runs are plain TCP without durable storage (no offline store, no archive); "
      "hippocrate is TLS 1.3 WebSocket with every message durably stored (SQLite WAL, "
      "synchronous=FULL, group commit) before the sender's send_result, and receivers acknowledge.")
