use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn create_list_search_read(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = t
        .lead(
            &tok,
            json!({"company_name": "苏州华芯微电子科技有限公司", "uscc": "914403001922038216", "industry_code": "3982",
                   "region_code": "320500", "planned_investment_yuan": 1_280_000_000i64, "description": "集成电路封测",
                   "land_mu": 120.5, "expected_jobs": 800, "channel": "enterprise_referral", "reported_date": "2024-03-15"}),
        )
        .await;
    t.lead(
        &tok,
        json!({"company_name": "浙江恒瑞新材料股份有限公司", "reported_date": "2024-05-01"}),
    )
    .await;
    t.lead(&tok, json!({"company_name": "深圳博远智能装备有限公司", "industry_code": "C", "reported_date": "2023-12-01"})).await;

    let v = t
        .get_json(&tok, &format!("/api/v1/leads/{id}"), StatusCode::OK)
        .await;
    assert_eq!(v["company_name"], "苏州华芯微电子科技有限公司");
    assert_eq!(v["status"], "pending_review");
    assert_eq!(v["planned_investment_yuan"], 1_280_000_000i64);
    assert_eq!(v["industry_name"], "电子电路制造");
    assert_eq!(v["region_name"], "江苏省苏州市");
    assert_eq!(v["reporting_unit_name"], "凤城市投资促进局");

    let all = t.get_json(&tok, "/api/v1/leads", StatusCode::OK).await;
    assert_eq!(all["total"], 3);
    // newest first by default
    assert_eq!(
        all["items"][0]["company_name"],
        "浙江恒瑞新材料股份有限公司"
    );
    // fragments of 2, 3 and 4 characters
    for (q, n) in [
        ("华芯", 1),
        ("微电子", 1),
        ("有限公司", 3),
        ("科技有限", 1),
        ("不存在的", 0),
    ] {
        let v = t
            .get_json(&tok, &format!("/api/v1/leads?q={q}"), StatusCode::OK)
            .await;
        assert_eq!(v["total"], n, "q={q}");
    }
    // by code
    let v = t
        .get_json(&tok, "/api/v1/leads?q=914403001922038216", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 1);
    // filters, sort, pagination
    let v = t
        .get_json(
            &tok,
            "/api/v1/leads?from=2024-01-01&to=2024-12-31&sort=reported_date",
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["total"], 2);
    assert_eq!(v["items"][0]["company_name"], "苏州华芯微电子科技有限公司");
    let v = t
        .get_json(&tok, "/api/v1/leads?industry=C", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 2, "section C covers 3982 and C");
    let v = t
        .get_json(&tok, "/api/v1/leads?industry=39", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 1);
    let v = t
        .get_json(&tok, "/api/v1/leads?per_page=2&page=2", StatusCode::OK)
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["total"], 3);
    let v = t
        .get_json(
            &tok,
            "/api/v1/leads?sort=-planned_investment",
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["items"][0]["id"], id);
    let v = t
        .get_json(&tok, "/api/v1/leads?status=pending_review", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 3);
    // a missing record
    t.get_json(&tok, "/api/v1/leads/999999", StatusCode::NOT_FOUND)
        .await;
}
both!(leads_create_list_search_read, create_list_search_read);

