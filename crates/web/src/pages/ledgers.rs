//! Ledger pages: upload a file, check the preview (mapping, first rows with their
//! errors), change what a column holds, import, download the error report; and the
//! 导出Excel of the lead and project lists.

use super::*;
use crate::api_ledgers::xlsx;
use axum::extract::{DefaultBodyLimit, Multipart};
use fenglai_app::import::{self, ColumnChoice, CommitInput, MappingInput, Preview};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/imports", post(upload))
        .layer(DefaultBodyLimit::max(import::MAX_FILE_BYTES + 1024 * 1024))
        .route("/imports/new", get(new_page))
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/mapping", post(mapping))
        .route("/imports/{id}/commit", post(commit))
        .route("/imports/{id}/errors.xlsx", get(errors))
        .route("/leads/export.xlsx", get(export_leads))
        .route("/projects/export.xlsx", get(export_projects))
}

#[derive(Template)]
#[template(path = "import_new.html")]
struct NewPage {
    f: Frame,
    kinds: Vec<Opt>,
    error: Option<String>,
}

fn kind_opts(current: &str) -> Vec<Opt> {
    opts(
        [("leads", "线索台账"), ("projects", "项目台账")].into_iter(),
        Some(current),
    )
}

#[derive(Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

async fn new_page(s: WebSession, Query(q): Query<KindQuery>) -> Response {
    render(
        StatusCode::OK,
        &NewPage {
            f: Frame::new(&s, "imports"),
            kinds: kind_opts(q.kind.as_deref().unwrap_or("leads")),
            error: None,
        },
    )
}

async fn upload(State(app): State<App>, s: WebSession, mut m: Multipart) -> Response {
    let (mut csrf, mut kind, mut file) = (String::new(), String::from("leads"), None);
    let failed = |kind: &str, message: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                f: Frame::new(&s, "imports"),
                kinds: kind_opts(kind),
                error: Some(message),
            },
        )
    };
    loop {
        match m.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("csrf") => csrf = field.text().await.unwrap_or_default(),
                Some("kind") => kind = field.text().await.unwrap_or_default(),
                Some("file") => {
                    let name = field.file_name().unwrap_or("台账").to_string();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(e) => return failed(&kind, format!("上传失败：{}", e.body_text())),
                    }
                }
                _ => {}
            },
            Ok(None) => break,
            Err(e) => return failed(&kind, format!("上传失败：{}", e.body_text())),
        }
    }
    if let Some(r) = csrf_rejection(&s, &csrf) {
        return r;
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !(n.is_empty() && b.is_empty())) else {
        return failed(&kind, "请选择要导入的文件".into());
    };
    let k = match import::parse_kind(&kind) {
        Ok(k) => k,
        Err(e) => return failed(&kind, e.to_string()),
    };
    match import::upload(&app, &s.actor, k, &name, bytes).await {
        Ok(p) => Redirect::to(&format!("/imports/{}", p.id.unwrap_or(0))).into_response(),
        Err(Error::Invalid { message, .. }) => failed(&kind, message),
        Err(e) => error_page(e),
    }
}

/// One column of the mapping form.
struct ColumnRow {
    col: usize,
    letter: String,
    header: String,
    fields: Vec<Opt>,
    units: Vec<Opt>,
    assumed: bool,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    f: Frame,
    p: Preview,
    cols: Vec<ColumnRow>,
    error: Option<String>,
    kind_label: &'static str,
    /// the units rows without a 报送单位 column may be reported as
    units: Vec<IdOpt>,
}

