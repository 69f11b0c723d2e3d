//! The demo city's seeding, in its order: the organisation and accounts, the generated
//! pipeline, 考核, and 产业链 over a generated registry (`fenglai_app::demo` holds the
//! city's fixed parts).

use crate::pipeline::{generate, Options};
use fenglai_app::{demo, App, Error, Result};
use fenglai_store::Db;

/// The demo's pipeline: 640 leads, about 260 projects, reported from 2023 to today.
fn pipeline() -> Options {
    Options {
        leads: 640,
        projects: 260,
        seed: 2026,
        start: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date"),
        end: fenglai_app::today(),
    }
}

/// Companies in the demo's synthetic registry.
const REGISTRY_ROWS: u64 = 20_000;

/// Seeds the demo city into `db` (the database of `app`) once; later calls reuse it.
/// Returns whether it seeded now.
pub async fn ensure_demo(app: &App, db: &Db) -> Result<bool> {
    if demo::is_seeded(app).await? {
        return Ok(false);
    }
    let refs = demo::seed_org(app).await?;
    generate(app, db, &refs, &pipeline(), &|_, _| {}).await?;
    demo::seed_assessment(app).await?;
    let mut registry = Vec::new();
    crate::registry::write(
        &mut registry,
        REGISTRY_ROWS,
        2026,
        demo::HOME_REGION,
        &|_| {},
    )
    .map_err(|e| Error::Internal(e.to_string()))?;
    demo::seed_chains(app, registry).await?;
    demo::mark_seeded(app).await?;
    Ok(true)
}
