//! Black-box test support: a real server on 127.0.0.1:0 over a fresh database,
//! SQLite (a temp file) or PostgreSQL (a database cloned from a migrated template).

use fenglai_app::App;
use fenglai_store::Db;
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub app: App,
    /// the database under the app, for tests that check what is stored
    pub db: Db,
    pub client: Client,
    pub dir: Option<PathBuf>,
    /// the database's URL, for another process to open it (see [`attach`])
    pub db_url: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(d) = &self.dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// Stage figures as (stage, count, investment), the zero ones left out, by stage: how the
/// monthly aggregate and the raw scan of the history are compared.
pub fn figures_sorted(mut v: Vec<fenglai_store::stats::StageFigure>) -> Vec<(String, i64, i64)> {
    v.retain(|f| f.count != 0 || f.investment_yuan != 0);
    v.sort_by(|a, b| a.stage.cmp(&b.stage));
    v.into_iter()
        .map(|f| (f.stage, f.count, f.investment_yuan))
        .collect()
}

pub fn pg_admin_url() -> Option<String> {
    std::env::var("FENGLAI_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Whether to run a PostgreSQL variant: skipped without a server unless required.
pub fn pg_available() -> bool {
    if pg_admin_url().is_some() {
        return true;
    }
    if std::env::var("FENGLAI_REQUIRE_PG").is_ok_and(|v| v == "1") {
        panic!("FENGLAI_REQUIRE_PG=1 but FENGLAI_TEST_PG_URL is not set");
    }
    eprintln!("PostgreSQL test skipped: FENGLAI_TEST_PG_URL is not set");
    false
}

pub fn random_name(prefix: &str) -> String {
    format!("{prefix}_{:016x}", rand::random::<u64>())
}

pub fn with_db(url: &str, db: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("url has a path");
    format!("{base}/{db}")
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
/// PostgreSQL refuses to clone a template that another clone is reading.
static CLONING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A PostgreSQL database migrated once per test process, to clone from.
async fn pg_template(admin: &str) -> String {
    TEMPLATE
        .get_or_init(|| async {
            let name = random_name("fenglai_tpl");
            let adm = Db::connect(admin).await.expect("connect admin");
            fenglai_store::sql::Sql::new(&format!("CREATE DATABASE {name}"))
                .execute(&mut adm.acquire().await.unwrap())
                .await
                .expect("create template");
            let db = Db::connect(&with_db(admin, &name))
                .await
                .expect("connect template");
            let app = App::open(db.clone()).await.expect("migrate template");
            fenglai_app::demo::seed_org(&app).await.expect("seed org");
            db.close().await;
            adm.pool().close().await;
            name
        })
        .await
        .clone()
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, |app| app).await
}

/// [`spawn`] with the application configured by `setup` before it serves (a password
/// policy, a virus scanner …).
pub async fn spawn_with(backend: Backend, setup: impl FnOnce(App) -> App) -> TestApp {
    let (db, dir, db_url) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(random_name("fenglai_test"));
            let db = Db::open_sqlite_dir(&dir).await.expect("open sqlite");
            let url = format!("sqlite://{}", dir.join("fenglai.db").display());
            (db, Some(dir), url)
        }
        Backend::Postgres => {
            let admin = pg_admin_url().expect("checked by pg_available");
            // The template is reached over one runtime per test; take it from a fresh connection each time.
            let tpl = pg_template(&admin).await;
            let name = random_name("fenglai_test");
            let _guard = CLONING.lock().await;
            let adm = Db::connect(&admin).await.expect("connect admin");
            fenglai_store::sql::Sql::new(&format!("CREATE DATABASE {name} TEMPLATE {tpl}"))
                .execute(&mut adm.acquire().await.unwrap())
                .await
                .expect("clone template");
            adm.pool().close().await;
            let url = with_db(&admin, &name);
            (Db::connect(&url).await.expect("connect test db"), None, url)
        }
    };
    let app = setup(App::open(db.clone()).await.expect("open app"));
    fenglai_app::demo::seed_org(&app).await.expect("seed org");
    serve(app, db, dir, db_url).await
}

/// A server over a database that another test made and seeded (its [`TestApp::db_url`]),
/// left in place when done: how a test looks at the same records from another process,
/// whose hash maps have other seeds.
pub async fn attach(db_url: &str) -> TestApp {
    let db = Db::connect(db_url).await.expect("connect");
    let app = App::open(db.clone()).await.expect("open app");
    serve(app, db, None, db_url.to_string()).await
}

