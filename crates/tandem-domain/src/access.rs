//! Who may do what: roles, their scopes, and the one policy that decides.
//!
//! Every request that touches a record asks [`authorize`]; every list or
//! search asks [`list_scope`] for the [`AccessScope`] its query must be
//! filtered by. Both deny unless a rule in [`RULES`] allows. `AccessScope`
//! can only be built here, so a query that forgets to scope itself cannot
//! be written by accident.

use crate::choice;
use crate::organisation::{RegionId, ServiceAreaId, TeamId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

choice::choice!(
    /// What a user account is for. One account may hold several roles, each with a scope.
    Role, "role", {
        FamilyCourtAdviser => ("family-court-adviser", "Family court adviser / children's guardian"),
        FamilySupportWorker => ("family-support-worker", "Family support worker"),
        PracticeSupervisor => ("practice-supervisor", "Practice supervisor"),
        ServiceManager => ("service-manager", "Service manager"),
        BusinessSupport => ("business-support", "Business support"),
        Hr => ("hr", "HR"),
        PerformanceAndStrategy => ("performance-and-strategy", "Performance and strategy"),
        QualityAuditor => ("quality-auditor", "Quality auditor"),
        BoardMember => ("board-member", "Board member"),
        SystemAdministrator => ("system-administrator", "System administrator"),
    }
);

/// Identifies a user account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The part of the organisation a role assignment covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    National,
    Region(RegionId),
    Area(ServiceAreaId),
    Team(TeamId),
}

/// A scope as people write it: `national`, `region:NE`, `area:A1`, `team:A1-PRL1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRef {
    National,
    Region(String),
    Area(String),
    Team(String),
}

impl ScopeRef {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text == "national" {
            return Ok(ScopeRef::National);
        }
        let error =
            || format!("A scope is national, region:CODE, area:CODE or team:CODE, not \"{text}\"");
        let (kind, code) = text.split_once(':').ok_or_else(error)?;
        let code = crate::text::code(code, "scope code").map_err(|_| error())?;
        match kind {
            "region" => Ok(ScopeRef::Region(code)),
            "area" => Ok(ScopeRef::Area(code)),
            "team" => Ok(ScopeRef::Team(code)),
            _ => Err(error()),
        }
    }
}

impl fmt::Display for ScopeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeRef::National => f.write_str("national"),
            ScopeRef::Region(code) => write!(f, "region:{code}"),
            ScopeRef::Area(code) => write!(f, "area:{code}"),
            ScopeRef::Team(code) => write!(f, "team:{code}"),
        }
    }
}

/// Where a record sits in the organisation, as far as it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Placement {
    pub region: Option<RegionId>,
    pub area: Option<ServiceAreaId>,
    pub team: Option<TeamId>,
}

impl Scope {
    /// Whether this scope includes a record placed at `p`. A record whose
    /// place is unknown is covered by a national scope only.
    pub fn covers(&self, p: &Placement) -> bool {
        match self {
            Scope::National => true,
            Scope::Region(r) => p.region == Some(*r),
            Scope::Area(a) => p.area == Some(*a),
            Scope::Team(t) => p.team == Some(*t),
        }
    }
}

/// One role held over one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Assignment {
    pub role: Role,
    pub scope: Scope,
}

/// The kinds of thing the policy protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Regions, service areas, teams, offices, courts, local authorities: no personal data.
    Organisation,
    /// A staff member's personal record.
    StaffMember,
    /// A user account and its roles.
    UserAccount,
    /// The audit trail as a whole: searches and exports.
    AuditTrail,
    /// Who has seen one record: its access log.
    AccessLog,
    /// Counts and measures, never about one person.
    Aggregates,
    /// A child's case: everything about the children and families in it.
    Case,
}

