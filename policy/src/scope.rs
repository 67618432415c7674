//! Row scopes: which persons, and which of their records, a subject may reach.
//!
//! Each scope is a named set of database conditions. Policies grant scopes by name
//! (`scope:school_pupils`); the gate turns the granted ones into one `Condition` on
//! `person` and one per kind of nested record, so that rows outside the scope never leave
//! the database, nested lists included.

use std::fmt;
use std::str::FromStr;

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement, UnionType};
use sea_orm::{ColumnTrait, Condition};
use vigo_entities::enums::{
    ContractStatus, EnrolmentStatus, ResultKind, RightKind, TradeTestResult, WishStatus,
};
use vigo_entities::{
    application, application_wish, apprenticeship_contract, approved_trade, diploma,
    education_right, enrolment, loan_customer, offer, organisation, person, programme_area,
    subject_result, trade_test,
};

use crate::{PolicyError, Subject};

crate::code_enum!(
    /// A named row scope of the access matrix.
    Scope, UnknownScope {
        /// Every person in the county's base.
        Everyone => "everyone",
        /// The subject themself.
        SelfOnly => "self",
        /// Persons enrolled at the subject's school in the current or the previous school year,
        /// or offered a place by it in the current intake; their records at that school only.
        SchoolPupils => "school_pupils",
        /// Applicants of the current and the coming intake wishing an apprenticeship in a trade
        /// the subject's company is approved for; those applications and wishes, the placement
        /// offers made to the company, and contracts and trade tests with the company only.
        CompanyApplicants => "company_applicants",
        /// The company's own apprentices: a contract with it (as company or training office)
        /// that is running or ended within the last year.
        CompanyApprentices => "company_apprentices",
        /// OT's target group: a youth right, and neither an active enrolment nor an approved
        /// contract.
        OtTargetGroup => "ot_target_group",
        /// Lånekassen's customers; enrolments of the current school year and exams only.
        LoanCustomers => "loan_customers",
        /// Candidates registered for a trade test in the exam board's trade; those tests only.
        ExamCandidates => "exam_candidates",
        /// Pupils finishing lower secondary school this school year.
        LowerSecondaryLeavers => "lower_secondary_leavers",
        /// Candidates with a passed trade test and a diploma.
        DiplomaCandidates => "diploma_candidates",
        /// Every organisation (the `organisation` query); no person.
        Organisations => "organisations",
    }
);

/// Kinds of nested records whose rows a scope can narrow further than "all of the person's".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    Enrolment,
    Result,
    Application,
    Wish,
    Offer,
    Contract,
    TradeTest,
}

impl Record {
    pub const ALL: &'static [Record] = &[
        Record::Enrolment,
        Record::Result,
        Record::Application,
        Record::Wish,
        Record::Offer,
        Record::Contract,
        Record::TradeTest,
    ];
}

/// When a scope is evaluated: it decides "this school year" and "still valid".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Today {
    pub date: chrono::NaiveDate,
}

impl Today {
    /// Today in Norway: a school year, a deadline or a reference date turns at midnight in
    /// Oslo, not in UTC.
    pub fn now() -> Self {
        Today {
            date: chrono::Utc::now()
                .with_timezone(&chrono_tz::Europe::Oslo)
                .date_naive(),
        }
    }

    /// The year the current school year started (August).
    pub fn school_year(self) -> i32 {
        use chrono::Datelike;
        if self.date.month() >= 8 {
            self.date.year()
        } else {
            self.date.year() - 1
        }
    }

    /// The current intake: the applications for the school year that starts in August of this
    /// calendar year (applied for by 1 March, offered in July, supplementary rounds into the
    /// autumn). From 1 January the next year's intake is the current one.
    pub fn intake_year(self) -> i32 {
        use chrono::Datelike;
        self.date.year()
    }

    /// The oldest contract end date a company still sees: this day a year ago (the 28th
    /// of February for the 29th).
    pub fn contracts_ended_since(self) -> chrono::NaiveDate {
        self.date
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(self.date)
    }
}

