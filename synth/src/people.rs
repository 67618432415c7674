//! Persons and their histories: lower-secondary grades, applications with ranked wishes,
//! offers, enrolments, results, absence, apprenticeship contracts, trade tests, rights,
//! OT statuses, diplomas, Lånekassen customers and deaths.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use vigo_entities::enums::*;
use vigo_entities::ids::{Grade, synthetic_national_id, temporary_national_id};
use vigo_entities::*;

use crate::Population;
use crate::county::{County, OSLO, PROGRAMMES};
use crate::names;

/// Lower-secondary subjects with a final grade (standpunkt), as counted for intake points.
const LOWER_SECONDARY_SUBJECTS: &[&str] = &[
    "NOR-HOVED",
    "NOR-SIDE",
    "NOR-MUNTL",
    "MAT",
    "ENG-SKR",
    "ENG-MUNTL",
    "NAT",
    "SAM",
    "KRLE",
    "MUS",
    "KUH",
    "KRO",
];
const LOWER_SECONDARY_EXAMS: &[&str] = &["NOR-EKS", "MAT-EKS", "ENG-EKS"];
const FOLLOW_UP_CODES: &[&str] = &[
    "OTUK", "OTOV", "OTOA", "OTAP", "OTKO", "OTAR", "OTEV", "OTVF", "OTLL", "OTNO", "OTMI", "OTBA",
    "OTSY", "OTIF",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

/// Generates `count` persons into `pop`. `school_year` is the school year in progress.
pub(crate) fn generate(
    pop: &mut Population,
    county: &County,
    rng: &mut ChaCha8Rng,
    count: usize,
    school_year: i32,
) {
    let today = date(school_year, 11, 15);
    let mut serials: HashMap<(NaiveDate, u8), u32> = HashMap::new();
    let mut made = 0;
    while made < count {
        let mut g = PersonGen {
            pop: &mut *pop,
            county,
            rng: &mut *rng,
            school_year,
            today,
        };
        if g.person(&mut serials) {
            made += 1;
        }
    }
}

struct PersonGen<'a> {
    pop: &'a mut Population,
    county: &'a County,
    rng: &'a mut ChaCha8Rng,
    school_year: i32,
    today: NaiveDate,
}

/// What happened in one person's Vg1 intake, for the years that follow.
struct Placement {
    programme: usize,
    school_id: i32,
}

