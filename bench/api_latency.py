#!/usr/bin/env python3
"""Latency of the lead list, name search and as-of figures over HTTP.

Usage: bench/api_latency.py --url http://127.0.0.1:8080 [--n 300] [--users leader,promoter2]

Each query kind is run --n times per user with varied parameters over one keep-alive
connection, after a warm-up: lists with one of status, industry (section or division), a
half-year of report dates, status + industry, or a reporting unit (taken from visible leads),
sorted by report date either way, planned investment or name, pages 1-20; name fragments of
2-4 characters cut from stored company names; as_of days from 2021-01-01 to yesterday;
prints a Markdown table of median and p99 in milliseconds. Standard library only.
"""
import argparse, http.client, json, random, statistics, time, urllib.parse
from datetime import date, timedelta


def conn_for(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def call(c, method, path, token=None, body=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit(f"{method} {path} -> {r.status} {data[:200]!r}")
    return json.loads(data)


def timed(c, path, token):
    t = time.perf_counter()
    call(c, "GET", path, token)
    return (time.perf_counter() - t) * 1000


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--users", default="leader,promoter2")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--label", default="")
    ap.add_argument("--slowest", type=int, default=0, help="also print the N slowest requests of each kind")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    past_days = (date.today() - date(2021, 1, 1)).days  # as_of dates in [2021-01-01, yesterday]
    c = conn_for(a.url)
    rows = []
    for user in a.users.split(","):
        tok = call(c, "POST", "/api/v1/auth/token", body={"username": user, "password": "demo"})["token"]
        # fragments from real names: 2 to 4 characters of the part before the legal form
        first = call(c, "GET", "/api/v1/leads?per_page=200", tok)
        pages = max(1, first["total"] // 200)
        sample = first["items"] + [l for p in range(1, 5) for l in call(c, "GET", f"/api/v1/leads?per_page=200&page={1 + p * pages // 5}", tok)["items"]]
        if not sample:
            raise SystemExit(f"{user} sees no leads: generate a dataset first (fenglai gen)")
        names = [l["company_name"] for l in sample]
        units = sorted({l["reporting_unit_id"] for l in sample if l.get("reporting_unit_id") is not None})
        frags = []
        for n in names:
            core = n.split("（")[0].replace("有限公司", "").replace("股份", "").replace("集团", "")
            k = rnd.choice([2, 2, 3, 4])
            if len(core) > k:
                i = rnd.randrange(0, len(core) - k + 1)
                frags.append(core[i:i + k])
        statuses = ["pending_review", "in_review", "admitted", "rejected"]
        sections = ["C", "I", "G", "39", "38", "27"]
        sorts = ["-reported_date", "reported_date", "-planned_investment", "company_name"]

        def list_query():
            q = {"per_page": 50, "page": rnd.randint(1, 20), "sort": rnd.choice(sorts)}
            kind = rnd.randrange(5 if units else 4)
            if kind == 0:
                q["status"] = rnd.choice(statuses)
            elif kind == 1:
                q["industry"] = rnd.choice(sections)
            elif kind == 2:
                y = rnd.randint(2021, 2025)
                q["from"], q["to"] = f"{y}-01-01", f"{y}-06-30"
            elif kind == 3:
                q["status"] = rnd.choice(statuses)
                q["industry"] = rnd.choice(sections)
            else:
                q["unit_id"] = rnd.choice(units)
            return "/api/v1/leads?" + urllib.parse.urlencode(q)

        def search_query():
            return "/api/v1/leads?" + urllib.parse.urlencode({"q": rnd.choice(frags), "per_page": 50})

        def stats_query():
            d = date(2021, 1, 1) + timedelta(days=rnd.randrange(past_days))
            return "/api/v1/stats/pipeline?as_of=" + d.isoformat()

        for name, gen in [("lead list (filter + sort + page of 50)", list_query),
                          ("lead search by name fragment (2-4 chars)", search_query),
                          ("pipeline stats as of a past date", stats_query)]:
            for _ in range(20):
                timed(c, gen(), tok)
            paths = [gen() for _ in range(a.n)]
            xs = [timed(c, p, tok) for p in paths]
            rows.append((name, user, statistics.median(xs), pct(xs, 99), a.n))
            if a.slowest:
                for ms, p in sorted(zip(xs, paths), reverse=True)[: a.slowest]:
                    print(f"  {ms:8.1f} ms  {user}  {urllib.parse.unquote(p)}")
    label = f" {a.label}" if a.label else ""
    print(f"| query{label} | user | n | median ms | p99 ms |")
    print("|---|---|---|---|---|")
    for name, user, med, p99, n in rows:
        print(f"| {name} | {user} | {n} | {med:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main()