/// The persons one scope reaches.
enum Reach {
    Everyone,
    /// The persons whose ids the statement selects.
    Ids(Box<SelectStatement>),
}

fn select<C: sea_orm::sea_query::IntoColumnRef, T: sea_orm::sea_query::IntoTableRef>(
    column: C,
    table: T,
) -> SelectStatement {
    Query::select().column(column).from(table).to_owned()
}

/// The subject's organisation's id, as a scalar subquery on its organisation number (which
/// is unique): compared with `=`, the planner reads the rows of that one organisation by
/// index. A subject without one matches nothing (the subquery is `NULL`).
fn own_organisation(subject: &Subject) -> Expr {
    let org_no = subject
        .org
        .as_ref()
        .map(|o| o.as_str().to_owned())
        .unwrap_or_default();
    Expr::SubQuery(
        None,
        Box::new(
            select(organisation::Column::Id, organisation::Entity)
                .and_where(organisation::Column::OrgNo.eq(org_no))
                .to_owned()
                .into(),
        ),
    )
}

/// `column` holds the subject's organisation.
fn is_own(column: impl ColumnTrait, subject: &Subject) -> Expr {
    column.into_expr().eq(own_organisation(subject))
}

/// Trades the subject's organisation is approved for.
fn approved_trades(subject: &Subject) -> SelectStatement {
    select(
        approved_trade::Column::ProgrammeAreaId,
        approved_trade::Entity,
    )
    .and_where(is_own(approved_trade::Column::OrganisationId, subject))
    .to_owned()
}

/// The programme area id of the subject's trade (exam boards).
fn own_trade(subject: &Subject) -> SelectStatement {
    let code = subject
        .trade
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    select(programme_area::Column::Id, programme_area::Entity)
        .and_where(programme_area::Column::Code.eq(code))
        .to_owned()
}

/// Wishes for an apprenticeship in one of the company's approved trades.
fn company_wishes(subject: &Subject) -> Condition {
    Condition::all()
        .add(application_wish::Column::Apprenticeship.eq(true))
        .add(application_wish::Column::Status.ne(WishStatus::Withdrawn))
        .add(application_wish::Column::ProgrammeAreaId.in_subquery(approved_trades(subject)))
}

/// Contracts with the company, as company or as training office, that are running or ended
/// within the last year.
fn company_contracts(subject: &Subject, today: Today) -> Condition {
    Condition::all()
        .add(
            Condition::any()
                .add(is_own(apprenticeship_contract::Column::CompanyId, subject))
                .add(is_own(
                    apprenticeship_contract::Column::TrainingOfficeId,
                    subject,
                )),
        )
        .add(apprenticeship_contract::Column::EndDate.gte(today.contracts_ended_since()))
}

/// Applications of the current and the coming intake with a wish for an apprenticeship in
/// one of the company's trades, as a condition on `application`.
fn company_applications(subject: &Subject, today: Today) -> Condition {
    applications_with(company_wishes(subject))
        .add(application::Column::IntakeYear.is_in([today.intake_year(), today.intake_year() + 1]))
}

/// Applications of the current and the coming intake, as a condition on `application_wish`.
fn wishes_of_company_applications(subject: &Subject, today: Today) -> Condition {
    company_wishes(subject).add(
        application_wish::Column::ApplicationId.in_subquery(
            select(application::Column::Id, application::Entity)
                .and_where(
                    application::Column::IntakeYear
                        .is_in([today.intake_year(), today.intake_year() + 1]),
                )
                .to_owned(),
        ),
    )
}

/// Applications with a wish matching `wishes`, as a condition on `application`.
fn applications_with(wishes: Condition) -> Condition {
    Condition::all().add(
        application::Column::Id.in_subquery(
            select(
                application_wish::Column::ApplicationId,
                application_wish::Entity,
            )
            .cond_where(wishes)
            .to_owned(),
        ),
    )
}

/// The persons with an application matching `applications`.
fn applicants(applications: Condition) -> SelectStatement {
    select(application::Column::PersonId, application::Entity)
        .cond_where(applications)
        .to_owned()
}

