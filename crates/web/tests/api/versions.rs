//! Optimistic concurrency on edits: a record carries a version (JSON `version`, `ETag`);
//! an edit that names an older one (`If-Match` or `version`) answers 409 and changes
//! nothing; an edit that names none is applied as before.

use crate::auth::web_login;
use crate::both;
use crate::helpers::{csrf_in, TestApp};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

async fn new_project(t: &TestApp, tok: &str, name: &str) -> i64 {
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t.lead(tok, json!({"company_name": name, "planned_investment_yuan": 500_000_000i64, "reported_date": "2024-01-02"})).await;
    t.admit(tok, lead, Some(park), "2024-01-10").await
}

/// A ready industrial plot of a park, added through the API.
async fn new_plot(t: &TestApp, tok: &str, park: i64, name: &str, mu: f64) -> Value {
    t.post_json(
        tok,
        &format!("/api/v1/parks/{park}/plots"),
        json!({"name": name, "area_mu": mu, "land_use": "industrial", "status": "ready"}),
        StatusCode::CREATED,
    )
    .await
}

/// A PATCH with an optional `If-Match`.
async fn patch(
    t: &TestApp,
    tok: &str,
    path: &str,
    if_match: Option<&str>,
    body: Value,
) -> Response {
    let mut r = t.client.patch(t.url(path)).bearer_auth(tok).json(&body);
    if let Some(m) = if_match {
        r = r.header("if-match", m);
    }
    r.send().await.unwrap()
}

fn etag(r: &Response) -> String {
    r.headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

/// A 409 that says why, in Chinese.
async fn stale(r: Response) {
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "conflict");
    assert_eq!(v["error"]["message"], "记录已被他人修改，请刷新后重试");
}

