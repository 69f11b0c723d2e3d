//! Messy ledgers built in code, as they arrive from units: title and note rows above a
//! two-row merged header, units in headers and in cells, every date form, stray spaces,
//! GBK / GB18030 / UTF-8 CSV, blank, 合计 and note rows, bad cells.

use chrono::NaiveDate;
use fenglai_domain::{Channel, Stage, Yuan};
use fenglai_ledger::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HUAWEI: &str = "914403001922038216";
const TENCENT: &str = "91440300708461136T";

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

/// A project ledger as a county bureau keeps it.
fn project_ledger() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let f = Format::new();
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    ws.merge_range(0, 0, 0, 12, "凤城区2024年招商引资重点项目推进情况台账", &f)
        .unwrap();
    ws.merge_range(1, 0, 1, 5, "填报单位：凤城区投资促进局", &f)
        .unwrap();
    ws.write_string(1, 7, "填报时间：2024年4月1日").unwrap();
    // Two-row header: single headers merged down, 投资额 merged across its two parts.
    for (col, h) in [
        (0, "序号"),
        (1, "项目名称"),
        (2, "项目单位"),
        (3, "统一社会信用代码"),
        (6, "利用外资\n（万美元）"),
        (7, "用地(亩)"),
        (8, "项目进展"),
        (9, "签约日期"),
        (10, "开工时间"),
        (11, "所在园区"),
        (12, "备注"),
    ] {
        ws.merge_range(2, col, 3, col, h, &f).unwrap();
    }
    ws.merge_range(2, 4, 2, 5, "投资额", &f).unwrap();
    ws.write_string(3, 4, "总投资(亿元)").unwrap();
    ws.write_string(3, 5, "到资（万元）").unwrap();

    // Row 5: numbers in the unit of the header, spaces around the name.
    ws.write_number(4, 0, 1).unwrap();
    ws.write_string(4, 1, "凤城新能源电池项目").unwrap();
    ws.write_string(4, 2, "  华芯 （苏州）科技有限公司\u{3000}")
        .unwrap();
    ws.write_string(4, 3, HUAWEI).unwrap();
    ws.write_number(4, 4, 1.28).unwrap();
    ws.write_string(4, 5, "5,000").unwrap();
    ws.write_number(4, 6, 500).unwrap();
    ws.write_number(4, 7, 120.5).unwrap();
    ws.write_string(4, 8, "已签约").unwrap();
    ws.write_string(4, 9, "2024年3月15日").unwrap();
    ws.write_string(4, 11, "凤城经开区").unwrap();
    // Row 6: amounts carrying their own unit, a real date cell, an Excel serial.
    ws.write_number(5, 0, 2).unwrap();
    ws.write_string(5, 1, "智能装备产业园").unwrap();
    ws.write_string(5, 2, "凤城智造集团有限公司").unwrap();
    ws.write_string(5, 4, "3000万").unwrap();
    ws.write_string(5, 5, "1.2亿元").unwrap();
    ws.write_string(5, 6, "-").unwrap();
    ws.write_string(5, 7, "2公顷").unwrap();
    ws.write_string(5, 8, "在建").unwrap();
    ws.write_datetime_with_format(5, 9, ExcelDateTime::from_ymd(2024, 3, 15).unwrap(), &date)
        .unwrap();
    ws.write_number(5, 10, 45366).unwrap();
    ws.write_string(5, 11, "高新区").unwrap();
    // Row 7: a corrupt credit code and an amount in words.
    ws.write_number(6, 0, 3).unwrap();
    ws.write_string(6, 1, "生物医药研发中心").unwrap();
    ws.write_string(6, 2, "康达生物医药股份有限公司").unwrap();
    ws.write_string(6, 3, "914403001922038217").unwrap();
    ws.write_string(6, 4, "约一个亿").unwrap();
    ws.write_string(6, 8, "洽谈中").unwrap();
    ws.write_string(6, 9, "2024.3.15").unwrap();
    ws.write_string(6, 10, "2024-03").unwrap();
    // Row 8: blank. Row 9: slashes, 年月 dates, a stage word.
    ws.write_number(8, 0, 4).unwrap();
    ws.write_string(8, 1, "数字经济总部").unwrap();
    ws.write_string(8, 2, "星辰数字科技有限公司").unwrap();
    ws.write_string(8, 3, TENCENT).unwrap();
    ws.write_string(8, 4, "12.5").unwrap();
    ws.write_string(8, 8, "已投产").unwrap();
    ws.write_string(8, 9, "2024/3/15").unwrap();
    ws.write_string(8, 10, "2024年3月").unwrap();
    ws.write_string(8, 12, "拟增资").unwrap();
    // Row 10: no project name (spaces only).
    ws.write_number(9, 0, 5).unwrap();
    ws.write_string(9, 1, " \u{3000} ").unwrap();
    ws.write_string(9, 2, "恒瑞新材料有限公司").unwrap();
    ws.write_string(9, 4, "0.5").unwrap();
    // Row 11: an unknown progress word and a bad date.
    ws.write_number(10, 0, 6).unwrap();
    ws.write_string(10, 1, "冷链物流园").unwrap();
    ws.write_string(10, 2, "安泰物流有限公司").unwrap();
    ws.write_string(10, 8, "看情况").unwrap();
    ws.write_string(10, 9, "去年底").unwrap();
    // Row 12: 已达产 and 中止 are both stages; this one is complete.
    ws.write_number(11, 0, 7).unwrap();
    ws.write_string(11, 1, "光伏组件扩产").unwrap();
    ws.write_string(11, 2, "宏远光电有限公司").unwrap();
    ws.write_string(11, 4, "1.5亿").unwrap();
    ws.write_string(11, 8, "已达产").unwrap();
    ws.write_string(11, 9, "20230601").unwrap();
    // Row 13: 合计 across the first columns. Row 14: a note.
    ws.merge_range(12, 0, 12, 3, "合  计", &f).unwrap();
    ws.write_number(12, 4, 14.28).unwrap();
    ws.merge_range(13, 0, 13, 12, "注：总投资单位为亿元，到资单位为万元。", &f)
        .unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn project_ledger_with_title_notes_and_merged_header() {
    let bytes = project_ledger();
    let sheet = read(&bytes, "凤城区重点项目台账.xlsx").unwrap();
    assert_eq!(sheet.source, Source::Xlsx);
    let mapping = propose_mapping(&sheet).unwrap();
    assert_eq!(mapping.header_rows, (2, 3));
    assert_eq!(mapping.data_start, 4);
    let col = |f: Field| mapping.column_of(f).map(|c| (column_name(c.col), c.unit));
    assert_eq!(col(Field::ProjectName), Some(("B".into(), None)));
    assert_eq!(col(Field::CompanyName), Some(("C".into(), None)));
    assert_eq!(col(Field::Uscc), Some(("D".into(), None)));
    assert_eq!(
        col(Field::PlannedInvestment),
        Some(("E".into(), Some(Unit::Yi)))
    );
    assert_eq!(col(Field::PaidIn), Some(("F".into(), Some(Unit::Wan))));
    assert_eq!(
        col(Field::ForeignCapital),
        Some(("G".into(), Some(Unit::WanUsd)))
    );
    assert_eq!(col(Field::Land), Some(("H".into(), Some(Unit::Mu))));
    assert_eq!(col(Field::Stage), Some(("I".into(), None)));
    assert_eq!(col(Field::SignedDate), Some(("J".into(), None)));
    assert_eq!(col(Field::StartedDate), Some(("K".into(), None)));
    assert_eq!(col(Field::Park), Some(("L".into(), None)));
    assert_eq!(col(Field::Remarks), Some(("M".into(), None)));
    let planned = mapping.column_of(Field::PlannedInvestment).unwrap();
    assert_eq!(planned.header, "投资额/总投资(亿元)");
    assert!(!planned.unit_assumed);
    assert_eq!(mapping.columns[0].field, None, "序号 is not imported");
    assert!(mapping.warnings.is_empty(), "{:?}", mapping.warnings);

    let rows = parse_rows(&sheet, &mapping, Kind::Projects).unwrap();
    assert_eq!(rows.len(), 10, "rows 5 to 14");
    assert_eq!(
        summarize(&rows),
        Summary {
            valid: 4,
            invalid: 3,
            skipped: 3
        }
    );
    let at = |n: usize| rows.iter().find(|r| r.row == n).unwrap();

    let r5 = at(5).record().unwrap();
    assert_eq!(r5.project_name.as_deref(), Some("凤城新能源电池项目"));
    assert_eq!(r5.company_name, "华芯（苏州）科技有限公司");
    assert_eq!(r5.uscc.as_ref().unwrap().as_str(), HUAWEI);
    assert_eq!(r5.planned_investment, Some(Yuan(128_000_000)));
    assert_eq!(r5.paid_in, Some(Yuan(50_000_000)));
    assert_eq!(r5.foreign_capital_usd, Some(5_000_000));
    assert_eq!(r5.land, Some(Mu(12_050)));
    assert_eq!(r5.stage, Some(Stage::Signed));
    assert_eq!(r5.signed_date, Some(d(2024, 3, 15)));
    assert_eq!(r5.started_date, None);
    assert_eq!(r5.park.as_deref(), Some("凤城经开区"));

    let r6 = at(6).record().unwrap();
    assert_eq!(r6.planned_investment, Some(Yuan(30_000_000)));
    assert_eq!(r6.paid_in, Some(Yuan(120_000_000)));
    assert_eq!(r6.foreign_capital_usd, None, "a dash is blank");
    assert_eq!(r6.land, Some(Mu(3_000)), "2 公顷 = 30 亩");
    assert_eq!(r6.stage, Some(Stage::Started));
    assert_eq!(r6.signed_date, Some(d(2024, 3, 15)), "a date cell");
    assert_eq!(r6.started_date, Some(d(2024, 3, 15)), "Excel serial 45366");

    let errors: Vec<String> = at(7).errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "D7 统一社会信用代码：统一社会信用代码校验位错误：第18位应为“6”，实际为“7”（“914403001922038217”）",
            "E7 总投资：无法识别的金额“约一个亿”",
        ]
    );
    assert_eq!(at(8).outcome, RowOutcome::Skipped(Skip::Blank));

    let r9 = at(9).record().unwrap();
    assert_eq!(r9.planned_investment, Some(Yuan(1_250_000_000)));
    assert_eq!(r9.stage, Some(Stage::Producing));
    assert_eq!(r9.signed_date, Some(d(2024, 3, 15)));
    assert_eq!(r9.started_date, Some(d(2024, 3, 1)));
    assert_eq!(r9.remarks.as_deref(), Some("拟增资"));

    let errors: Vec<String> = at(10).errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(errors, ["B10 项目名称：缺少项目名称"]);
    let errors: Vec<String> = at(11).errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "I11 项目进展：无法识别的进展“看情况”；可写：洽谈中、已签约、在建、已竣工、已投产、已达产、中止",
            "J11 签约日期：无法识别的日期“去年底”，请写作 2024-03-15",
        ]
    );
    let r12 = at(12).record().unwrap();
    assert_eq!(r12.planned_investment, Some(Yuan(150_000_000)));
    assert_eq!(r12.stage, Some(Stage::AtCapacity));
    assert_eq!(r12.signed_date, Some(d(2023, 6, 1)));
    assert_eq!(at(13).outcome, RowOutcome::Skipped(Skip::Total));
    assert_eq!(at(14).outcome, RowOutcome::Skipped(Skip::Note));

    // The error report lists every bad cell and every skipped row.
    let report = write_error_report(&rows).unwrap();
    let back = read(&report, "errors.xlsx").unwrap();
    assert_eq!(back.rows.len(), 2 + 5 + 3);
    assert_eq!(back.cell(2, 1), &Cell::Text("D7".into()));
}