/// Offers made for a wish matching `wishes`, as a condition on `offer`.
fn offers_on(wishes: Condition) -> Condition {
    Condition::all().add(
        offer::Column::WishId.in_subquery(
            select(application_wish::Column::Id, application_wish::Entity)
                .cond_where(wishes)
                .to_owned(),
        ),
    )
}

/// No row with `person` the holder of the education right at hand matches `condition`: a
/// correlated anti-join, probed per right by the (person, …) indexes.
fn right_holder_has_none<C: ColumnTrait>(person: C, condition: Expr) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(person.entity_name())
            .and_where(person.into_expr().eq(Expr::col((
                education_right::Entity,
                education_right::Column::PersonId,
            ))))
            .and_where(condition)
            .to_owned(),
    )
    .not()
}

fn school_wishes(subject: &Subject) -> Condition {
    Condition::all().add(is_own(application_wish::Column::SchoolId, subject))
}

impl Scope {
    /// The persons this scope reaches; `None` for a scope that reaches no person.
    ///
    /// Every scope but `everyone` is a set of person ids, so that the scopes a subject is
    /// granted combine into one `person.id IN (… UNION …)`: a semi-join the planner drives
    /// from the scope's own rows (a school's enrolments, OT's youth rights) through indexes,
    /// where `OR`ed subqueries made it test every person of the base against each of them.
    fn reach(self, subject: &Subject, today: Today) -> Option<Reach> {
        let ids = match self {
            Scope::Everyone => return Some(Reach::Everyone),
            Scope::Organisations => return None,
            Scope::SelfOnly => select(person::Column::Id, person::Entity)
                .and_where(match &subject.person {
                    Some(own) => person::Column::NationalId.eq(own.as_string()),
                    None => Expr::val(false),
                })
                .to_owned(),
            Scope::SchoolPupils => {
                let mut pupils = select(enrolment::Column::PersonId, enrolment::Entity)
                    .and_where(is_own(enrolment::Column::SchoolId, subject))
                    .and_where(
                        enrolment::Column::SchoolYear
                            .is_in([today.school_year(), today.school_year() - 1]),
                    )
                    .to_owned();
                // Joins, not nested `IN`s: the planner then meets the current intake's
                // applications and the school's wishes in one join and probes offers only
                // for the wishes of this intake, not for every wish the school ever had.
                let offered = Query::select()
                    .column((application::Entity, application::Column::PersonId))
                    .from(application::Entity)
                    .inner_join(
                        application_wish::Entity,
                        Expr::col((
                            application_wish::Entity,
                            application_wish::Column::ApplicationId,
                        ))
                        .equals((application::Entity, application::Column::Id)),
                    )
                    .inner_join(
                        offer::Entity,
                        Expr::col((offer::Entity, offer::Column::WishId))
                            .equals((application_wish::Entity, application_wish::Column::Id)),
                    )
                    .and_where(application::Column::IntakeYear.eq(today.intake_year()))
                    .and_where(is_own(application_wish::Column::SchoolId, subject))
                    .to_owned();
                pupils.union(UnionType::Distinct, offered);
                pupils
            }
            Scope::CompanyApplicants => applicants(company_applications(subject, today)),
            Scope::CompanyApprentices => select(
                apprenticeship_contract::Column::PersonId,
                apprenticeship_contract::Entity,
            )
            .cond_where(company_contracts(subject, today))
            .to_owned(),
            // One driving set (the youth rights in force) with correlated anti-joins: the
            // planner builds no set of every active pupil.
            Scope::OtTargetGroup => {
                select(education_right::Column::PersonId, education_right::Entity)
                    .and_where(education_right::Column::Kind.eq(RightKind::Youth))
                    .and_where(education_right::Column::ExpiresOn.gte(today.date))
                    .and_where(right_holder_has_none(
                        enrolment::Column::PersonId,
                        enrolment::Column::Status.eq(EnrolmentStatus::Active),
                    ))
                    .and_where(right_holder_has_none(
                        apprenticeship_contract::Column::PersonId,
                        apprenticeship_contract::Column::Status.eq(ContractStatus::Approved),
                    ))
                    .to_owned()
            }
            Scope::LoanCustomers => select(loan_customer::Column::PersonId, loan_customer::Entity),
            Scope::ExamCandidates => select(trade_test::Column::PersonId, trade_test::Entity)
                .and_where(trade_test::Column::ProgrammeAreaId.in_subquery(own_trade(subject)))
                .to_owned(),
            Scope::LowerSecondaryLeavers => {
                let year = today.school_year() - 15;
                let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1);
                let last = chrono::NaiveDate::from_ymd_opt(year, 12, 31);
                let born = match (first, last) {
                    (Some(first), Some(last)) => person::Column::BirthDate.between(first, last),
                    _ => Expr::val(false),
                };
                select(person::Column::Id, person::Entity)
                    .and_where(born)
                    .and_where(
                        person::Column::Id.not_in_subquery(select(
                            enrolment::Column::PersonId,
                            enrolment::Entity,
                        )),
                    )
                    .to_owned()
            }
            Scope::DiplomaCandidates => select(trade_test::Column::PersonId, trade_test::Entity)
                .and_where(trade_test::Column::Result.is_in([
                    TradeTestResult::Passed,
                    TradeTestResult::PassedWithDistinction,
                ]))
                .and_where(
                    trade_test::Column::PersonId
                        .in_subquery(select(diploma::Column::PersonId, diploma::Entity)),
                )
                .to_owned(),
        };
        Some(Reach::Ids(Box::new(ids)))
    }

    /// Which of a reached person's records of kind `record` the scope shows; `None` for all.
    pub fn records(self, record: Record, subject: &Subject, today: Today) -> Option<Condition> {
        match (self, record) {
            (Scope::SchoolPupils, Record::Enrolment) => {
                Some(Condition::all().add(is_own(enrolment::Column::SchoolId, subject)))
            }
            (Scope::SchoolPupils, Record::Result) => {
                Some(Condition::all().add(is_own(subject_result::Column::SchoolId, subject)))
            }
            (Scope::SchoolPupils, Record::Application) => {
                Some(applications_with(school_wishes(subject)))
            }
            (Scope::SchoolPupils, Record::Wish) => Some(school_wishes(subject)),
            (Scope::SchoolPupils, Record::Offer) => Some(offers_on(school_wishes(subject))),
            (Scope::CompanyApplicants | Scope::CompanyApprentices, record) => match record {
                Record::Application => Some(company_applications(subject, today)),
                Record::Wish => Some(wishes_of_company_applications(subject, today)),
                // Placement offers the applicant to one company at a time; each sees its own.
                Record::Offer => Some(
                    offers_on(wishes_of_company_applications(subject, today))
                        .add(is_own(offer::Column::CompanyId, subject)),
                ),
                Record::Contract => Some(company_contracts(subject, today)),
                Record::TradeTest => Some(
                    Condition::all().add(
                        trade_test::Column::ContractId.in_subquery(
                            select(
                                apprenticeship_contract::Column::Id,
                                apprenticeship_contract::Entity,
                            )
                            .cond_where(company_contracts(subject, today))
                            .to_owned(),
                        ),
                    ),
                ),
                Record::Enrolment | Record::Result => None,
            },
            (Scope::LoanCustomers, Record::Enrolment) => {
                Some(Condition::all().add(enrolment::Column::SchoolYear.eq(today.school_year())))
            }
            (Scope::LoanCustomers, Record::Result) => Some(Condition::all().add(
                subject_result::Column::Kind.is_in([ResultKind::WrittenExam, ResultKind::OralExam]),
            )),
            (Scope::ExamCandidates, Record::TradeTest) => Some(
                Condition::all()
                    .add(trade_test::Column::ProgrammeAreaId.in_subquery(own_trade(subject))),
            ),
            _ => None,
        }
    }
}

