//! Recipient files: which extracts exist, and building one for a subject.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use polars::prelude::{Column, DataFrame, DataType, IntoColumn, NamedFrom, Series};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use vigo_entities::{
    application, application_wish, contact, diploma, enrolment, offer, organisation, person,
    programme_area, subsidy_payment, trade_test,
};
use vigo_policy::{Access, Purpose, Record, Subject, Today, catalog};

use crate::ExtractError;

/// One column of a recipient file and the schema fields it shows: the column is written only
/// when the recipient may read every one of them (`Enrolment.school` and
/// `Organisation.orgNo` for a school's organisation number).
#[derive(Debug)]
pub struct ColumnDef {
    pub name: &'static str,
    pub fields: &'static [(&'static str, &'static str)],
}

/// Which rows an extract holds.
#[derive(Clone, Copy, Debug)]
enum Rows {
    /// One row per person in scope.
    Persons,
    /// One row per enrolment in scope.
    Enrolments,
    /// One row per diploma of a person in scope.
    Diplomas,
    /// One row per person in scope with contact data.
    Contacts,
    /// One row per trade test in scope.
    TradeTests,
    /// One row per offer of a place in the current intake, in scope.
    Offers,
    /// One row per subsidy payment to an organisation; no person.
    SubsidyPayments,
}

/// A recipient extract: a file of person-level rows for a recipient such as the population
/// register or Lånekassen.
#[derive(Debug)]
pub struct RecipientExtract {
    pub name: &'static str,
    pub description: &'static str,
    /// The list each row stands for (`Person.enrolments`). A row alone tells that the person
    /// has such a record, so the recipient must be allowed to read the list itself.
    pub row_field: (&'static str, &'static str),
    pub columns: &'static [ColumnDef],
    rows: Rows,
}

const NATIONAL_ID: ColumnDef = ColumnDef {
    name: "national_id",
    fields: &[("Person", "nationalId")],
};

