//! Which root fields of the API each grant opens: one table, read by the resolvers (which
//! refuse a closed root) and by introspection (which hides it), so the two cannot drift.
//! A root field the table does not list is open to nobody.

use crate::catalog::Category;
use crate::gate::{Action, Grant};

/// What a grant must hold for a root field to be open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opener {
    /// A row scope that reaches persons.
    Persons,
    /// The `self` scope: the caller's own record.
    OwnRecord,
    /// The `organisations` scope.
    Organisations,
    /// A resource with an action, e.g. `policy` to write.
    Resource(&'static str, Action),
    /// Any one of several resources with an action: a broad grant (`mutations`) or a narrow
    /// one for this write alone.
    AnyResource(&'static [&'static str], Action),
    /// At least one statistic (`statistics`, or `statistics:NAME` for one).
    Statistics,
    /// Every admitted caller.
    Anyone,
}

/// One root field, as `Query.persons`, and what opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RootField {
    pub name: &'static str,
    pub opener: Opener,
    /// What the caller was refused, for the error message: "may not {refusal}".
    pub refusal: &'static str,
    /// The data categories a mutation writes, for its audit event (whatever its result
    /// selects).
    pub writes: &'static [Category],
    /// Recorded in the audit trail whatever it returns (the privacy officer's reviews).
    pub audited: bool,
}

const fn root(name: &'static str, opener: Opener, refusal: &'static str) -> RootField {
    RootField {
        name,
        opener,
        refusal,
        writes: &[],
        audited: false,
    }
}

/// A privacy officer's review of the policy: recorded in the audit trail on every call.
const fn review(name: &'static str) -> RootField {
    RootField {
        audited: true,
        ..root(
            name,
            Opener::Resource("policy", Action::Read),
            "read the policy",
        )
    }
}

const fn write(name: &'static str, writes: &'static [Category]) -> RootField {
    RootField {
        name,
        opener: Opener::Resource("mutations", Action::Write),
        refusal: "change data",
        writes,
        audited: false,
    }
}

/// Every root field of the API.
pub const ROOT_FIELDS: &[RootField] = &[
    root("Query.caller", Opener::Anyone, "ask who it is"),
    root(
        "Query.ownOrganisation",
        Opener::Anyone,
        "read its own organisation",
    ),
    root("Query.me", Opener::Persons, "read person data"),
    root("Query.person", Opener::Persons, "read person data"),
    root("Query.persons", Opener::Persons, "read person data"),
    root(
        "Query.subjectExport",
        Opener::OwnRecord,
        "export its own data (it has no record of its own)",
    ),
    root(
        "Query.accessLogProof",
        Opener::OwnRecord,
        "prove entries of its own access log (it has no record of its own)",
    ),
    root(
        "Query.statisticsCatalogue",
        Opener::Statistics,
        "read statistics",
    ),
    root("Query.statistics", Opener::Statistics, "read statistics"),
    root(
        "Query.organisation",
        Opener::Organisations,
        "read organisation data",
    ),
    root(
        "Query.policy",
        Opener::Resource("policy", Action::Read),
        "read the policy",
    ),
    root(
        "Query.policyChanges",
        Opener::Resource("policy", Action::Read),
        "read the policy",
    ),
    review("Query.policyDiff"),
    review("Query.accessMatrix"),
    root(
        "Query.denialCounts",
        Opener::Resource("audit_trail", Action::Read),
        "read the audit trail",
    ),
    review("Query.explainAccess"),
    review("Query.simulatePolicy"),
    root(
        "Query.denials",
        Opener::Resource("audit_trail", Action::Read),
        "read the audit trail",
    ),
    root(
        "Query.auditEvents",
        Opener::Resource("audit_trail", Action::Read),
        "read the audit trail",
    ),
    root(
        "Mutation.replacePolicy",
        Opener::Resource("policy", Action::Write),
        "change the policy",
    ),
    root(
        "Mutation.rollbackPolicy",
        Opener::Resource("policy", Action::Write),
        "change the policy",
    ),
    write(
        "Mutation.registerPerson",
        &[Category::Identity, Category::Contact],
    ),
    write("Mutation.updatePerson", &[Category::Identity]),
    write("Mutation.setContact", &[Category::Contact]),
    write(
        "Mutation.computePoints",
        &[Category::Results, Category::Admission, Category::Decisions],
    ),
    write(
        "Mutation.assessRights",
        &[Category::Enrolment, Category::Rights, Category::Decisions],
    ),
    write(
        "Mutation.runIntake",
        &[Category::Admission, Category::Decisions],
    ),
    RootField {
        name: "Mutation.answerOffer",
        opener: Opener::OwnRecord,
        refusal: "answer offers (only the applicant answers their own)",
        writes: &[Category::Admission],
        audited: false,
    },
    RootField {
        name: "Mutation.answerPlacement",
        opener: Opener::Resource("placements", Action::Write),
        refusal: "answer apprenticeship placements (only the company an applicant is offered to)",
        writes: &[Category::Admission],
        audited: false,
    },
    write(
        "Mutation.placeApprentices",
        &[Category::Admission, Category::Decisions],
    ),
    write(
        "Mutation.submitApplication",
        &[Category::Admission, Category::AdmissionLog],
    ),
    write(
        "Mutation.changeWishes",
        &[Category::Admission, Category::AdmissionLog],
    ),
    write("Mutation.recordResult", &[Category::Results]),
    write("Mutation.registerEnrolment", &[Category::Enrolment]),
    write("Mutation.createContract", &[Category::Contracts]),
    write("Mutation.approveContract", &[Category::Contracts]),
    write("Mutation.registerTradeTest", &[Category::TradeTests]),
    write("Mutation.recordTradeTestResult", &[Category::TradeTests]),
    RootField {
        name: "Mutation.setFollowUpStatus",
        opener: Opener::AnyResource(&["mutations", "follow_up_status"], Action::Write),
        refusal: "register follow-up statuses",
        writes: &[Category::FollowUp],
        audited: false,
    },
    write(
        "Mutation.markDeceased",
        &[
            Category::Identity,
            Category::Contact,
            Category::Admission,
            Category::AdmissionLog,
        ],
    ),
];

