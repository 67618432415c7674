//! Caseworker registrations: validation and writes, each in one transaction, returning domain
//! errors that the GraphQL layer maps once. Resolvers never build SQL themselves.

use chrono::{NaiveDate, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, SqlErr, TransactionSession, TransactionTrait,
};
use vigo_entities::enums::*;
use vigo_entities::ids::{Grade, NationalId, OrgNo, ProgrammeAreaCode};
use vigo_entities::*;
use vigo_policy::Subject;

use crate::error::ApiError;

/// Where a write runs: a connection, or the transaction a write shares with its audit record
/// (writes that need their own transaction then take a savepoint in it).
pub trait Store: ConnectionTrait + TransactionTrait {}

impl<T: ConnectionTrait + TransactionTrait> Store for T {}

/// Unique-constraint violations become client errors where they happen.
trait OnConstraint<T> {
    fn on_unique(self, field: &'static str, message: &str) -> Result<T, ApiError>;
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_unique(self, field: &'static str, message: &str) -> Result<T, ApiError> {
        self.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::bad_input(field, message),
            _ => ApiError::from(e),
        })
    }
}

/// Who made a change, as recorded in an application's change log.
fn actor(subject: &Subject) -> String {
    format!("{}:{}:{}", subject.role, subject.purpose, subject.sub)
}

fn non_empty(field: &'static str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn digits(field: &'static str, value: &str, len: usize) -> Result<String, ApiError> {
    if value.len() != len || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_input(
            field,
            format!("must be exactly {len} digits"),
        ));
    }
    Ok(value.to_owned())
}

fn citizenship(value: &str) -> Result<String, ApiError> {
    if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad_input(
            "citizenship",
            "must be an ISO 3166-1 alpha-2 code such as NO",
        ));
    }
    Ok(value.to_owned())
}

fn year(field: &'static str, value: i32) -> Result<i32, ApiError> {
    if !(1990..=2100).contains(&value) {
        return Err(ApiError::bad_input(
            field,
            "must be a year between 1990 and 2100",
        ));
    }
    Ok(value)
}

/// Contact data as given by a caseworker.
#[derive(Clone, Debug)]
pub struct ContactInput {
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub municipality_code: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ContactInput {
    pub(crate) fn validate(&self) -> Result<ContactInput, ApiError> {
        let phone = self
            .phone
            .as_deref()
            .map(|p| {
                let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
                let digits = compact.strip_prefix('+').unwrap_or(&compact);
                if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(compact)
                } else {
                    Err(ApiError::bad_input(
                        "contact.phone",
                        "must be 8 to 15 digits, optionally after +",
                    ))
                }
            })
            .transpose()?;
        let email = self
            .email
            .as_deref()
            .map(|e| {
                let e = e.trim();
                match e.split_once('@') {
                    Some((local, domain))
                        if !local.is_empty() && domain.contains('.') && e.len() <= 200 =>
                    {
                        Ok(e.to_owned())
                    }
                    _ => Err(ApiError::bad_input(
                        "contact.email",
                        "must be an email address",
                    )),
                }
            })
            .transpose()?;
        Ok(ContactInput {
            address: non_empty("contact.address", &self.address, 200)?,
            postal_code: digits("contact.postalCode", &self.postal_code, 4)?,
            city: non_empty("contact.city", &self.city, 100)?.to_uppercase(),
            municipality_code: digits("contact.municipalityCode", &self.municipality_code, 4)?,
            phone,
            email,
        })
    }
}

/// A person as given by a caseworker.
pub struct PersonInput {
    pub national_id: String,
    pub given_name: String,
    pub family_name: String,
    pub citizenship: String,
    pub contact: Option<ContactInput>,
}

/// The person with this national id within `persons` (the writer's row scope), or
/// BAD_USER_INPUT naming the field. A person outside the scope is "not registered", exactly
/// like one who does not exist: a write reaches only whom its writer may read.
pub async fn person_by_national_id<C: ConnectionTrait>(
    db: &C,
    persons: &Condition,
    national_id: &str,
) -> Result<person::Model, ApiError> {
    let id = NationalId::parse(national_id).map_err(|e| ApiError::bad_input("nationalId", e))?;
    person::Entity::find()
        .filter(person::Column::NationalId.eq(id.as_string()))
        .filter(persons.clone())
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input(
                "nationalId",
                "no person is registered with this national id",
            )
        })
}

