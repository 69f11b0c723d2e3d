//! The monthly quota of 全民招商: reported and valid leads per unit and month.

use crate::auth::web_login;
use crate::both;
use crate::helpers::TestApp;
use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The first of the month `n` months before this one, as `YYYY-MM-DD` with day `day`.
fn months_ago(n: i32, day: u32) -> String {
    let t = fenglai_app::today();
    let total = t.year() * 12 + t.month0() as i32 - n;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, day)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

fn row<'a>(t: &'a Value, unit: &str) -> Option<&'a Value> {
    t["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_name"] == unit)
}

fn cell(t: &Value, unit: &str, month: &str) -> (i64, i64, bool) {
    let c = row(t, unit).unwrap_or_else(|| panic!("{unit} not in {t}"))["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["month"] == month)
        .unwrap()
        .clone();
    (
        c["reported"].as_i64().unwrap(),
        c["valid"].as_i64().unwrap(),
        c["below"].as_bool().unwrap(),
    )
}

async fn quota(t: TestApp) {
    let promoter = t.token("promoter").await;
    let promoter2 = t.token("promoter2").await;
    let informant = t.token("informant").await;
    let leader = t.token("leader").await;
    let (m0, m1, m2) = (months_ago(0, 1), months_ago(1, 10), months_ago(2, 20));
    let month = |d: &str| d[..7].to_string();
    let bureau = "凤城市投资促进局";
    let county = "临江县投资促进中心";
    // the bureau: two leads last month (one admitted), one the month before (not admitted)
    let a = t
        .lead(&promoter, json!({"company_name": "甲月报科技有限公司", "reported_date": m1, "env_category": "登记表"}))
        .await;
    t.lead(
        &promoter,
        json!({"company_name": "乙月报科技有限公司", "reported_date": m1}),
    )
    .await;
    t.lead(
        &promoter,
        json!({"company_name": "丙月报科技有限公司", "reported_date": m2}),
    )
    .await;
    t.admit(&promoter, a, None, &fenglai_app::today().to_string())
        .await;
    // the county centre: one lead last month, not admitted; the informant's unit: none
    t.lead(
        &promoter2,
        json!({"company_name": "丁月报科技有限公司", "reported_date": m1}),
    )
    .await;

    let table = t
        .get_json(&leader, "/api/v1/stats/quota", StatusCode::OK)
        .await;
    assert_eq!(table["quota"], 1);
    let months: Vec<String> = table["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    assert_eq!(months.len(), 6, "six months by default");
    assert_eq!(months.last().unwrap(), &month(&m0));
    assert_eq!(table["current_month_running"], true);
    assert_eq!(
        cell(&table, bureau, &month(&m1)),
        (2, 1, false),
        "admitted in a later month still counts for the month reported"
    );
    assert_eq!(cell(&table, bureau, &month(&m2)), (1, 0, true));
    assert_eq!(cell(&table, county, &month(&m1)), (1, 0, true));
    assert_eq!(
        cell(&table, bureau, &month(&m0)),
        (0, 0, false),
        "the running month is never below"
    );
    assert_eq!(table["last_ended"], month(&m1));
    let below: Vec<&str> = table["below_last_ended"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(below.contains(&county) && below.contains(&"凤城市发展和改革委员会"));
    assert!(!below.contains(&bureau));
    assert!(
        row(&table, "凤城市").is_none(),
        "the city itself owes no quota"
    );

    // a county promoter sees the county's units only; an informant their own unit
    let t2 = t
        .get_json(&promoter2, "/api/v1/stats/quota", StatusCode::OK)
        .await;
    assert!(row(&t2, county).is_some() && row(&t2, "临江工业园区").is_some());
    assert!(row(&t2, bureau).is_none());
    let t3 = t
        .get_json(&informant, "/api/v1/stats/quota", StatusCode::OK)
        .await;
    assert_eq!(t3["units"].as_array().unwrap().len(), 1);
    assert!(row(&t3, "凤城市发展和改革委员会").is_some());

    // history: a chosen range, the quota from the settings
    t.raw_sql("INSERT INTO settings (key, value) VALUES ('monthly_lead_quota', '2')")
        .await;
    let path = format!("/api/v1/stats/quota?from={}&to={}", month(&m2), month(&m1));
    let h = t.get_json(&leader, &path, StatusCode::OK).await;
    assert_eq!(h["quota"], 2);
    assert_eq!(h["months"], json!([month(&m2), month(&m1)]));
    assert_eq!(h["current_month_running"], false);
    assert_eq!(
        cell(&h, bureau, &month(&m1)),
        (2, 1, true),
        "one valid lead is below a quota of two"
    );
    // the same table as .xlsx: the bureau's row reads "2/1 未达标" for that month
    let r = t
        .get(
            &leader,
            &path.replace("/api/v1/stats/quota?", "/api/v1/stats/quota/export.xlsx?"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let sheet = fenglai_ledger::read(&bytes, "月度报送.xlsx").unwrap();
    let header = sheet
        .rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c.text() == "单位"))
        .expect("header row");
    let col = sheet.rows[header]
        .iter()
        .position(|c| c.text().starts_with(&month(&m1)))
        .expect("month column");
    let row = sheet
        .rows
        .iter()
        .find(|r| r.first().is_some_and(|c| c.text() == bureau))
        .expect("bureau row");
    assert_eq!(row[col].text(), "2/1 未达标");
    t.get_json(
        &leader,
        "/api/v1/stats/quota/export.xlsx?to=2026-13",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // bad input names the field
    for (q, field) in [
        ("to=2026-13", "to"),
        ("to=2026-3", "to"),
        ("from=三月", "from"),
        ("to=2999-01", "to"),
        (&*format!("from={}&to={}", month(&m1), month(&m2)), "from"),
        ("from=2000-01", "from"),
    ] {
        let e = t
            .get_json(
                &leader,
                &format!("/api/v1/stats/quota?{q}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(e["error"]["field"], field, "{q}: {e}");
    }

    // the page
    let s = web_login(&t, "leader").await;
    let get = |path: String| {
        t.client
            .get(t.url(&path))
            .header("cookie", format!("fenglai_session={s}"))
            .send()
    };
    let r = get("/quota".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("id=\"quota-summary\"") && html.contains(county),
        "{html}"
    );
    assert!(html.contains("class=\"below\""));
    let r = get("/quota/export.xlsx".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let r = get("/quota?to=2026-13".into()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请写作 2026-03"));
}
both!(monthly_quota_per_unit, quota);
