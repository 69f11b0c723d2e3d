//! Amounts typed into forms (万元, 万美元, 亿元): a bad one on any form comes back on the
//! form's page (422) with a message that quotes what was typed and names the unit, and
//! nothing is written; a good one is stored to the yuan and shown back exactly. One rule
//! reads them all (`money::parse_form`, whose table is in the domain's tests).

use crate::auth::web_login;
use crate::both;
use crate::helpers::{csrf_in, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::future::Future;

/// A web session of one user: its cookie and its form token.
struct Session<'a> {
    t: &'a TestApp,
    cookie: String,
    csrf: String,
}

impl<'a> Session<'a> {
    async fn of(t: &'a TestApp, user: &str) -> Session<'a> {
        let cookie = format!("fenglai_session={}", web_login(t, user).await);
        let (status, html) = t.page(&cookie, "/").await;
        assert_eq!(status, StatusCode::OK);
        Session {
            t,
            csrf: csrf_in(&html),
            cookie,
        }
    }

    /// Posts a form with the token: the status, and the page or where it redirects.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let r = self.t.form(&self.cookie, path, &all).await;
        let status = r.status();
        match r.headers().get("location") {
            Some(to) => (status, to.to_str().unwrap().to_string()),
            None => (status, r.text().await.unwrap()),
        }
    }

    /// Posts a form that must be accepted: where it redirects.
    async fn accepted(&self, path: &str, fields: &[(&str, &str)]) -> String {
        let (status, to) = self.post(path, fields).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {to}");
        to
    }

    /// Posts `fields` with `field` set to `typed`: the form is refused on its page with
    /// `words`, and `read` (the record as the API shows it) is what it was before.
    async fn refused<R: Future<Output = Value>>(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        (field, typed, words): (&str, &str, &str),
        read: impl Fn() -> R,
    ) {
        let before = read().await;
        let mut sent: Vec<(&str, &str)> = fields
            .iter()
            .filter(|(k, _)| *k != field)
            .copied()
            .collect();
        sent.push((field, typed));
        let (status, html) = self.post(path, &sent).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={typed}: {html}"
        );
        assert!(
            html.contains(words),
            "{field}={typed}: wanted {words} in {html}"
        );
        assert_eq!(read().await, before, "{field}={typed}: nothing written");
    }
}

/// A project of the promoter's, admitted to a park.
async fn project(t: &TestApp, promoter: &str) -> i64 {
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t
        .lead(
            promoter,
            json!({"company_name": "凤城金额填写科技有限公司", "reported_date": "2024-01-02"}),
        )
        .await;
    t.admit(promoter, lead, Some(park), "2024-01-10").await
}

/// The lead form: the message beside the field, what was typed kept, no lead reported.
async fn lead_form(t: TestApp) {
    let web = Session::of(&t, "promoter").await;
    let token = t.token("promoter").await;
    let count = || t.get_json(&token, "/api/v1/leads?q=金额填写", StatusCode::OK);
    let form = [
        ("company_name", "凤城金额填写科技有限公司"),
        ("reported_date", "2024-02-01"),
    ];
    for case in [
        (
            "planned_investment_wan",
            "五千",
            "计划投资：无法识别的金额“五千”（单位：万元）",
        ),
        (
            "planned_investment_wan",
            "-500",
            "计划投资：金额“-500”不能为负数（单位：万元）",
        ),
        ("planned_investment_wan", "3,5", "逗号位置不对"),
        (
            "planned_investment_wan",
            "0.00001",
            "金额“0.00001”不是整数元",
        ),
        (
            "expected_tax_wan",
            "$300",
            "预计年税收：金额“$300”是美元，此处应为人民币（单位：万元）",
        ),
        (
            "expected_output_wan",
            "很多",
            "预计年产值：无法识别的金额“很多”",
        ),
    ] {
        web.refused("/leads", &form, case, count).await;
        // the field is named on the form and what was typed is kept
        let mut sent = form.to_vec();
        sent.push((case.0, case.1));
        let (_, html) = web.post("/leads", &sent).await;
        assert!(html.contains("field-error") && html.contains(&format!("value=\"{}\"", case.1)));
        assert!(html.contains("凤城金额填写科技有限公司"));
    }
    // 万 / 亿 and grouping commas are read exactly
    let mut sent = form.to_vec();
    sent.extend([
        ("planned_investment_wan", "1.28亿"),
        ("expected_tax_wan", "1,234.5678"),
    ]);
    let to = web.accepted("/leads", &sent).await;
    let id = to.trim_start_matches("/leads/");
    let lead = t
        .get_json(&token, &format!("/api/v1/leads/{id}"), StatusCode::OK)
        .await;
    assert_eq!(lead["planned_investment_yuan"], 128_000_000);
    assert_eq!(lead["expected_tax_yuan"], 12_345_678);
}
both!(a_bad_amount_on_the_lead_form, lead_form);

