//! Load on loopback against real `fenglai serve` processes.
//!
//! ```text
//! cargo run --release -p fenglai-web --example load -- --bin target/release/fenglai SCENARIO [options]
//!
//! leads  [--pg ADMIN_URL] [--clients 32] [--seconds 20]
//!        lead creation by API tokens of the demo accounts; writes/s, p50/p99, errors; then the
//!        server is killed (SIGKILL) and every acknowledged lead (201 with its id) is looked up
//!        in the database
//! edits  [--pg ADMIN_URL] [--servers 2] [--clients 16] [--seconds 20] [--projects 8]
//!        mixed reads and concurrent edits of the same projects through several servers on one
//!        database; every client sends the version it read (If-Match). Checks that no update
//!        was lost: per project the accepted edits have consecutive new versions, each based on
//!        the version before it (so every stale edit was refused with 409), and the final state
//!        is the last accepted edit; no 5xx
//! soak   [--pg ADMIN_URL] [--clients 8] [--seconds 1800] [--rate 100]
//!        steady mixed load (lists, pages, lead creation, edits, stage changes) at --rate
//!        requests/s; the server's RSS (/proc/PID/status) every 5 s; 0 errors expected
//! ci     [--pg ADMIN_URL] short runs of all three (SQLite; with --pg also edits and leads on
//!        PostgreSQL)
//! ```
//!
//! Without `--pg` the database is SQLite in a temporary data directory; with `--pg` a fresh
//! database is created on that server (and dropped afterwards). The demo city is seeded
//! first (`fenglai demo --no-serve`). Exits 1 if a check fails.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Res<T> = Result<T, String>;

#[derive(Clone)]
struct Opts {
    bin: PathBuf,
    pg: Option<String>,
    clients: usize,
    seconds: u64,
    servers: usize,
    projects: usize,
    rate: f64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut o = Opts {
        bin: PathBuf::from("target/release/fenglai"),
        pg: None,
        clients: 0,
        seconds: 0,
        servers: 2,
        projects: 8,
        rate: 100.0,
    };
    let mut scenario = None;
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--bin" => o.bin = PathBuf::from(val()),
            "--pg" => o.pg = Some(val()),
            "--clients" => o.clients = num(&val()),
            "--seconds" => o.seconds = num(&val()) as u64,
            "--servers" => o.servers = num(&val()),
            "--projects" => o.projects = num(&val()),
            "--rate" => o.rate = num(&val()) as f64,
            s if !s.starts_with("--") && scenario.is_none() => scenario = Some(s.to_string()),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let t0 = Instant::now();
    let result = rt.block_on(async {
        match scenario.as_deref() {
            Some("leads") => run(&with(&o, 32, 20), Scenario::Leads).await,
            Some("edits") => run(&with(&o, 16, 20), Scenario::Edits).await,
            Some("soak") => run(&with(&o, 8, 1800), Scenario::Soak).await,
            Some("ci") => ci(&o).await,
            _ => usage("no scenario"),
        }
    });
    match result {
        Ok(()) => println!(
            "load: all checks passed in {:.1} s",
            t0.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("load: FAILED: {e}");
            std::process::exit(1);
        }
    }
}

fn with(o: &Opts, clients: usize, seconds: u64) -> Opts {
    let mut o = o.clone();
    if o.clients == 0 {
        o.clients = clients;
    }
    if o.seconds == 0 {
        o.seconds = seconds;
    }
    o
}

fn num(s: &str) -> usize {
    s.parse()
        .unwrap_or_else(|_| usage(&format!("not a number: {s}")))
}

fn usage(why: &str) -> ! {
    eprintln!("load: {why}\nusage: load --bin FENGLAI (leads|edits|soak|ci) [--pg ADMIN_URL] [--clients N] [--seconds N] [--servers N] [--projects N] [--rate N]");
    std::process::exit(2)
}

