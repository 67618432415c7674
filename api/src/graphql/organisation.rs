//! Organisations: schools, training companies and offices, authorities.

use async_graphql::{Context, Object, Result};
use vigo_entities::{approved_trade, organisation, programme_area, school_offer};

use super::apprenticeship::{ApprenticeshipContract, SubsidyPayment};
use super::codes::OrganisationKind;
use super::loaders::*;
use super::records::{ProgrammeArea, api_object};
use super::scalars::Date;

api_object!(
    /// A school, training company, training office or authority.
    Organisation => organisation::Model,
    /// A school's offer of a programme area in an intake year.
    SchoolOffer => school_offer::Model,
    /// A trade an organisation is approved to train in.
    ApprovedTrade => approved_trade::Model,
);

/// A school, training company, training office or authority.
#[Object]
impl Organisation {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Organisation number (9 digits).
    async fn org_no(&self) -> Option<&str> {
        Some(&self.0.org_no)
    }
    /// The organisation's name.
    async fn name(&self) -> Option<&str> {
        Some(&self.0.name)
    }
    /// School, training company, training office or authority.
    async fn kind(&self) -> Option<OrganisationKind> {
        Some(self.0.kind.into())
    }
    /// School number (county + 3 digits), for schools.
    async fn school_number(&self) -> Option<&str> {
        self.0.school_number.as_deref()
    }
    /// Municipality number (kommunenummer, 4 digits) where it is located, if known.
    async fn municipality_code(&self) -> Option<&str> {
        self.0.municipality_code.as_deref()
    }
    /// Bank account for subsidy payments.
    async fn account_no(&self) -> Option<&str> {
        self.0.account_no.as_deref()
    }
    /// The training office a member company belongs to.
    async fn training_office(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.0.training_office_id {
            Some(id) => row::<organisation::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// A school's offers, by intake year.
    async fn offers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only offers for this intake year; every year when left out.")]
        intake_year: Option<i32>,
    ) -> Result<Option<Vec<SchoolOffer>>> {
        let offers: Vec<SchoolOffer> = children::<OffersOfSchool, _>(ctx, self.0.id).await?;
        Ok(Some(
            offers
                .into_iter()
                .filter(|o| intake_year.is_none_or(|y| o.0.intake_year == y))
                .collect(),
        ))
    }
    /// Trades the organisation is approved to train in.
    async fn approved_trades(&self, ctx: &Context<'_>) -> Result<Option<Vec<ApprovedTrade>>> {
        children::<TradesOfOrganisation, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Apprenticeship contracts with the organisation as training company.
    async fn apprentices(&self, ctx: &Context<'_>) -> Result<Option<Vec<ApprenticeshipContract>>> {
        children::<ContractsOfCompany, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
    /// Subsidies paid to the organisation.
    async fn subsidy_payments(&self, ctx: &Context<'_>) -> Result<Option<Vec<SubsidyPayment>>> {
        children::<SubsidiesOfOrganisation, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
}

/// A school's offer of a programme area in an intake year.
#[Object]
impl SchoolOffer {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The programme area offered.
    async fn programme_area(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        row::<programme_area::Entity, _>(ctx, self.0.programme_area_id).await
    }
    /// The intake year the offer is for.
    async fn intake_year(&self) -> Option<i32> {
        Some(self.0.intake_year)
    }
    /// Places offered.
    async fn capacity(&self) -> Option<i32> {
        Some(self.0.capacity)
    }
}

/// A trade an organisation is approved to train in.
#[Object]
impl ApprovedTrade {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The trade it is approved for.
    async fn trade(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        row::<programme_area::Entity, _>(ctx, self.0.programme_area_id).await
    }
    /// When the organisation was approved for the trade.
    async fn approved_on(&self) -> Option<Date> {
        Some(self.0.approved_on.into())
    }
}
