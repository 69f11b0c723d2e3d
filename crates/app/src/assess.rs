//! 考核: figures for a period as of a moment, from records, never typed in.
//!
//! `compute(app, period, t)` reads every fact *as known at `t`*: leads created by `t` and
//! valid by `t` (a project made from them, or a panel's 入库, by `t`), merges standing at `t`,
//! stage-history rows recorded by `t` and not voided by then, monthly figures as they stood at
//! `t` (values changed later are read back from the event log's `before`), activities recorded
//! by `t` and not voided by then, the targets and the year's scheme standing at `t`. So a
//! bulletin computed as of its publication gives the same figures however the records change
//! later, and a fresh one for the same period shows the changes.

pub mod activities;
pub mod bulletins;
pub mod quota;

use crate::{App, Error, Result};
use chrono::{Datelike, NaiveDate};
use fenglai_domain::assess::{
    metric_score, movement, ranks, round4, split_amount, CreditRule, Measure, Metric, Period,
    Quality, Scheme, Tally,
};
use fenglai_domain::{LeadStatus, Moment};
use fenglai_store::{assess as store, leads::Lead, merges::Repointed, Conn};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The metrics, in the order of every figure vector.
pub fn metrics() -> &'static [Metric] {
    Metric::ALL
}

fn mi(m: Metric) -> usize {
    Metric::ALL
        .iter()
        .position(|x| *x == m)
        .expect("metric in catalogue")
}

/// A date range as text (`YYYY-MM-DD`), inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    start: NaiveDate,
    end: NaiveDate,
}

impl Range {
    fn of(p: &Period) -> Range {
        Range {
            start: p.start,
            end: p.end,
        }
    }
    fn ytd(end: NaiveDate) -> Range {
        Range {
            start: NaiveDate::from_ymd_opt(end.year(), 1, 1).expect("Jan 1"),
            end,
        }
    }
    fn has(&self, d: &str) -> bool {
        let s = self.start.to_string();
        let e = self.end.to_string();
        s.as_str() <= d && d <= e.as_str()
    }
    /// Months whose last day lies in the range (`YYYY-MM`): monthly figures count there.
    fn has_month(&self, m: &str) -> bool {
        let Ok(first) = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d") else {
            return false;
        };
        let last = Period::month(first.year(), first.month()).end;
        self.start <= last && last <= self.end
    }
}

/// The disjoint ranges `ranges` are unions of (those some range covers), and for each range
/// the pieces it is made of: the facts of a day are read and credited once, however many
/// ranges (the period, the year to date, the previous period …) hold it.
fn pieces(ranges: &[Range]) -> (Vec<Range>, Vec<Vec<usize>>) {
    let mut cuts: Vec<NaiveDate> = ranges
        .iter()
        .flat_map(|r| [r.start, r.end.succ_opt().unwrap_or(r.end)])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    let covers = |r: &Range, p: &Range| r.start <= p.start && p.end <= r.end;
    let parts: Vec<Range> = cuts
        .windows(2)
        .filter_map(|w| {
            Some(Range {
                start: w[0],
                end: w[1].pred_opt()?,
            })
        })
        .filter(|p| ranges.iter().any(|r| covers(r, p)))
        .collect();
    let made_of = ranges
        .iter()
        .map(|r| (0..parts.len()).filter(|&i| covers(r, &parts[i])).collect())
        .collect();
    (parts, made_of)
}

/// A tally's figures per metric, in the order of [`Metric::ALL`]: raw and quality-weighted.
#[derive(Debug, Clone)]
struct Vals {
    raw: Vec<f64>,
    weighted: Vec<f64>,
}

impl Vals {
    fn of(t: &Tally) -> Vals {
        Vals {
            raw: Metric::ALL.iter().map(|m| t.raw(*m)).collect(),
            weighted: Metric::ALL.iter().map(|m| t.weighted(*m)).collect(),
        }
    }
}

/// What one range accumulates, exactly (integer sums, see [`Tally`]): per unit credited
/// directly, and per person, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Acc {
    units: BTreeMap<i64, Tally>,
    people: BTreeMap<i64, Tally>,
}

impl Acc {
    /// Adds what another accumulated.
    fn absorb(&mut self, other: &Acc) {
        for (mine, theirs) in [
            (&mut self.units, &other.units),
            (&mut self.people, &other.people),
        ] {
            for (id, t) in theirs {
                mine.entry(*id).or_default().absorb(t);
            }
        }
    }

    /// Credits `units` ([`Metric::units`]) of a metric at a weight to a unit and a person.
    fn credit(&mut self, unit: i64, person: Option<i64>, m: Metric, units: i64, w: f64) {
        self.units.entry(unit).or_default().add(m, units, w);
        if let Some(p) = person {
            self.people.entry(p).or_default().add(m, units, w);
        }
    }
}

/// A lead as it stood at `t`: who reported it where and when, and what weights it.
#[derive(Debug, Clone)]
struct LeadAt {
    id: i64,
    unit: i64,
    user: i64,
    date: String,
    industry: Option<String>,
    tags: String,
    valid: bool,
    overridden: bool,
}

impl LeadAt {
    /// A lead credited as its row stands (its reporter, unit and tags), for weights.
    fn plain(unit: i64, user: i64, tags: &str) -> LeadAt {
        LeadAt {
            id: 0,
            unit,
            user,
            date: String::new(),
            industry: None,
            tags: tags.to_string(),
            valid: true,
            overridden: false,
        }
    }
}

