//! Benchmark of ledger import: writes a realistic project ledger (.xlsx) and times reading
//! and validating it.
//!
//! ```text
//! cargo run --release -p fenglai-ledger --example ledger_bench -- write bench-data/ledger-100k.xlsx 100000
//! cargo run --release -p fenglai-ledger --example ledger_bench -- parse bench-data/ledger-100k.xlsx 3
//! ```
//!
//! The ledger has what county ledgers have: a title row, a "填报单位/填报时间" row, a two-row
//! header with merged cells (投资额 over 总投资(亿元) and 到资(万元)), Chinese names and
//! descriptions, amounts as numbers and as text with units ("3000万", "1.28亿"), dates as
//! date cells, Excel serials and text (2024年3月15日, 2024.3.15, 2024-03), progress as
//! words, about 1% bad rows, and a 合计 row at the end.
//!
//! `parse` prints one line per run, `rust_seconds <s>` (read + propose_mapping +
//! parse_rows), then `rust_median_seconds <s>`.

use fenglai_ledger::{parse_rows, propose_mapping, read, summarize, Kind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook};
use std::time::Instant;

const PREFIX: &[&str] = &[
    "华芯", "凤城", "星辰", "康达", "恒瑞", "安泰", "永新", "宏远", "光启", "智造", "云海", "金桥",
    "绿能", "晶圆", "天合", "中科", "博越", "瑞丰", "海螺", "长风", "远景", "卓越",
];
const TRADE: &[&str] = &[
    "新能源",
    "半导体",
    "生物医药",
    "智能装备",
    "新材料",
    "数字科技",
    "光电",
    "汽车零部件",
    "冷链物流",
    "食品",
    "纺织",
    "精密机械",
];
const FORM: &[&str] = &["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"];
const CITY: &[&str] = &[
    "深圳", "上海", "苏州", "杭州", "北京", "广州", "厦门", "香港", "东莞", "宁波",
];
const PARK: &[&str] = &["凤城经开区", "高新区", "临港产业园", "凤鸣工业园"];
const STAGE: &[&str] = &[
    "洽谈中",
    "在谈",
    "已签约",
    "在建",
    "已开工",
    "已竣工",
    "已投产",
    "已达产",
    "中止",
];
const INDUSTRY: &[&str] = &[
    "3976",
    "3841",
    "2720",
    "C",
    "新能源汽车",
    "电子信息",
    "生物医药",
];
const SURNAME: &[&str] = &["张", "王", "李", "赵", "陈", "刘", "杨", "黄", "周", "吴"];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰",
];

fn pick<'a>(rng: &mut StdRng, xs: &[&'a str]) -> &'a str {
    xs[rng.gen_range(0..xs.len())]
}

fn uscc(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut s: Vec<u8> = b"91".to_vec();
    for _ in 0..6 {
        s.push(ALPHABET[rng.gen_range(0..10)]);
    }
    for _ in 0..9 {
        s.push(ALPHABET[rng.gen_range(0..ALPHABET.len())]);
    }
    let check = fenglai_domain::uscc::check_char(&s).expect("alphabet characters");
    s.push(check as u8);
    String::from_utf8(s).expect("ascii")
}

