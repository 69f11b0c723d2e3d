//! 产业链招商: link classification on a fixture, targeting (pipeline excluded, flagged first
//! when fit is equal), conversion to a lead tied to its link, the conversion figures and
//! "gap filled" as the project reaches production, and bad input everywhere.

use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A valid credit code registered in `region` with serial `n`.
pub fn uscc(region: &str, n: u32) -> String {
    let body = format!("91{region}{n:09}");
    let check = fenglai_domain::uscc::check_char(body.as_bytes()).unwrap();
    format!("{body}{check}")
}

/// A registry row: (name, region, industry, capital 万元, scope, flags, new branches, output 万元).
pub type RegRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    i64,
    &'a str,
    &'a str,
    i64,
    &'a str,
);

/// Imports registry rows.
pub async fn registry(t: &TestApp, rows: &[RegRow<'_>]) {
    let mut csv = String::from("统一社会信用代码,企业名称,地区代码,行业代码,注册资本（万元）,成立日期,经营范围,标签,新设分支机构,融资轮次,年产值（万元）,年税收（万元）\n");
    for (i, (name, region, code, cap, scope, flags, branches, output)) in rows.iter().enumerate() {
        let reg6 = if region.len() == 6 { *region } else { "310115" };
        csv.push_str(&format!(
            "{},{name},{region},{code},{cap},2015-03-20,{scope},{flags},{branches},0,{output},\n",
            uscc(reg6, 500 + i as u32)
        ));
    }
    let s = import(t, csv).await.unwrap();
    assert_eq!((s.written, s.bad), (rows.len() as u64, 0), "{:?}", s.errors);
}

async fn import(
    t: &TestApp,
    csv: String,
) -> Result<fenglai_app::ledgers::registry::ImportSummary, fenglai_app::Error> {
    let reader = std::io::Cursor::new(csv.into_bytes());
    fenglai_app::ledgers::registry::import(&t.app, None, reader, &|_, _| {}).await
}

async fn setup(t: &TestApp) -> (String, Value) {
    let admin = t.token("admin").await;
    let settings = t
        .get_json(&admin, "/api/v1/chain-settings", StatusCode::OK)
        .await;
    let mut s = settings.clone();
    s["home_region"] = json!("3411");
    t.put_json(&admin, "/api/v1/chain-settings", s, StatusCode::OK)
        .await;
    registry(
        t,
        &[
            // local: three cathode makers with 15亿 output → 强; one cell maker → 弱;
            // an R&D firm whose scope names 电解液 → 弱 by keyword; nothing in 隔膜 → 缺
            (
                "滁州甲正极材料有限公司",
                "341102",
                "2613",
                5000,
                "磷酸铁锂正极材料",
                "",
                0,
                "50000",
            ),
            (
                "滁州乙正极材料有限公司",
                "341103",
                "2613",
                5000,
                "三元材料",
                "",
                0,
                "50000",
            ),
            (
                "滁州丙正极材料有限公司",
                "341122",
                "2613",
                5000,
                "锰酸锂",
                "",
                0,
                "50000",
            ),
            (
                "滁州丁电池有限公司",
                "341102",
                "3841",
                800,
                "锂离子电池",
                "",
                0,
                "8000",
            ),
            (
                "滁州戊研究院有限公司",
                "341102",
                "7320",
                100,
                "电解液配方研究",
                "",
                0,
                "",
            ),
            // outside: cell makers of equal fit, one listed; a separator maker
            (
                "苏州恒芯电芯有限公司",
                "320500",
                "3841",
                500000,
                "动力电池电芯",
                "",
                3,
                "",
            ),
            (
                "深圳博能电池股份有限公司",
                "440300",
                "3841",
                100,
                "动力电池电芯",
                "上市",
                0,
                "",
            ),
            (
                "宁波宏膜隔膜有限公司",
                "330200",
                "2921",
                20000,
                "锂电池隔膜",
                "",
                0,
                "",
            ),
            (
                "东京某电池株式会社",
                "JP",
                "3842",
                30000,
                "镍氢电池",
                "世界500强",
                0,
                "",
            ),
        ],
    )
    .await;
    let promoter = t.token("promoter").await;
    let leader = fenglai_app::auth::actor_by_username(&t.app, "leader")
        .await
        .unwrap();
    let chain = t
        .post_json(
            &promoter,
            "/api/v1/chains",
            json!({"name": "新能源电池", "template": "新能源电池", "chief_user_id": leader.id()}),
            StatusCode::CREATED,
        )
        .await;
    (promoter, chain)
}

fn link<'a>(chain: &'a Value, name: &str) -> &'a Value {
    chain["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["link"]["name"] == name)
        .unwrap_or_else(|| panic!("link {name}"))
}