/// Merges, leads and projects as they stood at `t`, for the leads whose own row does not
/// tell their story (merged, over a red line, decided by a panel, changed since `t`). What is
/// walked through to credit is kept by id, so it is walked in one order.
struct World {
    rule: CreditRule,
    /// duplicate → survivor, for merges standing at `t`
    parent: HashMap<i64, i64>,
    /// projects whose lead at `t` differs from their lead now
    project_lead: HashMap<i64, i64>,
    /// the loaded leads as they stood at `t` (absent: created after `t`)
    leads: BTreeMap<i64, LeadAt>,
    /// the loaded leads as stored now
    now: BTreeMap<i64, store::LeadFact>,
    /// root → members (including the root), for roots with members
    members: HashMap<i64, Vec<i64>>,
    /// projects merged into another at `t`: counted nowhere
    gone: HashSet<i64>,
    /// (project, month) of figures stored now → the project they belonged to at `t`, where
    /// a project merge made or undone since moved or swapped them
    month_project: HashMap<(i64, String), i64>,
}

impl World {
    fn root(&self, mut id: i64) -> i64 {
        let mut hops = 0;
        while let Some(&p) = self.parent.get(&id) {
            id = p;
            hops += 1;
            if hops > 10_000 {
                break;
            }
        }
        id
    }

    /// Whether a loaded lead's credit at `t` is not simply its row's: created after `t`,
    /// merged (either side), or admitted over a red line. (Changed since `t`: the caller
    /// knows from the event log.)
    fn not_plain(&self, lead: i64) -> bool {
        match self.leads.get(&lead) {
            None => true,
            Some(l) => {
                l.overridden || self.parent.contains_key(&lead) || self.members.contains_key(&lead)
            }
        }
    }

    fn lead_of_project(&self, project: i64, now: Option<i64>) -> Option<i64> {
        self.project_lead.get(&project).copied().or(now)
    }

    fn loaded(&self, lead: i64) -> bool {
        self.now.contains_key(&lead)
    }

    /// The members of a loaded lead's group at `t`, 首报 first (by report date, then id), with
    /// their shares as whole parts ([`CreditRule::parts`]).
    fn group(&self, lead: i64) -> Vec<(LeadAt, i64)> {
        let root = self.root(lead);
        let mut ms: Vec<&LeadAt> = match self.members.get(&root) {
            Some(v) => v.iter().filter_map(|i| self.leads.get(i)).collect(),
            None => self.leads.get(&root).into_iter().collect(),
        };
        ms.sort_by(|a, b| (&a.date, a.id).cmp(&(&b.date, b.id)));
        let parts = self.rule.parts(ms.len());
        ms.into_iter().cloned().zip(parts).collect()
    }

    /// The group a project's credit goes to: the loaded lead's group, or the lead alone as
    /// joined in (`user`, `unit`, `tags`), or nobody (a project without a lead).
    fn project_group(
        &self,
        lead: Option<i64>,
        joined: (Option<i64>, Option<i64>, Option<&str>),
    ) -> Vec<(LeadAt, i64)> {
        match (lead, joined) {
            (Some(l), _) if self.loaded(l) => self.group(l),
            (Some(l), (Some(user), Some(unit), tags)) => vec![(
                LeadAt {
                    id: l,
                    unit,
                    user,
                    date: String::new(),
                    industry: None,
                    tags: tags.unwrap_or("").to_string(),
                    valid: true,
                    overridden: false,
                },
                1,
            )],
            _ => Vec::new(),
        }
    }
}

/// The investor tags of a group's members, each once, comma-separated.
fn group_tags(group: &[(LeadAt, i64)]) -> String {
    let mut tags: Vec<&str> = Vec::new();
    for (l, _) in group {
        for t in l.tags.split(',').filter(|t| !t.is_empty()) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    tags.join(",")
}

fn group_weight(scheme: &Scheme, group: &[(LeadAt, i64)], industry: Option<&str>) -> f64 {
    let joined = group_tags(group);
    scheme.weight(&Quality {
        tags: &joined,
        industry_code: industry.or(group.first().and_then(|(l, _)| l.industry.as_deref())),
        overridden: group.iter().any(|(l, _)| l.overridden),
    })
}

async fn world(
    c: &mut Conn,
    t: Moment,
    rule: CreditRule,
    lead_ids: &[i64],
    restored: &HashMap<i64, Option<Lead>>,
) -> Result<World> {
    let merges = store::merge_facts(c).await?;
    let mut parent = HashMap::new();
    let mut gone = HashSet::new();
    let mut month_project = HashMap::new();
    let mut project_lead = HashMap::new();
    let mut involved: BTreeSet<i64> = lead_ids.iter().copied().collect();
    for m in &merges {
        let standing_at_t = m.merged_at <= t && m.undone_at.is_none_or(|u| u > t);
        let standing_now = m.undone_at.is_none();
        if standing_at_t {
            parent.insert(m.duplicate_id, m.survivor_id);
        }
        let moved: Repointed = serde_json::from_str(&m.repointed).unwrap_or_default();
        if let Some(p) = moved.project {
            if standing_now && !standing_at_t {
                project_lead.insert(p, m.duplicate_id);
            } else if standing_at_t && !standing_now {
                project_lead.insert(p, m.survivor_id);
            }
        }
        if let Some(pm) = &moved.projects {
            if standing_at_t {
                gone.insert(pm.gone);
            }
            if standing_now != standing_at_t {
                // the kept project's lead, and the months the merge moved or swapped, as
                // they were at `t`
                let (lead_at_t, from, to) = if standing_at_t {
                    (Some(m.survivor_id), pm.gone, pm.kept)
                } else {
                    (pm.kept_before.lead_id, pm.kept, pm.gone)
                };
                if pm.kept_before.lead_id != Some(m.survivor_id) {
                    if let Some(l) = lead_at_t {
                        project_lead.insert(pm.kept, l);
                    }
                }
                for month in &pm.months {
                    month_project.insert((from, month.clone()), to);
                }
                for month in &pm.swapped_months {
                    month_project.insert((pm.kept, month.clone()), pm.gone);
                    month_project.insert((pm.gone, month.clone()), pm.kept);
                }
            }
        }
        involved.insert(m.survivor_id);
        involved.insert(m.duplicate_id);
    }
    let ids: Vec<i64> = involved.into_iter().collect();
    let facts = store::lead_facts(c, &ids, t).await?;
    let with_project: HashSet<i64> = store::projects_of_leads(c, &ids, t)
        .await?
        .into_iter()
        .map(|(p, l)| project_lead.get(&p).copied().unwrap_or(l))
        .collect();
    let mut leads = BTreeMap::new();
    let mut now = BTreeMap::new();
    for f in facts {
        let mut l = LeadAt {
            id: f.id,
            unit: f.reporting_unit_id,
            user: f.reported_by,
            date: f.reported_date.clone(),
            industry: f.industry_code.clone(),
            tags: f.investor_tags.clone(),
            valid: f.reviewed_admit || with_project.contains(&f.id),
            overridden: f.overridden,
        };
        let existed = f.created_at <= t;
        match restored.get(&f.id) {
            Some(None) => {}
            Some(Some(before)) if existed => {
                l.unit = before.reporting_unit_id;
                l.user = before.reported_by;
                l.date = before.reported_date.to_string();
                l.industry = before.industry_code.clone();
                l.tags = before.investor_tags.clone();
                leads.insert(f.id, l);
            }
            _ if existed => {
                leads.insert(f.id, l);
            }
            _ => {}
        }
        now.insert(f.id, f);
    }
    let mut w = World {
        rule,
        parent,
        project_lead,
        leads,
        now,
        members: HashMap::new(),
        gone,
        month_project,
    };
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    let survivors: HashSet<i64> = w.parent.values().copied().collect();
    for &id in w.leads.keys() {
        let r = w.root(id);
        if r != id || survivors.contains(&id) {
            members.entry(r).or_default().push(id);
        }
    }
    w.members = members;
    Ok(w)
}

/// Leads as they stood at `t` for those changed since (`None`: created after `t`).
async fn restored_leads(c: &mut Conn, t: Moment) -> Result<HashMap<i64, Option<Lead>>> {
    let mut out = HashMap::new();
    for e in store::events_after(c, "lead", t, None).await? {
        out.entry(e.entity_id).or_insert_with(|| {
            e.before_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<Lead>(j).ok())
        });
    }
    Ok(out)
}

