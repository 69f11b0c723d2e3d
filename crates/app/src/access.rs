//! Who reaches which lead and who may work on which project: the rules the features
//! share (leads, review, red lines, merges, routing; projects, milestones, evidence,
//! requests, monthly figures), kept apart from any one of them so that none depends on
//! another for them.

use crate::{Actor, Error, Result};
use fenglai_store::leads::{self as lead_store, Lead};
use fenglai_store::projects::{self, Project};
use fenglai_store::Conn;

/// How a caller reaches a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// In the caller's scope: every field.
    Scope,
    /// Before a panel the caller sits on: the investor's contact details withheld.
    Panel,
    /// Sent to the caller's park: contact details only once the park accepted it.
    Routed { accepted: bool },
}

/// The lead if the caller may see it — in scope, before one of their panels, or
/// sent to their park — with the investor's contact withheld from those who do not
/// need it. Anything else is [`Error::NotFound`].
pub async fn reach(c: &mut Conn, actor: &Actor, id: i64) -> Result<(Lead, Access)> {
    if let Some(l) = lead_store::get(c, id, &actor.scope).await? {
        return Ok((l, Access::Scope));
    }
    let mut lead = lead_store::get(c, id, &fenglai_store::Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    let access = if fenglai_store::review::is_member_for_lead(c, actor.id(), id).await? {
        Access::Panel
    } else if let fenglai_store::Scope::Subtree(path) = &actor.scope {
        let routed = fenglai_store::routing::of_lead(c, id).await?;
        let mine: Vec<_> = routed
            .iter()
            .filter(|r| r.park_path.starts_with(path.as_str()))
            .collect();
        if mine.is_empty() {
            return Err(Error::NotFound);
        }
        Access::Routed {
            accepted: mine.iter().any(|r| r.status == "accepted"),
        }
    } else {
        return Err(Error::NotFound);
    };
    if !matches!(access, Access::Routed { accepted: true }) {
        lead.contact_name = lead.contact_name.map(|_| "（保密）".to_string());
        lead.contact_phone = lead.contact_phone.map(|_| "（保密）".to_string());
    }
    Ok((lead, access))
}

/// Whether the actor may work on the project (its plan, requests, evidence, figures):
/// those who manage projects, and the project's responsible person.
pub fn may_work_on(actor: &Actor, p: &Project) -> bool {
    actor.role.may_manage_projects() || p.responsible_user_id == Some(actor.id())
}

/// The project in the caller's scope (else 404), if the caller may work on it: those who
/// manage projects, and the project's responsible person (else 403, naming `what`).
pub async fn for_work(c: &mut Conn, actor: &Actor, id: i64, what: &str) -> Result<Project> {
    let p = projects::get(c, id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(may_work_on(actor, &p), what)?;
    not_merged(&p)?;
    Ok(p)
}

/// A project merged into another is kept for its history only: refused for any change.
pub fn not_merged(p: &Project) -> Result<()> {
    match p.merged_into {
        Some(into) => Err(Error::Conflict(format!(
            "项目 {} 已合并到项目 {into}：请在项目 {into} 上办理",
            p.id
        ))),
        None => Ok(()),
    }
}
