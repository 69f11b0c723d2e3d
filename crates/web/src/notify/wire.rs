//! The API's types of notices: the inbox, email addresses and group robots. Mapped from
//! store/app types; field names, order and doc comments are the OpenAPI document's.

use serde::{Deserialize, Serialize};

/// One notice in a user's inbox.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    /// a path in Fenglai, e.g. `/projects/12`
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<fenglai_store::jobs::Notification> for Notification {
    fn from(n: fenglai_store::jobs::Notification) -> Notification {
        Notification {
            id: n.id,
            user_id: n.user_id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at.to_string(),
            read_at: n.read_at.map(|t| t.to_string()),
        }
    }
}

/// The caller's inbox: unread first, at most 200.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub items: Vec<Notification>,
    pub unread: i64,
}

impl From<fenglai_app::notify::Inbox> for Inbox {
    fn from(i: fenglai_app::notify::Inbox) -> Inbox {
        Inbox {
            items: crate::wire::all(i.items),
            unread: i.unread,
        }
    }
}

/// A user's address for notices by email; `null` or empty to send none.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailInput {
    pub email: Option<String>,
}

impl From<fenglai_app::notify::EmailInput> for EmailInput {
    fn from(e: fenglai_app::notify::EmailInput) -> EmailInput {
        EmailInput { email: e.email }
    }
}

impl From<EmailInput> for fenglai_app::notify::EmailInput {
    fn from(e: EmailInput) -> Self {
        fenglai_app::notify::EmailInput { email: e.email }
    }
}

/// A unit's group robot.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub unit_id: i64,
    /// `wecom` (企业微信) or `dingtalk` (钉钉)
    pub kind: String,
    pub url: String,
    /// 1 active, 0 removed
    pub active: i64,
    pub created_at: String,
}

impl From<fenglai_store::jobs::Webhook> for Webhook {
    fn from(w: fenglai_store::jobs::Webhook) -> Webhook {
        Webhook {
            id: w.id,
            unit_id: w.unit_id,
            kind: w.kind.as_str().to_string(),
            url: w.url,
            active: w.active as i64,
            created_at: w.created_at.to_string(),
        }
    }
}

/// One robot of a unit as an administrator sets it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `wecom` (企业微信) or `dingtalk` (钉钉)
    pub kind: String,
    /// the robot's address, `http://…` or `https://…`
    pub url: String,
}

/// The whole set of a unit's robots (replaces the earlier set).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhooksInput {
    pub webhooks: Vec<WebhookInput>,
}

impl From<WebhooksInput> for fenglai_app::notify::WebhooksInput {
    fn from(i: WebhooksInput) -> Self {
        fenglai_app::notify::WebhooksInput {
            webhooks: i
                .webhooks
                .into_iter()
                .map(|w| fenglai_app::notify::WebhookInput {
                    kind: w.kind,
                    url: w.url,
                })
                .collect(),
        }
    }
}
