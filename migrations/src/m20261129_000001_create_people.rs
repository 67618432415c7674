//! Creates `person`, `contact`, `consent`, `loan_customer`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Person::Table)
                    .col(pk_auto(Person::Id))
                    .col(string_len_uniq(Person::NationalId, 11))
                    .col(string_len(Person::IdKind, 16))
                    .col(string_len(Person::GivenName, 100))
                    .col(string_len(Person::FamilyName, 100))
                    .col(date(Person::BirthDate))
                    .col(string_len_null(Person::Gender, 16))
                    .col(string_len(Person::Citizenship, 2))
                    .col(date_null(Person::DeceasedOn))
                    .col(timestamp_with_time_zone(Person::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_person_deceased_on")
                    .table(Person::Table)
                    .col(Person::DeceasedOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Contact::Table)
                    .col(pk_auto(Contact::Id))
                    .col(integer_uniq(Contact::PersonId))
                    .col(string_len(Contact::Address, 200))
                    .col(string_len(Contact::PostalCode, 4))
                    .col(string_len(Contact::City, 100))
                    .col(string_len(Contact::MunicipalityCode, 4))
                    .col(string_len_null(Contact::Phone, 20))
                    .col(string_len_null(Contact::Email, 200))
                    .col(timestamp_with_time_zone(Contact::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_contact_person_id")
                            .from(Contact::Table, Contact::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contact_municipality_code")
                    .table(Contact::Table)
                    .col(Contact::MunicipalityCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Consent::Table)
                    .col(pk_auto(Consent::Id))
                    .col(integer(Consent::PersonId))
                    .col(string_len(Consent::Purpose, 64))
                    .col(timestamp_with_time_zone(Consent::GivenAt))
                    .col(timestamp_with_time_zone_null(Consent::WithdrawnAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_person_id")
                            .from(Consent::Table, Consent::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_consent_person_id")
                    .table(Consent::Table)
                    .col(Consent::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoanCustomer::Table)
                    .col(pk_auto(LoanCustomer::Id))
                    .col(integer_uniq(LoanCustomer::PersonId))
                    .col(date(LoanCustomer::RegisteredOn))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_loan_customer_person_id")
                            .from(LoanCustomer::Table, LoanCustomer::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoanCustomer::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Consent::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Contact::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Person::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
    NationalId,
    IdKind,
    GivenName,
    FamilyName,
    BirthDate,
    Gender,
    Citizenship,
    DeceasedOn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
    PersonId,
    Address,
    PostalCode,
    City,
    MunicipalityCode,
    Phone,
    Email,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Consent {
    Table,
    Id,
    PersonId,
    Purpose,
    GivenAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum LoanCustomer {
    Table,
    Id,
    PersonId,
    RegisteredOn,
}