impl RecordKind {
    /// The name used in audit entries.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Organisation => "organisation",
            RecordKind::StaffMember => "staff_member",
            RecordKind::UserAccount => "user_account",
            RecordKind::AuditTrail => "audit_trail",
            RecordKind::AccessLog => "access_log",
            RecordKind::Aggregates => "aggregates",
            RecordKind::Case => "case",
        }
    }

    /// Records about individual people: reading one is audited.
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            RecordKind::StaffMember | RecordKind::UserAccount | RecordKind::Case
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Create,
    Update,
    Delete,
    Export,
    /// Give a case to a worker, or move it to another.
    Allocate,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::View,
        Action::Create,
        Action::Update,
        Action::Delete,
        Action::Export,
        Action::Allocate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Allocate => "allocate",
        }
    }
}

/// How far a rule reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Records placed within the assignment's scope.
    InScope,
    /// Only through a national assignment.
    National,
}

/// One permission: a role may take these actions on this kind of record.
pub struct Rule {
    pub role: Role,
    pub kind: RecordKind,
    pub actions: &'static [Action],
    pub reach: Reach,
}

use Action::*;
use RecordKind as K;
use Role as R;

const READ: &[Action] = &[View];
const EDIT: &[Action] = &[View, Create, Update];
const EDIT_DELETE: &[Action] = &[View, Create, Update, Delete];

const fn rule(role: Role, kind: RecordKind, actions: &'static [Action], reach: Reach) -> Rule {
    Rule {
        role,
        kind,
        actions,
        reach,
    }
}

/// Everything anyone may do. Whatever is not here is refused.
///
/// A board member appears only against aggregates: they never receive a
/// record about one child or one member of staff. A system administrator
/// manages the organisation and accounts but sees no case content.
pub const RULES: &[Rule] = &[
    // Organisation reference data holds no personal data: everyone may read it.
    rule(R::FamilyCourtAdviser, K::Organisation, READ, Reach::InScope),
    rule(
        R::FamilySupportWorker,
        K::Organisation,
        READ,
        Reach::InScope,
    ),
    rule(R::PracticeSupervisor, K::Organisation, READ, Reach::InScope),
    rule(R::ServiceManager, K::Organisation, READ, Reach::InScope),
    rule(R::BusinessSupport, K::Organisation, READ, Reach::InScope),
    rule(R::Hr, K::Organisation, READ, Reach::InScope),
    rule(
        R::PerformanceAndStrategy,
        K::Organisation,
        READ,
        Reach::InScope,
    ),
    rule(R::QualityAuditor, K::Organisation, READ, Reach::InScope),
    rule(R::BoardMember, K::Organisation, READ, Reach::InScope),
    rule(
        R::SystemAdministrator,
        K::Organisation,
        EDIT_DELETE,
        Reach::National,
    ),
    // Staff records: HR keeps them; managers see their own people.
    rule(
        R::Hr,
        K::StaffMember,
        &[View, Create, Update, Export],
        Reach::InScope,
    ),
    rule(R::ServiceManager, K::StaffMember, READ, Reach::InScope),
    rule(R::PracticeSupervisor, K::StaffMember, READ, Reach::InScope),
    // Administrators link accounts to staff, so they may look staff up.
    rule(
        R::SystemAdministrator,
        K::StaffMember,
        READ,
        Reach::National,
    ),
    // Accounts and roles.
    rule(
        R::SystemAdministrator,
        K::UserAccount,
        EDIT,
        Reach::National,
    ),
    // The audit trail, and who has seen a record.
    rule(
        R::SystemAdministrator,
        K::AuditTrail,
        &[View, Export],
        Reach::National,
    ),
    rule(R::SystemAdministrator, K::AccessLog, READ, Reach::National),
    rule(R::ServiceManager, K::AccessLog, READ, Reach::InScope),
    // Counts and measures.
    rule(R::BoardMember, K::Aggregates, READ, Reach::InScope),
    rule(
        R::PerformanceAndStrategy,
        K::Aggregates,
        &[View, Export],
        Reach::InScope,
    ),
    rule(
        R::ServiceManager,
        K::Aggregates,
        &[View, Export],
        Reach::InScope,
    ),
    rule(R::PracticeSupervisor, K::Aggregates, READ, Reach::InScope),
    rule(R::QualityAuditor, K::Aggregates, READ, Reach::InScope),
    rule(R::Hr, K::Aggregates, READ, Reach::InScope),
    // Casework.
    rule(R::FamilyCourtAdviser, K::Case, EDIT, Reach::InScope),
    rule(R::FamilySupportWorker, K::Case, EDIT, Reach::InScope),
    // Supervisors and managers decide who holds each case.
    rule(
        R::PracticeSupervisor,
        K::Case,
        &[View, Create, Update, Allocate],
        Reach::InScope,
    ),
    rule(
        R::ServiceManager,
        K::Case,
        &[View, Create, Update, Export, Allocate],
        Reach::InScope,
    ),
    rule(R::BusinessSupport, K::Case, EDIT, Reach::InScope),
    rule(R::QualityAuditor, K::Case, READ, Reach::InScope),
];