/// The ids of the persons in `persons`, as a subquery: records of persons outside the
/// writer's scope are "no such record" to it.
fn within(persons: &Condition) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(person::Column::Id)
        .from(person::Entity)
        .cond_where(persons.clone())
        .to_owned()
}

async fn organisation_by_org_no<C: ConnectionTrait>(
    db: &C,
    field: &'static str,
    org_no: &str,
    kind: Option<OrganisationKind>,
) -> Result<organisation::Model, ApiError> {
    let org_no = OrgNo::parse(org_no).map_err(|e| ApiError::bad_input(field, e))?;
    let org = organisation::Entity::find()
        .filter(organisation::Column::OrgNo.eq(org_no.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input(field, "no organisation is registered with this number")
        })?;
    if let Some(kind) = kind
        && org.kind != kind
    {
        return Err(ApiError::bad_input(
            field,
            format!(
                "the organisation is not a {}",
                sea_orm::ActiveEnum::to_value(&kind)
            ),
        ));
    }
    Ok(org)
}

async fn programme_area_by_code<C: ConnectionTrait>(
    db: &C,
    field: &'static str,
    code: &str,
) -> Result<programme_area::Model, ApiError> {
    let code = ProgrammeAreaCode::parse(code).map_err(|e| ApiError::bad_input(field, e))?;
    programme_area::Entity::find()
        .filter(programme_area::Column::Code.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input(field, "no programme area has this code"))
}

pub async fn register_person(
    db: &impl Store,
    subject: &Subject,
    input: PersonInput,
) -> Result<person::Model, ApiError> {
    let national_id =
        NationalId::parse(&input.national_id).map_err(|e| ApiError::bad_input("nationalId", e))?;
    let given_name = non_empty("givenName", &input.given_name, 100)?;
    let family_name = non_empty("familyName", &input.family_name, 100)?;
    let citizenship = citizenship(&input.citizenship)?;
    let contact = input
        .contact
        .as_ref()
        .map(ContactInput::validate)
        .transpose()?;
    let txn = db.begin().await?;
    let person = person::ActiveModel {
        id: NotSet,
        national_id: Set(national_id.as_string()),
        id_kind: Set(national_id.kind().code().to_owned()),
        given_name: Set(given_name),
        family_name: Set(family_name),
        birth_date: Set(national_id.birth_date()),
        gender: Set(national_id.gender().map(|g| g.code().to_owned())),
        citizenship: Set(citizenship),
        deceased_on: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .on_unique(
        "nationalId",
        "a person with this national id is already registered",
    )?;
    if let Some(contact) = contact {
        write_contact(
            &txn,
            person.id,
            contact,
            subject,
            ContactSource::Registration,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(person)
}

/// Changes a person's names or citizenship; fields left out stay as they are.
pub async fn update_person(
    db: &impl Store,
    persons: &Condition,
    national_id: &str,
    given_name: Option<&str>,
    family_name: Option<&str>,
    new_citizenship: Option<&str>,
) -> Result<person::Model, ApiError> {
    let person = person_by_national_id(db, persons, national_id).await?;
    let mut active = person.into_active_model();
    if let Some(v) = given_name {
        active.given_name = Set(non_empty("givenName", v, 100)?);
    }
    if let Some(v) = family_name {
        active.family_name = Set(non_empty("familyName", v, 100)?);
    }
    if let Some(v) = new_citizenship {
        active.citizenship = Set(citizenship(v)?);
    }
    Ok(active.update(db).await?)
}

/// Where a change to contact data came from, as the change log names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactSource {
    /// Registered or corrected through the API.
    Registration,
    /// The population register's address file (`vigo intake addresses`).
    PopulationRegister,
}

impl ContactSource {
    fn code(self) -> &'static str {
        match self {
            ContactSource::Registration => "registration",
            ContactSource::PopulationRegister => "population_register",
        }
    }
}

/// Holds `contact` as the person's contact data, and logs in `contact_change` every field
/// that changed, with its value before and after, by whom and from where. Returns whether
/// anything changed (an identical write changes and logs nothing).
pub(crate) async fn write_contact<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    contact: ContactInput,
    subject: &Subject,
    source: ContactSource,
) -> Result<bool, ApiError> {
    let existing = contact::Entity::find()
        .filter(contact::Column::PersonId.eq(person_id))
        .one(db)
        .await?;
    write_contact_over(db, person_id, existing, contact, subject, source).await
}