/// The CI-sized run: a few seconds of each scenario, on both databases when `--pg` is given.
async fn ci(o: &Opts) -> Res<()> {
    let sqlite = Opts {
        pg: None,
        ..o.clone()
    };
    run(&with(&sqlite, 32, 6), Scenario::Leads).await?;
    run(&with(&sqlite, 8, 6), Scenario::Soak).await?;
    if o.pg.is_some() {
        run(&with(o, 32, 6), Scenario::Leads).await?;
        run(&with(o, 16, 8), Scenario::Edits).await?;
    } else {
        run(&with(&sqlite, 16, 6), Scenario::Edits).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// databases and servers

/// Where the data lives: a temporary SQLite directory or a fresh PostgreSQL database.
struct Data {
    dir: Option<PathBuf>,
    url: Option<String>,
    admin: Option<String>,
    name: String,
}

impl Data {
    async fn create(o: &Opts) -> Res<Data> {
        let name = format!("fenglai_load_{:012x}", rand::random::<u64>() >> 16);
        let d = match &o.pg {
            None => {
                let dir = std::env::temp_dir().join(&name);
                Data {
                    dir: Some(dir),
                    url: None,
                    admin: None,
                    name,
                }
            }
            Some(admin) => {
                sql(admin, &format!("CREATE DATABASE {name}")).await?;
                let (base, _) = admin.rsplit_once('/').ok_or("bad --pg URL")?;
                let url = format!("{base}/{name}");
                Data {
                    dir: None,
                    url: Some(url),
                    admin: Some(admin.clone()),
                    name,
                }
            }
        };
        let t = Instant::now();
        let out = Command::new(&o.bin)
            .arg("demo")
            .arg("--no-serve")
            .args(d.db_args())
            .output()
            .map_err(|e| format!("running {}: {e}", o.bin.display()))?;
        if !out.status.success() {
            return Err(format!("demo: {}", String::from_utf8_lossy(&out.stderr)));
        }
        println!(
            "data: demo city seeded on {} in {:.1} s",
            d.backend(),
            t.elapsed().as_secs_f64()
        );
        Ok(d)
    }

    fn backend(&self) -> &'static str {
        if self.url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    fn db_args(&self) -> Vec<String> {
        match (&self.url, &self.dir) {
            (Some(u), _) => vec!["--database-url".into(), u.clone()],
            (None, Some(d)) => vec!["--data-dir".into(), d.display().to_string()],
            (None, None) => unreachable!(),
        }
    }

    /// A URL for reading the database directly.
    fn direct_url(&self) -> String {
        match (&self.url, &self.dir) {
            (Some(u), _) => u.clone(),
            (None, Some(d)) => format!("sqlite://{}?mode=ro", d.join("fenglai.db").display()),
            (None, None) => unreachable!(),
        }
    }

    async fn drop_it(self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
        if let Some(a) = &self.admin {
            let _ = sql(
                a,
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            )
            .await;
        }
    }
}

async fn sql(url: &str, statement: &str) -> Res<()> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    sqlx::query(statement)
        .execute(&mut c)
        .await
        .map_err(|e| format!("{statement}: {e}"))?;
    Ok(())
}

/// A `fenglai serve` on a free loopback port.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(o: &Opts, d: &Data, worker: bool) -> Res<Server> {
        let mut cmd = Command::new(&o.bin);
        cmd.arg("serve")
            .args(d.db_args())
            .args(["--bind", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if !worker {
            cmd.arg("--no-worker");
        }
        let mut child = cmd.spawn().map_err(|e| format!("starting serve: {e}"))?;
        let mut lines = BufReader::new(child.stdout.take().ok_or("no stdout")?).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(l)) => {
                    if let Some(u) = l.split("serving on ").nth(1) {
                        break u.trim().to_string();
                    }
                }
                _ => return Err("the server exited before it served".into()),
            }
        };
        // keep reading what it prints, so that it never blocks on a full pipe
        std::thread::spawn(move || for _ in lines {});
        Ok(Server { child, url })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: nothing acknowledged may depend on a clean shutdown.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn token(base: &str, user: &str) -> Res<String> {
    let r = client()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": "demo"}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no token for {user}: {v}"))
}

