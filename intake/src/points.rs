//! Intake points (inntakspoeng). For Vg1: the lower-secondary final and exam grades, `sum × 10 /
//! count` to two decimals with normal rounding; several electives count as one grade, their
//! average; conduct and order grades do not count; with half or more of the subjects without a
//! grade the applicant is handled individually and gets no points. For Vg2 and Vg3: the
//! upper-secondary grades of the level below, once every common core subject is passed.
//!
//! Points are kept as hundredths in an integer, computed exactly from the grades (a rational
//! number rounded once, half up), so that no floating point decides who gets a place.

use serde::Serialize;
use vigo_entities::ids::Grade;

/// What a lower-secondary grade is, for points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LowerSecondaryKind {
    /// Final grade in a subject (standpunkt).
    Final,
    /// An elective (valgfag): several count together as one grade, their average.
    Elective,
    /// An exam grade.
    Exam,
    /// Conduct (atferd) or order (orden): never counted.
    Conduct,
}

/// One lower-secondary grade.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LowerSecondaryGrade {
    pub subject: String,
    pub kind: LowerSecondaryKind,
    pub grade: Grade,
}

impl LowerSecondaryKind {
    /// How a stored lower-secondary result counts: exams as exams; electives (`VAL…`)
    /// together as one; conduct and order (`ATF…`, `ORD…`) not at all; other kinds of result
    /// are not lower secondary.
    pub fn of(kind: vigo_entities::enums::ResultKind, subject: &str) -> Option<Self> {
        use vigo_entities::enums::ResultKind;
        match kind {
            ResultKind::LowerSecondaryExam => Some(LowerSecondaryKind::Exam),
            ResultKind::LowerSecondaryFinal if subject.starts_with("VAL") => {
                Some(LowerSecondaryKind::Elective)
            }
            ResultKind::LowerSecondaryFinal
                if subject.starts_with("ATF") || subject.starts_with("ORD") =>
            {
                Some(LowerSecondaryKind::Conduct)
            }
            ResultKind::LowerSecondaryFinal => Some(LowerSecondaryKind::Final),
            _ => None,
        }
    }
}

/// A points decision as it is stored: what it says, its explanation (bokmål, a blank line,
/// English) and what it was computed from, to be serialised with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PointsDecision {
    pub points: Points,
    pub outcome: String,
    pub explanation: String,
    pub inputs: PointsInputs,
}

/// What a points decision was computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsInputs {
    pub intake_year: i32,
    pub grades: Vec<RecordedGrade>,
    pub result: Points,
}

/// One grade as a decision records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordedGrade {
    pub subject: String,
    pub kind: LowerSecondaryKind,
    pub grade: String,
}

/// Computes the Vg1 points of `intake_year` from `grades` and the decision that records them.
pub fn vg1_decision(intake_year: i32, grades: &[LowerSecondaryGrade]) -> PointsDecision {
    let points = vg1_points(grades);
    let explained = explanation(&points);
    PointsDecision {
        outcome: match points.hundredths() {
            Some(p) => format!("{} points (intake {intake_year})", format_en(p)),
            None => format!("individual handling (intake {intake_year})"),
        },
        explanation: format!("{}\n\n{}", explained.nb, explained.en),
        inputs: PointsInputs {
            intake_year,
            grades: grades
                .iter()
                .map(|g| RecordedGrade {
                    subject: g.subject.clone(),
                    kind: g.kind,
                    grade: g.grade.code().to_owned(),
                })
                .collect(),
            result: points.clone(),
        },
        points,
    }
}

/// The result of a points calculation, with what it was computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Points {
    /// Points × 100.
    Points {
        hundredths: i32,
        /// Grades that counted (the electives' average as one).
        counted: u32,
        /// Their sum × 100 (the electives' average exact to two decimals of a grade).
        sum_hundredths: i64,
    },
    /// Half or more of the subjects have no grade: a caseworker decides (individuell
    /// behandling).
    IndividualHandling { without_grade: u32, subjects: u32 },
}

impl Points {
    pub fn hundredths(&self) -> Option<i32> {
        match self {
            Points::Points { hundredths, .. } => Some(*hundredths),
            Points::IndividualHandling { .. } => None,
        }
    }
}