/// Every recipient extract, by name.
pub const RECIPIENT_EXTRACTS: &[RecipientExtract] = &[
    RecipientExtract {
        name: "national-ids",
        description: "The national id of every person in the recipient's scope (population \
                      register address updates, MinID notices).",
        row_field: ("Person", "nationalId"),
        columns: &[NATIONAL_ID],
        rows: Rows::Persons,
    },
    RecipientExtract {
        name: "enrolment-status",
        description: "One row per enrolment the recipient may see: school, programme area, \
                      school year and status (Lånekassen's enrolment status file).",
        row_field: ("Person", "enrolments"),
        columns: &[
            NATIONAL_ID,
            ColumnDef {
                name: "school",
                fields: &[("Enrolment", "school"), ("Organisation", "orgNo")],
            },
            ColumnDef {
                name: "school_name",
                fields: &[("Enrolment", "school"), ("Organisation", "name")],
            },
            ColumnDef {
                name: "programme_area",
                fields: &[("Enrolment", "programmeArea"), ("ProgrammeArea", "code")],
            },
            ColumnDef {
                name: "school_year",
                fields: &[("Enrolment", "schoolYear")],
            },
            ColumnDef {
                name: "status",
                fields: &[("Enrolment", "status")],
            },
            ColumnDef {
                name: "course_percentage",
                fields: &[("Enrolment", "coursePercentage")],
            },
            ColumnDef {
                name: "start_date",
                fields: &[("Enrolment", "startDate")],
            },
            ColumnDef {
                name: "end_date",
                fields: &[("Enrolment", "endDate")],
            },
        ],
        rows: Rows::Enrolments,
    },
    RecipientExtract {
        name: "diplomas",
        description: "One row per diploma of a person in the recipient's scope, with the \
                      holder's name (the national diploma register).",
        row_field: ("Person", "diplomas"),
        columns: &[
            NATIONAL_ID,
            ColumnDef {
                name: "given_name",
                fields: &[("Person", "givenName")],
            },
            ColumnDef {
                name: "family_name",
                fields: &[("Person", "familyName")],
            },
            ColumnDef {
                name: "kind",
                fields: &[("Diploma", "kind")],
            },
            ColumnDef {
                name: "programme_area",
                fields: &[("Diploma", "programmeArea"), ("ProgrammeArea", "code")],
            },
            ColumnDef {
                name: "issued_on",
                fields: &[("Diploma", "issuedOn")],
            },
        ],
        rows: Rows::Diplomas,
    },
    RecipientExtract {
        name: "contact-list",
        description: "One row per person in the recipient's scope with contact data: names, \
                      address, phone and e-mail as its policy allows (OT's target group, the \
                      county's archive).",
        row_field: ("Person", "contact"),
        columns: &[
            NATIONAL_ID,
            GIVEN_NAME,
            FAMILY_NAME,
            ColumnDef {
                name: "address",
                fields: &[("Contact", "address")],
            },
            ColumnDef {
                name: "postal_code",
                fields: &[("Contact", "postalCode")],
            },
            ColumnDef {
                name: "city",
                fields: &[("Contact", "city")],
            },
            ColumnDef {
                name: "phone",
                fields: &[("Contact", "phone")],
            },
            ColumnDef {
                name: "email",
                fields: &[("Contact", "email")],
            },
        ],
        rows: Rows::Contacts,
    },
    RecipientExtract {
        name: "trade-test-registrations",
        description: "One row per trade, journeyman or competence test the recipient may see: \
                      trade, kind, registration and test dates (an exam board's candidates).",
        row_field: ("Person", "tradeTests"),
        columns: &[
            NATIONAL_ID,
            GIVEN_NAME,
            FAMILY_NAME,
            ColumnDef {
                name: "trade",
                fields: &[("TradeTest", "trade"), ("ProgrammeArea", "code")],
            },
            ColumnDef {
                name: "kind",
                fields: &[("TradeTest", "kind")],
            },
            ColumnDef {
                name: "registered_on",
                fields: &[("TradeTest", "registeredOn")],
            },
            ColumnDef {
                name: "test_date",
                fields: &[("TradeTest", "testDate")],
            },
        ],
        rows: Rows::TradeTests,
    },
    RecipientExtract {
        name: "intake-results",
        description: "One row per offer of a place in the current intake the recipient may \
                      see: programme area, round, the applicant's answer and points (a \
                      school's admitted applicants).",
        row_field: ("Wish", "offers"),
        columns: &[
            NATIONAL_ID,
            GIVEN_NAME,
            FAMILY_NAME,
            ColumnDef {
                name: "programme_area",
                fields: &[("Wish", "programmeArea"), ("ProgrammeArea", "code")],
            },
            ColumnDef {
                name: "round",
                fields: &[("Offer", "round")],
            },
            ColumnDef {
                name: "offered_on",
                fields: &[("Offer", "offeredAt")],
            },
            ColumnDef {
                name: "answer",
                fields: &[("Offer", "answer")],
            },
            ColumnDef {
                name: "points",
                fields: &[("Application", "points")],
            },
        ],
        rows: Rows::Offers,
    },
    RecipientExtract {
        name: "subsidy-payments",
        description: "One row per subsidy payment (lærlingtilskudd) to a training company: \
                      organisation number, name, account, amount, period and date; no person \
                      (the bank paying them).",
        row_field: ("Organisation", "subsidyPayments"),
        columns: &[
            ColumnDef {
                name: "org_no",
                fields: &[("Organisation", "orgNo")],
            },
            ColumnDef {
                name: "name",
                fields: &[("Organisation", "name")],
            },
            ColumnDef {
                name: "account_no",
                fields: &[("Organisation", "accountNo")],
            },
            ColumnDef {
                name: "amount_ore",
                fields: &[("SubsidyPayment", "amount")],
            },
            ColumnDef {
                name: "period",
                fields: &[("SubsidyPayment", "period")],
            },
            ColumnDef {
                name: "paid_on",
                fields: &[("SubsidyPayment", "paidOn")],
            },
        ],
        rows: Rows::SubsidyPayments,
    },
];

const GIVEN_NAME: ColumnDef = ColumnDef {
    name: "given_name",
    fields: &[("Person", "givenName")],
};

const FAMILY_NAME: ColumnDef = ColumnDef {
    name: "family_name",
    fields: &[("Person", "familyName")],
};

pub(crate) fn names() -> String {
    RECIPIENT_EXTRACTS
        .iter()
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The legal basis a disclosure is recorded with, by the recipient's purpose: every
/// disclosure of personal data rests on the recipient's task in law (GDPR art. 6(1)(c)/(e)).
pub fn legal_basis(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::AddressUpdate => "GDPR art. 6(1)(e): population register address updates",
        Purpose::MinidNotice => "GDPR art. 6(1)(e): notice of electronic ID (MinID) to pupils",
        Purpose::LoanAdministration => {
            "GDPR art. 6(1)(e): education support administration (utdanningsstøtteloven)"
        }
        Purpose::DiplomaRegistration => "GDPR art. 6(1)(e): the national diploma register",
        Purpose::Apprenticeship | Purpose::TradeTest => {
            "GDPR art. 6(1)(e): apprenticeship and trade tests (opplæringslova)"
        }
        Purpose::FollowUp => "GDPR art. 6(1)(e): the follow-up service (opplæringslova)",
        Purpose::SelfService => "GDPR art. 15: the person's right of access",
        _ => "GDPR art. 6(1)(e): upper-secondary education (opplæringslova)",
    }
}

