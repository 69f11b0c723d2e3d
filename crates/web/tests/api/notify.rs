//! Notices: the inbox, units' group robots, and the worker delivering to them — the exact
//! 企业微信 and 钉钉 bodies, retries after a failure, and exactly-once delivery with two
//! workers on one database. A loopback HTTP receiver stands in for the robots.

use crate::auth::web_login;
use crate::both;
use crate::helpers::TestApp;
use axum::extract::{Path, State};
use axum::http::StatusCode as AxStatus;
use fenglai_app::audit::Tx;
use fenglai_app::notify::{self, Notice};
use fenglai_app::App;
use fenglai_worker::WorkerConfig;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got: the path, the JSON body, the status it answered.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    body: Value,
    status: u16,
    /// answered 200 `{"errcode":0}`: accepted
    ok: bool,
}

#[derive(Default)]
struct Recv {
    hits: Vec<Hit>,
    /// answers to give, per path, before answering 200 `{"errcode":0}`
    planned: HashMap<String, Vec<(u16, String)>>,
    /// how long each answer takes, as a slow robot service would
    delay_ms: u64,
}

type Shared = Arc<Mutex<Recv>>;

/// A loopback HTTP server that records every POST and answers as planned.
struct Receiver {
    base: String,
    state: Shared,
}

