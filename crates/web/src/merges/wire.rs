//! The API's types of merges: what clients receive, mapped from app's.

use crate::leads::wire::Lead;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MergePreview)]
pub struct Preview {
    pub survivor: Lead,
    pub duplicate: Lead,
    pub fields: Vec<fenglai_app::merges::FieldPair>,
    /// when both leads have a project: which project survives (`project`), the projects'
    /// fields and the months both recorded figures for (`month.YYYY-MM`), side by side;
    /// keys of `keep` like the lead's fields
    pub project_fields: Vec<fenglai_app::merges::FieldPair>,
}

impl From<fenglai_app::merges::Preview> for Preview {
    fn from(p: fenglai_app::merges::Preview) -> Preview {
        Preview {
            survivor: p.survivor.into(),
            duplicate: p.duplicate.into(),
            fields: p.fields,
            project_fields: p.project_fields,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Merge {
    pub id: i64,
    pub survivor_id: i64,
    pub duplicate_id: i64,
    pub merged_by: i64,
    pub merged_by_name: String,
    pub merged_at: String,
    pub undone_at: Option<String>,
}

impl From<fenglai_store::merges::Merge> for Merge {
    fn from(m: fenglai_store::merges::Merge) -> Merge {
        Merge {
            id: m.id,
            survivor_id: m.survivor_id,
            duplicate_id: m.duplicate_id,
            merged_by: m.merged_by,
            merged_by_name: m.merged_by_name,
            merged_at: m.merged_at,
            undone_at: m.undone_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pair {
    pub id: i64,
    pub lead_id: i64,
    pub lead_name: String,
    pub lead_unit: String,
    pub lead_date: String,
    pub other_id: i64,
    pub other_name: String,
    pub other_unit: String,
    pub other_date: String,
    /// why they look alike, separated by "；"
    pub reasons: String,
    /// open, merged, dismissed
    pub status: String,
    pub created_at: String,
}

impl From<fenglai_store::merges::Pair> for Pair {
    fn from(p: fenglai_store::merges::Pair) -> Pair {
        Pair {
            id: p.id,
            lead_id: p.lead_id,
            lead_name: p.lead_name,
            lead_unit: p.lead_unit,
            lead_date: p.lead_date,
            other_id: p.other_id,
            other_name: p.other_name,
            other_unit: p.other_unit,
            other_date: p.other_date,
            reasons: p.reasons,
            status: p.status,
            created_at: p.created_at,
        }
    }
}
