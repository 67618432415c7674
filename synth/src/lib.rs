//! A synthetic county population for demos, tests and benchmarks: an Oslo-like county with
//! schools, training companies and offices, exam boards, and persons with their whole history
//! in upper-secondary education.
//!
//! Generation is deterministic: the same [`Config`] gives the same population, row for row.
//! Every national id is synthetic (Skatteetaten's month + 80 convention) or one of Vigo's own
//! temporary numbers, so no generated person can be a real one.

mod county;
mod names;
mod people;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IdenStatic, IntoActiveModel, Iterable, PaginatorTrait, TransactionTrait, Value,
};
use vigo_entities::*;

pub use county::AUTHORITIES;

/// The school year the demo population is generated around (2026 means 2026/27).
pub const DEFAULT_SCHOOL_YEAR: i32 = 2026;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of persons.
    pub persons: usize,
    /// Seed of the random generator; the same seed gives the same population.
    pub seed: u64,
    /// The school year in progress; histories run up to it.
    pub school_year: i32,
}

impl Config {
    pub fn new(persons: usize, seed: u64) -> Self {
        Config {
            persons,
            seed,
            school_year: DEFAULT_SCHOOL_YEAR,
        }
    }
}

/// A generated population: rows for every table, with ids assigned, ready to insert.
#[derive(Default)]
pub struct Population {
    pub programme_areas: Vec<programme_area::Model>,
    pub organisations: Vec<organisation::Model>,
    pub approved_trades: Vec<approved_trade::Model>,
    pub school_offers: Vec<school_offer::Model>,
    pub employees: Vec<employee::Model>,
    pub employee_roles: Vec<employee_role::Model>,
    pub exam_boards: Vec<exam_board::Model>,
    pub exam_board_members: Vec<exam_board_member::Model>,
    pub persons: Vec<person::Model>,
    pub contacts: Vec<contact::Model>,
    pub consents: Vec<consent::Model>,
    pub loan_customers: Vec<loan_customer::Model>,
    pub applications: Vec<application::Model>,
    pub wishes: Vec<application_wish::Model>,
    pub offers: Vec<offer::Model>,
    pub application_changes: Vec<application_change::Model>,
    pub enrolments: Vec<enrolment::Model>,
    pub subject_results: Vec<subject_result::Model>,
    pub absences: Vec<absence::Model>,
    pub diplomas: Vec<diploma::Model>,
    pub contracts: Vec<apprenticeship_contract::Model>,
    pub trade_tests: Vec<trade_test::Model>,
    pub subsidies: Vec<subsidy_payment::Model>,
    pub education_rights: Vec<education_right::Model>,
    pub follow_ups: Vec<follow_up_status::Model>,
    pub decisions: Vec<automated_decision::Model>,
}

/// Generates a population in memory.
pub fn generate(config: Config) -> Population {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let county = county::generate(&mut rng, config.school_year);
    let mut pop = Population::default();
    people::generate(
        &mut pop,
        &county,
        &mut rng,
        config.persons,
        config.school_year,
    );
    people::loan_customers(&mut pop, &mut rng, config.school_year);
    pop.school_offers = county.school_offers.clone();
    people::coming_intake(&mut pop, &county, config.seed, config.school_year);
    pop.programme_areas = county.programme_areas;
    pop.organisations = county.organisations;
    pop.approved_trades = county.approved_trades;
    pop.employees = county.employees;
    pop.employee_roles = county.employee_roles;
    pop.exam_boards = county.exam_boards;
    pop.exam_board_members = county.exam_board_members;
    pop
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(
        "the database already holds {persons} persons and {organisations} organisations; \
         use --force to replace them"
    )]
    NotEmpty { persons: u64, organisations: u64 },
    #[error(
        "the database's audit trail records {events} requests, which seeding did not make; \
         use --discard-audit-trail with --force to discard it (the discard is recorded)"
    )]
    AuditTrail { events: u64 },
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error("bulk copy failed: {0}")]
    Copy(#[from] sea_orm::sqlx::Error),
    #[error("a generated value has no COPY encoding: {0}")]
    UnsupportedValue(String),
}

/// Rows written per table, in insertion order, with the time each table took.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub tables: Vec<(&'static str, usize, std::time::Duration)>,
}

impl SeedReport {
    pub fn total_rows(&self) -> usize {
        self.tables.iter().map(|(_, n, _)| n).sum()
    }
}

/// The largest number of bind parameters one SQLite statement may carry (32 766).
const MAX_PARAMETERS: usize = 32_000;

