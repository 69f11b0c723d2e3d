//! Charts as SVG geometry computed on the server; templates draw them.

use fenglai_app::cockpit::stats::{GroupPipeline, Pipeline};
use fenglai_domain::{Stage, Yuan};
use std::collections::HashMap;

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

/// A point of the parks' position sketch (位置示意图).
pub struct MapPoint {
    pub park_id: i64,
    pub name: String,
    pub x: i64,
    pub y: i64,
    /// the park the page is about
    pub on: bool,
    /// label left of the point, when it sits in the right half
    pub label_left: bool,
}

/// The parks' relative positions, projected from longitude and latitude.
pub struct ParkMap {
    pub width: i64,
    pub height: i64,
    pub points: Vec<MapPoint>,
    /// a scale bar: its length in pixels and what it stands for
    pub scale_px: i64,
    pub scale_km: i64,
}

/// Projects `(park_id, name, lng, lat)` into a `width`-wide sketch: equirectangular about
/// the mean latitude (true to a few per cent at city scale), north up, the bounding box
/// padded by a margin, and a scale bar of a round number of kilometres. None when no park
/// has a position.
pub fn park_map(
    parks: &[(i64, String, Option<f64>, Option<f64>)],
    current: Option<i64>,
    width: i64,
) -> Option<ParkMap> {
    let located: Vec<(i64, &str, f64, f64)> = parks
        .iter()
        .filter_map(|(id, name, lng, lat)| Some((*id, name.as_str(), (*lng)?, (*lat)?)))
        .filter(|(_, _, lng, lat)| lng.is_finite() && lat.is_finite())
        .collect();
    if located.is_empty() {
        return None;
    }
    let mean_lat = located.iter().map(|p| p.3).sum::<f64>() / located.len() as f64;
    let k = mean_lat.to_radians().cos();
    // kilometres east and north of the first point
    const KM_PER_DEG: f64 = 111.32;
    let (lng0, lat0) = (located[0].2, located[0].3);
    let xy: Vec<(f64, f64)> = located
        .iter()
        .map(|p| ((p.2 - lng0) * k * KM_PER_DEG, (p.3 - lat0) * KM_PER_DEG))
        .collect();
    let (min_x, max_x) = xy
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_y, max_y) = xy
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    // at least 10 km across, so one park alone still gets a sensible scale
    let span = (max_x - min_x).max(max_y - min_y).max(10.0);
    let margin = 60.0;
    let inner = width as f64 - 2.0 * margin;
    let px_per_km = inner / span;
    let height = ((max_y - min_y) * px_per_km + 2.0 * margin).max(200.0);
    let cx = (min_x + max_x) / 2.0;
    let cy = (min_y + max_y) / 2.0;
    let points = located
        .iter()
        .zip(&xy)
        .map(|(p, (x, y))| {
            let px = width as f64 / 2.0 + (x - cx) * px_per_km;
            let py = height / 2.0 - (y - cy) * px_per_km;
            MapPoint {
                park_id: p.0,
                name: p.1.to_string(),
                x: px.round() as i64,
                y: py.round() as i64,
                on: Some(p.0) == current,
                label_left: px > width as f64 / 2.0,
            }
        })
        .collect();
    let target_km = span / 4.0;
    let scale_km = [1, 2, 5, 10, 20, 50, 100, 200, 500]
        .into_iter()
        .rev()
        .find(|&s| s as f64 <= target_km)
        .unwrap_or(1);
    Some(ParkMap {
        width,
        height: height.round() as i64,
        points,
        scale_px: (scale_km as f64 * px_per_km).round() as i64,
        scale_km,
    })
}

/// One row of a milestone timeline (甘特图).
pub struct GanttRow {
    pub label: String,
    pub status: String,
    pub y: i64,
    /// the phase leading to this node: from the previous node's planned date to this one's
    pub bar_x: i64,
    pub bar_w: i64,
    pub planned_x: Option<i64>,
    pub actual_x: Option<i64>,
    /// the slip drawn after the planned date: to today (overdue), to the predicted date (at
    /// risk) or to the actual date (done late)
    pub slip_x: i64,
    pub slip_w: i64,
    pub title: String,
}

