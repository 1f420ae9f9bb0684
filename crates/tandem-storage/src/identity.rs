//! Accounts, role assignments, sessions, API tokens, second factors and
//! break-glass grants. Every change here writes its audit entry in the same
//! transaction.

use crate::audit;
use crate::backend::Tx;
use crate::error::{SqlError, SqlErrorKind, StoreError};
use crate::row::Row;
use jiff::Timestamp;
use tandem_domain::DomainError;
use tandem_domain::access::{Assignment, BreakGlass, RecordKind, Role, Scope, ScopeRef, UserId};
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::choice::Choice;
use tandem_domain::organisation::{RegionId, ServiceAreaId, StaffId, TeamId};

/// A role assignment with its scope as people write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleAssignment {
    pub id: i64,
    pub assignment: Assignment,
    pub scope: ScopeRef,
}

/// A user account as the rest of Tandem sees it: no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccount {
    pub id: UserId,
    pub username: String,
    pub staff_id: Option<StaffId>,
    pub disabled: bool,
    pub has_second_factor: bool,
    pub created_at: Timestamp,
    pub version: i64,
    pub roles: Vec<RoleAssignment>,
}

/// What sign-in checks against. Never leaves the authentication code.
#[derive(Clone)]
pub struct Credentials {
    pub account: UserAccount,
    pub password_hash: String,
    pub totp_secret: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// The password was right; the second factor is still needed.
    SecondFactor,
    /// A second factor must be set up before anything else.
    Enrol,
    Complete,
}

impl SessionStage {
    fn name(self) -> &'static str {
        match self {
            SessionStage::SecondFactor => "second-factor",
            SessionStage::Enrol => "enrol",
            SessionStage::Complete => "complete",
        }
    }

    fn parse(text: &str) -> Result<Self, SqlError> {
        match text {
            "second-factor" => Ok(SessionStage::SecondFactor),
            "enrol" => Ok(SessionStage::Enrol),
            "complete" => Ok(SessionStage::Complete),
            other => Err(SqlError::decode(format!("unknown session stage {other}"))),
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: UserId,
    pub csrf_token: String,
    pub stage: SessionStage,
    pub pending_totp_secret: Option<String>,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

impl std::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub id: i64,
    pub user_id: UserId,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// A break-glass grant as the record's managers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassRecord {
    pub username: String,
    pub record_type: String,
    pub record_id: i64,
    pub reason: String,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
}

const USER_COLUMNS: &str =
    "id, username, staff_id, password_hash, disabled, totp_secret, created_at, version";

fn credentials(row: &Row, roles: Vec<RoleAssignment>) -> Result<Credentials, StoreError> {
    let totp_secret = row.opt_text("totp_secret")?;
    Ok(Credentials {
        account: UserAccount {
            id: UserId(row.i64("id")?),
            username: row.text("username")?,
            staff_id: row.opt_i64("staff_id")?.map(StaffId),
            disabled: row.bool("disabled")?,
            has_second_factor: totp_secret.is_some(),
            created_at: row.timestamp("created_at")?,
            version: row.i64("version")?,
            roles,
        },
        password_hash: row.text("password_hash")?,
        totp_secret,
    })
}

/// Writes the audit entry for something done to an account.
async fn audit_account(
    tx: &mut dyn Tx,
    stamp: &Stamp,
    user: UserId,
    action: &str,
    reason: Option<String>,
) -> Result<(), StoreError> {
    audit::append(
        tx,
        &stamp.entry(
            action,
            Outcome::Allowed,
            Some(("user_account", user.0.to_string())),
            reason,
        ),
    )
    .await?;
    Ok(())
}

pub(crate) async fn roles_of(
    tx: &mut dyn Tx,
    user: UserId,
) -> Result<Vec<RoleAssignment>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT ra.id, ra.role, ra.scope_kind, ra.scope_id, \
                    COALESCE(r.code, a.code, t.code) AS code \
             FROM role_assignments ra \
             LEFT JOIN regions r ON ra.scope_kind = 'region' AND r.id = ra.scope_id \
             LEFT JOIN service_areas a ON ra.scope_kind = 'area' AND a.id = ra.scope_id \
             LEFT JOIN teams t ON ra.scope_kind = 'team' AND t.id = ra.scope_id \
             WHERE ra.user_id = $1 ORDER BY ra.id",
            &[user.0.into()],
        )
        .await?;
    rows.iter()
        .map(|row| {
            let role_text = row.text("role")?;
            let role = Role::parse(&role_text).map_err(SqlError::decode)?;
            let id = row.i64("scope_id")?;
            let code = row.opt_text("code")?.unwrap_or_default();
            let (scope, scope_ref) = match row.text("scope_kind")?.as_str() {
                "national" => (Scope::National, ScopeRef::National),
                "region" => (Scope::Region(RegionId(id)), ScopeRef::Region(code)),
                "area" => (Scope::Area(ServiceAreaId(id)), ScopeRef::Area(code)),
                "team" => (Scope::Team(TeamId(id)), ScopeRef::Team(code)),
                other => return Err(SqlError::decode(format!("unknown scope kind {other}")).into()),
            };
            Ok(RoleAssignment {
                id: row.i64("id")?,
                assignment: Assignment { role, scope },
                scope: scope_ref,
            })
        })
        .collect()
}