/// Where seeded rows go: multi-row `INSERT`s in a SeaORM transaction (SQLite), or `COPY`
/// in an sqlx transaction (PostgreSQL, where `COPY` is several times faster than `INSERT`).
enum Sink {
    Statements(DatabaseTransaction),
    Copy(sea_orm::sqlx::Transaction<'static, sea_orm::sqlx::Postgres>),
}

impl Sink {
    async fn begin(db: &DatabaseConnection) -> Result<Self, SeedError> {
        Ok(match db.get_database_backend() {
            DbBackend::Postgres => Sink::Copy(db.get_postgres_connection_pool().begin().await?),
            _ => Sink::Statements(db.begin().await?),
        })
    }

    async fn execute(&mut self, sql: &str) -> Result<(), SeedError> {
        match self {
            Sink::Statements(txn) => {
                txn.execute_unprepared(sql).await?;
            }
            Sink::Copy(txn) => {
                // Table names come from this crate, never from input.
                sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut **txn)
                    .await?;
            }
        }
        Ok(())
    }

    async fn write<M, A>(&mut self, table: &str, rows: &[M]) -> Result<usize, SeedError>
    where
        M: Clone + IntoActiveModel<A>,
        A: ActiveModelTrait + Send,
    {
        let columns: Vec<_> = <A::Entity as EntityTrait>::Column::iter().collect();
        match self {
            Sink::Statements(txn) => {
                let per_statement = (MAX_PARAMETERS / columns.len()).max(1);
                for chunk in rows.chunks(per_statement) {
                    <A::Entity as EntityTrait>::insert_many(
                        chunk
                            .iter()
                            .cloned()
                            .map(IntoActiveModel::into_active_model),
                    )
                    .exec_without_returning(txn)
                    .await?;
                }
            }
            Sink::Copy(txn) => {
                let names: Vec<String> = columns
                    .iter()
                    .map(|c| format!("\"{}\"", c.as_str()))
                    .collect();
                let statement = format!("COPY \"{table}\" ({}) FROM STDIN", names.join(", "));
                let mut copy = txn.copy_in_raw(&statement).await?;
                let mut buffer = String::with_capacity(1 << 20);
                for row in rows {
                    let model = row.clone().into_active_model();
                    for (i, column) in columns.iter().enumerate() {
                        if i > 0 {
                            buffer.push('\t');
                        }
                        push_copy_text(&mut buffer, model.get(*column).into_value())?;
                    }
                    buffer.push('\n');
                    if buffer.len() > 1 << 20 {
                        copy.send(buffer.as_bytes()).await?;
                        buffer.clear();
                    }
                }
                copy.send(buffer.as_bytes()).await?;
                copy.finish().await?;
            }
        }
        Ok(rows.len())
    }

    /// Drops the foreign keys of `tables` for the duration of the load and returns their
    /// definitions. PostgreSQL checks a foreign key row by row, which made those checks most of
    /// the load time; re-adding the constraints validates every row in one pass instead
    /// (PostgreSQL's documentation, "Populating a Database"). Inside the transaction, so a
    /// failure restores them.
    async fn suspend_foreign_keys(
        &mut self,
        tables: &[&str],
    ) -> Result<Vec<(String, String, String)>, SeedError> {
        let Sink::Copy(txn) = self else {
            return Ok(Vec::new());
        };
        let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        let constraints: Vec<(String, String, String)> = sea_orm::sqlx::query_as(
            "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid) \
             FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY($1) \
             ORDER BY c.conname",
        )
        .bind(&names)
        .fetch_all(&mut **txn)
        .await?;
        for (table, name, _) in &constraints {
            self.execute(&format!("ALTER TABLE {table} DROP CONSTRAINT \"{name}\""))
                .await?;
        }
        Ok(constraints)
    }

    /// Re-adds foreign keys dropped by [`Sink::suspend_foreign_keys`], validating every row.
    async fn restore_foreign_keys(
        &mut self,
        constraints: &[(String, String, String)],
    ) -> Result<(), SeedError> {
        for (table, name, definition) in constraints {
            self.execute(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {definition}"
            ))
            .await?;
        }
        Ok(())
    }

    async fn commit(self) -> Result<(), SeedError> {
        match self {
            Sink::Statements(txn) => txn.commit().await?,
            Sink::Copy(txn) => txn.commit().await?,
        }
        Ok(())
    }
}