/// A recipient file, built but not yet written.
#[derive(Debug)]
pub struct RecipientFile {
    pub extract: &'static RecipientExtract,
    pub frame: DataFrame,
    /// Every person with a row in the file, sorted.
    pub persons: Vec<i32>,
    /// Columns the recipient may not read, left out.
    pub withheld: Vec<&'static str>,
    /// Data categories of the columns written, sorted.
    pub categories: Vec<String>,
}

impl RecipientExtract {
    /// The extract called `name`.
    pub fn named(name: &str) -> Result<&'static RecipientExtract, ExtractError> {
        RECIPIENT_EXTRACTS
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| ExtractError::Unknown(name.to_owned()))
    }

    /// Builds the file as `subject` may receive it: rows from its row scope, columns from its
    /// field mask. Refused when it reaches no person, may not read what a row stands for, or
    /// may read none of the columns.
    pub async fn build(
        &'static self,
        db: &DatabaseConnection,
        subject: &Subject,
        access: &Access,
    ) -> Result<RecipientFile, ExtractError> {
        let denied = |reason: String| ExtractError::Denied {
            role: subject.role.code(),
            extract: self.name,
            reason,
        };
        match self.rows {
            Rows::SubsidyPayments if !access.rows.reaches_organisations() => {
                return Err(denied("its policy reaches no organisation".into()));
            }
            Rows::SubsidyPayments => {}
            _ if !access.rows.reaches_persons() => {
                return Err(denied("its policy reaches no person".into()));
            }
            _ => {}
        }
        let (type_name, field) = self.row_field;
        if !access.fields.allows(type_name, field) {
            return Err(denied(format!("it may not read {type_name}.{field}")));
        }
        let readable = |c: &&ColumnDef| c.fields.iter().all(|(t, f)| access.fields.allows(t, f));
        let visible: Vec<&ColumnDef> = self.columns.iter().filter(readable).collect();
        if visible.is_empty() {
            return Err(denied("it may read none of its columns".into()));
        }
        let table = match self.rows {
            Rows::Persons => persons_table(db, access).await?,
            Rows::Enrolments => enrolments_table(db, access).await?,
            Rows::Diplomas => diplomas_table(db, access).await?,
            Rows::Contacts => contacts_table(db, access).await?,
            Rows::TradeTests => trade_tests_table(db, access).await?,
            Rows::Offers => offers_table(db, access).await?,
            Rows::SubsidyPayments => subsidy_payments_table(db).await?,
        };
        let height = table.height;
        let mut columns = table.columns;
        columns.retain(|c| visible.iter().any(|v| v.name == c.name().as_str()));
        let frame = DataFrame::new(height, columns)?;
        let categories: BTreeSet<String> = visible
            .iter()
            .flat_map(|c| c.fields.iter())
            .chain(std::iter::once(&self.row_field))
            .filter_map(|(t, f)| catalog::category_of(t, f))
            .map(|c| c.code().to_owned())
            .collect();
        let mut persons = table.persons;
        persons.sort_unstable();
        persons.dedup();
        Ok(RecipientFile {
            extract: self,
            frame,
            persons,
            withheld: self
                .columns
                .iter()
                .filter(|c| !readable(c))
                .map(|c| c.name)
                .collect(),
            categories: categories.into_iter().collect(),
        })
    }
}

/// Every column an extract can have, and the person of each row (none for rows about
/// organisations).
struct Table {
    height: usize,
    persons: Vec<i32>,
    columns: Vec<Column>,
}

impl Table {
    /// Rows about persons, one each.
    fn of_persons(persons: Vec<i32>, columns: Vec<Column>) -> Table {
        Table {
            height: persons.len(),
            persons,
            columns,
        }
    }
}

/// The ids of the persons in scope, as a subquery.
fn persons_in_scope(access: &Access) -> SelectStatement {
    Query::select()
        .column(person::Column::Id)
        .from(person::Entity)
        .cond_where(access.rows.person_condition())
        .to_owned()
}