/// The row scope of one subject: the union of the scopes the policy grants it.
#[derive(Clone, Debug)]
pub struct RowScope {
    scopes: Vec<Scope>,
    persons: Option<Condition>,
    records: Vec<(Record, Condition)>,
}

impl RowScope {
    /// Combines granted scopes for a subject. Persons: reached by any scope. Records: a kind
    /// is unrestricted if any granted scope leaves it so, otherwise any scope's rows.
    pub fn new(scopes: &[Scope], subject: &Subject, today: Today) -> Self {
        let mut everyone = false;
        let mut ids: Option<SelectStatement> = None;
        for reach in scopes.iter().filter_map(|s| s.reach(subject, today)) {
            match reach {
                Reach::Everyone => everyone = true,
                Reach::Ids(more) => match ids.as_mut() {
                    Some(ids) => {
                        ids.union(UnionType::Distinct, *more);
                    }
                    None => ids = Some(*more),
                },
            }
        }
        let persons = match (everyone, ids) {
            (true, _) => Some(Condition::all()),
            (false, Some(ids)) => Some(Condition::all().add(person::Column::Id.in_subquery(ids))),
            (false, None) => None,
        };
        let reaching: Vec<Scope> = scopes
            .iter()
            .copied()
            .filter(|s| *s != Scope::Organisations)
            .collect();
        let mut records = Vec::new();
        for record in Record::ALL {
            let narrowed: Option<Vec<Condition>> = reaching
                .iter()
                .map(|s| s.records(*record, subject, today))
                .collect();
            if let Some(conditions) = narrowed.filter(|c| !c.is_empty()) {
                records.push((
                    *record,
                    conditions
                        .into_iter()
                        .fold(Condition::any(), Condition::add),
                ));
            }
        }
        RowScope {
            scopes: scopes.to_vec(),
            persons,
            records,
        }
    }