#[test]
fn a_user_can_override_the_mapping() {
    let bytes = project_ledger();
    let sheet = read(&bytes, "x.xlsx").unwrap();
    let mut mapping = propose_mapping(&sheet).unwrap();
    // The user says 总投资 is in 万元 after all, and 备注 should not be imported.
    mapping.set(4, Some(Field::PlannedInvestment), Some(Unit::Wan));
    mapping.set(12, None, None);
    let rows = parse_rows(&sheet, &mapping, Kind::Projects).unwrap();
    let r5 = rows.iter().find(|r| r.row == 5).unwrap().record().unwrap();
    assert_eq!(r5.planned_investment, Some(Yuan(12_800)));
    let r9 = rows.iter().find(|r| r.row == 9).unwrap().record().unwrap();
    assert_eq!(r9.remarks, None);
    // Moving a field to another column unmaps it where it was.
    mapping.set(1, Some(Field::CompanyName), None);
    assert_eq!(mapping.column_of(Field::CompanyName).unwrap().col, 1);
    assert_eq!(
        mapping.columns.iter().find(|c| c.col == 2).unwrap().field,
        None
    );
    // Without a project-name column a project ledger cannot be read.
    let err = parse_rows(&sheet, &mapping, Kind::Projects).unwrap_err();
    assert_eq!(
        err.to_string(),
        "缺少必填列：项目名称（请在预览中指定哪一列是它）"
    );
}

