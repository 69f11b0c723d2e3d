//! 通报: a period's figures, rankings and named stalled projects and overdue requests,
//! published (frozen: figures, as-of moment and SHA-256 stored), regenerated as of their moment
//! to prove the numbers, and written as .xlsx and .docx. Also 三张清单 and the targets.

use crate::assess::{self, AssessFigures};
use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use chrono::{Datelike, NaiveDate};
use fenglai_domain::assess::{Measure, Metric, Scheme};
use fenglai_domain::{Moment, Role, Yuan};
use fenglai_ledger::{write_sheets_at, OutCell, SheetOut};
use fenglai_store::{assess as store, Scope};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Leaders and administrators set targets and schemes and publish bulletins.
pub fn may_steer(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Leader)
}

/// Who may read the live figures and rankings: every staff role, not informants or outside
/// reviewers. A published bulletin is 公示 and read by everyone signed in (`get`, `verify`,
/// `list` check no role).
pub fn may_read(role: Role) -> bool {
    !matches!(role, Role::Informant | Role::Reviewer)
}

fn read_check(actor: &Actor) -> Result<()> {
    actor.require(may_read(actor.role), "查看考核与通报")
}

fn steer_check(actor: &Actor, what: &str) -> Result<()> {
    actor.require(may_steer(actor.role), what)
}

/// A period's figures as of moment `as_of`: facts are recorded at instants, and a figure
/// counts what was known then, so the as-of is a [`Moment`] (a day given in a query is the
/// end of that day in Beijing time, see [`fenglai_domain::moment::as_of`]).
pub async fn figures(
    app: &App,
    actor: &Actor,
    period: &str,
    as_of: Moment,
) -> Result<AssessFigures> {
    read_check(actor)?;
    assess::compute(app, period, as_of).await
}

// ---------------------------------------------------------------- bulletins

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NamedStall {
    pub project_id: i64,
    pub project_name: String,
    pub unit_name: String,
    pub rule_label: String,
    pub stalled_days: i64,
    pub leader_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NamedRequest {
    pub request_id: i64,
    pub title: String,
    pub project_name: String,
    pub department_name: String,
    pub due_date: String,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema, Default)]
