//! The job worker, started beside the server: claims due jobs from the database, runs
//! them, and marks them done or failed with exponential backoff.
//!
//! Safe with several servers on one database: a job is claimed by one statement under
//! `FOR UPDATE SKIP LOCKED` (PostgreSQL) or the write lock (SQLite), and every job has a
//! unique key, so nothing is queued or claimed twice. Delivery is at least once at the
//! transport: a crash after a robot accepted a message but before the job was marked
//! done sends it again once the job's lease has run out.
//!
//! Kinds: `webhook` (a notice to a unit's 企业微信 or 钉钉 group robot, HTTP POST),
//! `email` (a notice by SMTP; claimed only by a worker given [`SmtpConfig`], so with
//! several servers one with SMTP suffices) and `daily` (enqueued at start and whenever
//! the China Standard Time date changes, key `daily:YYYY-MM-DD`, run by
//! `fenglai_app::daily::run`).

use fenglai_app::jobs::JobKind;
use fenglai_app::jobs::{DailyPayload, EmailPayload, WebhookPayload, DAILY, EMAIL, WEBHOOK};
use fenglai_app::{daily, App};
use fenglai_store::jobs::{Failed, Job};
use serde_json::{json, Value};
use std::future::Future;
use std::time::Duration;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Wait between looks at the queue when it is empty.
    pub poll_interval: Duration,
    /// First retry after this long; each further failure doubles it …
    pub retry_base: Duration,
    /// … up to this.
    pub retry_cap: Duration,
    /// A claimed job is the worker's for this long; after it, another worker may take it.
    /// Longer than any job should run.
    pub lease: Duration,
    /// Timeout of one HTTP request to a robot.
    pub http_timeout: Duration,
    /// Fenglai's address as users reach it (`https://zs.example.gov.cn`); when set, a
    /// notice's link is appended to robot messages as an absolute link.
    pub public_url: Option<String>,
    /// Enqueue the day's `daily` job at start and when the date changes.
    pub schedule_daily: bool,
    /// Names this worker in `jobs.locked_by`; default hostname, process id and a random part.
    pub worker_id: Option<String>,
    /// Send `email` jobs through this server; without it they are left to other workers.
    pub smtp: Option<SmtpConfig>,
}

/// An SMTP relay, plain SMTP (no TLS): `smtp://[user[:password]@]host[:port]`, port 25 by
/// default, and the sender's address. Intranet mail relays usually take plain SMTP;
/// the password never appears in logs or `Debug`.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    /// `凤来招商 <noreply@example.gov.cn>` or a bare address
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|c| &c.0))
            .field("from", &self.from)
            .finish()
    }
}

impl SmtpConfig {
    /// Reads `url` (`smtp://…`) and the sender; the error says what is wrong, without
    /// repeating a password.
    pub fn parse(url: &str, from: &str) -> Result<SmtpConfig, String> {
        let u = reqwest::Url::parse(url.trim()).map_err(|e| format!("SMTP URL: {e}"))?;
        if u.scheme() != "smtp" {
            return Err(format!(
                "SMTP URL: scheme must be smtp:// (TLS is not supported), not {}://",
                u.scheme()
            ));
        }
        let host = u
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("SMTP URL: no host")?
            .to_string();
        let credentials = (!u.username().is_empty()).then(|| {
            (
                percent_decode(u.username()),
                percent_decode(u.password().unwrap_or("")),
            )
        });
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| format!("SMTP sender “{from}”: {e}"))?;
        Ok(SmtpConfig {
            host,
            port: u.port().unwrap_or(25),
            credentials,
            from: from.to_string(),
        })
    }

    /// `FENGLAI_SMTP_URL` and `FENGLAI_SMTP_FROM`; `None` when the URL is unset.
    pub fn from_env() -> Result<Option<SmtpConfig>, String> {
        let Some(url) = std::env::var("FENGLAI_SMTP_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        let from = std::env::var("FENGLAI_SMTP_FROM")
            .map_err(|_| "FENGLAI_SMTP_URL is set but FENGLAI_SMTP_FROM (the sender) is not")?;
        SmtpConfig::parse(&url, &from).map(Some)
    }

    fn transport(&self, timeout: Duration) -> lettre::AsyncSmtpTransport<lettre::Tokio1Executor> {
        let mut b = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(
            self.host.clone(),
        )
        .port(self.port)
        .timeout(Some(timeout));
        if let Some((user, pass)) = &self.credentials {
            b = b.credentials(lettre::transport::smtp::authentication::Credentials::new(
                user.clone(),
                pass.clone(),
            ));
        }
        b.build()
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            poll_interval: Duration::from_secs(2),
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(3600),
            lease: Duration::from_secs(600),
            http_timeout: Duration::from_secs(10),
            public_url: None,
            schedule_daily: true,
            worker_id: None,
            smtp: None,
        }
    }
}