async fn credentials_where(
    tx: &mut dyn Tx,
    filter: &str,
    param: crate::Param,
) -> Result<Option<Credentials>, StoreError> {
    let rows = tx
        .fetch_all(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE {filter}"),
            &[param],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    let roles = roles_of(tx, UserId(row.i64("id")?)).await?;
    credentials(row, roles).map(Some)
}

pub(crate) async fn by_username(
    tx: &mut dyn Tx,
    username: &str,
) -> Result<Option<Credentials>, StoreError> {
    credentials_where(tx, "username = $1", username.trim().to_lowercase().into()).await
}

pub(crate) async fn by_id(tx: &mut dyn Tx, id: UserId) -> Result<Credentials, StoreError> {
    credentials_where(tx, "id = $1", id.0.into())
        .await?
        .ok_or(StoreError::Domain(DomainError::NotFound {
            kind: "user account",
        }))
}

pub(crate) async fn list(tx: &mut dyn Tx) -> Result<Vec<UserAccount>, StoreError> {
    let rows = tx
        .fetch_all(
            &format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"),
            &[],
        )
        .await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for row in &rows {
        let roles = roles_of(tx, UserId(row.i64("id")?)).await?;
        accounts.push(credentials(row, roles)?.account);
    }
    Ok(accounts)
}

/// A username: lower case letters, digits, dots, hyphens and underscores.
pub fn check_username(username: &str) -> Result<String, DomainError> {
    let name = username.trim().to_lowercase();
    let ok = (3..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(name)
    } else {
        Err(DomainError::invalid(
            "username",
            "A username is 3 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit",
        ))
    }
}

pub(crate) async fn create(
    tx: &mut dyn Tx,
    username: &str,
    staff_id: Option<StaffId>,
    password_hash: &str,
    stamp: &Stamp,
) -> Result<UserAccount, StoreError> {
    let username = check_username(username)?;
    if let Some(staff) = staff_id {
        crate::record::referenced::<tandem_domain::organisation::StaffMember>(
            tx, staff.0, "staff_id",
        )
        .await?;
    }
    let rows = tx
        .fetch_all(
            "INSERT INTO users (username, staff_id, password_hash, disabled, totp_secret, created_at, version) \
             VALUES ($1, $2, $3, $4, NULL, $5, 1) RETURNING id",
            &[
                (&username).into(),
                staff_id.map(|s| s.0).into(),
                password_hash.into(),
                false.into(),
                stamp.at.into(),
            ],
        )
        .await
        .map_err(|e| match &e.kind {
            SqlErrorKind::UniqueViolation { columns, .. } => {
                let staff = columns.iter().any(|c| c == "staff_id");
                StoreError::Domain(DomainError::Duplicate {
                    field: if staff { "staff_id" } else { "username" }.into(),
                    message: if staff {
                        "That staff member already has an account".into()
                    } else {
                        "That username is taken".into()
                    },
                })
            }
            _ => e.into(),
        })?;
    let id = UserId(
        rows.first()
            .ok_or_else(|| SqlError::decode("INSERT returned no row"))?
            .i64("id")?,
    );
    audit_account(tx, stamp, id, "account-created", None).await?;
    Ok(by_id(tx, id).await?.account)
}

/// Resolves `region:NE` and the like to the records they name.
pub(crate) async fn resolve_scope(tx: &mut dyn Tx, scope: &ScopeRef) -> Result<Scope, StoreError> {
    let (table, code, make): (&str, &str, fn(i64) -> Scope) = match scope {
        ScopeRef::National => return Ok(Scope::National),
        ScopeRef::Region(code) => ("regions", code, |id| Scope::Region(RegionId(id))),
        ScopeRef::Area(code) => ("service_areas", code, |id| Scope::Area(ServiceAreaId(id))),
        ScopeRef::Team(code) => ("teams", code, |id| Scope::Team(TeamId(id))),
    };
    let rows = tx
        .fetch_all(
            &format!("SELECT id FROM {table} WHERE code = $1"),
            &[code.trim().to_ascii_uppercase().into()],
        )
        .await?;
    match rows.first() {
        Some(row) => Ok(make(row.i64("id")?)),
        None => Err(DomainError::invalid("scope", format!("There is no {scope}")).into()),
    }
}

fn scope_columns(scope: Scope) -> (&'static str, i64) {
    match scope {
        Scope::National => ("national", 0),
        Scope::Region(r) => ("region", r.0),
        Scope::Area(a) => ("area", a.0),
        Scope::Team(t) => ("team", t.0),
    }
}

pub(crate) async fn assign(
    tx: &mut dyn Tx,
    user: UserId,
    role: Role,
    scope: &ScopeRef,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    by_id(tx, user).await?;
    let (kind, id) = scope_columns(resolve_scope(tx, scope).await?);
    tx.execute(
        "INSERT INTO role_assignments (user_id, role, scope_kind, scope_id) VALUES ($1, $2, $3, $4)",
        &[user.0.into(), role.slug().into(), kind.into(), id.into()],
    )
    .await
    .map_err(|e| match e.kind {
        SqlErrorKind::UniqueViolation { .. } => StoreError::Domain(DomainError::Duplicate {
            field: "role".into(),
            message: format!("The account already has the role {} over {scope}", role.slug()),
        }),
        _ => e.into(),
    })?;
    audit_account(
        tx,
        stamp,
        user,
        "role-assigned",
        Some(format!("{} {scope}", role.slug())),
    )
    .await?;
    Ok(())
}

pub(crate) async fn unassign(
    tx: &mut dyn Tx,
    user: UserId,
    assignment_id: i64,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let roles = roles_of(tx, user).await?;
    let Some(found) = roles.iter().find(|r| r.id == assignment_id) else {
        return Err(DomainError::NotFound {
            kind: "role assignment",
        }
        .into());
    };
    tx.execute(
        "DELETE FROM role_assignments WHERE id = $1",
        &[assignment_id.into()],
    )
    .await?;
    audit_account(
        tx,
        stamp,
        user,
        "role-removed",
        Some(format!("{} {}", found.assignment.role.slug(), found.scope)),
    )
    .await?;
    Ok(())
}

/// Ends every session and API token of a user.
pub(crate) async fn end_all(
    tx: &mut dyn Tx,
    user: UserId,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE user_id = $1", &[user.0.into()])
        .await?;
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        &[user.0.into(), now.into()],
    )
    .await?;
    Ok(())
}