/// Government systems often export .xlsx files named .xls: the format is found from the
/// bytes (both go through calamine's `open_workbook_auto_from_rs`).
#[test]
fn a_workbook_named_xls_is_opened_by_content() {
    let bytes = project_ledger();
    let (_, mapping, rows) = read_ledger(&bytes, "台账.xls", Kind::Projects).unwrap();
    assert_eq!(mapping.header_rows, (2, 3));
    assert_eq!(summarize(&rows).valid, 4);
}

const LEADS_CSV: &str = "\
2024年第一季度招商线索台账,,,,,,,,,
金额单位：万元,,,,,,,,,
序号,公司名称,信用代码,所属行业,来源地,计划投资,报送日期,联系人,联系电话,渠道
1,苏州华芯科技有限公司,914403001922038216,3976,深圳,\"5,000\",2024年3月15日,张三,13800138000,以商招商
2,\u{3000}凤城智造有限公司 ,,C,320500,1.28亿,2024.3.15,李四,0512-6688 1234,商会推荐
3,康达生物 医药有限公司,,医药制造,上海,3000万,2024/3/15,,,驻上海办事处
4,恒瑞新材料有限公司,,新材料,,,2024-03,,,
5,宏远光电有限公司,,,,12.5,45366,,,活动招商
6,安泰物流有限公司,91440300708461136X,,,很多,上个月,,,
,,,,,,,,,
合计,,,,,\"9,128\",,,,
";

