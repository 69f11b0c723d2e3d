//! Milestones (节点) from signing to full production, scheduled backwards from a target
//! production date (倒排节点), and what "overdue" and "at risk" mean.
//!
//! Each node belongs to a stage: the *entry* nodes (签约, 开工, 竣工验收, 投产, 达产) are
//! done when the project enters that stage; the others (注册公司, 供地, 环评批复, 施工许可,
//! 主体完工) are done by an entry of their actual date, and belong to the stage they are
//! normally reached in.

use crate::{Invalid, Stage};
use chrono::{Duration, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Sign,
    Register,
    Land,
    Eia,
    Permit,
    Start,
    Structure,
    Acceptance,
    Production,
    Capacity,
}

impl std::fmt::Display for ProjectType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Node {
    pub const ALL: [Node; 10] = [
        Node::Sign,
        Node::Register,
        Node::Land,
        Node::Eia,
        Node::Permit,
        Node::Start,
        Node::Structure,
        Node::Acceptance,
        Node::Production,
        Node::Capacity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Node::Sign => "sign",
            Node::Register => "register",
            Node::Land => "land",
            Node::Eia => "eia",
            Node::Permit => "permit",
            Node::Start => "start",
            Node::Structure => "structure",
            Node::Acceptance => "acceptance",
            Node::Production => "production",
            Node::Capacity => "capacity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Node::Sign => "签约",
            Node::Register => "注册公司",
            Node::Land => "供地",
            Node::Eia => "环评批复",
            Node::Permit => "施工许可",
            Node::Start => "开工",
            Node::Structure => "主体完工",
            Node::Acceptance => "竣工验收",
            Node::Production => "投产",
            Node::Capacity => "达产",
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(s: &str) -> Result<Node, Invalid> {
        let s = s.trim();
        Node::ALL
            .into_iter()
            .find(|n| n.as_str() == s || n.label() == s)
            .ok_or_else(|| {
                Invalid::new(
                    "node",
                    format!(
                        "未知的节点“{s}”，应为：{}",
                        Node::ALL.map(Node::label).join("、")
                    ),
                )
            })
    }

    /// The stage this node is reached in.
    pub fn stage(self) -> Stage {
        match self {
            Node::Sign | Node::Register | Node::Land | Node::Eia | Node::Permit => Stage::Signed,
            Node::Start | Node::Structure => Stage::Started,
            Node::Acceptance => Stage::Completed,
            Node::Production => Stage::Producing,
            Node::Capacity => Stage::AtCapacity,
        }
    }

    /// The node a stage transition completes, if any.
    pub fn entry_of(stage: Stage) -> Option<Node> {
        match stage {
            Stage::Signed => Some(Node::Sign),
            Stage::Started => Some(Node::Start),
            Stage::Completed => Some(Node::Acceptance),
            Stage::Producing => Some(Node::Production),
            Stage::AtCapacity => Some(Node::Capacity),
            Stage::Negotiating | Stage::Dropped => None,
        }
    }

    /// Whether the node is done by entering its stage (its date comes from the transition).
    pub fn is_entry(self) -> bool {
        Node::entry_of(self.stage()) == Some(self)
    }
}

/// The kind of project, which decides the milestone template. Stored (and serialized) as
/// its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectType {
    Industrial,
    Services,
    Agriculture,
}

impl ProjectType {
    pub const ALL: [ProjectType; 3] = [
        ProjectType::Industrial,
        ProjectType::Services,
        ProjectType::Agriculture,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectType::Industrial => "industrial",
            ProjectType::Services => "services",
            ProjectType::Agriculture => "agriculture",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ProjectType::Industrial => "工业项目",
            ProjectType::Services => "服务业项目",
            ProjectType::Agriculture => "农业项目",
        }
    }

    pub fn parse(s: &str) -> Result<ProjectType, Invalid> {
        let s = s.trim();
        ProjectType::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.label() == s || t.label().trim_end_matches("项目") == s)
            .ok_or_else(|| {
                Invalid::new(
                    "project_type",
                    "项目类型应为：industrial 工业、services 服务业、agriculture 农业",
                )
            })
    }

    /// The type with this stored code (no label accepted).
    pub fn from_code(s: &str) -> Option<ProjectType> {
        ProjectType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The template: each node with its default offset in days from the target production
    /// date (negative: before it). Nodes a type does not use are left out.
    pub fn template(self) -> &'static [(Node, i64)] {
        match self {
            ProjectType::Industrial => &[
                (Node::Sign, -540),
                (Node::Register, -510),
                (Node::Land, -450),
                (Node::Eia, -420),
                (Node::Permit, -390),
                (Node::Start, -360),
                (Node::Structure, -180),
                (Node::Acceptance, -45),
                (Node::Production, 0),
                (Node::Capacity, 365),
            ],
            ProjectType::Services => &[
                (Node::Sign, -360),
                (Node::Register, -330),
                (Node::Land, -300),
                (Node::Eia, -285),
                (Node::Permit, -270),
                (Node::Start, -240),
                (Node::Structure, -120),
                (Node::Acceptance, -30),
                (Node::Production, 0),
                (Node::Capacity, 180),
            ],
            ProjectType::Agriculture => &[
                (Node::Sign, -300),
                (Node::Register, -280),
                (Node::Land, -240),
                (Node::Eia, -220),
                (Node::Start, -180),
                (Node::Acceptance, -30),
                (Node::Production, 0),
                (Node::Capacity, 365),
            ],
        }
    }
}

