//! Who may see what. Every read of personal data asks the [`Gate`] for the caller's
//! [`Access`]; nothing outside this crate decides access.
//!
//! The gate here holds the minimal rule set of the foundation: a caseworker reaches every
//! person, a student reaches themself, and every other role is denied until the full policy
//! grants it something. Anything not explicitly allowed is denied.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use sea_orm::{ColumnTrait, Condition};
use vigo_entities::ids::{NationalId, OrgNo};
use vigo_entities::person;

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $error:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
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
    /// The purposes the access matrix grants this role; the first is its default.
    pub fn purposes(self) -> &'static [Purpose] {
        use Purpose::*;
        match self {
            Role::Caseworker => &[Administration, Intake],
            Role::School => &[Administration],
            Role::Company => &[Apprenticeship],
            Role::Ot => &[FollowUp],
            Role::Lanekassen => &[LoanAdministration],
            Role::Ssb | Role::Udir => &[Statistics],
            Role::Folkeregister => &[AddressUpdate],
            Role::Difi => &[MinidNotice],
            Role::Vitnemalsregister => &[DiplomaRegistration],
            Role::ExamBoard => &[TradeTest],
            Role::Bank => &[Payments],
            Role::Websak => &[Archive],
            Role::Student => &[SelfService],
            Role::PrivacyOfficer => &[PolicyAdministration],
        }
    }

    /// The purpose used when a token names none.
    pub fn default_purpose(self) -> Purpose {
        self.purposes()[0]
    }

    /// Whether the role acts for one organisation, whose number the token must carry.
    pub fn requires_org(self) -> bool {
        matches!(self, Role::School | Role::Company | Role::Bank)
    }

    /// Whether the role acts for one person, whose national id the token must carry.
    pub fn requires_person(self) -> bool {
        matches!(self, Role::Student)
    }
}

/// Why a subject or a request was refused. Messages name what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("unknown role '{0}'; valid roles: {roles}", roles = list(Role::ALL))]
    UnknownRole(String),
    #[error("unknown purpose '{0}'; valid purposes: {purposes}", purposes = list(Purpose::ALL))]
    UnknownPurpose(String),
    #[error("role '{role}' may not act for purpose '{purpose}'; allowed: {allowed}", allowed = list(role.purposes()))]
    PurposeNotAllowed { role: Role, purpose: Purpose },
    #[error("role '{0}' acts for an organisation: the organisation number is missing")]
    MissingOrg(Role),
    #[error("role '{0}' acts for one person: the national id is missing")]
    MissingPerson(Role),
    #[error("role '{role}' may not {action}")]
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
    /// The token's subject identifier, for the audit trail.
    pub sub: String,
}

impl Subject {
    /// Builds a subject, refusing a purpose the role may not use and a missing organisation
    /// or person where the role needs one.
    pub fn new(
        role: Role,
        purpose: Purpose,
        org: Option<OrgNo>,
        person: Option<NationalId>,
        sub: String,
    ) -> Result<Self, PolicyError> {
        if !role.purposes().contains(&purpose) {
            return Err(PolicyError::PurposeNotAllowed { role, purpose });
        }
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
            sub,
        })
    }
}

/// Which persons a subject may reach, applied as a condition in the database query so that
/// rows outside it never leave the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowScope {
    /// Every person in the county's base.
    Everyone,
    /// The one person the subject is.
    OnlyPerson(NationalId),
}

impl RowScope {
    /// The scope as a condition on the `person` table.
    pub fn person_condition(&self) -> Condition {
        match self {
            RowScope::Everyone => Condition::all(),
            RowScope::OnlyPerson(id) => {
                Condition::all().add(person::Column::NationalId.eq(id.as_string()))
            }
        }
    }
}

/// Which fields of the API a subject may read, as `Type.field` names.
///
/// Checked once per field by the API's central guard, as a set look-up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldMask {
    /// Every field.
    All,
    /// Only the listed fields; everything else is denied.
    Only(HashSet<String>),
}

