//! Apprenticeship placement against the database: load a year's apprenticeship wishes that
//! are not yet with a company, the approved companies' free positions per trade, youth rights
//! and points; place them with `vigo-intake`; and store an offer to a company per placed
//! applicant, each applicant's decision with its explanation, and the run (seed, inputs,
//! outcome) for replay, in one transaction. Placement runs again after companies answer: a
//! declined applicant is offered to another company, never the same one again.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use vigo_entities::enums::{
    ApplicationStatus, ContractStatus, DecisionKind, IntakeRound, OfferAnswer, WishStatus,
};
use vigo_entities::{
    application, application_wish, apprenticeship_contract, approved_trade, automated_decision,
    intake_run, offer, organisation, programme_area,
};
use vigo_intake::Draw;
use vigo_intake::placement::{
    Apprentice, CompanyPositions, Placement, PlacementInstance, placement_explanation,
};

use super::{IntakeError, commit_recorded};

/// The prefix of a placement run's round in `intake_run` (`placement-1`, `placement-2`, …).
pub const ROUND_PREFIX: &str = "placement-";

/// What the indices of a placement instance stand for, stored with the run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(super) struct PlacementInputs {
    pub instance: PlacementInstance,
    pub tickets: Vec<u64>,
    /// Per trade index: the programme area id.
    pub trades: Vec<i32>,
    /// Per company index: the organisation id.
    pub companies: Vec<i32>,
    /// Per applicant index: the application id, the person id and the wish ids in order.
    pub applicants: Vec<(i32, i32, Vec<i32>)>,
}

/// Applications open for placement.
pub(crate) const OPEN: [ApplicationStatus; 2] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::IndividualHandling,
];

/// A placement run's summary, for the CLI and the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlacementSummary {
    pub run: i32,
    pub year: i32,
    pub round: String,
    pub seed: u64,
    pub applicants: usize,
    pub placed: usize,
    /// Free positions there were, in all trades.
    pub positions: u32,
    /// Companies with free positions.
    pub companies: usize,
}

/// Runs placement for `year` with `seed`, as `actor`, in one transaction with its audit event
/// (the command line's way; the API's mutation records it as its request).
pub async fn place(
    db: &DatabaseConnection,
    year: i32,
    seed: u64,
    actor: &vigo_policy::Subject,
) -> Result<PlacementSummary, IntakeError> {
    let txn = db.begin().await?;
    let (summary, persons) = place_in(&txn, year, seed, actor).await?;
    commit_recorded(
        txn,
        actor,
        format!(
            "Intake.place run={} year={year} seed={seed} placed={}",
            summary.run, summary.placed
        ),
        &["admission", "decisions"],
        &persons,
    )
    .await?;
    Ok(summary)
}