fn check_leads(sheet: &Sheet) {
    let mapping = propose_mapping(sheet).unwrap();
    assert_eq!(mapping.header_rows, (2, 2));
    let planned = mapping.column_of(Field::PlannedInvestment).unwrap();
    assert_eq!(
        (planned.col, planned.unit, planned.unit_assumed),
        (5, Some(Unit::Wan), false),
        "the unit comes from the note above the header"
    );
    let rows = parse_rows(sheet, &mapping, Kind::Leads).unwrap();
    assert_eq!(
        summarize(&rows),
        Summary {
            valid: 5,
            invalid: 1,
            skipped: 2
        }
    );
    let rec = |n: usize| {
        rows.iter()
            .find(|r| r.row == n)
            .unwrap()
            .record()
            .unwrap()
            .clone()
    };
    let r4 = rec(4);
    assert_eq!(r4.company_name, "苏州华芯科技有限公司");
    assert_eq!(r4.industry_code.as_ref().unwrap().as_str(), "3976");
    assert_eq!(r4.region_name.as_deref(), Some("深圳"));
    assert_eq!(r4.planned_investment, Some(Yuan(50_000_000)));
    assert_eq!(r4.reported_date, Some(d(2024, 3, 15)));
    assert_eq!(r4.contact_phone.as_deref(), Some("13800138000"));
    assert_eq!(r4.channel, Some(Channel::EnterpriseReferral));
    let r5 = rec(5);
    assert_eq!(r5.company_name, "凤城智造有限公司");
    assert_eq!(r5.industry_code.as_ref().unwrap().as_str(), "C");
    assert_eq!(r5.region_code.as_ref().unwrap().as_str(), "320500");
    assert_eq!(r5.planned_investment, Some(Yuan(128_000_000)));
    assert_eq!(r5.contact_phone.as_deref(), Some("0512-66881234"));
    assert_eq!(r5.channel, Some(Channel::Association));
    let r6 = rec(6);
    assert_eq!(r6.company_name, "康达生物医药有限公司");
    assert_eq!(r6.industry_name.as_deref(), Some("医药制造"));
    assert_eq!(r6.planned_investment, Some(Yuan(30_000_000)));
    assert_eq!(r6.channel, Some(Channel::StationedOffice));
    assert_eq!(rec(7).reported_date, Some(d(2024, 3, 1)));
    assert_eq!(rec(7).planned_investment, None);
    assert_eq!(rec(8).planned_investment, Some(Yuan(125_000)));
    assert_eq!(rec(8).reported_date, Some(d(2024, 3, 15)));
    let bad = rows.iter().find(|r| r.row == 9).unwrap();
    let errors: Vec<String> = bad.errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "C9 统一社会信用代码：统一社会信用代码校验位错误：第18位应为“T”，实际为“X”（“91440300708461136X”）",
            "F9 总投资：无法识别的金额“很多”",
            "G9 报送日期：无法识别的日期“上个月”，请写作 2024-03-15",
        ]
    );
    assert_eq!(
        rows[rows.len() - 2].outcome,
        RowOutcome::Skipped(Skip::Blank)
    );
    assert_eq!(
        rows[rows.len() - 1].outcome,
        RowOutcome::Skipped(Skip::Total)
    );
}

