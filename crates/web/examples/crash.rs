//! Crash safety: SIGKILL `fenglai serve` at random moments under a concurrent write load, then
//! check that the database is whole and that every write the server acknowledged is there.
//!
//!   cargo run -p fenglai-web --example crash -- --bin target/release/fenglai [--kills 100]
//!       [--sqlite] [--pg postgres://user@host:port/postgres] [--clients 4] [--max-delay-ms 3000]
//!       [--seed N] [--keep]
//!
//! Without `--sqlite` or `--pg` both run: SQLite in a fresh data directory, PostgreSQL in a
//! fresh database created on the server of `--pg` (default `FENGLAI_TEST_PG_URL`, skipped
//! when neither is set unless `FENGLAI_REQUIRE_PG=1`). Each database is seeded once with
//! `fenglai demo --no-serve`, then, `--kills` times:
//!
//! 1. `fenglai serve` starts on a free loopback port;
//! 2. `--clients` clients write over the HTTP API: leads reported, leads admitted and their
//!    projects moved one stage on (在谈 → 签约 → … → 达产), pairs of look-alike leads merged,
//!    lead and project ledgers (.csv, 10–300 rows) uploaded and committed, and the month's
//!    bulletin published; every 2xx answer received is recorded with what it should have
//!    written;
//! 3. after a random delay (up to `--max-delay-ms`) the server gets SIGKILL;
//! 4. with the server down, SQL checks: every acknowledged write of every round so far is
//!    there (the lead with its name; the project in the acknowledged stage or later; the merge
//!    recorded and the duplicate merged into the survivor; the bulletin with its hash; the
//!    import committed with as many leads and projects as its answer said), and the database
//!    is whole: no import partly written, no rows pointing at missing rows, no stage history
//!    without its project, every project's open history row in its stage, the monthly stage
//!    aggregate equal to the history it sums, the audit head at the last event, SQLite's
//!    integrity and foreign-key checks;
//! 5. `fenglai audit verify` must exit 0;
//! 6. the server starts again on the same database and every bulletin acknowledged in the
//!    round must verify (`GET /api/v1/bulletins/{id}/verify`: recomputed as of its moment,
//!    byte-identical).
//!
//! A 5xx answer during the load counts as a failure too. Prints a line per kill and a summary
//! (kills, acknowledged writes checked by kind, failures); exits 1 on any failure. The data
//! directory (or PostgreSQL database) is removed at the end unless `--keep` is given or a
//! check failed.

use anyhow::{anyhow, bail, Context, Result};
use fenglai_store::sql::Sql;
use fenglai_store::{Backend, Db};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const STAGES: [&str; 6] = [
    "negotiating",
    "signed",
    "started",
    "completed",
    "producing",
    "at_capacity",
];

fn stage_rank(s: &str) -> Option<usize> {
    STAGES.iter().position(|x| *x == s)
}

struct Opts {
    bin: PathBuf,
    kills: usize,
    sqlite: bool,
    pg: Option<String>,
    clients: usize,
    max_delay_ms: u64,
    seed: u64,
    keep: bool,
}