/// The project page's forms: stage change, edit, monthly figures.
async fn project_forms(t: TestApp) {
    let token = t.token("promoter").await;
    let id = project(&t, &token).await;
    let web = Session::of(&t, "promoter").await;
    let (project_path, figures_path) = (
        format!("/api/v1/projects/{id}"),
        format!("/api/v1/projects/{id}/realised"),
    );
    let the_project = || t.get_json(&token, &project_path, StatusCode::OK);
    let figures = || t.get_json(&token, &figures_path, StatusCode::OK);

    let transition = format!("/projects/{id}/transition");
    let signing = [("to", "signed"), ("date", "2024-03-01")];
    for case in [
        ("amount_wan", "很多", "无法识别的金额“很多”（单位：万元）"),
        ("amount_wan", "-6000", "金额“-6000”不能为负数（单位：万元）"),
        ("amount_wan", "6000美元", "是美元，此处应为人民币"),
    ] {
        web.refused(&transition, &signing, case, the_project).await;
    }

    let edit = format!("/projects/{id}/edit");
    for case in [
        (
            "planned_investment_wan",
            "-100",
            "计划投资：金额“-100”不能为负数（单位：万元）",
        ),
        (
            "foreign_capital_wan_usd",
            "¥100",
            "外资：金额“¥100”是人民币，此处应为美元（单位：万美元）",
        ),
        (
            "foreign_capital_wan_usd",
            "一百",
            "外资：无法识别的金额“一百”",
        ),
    ] {
        web.refused(&edit, &[], case, the_project).await;
    }

    let monthly = format!("/projects/{id}/monthly");
    let month = [("month", "2024-03")];
    for case in [
        (
            "capital_arrived_wan",
            "很多",
            "到资：无法识别的金额“很多”（单位：万元）",
        ),
        (
            "fixed_asset_wan",
            "12,34",
            "完成固投：金额“12,34”的逗号位置不对",
        ),
        ("output_wan", "1e3", "产值：无法识别的金额“1e3”"),
        ("tax_wan", "-1", "税收：金额“-1”不能为负数（单位：万元）"),
        (
            "foreign_wan_usd",
            "5万元",
            "实际使用外资：金额“5万元”是人民币，此处应为美元（单位：万美元）",
        ),
    ] {
        web.refused(&monthly, &month, case, figures).await;
    }

    // good amounts: 万元 and 万美元 as typed, a sign meaning whole units
    web.accepted(
        &transition,
        &[
            ("to", "signed"),
            ("date", "2024-03-01"),
            ("amount_wan", "6,000"),
        ],
    )
    .await;
    web.accepted(&edit, &[("foreign_capital_wan_usd", "120.5")])
        .await;
    let p = the_project().await;
    assert_eq!(p["stage"], "signed");
    assert_eq!(p["contracted_investment_yuan"], 60_000_000, "{p}");
    assert_eq!(p["foreign_capital_usd"], 1_205_000, "{p}");
    web.accepted(
        &monthly,
        &[
            ("month", "2024-03"),
            ("capital_arrived_wan", "1,000.5"),
            ("foreign_wan_usd", "$1200"),
        ],
    )
    .await;
    let r = figures().await;
    assert_eq!(r["months"][0]["capital_arrived_yuan"], 10_005_000, "{r}");
    assert_eq!(r["months"][0]["foreign_capital_usd"], 1_200, "{r}");
}
both!(a_bad_amount_on_the_project_forms, project_forms);