fn link_id(chain: &Value, name: &str) -> i64 {
    link(chain, name)["link"]["id"].as_i64().unwrap()
}

async fn classification(t: TestApp) {
    let (promoter, chain) = setup(&t).await;
    assert_eq!(chain["chain"]["chief_name"], "王市长");
    assert_eq!(chain["links"].as_array().unwrap().len(), 10);
    let class = |n: &str| link(&chain, n)["class_label"].as_str().unwrap().to_string();
    assert_eq!(class("正极材料"), "强");
    assert_eq!(link(&chain, "正极材料")["enterprises"], 3);
    assert_eq!(link(&chain, "正极材料")["output_yuan"], 1_500_000_000i64);
    assert_eq!(class("电芯"), "弱");
    assert_eq!(class("电解液"), "弱", "by the keyword in its scope");
    assert_eq!(class("隔膜"), "缺");
    assert_eq!(link(&chain, "隔膜")["task"], "补链");
    assert!(!link(&chain, "隔膜")["gap_filled"].as_bool().unwrap());
    // the rules are configurable: a stricter 强 turns 正极材料 weak
    let admin = t.token("admin").await;
    let mut s = t
        .get_json(&admin, "/api/v1/chain-settings", StatusCode::OK)
        .await;
    s["class_rules"]["strong_min_enterprises"] = json!(4);
    t.put_json(&admin, "/api/v1/chain-settings", s, StatusCode::OK)
        .await;
    let id = chain["chain"]["id"].as_i64().unwrap();
    let again = t
        .get_json(&promoter, &format!("/api/v1/chains/{id}"), StatusCode::OK)
        .await;
    assert_eq!(link(&again, "正极材料")["class_label"], "弱");
    // edges came from the template: 电芯 supplies 模组/PACK
    let pack = link_id(&chain, "模组/PACK");
    assert_eq!(link(&chain, "电芯")["next"], json!([pack]));
}
both!(links_are_classed_on_a_fixture, classification);