#[test]
fn gbk_csv() {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(LEADS_CSV);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err());
    let sheet = read(&bytes, "线索.csv").unwrap();
    assert_eq!(
        sheet.source,
        Source::Csv {
            encoding: "GBK",
            delimiter: b','
        }
    );
    check_leads(&sheet);
}

#[test]
fn utf8_csv_with_and_without_bom() {
    let sheet = read(LEADS_CSV.as_bytes(), "线索.csv").unwrap();
    check_leads(&sheet);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(LEADS_CSV.as_bytes());
    let sheet = read(&bom, "线索.csv").unwrap();
    assert_eq!(
        sheet.cell(0, 0),
        &Cell::Text("2024年第一季度招商线索台账".into())
    );
    check_leads(&sheet);
}

#[test]
fn tab_separated_utf16_text() {
    // Excel's "Unicode text" export: UTF-16LE with a byte-order mark, tab-separated.
    let tsv = LEADS_CSV
        .replace("\"5,000\"", "5000")
        .replace("\"9,128\"", "9128")
        .replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    for u in tsv.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let sheet = read(&bytes, "线索.txt").unwrap();
    assert_eq!(
        sheet.source,
        Source::Csv {
            encoding: "UTF-16LE",
            delimiter: b'\t'
        }
    );
    check_leads(&sheet);
}

#[test]
fn gb18030_csv_with_characters_outside_gbk() {
    // 𠀀 (U+20000) and 䶮 (U+4DAE) exist only in GB18030.
    let text = "企业名称,总投资(亿元),报送日期\n𠀀鑫科技有限公司,2.5,2024年3月15日\n刘䶮实业有限公司,0.8,2024-03\n";
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    let sheet = read(&bytes, "线索.csv").unwrap();
    assert_eq!(
        sheet.source,
        Source::Csv {
            encoding: "GB18030",
            delimiter: b','
        }
    );
    let (_, mapping, rows) = read_ledger(&bytes, "线索.csv", Kind::Leads).unwrap();
    assert_eq!(mapping.header_rows, (0, 0));
    let recs: Vec<&Record> = rows.iter().filter_map(RowResult::record).collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].company_name, "𠀀鑫科技有限公司");
    assert_eq!(recs[0].planned_investment, Some(Yuan(250_000_000)));
    assert_eq!(recs[1].company_name, "刘䶮实业有限公司");
    assert_eq!(recs[1].planned_investment, Some(Yuan(80_000_000)));
    assert_eq!(recs[1].reported_date, Some(d(2024, 3, 1)));
}