pub(crate) async fn set_disabled(
    tx: &mut dyn Tx,
    user: UserId,
    disabled: bool,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    by_id(tx, user).await?;
    tx.execute(
        "UPDATE users SET disabled = $2, version = version + 1 WHERE id = $1",
        &[user.0.into(), disabled.into()],
    )
    .await?;
    if disabled {
        end_all(tx, user, stamp.at).await?;
    }
    let action = if disabled {
        "account-disabled"
    } else {
        "account-enabled"
    };
    audit_account(tx, stamp, user, action, None).await?;
    Ok(())
}

pub(crate) async fn set_password(
    tx: &mut dyn Tx,
    user: UserId,
    password_hash: &str,
    action: &str,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    by_id(tx, user).await?;
    tx.execute(
        "UPDATE users SET password_hash = $2, version = version + 1 WHERE id = $1",
        &[user.0.into(), password_hash.into()],
    )
    .await?;
    // A new password ends every existing session and token.
    end_all(tx, user, stamp.at).await?;
    audit_account(tx, stamp, user, action, None).await?;
    Ok(())
}

pub(crate) async fn set_second_factor(
    tx: &mut dyn Tx,
    user: UserId,
    secret: Option<&str>,
    recovery_hashes: &[String],
    stamp: &Stamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET totp_secret = $2, version = version + 1 WHERE id = $1",
        &[user.0.into(), secret.into()],
    )
    .await?;
    tx.execute(
        "DELETE FROM recovery_codes WHERE user_id = $1",
        &[user.0.into()],
    )
    .await?;
    for hash in recovery_hashes {
        tx.execute(
            "INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)",
            &[user.0.into(), hash.into()],
        )
        .await?;
    }
    let action = if secret.is_some() {
        "second-factor-enabled"
    } else {
        "second-factor-removed"
    };
    audit_account(tx, stamp, user, action, None).await?;
    Ok(())
}