impl PersonGen<'_> {
    fn next_id(len: usize) -> i32 {
        len as i32 + 1
    }

    /// Generates one person; `false` when no number was left for the drawn birth date.
    fn person(&mut self, serials: &mut HashMap<(NaiveDate, u8), u32>) -> bool {
        let r = &mut *self.rng;
        let birth_year = self.school_year - r.random_range(15..=24);
        let birth_date = date(birth_year, r.random_range(1..=12), r.random_range(1..=28));
        let kind_roll = r.random_range(0..1000);
        let kind = match kind_roll {
            0..=19 => 1u8,  // D-nummer
            20..=24 => 2u8, // temporary number
            _ => 0u8,
        };
        let serial = serials.entry((birth_date, kind)).or_insert(0);
        let issued = match kind {
            1 => synthetic_national_id(birth_date, true, *serial),
            2 => temporary_national_id(birth_date, *serial),
            _ => synthetic_national_id(birth_date, false, *serial),
        };
        *serial += 1;
        // Hundreds of numbers exist per date; a date that has used them all is passed over.
        let Some(national_id) = issued else {
            return false;
        };
        let gender = national_id.gender();
        let female = gender
            .map(|g| g.code() == "female")
            .unwrap_or_else(|| r.random_bool(0.5));
        let given = *if female { names::FEMALE } else { names::MALE }
            .choose(r)
            .unwrap_or(&"Kari");
        let family = *names::FAMILY.choose(r).unwrap_or(&"Nordmann");
        let citizenship = if kind == 0 && r.random_bool(0.9) {
            "NO"
        } else {
            names::CITIZENSHIPS.choose(r).unwrap_or(&"SE")
        };
        let person_id = Self::next_id(self.pop.persons.len());
        let deceased = r.random_bool(0.001);
        let deceased_on = deceased.then(|| self.today - Duration::days(r.random_range(10..900)));
        self.pop.persons.push(person::Model {
            id: person_id,
            national_id: national_id.as_string(),
            id_kind: national_id.kind().code().to_owned(),
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            birth_date,
            gender: gender.map(|g| g.code().to_owned()),
            citizenship: citizenship.to_owned(),
            deceased_on,
            created_at: at(date(birth_year + 15, 9, 1), 8),
        });
        if !deceased {
            self.contact(person_id, given, family);
        }

        // Lower secondary ends in spring of the year the person turns 16; intake follows.
        let intake_year = birth_year + 16;
        if intake_year > self.school_year {
            return true; // still in lower secondary
        }
        let ability: f64 = self.rng.random_range(2.0..5.6);
        let grades = self.lower_secondary(person_id, intake_year - 1, ability);
        let decided = vigo_intake::vg1_decision(intake_year, &grades);
        self.education_right(person_id, intake_year);
        let placement = self.vg1_intake(person_id, decided, ability, deceased_on);
        match placement {
            Some(p) => self.school_years(person_id, intake_year, p, ability, deceased_on),
            None => self.follow_up(person_id, intake_year),
        }
        true
    }

    fn contact(&mut self, person_id: i32, given: &str, family: &str) {
        let r = &mut *self.rng;
        let street = names::STREETS.choose(r).unwrap_or(&"Prøvegata");
        let (postal_code, city, municipality) = if r.random_bool(0.95) {
            let (code, city) = *names::OSLO_POSTAL.choose(r).unwrap_or(&("0150", "OSLO"));
            (code, city, OSLO)
        } else {
            *names::ELSEWHERE
                .choose(r)
                .unwrap_or(&("1337", "SANDVIKA", "3201"))
        };
        self.pop.contacts.push(contact::Model {
            id: Self::next_id(self.pop.contacts.len()),
            person_id,
            address: format!("{street} {}", r.random_range(1..120)),
            postal_code: postal_code.to_owned(),
            city: city.to_owned(),
            municipality_code: municipality.to_owned(),
            phone: r
                .random_bool(0.9)
                .then(|| format!("+470{:07}", r.random_range(0..10_000_000))),
            email: r
                .random_bool(0.8)
                .then(|| names::email(given, family, person_id)),
            updated_at: at(self.today - Duration::days(r.random_range(0..700)), 6),
        });
    }

    fn grade(&mut self, ability: f64) -> u8 {
        let noise: f64 = self.rng.random_range(-1.2..1.2);
        (ability + noise).round().clamp(1.0, 6.0) as u8
    }

    /// Lower-secondary grades, stored, and as intake points count them.
    fn lower_secondary(
        &mut self,
        person_id: i32,
        school_year: i32,
        ability: f64,
    ) -> Vec<vigo_intake::LowerSecondaryGrade> {
        let missing_many = self.rng.random_bool(0.01);
        let exam = *LOWER_SECONDARY_EXAMS.choose(self.rng).unwrap_or(&"MAT-EKS");
        let mut grades = Vec::new();
        for (subject, kind) in LOWER_SECONDARY_SUBJECTS
            .iter()
            .map(|s| (*s, ResultKind::LowerSecondaryFinal))
            .chain(std::iter::once((exam, ResultKind::LowerSecondaryExam)))
        {
            let grade = if missing_many && self.rng.random_bool(0.7) {
                Grade::NotAssessed
            } else {
                Grade::Numeric(self.grade(ability))
            };
            if let Some(counts_as) = vigo_intake::LowerSecondaryKind::of(kind, subject) {
                grades.push(vigo_intake::LowerSecondaryGrade {
                    subject: subject.to_owned(),
                    kind: counts_as,
                    grade,
                });
            }
            self.result(
                person_id,
                None,
                None,
                subject,
                grade.code().to_owned(),
                kind,
                school_year,
            );
        }
        grades
    }

    #[expect(clippy::too_many_arguments, reason = "one row's columns")]
    fn result(
        &mut self,
        person_id: i32,
        school_id: Option<i32>,
        enrolment_id: Option<i32>,
        subject_code: &str,
        grade: String,
        kind: ResultKind,
        school_year: i32,
    ) {
        self.pop.subject_results.push(subject_result::Model {
            id: Self::next_id(self.pop.subject_results.len()),
            person_id,
            school_id,
            enrolment_id,
            subject_code: subject_code.to_owned(),
            grade,
            kind,
            school_year,
        });
    }

    fn education_right(&mut self, person_id: i32, intake_year: i32) {
        let used_change = self.rng.random_bool(0.03);
        let expires = intake_year + 5 + i32::from(used_change);
        self.pop.education_rights.push(education_right::Model {
            id: Self::next_id(self.pop.education_rights.len()),
            person_id,
            kind: RightKind::Youth,
            start_date: date(intake_year, 8, 1),
            expires_on: date(expires, 7, 31),
            years: 3 + i32::from(used_change),
            programme_change_used: used_change,
            assessment: format!(
                "Youth right from completing lower secondary in {}: three years of full-time \
                 upper-secondary education, to be used within five years{}.",
                intake_year,
                if used_change {
                    ", extended by one year for a change of programme"
                } else {
                    ""
                }
            ),
        });
    }

    fn application(
        &mut self,
        person_id: i32,
        intake_year: i32,
        points: Option<i32>,
        status: ApplicationStatus,
    ) -> i32 {
        let submitted = at(date(intake_year, 2, 25), 12);
        self.application_at(person_id, intake_year, points, status, submitted, true)
    }

    /// An application submitted at `submitted`; with `later`, perhaps changed in April.
    fn application_at(
        &mut self,
        person_id: i32,
        intake_year: i32,
        points: Option<i32>,
        status: ApplicationStatus,
        submitted: DateTime<Utc>,
        later: bool,
    ) -> i32 {
        let id = Self::next_id(self.pop.applications.len());
        let withdrawn = status == ApplicationStatus::Withdrawn;
        self.pop.applications.push(application::Model {
            id,
            person_id,
            intake_year,
            points_hundredths: points,
            status,
            submitted_at: submitted,
        });
        self.pop
            .application_changes
            .push(application_change::Model {
                id: Self::next_id(self.pop.application_changes.len()),
                application_id: id,
                changed_at: submitted,
                actor: "student:self_service".to_owned(),
                actor_org: None,
                change: "submitted".to_owned(),
                detail: "{}".to_owned(),
            });
        if later && self.rng.random_bool(0.2) {
            self.pop
                .application_changes
                .push(application_change::Model {
                    id: Self::next_id(self.pop.application_changes.len()),
                    application_id: id,
                    changed_at: at(date(intake_year, 4, 14), 10),
                    actor: "student:self_service".to_owned(),
                    actor_org: None,
                    change: "wishes_changed".to_owned(),
                    detail: r#"{"reordered":true}"#.to_owned(),
                });
        }
        if withdrawn {
            self.pop
                .application_changes
                .push(application_change::Model {
                    id: Self::next_id(self.pop.application_changes.len()),
                    application_id: id,
                    changed_at: at(date(intake_year, 6, 1), 9),
                    actor: "caseworker:administration".to_owned(),
                    actor_org: None,
                    change: "withdrawn".to_owned(),
                    detail: r#"{"reason":"deceased"}"#.to_owned(),
                });
        }
        id
    }

    /// The points decision of the intake, made from the grades by the intake's own rules.
    fn points_decision(&mut self, person_id: i32, decided: vigo_intake::PointsDecision) {
        let intake_year = decided.inputs.intake_year;
        let inputs = serde_json::to_string(&decided.inputs).unwrap_or_default();
        self.pop.decisions.push(automated_decision::Model {
            id: Self::next_id(self.pop.decisions.len()),
            person_id,
            kind: DecisionKind::IntakePoints.code().to_owned(),
            made_at: at(date(intake_year, 3, 15), 2),
            outcome: decided.outcome,
            explanation: decided.explanation,
            inputs,
        });
    }

    /// Up to six ranked Vg1 wishes (programme, school), most wanted first; weaker pupils lean
    /// to vocational programmes.
    fn vg1_wishes(&mut self, ability: f64) -> Vec<(usize, i32)> {
        let vocational_bias = (5.6 - ability) / 3.6;
        let first_programme = if self.rng.random_bool(vocational_bias.clamp(0.05, 0.95)) {
            self.rng.random_range(3..PROGRAMMES.len())
        } else {
            self.rng.random_range(0..3)
        };
        let wish_count = *[1usize, 2, 3, 3, 3, 4, 4, 5, 6]
            .choose(self.rng)
            .unwrap_or(&3);
        let mut wishes: Vec<(usize, i32)> = Vec::new();
        for _ in 0..wish_count * 2 {
            if wishes.len() == wish_count {
                break;
            }
            let programme = if wishes.is_empty() || self.rng.random_bool(0.7) {
                first_programme
            } else {
                self.rng.random_range(0..PROGRAMMES.len())
            };
            let Some(&school) = self.county.schools_by_programme[programme].choose(self.rng) else {
                continue;
            };
            if !wishes.contains(&(programme, school)) {
                wishes.push((programme, school));
            }
        }
        wishes
    }

    /// Application for Vg1 with up to six ranked wishes, an offer and the answer.
    fn vg1_intake(
        &mut self,
        person_id: i32,
        decided: vigo_intake::PointsDecision,
        ability: f64,
        deceased_on: Option<NaiveDate>,
    ) -> Option<Placement> {
        let intake_year = decided.inputs.intake_year;
        let points = decided.points.hundredths();
        // A death before the intake's offers withdraws the application.
        let withdrawn = deceased_on.is_some_and(|d| d < date(intake_year, 7, 1));
        let status = match (withdrawn, points, intake_year < self.school_year) {
            (true, _, _) => ApplicationStatus::Withdrawn,
            (_, None, _) => ApplicationStatus::IndividualHandling,
            (_, _, true) => ApplicationStatus::Closed,
            _ => ApplicationStatus::Submitted,
        };
        let application_id = self.application(person_id, intake_year, points, status);
        self.points_decision(person_id, decided);

        let wishes = self.vg1_wishes(ability);

        let chance = points.map_or(0.5, |p| {
            (0.25 + (f64::from(p) / 100.0 - 25.0) / 30.0).clamp(0.2, 0.95)
        });
        let offered_rank = if withdrawn {
            None
        } else {
            (0..wishes.len()).find(|_| self.rng.random_bool(chance))
        };
        let mut waiting_above = false;
        for (rank, (programme, school)) in wishes.iter().enumerate() {
            let status = match offered_rank {
                _ if withdrawn => WishStatus::Withdrawn,
                Some(o) if rank < o => {
                    if self.rng.random_bool(0.5) {
                        waiting_above = true;
                        WishStatus::Waiting
                    } else {
                        WishStatus::Rejected
                    }
                }
                Some(o) if rank == o => WishStatus::Offered,
                Some(_) => WishStatus::Withdrawn,
                None => WishStatus::Rejected,
            };
            let wish_id = Self::next_id(self.pop.wishes.len());
            self.pop.wishes.push(application_wish::Model {
                id: wish_id,
                application_id,
                rank: rank as i32 + 1,
                school_id: Some(*school),
                programme_area_id: self.county.area_id(PROGRAMMES[*programme].vg1.0),
                apprenticeship: false,
                status,
            });
            if status == WishStatus::Offered {
                let answer = match self.rng.random_range(0..100) {
                    0..=4 => OfferAnswer::Declined,
                    _ if intake_year == self.school_year && self.rng.random_bool(0.02) => {
                        OfferAnswer::Unanswered
                    }
                    _ if waiting_above => OfferAnswer::AcceptedWaiting,
                    _ => OfferAnswer::Accepted,
                };
                let offered_at = at(date(intake_year, 7, 12), 6);
                self.pop.offers.push(offer::Model {
                    id: Self::next_id(self.pop.offers.len()),
                    wish_id,
                    company_id: None,
                    round: if rank == 0 || self.rng.random_bool(0.8) {
                        IntakeRound::Main
                    } else {
                        IntakeRound::Supplementary
                    },
                    offered_at,
                    answer,
                    answered_at: (answer != OfferAnswer::Unanswered)
                        .then(|| offered_at + Duration::days(5)),
                });
                if matches!(answer, OfferAnswer::Accepted | OfferAnswer::AcceptedWaiting) {
                    return Some(Placement {
                        programme: *programme,
                        school_id: *school,
                    });
                }
            }
        }
        None
    }

    fn enrolment(
        &mut self,
        person_id: i32,
        school_id: i32,
        area_code: &str,
        year: i32,
        dropped: bool,
    ) -> i32 {
        let id = Self::next_id(self.pop.enrolments.len());
        let current = year == self.school_year;
        let status = match (dropped, current) {
            (true, _) => EnrolmentStatus::Withdrawn,
            (false, true) => EnrolmentStatus::Active,
            (false, false) => EnrolmentStatus::Completed,
        };
        let end_date = match status {
            EnrolmentStatus::Withdrawn => Some(date(year, 10, self.rng.random_range(1..=28))),
            EnrolmentStatus::Active => None,
            _ => Some(date(year + 1, 6, 20)),
        };
        let part_time = self.rng.random_bool(0.05);
        self.pop.enrolments.push(enrolment::Model {
            id,
            person_id,
            school_id,
            programme_area_id: self.county.area_id(area_code),
            school_year: year,
            status,
            course_percentage: if part_time {
                self.rng.random_range(5..=8) * 10
            } else {
                100
            },
            start_date: date(year, 8, 18),
            end_date,
        });
        self.pop.absences.push(absence::Model {
            id: Self::next_id(self.pop.absences.len()),
            person_id,
            enrolment_id: id,
            school_year: year,
            days: self.rng.random_range(0..20),
            hours: self.rng.random_range(0..60),
        });
        id
    }

    /// Vg1, Vg2 and Vg3 in school, or Vg1 and Vg2 followed by an apprenticeship.
    fn school_years(
        &mut self,
        person_id: i32,
        intake_year: i32,
        placement: Placement,
        ability: f64,
        deceased_on: Option<NaiveDate>,
    ) {
        let programme = &PROGRAMMES[placement.programme];
        let track = *programme
            .tracks
            .choose(self.rng)
            .unwrap_or(&programme.tracks[0]);
        let mut school_id = placement.school_id;
        let levels: Vec<&str> = if programme.vocational {
            vec![programme.vg1.0, track.0]
        } else {
            vec![programme.vg1.0, track.0, track.2]
        };
        for (step, code) in levels.iter().enumerate() {
            let year = intake_year + step as i32;
            if year > self.school_year || deceased_on.is_some_and(|d| d.year() <= year) {
                return;
            }
            if step > 0
                && self.rng.random_bool(0.1)
                && let Some(&other) =
                    self.county.schools_by_programme[placement.programme].choose(self.rng)
            {
                school_id = other;
            }
            let dropped = self.rng.random_bool(0.06);
            let enrolment_id = self.enrolment(person_id, school_id, code, year, dropped);
            if dropped {
                self.follow_up(person_id, year);
                return;
            }
            if year < self.school_year {
                let subjects = if step == 2 { 6 } else { 5 };
                for n in 0..subjects {
                    let grade = self.grade(ability).to_string();
                    let subject = format!("{}{}-{:02}", programme.code, step + 1, n + 1);
                    self.result(
                        person_id,
                        Some(school_id),
                        Some(enrolment_id),
                        &subject,
                        grade,
                        ResultKind::Final,
                        year,
                    );
                }
                let exam_grade = self.grade(ability).to_string();
                let kind = if self.rng.random_bool(0.6) {
                    ResultKind::WrittenExam
                } else {
                    ResultKind::OralExam
                };
                self.result(
                    person_id,
                    Some(school_id),
                    Some(enrolment_id),
                    &format!("{}{}-EKS", programme.code, step + 1),
                    exam_grade,
                    kind,
                    year,
                );
                if step == 2 {
                    self.pop.diplomas.push(diploma::Model {
                        id: Self::next_id(self.pop.diplomas.len()),
                        person_id,
                        kind: DiplomaKind::Diploma,
                        programme_area_id: Some(self.county.area_id(code)),
                        issued_on: date(year + 1, 6, 20),
                    });
                }
            }
        }
        if programme.vocational {
            self.apprenticeship(person_id, intake_year + 2, track.2, deceased_on);
        }
    }

    /// Application for an apprenticeship, and a contract with an approved company.
    fn apprenticeship(
        &mut self,
        person_id: i32,
        year: i32,
        trade_code: &str,
        deceased_on: Option<NaiveDate>,
    ) {
        if year > self.school_year || deceased_on.is_some_and(|d| d.year() <= year + 2) {
            return;
        }
        let trade = self.county.area_id(trade_code);
        let status = if year < self.school_year {
            ApplicationStatus::Closed
        } else {
            ApplicationStatus::Submitted
        };
        let application_id = self.application(person_id, year, None, status);
        let gets_contract = self.rng.random_bool(0.8);
        self.pop.wishes.push(application_wish::Model {
            id: Self::next_id(self.pop.wishes.len()),
            application_id,
            rank: 1,
            school_id: None,
            programme_area_id: trade,
            apprenticeship: true,
            status: if gets_contract {
                WishStatus::Offered
            } else {
                WishStatus::Pending
            },
        });
        if !gets_contract {
            self.follow_up(person_id, year);
            return;
        }
        let companies = self
            .county
            .companies_by_trade
            .get(&trade)
            .cloned()
            .unwrap_or_default();
        let Some(&company_id) = companies.choose(self.rng) else {
            return;
        };
        let company = self.county.organisation(company_id);
        let start = date(year, 8, 15);
        let end = date(year + 2, 8, 14);
        let candidate = self.rng.random_bool(0.1);
        let terminated = self.rng.random_bool(0.08);
        let status = if end <= self.today {
            if terminated {
                ContractStatus::Terminated
            } else {
                ContractStatus::Completed
            }
        } else if year == self.school_year && self.rng.random_bool(0.05) {
            ContractStatus::Draft
        } else {
            ContractStatus::Approved
        };
        let contract_id = Self::next_id(self.pop.contracts.len());
        self.pop.contracts.push(apprenticeship_contract::Model {
            id: contract_id,
            person_id,
            company_id,
            training_office_id: company.training_office_id,
            programme_area_id: trade,
            kind: if candidate {
                ContractKind::TrainingCandidate
            } else {
                ContractKind::Apprentice
            },
            status,
            start_date: start,
            end_date: end,
            approved_on: (status != ContractStatus::Draft).then(|| start - Duration::days(10)),
        });
        if status != ContractStatus::Draft {
            let payee = company.training_office_id.unwrap_or(company_id);
            for half in 0..4 {
                let paid_on = date(
                    year + (half + 1) / 2,
                    if half % 2 == 0 { 12 } else { 6 },
                    20,
                );
                if paid_on > self.today {
                    break;
                }
                self.pop.subsidies.push(subsidy_payment::Model {
                    id: Self::next_id(self.pop.subsidies.len()),
                    organisation_id: payee,
                    contract_id: Some(contract_id),
                    amount_ore: 4_250_000,
                    paid_on,
                    period: format!(
                        "{}-H{}",
                        paid_on.format("%Y"),
                        if half % 2 == 0 { 2 } else { 1 }
                    ),
                });
            }
        }
        if matches!(status, ContractStatus::Completed)
            || (status == ContractStatus::Approved && end - self.today < Duration::days(240))
        {
            let test_date = end - Duration::days(14);
            let result = (test_date <= self.today).then(|| match self.rng.random_range(0..100) {
                0..=9 => TradeTestResult::Failed,
                10..=14 => TradeTestResult::PassedWithDistinction,
                _ => TradeTestResult::Passed,
            });
            self.pop.trade_tests.push(trade_test::Model {
                id: Self::next_id(self.pop.trade_tests.len()),
                person_id,
                contract_id: Some(contract_id),
                programme_area_id: trade,
                exam_board_id: self.county.board_by_trade.get(&trade).copied(),
                kind: if candidate {
                    TradeTestKind::CompetenceTest
                } else {
                    TradeTestKind::TradeTest
                },
                registered_on: end - Duration::days(90),
                test_date: Some(test_date),
                result,
            });
            if matches!(
                result,
                Some(TradeTestResult::Passed | TradeTestResult::PassedWithDistinction)
            ) {
                self.pop.diplomas.push(diploma::Model {
                    id: Self::next_id(self.pop.diplomas.len()),
                    person_id,
                    kind: if candidate {
                        DiplomaKind::CertificateOfCompetence
                    } else {
                        DiplomaKind::TradeCertificate
                    },
                    programme_area_id: Some(trade),
                    issued_on: test_date + Duration::days(21),
                });
            }
        }
        if self.rng.random_bool(0.1) {
            self.pop.consents.push(consent::Model {
                id: Self::next_id(self.pop.consents.len()),
                person_id,
                purpose: "share_with_training_company".to_owned(),
                given_at: at(start - Duration::days(30), 12),
                withdrawn_at: None,
            });
        }
    }

    /// Registers a person who left education or got no place with the follow-up service.
    fn follow_up(&mut self, person_id: i32, year: i32) {
        let code = *FOLLOW_UP_CODES.choose(self.rng).unwrap_or(&"OTUK");
        let outside_target_group = self.rng.random_bool(0.05);
        self.pop.follow_ups.push(follow_up_status::Model {
            id: Self::next_id(self.pop.follow_ups.len()),
            person_id,
            code: if outside_target_group {
                format!("{code}_IM")
            } else {
                code.to_owned()
            },
            registered_at: at(date(year, 10, self.rng.random_range(1..=28)), 9),
            school_year: year,
        });
    }
}

