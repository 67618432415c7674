//! Vigo's data model: one SeaORM entity per table, the closed code sets they use, and the
//! validated domain identifiers (`NationalId`, `OrgNo`, `AccountNo`, `ProgrammeAreaCode`, `Grade`).
//! No I/O happens here.

pub mod enums;
pub mod ids;

pub mod absence;
pub mod access_denial;
pub mod application;
pub mod application_change;
pub mod application_wish;
pub mod apprenticeship_contract;
pub mod approved_trade;
pub mod audit_chain;
pub mod audit_checkpoint;
pub mod audit_event;
pub mod audit_event_person;
pub mod audit_tree_node;
pub mod automated_decision;
pub mod consent;
pub mod contact;
pub mod contact_change;
pub mod diploma;
pub mod disclosure;
pub mod disclosure_person;
pub mod education_right;
pub mod employee;
pub mod employee_role;
pub mod enrolment;
pub mod exam_board;
pub mod exam_board_member;
pub mod follow_up_status;
pub mod intake_run;
pub mod loan_customer;
pub mod offer;
pub mod organisation;
pub mod person;
pub mod policy_change;
pub mod policy_rule;
pub mod programme_area;
pub mod school_offer;
pub mod subject_result;
pub mod subsidy_payment;
pub mod trade_test;

/// Every entity under a short name, for `use vigo_entities::prelude::*`.
pub mod prelude {
    pub use crate::absence::Entity as Absence;
    pub use crate::application::Entity as Application;
    pub use crate::application_change::Entity as ApplicationChange;
    pub use crate::application_wish::Entity as ApplicationWish;
    pub use crate::apprenticeship_contract::Entity as ApprenticeshipContract;
    pub use crate::approved_trade::Entity as ApprovedTrade;
    pub use crate::audit_event::Entity as AuditEvent;
    pub use crate::audit_event_person::Entity as AuditEventPerson;
    pub use crate::automated_decision::Entity as AutomatedDecision;
    pub use crate::consent::Entity as Consent;
    pub use crate::contact::Entity as Contact;
    pub use crate::diploma::Entity as Diploma;
    pub use crate::disclosure::Entity as Disclosure;
    pub use crate::disclosure_person::Entity as DisclosurePerson;
    pub use crate::education_right::Entity as EducationRight;
    pub use crate::employee::Entity as Employee;
    pub use crate::employee_role::Entity as EmployeeRole;
    pub use crate::enrolment::Entity as Enrolment;
    pub use crate::exam_board::Entity as ExamBoard;
    pub use crate::exam_board_member::Entity as ExamBoardMember;
    pub use crate::follow_up_status::Entity as FollowUpStatus;
    pub use crate::intake_run::Entity as IntakeRun;
    pub use crate::loan_customer::Entity as LoanCustomer;
    pub use crate::offer::Entity as Offer;
    pub use crate::organisation::Entity as Organisation;
    pub use crate::person::Entity as Person;
    pub use crate::programme_area::Entity as ProgrammeArea;
    pub use crate::school_offer::Entity as SchoolOffer;
    pub use crate::subject_result::Entity as SubjectResult;
    pub use crate::subsidy_payment::Entity as SubsidyPayment;
    pub use crate::trade_test::Entity as TradeTest;
}
