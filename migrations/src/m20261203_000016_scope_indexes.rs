//! Indexes that let the row scopes be answered from the index alone: a school's pupils from
//! its enrolments and from the wishes offered at it, OT's target group from the youth rights
//! in force less active enrolments and approved contracts. Each index carries the person (or
//! the row the next step joins on) after the columns a scope selects by, so that a page or a
//! count of a scope reads index entries, not table rows; a person's records at one school
//! (a school's view of enrolments and results) are found by person and school together.
//! Where a new index starts with the columns of an old one, it replaces it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// An index of this migration, and the one it replaces.
struct ScopeIndex {
    name: &'static str,
    table: &'static str,
    columns: &'static [&'static str],
    replaces: Option<(&'static str, &'static [&'static str])>,
}

const INDEXES: &[ScopeIndex] = &[
    ScopeIndex {
        name: "idx_enrolment_school_year_person",
        table: "enrolment",
        columns: &["school_id", "school_year", "person_id"],
        replaces: Some((
            "idx_enrolment_school_id_school_year",
            &["school_id", "school_year"],
        )),
    },
    ScopeIndex {
        name: "idx_enrolment_person_school_status",
        table: "enrolment",
        columns: &["person_id", "school_id", "status"],
        replaces: Some(("idx_enrolment_person_id", &["person_id"])),
    },
    ScopeIndex {
        name: "idx_subject_result_person_school",
        table: "subject_result",
        columns: &["person_id", "school_id"],
        replaces: Some(("idx_subject_result_person_id", &["person_id"])),
    },
    ScopeIndex {
        name: "idx_application_wish_school_application",
        table: "application_wish",
        columns: &["school_id", "application_id", "id"],
        replaces: Some(("idx_application_wish_school_id", &["school_id"])),
    },
    ScopeIndex {
        name: "idx_application_intake_year_person",
        table: "application",
        columns: &["intake_year", "id", "person_id"],
        replaces: Some(("idx_application_intake_year", &["intake_year"])),
    },
    ScopeIndex {
        name: "idx_education_right_kind_expires_person",
        table: "education_right",
        columns: &["kind", "expires_on", "person_id"],
        replaces: None,
    },
    ScopeIndex {
        name: "idx_apprenticeship_contract_person_status",
        table: "apprenticeship_contract",
        columns: &["person_id", "status"],
        replaces: Some(("idx_apprenticeship_contract_person_id", &["person_id"])),
    },
];

fn create(name: &str, table: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    index.to_owned()
}

fn drop(name: &str, table: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new(table)).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in INDEXES {
            manager
                .create_index(create(index.name, index.table, index.columns))
                .await?;
            if let Some((old, _)) = index.replaces {
                manager.drop_index(drop(old, index.table)).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in INDEXES.iter().rev() {
            if let Some((old, columns)) = index.replaces {
                manager
                    .create_index(create(old, index.table, columns))
                    .await?;
            }
            manager.drop_index(drop(index.name, index.table)).await?;
        }
        Ok(())
    }
}