/// Marks persons enrolled or in a contract this year or last as Lånekassen customers.
pub(crate) fn loan_customers(pop: &mut Population, rng: &mut ChaCha8Rng, school_year: i32) {
    let mut active: Vec<i32> = pop
        .enrolments
        .iter()
        .filter(|e| e.school_year >= school_year - 1)
        .map(|e| e.person_id)
        .chain(
            pop.contracts
                .iter()
                .filter(|c| c.start_date.year() >= school_year - 2)
                .map(|c| c.person_id),
        )
        .collect();
    active.sort_unstable();
    active.dedup();
    for person_id in active {
        if rng.random_bool(0.6) {
            pop.loan_customers.push(loan_customer::Model {
                id: pop.loan_customers.len() as i32 + 1,
                person_id,
                registered_on: date(school_year - 1, 8, 20),
            });
        }
    }
}

/// The coming intake, open: most pupils in their last year of lower secondary have applied,
/// with their final grades and up to six wishes, nothing decided yet (no points, no offers,
/// no rights assessed), and the schools' Vg1 places are fewer than the applicants wishing
/// some of them first, so that running intake has something to decide. A generator of its
/// own, so that the rest of the population is the same as without it.
pub(crate) fn coming_intake(pop: &mut Population, county: &County, seed: u64, school_year: i32) {
    use rand::SeedableRng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x696e_7461_6b65);
    let year = school_year + 1;
    let today = date(school_year, 11, 15);
    let pupils: Vec<i32> = pop
        .persons
        .iter()
        .filter(|p| p.deceased_on.is_none() && p.birth_date.year() + 16 == year)
        .map(|p| p.id)
        .collect();
    let mut g = PersonGen {
        pop: &mut *pop,
        county,
        rng: &mut rng,
        school_year,
        today,
    };
    let mut first_wishes: HashMap<(i32, i32), u32> = HashMap::new();
    for person_id in pupils {
        if !g.rng.random_bool(0.9) {
            continue;
        }
        let ability: f64 = g.rng.random_range(2.0..5.6);
        g.lower_secondary(person_id, school_year, ability);
        let submitted = at(today - Duration::days(g.rng.random_range(1..40)), 12);
        let application_id = g.application_at(
            person_id,
            year,
            None,
            ApplicationStatus::Submitted,
            submitted,
            false,
        );
        for (rank, (programme, school)) in g.vg1_wishes(ability).into_iter().enumerate() {
            let area = county.area_id(PROGRAMMES[programme].vg1.0);
            if rank == 0 {
                *first_wishes.entry((school, area)).or_default() += 1;
            }
            g.pop.wishes.push(application_wish::Model {
                id: PersonGen::next_id(g.pop.wishes.len()),
                application_id,
                rank: rank as i32 + 1,
                school_id: Some(school),
                programme_area_id: area,
                apprenticeship: false,
                status: WishStatus::Pending,
            });
        }
    }
    let vg1: std::collections::HashSet<i32> = county
        .programme_areas
        .iter()
        .filter(|a| a.level == "vg1")
        .map(|a| a.id)
        .collect();
    let current: Vec<school_offer::Model> = pop
        .school_offers
        .iter()
        .filter(|o| o.intake_year == school_year)
        .cloned()
        .collect();
    for offered in current {
        let capacity = if vg1.contains(&offered.programme_area_id) {
            let wanted = first_wishes
                .get(&(offered.school_id, offered.programme_area_id))
                .copied()
                .unwrap_or(0);
            // Between 60 % and 140 % of those who want it most: some offers are contested.
            (f64::from(wanted) * rng.random_range(0.6..1.4))
                .round()
                .max(1.0) as i32
        } else {
            offered.capacity
        };
        pop.school_offers.push(school_offer::Model {
            id: pop.school_offers.len() as i32 + 1,
            intake_year: year,
            capacity,
            ..offered
        });
    }
}