/// Roles that may open a record outside their scope by giving a reason:
/// the practitioners and managers who cover for colleagues, and HR.
pub const BREAK_GLASS_ROLES: &[Role] = &[
    R::FamilyCourtAdviser,
    R::PracticeSupervisor,
    R::ServiceManager,
    R::QualityAuditor,
    R::Hr,
];

/// How long a break-glass grant lasts.
pub const BREAK_GLASS_MINUTES: i64 = 60;

/// The shortest reason accepted for breaking the glass.
pub const BREAK_GLASS_MIN_REASON: usize = 20;

/// A time-limited grant to one record outside the holder's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlass {
    pub kind: RecordKind,
    pub record_id: i64,
    pub expires_at: Timestamp,
}

/// The person making a request, as the policy sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub assignments: Vec<Assignment>,
    /// Grants still in force.
    pub break_glass: Vec<BreakGlass>,
}

/// What a request wants to touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub kind: RecordKind,
    /// The record, when there is one (not for creating, or for lists).
    pub record_id: Option<i64>,
    /// Where it sits; `None` when unknown or for a record with no place.
    pub placement: Option<Placement>,
}

impl Target {
    pub fn kind(kind: RecordKind) -> Self {
        Self {
            kind,
            record_id: None,
            placement: None,
        }
    }

    pub fn record(kind: RecordKind, record_id: i64, placement: Placement) -> Self {
        Self {
            kind,
            record_id: Some(record_id),
            placement: Some(placement),
        }
    }
}

/// Why a request was allowed: recorded in its audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Through this role and scope.
    Assignment(Assignment),
    /// Through a break-glass grant, on the strength of this role.
    BreakGlass(Role),
}

impl Grant {
    pub fn role(self) -> Role {
        match self {
            Grant::Assignment(a) => a.role,
            Grant::BreakGlass(role) => role,
        }
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No role the actor holds may do this at all.
    NotPermitted,
    /// A role may do this, but not for this record's place. If
    /// `break_glass` is true, the actor may open it by giving a reason.
    OutOfScope { break_glass: bool },
}

fn rules_for(role: Role, kind: RecordKind, action: Action) -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .filter(move |r| r.role == role && r.kind == kind && r.actions.contains(&action))
}

fn reaches(rule: &Rule, assignment: &Assignment, target: &Target) -> bool {
    match rule.reach {
        Reach::National => assignment.scope == Scope::National,
        Reach::InScope => match target.placement {
            Some(placement) => assignment.scope.covers(&placement),
            // No particular record: a kind-level question (may I create one
            // here, may I list these) is answered per scope by list_scope.
            None => target.record_id.is_none(),
        },
    }
}

