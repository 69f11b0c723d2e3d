//! Ledgers in and out: messy files the tests make (title rows, merged two-row headers,
//! GBK CSV, mixed units, every date form, bad rows), preview, mapping, all-or-nothing
//! and skipping imports, permissions, bad files, and export → import round trips.

use crate::auth::web_login;
use crate::both;
use crate::helpers::TestApp;
use fenglai_ledger::{read_ledger, Kind, Record};
use reqwest::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{json, Value};

const USCC: &str = "914403001922038216";

/// A county-style project ledger: a merged title, a 填报单位 note and a 金额单位 note, a
/// two-row header with 投资额 merged over 总投资(亿元) and 签约金额 (no unit: the note's
/// 万元), amounts as numbers and as text with units, dates in every form, two bad rows,
/// a 合计 row and a note row.
fn messy_projects() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let f = Format::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.merge_range(0, 0, 0, 11, "凤城市2024年重点招商项目推进台账", &f)
        .unwrap();
    ws.merge_range(1, 0, 1, 3, "填报单位：凤城市投资促进局", &f)
        .unwrap();
    ws.write_string(1, 5, "金额单位：万元").unwrap();
    let heads = [
        "序号",
        "项目名称",
        "项目单位",
        "统一社会信用代码",
        "",
        "",
        "项目进展",
        "签约日期",
        "开工日期",
        "所在园区",
        "报送日期",
        "备注",
    ];
    for (c, h) in heads.iter().enumerate() {
        let c = c as u16;
        if c == 4 {
            ws.merge_range(2, 4, 2, 5, "投资额", &f).unwrap();
            ws.write_string(3, 4, "总投资(亿元)").unwrap();
            ws.write_string(3, 5, "签约金额").unwrap();
        } else if c != 5 {
            ws.merge_range(2, c, 3, c, h, &f).unwrap();
        }
    }
    // row 5: numbers, a date cell, 已签约
    ws.write_number(4, 0, 1.0).unwrap();
    ws.write_string(4, 1, "华芯封测基地项目").unwrap();
    ws.write_string(4, 2, " 苏州 华芯微电子 有限公司 ").unwrap();
    ws.write_string(4, 3, USCC).unwrap();
    ws.write_number(4, 4, 12.8).unwrap();
    ws.write_number(4, 5, 50000.0).unwrap();
    ws.write_string(4, 6, "已签约").unwrap();
    ws.write_string(4, 7, "2024年3月15日").unwrap();
    ws.write_datetime_with_format(4, 10, ExcelDateTime::from_ymd(2024, 2, 1).unwrap(), &date)
        .unwrap();
    // row 6: text amounts with units and separators, 在建, 2024.3.15 and 2024-06
    ws.write_number(5, 0, 2.0).unwrap();
    ws.write_string(5, 1, "恒瑞新材料二期").unwrap();
    ws.write_string(5, 2, "浙江恒瑞新材料股份有限公司").unwrap();
    ws.write_string(5, 4, "1.28亿").unwrap();
    ws.write_string(5, 5, "8,000").unwrap();
    ws.write_string(5, 6, "在建").unwrap();
    ws.write_string(5, 7, "2024.3.15").unwrap();
    ws.write_string(5, 8, "2024-06").unwrap();
    ws.write_string(5, 9, "凤城经开区").unwrap();
    ws.write_string(5, 10, "2024/1/20").unwrap();
    // row 7: 万 in a 亿元 column, an Excel serial, 2024/5/20, 已投产, no contract amount
    ws.write_number(6, 0, 3.0).unwrap();
    ws.write_string(6, 1, "博远智能装备产业园").unwrap();
    ws.write_string(6, 2, "深圳博远智能装备有限公司").unwrap();
    ws.write_string(6, 4, "3000万").unwrap();
    ws.write_string(6, 6, "已投产").unwrap();
    ws.write_number(6, 7, 45366.0).unwrap();
    ws.write_string(6, 8, "2024/5/20").unwrap();
    ws.write_string(6, 9, "高新区").unwrap();
    ws.write_string(6, 11, "重点跟踪").unwrap();
    // row 8: 洽谈中, 2024年3月
    ws.write_number(7, 0, 4.0).unwrap();
    ws.write_string(7, 1, "星辰冷链物流中心").unwrap();
    ws.write_string(7, 2, "星辰冷链物流有限公司").unwrap();
    ws.write_number(7, 4, 0.5).unwrap();
    ws.write_string(7, 6, "洽谈中").unwrap();
    ws.write_string(7, 10, "2024年3月").unwrap();
    // row 9: a bad amount
    ws.write_number(8, 0, 5.0).unwrap();
    ws.write_string(8, 1, "坏金额项目").unwrap();
    ws.write_string(8, 2, "坏金额科技有限公司").unwrap();
    ws.write_string(8, 4, "约一个亿").unwrap();
    ws.write_string(8, 6, "洽谈中").unwrap();
    // row 10: a bad date
    ws.write_number(9, 0, 6.0).unwrap();
    ws.write_string(9, 1, "坏日期项目").unwrap();
    ws.write_string(9, 2, "坏日期科技有限公司").unwrap();
    ws.write_number(9, 4, 1.0).unwrap();
    ws.write_string(9, 6, "已签约").unwrap();
    ws.write_string(9, 7, "明年初").unwrap();
    // row 11: 合计; row 12: a note
    ws.merge_range(10, 0, 10, 3, "合计", &f).unwrap();
    ws.write_number(10, 4, 15.58).unwrap();
    ws.merge_range(11, 0, 11, 11, "注：本表数据截至2024年12月31日", &f)
        .unwrap();
    book.save_to_buffer().unwrap()
}

/// A lead ledger as a GBK CSV with a title line: units in the header (万元) and in cells
/// (亿, 万, 元, separators), region names, every date form, one bad code and one future date.
fn gbk_leads() -> Vec<u8> {
    let text = "\
凤城市招商线索台账（2024年）\r
序号,企业名称,统一社会信用代码,行业代码,来源地,计划投资（万元）,用地(亩),报送日期,渠道,联系人\r
1, 深圳 博远智能装备有限公司 ,,3982,深圳,1.5亿,120.5,2024年3月15日,以商招商,张伟\r
2,苏州华芯微电子科技有限公司,914403001922038216,3982,苏州,\"3,000\",80,2024.3.15,驻点招商,李娜\r
3,上海光启新材料有限公司,,2720,上海,800万,,2024-03,自主招商,\r
4,杭州云海数字科技有限公司,,,杭州,12000000元,,45366,,\r
5,宁波长风汽车零部件有限公司,,,宁波,2500,33.33,2024/3/15,,\r
6,厦门金桥食品有限公司,,,火星,100,,2024年3月,,\r
7,广州远景生物医药有限公司,,,广州,300,,2024-03-15,,\r
8,坏代码科技有限公司,914403001922038217,,,100,,2024-03-15,,\r
9,未来日期科技有限公司,,,,100,,2099-01-01,,\r
合计,,,,,,,,,\r
";
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

/// Commits upload `id` with `body`, expecting `status`; the answer.
async fn commit(t: &TestApp, tok: &str, id: i64, body: Value, status: StatusCode) -> Value {
    t.post_json(tok, &format!("/api/v1/imports/{id}/commit"), body, status)
        .await
}

async fn upload(
    t: &TestApp,
    tok: &str,
    kind: &str,
    name: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let r = t
        .client
        .post(t.url(&format!("/api/v1/imports?kind={kind}&file_name={name}")))
        .bearer_auth(tok)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn by_name<'a>(items: &'a Value, name: &str) -> &'a Value {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name || p["company_name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {items}"))
}

