//! Project stages and the rules for moving between them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A project's stage: 在谈 → 签约 → 开工 → 竣工 → 投产 → 达产, or 中止.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Negotiating,
    Signed,
    Started,
    Completed,
    Producing,
    AtCapacity,
    Dropped,
}

impl Stage {
    /// The stages of the main line, in order (without `Dropped`).
    pub const LINE: [Stage; 6] = [
        Stage::Negotiating,
        Stage::Signed,
        Stage::Started,
        Stage::Completed,
        Stage::Producing,
        Stage::AtCapacity,
    ];
    pub const ALL: [Stage; 7] = [
        Stage::Negotiating,
        Stage::Signed,
        Stage::Started,
        Stage::Completed,
        Stage::Producing,
        Stage::AtCapacity,
        Stage::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Negotiating => "negotiating",
            Stage::Signed => "signed",
            Stage::Started => "started",
            Stage::Completed => "completed",
            Stage::Producing => "producing",
            Stage::AtCapacity => "at_capacity",
            Stage::Dropped => "dropped",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Negotiating => "在谈",
            Stage::Signed => "签约",
            Stage::Started => "开工",
            Stage::Completed => "竣工",
            Stage::Producing => "投产",
            Stage::AtCapacity => "达产",
            Stage::Dropped => "中止",
        }
    }

    /// Position on the main line; `None` for `Dropped`.
    pub fn rank(self) -> Option<usize> {
        Stage::LINE.iter().position(|s| *s == self)
    }

    pub fn next(self) -> Option<Stage> {
        self.rank().and_then(|r| Stage::LINE.get(r + 1).copied())
    }

    pub fn parse(s: &str) -> Result<Stage, crate::Invalid> {
        let t = s.trim();
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == t || st.label() == t)
            .ok_or_else(|| {
                crate::Invalid::new(
                    "to",
                    format!(
                        "未知阶段“{t}”；可用：negotiating、signed、started、completed、producing、at_capacity、dropped"
                    ),
                )
            })
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of move a permitted transition is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// One step forward on the main line.
    Advance,
    /// To `Dropped`, with a reason.
    Drop,
    /// Back to an earlier stage (or out of `Dropped`), with a reason: the later
    /// history entries are voided, not deleted.
    Correction,
}

/// What an entry of a project's stage history records: the admission that created the
/// project, a step forward, a drop, or a correction. Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    Admit,
    Advance,
    Drop,
    Correction,
}

impl HistoryKind {
    pub const ALL: [HistoryKind; 4] = [
        HistoryKind::Admit,
        HistoryKind::Advance,
        HistoryKind::Drop,
        HistoryKind::Correction,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HistoryKind::Admit => "admit",
            HistoryKind::Advance => "advance",
            HistoryKind::Drop => "drop",
            HistoryKind::Correction => "correction",
        }
    }

    /// The kind with this stored code.
    pub fn parse(s: &str) -> Option<HistoryKind> {
        HistoryKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for HistoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a transition is refused. Messages are shown to users as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("项目已处于“{}”阶段", .0.label())]
    Same(Stage),
    #[error("不能从“{}”直接跳到“{}”：下一阶段应为“{}”", .from.label(), .to.label(), .next.label())]
    Skip { from: Stage, to: Stage, next: Stage },
    #[error("项目已“{}”，是最后阶段", .0.label())]
    Final(Stage),
    #[error("从“{}”退回“{}”属于更正，须勾选更正并填写原因", .from.label(), .to.label())]
    BackwardsWithoutCorrection { from: Stage, to: Stage },
    #[error("更正只能退回到更早的阶段，“{}”不在“{}”之前", .to.label(), .from.label())]
    CorrectionNotBackwards { from: Stage, to: Stage },
    #[error("中止或更正须填写原因")]
    ReasonRequired,
    #[error("签约须填写合同金额（amount_yuan，大于0的整数元）")]
    AmountRequired,
    #[error("项目已中止；如需恢复，请以更正方式退回到中止前的阶段")]
    FromDropped,
}

/// A requested move, with what the user supplied.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub from: Stage,
    /// For a dropped project: the stage it was in before it was dropped.
    pub before_drop: Option<Stage>,
    pub to: Stage,
    pub correction: bool,
    pub reason: Option<&'a str>,
    pub amount_yuan: Option<i64>,
}