/// The narrowing of a record kind by the row scope, if any.
fn narrowed(access: &Access, record: Record) -> sea_orm::Condition {
    access
        .rows
        .record_condition(record)
        .unwrap_or_else(sea_orm::Condition::all)
}

async fn persons_table(db: &DatabaseConnection, access: &Access) -> Result<Table, ExtractError> {
    let persons = person::Entity::find()
        .filter(access.rows.person_condition())
        .order_by_asc(person::Column::NationalId)
        .all(db)
        .await?;
    Ok(Table::of_persons(
        persons.iter().map(|p| p.id).collect(),
        vec![text("national_id", persons.iter().map(|p| &p.national_id))],
    ))
}

async fn enrolments_table(db: &DatabaseConnection, access: &Access) -> Result<Table, ExtractError> {
    let rows = enrolment::Entity::find()
        .filter(enrolment::Column::PersonId.in_subquery(persons_in_scope(access)))
        .filter(narrowed(access, Record::Enrolment))
        .find_also_related(person::Entity)
        .order_by_asc(person::Column::NationalId)
        .order_by_asc(enrolment::Column::SchoolYear)
        .order_by_asc(enrolment::Column::Id)
        .all(db)
        .await?;
    let rows: Vec<(enrolment::Model, person::Model)> = rows
        .into_iter()
        .filter_map(|(e, p)| p.map(|p| (e, p)))
        .collect();
    let schools = organisations(db, rows.iter().map(|(e, _)| e.school_id)).await?;
    let areas = programme_areas(db, rows.iter().map(|(e, _)| e.programme_area_id)).await?;
    let school = |e: &enrolment::Model| schools.get(&e.school_id);
    Ok(Table::of_persons(
        rows.iter().map(|(_, p)| p.id).collect(),
        vec![
            text("national_id", rows.iter().map(|(_, p)| &p.national_id)),
            optional_text(
                "school",
                rows.iter().map(|(e, _)| school(e).map(|o| &o.org_no)),
            ),
            optional_text(
                "school_name",
                rows.iter().map(|(e, _)| school(e).map(|o| &o.name)),
            ),
            optional_text(
                "programme_area",
                rows.iter().map(|(e, _)| areas.get(&e.programme_area_id)),
            ),
            Column::new(
                "school_year".into(),
                rows.iter().map(|(e, _)| e.school_year).collect::<Vec<_>>(),
            ),
            text("status", rows.iter().map(|(e, _)| e.status.code())),
            Column::new(
                "course_percentage".into(),
                rows.iter()
                    .map(|(e, _)| e.course_percentage)
                    .collect::<Vec<_>>(),
            ),
            dates("start_date", rows.iter().map(|(e, _)| Some(e.start_date)))?,
            dates("end_date", rows.iter().map(|(e, _)| e.end_date))?,
        ],
    ))
}

async fn diplomas_table(db: &DatabaseConnection, access: &Access) -> Result<Table, ExtractError> {
    let rows = diploma::Entity::find()
        .filter(diploma::Column::PersonId.in_subquery(persons_in_scope(access)))
        .find_also_related(person::Entity)
        .order_by_asc(person::Column::NationalId)
        .order_by_asc(diploma::Column::IssuedOn)
        .order_by_asc(diploma::Column::Id)
        .all(db)
        .await?;
    let rows: Vec<(diploma::Model, person::Model)> = rows
        .into_iter()
        .filter_map(|(d, p)| p.map(|p| (d, p)))
        .collect();
    let areas = programme_areas(db, rows.iter().filter_map(|(d, _)| d.programme_area_id)).await?;
    Ok(Table::of_persons(
        rows.iter().map(|(_, p)| p.id).collect(),
        vec![
            text("national_id", rows.iter().map(|(_, p)| &p.national_id)),
            text("given_name", rows.iter().map(|(_, p)| &p.given_name)),
            text("family_name", rows.iter().map(|(_, p)| &p.family_name)),
            text("kind", rows.iter().map(|(d, _)| d.kind.code())),
            optional_text(
                "programme_area",
                rows.iter()
                    .map(|(d, _)| d.programme_area_id.and_then(|id| areas.get(&id))),
            ),
            dates("issued_on", rows.iter().map(|(d, _)| Some(d.issued_on)))?,
        ],
    ))
}

