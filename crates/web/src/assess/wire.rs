//! The API's types of 考核与通报, mapped from what app returns.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    pub id: i64,
    pub period: String,
    pub title: String,
    /// the moment its figures are computed as of (RFC 3339)
    pub as_of: String,
    /// the figures (JSON)
    pub figures: String,
    /// stalled projects and overdue requests named in it (JSON)
    pub named: String,
    /// SHA-256 of `figures`
    pub hash: String,
    pub published_by: i64,
    pub published_at: String,
}

impl From<fenglai_store::assess::Bulletin> for Bulletin {
    fn from(b: fenglai_store::assess::Bulletin) -> Self {
        Bulletin {
            id: b.id,
            period: b.period,
            title: b.title,
            as_of: b.as_of.to_string(),
            figures: b.figures,
            named: b.named,
            hash: b.hash,
            published_by: b.published_by,
            published_at: b.published_at.to_string(),
        }
    }
}
