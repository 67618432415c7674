//! Closed sets of codes stored as short strings, so both backends store them the same way.

use sea_orm::entity::prelude::*;

/// What an organisation is to the county.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OrganisationKind {
    /// Upper-secondary school (videregående skole).
    #[sea_orm(string_value = "school")]
    School,
    /// Training company (lærebedrift), possibly a member company of a training office.
    #[sea_orm(string_value = "company")]
    Company,
    /// Training office (opplæringskontor) that holds contracts for member companies.
    #[sea_orm(string_value = "training_office")]
    TrainingOffice,
    /// Public body receiving data (Lånekassen, SSB, …).
    #[sea_orm(string_value = "authority")]
    Authority,
}

impl OrganisationKind {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::School => "school",
            OrganisationKind::Company => "company",
            OrganisationKind::TrainingOffice => "training_office",
            OrganisationKind::Authority => "authority",
        }
    }
}

/// Where an application stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// Too few grades for points: handled by a caseworker.
    #[sea_orm(string_value = "individual_handling")]
    IndividualHandling,
    /// Withdrawn by the applicant, or on death.
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    /// Intake for the year is over.
    #[sea_orm(string_value = "closed")]
    Closed,
    /// The applicant lives outside the county by the population register: another county is
    /// responsible (residency check).
    #[sea_orm(string_value = "outside_county")]
    OutsideCounty,
}

impl ApplicationStatus {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::IndividualHandling => "individual_handling",
            ApplicationStatus::Withdrawn => "withdrawn",
            ApplicationStatus::Closed => "closed",
            ApplicationStatus::OutsideCounty => "outside_county",
        }
    }
}

/// State of one ranked wish during intake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum WishStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "offered")]
    Offered,
    /// On the waiting list for this higher-ranked wish.
    #[sea_orm(string_value = "waiting")]
    Waiting,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl WishStatus {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            WishStatus::Pending => "pending",
            WishStatus::Offered => "offered",
            WishStatus::Waiting => "waiting",
            WishStatus::Rejected => "rejected",
            WishStatus::Withdrawn => "withdrawn",
        }
    }
}

/// Intake round in which an offer was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum IntakeRound {
    /// Main intake in July.
    #[sea_orm(string_value = "main")]
    Main,
    /// Supplementary intake later in the year.
    #[sea_orm(string_value = "supplementary")]
    Supplementary,
    /// Apprenticeship placement: an offer of the applicant to an approved company, which
    /// answers it.
    #[sea_orm(string_value = "placement")]
    Placement,
}

impl IntakeRound {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            IntakeRound::Main => "main",
            IntakeRound::Supplementary => "supplementary",
            IntakeRound::Placement => "placement",
        }
    }
}

/// The applicant's answer to an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum OfferAnswer {
    #[sea_orm(string_value = "unanswered")]
    Unanswered,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    /// Accepted, staying on waiting lists for higher wishes.
    #[sea_orm(string_value = "accepted_waiting")]
    AcceptedWaiting,
    #[sea_orm(string_value = "declined")]
    Declined,
}

impl OfferAnswer {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            OfferAnswer::Unanswered => "unanswered",
            OfferAnswer::Accepted => "accepted",
            OfferAnswer::AcceptedWaiting => "accepted_waiting",
            OfferAnswer::Declined => "declined",
        }
    }
}

/// Status of an enrolment (elevforhold).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum EnrolmentStatus {
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Left before the school year ended (sluttet).
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
    #[sea_orm(string_value = "transferred")]
    Transferred,
}

impl EnrolmentStatus {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            EnrolmentStatus::Active => "active",
            EnrolmentStatus::Completed => "completed",
            EnrolmentStatus::Withdrawn => "withdrawn",
            EnrolmentStatus::Transferred => "transferred",
        }
    }
}

/// Which assessment a subject result is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ResultKind {
    /// Final grade from lower secondary (standpunkt, grunnskole).
    #[sea_orm(string_value = "lower_secondary_final")]
    LowerSecondaryFinal,
    /// Exam grade from lower secondary.
    #[sea_orm(string_value = "lower_secondary_exam")]
    LowerSecondaryExam,
    /// Final grade in upper secondary (standpunkt).
    #[sea_orm(string_value = "final")]
    Final,
    #[sea_orm(string_value = "written_exam")]
    WrittenExam,
    #[sea_orm(string_value = "oral_exam")]
    OralExam,
}

impl ResultKind {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            ResultKind::LowerSecondaryFinal => "lower_secondary_final",
            ResultKind::LowerSecondaryExam => "lower_secondary_exam",
            ResultKind::Final => "final",
            ResultKind::WrittenExam => "written_exam",
            ResultKind::OralExam => "oral_exam",
        }
    }
}

/// Kind of apprenticeship contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ContractKind {
    /// Lærekontrakt: towards a trade or journeyman certificate.
    #[sea_orm(string_value = "apprentice")]
    Apprentice,
    /// Opplæringskontrakt: towards a certificate of competence.
    #[sea_orm(string_value = "training_candidate")]
    TrainingCandidate,
}