fn division(code: Option<&str>) -> Option<&str> {
    code.and_then(|c| c.get(..2))
}

/// Facts for the ranges, accumulated.
async fn accumulate(
    c: &mut Conn,
    t: Moment,
    scheme: &Scheme,
    ranges: &[Range],
) -> Result<Vec<Acc>> {
    let clock = std::time::Instant::now();
    let mark = |what: &str| tracing::debug!("assess: {what} at {} ms", clock.elapsed().as_millis());
    let mut accs = vec![Acc::default(); ranges.len()];
    let lo = ranges.iter().map(|r| r.start).min().expect("a range");
    let hi = ranges.iter().map(|r| r.end).max().expect("a range");
    let (lo_s, hi_s) = (lo.to_string(), hi.to_string());
    let rule = CreditRule::parse(&scheme.credit_rule);
    let restored = restored_leads(c, t).await?;
    // the leads counted one by one: special ones, and those that existed at `t` and changed since
    let mut load = store::special_lead_ids(c).await?;
    load.extend(
        restored
            .iter()
            .filter(|(_, b)| b.is_some())
            .map(|(id, _)| *id),
    );
    load.sort_unstable();
    load.dedup();
    let w = world(c, t, rule, &load, &restored).await?;
    mark("world");

    // valid leads: admitted leads counted by SQL as they stand now, ...
    for (acc, r) in accs.iter_mut().zip(ranges) {
        let rows = store::lead_counts(
            c,
            &r.start.to_string(),
            &r.end.to_string(),
            t,
            &scheme.high_tech_divisions,
        )
        .await?;
        for row in rows {
            let wt = scheme.weight(&Quality {
                tags: &row.tags,
                industry_code: row.division.as_deref(),
                overridden: false,
            });
            acc.credit(
                row.unit_id,
                Some(row.user_id),
                Metric::LeadsValid,
                Metric::LeadsValid.units(row.n),
                wt,
            );
        }
        // ... less the loaded leads as SQL counted them ...
        for f in w.now.values() {
            if f.status == LeadStatus::Admitted && f.created_at <= t && r.has(&f.reported_date) {
                let wt = scheme.weight(&Quality {
                    tags: &f.investor_tags,
                    industry_code: division(f.industry_code.as_deref()),
                    overridden: false,
                });
                acc.credit(
                    f.reporting_unit_id,
                    Some(f.reported_by),
                    Metric::LeadsValid,
                    -Metric::LeadsValid.units(1),
                    wt,
                );
            }
        }
    }
    // ... plus the loaded leads as they stood at `t`: each group once, in the range of its
    // first report, its credit shared
    let mut seen_roots = HashSet::new();
    for &id in w.leads.keys() {
        let root = w.root(id);
        if !seen_roots.insert(root) {
            continue;
        }
        let group = w.group(root);
        if group.is_empty() || !group.iter().any(|(l, _)| l.valid) {
            continue;
        }
        let weight = group_weight(scheme, &group, None);
        let first = group[0].0.date.clone();
        for (acc, r) in accs.iter_mut().zip(ranges) {
            if r.has(&first) {
                credit_split(acc, &group, None, Metric::LeadsValid, 1, weight);
            }
        }
    }

    mark("leads");
    // stages entered: summed by SQL with each project's credit its lead's as stored now, ...
    const STAGES: [&str; 4] = ["signed", "started", "completed", "producing"];
    for (acc, r) in accs.iter_mut().zip(ranges) {
        let (s, e) = (r.start.to_string(), r.end.to_string());
        for h in store::history_sums(c, &s, &e, t, &STAGES, &scheme.high_tech_divisions).await? {
            let group = [(LeadAt::plain(h.unit_id, h.user_id, &h.tags), 1)];
            let weight = group_weight(scheme, &group, h.division.as_deref());
            let entered = Entered {
                n: h.n,
                amount: h.amount,
                big: h.big,
                investment: h.investment,
            };
            for (m, v, weighted) in stage_facts(&h.stage, &entered, &h.tags) {
                let wt = if weighted { weight } else { 1.0 };
                acc.credit(h.unit_id, Some(h.user_id), m, m.units(v), wt);
            }
        }
    }
    mark("history summed");
    // ... corrected for the projects whose credit is not that: their leads merged, changed or
    // overridden by `t`, or moved by a merge since
    let special_leads: Vec<i64> = w
        .now
        .keys()
        .copied()
        .filter(|id| restored.contains_key(id) || w.not_plain(*id))
        .collect();
    let mut special_projects: Vec<i64> = w
        .project_lead
        .keys()
        .chain(w.gone.iter())
        .copied()
        .collect();
    special_projects.sort_unstable();
    special_projects.dedup();
    let history = store::history_facts_of(
        c,
        &lo_s,
        &hi_s,
        t,
        &STAGES,
        (&special_projects, &special_leads),
    )
    .await?;
    mark("history read");
    for h in &history {
        let Some((acc, _)) = accs
            .iter_mut()
            .zip(ranges)
            .find(|(_, r)| r.has(&h.effective_date))
        else {
            continue;
        };
        // as the sums counted it ...
        let (unit, user) = (
            h.lead_unit.unwrap_or(h.reporting_unit_id),
            h.lead_user.unwrap_or(h.reported_by),
        );
        let tags = h.lead_tags.clone().unwrap_or_default();
        let plain = [(LeadAt::plain(unit, user, &tags), 1)];
        let division = h.industry_code.as_deref().or(h.lead_industry.as_deref());
        let weight = group_weight(scheme, &plain, division);
        let one = Entered::one(h);
        for (m, v, weighted) in stage_facts(&h.stage, &one, &tags) {
            let wt = if weighted { weight } else { 1.0 };
            acc.credit(unit, Some(user), m, -m.units(v), wt);
        }
        // ... and as it stood at `t`: nothing for a project merged into another by then
        if w.gone.contains(&h.project_id) {
            continue;
        }
        let lead = w.lead_of_project(h.project_id, h.lead_id);
        let group = w.project_group(lead, (h.lead_user, h.lead_unit, h.lead_tags.as_deref()));
        let weight = group_weight(scheme, &group, h.industry_code.as_deref());
        for (m, v, weighted) in stage_facts(&h.stage, &one, &group_tags(&group)) {
            let wt = if weighted { weight } else { 1.0 };
            let fallback = (h.reporting_unit_id, h.reported_by);
            credit_split(acc, &group, Some(fallback), m, v, wt);
        }
    }

    mark("history credited");
    // monthly realised figures
    let month_lo = format!("{}-{:02}", lo.year(), lo.month());
    let month_hi = format!("{}-{:02}", hi.year(), hi.month());
    let mut monthly = monthly_at(c, t, &month_lo, &month_hi).await?;
    // the figures where they were at `t`, none of a project merged into another
    for mf in &mut monthly {
        if let Some(&p) = w.month_project.get(&(mf.project_id, mf.month.clone())) {
            mf.project_id = p;
        }
    }
    monthly.retain(|mf| !w.gone.contains(&mf.project_id));
    let mut project_ids: Vec<i64> = monthly.iter().map(|m| m.project_id).collect();
    project_ids.sort_unstable();
    project_ids.dedup();
    let projects: HashMap<i64, store::ProjectFact> = store::project_facts(c, &project_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    for mf in &monthly {
        let Some(p) = projects.get(&mf.project_id) else {
            continue;
        };
        if p.created_at > t {
            continue;
        }
        let lead = w.lead_of_project(p.id, p.lead_id);
        let group = w.project_group(lead, (p.lead_user, p.lead_unit, p.lead_tags.as_deref()));
        let weight = group_weight(scheme, &group, p.industry_code.as_deref());
        for (acc, r) in accs.iter_mut().zip(ranges) {
            if !r.has_month(&mf.month) {
                continue;
            }
            for (m, v) in [
                (Metric::CapitalArrived, mf.capital_arrived_yuan),
                (Metric::FixedAsset, mf.fixed_asset_yuan),
                (Metric::ForeignCapital, mf.foreign_capital_usd),
            ] {
                if let Some(v) = v.filter(|v| *v != 0) {
                    let fallback = (p.reporting_unit_id, p.reported_by);
                    credit_split(acc, &group, Some(fallback), m, v, weight);
                }
            }
        }
    }

    mark("monthly");
    // requests answered on time, and activities
    for (acc, r) in accs.iter_mut().zip(ranges) {
        let (s, e) = (r.start.to_string(), r.end.to_string());
        for (dept, _answered, on_time) in store::request_facts(c, &s, &e, t).await? {
            let on_time = Metric::RequestsOnTime.units(on_time);
            acc.credit(dept, None, Metric::RequestsOnTime, on_time, 1.0);
        }
        for (kind, unit, n) in store::activity_unit_counts(c, &s, &e, t).await? {
            if let Some(m) = activity_metric(&kind) {
                acc.units.entry(unit).or_default().add(m, m.units(n), 1.0);
            }
        }
        for (kind, user, n) in store::activity_person_counts(c, &s, &e, t).await? {
            if let Some(m) = activity_metric(&kind) {
                acc.people.entry(user).or_default().add(m, m.units(n), 1.0);
            }
        }
    }
    mark("requests and activities");
    Ok(accs)
}

/// Stage entries: one history row, or the sum of many credited alike.
struct Entered {
    n: i64,
    /// the signing amount, else the investment
    amount: i64,
    /// how many reach 1亿 by that amount
    big: i64,
    investment: i64,
}

impl Entered {
    fn one(h: &store::HistoryFact) -> Entered {
        let amount = h.amount_yuan.unwrap_or(h.investment_yuan);
        Entered {
            n: 1,
            amount,
            big: i64::from(amount >= 100_000_000),
            investment: h.investment_yuan,
        }
    }
}

/// What entering `stage` counts, with the credited group's investor tags: (metric, value,
/// whether the quality weight applies). Zero values are left out.
fn stage_facts(stage: &str, e: &Entered, tags: &str) -> Vec<(Metric, i64, bool)> {
    let mut facts: Vec<(Metric, i64, bool)> = Vec::new();
    match stage {
        "signed" => {
            facts.push((Metric::SignedCount, e.n, true));
            facts.push((Metric::SignedAmount, e.amount, true));
            facts.push((Metric::BigProjects, e.big, true));
            for (tag, m) in [
                ("fortune500", Metric::Fortune500),
                ("china500", Metric::China500),
                ("central_soe", Metric::CentralSoe),
                ("listed", Metric::Listed),
            ] {
                if tags.split(',').any(|t| t == tag) {
                    facts.push((m, e.n, false));
                }
            }
        }
        "started" => {
            facts.push((Metric::StartedCount, e.n, true));
            facts.push((Metric::StartedAmount, e.investment, true));
        }
        "completed" => facts.push((Metric::CompletedCount, e.n, true)),
        _ => facts.push((Metric::ProducingCount, e.n, true)),
    }
    facts.retain(|f| f.1 != 0);
    facts
}

fn activity_metric(kind: &str) -> Option<Metric> {
    match kind {
        "visit" => Some(Metric::Visits),
        "event" => Some(Metric::Events),
        _ => None,
    }
}

/// Credits a whole `value` (a count, yuan, dollars) among a group's reporters by their shares,
/// split exactly in the tally's units (a count in [`COUNT_PARTS`]ths, amounts to the yuan), or
/// wholly to `fallback` (unit, reporter) when the project has no lead.
///
/// [`COUNT_PARTS`]: fenglai_domain::assess::COUNT_PARTS
fn credit_split(
    acc: &mut Acc,
    group: &[(LeadAt, i64)],
    fallback: Option<(i64, i64)>,
    m: Metric,
    value: i64,
    weight: f64,
) {
    let units = m.units(value);
    if group.is_empty() {
        if let Some((unit, user)) = fallback {
            acc.credit(unit, Some(user), m, units, weight);
        }
        return;
    }
    let parts: Vec<i64> = group.iter().map(|(_, p)| *p).collect();
    for ((l, _), part) in group.iter().zip(split_amount(units, &parts)) {
        acc.credit(l.unit, Some(l.user), m, part, weight);
    }
}

/// Monthly figures for the months as they stood at `t`.
async fn monthly_at(
    c: &mut Conn,
    t: Moment,
    from: &str,
    to: &str,
) -> Result<Vec<store::MonthlyFact>> {
    let rows = store::monthly_facts(c, from, to).await?;
    if !rows.iter().any(|r| r.recorded_at.is_some_and(|r| r > t)) {
        return Ok(rows);
    }
    // the earliest change after `t` of each (project, month) holds its value at `t`
    let mut before: HashMap<(i64, String), Option<store::MonthlyFact>> = HashMap::new();
    for e in store::events_after(c, "project", t, Some("monthly:")).await? {
        let month = e.action.trim_start_matches("monthly:").to_string();
        before.entry((e.entity_id, month)).or_insert_with(|| {
            e.before_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<store::MonthlyFact>(j).ok())
        });
    }
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            if r.recorded_at.is_none_or(|r| r <= t) {
                return Some(r);
            }
            match before.get(&(r.project_id, r.month.clone())) {
                Some(Some(b)) => Some(store::MonthlyFact {
                    project_id: r.project_id,
                    month: r.month,
                    recorded_at: None,
                    ..b.clone()
                }),
                _ => None,
            }
        })
        .collect())
}

