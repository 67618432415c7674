//! Allocation at county scale, in memory: 60 000 applicants with 6 wishes each over 1 500
//! offers, some oversubscribed and some with free places, one round and a second after the
//! answers. Prints the median of several runs; the goal is under 200 ms a round (release).
//!
//!     cargo bench -p vigo-intake --bench allocation

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use vigo_intake::{Answer, Applicant, Draw, Instance, Standing, Wish, allocate, next_standings};

const APPLICANTS: usize = 60_000;
const OFFERS: usize = 1_500;
const WISHES: usize = 6;
const RUNS: usize = 9;

fn instance() -> Instance {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2026);
    // Popularity falls off: the first offers are wished far more often than they have room.
    let popularity: Vec<f64> = (0..OFFERS).map(|i| 1.0 / (1.0 + i as f64 / 50.0)).collect();
    let total: f64 = popularity.iter().sum();
    let capacities: Vec<u32> = (0..OFFERS).map(|_| rng.random_range(15..=60)).collect();
    let pick = |rng: &mut rand_chacha::ChaCha8Rng| {
        let mut x = rng.random::<f64>() * total;
        for (offer, weight) in popularity.iter().enumerate() {
            x -= weight;
            if x <= 0.0 {
                return offer;
            }
        }
        OFFERS - 1
    };
    let applicants = (0..APPLICANTS)
        .map(|_| {
            let mut wishes: Vec<Wish> = Vec::with_capacity(WISHES);
            while wishes.len() < WISHES {
                let offer = pick(&mut rng);
                if wishes.iter().all(|w| w.offer != offer) {
                    wishes.push(Wish {
                        offer,
                        priority_right: rng.random_bool(0.01),
                    });
                }
            }
            Applicant {
                wishes,
                youth_right: rng.random_bool(0.9),
                points: rng.random_bool(0.99).then(|| rng.random_range(2000..=6000)),
            }
        })
        .collect();
    Instance {
        capacities,
        applicants,
        standings: vec![Standing::Free; APPLICANTS],
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let instance = instance();
    let draw = Draw::new(42, APPLICANTS);
    let places: u32 = instance.capacities.iter().sum();
    let mut first = Vec::new();
    let mut outcome = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        outcome = Some(allocate(&instance, &draw).expect("a valid instance"));
        first.push(started.elapsed());
    }
    let outcome = outcome.expect("ran");
    let placed = outcome.assigned.iter().filter(|a| a.is_some()).count();
    let first_wish = outcome.assigned.iter().filter(|a| **a == Some(0)).count();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let answers: Vec<Option<Answer>> = (0..APPLICANTS)
        .map(|_| {
            Some(match rng.random_range(0..10) {
                0 => Answer::Decline,
                1 => Answer::NoAnswer,
                2..=5 => Answer::AcceptAndWait,
                _ => Answer::Accept,
            })
        })
        .collect();
    let next = Instance {
        standings: next_standings(&instance, &outcome, &answers),
        ..instance.clone()
    };
    let mut second = Vec::new();
    let mut moved = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let again = allocate(&next, &draw).expect("a valid instance");
        second.push(started.elapsed());
        moved = (0..APPLICANTS)
            .filter(|a| {
                matches!(next.standings[*a], Standing::Holds { wish, .. } if again.assigned[*a].is_some_and(|g| g < wish))
            })
            .count();
    }
    println!(
        "{APPLICANTS} applicants × {WISHES} wishes over {OFFERS} offers ({places} places): {placed} placed, {first_wish} on their first wish"
    );
    println!(
        "round 1: median {:.1} ms of {RUNS} runs",
        median(first).as_secs_f64() * 1000.0
    );
    println!(
        "round 2 (after answers; {moved} moved up from waiting lists): median {:.1} ms",
        median(second).as_secs_f64() * 1000.0
    );
}