async fn messy_projects_preview_all_or_nothing_then_skip(t: TestApp) {
    let tok = t.token("promoter").await;
    let (s, p) = upload(&t, &tok, "projects", "重点项目台账.xlsx", messy_projects()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["header_rows"], json!([3, 4]), "{p}");
    assert_eq!(p["data_start"], 5);
    assert_eq!(
        (
            p["valid"].clone(),
            p["invalid"].clone(),
            p["skipped"].clone()
        ),
        (json!(4), json!(2), json!(2)),
        "{p}"
    );
    let cols = p["columns"].as_array().unwrap();
    let col = |letter: &str| cols.iter().find(|c| c["letter"] == letter).unwrap().clone();
    assert_eq!(col("E")["field"], "planned_investment_yuan");
    assert_eq!(col("E")["unit"], "亿元");
    assert_eq!(col("E")["header"], "投资额/总投资(亿元)");
    assert_eq!(col("F")["field"], "contracted_investment_yuan");
    assert_eq!(col("F")["unit"], "万元", "the note's unit");
    assert_eq!(col("A")["field"], Value::Null, "序号 is not imported");
    let errors = error_texts(&p);
    assert_eq!(
        errors,
        [
            "E9 总投资：无法识别的金额“约一个亿”",
            "H10 签约日期：无法识别的日期“明年初”，请写作 2024-03-15"
        ],
        "{p}"
    );
    let row9 = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["row"] == 9)
        .unwrap();
    assert_eq!(row9["status"], "invalid");
    assert_eq!(row9["errors"][0]["cell"], "E9");
    let id = p["id"].as_i64().unwrap();

    // all-or-nothing: refused, nothing written
    let v = commit(&t, &tok, id, json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 行有错误，未导入任何数据"),
        "{v}"
    );
    let none = t.get_json(&tok, "/api/v1/projects", StatusCode::OK).await;
    assert_eq!(none["total"], 0);
    let leads = t.get_json(&tok, "/api/v1/leads", StatusCode::OK).await;
    assert_eq!(leads["total"], 0);

    // skipping the bad rows
    let r = commit(&t, &tok, id, json!({"skip_bad_rows": true}), StatusCode::OK).await;
    assert_eq!(
        (
            r["inserted"].clone(),
            r["invalid"].clone(),
            r["skipped"].clone()
        ),
        (json!(4), json!(2), json!(2))
    );
    // a second commit is refused
    commit(
        &t,
        &tok,
        id,
        json!({"skip_bad_rows": true}),
        StatusCode::CONFLICT,
    )
    .await;

    let ps = t
        .get_json(&tok, "/api/v1/projects?per_page=50", StatusCode::OK)
        .await;
    assert_eq!(ps["total"], 4);
    let today = fenglai_app::today().to_string();
    let p1 = by_name(&ps, "华芯封测基地项目");
    assert_eq!(
        p1["company_name"], "苏州华芯微电子有限公司",
        "stray spaces removed"
    );
    assert_eq!(p1["uscc"], USCC);
    assert_eq!(p1["planned_investment_yuan"], 1_280_000_000i64);
    assert_eq!(p1["contracted_investment_yuan"], 500_000_000i64);
    assert_eq!(p1["stage"], "signed");
    assert_eq!(p1["stage_date"], "2024-03-15");
    let p2 = by_name(&ps, "恒瑞新材料二期");
    assert_eq!(p2["planned_investment_yuan"], 128_000_000i64);
    assert_eq!(p2["contracted_investment_yuan"], 80_000_000i64);
    assert_eq!(p2["stage"], "started");
    assert_eq!(p2["stage_date"], "2024-06-01");
    assert_eq!(p2["park_name"], "凤城经济技术开发区");
    let p3 = by_name(&ps, "博远智能装备产业园");
    assert_eq!(p3["planned_investment_yuan"], 30_000_000i64);
    assert_eq!(
        p3["contracted_investment_yuan"], 30_000_000i64,
        "planned taken as contract"
    );
    assert_eq!(p3["stage"], "producing");
    assert_eq!(
        p3["stage_date"],
        today.as_str(),
        "a stage without a date takes the import date"
    );
    assert_eq!(p3["park_name"], "凤城高新技术产业开发区");
    let h = t
        .get_json(
            &tok,
            &format!("/api/v1/projects/{}/history", p3["id"]),
            StatusCode::OK,
        )
        .await;
    let steps: Vec<(String, String)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["stage"].as_str().unwrap().to_string(),
                e["effective_date"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        steps,
        [
            s("negotiating", "2024-03-15"),
            s("signed", "2024-03-15"),
            s("started", "2024-05-20"),
            s("completed", &today),
            s("producing", &today)
        ]
    );
    let p4 = by_name(&ps, "星辰冷链物流中心");
    assert_eq!(p4["planned_investment_yuan"], 50_000_000i64);
    assert_eq!(p4["stage"], "negotiating");
    assert_eq!(p4["stage_date"], "2024-03-01");
    assert_eq!(p4["contracted_investment_yuan"], Value::Null);
    // the figures follow the ledger's dates
    let st = t
        .get_json(
            &tok,
            "/api/v1/stats/pipeline?as_of=2024-04-01",
            StatusCode::OK,
        )
        .await;
    let count = |stage: &str| {
        st["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["stage"] == stage)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(
        (count("negotiating"), count("signed"), count("started")),
        (json!(1), json!(3), json!(0)),
        "{st}"
    );
    // every project's lead is admitted, and the lead carries the import
    let leads = t
        .get_json(&tok, "/api/v1/leads?status=admitted", StatusCode::OK)
        .await;
    assert_eq!(leads["total"], 4);

    // the error report lists the two bad rows and the two skipped ones
    let r = t
        .get(&tok, &format!("/api/v1/imports/{id}/errors.xlsx"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let sheet = fenglai_ledger::read(&bytes, "errors.xlsx").unwrap();
    let texts: Vec<String> = sheet.rows.iter().flatten().map(|c| c.text()).collect();
    assert!(
        texts.iter().any(|t| t == "E9") && texts.iter().any(|t| t == "H10"),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("合计行")), "{texts:?}");
    // the preview now shows the result
    let p = t
        .get_json(&tok, &format!("/api/v1/imports/{id}"), StatusCode::OK)
        .await;
    assert_eq!(p["status"], "imported");
    assert_eq!(p["result"]["inserted"], 4);
    // the audit chain holds
    let v = fenglai_app::audit::verify(&t.app).await.unwrap();
    assert!(
        matches!(v, fenglai_app::audit::Verdict::Intact { .. }),
        "{v:?}"
    );
    // one event per ledger row: the project's, holding the lead made for it
    let p3_id = p3["id"].as_i64().unwrap();
    let events = fenglai_app::audit::for_entity(&t.app, "project", p3_id)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].action, "import");
    let after: Value = serde_json::from_str(events[0].after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["project"]["id"], p3_id);
    assert_eq!(after["project"]["name"], p3["name"]);
    let lead_id = after["lead"]["id"].as_i64().unwrap();
    assert_eq!(after["lead"]["project_id"], p3_id);
    assert_eq!(after["lead"]["import_id"], json!(id));
    // the lead's page shows it
    let cookie = format!("fenglai_session={}", web_login(&t, "promoter").await);
    let (status, page) = t.page(&cookie, &format!("/leads/{lead_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"data-entity="project""#) && page.contains("台账导入（项目及其线索）"),
        "the lead page lists its project's import event"
    );
    // the monthly figures, added once for the import, equal a scan of the history
    let mut conn = t.db.acquire().await.unwrap();
    let sorted = crate::helpers::figures_sorted;
    let scope = fenglai_store::Scope::All;
    for day in [
        "2024-01-01",
        "2024-03-14",
        "2024-03-15",
        "2024-04-01",
        "2024-05-20",
        "2024-06-01",
        today.as_str(),
        "2099-01-01",
    ] {
        let fast = sorted(
            fenglai_store::stats::pipeline(&mut conn, day.parse().unwrap(), &scope)
                .await
                .unwrap(),
        );
        let slow = sorted(
            fenglai_store::stats::pipeline_raw(&mut conn, day.parse().unwrap(), &scope)
                .await
                .unwrap(),
        );
        assert_eq!(fast, slow, "as of {day}");
    }
    // the imported entries carry their leads' credit as the import wrote it
    t.assert_credit_in_step().await;
}
both!(
    messy_projects_import,
    messy_projects_preview_all_or_nothing_then_skip
);

