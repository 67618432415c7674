//! Closed code sets as GraphQL enums, so that partners' generated clients know every value.
//! Each mirrors the stored code set of `vigo-entities` one to one (the database keeps its
//! lower-case codes; GraphQL shows the conventional `UPPER_CASE` values).

use vigo_entities::enums as stored;

/// A GraphQL enum mirroring a stored code set, with conversions both ways.
macro_rules! api_enums {
    ($($(#[$meta:meta])* $name:ident from $source:path {
        $($(#[$vmeta:meta])* $variant:ident,)*
    };)*) => {$(
        $(#[$meta])*
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl From<$source> for $name {
            fn from(value: $source) -> Self {
                match value {
                    $(<$source>::$variant => $name::$variant,)*
                }
            }
        }

        impl From<$name> for $source {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => <$source>::$variant,)*
                }
            }
        }
    )*};
}

api_enums! {
    /// What an organisation is to the county.
    OrganisationKind from stored::OrganisationKind {
        /// Upper-secondary school (videregående skole).
        School,
        /// Training company (lærebedrift), possibly a member company of a training office.
        Company,
        /// Training office (opplæringskontor) that holds contracts for member companies.
        TrainingOffice,
        /// Public body receiving data (Lånekassen, SSB, …).
        Authority,
    };
    /// Where an application stands.
    ApplicationStatus from stored::ApplicationStatus {
        /// Submitted and open for intake.
        Submitted,
        /// Too few grades for points: handled by a caseworker.
        IndividualHandling,
        /// Withdrawn by the applicant, or on death.
        Withdrawn,
        /// Intake for the year is over.
        Closed,
        /// The applicant lives outside the county by the population register: another
        /// county is responsible (residency check).
        OutsideCounty,
    };
    /// State of one ranked wish during intake.
    WishStatus from stored::WishStatus {
        /// Not yet decided in intake.
        Pending,
        /// A place was offered for this wish (see `Wish.offers`).
        Offered,
        /// On the waiting list for this higher-ranked wish.
        Waiting,
        /// No place was offered for this wish.
        Rejected,
        /// No longer in play: withdrawn with the application, or ranked below a wish that got
        /// an offer.
        Withdrawn,
    };
    /// Intake round in which an offer was made.
    IntakeRound from stored::IntakeRound {
        /// Main intake in July.
        Main,
        /// Supplementary intake later in the year.
        Supplementary,
        /// Apprenticeship placement: an offer of the applicant to an approved company, which
        /// answers it.
        Placement,
    };
    /// The applicant's answer to an offer.
    OfferAnswer from stored::OfferAnswer {
        /// The applicant has not answered yet.
        Unanswered,
        /// Accepted.
        Accepted,
        /// Accepted, staying on waiting lists for higher wishes.
        AcceptedWaiting,
        /// Declined.
        Declined,
    };
    /// Status of an enrolment (elevforhold).
    EnrolmentStatus from stored::EnrolmentStatus {
        /// The pupil attends.
        Active,
        /// The school year was completed.
        Completed,
        /// Left before the school year ended (sluttet).
        Withdrawn,
        /// Moved to another school or programme area before the school year ended.
        Transferred,
    };
    /// Which assessment a subject result is.
    ResultKind from stored::ResultKind {
        /// Final grade from lower secondary (standpunkt, grunnskole).
        LowerSecondaryFinal,
        /// Exam grade from lower secondary.
        LowerSecondaryExam,
        /// Final grade in upper secondary (standpunkt).
        Final,
        /// Written exam grade in upper secondary (skriftlig eksamen).
        WrittenExam,
        /// Oral exam grade in upper secondary (muntlig eksamen).
        OralExam,
    };
    /// Kind of apprenticeship contract.
    ContractKind from stored::ContractKind {
        /// Lærekontrakt: towards a trade or journeyman certificate.
        Apprentice,
        /// Opplæringskontrakt: towards a certificate of competence.
        TrainingCandidate,
    };
    /// Lifecycle of an apprenticeship contract.
    ContractStatus from stored::ContractStatus {
        /// Registered, not yet approved by the county.
        Draft,
        /// Approved by the county (see `ApprenticeshipContract.approvedOn`).
        Approved,
        /// Ended before its time (hevet).
        Terminated,
        /// Ran to its agreed end.
        Completed,
    };
    /// Kind of final test.
    TradeTestKind from stored::TradeTestKind {
        /// Fagprøve.
        TradeTest,
        /// Svenneprøve.
        JourneymanTest,
        /// Kompetanseprøve.
        CompetenceTest,
    };
    /// Outcome of a trade test.
    TradeTestResult from stored::TradeTestResult {
        /// Bestått.
        Passed,
        /// Bestått meget godt.
        PassedWithDistinction,
        /// Ikke bestått.
        Failed,
    };
    /// Kind of education right (opplæringsrett).
    RightKind from stored::RightKind {
        /// Ungdomsrett.
        Youth,
        /// Voksenrett.
        Adult,
    };
    /// Kind of certificate.
    DiplomaKind from stored::DiplomaKind {
        /// Vitnemål.
        Diploma,
        /// Kompetansebevis.
        CertificateOfCompetence,
        /// Fagbrev.
        TradeCertificate,
        /// Svennebrev.
        JourneymanCertificate,
    };
    /// Kind of national identity number.
    IdKind from vigo_entities::ids::IdKind {
        /// Fødselsnummer.
        BirthNumber,
        /// D-nummer.
        DNumber,
        /// H-nummer.
        HNumber,
        /// Vigo's temporary number (S-nummer).
        Temporary,
    };
    /// Gender, where the national id tells it.
    Gender from vigo_entities::ids::Gender {
        /// Female.
        Female,
        /// Male.
        Male,
    };
    /// The parties of the access matrix.
    Role from vigo_policy::Role {
        /// County caseworker: administration and intake.
        Caseworker,
        /// Upper-secondary school.
        School,
        /// Training company (lærebedrift) or training office.
        Company,
        /// Follow-up service (oppfølgingstjenesten).
        Ot,
        /// State Educational Loan Fund.
        Lanekassen,
        /// Statistics Norway.
        Ssb,
        /// Directorate for Education and Training.
        Udir,
        /// Population register.
        Folkeregister,
        /// Sends MinID notices to pupils finishing lower secondary.
        Difi,
        /// National diploma register.
        Vitnemalsregister,
        /// Exam board (prøvenemnd).
        ExamBoard,
        /// Bank paying subsidies.
        Bank,
        /// The county's archive.
        Websak,
        /// A pupil, apprentice or applicant, about themself.
        Student,
        /// The county's privacy officer (personvernombud).
        PrivacyOfficer,
    };
    /// Why a party processes data; every access is bound to one.
    Purpose from vigo_policy::Purpose {
        /// Administering pupils, applicants and their records.
        Administration,
        /// Intake (inntak): applications, intake points and offers of places.
        Intake,
        /// Apprenticeships: applicants for trades, contracts and apprentices.
        Apprenticeship,
        /// Follow-up (oppfølgingstjenesten) of young people outside school or work.
        FollowUp,
        /// Lånekassen's administration of educational loans and grants.
        LoanAdministration,
        /// Official statistics.
        Statistics,
        /// Keeping names and addresses current from the population register.
        AddressUpdate,
        /// Sending MinID notices to pupils finishing lower secondary.
        MinidNotice,
        /// Registering diplomas in the national diploma register.
        DiplomaRegistration,
        /// Holding and assessing trade, journeyman and competence tests (prøvenemnd).
        TradeTest,
        /// Paying subsidies (lærlingtilskudd) to training companies.
        Payments,
        /// Archiving case records in the county's archive.
        Archive,
        /// A person's access to their own data and to who has seen it (innsyn).
        SelfService,
        /// Overseeing privacy: the access policy, the audit trail and denials.
        PolicyAdministration,
    };
    /// What kind of read was refused.
    DenialKind from crate::denials::DenialKind {
        /// A field the caller's mask denies.
        Field,
        /// A person outside the caller's row scope.
        Row,
        /// An operation the caller's role may not use.
        Operation,
    };
    /// Kind of automated decision (GDPR art. 22), each explained to the person.
    DecisionKind from stored::DecisionKind {
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
    };
}