/// A client signed in to the pages (session cookie).
async fn web_client(base: &str, user: &str) -> Res<Client> {
    let c = client();
    let html = c
        .get(format!("{base}/login"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or("no csrf on the login page")?
        .to_string();
    let r = c
        .post(format!("{base}/login"))
        .form(&[("username", user), ("password", "demo"), ("csrf", &csrf)])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status() != StatusCode::SEE_OTHER {
        return Err(format!("web login {user}: {}", r.status()));
    }
    Ok(c)
}

// ---------------------------------------------------------------------------
// measurements

#[derive(Default)]
struct Tally {
    /// microseconds of each answered request, by kind
    lat: BTreeMap<&'static str, Vec<u32>>,
    ok: u64,
    /// answers that are part of the protocol: 409 on a stale edit or a refused move
    refused: u64,
    errors: u64,
    first_errors: Vec<String>,
}

impl Tally {
    fn add(&mut self, kind: &'static str, t: Duration) {
        self.lat.entry(kind).or_default().push(t.as_micros() as u32);
    }

    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.first_errors.len() < 10 {
            self.first_errors.push(what);
        }
    }

    fn merge(&mut self, o: Tally) {
        for (k, mut v) in o.lat {
            self.lat.entry(k).or_default().append(&mut v);
        }
        self.ok += o.ok;
        self.refused += o.refused;
        self.errors += o.errors;
        for e in o.first_errors {
            if self.first_errors.len() < 10 {
                self.first_errors.push(e);
            }
        }
    }

    fn report(&mut self, secs: f64) {
        for (k, v) in self.lat.iter_mut() {
            v.sort_unstable();
            let q = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)] as f64 / 1000.0;
            println!(
                "  {k:<14} n {:>8}  {:>8.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms",
                v.len(),
                v.len() as f64 / secs,
                q(0.5),
                q(0.99),
                q(1.0)
            );
        }
        println!(
            "  answered {} ok, {} refused as expected (409 / refused move), {} errors",
            self.ok, self.refused, self.errors
        );
        for e in &self.first_errors {
            println!("  error: {e}");
        }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Seconds since the start, and [`rss_kib`] then.
type MemorySample = (f64, [u64; 3]);

/// The server's resident memory in KiB: all of it (`VmRSS`), its anonymous part
/// (`RssAnon`: the heap, what leaks would grow) and its file-backed part (`RssFile`: the
/// binary and the memory-mapped SQLite database, which grows with the data).
fn rss_kib(pid: u32) -> Option<[u64; 3]> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        s.lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some([field("VmRSS:")?, field("RssAnon:")?, field("RssFile:")?])
}

const CORES: &[&str] = &[
    "华芯", "恒瑞", "博远", "中科", "新宙", "天合", "金瑞", "远景", "宏达", "瑞丰", "鼎盛", "锦程",
    "嘉禾", "汇川", "德赛", "永鑫", "东升", "光启", "万象", "海川", "青松", "泰和", "凯利", "安捷",
];
const TRADES: &[&str] = &[
    "科技",
    "电子",
    "新材料",
    "生物医药",
    "智能装备",
    "新能源",
    "精密机械",
    "半导体",
];
const PLACES: &[&str] = &["", "", "苏州", "深圳", "（杭州）", "南京"];
const INDUSTRIES: &[&str] = &["3841", "2720", "2761", "3976", "3982", "6520", "3962"];
const REGIONS: &[&str] = &["320500", "440300", "330100", "320100"];