async fn contacts_table(db: &DatabaseConnection, access: &Access) -> Result<Table, ExtractError> {
    let rows = contact::Entity::find()
        .filter(contact::Column::PersonId.in_subquery(persons_in_scope(access)))
        .find_also_related(person::Entity)
        .order_by_asc(person::Column::NationalId)
        .all(db)
        .await?;
    let rows: Vec<(contact::Model, person::Model)> = rows
        .into_iter()
        .filter_map(|(c, p)| p.map(|p| (c, p)))
        .collect();
    Ok(Table::of_persons(
        rows.iter().map(|(_, p)| p.id).collect(),
        vec![
            text("national_id", rows.iter().map(|(_, p)| &p.national_id)),
            text("given_name", rows.iter().map(|(_, p)| &p.given_name)),
            text("family_name", rows.iter().map(|(_, p)| &p.family_name)),
            text("address", rows.iter().map(|(c, _)| &c.address)),
            text("postal_code", rows.iter().map(|(c, _)| &c.postal_code)),
            text("city", rows.iter().map(|(c, _)| &c.city)),
            optional_text("phone", rows.iter().map(|(c, _)| c.phone.as_ref())),
            optional_text("email", rows.iter().map(|(c, _)| c.email.as_ref())),
        ],
    ))
}

async fn trade_tests_table(
    db: &DatabaseConnection,
    access: &Access,
) -> Result<Table, ExtractError> {
    let rows = trade_test::Entity::find()
        .filter(trade_test::Column::PersonId.in_subquery(persons_in_scope(access)))
        .filter(narrowed(access, Record::TradeTest))
        .find_also_related(person::Entity)
        .order_by_asc(person::Column::NationalId)
        .order_by_asc(trade_test::Column::RegisteredOn)
        .order_by_asc(trade_test::Column::Id)
        .all(db)
        .await?;
    let rows: Vec<(trade_test::Model, person::Model)> = rows
        .into_iter()
        .filter_map(|(t, p)| p.map(|p| (t, p)))
        .collect();
    let areas = programme_areas(db, rows.iter().map(|(t, _)| t.programme_area_id)).await?;
    Ok(Table::of_persons(
        rows.iter().map(|(_, p)| p.id).collect(),
        vec![
            text("national_id", rows.iter().map(|(_, p)| &p.national_id)),
            text("given_name", rows.iter().map(|(_, p)| &p.given_name)),
            text("family_name", rows.iter().map(|(_, p)| &p.family_name)),
            optional_text(
                "trade",
                rows.iter().map(|(t, _)| areas.get(&t.programme_area_id)),
            ),
            text("kind", rows.iter().map(|(t, _)| t.kind.code())),
            dates(
                "registered_on",
                rows.iter().map(|(t, _)| Some(t.registered_on)),
            )?,
            dates("test_date", rows.iter().map(|(t, _)| t.test_date))?,
        ],
    ))
}