impl RootField {
    /// Whether running this root field is a read the audit trail records even when it
    /// returns no one: it looks for persons (a count or an absent person is still a look), or
    /// it reads the trail itself (who did what).
    pub fn is_recorded(&self) -> bool {
        // A write is recorded in its own transaction, as a write.
        !self.name.starts_with("Mutation.")
            && (self.audited
                || matches!(
                    self.opener,
                    Opener::Persons
                        | Opener::OwnRecord
                        | Opener::Resource("audit_trail", Action::Read)
                ))
    }
}

/// The entry for `name` (`Query.persons`), if the API has such a root field.
pub fn root_field(name: &str) -> Option<&'static RootField> {
    ROOT_FIELDS.iter().find(|r| r.name == name)
}

impl Grant {
    /// Whether the grant opens the root field `name` (`Query.persons`); a name the table
    /// does not list is closed.
    pub fn opens(&self, name: &str) -> bool {
        match root_field(name).map(|r| r.opener) {
            Some(Opener::Persons) => self.reaches_persons(),
            Some(Opener::OwnRecord) => self.scopes.contains(&crate::Scope::SelfOnly),
            Some(Opener::Organisations) => self.reaches_organisations(),
            Some(Opener::Resource(resource, action)) => self.may(resource, action),
            Some(Opener::AnyResource(resources, action)) => {
                resources.iter().any(|resource| self.may(resource, action))
            }
            Some(Opener::Statistics) => !self.statistics.is_empty(),
            Some(Opener::Anyone) => true,
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_root_is_listed_once_and_unknown_ones_are_closed() {
        let mut seen = HashSet::new();
        for root in ROOT_FIELDS {
            assert!(seen.insert(root.name), "{} twice", root.name);
        }
        let everything = Grant {
            fields: Default::default(),
            scopes: vec![crate::Scope::Everyone, crate::Scope::Organisations],
            resources: [
                "mutations",
                "policy",
                "audit_trail",
                "statistics",
                "placements",
                "follow_up_status",
            ]
            .iter()
            .flat_map(|r| [(*r, Action::Read), (*r, Action::Write)])
            .collect(),
            statistics: crate::STATISTICS.iter().copied().collect(),
        };
        assert!(everything.opens("Query.persons"));
        let recorded: Vec<&str> = ROOT_FIELDS
            .iter()
            .filter(|r| r.is_recorded())
            .map(|r| r.name)
            .collect();
        assert_eq!(
            recorded,
            [
                "Query.me",
                "Query.person",
                "Query.persons",
                "Query.subjectExport",
                "Query.accessLogProof",
                "Query.policyDiff",
                "Query.accessMatrix",
                "Query.denialCounts",
                "Query.explainAccess",
                "Query.simulatePolicy",
                "Query.denials",
                "Query.auditEvents"
            ]
        );
        assert!(!everything.opens("Query.shoeSizes"));
        assert!(!everything.opens("Mutation.dropEverything"));
    }
}
