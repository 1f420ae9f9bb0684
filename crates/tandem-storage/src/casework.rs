//! Cases: opening them with their children and parties, moving them along
//! their pathway, and finding them within an access scope.

use crate::audit;
use crate::backend::Tx;
use crate::error::{SqlError, SqlErrorKind, StoreError};
use crate::organisation::team_scope_condition;
use crate::rollups::{ContextCache, Tracked};
use crate::row::{Param, Row};
use jiff::civil::Date;
use tandem_domain::DomainError;
use tandem_domain::access::AccessScope;
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::casework::*;
use tandem_domain::child_experience::{
    ChildExperience, ChildOutcome, LivesWith, parse_orders, ready_to_close,
};
use tandem_domain::choice::Choice;
use tandem_domain::clocks::Extension;
use tandem_domain::organisation::{CourtId, LocalAuthorityId, StaffId, TeamId};
use tandem_domain::rollups::hearing_changes_facts;

pub(crate) const CASE_COLUMNS: &str = "id, case_number, court_id, law_type, pathway, stage, received_on, issued_on, \
     local_authority_id, team_id, allocated_to, closed_on, version";

/// Runs a query and reads each row with `from`.
pub(crate) async fn fetch_as<T>(
    tx: &mut dyn Tx,
    sql: &str,
    params: &[Param],
    from: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    tx.fetch_all(sql, params).await?.iter().map(from).collect()
}

/// A choice column that may be empty.
pub(crate) fn opt_choice<C: Choice>(r: &Row, column: &str) -> Result<Option<C>, StoreError> {
    r.opt_text(column)?
        .map(|t| decode(column, C::parse(&t)))
        .transpose()
}

pub(crate) fn decode<T>(column: &str, result: Result<T, String>) -> Result<T, StoreError> {
    result.map_err(|e| SqlError::decode(format!("column {column}: {e}")).into())
}

pub(crate) fn case_from(row: &Row) -> Result<Case, StoreError> {
    let pathway = decode("pathway", pathway(&row.text("pathway")?))?;
    let stage_text = row.text("stage")?;
    let stage = pathway
        .stage(&stage_text)
        .map(|s| s.code)
        .ok_or_else(|| SqlError::decode(format!("unknown stage {stage_text}")))?;
    Ok(Case {
        id: CaseId(row.i64("id")?),
        case_number: row.text("case_number")?,
        court_id: CourtId(row.i64("court_id")?),
        law_type: decode("law_type", LawType::parse(&row.text("law_type")?))?,
        pathway,
        stage,
        received_on: row.date("received_on")?,
        issued_on: row.opt_date("issued_on")?,
        local_authority_id: row.opt_i64("local_authority_id")?.map(LocalAuthorityId),
        team_id: TeamId(row.i64("team_id")?),
        allocated_to: row.opt_i64("allocated_to")?.map(StaffId),
        closed_on: row.opt_date("closed_on")?,
        version: row.i64("version")?,
    })
}

pub(crate) async fn case_by_id(tx: &mut dyn Tx, id: CaseId) -> Result<Option<Case>, StoreError> {
    let rows = tx
        .fetch_all(
            &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"),
            &[id.0.into()],
        )
        .await?;
    rows.first().map(case_from).transpose()
}

/// The case, or "case not found" for a change that names a missing one.
pub(crate) async fn existing_case(tx: &mut dyn Tx, id: CaseId) -> Result<Case, StoreError> {
    case_by_id(tx, id)
        .await?
        .ok_or(StoreError::Domain(DomainError::NotFound { kind: "case" }))
}

pub(crate) fn child_from(row: &Row) -> Result<Child, StoreError> {
    Ok(Child {
        id: row.i64("id")?,
        details: ChildDraft {
            given_name: row.text("given_name")?,
            family_name: row.text("family_name")?,
            date_of_birth: row.date("date_of_birth")?,
            sex: decode("sex", Sex::parse(&row.text("sex")?))?,
            ethnicity: decode("ethnicity", Ethnicity::parse(&row.text("ethnicity")?))?,
            disability: decode("disability", YesNoNotKnown::parse(&row.text("disability")?))?,
            first_language: row.opt_text("first_language")?,
            interpreter_needed: decode(
                "interpreter_needed",
                YesNoNotKnown::parse(&row.text("interpreter_needed")?),
            )?,
        },
        experience: ChildExperience {
            first_met_fca_on: row.opt_date("first_met_fca_on")?,
            wishes_and_feelings: row.opt_text("wishes_and_feelings")?,
            told_outcome_by: opt_choice(row, "told_outcome_by")?,
            told_outcome_notes: row.opt_text("told_outcome_notes")?,
        },
        outcome: match row.opt_text("outcome_orders")? {
            None => None,
            Some(orders) => Some(ChildOutcome {
                orders: decode("outcome_orders", parse_orders(&orders))?,
                lives_with: decode(
                    "outcome_lives_with",
                    LivesWith::parse(&row.text("outcome_lives_with")?),
                )?,
                contact: row.opt_text("outcome_contact")?,
                recorded_on: row.date("outcome_recorded_on")?,
            }),
        },
        version: row.i64("version")?,
    })
}

/// Applications with their type's name and law, as [`application_from`] reads them.
pub(crate) const APPLICATION_SELECT: &str = "SELECT x.*, t.label AS kind_label, t.law_type AS kind_law_type \
     FROM applications x JOIN application_types t ON t.code = x.kind";

/// An application type whose code is in `column`, with its `kind_label` and
/// `kind_law_type`.
pub(crate) fn kind_from(row: &Row, column: &str) -> Result<ApplicationKind, StoreError> {
    Ok(ApplicationKind {
        code: row.text(column)?,
        label: row.text("kind_label")?,
        law_type: decode("kind_law_type", LawType::parse(&row.text("kind_law_type")?))?,
    })
}

pub(crate) fn application_from(row: &Row) -> Result<Application, StoreError> {
    Ok(Application {
        id: row.i64("id")?,
        kind: kind_from(row, "kind")?,
        received_on: row.date("received_on")?,
        issued_on: row.opt_date("issued_on")?,
        lead: row.bool("lead")?,
        harm_alleged: row.bool("harm_alleged")?,
    })
}

pub(crate) fn event_from(row: &Row) -> Result<CaseEvent, StoreError> {
    Ok(CaseEvent {
        at: row.timestamp("at")?,
        actor: row.text("actor")?,
        kind: row.text("kind")?,
        from_stage: row.opt_text("from_stage")?,
        to_stage: row.opt_text("to_stage")?,
        reason: row.opt_text("reason")?,
    })
}