// ---------------------------------------------------------------- figures

/// One row of a board: a unit, an office or a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Row {
    pub id: i64,
    pub name: String,
    /// the unit's kind, or the person's unit
    pub group: String,
    /// the period's raw values, one per metric (credit shares applied)
    pub raw: Vec<f64>,
    /// the period's quality-weighted values, one per metric
    pub value: Vec<f64>,
    /// year to date, weighted
    pub ytd: Vec<f64>,
    /// the annual target per metric, if set
    pub target: Vec<Option<f64>>,
    /// year to date / annual target
    pub completion: Vec<Option<f64>>,
    pub score: f64,
    pub rank: usize,
    pub prev_rank: Option<usize>,
    /// positive: rose this many places since the previous period
    pub movement: Option<i64>,
    /// rank per metric (by the period's weighted value)
    pub metric_rank: Vec<usize>,
    pub metric_movement: Vec<Option<i64>>,
    /// nothing at all in the period
    pub zero: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RankingBoard {
    /// units, offices or people
    pub key: String,
    pub label: String,
    pub rows: Vec<Row>,
    /// 红榜: the top of the overall ranking
    pub red: Vec<String>,
    /// 黑榜: the bottom of the overall ranking
    pub black: Vec<String>,
    /// rows with nothing at all in the period
    pub zero: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MetricInfo {
    pub code: String,
    pub label: String,
    /// count, yuan or usd
    pub measure: String,
    pub points: f64,
}

/// Everything a bulletin's numbers are: serialised, hashed, reproducible.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssessFigures {
    pub period: String,
    pub period_label: String,
    pub start: String,
    pub end: String,
    /// the moment the figures are computed as of (RFC 3339)
    #[schema(value_type = String)]
    pub as_of: Moment,
    pub year: i32,
    /// share of the year gone at the period's end (时序进度)
    pub elapsed: f64,
    pub credit_rule: String,
    pub metrics: Vec<MetricInfo>,
    /// the whole city: period raw, period weighted, year to date raw (every project once)
    pub total_raw: Vec<f64>,
    pub total_value: Vec<f64>,
    pub total_ytd: Vec<f64>,
    pub boards: Vec<RankingBoard>,
}