/// [`write_contact`] over the row `existing` the caller has loaded already (an import loads
/// them all at once).
pub(crate) async fn write_contact_over<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    existing: Option<contact::Model>,
    contact: ContactInput,
    subject: &Subject,
    source: ContactSource,
) -> Result<bool, ApiError> {
    use vigo_entities::contact_change;
    let before = |f: fn(&contact::Model) -> Option<String>| existing.as_ref().and_then(f);
    let fields: [(&str, Option<String>, Option<String>); 6] = [
        (
            "address",
            before(|c| Some(c.address.clone())),
            Some(contact.address.clone()),
        ),
        (
            "postalCode",
            before(|c| Some(c.postal_code.clone())),
            Some(contact.postal_code.clone()),
        ),
        (
            "city",
            before(|c| Some(c.city.clone())),
            Some(contact.city.clone()),
        ),
        (
            "municipalityCode",
            before(|c| Some(c.municipality_code.clone())),
            Some(contact.municipality_code.clone()),
        ),
        ("phone", before(|c| c.phone.clone()), contact.phone.clone()),
        ("email", before(|c| c.email.clone()), contact.email.clone()),
    ];
    let changed: serde_json::Map<String, serde_json::Value> = fields
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(name, old, new)| (name.to_owned(), serde_json::json!({"from": old, "to": new})))
        .collect();
    if changed.is_empty() {
        return Ok(false);
    }
    let now = Utc::now();
    let mut active = match existing {
        Some(row) => row.into_active_model(),
        None => contact::ActiveModel {
            person_id: Set(person_id),
            ..Default::default()
        },
    };
    active.address = Set(contact.address);
    active.postal_code = Set(contact.postal_code);
    active.city = Set(contact.city);
    active.municipality_code = Set(contact.municipality_code);
    active.phone = Set(contact.phone);
    active.email = Set(contact.email);
    active.updated_at = Set(now);
    active.save(db).await?;
    contact_change::ActiveModel {
        person_id: Set(person_id),
        changed_at: Set(now),
        actor: Set(actor(subject)),
        source: Set(source.code().to_owned()),
        detail: Set(serde_json::Value::Object(changed).to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(true)
}

pub async fn set_contact(
    db: &impl Store,
    persons: &Condition,
    subject: &Subject,
    national_id: &str,
    contact: ContactInput,
) -> Result<person::Model, ApiError> {
    let contact = contact.validate()?;
    let person = person_by_national_id(db, persons, national_id).await?;
    if person.deceased_on.is_some() {
        return Err(ApiError::bad_input(
            "nationalId",
            "no contact data is kept for a deceased person",
        ));
    }
    write_contact(db, person.id, contact, subject, ContactSource::Registration).await?;
    Ok(person)
}

/// One wish as given: a programme area at a school, or an apprenticeship in a trade.
pub struct WishInput {
    pub programme_area: String,
    pub school: Option<String>,
    pub apprenticeship: bool,
}

async fn resolve_wishes<C: ConnectionTrait>(
    db: &C,
    intake_year: i32,
    wishes: &[WishInput],
) -> Result<Vec<(Option<i32>, i32, bool)>, ApiError> {
    if wishes.is_empty() || wishes.len() > 6 {
        return Err(ApiError::bad_input(
            "wishes",
            "an application has 1 to 6 ranked wishes",
        ));
    }
    let mut resolved = Vec::with_capacity(wishes.len());
    for wish in wishes {
        let area = programme_area_by_code(db, "wishes.programmeArea", &wish.programme_area).await?;
        let school_id = match (&wish.school, wish.apprenticeship) {
            (Some(_), true) => {
                return Err(ApiError::bad_input(
                    "wishes.school",
                    "an apprenticeship wish names no school",
                ));
            }
            (None, false) => {
                return Err(ApiError::bad_input(
                    "wishes.school",
                    "a school wish names the school",
                ));
            }
            (None, true) => {
                if area.level != "apprenticeship" {
                    return Err(ApiError::bad_input(
                        "wishes.programmeArea",
                        "an apprenticeship wish names a trade",
                    ));
                }
                None
            }
            (Some(org_no), false) => {
                let school = organisation_by_org_no(
                    db,
                    "wishes.school",
                    org_no,
                    Some(OrganisationKind::School),
                )
                .await?;
                let offered = school_offer::Entity::find()
                    .filter(school_offer::Column::SchoolId.eq(school.id))
                    .filter(school_offer::Column::ProgrammeAreaId.eq(area.id))
                    .filter(school_offer::Column::IntakeYear.eq(intake_year))
                    .one(db)
                    .await?;
                if offered.is_none() {
                    return Err(ApiError::bad_input(
                        "wishes",
                        "the school does not offer this programme area in the intake year",
                    ));
                }
                Some(school.id)
            }
        };
        let key = (school_id, area.id, wish.apprenticeship);
        if resolved.contains(&key) {
            return Err(ApiError::bad_input("wishes", "the same wish appears twice"));
        }
        resolved.push(key);
    }
    Ok(resolved)
}

async fn insert_wishes<C: ConnectionTrait>(
    db: &C,
    application_id: i32,
    wishes: &[(Option<i32>, i32, bool)],
) -> Result<(), ApiError> {
    let rows = wishes
        .iter()
        .enumerate()
        .map(
            |(rank, (school_id, area_id, apprenticeship))| application_wish::ActiveModel {
                id: NotSet,
                application_id: Set(application_id),
                rank: Set(rank as i32 + 1),
                school_id: Set(*school_id),
                programme_area_id: Set(*area_id),
                apprenticeship: Set(*apprenticeship),
                status: Set(WishStatus::Pending),
            },
        );
    application_wish::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub(crate) async fn log_change<C: ConnectionTrait>(
    db: &C,
    application_id: i32,
    subject: &Subject,
    change: &str,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    application_change::ActiveModel {
        id: NotSet,
        application_id: Set(application_id),
        changed_at: Set(Utc::now()),
        actor: Set(actor(subject)),
        actor_org: Set(subject.org.as_ref().map(|o| o.as_str().to_owned())),
        change: Set(change.to_owned()),
        detail: Set(detail.to_string()),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn submit_application(
    db: &impl Store,
    persons: &Condition,
    subject: &Subject,
    national_id: &str,
    intake_year: i32,
    wishes: &[WishInput],
) -> Result<application::Model, ApiError> {
    let intake_year = year("intakeYear", intake_year)?;
    let person = person_by_national_id(db, persons, national_id).await?;
    if person.deceased_on.is_some() {
        return Err(ApiError::bad_input(
            "nationalId",
            "the person is registered as deceased",
        ));
    }
    let txn = db.begin().await?;
    let resolved = resolve_wishes(&txn, intake_year, wishes).await?;
    let application = application::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        intake_year: Set(intake_year),
        points_hundredths: Set(None),
        status: Set(ApplicationStatus::Submitted),
        submitted_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await
    .on_unique(
        "intakeYear",
        "the person already has an application for this intake year; change its wishes instead",
    )?;
    insert_wishes(&txn, application.id, &resolved).await?;
    log_change(
        &txn,
        application.id,
        subject,
        "submitted",
        serde_json::json!({ "wishes": resolved.len() }),
    )
    .await?;
    txn.commit().await?;
    Ok(application)
}

pub async fn change_wishes(
    db: &impl Store,
    persons: &Condition,
    subject: &Subject,
    national_id: &str,
    intake_year: i32,
    wishes: &[WishInput],
) -> Result<application::Model, ApiError> {
    let person = person_by_national_id(db, persons, national_id).await?;
    let txn = db.begin().await?;
    let application = application::Entity::find()
        .filter(application::Column::PersonId.eq(person.id))
        .filter(application::Column::IntakeYear.eq(intake_year))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ApiError::bad_input(
                "intakeYear",
                "the person has no application for this intake year",
            )
        })?;
    if !matches!(
        application.status,
        ApplicationStatus::Submitted | ApplicationStatus::IndividualHandling
    ) {
        return Err(ApiError::bad_input(
            "intakeYear",
            "only an open application can be changed",
        ));
    }
    let resolved = resolve_wishes(&txn, intake_year, wishes).await?;
    let offered = offer::Entity::find()
        .filter(
            offer::Column::WishId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(application_wish::Column::Id)
                    .from(application_wish::Entity)
                    .and_where(application_wish::Column::ApplicationId.eq(application.id))
                    .to_owned(),
            ),
        )
        .one(&txn)
        .await?;
    if offered.is_some() {
        return Err(ApiError::bad_input(
            "wishes",
            "an offer has been made; the wishes can no longer change",
        ));
    }
    application_wish::Entity::delete_many()
        .filter(application_wish::Column::ApplicationId.eq(application.id))
        .exec(&txn)
        .await?;
    insert_wishes(&txn, application.id, &resolved).await?;
    log_change(
        &txn,
        application.id,
        subject,
        "wishes_changed",
        serde_json::json!({ "wishes": resolved.len() }),
    )
    .await?;
    txn.commit().await?;
    Ok(application)
}

/// A result as given by a caseworker.
pub struct ResultInput {
    pub subject_code: String,
    pub grade: String,
    pub kind: ResultKind,
    pub school_year: i32,
    pub school: Option<String>,
}

pub async fn record_result(
    db: &impl Store,
    persons: &Condition,
    national_id: &str,
    input: ResultInput,
) -> Result<subject_result::Model, ApiError> {
    let person = person_by_national_id(db, persons, national_id).await?;
    let grade = Grade::parse(&input.grade).map_err(|e| ApiError::bad_input("grade", e))?;
    let kind = input.kind;
    let subject_code = non_empty("subjectCode", &input.subject_code, 16)?;
    let school_year = year("schoolYear", input.school_year)?;
    let school = match &input.school {
        Some(org_no) => Some(
            organisation_by_org_no(db, "school", org_no, Some(OrganisationKind::School)).await?,
        ),
        None => None,
    };
    let enrolment = match &school {
        Some(school) => {
            enrolment::Entity::find()
                .filter(enrolment::Column::PersonId.eq(person.id))
                .filter(enrolment::Column::SchoolId.eq(school.id))
                .filter(enrolment::Column::SchoolYear.eq(school_year))
                .one(db)
                .await?
        }
        None => None,
    };
    Ok(subject_result::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        school_id: Set(school.map(|s| s.id)),
        enrolment_id: Set(enrolment.map(|e| e.id)),
        subject_code: Set(subject_code),
        grade: Set(grade.code().to_owned()),
        kind: Set(kind),
        school_year: Set(school_year),
    }
    .insert(db)
    .await?)
}

