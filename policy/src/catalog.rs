//! The field catalog: every GraphQL field that can carry personal data, by data category.
//!
//! Policies grant categories or single fields; the gate compiles them into a mask over
//! this catalog. A field that is not listed here is visible to nobody, and a test in the
//! API walks the schema to make sure every field of a data type is listed.

use std::fmt;
use std::str::FromStr;

use crate::PolicyError;

crate::code_enum!(
    /// A data category: the unit in which the access matrix speaks.
    Category, UnknownCategory {
        /// Who the person is: national id, names, birth date, gender, citizenship.
        Identity => "identity",
        /// Address, phone and email.
        Contact => "contact",
        /// Enrolments (elevforhold).
        Enrolment => "enrolment",
        /// Grades and exams.
        Results => "results",
        /// Absence.
        Absence => "absence",
        /// Applications, wishes and offers.
        Admission => "admission",
        /// The change log of applications, with who changed what.
        AdmissionLog => "admission_log",
        /// The change log of contact data: each field before and after, from where, by whom.
        ContactLog => "contact_log",
        /// Apprenticeship and training contracts.
        Contracts => "contracts",
        /// Trade, journeyman and competence tests.
        TradeTests => "trade_tests",
        /// Education rights (opplæringsrett) and their assessment.
        Rights => "rights",
        /// Follow-up service (OT) statuses.
        FollowUp => "follow_up",
        /// Whether the person is a Lånekassen customer.
        Loan => "loan",
        /// Diplomas and certificates.
        Diplomas => "diplomas",
        /// Automated decisions and their explanations.
        Decisions => "decisions",
        /// Which employee changed a record (a token's subject): for the county's own staff,
        /// never for the person, who sees the organisation and the role.
        Employee => "employee",
        /// Who has read the person's data (issue of the audit trail).
        AccessLog => "access_log",
        /// What was disclosed to whom.
        Disclosures => "disclosures",
        /// Organisations: numbers, names, kinds, offers and approved trades.
        Organisation => "organisation",
        /// Organisations' bank accounts.
        OrganisationAccount => "organisation_account",
        /// Subsidies paid to training companies.
        Subsidies => "subsidies",
        /// Code lists: programme areas and exam boards.
        Reference => "reference",
    }
);

/// One classified field: `type_name.field` belongs to `category`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CatalogField {
    pub type_name: &'static str,
    pub field: &'static str,
    pub category: Category,
}

macro_rules! catalog {
    ($($type_name:ident { $($field:ident),* $(,)? } => $category:ident;)*) => {
        &[$($(CatalogField {
            type_name: stringify!($type_name),
            field: stringify!($field),
            category: Category::$category,
        },)*)*]
    };
}

/// Every classified field. Names are as in the GraphQL schema.
pub const FIELDS: &[CatalogField] = catalog! {
    Person { id, nationalId, idKind, givenName, familyName, birthDate, gender, citizenship,
             deceasedOn } => Identity;
    Person { contact } => Contact;
    Contact { address, postalCode, city, municipalityCode, phone, email } => Contact;
    Contact { changes } => ContactLog;
    ContactChange { changedAt, source, actorRole, detail } => ContactLog;
    Person { enrolments } => Enrolment;
    Enrolment { school, programmeArea, schoolYear, status, coursePercentage, startDate,
                endDate } => Enrolment;
    Person { results } => Results;
    SubjectResult { subjectCode, grade, kind, schoolYear, school, passed } => Results;
    Person { absence } => Absence;
    Absence { schoolYear, days, hours } => Absence;
    Person { applications } => Admission;
    Application { intakeYear, points, status, submittedAt, wishes } => Admission;
    Wish { rank, programmeArea, school, apprenticeship, status, offers } => Admission;
    Offer { id, round, offeredAt, answer, answeredAt, company } => Admission;
    Application { changes } => AdmissionLog;
    ApplicationChange { changedAt, actorRole, actorOrg, change, detail } => AdmissionLog;
    ApplicationChange { actor } => Employee;
    Person { contracts } => Contracts;
    ApprenticeshipContract { id, company, trainingOffice, trade, kind, status, startDate,
                             endDate, approvedOn } => Contracts;
    Organisation { apprentices } => Contracts;
    Person { tradeTests } => TradeTests;
    TradeTest { id, kind, trade, examBoard, registeredOn, testDate, result } => TradeTests;
    Person { educationRights } => Rights;
    EducationRight { kind, startDate, expiresOn, years, programmeChangeUsed,
                     assessment } => Rights;
    Person { followUp } => FollowUp;
    FollowUpStatus { code, registeredAt, schoolYear } => FollowUp;
    Person { loanCustomer } => Loan;
    Person { diplomas } => Diplomas;
    Diploma { kind, programmeArea, issuedOn } => Diplomas;
    Person { decisions } => Decisions;
    Person { accessLog } => AccessLog;
    Person { disclosures } => Disclosures;
    Disclosure { at, recipient, extract, purpose, legalBasis } => Disclosures;
    AccessEvent { id, at, actorRole, actorOrg, actorOrgName, purpose, operation, categories, hash } => AccessLog;
    AccessLogProof { eventId, eventHash, treeSize, path, checkpoint } => AccessLog;
    Decision { kind, madeAt, outcome, explanation, inputs } => Decisions;
    Organisation { orgNo, name, kind, schoolNumber, municipalityCode, trainingOffice, offers,
                   approvedTrades } => Organisation;
    SchoolOffer { programmeArea, intakeYear, capacity } => Organisation;
    ApprovedTrade { trade, approvedOn } => Organisation;
    Organisation { accountNo } => OrganisationAccount;
    Organisation { subsidyPayments } => Subsidies;
    SubsidyPayment { amount, paidOn, period } => Subsidies;
    ProgrammeArea { code, name, level, educationProgramme, vocational } => Reference;
    ExamBoard { name } => Reference;
};

