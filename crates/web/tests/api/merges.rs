//! Duplicates: the 疑似重复 queue, merging without loss, undo, credit, counting once.

use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NAME: &str = "三报同一新材料有限公司";

async fn total(t: &TestApp, token: &str, q: &str) -> i64 {
    t.get_json(token, &format!("/api/v1/leads?q={q}"), StatusCode::OK)
        .await["total"]
        .as_i64()
        .unwrap()
}

async fn signed(t: &TestApp, token: &str) -> i64 {
    let p = t
        .get_json(token, "/api/v1/stats/pipeline", StatusCode::OK)
        .await;
    p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "negotiating")
        .unwrap()["count"]
        .as_i64()
        .unwrap()
}

/// The lead `id` as the API shows it.
/// A lead as the API shows it, but for its version: every write moves that on, never back,
/// so an undo restores everything else exactly.
async fn lead_json(t: &TestApp, token: &str, id: i64) -> Value {
    let mut v = t
        .get_json(token, &format!("/api/v1/leads/{id}"), StatusCode::OK)
        .await;
    v.as_object_mut().unwrap().remove("version");
    v
}

/// The merge preview of `with` into `id`, and `what` (label or field) of the conflicts
/// among `list` (fields or project_fields).
async fn preview_conflicts(
    t: &TestApp,
    token: &str,
    id: i64,
    with: i64,
    list: &str,
    what: &str,
) -> (Value, Vec<String>) {
    let pv = t
        .get_json(
            token,
            &format!("/api/v1/leads/{id}/merge-preview?with={with}"),
            StatusCode::OK,
        )
        .await;
    let conflicts = pv[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["conflict"] == true)
        .map(|f| f[what].as_str().unwrap().to_string())
        .collect();
    (pv, conflicts)
}

