//! Pre-review (预审): panels with weighted criteria and rules, blind scoring by each
//! member, deadlines in working days, and the decision — 入库, 未通过 or 补充材料 —
//! recorded with every score.

use crate::access::{reach, Access};
use crate::audit::Tx;
use crate::leads::AdmitInput;
use crate::redlines::{self, Report};
use crate::{today, Actor, App, Error, Result};
use fenglai_domain::review::{
    self as rules, Criterion as RuleCriterion, Outcome, Rules, Scorecard,
};
use fenglai_domain::{LeadStatus, Role};
use fenglai_store::leads::{self as lead_store, Lead};
use fenglai_store::review::{self as store, Card, Criterion, Member, Panel, Review, ReviewFilter};
use fenglai_store::{org, projects::Project, Conn, Scope};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Panels

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PanelDetail {
    pub panel: Panel,
    pub members: Vec<Member>,
    pub criteria: Vec<Criterion>,
}

pub async fn panels(app: &App) -> Result<Vec<PanelDetail>> {
    let mut c = app.db.acquire().await?;
    let mut out = Vec::new();
    for p in store::panels(&mut c).await? {
        out.push(detail(&mut c, p).await?);
    }
    Ok(out)
}

async fn detail(c: &mut Conn, panel: Panel) -> Result<PanelDetail> {
    Ok(PanelDetail {
        members: store::members(c, panel.id).await?,
        criteria: store::criteria(c, panel.id).await?,
        panel,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub user_id: i64,
    /// 园区 / 要素部门 / 科研院所专家 / 企业专家
    #[serde(default)]
    pub affiliation: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    pub key: String,
    pub name: String,
    pub weight: i64,
    pub max_score: i64,
    pub veto_below: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelInput {
    pub unit_id: i64,
    pub name: String,
    /// 0-100; default 60
    pub pass_score: Option<i64>,
    /// scorecards needed; default: every member
    pub quorum: Option<i64>,
    /// working days to decide; default 5
    pub deadline_days: Option<i64>,
    pub members: Vec<MemberInput>,
    /// default: the "七评" criteria
    pub criteria: Option<Vec<CriterionInput>>,
}

fn check_criteria(list: &[CriterionInput]) -> Result<Vec<RuleCriterion>> {
    if list.is_empty() {
        return Err(Error::invalid("criteria", "至少设置一项评审指标"));
    }
    let mut out: Vec<RuleCriterion> = Vec::new();
    for c in list {
        let key = c.key.trim();
        if key.is_empty()
            || key.len() > 30
            || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Err(Error::invalid(
                "criteria",
                format!("指标键“{key}”应为1到30个英文字母、数字或下划线"),
            ));
        }
        if out.iter().any(|o| o.key == key) {
            return Err(Error::invalid("criteria", format!("指标键“{key}”重复")));
        }
        let name = c.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err(Error::invalid("criteria", "指标名称须为1到30个字"));
        }
        if !(1..=1000).contains(&c.weight) {
            return Err(Error::invalid(
                "criteria",
                format!("“{name}”的权重应为1到1000之间的整数"),
            ));
        }
        if !(1..=100).contains(&c.max_score) {
            return Err(Error::invalid(
                "criteria",
                format!("“{name}”的满分应为1到100之间的整数"),
            ));
        }
        if c.veto_below
            .is_some_and(|v| !(1..=c.max_score).contains(&v))
        {
            return Err(Error::invalid(
                "criteria",
                format!("“{name}”的否决线应在1到满分之间"),
            ));
        }
        out.push(RuleCriterion {
            key: key.into(),
            name: name.into(),
            weight: c.weight,
            max_score: c.max_score,
            veto_below: c.veto_below,
        });
    }
    Ok(out)
}

fn default_criteria() -> Vec<CriterionInput> {
    rules::DEFAULT_CRITERIA
        .iter()
        .map(|(k, n, w, m, v)| CriterionInput {
            key: k.to_string(),
            name: n.to_string(),
            weight: *w,
            max_score: *m,
            veto_below: *v,
        })
        .collect()
}

/// Creates (`id` None) or replaces a panel. Admins only; `actor` None for the demo.
pub async fn save_panel(
    app: &App,
    actor: Option<&Actor>,
    id: Option<i64>,
    input: &PanelInput,
) -> Result<PanelDetail> {
    if let Some(a) = actor {
        a.require(a.role == Role::Admin, "设置预审专班")?;
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Error::invalid("name", "专班名称须为1到60个字"));
    }
    let pass_score = input.pass_score.unwrap_or(60);
    if !(0..=100).contains(&pass_score) {
        return Err(Error::invalid("pass_score", "通过分数线应为0到100"));
    }
    if input.members.is_empty() {
        return Err(Error::invalid("members", "专班至少需要一名成员"));
    }
    let quorum = input.quorum.unwrap_or(input.members.len() as i64);
    if !(1..=input.members.len() as i64).contains(&quorum) {
        return Err(Error::invalid(
            "quorum",
            format!("法定人数应为1到成员数（{}）之间", input.members.len()),
        ));
    }
    let deadline_days = input.deadline_days.unwrap_or(5);
    if !(1..=60).contains(&deadline_days) {
        return Err(Error::invalid("deadline_days", "预审期限应为1到60个工作日"));
    }
    let criteria = check_criteria(input.criteria.as_deref().unwrap_or(&default_criteria()))?;
    let mut tx = Tx::begin(app).await?;
    if org::unit(tx.conn(), input.unit_id).await?.is_none() {
        return Err(Error::invalid("unit_id", "单位不存在"));
    }
    let mut members = Vec::new();
    for m in &input.members {
        if org::user(tx.conn(), m.user_id).await?.is_none() {
            return Err(Error::invalid(
                "members",
                format!("用户 {} 不存在", m.user_id),
            ));
        }
        if members.iter().any(|(u, _)| *u == m.user_id) {
            return Err(Error::invalid("members", "成员重复"));
        }
        members.push((m.user_id, m.affiliation.trim().to_string()));
    }
    let new = store::NewPanel {
        unit_id: input.unit_id,
        name,
        pass_score,
        quorum,
        deadline_days,
    };
    let (id, before) = match id {
        Some(id) => {
            let before = store::panel(tx.conn(), id).await?.ok_or(Error::NotFound)?;
            let before = detail(tx.conn(), before).await?;
            store::update_panel(tx.conn(), id, &new).await?;
            (id, Some(before))
        }
        None => (store::insert_panel(tx.conn(), &new).await?, None),
    };
    store::set_members(tx.conn(), id, &members).await?;
    store::set_criteria(tx.conn(), id, &criteria).await?;
    let panel = store::panel(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    let after = detail(tx.conn(), panel).await?;
    tx.record(
        actor,
        "panel",
        id,
        if before.is_some() { "update" } else { "create" },
        before.as_ref(),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------
// Reviews

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    pub panel_id: i64,
}

/// Sends a lead to a panel: it goes 预审中 with a deadline in working days.
pub async fn open(app: &App, actor: &Actor, lead_id: i64, input: &OpenInput) -> Result<Review> {
    let mut tx = Tx::begin(app).await?;
    let lead = lead_store::get(tx.conn(), lead_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        matches!(actor.role, Role::Admin | Role::Promoter),
        "提交预审",
    )?;
    if lead.status != LeadStatus::PendingReview {
        return Err(Error::Conflict(format!(
            "线索状态为“{}”，只有待预审的线索可以提交预审",
            lead.status.label()
        )));
    }
    let panel = store::panel(tx.conn(), input.panel_id)
        .await?
        .filter(|p| p.active == 1)
        .ok_or_else(|| Error::invalid("panel_id", "预审专班不存在"))?;
    let due = rules::add_working_days(today(), panel.deadline_days).to_string();
    let id = store::insert_review(tx.conn(), lead.id, panel.id, actor.id(), &due).await?;
    lead_store::set_status(tx.conn(), lead.id, LeadStatus::InReview, None).await?;
    let review = store::review(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "review", id, "open", None, Some(&review))
        .await?;
    tx.record(
        Some(actor),
        "lead",
        lead.id,
        "review",
        Some(&serde_json::json!({"status": lead.status})),
        Some(&serde_json::json!({"status": "in_review", "review_id": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(review)
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Score {
    pub key: String,
    pub name: String,
    pub score: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CardView {
    pub user_id: i64,
    pub display_name: String,
    pub scores: Vec<Score>,
    /// this member's weighted score, 0-100
    pub weighted: f64,
    pub comment: Option<String>,
    pub submitted_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MemberStatus {
    pub user_id: i64,
    pub display_name: String,
    pub affiliation: String,
    pub submitted: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeView {
    /// awaiting_quorum, pass, fail, vetoed
    pub code: String,
    pub label: String,
    pub score: Option<f64>,
}

/// A review as one caller may see it: others' scores stay hidden from a member
/// until they submit their own, and from everyone else until the quorum is reached (the
/// web layer gives it its wire form).
#[derive(Debug, Clone)]
pub struct ReviewView {
    pub review: Review,
    pub lead: Lead,
    pub panel: Panel,
    pub criteria: Vec<Criterion>,
    pub members: Vec<MemberStatus>,
    pub cards: Vec<CardView>,
    /// true when scores exist that this caller may not see yet
    pub scores_hidden: bool,
    /// what the rules say (only when the scores are visible)
    pub outcome: Option<OutcomeView>,
    pub redlines: Report,
    pub is_member: bool,
    pub has_submitted: bool,
    pub may_decide: bool,
    pub overdue: bool,
}

fn card_view(card: &Card, criteria: &[RuleCriterion]) -> CardView {
    let scores: Vec<Score> = serde_json::from_str(&card.scores_json).unwrap_or_default();
    let sc = Scorecard {
        member: card.display_name.clone(),
        scores: scores.iter().map(|s| (s.key.clone(), s.score)).collect(),
    };
    CardView {
        user_id: card.user_id,
        display_name: card.display_name.clone(),
        weighted: (rules::card_score(criteria, &sc) * 10.0).round() / 10.0,
        scores,
        comment: card.comment.clone(),
        submitted_at: card.submitted_at.clone(),
    }
}

fn rule_criteria(list: &[Criterion]) -> Vec<RuleCriterion> {
    list.iter()
        .map(|c| RuleCriterion {
            key: c.key.clone(),
            name: c.name.clone(),
            weight: c.weight,
            max_score: c.max_score,
            veto_below: c.veto_below,
        })
        .collect()
}

/// Evaluates submitted cards by the criteria copied into them.
fn outcome_of(panel: &Panel, criteria: &[RuleCriterion], cards: &[Card]) -> Outcome {
    let sc: Vec<Scorecard> = cards
        .iter()
        .map(|c| Scorecard {
            member: c.display_name.clone(),
            scores: serde_json::from_str::<Vec<Score>>(&c.scores_json)
                .unwrap_or_default()
                .into_iter()
                .map(|s| (s.key, s.score))
                .collect(),
        })
        .collect();
    rules::evaluate(
        criteria,
        Rules {
            pass_score: panel.pass_score,
            quorum: panel.quorum,
        },
        &sc,
    )
}

/// The review if the caller may see it: a member of its panel, or someone who
/// reaches its lead.
async fn reach_review(c: &mut Conn, actor: &Actor, id: i64) -> Result<(Review, Lead, Access)> {
    let review = store::review(c, id).await?.ok_or(Error::NotFound)?;
    let (lead, access) = reach(c, actor, review.lead_id).await?;
    Ok((review, lead, access))
}

pub async fn view(app: &App, actor: &Actor, id: i64) -> Result<ReviewView> {
    let mut c = app.db.acquire().await?;
    view_in(&mut c, actor, id).await
}

async fn view_in(c: &mut Conn, actor: &Actor, id: i64) -> Result<ReviewView> {
    let (review, lead, access) = reach_review(c, actor, id).await?;
    let panel = store::panel(c, review.panel_id)
        .await?
        .ok_or(Error::NotFound)?;
    let criteria = store::criteria(c, panel.id).await?;
    let rc = rule_criteria(&criteria);
    let members = store::members(c, panel.id).await?;
    let cards = store::cards(c, review.id).await?;
    let is_member = members.iter().any(|m| m.user_id == actor.id());
    let has_submitted = cards.iter().any(|k| k.user_id == actor.id());
    let outcome = outcome_of(&panel, &rc, &cards);
    let quorum_reached = !matches!(outcome, Outcome::AwaitingQuorum { .. });
    let visible = review.status == "decided"
        || if is_member {
            has_submitted
        } else {
            quorum_reached
        };
    let shown: Vec<CardView> = cards
        .iter()
        .filter(|k| visible || k.user_id == actor.id())
        .map(|k| card_view(k, &rc))
        .collect();
    let may_decide = access == Access::Scope
        && matches!(actor.role, Role::Admin | Role::Promoter)
        && review.status != "decided";
    let redlines = redlines::report_in(c, &lead, None).await?;
    Ok(ReviewView {
        members: members
            .iter()
            .map(|m| MemberStatus {
                user_id: m.user_id,
                display_name: m.display_name.clone(),
                affiliation: m.affiliation.clone(),
                submitted: cards.iter().any(|k| k.user_id == m.user_id),
            })
            .collect(),
        scores_hidden: shown.len() < cards.len(),
        outcome: visible.then(|| OutcomeView {
            code: outcome.code().into(),
            label: outcome.label(),
            score: outcome.score(),
        }),
        cards: shown,
        overdue: review.status != "decided" && review.due_date < today().to_string(),
        review,
        lead,
        panel,
        criteria,
        redlines,
        is_member,
        has_submitted,
        may_decide,
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardInput {
    /// criterion key → score
    pub scores: std::collections::BTreeMap<String, i64>,
    pub comment: Option<String>,
}

/// A member submits their scores, once.
pub async fn submit(app: &App, actor: &Actor, id: i64, input: &CardInput) -> Result<ReviewView> {
    let mut tx = Tx::begin(app).await?;
    let review = store::review(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    let members = store::members(tx.conn(), review.panel_id).await?;
    if !members.iter().any(|m| m.user_id == actor.id()) {
        // not on the panel: as if the review were not there, unless they reach the lead
        reach(tx.conn(), actor, review.lead_id).await?;
        return Err(Error::Forbidden("只有本专班成员可以评分".into()));
    }
    if review.status != "open" {
        return Err(Error::Conflict(if review.status == "decided" {
            "预审已作出决定，不能再评分".into()
        } else {
            "预审在等待补充材料，补充后重新开启才能评分".into()
        }));
    }
    let criteria = store::criteria(tx.conn(), review.panel_id).await?;
    let rc = rule_criteria(&criteria);
    let pairs: Vec<(String, i64)> = input.scores.iter().map(|(k, v)| (k.clone(), *v)).collect();
    rules::check_card(&rc, &pairs).map_err(|m| Error::invalid("scores", m))?;
    let comment = input
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if comment.is_some_and(|c| c.chars().count() > 2000) {
        return Err(Error::invalid("comment", "评审意见不能超过2000个字"));
    }
    let scores: Vec<Score> = rc
        .iter()
        .map(|c| Score {
            key: c.key.clone(),
            name: c.name.clone(),
            score: input.scores[&c.key],
        })
        .collect();
    let json = serde_json::to_string(&scores).unwrap_or_default();
    let card_id = store::insert_card(tx.conn(), review.id, actor.id(), &json, comment)
        .await
        .map_err(|e| match e {
            fenglai_store::StoreError::Conflict(_) => {
                Error::Conflict("您已提交过评分，不能重复提交".into())
            }
            other => other.into(),
        })?;
    tx.record::<(), _>(
        Some(actor),
        "review",
        review.id,
        "score",
        None,
        Some(&serde_json::json!({"card_id": card_id, "scores": scores, "comment": comment})),
    )
    .await?;
    let v = view_in(tx.conn(), actor, id).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// admit (入库), reject (未通过), more_info (补充材料)
    pub decision: String,
    /// required for reject and more_info
    pub reason: Option<String>,
    /// on admit: the receiving park (defaults to the park that accepted the lead)
    pub park_id: Option<i64>,
    /// on admit: 环评类别 if the lead lacks one
    pub env_category: Option<String>,
}

/// What a decision did (the web layer gives it its wire form).
#[derive(Debug, Clone)]
pub struct DecisionResult {
    pub review: ReviewView,
    /// the project created on admit
    pub project: Option<Project>,
}

/// Records the panel's decision with every score. Admission needs the quorum, a
/// passing outcome and no unlifted red line; rejection needs the quorum and a reason.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DecisionInput,
) -> Result<DecisionResult> {
    let mut tx = Tx::begin(app).await?;
    let (review, lead, access) = reach_review(tx.conn(), actor, id).await?;
    actor.require(
        access == Access::Scope && matches!(actor.role, Role::Admin | Role::Promoter),
        "作出预审决定",
    )?;
    if review.status == "decided" {
        return Err(Error::Conflict("该预审已作出决定".into()));
    }
    let panel = store::panel(tx.conn(), review.panel_id)
        .await?
        .ok_or(Error::NotFound)?;
    let rc = rule_criteria(&store::criteria(tx.conn(), panel.id).await?);
    let cards = store::cards(tx.conn(), review.id).await?;
    let outcome = outcome_of(&panel, &rc, &cards);
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 1000) {
        return Err(Error::invalid("reason", "理由不能超过1000个字"));
    }
    let mut project = None;
    let (status, decision) = match input.decision.trim() {
        "admit" | "入库" => {
            match &outcome {
                Outcome::Pass { .. } => {}
                o => {
                    return Err(Error::Conflict(format!(
                        "预审结果未通过，不能入库：{}",
                        o.label()
                    )))
                }
            }
            let admit = AdmitInput {
                park_id: input.park_id,
                env_category: input.env_category.clone(),
                ..Default::default()
            };
            project = Some(crate::leads::admit_in(&mut tx, actor, lead.clone(), &admit).await?);
            ("decided", "admit")
        }
        "reject" | "未通过" => {
            if let Outcome::AwaitingQuorum { .. } = outcome {
                return Err(Error::Conflict(format!(
                    "尚不能作出决定：{}",
                    outcome.label()
                )));
            }
            if reason.is_none() {
                return Err(Error::invalid("reason", "请写明未通过的理由"));
            }
            lead_store::set_status(tx.conn(), lead.id, LeadStatus::Rejected, None).await?;
            tx.record(
                Some(actor),
                "lead",
                lead.id,
                "reject",
                Some(&serde_json::json!({"status": lead.status})),
                Some(&serde_json::json!({"status": "rejected", "reason": reason})),
            )
            .await?;
            ("decided", "reject")
        }
        "more_info" | "补充材料" => {
            if reason.is_none() {
                return Err(Error::invalid("reason", "请写明需要补充的材料"));
            }
            ("more_info", "more_info")
        }
        other => {
            return Err(Error::invalid(
                "decision",
                format!(
                "决定“{other}”不对：应为 admit（入库）、reject（未通过）或 more_info（补充材料）"
            ),
            ))
        }
    };
    store::decide(
        tx.conn(),
        review.id,
        &store::Decision {
            status,
            decision,
            reason,
            outcome: outcome.code(),
            score: outcome.score(),
            by: actor.id(),
        },
    )
    .await?;
    let after = store::review(tx.conn(), review.id).await?;
    let scores: Vec<CardView> = cards.iter().map(|k| card_view(k, &rc)).collect();
    tx.record(
        Some(actor),
        "review",
        review.id,
        "decide",
        Some(&review),
        Some(&serde_json::json!({"review": after, "outcome": outcome.label(), "cards": scores})),
    )
    .await?;
    let v = view_in(tx.conn(), actor, id).await?;
    tx.commit().await?;
    Ok(DecisionResult { review: v, project })
}

/// Reopens a review that asked for more material, with a fresh deadline.
pub async fn reopen(app: &App, actor: &Actor, id: i64) -> Result<ReviewView> {
    let mut tx = Tx::begin(app).await?;
    let (review, _, access) = reach_review(tx.conn(), actor, id).await?;
    actor.require(
        access == Access::Scope && matches!(actor.role, Role::Admin | Role::Promoter),
        "重新开启预审",
    )?;
    if review.status != "more_info" {
        return Err(Error::Conflict("只有等待补充材料的预审可以重新开启".into()));
    }
    let panel = store::panel(tx.conn(), review.panel_id)
        .await?
        .ok_or(Error::NotFound)?;
    let due = rules::add_working_days(today(), panel.deadline_days).to_string();
    store::reopen(tx.conn(), review.id, &due).await?;
    tx.record(
        Some(actor),
        "review",
        review.id,
        "reopen",
        Some(&review),
        Some(&serde_json::json!({"status": "open", "due_date": due})),
    )
    .await?;
    let v = view_in(tx.conn(), actor, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// A reminder (催办) to the members who have not scored an open review.
pub async fn remind(app: &App, actor: &Actor, id: i64) -> Result<Vec<MemberStatus>> {
    let mut tx = Tx::begin(app).await?;
    let (review, _, access) = reach_review(tx.conn(), actor, id).await?;
    actor.require(
        access == Access::Scope
            && matches!(actor.role, Role::Admin | Role::Promoter | Role::Leader),
        "催办预审",
    )?;
    if review.status != "open" {
        return Err(Error::Conflict("只有进行中的预审可以催办".into()));
    }
    let cards = store::cards(tx.conn(), review.id).await?;
    let waiting: Vec<MemberStatus> = store::members(tx.conn(), review.panel_id)
        .await?
        .into_iter()
        .filter(|m| !cards.iter().any(|k| k.user_id == m.user_id))
        .map(|m| MemberStatus {
            user_id: m.user_id,
            display_name: m.display_name,
            affiliation: m.affiliation,
            submitted: false,
        })
        .collect();
    store::mark_reminded(tx.conn(), review.id).await?;
    tx.record::<(), _>(
        Some(actor),
        "review",
        review.id,
        "remind",
        None,
        Some(
            &serde_json::json!({"members": waiting.iter().map(|m| m.user_id).collect::<Vec<_>>()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(waiting)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// "true": open reviews past their deadline only
    pub overdue: Option<String>,
    /// "true": only reviews on panels the caller sits on that still await their score
    pub mine: Option<String>,
    /// "true": open reviews only
    pub open: Option<String>,
}

fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("true" | "1" | "yes"))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    #[serde(flatten)]
    pub review: Review,
    pub overdue: bool,
    /// whether the caller has scored it (for members)
    pub scored: bool,
    pub reminded: bool,
}

/// Reviews the caller may see: a member's panels' reviews; otherwise the reviews
/// of leads in scope.
pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<Vec<ReviewItem>> {
    let mut c = app.db.acquire().await?;
    let mine = store::panels_of(&mut c, actor.id()).await?;
    let member_view = flag(&q.mine) || (actor.role == Role::Reviewer);
    let today = today().to_string();
    let f = ReviewFilter {
        panels: member_view.then(|| mine.clone()),
        open: flag(&q.open) || flag(&q.mine),
        overdue_on: flag(&q.overdue).then(|| today.clone()),
    };
    let scope = if member_view {
        Scope::All
    } else {
        actor.scope.clone()
    };
    let scored_ids = store::scored_by(&mut c, actor.id()).await?;
    Ok(store::reviews(&mut c, &f, &scope)
        .await?
        .into_iter()
        .map(|r| ReviewItem {
            overdue: r.status != "decided" && r.due_date < today,
            scored: scored_ids.contains(&r.id),
            reminded: r.reminded_at.is_some(),
            review: r,
        })
        .filter(|i| !(flag(&q.mine) && i.scored))
        .collect())
}

/// Reviews of one lead, for its page.
pub async fn of_lead(app: &App, actor: &Actor, lead_id: i64) -> Result<Vec<Review>> {
    let mut c = app.db.acquire().await?;
    reach(&mut c, actor, lead_id).await?;
    Ok(store::reviews_of_lead(&mut c, lead_id).await?)
}