/// 倒排节点: every node of the type's template with its planned date, counted back (and,
/// for 达产, forward) from the target production date.
pub fn schedule(kind: ProjectType, target_production: NaiveDate) -> Vec<(Node, NaiveDate)> {
    kind.template()
        .iter()
        .map(|&(n, offset)| (n, target_production + Duration::days(offset)))
        .collect()
}

/// One node of a plan as assessed on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub node: Node,
    pub planned: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// done on or before the planned date (or without one)
    Done,
    /// done after the planned date
    DoneLate,
    /// not done, planned date passed
    Overdue,
    /// not done, not yet due, but the slip so far predicts it will be late
    AtRisk,
    OnTrack,
    /// no planned date
    Unplanned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::DoneLate => "done_late",
            Status::Overdue => "overdue",
            Status::AtRisk => "at_risk",
            Status::OnTrack => "on_track",
            Status::Unplanned => "unplanned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Done => "已完成",
            Status::DoneLate => "延期完成",
            Status::Overdue => "逾期",
            Status::AtRisk => "有延期风险",
            Status::OnTrack => "正常",
            Status::Unplanned => "未排期",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessed {
    pub node: Node,
    pub status: Status,
    /// days late (done late or overdue), or the predicted slip of an open node
    pub days_late: i64,
    /// for an open node: planned date plus the slip so far
    pub predicted: Option<NaiveDate>,
}

/// The slip so far, in days, on `today`: how late the last done node (in plan order) was,
/// or how long the most overdue open node has waited, whichever is more; never negative.
pub fn slip(plan: &[Planned], today: NaiveDate) -> i64 {
    let last_done = plan
        .iter()
        .rev()
        .find(|p| p.actual.is_some())
        .and_then(|p| Some((p.actual? - p.planned?).num_days()))
        .unwrap_or(0);
    let waiting = plan
        .iter()
        .filter(|p| p.actual.is_none())
        .filter_map(|p| p.planned)
        .filter(|d| *d < today)
        .map(|d| (today - d).num_days())
        .max()
        .unwrap_or(0);
    last_done.max(waiting).max(0)
}

/// Each node's status on `today`. An open node not yet due is at risk when the slip so far
/// (see [`slip`]) would carry it past its planned date.
pub fn assess(plan: &[Planned], today: NaiveDate) -> Vec<Assessed> {
    let slip = slip(plan, today);
    plan.iter()
        .map(|p| {
            let (status, days_late, predicted) = match (p.planned, p.actual) {
                (Some(pl), Some(a)) if a > pl => (Status::DoneLate, (a - pl).num_days(), None),
                (_, Some(_)) => (Status::Done, 0, None),
                (None, None) => (Status::Unplanned, 0, None),
                (Some(pl), None) if pl < today => (
                    Status::Overdue,
                    (today - pl).num_days(),
                    Some(today.max(pl + Duration::days(slip))),
                ),
                (Some(pl), None) if slip > 0 => {
                    (Status::AtRisk, slip, Some(pl + Duration::days(slip)))
                }
                (Some(pl), None) => (Status::OnTrack, 0, Some(pl)),
            };
            Assessed {
                node: p.node,
                status,
                days_late,
                predicted,
            }
        })
        .collect()
}

/// A stall rule (三未/六未): `after` done and `missing` not, for more than `days` days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StallRule {
    pub after: Node,
    pub missing: Node,
    pub days: i64,
}

