//! Evidence (佐证材料): contract scans, land certificates, permits and photos attached to a
//! project, stored by SHA-256 in the database (so every server sees them), limited in size
//! and type, passed through a virus-scan hook, and required by configurable stage changes.

use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use fenglai_domain::Stage;
use fenglai_store::evidence::{self as store, Attachment};
use fenglai_store::{org, projects, Conn};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The largest file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

pub const KINDS: [(&str, &str); 5] = [
    ("contract", "合同扫描件"),
    ("land_certificate", "土地证/不动产权证"),
    ("permit", "许可/批复文件"),
    ("photo", "现场照片"),
    ("other", "其他材料"),
];

pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, l)| l)
}

/// The file types accepted, recognised by their first bytes (never by the name a browser
/// sends), with the content type they are served as.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let starts = |m: &[u8]| bytes.starts_with(m);
    if starts(b"%PDF-") {
        Some("application/pdf")
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"PK\x03\x04") {
        // .docx, .xlsx and .ofd are zip packages
        Some("application/zip")
    } else if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // .doc, .xls
        Some("application/x-ole-storage")
    } else {
        None
    }
}

/// A virus scanner the files pass through before they are stored. Configure one with
/// [`App::with_scanner`]; without one, files are stored unscanned.
pub trait Scanner: Send + Sync {
    /// `Err(reason)` refuses the file.
    fn scan(&self, filename: &str, bytes: &[u8]) -> std::result::Result<(), String>;
}

/// Runs an external command (e.g. `clamdscan --no-summary -`) with the file on standard
/// input; a non-zero exit refuses it.
pub struct CommandScanner {
    pub program: String,
    pub args: Vec<String>,
}

impl Scanner for CommandScanner {
    fn scan(&self, _filename: &str, bytes: &[u8]) -> std::result::Result<(), String> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("病毒扫描程序无法启动：{e}"))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(bytes);
        }
        let status = child.wait().map_err(|e| format!("病毒扫描失败：{e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err("文件未通过病毒扫描".into())
        }
    }
}

/// An upload as the web layer hands it over.
pub struct Upload<'a> {
    pub kind: &'a str,
    pub filename: &'a str,
    pub bytes: &'a [u8],
    pub request_id: Option<i64>,
}

fn check_upload(u: &Upload<'_>) -> Result<&'static str> {
    if !KINDS.iter().any(|(k, _)| *k == u.kind) {
        return Err(Error::invalid(
            "kind",
            format!(
                "材料类型应为：{}",
                KINDS.map(|(k, l)| format!("{k}（{l}）")).join("、")
            ),
        ));
    }
    let name = u.filename.trim();
    check_file_name(name)?;
    if u.bytes.is_empty() {
        return Err(Error::invalid("file", "文件是空的"));
    }
    if u.bytes.len() > MAX_BYTES {
        return Err(Error::invalid(
            "file",
            format!("文件不能超过{} MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let content_type = sniff(u.bytes).ok_or_else(|| {
        Error::invalid("file", "只接受 PDF、JPEG、PNG 图片和 Word/Excel/OFD 文件")
    })?;
    check_office(name, u.bytes)?;
    Ok(content_type)
}

/// A file name, not a path: 1 to 200 characters, not "." or ".." or anything made only of
/// dots and spaces, without a path separator, NUL or other control character.
fn check_file_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Error::invalid(
            "file",
            format!("“{}”不是有效的文件名：{why}", name.escape_default()),
        )
    };
    if name.is_empty() {
        return Err(Error::invalid("file", "缺少文件名"));
    }
    if name.chars().count() > 200 {
        return Err(Error::invalid("file", "文件名不能超过200个字符"));
    }
    if name.contains(['/', '\\']) {
        return Err(bad("不能含路径分隔符（/ 或 \\）"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("不能含控制字符"));
    }
    if name.chars().all(|c| c == '.' || c.is_whitespace()) {
        return Err(bad("不能只由点或空格组成"));
    }
    Ok(())
}

/// The Office Open XML package an extension claims: its label and the main part every
/// such file has (at the conventional name Word, Excel and WPS write).
fn office_kind(name: &str) -> Option<(&'static str, &'static str)> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "docx" | "docm" => ("Word 文档", "word/document.xml"),
        "xlsx" | "xlsm" => ("Excel 工作簿", "xl/workbook.xml"),
        "pptx" | "pptm" => ("PowerPoint 演示文稿", "ppt/presentation.xml"),
        _ => return None,
    })
}

