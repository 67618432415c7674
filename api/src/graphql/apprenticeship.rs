//! Apprenticeships: contracts, trade tests and subsidy payments.

use async_graphql::{Context, Object, Result};
use vigo_entities::{
    apprenticeship_contract, exam_board, organisation, programme_area, subsidy_payment, trade_test,
};

use super::codes::{ContractKind, ContractStatus, TradeTestKind, TradeTestResult};
use super::loaders::*;
use super::organisation::Organisation;
use super::records::{ProgrammeArea, api_object};
use super::scalars::Date;

api_object!(
    /// A lærekontrakt or opplæringskontrakt with a training company.
    ApprenticeshipContract => apprenticeship_contract::Model,
    /// A registration for a trade, journeyman or competence test, and its result.
    TradeTest => trade_test::Model,
    /// A subsidy (lærlingtilskudd) paid to a training company.
    SubsidyPayment => subsidy_payment::Model,
    /// An exam board (prøvenemnd).
    ExamBoard => exam_board::Model,
);

/// A lærekontrakt or opplæringskontrakt with a training company.
#[Object]
impl ApprenticeshipContract {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Opaque identifier of the contract.
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(format!("ApprenticeshipContract:{}", self.0.id))
    }
    /// The organisation that trains the apprentice: a training company (lærebedrift) or a
    /// training office.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        row::<organisation::Entity, _>(ctx, self.0.company_id).await
    }
    /// The training office that holds the contract for a member company, if any.
    async fn training_office(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.0.training_office_id {
            Some(id) => row::<organisation::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// The trade.
    async fn trade(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        row::<programme_area::Entity, _>(ctx, self.0.programme_area_id).await
    }
    /// Lærekontrakt or opplæringskontrakt.
    async fn kind(&self) -> Option<ContractKind> {
        Some(self.0.kind.into())
    }
    /// Where the contract stands: a draft until the county approves it.
    async fn status(&self) -> Option<ContractStatus> {
        Some(self.0.status.into())
    }
    /// When the contract starts.
    async fn start_date(&self) -> Option<Date> {
        Some(self.0.start_date.into())
    }
    /// When the contract ends, as agreed.
    async fn end_date(&self) -> Option<Date> {
        Some(self.0.end_date.into())
    }
    /// When the county approved the contract; `null` while it is a draft.
    async fn approved_on(&self) -> Option<Date> {
        self.0.approved_on.map(Date)
    }
}

/// A registration for a trade, journeyman or competence test, and its result.
#[Object]
impl TradeTest {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Opaque identifier of the registration.
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(format!("TradeTest:{}", self.0.id))
    }
    /// Trade test (fagprøve), journeyman test (svenneprøve) or competence test
    /// (kompetanseprøve).
    async fn kind(&self) -> Option<TradeTestKind> {
        Some(self.0.kind.into())
    }
    /// The trade tested.
    async fn trade(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        row::<programme_area::Entity, _>(ctx, self.0.programme_area_id).await
    }
    /// The exam board (prøvenemnd) that assesses the test; `null` when none is assigned.
    async fn exam_board(&self, ctx: &Context<'_>) -> Result<Option<ExamBoard>> {
        match self.0.exam_board_id {
            Some(id) => row::<exam_board::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// When the candidate was registered for the test.
    async fn registered_on(&self) -> Option<Date> {
        Some(self.0.registered_on.into())
    }
    /// The day of the test; `null` until set.
    async fn test_date(&self) -> Option<Date> {
        self.0.test_date.map(Date)
    }
    /// `null` until assessed.
    async fn result(&self) -> Option<TradeTestResult> {
        self.0.result.map(Into::into)
    }
}

/// A subsidy (lærlingtilskudd) paid to a training company.
#[Object]
impl SubsidyPayment {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Amount in NOK, with øre as decimals.
    async fn amount(&self) -> Option<f64> {
        Some(self.0.amount_ore as f64 / 100.0)
    }
    /// When the subsidy was paid.
    async fn paid_on(&self) -> Option<Date> {
        Some(self.0.paid_on.into())
    }
    /// e.g. `2025-H1`.
    async fn period(&self) -> Option<&str> {
        Some(&self.0.period)
    }
}

/// An exam board (prøvenemnd).
#[Object]
impl ExamBoard {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The board's name.
    async fn name(&self) -> Option<&str> {
        Some(&self.0.name)
    }
}
