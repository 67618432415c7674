//! Creates `programme_area`, `organisation`, `approved_trade`, `school_offer`, `employee`, `employee_role`, `exam_board`, `exam_board_member`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProgrammeArea::Table)
                    .col(pk_auto(ProgrammeArea::Id))
                    .col(string_len_uniq(ProgrammeArea::Code, 10))
                    .col(string_len(ProgrammeArea::Name, 200))
                    .col(string_len(ProgrammeArea::Level, 16))
                    .col(string_len(ProgrammeArea::EducationProgramme, 2))
                    .col(boolean(ProgrammeArea::Vocational))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_programme_area_education_programme")
                    .table(ProgrammeArea::Table)
                    .col(ProgrammeArea::EducationProgramme)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organisation::Table)
                    .col(pk_auto(Organisation::Id))
                    .col(string_len_uniq(Organisation::OrgNo, 9))
                    .col(string_len(Organisation::Name, 200))
                    .col(string_len(Organisation::Kind, 32))
                    .col(string_len_null(Organisation::SchoolNumber, 5).unique_key())
                    .col(string_len_null(Organisation::MunicipalityCode, 4))
                    .col(integer_null(Organisation::TrainingOfficeId))
                    .col(string_len_null(Organisation::AccountNo, 11))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisation_training_office_id")
                            .from(Organisation::Table, Organisation::TrainingOfficeId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organisation_kind")
                    .table(Organisation::Table)
                    .col(Organisation::Kind)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organisation_training_office_id")
                    .table(Organisation::Table)
                    .col(Organisation::TrainingOfficeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApprovedTrade::Table)
                    .col(pk_auto(ApprovedTrade::Id))
                    .col(integer(ApprovedTrade::OrganisationId))
                    .col(integer(ApprovedTrade::ProgrammeAreaId))
                    .col(date(ApprovedTrade::ApprovedOn))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_approved_trade_organisation_id")
                            .from(ApprovedTrade::Table, ApprovedTrade::OrganisationId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_approved_trade_programme_area_id")
                            .from(ApprovedTrade::Table, ApprovedTrade::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_approved_trade_organisation_id_programme_area_id")
                    .table(ApprovedTrade::Table)
                    .col(ApprovedTrade::OrganisationId)
                    .col(ApprovedTrade::ProgrammeAreaId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_approved_trade_programme_area_id")
                    .table(ApprovedTrade::Table)
                    .col(ApprovedTrade::ProgrammeAreaId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SchoolOffer::Table)
                    .col(pk_auto(SchoolOffer::Id))
                    .col(integer(SchoolOffer::SchoolId))
                    .col(integer(SchoolOffer::ProgrammeAreaId))
                    .col(integer(SchoolOffer::IntakeYear))
                    .col(integer(SchoolOffer::Capacity))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_school_offer_school_id")
                            .from(SchoolOffer::Table, SchoolOffer::SchoolId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_school_offer_programme_area_id")
                            .from(SchoolOffer::Table, SchoolOffer::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_school_offer_school_id_programme_area_id_intake_year")
                    .table(SchoolOffer::Table)
                    .col(SchoolOffer::SchoolId)
                    .col(SchoolOffer::ProgrammeAreaId)
                    .col(SchoolOffer::IntakeYear)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_school_offer_programme_area_id_intake_year")
                    .table(SchoolOffer::Table)
                    .col(SchoolOffer::ProgrammeAreaId)
                    .col(SchoolOffer::IntakeYear)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Employee::Table)
                    .col(pk_auto(Employee::Id))
                    .col(integer(Employee::OrganisationId))
                    .col(string_len(Employee::GivenName, 100))
                    .col(string_len(Employee::FamilyName, 100))
                    .col(string_len_null(Employee::Email, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_employee_organisation_id")
                            .from(Employee::Table, Employee::OrganisationId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_employee_organisation_id")
                    .table(Employee::Table)
                    .col(Employee::OrganisationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmployeeRole::Table)
                    .col(pk_auto(EmployeeRole::Id))
                    .col(integer(EmployeeRole::EmployeeId))
                    .col(string_len(EmployeeRole::Role, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_employee_role_employee_id")
                            .from(EmployeeRole::Table, EmployeeRole::EmployeeId)
                            .to(Employee::Table, Employee::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_employee_role_employee_id_role")
                    .table(EmployeeRole::Table)
                    .col(EmployeeRole::EmployeeId)
                    .col(EmployeeRole::Role)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExamBoard::Table)
                    .col(pk_auto(ExamBoard::Id))
                    .col(string_len(ExamBoard::Name, 200))
                    .col(integer(ExamBoard::ProgrammeAreaId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_exam_board_programme_area_id")
                            .from(ExamBoard::Table, ExamBoard::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_exam_board_programme_area_id")
                    .table(ExamBoard::Table)
                    .col(ExamBoard::ProgrammeAreaId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExamBoardMember::Table)
                    .col(pk_auto(ExamBoardMember::Id))
                    .col(integer(ExamBoardMember::ExamBoardId))
                    .col(integer(ExamBoardMember::EmployeeId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_exam_board_member_exam_board_id")
                            .from(ExamBoardMember::Table, ExamBoardMember::ExamBoardId)
                            .to(ExamBoard::Table, ExamBoard::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_exam_board_member_employee_id")
                            .from(ExamBoardMember::Table, ExamBoardMember::EmployeeId)
                            .to(Employee::Table, Employee::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_exam_board_member_exam_board_id_employee_id")
                    .table(ExamBoardMember::Table)
                    .col(ExamBoardMember::ExamBoardId)
                    .col(ExamBoardMember::EmployeeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_exam_board_member_employee_id")
                    .table(ExamBoardMember::Table)
                    .col(ExamBoardMember::EmployeeId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExamBoardMember::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ExamBoard::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(EmployeeRole::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Employee::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SchoolOffer::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ApprovedTrade::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Organisation::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProgrammeArea::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ProgrammeArea {
    Table,
    Id,
    Code,
    Name,
    Level,
    EducationProgramme,
    Vocational,
}

#[derive(DeriveIden)]
enum Organisation {
    Table,
    Id,
    OrgNo,
    Name,
    Kind,
    SchoolNumber,
    MunicipalityCode,
    TrainingOfficeId,
    AccountNo,
}

#[derive(DeriveIden)]
enum ApprovedTrade {
    Table,
    Id,
    OrganisationId,
    ProgrammeAreaId,
    ApprovedOn,
}

#[derive(DeriveIden)]
enum SchoolOffer {
    Table,
    Id,
    SchoolId,
    ProgrammeAreaId,
    IntakeYear,
    Capacity,
}

#[derive(DeriveIden)]
enum Employee {
    Table,
    Id,
    OrganisationId,
    GivenName,
    FamilyName,
    Email,
}

#[derive(DeriveIden)]
enum EmployeeRole {
    Table,
    Id,
    EmployeeId,
    Role,
}

#[derive(DeriveIden)]
enum ExamBoard {
    Table,
    Id,
    Name,
    ProgrammeAreaId,
}

#[derive(DeriveIden)]
enum ExamBoardMember {
    Table,
    Id,
    ExamBoardId,
    EmployeeId,
}