/// Appends one value in PostgreSQL's `COPY` text format.
fn push_copy_text(out: &mut String, value: Option<Value>) -> Result<(), SeedError> {
    use std::fmt::Write;
    let written = match value {
        Some(Value::Bool(Some(b))) => {
            out.push(if b { 't' } else { 'f' });
            Ok(())
        }
        Some(Value::Int(Some(n))) => write!(out, "{n}"),
        Some(Value::BigInt(Some(n))) => write!(out, "{n}"),
        Some(Value::String(Some(text))) => {
            for c in text.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
            Ok(())
        }
        Some(Value::ChronoDate(Some(d))) => write!(out, "{}", d.format("%Y-%m-%d")),
        Some(Value::ChronoDateTimeUtc(Some(t))) => {
            write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.f+00"))
        }
        Some(
            Value::Bool(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::String(None)
            | Value::ChronoDate(None)
            | Value::ChronoDateTimeUtc(None),
        )
        | None => {
            out.push_str("\\N");
            Ok(())
        }
        Some(other) => return Err(SeedError::UnsupportedValue(format!("{other:?}"))),
    };
    written.map_err(|e| SeedError::UnsupportedValue(e.to_string()))
}

/// Every table the population fills, children first, for clearing before a forced seed.
const TABLES_CHILDREN_FIRST: &[&str] = &[
    "disclosure_person",
    "disclosure",
    "audit_event_person",
    "audit_event",
    "automated_decision",
    "intake_run",
    "follow_up_status",
    "education_right",
    "subsidy_payment",
    "trade_test",
    "apprenticeship_contract",
    "diploma",
    "absence",
    "subject_result",
    "enrolment",
    "application_change",
    "offer",
    "application_wish",
    "application",
    "loan_customer",
    "consent",
    "contact_change",
    "contact",
    "person",
    "exam_board_member",
    "exam_board",
    "employee_role",
    "employee",
    "school_offer",
    "approved_trade",
    "organisation",
    "programme_area",
];

/// The audit trail's own tables besides events and links, cleared with it.
const AUDIT_TREE_TABLES: &[&str] = &["audit_tree_node", "audit_checkpoint"];

/// What to do with a database that holds data already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse it.
    Refuse,
    /// Replace its data; refuse it if its audit trail records any request (seeding makes
    /// none), since the trail would go with the data.
    Replace,
    /// Replace its data and discard its audit trail: the caller records the discard.
    ReplaceDiscardingAuditTrail,
}

/// Writes a population in one transaction: either all of it lands, or nothing does.
///
/// Unless `force` is set, refuses a database that already holds persons or organisations;
/// with `force`, existing data is replaced, unless the audit trail records requests.
pub async fn seed(
    db: &DatabaseConnection,
    population: &Population,
    force: bool,
) -> Result<SeedReport, SeedError> {
    let existing = if force {
        Existing::Replace
    } else {
        Existing::Refuse
    };
    seed_over(db, population, existing).await
}

