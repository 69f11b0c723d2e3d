//! Amounts as ledgers write them, each read under a column header the way an import
//! reads it (the header proposes the field and unit; a header without a unit is read as
//! 万元 / 万美元), and compared with what the cell says: a currency sign or name is not
//! a unit ("¥3500" under 万元 is 3,500 yuan; "$1200" under 万美元 1,200 dollars) unless a
//! 万 / 亿 follows. Each row: header, cell, expected whole yuan / dollars or a refusal
//! (a piece of the message; every refusal also quotes the cell as typed).

use fenglai_ledger::*;

#[derive(Debug, Clone, Copy)]
enum In {
    T(&'static str),
    N(f64),
}

#[derive(Debug, Clone, Copy)]
enum Want {
    V(i64),
    E(&'static str),
}

use In::{N, T};
use Want::{E, V};

const W: &str = "总投资（万元）";
const Y: &str = "总投资(亿元)";
const R: &str = "总投资（元）";
const A: &str = "总投资";
const C: &str = "签约金额（万元）";
const UW: &str = "利用外资（万美元）";
const U: &str = "利用外资(美元)";
const UY: &str = "利用外资（亿美元）";
const UA: &str = "利用外资";

const NOT_WHOLE: &str = "不是整数元";
const DOLLARS: &str = "是美元，此列应为人民币";
const YUAN: &str = "是人民币，此列应为美元";
const OTHER: &str = "不是人民币或美元";
const BAD: &str = "无法识别的金额";
const BAD_USD: &str = "无法识别的美元金额";
const BOTH: &str = "同时写了人民币和美元";
const COMMA: &str = "逗号位置不对";

#[rustfmt::skip]
const AMOUNTS: &[(&str, In, Want)] = &[
    // 万元 column: a bare number is 万元
    (W, T("3500"), V(35_000_000)),
    (W, T("3,500"), V(35_000_000)),
    (W, T("3 500"), V(35_000_000)),
    (W, T("3，500"), V(35_000_000)),
    (W, T("  3500  "), V(35_000_000)),
    (W, T("3500.5"), V(35_005_000)),
    (W, T("0.01"), V(100)),
    (W, T("0.0001"), V(1)),
    (W, T("0.00001"), E(NOT_WHOLE)),
    (W, T("0"), V(0)),
    (W, T("-200"), V(-2_000_000)),
    (W, T("５０００"), V(50_000_000)),
    (W, T("１．５"), V(15_000)),
    (W, N(3500.0), V(35_000_000)),
    (W, N(1.28), V(12_800)),
    (W, N(0.00001), E(NOT_WHOLE)),
    // a currency sign or name: whole yuan
    (W, T("¥3500"), V(3_500)),
    (W, T("￥3500"), V(3_500)),
    (W, T("¥ 3,500"), V(3_500)),
    (W, T("￥３５００"), V(3_500)),
    (W, T("¥3500.00"), V(3_500)),
    (W, T("¥3500.5"), E(NOT_WHOLE)),
    (W, T("RMB 3500"), V(3_500)),
    (W, T("RMB3500"), V(3_500)),
    (W, T("rmb 3500"), V(3_500)),
    (W, T("Rmb3,500"), V(3_500)),
    (W, T("CNY 3500"), V(3_500)),
    (W, T("cny3500"), V(3_500)),
    (W, T("人民币3500"), V(3_500)),
    (W, T("人民币3500元"), V(3_500)),
    (W, T("人民币 3,500 元"), V(3_500)),
    (W, T("3500元人民币"), V(3_500)),
    (W, T("3500人民币"), V(3_500)),
    (W, T("3500 RMB"), V(3_500)),
    (W, T("3500CNY"), V(3_500)),
    (W, T("3500元"), V(3_500)),
    (W, T("3,500元"), V(3_500)),
    (W, T("-¥200"), V(-200)),
    (W, T("¥-200"), V(-200)),
    (W, T("-¥-200"), E(BAD)),
    // …unless a multiple follows
    (W, T("¥3500万"), V(35_000_000)),
    (W, T("¥3500万元"), V(35_000_000)),
    (W, T("￥3500万元"), V(35_000_000)),
    (W, T("¥1.28亿"), V(128_000_000)),
    (W, T("￥1.28亿元"), V(128_000_000)),
    (W, T("RMB 3500万"), V(35_000_000)),
    (W, T("CNY3500万"), V(35_000_000)),
    (W, T("人民币3500万元"), V(35_000_000)),
    (W, T("人民币1.5亿元"), V(150_000_000)),
    (W, T("3500万元人民币"), V(35_000_000)),
    (W, T("3500万人民币"), V(35_000_000)),
    (W, T("3500万 RMB"), V(35_000_000)),
    (W, T("3500万元"), V(35_000_000)),
    (W, T("3500万"), V(35_000_000)),
    (W, T("3,500万元"), V(35_000_000)),
    (W, T("1.28亿"), V(128_000_000)),
    (W, T("1.28亿元"), V(128_000_000)),
    (W, T("12亿"), V(1_200_000_000)),
    (W, T("0.5亿"), V(50_000_000)),
    (W, T("1.2千万"), V(12_000_000)),
    (W, T("1.2千万元"), V(12_000_000)),
    (W, T("3百万"), V(3_000_000)),
    (W, T("3百万元"), V(3_000_000)),
    (W, T("5千元"), V(5_000)),
    (W, T("5千"), V(5_000)),
    (W, T("３５００万元"), V(35_000_000)),
    (W, T("１．２８亿"), V(128_000_000)),
    (W, T("0.00005万"), E(NOT_WHOLE)),
    // dollars and other currencies are not yuan
    (W, T("$1200"), E(DOLLARS)),
    (W, T("US$1200"), E(DOLLARS)),
    (W, T("USD 1200"), E(DOLLARS)),
    (W, T("1200美元"), E(DOLLARS)),
    (W, T("1200美金"), E(DOLLARS)),
    (W, T("3500万美元"), E(DOLLARS)),
    (W, T("€3500"), E(OTHER)),
    (W, T("3500欧元"), E(OTHER)),
    (W, T("HK$3500"), E(OTHER)),
    (W, T("3500港币"), E(OTHER)),
    (W, T("3500港元"), E(OTHER)),
    (W, T("3500日元"), E(OTHER)),
    (W, T("£3500"), E(OTHER)),
    (W, T("$3500元"), E(BOTH)),
    (W, T("¥3500美元"), E(BOTH)),
    (W, T("人民币3500美元"), E(BOTH)),
    // a comma that does not group thousands may be a decimal comma: refused
    (W, T("3,5"), E(COMMA)),
    (W, T("35,00"), E(COMMA)),
    (W, T("3,5000"), E(COMMA)),
    (W, T("1234,567"), E(COMMA)),
    (W, T(",3500"), E(COMMA)),
    (W, T("3500,"), E(COMMA)),
    (W, T("3.5,00"), E(COMMA)),
    (W, T("¥3,5"), E(COMMA)),
    (W, T("1,234,567.5"), V(12_345_675_000)),
    (W, T("1，234"), V(12_340_000)),
    (UW, T("$1,2"), E(COMMA)),
    // not amounts
    (W, T("约3500"), E(BAD)),
    (W, T("3500左右"), E(BAD)),
    (W, T("约一个亿"), E(BAD)),
    (W, T("三千五百万"), E(BAD)),
    (W, T("abc"), E(BAD)),
    (W, T("1.2.3"), E(BAD)),
    (W, T("¥"), E(BAD)),
    (W, T("万"), E(BAD)),
    (W, T("万元"), E(BAD)),
    (W, T("人民币"), E(BAD)),
    (W, T("¥$3500"), E(BAD)),
    (W, T("1e5"), E(BAD)),
    (W, T("3500万亿"), E(BAD)),
    (W, T("3500-4000"), E(BAD)),
    (W, T("999999999999999"), E(BAD)),
    (W, T("3500万元/年"), E(BAD)),
    // 亿元 column
    (Y, T("1.28"), V(128_000_000)),
    (Y, T("2"), V(200_000_000)),
    (Y, T("0.00000001"), V(1)),
    (Y, T("0.000000001"), E(NOT_WHOLE)),
    (Y, T("¥3500"), V(3_500)),
    (Y, T("￥3500"), V(3_500)),
    (Y, T("¥3500万"), V(35_000_000)),
    (Y, T("3500万"), V(35_000_000)),
    (Y, T("3500万元"), V(35_000_000)),
    (Y, T("3500元"), V(3_500)),
    (Y, T("RMB 1.5亿"), V(150_000_000)),
    (Y, T("人民币2亿元"), V(200_000_000)),
    (Y, T("人民币2"), V(2)),
    (Y, N(1.28), V(128_000_000)),
    (Y, N(12.0), V(1_200_000_000)),
    (Y, T("$1"), E(DOLLARS)),
    // 元 column
    (R, T("3500"), V(3_500)),
    (R, T("1,280,000,000"), V(1_280_000_000)),
    (R, T("¥3500"), V(3_500)),
    (R, T("3500万"), V(35_000_000)),
    (R, T("3500元"), V(3_500)),
    (R, T("1.28亿"), V(128_000_000)),
    (R, T("12.5"), E(NOT_WHOLE)),
    (R, T("12.00"), V(12)),
    (R, N(3500.0), V(3_500)),
    (R, N(12.5), E(NOT_WHOLE)),
    (R, T("$1200"), E(DOLLARS)),
    // a header without a unit: 万元, a sign still whole yuan
    (A, T("3500"), V(35_000_000)),
    (A, T("¥3500"), V(3_500)),
    (A, T("3500元"), V(3_500)),
    (A, T("3500万元"), V(35_000_000)),
    (A, T("1.28亿"), V(128_000_000)),
    (A, N(3500.0), V(35_000_000)),
    // another amount column
    (C, T("800"), V(8_000_000)),
    (C, T("¥800"), V(800)),
    (C, T("RMB 800万"), V(8_000_000)),
    // 万美元 column: a bare number is 万美元
    (UW, T("1200"), V(12_000_000)),
    (UW, T("1,200"), V(12_000_000)),
    (UW, T("12.5"), V(125_000)),
    (UW, T("0.0001"), V(1)),
    (UW, N(1200.0), V(12_000_000)),
    (UW, N(0.5), V(5_000)),
    // a sign or name: whole dollars
    (UW, T("$1200"), V(1_200)),
    (UW, T("＄1200"), V(1_200)),
    (UW, T("$1,200"), V(1_200)),
    (UW, T("$ 1,200"), V(1_200)),
    (UW, T("US$1200"), V(1_200)),
    (UW, T("US$ 1,200"), V(1_200)),
    (UW, T("us$1200"), V(1_200)),
    (UW, T("USD 1200"), V(1_200)),
    (UW, T("USD1200"), V(1_200)),
    (UW, T("usd 1200"), V(1_200)),
    (UW, T("1200 USD"), V(1_200)),
    (UW, T("1200USD"), V(1_200)),
    (UW, T("1200美元"), V(1_200)),
    (UW, T("1,200美元"), V(1_200)),
    (UW, T("1200美金"), V(1_200)),
    (UW, T("美元1200"), V(1_200)),
    (UW, T("-$100"), V(-100)),
    (UW, T("$12.5"), E("不是整数美元")),
    // …unless a multiple follows
    (UW, T("1200万美元"), V(12_000_000)),
    (UW, T("$1200万"), V(12_000_000)),
    (UW, T("$12亿"), V(1_200_000_000)),
    (UW, T("US$1.2亿"), V(120_000_000)),
    (UW, T("USD 12万"), V(120_000)),
    (UW, T("1.2亿美元"), V(120_000_000)),
    (UW, T("0.5万美元"), V(5_000)),
    (UW, T("1200万"), V(12_000_000)),
    (UW, T("1.2亿"), V(120_000_000)),
    (UW, T("３００万美元"), V(3_000_000)),
    // yuan and other currencies are not dollars
    (UW, T("500万元"), E(YUAN)),
    (UW, T("500元"), E(YUAN)),
    (UW, T("¥500"), E(YUAN)),
    (UW, T("￥500万"), E(YUAN)),
    (UW, T("RMB 500"), E(YUAN)),
    (UW, T("人民币500万"), E(YUAN)),
    (UW, T("500万元人民币"), E(YUAN)),
    (UW, T("€500"), E(OTHER)),
    (UW, T("HK$500"), E(OTHER)),
    (UW, T("500港币"), E(OTHER)),
    (UW, T("$500元"), E(BOTH)),
    (UW, T("很多"), E(BAD_USD)),
    (UW, T("$"), E(BAD_USD)),
    (UW, T("约500万美元"), E(BAD_USD)),
    (UW, T("五百万美元"), E(BAD_USD)),
    // 美元 column
    (U, T("1200"), V(1_200)),
    (U, T("$1200"), V(1_200)),
    (U, T("1200万"), V(12_000_000)),
    (U, T("12.5万美元"), V(125_000)),
    (U, T("$0.5"), E("不是整数美元")),
    (U, N(3000.0), V(3_000)),
    (U, T("¥1200"), E(YUAN)),
    // 亿美元 column
    (UY, T("1.2"), V(120_000_000)),
    (UY, T("$1200"), V(1_200)),
    (UY, T("$12亿"), V(1_200_000_000)),
    (UY, T("3000万美元"), V(30_000_000)),
    (UY, T("USD 3000万"), V(30_000_000)),
    (UY, N(0.2), V(20_000_000)),
    // a foreign-capital header without a unit: 万美元
    (UA, T("1200"), V(12_000_000)),
    (UA, T("$1200"), V(1_200)),
    (UA, T("1200美元"), V(1_200)),
];

fn sheet(header: &str, cells: &[In]) -> Sheet {
    let mut rows = vec![vec![
        Cell::Text("企业名称".into()),
        Cell::Text(header.into()),
    ]];
    for (i, c) in cells.iter().enumerate() {
        let cell = match c {
            T(s) => Cell::Text(s.to_string()),
            N(n) => Cell::Number(*n),
        };
        rows.push(vec![Cell::Text(format!("企业{i}")), cell]);
    }
    Sheet {
        name: "表".into(),
        source: Source::Xlsx,
        rows,
        merges: vec![],
    }
}

#[test]
fn amount_table() {
    assert!(AMOUNTS.len() >= 150, "{} rows", AMOUNTS.len());
    let mut headers: Vec<&str> = AMOUNTS.iter().map(|r| r.0).collect();
    headers.dedup();
    let mut failures = Vec::new();
    for header in headers {
        let rows: Vec<&(&str, In, Want)> = AMOUNTS.iter().filter(|r| r.0 == header).collect();
        let cells: Vec<In> = rows.iter().map(|r| r.1).collect();
        let sheet = sheet(header, &cells);
        let mapping = propose_mapping(&sheet).unwrap();
        let field = mapping.columns[1].field.expect(header);
        let results = parse_rows(&sheet, &mapping, Kind::Leads).unwrap();
        assert_eq!(results.len(), rows.len(), "{header}");
        for ((_, input, want), result) in rows.iter().zip(&results) {
            let got: Result<i64, String> = match (&result.outcome, result.record()) {
                (_, Some(r)) => match r.get(field) {
                    Some(Value::Yuan(y)) => Ok(y.0),
                    Some(Value::Usd(d)) => Ok(d),
                    other => Err(format!("no amount: {other:?}")),
                },
                _ => Err(result
                    .errors()
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")),
            };
            let typed = match input {
                T(s) => s.trim().to_string(),
                N(n) => format!("{n}"),
            };
            let ok = match (want, &got) {
                (V(v), Ok(g)) => v == g,
                (E(piece), Err(m)) => {
                    m.contains(piece)
                        && m.contains(&format!("“{typed}”"))
                        && m.starts_with(&format!("B{} ", result.row))
                }
                _ => false,
            };
            if !ok {
                failures.push(format!("{header} {input:?}: want {want:?}, got {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