/// A new lead as a reporter would type it: a believable name (some look like others, as
/// in life), industry, origin and amount.
fn lead_body(n: u64) -> Value {
    let r = rand::random::<u64>();
    let pick = |l: &[&'static str], k: u64| l[(k % l.len() as u64) as usize];
    let core = format!("{}{}", pick(CORES, r), pick(CORES, r >> 8));
    let name = format!(
        "{}{}{}{}有限公司",
        pick(PLACES, r >> 16),
        core,
        pick(TRADES, r >> 24),
        n % 9973
    );
    json!({
        "company_name": name,
        "industry_code": pick(INDUSTRIES, r >> 32),
        "region_code": pick(REGIONS, r >> 40),
        "planned_investment_yuan": ((r >> 44) % 500 + 1) as i64 * 10_000_000,
        "description": "负载测试线索",
    })
}

// ---------------------------------------------------------------------------
// scenarios

#[derive(Clone, Copy)]
enum Scenario {
    Leads,
    Edits,
    Soak,
}

/// Runs a scenario over a freshly seeded database, dropped afterwards.
async fn run(o: &Opts, s: Scenario) -> Res<()> {
    let d = Data::create(o).await?;
    let r = match s {
        Scenario::Leads => run_leads(o, &d).await,
        Scenario::Edits => run_edits(o, &d).await,
        Scenario::Soak => run_soak(o, &d).await,
    };
    d.drop_it().await;
    r
}

async fn tokens(base: &str, users: &[&str]) -> Res<Vec<String>> {
    let mut out = Vec::new();
    for u in users {
        out.push(token(base, u).await?);
    }
    Ok(out)
}

const REPORTERS: &[&str] = &["promoter", "promoter2", "informant", "admin"];

async fn run_leads(o: &Opts, d: &Data) -> Res<()> {
    let server = Server::start(o, d, true)?;
    let tokens = tokens(&server.url, REPORTERS).await?;
    println!(
        "leads on {}: {} clients for {} s against {} (load average before: {})",
        d.backend(),
        o.clients,
        o.seconds,
        server.url,
        loadavg()
    );
    let until = Instant::now() + Duration::from_secs(o.seconds);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..o.clients {
        let (tok, base) = (tokens[i % tokens.len()].clone(), server.url.clone());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut t = Tally::default();
            let mut ids = Vec::new();
            let mut n = i as u64 * 1_000_000;
            while Instant::now() < until {
                n += 1;
                let s = Instant::now();
                let r = c
                    .post(format!("{base}/api/v1/leads"))
                    .bearer_auth(&tok)
                    .json(&lead_body(n))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        t.add("create lead", s.elapsed());
                        match v["id"].as_i64() {
                            Some(id) => {
                                t.ok += 1;
                                ids.push(id);
                            }
                            None => t.error(format!("201 without an id: {v}")),
                        }
                    }
                    Ok(r) => {
                        let st = r.status();
                        t.error(format!("{st}: {}", r.text().await.unwrap_or_default()));
                    }
                    Err(e) => t.error(e.to_string()),
                }
            }
            (t, ids)
        }));
    }
    let mut all = Tally::default();
    let mut acked = Vec::new();
    for task in tasks {
        let (t, mut ids) = task.await.map_err(|e| e.to_string())?;
        all.merge(t);
        acked.append(&mut ids);
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "  {:.0} writes/s over {:.1} s (load average after: {})",
        acked.len() as f64 / secs,
        secs,
        loadavg()
    );
    all.report(secs);
    server.kill();
    // every acknowledged lead is in the database after the server was killed
    let present = lead_ids(&d.direct_url()).await?;
    let missing: Vec<i64> = acked
        .iter()
        .copied()
        .filter(|i| !present.contains(i))
        .collect();
    let distinct: HashSet<i64> = acked.iter().copied().collect();
    println!(
        "  acknowledged {} leads ({} distinct ids); after SIGKILL {} of them in the database",
        acked.len(),
        distinct.len(),
        acked.len() - missing.len()
    );
    if !missing.is_empty() || distinct.len() != acked.len() {
        return Err(format!(
            "acknowledged leads missing: {:?}",
            &missing[..missing.len().min(10)]
        ));
    }
    if all.errors > 0 {
        return Err(format!("{} errors in lead creation", all.errors));
    }
    Ok(())
}

/// The ids of the first `n` projects of the list.
async fn project_ids(base: &str, tok: &str, n: usize) -> Res<Vec<i64>> {
    let list: Value = client()
        .get(format!("{base}/api/v1/projects?per_page={n}"))
        .bearer_auth(tok)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .ok_or_else(|| format!("no projects: {list}"))?
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    if ids.is_empty() {
        return Err("no projects".into());
    }
    Ok(ids)
}

async fn lead_ids(url: &str) -> Res<HashSet<i64>> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(url)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM leads")
        .fetch_all(&mut c)
        .await
        .map_err(|e| e.to_string())?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// One accepted edit: the version it was based on, the version it made, the value it set.
#[derive(Clone, Copy, Debug)]
struct Accepted {
    base: i64,
    made: i64,
    value: i64,
}

