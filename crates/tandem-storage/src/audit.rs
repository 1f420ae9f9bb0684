//! The audit trail: appending inside the caller's transaction, searching,
//! and walking the chain.

use crate::backend::Tx;
use crate::error::{SqlError, StoreError};
use crate::row::{Param, Row};
use jiff::Timestamp;
use tandem_domain::access::UserId;
use tandem_domain::audit::{self, AuditEntry, AuditEvent, Outcome};

const COLUMNS: &str = "seq, at, actor_user_id, actor_username, actor_role, actor_scope, action, \
     outcome, record_type, record_id, request_id, client_ip, reason, prev_hash, hash";

/// Appends one entry, numbered and chained, in the caller's transaction:
/// if the change it records rolls back, so does the entry.
pub(crate) async fn append(tx: &mut dyn Tx, entry: &AuditEntry) -> Result<i64, StoreError> {
    // Updating the head row first takes its lock, so concurrent appends
    // queue here and each sees the hash its predecessor wrote.
    let head = tx
        .fetch_all(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
            &[],
        )
        .await?;
    let head = head
        .first()
        .ok_or_else(|| SqlError::decode("audit_head is missing"))?;
    let seq = head.i64("seq")?;
    let prev_hash = head.text("hash")?;
    let entry = AuditEntry {
        at: audit::audit_time(entry.at),
        ..entry.clone()
    };
    let hash = audit::chain_hash(seq, &prev_hash, &entry);
    let params: Vec<Param> = vec![
        seq.into(),
        entry.at.into(),
        entry.actor_user_id.map(|u| u.0).into(),
        (&entry.actor_username).into(),
        entry.actor_role.clone().into(),
        entry.actor_scope.clone().into(),
        (&entry.action).into(),
        entry.outcome.name().into(),
        entry.record_type.clone().into(),
        entry.record_id.clone().into(),
        entry.request_id.clone().into(),
        entry.client_ip.clone().into(),
        entry.reason.clone().into(),
        (&prev_hash).into(),
        (&hash).into(),
    ];
    tx.execute(
        &format!(
            "INSERT INTO audit_events ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ),
        &params,
    )
    .await?;
    tx.execute(
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        &[hash.into()],
    )
    .await?;
    Ok(seq)
}

fn event(row: &Row) -> Result<AuditEvent, StoreError> {
    let outcome_text = row.text("outcome")?;
    let outcome = Outcome::parse(&outcome_text)
        .ok_or_else(|| SqlError::decode(format!("unknown audit outcome {outcome_text}")))?;
    Ok(AuditEvent {
        seq: row.i64("seq")?,
        entry: AuditEntry {
            at: row.timestamp("at")?,
            actor_user_id: row.opt_i64("actor_user_id")?.map(UserId),
            actor_username: row.text("actor_username")?,
            actor_role: row.opt_text("actor_role")?,
            actor_scope: row.opt_text("actor_scope")?,
            action: row.text("action")?,
            outcome,
            record_type: row.opt_text("record_type")?,
            record_id: row.opt_text("record_id")?,
            request_id: row.opt_text("request_id")?,
            client_ip: row.opt_text("client_ip")?,
            reason: row.opt_text("reason")?,
        },
        prev_hash: row.text("prev_hash")?,
        hash: row.text("hash")?,
    })
}

/// What to search the audit trail for; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<Timestamp>,
    /// Exclusive.
    pub to: Option<Timestamp>,
    pub limit: u32,
}

pub(crate) async fn search(
    tx: &mut dyn Tx,
    f: &AuditFilter,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut conditions = vec!["1 = 1".to_owned()];
    let mut params: Vec<Param> = Vec::new();
    let mut add = |sql: &str, value: Param, params: &mut Vec<Param>| {
        params.push(value);
        conditions.push(sql.replace('?', &format!("${}", params.len())));
    };
    if let Some(u) = f.username.as_deref().filter(|u| !u.is_empty()) {
        add("actor_username = ?", u.into(), &mut params);
    }
    if let Some(t) = f.record_type.as_deref().filter(|t| !t.is_empty()) {
        add("record_type = ?", t.into(), &mut params);
    }
    if let Some(id) = f.record_id.as_deref().filter(|i| !i.is_empty()) {
        add("record_id = ?", id.into(), &mut params);
    }
    if let Some(from) = f.from {
        add("at >= ?", from.into(), &mut params);
    }
    if let Some(to) = f.to {
        add("at < ?", to.into(), &mut params);
    }
    params.push(i64::from(f.limit.clamp(1, 10_000)).into());
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE {} ORDER BY seq DESC LIMIT ${}",
        conditions.join(" AND "),
        params.len()
    );
    tx.fetch_all(&sql, &params)
        .await?
        .iter()
        .map(event)
        .collect()
}

/// Entries with `seq` in `(after, after + limit]`, oldest first.
pub(crate) async fn page(
    tx: &mut dyn Tx,
    after: i64,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let rows = tx
        .fetch_all(
            &format!("SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[after.into(), limit.into()],
        )
        .await?;
    rows.iter().map(event).collect()
}

pub(crate) async fn head(tx: &mut dyn Tx) -> Result<(i64, String), StoreError> {
    let rows = tx
        .fetch_all("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| SqlError::decode("audit_head is missing"))?;
    Ok((row.i64("seq")?, row.text("hash")?))
}

/// Failed sign-ins in the window, for the account and for the address.
pub(crate) async fn failed_sign_ins(
    tx: &mut dyn Tx,
    username: &str,
    client_ip: Option<&str>,
    since: Timestamp,
) -> Result<(i64, i64), StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT \
               (SELECT COUNT(*) FROM audit_events WHERE action = 'sign-in-failed' \
                  AND actor_username = $1 AND at >= $2) AS by_account, \
               (SELECT COUNT(*) FROM audit_events WHERE action = 'sign-in-failed' \
                  AND client_ip = $3 AND at >= $2) AS by_address",
            &[username.into(), since.into(), client_ip.into()],
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| SqlError::decode("the count returned no row"))?;
    Ok((row.i64("by_account")?, row.i64("by_address")?))
}
