//! Caseworker registrations. Each mutation is atomic, validates its input (`BAD_USER_INPUT`
//! naming the field and the rule) and is refused (`FORBIDDEN`, nothing changed) for callers
//! the gate does not let write.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use vigo_policy::{Gate, Subject};

use super::apprenticeship::{ApprenticeshipContract, TradeTest};
use super::follow_up::FollowUpStatus;
use super::person::Person;
use super::records::{Application, Enrolment, SubjectResult};
use crate::error::ApiError;
use crate::service;

pub struct Mutation;

/// Contact data: address from the population register, phone and email.
#[derive(InputObject)]
pub struct ContactInput {
    pub address: String,
    /// 4 digits.
    pub postal_code: String,
    pub city: String,
    /// 4-digit municipality number.
    pub municipality_code: String,
    pub phone: Option<String>,
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
    pub national_id: String,
    pub given_name: String,
    pub family_name: String,
    /// ISO 3166-1 alpha-2, e.g. `NO`.
    pub citizenship: String,
    pub contact: Option<ContactInput>,
}

/// Changes to a person; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdatePersonInput {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub citizenship: Option<String>,
}

/// One ranked wish: a programme area at a school, or an apprenticeship in a trade.
#[derive(InputObject)]
pub struct WishInput {
    /// 10-character programme area code (a trade for an apprenticeship wish).
    pub programme_area: String,
    /// The school's organisation number; left out for an apprenticeship wish.
    pub school: Option<String>,
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
    pub subject_code: String,
    /// `1`–`6`, `B`, `IB`, `IV` or `IM`.
    pub grade: String,
    /// `lower_secondary_final`, `lower_secondary_exam`, `final`, `written_exam` or `oral_exam`.
    pub kind: String,
    pub school_year: i32,
    /// The school's organisation number, for upper-secondary results.
    pub school: Option<String>,
}

/// An enrolment to register.
#[derive(InputObject)]
pub struct EnrolmentInput {
    /// The school's organisation number.
    pub school: String,
    pub programme_area: String,
    pub school_year: i32,
    /// 1–100; default 100.
    pub course_percentage: Option<i32>,
    /// `YYYY-MM-DD`.
    pub start_date: String,
}

/// An apprenticeship contract to register (as a draft, to be approved).
#[derive(InputObject)]
pub struct ContractInput {
    /// The training company's organisation number.
    pub company: String,
    /// The trade's programme area code.
    pub trade: String,
    /// `apprentice` or `training_candidate`.
    pub kind: String,
    pub start_date: String,
    pub end_date: String,
}

