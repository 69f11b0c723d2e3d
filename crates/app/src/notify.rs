//! Notices: the in-app inbox (站内消息) and the deliveries that go with a notice, and the
//! group robots (企业微信, 钉钉) each unit configures.
//!
//! [`send`] runs inside the caller's transaction, so a notice exists exactly when the
//! change that caused it does. It writes the inbox row and enqueues one delivery job per
//! active robot of the user's unit, and an email job when the user has an address; the
//! worker (`fenglai-worker`) sends them (email only by workers configured with SMTP).
//! Every write is keyed, so sending the same notice twice changes nothing.

use crate::audit::Tx;
use crate::jobs::{EmailPayload, WebhookPayload, EMAIL, WEBHOOK};
use crate::{Actor, App, Error, Result};
use fenglai_domain::{Role, WebhookKind};
use fenglai_store::jobs::{self, NewJob, NewNotification, Notification, Webhook};
use fenglai_store::org;
use serde::{Deserialize, Serialize};

/// A notice to one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub user_id: i64,
    /// what it is about, e.g. `milestone_overdue`, `request_escalated`
    pub kind: String,
    pub title: String,
    pub body: String,
    /// a path in Fenglai, e.g. `/projects/12`
    pub link: Option<String>,
    /// Identifies the event: the user gets a notice with this key once, and each group
    /// robot gets one message per key even when several of its unit's users are told.
    /// E.g. `milestone_overdue:project:12:node:3:2025-06-01`.
    pub dedupe_key: String,
}

/// How many times a delivery is tried before it is given up.
pub const WEBHOOK_ATTEMPTS: i64 = 10;
/// How many times an email is tried before it is given up.
pub const EMAIL_ATTEMPTS: i64 = 10;

fn json(v: &impl Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// Puts the notice in the user's inbox and enqueues its deliveries, in `tx`: one job per
/// active group robot of the user's unit (key `webhook:<robot id>:<notice key>`, so a
/// robot gets one message per event however many of its unit's users are told) and, when
/// the user has an email address, one email job (key `email:<user id>:<notice key>`).
/// Nothing happens when the user already has a notice with this key.
pub async fn send(tx: &mut Tx, notice: &Notice) -> Result<()> {
    if notice.dedupe_key.trim().is_empty() {
        return Err(Error::Internal("notice without a dedupe key".into()));
    }
    let inserted = jobs::insert_notification(
        tx.conn(),
        &NewNotification {
            user_id: notice.user_id,
            kind: &notice.kind,
            title: &notice.title,
            body: &notice.body,
            link: notice.link.as_deref(),
            dedupe_key: &notice.dedupe_key,
        },
    )
    .await?;
    if inserted.is_none() {
        return Ok(());
    }
    for hook in jobs::active_webhooks_of_user(tx.conn(), notice.user_id).await? {
        let payload = WebhookPayload {
            webhook_id: hook.id,
            title: notice.title.clone(),
            body: notice.body.clone(),
            link: notice.link.clone(),
        };
        let payload = json(&payload)?;
        jobs::enqueue(
            tx.conn(),
            &NewJob {
                kind: WEBHOOK,
                dedupe_key: &format!("webhook:{}:{}", hook.id, notice.dedupe_key),
                payload: &payload,
                run_at: None,
                max_attempts: WEBHOOK_ATTEMPTS,
            },
        )
        .await?;
    }
    if jobs::user_email(tx.conn(), notice.user_id).await?.is_some() {
        let payload = json(&EmailPayload {
            user_id: notice.user_id,
            title: notice.title.clone(),
            body: notice.body.clone(),
            link: notice.link.clone(),
        })?;
        jobs::enqueue(
            tx.conn(),
            &NewJob {
                kind: EMAIL,
                dedupe_key: &format!("email:{}:{}", notice.user_id, notice.dedupe_key),
                payload: &payload,
                run_at: None,
                max_attempts: EMAIL_ATTEMPTS,
            },
        )
        .await?;
    }
    Ok(())
}

/// The caller's inbox: unread first, at most 200.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub items: Vec<Notification>,
    pub unread: i64,
}

