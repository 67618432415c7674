//! Intake through the API, for caseworkers whose scope reaches the whole county: points from
//! lower-secondary grades, a round of school-place allocation, education rights, and
//! apprenticeship placement. Each runs in one transaction
//! with the request's audit event linking every applicant decided; a refused or failed run
//! changes nothing. (Applicants answer with `answerOffer`; companies answer placements with
//! `answerPlacement`.)

use async_graphql::{Context, ErrorExtensions, Result, SimpleObject};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use vigo_entities::enums::IntakeRound as StoredRound;
use vigo_policy::Scope;

use super::codes::IntakeRound;
use crate::error::ApiError;
use crate::intake::{self, IntakeError};

/// What a points run did.
#[derive(SimpleObject)]
pub struct PointsRun {
    /// The intake year.
    pub intake_year: i32,
    /// Applications considered.
    pub applications: usize,
    /// Applications given points.
    pub with_points: usize,
    /// Applications to be handled individually (too few grades).
    pub individual_handling: usize,
}

/// What an intake round did.
#[derive(SimpleObject)]
pub struct IntakeRunResult {
    /// The run's number, for `vigo intake replay`.
    pub run: i32,
    /// The intake year.
    pub intake_year: i32,
    /// The round.
    pub round: IntakeRound,
    /// The lottery's seed, as a decimal string (a 64-bit number).
    pub seed: String,
    /// Applicants in the round.
    pub applicants: usize,
    /// Applicants offered a place.
    pub placed: usize,
    /// Of them, on their first wish.
    pub first_wish: usize,
    /// Applicants on at least one waiting list.
    pub waiting: usize,
}

fn refused(e: IntakeError) -> async_graphql::Error {
    match e {
        IntakeError::Database(_) | IntakeError::Record(_) | IntakeError::Audit(_) => {
            ApiError::Internal(anyhow::anyhow!("intake: {e}")).extend()
        }
        IntakeError::Write(e) => e.extend(),
        other => ApiError::bad_input("intakeYear", other).extend(),
    }
}

/// The caller, once the gate has opened the mutation and its scope reaches every person
/// (intake decides for the whole county; a refusal is recorded).
async fn county_writer<'a>(ctx: &Context<'a>) -> Result<&'a vigo_policy::Subject> {
    let operation = format!("Mutation.{}", ctx.field().name());
    let access = super::query::open_root(ctx, &operation).await?;
    if !access.grant.scopes.contains(&Scope::Everyone) {
        let refusal = "run intake: it decides for the whole county, beyond this role's scope";
        return Err(super::query::refuse(ctx, access, &operation, refusal).await);
    }
    ctx.data::<vigo_policy::Subject>()
}

async fn begin(ctx: &Context<'_>) -> Result<DatabaseTransaction> {
    ctx.data::<DatabaseConnection>()?
        .begin()
        .await
        .map_err(|e| ApiError::from(e).extend())
}

/// Records the work as the request, linking every person it decided, and commits it with
/// the work: if the record cannot be written, nothing is changed.
async fn commit_for_request(
    ctx: &Context<'_>,
    txn: DatabaseTransaction,
    persons: &[i32],
) -> Result<()> {
    crate::audit::append_for_request(ctx, &txn, persons)
        .await
        .map_err(|e| e.extend())?;
    txn.commit().await.map_err(|e| ApiError::from(e).extend())
}

pub async fn compute_points(ctx: &Context<'_>, intake_year: i32) -> Result<PointsRun> {
    county_writer(ctx).await?;
    let txn = begin(ctx).await?;
    let (summary, persons) = intake::compute_points_in(&txn, intake_year)
        .await
        .map_err(refused)?;
    commit_for_request(ctx, txn, &persons).await?;
    Ok(PointsRun {
        intake_year: summary.year,
        applications: summary.applications,
        with_points: summary.with_points,
        individual_handling: summary.individual_handling,
    })
}

pub async fn run_intake(
    ctx: &Context<'_>,
    intake_year: i32,
    round: IntakeRound,
    seed: Option<String>,
) -> Result<IntakeRunResult> {
    let subject = county_writer(ctx).await?;
    let seed = parse_seed(seed)?;
    let stored: StoredRound = round.into();
    let txn = begin(ctx).await?;
    let (summary, persons) = intake::run_in(&txn, intake_year, stored, seed, subject)
        .await
        .map_err(refused)?;
    commit_for_request(ctx, txn, &persons).await?;
    Ok(IntakeRunResult {
        run: summary.run,
        intake_year: summary.year,
        round,
        seed: summary.seed.to_string(),
        applicants: summary.applicants,
        placed: summary.placed,
        first_wish: summary.first_wish,
        waiting: summary.waiting,
    })
}

/// What an apprenticeship placement run did.
#[derive(SimpleObject)]
pub struct PlacementRun {
    /// The run's number, for `vigo intake replay`.
    pub run: i32,
    /// The intake year.
    pub intake_year: i32,
    /// The lottery's seed, as a decimal string (a 64-bit number).
    pub seed: String,
    /// Applicants waiting for a company.
    pub applicants: usize,
    /// Applicants offered to a company.
    pub placed: usize,
    /// Free positions there were, in all trades.
    pub positions: u32,
    /// Companies with free positions.
    pub companies: usize,
}

fn parse_seed(seed: Option<String>) -> Result<u64> {
    use rand::{RngCore, SeedableRng};
    match seed {
        Some(text) => text.trim().parse::<u64>().map_err(|_| {
            ApiError::bad_input("seed", "a whole number from 0 to 18446744073709551615").extend()
        }),
        None => Ok(rand::rngs::StdRng::from_os_rng().next_u64()),
    }
}

pub async fn place_apprentices(
    ctx: &Context<'_>,
    intake_year: i32,
    seed: Option<String>,
) -> Result<PlacementRun> {
    let subject = county_writer(ctx).await?;
    let seed = parse_seed(seed)?;
    let txn = begin(ctx).await?;
    let (summary, persons) = intake::placement::place_in(&txn, intake_year, seed, subject)
        .await
        .map_err(refused)?;
    commit_for_request(ctx, txn, &persons).await?;
    Ok(PlacementRun {
        run: summary.run,
        intake_year: summary.year,
        seed: summary.seed.to_string(),
        applicants: summary.applicants,
        placed: summary.placed,
        positions: summary.positions,
        companies: summary.companies,
    })
}

/// What a rights assessment did.
#[derive(SimpleObject)]
pub struct RightsRun {
    /// Persons assessed.
    pub persons: usize,
    /// With a youth right.
    pub youth: usize,
    /// With an adult right.
    pub adult: usize,
    /// With no right.
    pub none: usize,
}

pub async fn assess_rights(ctx: &Context<'_>) -> Result<RightsRun> {
    county_writer(ctx).await?;
    let txn = begin(ctx).await?;
    let (summary, persons) = intake::assess_rights_in(&txn, vigo_policy::Today::now().date)
        .await
        .map_err(refused)?;
    commit_for_request(ctx, txn, &persons).await?;
    Ok(RightsRun {
        persons: summary.persons,
        youth: summary.youth,
        adult: summary.adult,
        none: summary.none,
    })
}
