//! Requests (诉求) to departments: the loop with reopen on an unsatisfied rating,
//! escalation after the deadline, the 督办 board, statistics exact on a fixture, 一事一议;
//! evidence required by a stage change; monthly realised figures.

use crate::both;
use crate::helpers::TestApp;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn park_project(t: &TestApp, tok: &str, name: &str) -> i64 {
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t
        .lead(
            tok,
            json!({"company_name": name, "reported_date": "2024-01-02"}),
        )
        .await;
    t.admit(tok, lead, Some(park), "2024-01-10").await
}

fn task_of<'a>(r: &'a Value, department: &str) -> &'a Value {
    r["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["department_name"] == department)
        .unwrap_or_else(|| panic!("{department} in {r}"))
}

const POWER: &str = "国网凤城供电公司";
const LAND: &str = "凤城市自然资源和规划局";

async fn request_loop(t: TestApp) {
    let park = t.token("park").await;
    let promoter = t.token("promoter").await;
    let power = t.token("power").await;
    let collab = t.token("collab").await;
    let leader = t.token("leader").await;
    let admin = t.token("admin").await;
    let id = park_project(&t, &promoter, "凤城用电诉求科技有限公司").await;
    let leader_id = t.user_id("leader").await;
    let r = t
        .client
        .patch(t.url(&format!("/api/v1/projects/{id}")))
        .bearer_auth(&promoter)
        .json(&json!({"responsible_leader_id": leader_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (power_unit, land_unit) = (t.unit_id(POWER).await, t.unit_id(LAND).await);
    let path = format!("/api/v1/projects/{id}/requests");

    // bad input, each naming its field
    let good = json!({"category": "用电", "title": "二期厂房临时用电", "description": "需在6月前接入10kV临时用电",
        "urgency": "紧急", "department_ids": [power_unit]});
    for (patch, field) in [
        (json!({"category": "用房"}), "category"),
        (json!({"title": ""}), "title"),
        (json!({"description": "   "}), "description"),
        (json!({"urgency": "火急"}), "urgency"),
        (json!({"department_ids": []}), "department_ids"),
        (json!({"department_ids": [999999]}), "department_ids"),
        (
            json!({"department_ids": [t.unit_id("凤城经济技术开发区").await]}),
            "department_ids",
        ),
    ] {
        let mut body = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let v = t
            .post_json(&park, &path, body, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    // who may raise: not an informant, not a department; the county cannot see the project
    t.post_json(
        &t.token("informant").await,
        &path,
        good.clone(),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.post_json(&collab, &path, good.clone(), StatusCode::FORBIDDEN)
        .await;
    t.post_json(
        &t.token("promoter2").await,
        &path,
        good.clone(),
        StatusCode::NOT_FOUND,
    )
    .await;

    // the park raises a 用电 request to the power company
    let r = t
        .post_json(&park, &path, good.clone(), StatusCode::CREATED)
        .await;
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(
        (
            r["status"].as_str(),
            r["category_label"].as_str(),
            r["urgency_label"].as_str()
        ),
        (Some("open"), Some("用电"), Some("紧急"))
    );
    let task = task_of(&r, POWER).clone();
    let tid = task["id"].as_i64().unwrap();
    assert_eq!(task["status"], "routed");
    // 用电 has 5 days, urgent halves it: due in 2 days
    let today = fenglai_app::today();
    assert_eq!(
        task["due_date"],
        (today + chrono::Duration::days(2)).to_string()
    );

    // the power company sees it in its own list; the land bureau may not act on it
    let mine = t
        .get_json(
            &power,
            "/api/v1/requests?department_id=mine",
            StatusCode::OK,
        )
        .await;
    assert_eq!(mine["total"], 1);
    let act = format!("/api/v1/request-tasks/{tid}");
    t.post_json(
        &collab,
        &act,
        json!({"action": "accept"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    // the raiser can't answer their own request, nor rate before an answer
    t.post_json(
        &park,
        &act,
        json!({"action": "answer", "answer": "好"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    t.post_json(
        &park,
        &act,
        json!({"action": "rate", "satisfied": true}),
        StatusCode::CONFLICT,
    )
    .await;
    let v = t
        .post_json(
            &power,
            &act,
            json!({"action": "办结"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "action");

    // 受理 → 答复
    let r = t
        .post_json(&power, &act, json!({"action": "accept"}), StatusCode::OK)
        .await;
    assert_eq!(task_of(&r, POWER)["status_label"], "办理中");
    t.post_json(
        &power,
        &act,
        json!({"action": "accept"}),
        StatusCode::CONFLICT,
    )
    .await;
    let v = t
        .post_json(
            &power,
            &act,
            json!({"action": "answer"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "answer");
    let r = t
        .post_json(
            &power,
            &act,
            json!({"action": "answer", "answer": "已安排6月3日接电"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (r["status"].as_str(), task_of(&r, POWER)["status"].as_str()),
        (Some("answered"), Some("answered"))
    );

    // 评价: unsatisfied needs a reason, then reopens the part with a new deadline
    let v = t
        .post_json(
            &park,
            &act,
            json!({"action": "rate", "satisfied": false}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "comment");
    let r = t
        .post_json(
            &park,
            &act,
            json!({"action": "rate", "satisfied": false, "comment": "接电时间太晚，影响投产"}),
            StatusCode::OK,
        )
        .await;
    let tk = task_of(&r, POWER);
    assert_eq!(
        (
            r["status"].as_str(),
            tk["status"].as_str(),
            tk["reopen_count"].as_i64()
        ),
        (Some("open"), Some("accepted"), Some(1))
    );
    assert_eq!(tk["rating"], "unsatisfied");
    // the leader's 督办 board shows it as reopened
    let b = t
        .get_json(&leader, "/api/v1/requests/board", StatusCode::OK)
        .await;
    let item = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["task_id"] == tid)
        .expect("on the board");
    assert_eq!(
        (item["reopened"].as_bool(), item["overdue"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(item["responsible_leader_name"], "王市长");

    // a second request to two departments: one part answered late, escalated to the leader
    let r2 = t
        .post_json(
            &promoter,
            &path,
            json!({"category": "land", "title": "补充用地指标", "description": "二期需新增50亩",
            "department_ids": [land_unit, power_unit]}),
            StatusCode::CREATED,
        )
        .await;
    let rid2 = r2["id"].as_i64().unwrap();
    let land_due = task_of(&r2, LAND)["due_date"].as_str().unwrap().to_string();
    assert_eq!(land_due, (today + chrono::Duration::days(15)).to_string());
    let after_due = (today + chrono::Duration::days(16)).to_string();
    let b = t
        .get_json(
            &leader,
            &format!("/api/v1/requests/board?as_of={after_due}"),
            StatusCode::OK,
        )
        .await;
    let overdue: Vec<i64> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["overdue"] == true)
        .map(|i| i["request_id"].as_i64().unwrap())
        .collect();
    assert!(overdue.contains(&rid2) && overdue.contains(&rid), "{b}");
    // the daily computation escalates each overdue part once
    let run = t
        .post_json(
            &admin,
            "/api/v1/alerts/run",
            json!({"as_of": after_due}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (run["requests"].as_i64(), run["escalated"].as_i64()),
        (Some(3), Some(3)),
        "{run}"
    );
    let run = t
        .post_json(
            &admin,
            "/api/v1/alerts/run",
            json!({"as_of": after_due}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(run["escalated"], 0);
    // the leader is told once, in one notice listing the parts; others are not told
    let inbox = t.get_json(&leader, "/api/v1/inbox", StatusCode::OK).await;
    let esc: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "request_escalated")
        .collect();
    assert_eq!(esc.len(), 1, "{inbox}");
    assert_eq!(esc[0]["title"], "3 项诉求逾期，请督办");
    assert!(
        esc[0]["body"].as_str().unwrap().contains("补充用地指标"),
        "{inbox}"
    );
    let p_inbox = t.get_json(&park, "/api/v1/inbox", StatusCode::OK).await;
    assert!(p_inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["kind"] != "request_escalated"));
    let r2v = t
        .get_json(
            &promoter,
            &format!("/api/v1/requests/{rid2}"),
            StatusCode::OK,
        )
        .await;
    assert!(task_of(&r2v, LAND)["escalated_at"].is_string());

    // answered and rated satisfied: closed
    t.post_json(
        &power,
        &act,
        json!({"action": "answer", "answer": "已协调提前至5月20日接电"}),
        StatusCode::OK,
    )
    .await;
    let r = t
        .post_json(
            &park,
            &act,
            json!({"action": "rate", "satisfied": true, "comment": "满意"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (r["status"].as_str(), task_of(&r, POWER)["status"].as_str()),
        (Some("closed"), Some("closed"))
    );
    assert!(r["closed_at"].is_string());
    t.post_json(
        &power,
        &act,
        json!({"action": "answer", "answer": "再答"}),
        StatusCode::CONFLICT,
    )
    .await;
    // out of reach: the county promoter gets 404 for the request and its parts
    let p2 = t.token("promoter2").await;
    t.get_json(
        &p2,
        &format!("/api/v1/requests/{rid}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.post_json(
        &p2,
        &act,
        json!({"action": "rate", "satisfied": true}),
        StatusCode::NOT_FOUND,
    )
    .await;
    let l = t.get_json(&p2, "/api/v1/requests", StatusCode::OK).await;
    assert_eq!(l["total"], 0);

    // 一事一议: the leader's meeting answers both open parts of the second request
    let r2v = t
        .get_json(
            &promoter,
            &format!("/api/v1/requests/{rid2}"),
            StatusCode::OK,
        )
        .await;
    let parts: Vec<i64> = r2v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let meeting = json!({"title": "二期项目要素保障专题会", "held_on": today.to_string(), "chaired_by": "王市长",
        "attendees": "自然资源局、供电公司、经开区", "minutes": "议定：用地指标月内解决；用电同步配套",
        "decisions": parts.iter().map(|p| json!({"task_id": p, "answer": "专题会议定，月内落实"})).collect::<Vec<_>>()});
    t.post_json(
        &promoter,
        "/api/v1/request-meetings",
        meeting.clone(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let mut bad = meeting.clone();
    bad["decisions"] = json!([]);
    let v = t
        .post_json(
            &leader,
            "/api/v1/request-meetings",
            bad,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "decisions");
    let m = t
        .post_json(
            &leader,
            "/api/v1/request-meetings",
            meeting.clone(),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(m["settled_task_ids"].as_array().unwrap().len(), 2);
    let r2v = t
        .get_json(
            &promoter,
            &format!("/api/v1/requests/{rid2}"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r2v["status"], "answered");
    assert!(r2v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["meeting_id"] == m["id"]));
    // settled parts cannot be settled twice
    t.post_json(
        &leader,
        "/api/v1/request-meetings",
        meeting,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}
both!(loop_reopen_escalate, request_loop);

async fn department_stats(t: TestApp) {
    let promoter = t.token("promoter").await;
    let leader = t.token("leader").await;
    let id = park_project(&t, &promoter, "凤城统计夹具有限公司").await;
    let (power_unit, land_unit) = (t.unit_id(POWER).await, t.unit_id(LAND).await);
    let mut tasks = Vec::new();
    for (cat, dep) in [
        ("用电", power_unit),
        ("用电", power_unit),
        ("用电", power_unit),
        ("用地", land_unit),
    ] {
        let r = t
            .post_json(&promoter, &format!("/api/v1/projects/{id}/requests"),
                json!({"category": cat, "title": "夹具", "description": "统计夹具", "department_ids": [dep]}), StatusCode::CREATED)
            .await;
        tasks.push(r["tasks"][0]["id"].as_i64().unwrap());
    }
    // the fixture, set behind the program's back: routed in March 2025
    //   T1 用电: accepted after 2 h, answered after 10 h on the day, due 03-06, rated satisfied
    //   T2 用电: accepted after 4 h, first answered 03-10 (due 03-07: late), rated unsatisfied, reopened once
    //   T3 用电: never accepted, due 03-08: late on 2025-04-01
    //   T4 用地: accepted after 1 h, answered after 30 h on 03-05, due 03-19, not rated
    let set = |tid: i64, sets: String| format!("UPDATE request_tasks SET {sets} WHERE id = {tid}");
    for sql in [
        set(tasks[0], "routed_at = '2025-03-01T00:00:00.000000Z', accepted_at = '2025-03-01T02:00:00.000000Z', first_answered_at = '2025-03-01T10:00:00.000000Z', answered_at = '2025-03-01T10:00:00.000000Z', first_answered_on = '2025-03-01', first_due_date = '2025-03-06', due_date = '2025-03-06', status = 'closed', rating = 'satisfied'".into()),
        set(tasks[1], "routed_at = '2025-03-02T00:00:00.000000Z', accepted_at = '2025-03-02T04:00:00.000000Z', first_answered_at = '2025-03-10T00:00:00.000000Z', answered_at = '2025-03-10T00:00:00.000000Z', first_answered_on = '2025-03-10', first_due_date = '2025-03-07', due_date = '2025-03-20', status = 'accepted', rating = 'unsatisfied', reopen_count = 1".into()),
        set(tasks[2], "routed_at = '2025-03-03T00:00:00.000000Z', first_due_date = '2025-03-08', due_date = '2025-03-08'".into()),
        set(tasks[3], "routed_at = '2025-03-04T00:00:00.000000Z', accepted_at = '2025-03-04T01:00:00.000000Z', first_answered_at = '2025-03-05T06:00:00.000000Z', answered_at = '2025-03-05T06:00:00.000000Z', first_answered_on = '2025-03-05', first_due_date = '2025-03-19', due_date = '2025-03-19', status = 'answered'".into()),
    ] {
        t.raw_sql(&sql).await;
    }
    let s = t
        .get_json(
            &leader,
            "/api/v1/requests/stats?from=2025-03-01&to=2025-03-31&as_of=2025-04-01",
            StatusCode::OK,
        )
        .await;
    let line = |dep: &str, cat: &str| -> Value {
        s["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["department_name"] == dep && l["category"] == cat)
            .unwrap_or_else(|| panic!("{dep} {cat} in {s}"))
            .clone()
    };
    let p = line(POWER, "power");
    assert_eq!(
        (
            p["count"].as_i64(),
            p["answered"].as_i64(),
            p["on_time"].as_i64(),
            p["late"].as_i64()
        ),
        (Some(3), Some(2), Some(1), Some(2))
    );
    assert_eq!(p["on_time_rate"].as_f64(), Some(0.3333));
    assert_eq!(p["median_response_hours"].as_f64(), Some(3.0));
    // 10 h and 8 days = 192 h: median 101 h
    assert_eq!(p["median_resolution_hours"].as_f64(), Some(101.0));
    assert_eq!(
        (
            p["rated"].as_i64(),
            p["satisfied"].as_i64(),
            p["satisfaction"].as_f64(),
            p["reopened"].as_i64()
        ),
        (Some(2), Some(1), Some(0.5), Some(1))
    );
    let l = line(LAND, "land");
    assert_eq!(
        (
            l["count"].as_i64(),
            l["on_time"].as_i64(),
            l["late"].as_i64(),
            l["on_time_rate"].as_f64()
        ),
        (Some(1), Some(1), Some(0), Some(1.0))
    );
    assert_eq!(
        (
            l["median_response_hours"].as_f64(),
            l["median_resolution_hours"].as_f64()
        ),
        (Some(1.0), Some(30.0))
    );
    assert!(l["satisfaction"].is_null());
    let all = line(POWER, "all");
    assert_eq!(
        (all["count"].as_i64(), all["category_label"].as_str()),
        (Some(3), Some("合计"))
    );
    // on 2025-03-05 T3 is not yet late: one on time, one undecided... T2 not yet late either
    let early = t
        .get_json(
            &leader,
            "/api/v1/requests/stats?from=2025-03-01&to=2025-03-31&as_of=2025-03-05",
            StatusCode::OK,
        )
        .await;
    let p = early["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["department_name"] == POWER && l["category"] == "power")
        .unwrap()
        .clone();
    assert_eq!(
        (p["on_time"].as_i64(), p["late"].as_i64()),
        (Some(1), Some(1))
    );
    // a period without parts is empty; bad dates are refused
    let none = t
        .get_json(
            &leader,
            "/api/v1/requests/stats?from=2024-01-01&to=2024-12-31",
            StatusCode::OK,
        )
        .await;
    assert!(none["lines"].as_array().unwrap().is_empty());
    let v = t
        .get_json(
            &leader,
            "/api/v1/requests/stats?from=2025-03-31&to=2025-03-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "to");
    // deadlines are configurable by administrators
    let admin = t.token("admin").await;
    t.put_json(
        &leader,
        "/api/v1/requests/deadlines",
        json!({"用电": 3}),
        StatusCode::FORBIDDEN,
    )
    .await;
    let v = t
        .put_json(
            &admin,
            "/api/v1/requests/deadlines",
            json!({"用电": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "days");
    let d = t
        .put_json(
            &admin,
            "/api/v1/requests/deadlines",
            json!({"用电": 3}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (d["power"].as_i64(), d["land"].as_i64()),
        (Some(3), Some(15))
    );
    let r = t
        .post_json(&promoter, &format!("/api/v1/projects/{id}/requests"),
            json!({"category": "power", "title": "新时限", "description": "三天", "department_ids": [power_unit]}), StatusCode::CREATED)
        .await;
    assert_eq!(
        r["tasks"][0]["due_date"],
        (fenglai_app::today() + chrono::Duration::days(3)).to_string()
    );
}
both!(stats_fixture, department_stats);

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}

async fn upload(
    t: &TestApp,
    tok: &str,
    project: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new()
        .text("kind", kind.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = t
        .client
        .post(t.url(&format!("/api/v1/projects/{project}/attachments")))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn evidence(t: TestApp) {
    let promoter = t.token("promoter").await;
    let admin = t.token("admin").await;
    let id = park_project(&t, &promoter, "凤城佐证材料有限公司").await;
    // a contract scan is required for 签约 once the administrator says so
    t.put_json(
        &promoter,
        "/api/v1/settings/evidence-required",
        json!({"signed": ["contract"]}),
        StatusCode::FORBIDDEN,
    )
    .await;
    for (body, field) in [
        (json!({"signed": ["合同"]}), "kind"),
        (json!({"签到": ["contract"]}), "stage"),
    ] {
        let v = t
            .put_json(
                &admin,
                "/api/v1/settings/evidence-required",
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field);
    }
    t.put_json(
        &admin,
        "/api/v1/settings/evidence-required",
        json!({"signed": ["contract"], "started": ["permit", "photo"]}),
        StatusCode::OK,
    )
    .await;
    let sign = json!({"to": "signed", "date": "2024-03-15", "amount_yuan": 300_000_000i64});
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/projects/{id}/transitions"),
            sign.clone(),
            StatusCode::CONFLICT,
        )
        .await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("合同扫描件"),
        "{v}"
    );
    // bad uploads
    for (kind, name, bytes, field, says) in [
        (
            "contract",
            "合同.html",
            b"<html><script>alert(1)</script></html>".to_vec(),
            "file",
            "只接受",
        ),
        ("contract", "空.pdf", Vec::new(), "file", "空"),
        ("contract", ".", pdf(), "file", "不能只由点或空格组成"),
        ("contract", "..", pdf(), "file", "不能只由点或空格组成"),
        (
            "contract",
            "合同.docx",
            pdf(),
            "file",
            "不是有效的Word 文档",
        ),
        (
            "contract",
            "合同.docx",
            b"PK\x03\x04 not a package".to_vec(),
            "file",
            "无法读取压缩包目录",
        ),
        ("合同", "合同.pdf", pdf(), "kind", "材料类型"),
        (
            "contract",
            "合同.pdf",
            {
                let mut b = pdf();
                b.resize(21 * 1024 * 1024, b' ');
                b
            },
            "file",
            "20 MB",
        ),
    ] {
        let (s, v) = upload(&t, &promoter, id, kind, name, bytes).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name} {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(says),
            "{v}"
        );
    }
    // nobody outside the project's scope may attach
    let (s, _) = upload(
        &t,
        &t.token("promoter2").await,
        id,
        "contract",
        "合同.pdf",
        pdf(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, a) = upload(
        &t,
        &promoter,
        id,
        "contract",
        "投资合同（扫描件）.pdf",
        pdf(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(
        (a["content_type"].as_str(), a["size"].as_i64()),
        (Some("application/pdf"), Some(pdf().len() as i64))
    );
    // the same bytes again are stored once: same hash
    let (_, again) = upload(&t, &promoter, id, "other", "副本.pdf", pdf()).await;
    assert_eq!(again["sha256"], a["sha256"]);
    // now 签约 goes through; 开工 wants a permit and a photo
    t.post_json(
        &promoter,
        &format!("/api/v1/projects/{id}/transitions"),
        sign,
        StatusCode::OK,
    )
    .await;
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/projects/{id}/transitions"),
            json!({"to": "started", "date": "2024-05-01"}),
            StatusCode::CONFLICT,
        )
        .await;
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("许可/批复文件") && m.contains("现场照片"), "{m}");
    // download: the bytes, as an attachment, never sniffed into a page
    let r = t
        .get(&promoter, &format!("/api/v1/attachments/{}/file", a["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf());
    let r = t
        .get(
            &t.token("promoter2").await,
            &format!("/api/v1/attachments/{}/file", a["id"]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let list = t
        .get_json(
            &promoter,
            &format!("/api/v1/projects/{id}/attachments"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // voided: kept out of the list
    let r = t
        .post(
            &promoter,
            &format!("/api/v1/attachments/{}/void", again["id"]),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let list = t
        .get_json(
            &promoter,
            &format!("/api/v1/projects/{id}/attachments"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
both!(required_evidence, evidence);

async fn realised_figures(t: TestApp) {
    let promoter = t.token("promoter").await;
    let park_tok = t.token("park").await;
    let park = t.unit_id("凤城经济技术开发区").await;
    // the park's thresholds: 300万元/亩 investment, 15万元/亩 tax
    let r = t
        .client
        .put(t.url(&format!("/api/v1/parks/{park}/profile")))
        .bearer_auth(&park_tok)
        .json(
            &json!({"min_intensity_yuan_per_mu": 3_000_000i64, "min_tax_yuan_per_mu": 150_000i64}),
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{:?}", r.text().await);
    let lead = t
        .lead(&promoter, json!({"company_name": "凤城亩均效益有限公司", "reported_date": "2024-01-02", "land_mu": 100.0}))
        .await;
    let id = t.admit(&promoter, lead, Some(park), "2024-01-10").await;
    t.post_json(
        &promoter,
        &format!("/api/v1/projects/{id}/transitions"),
        json!({"to": "signed", "date": "2024-02-01", "amount_yuan": 500_000_000i64}),
        StatusCode::OK,
    )
    .await;
    let path = format!("/api/v1/projects/{id}/monthly");
    for (body, field) in [
        (json!({"month": "2024-13"}), "month"),
        (json!({"month": "2999-01"}), "month"),
        (json!({"month": "2024-03", "tax_yuan": -1}), "tax_yuan"),
        (
            json!({"month": "2024-03", "employment": 100_000_000}),
            "employment",
        ),
    ] {
        let v = t
            .put_json(&promoter, &path, body, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    t.put_json(&promoter, &path, json!({"month": "2024-03", "capital_arrived_yuan": 100_000_000i64, "fixed_asset_yuan": 200_000_000i64}), StatusCode::OK).await;
    t.put_json(&promoter, &path, json!({"month": "2024-04", "capital_arrived_yuan": 150_000_000i64, "fixed_asset_yuan": 120_000_000i64, "tax_yuan": 9_000_000i64, "output_yuan": 80_000_000i64, "employment": 320}), StatusCode::OK).await;
    // a correction of March replaces it
    let v = t.put_json(&promoter, &path, json!({"month": "2024-03", "capital_arrived_yuan": 100_000_000i64, "fixed_asset_yuan": 180_000_000i64, "tax_yuan": 3_000_000i64}), StatusCode::OK).await;
    assert_eq!(
        (
            v["capital_arrived_yuan"].as_i64(),
            v["fixed_asset_yuan"].as_i64()
        ),
        (Some(250_000_000), Some(300_000_000))
    );
    assert_eq!(v["arrived_ratio"].as_f64(), Some(0.5));
    // 3亿 over 100 亩 = 300万/亩: meets the threshold; 1200万 tax over 100 亩 = 12万/亩: below 15万
    assert_eq!(
        (
            v["investment_per_mu_yuan"].as_i64(),
            v["investment_per_mu_ok"].as_bool()
        ),
        (Some(3_000_000), Some(true))
    );
    assert_eq!(
        (v["tax_per_mu_yuan"].as_i64(), v["tax_per_mu_ok"].as_bool()),
        (Some(120_000), Some(false))
    );
    assert_eq!(
        (
            v["latest_employment"].as_i64(),
            v["months"].as_array().unwrap().len()
        ),
        (Some(320), 2)
    );
    let v = t
        .put_json(
            &promoter,
            &format!("/api/v1/projects/{id}/above-scale"),
            json!({"date": "2024-04-30"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(v["above_scale_date"], "2024-04-30");
    t.put_json(
        &promoter,
        &format!("/api/v1/projects/{id}/above-scale"),
        json!({"date": "2999-01-01"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    t.put_json(
        &t.token("promoter2").await,
        &path,
        json!({"month": "2024-05"}),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.put_json(
        &t.token("leader").await,
        &path,
        json!({"month": "2024-05"}),
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(promised_vs_realised, realised_figures);

/// A monthly-figures sheet: a title, a unit note, a header with one column in 亿元, months
/// written three ways, names with stray spaces; `bad` adds a row with a bad month and a
/// negative tax.
fn monthly_sheet(id: i64, name: &str, bad: bool) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "重点项目月度数据台账").unwrap();
    ws.write_string(1, 0, "单位：万元").unwrap();
    for (c, h) in [
        "项目编号",
        "项目名称",
        "月份",
        "实际到资",
        "完成固投(亿元)",
        "税收",
        "用工人数",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_number(3, 0, id as f64).unwrap();
    ws.write_string(3, 2, "2024年5月").unwrap();
    ws.write_string(3, 3, "1,280").unwrap();
    ws.write_number(3, 4, 0.25).unwrap();
    ws.write_string(3, 5, "12.5").unwrap();
    ws.write_number(3, 6, 180.0).unwrap();
    ws.write_string(4, 1, format!(" {name} ")).unwrap();
    let date = Format::new().set_num_format("yyyy-mm");
    ws.write_datetime_with_format(4, 2, ExcelDateTime::from_ymd(2024, 6, 1).unwrap(), &date)
        .unwrap();
    ws.write_string(4, 3, "0.1亿").unwrap();
    ws.write_string(4, 5, "8").unwrap();
    if bad {
        ws.write_number(5, 0, id as f64).unwrap();
        ws.write_string(5, 2, "六月").unwrap();
        ws.write_string(5, 5, "-3").unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn monthly_import(t: TestApp) {
    let promoter = t.token("promoter").await;
    let park = t.unit_id("凤城经济技术开发区").await;
    let lead = t
        .lead(
            &promoter,
            json!({"company_name": "凤城月报导入有限公司", "reported_date": "2024-01-02"}),
        )
        .await;
    let id = t.admit(&promoter, lead, Some(park), "2024-01-10").await;
    let name = t
        .get_json(&promoter, &format!("/api/v1/projects/{id}"), StatusCode::OK)
        .await["name"]
        .as_str()
        .unwrap()
        .to_string();
    let realised = |pid: i64| {
        let (t, tok) = (&t, promoter.clone());
        async move {
            t.get_json(
                &tok,
                &format!("/api/v1/projects/{pid}/realised"),
                StatusCode::OK,
            )
            .await
        }
    };
    let send = |tok: String, bytes: Vec<u8>| {
        let t = &t;
        async move {
            let r = t
                .client
                .post(t.url("/api/v1/monthly-imports?file_name=月报.xlsx"))
                .bearer_auth(tok)
                .body(bytes)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // a bad row stops the whole sheet, naming its cells
    let (s, v) = send(promoter.clone(), monthly_sheet(id, &name, true)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("C6 月份") && m.contains("F6 税收"), "{m}");
    let r = realised(id).await;
    assert!(r["months"].as_array().unwrap().is_empty());
    // not a spreadsheet; not allowed; a project out of scope
    let (s, v) = send(promoter.clone(), b"\x00\x01garbage".to_vec()).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file"))
    );
    let (s, _) = send(t.token("leader").await, monthly_sheet(id, &name, false)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = send(t.token("promoter2").await, monthly_sheet(id, &name, false)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("找不到项目"),
        "{v}"
    );
    // the good sheet: exact yuan from 万元, 亿元 and "0.1亿"
    let (s, v) = send(promoter.clone(), monthly_sheet(id, &name, false)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["rows"].as_i64(), v["projects"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(v["months"], json!(["2024-05", "2024-06"]));
    let r = realised(id).await;
    let months = r["months"].as_array().unwrap();
    assert_eq!(months[0]["capital_arrived_yuan"], 12_800_000);
    assert_eq!(months[0]["fixed_asset_yuan"], 25_000_000);
    assert_eq!(months[0]["tax_yuan"], 125_000);
    assert_eq!(months[0]["employment"], 180);
    assert_eq!(months[1]["capital_arrived_yuan"], 10_000_000);
    assert_eq!(months[1]["tax_yuan"], 80_000);
    assert_eq!(r["capital_arrived_yuan"], 22_800_000);

    // a sheet of some figures only changes those: the month's other figures, blank cells
    // and columns the sheet lacks, keep what is stored (foreign capital set by the form)
    t.put_json(
        &promoter,
        &format!("/api/v1/projects/{id}/monthly"),
        json!({"month": "2024-05", "capital_arrived_yuan": 12_800_000i64, "fixed_asset_yuan": 25_000_000i64,
               "tax_yuan": 125_000i64, "employment": 180, "output_yuan": 9_000_000i64,
               "foreign_capital_usd": 1_500_000i64}),
        StatusCode::OK,
    )
    .await;
    let partial = |rows: &[(&str, &str)], header: &str| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        for (c, h) in ["项目编号", "月份", header].iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (month, v)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_number(r, 0, id as f64).unwrap();
            ws.write_string(r, 1, *month).unwrap();
            if !v.is_empty() {
                ws.write_string(r, 2, *v).unwrap();
            }
        }
        book.save_to_buffer().unwrap()
    };
    let (s, v) = send(
        promoter.clone(),
        partial(&[("2024-05", "300"), ("2024-06", "")], "完成固投(万元)"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = realised(id).await;
    let may = &r["months"][0];
    assert_eq!(
        (
            may["fixed_asset_yuan"].as_i64(),
            may["capital_arrived_yuan"].as_i64(),
            may["tax_yuan"].as_i64(),
            may["employment"].as_i64(),
            may["output_yuan"].as_i64(),
            may["foreign_capital_usd"].as_i64()
        ),
        (
            Some(3_000_000),
            Some(12_800_000),
            Some(125_000),
            Some(180),
            Some(9_000_000),
            Some(1_500_000)
        ),
        "{r}"
    );
    let june = &r["months"][1];
    assert_eq!(june["capital_arrived_yuan"], 10_000_000, "{r}");
    assert_eq!(june["tax_yuan"], 80_000, "{r}");
    // foreign capital from the sheet, in 万美元 unless the header says otherwise
    let (s, v) = send(
        promoter.clone(),
        partial(&[("2024-06", "12.5")], "实际利用外资"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = realised(id).await;
    assert_eq!(r["months"][1]["foreign_capital_usd"], 125_000, "{r}");
    assert_eq!(r["months"][1]["capital_arrived_yuan"], 10_000_000, "{r}");
    // the same month twice in one sheet: the later row fills in over the earlier one
    let (s, v) = send(
        promoter.clone(),
        partial(&[("2024-06", "7"), ("2024-06", "")], "完成固投(万元)"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = realised(id).await;
    assert_eq!(r["months"][1]["fixed_asset_yuan"], 70_000, "{r}");
    assert_eq!(r["months"][1]["foreign_capital_usd"], 125_000, "{r}");

    // a project merged into another takes no figures: the row is refused, naming the
    // project to use, and nothing of the sheet is written
    let other = t
        .lead(
            &promoter,
            json!({"company_name": "凤城月报导入有限公司", "reported_date": "2024-02-02"}),
        )
        .await;
    let survivor = t.admit(&promoter, other, Some(park), "2024-02-10").await;
    t.post_json(
        &promoter,
        &format!("/api/v1/leads/{other}/merges"),
        json!({"duplicate_id": lead, "keep": {"reported_date": "survivor", "project": "survivor"}}),
        StatusCode::OK,
    )
    .await;
    let (s, v) = send(
        promoter.clone(),
        partial(&[("2024-07", "5")], "完成固投(万元)"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let m = v["error"]["message"].as_str().unwrap();
    assert!(
        m.contains("第2行") && m.contains("已合并") && m.contains(&survivor.to_string()),
        "{m}"
    );
    let r = realised(survivor).await;
    assert!(
        r["months"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["month"] != "2024-07"),
        "{r}"
    );
}
both!(monthly_figures_import, monthly_import);

/// The delivery pages as people use them: the project page's plan form and Gantt chart,
/// raising a request from it, the department's list, the 督办 board's 一事一议 form, the
/// calendar and stall pages, and the administrator's settings forms (with their errors).
async fn delivery_pages(t: TestApp) {
    use crate::auth::web_login;
    use crate::helpers::csrf_in;
    let promoter = t.token("promoter").await;
    let id = park_project(&t, &promoter, "凤城页面推进有限公司").await;
    t.post_json(
        &promoter,
        &format!("/api/v1/projects/{id}/transitions"),
        json!({"to": "signed", "date": "2024-02-01", "amount_yuan": 100_000_000i64}),
        StatusCode::OK,
    )
    .await;
    let pc = format!("fenglai_session={}", web_login(&t, "promoter").await);
    let (s, html) = t.page(&pc, &format!("/projects/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("尚未排定节点") && html.contains("按模板倒排节点"),
        "plan form"
    );
    let csrf = csrf_in(&html);
    // a bad target date comes back as a message on the page
    let r = t
        .form(
            &pc,
            &format!("/projects/{id}/plan"),
            &[
                ("csrf", &csrf),
                ("project_type", "industrial"),
                ("target_production_date", "明年"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("无法识别的日期"));
    let r = t
        .form(
            &pc,
            &format!("/projects/{id}/plan"),
            &[
                ("csrf", &csrf),
                ("project_type", "industrial"),
                ("target_production_date", "2025-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = t.page(&pc, &format!("/projects/{id}")).await;
    assert!(html.contains("<svg class=\"gantt\""), "gantt drawn");
    assert!(html.contains("data-node=\"capacity\""));
    // a form without the token is refused
    let r = t
        .form(
            &pc,
            &format!("/projects/{id}/plan"),
            &[
                ("project_type", "industrial"),
                ("target_production_date", "2025-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // raise a request from the page to two departments
    let (power_unit, land_unit) = (
        t.unit_id(POWER).await.to_string(),
        t.unit_id(LAND).await.to_string(),
    );
    let r = t
        .form(
            &pc,
            &format!("/projects/{id}/requests"),
            &[
                ("csrf", &csrf),
                ("category", "power"),
                ("urgency", "normal"),
                ("department_ids", &power_unit),
                ("department_ids", &land_unit),
                ("title", "页面诉求"),
                ("description", "页面提交"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/requests/"));
    let (_, html) = t.page(&pc, &to).await;
    assert!(html.contains(POWER) && html.contains(LAND) && html.contains("待受理"));
    // the power company's list shows it as its own
    let power = format!("fenglai_session={}", web_login(&t, "power").await);
    let (s, html) = t.page(&power, "/requests").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("页面诉求") && html.contains("本部门待办"));
    // calendar, stalls, statistics answer
    for path in [
        "/calendar",
        "/calendar?date=2025-06-01&person=me",
        "/stalls",
        "/stalls?as_of=2026-01-01",
        "/requests-stats",
        "/supervision",
    ] {
        let (s, _) = t.page(&pc, path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
    }
    let r = t
        .client
        .get(t.url("/stalls/export.xlsx"))
        .header("cookie", &pc)
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // the leader settles both parts in one 一事一议 meeting from the board; they are not
    // overdue yet, so their deadline is moved into the past behind the program's back
    t.raw_sql("UPDATE request_tasks SET due_date = '2020-01-01'")
        .await;
    let lc = format!("fenglai_session={}", web_login(&t, "leader").await);
    let (_, html) = t.page(&lc, "/supervision").await;
    assert!(html.contains("一事一议") && html.contains("name=\"task_ids\""));
    let tasks: Vec<String> = html
        .split("name=\"task_ids\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(tasks.len(), 2);
    let lcsrf = csrf_in(&html);
    let mut fields = vec![
        ("csrf", lcsrf.as_str()),
        ("title", "专题会"),
        ("held_on", "2024-06-01"),
        ("chaired_by", "王市长"),
        ("attendees", "供电公司、自然资源局"),
        ("minutes", "议定两项"),
        ("decision", ""),
    ];
    for task in &tasks {
        fields.push(("task_ids", task));
    }
    let r = t.form(&lc, "/request-meetings", &fields).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an empty decision is refused"
    );
    assert!(r.text().await.unwrap().contains("议定意见"));
    fields[6] = ("decision", "月内解决");
    let r = t.form(&lc, "/request-meetings", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = t.page(&pc, &to).await;
    assert_eq!(html.matches("月内解决").count(), 2);
    // settings: administrators only
    let (s, _) = t.page(&pc, "/admin/delivery").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let ac = format!("fenglai_session={}", web_login(&t, "admin").await);
    let (s, html) = t.page(&ac, "/admin/delivery").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("签约未注册") && html.contains("诉求办理时限"));
    let acsrf = csrf_in(&html);
    let rule = [
        ("csrf", acsrf.as_str()),
        ("code", "signed_unregistered"),
        ("label", "签约未注册"),
        ("after_node", "sign"),
        ("missing_node", "register"),
        ("days", "45"),
        ("active", "1"),
    ];
    let r = t.form(&ac, "/admin/delivery/rules", &rule).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rules = t
        .get_json(
            &t.token("admin").await,
            "/api/v1/stall-rules",
            StatusCode::OK,
        )
        .await;
    assert_eq!(rules[0]["days"], 45);
    let mut bad = rule;
    bad[5] = ("days", "四十");
    let r = t.form(&ac, "/admin/delivery/rules", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("天数应为整数"));
    let mut days: Vec<(&str, &str)> = vec![("csrf", acsrf.as_str())];
    for c in [
        "land",
        "power",
        "water",
        "gas",
        "labour",
        "finance",
        "approval",
        "environment",
        "fire",
        "other",
    ] {
        days.push((c, if c == "power" { "3" } else { "10" }));
    }
    let r = t.form(&ac, "/admin/delivery/deadlines", &days).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let d = t
        .get_json(&promoter, "/api/v1/requests/deadlines", StatusCode::OK)
        .await;
    assert_eq!(
        (d["power"].as_i64(), d["land"].as_i64()),
        (Some(3), Some(10))
    );
    let r = t
        .form(
            &ac,
            "/admin/delivery/evidence",
            &[
                ("csrf", &acsrf),
                ("signed", "contract"),
                ("started", "permit"),
                ("started", "photo"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let e = t
        .get_json(
            &promoter,
            "/api/v1/settings/evidence-required",
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        e,
        json!({"signed": ["contract"], "started": ["permit", "photo"]})
    );
}
both!(pages_of_delivery, delivery_pages);

/// The monthly-figures import page: a bad sheet lists its cells and writes nothing; a good
/// one reports what it wrote.
async fn monthly_import_page(t: TestApp) {
    use crate::auth::web_login;
    use crate::helpers::csrf_in;
    let promoter = t.token("promoter").await;
    let id = park_project(&t, &promoter, "凤城月报页面有限公司").await;
    let name = t
        .get_json(&promoter, &format!("/api/v1/projects/{id}"), StatusCode::OK)
        .await["name"]
        .as_str()
        .unwrap()
        .to_string();
    let pc = format!("fenglai_session={}", web_login(&t, "promoter").await);
    let (s, html) = t.page(&pc, "/monthly-import").await;
    assert_eq!(s, StatusCode::OK);
    let csrf = csrf_in(&html);
    let send = |bytes: Vec<u8>, csrf: String| {
        let t = &t;
        let pc = pc.clone();
        async move {
            let form = Form::new()
                .text("csrf", csrf)
                .part("file", Part::bytes(bytes).file_name("月报.xlsx"));
            let r = t
                .client
                .post(t.url("/monthly-import"))
                .header("cookie", pc)
                .multipart(form)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, html) = send(monthly_sheet(id, &name, true), csrf.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("C6 月份") && html.contains("F6 税收"),
        "cells named"
    );
    let (s, _) = send(monthly_sheet(id, &name, false), "wrong".into()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, html) = send(monthly_sheet(id, &name, false), csrf).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("已导入 2 行：1 个项目，月份 2024-05、2024-06"),
        "summary"
    );
}
both!(monthly_figures_page, monthly_import_page);