/// Decides whether a transition is allowed and what kind it is.
pub fn check(req: Request<'_>) -> Result<TransitionKind, TransitionError> {
    let has_reason = req.reason.is_some_and(|r| !r.trim().is_empty());
    let Request { from, to, .. } = req;
    if from == to {
        return Err(TransitionError::Same(from));
    }
    if req.correction {
        if !has_reason {
            return Err(TransitionError::ReasonRequired);
        }
        let ok = match (from.rank(), to.rank()) {
            (Some(f), Some(t)) => t < f,
            // out of Dropped: back to the stage it was in, or any earlier one
            (None, Some(t)) => req.before_drop.and_then(Stage::rank).is_none_or(|b| t <= b),
            _ => false,
        };
        return if ok {
            Ok(TransitionKind::Correction)
        } else {
            Err(TransitionError::CorrectionNotBackwards { from, to })
        };
    }
    if from == Stage::Dropped {
        return Err(TransitionError::FromDropped);
    }
    if to == Stage::Dropped {
        return if has_reason {
            Ok(TransitionKind::Drop)
        } else {
            Err(TransitionError::ReasonRequired)
        };
    }
    let (f, t) = (from.rank().unwrap_or(0), to.rank().unwrap_or(0));
    if t < f {
        return Err(TransitionError::BackwardsWithoutCorrection { from, to });
    }
    match from.next() {
        None => Err(TransitionError::Final(from)),
        Some(next) if next != to => Err(TransitionError::Skip { from, to, next }),
        Some(_) => {
            if to == Stage::Signed && req.amount_yuan.is_none_or(|a| a <= 0) {
                return Err(TransitionError::AmountRequired);
            }
            Ok(TransitionKind::Advance)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn req(from: Stage, to: Stage) -> Request<'static> {
        Request {
            from,
            before_drop: None,
            to,
            correction: false,
            reason: None,
            amount_yuan: Some(1),
        }
    }

    #[test]
    fn the_main_line_advances_one_step_at_a_time() {
        for w in Stage::LINE.windows(2) {
            assert_eq!(check(req(w[0], w[1])), Ok(TransitionKind::Advance));
        }
        assert!(matches!(
            check(req(Stage::Negotiating, Stage::Started)),
            Err(TransitionError::Skip { .. })
        ));
        assert!(matches!(
            check(req(Stage::AtCapacity, Stage::Dropped)),
            Err(TransitionError::ReasonRequired)
        ));
    }

    #[test]
    fn signing_needs_an_amount() {
        let mut r = req(Stage::Negotiating, Stage::Signed);
        r.amount_yuan = None;
        assert_eq!(check(r), Err(TransitionError::AmountRequired));
        r.amount_yuan = Some(0);
        assert_eq!(check(r), Err(TransitionError::AmountRequired));
    }

    #[test]
    fn going_back_needs_a_correction_with_reason() {
        let r = req(Stage::Started, Stage::Signed);
        assert!(matches!(
            check(r),
            Err(TransitionError::BackwardsWithoutCorrection { .. })
        ));
        let mut c = r;
        c.correction = true;
        assert_eq!(check(c), Err(TransitionError::ReasonRequired));
        c.reason = Some("误报开工");
        assert_eq!(check(c), Ok(TransitionKind::Correction));
    }

    #[test]
    fn dropped_is_left_only_by_correction() {
        let mut r = req(Stage::Dropped, Stage::Signed);
        assert_eq!(check(r), Err(TransitionError::FromDropped));
        r.correction = true;
        r.reason = Some("企业恢复洽谈");
        r.before_drop = Some(Stage::Started);
        assert_eq!(check(r), Ok(TransitionKind::Correction));
        r.before_drop = Some(Stage::Negotiating);
        assert!(check(r).is_err());
    }

    fn stage() -> impl Strategy<Value = Stage> {
        proptest::sample::select(Stage::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn allowed_moves_are_exactly_the_rules(from in stage(), to in stage(), correction: bool, reason: bool, amount in proptest::option::of(-5i64..5)) {
            let r = Request { from, before_drop: None, to, correction, reason: reason.then_some("原因"), amount_yuan: amount };
            let got = check(r);
            match got {
                Ok(TransitionKind::Advance) => {
                    prop_assert!(!correction);
                    prop_assert_eq!(from.next(), Some(to));
                }
                Ok(TransitionKind::Drop) => prop_assert!(to == Stage::Dropped && reason && from != Stage::Dropped),
                Ok(TransitionKind::Correction) => {
                    prop_assert!(correction && reason);
                    prop_assert!(to != Stage::Dropped);
                    if let Some(f) = from.rank() { prop_assert!(to.rank().unwrap() < f); }
                }
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
    }
}