pub async fn inbox(app: &App, actor: &Actor) -> Result<Inbox> {
    let mut c = app.db.acquire().await?;
    Ok(Inbox {
        items: jobs::inbox(&mut c, actor.id(), 200).await?,
        unread: jobs::unread_count(&mut c, actor.id()).await?,
    })
}

pub async fn unread_count(app: &App, actor: &Actor) -> Result<i64> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::unread_count(&mut c, actor.id()).await?)
}

/// Marks one of the caller's notices read; another user's notice is not found.
///
/// Read marks are the reader's own state, like sessions: they are not events.
pub async fn mark_read(app: &App, actor: &Actor, id: i64) -> Result<Notification> {
    let mut c = app.db.acquire().await?;
    if !jobs::mark_read(&mut c, actor.id(), id).await? {
        return Err(Error::NotFound);
    }
    jobs::notification(&mut c, actor.id(), id)
        .await?
        .ok_or(Error::NotFound)
}

/// Marks all the caller's notices read; how many were unread.
pub async fn mark_all_read(app: &App, actor: &Actor) -> Result<u64> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::mark_all_read(&mut c, actor.id()).await?)
}

// ---- email addresses ----

/// A user's address for notices by email; `null` or empty to send none. Serialized as
/// the audit log's snapshot of it.
#[derive(Debug, Clone, Serialize)]
pub struct EmailInput {
    pub email: Option<String>,
}

/// A plausible address: `local@domain.tld`, no spaces, at most 254 characters.
fn check_email(email: &str) -> Result<()> {
    let ok = email.len() <= 254
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"\\".contains(c))
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "email",
            format!("邮箱地址（email）格式不正确：“{email}”，应如 zhangsan@example.gov.cn"),
        ))
    }
}

/// The user's address for notices by email (the user themself or an administrator).
pub async fn email(app: &App, actor: &Actor, user_id: i64) -> Result<EmailInput> {
    if user_id != actor.id() {
        actor.require(actor.role == Role::Admin, "查看他人的邮箱地址")?;
    }
    let mut c = app.db.acquire().await?;
    org::user(&mut c, user_id).await?.ok_or(Error::NotFound)?;
    Ok(EmailInput {
        email: jobs::user_email(&mut c, user_id).await?,
    })
}

/// Sets (or with `None` or "" removes) the address the user's notices are also sent to
/// by email; the user themself or an administrator. Audited as a `user` event.
pub async fn set_email(
    app: &App,
    actor: &Actor,
    user_id: i64,
    input: &EmailInput,
) -> Result<EmailInput> {
    if user_id != actor.id() {
        actor.require(actor.role == Role::Admin, "设置他人的邮箱地址")?;
    }
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(e) = email {
        check_email(e)?;
    }
    let mut tx = Tx::begin(app).await?;
    org::user(tx.conn(), user_id)
        .await?
        .ok_or(Error::NotFound)?;
    let before = EmailInput {
        email: jobs::user_email(tx.conn(), user_id).await?,
    };
    let after = EmailInput {
        email: email.map(str::to_string),
    };
    if before.email != after.email {
        jobs::set_user_email(tx.conn(), user_id, email).await?;
        tx.record(
            Some(actor),
            "user",
            user_id,
            "set_email",
            Some(&before),
            Some(&after),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}

// ---- group robots ----

/// One robot of a unit as an administrator sets it.
#[derive(Debug, Clone)]
pub struct WebhookInput {
    /// `wecom` (企业微信) or `dingtalk` (钉钉)
    pub kind: String,
    /// the robot's address, `http://…` or `https://…`
    pub url: String,
}

/// The whole set of a unit's robots (replaces the earlier set).
#[derive(Debug, Clone)]
pub struct WebhooksInput {
    pub webhooks: Vec<WebhookInput>,
}

/// Checks one robot; `i` is its place in the list (from 0).
fn check_webhook(i: usize, w: &WebhookInput) -> Result<(WebhookKind, String)> {
    let n = i + 1;
    let kind = w.kind.trim();
    let Some(kind) = WebhookKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == kind)
    else {
        return Err(Error::invalid(
            &format!("webhooks[{i}].kind"),
            format!("第{n}个群机器人的类型（kind）须为 wecom（企业微信）或 dingtalk（钉钉），不认识“{kind}”"),
        ));
    };
    let url = w.url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| !h.is_empty())
        && url.len() <= 1000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(Error::invalid(
            &format!("webhooks[{i}].url"),
            format!(
                "第{n}个群机器人的地址（url）须以 http:// 或 https:// 开头、含主机名且不含空格"
            ),
        ));
    }
    Ok((kind, url.to_string()))
}

