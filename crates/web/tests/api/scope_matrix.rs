//! The scope matrix: every `/api/v1` route with a record in its path, enumerated from the
//! OpenAPI document, tried by people outside the record's reach against records of another
//! unit's subtree, another informant, another park and another panel.
//!
//! The oracle: the answer for the real record is never a success, and is the same status
//! as for a record that does not exist — so an outsider cannot even learn that it exists.
//! A route whose path holds a kind of record this test does not know fails the test, so a
//! new route cannot be added without being put through the matrix. Routes that every
//! signed-in person may read (park profiles, published for 招商) are listed with why.

use crate::both;
use crate::helpers::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

/// Routes whose records every signed-in user may know of, and why: for these the answer
/// must only not be a success for a change (reading is allowed).
const SHARED: &[(&str, &str, &str)] = &[
    (
        "GET",
        "/api/v1/parks/{id}",
        "园区画像对所有用户公开（招商指南亦公开）",
    ),
    (
        "PUT",
        "/api/v1/parks/{id}/profile",
        "园区是公开的，他人修改被拒绝（403）",
    ),
    (
        "POST",
        "/api/v1/parks/{id}/plots",
        "园区是公开的，他人新增地块被拒绝（403）",
    ),
    (
        "GET",
        "/api/v1/bulletins/{id}",
        "已发布的通报是公示文件，全体人员可读",
    ),
    (
        "GET",
        "/api/v1/bulletins/{id}/verify",
        "已发布的通报人人可核验",
    ),
    (
        "GET",
        "/api/v1/bulletins/{id}/export.xlsx",
        "已发布的通报可下载",
    ),
    (
        "GET",
        "/api/v1/bulletins/{id}/export.docx",
        "已发布的通报可下载",
    ),
];

const MISSING: &str = "987654321";

