//! Property tests: amounts and dates in every written form parse back exactly, and a
//! ledger written by `write_xlsx` reads back to the same records.

use chrono::{Datelike, Duration, NaiveDate};
use fenglai_domain::{Channel, IndustryCode, RegionCode, Stage, Uscc, Yuan};
use fenglai_ledger::*;
use proptest::prelude::*;

/// `v / 10^places` as exact decimal text, optionally with grouping commas.
fn decimal(v: i64, places: u32, commas: bool) -> String {
    let scale = 10i128.pow(places);
    let a = (v as i128).abs();
    let (int, frac) = (a / scale, a % scale);
    let mut int_s = int.to_string();
    if commas {
        let digits: Vec<char> = int_s.chars().collect();
        int_s = digits
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                let sep = i > 0 && (digits.len() - i).is_multiple_of(3);
                sep.then_some(',').into_iter().chain(std::iter::once(*c))
            })
            .collect();
    }
    let sign = if v < 0 { "-" } else { "" };
    if places == 0 {
        format!("{sign}{int_s}")
    } else {
        format!("{sign}{int_s}.{:0w$}", frac, w = places as usize)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any amount in yuan written in 元, 万元 or 亿元 — with the unit in the cell or only in
    /// the column header, with or without grouping commas — parses back exactly.
    #[test]
    fn any_amount_in_any_unit_parses_back(v in any::<i64>(), commas in any::<bool>()) {
        for (unit, places, suffix) in [(Unit::Yuan, 0, "元"), (Unit::Wan, 4, "万"), (Unit::Yi, 8, "亿")] {
            let text = decimal(v, places, commas);
            prop_assert_eq!(parse_yuan(&text, unit), Ok(Yuan(v)), "{}", text);
            let with_unit = format!("{text}{suffix}元").replace("元元", "元");
            prop_assert_eq!(parse_yuan(&with_unit, Unit::Yuan), Ok(Yuan(v)), "{}", with_unit);
            // As a number cell: a double holding the decimal, read through its shortest text.
            let plain = decimal(v, places, false);
            let digits = plain.trim_start_matches('-').replace('.', "");
            if digits.trim_start_matches('0').len() <= 15 {
                let cell = Cell::Number(plain.parse::<f64>().unwrap());
                prop_assert_eq!(parse_value(&cell, Field::PlannedInvestment, Some(unit)), Ok(Value::Yuan(Yuan(v))));
            }
        }
    }

    /// Dollars likewise, in 美元 and 万美元.
    #[test]
    fn any_dollar_amount_parses_back(v in 0i64..i64::MAX) {
        prop_assert_eq!(parse_usd(&decimal(v, 4, true), Unit::WanUsd), Ok(v));
        prop_assert_eq!(parse_usd(&format!("{}万美元", decimal(v, 4, false)), Unit::Usd), Ok(v));
        prop_assert_eq!(parse_usd(&format!("{}美元", decimal(v, 0, true)), Unit::WanUsd), Ok(v));
    }

    /// Any day from 1900-03-01 to 2200 in every ledger form, as text and as a date cell
    /// (but 1905-03-14 to 1906-01-08, typed years), reads back as that day, as an Excel
    /// serial (number or text) only inside the default window; month forms give the 1st.
    #[test]
    fn any_date_in_any_form_parses_back(days in 0i64..110_000) {
        let day = NaiveDate::from_ymd_opt(1900, 3, 1).unwrap() + Duration::days(days);
        prop_assume!(day.year() <= 2200);
        let (y, m, d) = (day.year(), day.month(), day.day());
        let f = Field::ReportedDate;
        for s in [
            format!("{y}年{m}月{d}日"),
            format!("{y}.{m}.{d}"),
            format!("{y}/{m}/{d}"),
            day.format("%Y-%m-%d").to_string(),
            day.format("%Y%m%d").to_string(),
            format!(" {y} 年 {m} 月 {d} 日 "),
        ] {
            prop_assert_eq!(parse_date(&Cell::Text(s.clone()), f), Ok(day), "{}", s);
        }
        // An Excel serial is its day only inside the window (1990 to 30 years ahead);
        // outside it is never taken for that day (2024 is not 1905-07-16).
        let serial = to_serial(day);
        let number = parse_date(&Cell::Number(serial as f64), f);
        let text = parse_date(&Cell::Text(serial.to_string()), f);
        if DateWindow::default().contains(day) {
            prop_assert_eq!(number, Ok(day));
            prop_assert_eq!(text, Ok(day));
        } else {
            prop_assert_ne!(number, Ok(day), "{}", serial);
            prop_assert_ne!(text, Ok(day), "{}", serial);
        }
        // A date cell is its day, except a serial of 1900–2200 (1905-03-14 to 1906-01-08),
        // which is a year typed into a date-formatted cell and refused.
        if (1900..=2200).contains(&serial) {
            prop_assert!(parse_date(&Cell::Date(day), f).is_err());
        } else {
            prop_assert_eq!(parse_date(&Cell::Date(day), f), Ok(day));
        }
        let first = day.with_day(1).unwrap();
        for s in [format!("{y}年{m}月"), day.format("%Y-%m").to_string(), format!("{y}.{m}")] {
            prop_assert_eq!(parse_date(&Cell::Text(s.clone()), f), Ok(first), "{}", s);
        }
    }
}

