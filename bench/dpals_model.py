#!/usr/bin/env python3
"""dpals_model.py OUTDIR — the measured table and the time-per-iteration model of data-parallel ALS
(docs/scale-dataparallel.md), from the files bench/bench_dpals.sh wrote into OUTDIR.

Model, per iteration (two half-iterations; explicit ALS, rank k, kk = k (+1 with bias) floats/row):
  T(P) = T1 * imb(P) / c(P)                      compute: the 1-rank time spread over c(P) workers
       + sum over the two tables of X(P)          exchange of that table
       + 2 * 2*alpha*log2(P)                      the status agreement (an all-reduce) per half
  lists:      X = alpha*(P-1) + 4*kk*Lmax(P)/beta   (Alltoallv, pairwise; Lmax: most rows one rank receives)
  all-gather: X = alpha*(P-1) + 4*kk*Gmax(P)/beta  (ring; Gmax: the table minus the smallest block)
imb(P) and Lmax(P) are exact for the real split (bench_dpals volumes).  On this machine c(P) =
min(P, cores) (oversubscribed ranks share the cores) and alpha, beta are the shared-memory ping-pong;
for the projection c(P) = P nodes running one single-thread rank each (T1 as measured), and alpha,
beta are the two assumed networks below."""
import math
import os
import re
import sys

out = sys.argv[1]