impl FieldMask {
    /// A mask allowing exactly the given `Type.field` names.
    pub fn only<I: IntoIterator<Item = S>, S: Into<String>>(fields: I) -> Self {
        FieldMask::Only(fields.into_iter().map(Into::into).collect())
    }

    pub fn allows(&self, type_name: &str, field: &str) -> bool {
        match self {
            FieldMask::All => true,
            FieldMask::Only(allowed) => allowed.contains(&format!("{type_name}.{field}")),
        }
    }
}

/// What a subject may do with personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub rows: RowScope,
    pub fields: FieldMask,
}

/// The policy gate: the one place that decides access.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    field_restrictions: HashMap<Role, FieldMask>,
}

impl Gate {
    pub fn new() -> Self {
        Gate::default()
    }

    /// Narrows what a role may read to `mask`, on top of its row scope.
    pub fn restrict_fields(mut self, role: Role, mask: FieldMask) -> Self {
        self.field_restrictions.insert(role, mask);
        self
    }

    /// Whether the subject may register and change data (caseworkers only).
    pub fn may_write(&self, subject: &Subject) -> Result<(), PolicyError> {
        match subject.role {
            Role::Caseworker => Ok(()),
            role => Err(PolicyError::Denied {
                role,
                action: "change data",
            }),
        }
    }

    /// The access a subject has to organisations' data (caseworkers only, for now).
    pub fn organisation_access(&self, subject: &Subject) -> Result<(), PolicyError> {
        match subject.role {
            Role::Caseworker => Ok(()),
            role => Err(PolicyError::Denied {
                role,
                action: "read organisation data",
            }),
        }
    }

    /// The access a subject has to person data, or a denial when it has none.
    pub fn person_access(&self, subject: &Subject) -> Result<Access, PolicyError> {
        let rows = match (subject.role, &subject.person) {
            (Role::Caseworker, _) => RowScope::Everyone,
            (Role::Student, Some(id)) => RowScope::OnlyPerson(*id),
            (role, _) => {
                return Err(PolicyError::Denied {
                    role,
                    action: "read person data",
                });
            }
        };
        let fields = self
            .field_restrictions
            .get(&subject.role)
            .cloned()
            .unwrap_or(FieldMask::All);
        Ok(Access { rows, fields })
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
        Subject::new(role, role.default_purpose(), org, person, "test".into())
            .unwrap_or_else(|e| panic!("{e}"))
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
    fn purpose_must_be_granted_to_the_role() {
        let err = Subject::new(
            Role::School,
            Purpose::Statistics,
            OrgNo::parse("974760673").ok(),
            None,
            "s".into(),
        );
        assert!(matches!(err, Err(PolicyError::PurposeNotAllowed { .. })));
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
    }

    #[test]
    fn field_masks_are_look_ups() {
        let mask = FieldMask::only(["Person.givenName"]);
        assert!(mask.allows("Person", "givenName"));
        assert!(!mask.allows("Person", "familyName"));
        assert!(FieldMask::All.allows("Contact", "email"));
        let gate = Gate::new().restrict_fields(Role::Caseworker, mask.clone());
        assert_eq!(
            gate.person_access(&subject(Role::Caseworker))
                .map(|a| a.fields),
            Ok(mask)
        );
        assert!(gate.may_write(&subject(Role::Caseworker)).is_ok());
        assert!(gate.may_write(&subject(Role::Student)).is_err());
    }

    #[test]
    fn gate_fails_closed() {
        let gate = Gate::new();
        assert_eq!(
            gate.person_access(&subject(Role::Caseworker))
                .map(|a| a.rows),
            Ok(RowScope::Everyone)
        );
        assert!(matches!(
            gate.person_access(&subject(Role::Student)).map(|a| a.rows),
            Ok(RowScope::OnlyPerson(_))
        ));
        for role in Role::ALL
            .iter()
            .filter(|r| !matches!(r, Role::Caseworker | Role::Student))
        {
            assert!(
                gate.person_access(&subject(*role)).is_err(),
                "{role} must be denied"
            );
        }
    }
}