/// The decision: may `actor` take `action` on `target`?
pub fn authorize(actor: &Actor, action: Action, target: &Target) -> Result<Grant, Denied> {
    let mut permitted_somewhere = false;
    for assignment in &actor.assignments {
        for rule in rules_for(assignment.role, target.kind, action) {
            permitted_somewhere = true;
            if reaches(rule, assignment, target) {
                return Ok(Grant::Assignment(*assignment));
            }
        }
    }
    if !permitted_somewhere {
        return Err(Denied::NotPermitted);
    }
    let break_glass_role = actor.assignments.iter().map(|a| a.role).find(|role| {
        BREAK_GLASS_ROLES.contains(role)
            && rules_for(*role, target.kind, action).any(|r| r.reach == Reach::InScope)
    });
    let Some(role) = break_glass_role else {
        return Err(Denied::OutOfScope { break_glass: false });
    };
    if let Some(id) = target.record_id
        && actor
            .break_glass
            .iter()
            .any(|g| g.kind == target.kind && g.record_id == id)
    {
        return Ok(Grant::BreakGlass(role));
    }
    Err(Denied::OutOfScope {
        break_glass: target.record_id.is_some(),
    })
}

/// The part of the organisation a list or search may return records from.
/// Only [`list_scope`] makes one, so every query is scoped by the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessScope {
    everything: bool,
    regions: Vec<RegionId>,
    areas: Vec<ServiceAreaId>,
    teams: Vec<TeamId>,
}

impl AccessScope {
    /// Every record, whatever its place.
    pub fn is_everything(&self) -> bool {
        self.everything
    }

    /// No record at all.
    pub fn is_nothing(&self) -> bool {
        !self.everything
            && self.regions.is_empty()
            && self.areas.is_empty()
            && self.teams.is_empty()
    }

    pub fn regions(&self) -> &[RegionId] {
        &self.regions
    }

    pub fn areas(&self) -> &[ServiceAreaId] {
        &self.areas
    }

    pub fn teams(&self) -> &[TeamId] {
        &self.teams
    }

    /// Whether a record placed at `p` is in this scope.
    pub fn covers(&self, p: &Placement) -> bool {
        self.everything
            || p.region.is_some_and(|r| self.regions.contains(&r))
            || p.area.is_some_and(|a| self.areas.contains(&a))
            || p.team.is_some_and(|t| self.teams.contains(&t))
    }
}

/// Which records of `kind` the actor's `action` (usually View) may range
/// over in a list or search. Break-glass grants never widen a list.
pub fn list_scope(actor: &Actor, action: Action, kind: RecordKind) -> AccessScope {
    let mut scope = AccessScope {
        everything: false,
        regions: Vec::new(),
        areas: Vec::new(),
        teams: Vec::new(),
    };
    for assignment in &actor.assignments {
        for rule in rules_for(assignment.role, kind, action) {
            match (rule.reach, assignment.scope) {
                (Reach::National, Scope::National) | (Reach::InScope, Scope::National) => {
                    scope.everything = true;
                }
                (Reach::National, _) => {}
                (Reach::InScope, Scope::Region(r)) => scope.regions.push(r),
                (Reach::InScope, Scope::Area(a)) => scope.areas.push(a),
                (Reach::InScope, Scope::Team(t)) => scope.teams.push(t),
            }
        }
    }
    scope.regions.sort();
    scope.regions.dedup();
    scope.areas.sort();
    scope.areas.dedup();
    scope.teams.sort();
    scope.teams.dedup();
    scope
}

/// The scope of the command line (`tandem export`): an operator who runs it
/// already holds the database itself, so there is nothing to narrow. Never
/// used for a request that comes through the web or the API.
pub fn operator_scope() -> AccessScope {
    AccessScope {
        everything: true,
        regions: Vec::new(),
        areas: Vec::new(),
        teams: Vec::new(),
    }
}

/// Whether the actor may change `target`'s roles. Nobody may change their
/// own, whatever roles they hold, so no one can raise their own access.
pub fn may_change_roles_of(actor: &Actor, target: UserId) -> Result<Grant, Denied> {
    if actor.user_id == target {
        return Err(Denied::NotPermitted);
    }
    authorize(
        actor,
        Action::Update,
        &Target::kind(RecordKind::UserAccount),
    )
}

