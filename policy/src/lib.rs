//! Who may see what. Every read of personal data asks the [`Gate`] for the caller's
//! [`Access`]; nothing outside this crate decides access.
//!
//! The Casbin policy (`model.conf`, `default_policy.csv`, and the rules stored in the
//! database) is the source of truth. It speaks of catalogued fields and data categories
//! ([`catalog`]), named row scopes ([`scope`]) and a few resources; the [`Gate`] compiles it
//! per role and purpose into look-up tables. Anything not explicitly allowed is denied.

pub mod catalog;
pub mod diff;
pub mod document;
pub mod explain;
mod gate;
pub mod lint;
pub mod roots;
pub mod scope;
pub mod store;

use std::fmt;
use std::str::FromStr;

use vigo_entities::ids::{NationalId, OrgNo, ProgrammeAreaCode};

pub use gate::{
    Access, Action, DEFAULT_POLICY, Effect, FieldMask, Gate, Grant, MODEL, Object, Policy, Rule,
    STATISTICS, WRITE_ONLY_RESOURCES, parse_rules,
};
pub use scope::{Record, RowScope, Scope, Today};

/// A closed set of codes with `code()`, `Display`, `FromStr` and `ALL`.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $error:ident { $($(#[doc = $vdoc:literal])* $variant:ident => $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[doc = $vdoc])* $variant),* }

        impl $name {
            /// The value's documentation, for generated documents (`docs/access.md`).
            pub fn doc(self) -> &'static str {
                match self { $($name::$variant => concat!("" $(, $vdoc)*).trim_start()),* }
            }

            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code used in tokens, policies and the audit trail.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl FromStr for $name {
            type Err = PolicyError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)*
                    other => Err(PolicyError::$error(other.to_owned())),
                }
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// The parties of the access matrix (DOMAIN.md).
    Role, UnknownRole {
        /// County caseworker: administration and intake.
        Caseworker => "caseworker",
        /// Upper-secondary school.
        School => "school",
        /// Training company (lærebedrift) or training office.
        Company => "company",
        /// Follow-up service (oppfølgingstjenesten).
        Ot => "ot",
        /// State Educational Loan Fund.
        Lanekassen => "lanekassen",
        /// Statistics Norway.
        Ssb => "ssb",
        /// Directorate for Education and Training.
        Udir => "udir",
        /// Population register.
        Folkeregister => "folkeregister",
        /// Sends MinID notices to pupils finishing lower secondary.
        Difi => "difi",
        /// National diploma register.
        Vitnemalsregister => "vitnemalsregister",
        /// Exam board (prøvenemnd).
        ExamBoard => "exam_board",
        /// Bank paying subsidies.
        Bank => "bank",
        /// The county's archive.
        Websak => "websak",
        /// A pupil, apprentice or applicant, about themself.
        Student => "student",
        /// The county's privacy officer (personvernombud).
        PrivacyOfficer => "privacy_officer",
    }
);

code_enum!(
    /// Why a party processes data; every access is bound to one.
    Purpose, UnknownPurpose {
        Administration => "administration",
        Intake => "intake",
        Apprenticeship => "apprenticeship",
        FollowUp => "follow_up",
        LoanAdministration => "loan_administration",
        Statistics => "statistics",
        AddressUpdate => "address_update",
        MinidNotice => "minid_notice",
        DiplomaRegistration => "diploma_registration",
        TradeTest => "trade_test",
        Payments => "payments",
        Archive => "archive",
        SelfService => "self_service",
        PolicyAdministration => "policy_administration",
    }
);

impl Role {
    /// The purpose used when a token names none: the role's purpose in the default policy.
    pub fn default_purpose(self) -> Purpose {
        use Purpose::*;
        match self {
            Role::Caseworker => Administration,
            Role::School => Administration,
            Role::Company => Apprenticeship,
            Role::Ot => FollowUp,
            Role::Lanekassen => LoanAdministration,
            Role::Ssb | Role::Udir => Statistics,
            Role::Folkeregister => AddressUpdate,
            Role::Difi => MinidNotice,
            Role::Vitnemalsregister => DiplomaRegistration,
            Role::ExamBoard => TradeTest,
            Role::Bank => Payments,
            Role::Websak => Archive,
            Role::Student => SelfService,
            Role::PrivacyOfficer => PolicyAdministration,
        }
    }