/// The scheme of a year standing at `t`, or the default.
pub async fn scheme_at(c: &mut Conn, year: i64, t: Moment) -> Result<Scheme> {
    Ok(match store::scheme(c, year, t).await? {
        Some(j) => serde_json::from_str(&j).map_err(|e| Error::Internal(e.to_string()))?,
        None => Scheme::default(),
    })
}

/// Resolves a period code, including competitions (`c12`).
pub async fn period(c: &mut Conn, code: &str) -> Result<(Period, Option<Scheme>)> {
    let t = code.trim();
    if let Some(id) = t.strip_prefix('c').and_then(|n| n.parse::<i64>().ok()) {
        let comp = store::competition(c, id).await?.ok_or(Error::NotFound)?;
        let d = |s: &str| fenglai_domain::dates::parse(s, "period");
        let p = Period::competition(
            comp.id,
            &comp.name,
            d(&comp.start_date)?,
            d(&comp.end_date)?,
        )?;
        let points: Vec<(Metric, f64)> = serde_json::from_str(&comp.points).unwrap_or_default();
        return Ok((
            p,
            Some(Scheme {
                points,
                ..Scheme::default()
            }),
        ));
    }
    Ok((Period::parse(t)?, None))
}

fn to_f(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| round4(*x)).collect()
}

