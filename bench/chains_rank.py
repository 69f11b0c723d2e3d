#!/usr/bin/env python3
"""Ranking the top 200 targets of a chain link: Fenglai over HTTP against DuckDB in process.

Usage: bench/chains_rank.py --url http://127.0.0.1:PORT --csv registry.csv --db fenglai.db [--n 300]

Against a running `fenglai serve` whose database holds the registry (imported from --csv):
sets the city's region prefix (3411) and the default key regions, makes the chain
新能源电池 from its template if absent, then asks --n times for the top 200 candidates of a
random link of the chain with a random pair of key regions and the flag filter 上市 / 世界500强 /
中国500强 / 央企 (and, as a second query kind, with the key regions only). DuckDB loads the
same CSV into an in-memory table (the load is timed apart) plus the credit codes and names
of the pipeline's leads, and runs the same ranking in SQL — the same filters, the same points and
the same order — for the same parameters. The score tuples (fit, priority, total) of both
top-200 lists are compared for every query. Prints a Markdown table of median and p99 in
milliseconds and the ratio. Needs the duckdb package (bench/chains.sh makes a venv).
"""
import argparse, http.client, json, random, sqlite3, statistics, time, urllib.parse

import duckdb

KEY_REGIONS = {
    "京津冀": ["11", "12", "13"],
    "长三角": ["31", "32", "33", "34"],
    "珠三角/大湾区": ["44", "81", "82"],
    "港台": ["81", "82", "71"],
    "日韩": ["JP", "KR"],
    "欧美": ["US", "CA", "DE", "FR", "GB", "IT", "NL", "CH", "SE", "BE", "DK", "FI", "AT", "ES"],
}
ALL_KEY = sorted({p for ps in KEY_REGIONS.values() for p in ps})
FLAGS = "上市,世界500强,中国500强,央企"
HOME = "3411"


def call(c, method, path, token=None, body=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path} -> {r.status} {data[:300]!r}")
    return json.loads(data)


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def q(s):
    return "'" + s.replace("'", "''") + "'"