/// Checks the reason given for breaking the glass.
pub fn break_glass_reason(reason: &str) -> Result<String, String> {
    let reason = reason.trim();
    if reason.chars().count() < BREAK_GLASS_MIN_REASON {
        return Err(format!(
            "Say why you need to open this record, in at least {BREAK_GLASS_MIN_REASON} characters"
        ));
    }
    if reason.chars().count() > 500 {
        return Err("The reason must be 500 characters or fewer".into());
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::choice::Choice;
    use proptest::prelude::*;

    const R1: RegionId = RegionId(1);
    const R2: RegionId = RegionId(2);
    const A1: ServiceAreaId = ServiceAreaId(11);
    const A2: ServiceAreaId = ServiceAreaId(12);
    const A3: ServiceAreaId = ServiceAreaId(21);
    const T1: TeamId = TeamId(111);
    const T2: TeamId = TeamId(112);
    const T3: TeamId = TeamId(211);

    /// The fixed organisation the tests use: R1 ⊃ {A1 ⊃ T1, A2 ⊃ T2}, R2 ⊃ A3 ⊃ T3.
    fn placement(team: TeamId) -> Placement {
        let (area, region) = match team {
            T1 => (A1, R1),
            T2 => (A2, R1),
            _ => (A3, R2),
        };
        Placement {
            region: Some(region),
            area: Some(area),
            team: Some(team),
        }
    }

    fn actor(assignments: &[(Role, Scope)]) -> Actor {
        Actor {
            user_id: UserId(1),
            username: "someone".into(),
            assignments: assignments
                .iter()
                .map(|(role, scope)| Assignment {
                    role: *role,
                    scope: *scope,
                })
                .collect(),
            break_glass: Vec::new(),
        }
    }

    fn kinds() -> [RecordKind; 7] {
        [
            K::Organisation,
            K::StaffMember,
            K::UserAccount,
            K::AuditTrail,
            K::AccessLog,
            K::Aggregates,
            K::Case,
        ]
    }

    fn any_role() -> impl Strategy<Value = Role> {
        proptest::sample::select(Role::ALL.to_vec())
    }

    fn any_scope() -> impl Strategy<Value = Scope> {
        prop_oneof![
            Just(Scope::National),
            proptest::sample::select(vec![R1, R2]).prop_map(Scope::Region),
            proptest::sample::select(vec![A1, A2, A3]).prop_map(Scope::Area),
            proptest::sample::select(vec![T1, T2, T3]).prop_map(Scope::Team),
        ]
    }

    fn any_team() -> impl Strategy<Value = TeamId> {
        proptest::sample::select(vec![T1, T2, T3])
    }

    fn any_action() -> impl Strategy<Value = Action> {
        proptest::sample::select(Action::ALL.to_vec())
    }

    fn any_kind() -> impl Strategy<Value = RecordKind> {
        proptest::sample::select(kinds().to_vec())
    }

    #[test]
    fn nobody_with_no_roles_may_do_anything() {
        let nobody = actor(&[]);
        for kind in kinds() {
            for action in Action::ALL {
                assert_eq!(
                    authorize(&nobody, action, &Target::record(kind, 1, placement(T1))),
                    Err(Denied::NotPermitted)
                );
                assert!(list_scope(&nobody, action, kind).is_nothing());
            }
        }
    }

    proptest! {
        /// Deny by default: anything allowed is allowed by a rule for one of
        /// the actor's roles.
        #[test]
        fn every_grant_comes_from_a_rule(
            role in any_role(), scope in any_scope(), action in any_action(),
            kind in any_kind(), team in any_team(),
        ) {
            let a = actor(&[(role, scope)]);
            if authorize(&a, action, &Target::record(kind, 7, placement(team))).is_ok() {
                prop_assert!(RULES.iter().any(|r| r.role == role && r.kind == kind && r.actions.contains(&action)));
            }
        }

        /// No record outside the actor's scope without break-glass.
        #[test]
        fn out_of_scope_records_need_break_glass(
            role in any_role(), scope in any_scope(), action in any_action(),
            kind in any_kind(), team in any_team(),
        ) {
            let a = actor(&[(role, scope)]);
            let p = placement(team);
            if let Ok(Grant::Assignment(used)) = authorize(&a, action, &Target::record(kind, 7, p)) {
                prop_assert!(used.scope.covers(&p), "{used:?} does not cover {p:?}");
            }
        }

        /// A break-glass grant opens exactly its own record.
        #[test]
        fn break_glass_opens_only_its_record(
            role in any_role(), scope in any_scope(), kind in any_kind(), team in any_team(),
        ) {
            let mut a = actor(&[(role, scope)]);
            a.break_glass.push(BreakGlass { kind, record_id: 7, expires_at: Timestamp::UNIX_EPOCH });
            let other = authorize(&a, Action::View, &Target::record(kind, 8, placement(team)));
            if let Ok(grant) = other {
                prop_assert!(matches!(grant, Grant::Assignment(_)), "record 8 was opened by a grant for 7");
            }
            if let Ok(Grant::BreakGlass(role)) = authorize(&a, Action::View, &Target::record(kind, 7, placement(team))) {
                prop_assert!(BREAK_GLASS_ROLES.contains(&role));
            }
        }

        /// A board member never receives a record about one child or one
        /// member of staff, whatever else they hold alongside.
        #[test]
        fn board_members_see_aggregates_only(scope in any_scope(), action in any_action(), team in any_team()) {
            let board = actor(&[(Role::BoardMember, scope)]);
            for kind in [K::Case, K::StaffMember, K::UserAccount, K::AccessLog, K::AuditTrail] {
                prop_assert!(authorize(&board, action, &Target::record(kind, 1, placement(team))).is_err());
                prop_assert!(list_scope(&board, action, kind).is_nothing());
            }
        }

        /// The list scope and the record decision agree: a record is listed
        /// exactly when the actor may open it through an assignment.
        #[test]
        fn list_scope_matches_authorize(
            assignments in proptest::collection::vec((any_role(), any_scope()), 0..4),
            action in any_action(), kind in any_kind(), team in any_team(),
        ) {
            let a = actor(&assignments);
            let p = placement(team);
            let listed = list_scope(&a, action, kind).covers(&p);
            let opened = authorize(&a, action, &Target::record(kind, 7, p)).is_ok();
            prop_assert_eq!(listed, opened);
        }
    }

    /// The rules, spelled out as a matrix for one place (team T1 in area A1,
    /// region R1). Each row: role, scope, kind, the actions allowed.
    #[test]
    fn the_role_scope_action_matrix() {
        let in_team = Scope::Team(T1);
        let other_team = Scope::Team(T3);
        let expected: &[(Role, Scope, RecordKind, &[Action])] = &[
            (
                R::FamilyCourtAdviser,
                in_team,
                K::Case,
                &[View, Create, Update],
            ),
            (R::FamilyCourtAdviser, other_team, K::Case, &[]),
            (R::FamilyCourtAdviser, in_team, K::StaffMember, &[]),
            (R::FamilyCourtAdviser, in_team, K::Organisation, &[View]),
            (
                R::FamilySupportWorker,
                in_team,
                K::Case,
                &[View, Create, Update],
            ),
            (R::PracticeSupervisor, in_team, K::StaffMember, &[View]),
            (
                R::ServiceManager,
                Scope::Area(A1),
                K::Case,
                &[View, Create, Update, Export, Allocate],
            ),
            (
                R::PracticeSupervisor,
                in_team,
                K::Case,
                &[View, Create, Update, Allocate],
            ),
            (R::ServiceManager, Scope::Area(A2), K::Case, &[]),
            (
                R::ServiceManager,
                Scope::Region(R1),
                K::StaffMember,
                &[View],
            ),
            (R::ServiceManager, Scope::Area(A1), K::AccessLog, &[View]),
            (
                R::BusinessSupport,
                in_team,
                K::Case,
                &[View, Create, Update],
            ),
            (R::BusinessSupport, in_team, K::StaffMember, &[]),
            (
                R::Hr,
                Scope::National,
                K::StaffMember,
                &[View, Create, Update, Export],
            ),
            (R::Hr, Scope::Region(R2), K::StaffMember, &[]),
            (R::Hr, Scope::National, K::Case, &[]),
            (
                R::PerformanceAndStrategy,
                Scope::National,
                K::Aggregates,
                &[View, Export],
            ),
            (R::PerformanceAndStrategy, Scope::National, K::Case, &[]),
            (R::QualityAuditor, Scope::Region(R1), K::Case, &[View]),
            (R::BoardMember, Scope::National, K::Aggregates, &[View]),
            (R::BoardMember, Scope::National, K::Case, &[]),
            (R::BoardMember, Scope::National, K::StaffMember, &[]),
            (
                R::SystemAdministrator,
                Scope::National,
                K::Organisation,
                &[View, Create, Update, Delete],
            ),
            (
                R::SystemAdministrator,
                Scope::Area(A1),
                K::Organisation,
                &[],
            ),
            (
                R::SystemAdministrator,
                Scope::National,
                K::UserAccount,
                &[View, Create, Update],
            ),
            (
                R::SystemAdministrator,
                Scope::National,
                K::AuditTrail,
                &[View, Export],
            ),
            (R::SystemAdministrator, Scope::National, K::Case, &[]),
            (
                R::SystemAdministrator,
                Scope::National,
                K::StaffMember,
                &[View],
            ),
        ];
        for (role, scope, kind, allowed) in expected {
            let a = actor(&[(*role, *scope)]);
            for action in Action::ALL {
                let got = authorize(&a, action, &Target::record(*kind, 1, placement(T1))).is_ok();
                assert_eq!(
                    got,
                    allowed.contains(&action),
                    "{role:?} over {scope:?}: {action:?} on {kind:?}"
                );
            }
        }
    }

    #[test]
    fn break_glass_needs_an_eligible_role_and_a_grant() {
        let fca = actor(&[(Role::FamilyCourtAdviser, Scope::Team(T3))]);
        let target = Target::record(K::Case, 42, placement(T1));
        assert_eq!(
            authorize(&fca, Action::View, &target),
            Err(Denied::OutOfScope { break_glass: true })
        );
        let mut granted = fca.clone();
        granted.break_glass.push(BreakGlass {
            kind: K::Case,
            record_id: 42,
            expires_at: Timestamp::UNIX_EPOCH,
        });
        assert_eq!(
            authorize(&granted, Action::View, &target),
            Ok(Grant::BreakGlass(Role::FamilyCourtAdviser))
        );
        let support = actor(&[(Role::BusinessSupport, Scope::Team(T3))]);
        assert_eq!(
            authorize(&support, Action::View, &target),
            Err(Denied::OutOfScope { break_glass: false })
        );
    }

    #[test]
    fn nobody_changes_their_own_roles() {
        let admin = actor(&[(Role::SystemAdministrator, Scope::National)]);
        assert_eq!(
            may_change_roles_of(&admin, admin.user_id),
            Err(Denied::NotPermitted)
        );
        assert!(may_change_roles_of(&admin, UserId(2)).is_ok());
        let hr = actor(&[(Role::Hr, Scope::National)]);
        assert_eq!(
            may_change_roles_of(&hr, UserId(2)),
            Err(Denied::NotPermitted)
        );
    }

    #[test]
    fn scopes_parse_and_print() {
        for text in ["national", "region:NE", "area:A1", "team:A1-PRL1"] {
            assert_eq!(
                ScopeRef::parse(text).map(|s| s.to_string()),
                Ok(text.to_owned())
            );
        }
        assert_eq!(ScopeRef::parse("area:a1"), Ok(ScopeRef::Area("A1".into())));
        for bad in ["", "nationwide", "county:X", "area:", "team:a b"] {
            assert!(ScopeRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_break_glass_reason_must_say_something() {
        assert!(break_glass_reason("because").is_err());
        assert!(break_glass_reason("Covering duty for the Leeds team today").is_ok());
    }
}
