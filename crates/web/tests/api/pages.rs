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

async fn journey(t: TestApp) {
    let s = web_login(&t, "promoter").await;
    let cookie = format!("fenglai_session={s}");
    let get = |path: &str| {
        t.client
            .get(t.url(path))
            .header("cookie", cookie.clone())
            .send()
    };
    let html = get("/leads/new").await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&html);
    // a wrong check character is shown inline, with the user's input kept
    let r = t
        .client
        .post(t.url("/leads"))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("company_name", "网页测试科技有限公司"),
            ("uscc", "914403001922038217"),
            ("planned_investment_wan", "50000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("field-error") && html.contains("校验位"),
        "{html}"
    );
    assert!(html.contains("网页测试科技有限公司"));
    // a bad amount names its field
    let r = t
        .client
        .post(t.url("/leads"))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("company_name", "网页测试科技有限公司"),
            ("planned_investment_wan", "五千"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("万元"));
    // without the CSRF token nothing is written
    let r = t
        .client
        .post(t.url("/leads"))
        .header("cookie", cookie.clone())
        .form(&[("company_name", "无令牌公司")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // a good lead
    let r = t
        .client
        .post(t.url("/leads"))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("company_name", "网页测试科技有限公司"),
            ("uscc", "914403001922038216"),
            ("planned_investment_wan", "50000"),
            ("channel", "event"),
            ("reported_date", "2024-02-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let lead_url = r.headers()["location"].to_str().unwrap().to_string();
    let html = get(&lead_url).await.unwrap().text().await.unwrap();
    assert!(
        html.contains("5亿元") && html.contains("id=\"admit\""),
        "{html}"
    );
    let park = t.unit_id("凤城经济技术开发区").await.to_string();
    let r = t
        .client
        .post(t.url(&format!("{lead_url}/admit")))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("park_id", park.as_str()),
            ("date", "2024-03-01"),
            ("env_category", "登记表"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let project_url = r.headers()["location"].to_str().unwrap().to_string();
    // an illegal move is explained on the page
    let r = t
        .client
        .post(t.url(&format!("{project_url}/transition")))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("to", "started"),
            ("date", "2024-03-02"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("flash-error"));
    let r = t
        .client
        .post(t.url(&format!("{project_url}/transition")))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("to", "signed"),
            ("date", "2024-03-15"),
            ("amount_wan", "60000"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = get(&project_url).await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"stage\"") && html.contains("签约") && html.contains("6亿元"));
    // edit the project from its page; a bad amount is explained
    let r = t
        .client
        .post(t.url(&format!("{project_url}/edit")))
        .header("cookie", cookie.clone())
        .form(&[("csrf", csrf.as_str()), ("planned_investment_wan", "很多")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = t
        .client
        .post(t.url(&format!("{project_url}/edit")))
        .header("cookie", cookie.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "网页测试智能终端项目"),
            ("land_mu", "120"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = get(&project_url).await.unwrap().text().await.unwrap();
    assert!(html.contains("网页测试智能终端项目") && html.contains("120 亩"));
    let html = get("/?as_of=2024-03-15")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已签约 1 个 6 亿元"), "{html}");
    assert!(html.contains("data-stage=\"signed\" data-count=\"1\""));
    for path in [
        "/leads",
        "/leads?q=网页&status=admitted",
        "/projects",
        "/projects/board",
        "/projects?stage=signed",
    ] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let r = get("/leads?from=garbage").await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // pickers search the code tables
    let v: serde_json::Value = get("/picker/industries?q=电子电路")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.as_array().unwrap().iter().any(|x| x["code"] == "3982"));
    let v: serde_json::Value = get("/picker/regions?q=3205")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.as_array().unwrap().iter().any(|x| x["code"] == "320500"));
    // admin pages are for admins
    assert_eq!(
        get("/admin/users").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let a = web_login(&t, "admin").await;
    let r = t
        .client
        .get(t.url("/admin/units"))
        .header("cookie", format!("fenglai_session={a}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("临江工业园区"));
}
both!(web_pages_journey, journey);