#[test]
fn header_without_unit_assumes_wan_and_says_so() {
    let csv = "企业名称,总投资,利用外资,用地\n华芯科技有限公司,3000,50,10\n";
    let sheet = read(csv.as_bytes(), "x.csv").unwrap();
    let mapping = propose_mapping(&sheet).unwrap();
    let c = mapping.column_of(Field::PlannedInvestment).unwrap();
    assert_eq!((c.unit, c.unit_assumed), (Some(Unit::Wan), true));
    let c = mapping.column_of(Field::ForeignCapital).unwrap();
    assert_eq!((c.unit, c.unit_assumed), (Some(Unit::WanUsd), true));
    let rows = parse_rows(&sheet, &mapping, Kind::Leads).unwrap();
    let r = rows[0].record().unwrap();
    assert_eq!(r.planned_investment, Some(Yuan(30_000_000)));
    assert_eq!(r.foreign_capital_usd, Some(500_000));
    assert_eq!(r.land, Some(Mu(1_000)));
}

#[test]
fn dollars_in_a_yuan_column_are_flagged() {
    let csv = "企业名称,总投资(万美元),总投资(万元)\n华芯科技有限公司,3000,100\n";
    let sheet = read(csv.as_bytes(), "x.csv").unwrap();
    let mapping = propose_mapping(&sheet).unwrap();
    assert_eq!(mapping.warnings.len(), 2, "{:?}", mapping.warnings);
    assert!(mapping.warnings[0].contains("人民币与美元"));
    assert!(mapping.warnings[1].contains("同为“总投资”"));
}

#[test]
fn no_header_is_an_error() {
    let sheet = read("张三,李四\n1,2\n".as_bytes(), "x.csv").unwrap();
    assert_eq!(propose_mapping(&sheet).unwrap_err(), MappingError::NoHeader);
    assert!(matches!(
        read(b"", "x.csv").unwrap_err(),
        ReadError::Empty(_)
    ));
    assert!(matches!(
        read(b"PK\x03\x04broken", "x.xlsx").unwrap_err(),
        ReadError::Workbook { .. }
    ));
}

#[test]
fn repeated_headers_are_skipped() {
    let csv = "企业名称,总投资(万元)\n甲公司,1\n企业名称,总投资(万元)\n乙公司,2\n";
    let (_, _, rows) = read_ledger(csv.as_bytes(), "x.csv", Kind::Leads).unwrap();
    assert_eq!(rows[1].outcome, RowOutcome::Skipped(Skip::RepeatedHeader));
    assert_eq!(summarize(&rows).valid, 2);
}

