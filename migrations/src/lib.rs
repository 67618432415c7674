//! Vigo's schema, as migrations that run forward and back on SQLite and PostgreSQL.
//!
//! A migration that has shipped is never edited: changes come as new migrations.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_people;
mod m20261129_000002_create_organisations;
mod m20261129_000003_create_applications;
mod m20261129_000004_create_school_records;
mod m20261129_000005_create_apprenticeships;
mod m20261129_000006_create_rights_and_follow_up;
mod m20261129_000007_create_audit_and_disclosures;
mod m20261129_000008_create_policy;
mod m20261129_000009_create_audit_chain;
mod m20261129_000010_lighten_audit_links;
mod m20261202_000011_application_change_actor_org;
mod m20261202_000012_audit_merkle_tree;
mod m20261203_000013_policy_version_rules;
mod m20261203_000014_intake_runs;
mod m20261203_000015_residency_and_placement;
mod m20261203_000016_scope_indexes;

pub use m20261129_000009_create_audit_chain::GENESIS_HASH;

/// Applies Vigo's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_people::Migration),
            Box::new(m20261129_000002_create_organisations::Migration),
            Box::new(m20261129_000003_create_applications::Migration),
            Box::new(m20261129_000004_create_school_records::Migration),
            Box::new(m20261129_000005_create_apprenticeships::Migration),
            Box::new(m20261129_000006_create_rights_and_follow_up::Migration),
            Box::new(m20261129_000007_create_audit_and_disclosures::Migration),
            Box::new(m20261129_000008_create_policy::Migration),
            Box::new(m20261129_000009_create_audit_chain::Migration),
            Box::new(m20261129_000010_lighten_audit_links::Migration),
            Box::new(m20261202_000011_application_change_actor_org::Migration),
            Box::new(m20261202_000012_audit_merkle_tree::Migration),
            Box::new(m20261203_000013_policy_version_rules::Migration),
            Box::new(m20261203_000014_intake_runs::Migration),
            Box::new(m20261203_000015_residency_and_placement::Migration),
            Box::new(m20261203_000016_scope_indexes::Migration),
        ]
    }
}