/// The caller, once the gate has let it write (a refusal is recorded), and the transaction
/// the write and its audit record share.
async fn writer<'a>(ctx: &Context<'a>) -> Result<(&'a Subject, DatabaseTransaction)> {
    let subject = ctx.data::<Subject>()?;
    if let Err(refusal) = ctx.data::<Gate>()?.may_write(subject) {
        let operation = format!("Mutation.{}", ctx.field().name());
        let access = ctx.data::<vigo_policy::Access>()?;
        return Err(super::query::refuse(ctx, access, &operation, refusal).await);
    }
    let txn = ctx
        .data::<DatabaseConnection>()?
        .begin()
        .await
        .map_err(|e| ApiError::from(e).extend())?;
    Ok((subject, txn))
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

/// A changed record, and the person it belongs to, for the audit trail.
trait PersonOf {
    fn person_id(&self) -> i32;
}

macro_rules! person_of {
    ($($module:ident => $field:ident),* $(,)?) => {$(
        impl PersonOf for vigo_entities::$module::Model {
            fn person_id(&self) -> i32 {
                self.$field
            }
        }
    )*};
}

person_of!(
    person => id,
    application => person_id,
    subject_result => person_id,
    enrolment => person_id,
    apprenticeship_contract => person_id,
    trade_test => person_id,
    follow_up_status => person_id,
);

/// Finishes a write: on success its audit event is appended in the write's own transaction
/// before it commits, so a change is never kept without its record; on failure the
/// transaction is rolled back with nothing recorded.
async fn written<T: PersonOf>(
    ctx: &Context<'_>,
    result: Result<T, ApiError>,
    txn: DatabaseTransaction,
) -> Result<T> {
    let written = extended(result)?;
    crate::audit::append_for_request(ctx, &txn, &[written.person_id()])
        .await
        .map_err(|e| e.extend())?;
    txn.commit().await.map_err(|e| ApiError::from(e).extend())?;
    Ok(written)
}

#[Object]
impl Mutation {
    /// Registers a person, optionally with contact data.
    async fn register_person(
        &self,
        ctx: &Context<'_>,
        input: RegisterPersonInput,
    ) -> Result<Person> {
        let (_, txn) = writer(ctx).await?;
        let person = service::register_person(
            &txn,
            service::PersonInput {
                national_id: input.national_id,
                given_name: input.given_name,
                family_name: input.family_name,
                citizenship: input.citizenship,
                contact: input.contact.map(Into::into),
            },
        )
        .await;
        written(ctx, person, txn).await.map(Person)
    }

    /// Changes a person's names or citizenship.
    async fn update_person(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        input: UpdatePersonInput,
    ) -> Result<Person> {
        let (_, txn) = writer(ctx).await?;
        let person = service::update_person(
            &txn,
            &national_id,
            input.given_name.as_deref(),
            input.family_name.as_deref(),
            input.citizenship.as_deref(),
        )
        .await;
        written(ctx, person, txn).await.map(Person)
    }

    /// Sets a person's contact data, replacing what was held.
    async fn set_contact(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        contact: ContactInput,
    ) -> Result<Person> {
        let (_, txn) = writer(ctx).await?;
        written(
            ctx,
            service::set_contact(&txn, &national_id, contact.into()).await,
            txn,
        )
        .await
        .map(Person)
    }

    /// Submits an application with 1 to 6 ranked wishes, most wanted first.
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        intake_year: i32,
        wishes: Vec<WishInput>,
    ) -> Result<Application> {
        let (subject, txn) = writer(ctx).await?;
        let wishes: Vec<service::WishInput> = wishes.into_iter().map(Into::into).collect();
        written(
            ctx,
            service::submit_application(&txn, subject, &national_id, intake_year, &wishes).await,
            txn,
        )
        .await
        .map(Application::from)
    }

    /// Replaces the wishes of an open application; the change is logged.
    async fn change_wishes(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        intake_year: i32,
        wishes: Vec<WishInput>,
    ) -> Result<Application> {
        let (subject, txn) = writer(ctx).await?;
        let wishes: Vec<service::WishInput> = wishes.into_iter().map(Into::into).collect();
        written(
            ctx,
            service::change_wishes(&txn, subject, &national_id, intake_year, &wishes).await,
            txn,
        )
        .await
        .map(Application::from)
    }

    /// Records a grade.
    async fn record_result(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        input: ResultInput,
    ) -> Result<SubjectResult> {
        let (_, txn) = writer(ctx).await?;
        let input = service::ResultInput {
            subject_code: input.subject_code,
            grade: input.grade,
            kind: input.kind,
            school_year: input.school_year,
            school: input.school,
        };
        written(
            ctx,
            service::record_result(&txn, &national_id, input).await,
            txn,
        )
        .await
        .map(SubjectResult::from)
    }

    /// Registers an enrolment at a school.
    async fn register_enrolment(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        input: EnrolmentInput,
    ) -> Result<Enrolment> {
        let (_, txn) = writer(ctx).await?;
        let input = service::EnrolmentInput {
            school: input.school,
            programme_area: input.programme_area,
            school_year: input.school_year,
            course_percentage: input.course_percentage,
            start_date: input.start_date,
        };
        written(
            ctx,
            service::register_enrolment(&txn, &national_id, input).await,
            txn,
        )
        .await
        .map(Enrolment::from)
    }

    /// Registers an apprenticeship contract as a draft.
    async fn create_contract(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        input: ContractInput,
    ) -> Result<ApprenticeshipContract> {
        let (_, txn) = writer(ctx).await?;
        let input = service::ContractInput {
            company: input.company,
            trade: input.trade,
            kind: input.kind,
            start_date: input.start_date,
            end_date: input.end_date,
        };
        written(
            ctx,
            service::create_contract(&txn, &national_id, input).await,
            txn,
        )
        .await
        .map(ApprenticeshipContract::from)
    }

    /// Approves a draft contract on behalf of the county.
    async fn approve_contract(
        &self,
        ctx: &Context<'_>,
        contract_id: ID,
    ) -> Result<ApprenticeshipContract> {
        let (_, txn) = writer(ctx).await?;
        let id = extended(parse_id(
            "contractId",
            "ApprenticeshipContract",
            &contract_id,
        ))?;
        written(ctx, service::approve_contract(&txn, id).await, txn)
            .await
            .map(ApprenticeshipContract::from)
    }

    /// Registers a person for a trade, journeyman or competence test.
    async fn register_trade_test(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        trade: String,
        kind: String,
        test_date: Option<String>,
    ) -> Result<TradeTest> {
        let (_, txn) = writer(ctx).await?;
        written(
            ctx,
            service::register_trade_test(&txn, &national_id, &trade, &kind, test_date.as_deref())
                .await,
            txn,
        )
        .await
        .map(TradeTest::from)
    }

    /// Records the result of a trade test: `passed`, `passed_with_distinction` or `failed`.
    async fn record_trade_test_result(
        &self,
        ctx: &Context<'_>,
        trade_test_id: ID,
        result: String,
    ) -> Result<TradeTest> {
        let (_, txn) = writer(ctx).await?;
        let id = extended(parse_id("tradeTestId", "TradeTest", &trade_test_id))?;
        written(
            ctx,
            service::record_trade_test_result(&txn, id, &result).await,
            txn,
        )
        .await
        .map(TradeTest::from)
    }

    /// Registers a follow-up service status with Udir's code.
    async fn set_follow_up_status(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        code: String,
        school_year: i32,
    ) -> Result<FollowUpStatus> {
        let (_, txn) = writer(ctx).await?;
        written(
            ctx,
            service::set_follow_up_status(&txn, &national_id, &code, school_year).await,
            txn,
        )
        .await
        .map(FollowUpStatus::from)
    }

    /// Registers a death reported by the population register: deletes contact data and
    /// withdraws open applications, in one transaction.
    async fn mark_deceased(
        &self,
        ctx: &Context<'_>,
        national_id: String,
        deceased_on: Option<String>,
    ) -> Result<Person> {
        let (subject, txn) = writer(ctx).await?;
        written(
            ctx,
            service::mark_deceased(&txn, subject, &national_id, deceased_on.as_deref()).await,
            txn,
        )
        .await
        .map(Person)
    }

    /// Replaces the whole access policy (privacy officers): `rules` in Casbin's CSV form,
    /// `summary` saying why. Refused, naming the line and the cause, if it does not validate;
    /// the policy in force then stays as it was.
    async fn replace_policy(
        &self,
        ctx: &Context<'_>,
        rules: String,
        summary: String,
    ) -> Result<super::privacy::PolicyDocument> {
        super::privacy::replace_policy(ctx, rules, summary).await
    }
}