/// Types outside the field mask: roots, whose fields the row scope and the resource grants
/// govern; the connection plumbing of pagination; the privacy officer's types, which only
/// the `policy` and `audit_trail` resources reach; and the statistics catalogue's, which only
/// the `statistics` resource reaches and which hold no personal data.
pub const STRUCTURAL_TYPES: &[&str] = &[
    "Query",
    "Caller",
    "Mutation",
    "PersonConnection",
    "PersonEdge",
    "PageInfo",
    "PolicyDocument",
    "PolicyChange",
    "PolicyDifference",
    "GrantDifference",
    "AccessExplanation",
    "PolicySimulation",
    "SimulatedAccess",
    "SimulatedRecord",
    "AccessMatrix",
    "PointsRun",
    "RightsRun",
    "IntakeRunResult",
    "PlacementRun",
    "MatrixCategory",
    "MatrixRow",
    "MatrixCell",
    "DenialCount",
    "Denial",
    "AuditEvent",
    "StatisticInfo",
    "StatisticDimension",
];

/// An argument that selects persons by what they hold. Using it reads the fields it tests
/// (a filter on enrolments' school tells whose enrolment is at that school), so the caller
/// may use it only if its mask allows every one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selector {
    /// As the API names it, e.g. `PersonFilter.school`.
    pub argument: &'static str,
    /// The fields it tests, as `(type, field)`, from the person down.
    pub reads: &'static [(&'static str, &'static str)],
}

/// Every argument of the API that selects persons.
pub const SELECTORS: &[Selector] = &[
    Selector {
        argument: "Query.person.nationalId",
        reads: &[("Person", "nationalId")],
    },
    Selector {
        argument: "PersonFilter.school",
        reads: &[("Person", "enrolments"), ("Enrolment", "school")],
    },
    Selector {
        argument: "PersonFilter.programmeArea",
        reads: &[("Person", "enrolments"), ("Enrolment", "programmeArea")],
    },
    Selector {
        argument: "PersonFilter.status",
        reads: &[("Person", "enrolments"), ("Enrolment", "status")],
    },
    Selector {
        argument: "PersonFilter.intakeYear",
        reads: &[("Person", "applications"), ("Application", "intakeYear")],
    },
    Selector {
        argument: "PersonFilter.trade",
        reads: &[
            ("Person", "applications"),
            ("Application", "wishes"),
            ("Wish", "programmeArea"),
            ("Wish", "apprenticeship"),
        ],
    },
    Selector {
        argument: "PersonFilter.offered",
        reads: &[
            ("Person", "applications"),
            ("Application", "wishes"),
            ("Wish", "offers"),
        ],
    },
    Selector {
        argument: "PersonFilter.hasContract",
        reads: &[("Person", "contracts")],
    },
];

/// The selector named `argument`; every argument that selects persons is listed.
pub fn selector(argument: &str) -> Option<&'static Selector> {
    SELECTORS.iter().find(|s| s.argument == argument)
}

/// The category of `type_name.field`, or `None` when the catalog does not classify it.
pub fn category_of(type_name: &str, field: &str) -> Option<Category> {
    FIELDS
        .iter()
        .find(|f| f.type_name == type_name && f.field == field)
        .map(|f| f.category)
}

/// Whether `type_name.field` names a classified field.
pub fn is_classified(type_name: &str, field: &str) -> bool {
    category_of(type_name, field).is_some()
}

impl fmt::Display for CatalogField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.type_name, self.field)
    }
}

/// Parses `Type.field` into the catalog entry it names.
impl FromStr for CatalogField {
    type Err = PolicyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split_once('.')
            .and_then(|(t, f)| FIELDS.iter().find(|c| c.type_name == t && c.field == f))
            .copied()
            .ok_or_else(|| PolicyError::UnknownField(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_field_is_classified_once() {
        let mut seen = HashSet::new();
        for field in FIELDS {
            assert!(seen.insert((field.type_name, field.field)), "{field} twice");
        }
    }

    #[test]
    fn every_category_classifies_something() {
        let used: HashSet<Category> = FIELDS.iter().map(|f| f.category).collect();
        for category in Category::ALL {
            assert!(used.contains(category), "{category} classifies no field");
        }
    }

    #[test]
    fn selectors_test_classified_fields() {
        for selector in SELECTORS {
            for (type_name, field) in selector.reads {
                assert!(
                    is_classified(type_name, field),
                    "{} reads {type_name}.{field}",
                    selector.argument
                );
            }
        }
    }

    #[test]
    fn fields_parse_by_name() {
        let field: CatalogField = "Contact.email".parse().unwrap();
        assert_eq!(field.category, Category::Contact);
        assert!("Contact.shoeSize".parse::<CatalogField>().is_err());
        assert!(!is_classified("Person", "shoeSize"));
    }
}
