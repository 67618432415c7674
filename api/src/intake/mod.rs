//! Intake rounds against the database: load an intake's applications, wishes, places and
//! rights, run the round with `vigo-intake`, and store its offers, each applicant's decision
//! with its explanation, the run itself (seed, inputs, outcome) and its audit event, in one
//! transaction: a run that fails changes nothing. A round runs once per year; the
//! supplementary round runs on the main round's answers. `replay` runs a stored round again
//! from its recorded inputs and seed and reports any difference.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use vigo_entities::enums::{
    ApplicationStatus, DecisionKind, IntakeRound, OfferAnswer, RightKind, WishStatus,
};
use vigo_entities::{
    application, application_wish, automated_decision, education_right, intake_run, offer,
    organisation, programme_area, school_offer,
};
use vigo_intake::{Answer, Applicant, Draw, Instance, OfferName, Outcome, Standing, Wish};

pub mod placement;
pub mod residency;

/// Why a round was refused or failed. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("the {round} round of {year} has run already (run {run}); a round runs once")]
    AlreadyRun {
        year: i32,
        round: &'static str,
        run: i32,
    },
    #[error(
        "the supplementary round of {0} runs on the main round's answers; run the main round first"
    )]
    MainRoundFirst(i32),
    #[error(
        "offers for the {round} round of {year} exist already, made outside Vigo's intake; nothing was run"
    )]
    OffersExist { year: i32, round: &'static str },
    #[error(
        "apprenticeship placement is not a round of school places; run it with `vigo intake place` or placeApprentices"
    )]
    PlacementIsSeparate,
    #[error(
        "{open} offer(s) of the main round of {year} can still be answered; the supplementary round runs once every answer is in or its deadline ({} days) has passed",
        crate::service::ANSWER_DAYS
    )]
    AnswersOutstanding { year: i32, open: usize },
    #[error("there is no intake run {0}")]
    UnknownRun(i32),
    #[error("intake {year} has no apprenticeship wishes waiting for a company")]
    NoApprenticeshipApplicants { year: i32 },
    #[error("intake {year} has no applications to allocate")]
    NoApplicants { year: i32 },
    #[error(transparent)]
    Allocation(#[from] vigo_intake::AllocationError),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error("the run's record: {0}")]
    Record(#[from] serde_json::Error),
    #[error("the audit trail: {0}")]
    Audit(String),
    #[error(transparent)]
    Write(#[from] crate::error::ApiError),
    #[error(
        "{} malformed line(s); nothing was imported (correct them, or import the rest with --skip-bad):\n{}",
        .0.len(),
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    )]
    MalformedFile(Vec<residency::BadLine>),
}

/// Records an operator's intake work in the audit trail, linking every person it decided,
/// and commits it with the work: if the record cannot be written, nothing is changed.
pub(crate) async fn commit_recorded(
    txn: DatabaseTransaction,
    actor: &vigo_policy::Subject,
    operation: String,
    categories: &[&str],
    persons: &[i32],
) -> Result<(), IntakeError> {
    let categories: Vec<String> = categories.iter().map(|c| (*c).to_owned()).collect();
    let event = vigo_audit::Event::new(
        crate::audit::actor(actor),
        &operation,
        &format!("intake-{}", uuid::Uuid::new_v4()),
        &categories,
        persons,
    );
    vigo_audit::append(&txn, &[event])
        .await
        .map_err(|e| IntakeError::Audit(e.to_string()))?;
    txn.commit().await?;
    Ok(())
}

/// What the indices of an instance stand for, stored with the run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Inputs {
    instance: Instance,
    tickets: Vec<u64>,
    /// Per offer index: the `school_offer` id.
    offers: Vec<i32>,
    /// Per applicant index: the application id, the person id and the wish ids in order.
    applicants: Vec<(i32, i32, Vec<i32>)>,
}

/// A round's summary, for the CLI and the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub run: i32,
    pub year: i32,
    pub round: &'static str,
    pub seed: u64,
    pub applicants: usize,
    pub placed: usize,
    pub first_wish: usize,
    pub waiting: usize,
}