/// `numerator / denominator` rounded half up (both positive).
fn round_half_up(numerator: i64, denominator: i64) -> i64 {
    (2 * numerator + denominator) / (2 * denominator)
}

/// Vg1 points from lower-secondary grades.
pub fn vg1_points(grades: &[LowerSecondaryGrade]) -> Points {
    let mut subjects = 0u32;
    let mut without_grade = 0u32;
    let mut sum = 0i64;
    let mut counted = 0i64;
    let (mut elective_sum, mut electives, mut elective_subjects) = (0i64, 0i64, 0u32);
    for grade in grades {
        match grade.kind {
            LowerSecondaryKind::Conduct => continue,
            LowerSecondaryKind::Elective => {
                elective_subjects += 1;
                if let Some(value) = grade.grade.points() {
                    elective_sum += i64::from(value);
                    electives += 1;
                }
            }
            LowerSecondaryKind::Final | LowerSecondaryKind::Exam => {
                subjects += 1;
                match grade.grade.points() {
                    Some(value) => {
                        sum += i64::from(value);
                        counted += 1;
                    }
                    None => without_grade += 1,
                }
            }
        }
    }
    if elective_subjects > 0 {
        // The electives are one subject, graded if any of them is.
        subjects += 1;
        if electives == 0 {
            without_grade += 1;
        }
    }
    if subjects == 0 || without_grade * 2 >= subjects {
        return Points::IndividualHandling {
            without_grade,
            subjects,
        };
    }
    // Points = 10 × (sum + elective_sum / electives) / (counted + [electives > 0]), exactly:
    // over the common denominator `electives`, then rounded once to hundredths.
    let (numerator, denominator) = if electives > 0 {
        (
            1000 * (sum * electives + elective_sum),
            electives * (counted + 1),
        )
    } else {
        (1000 * sum, counted)
    };
    let grades_counted = counted + i64::from(electives > 0);
    let sum_hundredths = if electives > 0 {
        100 * sum + round_half_up(100 * elective_sum, electives)
    } else {
        100 * sum
    };
    Points::Points {
        hundredths: round_half_up(numerator, denominator) as i32,
        counted: grades_counted as u32,
        sum_hundredths,
    }
}

/// One upper-secondary grade, for Vg2 and Vg3 points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpperSecondaryGrade {
    pub subject: String,
    pub grade: Grade,
    /// A common core subject (fellesfag), which must be passed.
    pub common_core: bool,
}

/// Why Vg2/Vg3 points could not be given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum NoPoints {
    /// A common core subject is not passed (or has no grade).
    CommonCoreNotPassed(Vec<String>),
    /// No numeric grade at all.
    NoGrades,
}

/// Vg2 or Vg3 points from the grades of the level below: every common core subject passed,
/// then `sum × 10 / count` over the numeric grades, as for Vg1.
pub fn upper_secondary_points(grades: &[UpperSecondaryGrade]) -> Result<Points, NoPoints> {
    let failed: Vec<String> = grades
        .iter()
        .filter(|g| g.common_core && !g.grade.is_pass())
        .map(|g| g.subject.clone())
        .collect();
    if !failed.is_empty() {
        return Err(NoPoints::CommonCoreNotPassed(failed));
    }
    let values: Vec<i64> = grades
        .iter()
        .filter_map(|g| g.grade.points())
        .map(i64::from)
        .collect();
    if values.is_empty() {
        return Err(NoPoints::NoGrades);
    }
    let sum: i64 = values.iter().sum();
    let counted = values.len() as i64;
    Ok(Points::Points {
        hundredths: round_half_up(1000 * sum, counted) as i32,
        counted: counted as u32,
        sum_hundredths: 100 * sum,
    })
}