/// [`place`] inside the caller's transaction, which records it; returns the summary and every
/// applicant decided.
pub async fn place_in(
    txn: &DatabaseTransaction,
    year: i32,
    seed: u64,
    actor: &vigo_policy::Subject,
) -> Result<(PlacementSummary, Vec<i32>), IntakeError> {
    let earlier = intake_run::Entity::find()
        .filter(intake_run::Column::IntakeYear.eq(year))
        .filter(intake_run::Column::Round.starts_with(ROUND_PREFIX))
        .count(txn)
        .await?;
    let round = format!("{ROUND_PREFIX}{}", earlier + 1);
    let inputs = load(txn, year, seed).await?;
    if inputs.applicants.is_empty() {
        return Err(IntakeError::NoApprenticeshipApplicants { year });
    }
    let draw = Draw {
        seed,
        tickets: inputs.tickets.clone(),
    };
    let placement = vigo_intake::placement::place(&inputs.instance, &draw)?;
    let trade_names = trade_names(txn, &inputs.trades).await?;
    let company_names = organisation_names(txn, &inputs.companies).await?;
    let now = Utc::now();
    let mut summary = PlacementSummary {
        run: 0,
        year,
        round: round.clone(),
        seed,
        applicants: inputs.applicants.len(),
        placed: 0,
        positions: inputs.instance.companies.iter().map(|c| c.free).sum(),
        companies: inputs
            .instance
            .companies
            .iter()
            .filter(|c| c.free > 0)
            .count(),
    };
    let mut decisions = Vec::with_capacity(inputs.applicants.len());
    for (index, (_, person, wishes)) in inputs.applicants.iter().enumerate() {
        let placed = placement.placed[index];
        if let Some((wish, company)) = placed {
            summary.placed += 1;
            offer::ActiveModel {
                wish_id: Set(wishes[wish]),
                company_id: Set(Some(inputs.companies[company])),
                round: Set(IntakeRound::Placement),
                offered_at: Set(now),
                answer: Set(OfferAnswer::Unanswered),
                ..Default::default()
            }
            .insert(txn)
            .await?;
            application_wish::Entity::update_many()
                .col_expr(
                    application_wish::Column::Status,
                    sea_orm::sea_query::Expr::value(WishStatus::Offered),
                )
                .filter(application_wish::Column::Id.eq(wishes[wish]))
                .exec(txn)
                .await?;
        }
        let explained = placement_explanation(
            &inputs.instance,
            &draw,
            &placement,
            index,
            &|t| trade_names[t].clone(),
            &|c| company_names[c].clone(),
        );
        let applicant = &inputs.instance.applicants[index];
        decisions.push(automated_decision::ActiveModel {
            person_id: Set(*person),
            kind: Set(DecisionKind::ApprenticeshipPlacement.code().to_owned()),
            made_at: Set(now),
            outcome: Set(match placed {
                Some((wish, company)) => format!(
                    "offered to {} for wish {} ({round} of {year})",
                    company_names[company],
                    wish + 1
                ),
                None => format!("not placed ({round} of {year})"),
            }),
            explanation: Set(format!("{}\n\n{}", explained.nb, explained.en)),
            inputs: Set(serde_json::to_string(&serde_json::json!({
                "intakeYear": year,
                "round": round,
                "seed": seed.to_string(),
                "ticket": draw.tickets[index].to_string(),
                "points": applicant.points,
                "youthRight": applicant.youth_right,
                "trades": applicant.trades.iter().map(|&t| serde_json::json!({
                    "trade": trade_names[t],
                    "freePositions": inputs.instance.companies.iter()
                        .filter(|c| c.trade == t).map(|c| c.free).sum::<u32>(),
                })).collect::<Vec<_>>(),
                "declinedBy": applicant.declined_by.iter()
                    .map(|&c| company_names[c].clone()).collect::<Vec<_>>(),
            }))?),
            ..Default::default()
        });
    }
    for chunk in decisions.chunks(500) {
        automated_decision::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    let stored = intake_run::ActiveModel {
        intake_year: Set(year),
        round: Set(round),
        ran_at: Set(now),
        actor: Set(format!("{}:{}:{}", actor.role, actor.purpose, actor.sub)),
        seed: Set(seed as i64),
        inputs: Set(serde_json::to_string(&inputs)?),
        outcome: Set(serde_json::to_string(&placement)?),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    summary.run = stored.id;
    let persons = inputs.applicants.iter().map(|(_, p, _)| *p).collect();
    Ok((summary, persons))
}

/// The names of organisations and of programme areas by id, in the order of `ids`.
async fn organisation_names(
    db: &DatabaseTransaction,
    ids: &[i32],
) -> Result<Vec<String>, IntakeError> {
    let mut by_id = HashMap::new();
    for chunk in ids.chunks(500) {
        for found in organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            by_id.insert(found.id, found.name);
        }
    }
    Ok(in_order(ids, &by_id))
}

async fn trade_names(db: &DatabaseTransaction, ids: &[i32]) -> Result<Vec<String>, IntakeError> {
    let by_id: HashMap<i32, String> = programme_area::Entity::find()
        .filter(programme_area::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    Ok(in_order(ids, &by_id))
}

fn in_order(ids: &[i32], by_id: &HashMap<i32, String>) -> Vec<String> {
    ids.iter()
        .map(|id| by_id.get(id).cloned().unwrap_or_default())
        .collect()
}

/// The placement instance of `year`: apprenticeship wishes of open applications that no
/// company holds an offer for, and every approved company's free positions.
async fn load<C: ConnectionTrait>(
    db: &C,
    year: i32,
    seed: u64,
) -> Result<PlacementInputs, IntakeError> {
    let applications: HashMap<i32, application::Model> = application::Entity::find()
        .filter(application::Column::IntakeYear.eq(year))
        .filter(application::Column::Status.is_in(OPEN))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let wishes = application_wish::Entity::find()
        .filter(application_wish::Column::Apprenticeship.eq(true))
        .filter(
            application_wish::Column::ApplicationId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(application::Column::Id)
                    .from(application::Entity)
                    .and_where(application::Column::IntakeYear.eq(year))
                    .to_owned(),
            ),
        )
        .order_by_asc(application_wish::Column::ApplicationId)
        .order_by_asc(application_wish::Column::Rank)
        .all(db)
        .await?;
    let today = vigo_policy::Today::now().date;
    // Running contracts take up positions; so does every standing placement of any open
    // intake, unless its contract is registered already (then the contract counts).
    let mut apprentices: HashMap<(i32, i32), u32> = HashMap::new();
    let mut contracted: HashSet<(i32, i32, i32)> = HashSet::new();
    for contract in apprenticeship_contract::Entity::find()
        .filter(
            apprenticeship_contract::Column::Status
                .is_in([ContractStatus::Draft, ContractStatus::Approved]),
        )
        .filter(apprenticeship_contract::Column::EndDate.gte(today))
        .all(db)
        .await?
    {
        *apprentices
            .entry((contract.company_id, contract.programme_area_id))
            .or_default() += 1;
        contracted.insert((
            contract.person_id,
            contract.company_id,
            contract.programme_area_id,
        ));
    }
    let placements = placements(db).await?;
    // An application with a standing placement is with a company already; a placement
    // declined, or left unanswered past its deadline, tells which companies not to ask again.
    let mut settled: HashSet<i32> = HashSet::new();
    let mut declined: HashMap<i32, Vec<i32>> = HashMap::new();
    let mut standing: HashMap<(i32, i32), u32> = HashMap::new();
    let deadline = Utc::now() - chrono::Duration::days(crate::service::ANSWER_DAYS);
    for placed in &placements {
        let lapsed = placed.answer == OfferAnswer::Unanswered && placed.offered_at < deadline;
        if placed.answer == OfferAnswer::Declined || lapsed {
            declined
                .entry(placed.application)
                .or_default()
                .push(placed.company);
            continue;
        }
        settled.insert(placed.application);
        if !contracted.contains(&(placed.person, placed.company, placed.trade)) {
            *standing.entry((placed.company, placed.trade)).or_default() += 1;
        }
    }
    let approved = approved_trade::Entity::find()
        .filter(approved_trade::Column::Positions.gt(0))
        .order_by_asc(approved_trade::Column::OrganisationId)
        .order_by_asc(approved_trade::Column::ProgrammeAreaId)
        .all(db)
        .await?;
    let mut trades: Vec<i32> = approved.iter().map(|a| a.programme_area_id).collect();
    trades.extend(wishes.iter().map(|w| w.programme_area_id));
    trades.sort_unstable();
    trades.dedup();
    let trade_index: HashMap<i32, usize> =
        trades.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    let mut companies = Vec::new();
    let mut positions = Vec::new();
    for row in &approved {
        let key = (row.organisation_id, row.programme_area_id);
        let taken =
            apprentices.get(&key).copied().unwrap_or(0) + standing.get(&key).copied().unwrap_or(0);
        companies.push(row.organisation_id);
        positions.push(CompanyPositions {
            trade: trade_index[&row.programme_area_id],
            free: u32::try_from(row.positions)
                .unwrap_or(0)
                .saturating_sub(taken),
        });
    }
    let company_index = |org: i32, trade: usize| {
        companies
            .iter()
            .zip(&positions)
            .position(|(c, p)| *c == org && p.trade == trade)
    };
    let youth = super::youth_rights(db, year).await?;
    let mut wishes_of: HashMap<i32, Vec<&application_wish::Model>> = HashMap::new();
    for wish in &wishes {
        if wish.status != WishStatus::Withdrawn {
            wishes_of.entry(wish.application_id).or_default().push(wish);
        }
    }
    let mut ids: Vec<i32> = wishes_of.keys().copied().collect();
    ids.sort_unstable();
    let mut applicants = Vec::new();
    let mut instance_applicants = Vec::new();
    for id in ids {
        let Some(made) = applications.get(&id) else {
            continue;
        };
        if settled.contains(&id) {
            continue;
        }
        let own = &wishes_of[&id];
        let trades_wished: Vec<usize> = own
            .iter()
            .map(|w| trade_index[&w.programme_area_id])
            .collect();
        let declined_by: Vec<usize> = declined
            .get(&id)
            .map(|orgs| {
                orgs.iter()
                    .flat_map(|org| {
                        trades_wished
                            .iter()
                            .filter_map(move |t| company_index(*org, *t))
                    })
                    .collect()
            })
            .unwrap_or_default();
        instance_applicants.push(Apprentice {
            trades: trades_wished,
            youth_right: youth.contains(&made.person_id),
            points: made.points_hundredths,
            declined_by,
        });
        applicants.push((id, made.person_id, own.iter().map(|w| w.id).collect()));
    }
    let draw = Draw::new(seed, instance_applicants.len());
    Ok(PlacementInputs {
        instance: PlacementInstance {
            trades: trades.len(),
            companies: positions,
            applicants: instance_applicants,
        },
        tickets: draw.tickets,
        trades,
        companies,
        applicants,
    })
}

/// Runs a stored placement again from its recorded inputs and seed, naming every difference.
pub(super) fn replay(stored: &intake_run::Model) -> Result<(Vec<String>, usize), IntakeError> {
    let inputs: PlacementInputs = serde_json::from_str(&stored.inputs)?;
    let recorded: Placement = serde_json::from_str(&stored.outcome)?;
    let draw = Draw::new(stored.seed as u64, inputs.instance.applicants.len());
    let mut differences = Vec::new();
    if draw.tickets != inputs.tickets {
        differences.push("the seed draws other lottery tickets than were recorded".to_owned());
    }
    let again = vigo_intake::placement::place(&inputs.instance, &draw)?;
    for (index, (application, _, _)) in inputs.applicants.iter().enumerate() {
        if again.placed[index] != recorded.placed[index] {
            differences.push(format!(
                "application {application}: recorded {:?}, replayed {:?}",
                recorded.placed[index], again.placed[index]
            ));
        }
    }
    Ok((differences, inputs.applicants.len()))
}

/// A placement made to a company, with what it is for.
struct Placed {
    application: i32,
    person: i32,
    company: i32,
    trade: i32,
    answer: OfferAnswer,
    offered_at: chrono::DateTime<Utc>,
}

/// Every placement of an open application's live wish, of any intake year: those of withdrawn,
/// closed or set-aside applications hold no position.
async fn placements<C: ConnectionTrait>(db: &C) -> Result<Vec<Placed>, IntakeError> {
    let offers = offer::Entity::find()
        .filter(offer::Column::CompanyId.is_not_null())
        .all(db)
        .await?;
    let mut wishes: HashMap<i32, application_wish::Model> = HashMap::new();
    let wish_ids: Vec<i32> = offers.iter().map(|o| o.wish_id).collect();
    for chunk in wish_ids.chunks(500) {
        for wish in application_wish::Entity::find()
            .filter(application_wish::Column::Id.is_in(chunk.iter().copied()))
            .filter(application_wish::Column::Status.ne(WishStatus::Withdrawn))
            .all(db)
            .await?
        {
            wishes.insert(wish.id, wish);
        }
    }
    let mut applications: HashMap<i32, application::Model> = HashMap::new();
    let application_ids: Vec<i32> = wishes.values().map(|w| w.application_id).collect();
    for chunk in application_ids.chunks(500) {
        for made in application::Entity::find()
            .filter(application::Column::Id.is_in(chunk.iter().copied()))
            .filter(application::Column::Status.is_in(OPEN))
            .all(db)
            .await?
        {
            applications.insert(made.id, made);
        }
    }
    Ok(offers
        .into_iter()
        .filter_map(|o| {
            let wish = wishes.get(&o.wish_id)?;
            let made = applications.get(&wish.application_id)?;
            Some(Placed {
                application: made.id,
                person: made.person_id,
                company: o.company_id?,
                trade: wish.programme_area_id,
                answer: o.answer,
                offered_at: o.offered_at,
            })
        })
        .collect())
}
