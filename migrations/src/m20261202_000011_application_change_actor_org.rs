//! Records the organisation an application change was made for, so that the person sees who
//! changed their application as an organisation and a role (as in the access log), while the
//! employee (`actor`) stays for caseworkers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationChange::Table)
                    .add_column(string_len_null(ApplicationChange::ActorOrg, 9))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApplicationChange::Table)
                    .drop_column(ApplicationChange::ActorOrg)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum ApplicationChange {
    Table,
    ActorOrg,
}
