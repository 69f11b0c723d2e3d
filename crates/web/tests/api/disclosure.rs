//! Nothing of another unit's records reaches a caller outside their scope: the lookalike
//! check before reporting names a duplicate only to those who may see it, and sends the
//! others to the city's investment-promotion bureau; a bulletin's draft, live data naming
//! stalled projects city-wide, is read only by those who may publish it.

use crate::auth::web_login;
use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const BUREAU: &str = "凤城市投资促进局";
const PARK: &str = "凤城经济技术开发区";

/// The lookalike check, per demo role, of a company a park reported: those whose scope
/// holds the park's lead see it; the others learn only that a likely duplicate exists and
/// to ask the city bureau — not its id, name as stored, unit or date.
async fn check_per_role(t: TestApp) {
    let park = t.token("park").await;
    let foreign = t
        .lead(
            &park,
            json!({"company_name": "苏州跨域披露精密机械有限公司", "uscc": "914403001922038216", "reported_date": "2025-03-07"}),
        )
        .await;
    // the informant's own lookalike of the same company stays visible to the informant
    let informant = t.token("informant").await;
    let own = t
        .lead(
            &informant,
            json!({"company_name": "跨域披露精密机械（苏州）有限公司"}),
        )
        .await;
    // asked with the name written another way, so that the stored name is not the probe
    let probe = "/api/v1/duplicates/check?company_name=跨域披露精密機械(蘇州)有限公司";
    // (role, sees the park's lead, sees the informant's)
    let roles: &[(&str, Option<(bool, bool)>)] = &[
        ("admin", Some((true, true))),
        ("leader", None),
        ("promoter", Some((true, true))),
        ("promoter2", Some((false, false))),
        ("informant", Some((false, true))),
        ("reviewer", Some((false, false))),
        ("park", Some((true, false))),
        ("park2", Some((false, false))),
        ("collab", None),
        ("power", None),
    ];
    for &(role, sees) in roles {
        let tok = t.token(role).await;
        let r = t.get(&tok, probe).await;
        let Some((sees_foreign, sees_own)) = sees else {
            // roles that may not report are refused, as before
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role}");
            continue;
        };
        assert_eq!(r.status(), StatusCode::OK, "{role}");
        let body = r.text().await.unwrap();
        let v: Value = serde_json::from_str(&body).unwrap();
        let items = v.as_array().unwrap();
        let ids: Vec<i64> = items.iter().filter_map(|i| i["lead_id"].as_i64()).collect();
        let mut want = Vec::new();
        if sees_foreign {
            want.push(foreign);
        }
        if sees_own {
            want.push(own);
        }
        assert_eq!(ids, want, "{role}: {body}");
        let notices: Vec<&Value> = items.iter().filter(|i| i["elsewhere"] == true).collect();
        if sees_foreign && sees_own {
            assert!(notices.is_empty(), "{role}: {body}");
            assert!(
                body.contains(PARK),
                "{role} sees the reporting unit: {body}"
            );
            continue;
        }
        // one notice for whatever lies outside, naming only whom to ask
        assert_eq!(notices.len(), 1, "{role}: {body}");
        let n = notices[0];
        assert_eq!(n["ask_unit_name"], BUREAU, "{role}: {body}");
        assert!(
            n["message"].as_str().unwrap().contains(BUREAU),
            "{role}: {body}"
        );
        for key in [
            "lead_id",
            "company_name",
            "unit_name",
            "reported_date",
            "reasons",
        ] {
            assert!(n.get(key).is_none(), "{role}: {key} in {body}");
        }
        if !sees_foreign {
            for secret in [
                PARK,
                "苏州跨域披露精密机械有限公司",
                "2025-03-07",
                "914403001922038216",
                &format!("\"lead_id\":{foreign}"),
            ] {
                assert!(!body.contains(secret), "{role} learns {secret}: {body}");
            }
        }
    }
    // by credit code alone, the same
    let promoter2 = t.token("promoter2").await;
    let v = t
        .get_json(
            &promoter2,
            "/api/v1/duplicates/check?uscc=914403001922038216",
            StatusCode::OK,
        )
        .await;
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v[0]["elsewhere"], true, "{v}");
    assert!(v[0].get("lead_id").is_none(), "{v}");
}
both!(
    lookalikes_outside_the_scope_are_not_disclosed,
    check_per_role
);

/// The warning on the report form: the same rule, on the page.
async fn report_form(t: TestApp) {
    let park = t.token("park").await;
    t.lead(
        &park,
        json!({"company_name": "凤来页面披露生物科技有限公司", "reported_date": "2025-04-09"}),
    )
    .await;
    for (role, sees) in [("park2", false), ("informant", false), ("park", true)] {
        let cookie = format!("fenglai_session={}", web_login(&t, role).await);
        let (_, html) = t.page(&cookie, "/leads/new").await;
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = t
            .form(
                &cookie,
                "/leads",
                &[
                    ("csrf", csrf.as_str()),
                    ("company_name", "凤来页面披露生物科技（有限公司）"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{role}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"dup-warning\""), "{role}: {html}");
        assert!(html.contains("name=\"confirm_duplicate\" value=\"1\""));
        if sees {
            assert!(
                html.contains(PARK) && html.contains("2025-04-09"),
                "{role}: {html}"
            );
        } else {
            assert!(
                html.contains(&format!("请向{BUREAU}核实")),
                "{role}: {html}"
            );
            assert!(
                !html.contains("2025-04-09") && !html.contains("凤来页面披露生物科技有限公司"),
                "{role}: {html}"
            );
        }
    }
}
both!(the_report_form_warns_without_disclosing, report_form);

/// A bulletin's draft is live data naming stalled projects city-wide: only those who may
/// publish it read it (leaders, administrators). A published bulletin is 公示: every
/// signed-in person reads it.
async fn bulletin_drafts(t: TestApp) {
    let leader = t.token("leader").await;
    let published = t
        .post_json(
            &leader,
            "/api/v1/bulletins",
            json!({"period": "2025-03"}),
            StatusCode::CREATED,
        )
        .await;
    let id = published["id"].as_i64().unwrap();
    for role in [
        "admin",
        "leader",
        "promoter",
        "promoter2",
        "informant",
        "reviewer",
        "park",
        "park2",
        "collab",
        "power",
    ] {
        let may_publish = matches!(role, "admin" | "leader");
        let tok = t.token(role).await;
        let r = t.get(&tok, "/api/v1/bulletins/draft?period=2025-03").await;
        let want = if may_publish {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(r.status(), want, "{role} reads the draft over the API");
        let cookie = format!("fenglai_session={}", web_login(&t, role).await);
        let (s, html) = t.page(&cookie, "/bulletins/draft?period=2025-03").await;
        assert_eq!(s, want, "{role} opens the draft page");
        if !may_publish {
            assert!(!html.contains("草稿：尚未发布"), "{role}");
            // nor is it offered on the rankings
            let (_, html) = t.page(&cookie, "/assessment?period=2025-03").await;
            assert!(!html.contains("/bulletins/draft"), "{role}");
        }
        // the published one is read by all
        let v = t
            .get_json(&tok, &format!("/api/v1/bulletins/{id}"), StatusCode::OK)
            .await;
        assert_eq!(v["hash"], published["hash"], "{role}");
        let (s, _) = t.page(&cookie, &format!("/bulletins/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{role} opens the published bulletin");
    }
}
both!(bulletin_drafts_only_for_those_who_publish, bulletin_drafts);
