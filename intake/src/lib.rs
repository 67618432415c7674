//! Intake casework (inntak til videregående opplæring): intake points, school-place
//! allocation over rounds with waiting lists, and the explanation of every decision in
//! Norwegian and English (GDPR art. 22: an automated decision is explained to the person and
//! can be reproduced from its recorded inputs and lottery seed).
//!
//! The crate is the rules alone: it knows no database, no transport and no file format.
//! Callers (the API and the CLI) load the inputs, run a round, and store the outcome with the
//! seed and tickets, so that a caseworker can replay it.

pub mod allocation;
pub mod explain;
pub mod placement;
pub mod points;
pub mod residency;
pub mod rights;

pub use allocation::{
    AllocationError, Answer, Applicant, Draw, Instance, Outcome, Rank, Standing, Wish, allocate,
    next_standings, standing_after,
};
pub use explain::{Explanation, OfferName, offer_explanation};
pub use points::{
    LowerSecondaryGrade, LowerSecondaryKind, NoPoints, Points, PointsDecision, UpperSecondaryGrade,
    explanation as points_explanation, upper_secondary_points, vg1_decision, vg1_points,
};
