#!/usr/bin/python3
"""test/bench/order_bench.py — sorting sketch columns against sorting bytea.

count(DISTINCT s) over 3,000 stored values (a sort: about 35,000 comparisons)
of reach_sketch (p = 14, dense, about 8 KB each) and journey (about 10 KB
each), against the same values as bytea columns.  Rounds interleaved (every
query once a round, after a warm-up round), medians and ratios; jit and
parallel query off.  Target (DESIGN.md): within 1.5x of bytea.

Run against a server with impression_ext installed (PGHOST, PGPORT, PGUSER;
database from PGDATABASE or ie_order_bench, created if missing):
    /usr/bin/python3 test/bench/order_bench.py [rounds, default 7]
"""
import os
import statistics
import sys
import time

import psycopg2

SETUP = """
DROP TABLE IF EXISTS order_bench_j, order_bench_r;
CREATE TABLE order_bench_j AS
SELECT i, b.j || (SELECT journey_agg(ts, 'click', t)
                  FROM (SELECT timestamptz '2026-06-01 00:00+00' + i * interval '1 minute', 'c' || i) e(ts, t)) AS j
FROM (SELECT journey_agg(timestamptz '2026-05-01 00:00+00' + x * interval '1 minute', 'impression', 'campaign ' || (x % 40)) AS j
      FROM generate_series(1, 770) x) b, generate_series(1, 3000) i;
CREATE TABLE order_bench_r AS
SELECT i, b.r || (SELECT reach_agg(x) FROM generate_series(1000000 + i * 10, 1000009 + i * 10) x) AS r
FROM (SELECT reach_agg(x) AS r FROM generate_series(1, 50000) x) b, generate_series(1, 3000) i;
ALTER TABLE order_bench_j ADD COLUMN jb bytea;
UPDATE order_bench_j SET jb = j::bytea;
ALTER TABLE order_bench_r ADD COLUMN rb bytea;
UPDATE order_bench_r SET rb = r::bytea;
VACUUM ANALYZE order_bench_j;
VACUUM ANALYZE order_bench_r;
"""
QUERIES = {
    "reach_sketch": "SELECT count(DISTINCT r) FROM order_bench_r",
    "reach as bytea": "SELECT count(DISTINCT rb) FROM order_bench_r",
    "journey": "SELECT count(DISTINCT j) FROM order_bench_j",
    "journey as bytea": "SELECT count(DISTINCT jb) FROM order_bench_j",
}


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    db = os.environ.get("PGDATABASE", "ie_order_bench")
    admin = psycopg2.connect(dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        if cur.fetchone() is None:
            cur.execute('CREATE DATABASE "%s"' % db)
    conn = psycopg2.connect(dbname=db)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE EXTENSION IF NOT EXISTS impression_ext")
    for statement in SETUP.split(";"):
        if statement.strip():
            cur.execute(statement)
    cur.execute("SET jit = off; SET max_parallel_workers_per_gather = 0; SET work_mem = '256MB'")
    times = {name: [] for name in QUERIES}
    for r in range(rounds + 1):
        for name, query in QUERIES.items():
            start = time.perf_counter()
            cur.execute(query)
            cur.fetchall()
            if r > 0:
                times[name].append((time.perf_counter() - start) * 1000)
    med = {name: statistics.median(t) for name, t in times.items()}
    for name in QUERIES:
        print("%-18s median %8.1f ms" % (name, med[name]))
    print("reach_sketch / bytea: %.2f   journey / bytea: %.2f   (target <= 1.5)"
          % (med["reach_sketch"] / med["reach as bytea"], med["journey"] / med["journey as bytea"]))


if __name__ == "__main__":
    main()
