use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn move_to(t: &TestApp, tok: &str, id: i64, body: Value, status: StatusCode) -> Value {
    t.post_json(
        tok,
        &format!("/api/v1/projects/{id}/transitions"),
        body,
        status,
    )
    .await
}

async fn new_project(t: &TestApp, tok: &str, name: &str) -> i64 {
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t.lead(tok, json!({"company_name": name, "planned_investment_yuan": 500_000_000i64, "reported_date": "2024-01-02"})).await;
    t.admit(tok, lead, Some(park), "2024-01-10").await
}

async fn lifecycle(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = new_project(&t, &tok, "凤城华芯半导体有限公司").await;
    let p = t
        .get_json(&tok, &format!("/api/v1/projects/{id}"), StatusCode::OK)
        .await;
    assert_eq!(p["stage"], "negotiating");
    assert_eq!(p["stage_date"], "2024-01-10");
    assert_eq!(p["park_name"], "凤城经济技术开发区");
    // the lead is now admitted and points at the project
    let lead_id = p["lead_id"].as_i64().unwrap();
    let l = t
        .get_json(&tok, &format!("/api/v1/leads/{lead_id}"), StatusCode::OK)
        .await;
    assert_eq!(
        (l["status"].as_str(), l["project_id"].as_i64()),
        (Some("admitted"), Some(id))
    );
    // admitting twice is a conflict
    let v = t
        .post_json(
            &tok,
            &format!("/api/v1/leads/{lead_id}/admit"),
            json!({}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("已入库"));

    // every legal step of the main line, with its figures
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "signed", "date": "2024-03-15", "amount_yuan": 3_000_000_000i64}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            v["stage"].as_str(),
            v["contracted_investment_yuan"].as_i64()
        ),
        (Some("signed"), Some(3_000_000_000))
    );
    for (to, date) in [
        ("started", "2024-05-01"),
        ("completed", "2025-02-01"),
        ("producing", "2025-04-01"),
        ("at_capacity", "2025-10-01"),
    ] {
        let v = move_to(
            &t,
            &tok,
            id,
            json!({"to": to, "date": date}),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (v["stage"].as_str(), v["stage_date"].as_str()),
            (Some(to), Some(date))
        );
    }
    // the last stage has no next
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "at_capacity", "date": "2025-10-02"}),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("达产"));
    let h = t
        .get_json(
            &tok,
            &format!("/api/v1/projects/{id}/history"),
            StatusCode::OK,
        )
        .await;
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 6);
    assert_eq!(h[1]["amount_yuan"], 3_000_000_000i64);
    assert_eq!(h[1]["end_date"], "2024-05-01");
    assert!(h[5]["end_date"].is_null());
}
both!(every_legal_transition, lifecycle);