/// [`seed`], saying what to do with existing data.
pub async fn seed_over(
    db: &DatabaseConnection,
    population: &Population,
    existing: Existing,
) -> Result<SeedReport, SeedError> {
    let persons = person::Entity::find().count(db).await?;
    let organisations = organisation::Entity::find().count(db).await?;
    if (persons > 0 || organisations > 0) && existing == Existing::Refuse {
        return Err(SeedError::NotEmpty {
            persons,
            organisations,
        });
    }
    let events = vigo_entities::audit_event::Entity::find().count(db).await?;
    if events > 0 && existing != Existing::ReplaceDiscardingAuditTrail {
        return Err(SeedError::AuditTrail { events });
    }
    let mut sink = Sink::begin(db).await?;
    if persons > 0 || organisations > 0 || events > 0 {
        for table in TABLES_CHILDREN_FIRST.iter().chain(AUDIT_TREE_TABLES) {
            sink.execute(&format!("DELETE FROM \"{table}\"")).await?;
        }
        // The audit trail is replaced with the data: its chain and tree start again.
        sink.execute(&format!(
            "UPDATE \"audit_chain\" SET \"last_event_id\" = 0, \"last_hash\" = '{}', \"frontier\" = ''",
            vigo_migrations::GENESIS_HASH
        ))
        .await?;
    }
    let suspended = sink.suspend_foreign_keys(TABLES_CHILDREN_FIRST).await?;
    let p = population;
    let mut report = SeedReport::default();
    macro_rules! write {
        ($($name:literal => $rows:expr),* $(,)?) => {$(
            let started = std::time::Instant::now();
            let rows = sink.write($name, &$rows).await?;
            report.tables.push(($name, rows, started.elapsed()));
        )*};
    }
    write!(
        "programme_area" => p.programme_areas,
        "organisation" => p.organisations,
        "approved_trade" => p.approved_trades,
        "school_offer" => p.school_offers,
        "employee" => p.employees,
        "employee_role" => p.employee_roles,
        "exam_board" => p.exam_boards,
        "exam_board_member" => p.exam_board_members,
        "person" => p.persons,
        "contact" => p.contacts,
        "consent" => p.consents,
        "loan_customer" => p.loan_customers,
        "application" => p.applications,
        "application_wish" => p.wishes,
        "offer" => p.offers,
        "application_change" => p.application_changes,
        "enrolment" => p.enrolments,
        "subject_result" => p.subject_results,
        "absence" => p.absences,
        "diploma" => p.diplomas,
        "apprenticeship_contract" => p.contracts,
        "trade_test" => p.trade_tests,
        "subsidy_payment" => p.subsidies,
        "education_right" => p.education_rights,
        "follow_up_status" => p.follow_ups,
        "automated_decision" => p.decisions,
    );
    sink.restore_foreign_keys(&suspended).await?;
    // Ids were assigned here, not by PostgreSQL's sequences: move each sequence past them so
    // that rows created later through the API get fresh ids.
    if db.get_database_backend() == DbBackend::Postgres {
        for (table, _, _) in &report.tables {
            sink.execute(&format!(
                "SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), \
                 COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"
            ))
            .await?;
        }
    }
    sink.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use vigo_entities::ids::{IdKind, NationalId};

    #[test]
    fn same_seed_same_population_other_seed_other_population() {
        let a = generate(Config::new(300, 7));
        let b = generate(Config::new(300, 7));
        let c = generate(Config::new(300, 8));
        assert_eq!(a.persons, b.persons);
        assert_eq!(a.subject_results, b.subject_results);
        assert_eq!(a.contracts, b.contracts);
        assert_ne!(a.persons, c.persons);
    }

    #[test]
    fn every_national_id_is_valid_unique_and_never_a_real_persons() {
        let pop = generate(Config::new(3000, 1));
        assert_eq!(pop.persons.len(), 3000);
        let mut seen = HashSet::new();
        let mut kinds = HashSet::new();
        for p in &pop.persons {
            let id = NationalId::parse(&p.national_id).unwrap_or_else(|e| panic!("{e}"));
            assert!(id.is_synthetic() || id.kind() == IdKind::Temporary);
            assert_eq!(id.birth_date(), p.birth_date);
            assert_eq!(id.kind().code(), p.id_kind);
            assert!(seen.insert(p.national_id.clone()), "duplicate national id");
            kinds.insert(id.kind());
        }
        assert!(kinds.contains(&IdKind::DNumber) && kinds.contains(&IdKind::Temporary));
    }

    #[test]
    fn histories_cover_the_whole_model_and_stay_consistent() {
        let pop = generate(Config::new(3000, 1));
        for (name, len) in [
            ("applications", pop.applications.len()),
            ("wishes", pop.wishes.len()),
            ("offers", pop.offers.len()),
            ("enrolments", pop.enrolments.len()),
            ("results", pop.subject_results.len()),
            ("contracts", pop.contracts.len()),
            ("trade tests", pop.trade_tests.len()),
            ("diplomas", pop.diplomas.len()),
            ("follow-up", pop.follow_ups.len()),
            ("loan customers", pop.loan_customers.len()),
            ("subsidies", pop.subsidies.len()),
            ("decisions", pop.decisions.len()),
        ] {
            assert!(len > 0, "no {name} generated");
        }
        assert!(pop.persons.iter().any(|p| p.deceased_on.is_some()));
        let deceased: HashSet<i32> = pop
            .persons
            .iter()
            .filter(|p| p.deceased_on.is_some())
            .map(|p| p.id)
            .collect();
        assert!(
            pop.contacts
                .iter()
                .all(|c| !deceased.contains(&c.person_id)),
            "the dead keep no contact data"
        );
        assert!(pop.wishes.iter().all(|w| (1..=6).contains(&w.rank)));
        for r in &pop.subject_results {
            vigo_entities::ids::Grade::parse(&r.grade).unwrap_or_else(|e| panic!("{e}"));
        }
        for a in &pop.programme_areas {
            vigo_entities::ids::ProgrammeAreaCode::parse(&a.code)
                .unwrap_or_else(|e| panic!("{}: {e}", a.code));
        }
        for o in &pop.organisations {
            vigo_entities::ids::OrgNo::parse(&o.org_no).unwrap_or_else(|e| panic!("{e}"));
            if let Some(acc) = &o.account_no {
                vigo_entities::ids::AccountNo::parse(acc).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        let schools = pop
            .organisations
            .iter()
            .filter(|o| o.school_number.is_some())
            .count();
        assert_eq!(schools, 30);
        // Points follow sum × 10 / count, kept × 100.
        let app = pop
            .applications
            .iter()
            .find(|a| a.points_hundredths.is_some())
            .unwrap();
        let grades: Vec<u32> = pop
            .subject_results
            .iter()
            .filter(|r| r.person_id == app.person_id && r.school_id.is_none())
            .filter_map(|r| r.grade.parse().ok())
            .collect();
        let sum: u32 = grades.iter().sum();
        let expected = ((f64::from(sum) * 1000.0 / grades.len() as f64).round()) as i32;
        assert_eq!(app.points_hundredths, Some(expected));
    }
}