/// Applications intake leaves alone: withdrawn, or another county's responsibility.
const NOT_IN_INTAKE: [ApplicationStatus; 2] = [
    ApplicationStatus::Withdrawn,
    ApplicationStatus::OutsideCounty,
];

fn round_code(round: IntakeRound) -> &'static str {
    round.code()
}

/// Runs one round of `year`'s intake with `seed`, as `actor`, in one transaction with its
/// audit event (the command line's way; the API's mutation records it as its request).
pub async fn run(
    db: &DatabaseConnection,
    year: i32,
    round: IntakeRound,
    seed: u64,
    actor: &vigo_policy::Subject,
) -> Result<RunSummary, IntakeError> {
    let txn = db.begin().await?;
    let (summary, persons) = run_in(&txn, year, round, seed, actor).await?;
    commit_recorded(
        txn,
        actor,
        format!(
            "Intake.run run={} year={year} round={} seed={seed} placed={}",
            summary.run, summary.round, summary.placed
        ),
        &["admission", "decisions"],
        &persons,
    )
    .await?;
    Ok(summary)
}

/// [`run`] inside the caller's transaction, which records it; returns the summary and every
/// person decided.
pub async fn run_in(
    txn: &DatabaseTransaction,
    year: i32,
    round: IntakeRound,
    seed: u64,
    actor: &vigo_policy::Subject,
) -> Result<(RunSummary, Vec<i32>), IntakeError> {
    let code = round_code(round);
    if round == IntakeRound::Placement {
        return Err(IntakeError::PlacementIsSeparate);
    }
    if let Some(existing) = intake_run::Entity::find()
        .filter(intake_run::Column::IntakeYear.eq(year))
        .filter(intake_run::Column::Round.eq(code))
        .one(txn)
        .await?
    {
        return Err(IntakeError::AlreadyRun {
            year,
            round: code,
            run: existing.id,
        });
    }
    let (instance, offers, applicants) = load(txn, year, round).await?;
    if applicants.is_empty() {
        return Err(IntakeError::NoApplicants { year });
    }
    let draw = Draw::new(seed, instance.applicants.len());
    let outcome = vigo_intake::allocate(&instance, &draw)?;
    let now = Utc::now();
    let names = offer_names(txn, &offers).await?;
    let mut decisions = Vec::with_capacity(applicants.len());
    let mut summary = RunSummary {
        run: 0,
        year,
        round: code,
        seed,
        applicants: applicants.len(),
        placed: 0,
        first_wish: 0,
        waiting: 0,
    };
    for (index, (_, person, wishes)) in applicants.iter().enumerate() {
        let assigned = outcome.assigned[index];
        let held = match instance.standings[index] {
            Standing::Holds { wish, .. } => Some(wish),
            _ => None,
        };
        if let Some(wish) = assigned {
            summary.placed += 1;
            summary.first_wish += usize::from(wish == 0);
            // A place kept from the main round is the same offer, not a new one.
            if held != Some(wish) {
                offer::ActiveModel {
                    wish_id: Set(wishes[wish]),
                    round: Set(round),
                    offered_at: Set(now),
                    answer: Set(OfferAnswer::Unanswered),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            application_wish::Entity::update_many()
                .col_expr(
                    application_wish::Column::Status,
                    sea_orm::sea_query::Expr::value(WishStatus::Offered),
                )
                .filter(application_wish::Column::Id.eq(wishes[wish]))
                .exec(txn)
                .await?;
        }
        let waiting: Vec<i32> = outcome.waiting[index]
            .iter()
            .map(|(wish, _)| wishes[*wish])
            .collect();
        summary.waiting += usize::from(!waiting.is_empty());
        if !waiting.is_empty() {
            application_wish::Entity::update_many()
                .col_expr(
                    application_wish::Column::Status,
                    sea_orm::sea_query::Expr::value(WishStatus::Waiting),
                )
                .filter(application_wish::Column::Id.is_in(waiting))
                .exec(txn)
                .await?;
        }
        let explained = vigo_intake::offer_explanation(&instance, &draw, &outcome, index, &|o| {
            names.get(o).cloned().unwrap_or(OfferName {
                school: String::new(),
                programme: String::new(),
            })
        });
        decisions.push(automated_decision::ActiveModel {
            person_id: Set(*person),
            kind: Set(DecisionKind::Allocation.code().to_owned()),
            made_at: Set(now),
            outcome: Set(match assigned {
                Some(wish) => format!("offered wish {} ({code} round {year})", wish + 1),
                None => format!("no offer ({code} round {year})"),
            }),
            explanation: Set(format!("{}\n\n{}", explained.nb, explained.en)),
            inputs: Set(serde_json::to_string(&serde_json::json!({
                "intakeYear": year,
                "round": code,
                "seed": seed.to_string(),
                "ticket": draw.tickets[index].to_string(),
                "points": instance.applicants[index].points,
                "youthRight": instance.applicants[index].youth_right,
                "wishes": instance.applicants[index].wishes.iter().map(|w| {
                    let name = names.get(w.offer);
                    serde_json::json!({
                        "school": name.map(|n| n.school.clone()),
                        "programme": name.map(|n| n.programme.clone()),
                        "places": instance.capacities[w.offer],
                        "priorityRight": w.priority_right,
                    })
                }).collect::<Vec<_>>(),
                "standing": instance.standings[index],
            }))?),
            ..Default::default()
        });
    }
    for chunk in decisions.chunks(500) {
        automated_decision::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    let inputs = Inputs {
        instance,
        tickets: draw.tickets.clone(),
        offers,
        applicants: applicants.clone(),
    };
    let stored = intake_run::ActiveModel {
        intake_year: Set(year),
        round: Set(code.to_owned()),
        ran_at: Set(now),
        actor: Set(format!("{}:{}:{}", actor.role, actor.purpose, actor.sub)),
        seed: Set(seed as i64),
        inputs: Set(serde_json::to_string(&inputs)?),
        outcome: Set(serde_json::to_string(&outcome)?),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    summary.run = stored.id;
    let persons: Vec<i32> = applicants.iter().map(|(_, p, _)| *p).collect();
    Ok((summary, persons))
}

/// The round's instance, the school-offer id of each offer index, and each applicant's
/// application, person and wish ids.
#[allow(clippy::type_complexity)]
async fn load<C: ConnectionTrait>(
    db: &C,
    year: i32,
    round: IntakeRound,
) -> Result<(Instance, Vec<i32>, Vec<(i32, i32, Vec<i32>)>), IntakeError> {
    let places = school_offer::Entity::find()
        .filter(school_offer::Column::IntakeYear.eq(year))
        .order_by_asc(school_offer::Column::Id)
        .all(db)
        .await?;
    let index_of: HashMap<(i32, i32), usize> = places
        .iter()
        .enumerate()
        .map(|(i, o)| ((o.school_id, o.programme_area_id), i))
        .collect();
    let applications = application::Entity::find()
        .filter(application::Column::IntakeYear.eq(year))
        .filter(application::Column::Status.is_not_in(NOT_IN_INTAKE))
        .order_by_asc(application::Column::Id)
        .all(db)
        .await?;
    let wishes = application_wish::Entity::find()
        .filter(
            application_wish::Column::ApplicationId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(application::Column::Id)
                    .from(application::Entity)
                    .and_where(application::Column::IntakeYear.eq(year))
                    .to_owned(),
            ),
        )
        .filter(application_wish::Column::Apprenticeship.eq(false))
        .order_by_asc(application_wish::Column::ApplicationId)
        .order_by_asc(application_wish::Column::Rank)
        .all(db)
        .await?;
    let mut wishes_of: HashMap<i32, Vec<&application_wish::Model>> = HashMap::new();
    for wish in &wishes {
        wishes_of.entry(wish.application_id).or_default().push(wish);
    }
    let youth = youth_rights(db, year).await?;
    // The main round's answers decide where each applicant stands in the supplementary one.
    let mut answers: HashMap<i32, OfferAnswer> = HashMap::new();
    if round == IntakeRound::Supplementary {
        let main = intake_run::Entity::find()
            .filter(intake_run::Column::IntakeYear.eq(year))
            .filter(intake_run::Column::Round.eq(IntakeRound::Main.code()))
            .one(db)
            .await?;
        if main.is_none() {
            return Err(IntakeError::MainRoundFirst(year));
        }
        let answering_since = Utc::now() - chrono::Duration::days(crate::service::ANSWER_DAYS);
        let mut open = 0;
        for made in offer::Entity::find()
            .filter(offer::Column::Round.eq(IntakeRound::Main))
            .filter(offer::Column::WishId.is_in(wishes.iter().map(|w| w.id)))
            .all(db)
            .await?
        {
            if made.answer == OfferAnswer::Unanswered && made.offered_at > answering_since {
                open += 1;
            }
            answers.insert(made.wish_id, made.answer);
        }
        if open > 0 {
            return Err(IntakeError::AnswersOutstanding { year, open });
        }
    } else if offer::Entity::find()
        .filter(offer::Column::Round.eq(IntakeRound::Main))
        .filter(offer::Column::WishId.is_in(wishes.iter().map(|w| w.id)))
        .one(db)
        .await?
        .is_some()
    {
        return Err(IntakeError::OffersExist {
            year,
            round: round.code(),
        });
    }
    let mut applicants = Vec::new();
    let mut ids = Vec::new();
    let mut standings = Vec::new();
    for application in &applications {
        let own: Vec<&application_wish::Model> = wishes_of
            .get(&application.id)
            .map(|w| {
                w.iter()
                    .filter(|w| {
                        w.school_id
                            .is_some_and(|s| index_of.contains_key(&(s, w.programme_area_id)))
                    })
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        if own.is_empty() {
            continue;
        }
        let standing = own
            .iter()
            .enumerate()
            .find_map(|(wish, w)| {
                answers.get(&w.id).map(|answer| {
                    vigo_intake::standing_after(
                        wish,
                        Some(match answer {
                            OfferAnswer::Accepted => Answer::Accept,
                            OfferAnswer::AcceptedWaiting => Answer::AcceptAndWait,
                            OfferAnswer::Declined => Answer::Decline,
                            OfferAnswer::Unanswered => Answer::NoAnswer,
                        }),
                    )
                })
            })
            .unwrap_or(Standing::Free);
        if standing == Standing::Out {
            // Declined, or did not answer: out of this intake, and not decided again.
            continue;
        }
        applicants.push(Applicant {
            wishes: own
                .iter()
                .map(|w| Wish {
                    offer: index_of[&(w.school_id.unwrap_or_default(), w.programme_area_id)],
                    priority_right: false,
                })
                .collect(),
            youth_right: youth.contains(&application.person_id),
            points: application.points_hundredths,
        });
        standings.push(standing);
        ids.push((
            application.id,
            application.person_id,
            own.iter().map(|w| w.id).collect(),
        ));
    }
    Ok((
        Instance {
            capacities: places
                .iter()
                .map(|o| u32::try_from(o.capacity).unwrap_or(0))
                .collect(),
            applicants,
            standings,
        },
        places.iter().map(|o| o.id).collect(),
        ids,
    ))
}

/// Persons whose youth right still runs when `year`'s school year starts (1 August).
async fn youth_rights<C: ConnectionTrait>(
    db: &C,
    year: i32,
) -> Result<std::collections::HashSet<i32>, IntakeError> {
    use sea_orm::QuerySelect;
    let intake_starts = chrono::NaiveDate::from_ymd_opt(year, 8, 1).unwrap_or_default();
    Ok(education_right::Entity::find()
        .select_only()
        .column(education_right::Column::PersonId)
        .filter(education_right::Column::Kind.eq(RightKind::Youth))
        .filter(education_right::Column::ExpiresOn.gte(intake_starts))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// What each offer index is called: the school's name and the programme area's.
async fn offer_names<C: ConnectionTrait>(
    db: &C,
    offers: &[i32],
) -> Result<Vec<OfferName>, IntakeError> {
    let places = school_offer::Entity::find()
        .filter(school_offer::Column::Id.is_in(offers.iter().copied()))
        .all(db)
        .await?;
    let schools: HashMap<i32, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(places.iter().map(|p| p.school_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let areas: HashMap<i32, String> = programme_area::Entity::find()
        .filter(programme_area::Column::Id.is_in(places.iter().map(|p| p.programme_area_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let by_id: HashMap<i32, &school_offer::Model> = places.iter().map(|p| (p.id, p)).collect();
    Ok(offers
        .iter()
        .map(|id| {
            let place = by_id.get(id);
            OfferName {
                school: place
                    .and_then(|p| schools.get(&p.school_id))
                    .cloned()
                    .unwrap_or_default(),
                programme: place
                    .and_then(|p| areas.get(&p.programme_area_id))
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect())
}

/// The result of replaying a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed {
    pub run: i32,
    /// Applicants whose place differs from the stored outcome (none when the run reproduces).
    pub differences: Vec<String>,
    pub applicants: usize,
}

/// Runs a stored round again from its recorded inputs and seed, and compares.
pub async fn replay(db: &DatabaseConnection, run: i32) -> Result<Replayed, IntakeError> {
    let stored = intake_run::Entity::find_by_id(run)
        .one(db)
        .await?
        .ok_or(IntakeError::UnknownRun(run))?;
    if stored.round.starts_with(placement::ROUND_PREFIX) {
        let (differences, applicants) = placement::replay(&stored)?;
        return Ok(Replayed {
            run,
            differences,
            applicants,
        });
    }
    let inputs: Inputs = serde_json::from_str(&stored.inputs)?;
    let recorded: Outcome = serde_json::from_str(&stored.outcome)?;
    let draw = Draw::new(stored.seed as u64, inputs.instance.applicants.len());
    let mut differences = Vec::new();
    if draw.tickets != inputs.tickets {
        differences.push("the seed draws other lottery tickets than were recorded".to_owned());
    }
    let again = vigo_intake::allocate(&inputs.instance, &draw)?;
    for (index, (application, _, _)) in inputs.applicants.iter().enumerate() {
        if again.assigned[index] != recorded.assigned[index]
            || again.waiting[index] != recorded.waiting[index]
        {
            differences.push(format!(
                "application {application}: recorded {:?} waiting {:?}, replayed {:?} waiting {:?}",
                recorded.assigned[index].map(|w| w + 1),
                recorded.waiting[index],
                again.assigned[index].map(|w| w + 1),
                again.waiting[index]
            ));
        }
    }
    Ok(Replayed {
        run,
        differences,
        applicants: inputs.applicants.len(),
    })
}

/// What a points run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PointsSummary {
    pub year: i32,
    pub applications: usize,
    pub with_points: usize,
    pub individual_handling: usize,
}

/// Computes the Vg1 points of every application of `year` from the applicant's
/// lower-secondary grades, stores them (or individual handling) with a decision explaining
/// them, in one transaction with an audit event linking every applicant.
pub async fn compute_points(
    db: &DatabaseConnection,
    year: i32,
    actor: &vigo_policy::Subject,
) -> Result<PointsSummary, IntakeError> {
    let txn = db.begin().await?;
    let (summary, persons) = compute_points_in(&txn, year).await?;
    commit_recorded(
        txn,
        actor,
        format!(
            "Intake.points year={year} points={} individual={}",
            summary.with_points, summary.individual_handling
        ),
        &["results", "admission", "decisions"],
        &persons,
    )
    .await?;
    Ok(summary)
}

/// [`compute_points`] inside the caller's transaction, which records it; returns the summary
/// and every applicant.
pub async fn compute_points_in(
    txn: &DatabaseTransaction,
    year: i32,
) -> Result<(PointsSummary, Vec<i32>), IntakeError> {
    use vigo_entities::subject_result;
    let applications = application::Entity::find()
        .filter(application::Column::IntakeYear.eq(year))
        .filter(application::Column::Status.is_not_in(NOT_IN_INTAKE))
        .all(txn)
        .await?;
    if applications.is_empty() {
        return Err(IntakeError::NoApplicants { year });
    }
    let results = subject_result::Entity::find()
        .filter(
            subject_result::Column::PersonId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(application::Column::PersonId)
                    .from(application::Entity)
                    .and_where(application::Column::IntakeYear.eq(year))
                    .to_owned(),
            ),
        )
        .filter(subject_result::Column::Kind.is_in([
            vigo_entities::enums::ResultKind::LowerSecondaryFinal,
            vigo_entities::enums::ResultKind::LowerSecondaryExam,
        ]))
        .all(txn)
        .await?;
    let mut grades_of: HashMap<i32, Vec<vigo_intake::LowerSecondaryGrade>> = HashMap::new();
    for result in results {
        let (Some(kind), Ok(grade)) = (
            vigo_intake::LowerSecondaryKind::of(result.kind, &result.subject_code),
            vigo_entities::ids::Grade::parse(&result.grade),
        ) else {
            continue;
        };
        grades_of
            .entry(result.person_id)
            .or_default()
            .push(vigo_intake::LowerSecondaryGrade {
                subject: result.subject_code,
                kind,
                grade,
            });
    }
    let now = Utc::now();
    let mut summary = PointsSummary {
        year,
        applications: applications.len(),
        with_points: 0,
        individual_handling: 0,
    };
    let mut decisions = Vec::with_capacity(applications.len());
    for made in &applications {
        let grades = grades_of.get(&made.person_id).cloned().unwrap_or_default();
        let decided = vigo_intake::vg1_decision(year, &grades);
        let mut changed: application::ActiveModel = made.clone().into();
        changed.points_hundredths = Set(decided.points.hundredths());
        changed.status = Set(match decided.points {
            vigo_intake::Points::Points { .. } => {
                summary.with_points += 1;
                ApplicationStatus::Submitted
            }
            vigo_intake::Points::IndividualHandling { .. } => {
                summary.individual_handling += 1;
                ApplicationStatus::IndividualHandling
            }
        });
        changed.update(txn).await?;
        decisions.push(automated_decision::ActiveModel {
            person_id: Set(made.person_id),
            kind: Set(DecisionKind::IntakePoints.code().to_owned()),
            made_at: Set(now),
            outcome: Set(decided.outcome),
            explanation: Set(decided.explanation),
            inputs: Set(serde_json::to_string(&decided.inputs)?),
            ..Default::default()
        });
    }
    for chunk in decisions.chunks(500) {
        automated_decision::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    let persons: Vec<i32> = applications.iter().map(|a| a.person_id).collect();
    Ok((summary, persons))
}

/// What a rights assessment did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RightsSummary {
    pub persons: usize,
    pub youth: usize,
    pub adult: usize,
    pub none: usize,
}

/// The date an adult right is stored as running to: it has no deadline.
const NO_DEADLINE: (i32, u32, u32) = (9999, 12, 31);

/// Assesses the education right of every person from their history (lower-secondary grades,
/// upper-secondary enrolments, approved contracts, completion), as of `today`, replacing their
/// stored rights, each with the rule that decided it and a decision explaining it; inside the
/// caller's transaction, which records it. Returns the summary and every person assessed.
pub async fn assess_rights_in(
    txn: &DatabaseTransaction,
    today: chrono::NaiveDate,
) -> Result<(RightsSummary, Vec<i32>), IntakeError> {
    use sea_orm::QuerySelect;
    use std::collections::HashSet;
    use vigo_entities::enums::{ContractStatus, DiplomaKind, ResultKind};
    use vigo_entities::{apprenticeship_contract, diploma, enrolment, person, subject_result};
    use vigo_intake::rights::{EnrolmentHistory, History, assess};
    let persons: Vec<i32> = person::Entity::find()
        .select_only()
        .column(person::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    let finished: HashMap<i32, i32> = subject_result::Entity::find()
        .select_only()
        .column(subject_result::Column::PersonId)
        .column_as(subject_result::Column::SchoolYear.max(), "year")
        .filter(subject_result::Column::Kind.eq(ResultKind::LowerSecondaryFinal))
        .group_by(subject_result::Column::PersonId)
        .into_tuple::<(i32, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let areas: HashMap<i32, programme_area::Model> = programme_area::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut enrolments: HashMap<i32, Vec<EnrolmentHistory>> = HashMap::new();
    for (person, area, year) in enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::PersonId)
        .column(enrolment::Column::ProgrammeAreaId)
        .column(enrolment::Column::SchoolYear)
        .into_tuple::<(i32, i32, i32)>()
        .all(txn)
        .await?
    {
        if let Some(area) = areas.get(&area) {
            enrolments
                .entry(person)
                .or_default()
                .push(EnrolmentHistory {
                    school_year: year,
                    programme: area.education_programme.clone(),
                    level: area.level.clone(),
                    vocational: area.vocational,
                });
        }
    }
    let apprentices: HashSet<i32> = apprenticeship_contract::Entity::find()
        .select_only()
        .column(apprenticeship_contract::Column::PersonId)
        .filter(apprenticeship_contract::Column::Status.ne(ContractStatus::Draft))
        .into_tuple::<i32>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let completed: HashSet<i32> = diploma::Entity::find()
        .select_only()
        .column(diploma::Column::PersonId)
        .filter(diploma::Column::Kind.is_in([
            DiplomaKind::Diploma,
            DiplomaKind::TradeCertificate,
            DiplomaKind::JourneymanCertificate,
        ]))
        .into_tuple::<i32>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let mut summary = RightsSummary {
        persons: persons.len(),
        youth: 0,
        adult: 0,
        none: 0,
    };
    let mut rights = Vec::new();
    let mut decisions = Vec::with_capacity(persons.len());
    for person in &persons {
        let history = History {
            lower_secondary_finished: finished.get(person).copied(),
            enrolments: enrolments.remove(person).unwrap_or_default(),
            apprenticeship: apprentices.contains(person),
            completed: completed.contains(person),
        };
        let assessed = assess(&history, today);
        match assessed.kind {
            Some(RightKind::Youth) => summary.youth += 1,
            Some(RightKind::Adult) => summary.adult += 1,
            None => summary.none += 1,
        }
        if let Some(kind) = assessed.kind {
            let no_deadline =
                chrono::NaiveDate::from_ymd_opt(NO_DEADLINE.0, NO_DEADLINE.1, NO_DEADLINE.2)
                    .unwrap_or(chrono::NaiveDate::MAX);
            rights.push(education_right::ActiveModel {
                person_id: Set(*person),
                kind: Set(kind),
                start_date: Set(assessed.start.unwrap_or(today)),
                expires_on: Set(assessed.expires_on.unwrap_or(no_deadline)),
                years: Set(assessed.years),
                programme_change_used: Set(assessed.programme_change_used),
                assessment: Set(format!("{}: {}", assessed.rule, assessed.explanation.en)),
                ..Default::default()
            });
        }
        decisions.push(automated_decision::ActiveModel {
            person_id: Set(*person),
            kind: Set(DecisionKind::EducationRight.code().to_owned()),
            made_at: Set(now),
            outcome: Set(match assessed.kind {
                Some(kind) => format!("{} right ({})", kind.code(), assessed.rule),
                None => format!("no right ({})", assessed.rule),
            }),
            explanation: Set(format!(
                "{}\n\n{}",
                assessed.explanation.nb, assessed.explanation.en
            )),
            inputs: Set(serde_json::to_string(&serde_json::json!({
                "assessedOn": today.to_string(),
                "lowerSecondaryFinished": history.lower_secondary_finished,
                "enrolments": history.enrolments.iter().map(|e| serde_json::json!({
                    "schoolYear": e.school_year,
                    "programme": e.programme,
                    "level": e.level,
                    "vocational": e.vocational,
                })).collect::<Vec<_>>(),
                "apprenticeship": history.apprenticeship,
                "completed": history.completed,
            }))?),
            ..Default::default()
        });
    }
    education_right::Entity::delete_many().exec(txn).await?;
    for chunk in rights.chunks(500) {
        education_right::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    for chunk in decisions.chunks(500) {
        automated_decision::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    Ok((summary, persons))
}

/// [`assess_rights_in`] in one transaction with its audit event (the command line's way).
pub async fn assess_rights(
    db: &DatabaseConnection,
    today: chrono::NaiveDate,
    actor: &vigo_policy::Subject,
) -> Result<RightsSummary, IntakeError> {
    let txn = db.begin().await?;
    let (summary, persons) = assess_rights_in(&txn, today).await?;
    commit_recorded(
        txn,
        actor,
        format!(
            "Intake.rights on={today} youth={} adult={} none={}",
            summary.youth, summary.adult, summary.none
        ),
        &["enrolment", "rights", "decisions"],
        &persons,
    )
    .await?;
    Ok(summary)
}