/// An allocation, with its worker's `given_name` and `family_name`.
pub(crate) fn allocation_from(row: &Row) -> Result<Allocation, StoreError> {
    Ok(Allocation {
        staff_id: StaffId(row.i64("staff_id")?),
        staff_name: format!("{} {}", row.text("given_name")?, row.text("family_name")?),
        allocated_on: row.date("allocated_on")?,
        ended_on: row.opt_date("ended_on")?,
        reason: row.opt_text("reason")?,
        allocated_by: row.text("allocated_by")?,
        ended_reason: row.opt_text("ended_reason")?,
    })
}

pub(crate) fn hearing_from(r: &Row) -> Result<Hearing, StoreError> {
    Ok(Hearing {
        id: r.i64("id")?,
        details: HearingDraft {
            kind: decode("kind", HearingKind::parse(&r.text("kind")?))?,
            on: r.date("held_on")?,
            outcome: r.opt_text("outcome")?,
            directions: r.opt_text("directions")?,
        },
    })
}

pub(crate) fn party_from(row: &Row) -> Result<Party, StoreError> {
    Ok(Party {
        id: row.i64("id")?,
        details: PartyDraft {
            role: decode("role", PartyRole::parse(&row.text("role")?))?,
            given_name: row.text("given_name")?,
            family_name: row.text("family_name")?,
            relationship: row.text("relationship")?,
            represented: row.bool("represented")?,
            address: row.opt_text("address")?,
            postcode: row.opt_text("postcode")?,
            address_confidential: row.bool("address_confidential")?,
        },
        relationships: Vec::new(),
    })
}

/// The columns a new child is written with, and its values for them.
pub(crate) const CHILD_COLUMNS: &[&str] = &[
    "case_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "disability",
    "first_language",
    "interpreter_needed",
    "first_met_fca_on",
];

pub(crate) fn child_row(
    case: CaseId,
    c: &ChildDraft,
    first_met_fca_on: Option<Date>,
) -> Vec<Param> {
    vec![
        case.0.into(),
        (&c.given_name).into(),
        (&c.family_name).into(),
        c.date_of_birth.into(),
        c.sex.slug().into(),
        c.ethnicity.slug().into(),
        c.disability.slug().into(),
        c.first_language.clone().into(),
        c.interpreter_needed.slug().into(),
        first_met_fca_on.into(),
    ]
}

pub(crate) async fn insert_child(
    tx: &mut dyn Tx,
    case: CaseId,
    c: &ChildDraft,
    first_met_fca_on: Option<Date>,
) -> Result<(), StoreError> {
    let row = child_row(case, c, first_met_fca_on);
    crate::bulk::insert_rows(tx, "children", CHILD_COLUMNS, vec![row], "").await?;
    Ok(())
}

/// The columns a new party is written with, and its values for them.
pub(crate) const PARTY_COLUMNS: &[&str] = &[
    "case_id",
    "role",
    "given_name",
    "family_name",
    "relationship",
    "represented",
    "address",
    "postcode",
    "address_confidential",
];

pub(crate) fn party_row(case: CaseId, p: &PartyDraft) -> Vec<Param> {
    vec![
        case.0.into(),
        p.role.slug().into(),
        (&p.given_name).into(),
        (&p.family_name).into(),
        (&p.relationship).into(),
        p.represented.into(),
        p.address.clone().into(),
        p.postcode.clone().into(),
        p.address_confidential.into(),
    ]
}

pub(crate) async fn insert_party(
    tx: &mut dyn Tx,
    case: CaseId,
    p: &PartyDraft,
) -> Result<(), StoreError> {
    crate::bulk::insert_rows(tx, "parties", PARTY_COLUMNS, vec![party_row(case, p)], "").await?;
    Ok(())
}

pub(crate) async fn add_event(
    tx: &mut dyn Tx,
    case: CaseId,
    stamp: &Stamp,
    kind: &str,
    from: Option<&str>,
    to: Option<&str>,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    add_event_on(tx, case, stamp, None, kind, from, to, reason).await
}

/// An event with the date it took effect, when that matters to the measures
/// (a closure, a re-opening) and may differ from when it was recorded.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_event_on(
    tx: &mut dyn Tx,
    case: CaseId,
    stamp: &Stamp,
    on: Option<Date>,
    kind: &str,
    from: Option<&str>,
    to: Option<&str>,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO case_events (case_id, at, actor, kind, from_stage, to_stage, reason, on_date) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            case.0.into(),
            stamp.at.into(),
            (&stamp.actor_username).into(),
            kind.into(),
            from.into(),
            to.into(),
            reason.into(),
            on.into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn audit_case(
    tx: &mut dyn Tx,
    stamp: &Stamp,
    case: CaseId,
    action: &str,
    reason: Option<String>,
) -> Result<(), StoreError> {
    audit::append(
        tx,
        &stamp.entry(
            action,
            Outcome::Allowed,
            Some(("case", case.0.to_string())),
            reason,
        ),
    )
    .await?;
    Ok(())
}

/// The pathway a new case of `law` in `team` follows: its service area's
/// choice, or the default.
pub(crate) async fn pathway_for(
    tx: &mut dyn Tx,
    team: TeamId,
    law: LawType,
) -> Result<&'static Pathway, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT ap.pathway FROM area_pathways ap JOIN teams t ON t.service_area_id = ap.service_area_id \
             WHERE t.id = $1 AND ap.law_type = $2",
            &[team.0.into(), law.slug().into()],
        )
        .await?;
    match rows.first() {
        Some(row) => decode("pathway", pathway(&row.text("pathway")?)),
        None => Ok(default_pathway(law)),
    }
}

pub(crate) async fn set_area_pathway(
    tx: &mut dyn Tx,
    area: tandem_domain::organisation::ServiceAreaId,
    chosen: &'static Pathway,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM area_pathways WHERE service_area_id = $1 AND law_type = $2",
        &[area.0.into(), chosen.law_type.slug().into()],
    )
    .await?;
    if chosen.code != default_pathway(chosen.law_type).code {
        tx.execute(
            "INSERT INTO area_pathways (service_area_id, law_type, pathway) VALUES ($1, $2, $3)",
            &[
                area.0.into(),
                chosen.law_type.slug().into(),
                chosen.code.into(),
            ],
        )
        .await?;
    }
    audit::append(
        tx,
        &stamp.entry(
            "update",
            Outcome::Allowed,
            Some(("service_area", area.0.to_string())),
            Some(format!("pathway {}", chosen.code)),
        ),
    )
    .await?;
    Ok(())
}