fn parse_opts() -> Result<Opts> {
    let mut o = Opts {
        bin: PathBuf::from("target/release/fenglai"),
        kills: 10,
        sqlite: false,
        pg: None,
        clients: 4,
        max_delay_ms: 3000,
        seed: rand::random(),
        keep: false,
    };
    let mut pg_flag = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| anyhow!("{a} needs a value"));
        match a.as_str() {
            "--bin" => o.bin = PathBuf::from(val()?),
            "--kills" => o.kills = val()?.parse()?,
            "--sqlite" => o.sqlite = true,
            "--pg" => {
                pg_flag = true;
                o.pg = Some(val()?);
            }
            "--clients" => o.clients = val()?.parse()?,
            "--max-delay-ms" => o.max_delay_ms = val()?.parse()?,
            "--seed" => o.seed = val()?.parse()?,
            "--keep" => o.keep = true,
            "-h" | "--help" => {
                println!(
                    "usage: crash --bin FENGLAI [--kills N] [--sqlite] [--pg URL] [--clients N] \
                     [--max-delay-ms MS] [--seed N] [--keep]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    if !o.sqlite && !pg_flag {
        o.sqlite = true;
        o.pg = std::env::var("FENGLAI_TEST_PG_URL")
            .ok()
            .filter(|s| !s.is_empty());
        if o.pg.is_none() {
            if std::env::var("FENGLAI_REQUIRE_PG").is_ok_and(|v| v == "1") {
                bail!("FENGLAI_REQUIRE_PG=1 but FENGLAI_TEST_PG_URL is not set");
            }
            eprintln!("PostgreSQL skipped: no --pg and FENGLAI_TEST_PG_URL is not set");
        }
    }
    if !o.bin.is_file() {
        bail!(
            "{} is not a file (build it: cargo build --release)",
            o.bin.display()
        );
    }
    o.clients = o.clients.max(1);
    o.max_delay_ms = o.max_delay_ms.max(100);
    Ok(o)
}

// ------------------------------------------------------------------ the database under test

/// Where the database is: a SQLite data directory or a PostgreSQL URL.
#[derive(Clone)]
enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    fn args(&self) -> Vec<String> {
        match self {
            Target::Sqlite(d) => vec!["--data-dir".into(), d.display().to_string()],
            Target::Postgres(u) => vec!["--database-url".into(), u.clone()],
        }
    }

    async fn open(&self) -> Result<Db> {
        Ok(match self {
            Target::Sqlite(d) => Db::open_sqlite_dir(d).await?,
            Target::Postgres(u) => Db::connect(u).await?,
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "SQLite",
            Target::Postgres(_) => "PostgreSQL",
        }
    }
}

fn with_db(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap_or((url, ""));
    format!("{base}/{db}")
}

async fn admin_sql(admin: &str, sql: &str) -> Result<()> {
    let adm = Db::connect(admin).await?;
    let mut c = adm.acquire().await?;
    Sql::new(sql).execute(&mut c).await?;
    drop(c);
    adm.pool().close().await;
    Ok(())
}

// ------------------------------------------------------------------ the server

struct Server {
    child: Child,
    base: String,
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

fn log_file(log: &Path) -> Result<std::fs::File> {
    Ok(std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?)
}

fn run_cli(bin: &Path, args: &[String], log: &Path) -> Result<(bool, String)> {
    let out = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stderr(log_file(log)?)
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    Ok((
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

async fn start(bin: &Path, target: &Target, log: &Path, http: &Client) -> Result<Server> {
    for _ in 0..3 {
        let port = free_port()?;
        let mut args = vec!["serve".to_string()];
        args.extend(target.args());
        args.extend(["--bind".into(), format!("127.0.0.1:{port}")]);
        let mut child = Command::new(bin)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(log_file(log)?)
            .stderr(log_file(log)?)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let base = format!("http://127.0.0.1:{port}");
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(120) {
            if let Some(status) = child.try_wait()? {
                eprintln!("the server exited ({status}) before answering; retrying");
                break;
            }
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
                if r.status() == StatusCode::OK {
                    return Ok(Server { child, base });
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    bail!("the server did not start (see {})", log.display())
}

impl Server {
    fn sigkill(mut self) -> Result<()> {
        // Child::kill is SIGKILL on Unix
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

// ------------------------------------------------------------------ acknowledged writes

#[derive(Default)]
struct Acks {
    /// lead id → company name
    leads: BTreeMap<i64, String>,
    /// project id → the highest stage acknowledged (index in STAGES)
    stages: BTreeMap<i64, usize>,
    /// (survivor, duplicate)
    merges: Vec<(i64, i64)>,
    /// import id → (kind, rows reported inserted)
    imports: BTreeMap<i64, (String, i64)>,
    /// bulletin id → hash
    bulletins: BTreeMap<i64, String>,
    /// bulletins acknowledged since the last restart, to verify over HTTP
    fresh_bulletins: Vec<i64>,
    /// answers that were neither 2xx nor a dropped connection: (what, status, body)
    unexpected: Vec<String>,
    /// requests the kill cut off (sent, never answered), by kind
    cut: BTreeMap<&'static str, usize>,
}

/// The kind of write a request path makes, for the count of requests a kill cut off.
fn kind_of(what: &str) -> &'static str {
    if what.contains("/commit") {
        "import commit"
    } else if what.contains("/imports") {
        "import upload"
    } else if what.contains("/transitions") {
        "transition"
    } else if what.contains("/merges") {
        "merge"
    } else if what.contains("/admit") {
        "admission"
    } else if what.contains("/bulletins") {
        "bulletin"
    } else {
        "lead"
    }
}

/// A client's own projects and the stage each is in as far as it knows.
#[derive(Default)]
struct ClientState {
    projects: Vec<(i64, usize)>,
}

struct Load {
    http: Client,
    base: String,
    today: String,
    month: String,
    tokens: HashMap<&'static str, String>,
    acks: Arc<Mutex<Acks>>,
    stop: Arc<AtomicBool>,
    round: usize,
}

/// A request's outcome: a 2xx body, another status (recorded as unexpected), or the
/// connection lost (the server is gone: stop).
enum Got {
    Ok(Value),
    Refused,
}

impl Load {
    async fn send(&self, what: &str, rb: reqwest::RequestBuilder) -> Result<Got> {
        let answer = async {
            let r = rb.send().await?;
            let status = r.status();
            Ok::<_, reqwest::Error>((status, r.text().await?))
        };
        let (status, body) = match answer.await {
            Ok(a) => a,
            Err(e) => {
                *self
                    .acks
                    .lock()
                    .unwrap()
                    .cut
                    .entry(kind_of(what))
                    .or_default() += 1;
                return Err(e.into());
            }
        };
        if status.is_success() {
            return Ok(Got::Ok(serde_json::from_str(&body).unwrap_or(Value::Null)));
        }
        let snippet: String = body.chars().take(300).collect();
        self.acks
            .lock()
            .unwrap()
            .unexpected
            .push(format!("{what}: {status} {snippet}"));
        Ok(Got::Refused)
    }

    async fn post(&self, who: &str, path: &str, body: Value) -> Result<Got> {
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[who])
            .json(&body);
        self.send(&format!("POST {path}"), rb).await
    }

    async fn lead(&self, who: &str, name: String) -> Result<Option<i64>> {
        let body = json!({"company_name": name, "reported_date": self.today,
            "planned_investment_yuan": 50_000_000i64});
        let Got::Ok(v) = self.post(who, "/api/v1/leads", body).await? else {
            return Ok(None);
        };
        let id = v["id"].as_i64().ok_or_else(|| anyhow!("no id in {v}"))?;
        self.acks.lock().unwrap().leads.insert(id, name);
        Ok(Some(id))
    }

    async fn project(&self, who: &str, name: String, st: &Mutex<ClientState>) -> Result<()> {
        let Some(lead) = self.lead(who, name).await? else {
            return Ok(());
        };
        let body = json!({"park_id": null, "date": self.today, "env_category": "登记表"});
        let Got::Ok(v) = self
            .post(who, &format!("/api/v1/leads/{lead}/admit"), body)
            .await?
        else {
            return Ok(());
        };
        let id = v["id"].as_i64().ok_or_else(|| anyhow!("no id in {v}"))?;
        self.acks.lock().unwrap().stages.insert(id, 0);
        st.lock().unwrap().projects.push((id, 0));
        Ok(())
    }

    async fn advance(&self, who: &str, st: &Mutex<ClientState>, rng: &mut StdRng) -> Result<()> {
        let open: Vec<(usize, i64, usize)> = st
            .lock()
            .unwrap()
            .projects
            .iter()
            .enumerate()
            .filter(|(_, (_, r))| *r + 1 < STAGES.len())
            .map(|(i, (p, r))| (i, *p, *r))
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let (i, id, rank) = open[rng.gen_range(0..open.len())];
        let to = STAGES[rank + 1];
        let mut body = json!({"to": to, "date": self.today});
        if to == "signed" {
            body["amount_yuan"] = json!(80_000_000i64);
        }
        if let Got::Ok(_) = self
            .post(who, &format!("/api/v1/projects/{id}/transitions"), body)
            .await?
        {
            let mut a = self.acks.lock().unwrap();
            let e = a.stages.entry(id).or_default();
            *e = (*e).max(rank + 1);
            st.lock().unwrap().projects[i].1 = rank + 1;
        }
        Ok(())
    }

    async fn merge(&self, who: &str, name: String) -> Result<()> {
        let Some(a) = self.lead(who, name.clone()).await? else {
            return Ok(());
        };
        let twin = name.replace("有限公司", "（有限公司）");
        let Some(b) = self.lead(who, twin).await? else {
            return Ok(());
        };
        let body = json!({"duplicate_id": b, "keep": {"company_name": "survivor"}});
        if let Got::Ok(_) = self
            .post(who, &format!("/api/v1/leads/{a}/merges"), body)
            .await?
        {
            self.acks.lock().unwrap().merges.push((a, b));
        }
        Ok(())
    }

    async fn import(&self, who: &str, tag: &str, rng: &mut StdRng) -> Result<()> {
        let rows = rng.gen_range(10..=300);
        let projects = rng.gen_bool(0.4);
        let mut csv = String::new();
        if projects {
            csv.push_str("项目名称,项目单位,总投资（万元）,项目进展,签约日期,报送日期\r\n");
            for i in 0..rows {
                let stage = ["洽谈中", "已签约", "在建", "已投产"][i % 4];
                csv.push_str(&format!(
                    "{tag}台账项目{i}号,{tag}台账{i}号制造有限公司,{},{stage},{},{}\r\n",
                    1000 + i,
                    self.today,
                    self.today
                ));
            }
        } else {
            csv.push_str("企业名称,计划投资（万元）,报送日期\r\n");
            for i in 0..rows {
                csv.push_str(&format!(
                    "{tag}台账{i}号科技有限公司,{},{}\r\n",
                    500 + i,
                    self.today
                ));
            }
        }
        let kind = if projects { "projects" } else { "leads" };
        let path = format!("/api/v1/imports?kind={kind}&file_name=crash-{tag}.csv");
        let rb = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[who])
            .header("content-type", "application/octet-stream")
            .body(csv.into_bytes());
        let Got::Ok(preview) = self.send(&format!("POST {path}"), rb).await? else {
            return Ok(());
        };
        let id = preview["id"]
            .as_i64()
            .ok_or_else(|| anyhow!("no id in {preview}"))?;
        if preview["valid"] != json!(rows) {
            self.acks.lock().unwrap().unexpected.push(format!(
                "import preview {id}: {} valid of {rows}: {}",
                preview["valid"],
                preview["errors"]
                    .to_string()
                    .chars()
                    .take(300)
                    .collect::<String>()
            ));
            return Ok(());
        }
        if let Got::Ok(r) = self
            .post(who, &format!("/api/v1/imports/{id}/commit"), json!({}))
            .await?
        {
            let n = r["inserted"].as_i64().unwrap_or(-1);
            self.acks
                .lock()
                .unwrap()
                .imports
                .insert(id, (kind.to_string(), n));
        }
        Ok(())
    }

    async fn bulletin(&self) -> Result<()> {
        let body = json!({"period": self.month, "title": format!("压测通报{}", self.round)});
        if let Got::Ok(v) = self.post("leader", "/api/v1/bulletins", body).await? {
            let id = v["id"].as_i64().ok_or_else(|| anyhow!("no id in {v}"))?;
            let hash = v["hash"].as_str().unwrap_or_default().to_string();
            let mut a = self.acks.lock().unwrap();
            a.bulletins.insert(id, hash);
            a.fresh_bulletins.push(id);
        }
        Ok(())
    }

    /// One client's loop, until the server goes away (or the round is stopped).
    async fn client(self: Arc<Self>, n: usize, st: Arc<Mutex<ClientState>>, seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let who = if n.is_multiple_of(2) {
            "promoter"
        } else {
            "promoter2"
        };
        let mut k = 0u64;
        while !self.stop.load(Ordering::Relaxed) {
            k += 1;
            let tag = format!("压测{}轮{}号客户{}次", self.round, n, k);
            let name = format!("{tag}新材料有限公司");
            let roll = rng.gen_range(0..100);
            let r = match roll {
                0..=24 => self.lead(who, name).await.map(|_| ()),
                25..=39 => self.project(who, name, &st).await,
                40..=64 => self.advance(who, &st, &mut rng).await,
                65..=77 => self.merge(who, name).await,
                78..=91 => self.import(who, &tag, &mut rng).await,
                _ => self.bulletin().await,
            };
            if r.is_err() {
                // the connection is gone: the server was killed
                return;
            }
        }
    }
}

// ------------------------------------------------------------------ checks

/// Distinct acknowledged writes, each checked after every kill that followed it.
#[derive(Default)]
struct Checked {
    leads: usize,
    stages: usize,
    merges: usize,
    imports: usize,
    import_rows: i64,
    bulletins: usize,
    bulletins_verified: usize,
}

fn ids<K: ToString>(v: impl Iterator<Item = K>) -> Vec<String> {
    v.map(|k| k.to_string()).collect()
}

/// `SELECT id, <column> FROM <table>` for these ids (a text column), 500 ids a query.
async fn text_by_id(
    c: &mut fenglai_store::Conn,
    table: &str,
    column: &str,
    want: &[i64],
) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in want.chunks(500) {
        let sql = format!(
            "SELECT id, {column} FROM {table} WHERE id IN ({})",
            ids(chunk.iter()).join(",")
        );
        out.extend(Sql::new(&sql).fetch_all::<(i64, String)>(c).await?);
    }
    Ok(out)
}

/// Every acknowledged write is in the database. Returns the problems found.
async fn check_acks(db: &Db, acks: &Acks) -> Result<Vec<String>> {
    let mut bad = Vec::new();
    let mut c = db.acquire().await?;
    let keys: Vec<i64> = acks.leads.keys().copied().collect();
    let found = text_by_id(&mut c, "leads", "company_name", &keys).await?;
    for id in &keys {
        match found.get(id) {
            None => bad.push(format!("acknowledged lead {id} is missing")),
            Some(name) if *name != acks.leads[id] => bad.push(format!(
                "lead {id} is named “{name}”, acknowledged as “{}”",
                acks.leads[id]
            )),
            Some(_) => {}
        }
    }
    let keys: Vec<i64> = acks.stages.keys().copied().collect();
    let found = text_by_id(&mut c, "projects", "stage", &keys).await?;
    for id in &keys {
        let want = acks.stages[id];
        match found.get(id).map(|s| (s, stage_rank(s))) {
            None => bad.push(format!("acknowledged project {id} is missing")),
            Some((s, r)) if r.is_none_or(|r| r < want) => bad.push(format!(
                "project {id} is in stage {s}, acknowledged in {}",
                STAGES[want]
            )),
            Some(_) => {}
        }
    }
    for chunk in acks.merges.chunks(300) {
        let list = ids(chunk.iter().map(|m| m.1)).join(",");
        let merged: Vec<(i64, i64)> = Sql::new(&format!(
            "SELECT duplicate_id, survivor_id FROM lead_merges WHERE undone_at IS NULL AND duplicate_id IN ({list})"
        ))
        .fetch_all(&mut c)
        .await?;
        let leads: Vec<(i64, String, Option<i64>)> = Sql::new(&format!(
            "SELECT id, status, merged_into FROM leads WHERE id IN ({list})"
        ))
        .fetch_all(&mut c)
        .await?;
        let merged: HashMap<i64, i64> = merged.into_iter().collect();
        let leads: HashMap<i64, (String, Option<i64>)> =
            leads.into_iter().map(|(i, s, m)| (i, (s, m))).collect();
        for (s, d) in chunk {
            if merged.get(d) != Some(s) {
                bad.push(format!(
                    "acknowledged merge of {d} into {s} is not recorded"
                ));
            }
            match leads.get(d) {
                Some((st, Some(m))) if st == "merged" && m == s => {}
                other => bad.push(format!(
                    "lead {d}, acknowledged merged into {s}, is {other:?}"
                )),
            }
        }
    }
    for (id, (kind, n)) in &acks.imports {
        let st = Sql::new("SELECT id, status FROM imports WHERE id = ")
            .bind(*id)
            .fetch_optional::<(i64, String)>(&mut c)
            .await?;
        let leads = Sql::new("SELECT COUNT(*) FROM leads WHERE import_id = ")
            .bind(*id)
            .fetch_i64(&mut c)
            .await?;
        let projects = Sql::new(
            "SELECT COUNT(*) FROM projects p JOIN leads l ON l.id = p.lead_id WHERE l.import_id = ",
        )
        .bind(*id)
        .fetch_i64(&mut c)
        .await?;
        let want_projects = if kind == "projects" { *n } else { 0 };
        if st.as_ref().map(|s| s.1.as_str()) != Some("imported")
            || leads != *n
            || projects != want_projects
        {
            bad.push(format!(
                "acknowledged import {id} ({kind}, {n} rows) is {st:?} with {leads} leads and {projects} projects"
            ));
        }
    }
    let keys: Vec<i64> = acks.bulletins.keys().copied().collect();
    let found = text_by_id(&mut c, "bulletins", "hash", &keys).await?;
    for id in &keys {
        if found.get(id) != Some(&acks.bulletins[id]) {
            bad.push(format!(
                "acknowledged bulletin {id} is {:?}, hash {}",
                found.get(id),
                acks.bulletins[id]
            ));
        }
    }
    Ok(bad)
}

/// Whole-database consistency: each query counts (or lists) what must not exist.
const CONSISTENCY: &[(&str, &str)] = &[
    (
        "stage history rows without their project",
        "SELECT COUNT(*) FROM stage_history h WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = h.project_id)",
    ),
    (
        "projects without their lead",
        "SELECT COUNT(*) FROM projects p WHERE p.lead_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = p.lead_id)",
    ),
    (
        "leads pointing at a missing project",
        "SELECT COUNT(*) FROM leads l WHERE l.project_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = l.project_id)",
    ),
    (
        "projects without exactly one open history row",
        "SELECT COUNT(*) FROM projects p WHERE (SELECT COUNT(*) FROM stage_history h WHERE h.project_id = p.id AND h.voided = 0 AND h.end_date IS NULL) <> 1",
    ),
    (
        "projects whose open history row is in another stage",
        "SELECT COUNT(*) FROM projects p JOIN stage_history h ON h.project_id = p.id AND h.voided = 0 AND h.end_date IS NULL WHERE h.stage <> p.stage",
    ),
    (
        "leads of an import that is not committed (a partial import)",
        "SELECT COUNT(*) FROM leads l WHERE l.import_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = l.import_id AND i.status = 'imported')",
    ),
    (
        "committed imports whose lead count differs from what they reported",
        "SELECT COUNT(*) FROM imports i WHERE i.status = 'imported' AND i.inserted <> (SELECT COUNT(*) FROM leads l WHERE l.import_id = i.id)",
    ),
    (
        "committed project imports whose project count differs from what they reported",
        "SELECT COUNT(*) FROM imports i WHERE i.status = 'imported' AND i.kind = 'projects' AND i.inserted <> (SELECT COUNT(*) FROM projects p JOIN leads l ON l.id = p.lead_id WHERE l.import_id = i.id)",
    ),
    (
        "committed imports without their commit event",
        "SELECT COUNT(*) FROM imports i WHERE i.status = 'imported' AND NOT EXISTS (SELECT 1 FROM events e WHERE e.entity = 'import' AND e.entity_id = i.id AND e.action = 'commit')",
    ),
    (
        "imported leads without their import event",
        "SELECT COUNT(*) FROM leads l JOIN imports i ON i.id = l.import_id AND i.kind = 'leads' WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity = 'lead' AND e.entity_id = l.id AND e.action = 'import')",
    ),
    (
        "merged leads without a merge record",
        "SELECT COUNT(*) FROM leads l WHERE l.status = 'merged' AND NOT EXISTS (SELECT 1 FROM lead_merges m WHERE m.duplicate_id = l.id AND m.survivor_id = l.merged_into AND m.undone_at IS NULL)",
    ),
    (
        "merge records pointing at missing leads",
        "SELECT COUNT(*) FROM lead_merges m WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = m.survivor_id) OR NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = m.duplicate_id)",
    ),
    (
        "merges without their event",
        "SELECT COUNT(*) FROM lead_merges m WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity = 'lead' AND e.entity_id = m.duplicate_id AND e.action = 'merged')",
    ),
    (
        "duplicate-queue pairs pointing at missing leads",
        "SELECT COUNT(*) FROM duplicate_pairs d WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = d.lead_id) OR NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = d.other_id)",
    ),
    (
        "bulletins without their publish event",
        "SELECT COUNT(*) FROM bulletins b WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity = 'bulletin' AND e.entity_id = b.id AND e.action = 'publish')",
    ),
    (
        "events about a lead, project, import or bulletin that does not exist",
        "SELECT COUNT(*) FROM events e WHERE (e.entity = 'lead' AND NOT EXISTS (SELECT 1 FROM leads x WHERE x.id = e.entity_id)) \
         OR (e.entity = 'project' AND NOT EXISTS (SELECT 1 FROM projects x WHERE x.id = e.entity_id)) \
         OR (e.entity = 'import' AND NOT EXISTS (SELECT 1 FROM imports x WHERE x.id = e.entity_id)) \
         OR (e.entity = 'bulletin' AND NOT EXISTS (SELECT 1 FROM bulletins x WHERE x.id = e.entity_id))",
    ),
    (
        "events after the audit head, or an audit head past the last event",
        "SELECT COUNT(*) FROM audit_head h WHERE h.seq <> (SELECT COALESCE(MAX(seq), 0) FROM events) OR h.seq <> (SELECT COUNT(*) FROM events)",
    ),
    (
        "import deferrals of the monthly stage figures left behind",
        "SELECT COUNT(*) FROM stage_monthly_deferred",
    ),
    (
        "monthly stage figures that differ from the stage history they sum",
        "SELECT COUNT(*) FROM ( \
           SELECT month, stage, park_id, reporting_unit_id, SUM(c) AS c, SUM(i) AS i FROM ( \
             SELECT month, stage, park_id, reporting_unit_id, d_count AS c, d_investment AS i FROM stage_monthly \
             UNION ALL \
             SELECT substr(effective_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan \
               FROM stage_history WHERE voided = 0 \
             UNION ALL \
             SELECT substr(end_date, 1, 7), stage, COALESCE(park_id, 0), reporting_unit_id, 1, investment_yuan \
               FROM stage_history WHERE voided = 0 AND end_date IS NOT NULL \
           ) x GROUP BY month, stage, park_id, reporting_unit_id \
         ) y WHERE c <> 0 OR i <> 0",
    ),
];

async fn check_consistency(db: &Db) -> Result<Vec<String>> {
    let mut bad = Vec::new();
    let mut c = db.acquire().await?;
    for (what, sql) in CONSISTENCY {
        let n = Sql::new(sql).fetch_i64(&mut c).await?;
        if n != 0 {
            bad.push(format!("{n} {what}"));
        }
    }
    let n = fenglai_store::assess::credit_out_of_step(&mut c).await?;
    if n != 0 {
        bad.push(format!(
            "{n} stage entries whose credit is not their lead's"
        ));
    }
    if db.backend() == Backend::Sqlite {
        drop(c);
        let integrity = db.integrity().await?;
        if integrity != "ok" {
            bad.push(format!("integrity_check: {integrity}"));
        }
        let mut c = db.acquire().await?;
        let fk = Sql::new("SELECT COUNT(*) FROM pragma_foreign_key_check")
            .fetch_i64(&mut c)
            .await?;
        if fk != 0 {
            bad.push(format!("{fk} rows fail SQLite's foreign_key_check"));
        }
    }
    Ok(bad)
}

/// The stage each of `projects` is in now.
async fn stages_now(db: &Db, projects: &[i64]) -> Result<HashMap<i64, usize>> {
    let mut c = db.acquire().await?;
    Ok(text_by_id(&mut c, "projects", "stage", projects)
        .await?
        .into_iter()
        .filter_map(|(id, s)| stage_rank(&s).map(|r| (id, r)))
        .collect())
}

// ------------------------------------------------------------------ one database

struct Outcome {
    /// requests cut off by the kills, by kind
    cut: BTreeMap<&'static str, usize>,
    name: &'static str,
    kills: usize,
    secs: f64,
    checked: Checked,
    failures: Vec<String>,
    events: i64,
}

async fn token(http: &Client, base: &str, user: &str) -> Result<String> {
    let r = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": user, "password": "demo"}))
        .send()
        .await?;
    if r.status() != StatusCode::OK {
        bail!("login {user}: {}", r.status());
    }
    Ok(r.json::<Value>().await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

async fn run(o: &Opts, target: Target, work: &Path) -> Result<Outcome> {
    let name = target.name();
    let log = work.join(format!("server-{}.log", name.to_lowercase()));
    let t0 = Instant::now();
    let mut seed_args = vec!["demo".to_string(), "--no-serve".to_string()];
    seed_args.extend(target.args());
    let (ok, out) = run_cli(&o.bin, &seed_args, &log)?;
    if !ok {
        bail!(
            "fenglai demo --no-serve failed: {out} (see {})",
            log.display()
        );
    }
    println!(
        "{name}: demo data seeded in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    let http = Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let acks = Arc::new(Mutex::new(Acks::default()));
    let clients: Vec<Arc<Mutex<ClientState>>> = (0..o.clients)
        .map(|_| Arc::new(Mutex::new(ClientState::default())))
        .collect();
    let mut rng = StdRng::seed_from_u64(o.seed);
    let mut checked = Checked::default();
    let mut failures = Vec::new();
    let mut tokens: HashMap<&'static str, String> = HashMap::new();
    let today = fenglai_app::today();
    let month = today.format("%Y-%m").to_string();
    let started = Instant::now();
    let mut server = start(&o.bin, &target, &log, &http).await?;
    for user in ["promoter", "promoter2", "leader"] {
        tokens.insert(user, token(&http, &server.base, user).await?);
    }
    let mut events = 0;
    for round in 1..=o.kills {
        let stop = Arc::new(AtomicBool::new(false));
        let load = Arc::new(Load {
            http: http.clone(),
            base: server.base.clone(),
            today: today.to_string(),
            month: month.clone(),
            tokens: tokens.clone(),
            acks: acks.clone(),
            stop: stop.clone(),
            round,
        });
        let before = {
            let a = acks.lock().unwrap();
            a.leads.len() + a.stages.len() + a.merges.len() + a.imports.len() + a.bulletins.len()
        };
        // one write before the load, so that the kill falls within the load and not in the
        // server's first-request warm-up (a debug build takes seconds over it)
        let warm = load
            .lead("promoter", format!("压测{round}轮预热科技有限公司"))
            .await;
        if !matches!(warm, Ok(Some(_))) {
            bail!("the server did not take a first write after starting: {warm:?}");
        }
        let tasks: Vec<_> = clients
            .iter()
            .enumerate()
            .map(|(n, st)| tokio::spawn(load.clone().client(n, st.clone(), rng.gen())))
            .collect();
        let delay = rng.gen_range(100..=o.max_delay_ms);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.sigkill()?;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(150), t).await;
        }
        let mut round_bad = Vec::new();
        {
            let unexpected = std::mem::take(&mut acks.lock().unwrap().unexpected);
            round_bad.extend(
                unexpected
                    .into_iter()
                    .map(|u| format!("unexpected answer: {u}")),
            );
        }
        // with the server down: the acknowledged writes and the database as a whole
        let db = target.open().await?;
        let snapshot = {
            let a = acks.lock().unwrap();
            Acks {
                leads: a.leads.clone(),
                stages: a.stages.clone(),
                merges: a.merges.clone(),
                imports: a.imports.clone(),
                bulletins: a.bulletins.clone(),
                ..Acks::default()
            }
        };
        round_bad.extend(check_acks(&db, &snapshot).await?);
        round_bad.extend(check_consistency(&db).await?);
        // what the clients' projects are in now (a transition in flight may have committed)
        for st in &clients {
            let ps: Vec<i64> = st.lock().unwrap().projects.iter().map(|p| p.0).collect();
            let now = stages_now(&db, &ps).await?;
            for p in st.lock().unwrap().projects.iter_mut() {
                if let Some(r) = now.get(&p.0) {
                    p.1 = *r;
                }
            }
        }
        let mut c = db.acquire().await?;
        events = Sql::new("SELECT COUNT(*) FROM events")
            .fetch_i64(&mut c)
            .await?;
        drop(c);
        db.close().await;
        let mut verify_args = vec!["audit".to_string(), "verify".to_string()];
        verify_args.extend(target.args());
        let (ok, out) = run_cli(&o.bin, &verify_args, &log)?;
        if !ok {
            round_bad.push(format!("fenglai audit verify failed: {out}"));
        }
        // up again: the bulletins of the round reproduce
        server = start(&o.bin, &target, &log, &http).await?;
        let fresh = std::mem::take(&mut acks.lock().unwrap().fresh_bulletins);
        for id in fresh {
            let r = http
                .get(format!("{}/api/v1/bulletins/{id}/verify", server.base))
                .bearer_auth(&tokens["leader"])
                .send()
                .await?;
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            if status != StatusCode::OK || v["identical"] != json!(true) {
                round_bad.push(format!("bulletin {id} does not verify: {status} {v}"));
            }
            checked.bulletins_verified += 1;
        }
        let after = {
            let a = acks.lock().unwrap();
            a.leads.len() + a.stages.len() + a.merges.len() + a.imports.len() + a.bulletins.len()
        };
        println!(
            "{name} kill {round}/{}: after {delay} ms, {} writes acknowledged, {events} events, {}",
            o.kills,
            after - before,
            if round_bad.is_empty() {
                "all checks passed".to_string()
            } else {
                format!("{} FAILED", round_bad.len())
            }
        );
        for b in round_bad.iter().take(10) {
            println!("    {b}");
        }
        failures.extend(round_bad.into_iter().map(|b| format!("kill {round}: {b}")));
    }
    server.sigkill()?;
    {
        let a = acks.lock().unwrap();
        checked.leads = a.leads.len();
        checked.stages = a.stages.len();
        checked.merges = a.merges.len();
        checked.imports = a.imports.len();
        checked.import_rows = a.imports.values().map(|v| v.1).sum();
        checked.bulletins = a.bulletins.len();
    }
    let cut = acks.lock().unwrap().cut.clone();
    Ok(Outcome {
        cut,
        name,
        kills: o.kills,
        secs: started.elapsed().as_secs_f64(),
        checked,
        failures,
        events,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let o = parse_opts()?;
    println!(
        "crash harness: {} kills per database, {} clients, delay up to {} ms, seed {}",
        o.kills, o.clients, o.max_delay_ms, o.seed
    );
    let mut outcomes = Vec::new();
    if o.sqlite {
        let dir = std::env::temp_dir().join(format!("fenglai-crash-{:08x}", rand::random::<u32>()));
        std::fs::create_dir_all(&dir)?;
        let out = run(&o, Target::Sqlite(dir.join("data")), &dir).await?;
        if out.failures.is_empty() && !o.keep {
            let _ = std::fs::remove_dir_all(&dir);
        } else {
            println!("SQLite data and server log kept in {}", dir.display());
        }
        outcomes.push(out);
    }
    if let Some(admin) = &o.pg {
        let name = format!("fenglai_crash_{:08x}", rand::random::<u32>());
        admin_sql(admin, &format!("CREATE DATABASE {name}")).await?;
        let dir = std::env::temp_dir().join(name.clone());
        std::fs::create_dir_all(&dir)?;
        let out = run(&o, Target::Postgres(with_db(admin, &name)), &dir).await?;
        if out.failures.is_empty() && !o.keep {
            admin_sql(admin, &format!("DROP DATABASE {name}")).await?;
            let _ = std::fs::remove_dir_all(&dir);
        } else {
            println!(
                "PostgreSQL database {name} and server log in {} kept",
                dir.display()
            );
        }
        outcomes.push(out);
    }
    println!("\nsummary (seed {}):", o.seed);
    let mut failed = 0;
    for out in &outcomes {
        let c = &out.checked;
        println!(
            "  {}: {} kills in {:.0} s; acknowledged writes, each checked after every later kill: {} leads, {} project stages, \
             {} merges, {} imports ({} rows), {} bulletins ({} verified by recomputing); {} events in the chain; {} failures",
            out.name,
            out.kills,
            out.secs,
            c.leads,
            c.stages,
            c.merges,
            c.imports,
            c.import_rows,
            c.bulletins,
            c.bulletins_verified,
            out.events,
            out.failures.len()
        );
        let cut: Vec<String> = out.cut.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!(
            "    requests in flight when the server was killed: {}",
            cut.join(", ")
        );
        for f in out.failures.iter().take(20) {
            println!("    {f}");
        }
        failed += out.failures.len();
    }
    if failed > 0 {
        println!("crash: {failed} failures");
        std::process::exit(1);
    }
    println!("crash: all checks passed");
    Ok(())
}