async fn run_edits(o: &Opts, d: &Data) -> Res<()> {
    let servers = (0..o.servers.max(1))
        .map(|i| Server::start(o, d, i == 0))
        .collect::<Res<Vec<_>>>()?;
    let urls: Vec<String> = servers.iter().map(|s| s.url.clone()).collect();
    let admin = token(&urls[0], "admin").await?;
    let projects = project_ids(&urls[0], &admin, o.projects).await?;
    let tokens = tokens(&urls[0], &["admin", "promoter"]).await?;
    println!(
        "edits on {}: {} servers, {} clients, {} projects, {} s (load average before: {})",
        d.backend(),
        urls.len(),
        o.clients,
        projects.len(),
        o.seconds,
        loadavg()
    );
    let accepted: Arc<Mutex<BTreeMap<i64, Vec<Accepted>>>> = Arc::default();
    let until = Instant::now() + Duration::from_secs(o.seconds);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..o.clients {
        let base = urls[i % urls.len()].clone();
        let tok = tokens[i % tokens.len()].clone();
        let (projects, accepted) = (projects.clone(), accepted.clone());
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut t = Tally::default();
            let mut seq = 0i64;
            while Instant::now() < until {
                let r = rand::random::<u64>();
                if r % 10 < 4 {
                    read_once(&c, &base, &tok, r, &mut t).await;
                    continue;
                }
                let p = projects[(r >> 8) as usize % projects.len()];
                seq += 1;
                let value = 1_000_000_000 + i as i64 * 10_000_000 + seq;
                if let Some(a) = edit_once(&c, &base, &tok, p, value, &mut t).await {
                    accepted.lock().unwrap().entry(p).or_default().push(a);
                }
            }
            t
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        all.merge(task.await.map_err(|e| e.to_string())?);
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("  over {secs:.1} s (load average after: {})", loadavg());
    all.report(secs);
    // the check, read through the other server
    let check = client();
    let last = urls.last().unwrap().clone();
    let accepted = accepted.lock().unwrap().clone();
    let mut problems = Vec::new();
    let mut n_acc = 0;
    for p in &projects {
        let v: Value = check
            .get(format!("{last}/api/v1/projects/{p}"))
            .bearer_auth(&admin)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let mut acc = accepted.get(p).cloned().unwrap_or_default();
        n_acc += acc.len();
        acc.sort_by_key(|a| a.made);
        for w in acc.windows(2) {
            if w[1].made != w[0].made + 1 {
                problems.push(format!(
                    "project {p}: versions {} then {}",
                    w[0].made, w[1].made
                ));
            }
        }
        for a in &acc {
            if a.made != a.base + 1 {
                problems.push(format!(
                    "project {p}: an edit based on {} made {}",
                    a.base, a.made
                ));
            }
        }
        if let Some(a) = acc.last() {
            if v["version"].as_i64() != Some(a.made)
                || v["planned_investment_yuan"].as_i64() != Some(a.value)
            {
                problems.push(format!(
                    "project {p}: last accepted edit {a:?}, final state version {} value {}",
                    v["version"], v["planned_investment_yuan"]
                ));
            }
        }
    }
    println!(
        "  {n_acc} edits accepted, {} refused as stale (409); lost updates: {}",
        all.refused,
        problems.len()
    );
    for s in servers {
        s.kill();
    }
    if !problems.is_empty() {
        return Err(format!(
            "lost updates: {:?}",
            &problems[..problems.len().min(10)]
        ));
    }
    if all.errors > 0 {
        return Err(format!("{} errors", all.errors));
    }
    Ok(())
}

/// Reads a project and edits it with the version read. An accepted edit, or None if it
/// was refused as stale (counted) or failed (an error).
async fn edit_once(
    c: &Client,
    base: &str,
    tok: &str,
    p: i64,
    value: i64,
    t: &mut Tally,
) -> Option<Accepted> {
    let s = Instant::now();
    let r = c
        .get(format!("{base}/api/v1/projects/{p}"))
        .bearer_auth(tok)
        .send()
        .await;
    let etag = match r {
        Ok(r) if r.status() == StatusCode::OK => {
            t.add("read project", s.elapsed());
            t.ok += 1;
            r.headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        }
        Ok(r) => {
            t.error(format!("GET project {p}: {}", r.status()));
            return None;
        }
        Err(e) => {
            t.error(e.to_string());
            return None;
        }
    };
    let Some(etag) = etag else {
        t.error(format!("GET project {p}: no ETag"));
        return None;
    };
    let base_v: i64 = etag.trim_matches('"').parse().ok()?;
    let s = Instant::now();
    let r = c
        .patch(format!("{base}/api/v1/projects/{p}"))
        .bearer_auth(tok)
        .header("if-match", etag)
        .json(&json!({"planned_investment_yuan": value}))
        .send()
        .await;
    match r {
        Ok(r) if r.status() == StatusCode::OK => {
            t.add("edit project", s.elapsed());
            t.ok += 1;
            let v: Value = r.json().await.unwrap_or(Value::Null);
            match v["version"].as_i64() {
                Some(made) => Some(Accepted {
                    base: base_v,
                    made,
                    value,
                }),
                None => {
                    t.error(format!("edit of {p}: 200 without a version"));
                    None
                }
            }
        }
        Ok(r) if r.status() == StatusCode::CONFLICT => {
            t.add("stale edit 409", s.elapsed());
            t.refused += 1;
            None
        }
        Ok(r) => {
            let st = r.status();
            t.error(format!(
                "PATCH project {p}: {st} {}",
                r.text().await.unwrap_or_default()
            ));
            None
        }
        Err(e) => {
            t.error(e.to_string());
            None
        }
    }
}

/// One read of a list or figures through the API.
async fn read_once(c: &Client, base: &str, tok: &str, r: u64, t: &mut Tally) {
    let page = (r >> 16) % 5 + 1;
    let (kind, path) = match (r >> 4) % 4 {
        0 => (
            "list leads",
            format!("/api/v1/leads?page={page}&per_page=20"),
        ),
        1 => (
            "list projects",
            format!("/api/v1/projects?page={page}&per_page=20"),
        ),
        2 => (
            "search leads",
            "/api/v1/leads?q=%E7%A7%91%E6%8A%80".to_string(),
        ),
        _ => (
            "pipeline",
            "/api/v1/stats/pipeline?as_of=2025-06-30".to_string(),
        ),
    };
    get(c.get(format!("{base}{path}")).bearer_auth(tok), kind, t).await;
}

async fn get(req: reqwest::RequestBuilder, kind: &'static str, t: &mut Tally) {
    let s = Instant::now();
    match req.send().await {
        Ok(r) if r.status() == StatusCode::OK => match r.bytes().await {
            Ok(_) => {
                t.add(kind, s.elapsed());
                t.ok += 1;
            }
            Err(e) => t.error(format!("{kind}: {e}")),
        },
        Ok(r) => t.error(format!("{kind}: {}", r.status())),
        Err(e) => t.error(format!("{kind}: {e}")),
    }
}

async fn run_soak(o: &Opts, d: &Data) -> Res<()> {
    let server = Server::start(o, d, true)?;
    let base = server.url.clone();
    let pid = server.pid();
    let tokens = tokens(&base, &["promoter", "admin"]).await?;
    let web = web_client(&base, "promoter").await?;
    let projects = Arc::new(project_ids(&base, &tokens[1], 100).await?);
    println!(
        "soak on {}: {} clients, {} requests/s in all, {} s (load average before: {})",
        d.backend(),
        o.clients,
        o.rate,
        o.seconds,
        loadavg()
    );
    let stop = Arc::new(AtomicBool::new(false));
    // the server's memory every 5 s
    let samples: Arc<Mutex<Vec<MemorySample>>> = Arc::default();
    let t0 = Instant::now();
    let sampler = {
        let (samples, stop) = (samples.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(kib) = rss_kib(pid) {
                    samples
                        .lock()
                        .unwrap()
                        .push((t0.elapsed().as_secs_f64(), kib));
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        })
    };
    let until = t0 + Duration::from_secs(o.seconds);
    let interval = Duration::from_secs_f64(o.clients as f64 / o.rate);
    let mut tasks = Vec::new();
    for i in 0..o.clients {
        let (base, tok, web) = (base.clone(), tokens[i % tokens.len()].clone(), web.clone());
        let projects = projects.clone();
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut t = Tally::default();
            let mut next = Instant::now() + interval.mul_f64(i as f64 / 8.0);
            let mut n = i as u64 * 1_000_000_000;
            while Instant::now() < until {
                tokio::time::sleep_until(next.into()).await;
                next += interval;
                n += 1;
                let r = rand::random::<u64>();
                match r % 20 {
                    0..=7 => read_once(&c, &base, &tok, r, &mut t).await,
                    8..=9 => {
                        let path =
                            ["/", "/leads", "/projects", "/projects/board"][(r >> 8) as usize % 4];
                        get(web.get(format!("{base}{path}")), "page", &mut t).await
                    }
                    10..=13 => create_lead(&c, &base, &tok, n, &mut t).await,
                    14..=17 => {
                        let p = projects[(r >> 8) as usize % projects.len()];
                        let value = 2_000_000_000 + n as i64 % 1_000_000_000;
                        edit_once(&c, &base, &tok, p, value, &mut t).await;
                    }
                    _ => advance_one(&c, &base, &tok, r, &mut t).await,
                }
            }
            t
        }));
    }
    let mut all = Tally::default();
    for task in tasks {
        all.merge(task.await.map_err(|e| e.to_string())?);
    }
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let secs = t0.elapsed().as_secs_f64();
    println!("  over {secs:.1} s (load average after: {})", loadavg());
    all.report(secs);
    let samples = samples.lock().unwrap().clone();
    server.kill();
    if let (Some(first), Some(last)) = (samples.first(), samples.last()) {
        // after the first minute (caches, pools and allocator arenas filled)
        let warm = samples.iter().find(|s| s.0 >= 60.0).unwrap_or(first);
        for (k, what) in ["RSS", "RssAnon (heap)", "RssFile (binary, mapped database)"]
            .iter()
            .enumerate()
        {
            let max = samples.iter().map(|s| s.1[k]).max().unwrap_or(0);
            println!(
                "  server {what}: start {} MiB, after 1 min {} MiB, end {} MiB, max {} MiB ({} samples, every 5 s)",
                first.1[k] / 1024,
                warm.1[k] / 1024,
                last.1[k] / 1024,
                max / 1024,
                samples.len()
            );
            let every_5_min: Vec<String> = samples
                .iter()
                .step_by(60)
                .map(|s| format!("{:.0}s:{}", s.0, s.1[k] / 1024))
                .collect();
            println!("    MiB by time: {}", every_5_min.join(" "));
        }
    }
    if all.errors > 0 {
        return Err(format!("{} errors in the soak", all.errors));
    }
    Ok(())
}

