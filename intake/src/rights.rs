//! Education rights (opplæringsrett), assessed from a person's history. A youth right
//! (ungdomsrett) is three years of full-time upper-secondary education for those who have
//! finished lower secondary, to be used within five years of starting (six when the programme
//! leads to an apprenticeship); one change of programme (omvalg) extends it by a year, once.
//! An adult right (voksenrett) is for those without a youth right who have not completed upper
//! secondary. Every assessment names the rule that decided it.

use chrono::{Datelike, NaiveDate};
use vigo_entities::enums::RightKind;

use crate::explain::Explanation;

/// One upper-secondary enrolment, as the assessment reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentHistory {
    /// The year the school year started (August).
    pub school_year: i32,
    /// The education programme, e.g. `EL`.
    pub programme: String,
    /// `vg1`, `vg2` or `vg3`.
    pub level: String,
    pub vocational: bool,
}

/// What the assessment reads about one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// The school year (its starting year) in which lower secondary was finished, if it was.
    pub lower_secondary_finished: Option<i32>,
    pub enrolments: Vec<EnrolmentHistory>,
    /// An apprenticeship or training contract was approved.
    pub apprenticeship: bool,
    /// Upper secondary completed (a diploma, trade or journeyman certificate).
    pub completed: bool,
}

/// A right, or none, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub kind: Option<RightKind>,
    pub start: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub years: i32,
    pub programme_change_used: bool,
    /// The rule that decided, e.g. `youth-right: 3 years within 5`.
    pub rule: String,
    pub explanation: Explanation,
}

fn august(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 8, 1).unwrap_or(NaiveDate::MIN)
}

/// The programmes of the Vg1 years, in order: a second programme at Vg1 is a change of
/// programme (omvalg).
fn changed_programme(enrolments: &[EnrolmentHistory]) -> bool {
    let mut vg1: Vec<&EnrolmentHistory> = enrolments.iter().filter(|e| e.level == "vg1").collect();
    vg1.sort_by_key(|e| e.school_year);
    vg1.windows(2).any(|w| w[0].programme != w[1].programme)
}

/// Assesses the right as of `today`.
pub fn assess(history: &History, today: NaiveDate) -> Assessment {
    let first_year = history.enrolments.iter().map(|e| e.school_year).min();
    let Some(finished) = history.lower_secondary_finished else {
        return adult_or_none(history, None, "no-lower-secondary");
    };
    // The right starts with the first upper-secondary year, or the August after lower
    // secondary was finished for someone who has not started.
    let start_year = first_year.unwrap_or(finished + 1).max(finished + 1);
    let start = august(start_year);
    let apprenticeship = history.apprenticeship
        || history
            .enrolments
            .iter()
            .any(|e| e.vocational && e.level == "vg2");
    let programme_change_used = changed_programme(&history.enrolments);
    let within = if apprenticeship { 6 } else { 5 } + i32::from(programme_change_used);
    let years = 3 + i32::from(programme_change_used);
    let expires_on = august(start.year() + within) - chrono::Duration::days(1);
    if today > expires_on {
        return adult_or_none(history, Some(expires_on), "youth-right-expired");
    }
    let rule = format!(
        "youth-right: {years} years within {within}{}{}",
        if apprenticeship {
            " (apprenticeship)"
        } else {
            ""
        },
        if programme_change_used {
            " (one change of programme)"
        } else {
            ""
        }
    );
    let nb = format!(
        "Du har ungdomsrett: {years} år med videregående opplæring på heltid, som må brukes innen {} (regnet fra {}{}{}).",
        expires_on.format("%d.%m.%Y"),
        start.format("%d.%m.%Y"),
        if apprenticeship {
            "; seks år fordi utdanningen går videre i lære"
        } else {
            "; fem år"
        },
        if programme_change_used {
            "; ett år ekstra fordi du har byttet utdanningsprogram én gang"
        } else {
            ""
        }
    );
    let en = format!(
        "You have a youth right: {years} years of full-time upper-secondary education, to be used by {} (counted from {}{}{}).",
        expires_on.format("%Y-%m-%d"),
        start.format("%Y-%m-%d"),
        if apprenticeship {
            "; six years because your education continues as an apprenticeship"
        } else {
            "; five years"
        },
        if programme_change_used {
            "; one more year because you changed programme once"
        } else {
            ""
        }
    );
    Assessment {
        kind: Some(RightKind::Youth),
        start: Some(start),
        expires_on: Some(expires_on),
        years,
        programme_change_used,
        rule,
        explanation: Explanation { nb, en },
    }
}

