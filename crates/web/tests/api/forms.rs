//! The pages' forms are read only with the session's CSRF token: a form of fields, one of
//! repeated fields, a button and an upload are each refused without it (403, the error
//! page, nothing written); an upload that cannot be read says why on its page.

use crate::auth::web_login;
use crate::both;
use crate::helpers::{csrf_in, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::json;

const REFUSED: &str = "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试";

async fn without_the_token(t: TestApp) {
    let promoter = t.token("promoter").await;
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "凤城表单令牌科技有限公司", "reported_date": "2024-01-02"}),
        )
        .await;
    let id = t.admit(&promoter, lead, Some(park), "2024-01-10").await;
    let cookie = format!("fenglai_session={}", web_login(&t, "promoter").await);
    let (_, html) = t.page(&cookie, &format!("/projects/{id}")).await;
    let csrf = csrf_in(&html);
    let attachments = format!("/api/v1/projects/{id}/attachments");
    let upload = |csrf: Option<&str>| {
        let mut form = Form::new().text("kind", "photo");
        if let Some(c) = csrf {
            form = form.text("csrf", c.to_string());
        }
        form.part(
            "file",
            Part::bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec())
                .file_name("现场.pdf"),
        )
    };
    let send = |form: Form| {
        t.client
            .post(t.url(&format!("/projects/{id}/attachments")))
            .header("cookie", &cookie)
            .multipart(form)
            .send()
    };

    // an upload: refused without the token or with another, kept with it
    for csrf in [None, Some("stale")] {
        let r = send(upload(csrf)).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains(REFUSED));
    }
    let none = t.get_json(&promoter, &attachments, StatusCode::OK).await;
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
    let r = send(upload(Some(&csrf))).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/projects/{id}#evidence"));
    let one = t.get_json(&promoter, &attachments, StatusCode::OK).await;
    assert_eq!(one.as_array().map(Vec::len), Some(1), "{one}");
    // a body that is not an upload at all is explained on the project page
    let r = t
        .form(
            &cookie,
            &format!("/projects/{id}/attachments"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请选择要上传的文件"));

    // a form of fields, one of repeated fields, a button: the same refusal, nothing written
    let project = format!("/api/v1/projects/{id}");
    let before = t.get_json(&promoter, &project, StatusCode::OK).await;
    for (path, fields) in [
        (format!("/projects/{id}/edit"), vec![("name", "改名项目")]),
        (
            format!("/projects/{id}/requests"),
            vec![
                ("category", "power"),
                ("title", "用电"),
                ("department_ids", "1"),
            ],
        ),
        ("/inbox/read-all".to_string(), vec![]),
    ] {
        for token in [None, Some("stale")] {
            let mut sent = fields.clone();
            sent.extend(token.map(|c| ("csrf", c)));
            let r = t.form(&cookie, &path, &sent).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
            assert!(r.text().await.unwrap().contains(REFUSED), "{path}");
        }
    }
    assert_eq!(
        t.get_json(&promoter, &project, StatusCode::OK).await,
        before
    );

    // without a session, to the login page
    let r = t
        .client
        .post(t.url(&format!("/projects/{id}/edit")))
        .form(&[("csrf", csrf.as_str()), ("name", "改名项目")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
}
both!(
    a_form_without_the_session_token_is_refused,
    without_the_token
);