pub struct Named {
    /// the day the lists were read on
    pub on: String,
    pub stalled: Vec<NamedStall>,
    pub overdue_requests: Vec<NamedRequest>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulletinView {
    /// absent for a draft (not published)
    pub id: Option<i64>,
    pub title: String,
    pub period: String,
    #[schema(value_type = String)]
    pub as_of: Moment,
    pub published_at: Option<String>,
    /// SHA-256 of the figures' JSON
    pub hash: String,
    pub figures: AssessFigures,
    pub named: Named,
    /// the cover text (seed 003 style)
    pub cover: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub id: i64,
    #[schema(value_type = String)]
    pub as_of: Moment,
    pub stored_hash: String,
    pub recomputed_hash: String,
    /// the figures computed again as of the bulletin's moment are byte-identical
    pub identical: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// period code: 2025-03, 2025-03-x1, 2025-q1, 2025-h1, 2025, c12 (a competition)
    pub period: String,
    /// defaults to "<period>招商引资工作通报"
    pub title: Option<String>,
}

fn hash(figures_json: &str) -> String {
    hex::encode(Sha256::digest(figures_json.as_bytes()))
}

fn to_json(f: &AssessFigures) -> Result<String> {
    serde_json::to_string(f).map_err(|e| Error::Internal(e.to_string()))
}

/// How many stalled projects and overdue requests a bulletin names at most.
const NAMED: usize = 50;

/// The stalled projects and overdue requests on a day, named.
pub async fn named_on(app: &App, on: NaiveDate) -> Result<Named> {
    let all = city_reader();
    let q = crate::delivery::milestones::StallQuery::default();
    let stalls = crate::delivery::milestones::stalled_first(app, &all, &q, on, Some(NAMED)).await?;
    let board = crate::delivery::requests::board(app, &all, on).await?;
    Ok(Named {
        on: on.to_string(),
        stalled: stalls
            .items
            .into_iter()
            .map(|s| NamedStall {
                project_id: s.project.project_id,
                project_name: s.project.project_name,
                unit_name: s.project.reporting_unit_name,
                rule_label: s.rule_label,
                stalled_days: s.stalled_days,
                leader_name: s.project.responsible_leader_name,
            })
            .collect(),
        overdue_requests: board
            .items
            .into_iter()
            .filter(|e| e.overdue)
            .take(NAMED)
            .map(|e| NamedRequest {
                request_id: e.item.request_id,
                title: e.item.title,
                project_name: e.item.project_name,
                department_name: e.item.department_name,
                due_date: e.item.due_date,
                days_overdue: e.days_overdue,
            })
            .collect(),
    })
}

/// A reader that sees everything, for the named lists of a city-wide bulletin and the cockpit.
pub fn city_reader() -> Actor {
    Actor {
        user: fenglai_store::org::User {
            id: 0,
            username: String::new(),
            display_name: "通报".into(),
            role: Role::Leader,
            unit_id: 0,
            unit_name: String::new(),
            phone: None,
            password_hash: String::new(),
            active: true,
        },
        role: Role::Leader,
        scope: Scope::All,
    }
}

fn named_day(f: &AssessFigures) -> NaiveDate {
    let end = NaiveDate::parse_from_str(&f.end, "%Y-%m-%d").unwrap_or_else(|_| crate::today());
    end.min(crate::today())
}

/// A draft: the period's figures as of now, not stored. A draft is read by those who may
/// publish it (leaders, administrators): it is live data, and names stalled projects and
/// overdue requests city-wide; everyone else reads a bulletin once it is published (公示).
pub async fn draft(app: &App, actor: &Actor, period: &str) -> Result<BulletinView> {
    steer_check(actor, "查看通报草稿")?;
    let clock = std::time::Instant::now();
    let figures = assess::compute(app, period, Moment::now()).await?;
    let computed = clock.elapsed().as_millis();
    let named = named_on(app, named_day(&figures)).await?;
    let listed = clock.elapsed().as_millis();
    let json = to_json(&figures)?;
    let view = view(None, None, None, &json, figures, named);
    tracing::debug!(
        "draft: figures {computed} ms, named lists at {listed} ms, the page's data at {} ms",
        clock.elapsed().as_millis()
    );
    Ok(view)
}

fn view(
    id: Option<i64>,
    title: Option<String>,
    published_at: Option<String>,
    json: &str,
    figures: AssessFigures,
    named: Named,
) -> BulletinView {
    let title = title.unwrap_or_else(|| default_title(&figures));
    BulletinView {
        id,
        title,
        period: figures.period.clone(),
        as_of: figures.as_of,
        published_at,
        hash: hash(json),
        cover: cover(&figures, &named),
        figures,
        named,
    }
}

fn default_title(f: &AssessFigures) -> String {
    format!("{}招商引资工作通报", f.period_label)
}

/// Publishes: computes the figures as of now, stores them with their hash and the named
/// lists, in one audited transaction.
pub async fn publish(app: &App, actor: &Actor, input: &PublishInput) -> Result<BulletinView> {
    steer_check(actor, "发布通报")?;
    let title = input
        .title
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if title.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(Error::invalid("title", "标题不能超过100个字"));
    }
    let t = settled_now(app).await?;
    let figures = assess::compute(app, &input.period, t).await?;
    let named = named_on(app, named_day(&figures)).await?;
    let json = to_json(&figures)?;
    let named_json = serde_json::to_string(&named).map_err(|e| Error::Internal(e.to_string()))?;
    let title = title.unwrap_or_else(|| default_title(&figures));
    let h = hash(&json);
    let mut tx = Tx::begin(app).await?;
    let id = store::insert_bulletin(
        tx.conn(),
        &figures.period,
        &title,
        t,
        &json,
        &named_json,
        &h,
        actor.id(),
    )
    .await?;
    #[derive(Serialize)]
    struct Published<'a> {
        period: &'a str,
        title: &'a str,
        as_of: Moment,
        hash: &'a str,
    }
    tx.record::<(), _>(
        Some(actor),
        "bulletin",
        id,
        "publish",
        None,
        Some(&Published {
            period: &figures.period,
            title: &title,
            as_of: t,
            hash: &h,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(view(
        Some(id),
        Some(title),
        Some(t.to_string()),
        &json,
        figures,
        named,
    ))
}

/// The moment a bulletin is frozen at, taken while holding the event-chain head. Every write
/// holds the head from its first statement to its commit and stamps its rows in between, so
/// when the head is ours every write stamped before this moment has committed, and every
/// later one will be stamped after it. Taken without the head, a write in flight (an import
/// of a few hundred rows takes a fraction of a second) could be stamped before the moment
/// yet commit after the figures were read: left out of the published figures, counted in
/// when they are recomputed, and the bulletin would no longer verify.
async fn settled_now(app: &App) -> Result<Moment> {
    let tx = Tx::begin(app).await?;
    let t = Moment::now();
    // nothing was written: committing only lets the head go
    tx.commit().await?;
    Ok(t)
}

async fn stored(app: &App, id: i64) -> Result<store::Bulletin> {
    let mut c = app.db.acquire().await?;
    store::bulletin(&mut c, id).await?.ok_or(Error::NotFound)
}

/// A published bulletin as stored. Published bulletins are 公示: every signed-in person may
/// read, download and verify them.
pub async fn get(app: &App, _actor: &Actor, id: i64) -> Result<BulletinView> {
    let b = stored(app, id).await?;
    let figures: AssessFigures =
        serde_json::from_str(&b.figures).map_err(|e| Error::Internal(e.to_string()))?;
    let named: Named = serde_json::from_str(&b.named).unwrap_or_default();
    let mut v = view(
        Some(b.id),
        Some(b.title),
        Some(b.published_at.to_string()),
        &b.figures,
        figures,
        named,
    );
    v.hash = b.hash;
    Ok(v)
}

/// Computes a published bulletin's figures again, as of its moment, and compares them
/// byte for byte with what was published.
pub async fn verify(app: &App, _actor: &Actor, id: i64) -> Result<(Verification, AssessFigures)> {
    let b = stored(app, id).await?;
    let again = assess::compute(app, &b.period, b.as_of).await?;
    let json = to_json(&again)?;
    let recomputed = hash(&json);
    Ok((
        Verification {
            id,
            as_of: b.as_of,
            identical: json == b.figures && recomputed == b.hash,
            stored_hash: b.hash,
            recomputed_hash: recomputed,
        },
        again,
    ))
}

pub async fn list(app: &App, _actor: &Actor) -> Result<Vec<store::Bulletin>> {
    let mut c = app.db.acquire().await?;
    Ok(store::bulletins(&mut c).await?)
}

// ---------------------------------------------------------------- text and files

/// A figure as people read it: counts with up to two decimals, yuan in 万元 or 亿元, dollars
/// in 万美元.
pub fn show(m: &str, v: f64) -> String {
    let measure = Metric::parse(m)
        .map(|m| m.measure())
        .unwrap_or(Measure::Count);
    match measure {
        Measure::Count => {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            }
        }
        Measure::Yuan => Yuan(v.round() as i64).human(),
        Measure::Usd => format!("{:.2}万美元", v / 10_000.0),
    }
}

fn idx(f: &AssessFigures, code: &str) -> usize {
    f.metrics.iter().position(|m| m.code == code).unwrap_or(0)
}

/// The cover text: headline figures of the period and the year, in the style of the seeds'
/// bulletins ("1-10月，全市新签约项目…个，总投资…亿元").
pub fn cover(f: &AssessFigures, named: &Named) -> Vec<String> {
    let g = |code: &str| f.total_raw[idx(f, code)];
    let y = |code: &str| f.total_ytd[idx(f, code)];
    let end = NaiveDate::parse_from_str(&f.end, "%Y-%m-%d").ok();
    let ytd_label = end
        .map(|e| {
            if e.month() == 1 {
                format!("{}年1月", e.year())
            } else {
                format!("{}年1-{}月", e.year(), e.month())
            }
        })
        .unwrap_or_default();
    let mut out = vec![
        format!(
            "{}，全市新增有效线索{}条，走访企业{}次，举办招商活动{}场；新签约项目{}个，签约金额{}；新开工项目{}个，总投资{}；竣工项目{}个，投产项目{}个；到位资金{}。",
            f.period_label,
            show("leads_valid", g("leads_valid")),
            show("visits", g("visits")),
            show("events", g("events")),
            show("signed_count", g("signed_count")),
            show("signed_amount", g("signed_amount")),
            show("started_count", g("started_count")),
            show("started_amount", g("started_amount")),
            show("completed_count", g("completed_count")),
            show("producing_count", g("producing_count")),
            show("capital_arrived", g("capital_arrived")),
        ),
        format!(
            "{}，累计签约项目{}个、金额{}，其中亿元以上项目{}个、世界500强项目{}个；累计开工项目{}个。时序进度{:.1}%。",
            ytd_label,
            show("signed_count", y("signed_count")),
            show("signed_amount", y("signed_amount")),
            show("big_projects", y("big_projects")),
            show("fortune500", y("fortune500")),
            show("started_count", y("started_count")),
            f.elapsed * 100.0
        ),
    ];
    if let Some(b) = f.boards.iter().find(|b| b.key == "units") {
        if !b.red.is_empty() {
            out.push(format!("综合排名靠前（红榜）：{}。", b.red.join("、")));
        }
        if !b.black.is_empty() {
            out.push(format!("综合排名靠后（黑榜）：{}。", b.black.join("、")));
        }
        if !b.zero.is_empty() {
            out.push(format!("本期无任何进展的单位：{}。", b.zero.join("、")));
        }
    }
    out.push(format!(
        "截至{}，停滞项目{}个、超期未办结诉求{}件，点名如下。",
        named.on,
        named.stalled.len(),
        named.overdue_requests.len()
    ));
    out
}

/// Metrics shown in the ranking tables: those with points, then signed and started.
pub fn table_metrics(f: &AssessFigures) -> Vec<usize> {
    let mut v: Vec<usize> = f
        .metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| m.points > 0.0)
        .map(|(i, _)| i)
        .collect();
    for code in ["signed_count", "signed_amount", "started_count"] {
        let i = idx(f, code);
        if !v.contains(&i) {
            v.push(i);
        }
    }
    v
}