pub struct Gantt {
    pub width: i64,
    pub height: i64,
    pub rows: Vec<GanttRow>,
    /// month ticks: x and label
    pub ticks: Vec<(i64, String)>,
    pub today_x: i64,
}

/// Lays out a plan's nodes on a time axis from the earliest to the latest date shown
/// (today included).
pub fn gantt(
    nodes: &[fenglai_app::delivery::milestones::NodeView],
    today: chrono::NaiveDate,
) -> Option<Gantt> {
    use chrono::{Datelike, Duration, NaiveDate};
    let day = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let dates: Vec<NaiveDate> = nodes
        .iter()
        .flat_map(|n| {
            [
                day(&n.milestone.planned_date),
                day(&n.milestone.actual_date),
                day(&n.predicted_date),
            ]
        })
        .flatten()
        .chain(std::iter::once(today))
        .collect();
    if dates.len() < 2 {
        return None;
    }
    let start = *dates.iter().min()? - Duration::days(20);
    let end = *dates.iter().max()? + Duration::days(20);
    let (left, plot) = (96i64, 640i64);
    let span = (end - start).num_days().max(1);
    let x = |d: NaiveDate| left + plot * (d - start).num_days() / span;
    let mut ticks = Vec::new();
    let mut m = NaiveDate::from_ymd_opt(start.year(), start.month(), 1)?;
    let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32 + 1;
    let every = (months / 10 + 1).max(1) as u32;
    while m <= end {
        if m >= start && (m.month0() % every) == 0 {
            ticks.push((x(m), format!("{}.{}", m.year() % 100, m.month())));
        }
        m = if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)?
        };
    }
    let mut prev: Option<NaiveDate> = None;
    let rows = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let planned = day(&n.milestone.planned_date);
            let actual = day(&n.milestone.actual_date);
            let (bar_x, bar_w) = match (prev, planned) {
                (Some(a), Some(b)) if b > a => (x(a), (x(b) - x(a)).max(2)),
                (_, Some(b)) => (x(b) - 2, 4),
                _ => (0, 0),
            };
            if planned.is_some() {
                prev = planned;
            }
            let slip_to = match n.status.as_str() {
                "overdue" => Some(today),
                "at_risk" => day(&n.predicted_date),
                "done_late" => actual,
                _ => None,
            };
            let (slip_x, slip_w) = match (planned, slip_to) {
                (Some(p), Some(t)) if t > p => (x(p), (x(t) - x(p)).max(2)),
                _ => (0, 0),
            };
            GanttRow {
                title: format!(
                    "{}：计划 {}，实际 {}，{}",
                    n.label,
                    n.milestone.planned_date.as_deref().unwrap_or("—"),
                    n.milestone.actual_date.as_deref().unwrap_or("—"),
                    n.status_label
                ),
                label: n.label.clone(),
                status: n.status.clone(),
                y: 30 + 26 * i as i64,
                bar_x,
                bar_w,
                planned_x: planned.map(x),
                actual_x: actual.map(x),
                slip_x,
                slip_w,
            }
        })
        .collect::<Vec<_>>();
    Some(Gantt {
        width: left + plot + 20,
        height: 40 + 26 * rows.len() as i64,
        rows,
        ticks,
        today_x: x(today),
    })
}

/// A province's outline on the 招商地图, in pixels of a map [`CHINA_WIDTH`] wide.
#[derive(Debug, Clone)]
pub struct ProvinceShape {
    /// the first two digits of its GB/T 2260 code
    pub code: String,
    pub name: String,
    /// SVG path data
    pub d: String,
    /// where its label goes
    pub label_x: i64,
    pub label_y: i64,
}

pub const CHINA_WIDTH: i64 = 800;
/// The map's height for [`CHINA_WIDTH`].
pub const CHINA_HEIGHT: i64 = 600;

const CHINA_GEOJSON: &str = include_str!("../data/china-provinces.geojson");

/// Province outlines (echarts' china.json, old boundaries without the 南海诸岛 inset: a
/// chart inside the product, not a published map) projected equirectangularly with
/// longitude scaled by cos 35°, north up; read once.
pub fn china_map() -> &'static [ProvinceShape] {
    static SHAPES: std::sync::OnceLock<Vec<ProvinceShape>> = std::sync::OnceLock::new();
    SHAPES.get_or_init(|| project_provinces(CHINA_GEOJSON))
}