async fn illegal(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = new_project(&t, &tok, "临江恒瑞新材料有限公司").await;
    let cases: Vec<(Value, StatusCode, &str)> = vec![
        (
            json!({"to": "started", "date": "2024-02-01"}),
            StatusCode::CONFLICT,
            "下一阶段应为“签约”",
        ),
        (
            json!({"to": "negotiating", "date": "2024-02-01"}),
            StatusCode::CONFLICT,
            "已处于",
        ),
        (
            json!({"to": "signed", "date": "2024-02-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "合同金额",
        ),
        (
            json!({"to": "signed", "date": "2024-02-01", "amount_yuan": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "合同金额",
        ),
        (
            json!({"to": "signed", "date": "2023-12-31", "amount_yuan": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "不能早于",
        ),
        (
            json!({"to": "signed", "date": "2099-01-01", "amount_yuan": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "晚于今天",
        ),
        (
            json!({"to": "signed", "date": "15/03/2024", "amount_yuan": 5}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "日期",
        ),
        (
            json!({"to": "flying"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "未知阶段",
        ),
        (
            json!({"to": "dropped", "date": "2024-02-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "原因",
        ),
        (
            json!({"to": "signed", "speed": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "speed",
        ),
    ];
    for (body, status, needle) in cases {
        let v = move_to(&t, &tok, id, body.clone(), status).await;
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{body}: {msg}");
    }
    move_to(
        &t,
        &tok,
        id,
        json!({"to": "signed", "date": "2024-03-01", "amount_yuan": 800_000_000i64}),
        StatusCode::OK,
    )
    .await;
    move_to(
        &t,
        &tok,
        id,
        json!({"to": "started", "date": "2024-04-01"}),
        StatusCode::OK,
    )
    .await;
    // going back without a correction is refused; a correction needs a reason
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "signed", "date": "2024-04-02"}),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("更正"));
    move_to(
        &t,
        &tok,
        id,
        json!({"to": "signed", "correction": true}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // a correction forward is not a correction
    move_to(
        &t,
        &tok,
        id,
        json!({"to": "completed", "correction": true, "reason": "x"}),
        StatusCode::CONFLICT,
    )
    .await;
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "signed", "correction": true, "reason": "误报开工，实际未动工"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (v["stage"].as_str(), v["stage_date"].as_str()),
        (Some("signed"), Some("2024-03-01"))
    );
    let h = t
        .get_json(
            &tok,
            &format!("/api/v1/projects/{id}/history"),
            StatusCode::OK,
        )
        .await;
    let started = h
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["stage"] == "started")
        .unwrap();
    assert_eq!(started["voided"], 1, "the wrong entry is kept, voided");
    assert_eq!(started["voided_reason"], "误报开工，实际未动工");
    // drop with a reason, then nothing moves forward; a correction revives it
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "dropped", "date": "2024-06-01", "reason": "企业资金链断裂"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            v["stage"].as_str(),
            v["drop_reason"].as_str(),
            v["before_drop_stage"].as_str()
        ),
        (Some("dropped"), Some("企业资金链断裂"), Some("signed"))
    );
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "started", "date": "2024-07-01"}),
        StatusCode::CONFLICT,
    )
    .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("中止"));
    move_to(
        &t,
        &tok,
        id,
        json!({"to": "dropped", "reason": "x"}),
        StatusCode::CONFLICT,
    )
    .await;
    move_to(
        &t,
        &tok,
        id,
        json!({"to": "started", "correction": true, "reason": "x"}),
        StatusCode::CONFLICT,
    )
    .await;
    let v = move_to(
        &t,
        &tok,
        id,
        json!({"to": "signed", "correction": true, "reason": "企业恢复投资"}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["stage"], "signed");
    assert!(v["drop_reason"].is_null());
    // unknown project
    move_to(
        &t,
        &tok,
        987654,
        json!({"to": "signed", "amount_yuan": 1}),
        StatusCode::NOT_FOUND,
    )
    .await;
    // roles that may not move projects
    let leader = t.token("leader").await;
    let v = move_to(
        &t,
        &leader,
        id,
        json!({"to": "started", "date": "2024-08-01"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(v["error"]["code"], "forbidden");
    // audit events were written for each change
    let ev = t
        .get_json(
            &tok,
            &format!("/api/v1/projects/{id}/events"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(ev.as_array().unwrap().len(), 1 + 2 + 1 + 1 + 1);
}
both!(illegal_transitions_are_refused_with_reasons, illegal);

async fn edit(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = new_project(&t, &tok, "青山博远精密机械有限公司").await;
    let admin = t.token("admin").await;
    let users = t.get_json(&admin, "/api/v1/users", StatusCode::OK).await;
    let leader = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "leader")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let park = t.unit_id("青山智能制造产业园").await;
    let patch = |body: Value, who: String| {
        let url = t.url(&format!("/api/v1/projects/{id}"));
        let c = t.client.clone();
        async move {
            c.patch(url)
                .bearer_auth(who)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = patch(json!({"responsible_leader_id": leader, "park_id": park, "foreign_capital_usd": 20_000_000, "land_mu": 85.5}), tok.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (
            v["responsible_leader_name"].as_str(),
            v["park_name"].as_str()
        ),
        (Some("王市长"), Some("青山智能制造产业园"))
    );
    assert_eq!(
        (v["foreign_capital_usd"].as_i64(), v["land_mu"].as_f64()),
        (Some(20_000_000), Some(85.5))
    );
    // the figures by park follow the project to its new park
    let s = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-01-10&by=park",
            StatusCode::OK,
        )
        .await;
    assert_eq!(s["groups"][0]["name"], "青山智能制造产业园");
    for (body, field) in [
        (json!({"park_id": t.unit_id("临江县").await}), "park_id"),
        (
            json!({"responsible_user_id": 999999}),
            "responsible_user_id",
        ),
        (
            json!({"planned_investment_yuan": -1}),
            "planned_investment_yuan",
        ),
        (json!({"land_mu": -3}), "land_mu"),
        (json!({"stage": "signed"}), "stage"),
    ] {
        let r = patch(body.clone(), tok.clone()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["field"], field, "{body}");
    }
    let r = patch(json!({"name": "改名"}), t.token("leader").await).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = patch(json!({"name": "改名"}), t.token("promoter2").await).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
both!(project_edits_are_validated_and_scoped, edit);