/// A project reported by three units is one lead, one project, with the credit split.
async fn three_units(t: TestApp) {
    let promoter = t.token("promoter").await;
    let promoter2 = t.token("promoter2").await;
    let informant = t.token("informant").await;
    let leader = t.token("leader").await;
    let before_pipeline = signed(&t, &leader).await;
    let a = t
        .lead(
            &informant,
            json!({"company_name": NAME, "reported_date": "2026-01-05"}),
        )
        .await;
    let b = t
        .lead(&promoter, json!({"company_name": "三报同一新材料有限公司 ", "uscc": "914403001922038216", "reported_date": "2026-01-09", "planned_investment_yuan": 300_000_000i64}))
        .await;
    let c = t
        .lead(
            &promoter2,
            json!({"company_name": "三报同一新材料（有限公司）", "reported_date": "2026-02-01"}),
        )
        .await;
    // every later report is queued against the earlier ones
    let (queue, pairs) = t.duplicate_pairs(&leader).await;
    assert_eq!(pairs, vec![(a, b), (a, c), (b, c)], "{queue}");
    assert!(queue[0]["reasons"]
        .as_str()
        .unwrap()
        .contains("企业名称相同"));
    assert_eq!(total(&t, &leader, "三报同一").await, 3);

    // merge the two later reports into the first
    for dup in [b, c] {
        t.post_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merges"),
            json!({"duplicate_id": dup, "keep": {"company_name": "survivor"}}),
            StatusCode::OK,
        )
        .await;
    }
    let merged = t
        .get_json(&leader, &format!("/api/v1/leads/{a}"), StatusCode::OK)
        .await;
    assert_eq!(
        merged["uscc"], "914403001922038216",
        "a value only the duplicate had is kept"
    );
    assert_eq!(merged["planned_investment_yuan"], 300_000_000i64);
    assert_eq!(total(&t, &leader, "三报同一").await, 1, "counted once");
    let b_now = t
        .get_json(&leader, &format!("/api/v1/leads/{b}"), StatusCode::OK)
        .await;
    assert_eq!(b_now["status"], "merged");
    assert_eq!(b_now["merged_into"], a);
    let queue = t
        .get_json(&leader, "/api/v1/duplicates", StatusCode::OK)
        .await;
    assert_eq!(
        queue.as_array().unwrap().len(),
        0,
        "the merges closed the pairs"
    );
    let units = t
        .get_json(&leader, "/api/v1/stats/leads-by-unit", StatusCode::OK)
        .await;
    let sum: i64 = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["leads"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 1, "by-unit totals count the lead once: {units}");

    // credit: the informant reported first
    let credits = t
        .get_json(
            &leader,
            &format!("/api/v1/leads/{a}/credits"),
            StatusCode::OK,
        )
        .await;
    let split: Vec<(String, bool, f64)> = credits
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["unit_name"].as_str().unwrap().to_string(),
                c["first"].as_bool().unwrap(),
                c["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        split,
        vec![
            ("凤城市发展和改革委员会".to_string(), true, 50.0),
            ("凤城市投资促进局".to_string(), false, 25.0),
            ("临江县投资促进中心".to_string(), false, 25.0),
        ]
    );
    t.raw_sql("INSERT INTO settings (key, value) VALUES ('credit_rule', 'equal')")
        .await;
    let credits = t
        .get_json(
            &leader,
            &format!("/api/v1/leads/{a}/credits"),
            StatusCode::OK,
        )
        .await;
    assert!((credits[1]["share"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9);

    // admitted once, it is one project in the figures
    t.admit(&promoter, a, None, "2026-03-01").await;
    assert_eq!(signed(&t, &leader).await, before_pipeline + 1);
    let projects = t
        .get_json(&leader, "/api/v1/projects?q=三报同一", StatusCode::OK)
        .await;
    assert_eq!(projects["total"], 1);
}
both!(three_reports_count_once_with_credit, three_units);

/// Merge then undo restores both leads exactly, references included; conflicts are picked.
async fn merge_and_undo(t: TestApp) {
    let promoter = t.token("promoter").await;
    let informant = t.token("informant").await;
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let a = t
        .lead(
            &promoter,
            json!({"company_name": "撤销测试电子有限公司", "contact_phone": "13800000001",
                                "industry_code": "3982", "land_mu": 50.0}),
        )
        .await;
    let b = t
        .lead(&promoter, json!({"company_name": "撤销测试电子（苏州）有限公司", "contact_phone": "13900000002",
                                "industry_code": "3973", "description": "晶圆封测", "energy_tce": 1200.5,
                                "env_category": "登记表"}))
        .await;
    // b has been routed to a park: the routing follows the merge and comes back on undo
    let r = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{b}/routings"),
            json!({"park_id": jkq}),
            StatusCode::CREATED,
        )
        .await;
    let get = |id: i64| lead_json(&t, &promoter, id);
    let (a0, b0) = (get(a).await, get(b).await);

    // side by side: the conflicts are named
    let (_, conflicts) = preview_conflicts(&t, &promoter, a, b, "fields", "label").await;
    assert_eq!(conflicts, vec!["企业名称", "行业", "联系电话"]);
    // unpicked conflicts refuse the merge, naming them; nothing is written
    let e = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merges"),
            json!({"duplicate_id": b}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "keep");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("企业名称") && msg.contains("行业") && msg.contains("联系电话"),
        "{msg}"
    );
    assert_eq!(get(a).await, a0);
    let e = t
        .post_json(&promoter, &format!("/api/v1/leads/{a}/merges"),
                   json!({"duplicate_id": b, "keep": {"company_name": "survivor", "industry_code": "both", "contact_phone": "duplicate"}}),
                   StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert!(e["error"]["message"].as_str().unwrap().contains("both"));

    let merged = t
        .post_json(&promoter, &format!("/api/v1/leads/{a}/merges"),
                   json!({"duplicate_id": b, "keep": {"company_name": "survivor", "industry_code": "duplicate", "contact_phone": "duplicate"}}),
                   StatusCode::OK)
        .await;
    // no field is lost: picked values, values only b had, values only a had
    assert_eq!(merged["company_name"], "撤销测试电子有限公司");
    assert_eq!(merged["industry_code"], "3973");
    assert_eq!(merged["industry_section"], "C");
    assert_eq!(merged["contact_phone"], "13900000002");
    assert_eq!(merged["description"], "晶圆封测");
    assert_eq!(merged["energy_tce"], 1200.5);
    assert_eq!(merged["env_category"], "登记表");
    assert_eq!(merged["land_mu"], 50.0);
    // and the values not kept are still on b, which is kept, merged
    let b1 = get(b).await;
    assert_eq!(b1["contact_phone"], "13900000002");
    assert_eq!(b1["company_name"], "撤销测试电子（苏州）有限公司");
    assert_eq!(b1["status"], "merged");
    let routings = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{a}/routings"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        routings[0]["id"], r["id"],
        "the routing moved to the survivor"
    );

    // errors a person can make
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{a}/merges"),
        json!({"duplicate_id": a}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let e = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merges"),
            json!({"duplicate_id": b}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(e["error"]["message"].as_str().unwrap().contains("已合并"));
    t.post_json(
        &informant,
        &format!("/api/v1/leads/{a}/merges"),
        json!({"duplicate_id": b}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let e = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merge-preview"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "with");

    // a later merge must be undone first
    let c = t
        .lead(&promoter, json!({"company_name": "撤销测试电子有限公司"}))
        .await;
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{a}/merges"),
        json!({"duplicate_id": c}),
        StatusCode::OK,
    )
    .await;
    let merges = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merges"),
            StatusCode::OK,
        )
        .await;
    let (later, first) = (
        merges[0]["id"].as_i64().unwrap(),
        merges[1]["id"].as_i64().unwrap(),
    );
    assert_eq!(merges[1]["duplicate_id"], b);
    let e = t
        .post_json(
            &promoter,
            &format!("/api/v1/merges/{first}/undo"),
            json!({}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(e["error"]["message"].as_str().unwrap().contains("先撤销"));
    t.post_json(
        &promoter,
        &format!("/api/v1/merges/{later}/undo"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    t.post_json(
        &promoter,
        &format!("/api/v1/merges/{first}/undo"),
        json!({}),
        StatusCode::OK,
    )
    .await;
    t.post_json(
        &promoter,
        &format!("/api/v1/merges/{first}/undo"),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;

    // both leads exactly as they were, the routing back on b
    assert_eq!(get(a).await, a0);
    assert_eq!(get(b).await, b0);
    let routings = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{b}/routings"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(routings[0]["id"], r["id"]);
    let routings = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{a}/routings"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(routings, json!([]));
    // the pair is open again, and can be dismissed
    let queue = t
        .get_json(&promoter, "/api/v1/duplicates", StatusCode::OK)
        .await;
    let pair = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["lead_id"] == a && p["other_id"] == c)
        .expect("the a–c pair is open again")
        .clone();
    let d = t
        .post_json(
            &promoter,
            &format!("/api/v1/duplicates/{}/dismiss", pair["id"]),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(d["status"], "dismissed");
    t.post_json(
        &promoter,
        &format!("/api/v1/duplicates/{}/dismiss", pair["id"]),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    // no merged lead is left behind, and every step is in the intact audit chain
    let v: Value = t
        .get_json(&promoter, "/api/v1/leads?status=merged", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 0);
    assert!(matches!(
        fenglai_app::audit::verify(&t.app).await.unwrap(),
        fenglai_app::audit::Verdict::Intact { .. }
    ));
}
both!(merge_then_undo_restores_exactly, merge_and_undo);

/// The pages: the warning before saving, the queue, side by side, merge, undo.
async fn pages(t: TestApp) {
    let promoter = t.token("promoter").await;
    let a = t
        .lead(
            &promoter,
            json!({"company_name": "网页重复精密机械有限公司", "contact_name": "张三"}),
        )
        .await;
    let login = |user: &'static str| {
        let t = &t;
        async move { format!("fenglai_session={}", crate::auth::web_login(t, user).await) }
    };
    let csrf = |html: &str| {
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let get = |cookie: String, path: String| {
        let t = &t;
        async move {
            let r = t
                .client
                .get(t.url(&path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let post = |cookie: String, path: String, form: Vec<(&'static str, String)>| {
        let t = &t;
        async move {
            let r = t
                .client
                .post(t.url(&path))
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap();
            let st = r.status();
            let loc = r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string());
            (st, loc.unwrap_or(r.text().await.unwrap()))
        }
    };

    // an informant reporting the same company is warned first, and may report anyway
    let informant = login("informant").await;
    let (_, html) = get(informant.clone(), "/leads/new".into()).await;
    let token = csrf(&html);
    let form = vec![
        ("csrf", token.clone()),
        ("company_name", "网页重复精密机械（有限公司）".to_string()),
        ("contact_name", "李四".to_string()),
    ];
    let (st, html) = post(informant.clone(), "/leads".into(), form.clone()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("id=\"dup-warning\"") && html.contains("凤城市投资促进局"),
        "{html}"
    );
    assert!(html.contains("name=\"confirm_duplicate\" value=\"1\"") && html.contains("仍然报送"));
    let mut anyway = form.clone();
    anyway.push(("confirm_duplicate", "1".into()));
    let (st, loc) = post(informant.clone(), "/leads".into(), anyway).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let b: i64 = loc.trim_start_matches("/leads/").parse().unwrap();

    // the promoter finds the pair in the queue and compares the two
    let promoter_web = login("promoter").await;
    let (st, html) = get(promoter_web.clone(), "/duplicates".into()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains(&format!("/leads/{a}/merge?with={b}")),
        "{html}"
    );
    let (st, html) = get(promoter_web.clone(), format!("/leads/{a}/merge?with={b}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("name=\"keep_contact_name\"") && html.contains("name=\"keep_company_name\"")
    );
    let token = csrf(&html);
    // not picking is refused, the page kept
    let (st, html) = post(
        promoter_web.clone(),
        format!("/leads/{a}/merge"),
        vec![("csrf", token.clone()), ("with", b.to_string())],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("请选择保留哪一个") && html.contains("联系人"),
        "{html}"
    );
    let (st, loc) = post(
        promoter_web.clone(),
        format!("/leads/{a}/merge"),
        vec![
            ("csrf", token.clone()),
            ("with", b.to_string()),
            ("keep_company_name", "survivor".into()),
            ("keep_contact_name", "duplicate".into()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let (_, html) = get(promoter_web.clone(), format!("/leads/{a}")).await;
    assert!(
        html.contains("id=\"credits\"") && html.contains("首报") && html.contains("50.0%"),
        "{html}"
    );
    assert!(html.contains("李四"), "the picked contact");
    assert!(html.contains("并入重复线索"));
    let undo = html
        .split("action=\"/merges/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let (_, html) = get(promoter_web.clone(), format!("/leads/{b}")).await;
    assert!(html.contains("id=\"merged-into\""));
    let (st, _) = post(
        promoter_web.clone(),
        format!("/merges/{undo}/undo"),
        vec![("csrf", token.clone())],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, html) = get(promoter_web.clone(), format!("/leads/{a}")).await;
    assert!(html.contains("已撤销") && html.contains("张三") && !html.contains("id=\"credits\""));
    // without the token nothing happens
    let (st, _) = post(promoter_web.clone(), format!("/merges/{undo}/undo"), vec![]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}
both!(duplicate_pages, pages);

/// Names written differently are found: region moved into brackets, traditional characters.
async fn variants(t: TestApp) {
    let promoter = t.token("promoter").await;
    let promoter2 = t.token("promoter2").await;
    let a = t
        .lead(
            &promoter,
            json!({"company_name": "苏州华芯微电子科技有限公司", "industry_code": "3973"}),
        )
        .await;
    let check = t
        .get_json(
            &promoter,
            "/api/v1/duplicates/check?company_name=華芯微電子科技（蘇州）有限公司",
            StatusCode::OK,
        )
        .await;
    assert_eq!(check[0]["lead_id"], a, "{check}");
    assert!(
        check[0]["reasons"].as_str().unwrap().contains("名称"),
        "{check}"
    );
    // the county's promoter, outside the city bureau's lead, learns only that one exists
    let check = t
        .get_json(
            &promoter2,
            "/api/v1/duplicates/check?company_name=華芯微電子科技（蘇州）有限公司",
            StatusCode::OK,
        )
        .await;
    assert_eq!(check[0]["elsewhere"], true, "{check}");
    assert!(check[0].get("lead_id").is_none(), "{check}");
    let b = t
        .lead(
            &promoter2,
            json!({"company_name": "华芯微电子科技(苏州)有限公司", "industry_code": "3973"}),
        )
        .await;
    // an unrelated company with a different core is not a lookalike
    t.lead(
        &promoter2,
        json!({"company_name": "苏州恒瑞医药科技有限公司"}),
    )
    .await;
    let (queue, pairs) = t.duplicate_pairs(&promoter).await;
    assert_eq!(pairs, vec![(a, b)], "{queue}");
    // asking with nothing to compare is an error that names the field
    let e = t
        .get_json(
            &promoter,
            "/api/v1/duplicates/check",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "company_name");
}
both!(variant_names_are_found, variants);

/// Everything a test compares of a project: the record, its history, its figures, its
/// requests and its plan.
async fn project_state(t: &TestApp, token: &str, id: i64) -> Value {
    let mut out = serde_json::Map::new();
    for (k, path) in [
        ("project", format!("/api/v1/projects/{id}")),
        ("history", format!("/api/v1/projects/{id}/history")),
        ("realised", format!("/api/v1/projects/{id}/realised")),
        ("requests", format!("/api/v1/requests?project_id={id}")),
        ("milestones", format!("/api/v1/projects/{id}/milestones")),
    ] {
        out.insert(k.into(), t.get_json(token, &path, StatusCode::OK).await);
    }
    // all but the project's version, which every write moves on and never back
    out["project"].as_object_mut().unwrap().remove("version");
    Value::Object(out)
}

/// The city totals of the assessment for March 2025: (signed count, capital arrived).
async fn city_totals(t: &TestApp, token: &str) -> (f64, f64) {
    let fig = t
        .get_json(
            token,
            "/api/v1/assessment/figures?period=2025-03",
            StatusCode::OK,
        )
        .await;
    (
        crate::assess::total(&fig, "signed_count"),
        crate::assess::total(&fig, "capital_arrived"),
    )
}

/// The pipeline's count of projects in `stage` now.
async fn in_stage(t: &TestApp, token: &str, stage: &str) -> i64 {
    let p = t
        .get_json(token, "/api/v1/stats/pipeline", StatusCode::OK)
        .await;
    p["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == stage)
        .unwrap()["count"]
        .as_i64()
        .unwrap()
}

/// Undoes the last merge of the first lead of `leads`, then checks that every lead and
/// project is exactly as given.
async fn undo_last(t: &TestApp, token: &str, leads: &[(i64, &Value)], projects: &[(i64, &Value)]) {
    let merges = t
        .get_json(
            token,
            &format!("/api/v1/leads/{}/merges", leads[0].0),
            StatusCode::OK,
        )
        .await;
    t.post_json(
        token,
        &format!("/api/v1/merges/{}/undo", merges[0]["id"]),
        json!({}),
        StatusCode::OK,
    )
    .await;
    for (id, was) in leads {
        assert_eq!(&lead_json(t, token, *id).await, *was);
    }
    for (id, was) in projects {
        assert_eq!(&project_state(t, token, *id).await, *was);
    }
}

/// Two reports of one company, both admitted: merging the leads merges the projects —
/// one kept, the other's history kept but counted nowhere, its figures, requests and plan
/// moved, conflicts picked — and undo puts both back exactly.
async fn two_projects(t: TestApp) {
    let promoter = t.token("promoter").await;
    let promoter2 = t.token("promoter2").await;
    let leader = t.token("leader").await;
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let gx = t.unit_id("凤城高新技术产业开发区").await;
    let dept = t.unit_id("凤城市自然资源和规划局").await;
    let (signed0, capital0) = city_totals(&t, &leader).await;
    let (neg0, sig0) = (
        in_stage(&t, &leader, "negotiating").await,
        in_stage(&t, &leader, "signed").await,
    );
    let a = t
        .lead(
            &promoter,
            json!({"company_name": "双项目合并材料有限公司", "reported_date": "2025-03-01",
                                "planned_investment_yuan": 200_000_000i64}),
        )
        .await;
    let b = t
        .lead(
            &promoter2,
            json!({"company_name": "双项目合并材料（苏州）有限公司", "reported_date": "2025-03-03",
                                 "planned_investment_yuan": 300_000_000i64, "land_mu": 60.0}),
        )
        .await;
    let pa = t.admit(&promoter, a, Some(jkq), "2025-03-02").await;
    let pb = t.admit(&promoter, b, Some(gx), "2025-03-04").await;
    t.transition(
        &promoter,
        pa,
        json!({"to": "signed", "date": "2025-03-10", "amount_yuan": 200_000_000i64}),
    )
    .await;
    for (p, month, yuan) in [
        (pa, "2025-03", 10_000_000i64),
        (pb, "2025-03", 12_000_000),
        (pb, "2025-04", 5_000_000),
    ] {
        t.put_json(
            &promoter,
            &format!("/api/v1/projects/{p}/monthly"),
            json!({"month": month, "capital_arrived_yuan": yuan}),
            StatusCode::OK,
        )
        .await;
    }
    let req = t
        .post_json(&promoter, &format!("/api/v1/projects/{pb}/requests"),
                   json!({"category": "用地", "title": "用地指标", "description": "需要60亩", "department_ids": [dept]}),
                   StatusCode::CREATED)
        .await;
    // both projects count, both months of March: the double count the merge removes
    assert_eq!(in_stage(&t, &leader, "negotiating").await, neg0 + 1);
    assert_eq!(in_stage(&t, &leader, "signed").await, sig0 + 1);
    let (signed1, capital1) = city_totals(&t, &leader).await;
    assert_eq!(signed1, signed0 + 1.0);
    assert_eq!(capital1, capital0 + 22_000_000.0);
    let (sa0, sb0) = (
        project_state(&t, &promoter, pa).await,
        project_state(&t, &promoter, pb).await,
    );
    let get = |id: i64| lead_json(&t, &promoter, id);
    let (a0, b0) = (get(a).await, get(b).await);

    // side by side: which project, the fields that differ, the month both recorded
    let (pv, conflicts) = preview_conflicts(&t, &promoter, a, b, "project_fields", "field").await;
    assert_eq!(
        conflicts,
        vec![
            "project",
            "project.name",
            "project.park_id",
            "project.planned_investment_yuan",
            "month.2025-03"
        ],
        "{pv}"
    );
    let land = pv["project_fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "project.land_mu")
        .unwrap();
    assert_eq!(land["survivor"], Value::Null);
    assert_eq!(land["duplicate"], "60");
    // the merge page shows both projects side by side, each conflict a choice
    let cookie = format!(
        "fenglai_session={}",
        crate::auth::web_login(&t, "promoter").await
    );
    let (status, html) = t.page(&cookie, &format!("/leads/{a}/merge?with={b}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"project-sides\""), "{html}");
    assert!(html.contains("name=\"keep_project\""), "{html}");
    assert!(html.contains("name=\"keep_month.2025-03\""), "{html}");
    // unpicked, refused naming them; nothing written
    let keep_lead = json!({"company_name": "survivor", "planned_investment_yuan": "survivor"});
    let e = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merges"),
            json!({"duplicate_id": b, "keep": keep_lead}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("保留的项目") && msg.contains("承接园区") && msg.contains("2025-03"),
        "{msg}"
    );
    assert_eq!(project_state(&t, &promoter, pa).await, sa0);
    assert_eq!(project_state(&t, &promoter, pb).await, sb0);

    // keep a's project (signed), b's name and March figures, a's park and investment
    let merged = t
        .post_json(&promoter, &format!("/api/v1/leads/{a}/merges"),
                   json!({"duplicate_id": b, "keep": {"company_name": "survivor", "planned_investment_yuan": "survivor",
                          "project": "survivor", "project.name": "duplicate", "project.park_id": "survivor",
                          "project.planned_investment_yuan": "survivor", "month.2025-03": "duplicate"}}),
                   StatusCode::OK)
        .await;
    assert_eq!(merged["project_id"], pa);
    let sa = project_state(&t, &promoter, pa).await;
    assert_eq!(sa["project"]["name"], sb0["project"]["name"]);
    assert_eq!(sa["project"]["park_id"], jkq);
    assert_eq!(sa["project"]["land_mu"], 60.0, "a value only b had");
    assert_eq!(sa["project"]["stage"], "signed");
    let months: Vec<(String, i64)> = sa["realised"]["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                m["capital_arrived_yuan"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        vec![
            ("2025-03".into(), 12_000_000),
            ("2025-04".into(), 5_000_000)
        ]
    );
    assert_eq!(sa["requests"]["items"][0]["id"], req["id"]);
    // b's project is kept, merged, with its history (voided) and a's March figures
    let sb = project_state(&t, &promoter, pb).await;
    assert_eq!(sb["project"]["merged_into"], pa);
    let hist = sb["history"].as_array().unwrap();
    assert!(!hist.is_empty());
    assert!(hist.iter().all(|h| h["voided"] == 1), "{hist:?}");
    assert_eq!(
        sb["realised"]["months"][0]["capital_arrived_yuan"],
        10_000_000
    );
    let (_, html) = t.page(&cookie, &format!("/projects/{pb}")).await;
    assert!(html.contains("id=\"merged\""), "{html}");
    // counted once: in the pipeline, the project list and the assessment
    assert_eq!(in_stage(&t, &leader, "negotiating").await, neg0);
    assert_eq!(in_stage(&t, &leader, "signed").await, sig0 + 1);
    let list = t
        .get_json(&leader, "/api/v1/projects?q=双项目合并", StatusCode::OK)
        .await;
    assert_eq!(list["total"], 1, "{list}");
    let (signed2, capital2) = city_totals(&t, &leader).await;
    assert_eq!(signed2, signed0 + 1.0);
    assert_eq!(capital2, capital0 + 12_000_000.0);
    // the merged project takes no more changes
    let e = t
        .post_json(
            &promoter,
            &format!("/api/v1/projects/{pb}/transitions"),
            json!({"to": "signed", "date": "2025-03-20", "amount_yuan": 1i64}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(e["error"]["message"].as_str().unwrap().contains("已合并"));

    // undo: both leads and both projects exactly as they were
    let before = [(a, &a0), (b, &b0)];
    undo_last(&t, &promoter, &before, &[(pa, &sa0), (pb, &sb0)]).await;
    assert_eq!(in_stage(&t, &leader, "negotiating").await, neg0 + 1);
    assert_eq!(city_totals(&t, &leader).await, (signed1, capital1));

    // the other way round: b's project kept; a's signing is then history, not counted
    t.post_json(&promoter, &format!("/api/v1/leads/{a}/merges"),
                json!({"duplicate_id": b, "keep": {"company_name": "survivor", "planned_investment_yuan": "survivor",
                       "project": "duplicate", "project.name": "survivor", "project.park_id": "duplicate",
                       "project.planned_investment_yuan": "duplicate", "month.2025-03": "survivor"}}),
                StatusCode::OK)
        .await;
    let sb = project_state(&t, &promoter, pb).await;
    assert_eq!(sb["project"]["lead_id"], a);
    assert_eq!(sb["project"]["name"], sa0["project"]["name"]);
    assert_eq!(sb["project"]["park_id"], gx);
    assert_eq!(
        sb["realised"]["months"][0]["capital_arrived_yuan"],
        10_000_000
    );
    assert_eq!(get(a).await["project_id"], pb);
    assert_eq!(in_stage(&t, &leader, "signed").await, sig0);
    assert_eq!(in_stage(&t, &leader, "negotiating").await, neg0 + 1);
    assert_eq!(
        city_totals(&t, &leader).await,
        (signed0, capital0 + 10_000_000.0)
    );
    let before = [(a, &a0), (b, &b0)];
    t.assert_credit_in_step().await;
    undo_last(&t, &promoter, &before, &[(pa, &sa0), (pb, &sb0)]).await;
    assert_eq!(city_totals(&t, &leader).await, (signed1, capital1));
    t.assert_credit_in_step().await;
    assert!(matches!(
        fenglai_app::audit::verify(&t.app).await.unwrap(),
        fenglai_app::audit::Verdict::Intact { .. }
    ));
}
both!(
    merging_two_projects_counts_once_and_undoes_exactly,
    two_projects
);

/// The earlier leads an import compares its rows with are the same whether they are
/// looked up by key (more leads before than values to look up) or read all at once and
/// matched in memory (fewer): live ones sharing a name key, credit code or normalised
/// name, each once, in id order.
async fn earlier_lookalikes_either_way(t: TestApp) {
    use fenglai_store::merges::{earlier_sharing, CandidateLead};
    let tok = t.token("promoter").await;
    let uscc = "914403001922038216";
    let mut ids = Vec::new();
    for name in [
        "苏州启明光电科技有限公司",
        "启明光电科技（苏州）有限公司",
        "另名材料有限公司",
        "无关食品有限公司",
    ] {
        let body = if name == "另名材料有限公司" {
            json!({"company_name": name, "uscc": uscc})
        } else {
            json!({"company_name": name})
        };
        ids.push(t.lead(&tok, body).await);
    }
    for i in 0..12 {
        t.lead(
            &tok,
            json!({"company_name": format!("填充{i}号机械有限公司")}),
        )
        .await;
    }
    let merged = t
        .lead(&tok, json!({"company_name": "苏州启明光电科技有限公司"}))
        .await;
    t.merge(&tok, ids[0], merged).await;
    let candidate = |id: i64, name: &str, uscc: Option<&str>| CandidateLead {
        id,
        company_name: name.into(),
        uscc: uscc.map(str::to_string),
        name_norm: fenglai_domain::names::normalize(name),
        name_key: fenglai_store::leads::name_key(name),
        industry_code: None,
        region_code: None,
        planned_investment_yuan: None,
        reported_date: "2024-03-15".into(),
    };
    let before = merged + 1;
    let few = vec![
        candidate(before, "启明光电科技(苏州)有限公司", None),
        candidate(before + 1, "同码不同名有限公司", Some(uscc)),
    ];
    let mut many = few.clone();
    for i in 0..40 {
        many.push(candidate(
            before + 2 + i,
            &format!("新来{i}号纺织有限公司"),
            None,
        ));
    }
    let mut c = t.db.acquire().await.unwrap();
    let ids_of = |v: Vec<CandidateLead>| v.into_iter().map(|l| l.id).collect::<Vec<_>>();
    let looked_up = ids_of(earlier_sharing(&mut c, before, &few).await.unwrap());
    let read_all = ids_of(earlier_sharing(&mut c, before, &many).await.unwrap());
    assert_eq!(
        looked_up,
        vec![ids[0], ids[1], ids[2]],
        "the merged lead is left out"
    );
    assert_eq!(read_all, looked_up);
}
both!(earlier_lookalikes, earlier_lookalikes_either_way);
