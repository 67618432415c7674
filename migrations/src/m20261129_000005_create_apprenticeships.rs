//! Creates `apprenticeship_contract`, `trade_test`, `subsidy_payment`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApprenticeshipContract::Table)
                    .col(pk_auto(ApprenticeshipContract::Id))
                    .col(integer(ApprenticeshipContract::PersonId))
                    .col(integer(ApprenticeshipContract::CompanyId))
                    .col(integer_null(ApprenticeshipContract::TrainingOfficeId))
                    .col(integer(ApprenticeshipContract::ProgrammeAreaId))
                    .col(string_len(ApprenticeshipContract::Kind, 32))
                    .col(string_len(ApprenticeshipContract::Status, 32))
                    .col(date(ApprenticeshipContract::StartDate))
                    .col(date(ApprenticeshipContract::EndDate))
                    .col(date_null(ApprenticeshipContract::ApprovedOn))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_contract_person_id")
                            .from(
                                ApprenticeshipContract::Table,
                                ApprenticeshipContract::PersonId,
                            )
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_contract_company_id")
                            .from(
                                ApprenticeshipContract::Table,
                                ApprenticeshipContract::CompanyId,
                            )
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_contract_training_office_id")
                            .from(
                                ApprenticeshipContract::Table,
                                ApprenticeshipContract::TrainingOfficeId,
                            )
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_apprenticeship_contract_programme_area_id")
                            .from(
                                ApprenticeshipContract::Table,
                                ApprenticeshipContract::ProgrammeAreaId,
                            )
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apprenticeship_contract_person_id")
                    .table(ApprenticeshipContract::Table)
                    .col(ApprenticeshipContract::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apprenticeship_contract_company_id")
                    .table(ApprenticeshipContract::Table)
                    .col(ApprenticeshipContract::CompanyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apprenticeship_contract_training_office_id")
                    .table(ApprenticeshipContract::Table)
                    .col(ApprenticeshipContract::TrainingOfficeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_apprenticeship_contract_status")
                    .table(ApprenticeshipContract::Table)
                    .col(ApprenticeshipContract::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TradeTest::Table)
                    .col(pk_auto(TradeTest::Id))
                    .col(integer(TradeTest::PersonId))
                    .col(integer_null(TradeTest::ContractId))
                    .col(integer(TradeTest::ProgrammeAreaId))
                    .col(integer_null(TradeTest::ExamBoardId))
                    .col(string_len(TradeTest::Kind, 32))
                    .col(date(TradeTest::RegisteredOn))
                    .col(date_null(TradeTest::TestDate))
                    .col(string_len_null(TradeTest::Result, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trade_test_person_id")
                            .from(TradeTest::Table, TradeTest::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trade_test_contract_id")
                            .from(TradeTest::Table, TradeTest::ContractId)
                            .to(ApprenticeshipContract::Table, ApprenticeshipContract::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trade_test_programme_area_id")
                            .from(TradeTest::Table, TradeTest::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_trade_test_exam_board_id")
                            .from(TradeTest::Table, TradeTest::ExamBoardId)
                            .to(ExamBoard::Table, ExamBoard::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_trade_test_person_id")
                    .table(TradeTest::Table)
                    .col(TradeTest::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_trade_test_exam_board_id")
                    .table(TradeTest::Table)
                    .col(TradeTest::ExamBoardId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_trade_test_programme_area_id")
                    .table(TradeTest::Table)
                    .col(TradeTest::ProgrammeAreaId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SubsidyPayment::Table)
                    .col(pk_auto(SubsidyPayment::Id))
                    .col(integer(SubsidyPayment::OrganisationId))
                    .col(integer_null(SubsidyPayment::ContractId))
                    .col(big_integer(SubsidyPayment::AmountOre))
                    .col(date(SubsidyPayment::PaidOn))
                    .col(string_len(SubsidyPayment::Period, 16))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subsidy_payment_organisation_id")
                            .from(SubsidyPayment::Table, SubsidyPayment::OrganisationId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subsidy_payment_contract_id")
                            .from(SubsidyPayment::Table, SubsidyPayment::ContractId)
                            .to(ApprenticeshipContract::Table, ApprenticeshipContract::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subsidy_payment_organisation_id")
                    .table(SubsidyPayment::Table)
                    .col(SubsidyPayment::OrganisationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subsidy_payment_contract_id")
                    .table(SubsidyPayment::Table)
                    .col(SubsidyPayment::ContractId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SubsidyPayment::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TradeTest::Table).to_owned())
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(ApprenticeshipContract::Table)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApprenticeshipContract {
    Table,
    Id,
    PersonId,
    CompanyId,
    TrainingOfficeId,
    ProgrammeAreaId,
    Kind,
    Status,
    StartDate,
    EndDate,
    ApprovedOn,
}

#[derive(DeriveIden)]
enum TradeTest {
    Table,
    Id,
    PersonId,
    ContractId,
    ProgrammeAreaId,
    ExamBoardId,
    Kind,
    RegisteredOn,
    TestDate,
    Result,
}

#[derive(DeriveIden)]
enum SubsidyPayment {
    Table,
    Id,
    OrganisationId,
    ContractId,
    AmountOre,
    PaidOn,
    Period,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ProgrammeArea {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ExamBoard {
    Table,
    Id,
}