/// Opens a case with its first application, children and parties, all or nothing.
pub(crate) async fn open(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    draft: &CaseDraft,
    children: &[ChildDraft],
    parties: &[PartyDraft],
    work: &[WorkItemDraft],
    stamp: &Stamp,
) -> Result<CaseId, StoreError> {
    crate::record::referenced::<tandem_domain::organisation::Court>(tx, draft.court_id, "court_id")
        .await?;
    crate::record::referenced::<tandem_domain::organisation::Team>(tx, draft.team_id, "team_id")
        .await?;
    if let Some(la) = draft.local_authority_id {
        crate::record::referenced::<tandem_domain::organisation::LocalAuthority>(
            tx,
            la,
            "local_authority_id",
        )
        .await?;
    }
    if children.is_empty() {
        return Err(DomainError::invalid("children", "Add at least one child").into());
    }
    let pathway = pathway_for(tx, TeamId(draft.team_id), draft.law_type).await?;
    let id = insert_case(tx, draft, pathway, pathway.first_stage(), None).await?;
    for child in children {
        insert_child(tx, id, child, None).await?;
    }
    for party in parties {
        insert_party(tx, id, party).await?;
    }
    for item in work {
        insert_work(tx, id, item).await?;
    }
    add_event(
        tx,
        id,
        stamp,
        "opened",
        None,
        Some(pathway.first_stage()),
        None,
    )
    .await?;
    audit_case(tx, stamp, id, "create", None).await?;
    crate::rollups::add_case(tx, contexts, id).await?;
    Ok(id)
}

/// Writes a case at `stage` of `pathway` and its lead application; a
/// number its court already has is a duplicate.
pub(crate) async fn insert_case(
    tx: &mut dyn Tx,
    draft: &CaseDraft,
    pathway: &'static Pathway,
    stage: &str,
    closed_on: Option<Date>,
) -> Result<CaseId, StoreError> {
    let rows = tx
        .fetch_all(
            "INSERT INTO cases (case_number, court_id, law_type, pathway, stage, received_on, issued_on, \
             local_authority_id, team_id, allocated_to, closed_on, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, 1) RETURNING id",
            &[
                (&draft.case_number).into(),
                draft.court_id.into(),
                draft.law_type.slug().into(),
                pathway.code.into(),
                stage.into(),
                draft.received_on.into(),
                draft.issued_on.into(),
                draft.local_authority_id.into(),
                draft.team_id.into(),
                closed_on.into(),
            ],
        )
        .await
        .map_err(|e| match e.kind {
            SqlErrorKind::UniqueViolation { .. } => StoreError::Domain(DomainError::Duplicate {
                field: "case_number".into(),
                message: "That court already has a case with this number".into(),
            }),
            _ => e.into(),
        })?;
    let id = CaseId(
        rows.first()
            .ok_or_else(|| SqlError::decode("INSERT returned no row"))?
            .i64("id")?,
    );
    tx.execute(
        "INSERT INTO applications (case_id, kind, received_on, issued_on, lead, harm_alleged) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            id.0.into(),
            (&draft.application_type).into(),
            draft.received_on.into(),
            draft.issued_on.into(),
            true.into(),
            draft.harm_alleged.into(),
        ],
    )
    .await?;
    Ok(id)
}

pub(crate) async fn children_of(tx: &mut dyn Tx, case: CaseId) -> Result<Vec<Child>, StoreError> {
    fetch_as(
        tx,
        "SELECT * FROM children WHERE case_id = $1 ORDER BY id",
        &[case.0.into()],
        child_from,
    )
    .await
}

pub(crate) async fn record(tx: &mut dyn Tx, id: CaseId) -> Result<Option<CaseRecord>, StoreError> {
    let Some(case) = case_by_id(tx, id).await? else {
        return Ok(None);
    };
    let applications = fetch_as(
        tx,
        &format!("{APPLICATION_SELECT} WHERE x.case_id = $1 ORDER BY x.id"),
        &[id.0.into()],
        application_from,
    )
    .await?;
    let children = children_of(tx, id).await?;
    let mut parties = fetch_as(
        tx,
        "SELECT * FROM parties WHERE case_id = $1 ORDER BY id",
        &[id.0.into()],
        party_from,
    )
    .await?;
    let relationships = fetch_as(
        tx,
        "SELECT r.party_id, r.child_id, r.relationship FROM party_relationships r \
         JOIN parties p ON p.id = r.party_id WHERE p.case_id = $1 ORDER BY r.child_id",
        &[id.0.into()],
        |r| {
            Ok((
                r.i64("party_id")?,
                ChildRelationship {
                    child_id: r.i64("child_id")?,
                    relationship: r.text("relationship")?,
                },
            ))
        },
    )
    .await?;
    for (party, relationship) in relationships {
        if let Some(p) = parties.iter_mut().find(|p| p.id == party) {
            p.relationships.push(relationship);
        }
    }
    let events = fetch_as(
        tx,
        "SELECT at, actor, kind, from_stage, to_stage, reason \
         FROM case_events \
         WHERE case_id = $1 ORDER BY id",
        &[id.0.into()],
        event_from,
    )
    .await?;
    Ok(Some(CaseRecord {
        case,
        applications,
        children,
        parties,
        events,
    }))
}

/// Moves a case along its pathway (or re-opens it), if still at `version`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn move_case(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    id: CaseId,
    version: i64,
    to: &str,
    on: Date,
    reason: Option<&str>,
    reopen: bool,
    stamp: &Stamp,
) -> Result<Case, StoreError> {
    let case = existing_case(tx, id).await?;
    if case.version != version {
        return Err(DomainError::StaleVersion { kind: "case" }.into());
    }
    if reopen {
        case.pathway.check_reopen(case.stage, to)?;
    } else {
        case.pathway.check_move(case.stage, to)?;
    }
    if to == CLOSED && on < case.received_on {
        return Err(
            DomainError::invalid("on", "A case cannot close before it was received").into(),
        );
    }
    if to == CLOSED {
        ready_to_close(&children_of(tx, id).await?)?;
    }
    if to == CLOSED || reopen {
        let last = tx
            .fetch_all(
                &format!(
                    "SELECT MAX(on_date) AS last FROM case_events WHERE case_id = $1 \
                     AND ((kind = 'moved' AND to_stage = '{CLOSED}') OR kind = 'reopened')"
                ),
                &[id.0.into()],
            )
            .await?;
        let last = match last.first() {
            Some(r) => r.opt_date("last")?,
            None => None,
        };
        check_after_last_closure(on, last)?;
    }
    let tracked = Tracked::start(tx, contexts, id).await?;
    let closed_on: Option<Date> = (to == CLOSED).then_some(on);
    let changed = tx
        .execute(
            "UPDATE cases SET stage = $1, closed_on = $2, version = version + 1 WHERE id = $3 AND version = $4",
            &[to.into(), closed_on.into(), id.0.into(), version.into()],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::StaleVersion { kind: "case" }.into());
    }
    let kind = if reopen { "reopened" } else { "moved" };
    add_event_on(
        tx,
        id,
        stamp,
        Some(on),
        kind,
        Some(case.stage),
        Some(to),
        reason,
    )
    .await?;
    tracked.finish(tx).await?;
    audit_case(
        tx,
        stamp,
        id,
        if reopen { "reopen" } else { "update" },
        None,
    )
    .await?;
    existing_case(tx, id).await
}