    /// Who the role is and what it is there for, in words for a newcomer (the demo's token
    /// list, refusals, `docs/access.md`): what the law lets the party receive, not the rules.
    pub fn description(self) -> &'static str {
        match self {
            Role::Caseworker => {
                "the county's caseworkers: register and correct data about everyone, run intake"
            }
            Role::School => {
                "an upper-secondary school: its own pupils, and the applicants offered a place there"
            }
            Role::Company => {
                "a training company (lærebedrift): applicants for its trades, and its apprentices"
            }
            Role::Ot => {
                "the follow-up service (OT): contact data and status of young people outside school or work"
            }
            Role::Lanekassen => {
                "Lånekassen, the State Educational Loan Fund: whether its customers are enrolled, no address"
            }
            Role::Ssb => {
                "Statistics Norway (SSB): receives statistics only, never records of persons"
            }
            Role::Udir => {
                "the Directorate for Education and Training (Udir): receives statistics only, never records of persons"
            }
            Role::Folkeregister => {
                "the National Population Register: national ids, to keep names and addresses current"
            }
            Role::Difi => {
                "Digdir (formerly Difi): national ids of pupils leaving lower secondary, to send MinID notices"
            }
            Role::Vitnemalsregister => {
                "the national diploma register (Vitnemålsportalen): diplomas of those who completed"
            }
            Role::ExamBoard => {
                "an exam board (prøvenemnd): the trade-test candidates of the trade it assesses"
            }
            Role::Bank => {
                "a bank paying subsidies to training companies: organisations and their accounts, no persons"
            }
            Role::Websak => {
                "the county's archive (WebSak): names and contact data for case records"
            }
            Role::Student => {
                "a pupil, apprentice or applicant: everything about themself, and who has looked at it"
            }
            Role::PrivacyOfficer => {
                "the county's privacy officer (personvernombud): the access policy, the audit trail and denials"
            }
        }
    }

    /// Whether the role acts for one organisation, whose number the token must carry.
    pub fn requires_org(self) -> bool {
        matches!(self, Role::School | Role::Company | Role::Bank)
    }

    /// Whether the role acts for one person, whose national id the token must carry.
    pub fn requires_person(self) -> bool {
        matches!(self, Role::Student)
    }

    /// Whether the role acts for one trade, whose programme area code the token must carry
    /// (an exam board assesses one trade).
    pub fn requires_trade(self) -> bool {
        matches!(self, Role::ExamBoard)
    }
}

/// Why a subject or a request was refused. Messages name what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("unknown role '{0}'; valid roles: {roles}", roles = list(Role::ALL))]
    UnknownRole(String),
    #[error("unknown purpose '{0}'; valid purposes: {purposes}", purposes = list(Purpose::ALL))]
    UnknownPurpose(String),
    #[error("role '{role}' may not act for purpose '{purpose}'; the policy grants it: {granted}", granted = if granted.is_empty() { "nothing".to_owned() } else { list(granted) })]
    PurposeNotAllowed {
        role: Role,
        purpose: Purpose,
        granted: Vec<Purpose>,
    },
    #[error("role '{0}' acts for an organisation: the organisation number is missing")]
    MissingOrg(Role),
    #[error("role '{0}' acts for one person: the national id is missing")]
    MissingPerson(Role),
    #[error("role '{0}' acts for one trade: the programme area code is missing")]
    MissingTrade(Role),
    #[error("unknown data category '{0}'; valid categories: {categories}", categories = list(catalog::Category::ALL))]
    UnknownCategory(String),
    #[error("unknown field '{0}': the field catalog does not classify it")]
    UnknownField(String),
    #[error("unknown scope '{0}'; valid scopes: {scopes}", scopes = list(Scope::ALL))]
    UnknownScope(String),
    #[error(
        "unknown object '{0}'; an object is field:Type.field, category:NAME, scope:NAME, statistics:NAME, mutations, policy, audit_trail or statistics"
    )]
    UnknownObject(String),
    #[error("unknown statistic '{0}'; statistics: {statistics}", statistics = crate::gate::STATISTICS.join(", "))]
    UnknownStatistic(String),
    #[error("malformed rule: {0}")]
    MalformedRule(String),
    #[error("line {line}: {error}")]
    AtLine {
        line: usize,
        error: Box<PolicyError>,
    },
    #[error("there is no policy version {0}")]
    UnknownVersion(i64),
    #[error("the rules of policy version {0} were not kept (it predates keeping them)")]
    RulesNotKept(i64),
    #[error("the policy engine refused the policy: {0}")]
    Casbin(String),
    #[error("policy storage: {0}")]
    Storage(String),
    #[error("role '{role}' may not {action} ({role} is {description})", description = role.description())]
    Denied { role: Role, action: &'static str },
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The authenticated caller, as the gate sees it: a role acting for a purpose, on behalf of
/// an organisation or a person where the role needs one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub role: Role,
    pub purpose: Purpose,
    pub org: Option<OrgNo>,
    pub person: Option<NationalId>,
    /// The trade an exam board assesses.
    pub trade: Option<ProgrammeAreaCode>,
    /// The token's subject identifier, for the audit trail.
    pub sub: String,
}