fn page(s: &WebSession, p: Preview, error: Option<String>, units: Vec<(i64, String)>) -> Response {
    let kind = import::parse_kind(&p.kind).unwrap_or(import::LedgerKind::Leads);
    let choices = import::field_choices(kind);
    let cols = p
        .columns
        .iter()
        .map(|c| ColumnRow {
            col: c.col,
            letter: c.letter.clone(),
            header: c.header.clone(),
            fields: choices
                .iter()
                .map(|(k, l)| Opt {
                    code: k,
                    label: l,
                    selected: c.field.as_deref() == Some(*k),
                })
                .collect(),
            units: import::unit_choices(c.field.as_deref())
                .into_iter()
                .map(|u| Opt {
                    code: u,
                    label: u,
                    selected: c.unit.as_deref() == Some(u),
                })
                .collect(),
            assumed: c.unit_assumed,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ImportPage {
            f: Frame::new(s, "imports"),
            kind_label: if kind == import::LedgerKind::Projects {
                "项目"
            } else {
                "线索"
            },
            p,
            cols,
            error,
            units: units
                .into_iter()
                .map(|(id, name)| IdOpt {
                    id,
                    name,
                    selected: false,
                })
                .collect(),
        },
    )
}

async fn show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> Response {
    let r = async {
        Ok::<_, Error>((
            import::preview(&app, &s.actor, id).await?,
            import::reporting_units(&app, &s.actor).await?,
        ))
    }
    .await;
    match r {
        Ok((p, units)) => page(&s, p, None, units),
        Err(e) => error_page(e),
    }
}

/// Re-shows the preview with a message (a refused mapping or import).
async fn again(app: &App, s: &WebSession, id: i64, message: String) -> Response {
    let r = async {
        Ok::<_, Error>((
            import::preview(app, &s.actor, id).await?,
            import::reporting_units(app, &s.actor).await?,
        ))
    }
    .await;
    match r {
        Ok((p, units)) => page(s, p, Some(message), units),
        Err(e) => error_page(e),
    }
}

/// The mapping form: `field_<col>` and `unit_<col>` for every column; or the worksheet
/// form: `sheet`.
async fn mapping(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, f.get("csrf").map_or("", String::as_str)) {
        return r;
    }
    let mut columns: Vec<ColumnChoice> = f
        .iter()
        .filter_map(|(k, v)| {
            let col = k.strip_prefix("field_")?.parse().ok()?;
            Some(ColumnChoice {
                col,
                field: Some(v.clone()).filter(|v| !v.is_empty()),
                unit: f.get(&format!("unit_{col}")).cloned(),
            })
        })
        .collect();
    // Unmapped columns first, so that moving a field from one column to another
    // does not undo itself.
    columns.sort_by_key(|c| (c.field.is_some(), c.col));
    // the worksheet form sends only `sheet`: another worksheet, mapped anew
    let sheet = f.get("sheet").cloned();
    match import::set_mapping(&app, &s.actor, id, &MappingInput { sheet, columns }).await {
        Ok(_) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(Error::Invalid { message, .. }) | Err(Error::Conflict(message)) => {
            again(&app, &s, id, message).await
        }
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize)]
struct CommitForm {
    csrf: String,
    #[serde(default)]
    skip_bad_rows: Option<String>,
    /// the reporting unit of rows without a 报送单位 column (empty: the importer's)
    #[serde(default)]
    unit_id: String,
}

async fn commit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(f): Form<CommitForm>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
    let unit_id = match f.unit_id.trim() {
        "" => None,
        v => match v.parse() {
            Ok(u) => Some(u),
            Err(_) => return again(&app, &s, id, "报送单位选择有误".into()).await,
        },
    };
    let input = CommitInput {
        skip_bad_rows: f.skip_bad_rows.is_some_and(|v| !v.is_empty()),
        unit_id,
    };
    match import::commit_detached(&app, &s.actor, id, &input).await {
        Ok(_) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(Error::Invalid { message, .. })
        | Err(Error::Conflict(message))
        | Err(Error::Forbidden(message)) => again(&app, &s, id, message).await,
        Err(e) => error_page(e),
    }
}

async fn errors(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> Response {
    match import::error_report(&app, &s.actor, id).await {
        Ok((name, bytes)) => xlsx(&name, bytes),
        Err(e) => error_page(e),
    }
}

async fn export_leads(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<ListQuery>,
) -> Response {
    match import::export_leads(&app, &s.actor, &q).await {
        Ok(b) => xlsx(&format!("线索台账-{}.xlsx", fenglai_app::today()), b),
        Err(e) => error_page(e),
    }
}

async fn export_projects(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<projects::ListQuery>,
) -> Response {
    match import::export_projects(&app, &s.actor, &q).await {
        Ok(b) => xlsx(&format!("项目台账-{}.xlsx", fenglai_app::today()), b),
        Err(e) => error_page(e),
    }
}

/// `k=v&…` of the filters that are set.
fn query_of(pairs: &[(&str, Option<&str>)]) -> String {
    let set: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    serde_urlencoded::to_string(&set).unwrap_or_default()
}

impl super::LeadList {
    /// The list's filters, for its 导出Excel link.
    pub(super) fn export_query(&self) -> String {
        let q = &self.q;
        query_of(&[
            ("q", q.q.as_deref()),
            ("status", q.status.as_deref()),
            ("industry", q.industry.as_deref()),
            ("unit_id", q.unit_id.as_deref()),
            ("from", q.from.as_deref()),
            ("to", q.to.as_deref()),
            ("sort", q.sort.as_deref()),
        ])
    }
}

impl super::ProjectList {
    /// The list's filters, for its 导出Excel link.
    pub(super) fn export_query(&self) -> String {
        let stage = self.stages.iter().find(|o| o.selected).map(|o| o.code);
        query_of(&[("q", Some(self.q.as_str())), ("stage", stage)])
    }
}