/// Points as Norwegians write them: `43,27`.
pub fn format_nb(hundredths: i32) -> String {
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

/// Points as English writes them: `43.27`.
pub fn format_en(hundredths: i32) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The explanation of a points result, in bokmål and English.
pub fn explanation(points: &Points) -> crate::explain::Explanation {
    match points {
        Points::Points {
            hundredths,
            counted,
            sum_hundredths,
        } => crate::explain::Explanation {
            nb: format!(
                "Du har {} poeng: summen av de {counted} karakterene som teller er {}, ganget med 10 og delt på {counted}. Orden og atferd teller ikke, og flere valgfag teller som én karakter (snittet av dem).",
                format_nb(*hundredths),
                format_nb(*sum_hundredths as i32)
            ),
            en: format!(
                "You have {} points: the sum of the {counted} grades that count is {}, times 10, divided by {counted}. Order and conduct do not count, and several electives count as one grade (their average).",
                format_en(*hundredths),
                format_en(*sum_hundredths as i32)
            ),
        },
        Points::IndividualHandling {
            without_grade,
            subjects,
        } => crate::explain::Explanation {
            nb: format!(
                "Du mangler karakter i {without_grade} av {subjects} fag. Når halvparten eller flere mangler, regnes ikke poeng; en saksbehandler vurderer søknaden din individuelt."
            ),
            en: format!(
                "You have no grade in {without_grade} of {subjects} subjects. When half or more are missing, no points are computed; a caseworker assesses your application individually."
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn g(subject: &str, kind: LowerSecondaryKind, grade: &str) -> LowerSecondaryGrade {
        LowerSecondaryGrade {
            subject: subject.into(),
            kind,
            grade: Grade::parse(grade).unwrap_or(Grade::NotAssessed),
        }
    }

    use LowerSecondaryKind::{Conduct, Elective, Exam, Final};

    /// Worked examples, each checked by hand.
    #[test]
    fn worked_examples() {
        let cases: &[(&str, Vec<LowerSecondaryGrade>, Option<i32>)] = &[
            (
                "three grades: (4 + 5 + 5) × 10 / 3 = 46.666… → 46.67",
                vec![
                    g("NOR", Final, "4"),
                    g("MAT", Final, "5"),
                    g("ENG", Final, "5"),
                ],
                Some(4667),
            ),
            (
                "conduct and order do not count: (4 + 4) × 10 / 2 = 40.00",
                vec![
                    g("NOR", Final, "4"),
                    g("MAT", Exam, "4"),
                    g("ATF", Conduct, "6"),
                ],
                Some(4000),
            ),
            (
                "two electives 3 and 6 count as one grade 4.5: (5 + 4 + 4.5) × 10 / 3 = 45.00",
                vec![
                    g("NOR", Final, "5"),
                    g("MAT", Final, "4"),
                    g("VAL1", Elective, "3"),
                    g("VAL2", Elective, "6"),
                ],
                Some(4500),
            ),
            (
                "three electives 4, 5, 5 count as 4.666…: (3 + 4.666…) × 10 / 2 = 38.333… → 38.33",
                vec![
                    g("NOR", Final, "3"),
                    g("V1", Elective, "4"),
                    g("V2", Elective, "5"),
                    g("V3", Elective, "5"),
                ],
                Some(3833),
            ),
            (
                "halves round up: (4 + 4 + 4 + 4 + 4 + 4 + 4 + 5) × 10 / 8 = 41.25, exact",
                vec![
                    g("A", Final, "4"),
                    g("B", Final, "4"),
                    g("C", Final, "4"),
                    g("D", Final, "4"),
                    g("E", Final, "4"),
                    g("F", Final, "4"),
                    g("G", Final, "4"),
                    g("H", Final, "5"),
                ],
                Some(4125),
            ),
            (
                "a missing grade leaves the count: (5 + 3) × 10 / 2 = 40.00 with one IV of three",
                vec![
                    g("NOR", Final, "5"),
                    g("MAT", Final, "3"),
                    g("KRO", Final, "IV"),
                ],
                Some(4000),
            ),
            (
                "half the subjects without a grade: individual handling",
                vec![
                    g("NOR", Final, "5"),
                    g("MAT", Final, "IV"),
                    g("ENG", Final, "IV"),
                    g("NAT", Final, "4"),
                ],
                None,
            ),
            (
                "(2 + 3 + 3) × 10 / 3 = 26.666… → 26.67",
                vec![
                    g("NOR", Final, "2"),
                    g("MAT", Final, "3"),
                    g("ENG", Final, "3"),
                ],
                Some(2667),
            ),
            (
                "(1 + 6) × 10 / 2 … with an exam: (1 + 6 + 2) × 10 / 3 = 30.00",
                vec![
                    g("NOR", Final, "1"),
                    g("MAT", Final, "6"),
                    g("MAT-EKS", Exam, "2"),
                ],
                Some(3000),
            ),
        ];
        for (what, grades, expected) in cases {
            assert_eq!(vg1_points(grades).hundredths(), *expected, "{what}");
        }
        assert_eq!(format_nb(4327), "43,27");
        assert_eq!(format_en(4005), "40.05");
    }

    #[test]
    fn vg2_points_need_every_common_core_subject_passed() {
        let grade = |subject: &str, grade: &str, common_core: bool| UpperSecondaryGrade {
            subject: subject.into(),
            grade: Grade::parse(grade).unwrap_or(Grade::NotAssessed),
            common_core,
        };
        assert_eq!(
            upper_secondary_points(&[
                grade("NOR1211", "4", true),
                grade("ENG1007", "5", true),
                grade("ELE1001", "6", false),
            ])
            .map(|p| p.hundredths()),
            Ok(Some(5000))
        );
        assert_eq!(
            upper_secondary_points(&[grade("NOR1211", "1", true), grade("ELE1001", "6", false)]),
            Err(NoPoints::CommonCoreNotPassed(vec!["NOR1211".into()]))
        );
        assert_eq!(
            upper_secondary_points(&[grade("ELE1001", "B", false)]),
            Err(NoPoints::NoGrades)
        );
    }

    fn grades() -> impl Strategy<Value = Vec<LowerSecondaryGrade>> {
        let kind = prop_oneof![
            6 => Just(Final),
            2 => Just(Elective),
            1 => Just(Exam),
            1 => Just(Conduct),
        ];
        let grade =
            prop_oneof![9 => (1u8..=6).prop_map(Grade::Numeric), 1 => Just(Grade::NotAssessed)];
        proptest::collection::vec((kind, grade), 1..20).prop_map(|items| {
            items
                .into_iter()
                .enumerate()
                .map(|(i, (kind, grade))| LowerSecondaryGrade {
                    subject: format!("S{i}"),
                    kind,
                    grade,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn points_are_the_rounded_exact_average(grades in grades()) {
            let outcome = vg1_points(&grades);
            let counting: Vec<&LowerSecondaryGrade> = grades
                .iter()
                .filter(|g| g.kind != Conduct)
                .collect();
            let electives: Vec<f64> = counting
                .iter()
                .filter(|g| g.kind == Elective)
                .filter_map(|g| g.grade.points())
                .map(f64::from)
                .collect();
            let mut values: Vec<f64> = counting
                .iter()
                .filter(|g| g.kind != Elective)
                .filter_map(|g| g.grade.points())
                .map(f64::from)
                .collect();
            if !electives.is_empty() {
                values.push(electives.iter().sum::<f64>() / electives.len() as f64);
            }
            let subjects = counting.iter().filter(|g| g.kind != Elective).count()
                + usize::from(counting.iter().any(|g| g.kind == Elective));
            let missing = subjects - values.len();
            match outcome {
                Points::IndividualHandling { .. } => prop_assert!(subjects == 0 || missing * 2 >= subjects),
                Points::Points { hundredths, counted, .. } => {
                    prop_assert!(missing * 2 < subjects);
                    prop_assert_eq!(counted as usize, values.len());
                    let exact = values.iter().sum::<f64>() * 10.0 / values.len() as f64;
                    // Within half a hundredth of the exact average, and between 10 and 60.
                    prop_assert!((f64::from(hundredths) / 100.0 - exact).abs() <= 0.005 + 1e-9,
                        "{} vs {}", hundredths, exact);
                    prop_assert!((1000..=6000).contains(&hundredths));
                }
            }
        }

        #[test]
        fn a_better_grade_never_lowers_the_points(grades in grades(), at in 0usize..20) {
            let Some(index) = (!grades.is_empty()).then(|| at % grades.len()) else { return Ok(()) };
            let mut better = grades.clone();
            if let Grade::Numeric(n) = better[index].grade
                && n < 6
            {
                better[index].grade = Grade::Numeric(n + 1);
            }
            if let (Some(before), Some(after)) = (vg1_points(&grades).hundredths(), vg1_points(&better).hundredths()) {
                prop_assert!(after >= before);
            }
        }
    }
}
