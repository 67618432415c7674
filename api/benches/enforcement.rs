//! What field-level enforcement and the audit record cost: the 100-person page of the API
//! benchmark, run by 32 concurrent clients against one in-process server state, in turns with
//! the request path the HTTP handler uses (mask enforced on the document, execution, audit
//! event with its 100 persons) and with the same path minus one step. Caseworker role, so
//! every variant returns the same data.
//!
//! Rounds alternate so that drift (caches warming, other load) hits both variants alike. The
//! enforcement step alone is also timed, without concurrency.
//!
//! `VIGO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/vigo_bench_api cargo bench -p vigo-api --bench enforcement`
//! (seeds 10 000 persons first if the database is empty; `BENCH_ROUNDS` rounds, default 12,
//! of `BENCH_SECONDS` each, default 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use sea_orm::{EntityTrait, PaginatorTrait};
use vigo_api::graphql::enforce::Enforced;
use vigo_api::server::{self, AppState};
use vigo_policy::{Gate, Purpose, Role, Subject};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 32;
const PAGE: &str = include_str!("../../bench/page.graphql");

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Variant {
    /// As the HTTP handler runs it: enforcement, execution, audit record.
    Full,
    WithoutEnforcement,
    WithoutAudit,
}

const VARIANTS: [(Variant, &str); 3] = [
    (Variant::Full, "full request path"),
    (Variant::WithoutEnforcement, "without enforcement"),
    (Variant::WithoutAudit, "without audit record"),
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("VIGO_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/vigo_bench_api".to_owned());
    let setting = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let seconds = setting("BENCH_SECONDS", 5);
    let rounds = (setting("BENCH_ROUNDS", 12) / 2).max(1) * 2;
    let db = vigo_api::db::connect(&url).await?;
    vigo_api::db::migrate(&db).await?;
    if vigo_entities::person::Entity::find().count(&db).await? == 0 {
        let population = vigo_synth::generate(vigo_synth::Config::new(10_000, 1));
        vigo_synth::seed(&db, &population, false).await?;
        // Fresh tables have no planner statistics; without them the page's plans are poor.
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            use sea_orm::ConnectionTrait;
            db.execute_unprepared("ANALYZE").await?;
        }
    }
    let gate = Gate::new(vigo_policy::store::load_or_install(&db).await?);
    let auth = vigo_api::auth::Authenticator::from_secret(b"bench-secret-bench-secret-bench!");
    let state = Arc::new(AppState::with_gate(db, auth, gate.clone(), 1_000_000)?);
    let subject = Subject::new(
        Role::Caseworker,
        Purpose::Administration,
        None,
        None,
        "bench".into(),
    )?;
    let access = gate.access(&subject)?;

    // Warm up, and check that every variant answers the same.
    let mut answers = Vec::new();
    for (variant, _) in VARIANTS {
        let response = one(&state, &subject, &access, variant).await?;
        anyhow::ensure!(response.errors.is_empty(), "{:?}", response.errors);
        answers.push(serde_json::to_string(&response.data)?);
    }
    anyhow::ensure!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "the variants answer differently"
    );

    // The enforcement step alone: parse, walk, record (nothing to record for a caseworker).
    let iterations = 20_000;
    let started = Instant::now();
    for _ in 0..iterations {
        let mut request = async_graphql::Request::new(PAGE);
        server::enforce_fields(&state, &subject, &access, "bench", &mut request)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let step = started.elapsed() / iterations;
    let started = Instant::now();
    for _ in 0..100 {
        one(&state, &subject, &access, Variant::Full).await?;
    }
    let request = started.elapsed() / 100;
    println!(
        "enforcement step alone: {:.1} µs per request; one whole request, one client: {:.2} ms",
        step.as_secs_f64() * 1e6,
        request.as_secs_f64() * 1e3
    );

    // Rounds cycle through the variants, so that drift hits each alike.
    let mut totals: Vec<(usize, Vec<Duration>)> = vec![(0, Vec::new()); VARIANTS.len()];
    for round in 0..rounds * VARIANTS.len() as u64 / 2 {
        let slot = (round % VARIANTS.len() as u64) as usize;
        let variant = VARIANTS[slot].0;
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (state, subject, access) = (state.clone(), subject.clone(), access.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    one(&state, &subject, &access, variant).await?;
                    latencies.push(started.elapsed());
                }
                Ok::<_, anyhow::Error>(latencies)
            }));
        }
        for task in tasks {
            let latencies = task.await??;
            totals[slot].0 += latencies.len();
            totals[slot].1.extend(latencies);
        }
    }
    let per_variant_seconds = (rounds / 2 * seconds) as f64;
    let mut throughput = Vec::new();
    for ((_, name), (count, latencies)) in VARIANTS.iter().zip(totals.iter_mut()) {
        latencies.sort();
        let at =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        let rate = *count as f64 / per_variant_seconds;
        throughput.push(rate);
        println!(
            "{name:>22}: {rate:7.1} req/s  p50 {:6.1} ms  p99 {:6.1} ms  ({count} requests)",
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
        );
    }
    println!(
        "field-level enforcement costs {:.1} % of throughput; the audit record {:.1} %",
        (1.0 - throughput[0] / throughput[1]) * 100.0,
        (1.0 - throughput[0] / throughput[2]) * 100.0
    );
    Ok(())
}

/// One page request by the caseworker, as the HTTP handler runs it, or without one step.
async fn one(
    state: &AppState,
    subject: &Subject,
    access: &vigo_policy::Access,
    variant: Variant,
) -> anyhow::Result<async_graphql::Response> {
    if variant == Variant::Full {
        return server::run_request(state, subject, "bench", async_graphql::Request::new(PAGE))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"));
    }
    let mut request = async_graphql::Request::new(PAGE);
    let enforced = match variant {
        Variant::WithoutEnforcement => Enforced::default(),
        _ => server::enforce_fields(state, subject, access, "bench", &mut request)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let (response, reached) =
        server::execute(state, subject, access, "bench", request, &enforced).await;
    if variant != Variant::WithoutAudit {
        anyhow::ensure!(!reached.persons.is_empty(), "the page touched nobody");
        server::audit_request(
            state,
            &server::Recorded::caller(subject),
            "bench",
            &enforced,
            &reached,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(response)
}