/// Offers of places in the current intake, as the scope narrows applications, wishes and
/// offers (a school: those on wishes for itself).
async fn offers_table(db: &DatabaseConnection, access: &Access) -> Result<Table, ExtractError> {
    let intake = Today::now().intake_year();
    let applications_in_scope = Query::select()
        .column(application::Column::Id)
        .from(application::Entity)
        .cond_where(
            sea_orm::Condition::all()
                .add(application::Column::PersonId.in_subquery(persons_in_scope(access)))
                .add(application::Column::IntakeYear.eq(intake))
                .add(narrowed(access, Record::Application)),
        )
        .to_owned();
    let wishes_in_scope = Query::select()
        .column(application_wish::Column::Id)
        .from(application_wish::Entity)
        .cond_where(
            sea_orm::Condition::all()
                .add(
                    application_wish::Column::ApplicationId
                        .in_subquery(applications_in_scope.clone()),
                )
                .add(narrowed(access, Record::Wish)),
        )
        .to_owned();
    let offers = offer::Entity::find()
        .filter(offer::Column::WishId.in_subquery(wishes_in_scope.clone()))
        .filter(narrowed(access, Record::Offer))
        .all(db)
        .await?;
    let wishes: HashMap<i32, application_wish::Model> = application_wish::Entity::find()
        .filter(application_wish::Column::Id.in_subquery(wishes_in_scope))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let applications: HashMap<i32, application::Model> = application::Entity::find()
        .filter(application::Column::Id.in_subquery(applications_in_scope.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let persons: HashMap<i32, person::Model> = person::Entity::find()
        .filter(
            person::Column::Id.in_subquery(
                Query::select()
                    .column(application::Column::PersonId)
                    .from(application::Entity)
                    .cond_where(application::Column::Id.in_subquery(applications_in_scope))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut rows: Vec<(
        &offer::Model,
        &application_wish::Model,
        &application::Model,
        &person::Model,
    )> = offers
        .iter()
        .filter_map(|o| {
            let wish = wishes.get(&o.wish_id)?;
            let application = applications.get(&wish.application_id)?;
            let person = persons.get(&application.person_id)?;
            Some((o, wish, application, person))
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.3.national_id, a.0.offered_at, a.0.id).cmp(&(&b.3.national_id, b.0.offered_at, b.0.id))
    });
    let areas = programme_areas(db, rows.iter().map(|(_, w, _, _)| w.programme_area_id)).await?;
    Ok(Table::of_persons(
        rows.iter().map(|(.., p)| p.id).collect(),
        vec![
            text("national_id", rows.iter().map(|(.., p)| &p.national_id)),
            text("given_name", rows.iter().map(|(.., p)| &p.given_name)),
            text("family_name", rows.iter().map(|(.., p)| &p.family_name)),
            optional_text(
                "programme_area",
                rows.iter()
                    .map(|(_, w, ..)| areas.get(&w.programme_area_id)),
            ),
            text("round", rows.iter().map(|(o, ..)| o.round.code())),
            dates(
                "offered_on",
                rows.iter().map(|(o, ..)| Some(o.offered_at.date_naive())),
            )?,
            text("answer", rows.iter().map(|(o, ..)| o.answer.code())),
            Column::new(
                "points".into(),
                rows.iter()
                    .map(|(_, _, a, _)| a.points_hundredths.map(|p| f64::from(p) / 100.0))
                    .collect::<Vec<_>>(),
            ),
        ],
    ))
}

/// Subsidy payments with the organisation paid: about organisations, no person.
async fn subsidy_payments_table(db: &DatabaseConnection) -> Result<Table, ExtractError> {
    let payments = subsidy_payment::Entity::find()
        .order_by_asc(subsidy_payment::Column::PaidOn)
        .order_by_asc(subsidy_payment::Column::Id)
        .all(db)
        .await?;
    let companies = organisations(db, payments.iter().map(|p| p.organisation_id)).await?;
    let company = |p: &subsidy_payment::Model| companies.get(&p.organisation_id);
    Ok(Table {
        height: payments.len(),
        persons: Vec::new(),
        columns: vec![
            optional_text(
                "org_no",
                payments.iter().map(|p| company(p).map(|o| &o.org_no)),
            ),
            optional_text("name", payments.iter().map(|p| company(p).map(|o| &o.name))),
            optional_text(
                "account_no",
                payments
                    .iter()
                    .map(|p| company(p).and_then(|o| o.account_no.as_ref())),
            ),
            Column::new(
                "amount_ore".into(),
                payments.iter().map(|p| p.amount_ore).collect::<Vec<_>>(),
            ),
            text("period", payments.iter().map(|p| &p.period)),
            dates("paid_on", payments.iter().map(|p| Some(p.paid_on)))?,
        ],
    })
}

/// Organisations by id, for the ids given (schools of a page of rows: few).
async fn organisations(
    db: &DatabaseConnection,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, organisation::Model>, ExtractError> {
    let ids: BTreeSet<i32> = ids.collect();
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect())
}

/// Programme area codes by id, for the ids given.
async fn programme_areas(
    db: &DatabaseConnection,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, String>, ExtractError> {
    let ids: BTreeSet<i32> = ids.collect();
    Ok(programme_area::Entity::find()
        .filter(programme_area::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.code))
        .collect())
}

fn text<S: AsRef<str>>(name: &str, values: impl Iterator<Item = S>) -> Column {
    let values: Vec<String> = values.map(|v| v.as_ref().to_owned()).collect();
    Column::new(name.into(), values)
}

fn optional_text<S: AsRef<str>>(name: &str, values: impl Iterator<Item = Option<S>>) -> Column {
    let values: Vec<Option<String>> = values.map(|v| v.map(|v| v.as_ref().to_owned())).collect();
    Column::new(name.into(), values)
}

/// A date column (Parquet's DATE; ISO dates in CSV).
fn dates(
    name: &str,
    values: impl Iterator<Item = Option<NaiveDate>>,
) -> Result<Column, ExtractError> {
    let epoch = NaiveDate::default();
    let days: Vec<Option<i32>> = values
        .map(|d| d.map(|d| (d - epoch).num_days() as i32))
        .collect();
    Ok(Series::new(name.into(), days)
        .cast(&DataType::Date)?
        .into_column())
}