/// A case in a list: enough to show and to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub case: Case,
    /// The children's names, for the list.
    pub children: Vec<String>,
}

/// What to look for among cases; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// The start of a case number, or of a child's or party's name.
    pub search: Option<String>,
    pub team_id: Option<TeamId>,
    pub allocated_to: Option<StaffId>,
    pub open_only: bool,
    pub limit: u32,
}

pub(crate) async fn list(
    tx: &mut dyn Tx,
    filter: &CaseFilter,
    scope: &AccessScope,
) -> Result<Vec<CaseSummary>, StoreError> {
    let mut params: Vec<Param> = Vec::new();
    let mut conditions = vec![team_scope_condition(scope, &mut params)];
    if let Some(team) = filter.team_id {
        params.push(team.0.into());
        conditions.push(format!("team_id = ${}", params.len()));
    }
    if let Some(staff) = filter.allocated_to {
        params.push(staff.0.into());
        conditions.push(format!("allocated_to = ${}", params.len()));
    }
    if filter.open_only {
        conditions.push(format!("stage <> '{CLOSED}'"));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        params.push(crate::organisation::like_prefix(search).into());
        let n = params.len();
        conditions.push(format!(
            "(LOWER(case_number) LIKE ${n} ESCAPE '\\' \
             OR id IN (SELECT case_id FROM children WHERE LOWER(given_name) LIKE ${n} ESCAPE '\\' OR LOWER(family_name) LIKE ${n} ESCAPE '\\') \
             OR id IN (SELECT case_id FROM parties WHERE LOWER(given_name) LIKE ${n} ESCAPE '\\' OR LOWER(family_name) LIKE ${n} ESCAPE '\\'))"
        ));
    }
    params.push(i64::from(filter.limit.clamp(1, 1000)).into());
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE {} ORDER BY received_on DESC, id DESC LIMIT ${}",
        conditions.join(" AND "),
        params.len()
    );
    let cases = fetch_as(tx, &sql, &params, case_from).await?;
    let mut summaries = Vec::with_capacity(cases.len());
    for case in cases {
        let children = fetch_as(
            tx,
            "SELECT given_name, family_name FROM children WHERE case_id = $1 ORDER BY id",
            &[case.id.0.into()],
            |r| {
                Ok(format!(
                    "{} {}",
                    r.text("given_name")?,
                    r.text("family_name")?
                ))
            },
        )
        .await?;
        summaries.push(CaseSummary { case, children });
    }
    Ok(summaries)
}

/// The line managers of `staff`, nearest first.
pub(crate) async fn management_chain(
    tx: &mut dyn Tx,
    staff: StaffId,
) -> Result<Vec<StaffId>, StoreError> {
    let mut chain = Vec::new();
    let mut next = Some(staff);
    while let Some(id) = next {
        let rows = tx
            .fetch_all(
                "SELECT line_manager_id FROM staff WHERE id = $1",
                &[id.0.into()],
            )
            .await?;
        next = rows
            .first()
            .map(|r| r.opt_i64("line_manager_id"))
            .transpose()?
            .flatten()
            .map(StaffId);
        match next {
            Some(manager) if !chain.contains(&manager) && chain.len() < 64 => chain.push(manager),
            _ => break,
        }
    }
    Ok(chain)
}

// ---------------------------------------------------------------- allocation

async fn area_of_team(
    tx: &mut dyn Tx,
    team: TeamId,
) -> Result<Option<tandem_domain::organisation::ServiceAreaId>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT service_area_id FROM teams WHERE id = $1",
            &[team.0.into()],
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| r.i64("service_area_id"))
        .transpose()?
        .map(tandem_domain::organisation::ServiceAreaId))
}

/// Allocates (or reallocates) a case to `worker` on `on`, if still at `version`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn allocate(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    id: CaseId,
    version: i64,
    worker: StaffId,
    on: Date,
    reason: Option<&str>,
    stamp: &Stamp,
) -> Result<Case, StoreError> {
    let case = existing_case(tx, id).await?;
    if case.version != version {
        return Err(DomainError::StaleVersion { kind: "case" }.into());
    }
    let member = crate::record::referenced::<tandem_domain::organisation::StaffMember>(
        tx, worker.0, "staff_id",
    )
    .await?;
    let worker_area = match member.team_id {
        Some(team) => area_of_team(tx, team).await?,
        None => None,
    };
    let case_area = area_of_team(tx, case.team_id)
        .await?
        .ok_or_else(|| SqlError::decode("the case's team has no service area"))?;
    check_allocation(&case, &member, worker_area, case_area, on, reason)?;
    let tracked = Tracked::start(tx, contexts, id).await?;
    tx.execute(
        "UPDATE allocations SET ended_on = $2 WHERE case_id = $1 AND ended_on IS NULL",
        &[id.0.into(), on.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO allocations (case_id, staff_id, allocated_on, ended_on, reason, allocated_by) \
         VALUES ($1, $2, $3, NULL, $4, $5)",
        &[
            id.0.into(),
            worker.0.into(),
            on.into(),
            reason.into(),
            (&stamp.actor_username).into(),
        ],
    )
    .await?;
    let moved_to = stage_on_allocation(&case);
    let stage = moved_to.unwrap_or(case.stage);
    let changed = tx
        .execute(
            "UPDATE cases SET allocated_to = $1, stage = $2, version = version + 1 WHERE id = $3 AND version = $4",
            &[worker.0.into(), stage.into(), id.0.into(), version.into()],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::StaleVersion { kind: "case" }.into());
    }
    let kind = if case.allocated_to.is_some() {
        "reallocated"
    } else {
        "allocated"
    };
    let note = format!("to {}", member.full_name());
    let why = reason.map(|r| format!("{note}: {r}")).unwrap_or(note);
    add_event_on(tx, id, stamp, Some(on), kind, None, None, Some(&why)).await?;
    if let Some(to) = moved_to {
        add_event_on(
            tx,
            id,
            stamp,
            Some(on),
            "moved",
            Some(case.stage),
            Some(to),
            Some("Allocated"),
        )
        .await?;
    }
    audit_case(tx, stamp, id, "allocate", reason.map(str::to_owned)).await?;
    tracked.finish(tx).await?;
    existing_case(tx, id).await
}