async fn serve(app: App, db: Db, dir: Option<PathBuf>, db_url: String) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = app.clone();
    tokio::spawn(async move {
        fenglai_web::serve(listener, served, std::future::pending())
            .await
            .unwrap();
    });
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        addr,
        app,
        db,
        client,
        dir,
        db_url,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn token(&self, username: &str) -> String {
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"username": username, "password": "demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// GET and parse JSON, asserting the status.
    pub async fn get_json(&self, token: &str, path: &str, status: StatusCode) -> Value {
        let r = self.get(token, path).await;
        assert_eq!(r.status(), status, "GET {path}");
        r.json().await.unwrap()
    }

    pub async fn post_json(
        &self,
        token: &str,
        path: &str,
        body: Value,
        status: StatusCode,
    ) -> Value {
        let r = self.post(token, path, body.clone()).await;
        let got = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "POST {path} {body} -> {v}");
        v
    }

    /// PUT JSON and parse the answer, asserting the status.
    pub async fn put_json(
        &self,
        token: &str,
        path: &str,
        body: Value,
        status: StatusCode,
    ) -> Value {
        let r = self
            .client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let got = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "PUT {path} {body} -> {v}");
        v
    }

    /// GET a page with a session cookie (from `auth::web_login`): the status and the HTML.
    pub async fn page(&self, cookie: &str, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// POST a form (fields may repeat) with a session cookie.
    pub async fn form(&self, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    /// Reports a lead as `token`'s user and returns its id.
    /// Publishes the bulletin of a period; the bulletin as published.
    pub async fn publish(&self, token: &str, period: &str) -> Value {
        self.post_json(
            token,
            "/api/v1/bulletins",
            json!({ "period": period }),
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn lead(&self, token: &str, body: Value) -> i64 {
        self.post_json(token, "/api/v1/leads", body, StatusCode::CREATED)
            .await["id"]
            .as_i64()
            .unwrap()
    }

    /// Admits a lead to a park on a date; returns the project id.
    pub async fn admit(&self, token: &str, lead: i64, park: Option<i64>, date: &str) -> i64 {
        self.post_json(
            token,
            &format!("/api/v1/leads/{lead}/admit"),
            json!({"park_id": park, "date": date, "env_category": "登记表"}),
            StatusCode::CREATED,
        )
        .await["id"]
            .as_i64()
            .unwrap()
    }

    /// Merges lead `duplicate` into lead `keep`.
    pub async fn merge(&self, token: &str, keep: i64, duplicate: i64) {
        self.post_json(
            token,
            &format!("/api/v1/leads/{keep}/merges"),
            serde_json::json!({"duplicate_id": duplicate}),
            StatusCode::OK,
        )
        .await;
    }

    /// The id of a user by username.
    pub async fn user_id(&self, username: &str) -> i64 {
        fenglai_app::auth::actor_by_username(&self.app, username)
            .await
            .unwrap()
            .id()
    }

    /// Moves a project through a stage transition that must succeed.
    pub async fn transition(&self, token: &str, project: i64, body: Value) {
        self.post_json(
            token,
            &format!("/api/v1/projects/{project}/transitions"),
            body,
            StatusCode::OK,
        )
        .await;
    }

    /// The open 疑似重复 queue as the caller sees it, and its (lead, other) pairs in order.
    pub async fn duplicate_pairs(&self, token: &str) -> (Value, Vec<(i64, i64)>) {
        let queue = self
            .get_json(token, "/api/v1/duplicates", StatusCode::OK)
            .await;
        let pairs = queue
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["lead_id"].as_i64().unwrap(),
                    p["other_id"].as_i64().unwrap(),
                )
            })
            .collect();
        (queue, pairs)
    }

    pub async fn unit_id(&self, name: &str) -> i64 {
        fenglai_app::org::unit_by_name(&self.app, name)
            .await
            .unwrap()
            .expect(name)
            .id
    }

    /// Asserts that every stage entry carries its project's lead's credit as it stands now
    /// (the columns the bulletin sums by, kept by triggers).
    pub async fn assert_credit_in_step(&self) {
        let mut c = self.db.acquire().await.unwrap();
        let n = fenglai_store::assess::credit_out_of_step(&mut c)
            .await
            .unwrap();
        assert_eq!(n, 0, "stage entries whose credit is not their lead's");
    }

    /// Runs raw SQL behind the program's back.
    pub async fn raw_sql(&self, sql: &str) {
        let mut c = self.db.acquire().await.unwrap();
        fenglai_store::sql::Sql::new(sql)
            .execute(&mut c)
            .await
            .unwrap();
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL; with a third argument,
/// a `fn(App) -> App` that configures the application first.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:ident, $setup:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body($crate::helpers::spawn_with($crate::helpers::Backend::Sqlite, $setup).await)
                    .await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::pg_available() {
                    $body(
                        $crate::helpers::spawn_with($crate::helpers::Backend::Postgres, $setup)
                            .await,
                    )
                    .await;
                }
            }
        }
    };
    ($name:ident, $body:ident) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body($crate::helpers::spawn($crate::helpers::Backend::Sqlite).await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::pg_available() {
                    $body($crate::helpers::spawn($crate::helpers::Backend::Postgres).await).await;
                }
            }
        }
    };
}

/// The CSRF token of the first form on a page.
pub fn csrf_in(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a csrf field")
        .to_string()
}