/// A park's profile and plots: thresholds and land prices in 万元 (per 亩).
async fn park_forms(t: TestApp) {
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let token = t.token("park").await;
    let web = Session::of(&t, "park").await;
    let api = format!("/api/v1/parks/{jkq}");
    let park = || t.get_json(&token, &api, StatusCode::OK);
    let path = format!("/parks/{jkq}");
    let profile = [("summary", "国家级经开区"), ("industries", "3973")];
    for case in [
        (
            "min_intensity_wan",
            "-3",
            "投资强度：金额“-3”不能为负数（单位：万元）",
        ),
        (
            "min_tax_wan",
            "二十",
            "亩均税收：无法识别的金额“二十”（单位：万元）",
        ),
    ] {
        web.refused(&path, &profile, case, park).await;
    }
    let plot = [
        ("name", "经开区金额地块"),
        ("area_mu", "50"),
        ("land_use", "industrial"),
        ("status", "ready"),
    ];
    let plots = format!("/parks/{jkq}/plots");
    web.refused(
        &plots,
        &plot,
        (
            "price_wan",
            "三十",
            "地价：无法识别的金额“三十”（单位：万元）",
        ),
        park,
    )
    .await;
    let first = park().await["plots"][0].clone();
    let park_id = jkq.to_string();
    let (pid, version) = (first["id"].to_string(), first["version"].to_string());
    let edit: Vec<(&str, &str)> = vec![
        ("name", first["name"].as_str().unwrap()),
        ("area_mu", "50"),
        ("land_use", "industrial"),
        ("status", "ready"),
        ("version", &version),
        ("park", &park_id),
    ];
    web.refused(
        &format!("/plots/{pid}"),
        &edit,
        ("price_wan", "$30", "地价：金额“$30”是美元，此处应为人民币"),
        park,
    )
    .await;

    // an amount saved shows on the form exactly as typed, so saving again changes nothing
    let mut good = profile.to_vec();
    good.push(("min_intensity_wan", "320.1234"));
    web.accepted(&path, &good).await;
    assert_eq!(
        park().await["profile"]["min_intensity_yuan_per_mu"],
        3_201_234
    );
    let (_, html) = web.t.page(&web.cookie, &path).await;
    assert!(
        html.contains("name=\"min_intensity_wan\" value=\"320.1234\""),
        "{html}"
    );
}
both!(a_bad_amount_on_the_park_forms, park_forms);

/// Targets in 万元, or 万美元 for foreign capital.
async fn target_form(t: TestApp) {
    let token = t.token("leader").await;
    let web = Session::of(&t, "leader").await;
    let unit = t.unit_id("凤城经济技术开发区").await.to_string();
    let owner = format!("u:{unit}");
    let targets = || {
        t.get_json(
            &token,
            "/api/v1/assessment/targets?year=2025",
            StatusCode::OK,
        )
    };
    let signed = [
        ("year", "2025"),
        ("owner", owner.as_str()),
        ("metric", "signed_amount"),
    ];
    for case in [
        (
            "value",
            "一个亿",
            "目标值：无法识别的金额“一个亿”（单位：万元）",
        ),
        ("value", "", "请填写目标值"),
        ("value", "-5", "目标值：金额“-5”不能为负数（单位：万元）"),
    ] {
        web.refused("/targets", &signed, case, targets).await;
    }
    let foreign = [
        ("year", "2025"),
        ("owner", owner.as_str()),
        ("metric", "foreign_capital"),
    ];
    web.refused(
        "/targets",
        &foreign,
        (
            "value",
            "¥100",
            "目标值：金额“¥100”是人民币，此处应为美元（单位：万美元）",
        ),
        targets,
    )
    .await;
    let mut good = foreign.to_vec();
    good.push(("value", "120"));
    web.accepted("/targets", &good).await;
    let items = targets().await["items"].clone();
    assert_eq!(items[0]["metric"], "foreign_capital");
    assert_eq!(items[0]["value"], 1_200_000, "万美元 to dollars");
}
both!(a_bad_amount_on_the_target_form, target_form);

/// The chain rules' strong threshold, in 亿元.
async fn chain_settings_form(t: TestApp) {
    let token = t.token("leader").await;
    let web = Session::of(&t, "leader").await;
    let settings = || t.get_json(&token, "/api/v1/chain-settings", StatusCode::OK);
    let form = [
        ("strong_min_enterprises", "4"),
        ("weak_min_enterprises", "1"),
        ("home_region", "3411"),
        ("key_regions", "长三角：31,32,33,34"),
    ];
    for case in [
        (
            "strong_min_output_yi",
            "十亿",
            "“强”的最低年产值：无法识别的金额“十亿”（单位：亿元）",
        ),
        ("strong_min_output_yi", "", "请填写“强”的最低年产值（亿元）"),
        (
            "strong_min_output_yi",
            "-1",
            "金额“-1”不能为负数（单位：亿元）",
        ),
    ] {
        web.refused("/chain-settings", &form, case, settings).await;
    }
    let mut good = form.to_vec();
    good.push(("strong_min_output_yi", "12.3456789"));
    web.accepted("/chain-settings", &good).await;
    assert_eq!(
        settings().await["class_rules"]["strong_min_output_yuan"],
        1_234_567_890
    );
    let (_, html) = web.t.page(&web.cookie, "/chains").await;
    assert!(
        html.contains("name=\"strong_min_output_yi\" value=\"12.3456789\""),
        "exact in the form: {html}"
    );
}
both!(a_bad_amount_on_the_chain_settings_form, chain_settings_form);
