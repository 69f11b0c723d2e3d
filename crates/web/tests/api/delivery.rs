//! From signing to production: backward scheduling, overdue and at-risk nodes on a fixed
//! day, each stall rule, the request loop with reopen and escalation, department
//! statistics on a fixture, required evidence, monthly realised figures.

use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A project in 经开区, negotiating since `admitted`, reported by the city bureau.
async fn project(t: &TestApp, tok: &str, name: &str, admitted: &str) -> i64 {
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t
        .lead(
            tok,
            json!({"company_name": name, "planned_investment_yuan": 500_000_000i64, "reported_date": "2021-06-01"}),
        )
        .await;
    t.admit(tok, lead, Some(park), admitted).await
}

async fn sign(t: &TestApp, tok: &str, id: i64, date: &str) {
    t.transition(
        tok,
        id,
        json!({"to": "signed", "date": date, "amount_yuan": 800_000_000i64}),
    )
    .await;
}

fn node<'a>(tl: &'a Value, code: &str) -> &'a Value {
    tl["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"] == code)
        .unwrap_or_else(|| panic!("{code} in {tl}"))
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|n| n["node"].as_str().unwrap().to_string())
        .collect()
}

async fn schedule_and_assess(t: TestApp) {
    let tok = t.token("promoter").await;
    let id = project(&t, &tok, "凤城倒排节点科技有限公司", "2024-12-01").await;
    sign(&t, &tok, id, "2025-01-06").await;
    let path = format!("/api/v1/projects/{id}/milestones");
    // bad input first
    for (body, field) in [
        (
            json!({"project_type": "矿业", "target_production_date": "2026-06-30"}),
            "project_type",
        ),
        (
            json!({"project_type": "industrial", "target_production_date": "明年"}),
            "target_production_date",
        ),
        (
            json!({"project_type": "industrial", "target_production_date": "2226-06-30"}),
            "target_production_date",
        ),
    ] {
        let v = t
            .put_json(&tok, &path, body, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let v = t
        .put_json(&tok, &path, json!({"project_type": "industrial", "target_production_date": "2026-06-30", "extra": 1}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert!(
        v["error"]["message"].as_str().unwrap().contains("extra"),
        "{v}"
    );
    // 倒排: every node counted back from the target production date
    let tl = t
        .put_json(
            &tok,
            &path,
            json!({"project_type": "工业", "target_production_date": "2026-06-30"}),
            StatusCode::OK,
        )
        .await;
    let expect = [
        ("sign", "2025-01-06"),
        ("register", "2025-02-05"),
        ("land", "2025-04-06"),
        ("eia", "2025-05-06"),
        ("permit", "2025-06-05"),
        ("start", "2025-07-05"),
        ("structure", "2026-01-01"),
        ("acceptance", "2026-05-16"),
        ("production", "2026-06-30"),
        ("capacity", "2027-06-30"),
    ];
    assert_eq!(tl["nodes"].as_array().unwrap().len(), 10);
    for (code, date) in expect {
        assert_eq!(node(&tl, code)["planned_date"], date, "{code}");
    }
    // the signing date comes from the transition
    assert_eq!(node(&tl, "sign")["actual_date"], "2025-01-06");
    let p = t
        .get_json(&tok, &format!("/api/v1/projects/{id}"), StatusCode::OK)
        .await;
    assert_eq!(
        (
            p["project_type"].as_str(),
            p["target_production_date"].as_str()
        ),
        (Some("industrial"), Some("2026-06-30"))
    );

    // the responsible person enters the registration, 20 days late
    let reg = format!("{path}/register");
    t.put_json(
        &tok,
        &reg,
        json!({"actual_date": "2025-02-25", "note": "工商登记完成"}),
        StatusCode::OK,
    )
    .await;
    // an entry node's date only comes from a stage change; unknown nodes and future dates refused
    let v = t
        .put_json(
            &tok,
            &format!("{path}/start"),
            json!({"actual_date": "2025-02-25"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "actual_date");
    assert!(v["error"]["message"].as_str().unwrap().contains("阶段变更"));
    let v = t
        .put_json(
            &tok,
            &format!("{path}/拿地"),
            json!({"actual_date": "2025-02-25"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "node");
    let v = t
        .put_json(
            &tok,
            &format!("{path}/land"),
            json!({"actual_date": "2999-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "actual_date");
    // others may not touch the plan; out of scope is 404
    let informant = t.token("informant").await;
    t.put_json(
        &informant,
        &reg,
        json!({"note": "x"}),
        StatusCode::NOT_FOUND,
    )
    .await;
    let promoter2 = t.token("promoter2").await;
    t.put_json(
        &promoter2,
        &reg,
        json!({"note": "x"}),
        StatusCode::NOT_FOUND,
    )
    .await;

    // on 2025-03-01 nothing is overdue, but the late registration puts every later node at risk
    let tl = t
        .get_json(&tok, &format!("{path}?as_of=2025-03-01"), StatusCode::OK)
        .await;
    assert_eq!(tl["slip_days"], 20);
    assert_eq!(node(&tl, "sign")["status"], "done");
    assert_eq!(
        (
            node(&tl, "register")["status"].as_str(),
            node(&tl, "register")["days_late"].as_i64()
        ),
        (Some("done_late"), Some(20))
    );
    assert_eq!(node(&tl, "land")["status"], "at_risk");
    assert_eq!(node(&tl, "land")["predicted_date"], "2025-04-26");
    // on 2025-04-10 供地 is 4 days overdue and the rest at risk
    let tl = t
        .get_json(&tok, &format!("{path}?as_of=2025-04-10"), StatusCode::OK)
        .await;
    assert_eq!(
        (
            node(&tl, "land")["status"].as_str(),
            node(&tl, "land")["days_late"].as_i64()
        ),
        (Some("overdue"), Some(4))
    );
    for code in [
        "eia",
        "permit",
        "start",
        "structure",
        "acceptance",
        "production",
        "capacity",
    ] {
        assert_eq!(node(&tl, code)["status"], "at_risk", "{code}");
    }
    let a = t
        .get_json(
            &tok,
            "/api/v1/milestones/alerts?as_of=2025-04-10",
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&a["overdue"]), ["land"]);
    assert_eq!(a["overdue"][0]["days_overdue"], 4);
    assert_eq!(a["overdue"][0]["label"], "供地");
    assert_eq!(codes(&a["at_risk"]).len(), 7);
    // the county promoter sees none of it
    let a2 = t
        .get_json(
            &promoter2,
            "/api/v1/milestones/alerts?as_of=2025-04-10",
            StatusCode::OK,
        )
        .await;
    assert!(
        a2["overdue"].as_array().unwrap().is_empty()
            && a2["at_risk"].as_array().unwrap().is_empty()
    );
    t.get_json(
        &tok,
        "/api/v1/milestones/alerts?as_of=2025-13-01",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // the daily computation agrees with the lists
    let admin = t.token("admin").await;
    t.post_json(
        &tok,
        "/api/v1/alerts/run",
        json!({"as_of": "2025-04-10"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let run = t
        .post_json(
            &admin,
            "/api/v1/alerts/run",
            json!({"as_of": "2025-04-10"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (run["overdue"].as_i64(), run["at_risk"].as_i64()),
        (Some(1), Some(7)),
        "{run}"
    );
    let last = t
        .get_json(&admin, "/api/v1/alerts/last", StatusCode::OK)
        .await;
    assert_eq!(last["as_of"], "2025-04-10");
    t.get_json(&tok, "/api/v1/alerts/last", StatusCode::FORBIDDEN)
        .await;
    // the responsible person (the promoter who admitted it) gets the day's digest
    let inbox = t.get_json(&tok, "/api/v1/inbox", StatusCode::OK).await;
    let digest = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "daily_digest")
        .expect("digest");
    assert_eq!(
        digest["body"],
        "您负责的项目：1 个节点逾期，7 个节点有延期风险。"
    );

    // land supplied and caught up: on the day of the planned 环评 nothing is late any more
    t.put_json(
        &tok,
        &format!("{path}/land"),
        json!({"actual_date": "2025-04-06"}),
        StatusCode::OK,
    )
    .await;
    let tl = t
        .get_json(&tok, &format!("{path}?as_of=2025-04-20"), StatusCode::OK)
        .await;
    assert_eq!(tl["slip_days"], 0);
    assert_eq!(node(&tl, "eia")["status"], "on_track");
    // the person moves a planned date
    let tl = t
        .put_json(&tok, &format!("{path}/eia"), json!({"planned_date": "2025-05-20", "responsible_user_id": t.user_id("promoter").await}), StatusCode::OK)
        .await;
    assert_eq!(node(&tl, "eia")["planned_date"], "2025-05-20");

    // the week's calendar: the week of 2025-05-20 holds 环评批复
    let w = t
        .get_json(
            &tok,
            "/api/v1/milestones/week?date=2025-05-21",
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (w["monday"].as_str(), w["sunday"].as_str()),
        (Some("2025-05-19"), Some("2025-05-25"))
    );
    assert_eq!(codes(&w["nodes"]), ["eia"]);
    let w = t
        .get_json(
            &tok,
            "/api/v1/milestones/week?date=2025-07-01",
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&w["nodes"]), ["start"]);
    // person=me: the promoter who admitted the project is its responsible person; the leader is not
    let w = t
        .get_json(
            &tok,
            "/api/v1/milestones/week?date=2025-07-01&person=me",
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&w["nodes"]), ["start"]);
    let leader = t.user_id("leader").await;
    let w = t
        .get_json(
            &tok,
            &format!("/api/v1/milestones/week?date=2025-07-01&person={leader}"),
            StatusCode::OK,
        )
        .await;
    assert!(w["nodes"].as_array().unwrap().is_empty());
    t.get_json(
        &tok,
        "/api/v1/milestones/week?person=someone",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // a stage change fills the entry node; a correction back empties it again
    t.transition(&tok, id, json!({"to": "started", "date": "2025-07-01"}))
        .await;
    let tl = t.get_json(&tok, &path, StatusCode::OK).await;
    assert_eq!(node(&tl, "start")["actual_date"], "2025-07-01");
    t.transition(
        &tok,
        id,
        json!({"to": "signed", "correction": true, "reason": "开工日期录错"}),
    )
    .await;
    let tl = t.get_json(&tok, &path, StatusCode::OK).await;
    assert!(node(&tl, "start")["actual_date"].is_null());
    assert_eq!(node(&tl, "sign")["actual_date"], "2025-01-06");
    // the plan and each change are in the project's event log
    let ev = t
        .get_json(
            &tok,
            &format!("/api/v1/projects/{id}/events"),
            StatusCode::OK,
        )
        .await;
    let actions: Vec<&str> = ev
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("schedule:industrial:2026-06-30")),
        "{actions:?}"
    );
    assert!(actions.contains(&"milestone:register"), "{actions:?}");
}
both!(schedule, schedule_and_assess);

async fn stalls(t: TestApp) {
    let tok = t.token("promoter").await;
    let enter = |id: i64, node: &'static str, date: &'static str| {
        let t = &t;
        let tok = tok.clone();
        async move {
            t.put_json(
                &tok,
                &format!("/api/v1/projects/{id}/milestones/{node}"),
                json!({"actual_date": date}),
                StatusCode::OK,
            )
            .await;
        }
    };
    let p1 = project(&t, &tok, "签约未注册甲有限公司", "2024-01-01").await;
    sign(&t, &tok, p1, "2025-01-01").await;
    let p2 = project(&t, &tok, "注册未供地乙有限公司", "2024-01-01").await;
    sign(&t, &tok, p2, "2025-01-01").await;
    enter(p2, "register", "2025-01-10").await;
    let p3 = project(&t, &tok, "供地未开工丙有限公司", "2024-01-01").await;
    sign(&t, &tok, p3, "2025-01-01").await;
    enter(p3, "register", "2025-01-10").await;
    enter(p3, "land", "2025-02-01").await;
    let p4 = project(&t, &tok, "开工未竣工丁有限公司", "2023-01-01").await;
    sign(&t, &tok, p4, "2023-06-01").await;
    t.transition(&tok, p4, json!({"to": "started", "date": "2024-01-01"}))
        .await;
    let p5 = project(&t, &tok, "竣工未投产戊有限公司", "2023-01-01").await;
    sign(&t, &tok, p5, "2023-06-01").await;
    t.transition(&tok, p5, json!({"to": "started", "date": "2023-07-01"}))
        .await;
    t.transition(&tok, p5, json!({"to": "completed", "date": "2025-01-01"}))
        .await;
    let p6 = project(&t, &tok, "投产未达产己有限公司", "2022-01-01").await;
    sign(&t, &tok, p6, "2022-02-01").await;
    t.transition(&tok, p6, json!({"to": "started", "date": "2022-03-01"}))
        .await;
    t.transition(&tok, p6, json!({"to": "completed", "date": "2023-06-01"}))
        .await;
    t.transition(&tok, p6, json!({"to": "producing", "date": "2024-01-01"}))
        .await;
    // a dropped project is never stalled
    let p7 = project(&t, &tok, "中止庚有限公司", "2024-01-01").await;
    sign(&t, &tok, p7, "2025-01-01").await;
    t.transition(
        &tok,
        p7,
        json!({"to": "dropped", "date": "2025-01-05", "reason": "企业撤资"}),
    )
    .await;

    let list = |q: &'static str| {
        let t = &t;
        let tok = tok.clone();
        async move {
            t.get_json(&tok, &format!("/api/v1/stalls?{q}"), StatusCode::OK)
                .await
        }
    };
    let rows = |v: &Value| -> Vec<(String, i64, i64)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["rule_code"].as_str().unwrap().to_string(),
                    i["project_id"].as_i64().unwrap(),
                    i["stalled_days"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // every rule on 2025-06-01, longest stall first (开工未竣工 needs 540 days: p4 has 517)
    let v = list("as_of=2025-06-01").await;
    assert_eq!(
        rows(&v),
        vec![
            ("producing_not_capacity".to_string(), p6, 517),
            ("registered_no_land".to_string(), p2, 142),
            ("signed_unregistered".to_string(), p1, 151),
            ("land_not_started".to_string(), p3, 120),
            ("completed_not_producing".to_string(), p5, 151),
        ]
        .into_iter()
        .fold(Vec::new(), |mut acc, r| {
            acc.push(r);
            acc.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
            acc
        })
    );
    assert!(v["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["project_id"] != p7));
    let first = &v["items"][0];
    assert_eq!(first["park_name"], "凤城经济技术开发区");
    assert_eq!(first["reporting_unit_name"], "凤城市投资促进局");
    // a bulletin names the head of the stall list on its period's last day, in its order
    let leader = t.token("leader").await;
    let draft = t
        .get_json(
            &leader,
            "/api/v1/bulletins/draft?period=2025-05",
            StatusCode::OK,
        )
        .await;
    let pairs = |items: &Value| -> Vec<(i64, i64)> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["project_id"].as_i64().unwrap(),
                    i["stalled_days"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let on_last_day = list("as_of=2025-05-31").await;
    assert_eq!(
        pairs(&draft["named"]["stalled"]),
        pairs(&on_last_day["items"])
    );
    assert_eq!(draft["named"]["stalled"].as_array().unwrap().len(), 5);
    // each rule's threshold: one day short of it, the project is not listed
    let short = [
        ("signed_unregistered", "2025-01-31", "2025-02-01", p1),
        ("registered_no_land", "2025-04-10", "2025-04-11", p2),
        ("land_not_started", "2025-05-02", "2025-05-03", p3),
        ("started_not_completed", "2025-06-24", "2025-06-25", p4),
        ("completed_not_producing", "2025-04-01", "2025-04-02", p5),
        ("producing_not_capacity", "2024-12-31", "2025-01-01", p6),
    ];
    for (rule, exactly, after, pid) in short {
        let at = t
            .get_json(
                &tok,
                &format!("/api/v1/stalls?rule={rule}&as_of={exactly}"),
                StatusCode::OK,
            )
            .await;
        assert!(
            at["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["project_id"] != pid),
            "{rule} on {exactly}"
        );
        let past = t
            .get_json(
                &tok,
                &format!("/api/v1/stalls?rule={rule}&as_of={after}"),
                StatusCode::OK,
            )
            .await;
        let got: Vec<i64> = past["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["project_id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, vec![pid], "{rule} on {after}");
    }
    // registering takes p1 off 签约未注册 and onto 注册未供地 (once its own days pass)
    enter(p1, "register", "2025-02-15").await;
    let v = list("rule=signed_unregistered&as_of=2025-06-01").await;
    assert!(v["items"].as_array().unwrap().is_empty());
    let v = list("rule=registered_no_land&as_of=2025-06-01").await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    // filters by park, unit and leader
    let park2 = t.unit_id("凤城高新技术产业开发区").await;
    let v = t
        .get_json(
            &tok,
            &format!("/api/v1/stalls?as_of=2025-06-01&park_id={park2}"),
            StatusCode::OK,
        )
        .await;
    assert!(v["items"].as_array().unwrap().is_empty());
    let leader = t.user_id("leader").await;
    let r = t
        .client
        .patch(t.url(&format!("/api/v1/projects/{p4}")))
        .bearer_auth(&tok)
        .json(&json!({"responsible_leader_id": leader}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v = t
        .get_json(
            &tok,
            &format!("/api/v1/stalls?as_of=2025-07-01&leader_id={leader}"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(rows(&v).iter().map(|r| r.1).collect::<Vec<_>>(), vec![p4]);
    assert_eq!(v["items"][0]["responsible_leader_name"], "王市长");
    // the county sees none of the city's stalls
    let promoter2 = t.token("promoter2").await;
    let v = t
        .get_json(
            &promoter2,
            "/api/v1/stalls?as_of=2025-06-01",
            StatusCode::OK,
        )
        .await;
    assert!(v["items"].as_array().unwrap().is_empty());
    // export
    let r = t
        .get(&tok, "/api/v1/stalls/export.xlsx?as_of=2025-06-01")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK\x03\x04"));
    // bad filters
    for (q, field) in [
        ("rule=nope", "rule"),
        ("as_of=2025-02-30", "as_of"),
        ("park_id=x", "park_id"),
    ] {
        let v = t
            .get_json(
                &tok,
                &format!("/api/v1/stalls?{q}"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field, "{q}");
    }
    // rules are configurable by administrators only, and checked
    let admin = t.token("admin").await;
    let rule = json!({"code": "signed_unregistered", "label": "签约未注册", "after_node": "sign", "missing_node": "register", "days": 200});
    t.put_json(
        &tok,
        "/api/v1/stall-rules",
        rule.clone(),
        StatusCode::FORBIDDEN,
    )
    .await;
    t.put_json(&admin, "/api/v1/stall-rules", rule, StatusCode::OK)
        .await;
    let v = list("rule=signed_unregistered&as_of=2025-06-01").await;
    assert!(v["items"].as_array().unwrap().is_empty());
    for (body, field) in [
        (
            json!({"code": "x", "label": "倒挂", "after_node": "register", "missing_node": "sign", "days": 30}),
            "missing_node",
        ),
        (
            json!({"code": "x", "label": "跨阶段", "after_node": "sign", "missing_node": "acceptance", "days": 30}),
            "missing_node",
        ),
        (
            json!({"code": "x", "label": "零天", "after_node": "sign", "missing_node": "register", "days": 0}),
            "days",
        ),
        (
            json!({"code": "带空格 的", "label": "x", "after_node": "sign", "missing_node": "register", "days": 3}),
            "code",
        ),
        (
            json!({"code": "x", "label": "x", "after_node": "拿地", "missing_node": "register", "days": 3}),
            "after_node",
        ),
    ] {
        let v = t
            .put_json(
                &admin,
                "/api/v1/stall-rules",
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    // a new rule: 环评未批 30 days after land
    t.put_json(&admin, "/api/v1/stall-rules", json!({"code": "land_no_eia", "label": "供地未环评", "after_node": "供地", "missing_node": "环评批复", "days": 30}), StatusCode::OK)
        .await;
    let v = list("rule=land_no_eia&as_of=2025-06-01").await;
    assert_eq!(rows(&v), vec![("land_no_eia".to_string(), p3, 120)]);
    // the daily computation counts each stalled project once
    let run = t
        .post_json(
            &admin,
            "/api/v1/alerts/run",
            json!({"as_of": "2025-06-01"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(run["stalled"], 5, "{run}");
}
both!(stall_lists, stalls);