pub(crate) async fn allocations(
    tx: &mut dyn Tx,
    id: CaseId,
) -> Result<Vec<Allocation>, StoreError> {
    fetch_as(
        tx,
        "SELECT a.staff_id, s.given_name, s.family_name, \
         a.allocated_on, a.ended_on, a.reason, a.allocated_by, a.ended_reason \
         FROM allocations a JOIN staff s ON s.id = a.staff_id \
         WHERE a.case_id = $1 ORDER BY a.id",
        &[id.0.into()],
        allocation_from,
    )
    .await
}

// ----------------------------------------------------------------- transfers

fn transfer_from(r: &Row) -> Result<CaseTransfer, StoreError> {
    Ok(CaseTransfer {
        id: r.i64("id")?,
        case_id: CaseId(r.i64("case_id")?),
        from_team_id: TeamId(r.i64("from_team_id")?),
        to_team_id: TeamId(r.i64("to_team_id")?),
        transferred_on: r.date("transferred_on")?,
        reason: r.text("reason")?,
        transferred_by: r.text("transferred_by")?,
    })
}

/// The teams a case has moved between, oldest first.
pub(crate) async fn transfers(
    tx: &mut dyn Tx,
    case: CaseId,
) -> Result<Vec<CaseTransfer>, StoreError> {
    fetch_as(
        tx,
        "SELECT id, case_id, from_team_id, to_team_id, transferred_on, reason, transferred_by \
         FROM case_transfers WHERE case_id = $1 ORDER BY id",
        &[case.0.into()],
        transfer_from,
    )
    .await
}

/// Transfers a case to another team, if still at `version`. Its worker, if
/// any, stops holding it: the receiving team allocates it from its own
/// people, so the case joins that team's queue.
pub(crate) async fn transfer(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    id: CaseId,
    version: i64,
    input: &TransferInput,
    today: Date,
    stamp: &Stamp,
) -> Result<Case, StoreError> {
    let case = existing_case(tx, id).await?;
    if case.version != version {
        return Err(DomainError::StaleVersion { kind: "case" }.into());
    }
    let to_team = match input.to_team_id {
        Some(team) => Some(
            crate::record::referenced::<tandem_domain::organisation::Team>(tx, team, "to_team_id")
                .await?,
        ),
        None => None,
    };
    let last_transfer_on = transfers(tx, id).await?.last().map(|t| t.transferred_on);
    let allocated_on = allocations(tx, id)
        .await?
        .iter()
        .find(|a| a.ended_on.is_none())
        .map(|a| a.allocated_on);
    let draft = input.validate(
        &case,
        to_team.as_ref(),
        today,
        last_transfer_on,
        allocated_on,
    )?;
    let tracked = Tracked::start(tx, contexts, id).await?;
    let changed = tx
        .execute(
            "UPDATE cases SET team_id = $1, allocated_to = NULL, version = version + 1 \
             WHERE id = $2 AND version = $3",
            &[draft.to_team_id.0.into(), id.0.into(), version.into()],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::StaleVersion { kind: "case" }.into());
    }
    tx.execute(
        "INSERT INTO case_transfers (case_id, from_team_id, to_team_id, transferred_on, reason, transferred_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            id.0.into(),
            draft.from_team_id.0.into(),
            draft.to_team_id.0.into(),
            draft.transferred_on.into(),
            (&draft.reason).into(),
            (&stamp.actor_username).into(),
        ],
    )
    .await?;
    tx.execute(
        "UPDATE allocations SET ended_on = $2, ended_reason = $3 WHERE case_id = $1 AND ended_on IS NULL",
        &[
            id.0.into(),
            draft.transferred_on.into(),
            ENDED_BY_TRANSFER.into(),
        ],
    )
    .await?;
    add_event_on(
        tx,
        id,
        stamp,
        Some(draft.transferred_on),
        "transferred",
        Some(case.stage),
        Some(case.stage),
        Some(&draft.reason),
    )
    .await?;
    audit_case(
        tx,
        stamp,
        id,
        "update",
        Some(format!(
            "transferred from team {} to team {}",
            draft.from_team_id.0, draft.to_team_id.0
        )),
    )
    .await?;
    tracked.finish(tx).await?;
    existing_case(tx, id).await
}

/// The open cases of `team` waiting for a worker: harm alleged first, then oldest.
pub(crate) async fn queue(tx: &mut dyn Tx, team: TeamId) -> Result<Vec<(Case, bool)>, StoreError> {
    let columns: Vec<String> = CASE_COLUMNS.split(", ").map(|c| format!("c.{c}")).collect();
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT {}, EXISTS (SELECT 1 FROM applications a WHERE a.case_id = c.id AND a.harm_alleged) AS harm \
                 FROM cases c WHERE c.team_id = $1 AND c.allocated_to IS NULL AND c.stage <> '{CLOSED}' \
                 ORDER BY harm DESC, c.received_on, c.id",
                columns.join(", ")
            ),
            &[team.0.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((case_from(r)?, r.bool("harm")?)))
        .collect()
}

/// Open cases allocated to any of `staff`.
pub(crate) async fn held_by(tx: &mut dyn Tx, staff: &[StaffId]) -> Result<Vec<Case>, StoreError> {
    if staff.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=staff.len()).map(|i| format!("${i}")).collect();
    let params: Vec<Param> = staff.iter().map(|s| s.0.into()).collect();
    fetch_as(
        tx,
        &format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE allocated_to IN ({}) AND stage <> '{CLOSED}' ORDER BY received_on, id",
            placeholders.join(", ")
        ),
        &params, case_from).await
}

pub(crate) async fn safe_limit(tx: &mut dyn Tx, team: TeamId) -> Result<f64, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT points_per_fte FROM team_caseload_limits WHERE team_id = $1",
            &[team.0.into()],
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| r.f64("points_per_fte"))
        .transpose()?
        .unwrap_or(DEFAULT_SAFE_CASELOAD))
}

