//! Pre-review panels, red lines, routing and the 两张皮 figures.

use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A two-criterion panel: 产业契合度 (weight 60, out of 10) and 环保 (weight 40, out of 5,
/// veto below 2); pass 60, quorum 2 of three members.
async fn small_panel(t: &TestApp, admin: &str) -> i64 {
    let unit = t.unit_id("凤城市投资促进局").await;
    let members = json!([
        {"user_id": t.user_id("reviewer").await, "affiliation": "科研院所专家"},
        {"user_id": t.user_id("park").await, "affiliation": "园区"},
        {"user_id": t.user_id("collab").await, "affiliation": "要素部门"},
    ]);
    let v = t
        .post_json(
            admin,
            "/api/v1/panels",
            json!({"unit_id": unit, "name": "测试专班", "pass_score": 60, "quorum": 2, "deadline_days": 5,
                   "members": members,
                   "criteria": [
                       {"key": "fit", "name": "产业契合度", "weight": 60, "max_score": 10},
                       {"key": "env", "name": "环保", "weight": 40, "max_score": 5, "veto_below": 2}
                   ]}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(v["criteria"].as_array().unwrap().len(), 2);
    v["panel"]["id"].as_i64().unwrap()
}

async fn open(t: &TestApp, promoter: &str, lead: i64, panel: i64) -> i64 {
    t.post_json(
        promoter,
        &format!("/api/v1/leads/{lead}/reviews"),
        json!({"panel_id": panel}),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn score(t: &TestApp, who: &str, review: i64, fit: i64, env: i64) -> Value {
    t.post_json(
        who,
        &format!("/api/v1/reviews/{review}/scores"),
        json!({"scores": {"fit": fit, "env": env}, "comment": "意见"}),
        StatusCode::CREATED,
    )
    .await
}

async fn scoring_rules(t: TestApp) {
    let admin = t.token("admin").await;
    let promoter = t.token("promoter").await;
    let reviewer = t.token("reviewer").await;
    let park = t.token("park").await;
    let collab = t.token("collab").await;
    let panel = small_panel(&t, &admin).await;

    // panel configuration is validated and for admins only
    let v = t
        .post_json(
            &admin,
            "/api/v1/panels",
            json!({"unit_id": 1, "name": "x", "quorum": 5, "members": [{"user_id": t.user_id("reviewer").await}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "quorum");
    t.post_json(
        &promoter,
        "/api/v1/panels",
        json!({"unit_id": 1, "name": "x", "members": [{"user_id": 1}]}),
        StatusCode::FORBIDDEN,
    )
    .await;

    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "加权评分科技有限公司", "env_category": "登记表"}),
        )
        .await;
    let review = open(&t, &promoter, lead, panel).await;
    let l = t
        .get_json(&promoter, &format!("/api/v1/leads/{lead}"), StatusCode::OK)
        .await;
    assert_eq!(l["status"], "in_review");
    // a lead under review is not admitted around the panel
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{lead}/admit"),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;

    // bad scorecards name the problem
    for (body, want) in [
        (json!({"scores": {"fit": 8}}), "环保"),
        (json!({"scores": {"fit": 11, "env": 3}}), "0 到 10"),
        (json!({"scores": {"fit": 8, "env": 3, "tax": 1}}), "“tax”"),
    ] {
        let v = t
            .post_json(
                &reviewer,
                &format!("/api/v1/reviews/{review}/scores"),
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], "scores");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(want),
            "{v}"
        );
    }
    // someone not on the panel may not score
    t.post_json(
        &promoter,
        &format!("/api/v1/reviews/{review}/scores"),
        json!({"scores": {"fit": 8, "env": 3}}),
        StatusCode::FORBIDDEN,
    )
    .await;

    // blind scoring: after the first card, the second member sees none of it
    score(&t, &reviewer, review, 8, 4).await; // 48 + 32 = 80
    let v = t
        .get_json(&park, &format!("/api/v1/reviews/{review}"), StatusCode::OK)
        .await;
    assert_eq!(v["is_member"], true);
    assert_eq!(v["cards"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["scores_hidden"], true);
    assert!(v["outcome"].is_null());
    // the count of cards is public, the scores are not
    assert_eq!(v["review"]["cards"], 1);
    // the promoter, before the quorum, sees no scores either
    let v = t
        .get_json(
            &promoter,
            &format!("/api/v1/reviews/{review}"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["cards"].as_array().unwrap().len(), 0);
    // no decision before the quorum
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/decision"),
            json!({"decision": "reject", "reason": "不符合"}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("法定人数"));

    // the second card: (80 + 40) / 2 = 60, exactly the pass line
    let v = score(&t, &park, review, 4, 2).await;
    assert_eq!(
        v["cards"].as_array().unwrap().len(),
        2,
        "after scoring, all scores show"
    );
    assert_eq!(v["outcome"]["code"], "pass");
    assert_eq!(v["outcome"]["score"], 60.0);
    // no second card from the same member
    t.post_json(
        &park,
        &format!("/api/v1/reviews/{review}/scores"),
        json!({"scores": {"fit": 1, "env": 1}}),
        StatusCode::CONFLICT,
    )
    .await;
    // a third member vetoes on 环保 whatever the total
    let v = score(&t, &collab, review, 10, 1).await;
    assert_eq!(v["outcome"]["code"], "vetoed");
    assert!(v["outcome"]["label"]
        .as_str()
        .unwrap()
        .contains("环保 1 分"));
    // so admission is refused, and rejection needs a reason
    t.post_json(
        &promoter,
        &format!("/api/v1/reviews/{review}/decision"),
        json!({"decision": "admit"}),
        StatusCode::CONFLICT,
    )
    .await;
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/decision"),
            json!({"decision": "reject"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "reason");
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/decision"),
            json!({"decision": "maybe"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "decision");
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/decision"),
            json!({"decision": "reject", "reason": "环保一票否决"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["review"]["review"]["decision"], "reject");
    assert_eq!(v["review"]["review"]["outcome"], "vetoed");
    let l = t
        .get_json(&promoter, &format!("/api/v1/leads/{lead}"), StatusCode::OK)
        .await;
    assert_eq!(l["status"], "rejected");
    // the decision is an event with every score
    let mut c = t.db.acquire().await.unwrap();
    let events = fenglai_store::audit::for_entity(&mut c, "review", review)
        .await
        .unwrap();
    let decided = events.iter().find(|e| e.action == "decide").unwrap();
    let after: Value = serde_json::from_str(decided.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["cards"].as_array().unwrap().len(), 3);

    // a passing review admits the lead as a project
    let lead2 = t
        .lead(
            &promoter,
            json!({"company_name": "通过评审科技有限公司", "env_category": "登记表"}),
        )
        .await;
    let review2 = open(&t, &promoter, lead2, panel).await;
    score(&t, &reviewer, review2, 9, 5).await;
    score(&t, &park, review2, 7, 4).await;
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review2}/decision"),
            json!({"decision": "admit"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["project"]["stage"], "negotiating");
    assert_eq!(v["review"]["review"]["status"], "decided");
    // decided: no more scores
    t.post_json(
        &collab,
        &format!("/api/v1/reviews/{review2}/scores"),
        json!({"scores": {"fit": 5, "env": 5}}),
        StatusCode::CONFLICT,
    )
    .await;
}
both!(
    scoring_with_weights_veto_quorum_and_blindness,
    scoring_rules
);

async fn deadlines(t: TestApp) {
    let promoter = t.token("promoter").await;
    let reviewer = t.token("reviewer").await;
    let promoter2 = t.token("promoter2").await;
    let leader = t.token("leader").await;
    let panels = t
        .get_json(&promoter, "/api/v1/panels", StatusCode::OK)
        .await;
    let panel = panels[0]["panel"]["id"].as_i64().unwrap();
    assert_eq!(
        panels[0]["criteria"].as_array().unwrap().len(),
        8,
        "the 七评 defaults"
    );
    let lead = t
        .lead(&promoter, json!({"company_name": "逾期预审科技有限公司", "contact_name": "王总", "contact_phone": "13900000000"}))
        .await;
    let review = open(&t, &promoter, lead, panel).await;
    let v = t
        .get_json(
            &promoter,
            &format!("/api/v1/reviews/{review}"),
            StatusCode::OK,
        )
        .await;
    let due = v["review"]["due_date"].as_str().unwrap().to_string();
    let today = fenglai_app::today();
    let due_date = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d").unwrap();
    assert_eq!(
        due_date,
        fenglai_domain::review::add_working_days(today, 5),
        "5 working days"
    );
    assert_eq!(v["overdue"], false);
    // the reviewer sees the lead through the panel, contact withheld; not other leads
    let l = t
        .get_json(&reviewer, &format!("/api/v1/leads/{lead}"), StatusCode::OK)
        .await;
    assert_eq!(l["contact_phone"], "（保密）");
    assert_eq!(
        t.get_json(&reviewer, "/api/v1/leads", StatusCode::OK).await["total"],
        0
    );
    let mine = t
        .get_json(&reviewer, "/api/v1/reviews?mine=true", StatusCode::OK)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // out of scope: a county promoter does not see the city's review
    t.get_json(
        &promoter2,
        &format!("/api/v1/reviews/{review}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        t.get_json(&promoter, "/api/v1/reviews?overdue=true", StatusCode::OK)
            .await
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // time passes: the deadline was yesterday
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    t.raw_sql(&format!(
        "UPDATE reviews SET due_date = '{yesterday}' WHERE id = {review}"
    ))
    .await;
    let over = t
        .get_json(&leader, "/api/v1/reviews?overdue=true", StatusCode::OK)
        .await;
    assert_eq!(over.as_array().unwrap().len(), 1);
    assert_eq!(over[0]["overdue"], true);
    assert_eq!(over[0]["reminded"], false);
    // a reminder names the three members who have not scored
    let waiting = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/remind"),
            json!(null),
            StatusCode::OK,
        )
        .await;
    assert_eq!(waiting.as_array().unwrap().len(), 3);
    let over = t
        .get_json(&reviewer, "/api/v1/reviews?mine=true", StatusCode::OK)
        .await;
    assert_eq!(over[0]["reminded"], true);
    assert_eq!(over[0]["overdue"], true);
    // asking for more material, then reopening with a fresh deadline
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/decision"),
            json!({"decision": "more_info", "reason": "请补充环评批复"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["review"]["review"]["status"], "more_info");
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/reviews/{review}/reopen"),
            json!(null),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["review"]["status"], "open");
    assert_eq!(v["overdue"], false);
}
both!(deadline_overdue_and_reminders, deadlines);

async fn red_lines(t: TestApp) {
    let promoter = t.token("promoter").await;
    let leader = t.token("leader").await;
    let admin = t.token("admin").await;
    // 炼焦 is on the negative list
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "某某焦化有限公司", "industry_code": "2521", "env_category": "报告书"}),
        )
        .await;
    let r = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/redlines"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r["blocking"].as_array().unwrap().len(), 1, "{r}");
    assert!(r["blocking"][0]["message"]
        .as_str()
        .unwrap()
        .contains("炼焦"));
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/admit"),
            json!({}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("红线"));
    // only a leader may lift it, with a reason
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{lead}/redlines/override"),
        json!({"reason": "省重点技改项目，等量置换"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let v = t
        .post_json(
            &leader,
            &format!("/api/v1/leads/{lead}/redlines/override"),
            json!({"reason": "短"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "reason");
    let r = t
        .post_json(
            &leader,
            &format!("/api/v1/leads/{lead}/redlines/override"),
            json!({"reason": "省重点技改项目，产能等量置换"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r["blocking"].as_array().unwrap().len(), 0);
    assert_eq!(r["overrides"][0]["reason"], "省重点技改项目，产能等量置换");
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{lead}/admit"),
        json!({}),
        StatusCode::CREATED,
    )
    .await;

    // a missing environmental category blocks until named at admission
    let lead = t
        .lead(&promoter, json!({"company_name": "未填环评科技有限公司"}))
        .await;
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/admit"),
            json!({}),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("环评类别"));
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/admit"),
            json!({"env_category": "大概"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "env_category");

    // below the receiving park's thresholds: 经开区 asks 300 万元/亩
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "低强度制造有限公司", "industry_code": "3982", "env_category": "登记表",
                   "planned_investment_yuan": 100_000_000i64, "land_mu": 100.0}),
        )
        .await;
    let r = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/redlines?park_id={park}"),
            StatusCode::OK,
        )
        .await;
    assert!(
        r["blocking"][0]["message"]
            .as_str()
            .unwrap()
            .contains("投资强度 100 万元/亩，低于凤城经济技术开发区要求的 300 万元/亩"),
        "{r}"
    );
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{lead}/admit"),
        json!({"park_id": park}),
        StatusCode::CONFLICT,
    )
    .await;

    // the negative list is configurable by admins
    let rule = t
        .post_json(
            &admin,
            "/api/v1/redline-rules",
            json!({"keywords": "小冶炼厂|土高炉", "category": "淘汰", "name": "土高炉"}),
            StatusCode::CREATED,
        )
        .await;
    let v = t
        .post_json(
            &admin,
            "/api/v1/redline-rules",
            json!({"code_prefix": "31a", "category": "淘汰", "name": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "code_prefix");
    t.post_json(
        &promoter,
        "/api/v1/redline-rules",
        json!({"keywords": "x", "category": "淘汰", "name": "x"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "某土高炉厂", "env_category": "登记表"}),
        )
        .await;
    let r = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/redlines"),
            StatusCode::OK,
        )
        .await;
    assert!(r["blocking"][0]["message"]
        .as_str()
        .unwrap()
        .contains("土高炉"));
    let id = rule["id"].as_i64().unwrap();
    let r = t
        .client
        .delete(t.url(&format!("/api/v1/redline-rules/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/redlines"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r["blocking"].as_array().unwrap().len(), 0);
}
both!(red_line_block_and_leader_override, red_lines);

async fn ranking_and_rerouting(t: TestApp) {
    let promoter = t.token("promoter").await;
    let admin = t.token("admin").await;
    let park = t.token("park").await;
    let park2 = t.token("park2").await;
    let promoter2 = t.token("promoter2").await;
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let gxq = t.unit_id("凤城高新技术产业开发区").await;
    let qs = t.unit_id("青山智能制造产业园").await;
    // 青山 also lists 6520 but has only 150 + 60 亩 of industrial land
    let mut profile = t
        .get_json(&admin, &format!("/api/v1/parks/{qs}"), StatusCode::OK)
        .await;
    assert_eq!(profile["stale"], false);
    let p = profile["profile"].as_object_mut().unwrap();
    let body = json!({"summary": p["summary"], "industries": ["6520", "3491"], "chains": ["集成电路"],
                      "min_intensity_yuan_per_mu": p["min_intensity_yuan_per_mu"], "env_categories": ["登记表"]});
    t.client
        .put(t.url(&format!("/api/v1/parks/{qs}/profile")))
        .bearer_auth(&admin)
        .json(&body)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    // a park user keeps only their own park
    let r = t
        .client
        .put(t.url(&format!("/api/v1/parks/{qs}/profile")))
        .bearer_auth(&park)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = t
        .client
        .put(t.url(&format!("/api/v1/parks/{jkq}/profile")))
        .bearer_auth(&park)
        .json(&json!({"industries": ["99999"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "芯途集成电路设计有限公司", "industry_code": "6520", "land_mu": 200.0,
                   "planned_investment_yuan": 1_000_000_000i64, "env_category": "登记表",
                   "description": "集成电路设计研发总部"}),
        )
        .await;
    let rank = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routing"),
            StatusCode::OK,
        )
        .await;
    let rank = rank.as_array().unwrap();
    assert_eq!(rank.len(), 4, "every park is ranked");
    assert_eq!(rank[0]["park_id"], gxq, "{rank:?}");
    assert_eq!(rank[0]["fits"], true);
    let reasons = rank[0]["reasons"].to_string();
    assert!(
        reasons.contains("6520") && reasons.contains("260 亩"),
        "{reasons}"
    );
    let pos = |id: i64| rank.iter().position(|f| f["park_id"] == id).unwrap();
    assert!(
        pos(gxq) < pos(qs),
        "the park with the land ranks above the one without"
    );
    let qs_fit = &rank[pos(qs)];
    assert_eq!(qs_fit["fits"], false);
    assert!(
        qs_fit["blockers"].to_string().contains("可供地不足"),
        "{qs_fit}"
    );
    let jkq_fit = &rank[pos(jkq)];
    assert!(jkq_fit["blockers"].to_string().contains("两张皮"));

    // route to 经开区, which declines (a reason is required), then re-route to 高新区
    let r = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routings"),
            json!({"park_id": jkq}),
            StatusCode::CREATED,
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(r["status"], "pending");
    // one pending routing at a time
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{lead}/routings"),
        json!({"park_id": gxq}),
        StatusCode::CONFLICT,
    )
    .await;
    // the park sees it in its inbox and may read the lead, contact withheld
    let inbox = t
        .get_json(&park, "/api/v1/routings?status=pending", StatusCode::OK)
        .await;
    assert_eq!(inbox.as_array().unwrap().len(), 1);
    t.get_json(&park, &format!("/api/v1/leads/{lead}"), StatusCode::OK)
        .await;
    // another park can neither see nor answer it
    t.post_json(
        &park2,
        &format!("/api/v1/routings/{rid}/accept"),
        json!({}),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.get_json(
        &park2,
        &format!("/api/v1/leads/{lead}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.get_json(
        &promoter2,
        "/api/v1/routings?status=bogus",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let v = t
        .post_json(
            &park,
            &format!("/api/v1/routings/{rid}/decline"),
            json!({}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "reason");
    let v = t
        .post_json(
            &park,
            &format!("/api/v1/routings/{rid}/decline"),
            json!({"reason": "园区无集成电路设计方向，建议高新区"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["status"], "declined");
    t.post_json(
        &park,
        &format!("/api/v1/routings/{rid}/accept"),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    // not back to the park that declined
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{lead}/routings"),
        json!({"park_id": jkq}),
        StatusCode::CONFLICT,
    )
    .await;
    let r2 = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routings"),
            json!({"park_id": gxq}),
            StatusCode::CREATED,
        )
        .await;
    let v = t
        .post_json(
            &park2,
            &format!("/api/v1/routings/{}/accept", r2["id"]),
            json!({"reason": "同意承接"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["status"], "accepted");
    // once accepted, the park sees the contact; admission defaults to the accepting park
    let l = t
        .get_json(&park2, &format!("/api/v1/leads/{lead}"), StatusCode::OK)
        .await;
    assert_eq!(l["id"], lead);
    let p = t
        .post_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/admit"),
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(p["park_id"], gxq);
    let history = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routings"),
            StatusCode::OK,
        )
        .await;
    let statuses: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["declined", "accepted"]);
}
both!(routing_ranking_decline_and_reroute, ranking_and_rerouting);

async fn two_skins(t: TestApp) {
    let promoter = t.token("promoter").await;
    let promoter2 = t.token("promoter2").await;
    let park = t.token("park").await;
    let jkq = t.unit_id("凤城经济技术开发区").await;
    // three city leads and one county lead go to 经开区: two declined, two accepted
    let mut ids = Vec::new();
    for (who, name) in [
        (&promoter, "甲电子电路有限公司"),
        (&promoter, "乙电子电路有限公司"),
        (&promoter, "丙电子电路有限公司"),
        (&promoter2, "丁电子电路有限公司"),
    ] {
        let lead = t
            .lead(
                who,
                json!({"company_name": name, "industry_code": "3982", "env_category": "登记表"}),
            )
            .await;
        let r = t
            .post_json(
                who,
                &format!("/api/v1/leads/{lead}/routings"),
                json!({"park_id": jkq}),
                StatusCode::CREATED,
            )
            .await;
        ids.push(r["id"].as_i64().unwrap());
    }
    for (i, rid) in ids.iter().enumerate() {
        let (action, body) = if i % 2 == 0 {
            ("decline", json!({"reason": "用地指标不足"}))
        } else {
            ("accept", json!({}))
        };
        t.post_json(
            &park,
            &format!("/api/v1/routings/{rid}/{action}"),
            body,
            StatusCode::OK,
        )
        .await;
    }
    // a lead that fits no park: a 6520 design house needing 5,000 亩
    t.lead(
        &promoter,
        json!({"company_name": "超大用地科技有限公司", "industry_code": "6520", "land_mu": 5000.0, "env_category": "登记表"}),
    )
    .await;
    let s = t
        .get_json(&promoter, "/api/v1/stats/routing", StatusCode::OK)
        .await;
    assert_eq!(
        (
            s["sent"].as_i64(),
            s["accepted"].as_i64(),
            s["declined"].as_i64()
        ),
        (Some(4), Some(2), Some(2))
    );
    assert_eq!(s["decline_rate"], 0.5);
    assert!(s["median_hours_to_accept"].as_f64().unwrap() >= 0.0);
    let by_park = s["by_park"].as_array().unwrap();
    assert_eq!(by_park.len(), 1);
    assert_eq!(by_park[0]["id"], jkq);
    assert_eq!(by_park[0]["decline_rate"], 0.5);
    let units: Vec<(String, i64, i64)> = s["by_sending_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().to_string(),
                u["sent"].as_i64().unwrap(),
                u["declined"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        units,
        [
            ("凤城市投资促进局".to_string(), 3, 2),
            ("临江县投资促进中心".to_string(), 1, 0)
        ]
    );
    let no_fit: Vec<&str> = s["no_fit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["company_name"].as_str().unwrap())
        .collect();
    assert!(no_fit.contains(&"超大用地科技有限公司"), "{no_fit:?}");
    // a county promoter's figures cover the county's routing only
    let s = t
        .get_json(&promoter2, "/api/v1/stats/routing", StatusCode::OK)
        .await;
    assert_eq!(s["sent"], 1);
    assert_eq!(s["decline_rate"], 0.0);
}
both!(two_skins_figures, two_skins);

/// Ranking reads parks through a cache: a plot's change shows in the next ranking.
async fn ranking_follows_changes(t: TestApp) {
    let promoter = t.token("promoter").await;
    let park2 = t.token("park2").await;
    let gxq = t.unit_id("凤城高新技术产业开发区").await;
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "芯岸集成电路设计有限公司", "industry_code": "6520", "land_mu": 200.0,
                   "planned_investment_yuan": 1_000_000_000i64, "env_category": "登记表"}),
        )
        .await;
    let top = |rank: Value| rank[0].clone();
    let rank = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routing"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(top(rank.clone())["park_id"], gxq);
    let park = t
        .get_json(&promoter, &format!("/api/v1/parks/{gxq}"), StatusCode::OK)
        .await;
    let plot = park["plots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "高新区M0-01地块")
        .unwrap()
        .clone();
    let set_status = |status: &'static str| {
        let body = json!({"name": plot["name"], "area_mu": plot["area_mu"], "land_use": plot["land_use"],
                          "status": status});
        t.client
            .patch(t.url(&format!("/api/v1/plots/{}", plot["id"])))
            .bearer_auth(&park2)
            .json(&body)
            .send()
    };
    // the 260 亩 plot is supplied to someone else: 高新区 no longer has the land
    assert_eq!(
        set_status("supplied").await.unwrap().status(),
        StatusCode::OK
    );
    let rank = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routing"),
            StatusCode::OK,
        )
        .await;
    let g = rank
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["park_id"] == gxq)
        .unwrap();
    assert_eq!(g["fits"], false, "{g}");
    assert!(g["blockers"].to_string().contains("可供地不足"), "{g}");
    // and back
    assert_eq!(set_status("ready").await.unwrap().status(), StatusCode::OK);
    let rank = t
        .get_json(
            &promoter,
            &format!("/api/v1/leads/{lead}/routing"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(top(rank.clone())["park_id"], gxq);
    assert_eq!(top(rank)["fits"], true);
}
both!(ranking_follows_park_changes, ranking_follows_changes);

/// The lead page tells what happened to the lead, in words and names, routings included,
/// and proposes the park that accepted it for admission.
async fn lead_page_story(t: TestApp) {
    let promoter = t.token("promoter").await;
    let park = t.token("park").await;
    let park2 = t.token("park2").await;
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let gxq = t.unit_id("凤城高新技术产业开发区").await;
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "讲述集成电路设计有限公司", "industry_code": "6520", "env_category": "登记表"}),
        )
        .await;
    for (who, park_id, answer) in [(&park, jkq, "decline"), (&park2, gxq, "accept")] {
        let r = t
            .post_json(
                &promoter,
                &format!("/api/v1/leads/{lead}/routings"),
                json!({"park_id": park_id}),
                StatusCode::CREATED,
            )
            .await;
        t.post_json(
            who,
            &format!("/api/v1/routings/{}/{answer}", r["id"]),
            json!({"reason": "主导产业不符"}),
            StatusCode::OK,
        )
        .await;
    }
    let s = crate::auth::web_login(&t, "promoter").await;
    let html = t
        .client
        .get(t.url(&format!("/leads/{lead}")))
        .header("cookie", format!("fenglai_session={s}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let timeline = html.split("<h2>记录</h2>").nth(1).unwrap();
    let timeline = timeline.split("</ul>").next().unwrap();
    for words in ["报送线索", "分派园区", "园区退回", "园区承接"] {
        assert!(timeline.contains(words), "{words}: {timeline}");
    }
    assert_eq!(timeline.matches("分派园区").count(), 2);
    assert!(
        !timeline.contains("· route") && !timeline.contains("promoter ·"),
        "{timeline}"
    );
    let admit = html.split("id=\"admit\"").nth(1).unwrap();
    assert!(
        admit.contains(&format!(
            "<option value=\"{gxq}\" selected>凤城高新技术产业开发区（已承接）"
        )),
        "{admit}"
    );
}
both!(lead_page_tells_the_routing_story, lead_page_story);