/// An enrolment as given by a caseworker.
pub struct EnrolmentInput {
    pub school: String,
    pub programme_area: String,
    pub school_year: i32,
    pub course_percentage: Option<i32>,
    pub start_date: NaiveDate,
}

pub async fn register_enrolment(
    db: &impl Store,
    persons: &Condition,
    national_id: &str,
    input: EnrolmentInput,
) -> Result<enrolment::Model, ApiError> {
    let person = person_by_national_id(db, persons, national_id).await?;
    let school =
        organisation_by_org_no(db, "school", &input.school, Some(OrganisationKind::School)).await?;
    let area = programme_area_by_code(db, "programmeArea", &input.programme_area).await?;
    let school_year = year("schoolYear", input.school_year)?;
    let course_percentage = input.course_percentage.unwrap_or(100);
    if !(1..=100).contains(&course_percentage) {
        return Err(ApiError::bad_input("coursePercentage", "must be 1 to 100"));
    }
    let start_date = input.start_date;
    Ok(enrolment::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        school_id: Set(school.id),
        programme_area_id: Set(area.id),
        school_year: Set(school_year),
        status: Set(EnrolmentStatus::Active),
        course_percentage: Set(course_percentage),
        start_date: Set(start_date),
        end_date: Set(None),
    }
    .insert(db)
    .await?)
}

