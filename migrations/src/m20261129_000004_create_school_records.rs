//! Creates `enrolment`, `subject_result`, `absence`, `diploma`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Enrolment::Table)
                    .col(pk_auto(Enrolment::Id))
                    .col(integer(Enrolment::PersonId))
                    .col(integer(Enrolment::SchoolId))
                    .col(integer(Enrolment::ProgrammeAreaId))
                    .col(integer(Enrolment::SchoolYear))
                    .col(string_len(Enrolment::Status, 32))
                    .col(integer(Enrolment::CoursePercentage))
                    .col(date(Enrolment::StartDate))
                    .col(date_null(Enrolment::EndDate))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolment_person_id")
                            .from(Enrolment::Table, Enrolment::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolment_school_id")
                            .from(Enrolment::Table, Enrolment::SchoolId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrolment_programme_area_id")
                            .from(Enrolment::Table, Enrolment::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolment_person_id")
                    .table(Enrolment::Table)
                    .col(Enrolment::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolment_school_id_school_year")
                    .table(Enrolment::Table)
                    .col(Enrolment::SchoolId)
                    .col(Enrolment::SchoolYear)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolment_status")
                    .table(Enrolment::Table)
                    .col(Enrolment::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SubjectResult::Table)
                    .col(pk_auto(SubjectResult::Id))
                    .col(integer(SubjectResult::PersonId))
                    .col(integer_null(SubjectResult::SchoolId))
                    .col(integer_null(SubjectResult::EnrolmentId))
                    .col(string_len(SubjectResult::SubjectCode, 16))
                    .col(string_len(SubjectResult::Grade, 2))
                    .col(string_len(SubjectResult::Kind, 32))
                    .col(integer(SubjectResult::SchoolYear))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subject_result_person_id")
                            .from(SubjectResult::Table, SubjectResult::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subject_result_school_id")
                            .from(SubjectResult::Table, SubjectResult::SchoolId)
                            .to(Organisation::Table, Organisation::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_subject_result_enrolment_id")
                            .from(SubjectResult::Table, SubjectResult::EnrolmentId)
                            .to(Enrolment::Table, Enrolment::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subject_result_person_id")
                    .table(SubjectResult::Table)
                    .col(SubjectResult::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subject_result_school_id")
                    .table(SubjectResult::Table)
                    .col(SubjectResult::SchoolId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subject_result_kind_school_year")
                    .table(SubjectResult::Table)
                    .col(SubjectResult::Kind)
                    .col(SubjectResult::SchoolYear)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Absence::Table)
                    .col(pk_auto(Absence::Id))
                    .col(integer(Absence::PersonId))
                    .col(integer_uniq(Absence::EnrolmentId))
                    .col(integer(Absence::SchoolYear))
                    .col(integer(Absence::Days))
                    .col(integer(Absence::Hours))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_absence_person_id")
                            .from(Absence::Table, Absence::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_absence_enrolment_id")
                            .from(Absence::Table, Absence::EnrolmentId)
                            .to(Enrolment::Table, Enrolment::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_absence_person_id")
                    .table(Absence::Table)
                    .col(Absence::PersonId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Diploma::Table)
                    .col(pk_auto(Diploma::Id))
                    .col(integer(Diploma::PersonId))
                    .col(string_len(Diploma::Kind, 32))
                    .col(integer_null(Diploma::ProgrammeAreaId))
                    .col(date(Diploma::IssuedOn))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_diploma_person_id")
                            .from(Diploma::Table, Diploma::PersonId)
                            .to(Person::Table, Person::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_diploma_programme_area_id")
                            .from(Diploma::Table, Diploma::ProgrammeAreaId)
                            .to(ProgrammeArea::Table, ProgrammeArea::Id)
                            .on_delete(ForeignKeyAction::NoAction),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_diploma_person_id")
                    .table(Diploma::Table)
                    .col(Diploma::PersonId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Diploma::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Absence::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(SubjectResult::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Enrolment::Table).to_owned())
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Enrolment {
    Table,
    Id,
    PersonId,
    SchoolId,
    ProgrammeAreaId,
    SchoolYear,
    Status,
    CoursePercentage,
    StartDate,
    EndDate,
}

#[derive(DeriveIden)]
enum SubjectResult {
    Table,
    Id,
    PersonId,
    SchoolId,
    EnrolmentId,
    SubjectCode,
    Grade,
    Kind,
    SchoolYear,
}

#[derive(DeriveIden)]
enum Absence {
    Table,
    Id,
    PersonId,
    EnrolmentId,
    SchoolYear,
    Days,
    Hours,
}

#[derive(DeriveIden)]
enum Diploma {
    Table,
    Id,
    PersonId,
    Kind,
    ProgrammeAreaId,
    IssuedOn,
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