/// `hostname:pid:random`, unique among the workers on one database.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// Runs jobs until `shutdown` resolves. A job under way is finished first (its HTTP
/// request is bounded by `http_timeout`); the worker stops between jobs or while idle.
pub async fn run(app: App, cfg: WorkerConfig, shutdown: impl Future<Output = ()>) {
    let id = cfg.worker_id.clone().unwrap_or_else(default_worker_id);
    let http = match reqwest::Client::builder()
        .timeout(cfg.http_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("worker {id}: cannot build an HTTP client: {e}");
            return;
        }
    };
    let mut kinds = vec![WEBHOOK, DAILY];
    let mail = cfg.smtp.as_ref().map(|s| s.transport(cfg.http_timeout));
    if mail.is_some() {
        kinds.push(EMAIL);
    }
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    tracing::info!("worker {id} started (jobs: {})", names.join(", "));
    let worker = Worker {
        app,
        cfg,
        id,
        http,
        mail,
        kinds,
    };
    tokio::pin!(shutdown);
    let mut scheduled: Option<chrono::NaiveDate> = None;
    loop {
        if worker.cfg.schedule_daily {
            let today = fenglai_app::today();
            if scheduled != Some(today) {
                match daily::enqueue(&worker.app, today).await {
                    Ok(_) => scheduled = Some(today),
                    Err(e) => tracing::warn!("worker {}: enqueue daily job: {e}", worker.id),
                }
            }
        }
        let busy = match fenglai_app::jobs::claim(
            &worker.app,
            &worker.id,
            worker.cfg.lease,
            &worker.kinds,
        )
        .await
        {
            Ok(Some(job)) => {
                worker.process(job).await;
                true
            }
            Ok(None) => false,
            Err(e) => {
                tracing::warn!("worker {}: claim: {e}", worker.id);
                false
            }
        };
        if busy {
            // stop between jobs if asked to
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = std::future::ready(()) => {}
            }
        } else {
            tokio::select! {
                _ = &mut shutdown => break,
                _ = tokio::time::sleep(worker.cfg.poll_interval) => {}
            }
        }
    }
    tracing::info!("worker {} stopped", worker.id);
}

struct Worker {
    app: App,
    cfg: WorkerConfig,
    id: String,
    http: reqwest::Client,
    mail: Option<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>>,
    /// the kinds this worker claims
    kinds: Vec<JobKind>,
}