async fn create_lead(c: &Client, base: &str, tok: &str, n: u64, t: &mut Tally) {
    let s = Instant::now();
    let r = c
        .post(format!("{base}/api/v1/leads"))
        .bearer_auth(tok)
        .json(&lead_body(n))
        .send()
        .await;
    match r {
        Ok(r) if r.status() == StatusCode::CREATED => {
            t.add("create lead", s.elapsed());
            t.ok += 1;
        }
        Ok(r) => {
            let st = r.status();
            t.error(format!(
                "create lead: {st} {}",
                r.text().await.unwrap_or_default()
            ));
        }
        Err(e) => t.error(format!("create lead: {e}")),
    }
}

/// Moves a project of the first page of one stage to the next stage, today.
async fn advance_one(c: &Client, base: &str, tok: &str, r: u64, t: &mut Tally) {
    let (from, to) = [
        ("negotiating", "signed"),
        ("signed", "started"),
        ("started", "completed"),
        ("completed", "producing"),
    ][(r >> 8) as usize % 4];
    let s = Instant::now();
    let list = c
        .get(format!("{base}/api/v1/projects?stage={from}&per_page=20"))
        .bearer_auth(tok)
        .send()
        .await;
    let v: Value = match list {
        Ok(r) if r.status() == StatusCode::OK => r.json().await.unwrap_or(Value::Null),
        Ok(r) => return t.error(format!("list {from}: {}", r.status())),
        Err(e) => return t.error(format!("list {from}: {e}")),
    };
    t.add("list projects", s.elapsed());
    t.ok += 1;
    let Some(items) = v["items"].as_array().filter(|a| !a.is_empty()) else {
        return;
    };
    let p = &items[(r >> 16) as usize % items.len()];
    let today = chrono::Utc::now().date_naive().to_string();
    let s = Instant::now();
    let r = c
        .post(format!("{base}/api/v1/projects/{}/transitions", p["id"]))
        .bearer_auth(tok)
        .json(&json!({"to": to, "date": today, "amount_yuan": 800_000_000i64}))
        .send()
        .await;
    match r {
        Ok(r) if r.status() == StatusCode::OK => {
            t.add("stage change", s.elapsed());
            t.ok += 1;
        }
        // a move the rules refuse (evidence required, a date before the stage's, another
        // client moved it first) is an answer, not an error
        Ok(r)
            if r.status() == StatusCode::CONFLICT
                || r.status() == StatusCode::UNPROCESSABLE_ENTITY =>
        {
            t.add("refused move", s.elapsed());
            t.refused += 1;
        }
        Ok(r) => t.error(format!("stage change: {}", r.status())),
        Err(e) => t.error(format!("stage change: {e}")),
    }
}