def kv(path):
    d = {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                try:
                    d[p[0]] = float(p[1])
                except ValueError:
                    pass
    return d


syrk = kv(os.path.join(out, "syrk.txt"))
pp = kv(os.path.join(out, "pingpong.txt"))
vol = {}
with open(os.path.join(out, "volumes.txt")) as f:
    hdr = f.readline().split()
    for line in f:
        row = dict(zip(hdr, (float(x) for x in line.split())))
        vol[int(row["P"])] = row


def single(t):
    txt = open(os.path.join(out, "single-t%d.log" % t)).read()
    m = re.search(r"in ([0-9.]+) s \(load ([0-9.]+) s\)", txt)
    iters = len(re.findall(r"^iteration ", txt, re.M))
    rss = re.search(r"maxrss_kB (\d+)", txt)
    return float(m.group(1)) / iters, float(m.group(2)), int(rss.group(1)) / 1024 if rss else float("nan")


runs = {}
for name in sorted(os.listdir(out)):
    m = re.match(r"mpi-np(\d+)-(lists|allgather)\.log$", name)
    if not m:
        continue
    txt = open(os.path.join(out, name)).read()
    ranks = re.findall(r"^rank (\d+)/(\d+)  seconds_per_iter ([0-9.]+)  comm_per_iter ([0-9.]+)  "
                       r"sent_bytes_per_iter (\d+)  recv_bytes_per_iter (\d+)  local_MB ([0-9.]+)  "
                       r"maxrss_MB ([0-9.]+)", txt, re.M)
    load = re.search(r"load average: ([0-9.]+)", txt)
    runs[(int(m.group(1)), m.group(2))] = {
        "sec": max(float(r[2]) for r in ranks), "comm": max(float(r[3]) for r in ranks),
        "sent": max(int(r[4]) for r in ranks), "recv": max(int(r[5]) for r in ranks),
        "local": max(float(r[6]) for r in ranks), "rss": max(float(r[7]) for r in ranks),
        "ident": "identical yes" in txt, "load": float(load.group(1)) if load else float("nan")}

t1s, load1, rss1 = single(1)
t2s, _, rss2 = single(2)
base = runs.get((1, "lists"))
T1 = base["sec"] if base else t1s
n1 = vol[1]
nu, ni, nnz = n1["nusers"], n1["nitems"], n1["nnz"]
k = 10
kk = k
flops = 2 * (nnz * (k * k + 2 * k)) + (nu + ni) * k ** 3 / 3.0
feff = flops / T1 / 1e9
cores = os.cpu_count() or 2

print("# data-parallel ALS on %s: %d users, %d items, %d ratings, rank %d" % (out, nu, ni, nnz, k))
print("single process: %.3f s/iter (1 thread), %.3f s/iter (2 threads), load %.1f s, maxrss %.0f MB (1 thread)"
      % (t1s, t2s, load1, rss1))
print("1 rank, 1 thread under --mpi: T1 = %.3f s/iter = %.2f GFLOP/s effective (%.3g flops/iter); "
      "OpenBLAS SSYRK: %.1f GFLOP/s peak (1 thread, n=2048), %.2f GFLOP/s at the ALS shape (k=10, 128 rows)"
      % (T1, feff, flops, syrk.get("ssyrk_peak_gflops", float("nan")), syrk.get("ssyrk_k10_1thread_gflops", float("nan"))))
a_shm, b_shm = pp["latency_us"] * 1e-6, pp["bandwidth_GBps"] * 1e9
print("MPI ping-pong (shared memory, this machine): latency %.2f us, bandwidth %.2f GB/s" % (a_shm * 1e6, b_shm / 1e9))
print()


def xchg(P, mode, a, b):
    v = vol[P]
    tot = 0.0
    for t in ("users", "items"):
        if P == 1:
            continue
        rows = v[t + "_list_max"] if mode == "lists" else v[t + "_gather_max"]
        tot += a * (P - 1) + 4 * kk * rows / b
    return tot + (2 * 2 * a * math.log2(P) if P > 1 else 0.0)


def model(P, mode, a, b, workers, t1):
    v = vol[P]
    imb = max(v["imbalance_users"], v["imbalance_items"])
    return t1 * imb / workers + xchg(P, mode, a, b)


print("## measured (mpirun --oversubscribe, 1 thread per rank, %d cores) and the model on this machine" % cores)
print("| ranks | exchange | s/iter | comm s/iter | sent MB/iter/rank (max) | recv MB/iter/rank (max) | "
      "local MB/rank | maxrss MB/rank | model s/iter | = single | load avg |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for (P, mode), r in sorted(runs.items()):
    pred = model(P, mode, a_shm, b_shm, min(P, cores), T1)
    print("| %d | %s | %.3f | %.3f | %.2f | %.2f | %.0f | %.0f | %.3f | %s | %.1f |"
          % (P, mode, r["sec"], r["comm"], r["sent"] / 1e6, r["recv"] / 1e6, r["local"], r["rss"], pred,
             "yes" if r["ident"] else "NO", r["load"]))
print()
print("## exchange volume per rank and half-iteration pair (exact split; rows of %d floats)" % kk)
print("| P | users by lists (max) | users by all-gather | items by lists (max) | items by all-gather | "
      "lists/all-gather | work imbalance |")
print("|---|---|---|---|---|---|---|")
for P in sorted(vol):
    if P == 1:
        continue
    v = vol[P]
    lst = v["users_list_max"] + v["items_list_max"]
    gat = v["users_gather_max"] + v["items_gather_max"]
    print("| %d | %.0f | %.0f | %.0f | %.0f | %.2f | %.3f |" % (P, v["users_list_max"], v["users_gather_max"],
          v["items_list_max"], v["items_gather_max"], lst / gat if gat else 0,
          max(v["imbalance_users"], v["imbalance_items"])))
print()
Tnode = T1
nets = [("10 GbE (assumed: 25 us, 1.1 GB/s)", 25e-6, 1.1e9), ("InfiniBand HDR100 (assumed: 2 us, 11 GB/s)", 2e-6, 11e9)]
print("## projection: P nodes, one rank of one thread each (T_node = T1 = %.3f s/iter; the 2-thread speed-up "
      "measured in this run, %.2f, is not used: the shared machine was loaded)" % (Tnode, t1s / t2s))
print("| nodes | " + " | ".join("%s %s" % (n.split(" (")[0], m) for n, _, _ in nets for m in ("lists", "allgather"))
      + " | speed-up (best, IB) |")
print("|---|" + "---|" * (2 * len(nets) + 1))
for P in sorted(vol):
    if P < 8:
        continue
    cells = [model(P, m, a, b, P, Tnode) for _, a, b in nets for m in ("lists", "allgather")]
    print("| %d | " % P + " | ".join("%.3f" % c for c in cells) + " | %.1f |" % (Tnode / min(cells[2:])))