async fn bad_input(t: TestApp) {
    let tok = t.token("promoter").await;
    let cases = [
        (json!({}), "company_name"),
        (json!({"company_name": "  "}), "company_name"),
        (
            json!({"company_name": "甲公司", "uscc": "9144030019220382"}),
            "uscc",
        ),
        (
            json!({"company_name": "甲公司", "industry_code": "9999"}),
            "industry_code",
        ),
        (
            json!({"company_name": "甲公司", "industry_code": "abc"}),
            "industry_code",
        ),
        (
            json!({"company_name": "甲公司", "region_code": "999999"}),
            "region_code",
        ),
        (
            json!({"company_name": "甲公司", "planned_investment_yuan": -5}),
            "planned_investment_yuan",
        ),
        (
            json!({"company_name": "甲公司", "planned_investment_yuan": 1.5}),
            "body",
        ),
        (
            json!({"company_name": "甲公司", "channel": "pigeon"}),
            "channel",
        ),
        (
            json!({"company_name": "甲公司", "reported_date": "2024-02-30"}),
            "reported_date",
        ),
        (
            json!({"company_name": "甲公司", "reported_date": "2099-01-01"}),
            "reported_date",
        ),
        (json!({"company_name": "甲公司", "colour": "red"}), "colour"),
        (json!({"company_name": "甲公司", "land_mu": -1}), "land_mu"),
    ];
    for (body, field) in cases {
        let v = t
            .post_json(
                &tok,
                "/api/v1/leads",
                body.clone(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field, "{body}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(
            !msg.is_empty() && !msg.to_lowercase().contains("sql"),
            "{msg}"
        );
    }
    // not JSON at all
    let r = t
        .client
        .post(t.url("/api/v1/leads"))
        .bearer_auth(&tok)
        .body("company_name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // bad list parameters
    for q in [
        "page=0",
        "per_page=1000",
        "status=maybe",
        "sort=colour",
        "from=yesterday",
        "industry=ZZ",
        "unit_id=x",
    ] {
        let v = t
            .get_json(
                &tok,
                &format!("/api/v1/leads?{q}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert!(v["error"]["field"].is_string(), "{q}");
    }
    // nothing was written
    assert_eq!(
        t.get_json(&tok, "/api/v1/leads", StatusCode::OK).await["total"],
        0
    );
}
both!(lead_input_errors_name_the_field, bad_input);

async fn uscc(t: TestApp) {
    let tok = t.token("promoter").await;
    let v = t
        .post_json(
            &tok,
            "/api/v1/leads",
            json!({"company_name": "华为技术有限公司", "uscc": "914403001922038217"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "uscc");
    assert_eq!(v["error"]["code"], "invalid");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("校验位") && msg.contains('6'), "{msg}");
    for (name, code) in [
        ("华为技术有限公司", "914403001922038216"),
        ("深圳市腾讯计算机系统有限公司", "91440300708461136T"),
    ] {
        let v = t
            .post_json(
                &tok,
                "/api/v1/leads",
                json!({"company_name": name, "uscc": code}),
                StatusCode::CREATED,
            )
            .await;
        assert_eq!(v["uscc"], code);
    }
    // lower case is folded
    let v = t
        .post_json(
            &tok,
            "/api/v1/leads",
            json!({"company_name": "腾讯", "uscc": "91440300708461136t"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(v["uscc"], "91440300708461136T");
}
both!(uscc_check_character, uscc);

/// Zero-width characters, bidi overrides and controls are dropped from a lead's names and
/// texts; a name of nothing else is refused naming the field. A letter in the credit
/// code's region (characters 3-8) is refused even with a right check character.
async fn invisible(t: TestApp) {
    let tok = t.token("promoter").await;
    for (body, field) in [
        (
            json!({"company_name": "\u{200B}\u{202E}\u{0}\u{FEFF}"}),
            "company_name",
        ),
        (
            json!({"company_name": "\u{2066}\u{2069}\u{2060}"}),
            "company_name",
        ),
        (
            json!({"company_name": "甲公司", "contact_name": "\u{200D}\u{202D}"}),
            "contact_name",
        ),
        (
            json!({"company_name": "甲公司", "description": "\u{200B}\u{2028}\u{202C}"}),
            "description",
        ),
    ] {
        let v = t
            .post_json(
                &tok,
                "/api/v1/leads",
                body.clone(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field, "{body}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains("只含不可见字符"), "{msg}");
    }
    let body = format!("91440A00{}", "708461136");
    let code = format!(
        "{body}{}",
        fenglai_domain::uscc::check_char(body.as_bytes()).unwrap()
    );
    let v = t
        .post_json(
            &tok,
            "/api/v1/leads",
            json!({"company_name": "甲公司", "uscc": code}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "uscc");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("第6位“A”应为数字"),
        "{v}"
    );
    let v = t
        .post_json(
            &tok,
            "/api/v1/leads",
            json!({"company_name": "\u{202E}华芯\u{200B}科技有限公司\u{FEFF}", "contact_name": "张\u{200B}三"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(v["company_name"], "华芯科技有限公司");
    assert_eq!(v["contact_name"], "张三");
}
both!(invisible_characters_in_names, invisible);

async fn search_plans(t: TestApp) {
    let tok = t.token("promoter").await;
    // brackets, spaces and width never decide whether a name is found
    t.lead(&tok, json!({"company_name": "华芯(苏州)半导体 有限公司"}))
        .await;
    for q in ["华芯（苏州）", "华芯 苏州", "芯苏", "ＨＸ", "半导体有限"] {
        let v = t
            .get_json(&tok, &format!("/api/v1/leads?q={q}"), StatusCode::OK)
            .await;
        let want = if q == "ＨＸ" { 0 } else { 1 };
        assert_eq!(v["total"], want, "q={q}");
    }
    // ten thousand and more matches: the count stops at the cap and the page still fills
    let unit = t.unit_id("凤城市投资促进局").await;
    let user = fenglai_app::auth::actor_by_username(&t.app, "promoter")
        .await
        .unwrap()
        .id();
    t.raw_sql(&format!(
        "INSERT INTO leads (company_name, reported_by, reporting_unit_id, reported_date, status, created_at, updated_at) \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10050) \
         SELECT '稠密测试' || i || '有限公司', {user}, {unit}, '2024-05-01', 'pending_review', '2024-05-01T00:00:00.000000Z', '2024-05-01T00:00:00.000000Z' FROM n"
    ))
    .await;
    assert_eq!(
        fenglai_app::leads::backfill_search(&t.app).await.unwrap(),
        10050
    );
    let v = t
        .get_json(&tok, "/api/v1/leads?q=稠密测试", StatusCode::OK)
        .await;
    assert_eq!(
        (v["total"].as_i64(), v["total_capped"].as_bool()),
        (Some(10_000), Some(true))
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(items
        .iter()
        .all(|l| l["company_name"].as_str().unwrap().contains("稠密测试")));
    // a rare fragment is counted exactly
    let v = t
        .get_json(&tok, "/api/v1/leads?q=稠密测试77有限", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 1);
    assert!(v.get("total_capped").is_none());
    let v = t
        .get_json(
            &tok,
            "/api/v1/leads?q=稠密测试999&per_page=200",
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["total"], 11, "999 and 9990..9999");
    // one character scans
    let v = t.get_json(&tok, "/api/v1/leads?q=芯", StatusCode::OK).await;
    assert_eq!(v["total"], 1);
}
both!(search_normalises_and_caps_counts, search_plans);

/// Leads reported at the same moment are written together (group commit): each answered
/// with its own lead, each audited once as its own reporter, the chain intact, and each
/// queued as 疑似重复 with every lookalike reported before it, once.
async fn reported_together(t: TestApp) {
    const N: usize = 24;
    let users = ["promoter", "promoter2", "informant", "admin"];
    let mut tokens = Vec::new();
    for u in users {
        tokens.push((u, t.token(u).await));
    }
    let t = std::sync::Arc::new(t);
    let mut tasks = Vec::new();
    for i in 0..N {
        let (t, (user, tok)) = (t.clone(), tokens[i % users.len()].clone());
        tasks.push(tokio::spawn(async move {
            let r = t
                .post(
                    &tok,
                    "/api/v1/leads",
                    json!({"company_name": "同时报送新能源科技有限公司", "reported_date": "2026-11-02",
                           "planned_investment_yuan": 100_000_000 + i as i64}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
            let v: serde_json::Value = r.json().await.unwrap();
            assert_eq!(v["planned_investment_yuan"], 100_000_000 + i as i64);
            (v["id"].as_i64().unwrap(), user)
        }));
    }
    let mut written = Vec::new();
    for task in tasks {
        written.push(task.await.unwrap());
    }
    let mut ids: Vec<i64> = written.iter().map(|w| w.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "every report got a lead of its own");

    // one create event per lead, by the user who reported it, and the chain intact
    let mut c = t.db.acquire().await.unwrap();
    let events = fenglai_store::audit::page(&mut c, 0, 100_000)
        .await
        .unwrap();
    drop(c);
    for (id, user) in &written {
        let of: Vec<_> = events
            .iter()
            .filter(|e| e.entity == "lead" && e.entity_id == *id)
            .collect();
        assert_eq!(of.len(), 1, "lead {id} audited once");
        assert_eq!(
            (of[0].action.as_str(), of[0].actor.as_str()),
            ("create", *user)
        );
        let after: serde_json::Value =
            serde_json::from_str(of[0].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after["id"], *id);
    }
    assert!(matches!(
        fenglai_app::audit::verify(&t.app).await.unwrap(),
        fenglai_app::audit::Verdict::Intact { .. }
    ));

    // the 疑似重复 queue: each pair of the N once, the earlier lead first
    let admin = &tokens[3].1;
    let (_, pairs) = t.duplicate_pairs(admin).await;
    let mut ours: Vec<(i64, i64)> = pairs
        .into_iter()
        .filter(|(a, b)| ids.contains(a) && ids.contains(b))
        .collect();
    ours.sort();
    let mut expected = Vec::new();
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            expected.push((*a, *b));
        }
    }
    assert_eq!(ours, expected);
}
both!(
    leads_reported_together_are_each_written_once,
    reported_together
);

/// A lead whose write fails among others written together fails alone: the others are
/// written, answered and audited, and nothing of the failed one is kept.
async fn one_fails_alone(t: TestApp) {
    match t.db.backend() {
        fenglai_store::Backend::Sqlite => {
            t.raw_sql(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON leads \
                 WHEN NEW.company_name LIKE '%拒写%' BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .await
        }
        fenglai_store::Backend::Postgres => {
            t.raw_sql(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN \
                 IF NEW.company_name LIKE '%拒写%' THEN RAISE EXCEPTION 'refused'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await;
            t.raw_sql(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON leads FOR EACH ROW \
                 EXECUTE FUNCTION refuse_poison()",
            )
            .await
        }
    }
    let tok = t.token("promoter").await;
    let before = t
        .get_json(&tok, "/api/v1/leads?per_page=1", StatusCode::OK)
        .await["total"]
        .as_i64()
        .unwrap();
    let t = std::sync::Arc::new(t);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (t, tok) = (t.clone(), tok.clone());
        let name = if i == 7 {
            "拒写测试有限公司".to_string()
        } else {
            format!("分批写入{i}号科技有限公司")
        };
        tasks.push(tokio::spawn(async move {
            let r = t
                .post(&tok, "/api/v1/leads", json!({"company_name": name}))
                .await;
            (i, r.status())
        }));
    }
    for task in tasks {
        let (i, status) = task.await.unwrap();
        if i == 7 {
            assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        } else {
            assert_eq!(status, StatusCode::CREATED, "lead {i}");
        }
    }
    let after = t
        .get_json(&tok, "/api/v1/leads?per_page=1", StatusCode::OK)
        .await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(after - before, 15);
    let v = t
        .get_json(&tok, "/api/v1/leads?q=拒写", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 0);
    let Ok(fenglai_app::audit::Verdict::Intact { .. }) = fenglai_app::audit::verify(&t.app).await
    else {
        panic!("audit chain broken")
    };
}
both!(a_lead_that_cannot_be_written_fails_alone, one_fails_alone);
