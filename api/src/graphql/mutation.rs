//! Caseworker registrations. Each mutation is atomic, validates its input (`BAD_USER_INPUT`
//! naming the field and the rule) and is refused (`FORBIDDEN`, nothing changed) for callers
//! the gate does not let write.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result};
use sea_orm::{
    Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, Iterable, ModelTrait,
    PrimaryKeyToColumn, QueryFilter, TransactionTrait,
};
use vigo_entities::person;
use vigo_policy::{Access, Record, Scope, Subject};

use super::apprenticeship::{ApprenticeshipContract, TradeTest};
use super::codes::{ContractKind, ResultKind, TradeTestKind, TradeTestResult};
use super::follow_up::FollowUpStatus;
use super::person::Person;
use super::records::{Application, Enrolment, SubjectResult};
use super::scalars::Date;
use crate::error::ApiError;
use crate::service;

pub struct Mutation;

/// Contact data: address from the population register, phone and email.
#[derive(InputObject)]
pub struct ContactInput {
    /// Street address, 1 to 200 characters.
    pub address: String,
    /// 4 digits.
    pub postal_code: String,
    /// Postal town (poststed), 1 to 100 characters; stored in capitals.
    pub city: String,
    /// 4-digit municipality number.
    pub municipality_code: String,
    /// 8 to 15 digits, optionally after `+`; spaces are dropped.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

impl From<ContactInput> for service::ContactInput {
    fn from(c: ContactInput) -> Self {
        service::ContactInput {
            address: c.address,
            postal_code: c.postal_code,
            city: c.city,
            municipality_code: c.municipality_code,
            phone: c.phone,
            email: c.email,
        }
    }
}

/// A new person.
#[derive(InputObject)]
pub struct RegisterPersonInput {
    /// National id, 11 digits (fødselsnummer, D-nummer, H-nummer or temporary number); the
    /// birth date and gender are taken from it.
    pub national_id: String,
    /// Given name(s), 1 to 100 characters.
    pub given_name: String,
    /// Family name, 1 to 100 characters.
    pub family_name: String,
    /// ISO 3166-1 alpha-2, e.g. `NO`.
    pub citizenship: String,
    /// Contact data, if known.
    pub contact: Option<ContactInput>,
}

/// Changes to a person; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    /// New given name(s), 1 to 100 characters.
    pub given_name: Option<String>,
    /// New family name, 1 to 100 characters.
    pub family_name: Option<String>,
    /// New citizenship, ISO 3166-1 alpha-2, e.g. `NO`.
    pub citizenship: Option<String>,
}

/// One ranked wish: a programme area at a school, or an apprenticeship in a trade.
#[derive(InputObject)]
pub struct WishInput {
    /// 10-character programme area code (a trade for an apprenticeship wish).
    pub programme_area: String,
    /// The school's organisation number; left out for an apprenticeship wish.
    pub school: Option<String>,
    /// Whether the wish is an apprenticeship in the trade rather than a school place.
    #[graphql(default)]
    pub apprenticeship: bool,
}

impl From<WishInput> for service::WishInput {
    fn from(w: WishInput) -> Self {
        service::WishInput {
            programme_area: w.programme_area,
            school: w.school,
            apprenticeship: w.apprenticeship,
        }
    }
}

/// A grade to record.
#[derive(InputObject)]
pub struct ResultInput {
    /// Subject code (fagkode), 1 to 16 characters.
    pub subject_code: String,
    /// `1`–`6`, `B`, `IB`, `IV` or `IM`.
    pub grade: String,
    /// Which assessment the grade is.
    pub kind: ResultKind,
    /// The school year of the grade, by the year it starts (2025 for 2025/26).
    pub school_year: i32,
    /// The school's organisation number, for upper-secondary results.
    pub school: Option<String>,
}

/// An enrolment to register.
#[derive(InputObject)]
pub struct EnrolmentInput {
    /// The school's organisation number.
    pub school: String,
    /// 10-character programme area code.
    pub programme_area: String,
    /// The year the school year starts (2025 for 2025/26).
    pub school_year: i32,
    /// 1–100; default 100.
    pub course_percentage: Option<i32>,
    /// The first day of the enrolment.
    pub start_date: Date,
}

/// An apprenticeship contract to register (as a draft, to be approved).
#[derive(InputObject)]
pub struct ContractInput {
    /// The training company's organisation number.
    pub company: String,
    /// The trade's programme area code.
    pub trade: String,
    /// Lærekontrakt or opplæringskontrakt.
    pub kind: ContractKind,
    /// When the contract starts.
    pub start_date: Date,
    /// When the contract ends; after `startDate`.
    pub end_date: Date,
}