async fn stale_edits(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = new_project(&t, &tok, "青山博远精密机械有限公司").await;
    let path = format!("/api/v1/projects/{id}");
    let r = t.get(&tok, &path).await;
    let seen = etag(&r);
    let v: Value = r.json().await.unwrap();
    assert_eq!(seen, format!("\"{}\"", v["version"]));

    // the first editor wins and gets the new version
    let r = patch(&t, &tok, &path, Some(&seen), json!({"name": "甲的改名"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let next = etag(&r);
    let v: Value = r.json().await.unwrap();
    assert_eq!(next, format!("\"{}\"", v["version"]));
    assert_ne!(next, seen);
    // the second, from the same reading, is refused by header or by body, and changes nothing
    stale(patch(&t, &tok, &path, Some(&seen), json!({"name": "乙的改名"})).await).await;
    let old: i64 = seen.trim_matches('"').parse().unwrap();
    stale(
        patch(
            &t,
            &tok,
            &path,
            None,
            json!({"name": "乙的改名", "version": old}),
        )
        .await,
    )
    .await;
    let now = t.get_json(&tok, &path, StatusCode::OK).await;
    assert_eq!(now["name"], "甲的改名");
    assert_eq!(format!("\"{}\"", now["version"]), next);
    let edits = t
        .get_json(&tok, &format!("{path}/events"), StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "edit")
        .count();
    assert_eq!(edits, 1, "a refused edit leaves no event");

    // any write moves the version: an edit read before a stage change is stale after it
    t.transition(
        &tok,
        id,
        json!({"to": "signed", "date": "2024-03-01", "amount_yuan": 600_000_000i64}),
    )
    .await;
    stale(patch(&t, &tok, &path, Some(&next), json!({"land_mu": 12.5})).await).await;
    // W/"N" and a bare N are taken; * and no version at all apply the edit
    let cur = t.get_json(&tok, &path, StatusCode::OK).await["version"]
        .as_i64()
        .unwrap();
    let r = patch(
        &t,
        &tok,
        &path,
        Some(&format!("W/\"{cur}\"")),
        json!({"land_mu": 12.5}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = patch(
        &t,
        &tok,
        &path,
        Some(&(cur + 1).to_string()),
        json!({"land_mu": 13.5}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = patch(&t, &tok, &path, Some("*"), json!({"land_mu": 14.5})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = patch(&t, &tok, &path, None, json!({"land_mu": 15.5})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["version"], cur + 4);
    // a malformed If-Match, or one that contradicts the body, is a 422 naming it
    let r = patch(&t, &tok, &path, Some("abc"), json!({"land_mu": 1})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = patch(&t, &tok, &path, Some("\"1\""), json!({"version": 2})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["field"],
        "version"
    );

    // a lead's tags
    let lead = t
        .lead(&tok, json!({"company_name": "凤城恒瑞新材料有限公司"}))
        .await;
    let lpath = format!("/api/v1/leads/{lead}");
    let seen = etag(&t.get(&tok, &lpath).await);
    let tags = |m: &str, body: Value| {
        t.client
            .post(t.url(&format!("{lpath}/tags")))
            .bearer_auth(&tok)
            .header("if-match", m.to_string())
            .json(&body)
            .send()
    };
    let r = tags(&seen, json!({"investor_tags": "央企"})).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    stale(
        tags(&seen, json!({"investor_tags": "上市公司"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        t.get_json(&tok, &lpath, StatusCode::OK).await["investor_tags"],
        "central_soe"
    );

    // a plot
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let park = t.token("park").await;
    let plot = new_plot(&t, &park, jkq, "经开区E-01地块", 50.0).await;
    let ppath = format!("/api/v1/plots/{}", plot["id"]);
    let v = plot["version"].as_i64().unwrap();
    let body = |mu: f64| json!({"name": "经开区E-01地块", "area_mu": mu, "land_use": "industrial", "status": "ready", "version": v});
    let r = patch(&t, &park, &ppath, None, body(60.0)).await;
    assert_eq!(r.status(), StatusCode::OK);
    stale(patch(&t, &park, &ppath, None, body(70.0)).await).await;
    let plots = t
        .get_json(&park, &format!("/api/v1/parks/{jkq}"), StatusCode::OK)
        .await;
    let area = plots["plots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == plot["id"])
        .unwrap()["area_mu"]
        .as_f64();
    assert_eq!(area, Some(60.0));
}
both!(a_stale_edit_is_refused_and_changes_nothing, stale_edits);

/// Eight editors read the same version and send their edits at once: one wins, seven are
/// told 409, and the project holds the winner's edit.
async fn concurrent(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = new_project(&t, &tok, "凤城同时编辑测试有限公司").await;
    let path = format!("/api/v1/projects/{id}");
    let seen = etag(&t.get(&tok, &path).await);
    let mut tasks = Vec::new();
    for i in 0..8i64 {
        let (c, url, tok, seen) = (t.client.clone(), t.url(&path), tok.clone(), seen.clone());
        tasks.push(tokio::spawn(async move {
            let r = c
                .patch(url)
                .bearer_auth(tok)
                .header("if-match", seen)
                .json(&json!({"planned_investment_yuan": 1_000_000 + i}))
                .send()
                .await
                .unwrap();
            (i, r.status())
        }));
    }
    let mut won = Vec::new();
    for task in tasks {
        let (i, st) = task.await.unwrap();
        match st {
            StatusCode::OK => won.push(i),
            StatusCode::CONFLICT => {}
            other => panic!("editor {i}: {other}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one editor wins: {won:?}");
    let now = t.get_json(&tok, &path, StatusCode::OK).await;
    assert_eq!(now["planned_investment_yuan"], 1_000_000 + won[0]);
    let old: i64 = seen.trim_matches('"').parse().unwrap();
    assert_eq!(now["version"], old + 1);
}
both!(of_concurrent_editors_one_wins, concurrent);

/// The hidden version of the first form on a page that has one.
fn version_in(html: &str) -> String {
    html.split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the edit form carries the version")
        .to_string()
}

/// The edit form carries the version it was filled from; submitted after someone else's
/// edit, it answers 409 with the message on the page, and the other edit stands.
async fn form(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = new_project(&t, &tok, "凤城表单并发测试有限公司").await;
    let cookie = format!("fenglai_session={}", web_login(&t, "promoter").await);
    let (st, html) = t.page(&cookie, &format!("/projects/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    let csrf = csrf_in(&html);
    let version = version_in(&html);
    let path = format!("/api/v1/projects/{id}");
    let r = patch(&t, &tok, &path, None, json!({"name": "他人先改的名称"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let submit = |version: String| {
        let fields = [
            ("csrf", csrf.clone()),
            ("version", version),
            ("name", "表单里的名称".to_string()),
        ];
        let cookie = cookie.clone();
        let url = t.url(&format!("/projects/{id}/edit"));
        let c = t.client.clone();
        async move {
            c.post(url)
                .header("cookie", cookie)
                .form(&fields)
                .send()
                .await
                .unwrap()
        }
    };
    let r = submit(version).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("记录已被他人修改，请刷新后重试"), "{html}");
    assert!(
        html.contains("他人先改的名称"),
        "the page shows the record as it is now"
    );
    assert_eq!(
        t.get_json(&tok, &path, StatusCode::OK).await["name"],
        "他人先改的名称"
    );
    // the page as re-rendered carries the fresh version, so sending it again works
    let fresh = version_in(&html);
    let r = submit(fresh).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        t.get_json(&tok, &path, StatusCode::OK).await["name"],
        "表单里的名称"
    );

    // the plot form on the park page
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let park_cookie = format!("fenglai_session={}", web_login(&t, "park").await);
    let park = t.token("park").await;
    let plot = new_plot(&t, &park, jkq, "经开区F-02地块", 40.0).await;
    let (_, html) = t.page(&park_cookie, &format!("/parks/{jkq}")).await;
    let csrf = csrf_in(&html);
    let marker = format!("action=\"/plots/{}\"", plot["id"]);
    let form_html = html.split(&marker).nth(1).expect("the plot's form");
    let version = version_in(form_html);
    let body = json!({"name": "经开区F-02地块", "area_mu": 45.0, "land_use": "industrial", "status": "ready"});
    let r = patch(
        &t,
        &park,
        &format!("/api/v1/plots/{}", plot["id"]),
        None,
        body,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = t
        .form(
            &park_cookie,
            &format!("/plots/{}", plot["id"]),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("park", &jkq.to_string()),
                ("name", "经开区F-02地块"),
                ("area_mu", "99"),
                ("land_use", "industrial"),
                ("status", "ready"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("记录已被他人修改"));
}
both!(the_edit_forms_carry_the_version, form);