const NAME_CHARS: &[char] = &[
    '华', '芯', '凤', '城', '星', '辰', '康', '达', '恒', '瑞', '安', '泰', '永', '新', '宏', '远',
    '光', '电', '智', '造', '云', '海', '金', '桥', '绿', '能', '晶', '圆', '材', '料',
];
const SUFFIXES: &[&str] = &[
    "科技有限公司",
    "股份有限公司",
    "集团有限公司",
    "（苏州）有限公司",
];

fn word(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(NAME_CHARS), min..=max)
        .prop_map(|v| v.into_iter().collect())
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop::option::of(s).boxed()
}

fn uscc() -> impl Strategy<Value = Uscc> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    (
        prop::collection::vec(prop::sample::select(&ALPHABET[..10]), 6),
        prop::collection::vec(prop::sample::select(ALPHABET), 9),
    )
        .prop_map(|(region, body)| {
            let mut s: Vec<u8> = b"91".to_vec();
            s.extend(region);
            s.extend(body);
            let check = fenglai_domain::uscc::check_char(&s).unwrap();
            s.push(check as u8);
            Uscc::parse(std::str::from_utf8(&s).unwrap()).unwrap()
        })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..70_000).prop_map(|d| NaiveDate::from_ymd_opt(1950, 1, 1).unwrap() + Duration::days(d))
}

fn text() -> impl Strategy<Value = String> {
    (word(2, 10), word(0, 6)).prop_map(|(a, b)| {
        if b.is_empty() {
            format!("{a}。")
        } else {
            format!("{a}，{b}。")
        }
    })
}

prop_compose! {
    fn names()(company in word(2, 6), suffix in prop::sample::select(SUFFIXES), latin in prop::option::of("[A-Z][a-z]{1,6}( [A-Z][a-z]{1,6}){0,2}"),
               project in word(2, 8)) -> (String, String) {
        let company = match latin { Some(l) => format!("{l}{company}{suffix}"), None => format!("{company}{suffix}") };
        (company, format!("{project}项目"))
    }
}

prop_compose! {
    fn parties()(uscc in opt(uscc()),
                 industry_code in opt(prop::sample::select(vec!["C", "3976", "65", "652"]).prop_filter_map("valid", |c| IndustryCode::parse(c).ok())),
                 industry_name in opt(word(2, 6)),
                 region_code in opt("[1-6][0-9]{5}".prop_map(|s| RegionCode::parse(&s).unwrap())),
                 region_name in opt(word(2, 4)),
                 contact_name in opt(word(2, 3)),
                 contact_phone in opt("1[3-9][0-9]{9}"),
                 description in opt(text())) -> Record {
        Record { uscc, industry_code, industry_name, region_code, region_name, contact_name, contact_phone, description, ..Record::default() }
    }
}

