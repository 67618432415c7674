//! School records and intake: programme areas, enrolments, results, applications with their
//! wishes, offers and change log.

use async_graphql::{Context, Object, Result, Value};
use vigo_entities::{
    absence, application, application_change, application_wish, contact_change, enrolment, offer,
    organisation, programme_area, subject_result,
};

use super::codes::{
    ApplicationStatus, EnrolmentStatus, IntakeRound, OfferAnswer, ResultKind, WishStatus,
};
use super::leaves::LeafFields;
use super::loaders::*;
use super::organisation::Organisation;
use super::scalars::{Date, DateTime};

/// Wraps a SeaORM model as an API object (models are never API types themselves).
macro_rules! api_object {
    ($($(#[$meta:meta])* $name:ident => $module:path),* $(,)?) => {$(
        $(#[$meta])*
        pub struct $name(pub std::sync::Arc<$module>);
        impl From<$module> for $name {
            fn from(model: $module) -> Self {
                $name(std::sync::Arc::new(model))
            }
        }
        impl From<std::sync::Arc<$module>> for $name {
            fn from(model: std::sync::Arc<$module>) -> Self {
                $name(model)
            }
        }
    )*};
}
pub(crate) use api_object;

api_object!(
    /// A programme area (programområde) from Vigo's code list; trades are programme areas too.
    ProgrammeArea => programme_area::Model,
    /// An enrolment (elevforhold): a pupil at a school, in a programme area, in a school year.
    Enrolment => enrolment::Model,
    /// A grade in a subject.
    SubjectResult => subject_result::Model,
    /// Absence for one enrolment and school year.
    Absence => absence::Model,
    /// An application (søknad) for one intake year.
    Application => application::Model,
    /// One ranked wish of an application.
    Wish => application_wish::Model,
    /// An offer of a place, and the applicant's answer.
    Offer => offer::Model,
    /// One entry of an application's change log.
    ApplicationChange => application_change::Model,
    /// One change to a person's contact data.
    ContactChange => contact_change::Model,
);

/// A programme area (programområde) from Vigo's code list; trades are programme areas too.
#[Object]
impl ProgrammeArea {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// 10-character code, e.g. `ELELE1----`.
    async fn code(&self) -> Option<&str> {
        Some(&self.0.code)
    }
    /// The name in Vigo's code list.
    async fn name(&self) -> Option<&str> {
        Some(&self.0.name)
    }
    /// `vg1`, `vg2`, `vg3` or `apprenticeship`.
    async fn level(&self) -> Option<&str> {
        Some(&self.0.level)
    }
    /// Two-letter education programme (utdanningsprogram).
    async fn education_programme(&self) -> Option<&str> {
        Some(&self.0.education_programme)
    }
    /// Whether it is vocational (yrkesfag) rather than general studies (studieforberedende).
    async fn vocational(&self) -> Option<bool> {
        Some(self.0.vocational)
    }
}

/// An enrolment (elevforhold): a pupil at a school, in a programme area, in a school year.
#[Object]
impl Enrolment {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The school.
    async fn school(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        row::<organisation::Entity, _>(ctx, self.0.school_id).await
    }
    /// The programme area the pupil follows.
    async fn programme_area(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        row::<programme_area::Entity, _>(ctx, self.0.programme_area_id).await
    }
    /// The year the school year starts (2025 for 2025/26).
    async fn school_year(&self) -> Option<i32> {
        Some(self.0.school_year)
    }
    /// Where the enrolment stands.
    async fn status(&self) -> Option<EnrolmentStatus> {
        Some(self.0.status.into())
    }
    /// Share of a full course load, 0–100.
    async fn course_percentage(&self) -> Option<i32> {
        Some(self.0.course_percentage)
    }
    /// The first day of the enrolment.
    async fn start_date(&self) -> Option<Date> {
        Some(self.0.start_date.into())
    }
    /// When the enrolment ended; `null` while it is active.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }
}

/// A grade in a subject.
#[Object]
impl SubjectResult {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// Subject code (fagkode).
    async fn subject_code(&self) -> Option<&str> {
        Some(&self.0.subject_code)
    }
    /// `1`–`6`, `B` (passed), `IB` (not passed), `IV` (not assessed) or `IM` (did not attend).
    async fn grade(&self) -> Option<&str> {
        Some(&self.0.grade)
    }
    /// Which assessment the grade is: final grade or exam, lower or upper secondary.
    async fn kind(&self) -> Option<ResultKind> {
        Some(self.0.kind.into())
    }
    /// Whether the subject is passed: a grade from 2, or `B`. Tells an exam's outcome without
    /// the grade.
    async fn passed(&self) -> Option<bool> {
        Some(self.is_passed())
    }
    /// The school year of the grade, by the year it starts (2025 for 2025/26).
    async fn school_year(&self) -> Option<i32> {
        Some(self.0.school_year)
    }
    /// The upper-secondary school that gave the grade; none for lower secondary.
    async fn school(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.0.school_id {
            Some(id) => row::<organisation::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
}

impl SubjectResult {
    fn is_passed(&self) -> bool {
        matches!(self.0.grade.as_str(), "2" | "3" | "4" | "5" | "6" | "B")
    }
}

/// Pages of persons carry thousands of grades: their scalar fields skip the executor.
impl LeafFields for SubjectResult {
    fn leaf(&self, name: &str) -> Option<Value> {
        Some(match name {
            "subjectCode" => Value::from(self.0.subject_code.as_str()),
            "grade" => Value::from(self.0.grade.as_str()),
            "kind" => async_graphql::InputType::to_value(&ResultKind::from(self.0.kind)),
            "schoolYear" => Value::from(self.0.school_year),
            "passed" => Value::from(self.is_passed()),
            _ => return None,
        })
    }
}

/// An application (søknad) for one intake year.
#[Object]
impl Application {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The intake year: the year the school year applied for starts.
    async fn intake_year(&self) -> Option<i32> {
        Some(self.0.intake_year)
    }
    /// Intake points with two decimals; `null` when handled individually.
    async fn points(&self) -> Option<f64> {
        self.0.points_hundredths.map(|p| f64::from(p) / 100.0)
    }
    /// Where the application stands.
    async fn status(&self) -> Option<ApplicationStatus> {
        Some(self.0.status.into())
    }
    /// When the application was submitted.
    async fn submitted_at(&self) -> Option<DateTime> {
        Some(self.0.submitted_at.into())
    }
    /// Ranked wishes, most wanted first.
    async fn wishes(&self, ctx: &Context<'_>) -> Result<Option<Vec<Wish>>> {
        let mut wishes: Vec<Wish> = children::<WishesOfApplication, _>(ctx, self.0.id).await?;
        wishes.sort_by_key(|w| w.0.rank);
        Ok(Some(wishes))
    }
    /// Every registration and change of the application, oldest first.
    async fn changes(&self, ctx: &Context<'_>) -> Result<Option<Vec<ApplicationChange>>> {
        children::<ChangesOfApplication, _>(ctx, self.0.id)
            .await
            .map(Some)
    }
}

/// One ranked wish of an application.
#[Object]
impl Wish {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// 1 is the most wanted.
    async fn rank(&self) -> Option<i32> {
        Some(self.0.rank)
    }
    /// The programme area wished for; the trade for an apprenticeship wish.
    async fn programme_area(&self, ctx: &Context<'_>) -> Result<Option<ProgrammeArea>> {
        row::<programme_area::Entity, _>(ctx, self.0.programme_area_id).await
    }
    /// The school wished for; `null` for an apprenticeship wish.
    async fn school(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.0.school_id {
            Some(id) => row::<organisation::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
    /// Whether the applicant wishes an apprenticeship in this trade.
    async fn apprenticeship(&self) -> Option<bool> {
        Some(self.0.apprenticeship)
    }
    /// Where the wish stands in intake.
    async fn status(&self) -> Option<WishStatus> {
        Some(self.0.status.into())
    }
    /// Offers made for this wish.
    async fn offers(&self, ctx: &Context<'_>) -> Result<Option<Vec<Offer>>> {
        children::<OffersOfWish, _>(ctx, self.0.id).await.map(Some)
    }
}

/// An offer of a place, and the applicant's answer.
#[Object]
impl Offer {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The offer's id, to answer it with `answerOffer`.
    async fn id(&self) -> async_graphql::ID {
        async_graphql::ID(format!("Offer:{}", self.0.id))
    }
    /// The intake round the offer was made in.
    async fn round(&self) -> Option<IntakeRound> {
        Some(self.0.round.into())
    }
    /// When the offer was made.
    async fn offered_at(&self) -> Option<DateTime> {
        Some(self.0.offered_at.into())
    }
    /// The answer: the applicant's to a school place, the company's to an apprenticeship
    /// placement.
    async fn answer(&self) -> Option<OfferAnswer> {
        Some(self.0.answer.into())
    }
    /// When it was answered; `null` while unanswered.
    async fn answered_at(&self) -> Option<DateTime> {
        self.0.answered_at.map(DateTime)
    }
    /// For an apprenticeship wish: the company the applicant is offered to, which answers;
    /// `null` for a school place.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        match self.0.company_id {
            Some(id) => row::<organisation::Entity, _>(ctx, id).await,
            None => Ok(None),
        }
    }
}

/// One entry of an application's change log.
#[Object]
impl ApplicationChange {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// When the change was made.
    async fn changed_at(&self) -> Option<DateTime> {
        Some(self.0.changed_at.into())
    }
    /// The role that made the change, e.g. `caseworker` or `student`.
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor.split(':').next()
    }
    /// The organisation (number) the change was made for, if any.
    async fn actor_org(&self) -> Option<&str> {
        self.0.actor_org.as_deref()
    }
    /// Who made the change: role, purpose and the employee's token subject. For caseworkers
    /// and privacy officers; the person sees the organisation and role.
    async fn actor(&self) -> Option<&str> {
        Some(&self.0.actor)
    }
    /// e.g. `submitted`, `wishes_changed`, `withdrawn`.
    async fn change(&self) -> Option<&str> {
        Some(&self.0.change)
    }
    /// JSON describing the change.
    async fn detail(&self) -> Option<&str> {
        Some(&self.0.detail)
    }
}

/// One change to a person's contact data: which fields, before and after, from where, by whom.
#[Object]
impl ContactChange {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// When the change was made.
    async fn changed_at(&self) -> Option<DateTime> {
        Some(self.0.changed_at.into())
    }
    /// Where it came from: `population_register` (the register's address file) or
    /// `registration` (registered or corrected through the API).
    async fn source(&self) -> Option<&str> {
        Some(&self.0.source)
    }
    /// The role that made the change, e.g. `caseworker`.
    async fn actor_role(&self) -> Option<&str> {
        self.0.actor.split(':').next()
    }
    /// JSON: each changed field (`address`, `postalCode`, `city`, `municipalityCode`,
    /// `phone`, `email`) with its value `from` and `to`.
    async fn detail(&self) -> Option<&str> {
        Some(&self.0.detail)
    }
}

/// Absence for one enrolment and school year.
#[Object]
impl Absence {
    /// Stands in for a field the caller may not read (see `enforce`); never in the schema.
    #[graphql(name = "__denied", visible = false)]
    async fn denied(&self, ctx: &Context<'_>, field: String) -> Option<bool> {
        super::denied(ctx, &field)
    }
    /// The year the school year starts (2025 for 2025/26).
    async fn school_year(&self) -> Option<i32> {
        Some(self.0.school_year)
    }
    /// Days absent.
    async fn days(&self) -> Option<i32> {
        Some(self.0.days)
    }
    /// Hours absent, beside whole days.
    async fn hours(&self) -> Option<i32> {
        Some(self.0.hours)
    }
}