/// A contract as given by a caseworker.
pub struct ContractInput {
    pub company: String,
    pub trade: String,
    pub kind: ContractKind,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

pub async fn create_contract(
    db: &impl Store,
    persons: &Condition,
    national_id: &str,
    input: ContractInput,
) -> Result<apprenticeship_contract::Model, ApiError> {
    let person = person_by_national_id(db, persons, national_id).await?;
    let company = organisation_by_org_no(db, "company", &input.company, None).await?;
    if !matches!(
        company.kind,
        OrganisationKind::Company | OrganisationKind::TrainingOffice
    ) {
        return Err(ApiError::bad_input(
            "company",
            "the organisation is not a training company or office",
        ));
    }
    let trade = programme_area_by_code(db, "trade", &input.trade).await?;
    let approver = company.training_office_id.unwrap_or(company.id);
    let approved = approved_trade::Entity::find()
        .filter(approved_trade::Column::ProgrammeAreaId.eq(trade.id))
        .filter(approved_trade::Column::OrganisationId.is_in([company.id, approver]))
        .one(db)
        .await?;
    if approved.is_none() {
        return Err(ApiError::bad_input(
            "trade",
            "the company is not approved to train in this trade",
        ));
    }
    let (kind, start_date, end_date) = (input.kind, input.start_date, input.end_date);
    if end_date <= start_date {
        return Err(ApiError::bad_input("endDate", "must be after startDate"));
    }
    Ok(apprenticeship_contract::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        company_id: Set(company.id),
        training_office_id: Set(company.training_office_id),
        programme_area_id: Set(trade.id),
        kind: Set(kind),
        status: Set(ContractStatus::Draft),
        start_date: Set(start_date),
        end_date: Set(end_date),
        approved_on: Set(None),
    }
    .insert(db)
    .await?)
}

