//! Ledger pages: upload a file, check the preview (mapping, first rows with their
//! errors), change what a column holds, import, download the error report; and the
//! 导出Excel of the lead and project lists.

use crate::download::xlsx;
use crate::extract::{CsrfMultipart, Unread};
use crate::pages::*;
use axum::extract::DefaultBodyLimit;
use fenglai_app::ledgers::{self, ColumnChoice, CommitInput, MappingInput, Preview};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/imports", post(upload))
        .layer(DefaultBodyLimit::max(ledgers::MAX_FILE_BYTES + 1024 * 1024))
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

async fn upload(
    State(app): State<App>,
    s: WebSession,
    CsrfMultipart(form): CsrfMultipart,
) -> PageResult {
    let failed = |fields: &HashMap<String, String>, message: String| {
        let kind = fields.get("kind").map_or("leads", String::as_str);
        Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewPage {
                f: Frame::new(&s, "imports"),
                kinds: kind_opts(kind),
                error: Some(message),
            },
        ))
    };
    let form = match form {
        Ok(form) => form,
        Err(Unread::NotMultipart(rejection)) => return Ok(rejection.into_response()),
        Err(Unread::Broken { fields, error }) => {
            return failed(&fields, format!("上传失败：{}", error.body_text()))
        }
    };
    let Some(file) = form
        .file
        .filter(|f| !(f.name.as_deref() == Some("") && f.bytes.is_empty()))
    else {
        return failed(&form.fields, "请选择要导入的文件".into());
    };
    let kind = form.fields.get("kind").map_or("leads", String::as_str);
    let k = match ledgers::parse_kind(kind) {
        Ok(k) => k,
        Err(e) => return failed(&form.fields, e.to_string()),
    };
    let name = file.name.unwrap_or_else(|| "台账".into());
    match ledgers::upload(&app, &s.actor, k, &name, file.bytes)
        .await
        .shown_if(invalid)?
    {
        Ok(p) => to(&format!("/imports/{}", p.id.unwrap_or(0))),
        Err(e) => failed(&form.fields, e.to_string()),
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

fn page(
    s: &WebSession,
    p: Preview,
    error: Option<String>,
    units: Vec<(i64, String)>,
) -> PageResult {
    let kind = ledgers::parse_kind(&p.kind).unwrap_or(ledgers::LedgerKind::Leads);
    let choices = ledgers::field_choices(kind);
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
            units: ledgers::unit_choices(c.field.as_deref())
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
    Ok(render(
        status,
        &ImportPage {
            f: Frame::new(s, "imports"),
            kind_label: if kind == ledgers::LedgerKind::Projects {
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
    ))
}

async fn show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    preview(&app, &s, id, None).await
}

/// The preview of an upload, with a message after a refused mapping or import.
async fn preview(app: &App, s: &WebSession, id: i64, message: Option<String>) -> PageResult {
    let p = ledgers::preview(app, &s.actor, id).await?;
    let units = ledgers::reporting_units(app, &s.actor).await?;
    page(s, p, message, units)
}

/// The mapping form: `field_<col>` and `unit_<col>` for every column; or the worksheet
/// form: `sheet`.
async fn mapping(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<HashMap<String, String>>,
) -> PageResult {
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
    match ledgers::set_mapping(&app, &s.actor, id, &MappingInput { sheet, columns })
        .await
        .shown_if(|e| matches!(e, Error::Invalid { .. } | Error::Conflict(_)))?
    {
        Ok(_) => to(&format!("/imports/{id}")),
        Err(e) => preview(&app, &s, id, Some(e.to_string())).await,
    }
}

#[derive(Deserialize)]
struct CommitForm {
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
    CsrfForm(f): CsrfForm<CommitForm>,
) -> PageResult {
    let unit_id = match f.unit_id.trim() {
        "" => None,
        v => match v.parse() {
            Ok(u) => Some(u),
            Err(_) => return preview(&app, &s, id, Some("报送单位选择有误".into())).await,
        },
    };
    let input = CommitInput {
        skip_bad_rows: f.skip_bad_rows.is_some_and(|v| !v.is_empty()),
        unit_id,
    };
    match ledgers::commit_detached(&app, &s.actor, id, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(_) => to(&format!("/imports/{id}")),
        Err(e) => preview(&app, &s, id, Some(e.to_string())).await,
    }
}

async fn errors(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    let (name, bytes) = ledgers::error_report(&app, &s.actor, id).await?;
    Ok(xlsx(&name, bytes))
}

async fn export_leads(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let b = ledgers::export_leads(&app, &s.actor, &q).await?;
    Ok(xlsx(&format!("线索台账-{}.xlsx", fenglai_app::today()), b))
}

async fn export_projects(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<projects::ListQuery>,
) -> PageResult {
    let b = ledgers::export_projects(&app, &s.actor, &q).await?;
    Ok(xlsx(&format!("项目台账-{}.xlsx", fenglai_app::today()), b))
}