fn movement_text(m: Option<i64>) -> String {
    match m {
        None => "—".into(),
        Some(0) => "持平".into(),
        Some(x) if x > 0 => format!("↑{x}"),
        Some(x) => format!("↓{}", -x),
    }
}

/// Ranking table rows of a board: 排名, 名称, 所属, metrics…, 得分, 上期排名, 变化.
pub fn ranking_table(
    f: &AssessFigures,
    board: &assess::RankingBoard,
) -> (Vec<String>, Vec<Vec<String>>) {
    let cols = table_metrics(f);
    let mut headers = vec!["排名".to_string(), "名称".into(), "所属".into()];
    headers.extend(cols.iter().map(|&i| f.metrics[i].label.clone()));
    headers.extend(["综合得分".to_string(), "上期排名".into(), "变化".into()]);
    let rows = board
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![r.rank.to_string(), r.name.clone(), r.group.clone()];
            row.extend(cols.iter().map(|&i| show(&f.metrics[i].code, r.value[i])));
            row.push(format!("{:.2}", r.score));
            row.push(r.prev_rank.map_or("—".into(), |p| p.to_string()));
            row.push(movement_text(r.movement));
            row
        })
        .collect();
    (headers, rows)
}

/// Target progress rows of a board: 名称, then per metric with a target: 目标, 累计, 完成率.
pub fn progress_table(
    f: &AssessFigures,
    board: &assess::RankingBoard,
) -> (Vec<String>, Vec<Vec<String>>) {
    let cols: Vec<usize> = (0..f.metrics.len())
        .filter(|&i| board.rows.iter().any(|r| r.target[i].is_some()))
        .collect();
    let mut headers = vec!["名称".to_string()];
    for &i in &cols {
        let l = &f.metrics[i].label;
        headers.extend([format!("{l}目标"), format!("{l}累计"), format!("{l}完成率")]);
    }
    let rows = board
        .rows
        .iter()
        .filter(|r| r.target.iter().any(Option::is_some))
        .map(|r| {
            let mut row = vec![r.name.clone()];
            for &i in &cols {
                let code = &f.metrics[i].code;
                row.push(r.target[i].map_or("—".into(), |t| show(code, t)));
                row.push(show(code, r.ytd[i]));
                row.push(r.completion[i].map_or("—".into(), |c| format!("{:.1}%", c * 100.0)));
            }
            row
        })
        .collect();
    (headers, rows)
}