pub(crate) async fn set_safe_limit(
    tx: &mut dyn Tx,
    team: TeamId,
    points: f64,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    if !(points > 0.0 && points <= 100.0) {
        return Err(DomainError::invalid(
            "points_per_fte",
            "Enter a safe caseload between 0 and 100 points per FTE",
        )
        .into());
    }
    crate::record::referenced::<tandem_domain::organisation::Team>(tx, team.0, "team_id").await?;
    tx.execute(
        "DELETE FROM team_caseload_limits WHERE team_id = $1",
        &[team.0.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO team_caseload_limits (team_id, points_per_fte) VALUES ($1, $2)",
        &[team.0.into(), points.into()],
    )
    .await?;
    audit::append(
        tx,
        &stamp.entry(
            "update",
            Outcome::Allowed,
            Some(("team", team.0.to_string())),
            Some(format!("safe caseload {points}")),
        ),
    )
    .await?;
    Ok(())
}

/// Practitioners in post on `on` in a service area: who may hold its cases.
pub(crate) async fn practitioners_in_area(
    tx: &mut dyn Tx,
    area: tandem_domain::organisation::ServiceAreaId,
    on: Date,
) -> Result<Vec<StaffId>, StoreError> {
    fetch_as(
        tx,
        "SELECT s.id FROM staff s JOIN teams t ON t.id = s.team_id \
         WHERE t.service_area_id = $1 AND s.job_group = 'practitioner' AND s.start_date <= $2 \
         AND (s.end_date IS NULL OR s.end_date >= $2) \
         ORDER BY LOWER(s.family_name), LOWER(s.given_name), s.id",
        &[area.0.into(), on.into()],
        |r| Ok(StaffId(r.i64("id")?)),
    )
    .await
}

// ------------------------------------------------------------ bank holidays

pub(crate) async fn bank_holidays(
    tx: &mut dyn Tx,
) -> Result<Vec<tandem_domain::calendar::BankHoliday>, StoreError> {
    fetch_as(
        tx,
        "SELECT day, title FROM bank_holidays ORDER BY day",
        &[],
        |r| {
            Ok(tandem_domain::calendar::BankHoliday {
                date: r.date("day")?,
                title: r.text("title")?,
            })
        },
    )
    .await
}

/// Replaces every bank holiday in the years the new list covers, leaving
/// other years as they were: all or nothing.
pub(crate) async fn import_bank_holidays(
    tx: &mut dyn Tx,
    holidays: &[tandem_domain::calendar::BankHoliday],
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let mut years: Vec<i16> = holidays.iter().map(|h| h.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    for year in &years {
        let (first, last) = (
            jiff::civil::date(*year, 1, 1),
            jiff::civil::date(*year, 12, 31),
        );
        tx.execute(
            "DELETE FROM bank_holidays WHERE day >= $1 AND day <= $2",
            &[first.into(), last.into()],
        )
        .await?;
    }
    for h in holidays {
        tx.execute(
            "INSERT INTO bank_holidays (day, title) VALUES ($1, $2)",
            &[h.date.into(), (&h.title).into()],
        )
        .await?;
    }
    let summary = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{} bank holidays for {a}-{b}", holidays.len()),
        _ => "no bank holidays".to_owned(),
    };
    audit::append(
        tx,
        &stamp.entry(
            "import",
            Outcome::Allowed,
            Some(("bank_holidays", String::new())),
            Some(summary),
        ),
    )
    .await?;
    // Waits for allocation are counted in working days.
    crate::rollups::rebuild(tx, crate::rollups::Rebuild::Cells).await?;
    Ok(())
}

/// The ids of every case within `scope`.
pub(crate) async fn case_ids_in(
    tx: &mut dyn Tx,
    scope: &AccessScope,
) -> Result<Vec<i64>, StoreError> {
    let mut params = Vec::new();
    let condition = team_scope_condition(scope, &mut params);
    fetch_as(
        tx,
        &format!("SELECT id FROM cases WHERE {condition}"),
        &params,
        |r| Ok(r.i64("id")?),
    )
    .await
}

// ------------------------------------------------------- hearings and work

pub(crate) async fn insert_work(
    tx: &mut dyn Tx,
    case: CaseId,
    w: &WorkItemDraft,
) -> Result<i64, StoreError> {
    let rows = tx
        .fetch_all(
            "INSERT INTO work_items (case_id, kind, due_on, filed_on, late_reason, version) \
             VALUES ($1, $2, $3, NULL, NULL, 1) RETURNING id",
            &[case.0.into(), w.kind.slug().into(), w.due_on.into()],
        )
        .await?;
    Ok(rows
        .first()
        .ok_or_else(|| SqlError::decode("INSERT returned no row"))?
        .i64("id")?)
}

pub(crate) async fn insert_hearing(
    tx: &mut dyn Tx,
    case: CaseId,
    h: &HearingDraft,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO hearings (case_id, kind, held_on, outcome, directions) VALUES ($1, $2, $3, $4, $5)",
        &[case.0.into(), h.kind.slug().into(), h.on.into(), h.outcome.clone().into(), h.directions.clone().into()],
    )
    .await?;
    Ok(())
}

pub(crate) async fn add_hearing(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
    h: &HearingDraft,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    // The case's first hearing so far, if it has had one; no row if there
    // is no such case.
    let first_hearing = fetch_as(
        tx,
        "SELECT (SELECT MIN(held_on) FROM hearings WHERE case_id = $1) AS first_hearing \
         FROM cases WHERE id = $1",
        &[case.0.into()],
        |r| Ok(r.opt_date("first_hearing")?),
    )
    .await?
    .into_iter()
    .next()
    .ok_or(StoreError::Domain(DomainError::NotFound { kind: "case" }))?;
    let tracked = if hearing_changes_facts(first_hearing, h.on, h.outcome.as_deref().unwrap_or(""))
    {
        Some(Tracked::start(tx, contexts, case).await?)
    } else {
        None
    };
    insert_hearing(tx, case, h).await?;
    add_event(tx, case, stamp, "hearing", None, None, Some(h.kind.label())).await?;
    audit_case(tx, stamp, case, "update", Some("hearing recorded".into())).await?;
    match tracked {
        Some(tracked) => {
            tracked
                .finish_with(tx, |f| {
                    f.add_hearing(h.on, h.outcome.as_deref().unwrap_or(""))
                })
                .await
        }
        None => Ok(()),
    }
}

pub(crate) async fn hearings(tx: &mut dyn Tx, case: CaseId) -> Result<Vec<Hearing>, StoreError> {
    fetch_as(
        tx,
        "SELECT id, kind, held_on, outcome, directions \
         FROM hearings \
         WHERE case_id = $1 ORDER BY held_on, id",
        &[case.0.into()],
        hearing_from,
    )
    .await
}