prop_compose! {
    fn figures()(planned in opt(any::<i64>().prop_map(Yuan)),
                 contract in opt((0i64..i64::MAX).prop_map(Yuan)),
                 paid_in in opt((0i64..10_000_000_000_000).prop_map(Yuan)),
                 foreign in opt(0i64..i64::MAX),
                 land in opt((0i64..1_000_000_000_000).prop_map(Mu)),
                 jobs in opt(0i64..10_000_000),
                 channel in opt(prop::sample::select(Channel::ALL)),
                 stage in opt(prop::sample::select(Stage::ALL.to_vec()))) -> (Option<Yuan>, Option<Yuan>, Option<Yuan>, Option<i64>, Option<Mu>, Option<i64>, Option<Channel>, Option<Stage>) {
        (planned, contract, paid_in, foreign, land, jobs, channel, stage)
    }
}

prop_compose! {
    fn record()(names in names(), parties in parties(), figures in figures(),
                dates in (opt(date()), opt(date()), opt(date())),
                people in (opt(word(2, 6)), opt(word(2, 3)), opt(word(2, 6)), opt(text()))) -> Record {
        let (company_name, project_name) = names;
        let (planned, contract, paid_in, foreign, land, jobs, channel, stage) = figures;
        let (reported, signed, started) = dates;
        let (park, responsible, unit, remarks) = people;
        Record {
            company_name,
            project_name: Some(project_name),
            planned_investment: planned,
            contract_amount: contract,
            paid_in,
            foreign_capital_usd: foreign,
            land,
            jobs,
            channel,
            stage,
            reported_date: reported,
            signed_date: signed,
            started_date: started,
            park: park.map(|p| format!("{p}园区")),
            responsible,
            reporting_unit: unit.map(|u| format!("{u}招商局")),
            remarks,
            ..parties
        }
    }
}

/// What survives a ledger with only these columns.
fn restrict(mut r: Record, columns: &[Column]) -> Record {
    let has = |f: Field| columns.iter().any(|c| c.field == f);
    let mut out = Record {
        company_name: r.company_name.clone(),
        ..Record::default()
    };
    for f in Field::ALL {
        if has(f) && f != Field::Industry && f != Field::Region {
            if let Some(v) = r.get(f) {
                out.set(f, v);
            }
        }
    }
    if has(Field::Industry) {
        out.industry_name = r.industry_name.take();
    }
    if has(Field::Region) {
        out.region_name = r.region_name.take();
    }
    out
}

fn round_trip(kind: Kind, columns: &[Column], records: &[Record]) -> Vec<Record> {
    let bytes = write_xlsx(kind, "", columns, records).unwrap();
    let sheet = read(&bytes, "export.xlsx").unwrap();
    let mapping = propose_mapping(&sheet).unwrap();
    assert_eq!(mapping.header_rows, (1, 1));
    for c in columns {
        let m = mapping
            .column_of(c.field)
            .unwrap_or_else(|| panic!("{:?} not found", c.field));
        if c.effective_unit().is_some() && c.field.kind() != ValueKind::Land {
            assert_eq!(m.unit, c.effective_unit(), "{:?}", c.field);
            assert!(!m.unit_assumed);
        }
    }
    let rows = parse_rows(&sheet, &mapping, kind).unwrap();
    rows.iter()
        .map(|r| match &r.outcome {
            RowOutcome::Record(rec) => (**rec).clone(),
            other => panic!("row {}: {other:?}", r.row),
        })
        .collect()
}

fn units() -> impl Strategy<Value = (Unit, Unit)> {
    (
        prop::sample::select(vec![Unit::Yuan, Unit::Wan, Unit::Yi]),
        prop::sample::select(vec![Unit::Usd, Unit::WanUsd, Unit::YiUsd]),
    )
}