fn cells(rows: &[Vec<String>]) -> Vec<Vec<OutCell>> {
    rows.iter()
        .map(|r| r.iter().map(|c| OutCell::Text(c.clone())).collect())
        .collect()
}

fn named_tables(n: &Named) -> [(Vec<String>, Vec<Vec<String>>); 2] {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    [
        (
            s(&["项目", "单位", "停滞情形", "停滞天数", "责任领导"]),
            n.stalled
                .iter()
                .map(|x| {
                    vec![
                        x.project_name.clone(),
                        x.unit_name.clone(),
                        x.rule_label.clone(),
                        x.stalled_days.to_string(),
                        x.leader_name.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        (
            s(&["诉求", "项目", "承办部门", "办结时限", "超期天数"]),
            n.overdue_requests
                .iter()
                .map(|x| {
                    vec![
                        x.title.clone(),
                        x.project_name.clone(),
                        x.department_name.clone(),
                        x.due_date.clone(),
                        x.days_overdue.to_string(),
                    ]
                })
                .collect(),
        ),
    ]
}

/// The bulletin as a workbook: 概述, one ranking sheet a board, 目标进度, 停滞项目, 超期诉求.
/// Dated by the bulletin's moment, so the same bulletin gives the same bytes.
pub fn xlsx(v: &BulletinView) -> Result<Vec<u8>> {
    let f = &v.figures;
    /// (sheet, title, headers, rows)
    type Sheet = (String, String, Vec<String>, Vec<Vec<String>>);
    let mut tables: Vec<Sheet> = vec![(
        "概述".into(),
        v.title.clone(),
        vec!["内容".into()],
        v.cover.iter().map(|c| vec![c.clone()]).collect(),
    )];
    for b in &f.boards {
        let (h, r) = ranking_table(f, b);
        tables.push((
            format!("{}排名", short(&b.label)),
            format!("{} {}排名", f.period_label, b.label),
            h,
            r,
        ));
    }
    if let Some(b) = f.boards.iter().find(|b| b.key == "units") {
        let (h, r) = progress_table(f, b);
        tables.push((
            "目标进度".into(),
            format!("{} 年度目标完成情况", f.period_label),
            h,
            r,
        ));
    }
    let [stalls, reqs] = named_tables(&v.named);
    tables.push(("停滞项目".into(), "停滞项目点名".into(), stalls.0, stalls.1));
    tables.push(("超期诉求".into(), "超期未办结诉求".into(), reqs.0, reqs.1));
    let rows: Vec<Vec<Vec<OutCell>>> = tables.iter().map(|t| cells(&t.3)).collect();
    let sheets: Vec<SheetOut> = tables
        .iter()
        .zip(&rows)
        .map(|(t, r)| SheetOut {
            name: &t.0,
            title: &t.1,
            headers: &t.2,
            rows: r,
        })
        .collect();
    let created = v.as_of.as_datetime().timestamp();
    write_sheets_at(&sheets, created).map_err(|e| Error::Internal(e.to_string()))
}

fn short(label: &str) -> String {
    label.chars().take(10).collect()
}

/// The bulletin as a Word document: title, cover paragraphs, then the tables.
pub fn docx(v: &BulletinView) -> Result<Vec<u8>> {
    use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow};
    let fonts = RunFonts::new().east_asia("仿宋").ascii("Times New Roman");
    let para = |text: &str, size: usize, bold: bool| {
        let mut run = Run::new().add_text(text).size(size).fonts(fonts.clone());
        if bold {
            run = run.bold();
        }
        Paragraph::new().add_run(run)
    };
    let table = |headers: &[String], rows: &[Vec<String>]| {
        let mk = |cells: &[String], bold: bool| {
            TableRow::new(
                cells
                    .iter()
                    .map(|c| TableCell::new().add_paragraph(para(c, 21, bold)))
                    .collect(),
            )
        };
        let mut all = vec![mk(headers, true)];
        all.extend(rows.iter().map(|r| mk(r, false)));
        Table::new(all)
    };
    let f = &v.figures;
    let mut doc = Docx::new()
        .add_paragraph(para(&v.title, 44, true).align(AlignmentType::Center))
        .add_paragraph(
            para(
                &format!("（数据截至 {}，校验码 {}）", v.as_of, &v.hash[..16]),
                21,
                false,
            )
            .align(AlignmentType::Center),
        );
    for c in &v.cover {
        doc = doc.add_paragraph(para(c, 32, false));
    }
    for b in &f.boards {
        let (h, r) = ranking_table(f, b);
        doc = doc
            .add_paragraph(para(&format!("{}排名", b.label), 32, true))
            .add_table(table(&h, &r));
    }
    if let Some(b) = f.boards.iter().find(|b| b.key == "units") {
        let (h, r) = progress_table(f, b);
        if !r.is_empty() {
            doc = doc
                .add_paragraph(para("年度目标完成情况", 32, true))
                .add_table(table(&h, &r));
        }
    }
    let [stalls, reqs] = named_tables(&v.named);
    doc = doc
        .add_paragraph(para("停滞项目点名", 32, true))
        .add_table(table(&stalls.0, &stalls.1))
        .add_paragraph(para("超期未办结诉求", 32, true))
        .add_table(table(&reqs.0, &reqs.1));
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(buf.into_inner())
}

// ---------------------------------------------------------------- targets

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    pub year: i64,
    /// metric code, e.g. signed_amount
    pub metric: String,
    /// a unit's target (give unit_id or user_id)
    pub unit_id: Option<i64>,
    /// a person's target
    pub user_id: Option<i64>,
    /// a count, or yuan for amounts (US dollars for foreign capital)
    pub value: i64,
    /// required when changing a standing target (mid-year adjustment)
    pub reason: Option<String>,
}

/// A parent whose children's targets do not add up to its own.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mismatch {
    pub unit_id: i64,
    pub unit_name: String,
    pub metric: String,
    pub metric_label: String,
    /// `units` (the child units) or `people` (the unit's people)
    pub children: String,
    pub parent_value: i64,
    pub children_sum: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetRow {
    #[serde(flatten)]
    pub target: store::TargetVersion,
    pub metric_label: String,
    pub owner_name: String,
    /// earlier versions of this target (adjustments), newest first
    pub versions: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Targets {
    pub year: i64,
    pub items: Vec<TargetRow>,
    /// decomposition checks that fail: children that do not sum to their parent
    pub mismatches: Vec<Mismatch>,
}

fn year_check(y: i64) -> Result<()> {
    if !(2000..=2100).contains(&y) {
        return Err(Error::invalid("year", "年度应在2000到2100之间"));
    }
    Ok(())
}

/// Sets (or adjusts, with a reason) a target; audited.
pub async fn set_target(app: &App, actor: &Actor, input: &TargetInput) -> Result<Targets> {
    steer_check(actor, "下达考核目标")?;
    year_check(input.year)?;
    let metric = Metric::parse(&input.metric)?;
    if input.unit_id.is_some() == input.user_id.is_some() {
        return Err(Error::invalid(
            "unit_id",
            "请指定一个单位（unit_id）或一个人（user_id），二者选一",
        ));
    }
    if !(0..=10_000_000_000_000).contains(&input.value) {
        return Err(Error::invalid("value", "目标值应在0到10万亿之间"));
    }
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 500) {
        return Err(Error::invalid("reason", "调整原因不能超过500个字"));
    }
    let mut tx = Tx::begin(app).await?;
    if let Some(u) = input.unit_id {
        if fenglai_store::org::unit(tx.conn(), u).await?.is_none() {
            return Err(Error::invalid("unit_id", format!("单位 {u} 不存在")));
        }
    }
    if let Some(u) = input.user_id {
        if fenglai_store::org::user(tx.conn(), u).await?.is_none() {
            return Err(Error::invalid("user_id", format!("用户 {u} 不存在")));
        }
    }
    let before = store::target_history(
        tx.conn(),
        input.year,
        metric.code(),
        input.unit_id,
        input.user_id,
    )
    .await?
    .into_iter()
    .find(|t| t.superseded_at.is_none());
    if let Some(b) = &before {
        if b.value == input.value {
            tx.commit().await?;
            return targets(app, actor, input.year).await;
        }
        if reason.is_none() {
            return Err(Error::invalid(
                "reason",
                format!(
                    "该目标已下达（{}），年中调整须写明原因",
                    crate::assess::bulletins::show(metric.code(), b.value as f64)
                ),
            ));
        }
    }
    let id = store::set_target(
        tx.conn(),
        input.year,
        metric.code(),
        input.unit_id,
        input.user_id,
        input.value,
        reason,
        actor.id(),
    )
    .await?;
    let after = store::target_history(
        tx.conn(),
        input.year,
        metric.code(),
        input.unit_id,
        input.user_id,
    )
    .await?
    .into_iter()
    .find(|t| t.id == id);
    tx.record(
        Some(actor),
        "target",
        id,
        if before.is_some() { "adjust" } else { "set" },
        before.as_ref(),
        after.as_ref(),
    )
    .await?;
    tx.commit().await?;
    targets(app, actor, input.year).await
}

/// The year's standing targets and the decomposition checks.
pub async fn targets(app: &App, actor: &Actor, year: i64) -> Result<Targets> {
    read_check(actor)?;
    year_check(year)?;
    let mut c = app.db.acquire().await?;
    let t = Moment::now();
    let ts = store::targets(&mut c, year, t).await?;
    let units = store::units_at(&mut c, t).await?;
    let people = store::people_at(&mut c, t).await?;
    let unit_name: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let person: HashMap<i64, (&str, i64)> = people
        .iter()
        .map(|p| (p.id, (p.display_name.as_str(), p.unit_id)))
        .collect();
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let mut versions: HashMap<(String, Option<i64>, Option<i64>), i64> = HashMap::new();
    for t in store::target_versions(&mut c, year).await? {
        versions.insert((t.0, t.1, t.2), t.3);
    }
    // sums of children per (parent unit, metric): from child units, and from the unit's people
    let mut unit_sums: HashMap<(i64, &str), i64> = HashMap::new();
    let mut people_sums: HashMap<(i64, &str), i64> = HashMap::new();
    for t in &ts {
        if let Some(u) = t.unit_id {
            if let Some(Some(p)) = parent.get(&u) {
                *unit_sums.entry((*p, t.metric.as_str())).or_default() += t.value;
            }
        }
        if let Some(p) = t.user_id.and_then(|u| person.get(&u)) {
            *people_sums.entry((p.1, t.metric.as_str())).or_default() += t.value;
        }
    }
    let mut mismatches = Vec::new();
    for t in ts.iter().filter(|t| t.unit_id.is_some()) {
        let u = t.unit_id.unwrap_or_default();
        for (kind, sums) in [("units", &unit_sums), ("people", &people_sums)] {
            if let Some(&sum) = sums.get(&(u, t.metric.as_str())) {
                if sum != t.value {
                    mismatches.push(Mismatch {
                        unit_id: u,
                        unit_name: unit_name.get(&u).unwrap_or(&"").to_string(),
                        metric: t.metric.clone(),
                        metric_label: Metric::parse(&t.metric)
                            .map(|m| m.label().to_string())
                            .unwrap_or_default(),
                        children: kind.into(),
                        parent_value: t.value,
                        children_sum: sum,
                    });
                }
            }
        }
    }
    let items = ts
        .into_iter()
        .map(|t| TargetRow {
            metric_label: Metric::parse(&t.metric)
                .map(|m| m.label().to_string())
                .unwrap_or_default(),
            owner_name: match (t.unit_id, t.user_id) {
                (Some(u), _) => unit_name.get(&u).unwrap_or(&"").to_string(),
                (_, Some(p)) => person.get(&p).map(|p| p.0).unwrap_or("").to_string(),
                _ => String::new(),
            },
            versions: versions
                .get(&(t.metric.clone(), t.unit_id, t.user_id))
                .copied()
                .unwrap_or(1),
            target: t,
        })
        .collect();
    Ok(Targets {
        year,
        items,
        mismatches,
    })
}

/// The year's scheme standing now.
pub async fn scheme(app: &App, actor: &Actor, year: i64) -> Result<Scheme> {
    read_check(actor)?;
    year_check(year)?;
    let mut c = app.db.acquire().await?;
    assess::scheme_at(&mut c, year, Moment::now()).await
}

/// Sets the year's quality weights and points; audited, earlier versions kept.
pub async fn set_scheme(app: &App, actor: &Actor, year: i64, s: &Scheme) -> Result<Scheme> {
    steer_check(actor, "设置考核权重")?;
    year_check(year)?;
    s.check()?;
    let body = serde_json::to_string(s).map_err(|e| Error::Internal(e.to_string()))?;
    let mut tx = Tx::begin(app).await?;
    let before = assess::scheme_at(tx.conn(), year, Moment::now()).await?;
    store::set_scheme(tx.conn(), year, &body, actor.id()).await?;
    tx.record(Some(actor), "scheme", year, "set", Some(&before), Some(s))
        .await?;
    tx.commit().await?;
    Ok(s.clone())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitionInput {
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    /// metric code → points, e.g. {"signed_count": 50, "started_count": 50}
    pub points: std::collections::BTreeMap<String, f64>,
}

pub async fn create_competition(
    app: &App,
    actor: &Actor,
    input: &CompetitionInput,
) -> Result<store::Competition> {
    steer_check(actor, "设立竞赛")?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(Error::invalid("name", "竞赛名称应为1到50个字"));
    }
    let start = fenglai_domain::dates::parse(&input.start_date, "start_date")?;
    let end = fenglai_domain::dates::parse(&input.end_date, "end_date")?;
    fenglai_domain::assess::Period::competition(0, name, start, end)?;
    if input.points.is_empty() {
        return Err(Error::invalid("points", "请至少为一个指标设定分值"));
    }
    let mut points = Vec::new();
    for (code, p) in &input.points {
        let m = Metric::parse(code).map_err(|e| Error::invalid("points", e.message))?;
        if !(0.0..=100.0).contains(p) {
            return Err(Error::invalid("points", "分值应在0到100之间"));
        }
        points.push((m, *p));
    }
    let json = serde_json::to_string(&points).map_err(|e| Error::Internal(e.to_string()))?;
    let mut tx = Tx::begin(app).await?;
    let id = store::insert_competition(
        tx.conn(),
        name,
        &start.to_string(),
        &end.to_string(),
        &json,
        actor.id(),
    )
    .await?;
    let c = store::competition(tx.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record::<(), _>(Some(actor), "competition", id, "create", None, Some(&c))
        .await?;
    tx.commit().await?;
    Ok(c)
}

pub async fn competitions(app: &App, actor: &Actor) -> Result<Vec<store::Competition>> {
    read_check(actor)?;
    let mut c = app.db.acquire().await?;
    Ok(store::competitions(&mut c).await?)
}