pub async fn approve_contract(
    db: &impl Store,
    persons: &Condition,
    contract_id: i32,
) -> Result<apprenticeship_contract::Model, ApiError> {
    let contract = apprenticeship_contract::Entity::find_by_id(contract_id)
        .filter(apprenticeship_contract::Column::PersonId.in_subquery(within(persons)))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input("contractId", "no such contract"))?;
    if contract.status != ContractStatus::Draft {
        return Err(ApiError::bad_input(
            "contractId",
            "only a draft contract can be approved",
        ));
    }
    let mut active = contract.into_active_model();
    active.status = Set(ContractStatus::Approved);
    active.approved_on = Set(Some(vigo_policy::Today::now().date));
    Ok(active.update(db).await?)
}

pub async fn register_trade_test(
    db: &impl Store,
    persons: &Condition,
    national_id: &str,
    trade: &str,
    kind: TradeTestKind,
    test_date: Option<NaiveDate>,
) -> Result<trade_test::Model, ApiError> {
    let person = person_by_national_id(db, persons, national_id).await?;
    let trade = programme_area_by_code(db, "trade", trade).await?;
    if trade.level != "apprenticeship" {
        return Err(ApiError::bad_input(
            "trade",
            "trade tests are taken in a trade",
        ));
    }
    let contract = apprenticeship_contract::Entity::find()
        .filter(apprenticeship_contract::Column::PersonId.eq(person.id))
        .filter(apprenticeship_contract::Column::ProgrammeAreaId.eq(trade.id))
        .one(db)
        .await?;
    let board = exam_board::Entity::find()
        .filter(exam_board::Column::ProgrammeAreaId.eq(trade.id))
        .one(db)
        .await?;
    Ok(trade_test::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        contract_id: Set(contract.map(|c| c.id)),
        programme_area_id: Set(trade.id),
        exam_board_id: Set(board.map(|b| b.id)),
        kind: Set(kind),
        registered_on: Set(vigo_policy::Today::now().date),
        test_date: Set(test_date),
        result: Set(None),
    }
    .insert(db)
    .await?)
}

pub async fn record_trade_test_result(
    db: &impl Store,
    persons: &Condition,
    trade_test_id: i32,
    result: TradeTestResult,
) -> Result<trade_test::Model, ApiError> {
    let test = trade_test::Entity::find_by_id(trade_test_id)
        .filter(trade_test::Column::PersonId.in_subquery(within(persons)))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::bad_input("tradeTestId", "no such trade test"))?;
    if test.result.is_some() {
        return Err(ApiError::bad_input(
            "tradeTestId",
            "the result is already recorded",
        ));
    }
    let mut active = test.into_active_model();
    active.result = Set(Some(result));
    if active.test_date.as_ref().is_none() {
        active.test_date = Set(Some(vigo_policy::Today::now().date));
    }
    Ok(active.update(db).await?)
}

/// Udir's follow-up service codes; `_IM` marks registration outside the target group.
const FOLLOW_UP_CODES: &[&str] = &[
    "OTUK", "OTOV", "OTOA", "OTAP", "OTKO", "OTAR", "OTEV", "OTVF", "OTLL", "OTNO", "OTMI", "OTBA",
    "OTSY", "OTIF",
];

pub async fn set_follow_up_status(
    db: &impl Store,
    persons: &Condition,
    national_id: &str,
    code: &str,
    school_year: i32,
) -> Result<follow_up_status::Model, ApiError> {
    let base = code.strip_suffix("_IM").unwrap_or(code);
    if !FOLLOW_UP_CODES.contains(&base) {
        return Err(ApiError::bad_input(
            "code",
            format!("one of {}, optionally with _IM", FOLLOW_UP_CODES.join(", ")),
        ));
    }
    let person = person_by_national_id(db, persons, national_id).await?;
    let school_year = year("schoolYear", school_year)?;
    Ok(follow_up_status::ActiveModel {
        id: NotSet,
        person_id: Set(person.id),
        code: Set(code.to_owned()),
        registered_at: Set(Utc::now()),
        school_year: Set(school_year),
    }
    .insert(db)
    .await?)
}