fn with_units(kind: Kind, (cny, usd): (Unit, Unit)) -> Vec<Column> {
    default_columns(kind)
        .into_iter()
        .map(|c| match c.field.kind() {
            ValueKind::Yuan => Column::with_unit(c.field, cny),
            ValueKind::Usd => Column::with_unit(c.field, usd),
            _ => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Projects written in any units read back to exactly the same records.
    #[test]
    fn projects_round_trip(records in prop::collection::vec(record(), 1..25), units in units()) {
        let columns = with_units(Kind::Projects, units);
        let want: Vec<Record> = records.into_iter().map(|r| restrict(r, &columns)).collect();
        prop_assert_eq!(round_trip(Kind::Projects, &columns, &want), want);
    }

    /// Leads likewise, with the lead ledger's columns.
    #[test]
    fn leads_round_trip(records in prop::collection::vec(record(), 1..25), units in units()) {
        let columns = with_units(Kind::Leads, units);
        let want: Vec<Record> = records.into_iter().map(|r| restrict(r, &columns)).collect();
        prop_assert_eq!(round_trip(Kind::Leads, &columns, &want), want);
    }
}

#[test]
fn export_layout() {
    let rec = Record {
        company_name: "华芯（苏州）科技有限公司".into(),
        project_name: Some("凤城新能源电池项目".into()),
        planned_investment: Some(Yuan(128_000_000)),
        signed_date: NaiveDate::from_ymd_opt(2024, 3, 15),
        stage: Some(Stage::Signed),
        land: Some(Mu(12_050)),
        ..Record::default()
    };
    let columns = [
        Column::new(Field::ProjectName),
        Column::new(Field::CompanyName),
        Column::with_unit(Field::PlannedInvestment, Unit::Yi),
        Column::new(Field::Land),
        Column::new(Field::Stage),
        Column::new(Field::SignedDate),
    ];
    let bytes = write_xlsx(
        Kind::Projects,
        "凤城区重点项目台账",
        &columns,
        std::slice::from_ref(&rec),
    )
    .unwrap();
    let sheet = read(&bytes, "x.xlsx").unwrap();
    assert_eq!(sheet.name, "台账");
    assert_eq!(sheet.cell(0, 0), &Cell::Text("凤城区重点项目台账".into()));
    assert_eq!(
        sheet.cell(0, 5),
        &Cell::Text("凤城区重点项目台账".into()),
        "title merged across"
    );
    let headers: Vec<String> = sheet.rows[1].iter().map(Cell::text).collect();
    assert_eq!(
        headers,
        [
            "项目名称",
            "企业名称",
            "总投资(亿元)",
            "用地(亩)",
            "项目进展",
            "签约日期"
        ]
    );
    assert_eq!(sheet.cell(2, 2), &Cell::Number(1.28));
    assert_eq!(sheet.cell(2, 3), &Cell::Number(120.5));
    assert_eq!(sheet.cell(2, 4), &Cell::Text("签约".into()));
    assert_eq!(
        sheet.cell(2, 5),
        &Cell::Date(NaiveDate::from_ymd_opt(2024, 3, 15).unwrap())
    );
    assert_eq!(
        round_trip(Kind::Projects, &columns, std::slice::from_ref(&rec)),
        [rec]
    );
}

#[test]
fn any_table_exports() {
    let headers = vec![
        "单位".to_string(),
        "月份".to_string(),
        "报送线索".to_string(),
        "有效线索".to_string(),
    ];
    let rows = vec![vec![
        OutCell::Text("凤城区投资促进局".into()),
        OutCell::Text("2024-03".into()),
        OutCell::Decimal("12".into()),
        OutCell::Decimal("9".into()),
    ]];
    let bytes = write_table("2024年3月线索报送情况", &headers, &rows).unwrap();
    let sheet = read(&bytes, "quota.xlsx").unwrap();
    assert_eq!(sheet.cell(2, 0), &Cell::Text("凤城区投资促进局".into()));
    assert_eq!(sheet.cell(2, 2), &Cell::Number(12.0));
}
