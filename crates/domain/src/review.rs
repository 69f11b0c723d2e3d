//! Pre-review (预审): criteria with weights and scales, members' scorecards, and the
//! panel's decision rules (quorum, pass threshold, veto criteria), plus deadlines in
//! working days.
//!
//! The rule is pure: given the panel's criteria and rules and the scorecards submitted
//! so far, [`evaluate`] says whether the panel may decide yet and what the rules
//! recommend, with the reasons.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// One criterion: scored by each member from 0 to `max_score`, weighted.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub weight: i64,
    pub max_score: i64,
    /// A member's score below this vetoes the lead, whatever the total.
    pub veto_below: Option<i64>,
}

/// The panel's decision rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Weighted score (0-100) at or above which the lead passes.
    pub pass_score: i64,
    /// Scorecards needed before the panel may decide.
    pub quorum: i64,
}

/// One member's submitted scores: (criterion key, score).
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub member: String,
    pub scores: Vec<(String, i64)>,
}

/// What the rules say about a review.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Fewer scorecards than the quorum: no decision yet.
    AwaitingQuorum { submitted: usize, quorum: i64 },
    /// The weighted mean reaches the pass score and nothing vetoed.
    Pass { score: f64 },
    /// Below the pass score.
    Fail { score: f64 },
    /// A member scored a veto criterion below its line.
    Vetoed {
        score: f64,
        /// "王专家：环保 2 分（低于 4 分否决线）" …
        reasons: Vec<String>,
    },
}

impl Outcome {
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::AwaitingQuorum { .. } => "awaiting_quorum",
            Outcome::Pass { .. } => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Vetoed { .. } => "vetoed",
        }
    }
    pub fn label(&self) -> String {
        match self {
            Outcome::AwaitingQuorum { submitted, quorum } => {
                format!("已评 {submitted} 人，未达法定人数 {quorum} 人")
            }
            Outcome::Pass { score } => format!("综合得分 {score:.1}，达到通过线"),
            Outcome::Fail { score } => format!("综合得分 {score:.1}，未达通过线"),
            Outcome::Vetoed { reasons, .. } => format!("一票否决：{}", reasons.join("；")),
        }
    }
    pub fn score(&self) -> Option<f64> {
        match self {
            Outcome::AwaitingQuorum { .. } => None,
            Outcome::Pass { score } | Outcome::Fail { score } | Outcome::Vetoed { score, .. } => {
                Some(*score)
            }
        }
    }
}

/// Checks one member's scores against the criteria: every criterion scored once,
/// within its scale. Returns the problem in Chinese naming the criterion.
pub fn check_card(criteria: &[Criterion], scores: &[(String, i64)]) -> Result<(), String> {
    for (key, _) in scores {
        if !criteria.iter().any(|c| &c.key == key) {
            return Err(format!("没有名为“{key}”的评审指标"));
        }
    }
    for c in criteria {
        let mine: Vec<i64> = scores
            .iter()
            .filter(|(k, _)| *k == c.key)
            .map(|(_, s)| *s)
            .collect();
        match mine.as_slice() {
            [] => return Err(format!("请为“{}”打分", c.name)),
            [s] if (0..=c.max_score).contains(s) => {}
            [s] => {
                return Err(format!(
                    "“{}”的分数 {s} 应在 0 到 {} 之间",
                    c.name, c.max_score
                ))
            }
            _ => return Err(format!("“{}”打了不止一次分", c.name)),
        }
    }
    Ok(())
}

/// One card's weighted score on a 0-100 scale.
pub fn card_score(criteria: &[Criterion], card: &Scorecard) -> f64 {
    let total_weight: i64 = criteria.iter().map(|c| c.weight.max(0)).sum();
    if total_weight == 0 {
        return 0.0;
    }
    let mut sum = 0.0;
    for c in criteria {
        let s = card
            .scores
            .iter()
            .find(|(k, _)| *k == c.key)
            .map(|(_, s)| *s)
            .unwrap_or(0);
        if c.max_score > 0 {
            sum += c.weight.max(0) as f64 * s as f64 / c.max_score as f64;
        }
    }
    100.0 * sum / total_weight as f64
}

/// The panel's outcome: the mean of the members' weighted scores, vetoes first.
pub fn evaluate(criteria: &[Criterion], rules: Rules, cards: &[Scorecard]) -> Outcome {
    if (cards.len() as i64) < rules.quorum.max(1) {
        return Outcome::AwaitingQuorum {
            submitted: cards.len(),
            quorum: rules.quorum.max(1),
        };
    }
    let score = cards.iter().map(|c| card_score(criteria, c)).sum::<f64>() / cards.len() as f64;
    let score = (score * 10.0).round() / 10.0;
    let mut reasons = Vec::new();
    for card in cards {
        for c in criteria {
            let Some(line) = c.veto_below else { continue };
            if let Some((_, s)) = card.scores.iter().find(|(k, _)| *k == c.key) {
                if *s < line {
                    reasons.push(format!(
                        "{}：{} {s} 分（低于 {line} 分否决线）",
                        card.member, c.name
                    ));
                }
            }
        }
    }
    if !reasons.is_empty() {
        Outcome::Vetoed { score, reasons }
    } else if score >= rules.pass_score as f64 {
        Outcome::Pass { score }
    } else {
        Outcome::Fail { score }
    }
}

