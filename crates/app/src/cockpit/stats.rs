//! Pipeline figures as of any date, from the stage history.

use crate::{Actor, App, Result};
use fenglai_domain::{Day, Stage};
use fenglai_store::stats::{self, GroupBy, RecentChange};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageStat {
    /// stage code
    pub stage: String,
    pub label: String,
    /// projects in this stage on the as-of date
    pub count: i64,
    /// their investment: planned while negotiating, contract amount from signing on
    pub investment_yuan: i64,
    /// projects that had reached at least this stage and were not dropped
    pub reached_count: i64,
    pub reached_investment_yuan: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pipeline {
    // the day the figures stand at the end of (no doc comment: it would become the schema's description)
    #[schema(value_type = String)]
    pub as_of: Day,
    pub stages: Vec<StageStat>,
}

impl Pipeline {
    pub fn stage(&self, s: Stage) -> &StageStat {
        self.stages
            .iter()
            .find(|x| x.stage == s.as_str())
            .expect("every stage is listed")
    }

    /// The leaders' sentence (seed 003): 策划对接项目 N 个、计划总投资 X 亿元；已签约 …；已开工 ….
    pub fn summary(&self) -> String {
        let n = self.stage(Stage::Negotiating);
        let s = self.stage(Stage::Signed);
        let st = self.stage(Stage::Started);
        let yi = |v: i64| fenglai_domain::Yuan(v).yi();
        format!(
            "策划对接项目 {} 个、计划总投资 {} 亿元；已签约 {} 个 {} 亿元；已开工 {} 个 {} 亿元",
            n.reached_count,
            yi(n.reached_investment_yuan),
            s.reached_count,
            yi(s.reached_investment_yuan),
            st.reached_count,
            yi(st.reached_investment_yuan)
        )
    }
}

/// (stage, count, investment) as the store returns them.
type StageRow = (String, i64, i64);

fn assemble(as_of: Day, rows: &[StageRow]) -> Pipeline {
    let get = |s: Stage| {
        rows.iter()
            .filter(|r| r.0 == s.as_str())
            .fold((0, 0), |acc, r| (acc.0 + r.1, acc.1 + r.2))
    };
    let stages = Stage::ALL
        .iter()
        .map(|&s| {
            let (count, inv) = get(s);
            let (rc, ri) = match s.rank() {
                Some(r) => Stage::LINE[r..]
                    .iter()
                    .map(|&x| get(x))
                    .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
                None => (count, inv),
            };
            StageStat {
                stage: s.as_str().into(),
                label: s.label().into(),
                count,
                investment_yuan: inv,
                reached_count: rc,
                reached_investment_yuan: ri,
            }
        })
        .collect();
    Pipeline { as_of, stages }
}

/// The pipeline at the end of day `as_of`: stages are entered on days (effective dates),
/// so the as-of of these figures is a [`Day`].
pub async fn pipeline(app: &App, actor: &Actor, as_of: Day) -> Result<Pipeline> {
    let mut c = app.db.acquire().await?;
    let rows = stats::pipeline(&mut c, as_of, &actor.scope).await?;
    let rows: Vec<_> = rows
        .into_iter()
        .map(|r| (r.stage, r.count, r.investment_yuan))
        .collect();
    Ok(assemble(as_of, &rows))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupPipeline {
    pub id: Option<i64>,
    pub name: String,
    pub pipeline: Pipeline,
}

/// The pipeline per receiving park, or per reporting unit, at the end of day `as_of`.
pub async fn pipeline_by(
    app: &App,
    actor: &Actor,
    as_of: Day,
    by_park: bool,
) -> Result<Vec<GroupPipeline>> {
    let mut c = app.db.acquire().await?;
    let by = if by_park {
        GroupBy::Park
    } else {
        GroupBy::ReportingUnit
    };
    let rows = stats::pipeline_by(&mut c, as_of, &actor.scope, by).await?;
    let mut groups: BTreeMap<Option<i64>, (String, Vec<StageRow>)> = BTreeMap::new();
    for r in rows {
        let name = r
            .group_name
            .clone()
            .unwrap_or_else(|| "未定承接园区".into());
        groups
            .entry(r.group_id)
            .or_insert_with(|| (name, Vec::new()))
            .1
            .push((r.stage, r.count, r.investment_yuan));
    }
    let mut out: Vec<GroupPipeline> = groups
        .into_iter()
        .map(|(id, (name, rows))| GroupPipeline {
            id,
            name,
            pipeline: assemble(as_of, &rows),
        })
        .collect();
    out.sort_by_key(|g| -g.pipeline.stage(Stage::Negotiating).reached_investment_yuan);
    Ok(out)
}

pub async fn recent(app: &App, actor: &Actor, limit: i64) -> Result<Vec<RecentChange>> {
    let mut c = app.db.acquire().await?;
    Ok(stats::recent_changes(&mut c, &actor.scope, limit).await?)
}

pub async fn lead_counts(app: &App, actor: &Actor) -> Result<Vec<fenglai_store::leads::UnitCount>> {
    let mut c = app.db.acquire().await?;
    Ok(fenglai_store::leads::counts_by_unit(&mut c, &actor.scope).await?)
}