impl Worker {
    async fn process(&self, job: Job) {
        let outcome = match job.kind {
            JobKind::Webhook => self.webhook(&job).await,
            JobKind::Daily => self.daily(&job).await,
            JobKind::Email => self.email(&job).await,
        };
        let app = &self.app;
        match outcome {
            Ok(()) => match fenglai_app::jobs::complete(app, &job, &self.id).await {
                Ok(true) => tracing::debug!("job {} ({}) done", job.id, job.dedupe_key),
                Ok(false) => tracing::warn!(
                    "job {} ({}) done, but its lease had run out and another worker holds it",
                    job.id,
                    job.dedupe_key
                ),
                Err(e) => tracing::error!("job {}: marking done: {e}", job.id),
            },
            Err(err) => {
                let r = fenglai_app::jobs::fail(
                    app,
                    &job,
                    &self.id,
                    &err,
                    self.cfg.retry_base,
                    self.cfg.retry_cap,
                )
                .await;
                match r {
                    Ok(Failed::Retry(at)) => tracing::warn!(
                        "job {} ({}) attempt {} failed: {err}; retry at {at}",
                        job.id,
                        job.dedupe_key,
                        job.attempts
                    ),
                    Ok(Failed::GivenUp) => tracing::error!(
                        "job {} ({}) failed for good after {} attempts: {err}",
                        job.id,
                        job.dedupe_key,
                        job.attempts
                    ),
                    Ok(Failed::NotHeld) => tracing::warn!(
                        "job {} ({}) failed ({err}) after its lease ran out",
                        job.id,
                        job.dedupe_key
                    ),
                    Err(e) => tracing::error!("job {}: recording failure: {e}", job.id),
                }
            }
        }
    }

    async fn daily(&self, job: &Job) -> Result<(), String> {
        let p: DailyPayload =
            serde_json::from_str(&job.payload).map_err(|e| format!("payload: {e}"))?;
        daily::run(&self.app, p.date).await.map_err(|e| match e {
            fenglai_app::Error::Internal(m) => m,
            other => other.to_string(),
        })
    }

    async fn email(&self, job: &Job) -> Result<(), String> {
        use lettre::AsyncTransport;
        let (Some(mail), Some(smtp)) = (&self.mail, &self.cfg.smtp) else {
            return Err("SMTP is not configured on this worker".into());
        };
        let p: EmailPayload =
            serde_json::from_str(&job.payload).map_err(|e| format!("payload: {e}"))?;
        let to = match fenglai_app::jobs::user_email(&self.app, p.user_id).await {
            Ok(Some(to)) => to,
            Ok(None) => {
                tracing::info!(
                    "job {}: user {} has no email address now; dropped",
                    job.id,
                    p.user_id
                );
                return Ok(());
            }
            Err(e) => return Err(format!("reading the address of user {}: {e}", p.user_id)),
        };
        let link = self.absolute(p.link.as_deref());
        let message = email_message(&smtp.from, &to, &p.title, &p.body, link.as_deref())?;
        mail.send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("SMTP: {}", chain(&e)))
    }

    /// A notice's link as an absolute address, when the public address is known.
    fn absolute(&self, link: Option<&str>) -> Option<String> {
        match (&self.cfg.public_url, link) {
            (Some(base), Some(link)) => Some(format!("{}{link}", base.trim_end_matches('/'))),
            _ => None,
        }
    }

    async fn webhook(&self, job: &Job) -> Result<(), String> {
        let p: WebhookPayload =
            serde_json::from_str(&job.payload).map_err(|e| format!("payload: {e}"))?;
        let hook = match fenglai_app::jobs::webhook(&self.app, p.webhook_id).await {
            Ok(Some(h)) => h,
            Ok(None) => return Err(format!("webhook {} not found", p.webhook_id)),
            Err(e) => return Err(format!("reading webhook {}: {e}", p.webhook_id)),
        };
        if !hook.active {
            tracing::info!(
                "job {}: webhook {} was removed; message dropped",
                job.id,
                hook.id
            );
            return Ok(());
        }
        let link = self.absolute(p.link.as_deref());
        let body = message(hook.kind.as_str(), &p.title, &p.body, link.as_deref())
            .ok_or_else(|| format!("unknown webhook kind “{}”", hook.kind))?;
        post(&self.http, &hook.url, &body).await
    }
}

/// The JSON a group robot takes: 企业微信 (`wecom`) or 钉钉 (`dingtalk`) markdown.
pub fn message(kind: &str, title: &str, body: &str, link: Option<&str>) -> Option<Value> {
    let more = link
        .map(|l| format!("\n\n[查看详情]({l})"))
        .unwrap_or_default();
    match kind {
        "wecom" => Some(json!({
            "msgtype": "markdown",
            "markdown": {"content": format!("**{title}**\n{body}{more}")}
        })),
        "dingtalk" => Some(json!({
            "msgtype": "markdown",
            "markdown": {"title": title, "text": format!("### {title}\n\n{body}{more}")}
        })),
        _ => None,
    }
}