pub(crate) async fn add_extension(
    tx: &mut dyn Tx,
    case: CaseId,
    e: &Extension,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    existing_case(tx, case).await?;
    tx.execute(
        "INSERT INTO extensions (case_id, weeks, granted_on, reason) VALUES ($1, $2, $3, $4)",
        &[
            case.0.into(),
            i64::from(e.weeks).into(),
            e.granted_on.into(),
            (&e.reason).into(),
        ],
    )
    .await?;
    let what = format!(
        "by {} weeks, granted {}: {}",
        e.weeks, e.granted_on, e.reason
    );
    add_event(tx, case, stamp, "extension", None, None, Some(&what)).await?;
    audit_case(
        tx,
        stamp,
        case,
        "update",
        Some("26-week limit extended".into()),
    )
    .await
}

pub(crate) async fn extensions(
    tx: &mut dyn Tx,
    case: CaseId,
) -> Result<Vec<Extension>, StoreError> {
    fetch_as(
        tx,
        "SELECT weeks, granted_on, reason \
         FROM extensions \
         WHERE case_id = $1 ORDER BY granted_on, id",
        &[case.0.into()],
        |r| {
            Ok(Extension {
                weeks: decode(
                    "weeks",
                    u8::try_from(r.i64("weeks")?).map_err(|e| e.to_string()),
                )?,
                granted_on: r.date("granted_on")?,
                reason: r.text("reason")?,
            })
        },
    )
    .await
}

pub(crate) const WORK_COLUMNS: &str = "id, case_id, kind, due_on, filed_on, late_reason, version";

pub(crate) fn work_from(r: &Row) -> Result<WorkItem, StoreError> {
    Ok(WorkItem {
        id: r.i64("id")?,
        case_id: CaseId(r.i64("case_id")?),
        kind: decode("kind", WorkKind::parse(&r.text("kind")?))?,
        due_on: r.date("due_on")?,
        filed_on: r.opt_date("filed_on")?,
        late_reason: r.opt_text("late_reason")?,
        version: r.i64("version")?,
    })
}

pub(crate) async fn add_work(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
    w: &WorkItemDraft,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    existing_case(tx, case).await?;
    let tracked = Tracked::start(tx, contexts, case).await?;
    insert_work(tx, case, w).await?;
    add_event(
        tx,
        case,
        stamp,
        "work-due",
        None,
        None,
        Some(&format!("{} due {}", w.kind.label(), w.due_on)),
    )
    .await?;
    audit_case(tx, stamp, case, "update", Some("work added".into())).await?;
    tracked.finish(tx).await
}

pub(crate) async fn work_items(tx: &mut dyn Tx, case: CaseId) -> Result<Vec<WorkItem>, StoreError> {
    fetch_as(
        tx,
        &format!("SELECT {WORK_COLUMNS} FROM work_items WHERE case_id = $1 ORDER BY due_on, id"),
        &[case.0.into()],
        work_from,
    )
    .await
}

/// Work item `item` on `case`, or "work item not found".
pub(crate) async fn work_item(
    tx: &mut dyn Tx,
    case: CaseId,
    item: i64,
) -> Result<WorkItem, StoreError> {
    let rows = tx
        .fetch_all(
            &format!("SELECT {WORK_COLUMNS} FROM work_items WHERE id = $1 AND case_id = $2"),
            &[item.into(), case.0.into()],
        )
        .await?;
    rows.first()
        .map(work_from)
        .transpose()?
        .ok_or(StoreError::Domain(DomainError::NotFound {
            kind: "work item",
        }))
}

/// Records that work was filed, if it is still at `version`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn file_work(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
    item: i64,
    version: i64,
    filed_on: &str,
    late_reason: &str,
    today: Date,
    stamp: &Stamp,
) -> Result<WorkItem, StoreError> {
    let work = work_item(tx, case, item).await?;
    if work.version != version {
        return Err(DomainError::StaleVersion { kind: "work item" }.into());
    }
    let case = existing_case(tx, work.case_id).await?;
    let (filed, reason) = check_filing(&work, case.received_on, filed_on, late_reason, today)?;
    let tracked = Tracked::start(tx, contexts, case.id).await?;
    let changed = tx
        .execute(
            "UPDATE work_items SET filed_on = $1, late_reason = $2, version = version + 1 WHERE id = $3 AND version = $4",
            &[filed.into(), reason.clone().into(), item.into(), version.into()],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::StaleVersion { kind: "work item" }.into());
    }
    let late = if filed > work.due_on { " (late)" } else { "" };
    add_event(
        tx,
        work.case_id,
        stamp,
        "filed",
        None,
        None,
        Some(&format!("{} filed {filed}{late}", work.kind.label())),
    )
    .await?;
    audit_case(tx, stamp, work.case_id, "update", Some("work filed".into())).await?;
    tracked.finish(tx).await?;
    // The update changed exactly these, under the version checked above.
    Ok(WorkItem {
        filed_on: Some(filed),
        late_reason: reason,
        version: version + 1,
        ..work
    })
}

/// Unfiled work on the open cases a worker holds, soonest due first.
pub(crate) async fn work_due_for(
    tx: &mut dyn Tx,
    staff: StaffId,
) -> Result<Vec<(WorkItem, String)>, StoreError> {
    let columns: Vec<String> = WORK_COLUMNS.split(", ").map(|c| format!("w.{c}")).collect();
    fetch_as(
        tx,
        &format!(
            "SELECT {}, c.case_number FROM work_items w JOIN cases c ON c.id = w.case_id \
             WHERE c.allocated_to = $1 AND c.stage <> '{CLOSED}' AND w.filed_on IS NULL ORDER BY w.due_on, w.id",
            columns.join(", ")
        ),
        &[staff.0.into()], |r| Ok((work_from(r)?, r.text("case_number")?))).await
}

const WORK_EXTENSION_COLUMNS: &str = "e.id, e.work_item_id, e.requested_on, e.due_on_before, e.requested_due_on, e.reason, e.decision, e.decided_on";

fn work_extension_from(r: &Row) -> Result<WorkExtension, StoreError> {
    let decision = match (r.opt_text("decision")?, r.opt_date("decided_on")?) {
        (Some(d), Some(on)) => Some((decode("decision", ExtensionDecision::parse(&d))?, on)),
        _ => None,
    };
    Ok(WorkExtension {
        id: r.i64("id")?,
        work_item_id: r.i64("work_item_id")?,
        requested_on: r.date("requested_on")?,
        due_on_before: r.date("due_on_before")?,
        requested_due_on: r.date("requested_due_on")?,
        reason: r.text("reason")?,
        decision,
    })
}