/// Registers a death: deletes contact data and withdraws open applications, all in one
/// transaction (the privacy statement's rule for deceased persons).
pub async fn mark_deceased(
    db: &impl Store,
    persons: &Condition,
    subject: &Subject,
    national_id: &str,
    deceased_on: Option<NaiveDate>,
) -> Result<person::Model, ApiError> {
    let deceased_on = deceased_on.unwrap_or_else(|| vigo_policy::Today::now().date);
    let person = person_by_national_id(db, persons, national_id).await?;
    if person.deceased_on.is_some() {
        return Err(ApiError::bad_input(
            "nationalId",
            "the person is already registered as deceased",
        ));
    }
    let txn = db.begin().await?;
    contact::Entity::delete_many()
        .filter(contact::Column::PersonId.eq(person.id))
        .exec(&txn)
        .await?;
    // The change log holds earlier addresses: it goes with the contact data.
    vigo_entities::contact_change::Entity::delete_many()
        .filter(vigo_entities::contact_change::Column::PersonId.eq(person.id))
        .exec(&txn)
        .await?;
    let open = application::Entity::find()
        .filter(application::Column::PersonId.eq(person.id))
        .filter(application::Column::Status.is_in([
            ApplicationStatus::Submitted,
            ApplicationStatus::IndividualHandling,
            ApplicationStatus::OutsideCounty,
        ]))
        .all(&txn)
        .await?;
    for application in open {
        let id = application.id;
        let mut active = application.into_active_model();
        active.status = Set(ApplicationStatus::Withdrawn);
        active.update(&txn).await?;
        application_wish::Entity::update_many()
            .col_expr(
                application_wish::Column::Status,
                sea_orm::sea_query::Expr::value(WishStatus::Withdrawn),
            )
            .filter(application_wish::Column::ApplicationId.eq(id))
            .filter(application_wish::Column::Status.is_in([
                WishStatus::Pending,
                WishStatus::Waiting,
                WishStatus::Offered,
            ]))
            .exec(&txn)
            .await?;
        log_change(
            &txn,
            id,
            subject,
            "withdrawn",
            serde_json::json!({ "reason": "deceased" }),
        )
        .await?;
    }
    let mut active = person.into_active_model();
    active.deceased_on = Set(Some(deceased_on));
    let person = active.update(&txn).await?;
    txn.commit().await?;
    Ok(person)
}

/// How long an applicant has to answer an offer; after that, no answer counts as a decline.
pub const ANSWER_DAYS: i64 = 7;

/// Records an applicant's answer to one of their own offers (`persons`: the writer's row
/// scope, the applicant themself). An offer of someone else's is refused exactly as one that
/// does not exist; an offer already answered, past its deadline, or of a round whose next
/// round has run is refused, changing nothing.
pub async fn answer_offer(
    db: &impl Store,
    persons: &Condition,
    offer_id: i32,
    answer: vigo_entities::enums::OfferAnswer,
) -> Result<(vigo_entities::offer::Model, application::Model), ApiError> {
    use vigo_entities::enums::{IntakeRound, OfferAnswer};
    use vigo_entities::{application_wish, intake_run, offer};
    if answer == OfferAnswer::Unanswered {
        return Err(ApiError::bad_input(
            "answer",
            "answer ACCEPTED, ACCEPTED_WAITING or DECLINED",
        ));
    }
    let not_found = || ApiError::bad_input("offerId", format!("no offer {offer_id} of yours"));
    let found = offer::Entity::find_by_id(offer_id).one(db).await?;
    let Some(made) = found else {
        return Err(not_found());
    };
    let wish = application_wish::Entity::find_by_id(made.wish_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let owner = application::Entity::find_by_id(wish.application_id)
        .filter(
            application::Column::PersonId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(person::Column::Id)
                    .from(person::Entity)
                    .cond_where(persons.clone())
                    .to_owned(),
            ),
        )
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if made.company_id.is_some() {
        return Err(ApiError::bad_input(
            "offerId",
            "this is an apprenticeship placement: the company it was made to answers it",
        ));
    }
    if made.answer != OfferAnswer::Unanswered {
        return Err(ApiError::bad_input(
            "offerId",
            "the offer is answered already; an answer cannot be changed here",
        ));
    }
    if Utc::now() > made.offered_at + chrono::Duration::days(ANSWER_DAYS) {
        return Err(ApiError::bad_input(
            "offerId",
            format!(
                "the answer deadline ({ANSWER_DAYS} days after the offer) has passed; no answer counts as a decline"
            ),
        ));
    }
    if made.round == IntakeRound::Main
        && intake_run::Entity::find()
            .filter(intake_run::Column::IntakeYear.eq(owner.intake_year))
            .filter(intake_run::Column::Round.eq(IntakeRound::Supplementary.code()))
            .one(db)
            .await?
            .is_some()
    {
        return Err(ApiError::bad_input(
            "offerId",
            "the supplementary round has run; the main round's offers can no longer be answered",
        ));
    }
    let answered = answer_once(db, made, answer).await?;
    Ok((answered, owner))
}

