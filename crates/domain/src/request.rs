//! Requests (诉求 / 要素保障事项) that projects raise with departments, and the loop each
//! department's part goes through: 受理 → 办理 → 答复 → 评价, an unsatisfied rating
//! reopening it ("回音高于呼声").

use crate::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Land,
    Power,
    Water,
    Gas,
    Labour,
    Finance,
    Approval,
    Environment,
    Fire,
    Other,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Land,
        Category::Power,
        Category::Water,
        Category::Gas,
        Category::Labour,
        Category::Finance,
        Category::Approval,
        Category::Environment,
        Category::Fire,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Land => "land",
            Category::Power => "power",
            Category::Water => "water",
            Category::Gas => "gas",
            Category::Labour => "labour",
            Category::Finance => "finance",
            Category::Approval => "approval",
            Category::Environment => "environment",
            Category::Fire => "fire",
            Category::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Land => "用地",
            Category::Power => "用电",
            Category::Water => "用水",
            Category::Gas => "用气",
            Category::Labour => "用工",
            Category::Finance => "融资",
            Category::Approval => "审批",
            Category::Environment => "环评",
            Category::Fire => "消防",
            Category::Other => "其他",
        }
    }

    /// Calendar days a department has to answer, unless configured otherwise.
    pub fn default_days(self) -> i64 {
        match self {
            Category::Power | Category::Water | Category::Gas => 5,
            Category::Labour | Category::Approval | Category::Fire | Category::Other => 10,
            Category::Land | Category::Finance => 15,
            Category::Environment => 20,
        }
    }

    /// Accepts the code or the Chinese label.
    pub fn parse(s: &str) -> Result<Category, Invalid> {
        let s = s.trim();
        Category::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
            .ok_or_else(|| {
                Invalid::new(
                    "category",
                    format!(
                        "未知的诉求类别“{s}”，应为：{}",
                        Category::ALL.map(Category::label).join("、")
                    ),
                )
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Normal,
    Urgent,
    Critical,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Normal => "normal",
            Urgency::Urgent => "urgent",
            Urgency::Critical => "critical",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Urgency::Normal => "一般",
            Urgency::Urgent => "紧急",
            Urgency::Critical => "特急",
        }
    }

    pub fn parse(s: &str) -> Result<Urgency, Invalid> {
        match s.trim() {
            "" | "normal" | "一般" => Ok(Urgency::Normal),
            "urgent" | "紧急" => Ok(Urgency::Urgent),
            "critical" | "特急" => Ok(Urgency::Critical),
            other => Err(Invalid::new(
                "urgency",
                format!("未知的紧急程度“{other}”，应为：一般、紧急、特急"),
            )),
        }
    }

    /// An urgent request halves the deadline, a critical one quarters it (at least a day).
    pub fn days(self, category_days: i64) -> i64 {
        match self {
            Urgency::Normal => category_days,
            Urgency::Urgent => (category_days / 2).max(1),
            Urgency::Critical => (category_days / 4).max(1),
        }
    }
}

/// Where one department's part of a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    /// sent to the department, not yet accepted
    Routed,
    /// accepted (受理), being handled (办理)
    Accepted,
    /// answered (答复), waiting for the raiser's rating
    Answered,
    /// rated satisfied
    Closed,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Routed => "routed",
            TaskStatus::Accepted => "accepted",
            TaskStatus::Answered => "answered",
            TaskStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Routed => "待受理",
            TaskStatus::Accepted => "办理中",
            TaskStatus::Answered => "已答复待评价",
            TaskStatus::Closed => "已办结",
        }
    }

    pub fn parse(s: &str) -> Result<TaskStatus, Invalid> {
        [
            TaskStatus::Routed,
            TaskStatus::Accepted,
            TaskStatus::Answered,
            TaskStatus::Closed,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
        .ok_or_else(|| Invalid::new("status", format!("未知的办理状态“{s}”")))
    }

    /// Whether the department still owes an answer.
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Routed | TaskStatus::Accepted)
    }
}

/// An action on a department's part, and whether it is allowed from a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    Accept,
    Answer,
    Rate { satisfied: bool },
}

/// The status after `action`, or why it is refused.
pub fn step(from: TaskStatus, action: TaskAction) -> Result<TaskStatus, String> {
    use TaskStatus::*;
    match (from, action) {
        (Routed, TaskAction::Accept) => Ok(Accepted),
        (Accepted, TaskAction::Answer) => Ok(Answered),
        // a department may answer at once, accepting and answering together
        (Routed, TaskAction::Answer) => Ok(Answered),
        (Answered, TaskAction::Rate { satisfied: true }) => Ok(Closed),
        (Answered, TaskAction::Rate { satisfied: false }) => Ok(Accepted),
        (s, TaskAction::Accept) => Err(format!("该事项{}，不能再受理", s.label())),
        (s, TaskAction::Answer) => Err(format!("该事项{}，不能答复", s.label())),
        (s, TaskAction::Rate { .. }) => Err(format!("该事项{}，尚不能评价", s.label())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop() {
        use TaskStatus::*;
        let s = step(Routed, TaskAction::Accept).unwrap();
        let s = step(s, TaskAction::Answer).unwrap();
        assert_eq!(s, Answered);
        // unsatisfied reopens
        let s = step(s, TaskAction::Rate { satisfied: false }).unwrap();
        assert_eq!(s, Accepted);
        let s = step(s, TaskAction::Answer).unwrap();
        assert_eq!(
            step(s, TaskAction::Rate { satisfied: true }).unwrap(),
            Closed
        );
        assert!(step(Closed, TaskAction::Answer).is_err());
        assert!(step(Routed, TaskAction::Rate { satisfied: true }).is_err());
        assert!(step(Accepted, TaskAction::Accept).is_err());
    }

    #[test]
    fn categories_and_deadlines() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.label()).unwrap(), c);
            assert_eq!(Category::parse(c.as_str()).unwrap(), c);
            assert!(c.default_days() >= 5);
        }
        assert_eq!(Category::parse("用电").unwrap().default_days(), 5);
        assert!(Category::parse("用房").is_err());
        assert_eq!(Urgency::Urgent.days(5), 2);
        assert_eq!(Urgency::Critical.days(5), 1);
        assert_eq!(Urgency::parse("特急").unwrap(), Urgency::Critical);
    }
}