fn project_provinces(geojson: &str) -> Vec<ProvinceShape> {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(geojson) else {
        return Vec::new();
    };
    let (lng0, lat1, lng1) = (73.0, 54.0, 136.0);
    let k = 35f64.to_radians().cos();
    let scale = CHINA_WIDTH as f64 / ((lng1 - lng0) * k);
    let xy = |p: &serde_json::Value| -> Option<(i64, i64)> {
        let lng = p.get(0)?.as_f64()?;
        let lat = p.get(1)?.as_f64()?;
        Some((
            ((lng - lng0) * k * scale).round() as i64,
            ((lat1 - lat) * scale).round() as i64,
        ))
    };
    let mut out = Vec::new();
    for f in doc["features"].as_array().into_iter().flatten() {
        let code: String = f["id"].as_str().unwrap_or("").chars().take(2).collect();
        let name = f["properties"]["name"].as_str().unwrap_or("").to_string();
        let g = &f["geometry"];
        let polys: Vec<&serde_json::Value> = match g["type"].as_str() {
            Some("MultiPolygon") => g["coordinates"].as_array().into_iter().flatten().collect(),
            Some("Polygon") => vec![&g["coordinates"]],
            _ => continue,
        };
        let mut d = String::new();
        for ring in polys
            .iter()
            .flat_map(|p| p.as_array().into_iter().flatten())
        {
            let mut last = None;
            let mut n = 0;
            for p in ring.as_array().into_iter().flatten() {
                let Some(q) = xy(p) else { continue };
                if last == Some(q) {
                    continue;
                }
                d.push_str(&format!(
                    "{}{},{}",
                    if n == 0 { "M" } else { "L" },
                    q.0,
                    q.1
                ));
                last = Some(q);
                n += 1;
            }
            if n > 0 {
                d.push('Z');
            }
        }
        let cp = &f["properties"]["cp"];
        let (label_x, label_y) = xy(cp).unwrap_or((0, 0));
        out.push(ProvinceShape {
            code,
            name,
            d,
            label_x,
            label_y,
        });
    }
    out
}

/// The fill of a province with `n` targets when the busiest has `max`: five steps of red,
/// grey for none.
pub fn shade(n: i64, max: i64) -> &'static str {
    const STEPS: [&str; 5] = ["#fde0d2", "#fbb397", "#f6845e", "#e4532f", "#b8321a"];
    if n <= 0 || max <= 0 {
        return "#eef0f3";
    }
    let i = ((n * 5 - 1) / max).clamp(0, 4) as usize;
    STEPS[i]
}

/// Province outlines projected once into SVG path data (`data/tools/china_svg.py`).
const CHINA: &str = include_str!("../../../data/china-provinces.tsv");

/// One province of the China map: its outline, shade and figure.
pub struct Province {
    pub code: String,
    pub name: String,
    pub path: String,
    pub fill: &'static str,
    pub count: i64,
    pub label_x: i64,
    pub label_y: i64,
}