/// Requests for more time on any of a case's work, oldest first.
pub(crate) async fn work_extensions(
    tx: &mut dyn Tx,
    case: CaseId,
) -> Result<Vec<WorkExtension>, StoreError> {
    fetch_as(
        tx,
        &format!(
            "SELECT {WORK_EXTENSION_COLUMNS} FROM work_extensions e \
             JOIN work_items w ON w.id = e.work_item_id WHERE w.case_id = $1 ORDER BY e.id"
        ),
        &[case.0.into()],
        work_extension_from,
    )
    .await
}

/// Records a request to the court for more time to file `item`.
pub(crate) async fn request_work_extension(
    tx: &mut dyn Tx,
    case: CaseId,
    item: i64,
    input: &WorkExtensionInput,
    today: Date,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let record = existing_case(tx, case).await?;
    let work = work_item(tx, case, item).await?;
    let earlier: Vec<WorkExtension> = work_extensions(tx, case)
        .await?
        .into_iter()
        .filter(|e| e.work_item_id == item)
        .collect();
    let draft = input.validate(&record, &work, &earlier, today)?;
    tx.execute(
        "INSERT INTO work_extensions (work_item_id, requested_on, due_on_before, requested_due_on, reason) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            item.into(),
            draft.requested_on.into(),
            draft.due_on_before.into(),
            draft.requested_due_on.into(),
            (&draft.reason).into(),
        ],
    )
    .await?;
    let what = format!(
        "{} due {}: more time asked for, to {}",
        work.kind.label(),
        work.due_on,
        draft.requested_due_on
    );
    add_event(
        tx,
        case,
        stamp,
        "work-extension-requested",
        None,
        None,
        Some(&what),
    )
    .await?;
    audit_case(
        tx,
        stamp,
        case,
        "update",
        Some("more time requested".into()),
    )
    .await
}

/// Records the court's decision on a request; a grant moves the work's due
/// date, so the work must still be at `version`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn decide_work_extension(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
    item: i64,
    request: i64,
    version: i64,
    decision: &str,
    decided_on: &str,
    today: Date,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let work = work_item(tx, case, item).await?;
    if work.version != version {
        return Err(DomainError::StaleVersion { kind: "work item" }.into());
    }
    let asked = work_extensions(tx, case)
        .await?
        .into_iter()
        .find(|e| e.id == request && e.work_item_id == item)
        .ok_or(StoreError::Domain(DomainError::NotFound {
            kind: "request for more time",
        }))?;
    let (decision, on) = check_extension_decision(&asked, decision, decided_on, today)?;
    let tracked = Tracked::start(tx, contexts, case).await?;
    tx.execute(
        "UPDATE work_extensions SET decision = $1, decided_on = $2 WHERE id = $3 AND decision IS NULL",
        &[decision.slug().into(), on.into(), request.into()],
    )
    .await?;
    // Every decision bumps the work's version, so two people recording
    // decisions at once cannot both succeed.
    let due = match decision {
        ExtensionDecision::Granted => asked.requested_due_on,
        ExtensionDecision::Refused => work.due_on,
    };
    let changed = tx
        .execute(
            "UPDATE work_items SET due_on = $1, version = version + 1 WHERE id = $2 AND version = $3",
            &[due.into(), item.into(), version.into()],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::StaleVersion { kind: "work item" }.into());
    }
    let what = format!(
        "{}: more time {} on {on}; due {due}",
        work.kind.label(),
        decision.label().to_lowercase()
    );
    add_event(
        tx,
        case,
        stamp,
        "work-extension-decided",
        None,
        None,
        Some(&what),
    )
    .await?;
    audit_case(
        tx,
        stamp,
        case,
        "update",
        Some("decision on more time".into()),
    )
    .await?;
    tracked.finish(tx).await
}

/// Adds a child to an open case: children join proceedings after they start.
pub(crate) async fn add_child(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
    child: &ChildDraft,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    check_can_join(&existing_case(tx, case).await?)?;
    let tracked = Tracked::start(tx, contexts, case).await?;
    insert_child(tx, case, child, None).await?;
    let what = format!("{} {}", child.given_name, child.family_name);
    add_event(tx, case, stamp, "child-added", None, None, Some(&what)).await?;
    audit_case(tx, stamp, case, "update", Some("child added".into())).await?;
    tracked.finish(tx).await
}

/// Adds an adult party to an open case.
pub(crate) async fn add_party(
    tx: &mut dyn Tx,
    case: CaseId,
    party: &PartyDraft,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    check_can_join(&existing_case(tx, case).await?)?;
    insert_party(tx, case, party).await?;
    let what = format!(
        "{} {} ({})",
        party.given_name,
        party.family_name,
        party.role.label()
    );
    add_event(tx, case, stamp, "party-added", None, None, Some(&what)).await?;
    audit_case(tx, stamp, case, "update", Some("party added".into())).await
}

/// The organisation's application types, by name.
pub(crate) async fn application_kinds(tx: &mut dyn Tx) -> Result<Vec<ApplicationKind>, StoreError> {
    fetch_as(
        tx,
        "SELECT code, label AS kind_label, law_type AS kind_law_type FROM application_types ORDER BY LOWER(label), id",
        &[],
        |r| kind_from(r, "code"),
    )
    .await
}

/// Records (or replaces) a party's relationship to one child.
pub(crate) async fn set_relationship(
    tx: &mut dyn Tx,
    case: CaseId,
    party: i64,
    child: i64,
    relationship: &str,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let record = record(tx, case)
        .await?
        .ok_or(StoreError::Domain(DomainError::NotFound { kind: "case" }))?;
    let checked = check_relationship(&record, party, child, relationship)?;
    tx.execute(
        "DELETE FROM party_relationships WHERE party_id = $1 AND child_id = $2",
        &[party.into(), child.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO party_relationships (party_id, child_id, relationship) VALUES ($1, $2, $3)",
        &[party.into(), child.into(), (&checked.relationship).into()],
    )
    .await?;
    let name = |id: i64| {
        record
            .parties
            .iter()
            .find(|p| p.id == id)
            .map(Party::full_name)
            .unwrap_or_default()
    };
    let child_name = record
        .children
        .iter()
        .find(|c| c.id == child)
        .map(|c| c.full_name())
        .unwrap_or_default();
    let what = format!("{}: {} to {child_name}", name(party), checked.relationship);
    add_event(tx, case, stamp, "relationship", None, None, Some(&what)).await?;
    audit_case(
        tx,
        stamp,
        case,
        "update",
        Some("relationship recorded".into()),
    )
    .await
}
