//! Charts as SVG geometry computed on the server; templates draw them.

use fenglai_app::stats::{GroupPipeline, Pipeline};
use fenglai_domain::{Stage, Yuan};

pub struct FunnelBar {
    pub stage: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub investment: String,
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub color: &'static str,
    /// where the figure is written: inside a wide bar, right of a narrow one
    pub label_x: i64,
    pub label_inside: bool,
}

const WIDTH: i64 = 560;
const COLORS: [&str; 6] = [
    "#9ab8d8", "#6f9fd0", "#4a86c5", "#2f6db0", "#1f5594", "#143e70",
];

/// A centred funnel of the main line: each bar's width by projects that reached the stage.
pub fn funnel(p: &Pipeline) -> Vec<FunnelBar> {
    let max = p.stage(Stage::Negotiating).reached_count.max(1);
    Stage::LINE
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let st = p.stage(s);
            let w = (WIDTH * st.reached_count / max).max(4);
            let x = 120 + (WIDTH - w) / 2;
            let inside = w >= 220;
            FunnelBar {
                label_x: if inside { x + w / 2 } else { x + w + 8 },
                label_inside: inside,
                stage: s.as_str(),
                label: s.label(),
                count: st.reached_count,
                investment: Yuan(st.reached_investment_yuan).human(),
                x,
                y: i as i64 * 44,
                width: w,
                color: COLORS[i],
            }
        })
        .collect()
}

pub struct HBar {
    pub name: String,
    pub value: String,
    pub y: i64,
    pub width: i64,
    pub count: i64,
}

/// Horizontal bars of reached investment per group.
pub fn group_bars(groups: &[GroupPipeline]) -> Vec<HBar> {
    let max = groups
        .iter()
        .map(|g| g.pipeline.stage(Stage::Negotiating).reached_investment_yuan)
        .max()
        .unwrap_or(1)
        .max(1);
    groups
        .iter()
        .take(12)
        .enumerate()
        .map(|(i, g)| {
            let st = g.pipeline.stage(Stage::Negotiating);
            HBar {
                name: g.name.clone(),
                value: Yuan(st.reached_investment_yuan).human(),
                y: i as i64 * 30,
                width: ((400 * st.reached_investment_yuan as i128) / max as i128).max(2) as i64,
                count: st.reached_count,
            }
        })
        .collect()
}
