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
    // the dashboard's other figures are in the API too
    let r = t
        .get_json(&tok, "/api/v1/stats/recent", StatusCode::OK)
        .await;
    assert_eq!(r[0]["project_id"], id);
    let u = t
        .get_json(&tok, "/api/v1/stats/leads-by-unit", StatusCode::OK)
        .await;
    assert_eq!(
        (
            u[0]["unit_name"].as_str(),
            u[0]["leads"].as_i64(),
            u[0]["admitted"].as_i64()
        ),
        (Some("凤城市投资促进局"), Some(1), Some(1))
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

/// The monthly aggregate plus the current month's raw rows must give exactly what a
/// scan of the whole history gives, for every date and scope, after advances,
/// drops, corrections and park changes.
async fn aggregate_equals_scan(t: TestApp) {
    use fenglai_store::stats::{pipeline, pipeline_by, pipeline_raw, GroupBy};
    use fenglai_store::Scope;
    let tok = t.token("promoter").await;
    let parks = [
        t.unit_id("凤城经济技术开发区").await,
        t.unit_id("临江工业园区").await,
        t.unit_id("青山智能制造产业园").await,
    ];
    let mut seed: u64 = 20240315;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let date = |d: u64| {
        (chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Duration::days(d as i64))
            .to_string()
    };
    for i in 0..24 {
        let mut day = next(300);
        let lead = t.lead(&tok, json!({"company_name": format!("聚合校验{i}号有限公司"), "planned_investment_yuan": (next(90) + 1) as i64 * 10_000_000, "reported_date": date(day)})).await;
        let park = if next(5) == 0 {
            None
        } else {
            Some(parks[next(3) as usize])
        };
        day += next(40);
        let id = t.admit(&tok, lead, park, &date(day)).await;
        let steps = next(6);
        for (k, to) in ["signed", "started", "completed", "producing", "at_capacity"]
            .iter()
            .enumerate()
            .take(steps as usize)
        {
            day += next(70);
            let body = if k == 0 {
                json!({"to": to, "date": date(day), "amount_yuan": (next(90) + 1) as i64 * 11_000_000})
            } else {
                json!({"to": to, "date": date(day)})
            };
            t.post_json(
                &tok,
                &format!("/api/v1/projects/{id}/transitions"),
                body,
                StatusCode::OK,
            )
            .await;
        }
        match next(4) {
            0 if steps >= 2 => {
                t.post_json(
                    &tok,
                    &format!("/api/v1/projects/{id}/transitions"),
                    json!({"to": "signed", "correction": true, "reason": "更正"}),
                    StatusCode::OK,
                )
                .await;
            }
            1 => {
                day += next(50);
                t.post_json(
                    &tok,
                    &format!("/api/v1/projects/{id}/transitions"),
                    json!({"to": "dropped", "date": date(day), "reason": "中止"}),
                    StatusCode::OK,
                )
                .await;
            }
            2 => {
                let r = t
                    .client
                    .patch(t.url(&format!("/api/v1/projects/{id}")))
                    .bearer_auth(&tok)
                    .json(&json!({"park_id": parks[next(3) as usize]}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK);
            }
            _ => {}
        }
    }
    let mut scopes = vec![Scope::All];
    for name in ["临江县", "青山区", "凤城经济技术开发区"] {
        let id = t.unit_id(name).await;
        let u = fenglai_app::org::units(&t.app)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.id == id)
            .unwrap();
        scopes.push(Scope::Subtree(u.path));
    }
    let mut conn = t.db.acquire().await.unwrap();
    let sorted = crate::helpers::figures_sorted;
    let mut nonzero = 0;
    for d in (0..900).step_by(13).chain([58, 59, 89, 90, 120]) {
        let day: chrono::NaiveDate = date(d).parse().unwrap();
        for scope in &scopes {
            let fast = sorted(pipeline(&mut conn, day, scope).await.unwrap());
            let slow = sorted(pipeline_raw(&mut conn, day, scope).await.unwrap());
            assert_eq!(fast, slow, "as of {day}, {scope:?}");
            nonzero += usize::from(!slow.is_empty());
            let by = pipeline_by(&mut conn, day, scope, GroupBy::Park)
                .await
                .unwrap();
            let total: i64 = by.iter().map(|g| g.count).sum();
            assert_eq!(
                total,
                slow.iter().map(|f| f.1).sum::<i64>(),
                "by park as of {day}"
            );
        }
    }
    assert!(
        nonzero > 40,
        "the comparison must cover days with projects ({nonzero})"
    );
}
both!(monthly_aggregate_equals_a_full_scan, aggregate_equals_scan);
