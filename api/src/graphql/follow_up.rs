//! Rights, follow-up service statuses, diplomas and automated decisions.

use async_graphql::{Context, Object, Result};
use vigo_entities::{
    automated_decision, diploma, education_right, follow_up_status, programme_area,
};

use super::codes::{DecisionKind, DiplomaKind, RightKind};
use super::loaders::*;
use super::records::{ProgrammeArea, api_object};
use super::scalars::{Date, DateTime};

api_object!(
    /// An education right (opplæringsrett) and its assessment.
    EducationRight => education_right::Model,
    /// A follow-up service (OT) status with Udir's code.
    FollowUpStatus => follow_up_status::Model,
    /// A certificate: vitnemål, kompetansebevis, fagbrev or svennebrev.
    Diploma => diploma::Model,
    /// An automated decision, with the explanation GDPR art. 22 requires.
    Decision => automated_decision::Model,
);

/// An education right (opplæringsrett) and its assessment.
#[Object]
impl EducationRight {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Youth right (ungdomsrett) or adult right (voksenrett).
    async fn kind(&self) -> Option<RightKind> {
        Some(self.0.kind.into())
    }
    /// When the right starts.
    async fn start_date(&self) -> Option<Date> {
        Some(self.0.start_date.into())
    }
    /// When the right expires: five years after the start, six with an apprenticeship, one
    /// more after a change of programme (omvalg).
    async fn expires_on(&self) -> Option<Date> {
        Some(self.0.expires_on.into())
    }
    /// Years of full-time education the right covers.
    async fn years(&self) -> Option<i32> {
        Some(self.0.years)
    }
    /// Whether the one change of programme (omvalg) is used.
    async fn programme_change_used(&self) -> Option<bool> {
        Some(self.0.programme_change_used)
    }
    /// Why the right was granted as it was.
    async fn assessment(&self) -> Option<&str> {
        Some(&self.0.assessment)
    }
}

/// A follow-up service (OT) status with Udir's code.
#[Object]
impl FollowUpStatus {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Udir's code, e.g. `OTUK`; `_IM` marks registration outside the target group.
    async fn code(&self) -> Option<&str> {
        Some(&self.0.code)
    }
    /// When the status was registered.
    async fn registered_at(&self) -> Option<DateTime> {
        Some(self.0.registered_at.into())
    }
    /// The school year the status is for, by the year it starts (2025 for 2025/26).
    async fn school_year(&self) -> Option<i32> {
        Some(self.0.school_year)
    }
}

/// A certificate: vitnemål, kompetansebevis, fagbrev or svennebrev.
#[Object]
impl Diploma {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Kind of certificate.
    async fn kind(&self) -> Option<DiplomaKind> {
        Some(self.0.kind.into())
    }
    /// The programme area or trade the certificate is for, if any.
    async fn programme_area(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        match self.0.programme_area_id {
            Some(id) => row::<programme_area::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// When the certificate was issued.
    async fn issued_on(&self) -> Option<Date> {
        Some(self.0.issued_on.into())
    }
}

/// An automated decision, with the explanation GDPR art. 22 requires.
#[Object]
impl Decision {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// What was decided; `null` for a kind this API does not know.
    async fn kind(&self) -> Option<DecisionKind> {
        vigo_entities::enums::DecisionKind::from_code(&self.0.kind).map(Into::into)
    }
    /// When the decision was made.
    async fn made_at(&self) -> Option<DateTime> {
        Some(self.0.made_at.into())
    }
    /// The outcome in short, e.g. `42.50 points`.
    async fn outcome(&self) -> Option<&str> {
        Some(&self.0.outcome)
    }
    /// Plain-language explanation of how the outcome was reached.
    async fn explanation(&self) -> Option<&str> {
        Some(&self.0.explanation)
    }
    /// The inputs the decision used, as JSON.
    async fn inputs(&self) -> Option<&str> {
        Some(&self.0.inputs)
    }
}