/// The caller, once the gate has let it write (a refusal is recorded), the persons it may
/// write about (its row scope: a write reaches only whom the writer may read), and the
/// transaction the write and its audit record share.
async fn writer<'a>(ctx: &Context<'a>) -> Result<(&'a Subject, Condition, DatabaseTransaction)> {
    let subject = ctx.data::<Subject>()?;
    super::query::open_root(ctx, &format!("Mutation.{}", ctx.field().name())).await?;
    let txn = ctx
        .data::<DatabaseConnection>()?
        .begin()
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    let persons = ctx.data::<vigo_policy::Access>()?.rows.person_condition();
    Ok((subject, persons, txn))
}

/// Parses an `ID` of the form `Type:123` for the given type.
fn parse_id(field: &'static str, type_name: &str, id: &ID) -> Result<i32, ApiError> {
    id.as_str()
        .strip_prefix(type_name)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ApiError::bad_input(field, format!("not an id of a {type_name}")))
}

fn extended<T>(result: Result<T, ApiError>) -> Result<T> {
    result.map_err(|e| e.extend())
}

/// A changed record: the person it belongs to, for the audit trail, and the kind of record a
/// record scope can narrow, for the check that a write stays within what its writer may read.
trait PersonOf: ModelTrait {
    const RECORD: Option<Record>;
    fn person_id(&self) -> i32;
}

macro_rules! record_kind {
    () => {
        None
    };
    ($record:ident) => {
        Some(Record::$record)
    };
}

macro_rules! person_of {
    ($($module:ident => $field:ident $(, $record:ident)?;)*) => {$(
        impl PersonOf for vigo_entities::$module::Model {
            const RECORD: Option<Record> = record_kind!($($record)?);
            fn person_id(&self) -> i32 {
                self.$field
            }
        }
    )*};
}

person_of!(
    person => id;
    application => person_id, Application;
    subject_result => person_id, Result;
    enrolment => person_id, Enrolment;
    apprenticeship_contract => person_id, Contract;
    trade_test => person_id, TradeTest;
    follow_up_status => person_id;
);

/// Whether the written record is one the writer's record scope shows (a school's own
/// enrolments, a company's own contracts), read inside the write's transaction.
async fn within_records<T: PersonOf>(
    txn: &DatabaseTransaction,
    access: &Access,
    written: &T,
) -> Result<bool, sea_orm::DbErr> {
    let Some(shown) = T::RECORD.and_then(|r| access.rows.record_condition(r)) else {
        return Ok(true);
    };
    let mut query = T::Entity::find().filter(shown);
    for key in <T::Entity as EntityTrait>::PrimaryKey::iter() {
        let column = key.into_column();
        query = query.filter(sea_orm::ColumnTrait::eq(&column, written.get(column)));
    }
    Ok(query.one(txn).await?.is_some())
}

/// Finishes a write: a record outside what the writer may read is refused and rolled back;
/// otherwise its audit event is appended in the write's own transaction before it commits, so
/// a change is never kept without its record; on failure the transaction is rolled back with
/// nothing recorded.
async fn written<T: PersonOf>(
    ctx: &Context<'_>,
    result: Result<T, ApiError>,
    txn: DatabaseTransaction,
) -> Result<T> {
    let written = extended(result)?;
    let access = ctx.data::<Access>()?;
    let within = within_records(&txn, access, &written)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    if !within {
        txn.rollback()
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        let operation = format!("Mutation.{}", ctx.field().name());
        let refusal = "change records outside those you may read; nothing was changed";
        return Err(super::query::refuse(ctx, access, &operation, refusal).await);
    }
    crate::audit::append_for_request(ctx, &txn, &[written.person_id()])
        .await
        .map_err(|e| e.extend())?;
    txn.commit().await.map_err(|e| ApiError::from(e).extend())?;
    if let Ok(touched) = ctx.data::<std::sync::Arc<crate::audit::Touched>>() {
        touched.recorded([written.person_id()]);
    }
    Ok(written)
}

/// A written person, read back as any read: within the caller's row scope (`null` outside
/// it), through the same mask, and recorded as read by the request.
async fn read_back_person(ctx: &Context<'_>, person: person::Model) -> Result<Option<Person>> {
    let access = ctx.data::<Access>()?;
    let found = person::Entity::find_by_id(person.id)
        .filter(access.rows.person_condition())
        .one(ctx.data::<DatabaseConnection>()?)
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    Ok(
        super::person::present(ctx, found.into_iter().collect(), &ctx.look_ahead())
            .await?
            .pop(),
    )
}

