//! Storing case notes, contacts and management oversight: append-only.

use crate::backend::Tx;
use crate::casework::{audit_case, decode, existing_case, fetch_as, opt_choice};
use crate::error::StoreError;
use crate::row::Row;
use tandem_domain::audit::Stamp;
use tandem_domain::case_notes::*;
use tandem_domain::casework::CaseId;
use tandem_domain::choice::Choice;

fn note_from(r: &Row) -> Result<CaseNote, StoreError> {
    let contact = match (r.opt_text("contact_with")?, r.opt_text("contact_method")?) {
        (Some(with), Some(how)) => Some((
            decode("contact_with", ContactWith::parse(&with))?,
            decode("contact_method", ContactMethod::parse(&how))?,
        )),
        _ => None,
    };
    Ok(CaseNote {
        id: r.i64("id")?,
        details: NoteDraft {
            kind: decode("kind", NoteKind::parse(&r.text("kind")?))?,
            on: r.date("occurred_on")?,
            contact,
            oversight: opt_choice(r, "oversight_for")?,
            work_item_id: r.opt_i64("work_item_id")?,
            body: r.text("body")?,
        },
        author: r.text("author")?,
        recorded_at: r.timestamp("recorded_at")?,
    })
}

/// A case's notes, newest first.
pub(crate) async fn notes(tx: &mut dyn Tx, case: CaseId) -> Result<Vec<CaseNote>, StoreError> {
    fetch_as(
        tx,
        "SELECT * FROM case_notes WHERE case_id = $1 ORDER BY occurred_on DESC, id DESC",
        &[case.0.into()],
        note_from,
    )
    .await
}

/// Adds a note. Notes are not copied into the case history: the note
/// itself is the record, with its author and time.
pub(crate) async fn add_note(
    tx: &mut dyn Tx,
    case: CaseId,
    n: &NoteDraft,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    existing_case(tx, case).await?;
    tx.execute(
        "INSERT INTO case_notes (case_id, kind, occurred_on, contact_with, contact_method, \
         oversight_for, work_item_id, body, author, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            case.0.into(),
            n.kind.slug().into(),
            n.on.into(),
            n.contact.map(|(w, _)| w.slug()).into(),
            n.contact.map(|(_, m)| m.slug()).into(),
            n.oversight.map(|o| o.slug()).into(),
            n.work_item_id.into(),
            (&n.body).into(),
            (&stamp.actor_username).into(),
            stamp.at.into(),
        ],
    )
    .await?;
    audit_case(
        tx,
        stamp,
        case,
        "update",
        Some(format!("{} added", n.kind.label().to_lowercase())),
    )
    .await
}
