//! The audit trail's integrity rules: each entry is chained to the one
//! before by a SHA-256 hash, so changing, removing or reordering any entry
//! breaks the chain from that point, and [`verify`] says where.
//!
//! Entries name who, in which role and scope, did what to which record,
//! when, from where and why: never the values themselves.

use crate::access::UserId;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "allowed" => Some(Outcome::Allowed),
            "denied" => Some(Outcome::Denied),
            _ => None,
        }
    }
}

/// One thing that happened, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// UTC, to the microsecond (both databases keep exactly that).
    pub at: Timestamp,
    pub actor_user_id: Option<UserId>,
    /// The account, or the username tried for a failed sign-in.
    pub actor_username: String,
    /// The role and scope the actor was acting in, when one applied.
    pub actor_role: Option<String>,
    pub actor_scope: Option<String>,
    /// What happened: `view`, `update`, `sign-in`, `sign-in-failed`, `export`, `break-glass`…
    pub action: String,
    pub outcome: Outcome,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    /// The reason given, for break-glass and similar.
    pub reason: Option<String>,
}

/// Truncates a time to the microsecond, the precision both databases store.
pub fn audit_time(at: Timestamp) -> Timestamp {
    let micros = at.as_microsecond();
    Timestamp::from_microsecond(micros).unwrap_or(at)
}

/// A stored entry with its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

fn field(hasher: &mut Sha256, value: Option<&str>) {
    // Length-prefixed, with NULL distinct from empty, so no two different
    // entries serialise the same way.
    match value {
        None => hasher.update(b"-"),
        Some(v) => {
            hasher.update(format!("{}:", v.len()).as_bytes());
            hasher.update(v.as_bytes());
        }
    }
    hasher.update(b"|");
}

/// The hash of entry number `seq`, chained to `prev_hash`.
pub fn chain_hash(seq: i64, prev_hash: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    field(&mut h, Some(&seq.to_string()));
    field(&mut h, Some(prev_hash));
    field(&mut h, Some(&audit_time(e.at).as_microsecond().to_string()));
    field(&mut h, e.actor_user_id.map(|u| u.0.to_string()).as_deref());
    field(&mut h, Some(&e.actor_username));
    field(&mut h, e.actor_role.as_deref());
    field(&mut h, e.actor_scope.as_deref());
    field(&mut h, Some(&e.action));
    field(&mut h, Some(e.outcome.name()));
    field(&mut h, e.record_type.as_deref());
    field(&mut h, e.record_id.as_deref());
    field(&mut h, e.request_id.as_deref());
    field(&mut h, e.client_ip.as_deref());
    field(&mut h, e.reason.as_deref());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the chain first breaks, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub problem: String,
}

/// Walks the chain through entries given in order, continuing from
/// `previous` (`(0, GENESIS)` from the start). Returns the last `(seq,
/// hash)` to continue from, or the first broken link.
pub fn verify<'a>(
    previous: (i64, String),
    events: impl IntoIterator<Item = &'a AuditEvent>,
) -> Result<(i64, String), BrokenLink> {
    let (mut seq, mut hash) = previous;
    for event in events {
        if event.seq != seq + 1 {
            return Err(BrokenLink {
                seq: seq + 1,
                problem: format!(
                    "entry {} is missing (the next entry is {})",
                    seq + 1,
                    event.seq
                ),
            });
        }
        if event.prev_hash != hash {
            return Err(BrokenLink {
                seq: event.seq,
                problem: "its link to the previous entry does not match".into(),
            });
        }
        if chain_hash(event.seq, &event.prev_hash, &event.entry) != event.hash {
            return Err(BrokenLink {
                seq: event.seq,
                problem: "its contents have changed since it was written".into(),
            });
        }
        seq = event.seq;
        hash = event.hash.clone();
    }
    Ok((seq, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> AuditEntry {
        AuditEntry {
            at: "2026-01-02T03:04:05.123456789Z".parse().expect("time"),
            actor_user_id: Some(UserId(3)),
            actor_username: "amira".into(),
            actor_role: Some("hr".into()),
            actor_scope: Some("national".into()),
            action: action.into(),
            outcome: Outcome::Allowed,
            record_type: Some("staff_member".into()),
            record_id: Some("12".into()),
            request_id: Some("r-1".into()),
            client_ip: Some("127.0.0.1".into()),
            reason: None,
        }
    }

    fn chain(actions: &[&str]) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_owned();
        actions
            .iter()
            .enumerate()
            .map(|(i, action)| {
                let seq = i as i64 + 1;
                let e = entry(action);
                let hash = chain_hash(seq, &prev, &e);
                let event = AuditEvent {
                    seq,
                    entry: e,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                event
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let events = chain(&["view", "update", "view"]);
        let (seq, hash) = verify((0, GENESIS.into()), &events).expect("intact");
        assert_eq!(seq, 3);
        assert_eq!(hash, events[2].hash);
    }

    #[test]
    fn any_change_is_found_where_it_happened() {
        let mut edited = chain(&["view", "update", "view"]);
        edited[1].entry.record_id = Some("13".into());
        assert_eq!(
            verify((0, GENESIS.into()), &edited).map_err(|b| b.seq),
            Err(2)
        );

        let mut removed = chain(&["view", "update", "view"]);
        removed.remove(1);
        assert_eq!(
            verify((0, GENESIS.into()), &removed).map_err(|b| b.seq),
            Err(2)
        );

        let mut swapped = chain(&["view", "update", "view"]);
        swapped.swap(0, 1);
        assert!(verify((0, GENESIS.into()), &swapped).is_err());
    }

    #[test]
    fn nulls_and_empty_strings_hash_differently() {
        let mut a = entry("view");
        a.reason = None;
        let mut b = entry("view");
        b.reason = Some(String::new());
        assert_ne!(chain_hash(1, GENESIS, &a), chain_hash(1, GENESIS, &b));
    }

    #[test]
    fn times_keep_microseconds_only() {
        let t = audit_time("2026-01-02T03:04:05.123456789Z".parse().expect("time"));
        assert_eq!(t.to_string(), "2026-01-02T03:04:05.123456Z");
    }
}

/// Who is acting, and in what capacity, for the entries one request writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub at: Timestamp,
    pub actor_user_id: Option<UserId>,
    pub actor_username: String,
    pub actor_role: Option<String>,
    pub actor_scope: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Stamp {
    /// An entry for `action` on one record (or none).
    pub fn entry(
        &self,
        action: &str,
        outcome: Outcome,
        record: Option<(&str, String)>,
        reason: Option<String>,
    ) -> AuditEntry {
        let (record_type, record_id) = match record {
            Some((kind, id)) => (Some(kind.to_owned()), Some(id)),
            None => (None, None),
        };
        AuditEntry {
            at: audit_time(self.at),
            actor_user_id: self.actor_user_id,
            actor_username: self.actor_username.clone(),
            actor_role: self.actor_role.clone(),
            actor_scope: self.actor_scope.clone(),
            action: action.to_owned(),
            outcome,
            record_type,
            record_id,
            request_id: self.request_id.clone(),
            client_ip: self.client_ip.clone(),
            reason,
        }
    }

    /// The same actor, acting in a particular role and scope.
    pub fn acting_as(&self, role: &str, scope: &str) -> Stamp {
        Stamp {
            actor_role: Some(role.to_owned()),
            actor_scope: Some(scope.to_owned()),
            ..self.clone()
        }
    }
}