impl Subject {
    /// Builds a subject, refusing a missing organisation, person or trade where the role
    /// needs one. Whether the role may act for the purpose is the policy's to say
    /// ([`Gate::admit`]).
    pub fn new(
        role: Role,
        purpose: Purpose,
        org: Option<OrgNo>,
        person: Option<NationalId>,
        sub: String,
    ) -> Result<Self, PolicyError> {
        if role.requires_org() && org.is_none() {
            return Err(PolicyError::MissingOrg(role));
        }
        if role.requires_person() && person.is_none() {
            return Err(PolicyError::MissingPerson(role));
        }
        Ok(Subject {
            role,
            purpose,
            org,
            person,
            trade: None,
            sub,
        })
    }

    /// The same subject acting for a trade; required for exam boards.
    pub fn with_trade(mut self, trade: Option<ProgrammeAreaCode>) -> Result<Self, PolicyError> {
        self.trade = trade;
        if self.role.requires_trade() && self.trade.is_none() {
            return Err(PolicyError::MissingTrade(self.role));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(role: Role) -> Subject {
        let org = role
            .requires_org()
            .then(|| OrgNo::parse("974760673").ok())
            .flatten();
        let person = role
            .requires_person()
            .then(|| NationalId::parse("30108299920").ok())
            .flatten();
        let trade = role
            .requires_trade()
            .then(|| ProgrammeAreaCode::parse("ELELE3----").ok())
            .flatten();
        Subject::new(role, role.default_purpose(), org, person, "test".into())
            .and_then(|s| s.with_trade(trade))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn default_gate() -> Gate {
        Gate::new(Policy::default_policy().await.unwrap())
    }

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(*role));
        }
        for purpose in Purpose::ALL {
            assert_eq!(purpose.code().parse::<Purpose>(), Ok(*purpose));
        }
    }

    #[test]
    fn unknown_role_lists_the_valid_ones() {
        let err = "janitor".parse::<Role>().unwrap_err().to_string();
        assert!(
            err.contains("janitor") && err.contains("caseworker") && err.contains("exam_board")
        );
    }

    #[test]
    fn organisation_person_and_trade_roles_need_theirs() {
        let err = Subject::new(
            Role::School,
            Purpose::Administration,
            None,
            None,
            "s".into(),
        );
        assert_eq!(err, Err(PolicyError::MissingOrg(Role::School)));
        let err = Subject::new(Role::Student, Purpose::SelfService, None, None, "s".into());
        assert_eq!(err, Err(PolicyError::MissingPerson(Role::Student)));
        let err = Subject::new(Role::ExamBoard, Purpose::TradeTest, None, None, "s".into())
            .and_then(|s| s.with_trade(None));
        assert_eq!(err, Err(PolicyError::MissingTrade(Role::ExamBoard)));
    }

    #[tokio::test]
    async fn every_role_has_its_default_purpose_and_no_other() {
        let gate = default_gate().await;
        for role in Role::ALL {
            assert!(gate.admit(&subject(*role)).is_ok(), "{role}");
            for purpose in Purpose::ALL {
                let mut other = subject(*role);
                other.purpose = *purpose;
                let granted = gate.admit(&other).is_ok();
                let expected = *purpose == role.default_purpose()
                    || (*role == Role::Caseworker && *purpose == Purpose::Intake);
                assert_eq!(granted, expected, "{role} for {purpose}");
            }
        }
    }