/// The default criteria, in the "七评" style: key, name, weight, scale, veto line.
pub const DEFAULT_CRITERIA: &[(&str, &str, i64, i64, Option<i64>)] = &[
    ("fit", "产业契合度", 20, 10, None),
    ("intensity", "投资强度", 15, 10, None),
    ("tax", "亩均税收", 15, 10, None),
    ("tech", "科技含量", 15, 10, None),
    ("energy", "能耗水平", 10, 10, Some(3)),
    ("environment", "环保水平", 10, 10, Some(4)),
    ("jobs", "带动就业", 5, 10, None),
    ("investor", "投资方实力", 10, 10, None),
];

/// The date `days` working days (Monday to Friday) after `from`.
pub fn add_working_days(from: NaiveDate, days: i64) -> NaiveDate {
    let mut d = from;
    let mut left = days.max(0);
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn crit() -> Vec<Criterion> {
        vec![
            Criterion {
                key: "fit".into(),
                name: "产业契合度".into(),
                weight: 60,
                max_score: 10,
                veto_below: None,
            },
            Criterion {
                key: "env".into(),
                name: "环保".into(),
                weight: 40,
                max_score: 5,
                veto_below: Some(2),
            },
        ]
    }

    fn card(m: &str, fit: i64, env: i64) -> Scorecard {
        Scorecard {
            member: m.into(),
            scores: vec![("fit".into(), fit), ("env".into(), env)],
        }
    }

    const RULES: Rules = Rules {
        pass_score: 60,
        quorum: 2,
    };

    #[test]
    fn weights_quorum_and_veto() {
        let c = crit();
        // 60*8/10 + 40*4/5 = 48 + 32 = 80
        assert_eq!(card_score(&c, &card("甲", 8, 4)), 80.0);
        assert_eq!(
            evaluate(&c, RULES, &[card("甲", 8, 4)]),
            Outcome::AwaitingQuorum {
                submitted: 1,
                quorum: 2
            }
        );
        // (80 + 40) / 2 = 60: exactly the line passes
        // 60*4/10 + 40*2/5 = 24 + 16 = 40
        assert_eq!(
            evaluate(&c, RULES, &[card("甲", 8, 4), card("乙", 4, 2)]),
            Outcome::Pass { score: 60.0 }
        );
        assert_eq!(
            evaluate(&c, RULES, &[card("甲", 8, 4), card("乙", 3, 2)]),
            Outcome::Fail { score: 57.0 }
        );
        // a high total does not save a veto
        let o = evaluate(&c, RULES, &[card("甲", 10, 5), card("乙", 10, 1)]);
        assert_eq!(o.code(), "vetoed");
        assert!(o.label().contains("乙：环保 1 分"), "{}", o.label());
    }

    #[test]
    fn cards_are_checked() {
        let c = crit();
        assert!(check_card(&c, &card("甲", 8, 4).scores).is_ok());
        assert!(check_card(&c, &[("fit".into(), 8)])
            .unwrap_err()
            .contains("环保"));
        assert!(check_card(&c, &card("甲", 11, 4).scores)
            .unwrap_err()
            .contains("0 到 10"));
        assert!(
            check_card(&c, &[("fit".into(), 8), ("env".into(), 1), ("x".into(), 1)])
                .unwrap_err()
                .contains("“x”")
        );
    }

    #[test]
    fn working_days_skip_weekends() {
        let fri = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
        assert_eq!(
            add_working_days(fri, 1),
            NaiveDate::from_ymd_opt(2024, 3, 18).unwrap()
        );
        assert_eq!(
            add_working_days(fri, 5),
            NaiveDate::from_ymd_opt(2024, 3, 22).unwrap()
        );
        assert_eq!(add_working_days(fri, 0), fri);
    }

    proptest! {
        /// Scores stay on 0-100 and never fall when any member raises any score.
        #[test]
        fn monotone(a in 0i64..=10, b in 0i64..=5, up in 0i64..=10) {
            let c = crit();
            let s = card_score(&c, &card("甲", a, b));
            prop_assert!((0.0..=100.0).contains(&s));
            let raised = card_score(&c, &card("甲", (a + up).min(10), b));
            prop_assert!(raised >= s);
        }

        /// A working-day deadline never lands on a weekend and is at least `n` days later.
        #[test]
        fn deadlines(start in 0i64..3650, n in 1i64..30) {
            let from = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Duration::days(start);
            let due = add_working_days(from, n);
            prop_assert!(!matches!(due.weekday(), Weekday::Sat | Weekday::Sun));
            prop_assert!((due - from).num_days() >= n);
            prop_assert!((due - from).num_days() <= n + 2 * (n / 5 + 1));
        }
    }
}