/// Records of the county 临江县 (and of promoter2) that outsiders must not reach.
async fn fixtures(t: &TestApp) -> HashMap<&'static str, String> {
    let p2 = t.token("promoter2").await;
    let admin = t.token("admin").await;
    let county_park = t.unit_id("临江工业园区").await;
    let mut f = HashMap::new();
    let lead = t
        .lead(
            &p2,
            json!({"company_name": "临江矩阵食品有限公司", "reported_date": "2024-01-02"}),
        )
        .await;
    let project = t.admit(&p2, lead, Some(county_park), "2024-01-10").await;
    f.insert("project", project.to_string());
    // a lead kept open, reviewed by the city panel and routed to the county park
    let open = t
        .lead(
            &p2,
            json!({"company_name": "临江矩阵包装有限公司", "reported_date": "2024-01-02"}),
        )
        .await;
    f.insert("lead", open.to_string());
    let panels = t.get_json(&admin, "/api/v1/panels", StatusCode::OK).await;
    let panel = panels[0]["panel"]["id"].as_i64().unwrap();
    f.insert("panel", panel.to_string());
    let review = t
        .post_json(
            &p2,
            &format!("/api/v1/leads/{open}/reviews"),
            json!({"panel_id": panel}),
            StatusCode::CREATED,
        )
        .await;
    f.insert("review", review["id"].to_string());
    let other = t
        .lead(
            &p2,
            json!({"company_name": "临江矩阵冷链有限公司", "reported_date": "2024-01-02"}),
        )
        .await;
    let routing = t
        .post_json(
            &p2,
            &format!("/api/v1/leads/{other}/routings"),
            json!({"park_id": county_park}),
            StatusCode::CREATED,
        )
        .await;
    f.insert("routing", routing["id"].to_string());
    // a duplicate pair, and a merge of another pair
    let a = t
        .lead(&p2, json!({"company_name": "临江重复甲食品有限公司"}))
        .await;
    t.lead(&p2, json!({"company_name": "临江重复甲食品有限公司"}))
        .await;
    let pairs = t.get_json(&p2, "/api/v1/duplicates", StatusCode::OK).await;
    let pair = pairs
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["lead_id"] == a || p["other_id"] == a)
        .expect("the pair is queued");
    f.insert("pair", pair["id"].to_string());
    let b1 = t
        .lead(&p2, json!({"company_name": "临江重复乙食品有限公司"}))
        .await;
    let b2 = t
        .lead(&p2, json!({"company_name": "临江重复乙食品有限公司"}))
        .await;
    t.post_json(
        &p2,
        &format!("/api/v1/leads/{b1}/merges"),
        json!({"duplicate_id": b2}),
        StatusCode::OK,
    )
    .await;
    let merges = t
        .get_json(&p2, &format!("/api/v1/leads/{b1}/merges"), StatusCode::OK)
        .await;
    f.insert("merge", merges[0]["id"].to_string());
    // a request to the county's department, and its part
    let dept = t.unit_id("临江县投资促进中心").await;
    let r = t
        .post_json(&p2, &format!("/api/v1/projects/{project}/requests"),
            json!({"category": "用地", "title": "县里的诉求", "description": "内容", "department_ids": [dept]}), StatusCode::CREATED)
        .await;
    f.insert("request", r["id"].to_string());
    f.insert("task", r["tasks"][0]["id"].to_string());
    // an evidence file
    let form = reqwest::multipart::Form::new().text("kind", "photo").part(
        "file",
        reqwest::multipart::Part::bytes(b"\x89PNG\r\n\x1a\nrest".to_vec()).file_name("现场.png"),
    );
    let att: Value = t
        .client
        .post(t.url(&format!("/api/v1/projects/{project}/attachments")))
        .bearer_auth(&p2)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    f.insert("attachment", att["id"].to_string());
    // a ledger upload
    let up: Value = t
        .client
        .post(t.url("/api/v1/imports?kind=leads&file_name=县台账.csv"))
        .bearer_auth(&p2)
        .body(
            "企业名称,报送日期\n临江台账食品有限公司,2024-03-01\n"
                .as_bytes()
                .to_vec(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    f.insert("import", up["id"].to_string());
    // the county park, one of its plots, a red-line rule, promoter2's unit and user
    f.insert("park", county_park.to_string());
    let park = t
        .get_json(&p2, &format!("/api/v1/parks/{county_park}"), StatusCode::OK)
        .await;
    f.insert("plot", park["plots"][0]["id"].to_string());
    let rules = t
        .get_json(&admin, "/api/v1/redline-rules", StatusCode::OK)
        .await;
    f.insert("redline_rule", rules[0]["id"].to_string());
    f.insert("unit", dept.to_string());
    let me = fenglai_app::auth::actor_by_username(&t.app, "promoter2")
        .await
        .unwrap();
    f.insert("user", me.id().to_string());
    // a notice in promoter2's inbox
    let mut tx = fenglai_app::audit::Tx::begin(&t.app).await.unwrap();
    fenglai_app::notify::send(
        &mut tx,
        &fenglai_app::notify::Notice {
            user_id: me.id(),
            kind: "test".into(),
            title: "县里的消息".into(),
            body: "只给本人".into(),
            link: None,
            dedupe_key: "scope-matrix".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let inbox = t.get_json(&p2, "/api/v1/inbox", StatusCode::OK).await;
    f.insert("notification", inbox["items"][0]["id"].to_string());
    // a visit of the county's centre, and a published bulletin (shared)
    let visit = t
        .post_json(
            &p2,
            "/api/v1/activities",
            json!({"kind": "visit", "title": "县里的走访",
            "activity_date": "2024-03-01", "lead_ids": [open]}),
            StatusCode::CREATED,
        )
        .await;
    f.insert("activity", visit["id"].to_string());
    let leader = t.token("leader").await;
    let b = t
        .post_json(
            &leader,
            "/api/v1/bulletins",
            json!({"period": "2024-03"}),
            StatusCode::CREATED,
        )
        .await;
    f.insert("bulletin", b["id"].to_string());
    // a chain run by the county's office, a target list of one of its links, a target
    crate::chains::registry(
        t,
        &[(
            "宁波矩阵隔膜有限公司",
            "330200",
            "2921",
            20000,
            "锂电池隔膜",
            "",
            0,
            "",
        )],
    )
    .await;
    let chain = t
        .post_json(
            &p2,
            "/api/v1/chains",
            json!({"name": "临江新能源电池", "template": "新能源电池"}),
            StatusCode::CREATED,
        )
        .await;
    f.insert("chain", chain["chain"]["id"].to_string());
    let sep = chain["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["link"]["name"] == "隔膜")
        .unwrap()["link"]["id"]
        .clone();
    f.insert("chain_link", sep.to_string());
    let list = t
        .post_json(
            &p2,
            &format!("/api/v1/chain-links/{sep}/target-lists"),
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    f.insert("target_list", list["list"]["id"].to_string());
    f.insert("target", list["targets"][0]["target"]["id"].to_string());
    for (k, v) in &f {
        assert!(v.parse::<i64>().is_ok(), "fixture {k} = {v}");
    }
    f
}

/// The kind of record a path's `{id}` names, by the path's prefix.
fn kind_of(path: &str) -> Option<&'static str> {
    const PREFIXES: &[(&str, &str)] = &[
        ("/api/v1/leads/{id}", "lead"),
        ("/api/v1/projects/{id}", "project"),
        ("/api/v1/requests/{id}", "request"),
        ("/api/v1/request-tasks/{id}", "task"),
        ("/api/v1/attachments/{id}", "attachment"),
        ("/api/v1/duplicates/{id}", "pair"),
        ("/api/v1/merges/{id}", "merge"),
        ("/api/v1/imports/{id}", "import"),
        ("/api/v1/reviews/{id}", "review"),
        ("/api/v1/routings/{id}", "routing"),
        ("/api/v1/panels/{id}", "panel"),
        ("/api/v1/parks/{id}", "park"),
        ("/api/v1/plots/{id}", "plot"),
        ("/api/v1/redline-rules/{id}", "redline_rule"),
        ("/api/v1/units/{id}", "unit"),
        ("/api/v1/users/{id}", "user"),
        ("/api/v1/inbox/{id}", "notification"),
        ("/api/v1/activities/{id}", "activity"),
        ("/api/v1/bulletins/{id}", "bulletin"),
        ("/api/v1/chains/{id}", "chain"),
        ("/api/v1/chain-links/{id}", "chain_link"),
        ("/api/v1/target-lists/{id}", "target_list"),
        ("/api/v1/targets/{id}", "target"),
    ];
    PREFIXES
        .iter()
        .find(|(p, _)| path == *p || path.starts_with(&format!("{p}/")))
        .map(|(_, k)| *k)
}

async fn status_of(t: &TestApp, token: &str, method: &Method, path: &str) -> StatusCode {
    let mut r = t
        .client
        .request(method.clone(), t.url(path))
        .bearer_auth(token);
    if *method != Method::GET && *method != Method::DELETE {
        r = r.json(&json!({}));
    }
    r.send().await.unwrap().status()
}

async fn matrix(t: TestApp) {
    let f = fixtures(&t).await;
    let doc = t
        .get_json(
            &t.token("admin").await,
            "/api/v1/openapi.json",
            StatusCode::OK,
        )
        .await;
    let mut routes = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        for method in ops.as_object().unwrap().keys() {
            routes.push((method.to_uppercase(), path.clone()));
        }
    }
    assert!(
        routes.len() >= 50,
        "{} routes with a record in the path",
        routes.len()
    );
    let unknown: Vec<String> = routes
        .iter()
        .filter(|(_, p)| kind_of(p).is_none())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        unknown.is_empty(),
        "routes whose records this matrix does not know — add a fixture and a prefix: {unknown:?}"
    );
    // outsiders: a park's receiver elsewhere (not on the panel) and the city's informant.
    // (The city's bureaus and departments see the counties by design: their jurisdiction is
    // the city; the panel's members see what was sent to their panel.)
    let mut leaks: BTreeMap<String, String> = BTreeMap::new();
    for who in ["park2", "informant"] {
        let tok = t.token(who).await;
        for (method, path) in &routes {
            let shared = SHARED.iter().any(|(m, p, _)| m == method && p == path);
            let kind = kind_of(path).unwrap();
            let fill = |id: &str| path.replace("{id}", id).replace("{node}", "land");
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let real = status_of(&t, &tok, &m, &fill(&f[kind])).await;
            let none = status_of(&t, &tok, &m, &fill(MISSING)).await;
            if shared {
                // reading is allowed; a change is refused: 403, or 422 for the empty body
                // before anything is read
                let ok = if m == Method::GET {
                    real.is_success()
                } else {
                    matches!(
                        real,
                        StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
                    )
                };
                assert!(ok, "{who} {method} {path}: {real}");
                continue;
            }
            if real.is_success() || real != none || real.is_server_error() {
                leaks.insert(
                    format!("{who} {method} {}", fill(&f[kind])),
                    format!("{real} (missing record: {none})"),
                );
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "outsiders told apart from a missing record: {leaks:#?}"
    );
}
both!(every_route_every_outsider, matrix);

/// The page routes with a record in their path, read from the routers' source (so a new
/// page is in the matrix as soon as it is routed): (method, path).
fn page_routes() -> Vec<(String, String)> {
    // pages.rs and every feature's pages.rs
    let src_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src_dir.join("pages.rs")];
    for e in std::fs::read_dir(&src_dir).unwrap() {
        let pages = e.unwrap().path().join("pages.rs");
        if pages.is_file() {
            files.push(pages);
        }
    }
    files.sort();
    assert!(
        files.len() > 10,
        "the feature page modules were not found: {files:?}"
    );
    let sources: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let mut out = Vec::new();
    for src in &sources {
        for chunk in src.split(".route(").skip(1) {
            let Some(path) = chunk.split('"').nth(1) else {
                continue;
            };
            if !path.contains('{') {
                continue;
            }
            // the handler expression: up to the route's closing parenthesis
            let expr: String = chunk
                .split("\n        .")
                .next()
                .unwrap_or(chunk)
                .to_string();
            for (token, method) in [("get(", "GET"), ("post(", "POST")] {
                if expr.contains(&format!(" {token}"))
                    || expr.contains(&format!("({token}"))
                    || expr.contains(&format!(".{token}"))
                    || expr.contains(&format!("\n{token}"))
                    || expr.split_whitespace().any(|w| w.starts_with(token))
                {
                    out.push((method.to_string(), path.to_string()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The kind of record a page path names; `None` for pages open to everyone.
fn page_kind(path: &str) -> Result<Option<&'static str>, String> {
    if path.starts_with("/guide/") || path.starts_with("/picker/") {
        return Ok(None);
    }
    if path == "/parks/{id}" {
        // shared like the API's park profile; the POST is checked below as a change
        return Ok(Some("park"));
    }
    kind_of(&format!(
        "/api/v1{}",
        path.strip_prefix("/admin").unwrap_or(path)
    ))
    .map(Some)
    .ok_or_else(|| format!("page {path}: no fixture kind"))
}

async fn page_status(
    t: &TestApp,
    cookie: &str,
    csrf: &str,
    method: &str,
    path: &str,
) -> StatusCode {
    let r = if method == "GET" {
        t.client
            .get(t.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    } else {
        t.form(cookie, path, &[("csrf", csrf)]).await
    };
    r.status()
}

async fn page_matrix(t: TestApp) {
    let f = fixtures(&t).await;
    let routes = page_routes();
    assert!(
        routes.len() >= 30,
        "{} page routes with a record: {routes:?}",
        routes.len()
    );
    let mut leaks: BTreeMap<String, String> = BTreeMap::new();
    for who in ["park2", "informant"] {
        let cookie = format!("fenglai_session={}", crate::auth::web_login(&t, who).await);
        let (_, html) = t.page(&cookie, "/").await;
        let csrf = crate::helpers::csrf_in(&html);
        for (method, path) in &routes {
            let kind = match page_kind(path) {
                Ok(Some(k)) => k,
                Ok(None) => continue,
                Err(e) => panic!("{e}: add a fixture kind for it"),
            };
            let fill = |id: &str| path.replace("{id}", id).replace("{node}", "land");
            let real = page_status(&t, &cookie, &csrf, method, &fill(&f[kind])).await;
            let none = page_status(&t, &cookie, &csrf, method, &fill(MISSING)).await;
            if path.starts_with("/parks/{id}") || path.starts_with("/bulletins/{id}") {
                // parks are public (their profiles and the 招商指南), and so are published
                // bulletins (公示通报): only a change is refused
                let ok = if method == "GET" {
                    real.is_success()
                } else {
                    !real.is_success() && !real.is_redirection()
                };
                assert!(ok, "{who} {method} {path}: {real}");
                continue;
            }
            let acted = real.is_success() || real.is_redirection();
            if acted || real != none || real.is_server_error() {
                leaks.insert(
                    format!("{who} {method} {}", fill(&f[kind])),
                    format!("{real} (missing record: {none})"),
                );
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "pages that tell outsiders apart from a missing record: {leaks:#?}"
    );
}
both!(every_page_every_outsider, page_matrix);