impl StallRule {
    /// Checks that the rule can be evaluated: `missing` comes after `after` in the plan, and
    /// `after` is reached in the stage the project is still in while `missing` is open (so a
    /// project's current stage and its entries decide it).
    pub fn check(&self) -> Result<(), Invalid> {
        if !(1..=3650).contains(&self.days) {
            return Err(Invalid::new("days", "天数应在1到3650之间"));
        }
        if self.missing <= self.after {
            return Err(Invalid::new(
                "missing_node",
                format!("“{}”应在“{}”之后", self.missing.label(), self.after.label()),
            ));
        }
        let next_entry = Stage::LINE
            .iter()
            .skip_while(|s| **s != self.after.stage())
            .nth(1)
            .and_then(|s| Node::entry_of(*s));
        if self.missing.stage() != self.after.stage() && Some(self.missing) != next_entry {
            return Err(Invalid::new(
                "missing_node",
                format!(
                    "“{}”之后只能检查同一阶段的节点或下一阶段的“{}”",
                    self.after.label(),
                    next_entry.map_or("—", Node::label)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn schedules_backwards_from_the_target() {
        let plan = schedule(ProjectType::Industrial, d("2026-06-30"));
        assert_eq!(plan[0], (Node::Sign, d("2025-01-06")));
        assert_eq!(plan[5], (Node::Start, d("2025-07-05")));
        assert_eq!(plan[8], (Node::Production, d("2026-06-30")));
        assert_eq!(plan[9], (Node::Capacity, d("2027-06-30")));
        assert!(plan.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].0 < w[1].0));
        for t in ProjectType::ALL {
            let p = schedule(t, d("2027-01-01"));
            assert!(p.windows(2).all(|w| w[0].1 <= w[1].1 && w[0].0 < w[1].0));
            assert_eq!(
                p.iter().find(|x| x.0 == Node::Production).unwrap().1,
                d("2027-01-01")
            );
        }
    }

    fn p(node: Node, planned: &str, actual: Option<&str>) -> Planned {
        Planned {
            node,
            planned: Some(d(planned)),
            actual: actual.map(d),
        }
    }

    #[test]
    fn overdue_and_at_risk() {
        let plan = [
            p(Node::Sign, "2026-01-01", Some("2026-01-01")),
            p(Node::Register, "2026-02-01", Some("2026-02-21")),
            p(Node::Land, "2026-03-01", None),
            p(Node::Start, "2026-06-01", None),
        ];
        // on 2026-03-05: land is 4 days overdue, the last done node was 20 days late
        let a = assess(&plan, d("2026-03-05"));
        assert_eq!(a[0].status, Status::Done);
        assert_eq!((a[1].status, a[1].days_late), (Status::DoneLate, 20));
        assert_eq!((a[2].status, a[2].days_late), (Status::Overdue, 4));
        assert_eq!(a[2].predicted, Some(d("2026-03-21")));
        assert_eq!((a[3].status, a[3].days_late), (Status::AtRisk, 20));
        assert_eq!(a[3].predicted, Some(d("2026-06-21")));
        // on time so far: nothing at risk
        let on_time = [
            p(Node::Sign, "2026-01-01", Some("2025-12-20")),
            p(Node::Start, "2026-06-01", None),
        ];
        assert_eq!(assess(&on_time, d("2026-03-05"))[1].status, Status::OnTrack);
        // caught up: the last done node was on time, an earlier one late
        let caught_up = [
            p(Node::Sign, "2026-01-01", Some("2026-01-30")),
            p(Node::Register, "2026-02-01", Some("2026-02-01")),
            p(Node::Start, "2026-06-01", None),
        ];
        assert_eq!(
            assess(&caught_up, d("2026-03-05"))[2].status,
            Status::OnTrack
        );
        // due today is not overdue
        assert_eq!(assess(&on_time, d("2026-06-01"))[1].status, Status::OnTrack);
        assert_eq!(assess(&on_time, d("2026-06-02"))[1].status, Status::Overdue);
    }

    #[test]
    fn stall_rules_are_checked() {
        let ok = |a, m| {
            StallRule {
                after: a,
                missing: m,
                days: 30,
            }
            .check()
        };
        assert!(ok(Node::Sign, Node::Register).is_ok());
        assert!(ok(Node::Land, Node::Start).is_ok());
        assert!(ok(Node::Start, Node::Acceptance).is_ok());
        assert!(ok(Node::Production, Node::Capacity).is_ok());
        assert!(ok(Node::Register, Node::Sign).is_err());
        assert!(ok(Node::Sign, Node::Acceptance).is_err());
        let bad_days = StallRule {
            after: Node::Sign,
            missing: Node::Register,
            days: 0,
        };
        assert_eq!(bad_days.check().unwrap_err().field, "days");
    }

    #[test]
    fn nodes_parse_and_belong_to_stages() {
        for n in Node::ALL {
            assert_eq!(Node::parse(n.as_str()).unwrap(), n);
            assert_eq!(Node::parse(n.label()).unwrap(), n);
        }
        assert!(Node::parse("拿地").is_err());
        assert!(Node::Sign.is_entry() && Node::Capacity.is_entry());
        assert!(!Node::Land.is_entry() && !Node::Structure.is_entry());
        assert_eq!(ProjectType::parse("工业").unwrap(), ProjectType::Industrial);
    }
}