/// A real .xls (BIFF8) file. No Rust crate writes .xls, so this one fixture is made by
/// `tests/data/make_xls.py` (xlwt) and kept in the repository.
#[test]
fn a_real_xls_file() {
    let bytes = include_bytes!("data/project-ledger.xls");
    let sheet = read(bytes, "project-ledger.xls").unwrap();
    assert_eq!(sheet.source, Source::Xls);
    assert_eq!(sheet.name, "重点项目");
    let mapping = propose_mapping(&sheet).unwrap();
    assert_eq!(mapping.header_rows, (1, 2));
    let planned = mapping.column_of(Field::PlannedInvestment).unwrap();
    assert_eq!((planned.col, planned.unit), (3, Some(Unit::Yi)));
    assert_eq!(planned.header, "投资额/总投资(亿元)");
    assert_eq!(
        mapping.column_of(Field::PaidIn).unwrap().unit,
        Some(Unit::Wan)
    );
    let rows = parse_rows(&sheet, &mapping, Kind::Projects).unwrap();
    assert_eq!(
        summarize(&rows),
        Summary {
            valid: 2,
            invalid: 1,
            skipped: 1
        }
    );
    let r4 = rows[0].record().unwrap();
    assert_eq!(rows[0].row, 4);
    assert_eq!(r4.company_name, "华芯（苏州）科技有限公司");
    assert_eq!(r4.planned_investment, Some(Yuan(128_000_000)));
    assert_eq!(r4.paid_in, Some(Yuan(50_000_000)));
    assert_eq!(r4.stage, Some(Stage::Signed));
    assert_eq!(r4.signed_date, Some(d(2024, 3, 15)), "a date cell");
    let r5 = rows[1].record().unwrap();
    assert_eq!(r5.planned_investment, Some(Yuan(30_000_000)));
    assert_eq!(r5.paid_in, Some(Yuan(8_000_000)));
    assert_eq!(r5.stage, Some(Stage::Started));
    assert_eq!(r5.signed_date, Some(d(2024, 3, 15)), "Excel serial 45366");
    assert_eq!(r5.remarks.as_deref(), Some("重点"));
    let errors: Vec<String> = rows[2].errors().iter().map(|e| e.to_string()).collect();
    assert_eq!(errors, ["D6 总投资：无法识别的金额“约一个亿”"]);
    assert_eq!(rows[3].outcome, RowOutcome::Skipped(Skip::Total));
}

/// Writes the ledgers above as seeds for the `ledger` fuzz target when
/// `FENGLAI_FUZZ_SEEDS` names a folder (see RELIABILITY.md, "Fuzzing"); does nothing
/// otherwise. The target reads its first byte as the file name (0 .csv, 1 .xlsx, 2 .xls).
#[test]
fn write_fuzz_seeds() {
    let Some(dir) = std::env::var_os("FENGLAI_FUZZ_SEEDS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let seed = |name: &str, sel: u8, bytes: &[u8]| {
        let mut out = vec![sel];
        out.extend_from_slice(bytes);
        std::fs::write(dir.join(name), out).unwrap();
    };
    seed("project-ledger.xlsx", 1, &project_ledger());
    seed("leads-utf8.csv", 0, LEADS_CSV.as_bytes());
    seed("leads-gbk.csv", 0, &encoding_rs::GBK.encode(LEADS_CSV).0);
    let monthly = "月度填报（单位：万元）\n项目编号,项目名称,月份,实际到资,完成固投,税收,用工人数\n1,凤城新能源电池项目,2025-03,500,1200,30,120\n2,康达生物医药,2025年4月,\"1,000\",,,\n";
    seed("monthly.csv", 0, monthly.as_bytes());
    let headers = ["企业名称", "总投资(亿元)", "报送日期"].map(String::from);
    let rows = vec![vec![
        OutCell::Text("华芯科技有限公司".into()),
        OutCell::Decimal("1.28".into()),
        OutCell::Date(d(2024, 3, 15)),
    ]];
    seed(
        "table.xlsx",
        1,
        &write_table("线索台账", &headers, &rows).unwrap(),
    );
    let xls = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/project-ledger.xls"
    ))
    .unwrap();
    seed("project-ledger.xls", 2, &xls);
}

/// Found by the `ledger` fuzz target: a 7 KB .xls whose directory claims a stream of
/// 2 GB made calamine allocate it and abort the process. It is refused as damaged.
#[test]
fn an_xls_claiming_a_stream_longer_than_the_file_is_refused() {
    let data = include_bytes!("data/fuzz/xls-stream-longer-than-file.bin");
    // The fuzz input's first byte chose the file name; the rest is the file.
    let err = read(&data[1..], "台账.xls").unwrap_err();
    assert!(
        matches!(&err, ReadError::Workbook { detail, .. } if detail.contains("文件结构损坏")),
        "{err}"
    );
    // The real .xls next to it still reads.
    let xls = include_bytes!("data/project-ledger.xls");
    assert!(read(xls, "台账.xls").is_ok());
}