impl ContractKind {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            ContractKind::Apprentice => "apprentice",
            ContractKind::TrainingCandidate => "training_candidate",
        }
    }
}

/// Lifecycle of an apprenticeship contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum ContractStatus {
    /// Registered, not yet approved by the county.
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Ended before its time (hevet).
    #[sea_orm(string_value = "terminated")]
    Terminated,
    #[sea_orm(string_value = "completed")]
    Completed,
}

impl ContractStatus {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            ContractStatus::Draft => "draft",
            ContractStatus::Approved => "approved",
            ContractStatus::Terminated => "terminated",
            ContractStatus::Completed => "completed",
        }
    }
}

/// Kind of final test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TradeTestKind {
    /// Fagprøve.
    #[sea_orm(string_value = "trade_test")]
    TradeTest,
    /// Svenneprøve.
    #[sea_orm(string_value = "journeyman_test")]
    JourneymanTest,
    /// Kompetanseprøve.
    #[sea_orm(string_value = "competence_test")]
    CompetenceTest,
}

impl TradeTestKind {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            TradeTestKind::TradeTest => "trade_test",
            TradeTestKind::JourneymanTest => "journeyman_test",
            TradeTestKind::CompetenceTest => "competence_test",
        }
    }
}

/// Outcome of a trade test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum TradeTestResult {
    /// Bestått.
    #[sea_orm(string_value = "passed")]
    Passed,
    /// Bestått meget godt.
    #[sea_orm(string_value = "passed_with_distinction")]
    PassedWithDistinction,
    /// Ikke bestått.
    #[sea_orm(string_value = "failed")]
    Failed,
}

impl TradeTestResult {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            TradeTestResult::Passed => "passed",
            TradeTestResult::PassedWithDistinction => "passed_with_distinction",
            TradeTestResult::Failed => "failed",
        }
    }
}

/// Kind of education right (opplæringsrett).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum RightKind {
    /// Ungdomsrett.
    #[sea_orm(string_value = "youth")]
    Youth,
    /// Voksenrett.
    #[sea_orm(string_value = "adult")]
    Adult,
}

impl RightKind {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            RightKind::Youth => "youth",
            RightKind::Adult => "adult",
        }
    }
}

/// Kind of certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum DiplomaKind {
    /// Vitnemål.
    #[sea_orm(string_value = "diploma")]
    Diploma,
    /// Kompetansebevis.
    #[sea_orm(string_value = "certificate_of_competence")]
    CertificateOfCompetence,
    /// Fagbrev.
    #[sea_orm(string_value = "trade_certificate")]
    TradeCertificate,
    /// Svennebrev.
    #[sea_orm(string_value = "journeyman_certificate")]
    JourneymanCertificate,
}

impl DiplomaKind {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            DiplomaKind::Diploma => "diploma",
            DiplomaKind::CertificateOfCompetence => "certificate_of_competence",
            DiplomaKind::TradeCertificate => "trade_certificate",
            DiplomaKind::JourneymanCertificate => "journeyman_certificate",
        }
    }
}

/// Kind of automated decision. Stored as its code in `automated_decision.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter)]
pub enum DecisionKind {
    /// Intake points for Vg1 or the next level.
    IntakePoints,
    /// A school place offered (or not) in an intake round.
    Allocation,
    /// The education right and its assessment.
    EducationRight,
    /// Whether the county is responsible, from the registered address.
    Residency,
    /// An apprenticeship offered to an approved company.
    ApprenticeshipPlacement,
}

impl DecisionKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            DecisionKind::IntakePoints => "intake_points",
            DecisionKind::Allocation => "allocation",
            DecisionKind::EducationRight => "education_right",
            DecisionKind::Residency => "residency",
            DecisionKind::ApprenticeshipPlacement => "apprenticeship_placement",
        }
    }

    /// The kind stored as `code`, if it is one.
    pub fn from_code(code: &str) -> Option<Self> {
        use sea_orm::Iterable;
        DecisionKind::iter().find(|k| k.code() == code)
    }
}

/// Whether an audited access was served or denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
pub enum AccessOutcome {
    #[sea_orm(string_value = "allowed")]
    Allowed,
    #[sea_orm(string_value = "denied")]
    Denied,
}

impl AccessOutcome {
    /// The stored code, without allocating.
    pub fn code(self) -> &'static str {
        match self {
            AccessOutcome::Allowed => "allowed",
            AccessOutcome::Denied => "denied",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn codes_are_the_stored_values() {
        for kind in ResultKind::iter() {
            assert_eq!(kind.code(), kind.to_value());
        }
        for status in EnrolmentStatus::iter() {
            assert_eq!(status.code(), status.to_value());
        }
        for result in TradeTestResult::iter() {
            assert_eq!(result.code(), result.to_value());
        }
    }
}