/// Records `answer` to an unanswered offer, in one statement that only an unanswered offer
/// matches, so that two answers at once cannot both be taken.
async fn answer_once<C: ConnectionTrait>(
    db: &C,
    made: vigo_entities::offer::Model,
    answer: vigo_entities::enums::OfferAnswer,
) -> Result<vigo_entities::offer::Model, ApiError> {
    use vigo_entities::enums::OfferAnswer;
    use vigo_entities::offer;
    let now = Utc::now();
    let updated = offer::Entity::update_many()
        .col_expr(
            offer::Column::Answer,
            sea_orm::sea_query::Expr::value(answer),
        )
        .col_expr(
            offer::Column::AnsweredAt,
            sea_orm::sea_query::Expr::value(Some(now)),
        )
        .filter(offer::Column::Id.eq(made.id))
        .filter(offer::Column::Answer.eq(OfferAnswer::Unanswered))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::bad_input(
            "offerId",
            "the offer is answered already; an answer cannot be changed here",
        ));
    }
    Ok(offer::Model {
        answer,
        answered_at: Some(now),
        ..made
    })
}

/// Records a company's answer to an apprenticeship placement made to it: it takes the
/// applicant on, or declines (the wish waits for the next placement run, which offers the
/// applicant to another company). A placement made to another company, or none, is refused
/// alike; one answered already or past its deadline is refused, changing nothing.
pub async fn answer_placement(
    db: &impl Store,
    rows: &vigo_policy::RowScope,
    subject: &Subject,
    offer_id: i32,
    accept: bool,
) -> Result<(vigo_entities::offer::Model, application::Model), ApiError> {
    use vigo_entities::enums::OfferAnswer;
    use vigo_entities::{application_wish, offer};
    let not_found = || {
        ApiError::bad_input(
            "offerId",
            format!("no placement {offer_id} to your company"),
        )
    };
    // Which placements the caller answers is the policy's: its row scope over offers (for a
    // company, the placements made to it) and over persons.
    let made = offer::Entity::find_by_id(offer_id)
        .filter(offer::Column::CompanyId.is_not_null())
        .filter(rows.records_shown(vigo_policy::Record::Offer))
        .filter(
            offer::Column::WishId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(application_wish::Column::Id)
                    .from(application_wish::Entity)
                    .and_where(
                        application_wish::Column::ApplicationId.in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(application::Column::Id)
                                .from(application::Entity)
                                .and_where(
                                    application::Column::PersonId.in_subquery(
                                        sea_orm::sea_query::Query::select()
                                            .column(person::Column::Id)
                                            .from(person::Entity)
                                            .cond_where(rows.person_condition())
                                            .to_owned(),
                                    ),
                                )
                                .to_owned(),
                        ),
                    )
                    .to_owned(),
            ),
        )
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let company = organisation::Entity::find_by_id(made.company_id.unwrap_or_default())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let wish = application_wish::Entity::find_by_id(made.wish_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let owner = application::Entity::find_by_id(wish.application_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if made.answer != OfferAnswer::Unanswered {
        return Err(ApiError::bad_input(
            "offerId",
            "the placement is answered already; an answer cannot be changed here",
        ));
    }
    if !crate::intake::placement::OPEN.contains(&owner.status) || wish.status != WishStatus::Offered
    {
        return Err(ApiError::bad_input(
            "offerId",
            "the application is no longer open (withdrawn, closed or another county's); the placement cannot be answered",
        ));
    }
    if Utc::now() > made.offered_at + chrono::Duration::days(ANSWER_DAYS) {
        return Err(ApiError::bad_input(
            "offerId",
            format!(
                "the answer deadline ({ANSWER_DAYS} days after the placement) has passed; no answer counts as a decline"
            ),
        ));
    }
    let answer = if accept {
        OfferAnswer::Accepted
    } else {
        OfferAnswer::Declined
    };
    let answered = answer_once(db, made, answer).await?;
    if !accept {
        let mut waiting = wish.into_active_model();
        waiting.status = Set(WishStatus::Pending);
        waiting.update(db).await?;
    }
    log_change(
        db,
        owner.id,
        subject,
        "placement_answered",
        serde_json::json!({ "company": company.org_no, "answer": answer.code() }),
    )
    .await?;
    Ok((answered, owner))
}