impl Receiver {
    async fn start() -> Receiver {
        async fn hit(
            State(s): State<Shared>,
            Path(path): Path<String>,
            body: String,
        ) -> (AxStatus, String) {
            let delay = s.lock().unwrap().delay_ms;
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            let mut r = s.lock().unwrap();
            let (status, answer) = match r.planned.get_mut(&path) {
                Some(p) if !p.is_empty() => p.remove(0),
                _ => (200, r#"{"errcode":0,"errmsg":"ok"}"#.to_string()),
            };
            let body = serde_json::from_str(&body).unwrap_or(Value::String(body));
            let ok = status == 200 && answer.contains(r#""errcode":0,"#);
            r.hits.push(Hit {
                path,
                body,
                status,
                ok,
            });
            (AxStatus::from_u16(status).unwrap(), answer)
        }
        let state = Shared::default();
        let router = axum::Router::new()
            .route("/{path}", axum::routing::post(hit))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Receiver {
            base: format!("http://{addr}"),
            state,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn plan(&self, path: &str, status: u16, answer: &str) {
        self.state
            .lock()
            .unwrap()
            .planned
            .entry(path.to_string())
            .or_default()
            .push((status, answer.to_string()));
    }

    /// Makes every answer take `ms`, so that a worker waiting on one leaves the others' jobs
    /// to the other worker.
    fn slow(&self, ms: u64) {
        self.state.lock().unwrap().delay_ms = ms;
    }

    fn hits(&self) -> Vec<Hit> {
        self.state.lock().unwrap().hits.clone()
    }

    /// Requests answered 200 `{"errcode":0}`.
    fn delivered(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.ok).collect()
    }

    /// Waits until `n` requests were accepted (or fails after `secs`).
    async fn wait_delivered(&self, n: usize, secs: u64) {
        let until = std::time::Instant::now() + Duration::from_secs(secs);
        while self.delivered().len() < n {
            assert!(
                std::time::Instant::now() < until,
                "only {} of {n} deliveries after {secs} s: {:?}",
                self.delivered().len(),
                self.hits()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A fast worker for tests.
fn fast() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(20),
        retry_base: Duration::from_millis(150),
        retry_cap: Duration::from_secs(1),
        public_url: Some("https://zs.example.gov.cn".into()),
        ..Default::default()
    }
}

/// Starts a worker; dropping or firing the sender stops it.
fn start_worker(
    app: &App,
    cfg: WorkerConfig,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let h = tokio::spawn(fenglai_worker::run(app.clone(), cfg, async move {
        let _ = rx.await;
    }));
    (tx, h)
}

async fn stop(
    w: (
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
    ),
) {
    let _ = w.0.send(());
    tokio::time::timeout(Duration::from_secs(15), w.1)
        .await
        .expect("worker stops")
        .unwrap();
}

/// (user id, unit id) of a demo account.
async fn who(t: &TestApp, username: &str) -> (i64, i64) {
    let a = fenglai_app::auth::actor_by_username(&t.app, username)
        .await
        .unwrap();
    (a.id(), a.user.unit_id)
}

fn notice(user_id: i64, key: &str, title: &str, body: &str, link: Option<&str>) -> Notice {
    Notice {
        user_id,
        kind: "test".into(),
        title: title.into(),
        body: body.into(),
        link: link.map(str::to_string),
        dedupe_key: key.into(),
    }
}

async fn send_all(app: &App, notices: &[Notice]) {
    let mut tx = Tx::begin(app).await.unwrap();
    for n in notices {
        notify::send(&mut tx, n).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn set_hooks(t: &TestApp, admin: &str, unit: i64, hooks: Value) -> Value {
    let r = t
        .client
        .put(t.url(&format!("/api/v1/units/{unit}/webhooks")))
        .bearer_auth(admin)
        .json(&json!({ "webhooks": hooks }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn formats_and_retries(t: TestApp) {
    let rx = Receiver::start().await;
    let admin = t.token("admin").await;
    let (user, unit) = who(&t, "promoter").await;
    let hooks = set_hooks(
        &t,
        &admin,
        unit,
        json!([{"kind": "wecom", "url": rx.url("wecom")}, {"kind": "dingtalk", "url": rx.url("ding")}]),
    )
    .await;
    let wecom_id = hooks[0]["id"].as_i64().unwrap();
    // 企业微信 fails with a 500 once, 钉钉 answers 200 with a non-zero errcode once
    rx.plan("wecom", 500, "internal error");
    rx.plan(
        "ding",
        200,
        r#"{"errcode":310000,"errmsg":"keywords not in content"}"#,
    );

    let n = notice(
        user,
        "overdue:project:7:start:2025-06-01",
        "节点逾期：华芯半导体项目",
        "开工节点计划 2025年5月20日，已逾期12天。\n责任人：李招商",
        Some("/projects/7"),
    );
    send_all(&t.app, std::slice::from_ref(&n)).await;
    // the same notice again (a rerun of the daily job) changes nothing
    send_all(&t.app, std::slice::from_ref(&n)).await;

    let w = start_worker(&t.app, fast());
    rx.wait_delivered(2, 20).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    stop(w).await;

    let wecom = json!({"msgtype": "markdown", "markdown": {"content":
        "**节点逾期：华芯半导体项目**\n开工节点计划 2025年5月20日，已逾期12天。\n责任人：李招商\n\n[查看详情](https://zs.example.gov.cn/projects/7)"}});
    let ding = json!({"msgtype": "markdown", "markdown": {"title": "节点逾期：华芯半导体项目", "text":
        "### 节点逾期：华芯半导体项目\n\n开工节点计划 2025年5月20日，已逾期12天。\n责任人：李招商\n\n[查看详情](https://zs.example.gov.cn/projects/7)"}});
    let hits = rx.hits();
    let of = |p: &str| -> Vec<(u16, Value)> {
        hits.iter()
            .filter(|h| h.path == p)
            .map(|h| (h.status, h.body.clone()))
            .collect()
    };
    // one failed attempt, then one delivery, each with the exact body; nothing more
    assert_eq!(of("wecom"), vec![(500, wecom.clone()), (200, wecom)]);
    assert_eq!(of("ding"), vec![(200, ding.clone()), (200, ding)]);

    let job = fenglai_app::jobs::by_key(
        &t.app,
        &format!("webhook:{wecom_id}:overdue:project:7:start:2025-06-01"),
    )
    .await
    .unwrap()
    .expect("job");
    assert_eq!(job.attempts, 2);
    assert!(job.done_at.is_some() && job.failed_at.is_none());
    assert_eq!(
        fenglai_app::jobs::of_kind(&t.app, fenglai_app::jobs::WEBHOOK, 100)
            .await
            .unwrap()
            .len(),
        2
    );
    // the day's job was queued at start and run once
    let daily = fenglai_app::jobs::of_kind(&t.app, fenglai_app::jobs::DAILY, 10)
        .await
        .unwrap();
    assert_eq!(daily.len(), 1);
    assert!(daily[0].done_at.is_some());

    // a robot that keeps failing is given up after the job's attempts, with the error kept
    let (other_user, other_unit) = who(&t, "promoter2").await;
    let broken = set_hooks(
        &t,
        &admin,
        other_unit,
        json!([{"kind": "wecom", "url": rx.url("down")}]),
    )
    .await;
    for _ in 0..notify::WEBHOOK_ATTEMPTS {
        rx.plan("down", 503, "busy");
    }
    send_all(
        &t.app,
        &[notice(other_user, "down:1", "测试", "正文", None)],
    )
    .await;
    let cfg = WorkerConfig {
        retry_base: Duration::from_millis(1),
        retry_cap: Duration::from_millis(5),
        ..fast()
    };
    let w = start_worker(&t.app, cfg);
    let key = format!("webhook:{}:down:1", broken[0]["id"]);
    let until = std::time::Instant::now() + Duration::from_secs(20);
    let job = loop {
        let j = fenglai_app::jobs::by_key(&t.app, &key)
            .await
            .unwrap()
            .unwrap();
        if j.failed_at.is_some() || std::time::Instant::now() > until {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    stop(w).await;
    assert!(job.failed_at.is_some(), "{job:?}");
    assert_eq!(job.attempts, notify::WEBHOOK_ATTEMPTS);
    assert!(
        job.last_error.as_deref().unwrap().contains("503"),
        "{job:?}"
    );
    assert_eq!(
        rx.hits().iter().filter(|h| h.path == "down").count() as i64,
        notify::WEBHOOK_ATTEMPTS
    );
}
both!(webhook_formats_and_retries, formats_and_retries);

async fn two_workers(t: TestApp) {
    let rx = Receiver::start().await;
    rx.slow(10);
    let admin = t.token("admin").await;
    let (user, unit) = who(&t, "promoter").await;
    set_hooks(
        &t,
        &admin,
        unit,
        json!([{"kind": "wecom", "url": rx.url("wecom")}, {"kind": "dingtalk", "url": rx.url("ding")}]),
    )
    .await;
    let notices: Vec<Notice> = (0..50)
        .map(|i| {
            notice(
                user,
                &format!("n:{i}"),
                &format!("通知{i}"),
                &format!("第{i}条"),
                None,
            )
        })
        .collect();
    send_all(&t.app, &notices).await;

    let a = start_worker(
        &t.app,
        WorkerConfig {
            worker_id: Some("worker-a".into()),
            ..fast()
        },
    );
    let b = start_worker(
        &t.app,
        WorkerConfig {
            worker_id: Some("worker-b".into()),
            ..fast()
        },
    );
    rx.wait_delivered(100, 60).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop(a).await;
    stop(b).await;

    let hits = rx.hits();
    assert_eq!(hits.len(), 100, "nothing sent twice");
    let mut seen: HashMap<String, usize> = HashMap::new();
    for h in &hits {
        *seen.entry(format!("{} {}", h.path, h.body)).or_default() += 1;
    }
    for i in 0..50 {
        let w = json!({"msgtype": "markdown", "markdown": {"content": format!("**通知{i}**\n第{i}条")}});
        let d = json!({"msgtype": "markdown", "markdown": {"title": format!("通知{i}"), "text": format!("### 通知{i}\n\n第{i}条")}});
        assert_eq!(seen.get(&format!("wecom {w}")), Some(&1), "{w}");
        assert_eq!(seen.get(&format!("ding {d}")), Some(&1), "{d}");
    }
    let jobs = fenglai_app::jobs::of_kind(&t.app, fenglai_app::jobs::WEBHOOK, 1000)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 100);
    assert!(jobs.iter().all(|j| j.done_at.is_some() && j.attempts == 1));
    // and the two workers shared them
    for w in ["worker-a", "worker-b"] {
        assert!(
            jobs.iter().any(|j| j.locked_by.as_deref() == Some(w)),
            "{w} ran no job"
        );
    }
    // both workers queued today's daily job; it exists once and ran once
    let daily = fenglai_app::jobs::of_kind(&t.app, fenglai_app::jobs::DAILY, 10)
        .await
        .unwrap();
    assert_eq!(daily.len(), 1);
    assert_eq!(daily[0].attempts, 1);
}
both!(two_workers_deliver_exactly_once, two_workers);

async fn inbox(t: TestApp) {
    let (user, _) = who(&t, "promoter").await;
    let promoter = t.token("promoter").await;
    let other = t.token("promoter2").await;
    send_all(
        &t.app,
        &[
            notice(user, "a", "旧消息", "正文一", None),
            notice(user, "b", "新消息", "正文二", Some("/projects/1")),
        ],
    )
    .await;
    let v = t.get_json(&promoter, "/api/v1/inbox", StatusCode::OK).await;
    assert_eq!(v["unread"], 2);
    let titles: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["新消息", "旧消息"]);
    let old = v["items"][1]["id"].as_i64().unwrap();
    assert!(v["items"][1]["read_at"].is_null());
    assert!(v["items"][0].get("dedupe_key").is_none());

    // another user sees nothing of it and cannot mark it
    let v = t.get_json(&other, "/api/v1/inbox", StatusCode::OK).await;
    assert_eq!(v, json!({"items": [], "unread": 0}));
    t.post_json(
        &other,
        &format!("/api/v1/inbox/{old}/read"),
        json!({}),
        StatusCode::NOT_FOUND,
    )
    .await;

    let n = t
        .post_json(
            &promoter,
            &format!("/api/v1/inbox/{old}/read"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert!(n["read_at"].is_string());
    // read ones go after unread ones
    t.post_json(
        &promoter,
        "/api/v1/inbox/999999/read",
        json!({}),
        StatusCode::NOT_FOUND,
    )
    .await;
    let v = t.get_json(&promoter, "/api/v1/inbox", StatusCode::OK).await;
    assert_eq!(v["unread"], 1);
    assert_eq!(v["items"][0]["title"], "新消息");
    assert_eq!(v["items"][1]["title"], "旧消息");

    // the page: an unread count in the navigation, the list, and marking read with CSRF
    let s = web_login(&t, "promoter").await;
    let cookie = format!("fenglai_session={s}");
    let page = |path: &str| {
        t.client
            .get(t.url(path))
            .header("cookie", cookie.clone())
            .send()
    };
    let html = page("/").await.unwrap().text().await.unwrap();
    assert!(
        html.contains(r#"<span class="badge" id="unread-count">1</span>"#),
        "{html}"
    );
    let html = page("/inbox").await.unwrap().text().await.unwrap();
    assert!(
        html.contains("新消息")
            && html.contains("旧消息")
            && html.contains(r#"href="/projects/1""#)
    );
    let new = v["items"][0]["id"].as_i64().unwrap();
    assert!(html.contains(&format!(r#"action="/inbox/{new}/read""#)));
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let post = |csrf: String| {
        t.client
            .post(t.url(&format!("/inbox/{new}/read")))
            .header("cookie", cookie.clone())
            .form(&[("csrf", csrf)])
            .send()
    };
    assert_eq!(
        post("wrong".into()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(post(csrf).await.unwrap().status(), StatusCode::SEE_OTHER);
    let html = page("/inbox").await.unwrap().text().await.unwrap();
    assert!(!html.contains("unread-count") && html.contains("没有未读消息"));
}
both!(inbox_is_personal, inbox);

async fn webhook_config(t: TestApp) {
    let admin = t.token("admin").await;
    let promoter = t.token("promoter").await;
    let (user, unit) = who(&t, "promoter").await;
    let path = format!("/api/v1/units/{unit}/webhooks");

    // only administrators
    let r = put(&t, &promoter, unit, json!({"webhooks": []})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["error"]["message"].as_str().unwrap().contains("群机器人"),
        "{e}"
    );
    t.get_json(&promoter, &path, StatusCode::FORBIDDEN).await;
    t.get_json(
        &admin,
        "/api/v1/units/999999/webhooks",
        StatusCode::NOT_FOUND,
    )
    .await;

    let e = refused(
        &t,
        &admin,
        unit,
        json!({"webhooks": [{"kind": "feishu", "url": "https://open.feishu.cn/x"}]}),
    )
    .await;
    assert_eq!(e["field"], "webhooks[0].kind");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("wecom（企业微信）或 dingtalk（钉钉）"),
        "{e}"
    );
    let e = refused(
        &t,
        &admin,
        unit,
        json!({"webhooks": [{"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"},
                            {"kind": "dingtalk", "url": "oapi.dingtalk.com/robot/send"}]}),
    )
    .await;
    assert_eq!(e["field"], "webhooks[1].url");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("第2个群机器人的地址（url）须以 http:// 或 https:// 开头"),
        "{e}"
    );
    let e = refused(
        &t,
        &admin,
        unit,
        json!({"webhooks": [{"kind": "wecom", "address": "https://a.b/"}]}),
    )
    .await;
    assert_eq!(e["field"], "address");
    // nothing was written by the refused requests
    assert_eq!(t.get_json(&admin, &path, StatusCode::OK).await, json!([]));

    let first = set_hooks(
        &t,
        &admin,
        unit,
        json!([{"kind": "wecom", "url": "http://127.0.0.1:9/a"}, {"kind": "dingtalk", "url": "http://127.0.0.1:9/b"}]),
    )
    .await;
    // replacing the set keeps the robot that stays (same id) and deactivates the other
    let second = set_hooks(
        &t,
        &admin,
        unit,
        json!([{"kind": "dingtalk", "url": "http://127.0.0.1:9/b"}]),
    )
    .await;
    assert_eq!(second[0]["id"], first[1]["id"]);
    assert_eq!(second[0]["active"], 1);
    assert_eq!(second[1]["id"], first[0]["id"]);
    assert_eq!(second[1]["active"], 0);
    let events = fenglai_app::audit::for_entity(&t.app, "unit_webhooks", unit)
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].actor, "admin");

    // a notice now queues one delivery, for the active robot only
    send_all(&t.app, &[notice(user, "k", "标题", "正文", None)]).await;
    let jobs = fenglai_app::jobs::of_kind(&t.app, fenglai_app::jobs::WEBHOOK, 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].dedupe_key, format!("webhook:{}:k", first[1]["id"]));

    // the routes are documented
    let doc = t
        .get_json(&admin, "/api/v1/openapi.json", StatusCode::OK)
        .await;
    for p in [
        "/api/v1/inbox",
        "/api/v1/inbox/{id}/read",
        "/api/v1/units/{id}/webhooks",
    ] {
        assert!(
            doc["paths"].get(p).is_some(),
            "{p} not in the OpenAPI document"
        );
    }
    assert!(doc["paths"]["/api/v1/units/{id}/webhooks"]
        .get("put")
        .is_some());
}
both!(webhook_configuration, webhook_config);

async fn put(t: &TestApp, token: &str, unit: i64, body: Value) -> reqwest::Response {
    t.client
        .put(t.url(&format!("/api/v1/units/{unit}/webhooks")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// PUTs robots that must be refused with 422; the error object.
async fn refused(t: &TestApp, token: &str, unit: i64, body: Value) -> Value {
    let r = put(t, token, unit, body.clone()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    r.json::<Value>().await.unwrap()["error"].clone()
}

/// A loopback SMTP server: records each message's recipients and DATA; answers the first
/// `refuse` RCPT commands with 451 (try again later).
struct Smtp {
    port: u16,
    mails: Mails,
}

/// Each message's recipients and DATA.
type Mails = Arc<Mutex<Vec<(Vec<String>, String)>>>;

impl Smtp {
    async fn start(refuse: u32) -> Smtp {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails: Mails = Arc::default();
        let refuse = Arc::new(Mutex::new(refuse));
        let (m, r) = (mails.clone(), refuse.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let (mails, refuse) = (m.clone(), r.clone());
                tokio::spawn(async move {
                    let (rd, mut w) = stream.into_split();
                    let mut rd = BufReader::new(rd);
                    w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                    let mut rcpt = Vec::new();
                    loop {
                        let mut line = String::new();
                        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
                            break;
                        }
                        let cmd = line.trim_end().to_ascii_uppercase();
                        let answer: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                            b"250 test\r\n"
                        } else if cmd.starts_with("RCPT TO:") {
                            let mut left = refuse.lock().unwrap();
                            if *left > 0 {
                                *left -= 1;
                                b"451 4.3.0 try again later\r\n"
                            } else {
                                rcpt.push(line.trim_end()[8..].trim().to_string());
                                b"250 OK\r\n"
                            }
                        } else if cmd == "DATA" {
                            w.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = String::new();
                            loop {
                                let mut l = String::new();
                                if rd.read_line(&mut l).await.unwrap_or(0) == 0 || l == ".\r\n" {
                                    break;
                                }
                                data.push_str(&l);
                            }
                            mails
                                .lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), data));
                            b"250 queued\r\n"
                        } else if cmd == "QUIT" {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        } else {
                            b"250 OK\r\n"
                        };
                        w.write_all(answer).await.unwrap();
                    }
                });
            }
        });
        Smtp { port, mails }
    }

    fn mails(&self) -> Vec<(Vec<String>, String)> {
        self.mails.lock().unwrap().clone()
    }
}

fn base64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes() {
        let Some(v) = A.iter().position(|a| *a == c) else {
            continue;
        };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// The decoded Subject and body of a message lettre wrote (RFC 2047 words, base64 body).
fn subject_and_body(data: &str) -> (String, String) {
    let (head, body) = data.split_once("\r\n\r\n").unwrap();
    let unfolded = head.replace("\r\n ", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap();
    let mut decoded = Vec::new();
    for word in subject.split_whitespace() {
        let inner = word
            .strip_prefix("=?utf-8?b?")
            .and_then(|w| w.strip_suffix("?="))
            .unwrap_or_else(|| panic!("not an encoded word: {word} in {subject}"));
        decoded.extend(base64(inner));
    }
    (
        String::from_utf8(decoded).unwrap(),
        String::from_utf8(base64(body))
            .unwrap()
            .replace("\r\n", "\n"),
    )
}

async fn email(t: TestApp) {
    let admin = t.token("admin").await;
    let promoter = t.token("promoter").await;
    let other = t.token("promoter2").await;
    let (user, _) = who(&t, "promoter").await;
    let path = format!("/api/v1/users/{user}/email");
    let put = |token: &str, body: Value| {
        t.client
            .put(t.url(&path))
            .bearer_auth(token.to_string())
            .json(&body)
            .send()
    };
    // another user may neither read nor set it; a bad address is named
    assert_eq!(t.get(&other, &path).await.status(), StatusCode::FORBIDDEN);
    let r = put(&other, json!({"email": "x@y.cn"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = put(&promoter, json!({"email": "li.fc.gov.cn"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["field"], "email");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("邮箱地址（email）格式不正确"));
    let r = put(&admin, json!({"email": " li@fc.gov.cn "}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        t.get_json(&promoter, &path, StatusCode::OK).await,
        json!({"email": "li@fc.gov.cn"})
    );

    send_all(
        &t.app,
        &[notice(
            user,
            "mail:1",
            "请求即将超期：用电报装",
            "凤城电子项目的用电诉求将于明日超期。",
            Some("/projects/3"),
        )],
    )
    .await;
    let key = format!("email:{user}:mail:1");

    // a worker without SMTP leaves the email to others
    let w = start_worker(&t.app, fast());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop(w).await;
    let job = fenglai_app::jobs::by_key(&t.app, &key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.attempts, job.done_at.is_none()), (0, true));

    // one with SMTP sends it, again after the relay first said "try later"
    let smtp = Smtp::start(1).await;
    let cfg = WorkerConfig {
        smtp: Some(
            fenglai_worker::SmtpConfig::parse(
                &format!("smtp://127.0.0.1:{}", smtp.port),
                "凤来招商 <noreply@fc.gov.cn>",
            )
            .unwrap(),
        ),
        ..fast()
    };
    let w = start_worker(&t.app, cfg);
    let until = std::time::Instant::now() + Duration::from_secs(20);
    while smtp.mails().is_empty() {
        assert!(std::time::Instant::now() < until, "no email");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop(w).await;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, vec!["<li@fc.gov.cn>".to_string()]);
    let (subject, body) = subject_and_body(&mails[0].1);
    assert_eq!(subject, "请求即将超期：用电报装");
    assert_eq!(
        body,
        "凤城电子项目的用电诉求将于明日超期。\n\n查看详情：https://zs.example.gov.cn/projects/3"
    );
    assert!(mails[0].1.contains("To: li@fc.gov.cn"), "{}", mails[0].1);
    let job = fenglai_app::jobs::by_key(&t.app, &key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 2);
    assert!(job.done_at.is_some());

    // the user sets (and clears) their own address on the inbox page
    let s = web_login(&t, "promoter").await;
    let cookie = format!("fenglai_session={s}");
    let html = t
        .client
        .get(t.url("/inbox"))
        .header("cookie", cookie.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"value="li@fc.gov.cn""#));
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let post = |email: &str| {
        t.client
            .post(t.url("/inbox/email"))
            .header("cookie", cookie.clone())
            .form(&[("csrf", csrf.as_str()), ("email", email)])
            .send()
    };
    let r = post("不是邮箱").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("邮箱地址（email）格式不正确") && html.contains(r#"value="不是邮箱""#));
    assert_eq!(post("").await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(
        t.get_json(&promoter, &path, StatusCode::OK).await,
        json!({"email": null})
    );
    // two address changes, each an event of the user
    let events = fenglai_app::audit::for_entity(&t.app, "user", user)
        .await
        .unwrap();
    assert_eq!(events.iter().filter(|e| e.action == "set_email").count(), 2);
}
both!(email_notices, email);