/// Uses up a recovery code; false if it is not one of the user's unused codes.
pub(crate) async fn use_recovery_code(
    tx: &mut dyn Tx,
    user: UserId,
    code_hash: &str,
    stamp: &Stamp,
) -> Result<bool, StoreError> {
    let used = tx
        .execute(
            "UPDATE recovery_codes SET used_at = $3 \
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            &[user.0.into(), code_hash.into(), stamp.at.into()],
        )
        .await?;
    if used > 0 {
        audit::append(
            tx,
            &stamp.entry(
                "recovery-code-used",
                Outcome::Allowed,
                Some(("user_account", user.0.to_string())),
                None,
            ),
        )
        .await?;
    }
    Ok(used > 0)
}

pub(crate) async fn unused_recovery_codes(
    tx: &mut dyn Tx,
    user: UserId,
) -> Result<i64, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            &[user.0.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0))
}

// ------------------------------------------------------------------ sessions

const SESSION_COLUMNS: &str =
    "id, user_id, csrf_token, stage, pending_totp_secret, created_at, last_seen_at";

fn session(row: &Row) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: row.i64("id")?,
        user_id: UserId(row.i64("user_id")?),
        csrf_token: row.text("csrf_token")?,
        stage: SessionStage::parse(&row.text("stage")?)?,
        pending_totp_secret: row.opt_text("pending_totp_secret")?,
        created_at: row.timestamp("created_at")?,
        last_seen_at: row.timestamp("last_seen_at")?,
    })
}

pub(crate) async fn create_session(
    tx: &mut dyn Tx,
    user: UserId,
    token_hash: &str,
    csrf_token: &str,
    stage: SessionStage,
    now: Timestamp,
) -> Result<SessionRecord, StoreError> {
    let rows = tx
        .fetch_all(
            &format!(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, stage, pending_totp_secret, created_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, NULL, $5, $5) RETURNING {SESSION_COLUMNS}"
            ),
            &[token_hash.into(), user.0.into(), csrf_token.into(), stage.name().into(), now.into()],
        )
        .await?;
    session(
        rows.first()
            .ok_or_else(|| SqlError::decode("INSERT returned no row"))?,
    )
}

pub(crate) async fn session_by_token(
    tx: &mut dyn Tx,
    token_hash: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    let rows = tx
        .fetch_all(
            &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"),
            &[token_hash.into()],
        )
        .await?;
    rows.first().map(session).transpose()
}

pub(crate) async fn update_session(
    tx: &mut dyn Tx,
    id: i64,
    stage: SessionStage,
    pending_totp_secret: Option<&str>,
    last_seen_at: Timestamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sessions SET stage = $2, pending_totp_secret = $3, last_seen_at = $4 WHERE id = $1",
        &[
            id.into(),
            stage.name().into(),
            pending_totp_secret.into(),
            last_seen_at.into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn delete_session(tx: &mut dyn Tx, id: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE id = $1", &[id.into()])
        .await?;
    Ok(())
}

pub(crate) async fn session_count(tx: &mut dyn Tx, user: UserId) -> Result<i64, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1",
            &[user.0.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0))
}

// ---------------------------------------------------------------- API tokens

pub(crate) async fn create_token(
    tx: &mut dyn Tx,
    user: UserId,
    token_hash: &str,
    expires_at: Timestamp,
    stamp: &Stamp,
) -> Result<ApiTokenRecord, StoreError> {
    let rows = tx
        .fetch_all(
            "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, NULL) RETURNING id",
            &[
                token_hash.into(),
                user.0.into(),
                stamp.at.into(),
                expires_at.into(),
            ],
        )
        .await?;
    let id = rows
        .first()
        .ok_or_else(|| SqlError::decode("INSERT returned no row"))?
        .i64("id")?;
    audit::append(
        tx,
        &stamp.entry(
            "token-issued",
            Outcome::Allowed,
            Some(("api_token", id.to_string())),
            None,
        ),
    )
    .await?;
    Ok(ApiTokenRecord {
        id,
        user_id: user,
        expires_at,
        revoked_at: None,
    })
}

pub(crate) async fn token_by_hash(
    tx: &mut dyn Tx,
    token_hash: &str,
) -> Result<Option<ApiTokenRecord>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT id, user_id, expires_at, revoked_at FROM api_tokens WHERE token_hash = $1",
            &[token_hash.into()],
        )
        .await?;
    rows.first()
        .map(|row| {
            Ok(ApiTokenRecord {
                id: row.i64("id")?,
                user_id: UserId(row.i64("user_id")?),
                expires_at: row.timestamp("expires_at")?,
                revoked_at: row.opt_timestamp("revoked_at")?,
            })
        })
        .transpose()
}