/// Computes the figures of a period as of `t`.
pub async fn compute(app: &App, code: &str, t: Moment) -> Result<AssessFigures> {
    // Every read from one snapshot. The figures as of `t` are rebuilt from rows as they are
    // now and the events since `t`; read piecemeal while writes go on, a merge or a
    // transition committing between two reads is seen by one and not the other, and the
    // figures are then neither those of `t` nor reproducible (a published bulletin would not
    // verify). SQLite's read transaction is a snapshot; PostgreSQL needs REPEATABLE READ.
    let mut c = app.db.begin_snapshot().await?;
    let (p, comp_scheme) = period(&mut c, code).await?;
    let year = p.end.year();
    let mut scheme = scheme_at(&mut c, year as i64, t).await?;
    if let Some(cs) = comp_scheme {
        scheme.points = cs.points;
    }
    let prev = p.previous();
    let mut ranges = vec![Range::of(&p), Range::ytd(p.end)];
    if let Some(pp) = &prev {
        ranges.push(Range::of(pp));
        ranges.push(Range::ytd(pp.end));
    }
    let clock = std::time::Instant::now();
    let (parts, made_of) = pieces(&ranges);
    let part_accs = accumulate(&mut c, t, &scheme, &parts).await?;
    let accs: Vec<Acc> = made_of
        .iter()
        .map(|ix| {
            let mut a = Acc::default();
            for &i in ix {
                a.absorb(&part_accs[i]);
            }
            a
        })
        .collect();
    tracing::debug!("assess: facts in {} ms", clock.elapsed().as_millis());
    let units = store::units_at(&mut c, t).await?;
    let people = store::people_at(&mut c, t).await?;
    let targets = fenglai_store::assess::targets(&mut c, year as i64, t).await?;
    let prev_targets = match &prev {
        Some(pp) if pp.end.year() != year => {
            fenglai_store::assess::targets(&mut c, pp.end.year() as i64, t).await?
        }
        _ => targets.clone(),
    };
    // nothing was written: ends the read snapshot
    c.commit().await?;
    let elapsed = fenglai_domain::assess::year_elapsed(year, p.end);
    let prev_elapsed = prev
        .as_ref()
        .map(|pp| fenglai_domain::assess::year_elapsed(pp.end.year(), pp.end));
    let n = Metric::ALL.len();

    // roll units up their paths
    let by_id: HashMap<i64, &store::UnitRow> = units.iter().map(|u| (u.id, u)).collect();
    let rolled = |acc: &Acc| -> BTreeMap<i64, Tally> {
        let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
        for (uid, t) in &acc.units {
            let Some(u) = by_id.get(uid) else { continue };
            for anc in u.path.split('/').filter_map(|s| s.parse::<i64>().ok()) {
                out.entry(anc).or_default().absorb(t);
            }
        }
        out
    };
    let unit_tallies: Vec<BTreeMap<i64, Tally>> = accs.iter().map(rolled).collect();

    let target_of =
        |ts: &[fenglai_store::assess::TargetVersion], unit: Option<i64>, user: Option<i64>| {
            let mut v = vec![None; n];
            for t in ts.iter().filter(|t| t.unit_id == unit && t.user_id == user) {
                if let Ok(m) = Metric::parse(&t.metric) {
                    v[mi(m)] = Some(t.value as f64);
                }
            }
            v
        };

    struct Entity {
        id: i64,
        name: String,
        group: String,
        unit: Option<i64>,
        user: Option<i64>,
    }
    let unit_kinds_units = ["county", "park", "department", "channel"];
    let mut boards_spec: Vec<(&str, &str, Vec<Entity>)> = vec![
        (
            "units",
            "县区、园区与部门",
            units
                .iter()
                .filter(|u| unit_kinds_units.contains(&u.kind.as_str()))
                .map(|u| Entity {
                    id: u.id,
                    name: u.name.clone(),
                    group: kind_label(&u.kind),
                    unit: Some(u.id),
                    user: None,
                })
                .collect(),
        ),
        (
            "offices",
            "驻外招商机构",
            units
                .iter()
                .filter(|u| u.kind == "office")
                .map(|u| Entity {
                    id: u.id,
                    name: u.name.clone(),
                    group: kind_label(&u.kind),
                    unit: Some(u.id),
                    user: None,
                })
                .collect(),
        ),
        (
            "people",
            "招商人员",
            people
                .iter()
                .filter(|p| ["promoter", "receiver", "informant"].contains(&p.role.as_str()))
                .map(|p| Entity {
                    id: p.id,
                    name: p.display_name.clone(),
                    group: by_id
                        .get(&p.unit_id)
                        .map(|u| u.name.clone())
                        .unwrap_or_default(),
                    unit: None,
                    user: Some(p.id),
                })
                .collect(),
        ),
    ];

    let none = Tally::default();
    let mut boards = Vec::new();
    for (key, label, ents) in boards_spec.drain(..) {
        let vals_of = |k: usize, e: &Entity| -> Vals {
            let t = match (e.unit, e.user) {
                (Some(u), _) => unit_tallies[k].get(&u),
                (_, Some(p)) => accs[k].people.get(&p),
                _ => None,
            };
            Vals::of(t.unwrap_or(&none))
        };
        let score_of =
            |vals: &[Vals], ytd: &[Vals], ts: &[Vec<Option<f64>>], el: f64| -> Vec<f64> {
                // the best on the board per metric, for metrics without a target
                let best: Vec<f64> = (0..n)
                    .map(|i| vals.iter().map(|v| v.weighted[i]).fold(0.0, f64::max))
                    .collect();
                vals.iter()
                    .zip(ytd)
                    .zip(ts)
                    .map(|((v, y), tg)| {
                        Metric::ALL
                            .iter()
                            .enumerate()
                            .map(|(i, m)| {
                                let pts = scheme.points_of(*m);
                                if pts == 0.0 {
                                    return 0.0;
                                }
                                match tg[i] {
                                    Some(target) if target > 0.0 => {
                                        let pace = (target * el.max(1e-9)).max(1e-9);
                                        metric_score(pts, y.weighted[i], Some(pace), scheme.cap)
                                            .unwrap_or(0.0)
                                    }
                                    _ if best[i] > 0.0 => pts * v.weighted[i] / best[i],
                                    _ => 0.0,
                                }
                            })
                            .sum::<f64>()
                    })
                    .map(round4)
                    .collect()
            };
        let cur: Vec<Vals> = ents.iter().map(|e| vals_of(0, e)).collect();
        let ytd: Vec<Vals> = ents.iter().map(|e| vals_of(1, e)).collect();
        let tg: Vec<Vec<Option<f64>>> = ents
            .iter()
            .map(|e| target_of(&targets, e.unit, e.user))
            .collect();
        let scores = score_of(&cur, &ytd, &tg, elapsed);
        let rk = ranks(&scores);
        let (prev_rk, prev_metric_rk): (Option<Vec<usize>>, Option<Vec<Vec<usize>>>) =
            if prev.is_some() {
                let pv: Vec<Vals> = ents.iter().map(|e| vals_of(2, e)).collect();
                let py: Vec<Vals> = ents.iter().map(|e| vals_of(3, e)).collect();
                let ptg: Vec<Vec<Option<f64>>> = ents
                    .iter()
                    .map(|e| target_of(&prev_targets, e.unit, e.user))
                    .collect();
                let ps = score_of(&pv, &py, &ptg, prev_elapsed.unwrap_or(1.0));
                let pm = (0..n)
                    .map(|i| ranks(&pv.iter().map(|v| round4(v.weighted[i])).collect::<Vec<_>>()))
                    .collect();
                (Some(ranks(&ps)), Some(pm))
            } else {
                (None, None)
            };
        let metric_rk: Vec<Vec<usize>> = (0..n)
            .map(|i| {
                ranks(
                    &cur.iter()
                        .map(|v| round4(v.weighted[i]))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let mut rows: Vec<Row> = ents
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let completion = (0..n)
                    .map(|i| {
                        tg[k][i]
                            .filter(|t| *t > 0.0)
                            .map(|t| round4(ytd[k].weighted[i] / t))
                    })
                    .collect();
                let prev_rank = prev_rk.as_ref().map(|r| r[k]);
                Row {
                    id: e.id,
                    name: e.name.clone(),
                    group: e.group.clone(),
                    raw: to_f(&cur[k].raw),
                    value: to_f(&cur[k].weighted),
                    ytd: to_f(&ytd[k].weighted),
                    target: tg[k].clone(),
                    completion,
                    score: scores[k],
                    rank: rk[k],
                    prev_rank,
                    movement: movement(rk[k], prev_rank),
                    metric_rank: (0..n).map(|i| metric_rk[i][k]).collect(),
                    metric_movement: (0..n)
                        .map(|i| {
                            movement(metric_rk[i][k], prev_metric_rk.as_ref().map(|p| p[i][k]))
                        })
                        .collect(),
                    zero: cur[k].raw.iter().all(|v| round4(*v) == 0.0),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.id.cmp(&b.id)));
        let scored: Vec<&Row> = rows.iter().filter(|r| !r.zero).collect();
        let k = (scored.len() / 5).clamp(1, 3).min(scored.len());
        let red = scored.iter().take(k).map(|r| r.name.clone()).collect();
        let black = if scored.len() > 2 * k {
            scored
                .iter()
                .rev()
                .take(k)
                .map(|r| r.name.clone())
                .collect()
        } else {
            Vec::new()
        };
        let zero = rows
            .iter()
            .filter(|r| r.zero)
            .map(|r| r.name.clone())
            .collect();
        boards.push(RankingBoard {
            key: key.to_string(),
            label: label.to_string(),
            rows,
            red,
            black,
            zero,
        });
    }

    tracing::debug!("assess: boards at {} ms", clock.elapsed().as_millis());
    // the city as a whole: the root units' sums (every credit is whole, so once)
    let roots: Vec<i64> = units
        .iter()
        .filter(|u| u.parent_id.is_none())
        .map(|u| u.id)
        .collect();
    let total = |k: usize, weighted: bool| -> Vec<f64> {
        let mut city = Tally::default();
        for t in roots.iter().filter_map(|r| unit_tallies[k].get(r)) {
            city.absorb(t);
        }
        let v = Vals::of(&city);
        to_f(if weighted { &v.weighted } else { &v.raw })
    };
    Ok(AssessFigures {
        period: p.code.clone(),
        period_label: p.label.clone(),
        start: p.start.to_string(),
        end: p.end.to_string(),
        as_of: t,
        year,
        elapsed: round4(elapsed),
        credit_rule: scheme.credit_rule.clone(),
        metrics: Metric::ALL
            .iter()
            .map(|m| MetricInfo {
                code: m.code().into(),
                label: m.label().into(),
                measure: match m.measure() {
                    Measure::Count => "count",
                    Measure::Yuan => "yuan",
                    Measure::Usd => "usd",
                }
                .into(),
                points: scheme.points_of(*m),
            })
            .collect(),
        total_raw: total(0, false),
        total_value: total(0, true),
        total_ytd: total(1, false),
        boards,
    })
}

fn kind_label(kind: &str) -> String {
    fenglai_domain::UnitKind::parse(kind)
        .map(|k| k.label().to_string())
        .unwrap_or_else(|_| kind.to_string())
}

/// AssessFigures by metric code, for a row: `{"signed_count": 2.0, …}`.
pub fn by_code(values: &[f64]) -> BTreeMap<&'static str, f64> {
    Metric::ALL
        .iter()
        .zip(values)
        .map(|(m, v)| (m.code(), *v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn r(a: &str, b: &str) -> Range {
        Range {
            start: d(a),
            end: d(b),
        }
    }

    #[test]
    fn a_month_and_its_year_to_date_share_their_days() {
        let ranges = [
            r("2025-10-01", "2025-10-31"),
            r("2025-01-01", "2025-10-31"),
            r("2025-09-01", "2025-09-30"),
            r("2025-01-01", "2025-09-30"),
        ];
        let (parts, made_of) = pieces(&ranges);
        assert_eq!(
            parts,
            [
                r("2025-01-01", "2025-08-31"),
                r("2025-09-01", "2025-09-30"),
                r("2025-10-01", "2025-10-31"),
            ]
        );
        assert_eq!(made_of, [vec![2], vec![0, 1, 2], vec![1], vec![0, 1]]);
        // January: the previous period is last year's December, apart from this year
        let (parts, made_of) = pieces(&[
            r("2025-01-01", "2025-01-31"),
            r("2025-01-01", "2025-01-31"),
            r("2024-12-01", "2024-12-31"),
            r("2024-01-01", "2024-12-31"),
        ]);
        assert_eq!(
            parts,
            [
                r("2024-01-01", "2024-11-30"),
                r("2024-12-01", "2024-12-31"),
                r("2025-01-01", "2025-01-31"),
            ]
        );
        assert_eq!(made_of, [vec![2], vec![2], vec![1], vec![0, 1]]);
    }

    /// A credit as [`accumulate`] makes them: a value of a metric shared by a group of
    /// reporters (user `10 + i`, unit `i % 3`) under a rule, at a weight.
    type Credit = (usize, Vec<usize>, usize, i64, usize);

    fn credited(credits: &[Credit]) -> Acc {
        let rules = [
            CreditRule::FirstHalf,
            CreditRule::FirstOnly,
            CreditRule::Equal,
        ];
        let weights = [0.0, 1.0, 1.2, 1.5, 1.5 * 1.2];
        let mut acc = Acc::default();
        for (m, members, rule, value, w) in credits {
            let parts = rules[*rule].parts(members.len());
            let group: Vec<(LeadAt, i64)> = members
                .iter()
                .zip(parts)
                .map(|(&i, p)| (LeadAt::plain(i as i64 % 3, 10 + i as i64, ""), p))
                .collect();
            credit_split(
                &mut acc,
                &group,
                Some((9, 99)),
                Metric::ALL[*m],
                *value,
                weights[*w],
            );
        }
        acc
    }

    proptest! {
        /// Credits shared out in any order, or in pieces added together as the ranges are,
        /// give the same sums (and so the same figures, see `Tally`); every credit is shared
        /// out whole.
        #[test]
        fn credit_does_not_depend_on_order(
            (credits, shuffled) in proptest::collection::vec(
                (
                    0..Metric::ALL.len(),
                    proptest::collection::vec(0usize..20, 0..7),
                    0usize..3,
                    -10_000_000_000i64..10_000_000_000,
                    0usize..5,
                ),
                0..40,
            )
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            cut in 0usize..40,
        ) {
            let a = credited(&credits);
            let (head, tail) = shuffled.split_at(cut.min(shuffled.len()));
            let mut b = credited(tail);
            b.absorb(&credited(head));
            prop_assert_eq!(&a, &b);
            for &m in Metric::ALL {
                let whole: i64 = credits.iter().filter(|c| Metric::ALL[c.0] == m).map(|c| m.units(c.3)).sum();
                let shared: i64 = a.people.values().map(|t| t.units(m)).sum();
                prop_assert_eq!(shared, whole);
            }
        }

        /// Every day of a range lies in exactly one of its pieces, and no piece of it holds a
        /// day outside it; the pieces never overlap.
        #[test]
        fn pieces_partition_every_range(spans in proptest::collection::vec((0i64..400, 0i64..120), 1..6)) {
            let base = d("2024-01-01");
            let ranges: Vec<Range> = spans
                .iter()
                .map(|&(s, len)| Range {
                    start: base + chrono::Duration::days(s),
                    end: base + chrono::Duration::days(s + len),
                })
                .collect();
            let (parts, made_of) = pieces(&ranges);
            for w in parts.windows(2) {
                prop_assert!(w[0].end < w[1].start);
            }
            for (range, ix) in ranges.iter().zip(&made_of) {
                let days: i64 = ix.iter().map(|&i| (parts[i].end - parts[i].start).num_days() + 1).sum();
                prop_assert_eq!(days, (range.end - range.start).num_days() + 1);
                for &i in ix {
                    prop_assert!(range.start <= parts[i].start && parts[i].end <= range.end);
                }
            }
        }
    }
}
