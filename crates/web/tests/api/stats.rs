use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn stage<'a>(v: &'a Value, s: &str) -> &'a Value {
    v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["stage"] == s)
        .unwrap()
}

async fn as_of(t: TestApp) {
    let tok = t.token("promoter").await;
    let park = t.unit_id("凤城高新技术产业开发区").await;
    let lead = t.lead(&tok, json!({"company_name": "凤城博远智能装备有限公司", "planned_investment_yuan": 600_000_000i64, "reported_date": "2024-01-02"})).await;
    let id = t.admit(&tok, lead, Some(park), "2024-01-10").await;
    t.post_json(
        &tok,
        &format!("/api/v1/projects/{id}/transitions"),
        json!({"to": "signed", "date": "2024-03-15", "amount_yuan": 750_000_000i64}),
        StatusCode::OK,
    )
    .await;
    t.post_json(
        &tok,
        &format!("/api/v1/projects/{id}/transitions"),
        json!({"to": "started", "date": "2024-06-01"}),
        StatusCode::OK,
    )
    .await;

    let before = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-01-09",
            StatusCode::OK,
        )
        .await;
    assert_eq!(stage(&before, "negotiating")["count"], 0);
    let v = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-03-14",
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["as_of"], "2024-03-14");
    assert_eq!(
        (
            stage(&v, "negotiating")["count"].as_i64(),
            stage(&v, "negotiating")["investment_yuan"].as_i64()
        ),
        (Some(1), Some(600_000_000))
    );
    assert_eq!(stage(&v, "signed")["count"], 0);
    let v = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-03-15",
            StatusCode::OK,
        )
        .await;
    assert_eq!(stage(&v, "negotiating")["count"], 0);
    assert_eq!(
        (
            stage(&v, "signed")["count"].as_i64(),
            stage(&v, "signed")["investment_yuan"].as_i64()
        ),
        (Some(1), Some(750_000_000))
    );
    let v = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-06-01",
            StatusCode::OK,
        )
        .await;
    assert_eq!(stage(&v, "signed")["count"], 0);
    assert_eq!(stage(&v, "started")["count"], 1);
    // cumulative: a started project counts as signed too
    assert_eq!(stage(&v, "signed")["reached_count"], 1);
    assert_eq!(
        v["summary"],
        "策划对接项目 1 个、计划总投资 7.5 亿元；已签约 1 个 7.5 亿元；已开工 1 个 7.5 亿元"
    );
    // by park
    let v = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-06-01&by=park",
            StatusCode::OK,
        )
        .await;
    let g = &v["groups"][0];
    assert_eq!(g["name"], "凤城高新技术产业开发区");
    // a correction removes the voided interval from past figures too
    t.post_json(
        &tok,
        &format!("/api/v1/projects/{id}/transitions"),
        json!({"to": "signed", "correction": true, "reason": "开工未达标准"}),
        StatusCode::OK,
    )
    .await;
    let v = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-06-01",
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (
            stage(&v, "signed")["count"].as_i64(),
            stage(&v, "started")["count"].as_i64()
        ),
        (Some(1), Some(0))
    );
    // bad dates and groupings
    for q in ["as_of=2024-13-01", "as_of=soon", "by=colour"] {
        t.get_json(
            &tok,
            &format!("/api/v1/stats/pipeline?{q}"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
}
both!(as_of_figures_follow_the_stage_history, as_of);
