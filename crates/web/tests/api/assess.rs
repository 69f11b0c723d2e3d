//! 考核与通报 on a fixed fixture: every metric exact for a unit and a period (credit shares and
//! quality weights applied), targets and their decomposition checks, ranking order and
//! movement, 旬 at month ends, bulletins reproducible after changes, and the .xlsx and .docx.

use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Cursor;

/// The value of a metric for a row of a board (weighted unless `raw`).
fn val(fig: &Value, board: &str, id: i64, metric: &str, raw: bool) -> f64 {
    let i = fig["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["code"] == metric)
        .unwrap_or_else(|| panic!("metric {metric}"));
    let row = row(fig, board, id);
    row[if raw { "raw" } else { "value" }][i].as_f64().unwrap()
}

fn row<'a>(fig: &'a Value, board: &str, id: i64) -> &'a Value {
    fig["boards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == board)
        .unwrap_or_else(|| panic!("board {board}"))["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("row {id} on {board}"))
}

pub(crate) fn total(fig: &Value, metric: &str) -> f64 {
    let i = fig["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["code"] == metric)
        .unwrap();
    fig["total_raw"][i].as_f64().unwrap()
}

struct Fixture {
    bureau: i64,
    center: i64,
    county: i64,
    ndrc: i64,
    promoter: i64,
    promoter2: i64,
    lead_a: i64,
    lead_c: i64,
    project_a: i64,
}

/// March 2025:
/// - promoter (city bureau) reports A (世界500强, 3911 high-tech) on 03-05; admitted 03-06,
///   signed 03-10 for 2亿, started 03-20;
/// - promoter2 (临江县投资促进中心) reports B (1310 food) on 03-08; admitted 03-09, signed 03-15
///   for 5000万; C (A again) on 03-12, merged into A (首报 A 50%, C 50%); D on 03-20, never
///   admitted;
/// - informant (发改委) reports E on 2025-02-25, admitted: February's;
/// - visits, an event, a meeting and a voided visit.
async fn fixture(t: &TestApp) -> Fixture {
    let p1 = t.token("promoter").await;
    let p2 = t.token("promoter2").await;
    let inf = t.token("informant").await;
    let park = t.unit_id("凤城经济技术开发区").await;
    let a = t
        .lead(&p1, json!({"company_name": "华芯半导体（苏州）有限公司", "industry_code": "3973",
            "reported_date": "2025-03-05", "investor_tags": "世界500强", "planned_investment_yuan": 200_000_000i64}))
        .await;
    let pa = t.admit(&p1, a, Some(park), "2025-03-06").await;
    t.transition(
        &p1,
        pa,
        json!({"to": "signed", "date": "2025-03-10", "amount_yuan": 200_000_000i64}),
    )
    .await;
    t.transition(&p1, pa, json!({"to": "started", "date": "2025-03-20"}))
        .await;
    let b = t
        .lead(&p2, json!({"company_name": "临江粮油食品有限公司", "industry_code": "1331", "reported_date": "2025-03-08"}))
        .await;
    let pb = t.admit(&p2, b, Some(park), "2025-03-09").await;
    t.transition(
        &p2,
        pb,
        json!({"to": "signed", "date": "2025-03-15", "amount_yuan": 50_000_000i64}),
    )
    .await;
    let c = t
        .lead(
            &p2,
            json!({"company_name": "华芯半导体(苏州)有限公司", "reported_date": "2025-03-12"}),
        )
        .await;
    t.lead(
        &p2,
        json!({"company_name": "临江未入库项目有限公司", "reported_date": "2025-03-20"}),
    )
    .await;
    t.post_json(
        &p1,
        &format!("/api/v1/leads/{a}/merges"),
        json!({"duplicate_id": c, "keep": {"company_name": "survivor"}}),
        StatusCode::OK,
    )
    .await;
    let e = t
        .lead(
            &inf,
            json!({"company_name": "发改推荐科技有限公司", "reported_date": "2025-02-25"}),
        )
        .await;
    t.admit(&p1, e, Some(park), "2025-02-26").await;
    // activities: a visit by promoter, an event by promoter2, a meeting, a voided visit
    t.post_json(
        &p1,
        "/api/v1/activities",
        json!({"kind": "visit", "subkind": "拜访", "title": "走访华芯",
        "activity_date": "2025-03-03", "counterpart": "华芯半导体", "lead_ids": [a]}),
        StatusCode::CREATED,
    )
    .await;
    t.post_json(
        &p2,
        "/api/v1/activities",
        json!({"kind": "event", "subkind": "推介会", "title": "临江食品推介会",
        "activity_date": "2025-03-18", "attendees": 80}),
        StatusCode::CREATED,
    )
    .await;
    t.post_json(
        &p1,
        "/api/v1/activities",
        json!({"kind": "meeting", "subkind": "会商", "title": "月度会商",
        "activity_date": "2025-03-28"}),
        StatusCode::CREATED,
    )
    .await;
    let wrong = t
        .post_json(
            &p1,
            "/api/v1/activities",
            json!({"kind": "visit", "title": "记错了",
        "activity_date": "2025-03-04"}),
            StatusCode::CREATED,
        )
        .await;
    t.post_json(
        &p1,
        &format!("/api/v1/activities/{}/void", wrong["id"]),
        json!({"reason": "重复登记"}),
        StatusCode::OK,
    )
    .await;
    Fixture {
        bureau: t.unit_id("凤城市投资促进局").await,
        center: t.unit_id("临江县投资促进中心").await,
        county: t.unit_id("临江县").await,
        ndrc: t.unit_id("凤城市发展和改革委员会").await,
        promoter: t.user_id("promoter").await,
        promoter2: t.user_id("promoter2").await,
        lead_a: a,
        lead_c: c,
        project_a: pa,
    }
}

async fn figs(t: &TestApp, tok: &str, period: &str) -> Value {
    t.get_json(
        tok,
        &format!("/api/v1/assessment/figures?period={period}"),
        StatusCode::OK,
    )
    .await
}

async fn set_scheme(t: &TestApp, tok: &str, scheme: Value) {
    t.post_json(
        tok,
        "/api/v1/assessment/scheme",
        json!({"year": 2025, "scheme": scheme}),
        StatusCode::OK,
    )
    .await;
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

async fn metrics_exact(t: TestApp) {
    let f = fixture(&t).await;
    let leader = t.token("leader").await;
    // A's March figures: 到资 1000万, 固投 2000万, 外资 100万美元 (shared 50/50, weighted ×1.8)
    let p1 = t.token("promoter").await;
    t.put_json(&p1, &format!("/api/v1/projects/{}/monthly", f.project_a),
        json!({"month": "2025-03", "capital_arrived_yuan": 10_000_000i64, "fixed_asset_yuan": 20_000_000i64,
            "foreign_capital_usd": 1_000_000i64}), StatusCode::OK).await;
    let fig = figs(&t, &leader, "2025-03").await;
    assert_eq!(fig["start"], "2025-03-01");
    assert_eq!(fig["end"], "2025-03-31");
    assert_eq!(fig["credit_rule"], "first_half");
    // valid leads: A+C one group, 首报 promoter 50%, promoter2 50%, weight 1.5 (500强) × 1.2
    // (3973 is in division 39, high-tech) = 1.8; B whole to promoter2; D never valid; E is February's
    let p = |m: &str, raw: bool| val(&fig, "people", f.promoter, m, raw);
    let p2 = |m: &str, raw: bool| val(&fig, "people", f.promoter2, m, raw);
    assert!(
        close(p("leads_valid", true), 0.5),
        "{}",
        p("leads_valid", true)
    );
    assert!(close(p("leads_valid", false), 0.9));
    assert!(close(p2("leads_valid", true), 1.5));
    assert!(close(p2("leads_valid", false), 1.9));
    // signed: A's 2亿 split 1亿 / 1亿 (×1.8 weighted), B's 5000万 to promoter2
    assert!(close(p("signed_count", true), 0.5));
    assert!(close(p("signed_count", false), 0.9));
    assert!(close(p("signed_amount", true), 100_000_000.0));
    assert!(close(p("signed_amount", false), 180_000_000.0));
    assert!(close(p2("signed_amount", true), 150_000_000.0));
    assert!(close(p2("signed_amount", false), 230_000_000.0));
    assert!(close(p("big_projects", true), 0.5));
    assert!(
        close(p("fortune500", false), 0.5),
        "flag counts are not weighted"
    );
    assert!(close(p2("fortune500", true), 0.5));
    assert!(close(p("started_count", true), 0.5));
    assert!(close(p("started_amount", true), 100_000_000.0));
    assert!(close(p2("started_amount", false), 180_000_000.0));
    // activities: the voided visit and the meeting do not count
    assert!(close(p("visits", true), 1.0));
    assert!(close(p2("events", true), 1.0));
    assert!(close(p2("visits", true), 0.0));
    // units roll up their subtree: 临江县 = its centre
    let u = |id: i64, m: &str, raw: bool| val(&fig, "units", id, m, raw);
    assert!(close(u(f.county, "signed_count", true), 1.5));
    assert!(close(u(f.county, "signed_count", false), 1.9));
    assert!(close(u(f.center, "signed_amount", true), 150_000_000.0));
    assert!(close(u(f.bureau, "visits", true), 1.0));
    assert!(close(u(f.ndrc, "leads_valid", true), 0.0));
    // the city counts every project once
    assert!(close(total(&fig, "signed_count"), 2.0));
    assert!(close(total(&fig, "signed_amount"), 250_000_000.0));
    assert!(close(total(&fig, "leads_valid"), 2.0));
    assert!(close(total(&fig, "visits"), 1.0));
    // monthly figures: split like the project, amounts exact
    assert!(close(p("capital_arrived", true), 5_000_000.0));
    assert!(close(p2("capital_arrived", false), 9_000_000.0));
    assert!(close(p("fixed_asset", true), 10_000_000.0));
    assert!(close(p2("foreign_capital", true), 500_000.0));
    assert!(close(total(&fig, "foreign_capital"), 1_000_000.0));
    assert!(close(total(&fig, "capital_arrived"), 10_000_000.0));
    // ranking (no targets: each metric against the board's best, points 10/10/15/25/15/15/10):
    // centre and county 90 (tied first), bureau 81.4073 third; February: 发改委 first (E)
    let units = row(&fig, "units", f.bureau);
    assert!(
        close(units["score"].as_f64().unwrap(), 81.4073),
        "{}",
        units["score"]
    );
    assert_eq!(units["rank"], 3);
    assert_eq!(units["prev_rank"], 2);
    assert_eq!(units["movement"], -1);
    let county = row(&fig, "units", f.county);
    assert!(close(county["score"].as_f64().unwrap(), 90.0));
    assert_eq!(
        (county["rank"].as_i64(), county["movement"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(row(&fig, "units", f.center)["rank"], 1);
    let ndrc = row(&fig, "units", f.ndrc);
    assert_eq!(
        (ndrc["prev_rank"].as_i64(), ndrc["movement"].as_i64()),
        (Some(1), Some(-3))
    );
    assert_eq!(ndrc["zero"], true);
    let board = fig["boards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == "units")
        .unwrap();
    assert!(board["zero"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "凤城市发展和改革委员会"));
    assert!(board["red"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "临江县"));
    // the rows are in rank order
    let ranks: Vec<i64> = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rank"].as_i64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");

    // the year's weights: 500强 ×2, high-tech not weighted
    set_scheme(&t, &leader, json!({"fortune500": 2.0, "high_tech": 1.0})).await;
    let fig = figs(&t, &leader, "2025-03").await;
    assert!(close(
        val(&fig, "people", f.promoter, "signed_count", false),
        1.0
    ));
    assert!(close(
        val(&fig, "people", f.promoter, "leads_valid", false),
        1.0
    ));
    // a red-line override weighs ×0 by default
    let scheme = t
        .get_json(
            &leader,
            "/api/v1/assessment/scheme?year=2025",
            StatusCode::OK,
        )
        .await;
    assert_eq!(scheme["redline_override"], 0.0);
    assert_eq!(scheme["fortune500"], 2.0);
    // the credit rule of the year: equal shares
    set_scheme(&t, &leader, json!({"credit_rule": "first_only"})).await;
    let fig = figs(&t, &leader, "2025-03").await;
    assert!(close(
        val(&fig, "people", f.promoter, "signed_count", true),
        1.0
    ));
    assert!(
        close(val(&fig, "people", f.promoter2, "signed_count", true), 1.0),
        "B only"
    );

    // bad input
    for (q, field) in [
        ("period=2025-13", "period"),
        ("period=", "period"),
        ("period=2025-02-x4", "period"),
        ("period=2025-03&as_of=yesterday", "as_of"),
    ] {
        let e = t
            .get_json(
                &leader,
                &format!("/api/v1/assessment/figures?{q}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(e["error"]["field"], field, "{q}");
    }
    t.get_json(
        &leader,
        "/api/v1/assessment/figures?period=c999",
        StatusCode::NOT_FOUND,
    )
    .await;
    let inf = t.token("informant").await;
    t.get_json(
        &inf,
        "/api/v1/assessment/figures?period=2025-03",
        StatusCode::FORBIDDEN,
    )
    .await;
    let e = t
        .post_json(
            &leader,
            "/api/v1/assessment/scheme",
            json!({"year": 2025, "scheme": {"fortune500": 20}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "fortune500");
    let e = t
        .post_json(
            &leader,
            "/api/v1/assessment/scheme",
            json!({"year": 2025, "scheme": {"credit_rule": "most"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "credit_rule");
    let p1 = t.token("promoter").await;
    t.post_json(
        &p1,
        "/api/v1/assessment/scheme",
        json!({"year": 2025, "scheme": {}}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let _ = f.lead_a;
    let _ = f.lead_c;
}
both!(metrics_are_exact_with_shares_and_weights, metrics_exact);

async fn targets_decompose(t: TestApp) {
    let f = fixture(&t).await;
    let leader = t.token("leader").await;
    let county_park = t.unit_id("临江工业园区").await;
    let set = |unit: Option<i64>, user: Option<i64>, value: i64, reason: Option<&str>| json!({"year": 2025, "metric": "signed_count", "unit_id": unit, "user_id": user, "value": value, "reason": reason});
    t.post_json(
        &leader,
        "/api/v1/assessment/targets",
        set(Some(f.county), None, 10, None),
        StatusCode::OK,
    )
    .await;
    t.post_json(
        &leader,
        "/api/v1/assessment/targets",
        set(Some(f.center), None, 6, None),
        StatusCode::OK,
    )
    .await;
    let r = t
        .post_json(
            &leader,
            "/api/v1/assessment/targets",
            set(Some(county_park), None, 3, None),
            StatusCode::OK,
        )
        .await;
    let mm = r["mismatches"].as_array().unwrap();
    assert_eq!(mm.len(), 1, "{r}");
    assert_eq!(
        (
            mm[0]["unit_id"].as_i64(),
            mm[0]["parent_value"].as_i64(),
            mm[0]["children_sum"].as_i64(),
            mm[0]["children"].as_str()
        ),
        (Some(f.county), Some(10), Some(9), Some("units"))
    );
    // a mid-year adjustment needs a reason
    let e = t
        .post_json(
            &leader,
            "/api/v1/assessment/targets",
            set(Some(county_park), None, 4, None),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "reason");
    let r = t
        .post_json(
            &leader,
            "/api/v1/assessment/targets",
            set(Some(county_park), None, 4, Some("园区新增储备项目")),
            StatusCode::OK,
        )
        .await;
    assert!(r["mismatches"].as_array().unwrap().is_empty(), "{r}");
    let adjusted = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["unit_id"] == county_park)
        .unwrap();
    assert_eq!(
        (adjusted["versions"].as_i64(), adjusted["reason"].as_str()),
        (Some(2), Some("园区新增储备项目"))
    );
    // people of a unit against the unit
    t.post_json(
        &leader,
        "/api/v1/assessment/targets",
        set(None, Some(f.promoter2), 5, None),
        StatusCode::OK,
    )
    .await;
    let r = t
        .get_json(
            &leader,
            "/api/v1/assessment/targets?year=2025",
            StatusCode::OK,
        )
        .await;
    let mm = r["mismatches"].as_array().unwrap();
    assert_eq!(mm.len(), 1, "{r}");
    assert_eq!(
        (
            mm[0]["unit_id"].as_i64(),
            mm[0]["children"].as_str(),
            mm[0]["children_sum"].as_i64()
        ),
        (Some(f.center), Some("people"), Some(5))
    );
    // the adjustment is in the audit trail with before and after
    let events = fenglai_app::audit::for_entity(&t.app, "target", adjusted["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "adjust");
    assert!(events[0]
        .before_json
        .as_deref()
        .unwrap()
        .contains("\"value\":3"));
    // completion and pacing: 临江县 1.9 weighted signed by 2025-03-31 against 10; 90/365 of the year gone
    let fig = figs(&t, &leader, "2025-03").await;
    let i = fig["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m["code"] == "signed_count")
        .unwrap();
    let county = row(&fig, "units", f.county);
    assert_eq!(county["target"][i], 10.0);
    assert!(close(county["completion"][i].as_f64().unwrap(), 0.19));
    assert!(close(fig["elapsed"].as_f64().unwrap(), 0.2466));
    // bad input
    for (body, field, status) in [
        (
            json!({"year": 2025, "metric": "signed_count", "unit_id": f.county, "user_id": f.promoter, "value": 1}),
            "unit_id",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"year": 2025, "metric": "happiness", "unit_id": f.county, "value": 1}),
            "metric",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"year": 1899, "metric": "signed_count", "unit_id": f.county, "value": 1}),
            "year",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"year": 2025, "metric": "signed_count", "unit_id": f.county, "value": -1}),
            "value",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"year": 2025, "metric": "signed_count", "unit_id": 987654, "value": 1}),
            "unit_id",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let e = t
            .post_json(&leader, "/api/v1/assessment/targets", body, status)
            .await;
        assert_eq!(e["error"]["field"], field);
    }
    let p1 = t.token("promoter").await;
    t.post_json(
        &p1,
        "/api/v1/assessment/targets",
        set(Some(f.county), None, 1, None),
        StatusCode::FORBIDDEN,
    )
    .await;
    let _ = (f.bureau, f.ndrc, f.promoter, f.lead_a, f.lead_c);
}
both!(
    targets_decompose_and_adjustments_need_reasons,
    targets_decompose
);

async fn xun_at_month_ends(t: TestApp) {
    let p1 = t.token("promoter").await;
    let leader = t.token("leader").await;
    let bureau = t.unit_id("凤城市投资促进局").await;
    let park = t.unit_id("凤城经济技术开发区").await;
    for (name, day) in [
        ("闰日科技有限公司", "2024-02-29"),
        ("二十日科技有限公司", "2024-02-20"),
        ("二十一日科技有限公司", "2024-02-21"),
    ] {
        let l = t
            .lead(&p1, json!({"company_name": name, "reported_date": day}))
            .await;
        t.admit(&p1, l, Some(park), "2024-03-01").await;
    }
    let x3 = figs(&t, &leader, "2024-02-x3").await;
    assert_eq!(
        (x3["start"].as_str(), x3["end"].as_str()),
        (Some("2024-02-21"), Some("2024-02-29"))
    );
    assert_eq!(x3["period_label"], "2024年2月下旬");
    assert!(close(val(&x3, "units", bureau, "leads_valid", true), 2.0));
    let x2 = figs(&t, &leader, "2024-02-x2").await;
    assert!(close(val(&x2, "units", bureau, "leads_valid", true), 1.0));
    // the previous 旬 of 2024-03 上旬 is 2024-02 下旬: movement is against it
    let m1 = figs(&t, &leader, "2024-03-x1").await;
    assert_eq!(row(&m1, "units", bureau)["prev_rank"], 1);
    let x3_2025 = t
        .get_json(
            &leader,
            "/api/v1/assessment/figures?period=2025-02-下旬",
            StatusCode::OK,
        )
        .await;
    assert_eq!(x3_2025["end"], "2025-02-28");
    // a competition with its own dates and points
    let c = t
        .post_json(
            &leader,
            "/api/v1/competitions",
            json!({"name": "招商百日赛", "start_date": "2024-02-20",
        "end_date": "2024-05-29", "points": {"leads_valid": 100}}),
            StatusCode::CREATED,
        )
        .await;
    let fig = t
        .get_json(
            &leader,
            &format!("/api/v1/assessment/figures?period=c{}", c["id"]),
            StatusCode::OK,
        )
        .await;
    assert_eq!(fig["period_label"], "招商百日赛");
    assert!(close(val(&fig, "units", bureau, "leads_valid", true), 3.0));
    assert!(close(
        row(&fig, "units", bureau)["score"].as_f64().unwrap(),
        100.0
    ));
    let e = t
        .post_json(
            &leader,
            "/api/v1/competitions",
            json!({"name": "倒着的", "start_date": "2024-05-01",
        "end_date": "2024-02-01", "points": {"leads_valid": 1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "end_date");
    let e = t
        .post_json(
            &leader,
            "/api/v1/competitions",
            json!({"name": "没分值", "start_date": "2024-05-01",
        "end_date": "2024-06-01", "points": {}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "points");
}
both!(xun_boundaries_and_competitions, xun_at_month_ends);

/// Verifies a published bulletin: its figures computed again as of its moment must be the
/// published bytes. The verification.
async fn verified(t: &TestApp, tok: &str, id: i64) -> Value {
    let v = t
        .get_json(
            tok,
            &format!("/api/v1/bulletins/{id}/verify"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["identical"], true, "{v}");
    v
}

async fn reproducible(t: TestApp) {
    let p1 = t.token("promoter").await;
    let p2 = t.token("promoter2").await;
    let leader = t.token("leader").await;
    let park = t.unit_id("凤城经济技术开发区").await;
    let promoter = t.user_id("promoter").await;
    let promoter2 = t.user_id("promoter2").await;
    let a = t.lead(&p1, json!({"company_name": "复现测试科技有限公司", "industry_code": "1331", "reported_date": "2025-03-05"})).await;
    let pa = t.admit(&p1, a, Some(park), "2025-03-06").await;
    t.transition(
        &p1,
        pa,
        json!({"to": "signed", "date": "2025-03-10", "amount_yuan": 200_000_000i64}),
    )
    .await;
    let c = t
        .lead(
            &p2,
            json!({"company_name": "复现测试科技有限公司", "reported_date": "2025-03-12"}),
        )
        .await;

    let published = t
        .post_json(
            &leader,
            "/api/v1/bulletins",
            json!({"period": "2025-03"}),
            StatusCode::CREATED,
        )
        .await;
    let id = published["id"].as_i64().unwrap();
    assert_eq!(published["title"], "2025年3月招商引资工作通报");
    let before = published["figures"].clone();
    assert!(close(
        val(&before, "people", promoter, "signed_count", true),
        1.0
    ));

    // change, back-date and merge: start dated in March, 500强 tag, merge C into A, a March visit,
    // March's capital arrived, and a correction voiding nothing published
    t.transition(&p1, pa, json!({"to": "started", "date": "2025-03-25"}))
        .await;
    t.post_json(
        &p1,
        &format!("/api/v1/leads/{a}/tags"),
        json!({"investor_tags": "世界500强"}),
        StatusCode::OK,
    )
    .await;
    t.post_json(
        &p1,
        &format!("/api/v1/leads/{a}/merges"),
        json!({"duplicate_id": c, "keep": {"company_name": "survivor"}}),
        StatusCode::OK,
    )
    .await;
    t.post_json(
        &p1,
        "/api/v1/activities",
        json!({"kind": "visit", "title": "补登三月走访", "activity_date": "2025-03-03"}),
        StatusCode::CREATED,
    )
    .await;
    t.put_json(
        &p1,
        &format!("/api/v1/projects/{pa}/monthly"),
        json!({"month": "2025-03", "capital_arrived_yuan": 30_000_000i64}),
        StatusCode::OK,
    )
    .await;

    let again = t
        .get_json(&leader, &format!("/api/v1/bulletins/{id}"), StatusCode::OK)
        .await;
    assert_eq!(again["figures"], before, "the published figures are kept");
    let v = verified(&t, &leader, id).await;
    assert_eq!(v["stored_hash"], v["recomputed_hash"]);
    assert_eq!(v["stored_hash"], published["hash"]);

    // a fresh bulletin for the same period shows the changes
    let fresh = t
        .get_json(
            &leader,
            "/api/v1/bulletins/draft?period=2025-03",
            StatusCode::OK,
        )
        .await;
    let ff = &fresh["figures"];
    assert_ne!(fresh["hash"], published["hash"]);
    assert!(
        close(val(ff, "people", promoter, "signed_count", true), 0.5),
        "split after the merge"
    );
    assert!(close(
        val(ff, "people", promoter2, "signed_count", true),
        0.5
    ));
    assert!(
        close(val(ff, "people", promoter, "signed_count", false), 0.75),
        "×1.5 for 500强"
    );
    assert!(close(total(ff, "started_count"), 1.0));
    assert!(close(total(ff, "visits"), 1.0));
    assert!(close(total(ff, "capital_arrived"), 30_000_000.0));
    assert!(close(total(&before, "started_count"), 0.0));
    assert!(close(total(&before, "capital_arrived"), 0.0));
    // and publishing it again freezes the new figures, both verifying
    let second = t
        .post_json(
            &leader,
            "/api/v1/bulletins",
            json!({"period": "2025-03", "title": "三月通报（更正）"}),
            StatusCode::CREATED,
        )
        .await;
    verified(&t, &leader, second["id"].as_i64().unwrap()).await;
    verified(&t, &leader, id).await;
    let list = t.get_json(&p1, "/api/v1/bulletins", StatusCode::OK).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // permissions and bad input
    t.post_json(
        &p1,
        "/api/v1/bulletins",
        json!({"period": "2025-03"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let e = t
        .post_json(
            &leader,
            "/api/v1/bulletins",
            json!({"period": "March"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "period");
    t.get_json(&leader, "/api/v1/bulletins/987654", StatusCode::NOT_FOUND)
        .await;
    // after the changes, back-dating and merges above
    t.assert_credit_in_step().await;
}
both!(published_bulletins_reproduce_after_changes, reproducible);

async fn files(t: TestApp) {
    fixture(&t).await;
    let leader = t.token("leader").await;
    let id = t.publish(&leader, "2025-03").await["id"].as_i64().unwrap();
    // .xlsx: every sheet, read back with calamine
    let r = t
        .get(&leader, &format!("/api/v1/bulletins/{id}/export.xlsx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = book.sheet_names().to_vec();
    for want in [
        "概述",
        "县区、园区与部门排名",
        "驻外招商机构排名",
        "招商人员排名",
        "停滞项目",
        "超期诉求",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    let ranking = book.worksheet_range("县区、园区与部门排名").unwrap();
    let rows: Vec<Vec<String>> = ranking
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[1][0], "排名");
    assert!(rows[1].iter().any(|h| h == "签约金额"));
    let county = rows
        .iter()
        .find(|r| r.get(1).is_some_and(|n| n == "临江县"))
        .expect("临江县 row");
    assert_eq!(county[0], "1");
    let cover = book.worksheet_range("概述").unwrap();
    let text: String = cover
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(text.contains("新签约项目2个"), "{text}");
    // .docx: read back with docx-rs: the title, the cover and the ranking tables
    let r = t
        .get(&leader, &format!("/api/v1/bulletins/{id}/export.docx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("wordprocessingml"));
    let bytes = r.bytes().await.unwrap().to_vec();
    let doc = docx_rs::read_docx(&bytes).unwrap();
    let json = doc.json();
    assert!(json.contains("2025年3月招商引资工作通报"));
    assert!(json.contains("新签约项目2个"));
    let tables = doc
        .document
        .children
        .iter()
        .filter(|c| matches!(c, docx_rs::DocumentChild::Table(_)))
        .count();
    assert!(tables >= 5, "{tables} tables");
    assert!(json.contains("临江县"));
    // 三张清单
    let r = t.get(&leader, "/api/v1/lists/export.xlsx?year=2025").await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    assert_eq!(
        book.sheet_names(),
        vec!["工作责任清单", "项目推进清单", "履职清单"]
    );
    let projects = book.worksheet_range("项目推进清单").unwrap();
    let text: String = projects
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.contains("临江粮油食品有限公司") && text.contains("开工"),
        "{text}"
    );
    let duty = book.worksheet_range("履职清单").unwrap();
    let li = duty.rows().find(|r| r[0] == "李招商").expect("李招商");
    assert_eq!(li[3].to_string(), "1", "one visit");
    let e = t
        .get_json(
            &leader,
            "/api/v1/lists/export.xlsx?year=20x5",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "year");
}
both!(bulletin_files_read_back, files);

/// A published bulletin as bytes: its body as the API serves it, its .xlsx and its .docx.
async fn bulletin_bytes(t: &TestApp, tok: &str, id: i64) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for file in ["body.json", "export.xlsx", "export.docx"] {
        let path = match file {
            "body.json" => format!("/api/v1/bulletins/{id}"),
            _ => format!("/api/v1/bulletins/{id}/{file}"),
        };
        let r = t.get(tok, &path).await;
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
        out.push((file.to_string(), r.bytes().await.unwrap().to_vec()));
    }
    out
}

/// What the process started by [`bytes_without_hash_order`] is told: the database, the
/// bulletin and the folder to write its bytes in.
const CHILD: &str = "FENGLAI_TEST_BULLETIN_BYTES";

/// The same facts give the same bulletin to the byte, whatever order hash maps hold them in:
/// a bulletin published here (with shared credit, quality weights and split amounts) is
/// verified, and its body, .xlsx and .docx read, by two other processes of this test binary
/// over the same database — each with its own hash seeds — and by this one again; every time
/// the figures computed again are the published ones and the files are the same bytes.
async fn bytes_without_hash_order(t: TestApp) {
    let f = fixture(&t).await;
    let p1 = t.token("promoter").await;
    t.put_json(
        &p1,
        &format!("/api/v1/projects/{}/monthly", f.project_a),
        json!({"month": "2025-03", "capital_arrived_yuan": 10_000_001i64,
            "fixed_asset_yuan": 20_000_003i64, "foreign_capital_usd": 1_000_001i64}),
        StatusCode::OK,
    )
    .await;
    let leader = t.token("leader").await;
    let id = t.publish(&leader, "2025-03").await["id"].as_i64().unwrap();
    let here = bulletin_bytes(&t, &leader, id).await;
    assert_eq!(
        bulletin_bytes(&t, &leader, id).await,
        here,
        "read again here"
    );
    for run in 0..2 {
        let out = std::env::temp_dir().join(crate::helpers::random_name("fenglai_bytes"));
        std::fs::create_dir_all(&out).unwrap();
        let spec = format!("{}\n{id}\n{}", t.db_url, out.display());
        let child = tokio::task::spawn_blocking(move || {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "assess::bulletin_bytes_in_another_process",
                    "--ignored",
                    "--test-threads=1",
                ])
                .env(CHILD, spec)
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&child.stdout),
            String::from_utf8_lossy(&child.stderr)
        );
        assert!(
            child.status.success() && said.contains("1 passed"),
            "run {run}: {said}"
        );
        for (file, bytes) in &here {
            let there = std::fs::read(out.join(file)).unwrap();
            assert!(&there == bytes, "run {run}: {file} differs");
        }
        std::fs::remove_dir_all(&out).unwrap();
    }
}
both!(
    published_bulletin_bytes_do_not_depend_on_hash_order,
    bytes_without_hash_order
);

/// The other process of [`bytes_without_hash_order`]: verifies the bulletin (its figures
/// computed again, as of its moment, with this process's hash seeds, are the published bytes)
/// and writes its bytes where it is told. Started by that test, never on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "started by published_bulletin_bytes_do_not_depend_on_hash_order"]
async fn bulletin_bytes_in_another_process() {
    let Ok(spec) = std::env::var(CHILD) else {
        return;
    };
    let [url, id, out]: [&str; 3] = spec.lines().collect::<Vec<_>>().try_into().unwrap();
    let id: i64 = id.parse().unwrap();
    let t = crate::helpers::attach(url).await;
    let leader = t.token("leader").await;
    verified(&t, &leader, id).await;
    for (file, bytes) in bulletin_bytes(&t, &leader, id).await {
        std::fs::write(std::path::Path::new(out).join(file), bytes).unwrap();
    }
}

async fn activities_and_pages(t: TestApp) {
    let f = fixture(&t).await;
    let p1 = t.token("promoter").await;
    let park2 = t.token("park2").await;
    let list = t.get_json(&p1, "/api/v1/activities", StatusCode::OK).await;
    assert_eq!(list["total"], 4, "promoter sees the city's: {list}");
    let on_lead = t
        .get_json(
            &p1,
            &format!("/api/v1/activities?lead_id={}", f.lead_a),
            StatusCode::OK,
        )
        .await;
    assert_eq!(on_lead["total"], 1);
    let none = t
        .get_json(&park2, "/api/v1/activities", StatusCode::OK)
        .await;
    assert_eq!(none["total"], 0, "a park sees its own only");
    for (body, field) in [
        (
            json!({"kind": "party", "title": "x", "activity_date": "2025-03-01"}),
            "kind",
        ),
        (
            json!({"kind": "visit", "title": " ", "activity_date": "2025-03-01"}),
            "title",
        ),
        (
            json!({"kind": "visit", "title": "x", "activity_date": "2999-01-01"}),
            "activity_date",
        ),
        (
            json!({"kind": "visit", "title": "x", "activity_date": "3月1日"}),
            "activity_date",
        ),
        (
            json!({"kind": "visit", "title": "x", "activity_date": "2025-03-01", "people": [987654]}),
            "people",
        ),
        (
            json!({"kind": "visit", "title": "x", "activity_date": "2025-03-01", "lead_ids": [987654]}),
            "lead_ids",
        ),
        (
            json!({"kind": "visit", "title": "x", "activity_date": "2025-03-01", "attendees": -3}),
            "attendees",
        ),
        (
            json!({"kind": "visit", "title": "x", "activity_date": "2025-03-01", "colour": "red"}),
            "colour",
        ),
    ] {
        let e = t
            .post_json(
                &p1,
                "/api/v1/activities",
                body.clone(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(e["error"]["field"], field, "{body}");
    }
    let e = t
        .post_json(
            &park2,
            "/api/v1/activities",
            json!({"kind": "visit", "title": "x", "activity_date": "2025-03-01",
        "unit_id": t.unit_id("临江县").await}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(
        e["error"]["field"], "unit_id",
        "outside the park's jurisdiction"
    );
    let inf = t.token("informant").await;
    t.post_json(
        &inf,
        "/api/v1/activities",
        json!({"kind": "visit", "title": "x", "activity_date": "2025-03-01"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let e = t
        .post_json(
            &p1,
            &format!("/api/v1/leads/{}/tags", f.lead_a),
            json!({"investor_tags": "独角兽"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(e["error"]["field"], "investor_tags");
    // the pages answer
    let leader = t.token("leader").await;
    let b = t
        .post_json(
            &leader,
            "/api/v1/bulletins",
            json!({"period": "2025-03"}),
            StatusCode::CREATED,
        )
        .await;
    let cookie = format!(
        "fenglai_session={}",
        crate::auth::web_login(&t, "leader").await
    );
    for path in [
        "/cockpit",
        "/assessment?period=2025-03",
        "/bulletins",
        &format!("/bulletins/{}", b["id"]),
        &format!("/bulletins/{}/verify", b["id"]),
        "/bulletins/draft?period=2025-03",
        "/targets?year=2025",
        "/activities",
    ] {
        let (status, html) = t.page(&cookie, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {html}");
    }
    let (_, html) = t.page(&cookie, "/cockpit").await;
    assert!(html.contains("id=\"china-map\"") && html.contains("data-province=\"32\""));
    let (_, html) = t
        .page(&cookie, &format!("/bulletins/{}/verify", b["id"]))
        .await;
    assert!(html.contains("一致"));
    let (status, html) = t.page(&cookie, "/assessment?period=2025-99").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("考核期“2025-99”不对"));
    let icookie = format!(
        "fenglai_session={}",
        crate::auth::web_login(&t, "informant").await
    );
    let (status, _) = t.page(&icookie, "/cockpit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
both!(activities_and_assessment_pages, activities_and_pages);

/// 考核办法 and 竞赛 set from their forms: the values reach the API, bad values are refused
/// with the field's message and the page keeps what was typed, only leaders may set them.
async fn scheme_and_competition_forms(t: TestApp) {
    let cookie = format!(
        "fenglai_session={}",
        crate::auth::web_login(&t, "leader").await
    );
    let (status, html) = t.page(&cookie, "/assessment/scheme?year=2025").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("name=\"fortune500\" value=\"1.5\""), "{html}");
    let csrf = crate::helpers::csrf_in(&html);
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("year", "2025"),
        ("fortune500", "2"),
        ("china500", "1.3"),
        ("central_soe", "1"),
        ("listed", "1"),
        ("high_tech", "1.2"),
        ("redline_override", "0"),
        ("high_tech_divisions", "39，40 27"),
        ("cap", "1.5"),
        ("credit_rule", "equal"),
        ("pt_signed_count", "60"),
        ("pt_leads_valid", "40"),
        ("pt_visits", ""),
    ];
    let r = t.form(&cookie, "/assessment/scheme", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let leader = t.token("leader").await;
    let s = t
        .get_json(
            &leader,
            "/api/v1/assessment/scheme?year=2025",
            StatusCode::OK,
        )
        .await;
    assert_eq!(s["fortune500"], 2.0);
    assert_eq!(s["china500"], 1.3);
    assert_eq!(s["cap"], 1.5);
    assert_eq!(s["credit_rule"], "equal");
    assert_eq!(s["high_tech_divisions"], json!(["39", "40", "27"]));
    assert_eq!(
        s["points"],
        json!([["leads_valid", 40.0], ["signed_count", 60.0]])
    );
    // the page shows what was saved
    let (_, html) = t.page(&cookie, "/assessment/scheme?year=2025").await;
    assert!(
        html.contains("name=\"pt_signed_count\" value=\"60\""),
        "{html}"
    );
    assert!(html.contains("value=\"equal\" selected"), "{html}");
    // bad values: the field's message, what was typed kept, nothing saved
    for (name, value, message) in [
        ("fortune500", "很多", "世界500强权重“很多”应为数字"),
        ("cap", "3", "单项得分封顶应在1到2之间"),
        ("high_tech_divisions", "C39", "“C39”不是两位的行业大类代码"),
        ("credit_rule", "winner", "计分规则应为"),
        ("pt_signed_count", "百", "“签约项目”的分值“百”应为数字"),
        ("pt_signed_count", "120", "“签约项目”的分值应在0到100之间"),
    ] {
        let mut bad = fields.clone();
        bad.retain(|(k, _)| *k != name);
        bad.push((name, value));
        let r = t.form(&cookie, "/assessment/scheme", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{name}: {html}");
        if name != "credit_rule" {
            // (a select shows its options, not what was sent)
            assert!(
                html.contains(&format!("value=\"{value}\"")),
                "{name}: {html}"
            );
        }
    }
    let again = t
        .get_json(
            &leader,
            "/api/v1/assessment/scheme?year=2025",
            StatusCode::OK,
        )
        .await;
    assert_eq!(again, s);
    // a promoter sees the scheme but may not set it; a stale form is refused
    let pcookie = format!(
        "fenglai_session={}",
        crate::auth::web_login(&t, "promoter").await
    );
    let (status, html) = t.page(&pcookie, "/assessment/scheme?year=2025").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("保存考核办法"));
    let pcsrf = crate::helpers::csrf_in(&html);
    fields[0] = ("csrf", &pcsrf);
    let r = t.form(&pcookie, "/assessment/scheme", &fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    fields[0] = ("csrf", "stale");
    let r = t.form(&cookie, "/assessment/scheme", &fields).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // 竞赛: set up from the form, listed, its rankings a click away
    let (status, html) = t.page(&cookie, "/competitions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("尚未设立竞赛"));
    let csrf = crate::helpers::csrf_in(&html);
    let good: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("name", "二季度百日攻坚赛"),
        ("start_date", "2025-04-01"),
        ("end_date", "2025-07-09"),
        ("pt_signed_count", "50"),
        ("pt_started_count", "50"),
    ];
    for (name, value, message) in [
        ("end_date", "2025-03-01", "结束"),
        ("start_date", "四月", "start_date"),
        ("name", "", "竞赛名称应为1到50个字"),
    ] {
        let mut bad = good.clone();
        bad.retain(|(k, _)| *k != name);
        bad.push((name, value));
        let r = t.form(&cookie, "/competitions", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let html = r.text().await.unwrap();
        assert!(html.contains(message), "{name}: {html}");
    }
    let no_points: Vec<(&str, &str)> = good[..4].to_vec();
    let r = t.form(&cookie, "/competitions", &no_points).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请至少为一个指标设定分值"));
    let r = t.form(&cookie, "/competitions", &good).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/assessment?period=c"), "{to}");
    let (status, html) = t.page(&cookie, &to).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("二季度百日攻坚赛"), "{html}");
    let (_, html) = t.page(&cookie, "/competitions").await;
    assert!(
        html.contains("二季度百日攻坚赛") && html.contains("签约项目50分"),
        "{html}"
    );
    let list = t
        .get_json(&leader, "/api/v1/competitions", StatusCode::OK)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let r = t
        .form(
            &pcookie,
            "/competitions",
            &[&[("csrf", pcsrf.as_str())], &good[1..]].concat(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(scheme_and_competition_pages, scheme_and_competition_forms);

/// Each stage entry carries the credit the bulletin sums it under (its project's lead's
/// unit, reporter, tags and industry division); whatever changes those, by the program or
/// behind its back, the entries follow.
async fn entries_follow_credit(t: TestApp) {
    let tok = t.token("promoter").await;
    let lead = t
        .lead(
            &tok,
            json!({"company_name": "随动信用精密机械有限公司", "industry_code": "3982", "reported_date": "2026-03-02"}),
        )
        .await;
    let other = t
        .lead(
            &tok,
            json!({"company_name": "另一家新材料有限公司", "reported_date": "2026-03-03"}),
        )
        .await;
    let project = t.admit(&tok, lead, None, "2026-03-05").await;
    t.transition(
        &tok,
        project,
        json!({"to": "signed", "date": "2026-04-01", "amount_yuan": 300_000_000i64}),
    )
    .await;
    t.assert_credit_in_step().await;
    t.post_json(
        &tok,
        &format!("/api/v1/leads/{lead}/tags"),
        json!({"investor_tags": "世界500强,上市公司"}),
        StatusCode::OK,
    )
    .await;
    t.assert_credit_in_step().await;
    let admin = t.user_id("admin").await;
    for sql in [
        format!("UPDATE leads SET industry_code = '2710' WHERE id = {lead}"),
        format!("UPDATE projects SET industry_code = '3911' WHERE id = {project}"),
        format!("UPDATE projects SET industry_code = NULL WHERE id = {project}"),
        format!("UPDATE leads SET reported_by = {admin} WHERE id = {lead}"),
        format!("UPDATE projects SET lead_id = {other} WHERE id = {project}"),
        format!("UPDATE projects SET lead_id = NULL WHERE id = {project}"),
        format!("UPDATE projects SET lead_id = {lead} WHERE id = {project}"),
    ] {
        t.raw_sql(&sql).await;
        t.assert_credit_in_step().await;
    }
    let mut c = t.db.acquire().await.unwrap();
    let mut s = fenglai_store::sql::Sql::new(
        "SELECT credit_user, credit_tags, credit_division FROM stage_history WHERE project_id = ",
    );
    s.bind(project).push(" ORDER BY id LIMIT 1");
    let credit: (i64, String, Option<String>) = s.fetch_one(&mut c).await.unwrap();
    assert_eq!(
        credit,
        (
            admin,
            "fortune500,listed".to_string(),
            Some("27".to_string())
        )
    );
}
both!(stage_entries_follow_their_credit, entries_follow_credit);

/// Rows read packed as one JSON array (`Sql::fetch_packed`, how the bulletin reads its
/// sums) come back exactly as row by row: quotes, backslashes, Chinese and control
/// characters in text, NULLs, the extremes of BIGINT, no rows at all.
async fn packed_rows(t: TestApp) {
    #[derive(Debug, PartialEq, serde::Deserialize, sqlx::FromRow)]
    struct Row {
        n: i64,
        s: Option<String>,
    }
    let mut c = t.db.acquire().await.unwrap();
    let mut q = fenglai_store::sql::Sql::new("SELECT ");
    q.bind(i64::MAX)
        .push(" AS n, ")
        .bind("引号\"、反斜杠\\、制表\t、世界500强")
        .push(" AS s UNION ALL SELECT ");
    q.bind(i64::MIN)
        .push(" AS n, ")
        .bind(None::<String>)
        .push(" AS s UNION ALL SELECT 0 AS n, '' AS s");
    let packed: Vec<Row> = q.fetch_packed(&mut c, &["n", "s"]).await.unwrap();
    let mut plain: Vec<Row> = q.fetch_all(&mut c).await.unwrap();
    let mut sorted = packed;
    sorted.sort_by_key(|r| r.n);
    plain.sort_by_key(|r| r.n);
    assert_eq!(sorted, plain);
    assert_eq!(sorted.len(), 3);
    assert_eq!(
        sorted[2].s.as_deref(),
        Some("引号\"、反斜杠\\、制表\t、世界500强")
    );
    let none: Vec<Row> = fenglai_store::sql::Sql::new("SELECT 1 AS n, 'x' AS s WHERE 1 = 0")
        .fetch_packed(&mut c, &["n", "s"])
        .await
        .unwrap();
    assert!(none.is_empty());
}
both!(rows_read_packed_are_the_rows, packed_rows);