/// A file named .docx, .xlsx or .pptx must be what it claims beyond the zip header: a
/// zip whose central directory reads, holding [Content_Types].xml and the main part of
/// its kind. Only the directory is read; nothing is decompressed.
fn check_office(name: &str, bytes: &[u8]) -> Result<()> {
    let Some((label, part)) = office_kind(name) else {
        return Ok(());
    };
    let not = |why: String| {
        Error::invalid(
            "file",
            format!("“{name}”不是有效的{label}：{why}；请用 Office 或 WPS 重新另存后上传"),
        )
    };
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(not(
            "内容不是 Office 文件格式（旧版 .doc/.xls 请改回原扩展名）".into(),
        ));
    }
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|_| not("文件已损坏或不完整（无法读取压缩包目录）".into()))?;
    for needed in ["[Content_Types].xml", part] {
        if zip.index_for_name(needed).is_none() {
            return Err(not(format!("缺少 {needed}")));
        }
    }
    Ok(())
}

/// Attaches a file to a project (those who manage projects, or the project's responsible
/// person).
pub async fn attach(
    app: &App,
    actor: &Actor,
    project_id: i64,
    u: &Upload<'_>,
) -> Result<Attachment> {
    let content_type = check_upload(u)?;
    if let Some(scanner) = app.scanner() {
        scanner
            .scan(u.filename, u.bytes)
            .map_err(|m| Error::invalid("file", m))?;
    }
    let sha = hex::encode(Sha256::digest(u.bytes));
    let mut tx = Tx::begin(app).await?;
    crate::access::for_work(tx.conn(), actor, project_id, "上传项目材料").await?;
    if let Some(r) = u.request_id {
        let belongs = fenglai_store::requests::get(
            tx.conn(),
            r,
            &fenglai_store::requests::Reach {
                scope: &actor.scope,
                department_id: None,
            },
        )
        .await?
        .is_some_and(|r| r.project_id == project_id);
        if !belongs {
            return Err(Error::invalid("request_id", "诉求不存在或不属于该项目"));
        }
    }
    store::put_blob(tx.conn(), &sha, u.bytes).await?;
    let id = store::insert(
        tx.conn(),
        &store::NewAttachment {
            project_id,
            request_id: u.request_id,
            kind: u.kind,
            filename: u.filename.trim(),
            content_type,
            size: u.bytes.len() as i64,
            sha256: &sha,
            uploaded_by: actor.id(),
        },
    )
    .await?;
    let a = store::get(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "attachment",
        id,
        "attach",
        None::<&()>,
        Some(&a),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

pub async fn list(app: &App, actor: &Actor, project_id: i64) -> Result<Vec<Attachment>> {
    let mut c = app.db.acquire().await?;
    projects::get(&mut c, project_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(store::list(&mut c, project_id).await?)
}

/// The file and its record, for a caller who may see the project.
pub async fn download(app: &App, actor: &Actor, id: i64) -> Result<(Attachment, Vec<u8>)> {
    let mut c = app.db.acquire().await?;
    let a = store::get(&mut c, id).await?.ok_or(Error::NotFound)?;
    projects::get(&mut c, a.project_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let bytes = store::blob(&mut c, &a.sha256)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((a, bytes))
}

/// Voids an attachment (kept, no longer counted as evidence).
pub async fn void(app: &App, actor: &Actor, id: i64) -> Result<()> {
    let mut tx = Tx::begin(app).await?;
    let a = store::get(tx.conn(), id).await?.ok_or(Error::NotFound)?;
    projects::get(tx.conn(), a.project_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    actor.require(
        actor.role.may_manage_projects() || a.uploaded_by == actor.id(),
        "作废项目材料",
    )?;
    store::void(tx.conn(), id, actor.id()).await?;
    tx.record(Some(actor), "attachment", id, "void", Some(&a), None::<&()>)
        .await?;
    tx.commit().await?;
    Ok(())
}

const REQUIRED_KEY: &str = "evidence_required";

/// Which evidence each stage change needs: stage → kinds. Nothing until an administrator
/// sets it (e.g. `{"signed": ["contract"]}`: a contract scan before 签约).
pub async fn required(app: &App) -> Result<BTreeMap<String, Vec<String>>> {
    required_in(&mut app.db.acquire().await?).await
}

pub(crate) async fn required_in(c: &mut Conn) -> Result<BTreeMap<String, Vec<String>>> {
    Ok(org::setting(c, REQUIRED_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Sets the evidence each stage change needs (admin).
pub async fn set_required(
    app: &App,
    actor: &Actor,
    input: &BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Vec<String>>> {
    actor.require(actor.role == fenglai_domain::Role::Admin, "设置必需材料")?;
    let mut normal: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (stage, kinds) in input {
        let s = Stage::parse(stage).map_err(|e| Error::invalid("stage", e.message))?;
        if s == Stage::Negotiating {
            return Err(Error::invalid("stage", "在谈不是阶段变更的目标"));
        }
        for k in kinds {
            if !KINDS.iter().any(|(x, _)| x == k) {
                return Err(Error::invalid("kind", format!("未知的材料类型“{k}”")));
            }
        }
        if !kinds.is_empty() {
            normal.insert(s.as_str().to_string(), kinds.clone());
        }
    }
    let mut tx = Tx::begin(app).await?;
    let before = required_in(tx.conn()).await?;
    org::set_setting(
        tx.conn(),
        REQUIRED_KEY,
        &serde_json::to_string(&normal).expect("json"),
    )
    .await?;
    tx.record(
        Some(actor),
        "setting",
        0,
        REQUIRED_KEY,
        Some(&before),
        Some(&normal),
    )
    .await?;
    tx.commit().await?;
    Ok(normal)
}

/// Refuses a move to `to` while evidence it requires is missing.
pub async fn check_transition(c: &mut Conn, project_id: i64, to: Stage) -> Result<()> {
    let req = required_in(c).await?;
    let Some(kinds) = req.get(to.as_str()) else {
        return Ok(());
    };
    let have = store::kinds(c, project_id).await?;
    let missing: Vec<&str> = kinds
        .iter()
        .filter(|k| !have.contains(k))
        .map(|k| kind_label(k))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::Conflict(format!(
            "变更为“{}”前须上传：{}",
            to.label(),
            missing.join("、")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn docx() -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        docx_rs::Docx::new()
            .add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text("合同")))
            .build()
            .pack(&mut buf)
            .unwrap();
        buf.into_inner()
    }

    fn xlsx() -> Vec<u8> {
        fenglai_ledger::write_table("表", &["名称".to_string()], &[]).unwrap()
    }

    /// A zip of the named parts, stored.
    fn zip_of(parts: &[&str]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for p in parts {
            w.start_file(*p, o).unwrap();
            w.write_all(b"<x/>").unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn upload<'a>(filename: &'a str, bytes: &'a [u8]) -> Upload<'a> {
        Upload {
            kind: "contract",
            filename,
            bytes,
            request_id: None,
        }
    }

    fn refused(filename: &str, bytes: &[u8]) -> String {
        match check_upload(&upload(filename, bytes)) {
            Err(Error::Invalid { field, message }) => {
                assert_eq!(field, "file");
                message
            }
            other => panic!("{filename}: {other:?}"),
        }
    }

    #[test]
    fn office_files_are_what_they_claim() {
        let (docx, xlsx) = (docx(), xlsx());
        assert_eq!(
            check_upload(&upload("合同.docx", &docx)).unwrap(),
            "application/zip"
        );
        assert!(check_upload(&upload("台账.XLSX", &xlsx)).is_ok());
        assert!(check_upload(&upload(
            "汇报.pptx",
            &zip_of(&["[Content_Types].xml", "ppt/presentation.xml"])
        ))
        .is_ok());
        // a zip named as something else is not checked as Office
        assert!(check_upload(&upload("材料.ofd", &zip_of(&["OFD.xml"]))).is_ok());
        let m = refused("合同.docx", &xlsx);
        assert!(
            m.contains("不是有效的Word 文档") && m.contains("缺少 word/document.xml"),
            "{m}"
        );
        let m = refused("台账.xlsx", &docx);
        assert!(m.contains("缺少 xl/workbook.xml"), "{m}");
        let m = refused("台账.xlsx", &zip_of(&["xl/workbook.xml"]));
        assert!(m.contains("缺少 [Content_Types].xml"), "{m}");
        let m = refused("合同.docx", b"PK\x03\x04 this is not a zip at all");
        assert!(m.contains("无法读取压缩包目录"), "{m}");
        let mut cut = docx.clone();
        cut.truncate(docx.len() / 2);
        assert!(refused("合同.docx", &cut).contains("无法读取压缩包目录"));
        let m = refused("合同.docx", b"%PDF-1.4 a pdf named docx");
        assert!(m.contains("内容不是 Office 文件格式"), "{m}");
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert!(refused("旧表.xlsx", &ole).contains("旧版"));
        assert!(check_upload(&upload("旧表.xls", &ole)).is_ok());
    }

    #[test]
    fn dots_and_paths_are_not_file_names() {
        let pdf = b"%PDF-1.4".to_vec();
        for (name, says) in [
            (".", "只由点或空格"),
            ("..", "只由点或空格"),
            ("...", "只由点或空格"),
            (". .", "只由点或空格"),
            ("a/b.pdf", "路径分隔符"),
            ("..\\b.pdf", "路径分隔符"),
            ("../合同.pdf", "路径分隔符"),
            ("a\0b.pdf", "控制字符"),
            ("合同\u{7}.pdf", "控制字符"),
            ("", "缺少文件名"),
            ("   ", "缺少文件名"),
        ] {
            let m = refused(name, &pdf);
            assert!(m.contains(says), "{name:?}: {m}");
        }
        assert!(refused(&"长".repeat(201), &pdf).contains("200"));
        for name in ["合同.pdf", ".合同.pdf", "a. b.pdf", "无扩展名"] {
            assert!(check_upload(&upload(name, &pdf)).is_ok(), "{name}");
        }
    }
}