fn adult_or_none(history: &History, expired: Option<NaiveDate>, why: &str) -> Assessment {
    let before = match expired {
        Some(date) => (
            format!("Ungdomsretten din gikk ut {}. ", date.format("%d.%m.%Y")),
            format!("Your youth right ran out on {}. ", date.format("%Y-%m-%d")),
        ),
        None => (
            "Du har ikke fullført grunnskolen, så du har ikke ungdomsrett. ".to_owned(),
            "You have not finished lower secondary, so you have no youth right. ".to_owned(),
        ),
    };
    if history.completed {
        return Assessment {
            kind: None,
            start: None,
            expires_on: None,
            years: 0,
            programme_change_used: false,
            rule: format!("{why}; completed: no right"),
            explanation: Explanation {
                nb: format!(
                    "{}Du har fullført videregående opplæring, og har derfor ikke voksenrett.",
                    before.0
                ),
                en: format!(
                    "{}You have completed upper secondary, so you have no adult right.",
                    before.1
                ),
            },
        };
    }
    Assessment {
        kind: Some(RightKind::Adult),
        start: None,
        expires_on: None,
        years: 3,
        programme_change_used: false,
        rule: format!("{why}; not completed: adult-right"),
        explanation: Explanation {
            nb: format!(
                "{}Du har ikke fullført videregående opplæring, og har voksenrett.",
                before.0
            ),
            en: format!(
                "{}You have not completed upper secondary, and have an adult right.",
                before.1
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enrolment(year: i32, programme: &str, level: &str, vocational: bool) -> EnrolmentHistory {
        EnrolmentHistory {
            school_year: year,
            programme: programme.into(),
            level: level.into(),
            vocational,
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn worked_examples() {
        let general = History {
            lower_secondary_finished: Some(2023),
            enrolments: vec![enrolment(2024, "ST", "vg1", false)],
            apprenticeship: false,
            completed: false,
        };
        let a = assess(&general, day(2026, 12, 3));
        assert_eq!(a.kind, Some(RightKind::Youth));
        assert_eq!(
            (a.start, a.expires_on),
            (Some(day(2024, 8, 1)), Some(day(2029, 7, 31)))
        );
        assert_eq!(a.years, 3);
        assert!(
            a.explanation.nb.contains("31.07.2029"),
            "{}",
            a.explanation.nb
        );

        let apprentice = History {
            lower_secondary_finished: Some(2023),
            enrolments: vec![
                enrolment(2024, "EL", "vg1", true),
                enrolment(2025, "EL", "vg2", true),
            ],
            apprenticeship: true,
            completed: false,
        };
        assert_eq!(
            assess(&apprentice, day(2026, 12, 3)).expires_on,
            Some(day(2030, 7, 31))
        );

        let changed = History {
            lower_secondary_finished: Some(2023),
            enrolments: vec![
                enrolment(2024, "ST", "vg1", false),
                enrolment(2025, "HS", "vg1", true),
            ],
            apprenticeship: false,
            completed: false,
        };
        let c = assess(&changed, day(2026, 12, 3));
        assert!(c.programme_change_used);
        assert_eq!((c.years, c.expires_on), (4, Some(day(2030, 7, 31))));

        let expired = History {
            lower_secondary_finished: Some(2010),
            enrolments: vec![enrolment(2011, "ST", "vg1", false)],
            apprenticeship: false,
            completed: false,
        };
        let e = assess(&expired, day(2026, 12, 3));
        assert_eq!(e.kind, Some(RightKind::Adult));
        assert!(e.rule.starts_with("youth-right-expired"));
        let done = History {
            completed: true,
            ..expired
        };
        assert_eq!(assess(&done, day(2026, 12, 3)).kind, None);

        let not_started = History {
            lower_secondary_finished: Some(2025),
            enrolments: Vec::new(),
            apprenticeship: false,
            completed: false,
        };
        assert_eq!(
            assess(&not_started, day(2026, 3, 1)).start,
            Some(day(2026, 8, 1))
        );
    }

    proptest! {
        #[test]
        fn a_youth_right_lasts_five_six_or_seven_years_and_never_before_lower_secondary(
            finished in 2000i32..2026,
            years in proptest::collection::vec((0i32..8, 0usize..3, any::<bool>(), any::<bool>()), 0..6),
            apprenticeship in any::<bool>(),
        ) {
            let enrolments: Vec<EnrolmentHistory> = years
                .iter()
                .map(|(offset, level, vocational, other)| enrolment(
                    finished + 1 + offset,
                    if *other { "HS" } else { "ST" },
                    ["vg1", "vg2", "vg3"][*level],
                    *vocational,
                ))
                .collect();
            let history = History { lower_secondary_finished: Some(finished), enrolments, apprenticeship, completed: false };
            let a = assess(&history, day(2000, 1, 1));
            prop_assert_eq!(a.kind, Some(RightKind::Youth));
            let (start, end) = (a.start.unwrap_or(NaiveDate::MIN), a.expires_on.unwrap_or(NaiveDate::MIN));
            prop_assert!(start >= august(finished + 1));
            let span = end.year() - start.year();
            prop_assert!((5..=7).contains(&span), "{}", span);
            prop_assert_eq!(a.years, 3 + i32::from(a.programme_change_used));
        }
    }
}