    #[tokio::test]
    async fn default_policy_encodes_the_access_matrix() {
        let gate = default_gate().await;
        let fields = |role| gate.access(&subject(role)).unwrap().fields;
        assert!(fields(Role::Caseworker).is_everything());
        let ot = fields(Role::Ot);
        assert!(ot.allows("Contact", "phone") && ot.allows("Contact", "address"));
        assert!(
            !ot.allows("Contact", "email"),
            "deny overrides the category"
        );
        assert!(ot.allows("Enrolment", "status") && !ot.allows("SubjectResult", "grade"));
        let loan = fields(Role::Lanekassen);
        assert!(loan.allows("Person", "nationalId") && loan.allows("SubjectResult", "passed"));
        assert!(!loan.allows("Person", "givenName") && !loan.allows("Person", "contact"));
        assert!(!loan.allows("SubjectResult", "grade"));
        let company = fields(Role::Company);
        assert!(company.allows("Person", "givenName") && !company.allows("Person", "birthDate"));
        assert!(!fields(Role::Folkeregister).allows("Person", "givenName"));
        assert!(!fields(Role::Student).allows("Organisation", "apprentices"));
        for role in [Role::Ssb, Role::Udir, Role::Bank, Role::PrivacyOfficer] {
            assert!(gate.person_access(&subject(role)).is_err(), "{role}");
            assert!(!fields(role).allows_type("Person"), "{role}");
        }
        assert!(gate.organisation_access(&subject(Role::Bank)).is_ok());
        assert!(gate.organisation_access(&subject(Role::School)).is_err());
        assert!(gate.may_write(&subject(Role::Caseworker)).is_ok());
        for role in Role::ALL.iter().filter(|r| **r != Role::Caseworker) {
            assert!(gate.may_write(&subject(*role)).is_err(), "{role}");
        }
        assert!(
            gate.may(&subject(Role::PrivacyOfficer), "policy", Action::Write)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn rows_follow_the_granted_scopes() {
        let gate = default_gate().await;
        let rows = |role| gate.access(&subject(role)).unwrap().rows;
        assert_eq!(
            rows(Role::Caseworker).scopes(),
            &[Scope::Everyone, Scope::Organisations]
        );
        assert_eq!(
            rows(Role::Company).scopes(),
            &[Scope::CompanyApplicants, Scope::CompanyApprentices]
        );
        assert!(
            rows(Role::School)
                .record_condition(Record::Enrolment)
                .is_some()
        );
        assert!(
            rows(Role::Caseworker)
                .record_condition(Record::Enrolment)
                .is_none()
        );
        assert!(
            rows(Role::Lanekassen)
                .record_condition(Record::Result)
                .is_some()
        );
        assert!(!rows(Role::Bank).reaches_persons());
    }

    #[tokio::test]
    async fn bad_policies_are_refused_naming_the_cause() {
        let cases = [
            (
                "p, janitor, administration, scope:everyone, read, allow",
                "janitor",
            ),
            ("p, school, gossip, scope:everyone, read, allow", "gossip"),
            (
                "p, school, administration, field:Person.shoeSize, read, allow",
                "Person.shoeSize",
            ),
            (
                "p, school, administration, category:horoscope, read, allow",
                "horoscope",
            ),
            (
                "p, school, administration, scope:neighbours, read, allow",
                "neighbours",
            ),
            (
                "p, school, administration, scope:everyone, peek, allow",
                "peek",
            ),
            (
                "p, school, administration, scope:everyone, read, maybe",
                "maybe",
            ),
            (
                "p, school, administration, scope:everyone, write, allow",
                "only be read",
            ),
            (
                "p, school, administration, scope:everyone, read",
                "got 4 values",
            ),
            ("g, a, b", "starts with 'p'"),
        ];
        for (line, named) in cases {
            let text = format!("# comment\n\n{line}\n");
            let err = parse_rules(&text).unwrap_err().to_string();
            assert!(err.contains(named), "{line}: {err}");
            assert!(err.starts_with("line 3:"), "{err}");
        }
        let twice = parse_rules(
            "p, ot, follow_up, scope:everyone, read, allow\np, ot, follow_up, scope:everyone, read, allow",
        )
        .unwrap();
        assert!(Policy::compile(twice, 2).await.is_err());
    }

    #[tokio::test]
    async fn replacing_the_policy_changes_later_decisions() {
        let gate = default_gate().await;
        let ot = subject(Role::Ot);
        assert!(!gate.access(&ot).unwrap().fields.allows("Contact", "email"));
        let mut rules = gate.policy().rules().to_vec();
        rules.retain(|r| r.object.to_string() != "field:Contact.email");
        gate.replace(Policy::compile(rules, 2).await.unwrap());
        let access = gate.access(&ot).unwrap();
        assert!(access.fields.allows("Contact", "email"));
        assert_eq!(access.version, 2);
    }
}