fn write(path: &str, rows: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(20240315);
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("重点项目")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let headers: [&str; 21] = [
        "序号",
        "项目名称",
        "项目单位",
        "统一社会信用代码",
        "所属行业",
        "来源地",
        "投资额",
        "",
        "利用外资\n（万美元）",
        "用地(亩)",
        "就业(人)",
        "项目进展",
        "签约日期",
        "开工日期",
        "所在园区",
        "责任人",
        "联系电话",
        "项目简介",
        "报送日期",
        "渠道",
        "备注",
    ];
    let last = (headers.len() - 1) as u16;
    ws.merge_range(
        0,
        0,
        0,
        last,
        "凤城市2024年招商引资重点项目推进情况台账",
        &title,
    )?;
    ws.merge_range(1, 0, 1, 5, "填报单位：凤城市投资促进局", &Format::new())?;
    ws.write_string(1, 12, "填报时间：2024年12月31日")?;
    for (c, h) in headers.iter().enumerate() {
        let c = c as u16;
        if c == 6 {
            ws.merge_range(2, 6, 2, 7, "投资额", &head)?;
            ws.write_string_with_format(3, 6, "总投资(亿元)", &head)?;
        } else if c == 7 {
            ws.write_string_with_format(3, 7, "到资（万元）", &head)?;
        } else {
            ws.merge_range(2, c, 3, c, h, &head)?;
        }
    }
    for i in 0..rows {
        let r = (i + 4) as u32;
        let company = format!(
            "{}{}{}",
            pick(&mut rng, PREFIX),
            pick(&mut rng, TRADE),
            pick(&mut rng, FORM)
        );
        // Stray spaces as people type them.
        let company = match rng.gen_range(0..20) {
            0 => format!(" {company}\u{3000}"),
            1 => company.replacen("有限", " 有限", 1),
            _ => company,
        };
        ws.write_number(r, 0, (i + 1) as f64)?;
        ws.write_string(
            r,
            1,
            format!(
                "{}{}项目（{}期）",
                pick(&mut rng, PREFIX),
                pick(&mut rng, TRADE),
                i % 3 + 1
            ),
        )?;
        ws.write_string(r, 2, &company)?;
        let bad = rng.gen_range(0..100) == 0;
        if bad && rng.gen_bool(0.5) {
            let mut code = uscc(&mut rng);
            code.replace_range(17..18, if code.ends_with('0') { "1" } else { "0" });
            ws.write_string(r, 3, code)?;
        } else if rng.gen_bool(0.7) {
            ws.write_string(r, 3, uscc(&mut rng))?;
        }
        ws.write_string(r, 4, pick(&mut rng, INDUSTRY))?;
        ws.write_string(r, 5, pick(&mut rng, CITY))?;
        // 总投资 in 亿元: mostly numbers with up to 4 decimals, some text with units.
        let planned_wan: i64 = rng.gen_range(500..2_000_000);
        match rng.gen_range(0..10) {
            0 => ws.write_string(r, 6, format!("{planned_wan}万"))?,
            1 => ws.write_string(r, 6, format!("{}亿", planned_wan as f64 / 10_000.0))?,
            _ if bad => ws.write_string(r, 6, "约一个亿")?,
            _ => ws.write_number(r, 6, planned_wan as f64 / 10_000.0)?,
        };
        if rng.gen_bool(0.6) {
            let paid = rng.gen_range(0..planned_wan.max(1));
            if rng.gen_bool(0.2) {
                ws.write_string(r, 7, format!("{},{:03}", paid / 1000, paid % 1000))?;
            } else {
                ws.write_number(r, 7, paid as f64)?;
            }
        }
        if rng.gen_bool(0.2) {
            ws.write_number(r, 8, rng.gen_range(10..50_000) as f64)?;
        }
        if rng.gen_bool(0.7) {
            ws.write_number(r, 9, rng.gen_range(500..100_000) as f64 / 100.0)?;
        }
        if rng.gen_bool(0.6) {
            ws.write_number(r, 10, rng.gen_range(10..3000) as f64)?;
        }
        ws.write_string(r, 11, pick(&mut rng, STAGE))?;
        let (y, m, d) = (
            rng.gen_range(2019..2025),
            rng.gen_range(1..13u8),
            rng.gen_range(1..29u8),
        );
        match rng.gen_range(0..6) {
            0 => ws.write_datetime_with_format(r, 12, ExcelDateTime::from_ymd(y, m, d)?, &date)?,
            1 => ws.write_string(r, 12, format!("{y}年{m}月{d}日"))?,
            2 => ws.write_string(r, 12, format!("{y}.{m}.{d}"))?,
            3 => ws.write_string(r, 12, format!("{y}-{m:02}"))?,
            4 => ws.write_number(r, 12, ExcelDateTime::from_ymd(y, m, d)?.to_excel())?,
            _ => ws.write_string(r, 12, format!("{y}/{m}/{d}"))?,
        };
        if rng.gen_bool(0.5) {
            let (y2, m2) = (rng.gen_range(2020..2026), rng.gen_range(1..13u8));
            if bad && rng.gen_bool(0.5) {
                ws.write_string(r, 13, "明年初")?;
            } else {
                ws.write_string(r, 13, format!("{y2}年{m2}月"))?;
            }
        }
        ws.write_string(r, 14, pick(&mut rng, PARK))?;
        ws.write_string(
            r,
            15,
            format!("{}{}", pick(&mut rng, SURNAME), pick(&mut rng, GIVEN)),
        )?;
        ws.write_string(
            r,
            16,
            format!(
                "1{}{:09}",
                rng.gen_range(3..10),
                rng.gen_range(0..1_000_000_000u32)
            ),
        )?;
        ws.write_string(
            r,
            17,
            format!(
                "建设{}生产线及配套研发中心，达产后年产值约{}亿元。",
                pick(&mut rng, TRADE),
                rng.gen_range(1..80)
            ),
        )?;
        ws.write_string(
            r,
            18,
            format!("2024年{}月{}日", rng.gen_range(1..13), rng.gen_range(1..29)),
        )?;
        ws.write_string(
            r,
            19,
            [
                "以商招商",
                "商会推荐",
                "驻深圳办事处",
                "招商推介会",
                "自主招商",
            ][i % 5],
        )?;
        if rng.gen_bool(0.1) {
            ws.write_string(r, 20, "重点跟踪")?;
        }
    }
    let total = (rows + 4) as u32;
    ws.merge_range(total, 0, total, 5, "合计", &Format::new())?;
    book.save(path)?;
    Ok(())
}

fn parse(path: &str, repeat: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut times = Vec::new();
    for _ in 0..repeat {
        let bytes = std::fs::read(path)?;
        let t = Instant::now();
        let sheet = read(&bytes, path)?;
        let t_read = t.elapsed().as_secs_f64();
        let mapping = propose_mapping(&sheet)?;
        let rows = parse_rows(&sheet, &mapping, Kind::Projects)?;
        let total = t.elapsed().as_secs_f64();
        let s = summarize(&rows);
        eprintln!(
            "read {t_read:.3} s, mapping + validation {:.3} s: {} rows valid, {} with errors, {} skipped",
            total - t_read,
            s.valid,
            s.invalid,
            s.skipped
        );
        println!("rust_seconds {total:.3}");
        times.push(total);
    }
    times.sort_by(f64::total_cmp);
    println!("rust_median_seconds {:.3}", times[times.len() / 2]);
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("write") => {
            let path = args.get(2).ok_or("write PATH [ROWS]")?;
            let rows = args
                .get(3)
                .map(|s| s.parse())
                .transpose()?
                .unwrap_or(100_000);
            write(path, rows)
        }
        Some("parse") => {
            let path = args.get(2).ok_or("parse PATH [REPEAT]")?;
            let repeat = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(3);
            parse(path, repeat.max(1))
        }
        _ => Err("usage: ledger_bench write PATH [ROWS] | parse PATH [REPEAT]".into()),
    }
}