async fn gbk_csv_leads(t: TestApp) {
    let tok = t.token("promoter").await;
    let (s, p) = upload(&t, &tok, "leads", "leads.csv", gbk_leads()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(
        (
            p["valid"].clone(),
            p["invalid"].clone(),
            p["skipped"].clone()
        ),
        (json!(7), json!(2), json!(1)),
        "{p}"
    );
    let errors = error_texts(&p);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("C10 统一社会信用代码："),
        "{errors:?}"
    );
    assert_eq!(errors[1], "H11 报送日期：报送日期不能晚于今天");
    let warnings = p["warnings"].to_string();
    assert!(warnings.contains("1 行的来源地名称未能对应"), "{warnings}");
    let id = p["id"].as_i64().unwrap();
    let r = commit(&t, &tok, id, json!({"skip_bad_rows": true}), StatusCode::OK).await;
    assert_eq!(r["inserted"], 7);
    let all = t
        .get_json(&tok, "/api/v1/leads?per_page=50", StatusCode::OK)
        .await;
    assert_eq!(all["total"], 7);
    let expect = [
        (
            "深圳博远智能装备有限公司",
            150_000_000i64,
            "2024-03-15",
            Some("440300"),
        ),
        (
            "苏州华芯微电子科技有限公司",
            30_000_000,
            "2024-03-15",
            Some("320500"),
        ),
        (
            "上海光启新材料有限公司",
            8_000_000,
            "2024-03-01",
            Some("310000"),
        ),
        (
            "杭州云海数字科技有限公司",
            12_000_000,
            "2024-03-15",
            Some("330100"),
        ),
        (
            "宁波长风汽车零部件有限公司",
            25_000_000,
            "2024-03-15",
            Some("330200"),
        ),
        ("厦门金桥食品有限公司", 1_000_000, "2024-03-01", None),
        (
            "广州远景生物医药有限公司",
            3_000_000,
            "2024-03-15",
            Some("440100"),
        ),
    ];
    for (name, yuan, date, region) in expect {
        let l = by_name(&all, name);
        assert_eq!(l["planned_investment_yuan"], yuan, "{name}");
        assert_eq!(l["reported_date"], date, "{name}");
        assert_eq!(l["region_code"].as_str(), region, "{name}");
        assert_eq!(l["status"], "pending_review");
        assert_eq!(l["reporting_unit_name"], "凤城市投资促进局");
    }
    let l = by_name(&all, "深圳博远智能装备有限公司");
    assert_eq!(l["land_mu"], 120.5);
    assert_eq!(l["channel"], "enterprise_referral");
    assert_eq!(l["contact_name"], "张伟");
    assert_eq!(l["industry_code"], "3982");
    // imported leads carry the search and duplicate-detection keys like reported ones
    let mut c = t.db.acquire().await.unwrap();
    let unkeyed = fenglai_store::sql::Sql::new(
        "SELECT COUNT(*) FROM leads WHERE name_key = '' OR name_norm = '' OR name_grams = ''",
    )
    .fetch_i64(&mut c)
    .await
    .unwrap();
    assert_eq!(unkeyed, 0);
}
both!(gbk_csv_lead_import, gbk_csv_leads);