/// A map of China shaded by a count per province (示意图, not a standard map).
pub struct ChinaMap {
    pub width: i64,
    pub height: i64,
    pub provinces: Vec<Province>,
    /// (shade, "from–to") for the legend, lightest first
    pub legend: Vec<(&'static str, String)>,
}

const SHADES: [&str; 6] = [
    "#eef2f7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c",
];

/// Shades each province by `counts` (two-digit province code → count): none is the lightest,
/// then five steps of equal width on a square-root scale up to the largest count.
pub fn shaded_china(counts: &HashMap<String, i64>) -> ChinaMap {
    let max = counts.values().copied().max().unwrap_or(0).max(1) as f64;
    let step = |n: i64| -> usize {
        if n <= 0 {
            0
        } else {
            (((n as f64 / max).sqrt() * 5.0).ceil() as usize).clamp(1, 5)
        }
    };
    let mut width = 800;
    let mut height = 577;
    let mut provinces = Vec::new();
    for line in CHINA.lines() {
        if let Some(head) = line.strip_prefix("# width ") {
            let mut it = head.split_whitespace();
            width = it.next().and_then(|w| w.parse().ok()).unwrap_or(width);
            height = it.nth(1).and_then(|h| h.parse().ok()).unwrap_or(height);
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            continue;
        }
        let count = counts.get(f[0]).copied().unwrap_or(0);
        provinces.push(Province {
            code: f[0].to_string(),
            name: f[1].to_string(),
            path: f[4].to_string(),
            fill: SHADES[step(count)],
            count,
            label_x: f[2].parse().unwrap_or(0),
            label_y: f[3].parse().unwrap_or(0),
        });
    }
    let legend = (1..=5)
        .map(|k| {
            let lo = ((k as f64 - 1.0) / 5.0).powi(2) * max;
            let hi = (k as f64 / 5.0).powi(2) * max;
            (
                SHADES[k],
                format!("{}–{}", lo.floor() as i64 + 1, hi.floor() as i64),
            )
        })
        .filter(|(_, r)| !r.starts_with('0'))
        .collect();
    ChinaMap {
        width,
        height,
        provinces,
        legend,
    }
}

/// A pair of bars per month (signed and started investment), scaled to the largest.
pub struct TrendBar {
    pub label: String,
    pub x: i64,
    pub signed_h: i64,
    pub started_h: i64,
    pub signed: String,
    pub started: String,
}

pub fn trend(months: &[(String, i64, i64)], height: i64) -> Vec<TrendBar> {
    let max = months
        .iter()
        .map(|m| m.1.max(m.2))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    months
        .iter()
        .enumerate()
        .map(|(i, (label, s, t))| TrendBar {
            label: label.chars().skip(5).collect::<String>() + "月",
            x: 40 + i as i64 * 60,
            signed_h: ((*s as f64 / max) * height as f64).round() as i64,
            started_h: ((*t as f64 / max) * height as f64).round() as i64,
            signed: Yuan(*s).human(),
            started: Yuan(*t).human(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn park_map_puts_north_up_and_east_right() {
        let parks = vec![
            (1, "西".to_string(), Some(118.70), Some(32.00)),
            (2, "东北".to_string(), Some(118.90), Some(32.10)),
            (3, "无坐标".to_string(), None, Some(32.0)),
        ];
        let m = park_map(&parks, Some(2), 600).unwrap();
        assert_eq!(m.points.len(), 2, "a park without a position is left out");
        let (w, ne) = (&m.points[0], &m.points[1]);
        assert!(ne.x > w.x && ne.y < w.y, "east is right, north is up");
        assert!(ne.on && !w.on);
        assert!(m
            .points
            .iter()
            .all(|p| (0..=600).contains(&p.x) && (0..=m.height).contains(&p.y)));
        // 0.2° of longitude at 32°N is about 18.9 km across 480 px
        let km = (ne.x - w.x) as f64 / (m.scale_px as f64 / m.scale_km as f64);
        assert!((km - 18.9).abs() < 0.5, "{km} km");
        assert!(park_map(&parks[2..], None, 600).is_none());
    }

    #[test]
    fn china_map_puts_provinces_where_they_are() {
        let m = china_map();
        assert_eq!(m.len(), 34);
        let at = |code: &str| m.iter().find(|p| p.code == code).unwrap();
        let (js, sc, hlj, hn) = (at("32"), at("51"), at("23"), at("46"));
        assert_eq!(js.name, "江苏");
        assert!(js.label_x > sc.label_x, "Jiangsu is east of Sichuan");
        assert!(hlj.label_y < hn.label_y, "Heilongjiang is north of Hainan");
        for p in m {
            assert!(p.d.starts_with('M') && p.d.ends_with('Z'), "{}", p.name);
            assert!((0..=CHINA_WIDTH).contains(&p.label_x), "{}", p.name);
            assert!((0..=CHINA_HEIGHT).contains(&p.label_y), "{}", p.name);
        }
        assert_eq!(shade(0, 10), "#eef0f3");
        assert_eq!(shade(10, 10), "#b8321a");
        assert_eq!(shade(1, 10), "#fde0d2");
    }
}