    /// The scopes it is made of.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Whether any person is reachable at all.
    pub fn reaches_persons(&self) -> bool {
        self.persons.is_some()
    }

    /// Whether the `organisation` query is open to the subject.
    pub fn reaches_organisations(&self) -> bool {
        self.scopes.contains(&Scope::Organisations)
    }

    /// The persons reachable, as a condition on `person`; matches nothing when none is.
    pub fn person_condition(&self) -> Condition {
        self.persons
            .clone()
            .unwrap_or_else(|| Condition::all().add(Expr::val(false)))
    }

    /// Which records of a reached person are shown; `None` means all of them.
    pub fn record_condition(&self, record: Record) -> Option<Condition> {
        self.records
            .iter()
            .find(|(r, _)| *r == record)
            .map(|(_, c)| c.clone())
    }

    /// Which records of a reached person are shown, as a conjunction that more conditions can
    /// be added to: the scope's own condition (often a disjunction over several scopes) is
    /// nested inside it, so an added condition narrows it instead of widening it.
    pub fn records_shown(&self, record: Record) -> Condition {
        let shown = Condition::all();
        match self.record_condition(record) {
            Some(condition) => shown.add(condition),
            None => shown,
        }
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl FromStr for Record {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Record::ALL
            .iter()
            .copied()
            .find(|r| r.to_string().eq_ignore_ascii_case(s))
            .ok_or_else(|| PolicyError::UnknownScope(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(y: i32, m: u32, d: u32) -> Today {
        Today {
            date: chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default(),
        }
    }

    #[test]
    fn school_years_and_intakes_turn_at_their_dates() {
        assert_eq!(on(2026, 7, 31).school_year(), 2025);
        assert_eq!(on(2026, 8, 1).school_year(), 2026);
        assert_eq!(on(2026, 12, 31).intake_year(), 2026);
        assert_eq!(on(2027, 1, 1).intake_year(), 2027);
        assert_eq!(
            on(2026, 12, 2).contracts_ended_since(),
            chrono::NaiveDate::from_ymd_opt(2025, 12, 2).unwrap_or_default()
        );
        assert_eq!(
            on(2028, 2, 29).contracts_ended_since(),
            chrono::NaiveDate::from_ymd_opt(2027, 2, 28).unwrap_or_default()
        );
    }
}