async fn mapping_is_changed_in_the_preview(t: TestApp) {
    let tok = t.token("promoter").await;
    // "客户" is no header Fenglai knows: the required 企业名称 is missing
    let csv = "序号,客户,计划投资(亿元),联系人,报送日期\n1,甲科技有限公司,1.5,王,2024-01-02\n2,乙科技有限公司,2,李,2024-01-03\n";
    let (s, p) = upload(&t, &tok, "leads", "l.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert!(
        p["mapping_error"].as_str().unwrap().contains("企业名称"),
        "{p}"
    );
    let id = p["id"].as_i64().unwrap();
    // importing is refused until it is mapped
    commit(&t, &tok, id, json!({}), StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = t
        .client
        .put(t.url(&format!("/api/v1/imports/{id}/mapping")))
        .bearer_auth(&tok)
        .json(&json!({"columns": [{"col": 1, "field": "company_name"}, {"col": 2, "field": "planned_investment_yuan", "unit": "万元"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["mapping_error"], Value::Null, "{p}");
    assert_eq!(p["valid"], 2);
    // an unknown field is refused, naming it
    let r = t
        .client
        .put(t.url(&format!("/api/v1/imports/{id}/mapping")))
        .bearer_auth(&tok)
        .json(&json!({"columns": [{"col": 3, "field": "shoe_size"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("shoe_size"));
    commit(&t, &tok, id, json!({}), StatusCode::OK).await;
    let all = t.get_json(&tok, "/api/v1/leads", StatusCode::OK).await;
    // the user's unit applies: 1.5 in a column now read as 万元
    assert_eq!(
        by_name(&all, "甲科技有限公司")["planned_investment_yuan"],
        15_000i64
    );
}
both!(mapping_change, mapping_is_changed_in_the_preview);

/// A workbook of three worksheets: 填表说明 (notes only), 线索 (two leads) and 汇总 (one).
fn three_sheet_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("填表说明").unwrap();
    notes
        .write_string(0, 0, "请按模板填写，金额单位为万元")
        .unwrap();
    notes
        .write_string(1, 0, "报送日期写成2024年3月15日亦可")
        .unwrap();
    for (name, rows) in [
        (
            "线索",
            &[("甲科技有限公司", 100.0), ("乙科技有限公司", 200.0)][..],
        ),
        ("汇总", &[("丙科技有限公司", 300.0)][..]),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (c, h) in ["企业名称", "计划投资(万元)", "报送日期"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (company, amount)) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, *company).unwrap();
            ws.write_number(r, 1, *amount).unwrap();
            ws.write_string(r, 2, "2024-03-15").unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn a_worksheet_is_chosen(t: TestApp) {
    let tok = t.token("promoter").await;
    let (s, p) = upload(&t, &tok, "leads", "book.xlsx", three_sheet_workbook()).await;
    // the notes sheet is passed over: the first one with a header is read
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["sheet"], "线索");
    assert_eq!(p["sheets"], json!(["填表说明", "线索", "汇总"]));
    assert_eq!(p["valid"], 2);
    let id = p["id"].as_i64().unwrap();
    let put = |body: Value| {
        let t = &t;
        let tok = &tok;
        async move {
            let r = t
                .client
                .put(t.url(&format!("/api/v1/imports/{id}/mapping")))
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    // an unknown worksheet: refused, naming the ones there are
    let (s, e) = put(json!({"sheet": "不存在"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["field"], "sheet");
    assert_eq!(
        e["error"]["message"],
        "“book.xlsx”中没有名为“不存在”的工作表（有：填表说明、线索、汇总）"
    );
    // a worksheet without a header: refused, saying which
    let (s, e) = put(json!({"sheet": "填表说明"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("工作表“填表说明”："),
        "{e}"
    );
    // the choice is unchanged by refusals
    let p = t
        .get_json(&tok, &format!("/api/v1/imports/{id}"), StatusCode::OK)
        .await;
    assert_eq!(p["sheet"], "线索");
    // another worksheet: mapped anew, kept for the import
    let (s, p) = put(json!({"sheet": "汇总"})).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["sheet"].clone(), p["valid"].clone()),
        (json!("汇总"), json!(1))
    );
    // the page offers the worksheets
    let cookie = format!("fenglai_session={}", web_login(&t, "promoter").await);
    let (status, html) = t.page(&cookie, &format!("/imports/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"<option value="汇总" selected>"#) && html.contains("换工作表"),
        "{html}"
    );
    let r = commit(&t, &tok, id, json!({}), StatusCode::OK).await;
    assert_eq!(r["inserted"], 1);
    let all = t
        .get_json(&tok, "/api/v1/leads?q=丙科技", StatusCode::OK)
        .await;
    assert_eq!(all["total"], 1, "{all}");
}
both!(worksheet_choice, a_worksheet_is_chosen);

async fn bad_files_are_refused_in_chinese(t: TestApp) {
    let tok = t.token("promoter").await;
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (Vec::new(), "a.xlsx", "是空的"),
        (
            vec![0, 1, 2, 3, 0, 0, 7, 200, 13, 0, 0, 9],
            "a.pdf",
            "不是 Excel 或 CSV 文件",
        ),
        (
            b"PK\x03\x04garbage that is no zip".to_vec(),
            "a.xlsx",
            "无法打开 Excel 文件",
        ),
        (
            "甲,乙,丙\n1,2,3\n".as_bytes().to_vec(),
            "a.csv",
            "没有找到表头",
        ),
        ("\n\n".as_bytes().to_vec(), "a.csv", "没有数据"),
    ];
    for (body, name, want) in cases {
        let (s, v) = upload(&t, &tok, "leads", name, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name} {v}");
        assert_eq!(v["error"]["field"], "file", "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(want),
            "{want}: {v}"
        );
    }
    let (s, v) = upload(&t, &tok, "cats", "a.csv", b"x".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "kind");
}
both!(bad_files, bad_files_are_refused_in_chinese);

async fn permissions_and_scope(t: TestApp) {
    let csv = "企业名称,计划投资(万元),报送单位\n甲科技有限公司,100,凤城市投资促进局\n乙科技有限公司,200,临江县投资促进中心\n";
    // a leader reports no leads, and so imports none
    let leader = t.token("leader").await;
    let (s, v) = upload(&t, &leader, "leads", "l.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("导入线索台账"));
    // an informant may not import projects
    let informant = t.token("informant").await;
    let (s, _) = upload(&t, &informant, "projects", "p.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // a county promoter may not import in the name of a city unit
    let county = t.token("promoter2").await;
    let (s, p) = upload(&t, &county, "leads", "l.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["valid"], 1);
    assert_eq!(
        p["errors"][0]["text"],
        "C2 报送单位：无权以“凤城市投资促进局”的名义导入（不在您的管辖范围内）"
    );
    let id = p["id"].as_i64().unwrap();
    // nor choose it as the import's unit
    let city = t.unit_id("凤城市投资促进局").await;
    let v = commit(
        &t,
        &county,
        id,
        json!({"skip_bad_rows": true, "unit_id": city}),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("不在您的管辖范围内"));
    // someone else's upload does not exist for them
    let promoter = t.token("promoter").await;
    t.get_json(
        &promoter,
        &format!("/api/v1/imports/{id}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    commit(&t, &promoter, id, json!({}), StatusCode::NOT_FOUND).await;
    // the county's own row goes in, under its own unit
    commit(
        &t,
        &county,
        id,
        json!({"skip_bad_rows": true}),
        StatusCode::OK,
    )
    .await;
    let mine = t.get_json(&county, "/api/v1/leads", StatusCode::OK).await;
    assert_eq!(mine["total"], 1);
    assert_eq!(
        mine["items"][0]["reporting_unit_name"],
        "临江县投资促进中心"
    );
    // without a token
    let r = t
        .client
        .post(t.url("/api/v1/imports?kind=leads"))
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
both!(import_permissions, permissions_and_scope);

fn records(bytes: &[u8], kind: Kind) -> Vec<Record> {
    let (_, _, rows) = read_ledger(bytes, "export.xlsx", kind).unwrap();
    let mut out: Vec<Record> = rows
        .iter()
        .map(|r| r.record().expect("every exported row reads back").clone())
        .collect();
    out.sort_by(|a, b| (&a.project_name, &a.company_name).cmp(&(&b.project_name, &b.company_name)));
    out
}

async fn export_then_import_reproduces_the_data(t: TestApp) {
    let tok = t.token("promoter").await;
    // projects: messy ledger in, export, export imported again, export again
    let (_, p) = upload(&t, &tok, "projects", "p.xlsx", messy_projects()).await;
    let id = p["id"].as_i64().unwrap();
    commit(&t, &tok, id, json!({"skip_bad_rows": true}), StatusCode::OK).await;
    // the lead created through the API is exported too, with its fields
    t.lead(&tok, json!({"company_name": "接口报送科技有限公司", "planned_investment_yuan": 123_456_789_012i64,
        "uscc": USCC, "industry_code": "3982", "region_code": "320500", "land_mu": 12.34, "expected_jobs": 50,
        "channel": "event", "reported_date": "2024-05-06", "contact_name": "赵六", "description": "研发中心"})).await;
    let r = t.get(&tok, "/api/v1/projects/export.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let first = r.bytes().await.unwrap().to_vec();
    let a = records(&first, Kind::Projects);
    assert_eq!(a.len(), 4);
    let hx = a
        .iter()
        .find(|r| r.project_name.as_deref() == Some("华芯封测基地项目"))
        .unwrap();
    assert_eq!(hx.planned_investment.unwrap().0, 1_280_000_000);
    assert_eq!(hx.contract_amount.unwrap().0, 500_000_000);
    let bo = a
        .iter()
        .find(|r| r.project_name.as_deref() == Some("博远智能装备产业园"))
        .unwrap();
    assert_eq!(
        bo.remarks.as_deref(),
        Some("重点跟踪"),
        "kept and written back"
    );
    let (s, p) = upload(&t, &tok, "projects", "export.xlsx", first.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        (p["valid"].clone(), p["invalid"].clone()),
        (json!(4), json!(0)),
        "{p}"
    );
    t.post_json(
        &tok,
        &format!("/api/v1/imports/{}/commit", p["id"]),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let second = t
        .get(&tok, "/api/v1/projects/export.xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let b = records(&second, Kind::Projects);
    assert_eq!(b.len(), 8);
    let mut doubled: Vec<Record> = a.iter().flat_map(|r| [r.clone(), r.clone()]).collect();
    doubled.sort_by(|a, b| {
        (&a.project_name, &a.company_name).cmp(&(&b.project_name, &b.company_name))
    });
    assert_eq!(
        b, doubled,
        "the re-imported projects equal the originals field for field"
    );
    // filters apply to the export: 1 signed project twice
    let only = t
        .get(&tok, "/api/v1/projects/export.xlsx?stage=signed")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(records(&only, Kind::Projects).len(), 2);

    // leads: export (the API lead among them), import into a fresh unit's view, compare
    let first = t
        .get(&tok, "/api/v1/leads/export.xlsx?status=pending_review")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let a = records(&first, Kind::Leads);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].planned_investment.unwrap().0, 123_456_789_012);
    assert_eq!(a[0].land.unwrap().0, 1234);
    let (s, p) = upload(&t, &tok, "leads", "leads.xlsx", first).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(p["valid"], 1, "{p}");
    t.post_json(
        &tok,
        &format!("/api/v1/imports/{}/commit", p["id"]),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let second = t
        .get(&tok, "/api/v1/leads/export.xlsx?status=pending_review")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let b = records(&second, Kind::Leads);
    assert_eq!(b, vec![a[0].clone(), a[0].clone()]);
    // the re-imported lead is queued as a likely duplicate of the one it was exported from
    let queue = t.get_json(&tok, "/api/v1/duplicates", StatusCode::OK).await;
    let pairs = queue.as_array().unwrap();
    assert!(
        pairs.iter().any(|p| p["lead_name"] == p["other_name"]
            && p["reasons"].as_str().unwrap().contains("企业名称相同")),
        "{queue}"
    );
    // a county user's export holds only their scope
    let county = t.token("promoter2").await;
    let theirs = t
        .get(&county, "/api/v1/leads/export.xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(records(&theirs, Kind::Leads).len(), 0);
}
both!(export_round_trip, export_then_import_reproduces_the_data);

async fn openapi_documents_imports(t: TestApp) {
    let tok = t.token("promoter").await;
    let doc = t
        .get_json(&tok, "/api/v1/openapi.json", StatusCode::OK)
        .await;
    for path in [
        "/api/v1/imports",
        "/api/v1/imports/{id}",
        "/api/v1/imports/{id}/mapping",
        "/api/v1/imports/{id}/commit",
        "/api/v1/imports/{id}/errors.xlsx",
        "/api/v1/leads/export.xlsx",
        "/api/v1/projects/export.xlsx",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    // each answer described by its own schema: the ledger preview and the merge preview,
    // once both filed as `Preview`, are told apart
    let schemas = &doc["components"]["schemas"];
    let body = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            ["$ref"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        body("/api/v1/imports", "post", "201"),
        "#/components/schemas/ImportPreview"
    );
    assert_eq!(
        body("/api/v1/leads/{id}/merge-preview", "get", "200"),
        "#/components/schemas/MergePreview"
    );
    for (schema, field) in [
        ("ImportPreview", "sheets"),
        ("MergePreview", "survivor"),
        ("StallRuleInput", "code"),
        ("RedlineRuleInput", "keywords"),
        ("MonthlyImportSummary", "months"),
    ] {
        assert!(
            schemas[schema]["properties"][field].is_object(),
            "{schema} lacks {field}: {}",
            schemas[schema]
        );
    }
    assert!(schemas.get("Preview").is_none() && schemas.get("RuleInput").is_none());
    let stall = &doc["paths"]["/api/v1/stall-rules"]["put"]["requestBody"]["content"]
        ["application/json"]["schema"]["$ref"];
    assert_eq!(stall, "#/components/schemas/StallRuleInput");
}
both!(openapi_imports, openapi_documents_imports);

fn multipart(boundary: &str, csrf: &str, kind: &str, name: &str, file: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in [("csrf", csrf), ("kind", kind)] {
        b.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    b.extend(file);
    b.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    b
}

async fn import_pages(t: TestApp) {
    let s = web_login(&t, "promoter").await;
    let cookie = format!("fenglai_session={s}");
    let html = t
        .client
        .get(t.url("/imports/new?kind=projects"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let list = t
        .client
        .get(t.url("/projects"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("导出Excel") && list.contains("/projects/export.xlsx"),
        "{list}"
    );
    let post = |body: Vec<u8>| {
        t.client
            .post(t.url("/imports"))
            .header("cookie", &cookie)
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
    };
    // a file that is not a ledger is explained on the form
    let r = post(multipart(
        "XyZ",
        &csrf,
        "projects",
        "x.csv",
        "甲,乙\n1,2\n".as_bytes(),
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("没有找到表头"));
    // without the CSRF token nothing is kept
    let r = post(multipart(
        "XyZ",
        "",
        "projects",
        "p.xlsx",
        &messy_projects(),
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(multipart(
        "XyZ",
        &csrf,
        "projects",
        "重点项目.xlsx",
        &messy_projects(),
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let html = t
        .client
        .get(t.url(&at))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("4</b> 行可导入") && html.contains("class=\"bad\""),
        "{html}"
    );
    assert!(html.contains("E9 总投资：无法识别的金额“约一个亿”"));
    // change what column L holds (备注 → 不导入), keep the rest
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
    for (col, field, unit) in [
        (1, "project_name", ""),
        (2, "company_name", ""),
        (3, "uscc", ""),
        (4, "planned_investment_yuan", "亿元"),
        (5, "contracted_investment_yuan", "万元"),
        (6, "stage", ""),
        (7, "signed_date", ""),
        (8, "started_date", ""),
        (9, "park", ""),
        (10, "reported_date", ""),
        (11, "", ""),
    ] {
        form.push((format!("field_{col}"), field.into()));
        if !unit.is_empty() {
            form.push((format!("unit_{col}"), unit.into()));
        }
    }
    let r = t
        .client
        .post(t.url(&format!("{at}/mapping")))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // all-or-nothing refuses, on the page
    let r = t
        .client
        .post(t.url(&format!("{at}/commit")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("未导入任何数据"));
    let r = t
        .client
        .post(t.url(&format!("{at}/commit")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("skip_bad_rows", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = t
        .client
        .get(t.url(&at))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("导入完成：已写入 <b>4</b> 条项目") && html.contains("errors.xlsx"),
        "{html}"
    );
    let r = t
        .client
        .get(t.url(&format!("{at}/errors.xlsx")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));
    let r = t
        .client
        .get(t.url("/projects/export.xlsx?stage=signed"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(records(&r.bytes().await.unwrap(), Kind::Projects).len(), 1);
    // 备注 was not imported this time
    let all = t
        .get(&t.token("promoter").await, "/api/v1/projects/export.xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(records(&all, Kind::Projects)
        .iter()
        .all(|r| r.remarks.is_none()));
}
both!(import_web_pages, import_pages);

/// The import page's reporting-unit picker: rows without a 报送单位 column are reported as
/// the unit chosen, which must lie in the importer's scope.
async fn import_unit_picker(t: TestApp) {
    use crate::helpers::csrf_in;
    let cookie = format!("fenglai_session={}", web_login(&t, "promoter2").await);
    let (_, html) = t.page(&cookie, "/imports/new?kind=leads").await;
    let csrf = csrf_in(&html);
    let csv = "企业名称,报送日期\n临江选单位食品有限公司,2024-03-01\n".as_bytes();
    let r = t
        .client
        .post(t.url("/imports"))
        .header("cookie", &cookie)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(multipart("XyZ", &csrf, "leads", "县台账.csv", csv))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let at = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = t.page(&cookie, &at).await;
    let park = t.unit_id("临江工业园区").await;
    let city_park = t.unit_id("凤城经济技术开发区").await;
    // the county's units are offered, the city's park is not
    assert!(
        html.contains(&format!("<option value=\"{park}\">临江工业园区</option>")),
        "{html}"
    );
    assert!(!html.contains(&format!("<option value=\"{city_park}\">")));
    // a unit outside the county is refused with a message, and nothing is written
    let commit = format!("{at}/commit");
    let r = t
        .form(
            &cookie,
            &commit,
            &[("csrf", &csrf), ("unit_id", &city_park.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("管辖范围"));
    let r = t
        .form(&cookie, &commit, &[("csrf", &csrf), ("unit_id", "x")])
        .await;
    assert!(r.text().await.unwrap().contains("报送单位选择有误"));
    let r = t
        .form(
            &cookie,
            &commit,
            &[("csrf", &csrf), ("unit_id", &park.to_string())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let tok = t.token("promoter2").await;
    let l = t
        .get_json(&tok, "/api/v1/leads?q=临江选单位", StatusCode::OK)
        .await;
    assert_eq!(l["items"][0]["reporting_unit_name"], "临江工业园区", "{l}");
}
both!(reporting_unit_picker, import_unit_picker);

/// The likely duplicates of an import's rows go on the 疑似重复 queue: against the leads
/// before it (a merged one left out) and among its own rows, by credit code, name and
/// name key, each pair once, earlier lead first.
async fn import_lookalikes(t: TestApp) {
    let tok = t.token("promoter").await;
    let old = t
        .lead(&tok, json!({"company_name": "苏州启明光电科技有限公司"}))
        .await;
    let by_code = t
        .lead(
            &tok,
            json!({"company_name": "另名材料有限公司", "uscc": USCC}),
        )
        .await;
    let merged = t
        .lead(&tok, json!({"company_name": "苏州启明光电科技有限公司"}))
        .await;
    t.merge(&tok, old, merged).await;
    let csv = format!(
        "企业名称,统一社会信用代码,报送日期\n\
         启明光电科技（苏州）有限公司,,2024-03-15\n\
         同码不同名有限公司,{USCC},2024-03-15\n\
         无关联食品有限公司,,2024-03-15\n\
         苏州启明光电科技有限公司,,2024-03-16\n"
    );
    let (s, p) = upload(&t, &tok, "leads", "dups.csv", csv.into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let r = t
        .post_json(
            &tok,
            &format!("/api/v1/imports/{}/commit", p["id"]),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(r["inserted"], 4);
    let all = t
        .get_json(&tok, "/api/v1/leads?per_page=50", StatusCode::OK)
        .await;
    // the newest lead of that name (the first was reported before the import)
    let id = |name: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["company_name"] == name)
            .map(|l| l["id"].as_i64().unwrap())
            .max()
            .unwrap()
    };
    let (n1, n2, n4) = (
        id("启明光电科技（苏州）有限公司"),
        id("同码不同名有限公司"),
        id("苏州启明光电科技有限公司"),
    );
    let (queue, mut pairs) = t.duplicate_pairs(&tok).await;
    pairs.retain(|&(_, new)| new >= n1);
    pairs.sort_unstable();
    assert_eq!(
        pairs,
        vec![(old, n1), (old, n4), (by_code, n2), (n1, n4)],
        "{queue}"
    );
}
both!(import_queues_lookalikes, import_lookalikes);

/// A ledger of a thousand projects under way (three stage entries each) is written whole:
/// the multi-row inserts stay within SQLite's limit of parameters in one statement.
async fn a_thousand_projects(t: TestApp) {
    let tok = t.token("promoter").await;
    let csv = ledger(
        "项目名称,项目单位,项目进展,签约日期,开工日期,报送日期",
        1000,
        |i| {
            format!("批量{i}号项目,批量{i}号精密制造有限公司,在建,2024-01-02,2024-03-01,2023-12-01")
        },
    );
    import_csv(&t, &tok, "千行台账.csv", csv, 1000).await;
    let ps = t
        .get_json(
            &tok,
            "/api/v1/projects?stage=started&per_page=1",
            StatusCode::OK,
        )
        .await;
    assert_eq!(ps["total"], 1000, "{ps}");
    t.assert_credit_in_step().await;
}
both!(a_thousand_project_rows_import_whole, a_thousand_projects);

/// Every secondary index of the database, as `name: definition` lines in name order (on
/// PostgreSQL, from `pg_indexes`).
async fn index_definitions(t: &TestApp) -> String {
    let sql = match t.db.backend() {
        fenglai_store::Backend::Sqlite => {
            "SELECT COALESCE(group_concat(d, char(10)), '') FROM (SELECT name || ': ' || sql AS d \
             FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)"
        }
        fenglai_store::Backend::Postgres => {
            "SELECT COALESCE(string_agg(indexname || ': ' || indexdef, chr(10) ORDER BY indexname), '') \
             FROM pg_indexes WHERE schemaname = current_schema()"
        }
    };
    let mut c = t.db.acquire().await.unwrap();
    let (defs,): (String,) = fenglai_store::sql::Sql::new(sql)
        .fetch_one(&mut c)
        .await
        .unwrap();
    defs
}

/// Setting a table's indexes aside for a bulk load: only for a table about to receive at
/// least the threshold and at least as many rows as it holds; a rollback brings them all
/// back, and so does building them again before the commit.
async fn indexes_set_aside_and_rebuilt(t: TestApp) {
    use fenglai_store::ledgers::{rebuild_indexes, set_aside_indexes};
    let backend = t.db.backend();
    let sqlite = backend == fenglai_store::Backend::Sqlite;
    // the seeded organisation has users and units but no leads or projects yet
    let tok = t.token("promoter").await;
    t.lead(&tok, json!({"company_name": "苏州某某精密制造有限公司"}))
        .await;
    if sqlite {
        // a unique index stays; planner statistics are gathered again after the rebuild
        t.raw_sql("CREATE UNIQUE INDEX leads_test_unique ON leads(id, company_name)")
            .await;
        t.raw_sql("ANALYZE leads").await;
    }
    let stats = || async {
        if !sqlite {
            return String::new();
        }
        let mut c = t.db.acquire().await.unwrap();
        let (s,): (String,) = fenglai_store::sql::Sql::new(
            "SELECT COALESCE(group_concat(d, ' '), '') FROM (SELECT idx || '=' || stat AS d \
             FROM sqlite_stat1 WHERE tbl = 'leads' ORDER BY idx)",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        s
    };
    let before_stats = stats().await;
    let before = index_definitions(&t).await;
    assert!(before.contains("leads_name_key"), "{before}");
    let mut tx = t.db.begin_write().await.unwrap();
    let none = set_aside_indexes(&mut tx, &[("leads", 99)], 100)
        .await
        .unwrap();
    assert!(none.is_empty(), "below the threshold: {:?}", none.names());
    let aside = set_aside_indexes(&mut tx, &[("leads", 100), ("units", 1)], 100)
        .await
        .unwrap();
    if backend == fenglai_store::Backend::Sqlite {
        let names = aside.names();
        assert_eq!(names.len(), 17, "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("leads_")), "{names:?}");
        assert!(
            names.contains(&"leads_admitted_credit"),
            "partial indexes too: {names:?}"
        );
        // the page cache raised for 100 rows is not lowered for a table receiving fewer
        let more = set_aside_indexes(&mut tx, &[("projects", 50)], 10)
            .await
            .unwrap();
        assert!(more.names().iter().all(|n| n.starts_with("projects_")));
        let cache = fenglai_store::sql::Sql::new("PRAGMA cache_size")
            .fetch_i64(&mut tx)
            .await
            .unwrap();
        assert_eq!(cache, -(65_536 + 4 * 100));
    } else {
        assert!(aside.is_empty(), "PostgreSQL keeps its indexes");
    }
    tx.rollback().await.unwrap();
    assert_eq!(
        index_definitions(&t).await,
        before,
        "a rollback restores them"
    );

    let mut tx = t.db.begin_write().await.unwrap();
    let aside = set_aside_indexes(&mut tx, &[("leads", 1), ("projects", 5)], 1)
        .await
        .unwrap();
    if backend == fenglai_store::Backend::Sqlite {
        assert!(!aside.is_empty());
        let gone = index_definitions(&t).await;
        assert_eq!(
            gone, before,
            "other connections read the committed schema meanwhile"
        );
    }
    rebuild_indexes(&mut tx, aside).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        index_definitions(&t).await,
        before,
        "built again as they were"
    );
    assert_eq!(t.db.integrity().await.unwrap(), "ok");
    assert_eq!(stats().await, before_stats, "statistics gathered again");
    if sqlite {
        assert!(
            before_stats.contains("leads_admitted_credit="),
            "{before_stats}"
        );
    }
}
both!(bulk_index_set_aside, indexes_set_aside_and_rebuilt);

/// A ledger as large as the bulk threshold, loaded into a new system: the tables' indexes
/// are set aside and built again, and afterwards every index is there as defined, agrees
/// with its table (integrity check), and serves the lists and their totals — also on
/// connections that had prepared their statements before the schema changed; the
/// settings the load changed (SQLite's page cache, PostgreSQL's plan caching) are back.
async fn a_bulk_ledger(t: TestApp) {
    let tok = t.token("promoter").await;
    let rows = fenglai_store::ledgers::BULK_ROWS;
    // lists read before the import, so that pooled connections hold prepared statements
    let empty = t
        .get_json(&tok, "/api/v1/projects?per_page=1", StatusCode::OK)
        .await;
    assert_eq!(empty["total"], 0, "{empty}");
    let sqlite = t.db.backend() == fenglai_store::Backend::Sqlite;
    if sqlite {
        // statistics gathered while the tables were empty
        t.raw_sql("ANALYZE").await;
    }
    let before = index_definitions(&t).await;
    let csv = ledger(
        "项目名称,项目单位,项目进展,签约日期,开工日期,报送日期,总投资(万元)",
        rows,
        |i| {
            let stage = if i % 5 == 0 { "洽谈中" } else { "在建" };
            format!(
                "批量{i}号项目,批量{i}号精密制造有限公司,{stage},2024-01-02,2024-03-01,2023-12-{:02},{}",
                1 + i % 28,
                100 + i % 7
            )
        },
    );
    import_csv(&t, &tok, "大台账.csv", csv, rows).await;
    if sqlite {
        // gathered again for the loaded tables: they count the new rows
        let mut c = t.db.acquire().await.unwrap();
        let (stat,): (String,) = fenglai_store::sql::Sql::new(
            "SELECT COALESCE(MAX(stat), '') FROM sqlite_stat1 WHERE idx = 'leads_name_key'",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        let counted: i64 = stat.split(' ').next().unwrap_or("").parse().unwrap_or(0);
        assert!(counted >= 1000, "leads_name_key statistics: {stat:?}");
        // put back by a task of its own just after the answer
        let mut cache = 0;
        for _ in 0..50 {
            let mut w = t.db.begin_write().await.unwrap();
            cache = fenglai_store::sql::Sql::new("PRAGMA cache_size")
                .fetch_i64(&mut w)
                .await
                .unwrap();
            drop(w);
            if cache == -65536 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(cache, -65536, "the writer's page cache is back to 64 MiB");
    } else {
        // the import cached its plans for its own transaction only: every pooled
        // connection, the import's among them, still plans each execution
        let mut held = Vec::new();
        for _ in 0..t.db.pool().size() {
            let mut c = t.db.acquire().await.unwrap();
            let (mode,): (String,) = fenglai_store::sql::Sql::new("SHOW plan_cache_mode")
                .fetch_one(&mut c)
                .await
                .unwrap();
            assert_eq!(mode, "force_custom_plan");
            held.push(c);
        }
    }
    assert_eq!(
        index_definitions(&t).await,
        before,
        "every index built again as defined"
    );
    assert_eq!(t.db.integrity().await.unwrap(), "ok");
    let total = |path: &'static str| {
        let (t, tok) = (&t, &tok);
        async move { t.get_json(tok, path, StatusCode::OK).await["total"].clone() }
    };
    let started = total("/api/v1/projects?stage=started&per_page=1").await;
    assert_eq!(started, rows - rows / 5);
    let talks = total("/api/v1/projects?stage=negotiating&per_page=1").await;
    assert_eq!(talks, rows / 5);
    let leads = t
        .get_json(
            &tok,
            "/api/v1/leads?q=批量4321号&per_page=5",
            StatusCode::OK,
        )
        .await;
    assert_eq!(leads["total"], 1, "{leads}");
    assert_eq!(
        leads["items"][0]["company_name"], "批量4321号精密制造有限公司",
        "{leads}"
    );
    t.assert_credit_in_step().await;
    // and the next, small import goes the ordinary way on the rebuilt indexes
    let csv = "项目名称,项目单位,项目进展,签约日期,报送日期\n又一个项目,又一家精密制造有限公司,已签约,2024-05-06,2024-05-01\n";
    import_csv(&t, &tok, "小台账.csv", csv.into(), 1).await;
    assert_eq!(index_definitions(&t).await, before);
    assert_eq!(t.db.integrity().await.unwrap(), "ok");
}
both!(bulk_ledger_rebuilds_indexes, a_bulk_ledger);

/// A CSV ledger: the header, then `rows` lines made by `row` from the row's index.
fn ledger(header: &str, rows: usize, row: impl Fn(usize) -> String) -> String {
    let mut csv = format!("{header}\n");
    for i in 0..rows {
        csv.push_str(&row(i));
        csv.push('\n');
    }
    csv
}

/// Uploads a project ledger in CSV, expects every one of its `rows` rows valid, commits it
/// and expects them all inserted.
async fn import_csv(t: &TestApp, tok: &str, name: &str, csv: String, rows: usize) {
    let p = upload_csv(t, tok, ("projects", name), csv, (rows, 0)).await;
    let id = p["id"].as_i64().unwrap();
    let r = commit(t, tok, id, json!({}), StatusCode::OK).await;
    assert_eq!(r["inserted"], rows, "{r}");
}

/// The leads in `fenglai.db` alone, without its write-ahead log: a copy of the file opened
/// on its own; none while the copy cannot be read (taken before the schema reached the
/// file, or torn by a checkpoint writing it meanwhile).
async fn leads_in_file_alone(dir: &std::path::Path) -> i64 {
    let copy = std::env::temp_dir().join(crate::helpers::random_name("fenglai_file_alone"));
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(dir.join("fenglai.db"), copy.join("fenglai.db")).unwrap();
    let mut n = 0;
    // opening a torn copy can fail too (its header read mid-write)
    if let Ok(db) = fenglai_store::Db::open_sqlite_dir(&copy).await {
        if let Ok(mut c) = db.acquire().await {
            n = fenglai_store::sql::Sql::new("SELECT COUNT(*) FROM leads")
                .fetch_i64(&mut c)
                .await
                .unwrap_or(0);
        }
        db.close().await;
    }
    std::fs::remove_dir_all(&copy).ok();
    n
}

/// On SQLite a commit does not wait to copy the write-ahead log into the database file: a
/// background checkpoint does it within moments, and closing the database copies the rest,
/// so that `fenglai.db` on its own then holds every committed write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_reaches_the_database_file() {
    let t = crate::helpers::spawn(crate::helpers::Backend::Sqlite).await;
    let dir = t.dir.clone().unwrap();
    let tok = t.token("promoter").await;
    let csv = ledger(
        "项目名称,项目单位,项目进展,签约日期,报送日期",
        300,
        |i| format!("日志{i}号项目,日志{i}号新材料有限公司,已签约,2024-05-06,2024-05-01"),
    );
    import_csv(&t, &tok, "日志台账.csv", csv, 300).await;
    let mut waited = 0;
    while leads_in_file_alone(&dir).await < 300 {
        assert!(
            waited < 100,
            "the background checkpoint never copied the import"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    // a write after that, then closing: the file alone has it at once
    t.lead(
        &tok,
        json!({"company_name": "关闭前新报的精密制造有限公司"}),
    )
    .await;
    t.db.close().await;
    assert_eq!(leads_in_file_alone(&dir).await, 301);
    t.db.close().await; // twice is harmless
}

/// A ledger large enough to be checked in parts on several cores reports exactly what one
/// checked row by row would: its bad rows in row order with their cells, the unmatched
/// industry names counted over every part, and the good rows in file order.
async fn a_ledger_checked_in_parts(t: TestApp) {
    let tok = t.token("promoter").await;
    let rows = 3000;
    let csv = ledger(
        "企业名称,所属行业,报送日期,总投资(万元)",
        rows,
        |i| {
            let (industry, date, amount) = match i {
                4 => ("未知行业甲", "2024-03-15", "约一个亿".to_string()),
                1600 => ("未知行业乙", "明年初", "100".to_string()),
                2999 => ("未知行业丙", "2024-03-15", "五千".to_string()),
                _ if i % 1000 == 7 => ("尚无此业", "2024-03-15", "100".to_string()),
                _ => ("", "2024-03-15", format!("{}", 100 + i)),
            };
            format!("分批{i}号精密制造有限公司,{industry},{date},{amount}")
        },
    );
    let p = upload_csv(&t, &tok, ("leads", "分批校验.csv"), csv, (2997, 3)).await;
    let errors = error_texts(&p);
    assert_eq!(
        errors,
        [
            "D6 总投资：无法识别的金额“约一个亿”",
            "C1602 报送日期：无法识别的日期“明年初”，请写作 2024-03-15",
            "D3001 总投资：无法识别的金额“五千”",
        ],
        "{p}"
    );
    let warnings = p["warnings"].to_string();
    assert!(warnings.contains("3 行的行业名称未能对应"), "{warnings}");
    let id = p["id"].as_i64().unwrap();
    let r = commit(&t, &tok, id, json!({"skip_bad_rows": true}), StatusCode::OK).await;
    assert_eq!(r["inserted"], 2997, "{r}");
    let first = t
        .get_json(
            &tok,
            "/api/v1/leads?q=分批5号精密&per_page=5",
            StatusCode::OK,
        )
        .await;
    let last = t
        .get_json(
            &tok,
            "/api/v1/leads?q=分批2998号精密&per_page=5",
            StatusCode::OK,
        )
        .await;
    let id_of = |v: &Value| v["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        id_of(&last) - id_of(&first),
        2998 - 5 - 1,
        "file order: one row between skipped"
    );
    assert_eq!(
        last["items"][0]["planned_investment_yuan"],
        (100 + 2998) * 10_000
    );
}
both!(ledger_checked_in_parts, a_ledger_checked_in_parts);

/// Once confirmed, an import is not undone by the caller hanging up (a closed tab, a
/// phone losing its signal): it runs to its commit, reading meanwhile as `importing` (a
/// second confirmation is answered at once with 409), and the upload then reads as
/// imported with every row there.
async fn a_caller_hangs_up(t: TestApp) {
    use tokio::io::AsyncWriteExt;
    let tok = t.token("promoter").await;
    let rows = 3000;
    let csv = ledger(
        "项目名称,项目单位,项目进展,签约日期,报送日期",
        rows,
        |i| format!("挂断{i}号项目,挂断{i}号精密制造有限公司,已签约,2024-01-02,2023-12-01"),
    );
    let p = upload_csv(&t, &tok, ("projects", "挂断.csv"), csv, (rows, 0)).await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["status"], "preview");
    // the whole request, written by hand on a connection that is dropped unanswered
    let mut caller = tokio::net::TcpStream::connect(t.addr).await.unwrap();
    let request = format!(
        "POST /api/v1/imports/{id}/commit HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {tok}\r\n\
         Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}",
        t.addr
    );
    caller.write_all(request.as_bytes()).await.unwrap();
    let status_now = || async {
        t.get_json(&tok, &format!("/api/v1/imports/{id}"), StatusCode::OK)
            .await["status"]
            .clone()
    };
    let mut status = status_now().await;
    for _ in 0..300 {
        if status != "preview" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        status = status_now().await;
    }
    assert_eq!(status, "importing", "under way, and said so");
    let again = t
        .post(&tok, &format!("/api/v1/imports/{id}/commit"), json!({}))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    drop(caller);
    for _ in 0..300 {
        if status == "imported" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = status_now().await;
    }
    assert_eq!(status, "imported");
    let ps = t
        .get_json(
            &tok,
            "/api/v1/projects?stage=signed&per_page=1",
            StatusCode::OK,
        )
        .await;
    assert_eq!(ps["total"], rows, "{ps}");
}
both!(an_import_outlives_its_caller, a_caller_hangs_up);

/// Uploads a ledger in CSV of `kind` ("leads" or "projects") named `name` and expects the
/// preview to count `(valid, invalid)` rows; the preview.
async fn upload_csv(
    t: &TestApp,
    tok: &str,
    (kind, name): (&str, &str),
    csv: String,
    (valid, invalid): (usize, usize),
) -> Value {
    let (s, p) = upload(t, tok, kind, name, csv.into_bytes()).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(
        (p["valid"].as_u64(), p["invalid"].as_u64()),
        (Some(valid as u64), Some(invalid as u64)),
        "{p}"
    );
    p
}

/// The texts of a preview's row errors, in order.
fn error_texts(p: &Value) -> Vec<&str> {
    p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect()
}

/// An .xlsx of two cells at opposite corners of the grid (A1 and XFD1048576): 2 KB that a
/// reader laying the sheet out densely would take as 17 billion cells.
fn corner_bomb() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "企业名称").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// A small .xlsx whose zip directory declares that `part` inflates to `size` bytes.
fn declaring(part: &str, size: u32) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "企业名称").unwrap();
    ws.write_string(1, 0, "华芯科技有限公司").unwrap();
    let mut bytes = book.save_to_buffer().unwrap();
    for i in 0..bytes.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &bytes[i..i + 4] {
            b"PK\x03\x04" => (i + 22, i + 26, i + 30),
            b"PK\x01\x02" => (i + 24, i + 28, i + 46),
            _ => continue,
        };
        let n = u16::from_le_bytes([bytes[name_len_at], bytes[name_len_at + 1]]) as usize;
        if bytes.get(name_at..name_at + n) == Some(part.as_bytes()) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
    bytes
}

/// The .xls fixture with its DIMENSIONS record claiming 16 million rows.
fn xls_dimension_bomb() -> Vec<u8> {
    let mut bytes = include_bytes!("../../../ledger/tests/data/project-ledger.xls").to_vec();
    // the record is 0x0200, length 14: first row, last row + 1 (u32), columns (u16)
    let at = bytes
        .windows(4)
        .position(|w| w == [0x00, 0x02, 0x0E, 0x00])
        .expect("a DIMENSIONS record");
    bytes[at + 8..at + 12].copy_from_slice(&0x0100_0000u32.to_le_bytes());
    bytes
}

/// Files made to exhaust the server, through every upload path (the import API and form
/// as an informant, the monthly figures as a promoter): each is refused with 422 naming
/// the limit it broke, and the server goes on answering.
async fn upload_bombs_are_refused(t: TestApp) {
    let bombs: Vec<(&str, Vec<u8>, &str)> = vec![
        ("corner.xlsx", corner_bomb(), "A1:XFD1048576"),
        (
            "strings.xlsx",
            declaring("xl/sharedStrings.xml", 1 << 30),
            "单个部件上限 256 MB",
        ),
        (
            "sheet.xlsx",
            declaring("xl/worksheets/sheet1.xml", 0xF000_0000),
            "单个部件上限",
        ),
        (
            "dimension.xls",
            xls_dimension_bomb(),
            "超出 Excel 的最大范围",
        ),
    ];
    let informant = t.token("informant").await;
    let promoter = t.token("promoter").await;
    let cookie = format!("fenglai_session={}", web_login(&t, "informant").await);
    let html = t
        .client
        .get(t.url("/imports/new?kind=leads"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::csrf_in(&html);
    let healthy = || async {
        let r = t.client.get(t.url("/healthz")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "the server still answers");
    };
    for (name, bytes, want) in bombs {
        let (s, v) = upload(&t, &informant, "leads", name, bytes.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert_eq!(v["error"]["field"], "file", "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(want), "{name}: {message}");
        healthy().await;

        let r = t
            .client
            .post(t.url("/imports"))
            .header("cookie", &cookie)
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(multipart("XyZ", &csrf, "leads", name, &bytes))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name} form");
        assert!(r.text().await.unwrap().contains(want), "{name} form");
        healthy().await;

        let r = t
            .client
            .post(t.url(&format!("/api/v1/monthly-imports?file_name={name}")))
            .bearer_auth(&promoter)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} monthly"
        );
        let v: Value = r.json().await.unwrap();
        assert!(
            v["error"]["message"].as_str().unwrap().contains(want),
            "{name} monthly: {v}"
        );
        healthy().await;
    }
}
both!(upload_bombs, upload_bombs_are_refused);