async fn targeting(t: TestApp) {
    let (promoter, chain) = setup(&t).await;
    let cell = link_id(&chain, "电芯");
    // companies already in the pipeline are left out: by credit code, or by name
    t.lead(
        &promoter,
        json!({"company_name": "东京某电池株式会社", "uscc": uscc("310115", 508)}),
    )
    .await;
    t.lead(&promoter, json!({"company_name": "宁波宏膜隔膜有限公司"}))
        .await;
    let sep = link_id(&chain, "隔膜");
    let none = t
        .get_json(
            &promoter,
            &format!("/api/v1/chain-links/{sep}/candidates"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        none,
        json!([]),
        "the only separator maker is in the pipeline by name"
    );
    let ranked = t
        .get_json(
            &promoter,
            &format!("/api/v1/chain-links/{cell}/candidates"),
            StatusCode::OK,
        )
        .await;
    let names: Vec<&str> = ranked
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    // equal fit (code and keyword): the listed company first though the other scores more
    assert_eq!(names, ["深圳博能电池股份有限公司", "苏州恒芯电芯有限公司"]);
    assert_eq!(ranked[0]["fit"], ranked[1]["fit"]);
    assert!(ranked[1]["score"].as_i64() > ranked[0]["score"].as_i64());
    let parts: Vec<&str> = ranked[0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert!(parts.contains(&"上市"), "{parts:?}");
    assert!(parts.iter().any(|p| p.contains("珠三角")), "{parts:?}");
    // filters: a key region, a flag
    let only = |q: &str| format!("/api/v1/chain-links/{cell}/candidates?{q}");
    let r = t
        .get_json(&promoter, &only("regions=长三角"), StatusCode::OK)
        .await;
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["name"], "苏州恒芯电芯有限公司");
    let r = t
        .get_json(&promoter, &only("flags=上市&limit=5"), StatusCode::OK)
        .await;
    assert_eq!(r.as_array().unwrap().len(), 1);
    // bad queries answer in Chinese, naming the field
    for (q, field, words) in [
        ("regions=火星", "regions", "重点区域“火星”不存在"),
        ("flags=独角兽", "flags", "标签“独角兽”不对"),
        ("limit=abc", "limit", "数量“abc”不对"),
        ("limit=0", "limit", "1 至 1000"),
    ] {
        let v = t
            .get_json(&promoter, &only(q), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(v["error"]["field"], field, "{q}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(words),
            "{q}: {v}"
        );
    }
    // an informant does not see the chain at all
    let inf = t.token("informant").await;
    t.get_json(&inf, &only(""), StatusCode::NOT_FOUND).await;
}
both!(
    targets_leave_out_the_pipeline_and_put_flagged_first,
    targeting
);

async fn move_to(t: &TestApp, tok: &str, project: i64, to: &str, date: &str) {
    let mut body = json!({"to": to, "date": date});
    if to == "signed" {
        body["amount_yuan"] = json!(500_000_000i64);
    }
    t.post_json(
        tok,
        &format!("/api/v1/projects/{project}/transitions"),
        body,
        StatusCode::OK,
    )
    .await;
}

async fn conversion(t: TestApp) {
    let (promoter, chain) = setup(&t).await;
    let id = chain["chain"]["id"].as_i64().unwrap();
    let sep = link_id(&chain, "隔膜");
    let list = t
        .post_json(
            &promoter,
            &format!("/api/v1/chain-links/{sep}/target-lists"),
            json!({"name": "隔膜补链名单"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(list["list"]["name"], "隔膜补链名单");
    let target = &list["targets"][0];
    assert_eq!(target["target"]["name"], "宁波宏膜隔膜有限公司");
    let tid = target["target"]["id"].as_i64().unwrap();
    // assign: to a promoter; not to an informant; not to nobody
    let p2 = fenglai_app::auth::actor_by_username(&t.app, "promoter2")
        .await
        .unwrap();
    let inf = fenglai_app::auth::actor_by_username(&t.app, "informant")
        .await
        .unwrap();
    let office = t.unit_id("凤城市驻上海招商联络处").await;
    let a = t
        .post_json(
            &promoter,
            &format!("/api/v1/targets/{tid}/assign"),
            json!({"user_id": p2.id(), "unit_id": office}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(a["target"]["assignee_user_name"], "赵县招商");
    assert_eq!(a["target"]["assignee_unit_name"], "凤城市驻上海招商联络处");
    for (body, field, words) in [
        (
            json!({"user_id": inf.id()}),
            "user_id",
            "只能指派给“招商人”",
        ),
        (json!({}), "user_id", "请选择"),
        (json!({"unit_id": 987654}), "unit_id", "单位不存在"),
    ] {
        let v = t
            .post_json(
                &promoter,
                &format!("/api/v1/targets/{tid}/assign"),
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field);
        assert!(
            v["error"]["message"].as_str().unwrap().contains(words),
            "{v}"
        );
    }
    let before = t
        .get_json(&promoter, &format!("/api/v1/chains/{id}"), StatusCode::OK)
        .await;
    assert_eq!(link(&before, "隔膜")["figures"]["targets"], 1);
    assert_eq!(link(&before, "隔膜")["figures"]["leads"], 0);
    // convert: a lead with the company's code, tied to the link; only once
    let lead = t
        .post_json(
            &promoter,
            &format!("/api/v1/targets/{tid}/lead"),
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(lead["company_name"], "宁波宏膜隔膜有限公司");
    assert_eq!(lead["uscc"], target["target"]["uscc"]);
    assert_eq!(lead["industry_code"], "2921");
    t.post_json(
        &promoter,
        &format!("/api/v1/targets/{tid}/lead"),
        json!({}),
        StatusCode::CONFLICT,
    )
    .await;
    let after = t
        .get_json(
            &promoter,
            &format!("/api/v1/target-lists/{}", list["list"]["id"]),
            StatusCode::OK,
        )
        .await;
    assert_eq!(after["targets"][0]["target"]["lead_id"], lead["id"]);
    // now in the pipeline: no longer a candidate
    let again = t
        .get_json(
            &promoter,
            &format!("/api/v1/chain-links/{sep}/candidates"),
            StatusCode::OK,
        )
        .await;
    assert!(again.as_array().unwrap().is_empty(), "{again}");
    let view = t
        .get_json(&promoter, &format!("/api/v1/chains/{id}"), StatusCode::OK)
        .await;
    let f = &link(&view, "隔膜")["figures"];
    assert_eq!(
        (
            f["targets"].as_i64(),
            f["leads"].as_i64(),
            f["projects"].as_i64()
        ),
        (Some(1), Some(1), Some(0))
    );
    assert_eq!(
        link(&view, "隔膜")["leads"][0]["lead_id"],
        lead["id"],
        "the lead remembers its link"
    );
    // the project moves to production: the figures follow and the gap is filled
    let park = t.unit_id("凤城经济技术开发区").await;
    let today = fenglai_app::today().to_string();
    let project = t
        .admit(&promoter, lead["id"].as_i64().unwrap(), Some(park), &today)
        .await;
    for (i, to) in ["signed", "started", "completed", "producing"]
        .iter()
        .enumerate()
    {
        move_to(&t, &promoter, project, to, &today).await;
        let v = t
            .get_json(&promoter, &format!("/api/v1/chains/{id}"), StatusCode::OK)
            .await;
        let l = link(&v, "隔膜");
        let f = &l["figures"];
        assert_eq!(f["projects"], 1);
        assert_eq!(f["started"], i64::from(i >= 1), "{to}");
        assert_eq!(f["producing"], i64::from(i >= 3), "{to}");
        assert_eq!(l["class_label"], if i >= 3 { "弱" } else { "缺" }, "{to}");
        assert_eq!(l["gap_filled"], i >= 3, "{to}");
        assert_eq!(v["figures"]["producing"], i64::from(i >= 3));
    }
    let v = t
        .get_json(&promoter, &format!("/api/v1/chains/{id}"), StatusCode::OK)
        .await;
    assert!(link(&v, "隔膜")["reason"]
        .as_str()
        .unwrap()
        .contains("缺口已由投产项目填补"));
    // the map counts the target in Zhejiang and lists it on a click
    let m = t
        .get_json(
            &promoter,
            &format!("/api/v1/chains/{id}/map?link={sep}&province=33"),
            StatusCode::OK,
        )
        .await;
    assert_eq!(m["provinces"], json!([{"code": "33", "count": 1}]));
    assert_eq!(m["targets"][0]["target"]["name"], "宁波宏膜隔膜有限公司");
    let v = t
        .get_json(
            &promoter,
            &format!("/api/v1/chains/{id}/map?province=浙江"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "province");
}
both!(a_target_becomes_a_lead_and_fills_the_gap, conversion);

async fn bad_input(t: TestApp) {
    let (promoter, chain) = setup(&t).await;
    let id = chain["chain"]["id"].as_i64().unwrap();
    let promoter_user = fenglai_app::auth::actor_by_username(&t.app, "promoter")
        .await
        .unwrap();
    let post = |body: Value| {
        let (t, promoter) = (&t, &promoter);
        async move {
            t.post_json(
                promoter,
                "/api/v1/chains",
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    for (body, field, words) in [
        (json!({"name": " "}), "name", "请填写产业链名称"),
        (json!({"name": "光伏\u{0}"}), "name", "控制字符"),
        (json!({"name": "新能源电池"}), "name", "同名产业链已存在"),
        (
            json!({"name": "光伏", "template": "光伏"}),
            "template",
            "模板“光伏”不存在",
        ),
        (
            json!({"name": "光伏", "chief_user_id": promoter_user.id()}),
            "chief_user_id",
            "链长须为“领导”",
        ),
        (
            json!({"name": "光伏", "office_unit_id": 987654}),
            "office_unit_id",
            "链办单位不存在",
        ),
    ] {
        let v = post(body.clone()).await;
        assert_eq!(v["error"]["field"], field, "{body}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(words),
            "{body}: {v}"
        );
    }
    let other = t
        .post_json(
            &promoter,
            "/api/v1/chains",
            json!({"name": "食品", "template": "食品"}),
            StatusCode::CREATED,
        )
        .await;
    let foreign = other["links"][0]["link"]["id"].as_i64().unwrap();
    let cell = link_id(&chain, "电芯");
    let pack = link_id(&chain, "模组/PACK");
    let add = format!("/api/v1/chains/{id}/links");
    for (body, field, words) in [
        (
            json!({"name": "", "tier": "上游", "codes": "3841"}),
            "name",
            "请填写环节名称",
        ),
        (
            json!({"name": "铜箔", "tier": "旁游", "codes": "3841"}),
            "tier",
            "环节位置“旁游”不对",
        ),
        (
            json!({"name": "铜箔", "tier": "上游", "codes": "38A1"}),
            "codes",
            "行业代码“38A1”不对",
        ),
        (
            json!({"name": "铜箔", "tier": "上游", "codes": ""}),
            "codes",
            "至少",
        ),
        (
            json!({"name": "铜箔", "tier": "上游", "codes": "3252", "next": [foreign]}),
            "next",
            "不属于本产业链",
        ),
        (
            json!({"name": "电芯", "tier": "中游", "codes": "3841"}),
            "name",
            "同名环节已存在",
        ),
    ] {
        let v = t
            .post_json(
                &promoter,
                &add,
                body.clone(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field, "{body}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(words),
            "{body}: {v}"
        );
    }
    // a link that would close a cycle: PACK supplying 电芯, which supplies PACK
    let v = t
        .put_json(
            &promoter,
            &format!("/api/v1/chain-links/{pack}"),
            json!({"name": "模组/PACK", "tier": "midstream", "codes": "3849", "next": [cell]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(
        v["error"]["message"].as_str().unwrap().contains("成环"),
        "{v}"
    );
    // a good link, added and edited
    let l = t
        .post_json(&promoter, &add, json!({"name": "铜箔", "tier": "上游", "codes": "3252", "keywords": "锂电铜箔", "next": [cell]}), StatusCode::CREATED)
        .await;
    assert_eq!(l["tier"], "upstream");
    // unknown fields are refused
    t.post_json(
        &promoter,
        &add,
        json!({"name": "x", "tier": "上游", "codes": "3252", "colour": 1}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // settings: 管理员 or 领导 only, and checked
    let admin = t.token("admin").await;
    let s = t
        .get_json(&admin, "/api/v1/chain-settings", StatusCode::OK)
        .await;
    t.put_json(
        &promoter,
        "/api/v1/chain-settings",
        s.clone(),
        StatusCode::FORBIDDEN,
    )
    .await;
    let mut bad = s.clone();
    bad["key_regions"][0]["prefixes"] = json!(["3205"]);
    let v = t
        .put_json(
            &admin,
            "/api/v1/chain-settings",
            bad,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("3205"));
    let mut bad = s.clone();
    bad["home_region"] = json!("滁州");
    let v = t
        .put_json(
            &admin,
            "/api/v1/chain-settings",
            bad,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "home_region");
    let mut bad = s.clone();
    bad["class_rules"]["weak_min_enterprises"] = json!(9);
    let v = t
        .put_json(
            &admin,
            "/api/v1/chain-settings",
            bad,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(v["error"]["field"], "class_rules");
    // generating with a filter nothing meets says so
    let v = t
        .post_json(
            &promoter,
            &format!("/api/v1/chain-links/{cell}/target-lists"),
            json!({"flags": "央企"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("没有符合条件的目标企业"),
        "{v}"
    );
    // an informant may neither create nor see chains
    let inf = t.token("informant").await;
    t.post_json(
        &inf,
        "/api/v1/chains",
        json!({"name": "x"}),
        StatusCode::FORBIDDEN,
    )
    .await;
    t.get_json(&inf, &format!("/api/v1/chains/{id}"), StatusCode::NOT_FOUND)
        .await;
    assert_eq!(
        t.get_json(&inf, "/api/v1/chains", StatusCode::OK).await,
        json!([])
    );
}
both!(bad_input_is_named_in_chinese, bad_input);

/// A bad registry row is reported by its line and the rest imported; re-import updates.
async fn registry_import(t: TestApp) {
    let ok = uscc("320500", 1);
    let csv = format!(
        "企业名称,统一社会信用代码,行业代码,地区代码,注册资本（万元）\n\
         甲公司,{ok},3841,320500,100\n\
         乙公司,914403001922038217,3841,440300,100\n\
         丙公司,{},38,440300,100\n\
         丁公司,{},3841,440300,很多\n",
        uscc("440300", 2),
        uscc("440300", 3)
    );
    let s = import(&t, csv).await.unwrap();
    assert_eq!((s.rows, s.written, s.bad, s.total), (4, 1, 3, 1));
    let lines: Vec<u64> = s.errors.iter().map(|e| e.0).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(s.errors[0].1.contains("统一社会信用代码"));
    assert!(s.errors[1].1.contains("行业代码"));
    assert!(s.errors[2].1.contains("注册资本"));
    // re-import: the same code updates the row
    let csv = format!(
        "企业名称,统一社会信用代码,行业代码,地区代码,标签\n甲公司（新名）,{ok},3842,320500,上市\n"
    );
    let s = import(&t, csv).await.unwrap();
    assert_eq!((s.written, s.total), (1, 1));
    let mut c = t.db.acquire().await.unwrap();
    let rows = fenglai_store::chains::candidates(
        &mut c,
        &fenglai_store::chains::CandidateFilter {
            codes: vec!["3842".into()],
            flags_mask: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "甲公司（新名）");
    // a file without the required columns is refused as a whole
    let e = import(&t, "名称\n甲\n".into()).await.unwrap_err();
    assert!(e.to_string().contains("表头缺少必填列"), "{e}");
}
both!(registry_rows_are_checked_and_updated, registry_import);

/// The pages: the chief opens the chain, sees the 缺 link, generates, assigns, converts;
/// every form answers bad input in Chinese.
async fn pages(t: TestApp) {
    let (_, chain) = setup(&t).await;
    let id = chain["chain"]["id"].as_i64().unwrap();
    let cell = link_id(&chain, "电芯");
    let cookie = format!(
        "fenglai_session={}",
        crate::auth::web_login(&t, "leader").await
    );
    let (st, html) = t.page(&cookie, &format!("/chains/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("隔膜") && html.contains("data-class=\"missing\""),
        "a 缺 link shows"
    );
    let csrf = crate::helpers::csrf_in(&html);
    let (st, list) = t.page(&cookie, "/chains").await;
    assert_eq!(st, StatusCode::OK);
    assert!(list.contains("新能源电池"));
    // bad input, each answered on its page
    type Case<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        ("/chains".into(), vec![("name", "")], "请填写产业链名称"),
        (
            format!("/chains/{id}"),
            vec![("name", "新能源电池"), ("office_unit_id", "abc")],
            "链办单位“abc”不对",
        ),
        (
            format!("/chains/{id}/links"),
            vec![("name", "铜箔"), ("tier", "upstream"), ("codes", "38A1")],
            "行业代码“38A1”不对",
        ),
        (
            format!("/chain-links/{cell}"),
            vec![("name", "电芯"), ("tier", "旁游"), ("codes", "3841")],
            "环节位置“旁游”不对",
        ),
        (
            format!("/chain-links/{cell}/targets"),
            vec![("limit", "abc")],
            "数量“abc”不对",
        ),
        (
            format!("/chain-links/{cell}/targets"),
            vec![("region", "火星")],
            "重点区域“火星”不存在",
        ),
    ];
    for (path, fields, words) in cases {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let r = t.form(&cookie, &path, &all).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains(words), "{path}: {words}");
    }
    // the rules of 强 / 弱 / 缺 and the key regions, from the chain list's form
    let settings = |strong: &'static str, regions: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("strong_min_enterprises", strong.to_string()),
            ("strong_min_output_yi", "10".to_string()),
            ("weak_min_enterprises", "1".to_string()),
            ("home_region", "3411".to_string()),
            ("key_regions", regions.to_string()),
        ]
    };
    for (fields, words) in [
        (
            settings("x", "长三角：31,32,33,34"),
            "“强”的最少企业数“x”应为整数",
        ),
        (settings("3", "长三角 31"), "应写作 名称：省级代码"),
        (settings("3", "长三角：3205"), "“3205”不对"),
    ] {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = t.form(&cookie, "/chain-settings", &f).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{words}");
        assert!(r.text().await.unwrap().contains(words), "{words}");
    }
    let ok = settings("4", "长三角：31,32,33,34\n珠三角/大湾区：44,81,82");
    let f: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = t.form(&cookie, "/chain-settings", &f).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = t.page(&cookie, "/chains").await;
    assert!(
        html.contains("不少于 4 家且年产值不低于 10亿元"),
        "the rules as saved"
    );
    // generate a list for 电芯 with a key region, then assign both targets and convert one
    let r = t
        .form(
            &cookie,
            &format!("/chain-links/{cell}/targets"),
            &[
                ("csrf", &csrf),
                ("region", "长三角"),
                ("region", "珠三角/大湾区"),
                ("limit", "200"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/target-lists/"), "{to}");
    let (_, html) = t.page(&cookie, &to).await;
    assert!(
        html.contains("深圳博能电池股份有限公司") && html.contains("上市 +15"),
        "scores explained"
    );
    let ids: Vec<String> = html
        .split("name=\"target\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    let promoter = fenglai_app::auth::actor_by_username(&t.app, "promoter")
        .await
        .unwrap();
    let pid = promoter.id().to_string();
    let r = t
        .form(
            &cookie,
            &format!("{to}/assign"),
            &[("csrf", &csrf), ("user_id", &pid)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请勾选要指派的目标"));
    let r = t
        .form(
            &cookie,
            &format!("{to}/assign"),
            &[
                ("csrf", &csrf),
                ("target", &ids[0]),
                ("target", &ids[1]),
                ("user_id", &pid),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = t.page(&cookie, &format!("{to}?assigned=2")).await;
    assert!(html.contains("已指派 2 个目标"));
    assert_eq!(
        html.matches("class=\"assignee\">李招商").count(),
        2,
        "both assigned to the promoter"
    );
    let r = t
        .form(
            &cookie,
            &format!("/targets/{}/lead", ids[0]),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the chief converts for the chain"
    );
    let back = r.headers()["location"].to_str().unwrap().to_string();
    let (_, html) = t.page(&cookie, &back).await;
    assert!(html.contains("已转为线索") && html.contains("lead-link"));
    // the map: shaded provinces, a click lists a province's targets; a bad province is named
    let (st, html) = t
        .page(
            &cookie,
            &format!("/chains/{id}/map?link={cell}&province=44"),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("<svg id=\"china-map\"") && html.contains("data-province=\"44\""));
    assert!(html.contains("广东 的目标企业（1）") && html.contains("深圳博能电池股份有限公司"));
    assert!(
        html.contains("凤城经济技术开发区"),
        "the city's parks with the links they host"
    );
    let (st, html) = t
        .page(&cookie, &format!("/chains/{id}/map?province=广东"))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("省份代码“广东”不对"));
}
both!(chain_pages_work_and_name_bad_input, pages);
