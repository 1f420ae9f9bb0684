//! Storing the child's experience and outcome, and finding children who
//! have yet to meet their family court adviser.

use crate::backend::Tx;
use crate::casework::{add_event, audit_case, fetch_as};
use crate::error::StoreError;
use crate::organisation::team_scope_condition;
use crate::rollups::{ContextCache, Tracked};
use jiff::civil::Date;
use tandem_domain::DomainError;
use tandem_domain::access::AccessScope;
use tandem_domain::audit::Stamp;
use tandem_domain::casework::{CLOSED, CaseId, Child};
use tandem_domain::child_experience::{ChildExperience, ChildOutcome};
use tandem_domain::choice::Choice;

/// Child `child` of `case`, or "child not found".
pub(crate) async fn child_in(
    tx: &mut dyn Tx,
    case: CaseId,
    child: i64,
) -> Result<Child, StoreError> {
    crate::casework::children_of(tx, case)
        .await?
        .into_iter()
        .find(|c| c.id == child)
        .ok_or(StoreError::Domain(DomainError::NotFound { kind: "child" }))
}

/// Changes one child's row if it is still at `version`.
async fn update_child(
    tx: &mut dyn Tx,
    child: i64,
    version: i64,
    set: &str,
    mut params: Vec<crate::row::Param>,
) -> Result<(), StoreError> {
    let n = params.len();
    params.push(child.into());
    params.push(version.into());
    let changed = tx
        .execute(
            &format!(
                "UPDATE children SET {set}, version = version + 1 WHERE id = ${} AND version = ${}",
                n + 1,
                n + 2
            ),
            &params,
        )
        .await?;
    if changed == 1 {
        Ok(())
    } else {
        Err(DomainError::StaleVersion { kind: "child" }.into())
    }
}

pub(crate) async fn set_experience(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
    child: &Child,
    e: &ChildExperience,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let tracked = Tracked::start(tx, contexts, case).await?;
    update_child(
        tx,
        child.id,
        child.version,
        "first_met_fca_on = $1, wishes_and_feelings = $2, told_outcome_by = $3, told_outcome_notes = $4",
        vec![
            e.first_met_fca_on.into(),
            e.wishes_and_feelings.clone().into(),
            e.told_outcome_by.map(|b| b.slug()).into(),
            e.told_outcome_notes.clone().into(),
        ],
    )
    .await?;
    let what = child.full_name();
    add_event(tx, case, stamp, "child-experience", None, None, Some(&what)).await?;
    audit_case(tx, stamp, case, "update", Some("child's experience".into())).await?;
    tracked.finish(tx).await
}

pub(crate) async fn set_outcome(
    tx: &mut dyn Tx,
    case: CaseId,
    child: &Child,
    o: &ChildOutcome,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    update_child(
        tx,
        child.id,
        child.version,
        "outcome_orders = $1, outcome_lives_with = $2, outcome_contact = $3, outcome_recorded_on = $4",
        vec![
            o.order_codes().into(),
            o.lives_with.slug().into(),
            o.contact.clone().into(),
            o.recorded_on.into(),
        ],
    )
    .await?;
    let orders: Vec<&str> = o.orders.iter().map(|x| x.label()).collect();
    let what = format!("{}: {}", child.full_name(), orders.join("; "));
    add_event(tx, case, stamp, "child-outcome", None, None, Some(&what)).await?;
    audit_case(tx, stamp, case, "update", Some("child's outcome".into())).await
}

/// A child who has not met their adviser, in an open allocated case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YetToMeet {
    pub case_id: CaseId,
    pub case_number: String,
    pub child_name: String,
    pub worker: String,
    pub allocated_on: Date,
}

/// Children in open, allocated cases within `scope` who have yet to meet
/// their adviser, longest waiting first.
pub(crate) async fn yet_to_meet(
    tx: &mut dyn Tx,
    scope: &AccessScope,
) -> Result<Vec<YetToMeet>, StoreError> {
    let mut params = Vec::new();
    // Scoped by a subquery: the condition names `team_id`, which staff has too.
    let condition = team_scope_condition(scope, &mut params);
    fetch_as(
        tx,
        &format!(
            "SELECT c.id AS case_id, c.case_number, ch.given_name, ch.family_name, \
             s.given_name AS worker_given, s.family_name AS worker_family, a.allocated_on \
             FROM children ch JOIN cases c ON c.id = ch.case_id \
             JOIN allocations a ON a.case_id = c.id AND a.ended_on IS NULL \
             JOIN staff s ON s.id = a.staff_id \
             WHERE ch.first_met_fca_on IS NULL AND c.stage <> '{CLOSED}' \
             AND c.id IN (SELECT id FROM cases WHERE {condition}) \
             ORDER BY a.allocated_on, c.id, ch.id"
        ),
        &params,
        |r| {
            Ok(YetToMeet {
                case_id: CaseId(r.i64("case_id")?),
                case_number: r.text("case_number")?,
                child_name: format!("{} {}", r.text("given_name")?, r.text("family_name")?),
                worker: format!("{} {}", r.text("worker_given")?, r.text("worker_family")?),
                allocated_on: r.date("allocated_on")?,
            })
        },
    )
    .await
}

/// Reads the version a form or request carries: a missing or garbled one
/// can only mean the page is out of date.
pub(crate) fn version_of(text: &str, kind: &'static str) -> Result<i64, StoreError> {
    text.trim()
        .parse()
        .map_err(|_| DomainError::StaleVersion { kind }.into())
}

/// The child as read, if still at the version the caller saw.
pub(crate) async fn child_at(
    tx: &mut dyn Tx,
    case: CaseId,
    child: i64,
    version: &str,
) -> Result<Child, StoreError> {
    let found = child_in(tx, case, child).await?;
    if found.version != version_of(version, "child")? {
        return Err(DomainError::StaleVersion { kind: "child" }.into());
    }
    Ok(found)
}
