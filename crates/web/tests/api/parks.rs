//! Park pages: profiles kept by the park itself, freshness, plots, and the public guide.

use crate::auth::web_login;
use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// A web session of `user`: GET and form POST with its cookie.
struct Web<'a> {
    t: &'a TestApp,
    cookie: String,
}

impl<'a> Web<'a> {
    async fn login(t: &'a TestApp, user: &str) -> Web<'a> {
        let s = web_login(t, user).await;
        Web {
            t,
            cookie: format!("fenglai_session={s}"),
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .t
            .client
            .get(self.t.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let r = self
            .t
            .client
            .post(self.t.url(path))
            .header("cookie", &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string());
        (status, location.unwrap_or(r.text().await.unwrap()))
    }
}

async fn profiles_and_plots(t: TestApp) {
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let gx = t.unit_id("凤城高新技术产业开发区").await;
    let park = Web::login(&t, "park").await;

    // the list shows every park, its ready land and freshness
    let (st, html) = park.get("/parks").await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("凤城经济技术开发区") && html.contains("临江工业园区"));
    assert!(html.contains("今天更新"), "demo profiles were just saved");
    // a park never filled is flagged
    t.raw_sql("UPDATE park_profiles SET updated_at = '2020-01-01T00:00:00+00:00' WHERE park_id = (SELECT id FROM units WHERE name = '临江工业园区')").await;
    let (_, html) = park.get("/parks").await;
    assert!(
        html.contains("id=\"stale-note\"") && html.contains("过期"),
        "{html}"
    );

    // the park's own page has the form; the numbers it keeps read back
    let (st, html) = park.get(&format!("/parks/{jkq}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("id=\"profile\"") && html.contains("id=\"add-plot\""));
    assert!(
        html.contains("value=\"3562 3841 3973 3976 3982\""),
        "industries as codes, in order"
    );
    let csrf = csrf_of(&html);
    let base: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("summary", "国家级经开区"),
        ("industries", "3973、3976，3982"),
        ("chains", "集成电路、新能源电池"),
        ("power_kva", "150000"),
        ("min_intensity_wan", "320"),
        ("min_tax_wan", "25"),
        ("env_1", "报告表"),
        ("lng", "118.82"),
        ("lat", "32.02"),
    ];
    // bad input is named, the typed values kept
    for (field, value, says) in [
        ("power_kva", "很多", "供电容量“很多”不是整数"),
        ("min_intensity_wan", "三百", "万"),
        ("industries", "9999", "9999"),
        ("lng", "东经", "经度"),
    ] {
        let mut form = base.clone();
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let (st, html) = park.post(&format!("/parks/{jkq}"), &form).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {html}");
        assert!(
            html.contains("field-error") && html.contains(says),
            "{field}: {html}"
        );
        assert!(html.contains("国家级经开区"), "the typed summary is kept");
    }
    let (st, loc) = park.post(&format!("/parks/{jkq}"), &base).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let (_, html) = park.get(&loc).await;
    assert!(html.contains("id=\"saved\""));
    assert!(html.contains("value=\"3973 3976 3982\""));
    assert!(html.contains("value=\"150000\"") && html.contains("value=\"320\""));
    assert!(html.contains("name=\"env_1\" value=\"报告表\" checked"));
    assert!(!html.contains("name=\"env_0\" value=\"报告书\" checked"));

    // plots: a bad area is refused with a message, a good plot is listed
    let (st, html) = park
        .post(
            &format!("/parks/{jkq}/plots"),
            &[
                ("csrf", &csrf),
                ("name", "经开区D-09地块"),
                ("area_mu", "-5"),
                ("land_use", "industrial"),
                ("status", "ready"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("地块面积"), "{html}");
    let (st, _) = park
        .post(
            &format!("/parks/{jkq}/plots"),
            &[
                ("csrf", &csrf),
                ("name", "经开区D-09地块"),
                ("area_mu", "66.5"),
                ("land_use", "industrial"),
                ("status", "preparing"),
                ("price_wan", "30"),
            ],
        )
        .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, html) = park.get(&format!("/parks/{jkq}")).await;
    assert!(html.contains("经开区D-09地块") && html.contains("66.5"));

    // another park's profile is read-only to this park, and a forged save is refused
    let (_, html) = park.get(&format!("/parks/{gx}")).await;
    assert!(html.contains("id=\"profile-view\"") && !html.contains("id=\"profile\""));
    let (st, html) = park.post(&format!("/parks/{gx}"), &base).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{html}");
    // a promoter reads, does not edit
    let promoter = Web::login(&t, "promoter").await;
    let (_, html) = promoter.get(&format!("/parks/{jkq}")).await;
    assert!(html.contains("id=\"profile-view\"") && html.contains("国家级经开区"));
    // no such park
    let (st, _) = promoter.get("/parks/999999").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
both!(park_profiles_and_plots, profiles_and_plots);

async fn guide(t: TestApp) {
    let jkq = t.unit_id("凤城经济技术开发区").await;
    // public: no session needed
    let r = t.client.get(t.url("/guide")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("凤城市招商指南"), "{html}");
    for name in [
        "凤城经济技术开发区",
        "凤城高新技术产业开发区",
        "临江工业园区",
        "青山智能制造产业园",
    ] {
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains("@media print") && html.contains("break-before:page"));
    assert!(html.contains("园区位置示意图") && html.matches("<circle").count() == 4);
    assert!(html.contains("经开区A-01地块") && !html.contains("（保密）"));
    // one park: its name in the title, its point marked on the sketch
    let r = t
        .client
        .get(t.url(&format!("/guide/{jkq}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("<h1 id=\"guide-title\">凤城经济技术开发区招商指南</h1>"));
    assert_eq!(html.matches("class=\"on\"").count(), 1);
    assert!(!html.contains("临江园1号地块"), "only this park's plots");
    // a unit that is not a park, and no unit at all
    let bureau = t.unit_id("凤城市投资促进局").await;
    for path in [format!("/guide/{bureau}"), "/guide/999999".to_string()] {
        let r = t.client.get(t.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
both!(public_guide_pages, guide);