def duck_sql(codes, keywords, provinces, with_flags):
    exact = [c for c in codes if len(c) == 4]
    classes = [c for c in codes if len(c) == 3]
    code_cond = " OR ".join(
        ([f"industry_code IN ({','.join(q(c) for c in exact)})"] if exact else [])
        + [f"starts_with(industry_code, {q(c)})" for c in classes]
    )
    kw = " + ".join(f"(CASE WHEN contains(scope_lower, {q(k.lower())}) THEN 1 ELSE 0 END)" for k in keywords) or "0"
    where = [f"({code_cond})", f"NOT starts_with(region_code, {q(HOME)})"]
    if provinces:
        where.append(f"province IN ({','.join(q(p) for p in provinces)})")
    if with_flags:
        where.append("flags <> 0")
    where.append("uscc NOT IN (SELECT uscc FROM pipeline WHERE uscc IS NOT NULL)")
    where.append("name NOT IN (SELECT company_name FROM pipeline)")
    return f"""
    WITH c AS (
      SELECT uscc, name, flags,
        (CASE WHEN industry_code IN ({','.join(q(c) for c in exact) or "''"}) THEN 40 ELSE 25 END)
          + LEAST(30, 10 * ({kw})) AS fit,
        LEAST(50, (CASE WHEN flags & 2 <> 0 THEN 30 ELSE 0 END) + (CASE WHEN flags & 4 <> 0 THEN 20 ELSE 0 END)
          + (CASE WHEN flags & 8 <> 0 THEN 20 ELSE 0 END) + (CASE WHEN flags & 1 <> 0 THEN 15 ELSE 0 END)) AS flag_pts,
        (CASE WHEN capital_yuan >= 10000000000 THEN 20 WHEN capital_yuan >= 1000000000 THEN 15
              WHEN capital_yuan >= 100000000 THEN 10 WHEN capital_yuan >= 10000000 THEN 5 ELSE 0 END) AS size_pts,
        (CASE WHEN province IN ({','.join(q(p) for p in ALL_KEY)}) THEN 10 ELSE 0 END) AS region_pts,
        LEAST(9, 3 * new_branches) + LEAST(12, 4 * financing_rounds) AS growth_pts
      FROM e WHERE {' AND '.join(where)}
    )
    SELECT fit, flags <> 0 AS priority, fit + flag_pts + size_pts + region_pts + growth_pts AS total, uscc
    FROM c ORDER BY fit DESC, priority DESC, total DESC LIMIT 200
    """


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--csv", required=True)
    ap.add_argument("--db", required=True, help="the SQLite file, to read the pipeline's credit codes")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    tok = call(c, "POST", "/api/v1/auth/token", body={"username": "admin", "password": "demo"})["token"]
    s = call(c, "GET", "/api/v1/chain-settings", tok)
    s["home_region"] = HOME
    s["key_regions"] = [{"name": k, "prefixes": v} for k, v in KEY_REGIONS.items()]
    call(c, "PUT", "/api/v1/chain-settings", tok, s)
    chains = call(c, "GET", "/api/v1/chains", tok)
    chain = next((x for x in chains if x["name"] == "新能源电池"), None)
    if chain is None:
        chain = call(c, "POST", "/api/v1/chains", tok, {"name": "新能源电池", "template": "新能源电池"})["chain"]
    view = call(c, "GET", f"/api/v1/chains/{chain['id']}", tok)
    links = [(l["link"]["id"], l["link"]["name"], l["codes"], l["keywords"]) for l in view["links"]]

    rng = random.Random(a.seed)
    names = list(KEY_REGIONS)
    kinds = {"regions + flags": True, "regions only": False}
    plans = {k: [(rng.choice(links), rng.sample(names, 2)) for _ in range(a.n)] for k in kinds}

    # DuckDB: the same data, loaded apart from the timings
    t0 = time.perf_counter()
    d = duckdb.connect()
    d.execute(f"""
      CREATE TABLE e AS SELECT
        "统一社会信用代码" AS uscc, "企业名称" AS name, "地区代码" AS region_code,
        substr("地区代码", 1, 2) AS province, "行业代码" AS industry_code,
        COALESCE(TRY_CAST("注册资本（万元）" AS BIGINT), 0) * 10000 AS capital_yuan,
        lower(COALESCE("经营范围", '')) AS scope_lower,
        (CASE WHEN contains(COALESCE("标签", ''), '上市') THEN 1 ELSE 0 END)
          + (CASE WHEN contains(COALESCE("标签", ''), '世界500强') THEN 2 ELSE 0 END)
          + (CASE WHEN contains(COALESCE("标签", ''), '中国500强') THEN 4 ELSE 0 END)
          + (CASE WHEN contains(COALESCE("标签", ''), '央企') THEN 8 ELSE 0 END) AS flags,
        COALESCE(TRY_CAST("新设分支机构" AS BIGINT), 0) AS new_branches,
        COALESCE(TRY_CAST("融资轮次" AS BIGINT), 0) AS financing_rounds
      FROM read_csv({q(a.csv)}, header = true, all_varchar = true)
    """)
    lite = sqlite3.connect(a.db)
    pipeline = [list(r) for r in lite.execute("SELECT uscc, company_name FROM leads")]
    d.execute("CREATE TABLE pipeline (uscc VARCHAR, company_name VARCHAR)")
    if pipeline:
        d.executemany("INSERT INTO pipeline VALUES (?, ?)", pipeline)
    load_s = time.perf_counter() - t0
    rows = d.execute("SELECT COUNT(*) FROM e").fetchone()[0]

    print(f"registry: {rows:,} companies; DuckDB load (CSV → in-memory table): {load_s:.1f} s; "
          f"pipeline leads: {len(pipeline):,}\n")
    print("| query | engine | n | median ms | p99 ms | median ratio DuckDB/Fenglai |")
    print("|---|---|---|---|---|---|")
    mismatches = 0
    for kind, with_flags in kinds.items():
        fl, dk = [], []
        for (lid, _name, codes, kws), regions in plans[kind]:
            path = f"/api/v1/chain-links/{lid}/candidates?" + urllib.parse.urlencode(
                {"regions": ",".join(regions), "limit": 200, **({"flags": FLAGS} if with_flags else {})})
            t = time.perf_counter()
            got = call(c, "GET", path, tok)
            fl.append((time.perf_counter() - t) * 1000)
            provinces = sorted({p for r in regions for p in KEY_REGIONS[r]})
            sql = duck_sql(codes, kws, provinces, with_flags)
            t = time.perf_counter()
            ref = d.execute(sql).fetchall()
            dk.append((time.perf_counter() - t) * 1000)
            mine = [(x["fit"], x["priority"], x["score"]) for x in got]
            theirs = [(r[0], bool(r[1]), r[2]) for r in ref]
            if mine != theirs:
                mismatches += 1
        mf, md = statistics.median(fl), statistics.median(dk)
        print(f"| top 200, {kind} | Fenglai (HTTP, SQLite) | {len(fl)} | {mf:.1f} | {pct(fl, 99):.1f} | |")
        print(f"| top 200, {kind} | DuckDB (in process) | {len(dk)} | {md:.1f} | {pct(dk, 99):.1f} | {md / mf:.1f}× |")
    print(f"\nscore lists that differ between the two: {mismatches} of {2 * a.n}")
    if mismatches:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