/// A plain-text UTF-8 email (base64 body, so any relay passes it unchanged).
pub fn email_message(
    from: &str,
    to: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
) -> Result<lettre::Message, String> {
    use lettre::message::header::{ContentTransferEncoding, ContentType};
    use lettre::message::SinglePart;
    let text = match link {
        Some(l) => format!("{body}\n\n查看详情：{l}"),
        None => body.to_string(),
    };
    lettre::Message::builder()
        .from(from.parse().map_err(|e| format!("sender “{from}”: {e}"))?)
        .to(to.parse().map_err(|e| format!("address “{to}”: {e}"))?)
        .subject(title)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::Base64)
                .body(text),
        )
        .map_err(|e| format!("building the email: {e}"))
}

/// POSTs `body`; a non-2xx answer or a JSON answer with a non-zero `errcode` (both robots
/// answer `{"errcode":0,…}` when they accept) is an error.
async fn post(http: &reqwest::Client, url: &str, body: &Value) -> Result<(), String> {
    let r = http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| format!("POST failed: {}", chain(&e)))?;
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    let short: String = text.chars().take(300).collect();
    if !status.is_success() {
        return Err(format!("HTTP {status}: {short}"));
    }
    if let Ok(v) = serde_json::from_str::<Value>(&text) {
        match v.get("errcode").and_then(Value::as_i64) {
            Some(0) | None => {}
            Some(code) => return Err(format!("errcode {code}: {short}")),
        }
    }
    Ok(())
}

/// An error with its causes: reqwest's own text does not say why a request failed.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_formats() {
        assert_eq!(
            message("wecom", "节点逾期", "华芯项目 开工 逾期3天", None).unwrap(),
            json!({"msgtype":"markdown","markdown":{"content":"**节点逾期**\n华芯项目 开工 逾期3天"}})
        );
        assert_eq!(
            message("dingtalk", "节点逾期", "正文", Some("https://x/p/1")).unwrap(),
            json!({"msgtype":"markdown","markdown":{"title":"节点逾期","text":"### 节点逾期\n\n正文\n\n[查看详情](https://x/p/1)"}})
        );
        assert!(message("feishu", "a", "b", None).is_none());
    }

    #[test]
    fn smtp_urls() {
        let c = SmtpConfig::parse(
            "smtp://zs%40x.gov.cn:p%3Ass@mail.x.gov.cn:2525",
            "凤来招商 <zs@x.gov.cn>",
        )
        .unwrap();
        assert_eq!((c.host.as_str(), c.port), ("mail.x.gov.cn", 2525));
        assert_eq!(
            c.credentials,
            Some(("zs@x.gov.cn".to_string(), "p:ss".to_string()))
        );
        assert!(!format!("{c:?}").contains("p:ss"));
        let c = SmtpConfig::parse("smtp://10.1.2.3", "zs@x.gov.cn").unwrap();
        assert_eq!((c.port, c.credentials), (25, None));
        assert!(SmtpConfig::parse("smtps://mail.x.gov.cn", "zs@x.gov.cn")
            .unwrap_err()
            .contains("TLS"));
        assert!(SmtpConfig::parse("smtp://mail.x.gov.cn", "not an address").is_err());
    }

    #[test]
    fn worker_ids_differ() {
        assert_ne!(default_worker_id(), default_worker_id());
    }
}

#[cfg(test)]
mod tls {
    /// HTTPS robots (qyapi.weixin.qq.com, oapi.dingtalk.com) need TLS in the client: an
    /// https:// address must fail at connecting, not for want of a TLS backend.
    #[tokio::test]
    async fn https_is_supported() {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap();
        let err = super::post(&http, "https://127.0.0.1:9/robot", &serde_json::json!({}))
            .await
            .unwrap_err();
        assert!(!err.contains("scheme"), "{err}");
    }
}
