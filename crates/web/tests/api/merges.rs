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
    let queue = t
        .get_json(&leader, "/api/v1/duplicates", StatusCode::OK)
        .await;
    let pairs: Vec<(i64, i64)> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["lead_id"].as_i64().unwrap(),
                p["other_id"].as_i64().unwrap(),
            )
        })
        .collect();
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
    let get = |id: i64| {
        let t = &t;
        let p = promoter.clone();
        async move {
            let mut v = t
                .get_json(&p, &format!("/api/v1/leads/{id}"), StatusCode::OK)
                .await;
            // restored exactly, but for the version: every write moves it on, never back
            v.as_object_mut().unwrap().remove("version");
            v
        }
    };
    let (a0, b0) = (get(a).await, get(b).await);

    // side by side: the conflicts are named
    let pv = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{a}/merge-preview?with={b}"),
            StatusCode::OK,
        )
        .await;
    let conflicts: Vec<&str> = pv["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["conflict"] == true)
        .map(|f| f["label"].as_str().unwrap())
        .collect();
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
            &promoter2,
            "/api/v1/duplicates/check?company_name=華芯微電子科技（蘇州）有限公司",
            StatusCode::OK,
        )
        .await;
    assert_eq!(check[0]["lead_id"], a, "{check}");
    assert!(
        check[0]["reasons"].as_str().unwrap().contains("名称"),
        "{check}"
    );
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
    let queue = t
        .get_json(&promoter, "/api/v1/duplicates", StatusCode::OK)
        .await;
    let pairs: Vec<(i64, i64)> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["lead_id"].as_i64().unwrap(),
                p["other_id"].as_i64().unwrap(),
            )
        })
        .collect();
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