/// Registrations and changes. Each mutation runs in one transaction that also records it in
/// the audit trail; invalid input fails with `BAD_USER_INPUT` naming the field, and nothing
/// changes.
#[Object]
impl Mutation {
    /// Registers a person, optionally with contact data; for writers whose scope reaches every
    /// person. The result is read back as any read.
    async fn register_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person to register.")] input: RegisterPersonInput,
    ) -> Result<Option<Person>> {
        let access = ctx.data::<Access>()?;
        if !access.rows.scopes().contains(&Scope::Everyone) {
            // Whether a number is taken would tell of persons outside the writer's scope.
            let refusal =
                "not allowed to register persons: that needs a row scope over every person";
            return Err(
                super::query::refuse(ctx, access, "Mutation.registerPerson", refusal).await,
            );
        }
        let (subject, _, txn) = writer(ctx).await?;
        let person = service::register_person(
            &txn,
            subject,
            service::PersonInput {
                national_id: input.national_id,
                given_name: input.given_name,
                family_name: input.family_name,
                citizenship: input.citizenship,
                contact: input.contact.map(Into::into),
            },
        )
        .await;
        let person = written(ctx, person, txn).await?;
        read_back_person(ctx, person).await
    }

    /// Changes a person's names or citizenship.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The changes; fields left out stay as they are.")]
        input: UpdatePersonInput,
    ) -> Result<Option<Person>> {
        let (_, persons, txn) = writer(ctx).await?;
        let person = service::update_person(
            &txn,
            &persons,
            &national_id,
            input.given_name.as_deref(),
            input.family_name.as_deref(),
            input.citizenship.as_deref(),
        )
        .await;
        let person = written(ctx, person, txn).await?;
        read_back_person(ctx, person).await
    }

    /// Sets a person's contact data, replacing what was held.
    async fn set_contact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The contact data to hold.")] contact: ContactInput,
    ) -> Result<Option<Person>> {
        let (subject, persons, txn) = writer(ctx).await?;
        let person =
            service::set_contact(&txn, &persons, subject, &national_id, contact.into()).await;
        let person = written(ctx, person, txn).await?;
        read_back_person(ctx, person).await
    }

    /// Submits an application with 1 to 6 ranked wishes, most wanted first.
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The intake year: the year the school year applied for starts.")]
        intake_year: i32,
        #[graphql(desc = "1 to 6 ranked wishes, most wanted first.")] wishes: Vec<WishInput>,
    ) -> Result<Option<Application>> {
        let (subject, persons, txn) = writer(ctx).await?;
        let wishes: Vec<service::WishInput> = wishes.into_iter().map(Into::into).collect();
        let application = service::submit_application(
            &txn,
            &persons,
            subject,
            &national_id,
            intake_year,
            &wishes,
        )
        .await;
        let application = written(ctx, application, txn).await?;
        Ok(Some(application.into()))
    }

    /// Answers one of the caller's own offers (applicants): accept, accept and stay on the
    /// waiting lists of higher wishes, or decline, within the answer deadline.
    async fn answer_offer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The offer's id, as `Offer.id` gives it.")] offer_id: ID,
        #[graphql(desc = "`ACCEPTED`, `ACCEPTED_WAITING` or `DECLINED`.")]
        answer: super::codes::OfferAnswer,
    ) -> Result<Option<super::records::Offer>> {
        let (_, persons, txn) = writer(ctx).await?;
        let offer_id = extended(parse_id("offerId", "Offer", &offer_id))?;
        let answered = service::answer_offer(&txn, &persons, offer_id, answer.into()).await;
        let (offer, application) = match answered {
            Ok(done) => done,
            Err(e) => return Err(e.extend()),
        };
        written(ctx, Ok(application), txn).await?;
        Ok(Some(offer.into()))
    }

    /// Answers an apprenticeship placement made to the caller's company (companies): accept
    /// the applicant, or decline, within the answer deadline. A declined applicant is offered
    /// to another company by the next placement run.
    async fn answer_placement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The offer's id, as `Offer.id` gives it.")] offer_id: ID,
        #[graphql(desc = "`true` to take the applicant on, `false` to decline.")] accept: bool,
    ) -> Result<Option<super::records::Offer>> {
        let subject = ctx.data::<Subject>()?;
        super::query::open_root(ctx, "Mutation.answerPlacement").await?;
        let txn = ctx
            .data::<DatabaseConnection>()?
            .begin()
            .await
            .map_err(|e| ApiError::from(e).extend())?;
        let offer_id = extended(parse_id("offerId", "Offer", &offer_id))?;
        let rows = &ctx.data::<Access>()?.rows;
        let answered = service::answer_placement(&txn, rows, subject, offer_id, accept).await;
        let (offer, application) = match answered {
            Ok(done) => done,
            Err(e) => return Err(e.extend()),
        };
        written(ctx, Ok(application), txn).await?;
        Ok(Some(offer.into()))
    }

    /// Offers applicants who wish an apprenticeship to approved companies in the trade with
    /// free positions, by youth right, points and lottery, each with an explained decision
    /// (caseworkers, for the whole county). Runs again after companies answer.
    async fn place_apprentices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The intake year.")] intake_year: i32,
        #[graphql(desc = "The lottery's seed as a decimal string; drawn at random when left out.")]
        seed: Option<String>,
    ) -> Result<super::intake::PlacementRun> {
        super::intake::place_apprentices(ctx, intake_year, seed).await
    }

    /// Assesses every person's education right from their history, replacing the stored
    /// rights, each with the rule that decided it and an explained decision (caseworkers, for
    /// the whole county).
    async fn assess_rights(&self, ctx: &Context<'_>) -> Result<super::intake::RightsRun> {
        super::intake::assess_rights(ctx).await
    }

    /// Computes the Vg1 points of every application of an intake year from the applicants'
    /// lower-secondary grades, each with an explained decision (caseworkers, for the whole
    /// county).
    async fn compute_points(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The intake year.")] intake_year: i32,
    ) -> Result<super::intake::PointsRun> {
        super::intake::compute_points(ctx, intake_year).await
    }

    /// Runs one round of an intake year's school-place allocation and stores its offers and
    /// explained decisions (caseworkers, for the whole county); a round runs once.
    async fn run_intake(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The intake year.")] intake_year: i32,
        #[graphql(desc = "The round: `MAIN`, or `SUPPLEMENTARY` on the main round's answers.")]
        round: super::codes::IntakeRound,
        #[graphql(desc = "The lottery's seed as a decimal string; drawn at random when left out.")]
        seed: Option<String>,
    ) -> Result<super::intake::IntakeRunResult> {
        super::intake::run_intake(ctx, intake_year, round, seed).await
    }

    /// Replaces the wishes of an open application; the change is logged.
    async fn change_wishes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The intake year of the application to change.")] intake_year: i32,
        #[graphql(desc = "The new wishes, 1 to 6, most wanted first; they replace the old ones.")]
        wishes: Vec<WishInput>,
    ) -> Result<Option<Application>> {
        let (subject, persons, txn) = writer(ctx).await?;
        let wishes: Vec<service::WishInput> = wishes.into_iter().map(Into::into).collect();
        let application =
            service::change_wishes(&txn, &persons, subject, &national_id, intake_year, &wishes)
                .await;
        let application = written(ctx, application, txn).await?;
        Ok(Some(application.into()))
    }

    /// Records a grade.
    async fn record_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The grade to record.")] input: ResultInput,
    ) -> Result<Option<SubjectResult>> {
        let (_, persons, txn) = writer(ctx).await?;
        let input = service::ResultInput {
            subject_code: input.subject_code,
            grade: input.grade,
            kind: input.kind.into(),
            school_year: input.school_year,
            school: input.school,
        };
        let result = service::record_result(&txn, &persons, &national_id, input).await;
        let result = written(ctx, result, txn).await?;
        Ok(Some(result.into()))
    }

    /// Registers an enrolment at a school.
    async fn register_enrolment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The enrolment to register; it starts as `ACTIVE`.")]
        input: EnrolmentInput,
    ) -> Result<Option<Enrolment>> {
        let (_, persons, txn) = writer(ctx).await?;
        let input = service::EnrolmentInput {
            school: input.school,
            programme_area: input.programme_area,
            school_year: input.school_year,
            course_percentage: input.course_percentage,
            start_date: input.start_date.0,
        };
        let enrolment = service::register_enrolment(&txn, &persons, &national_id, input).await;
        let enrolment = written(ctx, enrolment, txn).await?;
        Ok(Some(enrolment.into()))
    }

    /// Registers an apprenticeship contract as a draft.
    async fn create_contract(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The apprentice's or training candidate's national id (11 digits).")]
        national_id: String,
        #[graphql(desc = "The contract to register.")] input: ContractInput,
    ) -> Result<Option<ApprenticeshipContract>> {
        let (_, persons, txn) = writer(ctx).await?;
        let input = service::ContractInput {
            company: input.company,
            trade: input.trade,
            kind: input.kind.into(),
            start_date: input.start_date.0,
            end_date: input.end_date.0,
        };
        let contract = service::create_contract(&txn, &persons, &national_id, input).await;
        let contract = written(ctx, contract, txn).await?;
        Ok(Some(contract.into()))
    }

    /// Approves a draft contract on behalf of the county.
    async fn approve_contract(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The draft contract's `id`.")] contract_id: ID,
    ) -> Result<Option<ApprenticeshipContract>> {
        let (_, persons, txn) = writer(ctx).await?;
        let id = extended(parse_id(
            "contractId",
            "ApprenticeshipContract",
            &contract_id,
        ))?;
        let contract = service::approve_contract(&txn, &persons, id).await;
        let contract = written(ctx, contract, txn).await?;
        Ok(Some(contract.into()))
    }

    /// Registers a person for a trade, journeyman or competence test.
    async fn register_trade_test(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The candidate's national id (11 digits).")] national_id: String,
        #[graphql(desc = "The trade's 10-character programme area code.")] trade: String,
        #[graphql(desc = "Which test: fagprøve, svenneprøve or kompetanseprøve.")]
        kind: TradeTestKind,
        #[graphql(desc = "The test date, if already set.")] test_date: Option<Date>,
    ) -> Result<Option<TradeTest>> {
        let (_, persons, txn) = writer(ctx).await?;
        let test = service::register_trade_test(
            &txn,
            &persons,
            &national_id,
            &trade,
            kind.into(),
            test_date.map(|d| d.0),
        )
        .await;
        let test = written(ctx, test, txn).await?;
        Ok(Some(test.into()))
    }

    /// Records the result of a trade test.
    async fn record_trade_test_result(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The test registration's `id`.")] trade_test_id: ID,
        #[graphql(desc = "The outcome; the test date becomes today if none was set.")]
        result: TradeTestResult,
    ) -> Result<Option<TradeTest>> {
        let (_, persons, txn) = writer(ctx).await?;
        let id = extended(parse_id("tradeTestId", "TradeTest", &trade_test_id))?;
        let test = service::record_trade_test_result(&txn, &persons, id, result.into()).await;
        let test = written(ctx, test, txn).await?;
        Ok(Some(test.into()))
    }

    /// Registers a follow-up service status with Udir's code.
    async fn set_follow_up_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(
            desc = "Udir's code, e.g. `OTUK`, with `_IM` for registration outside the target group."
        )]
        code: String,
        #[graphql(desc = "The year the school year starts (2025 for 2025/26).")] school_year: i32,
    ) -> Result<Option<FollowUpStatus>> {
        let (_, persons, txn) = writer(ctx).await?;
        let status =
            service::set_follow_up_status(&txn, &persons, &national_id, &code, school_year).await;
        let status = written(ctx, status, txn).await?;
        Ok(Some(status.into()))
    }

    /// Registers a death reported by the population register: deletes contact data and
    /// withdraws open applications, in one transaction.
    async fn mark_deceased(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person's national id (11 digits).")] national_id: String,
        #[graphql(desc = "Date of death; today when left out.")] deceased_on: Option<Date>,
    ) -> Result<Option<Person>> {
        let (subject, persons, txn) = writer(ctx).await?;
        let person = service::mark_deceased(
            &txn,
            &persons,
            subject,
            &national_id,
            deceased_on.map(|d| d.0),
        )
        .await;
        let person = written(ctx, person, txn).await?;
        read_back_person(ctx, person).await
    }

    /// Replaces the whole access policy (privacy officers): `rules` in Casbin's CSV form,
    /// `summary` saying why. Refused, naming the line and the cause, if it does not validate;
    /// the policy in force then stays as it was.
    async fn replace_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The whole policy in Casbin's CSV form, one `p, role, purpose, object, action, effect` rule per line."
        )]
        rules: String,
        #[graphql(desc = "Why the policy changes; not empty.")] summary: String,
    ) -> Result<super::privacy::PolicyDocument> {
        super::privacy::replace_policy(ctx, rules, summary).await
    }

    /// Makes a new policy version equal to an earlier one (privacy officers); history is
    /// never rewritten. Refused if that version's rules were not kept.
    async fn rollback_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version to return to.")] to: i64,
        #[graphql(desc = "Why; not empty.")] summary: String,
    ) -> Result<super::privacy::PolicyDocument> {
        super::policy_review::rollback_policy(ctx, to, summary).await
    }
}