pub(crate) async fn revoke_token(
    tx: &mut dyn Tx,
    id: i64,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        &[id.into(), stamp.at.into()],
    )
    .await?;
    audit::append(
        tx,
        &stamp.entry(
            "token-revoked",
            Outcome::Allowed,
            Some(("api_token", id.to_string())),
            None,
        ),
    )
    .await?;
    Ok(())
}

// --------------------------------------------------------------- break-glass

pub(crate) async fn grant_break_glass(
    tx: &mut dyn Tx,
    user: UserId,
    kind: RecordKind,
    record_id: i64,
    reason: &str,
    expires_at: Timestamp,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO break_glass_grants (user_id, record_type, record_id, reason, granted_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            user.0.into(),
            kind.name().into(),
            record_id.into(),
            reason.into(),
            stamp.at.into(),
            expires_at.into(),
        ],
    )
    .await?;
    audit::append(
        tx,
        &stamp.entry(
            "break-glass",
            Outcome::Allowed,
            Some((kind.name(), record_id.to_string())),
            Some(reason.to_owned()),
        ),
    )
    .await?;
    Ok(())
}

fn record_kind(name: &str) -> Option<RecordKind> {
    [
        RecordKind::StaffMember,
        RecordKind::Case,
        RecordKind::UserAccount,
        RecordKind::AccessLog,
    ]
    .into_iter()
    .find(|k| k.name() == name)
}

pub(crate) async fn active_break_glass(
    tx: &mut dyn Tx,
    user: UserId,
    now: Timestamp,
) -> Result<Vec<BreakGlass>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT record_type, record_id, expires_at FROM break_glass_grants \
             WHERE user_id = $1 AND expires_at > $2",
            &[user.0.into(), now.into()],
        )
        .await?;
    let mut grants = Vec::new();
    for row in &rows {
        if let Some(kind) = record_kind(&row.text("record_type")?) {
            grants.push(BreakGlass {
                kind,
                record_id: row.i64("record_id")?,
                expires_at: row.timestamp("expires_at")?,
            });
        }
    }
    Ok(grants)
}

/// Break-glass grants to records of `kind` with these ids, newest first.
pub(crate) async fn break_glass_for(
    tx: &mut dyn Tx,
    kind: RecordKind,
    record_ids: &[i64],
) -> Result<Vec<BreakGlassRecord>, StoreError> {
    if record_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..record_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let mut params: Vec<crate::Param> = vec![kind.name().into()];
    params.extend(record_ids.iter().map(|id| (*id).into()));
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT u.username, g.record_type, g.record_id, g.reason, g.granted_at, g.expires_at \
                 FROM break_glass_grants g JOIN users u ON u.id = g.user_id \
                 WHERE g.record_type = $1 AND g.record_id IN ({}) ORDER BY g.granted_at DESC",
                placeholders.join(", ")
            ),
            &params,
        )
        .await?;
    rows.iter()
        .map(|row| {
            Ok(BreakGlassRecord {
                username: row.text("username")?,
                record_type: row.text("record_type")?,
                record_id: row.i64("record_id")?,
                reason: row.text("reason")?,
                granted_at: row.timestamp("granted_at")?,
                expires_at: row.timestamp("expires_at")?,
            })
        })
        .collect()
}

// ------------------------------------------------------------ password resets

pub(crate) async fn issue_reset(
    tx: &mut dyn Tx,
    user: UserId,
    code_hash: &str,
    expires_at: Timestamp,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    by_id(tx, user).await?;
    // A new code replaces any earlier one still outstanding.
    tx.execute(
        "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
        &[user.0.into(), stamp.at.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO password_resets (user_id, code_hash, created_at, expires_at, used_at) \
         VALUES ($1, $2, $3, $4, NULL)",
        &[
            user.0.into(),
            code_hash.into(),
            stamp.at.into(),
            expires_at.into(),
        ],
    )
    .await?;
    audit_account(tx, stamp, user, "password-reset-issued", None).await?;
    Ok(())
}

/// Uses up a reset code for `username`; the account it resets, if the code
/// was right, unused and in date.
pub(crate) async fn redeem_reset(
    tx: &mut dyn Tx,
    username: &str,
    code_hash: &str,
    now: Timestamp,
) -> Result<Option<UserId>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT r.id, r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id \
             WHERE u.username = $1 AND r.code_hash = $2 AND r.used_at IS NULL AND r.expires_at > $3",
            &[username.trim().to_lowercase().into(), code_hash.into(), now.into()],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE password_resets SET used_at = $2 WHERE id = $1",
        &[row.i64("id")?.into(), now.into()],
    )
    .await?;
    Ok(Some(UserId(row.i64("user_id")?)))
}
