//! Files as downloads: the headers a workbook, a document or a stored attachment is
//! sent with, shared by the API and the pages.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use fenglai_store::evidence::Attachment;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `filename*=UTF-8''…` percent-encoding for a Chinese file name.
pub fn encode_rfc5987(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A workbook as a download.
pub fn xlsx(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
                    encode_rfc5987(file_name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub fn docx_response(title: &str, bytes: Vec<u8>) -> Response {
    let name = format!("{title}.docx");
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"bulletin.docx\"; filename*=UTF-8''{}",
                    encode_rfc5987(&name)
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A file as a download, never rendered inline as a page.
pub fn file_response(att: &Attachment, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"file\"; filename*=UTF-8''{}",
        encode_rfc5987(&att.filename)
    );
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&att.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // nosniff, like every response, from the router's security headers
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    r
}