async fn admin_unit(
    tx_or_conn: &mut fenglai_store::Conn,
    actor: &Actor,
    unit_id: i64,
) -> Result<()> {
    actor.require(actor.role == Role::Admin, "设置单位的群机器人")?;
    org::unit(tx_or_conn, unit_id)
        .await?
        .ok_or(Error::NotFound)
        .map(|_| ())
}

/// A unit's robots, active first (administrators only).
pub async fn webhooks(app: &App, actor: &Actor, unit_id: i64) -> Result<Vec<Webhook>> {
    let mut c = app.db.acquire().await?;
    admin_unit(&mut c, actor, unit_id).await?;
    Ok(jobs::webhooks(&mut c, unit_id).await?)
}

/// Sets a unit's robots to exactly `input` (administrators only). A robot already there
/// keeps its id (and is made active again if it was removed); one left out is made
/// inactive, never deleted. Audited as one `unit_webhooks` event of the unit.
pub async fn set_webhooks(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    input: &WebhooksInput,
) -> Result<Vec<Webhook>> {
    actor.require(actor.role == Role::Admin, "设置单位的群机器人")?;
    if input.webhooks.len() > 20 {
        return Err(Error::invalid("webhooks", "每个单位最多设置20个群机器人"));
    }
    let mut wanted: Vec<(WebhookKind, String)> = Vec::new();
    for (i, w) in input.webhooks.iter().enumerate() {
        let kw = check_webhook(i, w)?;
        if wanted.contains(&kw) {
            return Err(Error::invalid(
                &format!("webhooks[{i}].url"),
                format!("第{}个群机器人与前面的重复", i + 1),
            ));
        }
        wanted.push(kw);
    }
    let mut tx = Tx::begin(app).await?;
    admin_unit(tx.conn(), actor, unit_id).await?;
    let before = jobs::webhooks(tx.conn(), unit_id).await?;
    for h in &before {
        let keep = wanted.iter().any(|(k, u)| *k == h.kind && *u == h.url);
        if keep != h.active {
            jobs::set_webhook_active(tx.conn(), h.id, keep).await?;
        }
    }
    for (kind, url) in &wanted {
        if !before.iter().any(|h| h.kind == *kind && h.url == *url) {
            jobs::insert_webhook(tx.conn(), unit_id, *kind, url).await?;
        }
    }
    let after = jobs::webhooks(tx.conn(), unit_id).await?;
    if after != before {
        tx.record(
            Some(actor),
            "unit_webhooks",
            unit_id,
            "set",
            Some(&before),
            Some(&after),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(kind: &str, url: &str) -> WebhookInput {
        WebhookInput {
            kind: kind.into(),
            url: url.into(),
        }
    }

    #[test]
    fn email_checks() {
        assert!(check_email("zhangsan@example.gov.cn").is_ok());
        for bad in [
            "zhangsan", "a@b", "@b.cn", "a b@c.cn", "a@b.cn.", "a@@b.cn", "<a@b.cn>",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn webhook_checks() {
        assert!(check_webhook(
            0,
            &hook(
                "wecom",
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
            )
        )
        .is_ok());
        assert!(check_webhook(0, &hook("dingtalk", "http://10.0.0.5:8080/robot")).is_ok());
        for (k, u, field) in [
            ("feishu", "https://a.b/", "webhooks[0].kind"),
            ("wecom", "ftp://a.b/", "webhooks[0].url"),
            ("wecom", "https://", "webhooks[0].url"),
            ("wecom", "https://a b/", "webhooks[0].url"),
            ("wecom", "qyapi.weixin.qq.com", "webhooks[0].url"),
        ] {
            match check_webhook(0, &hook(k, u)) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{k} {u}"),
                other => panic!("{k} {u}: {other:?}"),
            }
        }
    }
}
