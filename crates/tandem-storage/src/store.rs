use crate::audit::{self, AuditFilter};
use crate::backend::{Backend, BackendKind, Tx};
use crate::bulk;
use crate::casework::{self, CaseFilter, CaseSummary};
use crate::delay::{DelayLines, Part};
use crate::error::StoreError;
use crate::identity::{
    self, ApiTokenRecord, BreakGlassRecord, Credentials, SessionRecord, SessionStage, UserAccount,
};
use crate::organisation::{self, Editable, OrganisationSummary, StaffFilter, StaffPage};
use crate::record::{self, Record};
use crate::rollups::{BulkCounts, CountedHistory};
use crate::{
    baseline, case_notes, child_experience, measure_targets, practice_settings, risk, rollups,
};
use jiff::Timestamp;
use std::sync::Arc;
use tandem_domain::DomainError;
use tandem_domain::access::{
    AccessScope, BreakGlass, Placement, RecordKind, Role, ScopeRef, UserId,
};
use tandem_domain::audit::{AuditEntry, AuditEvent, BrokenLink, Outcome, Stamp};
use tandem_domain::measures::{MeasureContext, Period, ScopeCounts};
use tandem_domain::organisation::{StaffId, TeamId};
use tandem_domain::rollups::{CaseFacts, CellCheck, Component, Discrepancy, RollupRules, Scope};

/// One write transaction around `$work`, committed only if it succeeds: a
/// refusal or fault part way leaves nothing behind. (A macro, not a method
/// taking a closure: the futures must stay provably `Send` for the server.)
macro_rules! in_write {
    ($store:expr, |$tx:ident| $work:expr) => {{
        let mut tx = $store.write().await?;
        let $tx = tx.as_mut();
        let done = $work.await?;
        tx.commit().await?;
        Ok(done)
    }};
}

/// Whether the database can serve requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// Migrations this build carries that the database has not applied.
    pub pending_migrations: Vec<String>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.pending_migrations.is_empty()
    }
}

/// What `rollups verify` found: how many cells and delay rows were
/// checked, and which differ from a recomputation.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupCheck {
    pub cells: usize,
    pub wrong: Vec<Discrepancy>,
    pub delay_cases: usize,
    /// The cases whose delay row is missing, stale or left over.
    pub delay_wrong: Vec<i64>,
}

impl RollupCheck {
    pub fn consistent(&self) -> bool {
        self.wrong.is_empty() && self.delay_wrong.is_empty()
    }
}

/// The repository: every query Tandem makes, over whichever backend it was given.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    /// Shared by the clones: one per database, not per request.
    pub(crate) rollup_contexts: Arc<rollups::ContextCache>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend.kind())
            .finish()
    }
}

impl Store {
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Self {
            backend,
            rollup_contexts: Arc::default(),
        }
    }

    pub fn backend_kind(&self) -> BackendKind {
        self.backend.kind()
    }

    /// Brings the schema up to date, the first time seeds the bank holidays
    /// from the file Tandem ships, and rebuilds the rollups if a migration
    /// changed what they hold.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.backend.migrate().await?;
        let stamp = Stamp {
            at: Timestamp::now(),
            actor_user_id: None,
            actor_username: "tandem".into(),
            actor_role: None,
            actor_scope: None,
            request_id: None,
            client_ip: None,
        };
        if self.bank_holidays().await?.is_empty() {
            let shipped = tandem_domain::calendar::parse_govuk_bank_holidays(
                tandem_domain::calendar::SHIPPED,
            )
            .map_err(|e| crate::SqlError::decode(format!("the shipped bank holidays: {e}")))?;
            self.import_bank_holidays(&shipped, &stamp).await?;
        }
        in_write!(self, |tx| async {
            let stale = tx
                .fetch_all("SELECT reason FROM rollups_stale", &[])
                .await?;
            if let Some(row) = stale.first() {
                let why = format!("after an upgrade ({})", row.text("reason")?);
                rebuild_recorded(tx, &stamp, &why).await?;
                tx.execute("DELETE FROM rollups_stale", &[]).await?;
            }
            Ok::<_, StoreError>(())
        })
    }

    pub async fn bank_holidays(
        &self,
    ) -> Result<Vec<tandem_domain::calendar::BankHoliday>, StoreError> {
        casework::bank_holidays(self.read().await?.as_mut()).await
    }

    /// Replaces the bank holidays of every year the list covers, all or nothing.
    pub async fn import_bank_holidays(
        &self,
        holidays: &[tandem_domain::calendar::BankHoliday],
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::import_bank_holidays(
            tx, holidays, stamp
        ))
    }

    /// The working-day calendar from the stored bank holidays.
    pub async fn working_calendar(
        &self,
    ) -> Result<tandem_domain::calendar::WorkingCalendar, StoreError> {
        Ok(tandem_domain::calendar::WorkingCalendar::new(
            self.bank_holidays().await?.into_iter().map(|h| h.date),
        ))
    }

    pub fn migration_names(&self) -> Vec<String> {
        self.backend.migration_names()
    }

    /// Reachable, and migrated to this build's schema.
    pub async fn readiness(&self) -> Result<Readiness, StoreError> {
        Ok(Readiness {
            pending_migrations: self.backend.pending_migrations().await?,
        })
    }

    pub async fn close(&self) {
        self.backend.close().await;
    }

    pub(crate) async fn read(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(self.backend.read().await?)
    }

    pub(crate) async fn write(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(self.backend.write().await?)
    }

    // ------------------------------------------------------- any record

    pub async fn list<R: Record>(&self) -> Result<Vec<R>, StoreError> {
        record::list(self.read().await?.as_mut()).await
    }

    pub async fn get<R: Record>(&self, id: i64) -> Result<R, StoreError> {
        record::get(self.read().await?.as_mut(), id).await
    }

    /// Finds a record by its unique code, as used in scopes (`area:A1`).
    pub async fn find_by_code<R: Record>(&self, code: &str) -> Result<Option<R>, StoreError> {
        let mut tx = self.read().await?;
        let found = record::fetch::<R>(
            tx.as_mut(),
            "WHERE code = $1",
            &[code.trim().to_ascii_uppercase().into()],
        )
        .await?;
        Ok(found.into_iter().next())
    }

    /// The name audit entries use for records of type `R`.
    fn audit_type<R: Record>() -> String {
        R::KIND.replace(' ', "_")
    }

    pub async fn create<R: Editable>(
        &self,
        draft: &R::Draft,
        stamp: &Stamp,
    ) -> Result<R, StoreError> {
        let mut tx = self.write().await?;
        R::check(tx.as_mut(), draft, None).await?;
        let created = record::insert::<R>(tx.as_mut(), R::columns(draft)).await?;
        let entry = stamp.entry(
            "create",
            Outcome::Allowed,
            Some((&Self::audit_type::<R>(), R::id_of(&created).to_string())),
            None,
        );
        audit::append(tx.as_mut(), &entry).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a record's values, if it is still at `expected_version`.
    pub async fn update<R: Editable>(
        &self,
        id: i64,
        expected_version: i64,
        draft: &R::Draft,
        stamp: &Stamp,
    ) -> Result<R, StoreError> {
        let mut tx = self.write().await?;
        record::get::<R>(tx.as_mut(), id).await?;
        R::check(tx.as_mut(), draft, Some(id)).await?;
        let context = rollups::context_token(tx.as_mut()).await?;
        let updated =
            record::update::<R>(tx.as_mut(), id, expected_version, R::columns(draft)).await?;
        // A team, service area or court that moved changes where cases are
        // counted (the triggers of migrations 0015 and 0017 renew the token):
        // the sums are worked out again in the same transaction.
        let moved = rollups::context_token(tx.as_mut()).await? != context;
        let cells = if moved {
            Some(rollups::rebuild(tx.as_mut(), rollups::Rebuild::Cells).await?)
        } else {
            None
        };
        let entry = stamp.entry(
            "update",
            Outcome::Allowed,
            Some((&Self::audit_type::<R>(), id.to_string())),
            cells.map(|n| format!("rollups rebuilt: {n} cells")),
        );
        audit::append(tx.as_mut(), &entry).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn delete<R: Editable>(
        &self,
        id: i64,
        expected_version: i64,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        let Some(in_use) = R::IN_USE else {
            return Err(DomainError::InUse {
                message: format!(
                    "{} records are kept; record an end date instead of deleting",
                    capitalise(R::KIND)
                ),
            }
            .into());
        };
        let mut tx = self.write().await?;
        record::delete::<R>(tx.as_mut(), id, expected_version, in_use).await?;
        let entry = stamp.entry(
            "delete",
            Outcome::Allowed,
            Some((&Self::audit_type::<R>(), id.to_string())),
            None,
        );
        audit::append(tx.as_mut(), &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that someone read personal data (or was refused it). The
    /// caller must not show the data if this fails.
    pub async fn record_access(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        // The entry's number is not the caller's concern.
        in_write!(self, |tx| async {
            audit::append(tx, entry).await.map(|_| ())
        })
    }

    // ---------------------------------------------------- organisation

    /// Staff within `scope` that match the filter.
    pub async fn list_staff(
        &self,
        filter: &StaffFilter,
        scope: &AccessScope,
    ) -> Result<StaffPage, StoreError> {
        organisation::list_staff(self.read().await?.as_mut(), filter, scope).await
    }

    /// Where a team sits: its service area and region.
    pub async fn placement_of_team(&self, team: Option<TeamId>) -> Result<Placement, StoreError> {
        organisation::placement_of_team(self.read().await?.as_mut(), team).await
    }

    pub async fn staff_in_post_by_team(
        &self,
        day: jiff::civil::Date,
    ) -> Result<Vec<(tandem_domain::organisation::TeamId, i64)>, StoreError> {
        organisation::staff_in_post_by_team(self.read().await?.as_mut(), day).await
    }

    pub async fn organisation_summary(
        &self,
        today: jiff::civil::Date,
    ) -> Result<OrganisationSummary, StoreError> {
        organisation::summary(self.read().await?.as_mut(), today).await
    }
}

impl Store {
    // ------------------------------------------------------- accounts

    pub async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        identity::by_username(self.read().await?.as_mut(), username).await
    }

    pub async fn account(&self, id: UserId) -> Result<UserAccount, StoreError> {
        Ok(identity::by_id(self.read().await?.as_mut(), id)
            .await?
            .account)
    }

    /// The secrets sign-in needs for an account known by id.
    pub async fn credentials_by_id(&self, id: UserId) -> Result<Credentials, StoreError> {
        identity::by_id(self.read().await?.as_mut(), id).await
    }

    pub async fn accounts(&self) -> Result<Vec<UserAccount>, StoreError> {
        identity::list(self.read().await?.as_mut()).await
    }

    /// Creates an account holding `roles`, all or nothing: a bad scope
    /// leaves no account behind.
    pub async fn create_account(
        &self,
        username: &str,
        staff_id: Option<StaffId>,
        password_hash: &str,
        roles: &[(Role, ScopeRef)],
        stamp: &Stamp,
    ) -> Result<UserAccount, StoreError> {
        let mut tx = self.write().await?;
        let account =
            identity::create(tx.as_mut(), username, staff_id, password_hash, stamp).await?;
        for (role, scope) in roles {
            identity::assign(tx.as_mut(), account.id, *role, scope, stamp).await?;
        }
        let account = identity::by_id(tx.as_mut(), account.id).await?.account;
        tx.commit().await?;
        Ok(account)
    }

    pub async fn assign_role(
        &self,
        user: UserId,
        role: Role,
        scope: &ScopeRef,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::assign(tx, user, role, scope, stamp))
    }

    pub async fn remove_role(
        &self,
        user: UserId,
        assignment_id: i64,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::unassign(
            tx,
            user,
            assignment_id,
            stamp
        ))
    }

    /// Disabling an account also ends its sessions and revokes its tokens.
    pub async fn set_account_disabled(
        &self,
        user: UserId,
        disabled: bool,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::set_disabled(tx, user, disabled, stamp))
    }

    /// Stores a new password hash; every session and token of the account ends.
    /// `action` is `password-changed` (by its holder) or `password-reset`.
    pub async fn set_password(
        &self,
        user: UserId,
        password_hash: &str,
        action: &str,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::set_password(
            tx,
            user,
            password_hash,
            action,
            stamp
        ))
    }

    /// Sets (or, with `None`, removes) the account's second factor, replacing its recovery codes.
    pub async fn set_second_factor(
        &self,
        user: UserId,
        secret: Option<&str>,
        recovery_hashes: &[String],
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::set_second_factor(
            tx,
            user,
            secret,
            recovery_hashes,
            stamp
        ))
    }

    pub async fn use_recovery_code(
        &self,
        user: UserId,
        code_hash: &str,
        stamp: &Stamp,
    ) -> Result<bool, StoreError> {
        in_write!(self, |tx| identity::use_recovery_code(
            tx, user, code_hash, stamp
        ))
    }

    pub async fn unused_recovery_codes(&self, user: UserId) -> Result<i64, StoreError> {
        identity::unused_recovery_codes(self.read().await?.as_mut(), user).await
    }

    /// Issues a password reset code (stored hashed) for the holder to use.
    pub async fn issue_password_reset(
        &self,
        user: UserId,
        code_hash: &str,
        expires_at: Timestamp,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::issue_reset(
            tx, user, code_hash, expires_at, stamp
        ))
    }

    /// Sets a new password with a reset code: all or nothing. Returns the
    /// account, or `None` if the code was wrong, used or out of date.
    pub async fn reset_password(
        &self,
        username: &str,
        code_hash: &str,
        password_hash: &str,
        stamp: &Stamp,
    ) -> Result<Option<UserId>, StoreError> {
        let mut tx = self.write().await?;
        let Some(user) = identity::redeem_reset(tx.as_mut(), username, code_hash, stamp.at).await?
        else {
            return Ok(None);
        };
        let stamp = Stamp {
            actor_user_id: Some(user),
            ..stamp.clone()
        };
        identity::set_password(tx.as_mut(), user, password_hash, "password-reset", &stamp).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    // ------------------------------------------------------- sessions

    /// Starts a session; `entry` (the sign-in) is written with it.
    pub async fn start_session(
        &self,
        user: UserId,
        token_hash: &str,
        csrf_token: &str,
        stage: SessionStage,
        now: Timestamp,
        entry: &AuditEntry,
    ) -> Result<SessionRecord, StoreError> {
        let mut tx = self.write().await?;
        let session =
            identity::create_session(tx.as_mut(), user, token_hash, csrf_token, stage, now).await?;
        audit::append(tx.as_mut(), entry).await?;
        tx.commit().await?;
        Ok(session)
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        identity::session_by_token(self.read().await?.as_mut(), token_hash).await
    }

    pub async fn update_session(
        &self,
        id: i64,
        stage: SessionStage,
        pending_totp_secret: Option<&str>,
        last_seen_at: Timestamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::update_session(
            tx,
            id,
            stage,
            pending_totp_secret,
            last_seen_at
        ))
    }

    /// Ends one session, writing `entry` (a sign-out or an expiry) if given.
    pub async fn end_session(&self, id: i64, entry: Option<&AuditEntry>) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        identity::delete_session(tx.as_mut(), id).await?;
        if let Some(entry) = entry {
            audit::append(tx.as_mut(), entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and token of `user`.
    pub async fn end_all_sessions(&self, user: UserId, stamp: &Stamp) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        identity::by_id(tx.as_mut(), user).await?;
        identity::end_all(tx.as_mut(), user, stamp.at).await?;
        audit::append(
            tx.as_mut(),
            &stamp.entry(
                "sessions-ended",
                Outcome::Allowed,
                Some(("user_account", user.0.to_string())),
                None,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session_count(&self, user: UserId) -> Result<i64, StoreError> {
        identity::session_count(self.read().await?.as_mut(), user).await
    }

    // ------------------------------------------------------- API tokens

    pub async fn issue_token(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: Timestamp,
        stamp: &Stamp,
    ) -> Result<ApiTokenRecord, StoreError> {
        in_write!(self, |tx| identity::create_token(
            tx, user, token_hash, expires_at, stamp
        ))
    }

    pub async fn token(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>, StoreError> {
        identity::token_by_hash(self.read().await?.as_mut(), token_hash).await
    }

    pub async fn revoke_token(&self, id: i64, stamp: &Stamp) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::revoke_token(tx, id, stamp))
    }

    // ------------------------------------------------------- break-glass

    #[allow(clippy::too_many_arguments)]
    pub async fn break_glass(
        &self,
        user: UserId,
        kind: RecordKind,
        record_id: i64,
        reason: &str,
        expires_at: Timestamp,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| identity::grant_break_glass(
            tx, user, kind, record_id, reason, expires_at, stamp,
        ))
    }

    pub async fn active_break_glass(
        &self,
        user: UserId,
        now: Timestamp,
    ) -> Result<Vec<BreakGlass>, StoreError> {
        identity::active_break_glass(self.read().await?.as_mut(), user, now).await
    }

    /// Break-glass openings of staff records and cases within `scope`, newest first.
    pub async fn break_glass_in(
        &self,
        scope: &AccessScope,
    ) -> Result<Vec<BreakGlassRecord>, StoreError> {
        let mut tx = self.read().await?;
        let staff = organisation::staff_ids_in(tx.as_mut(), scope).await?;
        let cases = casework::case_ids_in(tx.as_mut(), scope).await?;
        let mut grants =
            identity::break_glass_for(tx.as_mut(), RecordKind::StaffMember, &staff).await?;
        grants.extend(identity::break_glass_for(tx.as_mut(), RecordKind::Case, &cases).await?);
        grants.sort_by_key(|g| std::cmp::Reverse(g.granted_at));
        Ok(grants)
    }

    // ------------------------------------------------------- audit trail

    pub async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        audit::search(self.read().await?.as_mut(), filter).await
    }

    /// Writes one audit entry on its own: a failed sign-in, a refusal.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.record_access(entry).await
    }

    pub async fn failed_sign_ins(
        &self,
        username: &str,
        client_ip: Option<&str>,
        since: Timestamp,
    ) -> Result<(i64, i64), StoreError> {
        audit::failed_sign_ins(self.read().await?.as_mut(), username, client_ip, since).await
    }

    /// Entries after `after`, oldest first, at most `limit`.
    pub async fn audit_page(&self, after: i64, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        audit::page(self.read().await?.as_mut(), after, limit).await
    }

    /// The newest entry's number and hash.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        audit::head(self.read().await?.as_mut()).await
    }

    /// Walks the whole chain, `page` entries at a time, calling `progress`
    /// with the number checked so far. Returns how many entries verified,
    /// or where the chain first breaks.
    pub async fn verify_audit(
        &self,
        page: i64,
        mut progress: impl FnMut(i64) + Send,
    ) -> Result<Result<i64, BrokenLink>, StoreError> {
        let mut at = (0, tandem_domain::audit::GENESIS.to_owned());
        loop {
            let events = self.audit_page(at.0, page).await?;
            if events.is_empty() {
                break;
            }
            match tandem_domain::audit::verify(at.clone(), &events) {
                Ok(next) => at = next,
                Err(broken) => return Ok(Err(broken)),
            }
            progress(at.0);
        }
        // The head must agree with the last entry, or entries were cut off the end.
        let (head_seq, head_hash) = self.audit_head().await?;
        if head_seq != at.0 || head_hash != at.1 {
            return Ok(Err(BrokenLink {
                seq: at.0 + 1,
                problem: format!(
                    "the trail ends at entry {} but {} entries were written",
                    at.0, head_seq
                ),
            }));
        }
        Ok(Ok(at.0))
    }
}

impl Store {
    // ------------------------------------------------------- casework

    /// Opens a case with its first application, children and parties: all
    /// or nothing.
    pub async fn open_case(
        &self,
        draft: &tandem_domain::casework::CaseDraft,
        children: &[tandem_domain::casework::ChildDraft],
        parties: &[tandem_domain::casework::PartyDraft],
        work: &[tandem_domain::casework::WorkItemDraft],
        stamp: &Stamp,
    ) -> Result<tandem_domain::casework::CaseId, StoreError> {
        in_write!(self, |tx| casework::open(
            tx,
            &self.rollup_contexts,
            draft,
            children,
            parties,
            work,
            stamp
        ))
    }

    pub async fn case(
        &self,
        id: tandem_domain::casework::CaseId,
    ) -> Result<Option<tandem_domain::casework::CaseRecord>, StoreError> {
        casework::record(self.read().await?.as_mut(), id).await
    }

    /// Moves a case to `to` on `on` (closing it if `to` is closed), or with
    /// `reopen`, re-opens a closed case there.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_case(
        &self,
        id: tandem_domain::casework::CaseId,
        version: i64,
        to: &str,
        on: jiff::civil::Date,
        reason: Option<&str>,
        reopen: bool,
        stamp: &Stamp,
    ) -> Result<tandem_domain::casework::Case, StoreError> {
        in_write!(self, |tx| casework::move_case(
            tx,
            &self.rollup_contexts,
            id,
            version,
            to,
            on,
            reason,
            reopen,
            stamp
        ))
    }

    /// Cases within `scope` matching the filter, newest first.
    pub async fn cases(
        &self,
        filter: &CaseFilter,
        scope: &AccessScope,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        casework::list(self.read().await?.as_mut(), filter, scope).await
    }

    /// Puts a service area's cases of one law type on `pathway` from now on.
    pub async fn set_area_pathway(
        &self,
        area: tandem_domain::organisation::ServiceAreaId,
        pathway: &'static tandem_domain::casework::Pathway,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::set_area_pathway(
            tx, area, pathway, stamp
        ))
    }

    /// Allocates (or reallocates, with a reason) a case to a worker.
    #[allow(clippy::too_many_arguments)]
    pub async fn allocate_case(
        &self,
        id: tandem_domain::casework::CaseId,
        version: i64,
        worker: StaffId,
        on: jiff::civil::Date,
        reason: Option<&str>,
        stamp: &Stamp,
    ) -> Result<tandem_domain::casework::Case, StoreError> {
        in_write!(self, |tx| casework::allocate(
            tx,
            &self.rollup_contexts,
            id,
            version,
            worker,
            on,
            reason,
            stamp
        ))
    }

    /// Who has held the case, oldest first.
    pub async fn allocations(
        &self,
        id: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::casework::Allocation>, StoreError> {
        casework::allocations(self.read().await?.as_mut(), id).await
    }

    /// Transfers an open case to another team on the date typed, with a
    /// reason, if the case is still at `version`. The case's worker, if
    /// any, stops holding it, so it waits in the receiving team's queue.
    pub async fn transfer_case(
        &self,
        id: tandem_domain::casework::CaseId,
        version: i64,
        input: &tandem_domain::casework::TransferInput,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<tandem_domain::casework::Case, StoreError> {
        in_write!(self, |tx| casework::transfer(
            tx,
            &self.rollup_contexts,
            id,
            version,
            input,
            today,
            stamp
        ))
    }

    /// The teams the case has moved between, oldest first.
    pub async fn transfers(
        &self,
        id: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::casework::CaseTransfer>, StoreError> {
        casework::transfers(self.read().await?.as_mut(), id).await
    }

    /// The team's open, unallocated cases (with whether harm is alleged):
    /// harm alleged first, then the oldest.
    pub async fn allocation_queue(
        &self,
        team: tandem_domain::organisation::TeamId,
    ) -> Result<Vec<(tandem_domain::casework::Case, bool)>, StoreError> {
        casework::queue(self.read().await?.as_mut(), team).await
    }

    /// Open cases held by any of these workers.
    pub async fn cases_held_by(
        &self,
        staff: &[StaffId],
    ) -> Result<Vec<tandem_domain::casework::Case>, StoreError> {
        casework::held_by(self.read().await?.as_mut(), staff).await
    }

    /// The team's safe caseload in points per FTE (the default if unset).
    pub async fn safe_caseload(
        &self,
        team: tandem_domain::organisation::TeamId,
    ) -> Result<f64, StoreError> {
        casework::safe_limit(self.read().await?.as_mut(), team).await
    }

    pub async fn set_safe_caseload(
        &self,
        team: tandem_domain::organisation::TeamId,
        points_per_fte: f64,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::set_safe_limit(
            tx,
            team,
            points_per_fte,
            stamp
        ))
    }

    /// Practitioners in post on `on` in a service area, by name.
    pub async fn practitioners_in_area(
        &self,
        area: tandem_domain::organisation::ServiceAreaId,
        on: jiff::civil::Date,
    ) -> Result<Vec<tandem_domain::organisation::StaffMember>, StoreError> {
        let mut tx = self.read().await?;
        let ids = casework::practitioners_in_area(tx.as_mut(), area, on).await?;
        let mut staff = Vec::with_capacity(ids.len());
        for id in ids {
            staff.push(record::get(tx.as_mut(), id.0).await?);
        }
        Ok(staff)
    }

    pub async fn add_hearing(
        &self,
        case: tandem_domain::casework::CaseId,
        hearing: &tandem_domain::casework::HearingDraft,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::add_hearing(
            tx,
            &self.rollup_contexts,
            case,
            hearing,
            stamp
        ))
    }

    pub async fn hearings(
        &self,
        case: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::casework::Hearing>, StoreError> {
        casework::hearings(self.read().await?.as_mut(), case).await
    }

    /// Records a court-granted extension to the case's 26-week limit.
    pub async fn add_extension(
        &self,
        case: tandem_domain::casework::CaseId,
        extension: &tandem_domain::clocks::Extension,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::add_extension(
            tx, case, extension, stamp
        ))
    }

    pub async fn extensions(
        &self,
        case: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::clocks::Extension>, StoreError> {
        casework::extensions(self.read().await?.as_mut(), case).await
    }

    pub async fn add_work(
        &self,
        case: tandem_domain::casework::CaseId,
        work: &tandem_domain::casework::WorkItemDraft,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::add_work(
            tx,
            &self.rollup_contexts,
            case,
            work,
            stamp
        ))
    }

    pub async fn work_items(
        &self,
        case: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::casework::WorkItem>, StoreError> {
        casework::work_items(self.read().await?.as_mut(), case).await
    }

    /// Records a case's work as filed on a date (with a reason if late), as of
    /// `today`. Work belonging to another case is not found.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_work(
        &self,
        case: tandem_domain::casework::CaseId,
        item: i64,
        version: i64,
        filed_on: &str,
        late_reason: &str,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<tandem_domain::casework::WorkItem, StoreError> {
        in_write!(self, |tx| casework::file_work(
            tx,
            &self.rollup_contexts,
            case,
            item,
            version,
            filed_on,
            late_reason,
            today,
            stamp,
        ))
    }

    /// Unfiled work on the open cases `staff` holds, soonest due first,
    /// with each case's number.
    pub async fn work_due_for(
        &self,
        staff: StaffId,
    ) -> Result<Vec<(tandem_domain::casework::WorkItem, String)>, StoreError> {
        casework::work_due_for(self.read().await?.as_mut(), staff).await
    }

    /// The line managers of `staff`, nearest first.
    pub async fn management_chain(&self, staff: StaffId) -> Result<Vec<StaffId>, StoreError> {
        casework::management_chain(self.read().await?.as_mut(), staff).await
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ------------------------------------------- the child, risk, notes and more time
impl Store {
    /// Requests for more time on a case's work, oldest first.
    pub async fn work_extensions(
        &self,
        case: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::casework::WorkExtension>, StoreError> {
        casework::work_extensions(self.read().await?.as_mut(), case).await
    }

    pub async fn request_work_extension(
        &self,
        case: tandem_domain::casework::CaseId,
        item: i64,
        input: &tandem_domain::casework::WorkExtensionInput,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::request_work_extension(
            tx, case, item, input, today, stamp
        ))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn decide_work_extension(
        &self,
        case: tandem_domain::casework::CaseId,
        item: i64,
        request: i64,
        version: i64,
        decision: &str,
        decided_on: &str,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::decide_work_extension(
            tx,
            &self.rollup_contexts,
            case,
            item,
            request,
            version,
            decision,
            decided_on,
            today,
            stamp,
        ))
    }

    /// Records when a child first met their adviser, their wishes and
    /// feelings, and how they would like to be told the outcome.
    pub async fn set_child_experience(
        &self,
        case: tandem_domain::casework::CaseId,
        child: i64,
        input: &tandem_domain::child_experience::ChildExperienceInput,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let record = casework::existing_case(tx.as_mut(), case).await?;
        let found = child_experience::child_at(tx.as_mut(), case, child, &input.version).await?;
        let experience = input.validate(&record, &found, today)?;
        child_experience::set_experience(
            tx.as_mut(),
            &self.rollup_contexts,
            case,
            &found,
            &experience,
            stamp,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records what the proceedings decided for a child.
    pub async fn set_child_outcome(
        &self,
        case: tandem_domain::casework::CaseId,
        child: i64,
        input: &tandem_domain::child_experience::ChildOutcomeInput,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let record = casework::existing_case(tx.as_mut(), case).await?;
        let found = child_experience::child_at(tx.as_mut(), case, child, &input.version).await?;
        let outcome = input.validate(&record, today)?;
        child_experience::set_outcome(tx.as_mut(), case, &found, &outcome, stamp).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Children in open, allocated cases within `scope` who have yet to
    /// meet their adviser, longest waiting first.
    pub async fn children_yet_to_meet(
        &self,
        scope: &AccessScope,
    ) -> Result<Vec<child_experience::YetToMeet>, StoreError> {
        child_experience::yet_to_meet(self.read().await?.as_mut(), scope).await
    }

    /// Adds a child to a case already open.
    pub async fn add_child(
        &self,
        case: tandem_domain::casework::CaseId,
        child: &tandem_domain::casework::ChildDraft,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::add_child(
            tx,
            &self.rollup_contexts,
            case,
            child,
            stamp
        ))
    }

    /// Adds an adult party to a case already open.
    pub async fn add_party(
        &self,
        case: tandem_domain::casework::CaseId,
        party: &tandem_domain::casework::PartyDraft,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::add_party(tx, case, party, stamp))
    }

    pub async fn risks(
        &self,
        case: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::risk::RiskEntry>, StoreError> {
        risk::risks(self.read().await?.as_mut(), case).await
    }

    pub async fn add_risk(
        &self,
        case: tandem_domain::casework::CaseId,
        entry: &tandem_domain::risk::RiskDraft,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| risk::add_risk(tx, case, entry, stamp))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn record_check_response(
        &self,
        case: tandem_domain::casework::CaseId,
        entry: i64,
        version: i64,
        responded_on: &str,
        response: &str,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| risk::record_check_response(
            tx,
            case,
            entry,
            version,
            responded_on,
            response,
            today,
            stamp,
        ))
    }

    /// A case's notes, contacts and oversight, newest first.
    pub async fn notes(
        &self,
        case: tandem_domain::casework::CaseId,
    ) -> Result<Vec<tandem_domain::case_notes::CaseNote>, StoreError> {
        case_notes::notes(self.read().await?.as_mut(), case).await
    }

    /// Adds a note, checked against the case and its work as they stand.
    pub async fn add_note(
        &self,
        case: tandem_domain::casework::CaseId,
        input: &tandem_domain::case_notes::NoteInput,
        today: jiff::civil::Date,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let record = casework::existing_case(tx.as_mut(), case).await?;
        let work = casework::work_items(tx.as_mut(), case).await?;
        let note = input.validate(&record, &work, today)?;
        case_notes::add_note(tx.as_mut(), case, &note, stamp).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// The organisation's practice settings and their version (0 until
    /// first saved, when the defaults apply).
    pub async fn practice_settings(
        &self,
    ) -> Result<(tandem_domain::practice_settings::PracticeSettings, i64), StoreError> {
        practice_settings::settings(self.read().await?.as_mut()).await
    }

    /// Saves the practice settings, if still at `version`.
    pub async fn set_practice_settings(
        &self,
        settings: &tandem_domain::practice_settings::PracticeSettings,
        version: i64,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| practice_settings::set_settings(
            tx, settings, version, stamp
        ))
    }
}

impl Store {
    /// The organisation's application types, for validating and showing cases.
    pub async fn application_kinds(
        &self,
    ) -> Result<Vec<tandem_domain::casework::ApplicationKind>, StoreError> {
        casework::application_kinds(self.read().await?.as_mut()).await
    }
}

impl Store {
    /// Records how a party is related to one child of the case.
    pub async fn set_relationship(
        &self,
        case: tandem_domain::casework::CaseId,
        party: i64,
        child: i64,
        relationship: &str,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| casework::set_relationship(
            tx,
            case,
            party,
            child,
            relationship,
            stamp
        ))
    }

    // ------------------------------------------------------------ measures

    /// The rollup counts of `components` that each group of scopes needs
    /// for its periods, one for each scope in the order asked, and what
    /// they are read with; all in one read. Aggregates only: no personal
    /// data.
    pub async fn measure_counts(
        &self,
        wanted: &[(&[Scope], &[Period])],
        components: &[Component],
    ) -> Result<(Vec<ScopeCounts>, MeasureContext), StoreError> {
        let mut tx = self.read().await?;
        let mut counts = Vec::new();
        for (scopes, periods) in wanted {
            counts.extend(rollups::scope_counts(tx.as_mut(), scopes, components, periods).await?);
        }
        // Only caseload per FTE reads the allocated-open level with staff.
        let with_posts = components.contains(&Component::AllocatedOpen);
        Ok((
            counts,
            rollups::measure_context(tx.as_mut(), with_posts).await?.0,
        ))
    }

    /// Each court's Designated Family Judge area: (court, area, its name).
    pub async fn court_dfj_areas(&self) -> Result<Vec<(i64, i64, String)>, StoreError> {
        rollups::court_dfj_areas(self.read().await?.as_mut()).await
    }

    /// The cases that may lie behind a measure's number for `scope` in the
    /// days `first` to `last`, with their facts and whether `access` lets the
    /// reader see each, and what the measures are read with.
    pub async fn cases_behind_measures(
        &self,
        scope: Scope,
        first: jiff::civil::Date,
        last: jiff::civil::Date,
        access: &AccessScope,
    ) -> Result<
        (
            Vec<(tandem_domain::casework::Case, CaseFacts, bool)>,
            MeasureContext,
            RollupRules,
        ),
        StoreError,
    > {
        let mut tx = self.read().await?;
        let cases = rollups::candidates(tx.as_mut(), scope, first, last, Some(access)).await?;
        let (context, rules) = rollups::measure_context(tx.as_mut(), true).await?;
        Ok((cases, context, rules))
    }

    /// The day the latest case was received, if there are any.
    pub async fn latest_receipt(&self) -> Result<Option<jiff::civil::Date>, StoreError> {
        baseline::latest_receipt(self.read().await?.as_mut()).await
    }

    /// Up to `limit` open cases, oldest first, for the benchmark's writes.
    pub async fn open_case_ids(
        &self,
        limit: i64,
    ) -> Result<Vec<tandem_domain::casework::CaseId>, StoreError> {
        baseline::open_case_ids(self.read().await?.as_mut(), limit).await
    }

    /// The benchmark's baseline, straight SQL over the raw tables: new
    /// cases by month, from `first` to `last`.
    pub async fn baseline_new_cases(
        &self,
        first: jiff::civil::Date,
        last: jiff::civil::Date,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        baseline::new_cases(self.read().await?.as_mut(), first, last).await
    }

    /// The baseline: cases open at the end of each of `days`.
    pub async fn baseline_open_cases(
        &self,
        days: &[jiff::civil::Date],
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.read().await?;
        let mut open = Vec::with_capacity(days.len());
        for day in days {
            open.push(baseline::open_cases(tx.as_mut(), *day).await?);
        }
        Ok(open)
    }

    /// The baseline: work due by month, and how much of it was on time.
    pub async fn baseline_work_on_time(
        &self,
        first: jiff::civil::Date,
        last: jiff::civil::Date,
    ) -> Result<Vec<(String, i64, i64)>, StoreError> {
        baseline::work_on_time(self.read().await?.as_mut(), first, last).await
    }

    /// For the delay analysis, aggregates only: the cases ever held in
    /// `scope` that an analysis of the days `first` to `last` considers,
    /// from the delay projection; those of `part` only, so that parts can
    /// be read on connections of their own at once.
    pub async fn delay_cases(
        &self,
        scope: Scope,
        first: jiff::civil::Date,
        last: jiff::civil::Date,
        part: Part,
    ) -> Result<DelayLines, StoreError> {
        crate::delay::cases(self.read().await?.as_mut(), scope, first, last, part).await
    }

    /// Each measure's target, with its version.
    pub async fn measure_targets(
        &self,
    ) -> Result<std::collections::BTreeMap<String, (f64, i64)>, StoreError> {
        measure_targets::targets(self.read().await?.as_mut()).await
    }

    /// Sets or removes a measure's target, if still at `version` (0: none yet).
    pub async fn set_measure_target(
        &self,
        measure: &str,
        target: Option<f64>,
        version: i64,
        stamp: &Stamp,
    ) -> Result<(), StoreError> {
        in_write!(self, |tx| measure_targets::set_target(
            tx, measure, target, version, stamp
        ))
    }

    /// Compares the stored rollups and delay rows with a recomputation from
    /// the raw records.
    pub async fn verify_rollups(&self) -> Result<RollupCheck, StoreError> {
        self.verify_rollups_in_pages(rollups::CELLS_A_PAGE).await
    }

    /// [`Store::verify_rollups`], reading the stored cells `page` at a
    /// time (at least one): smaller pages hold less in memory.
    pub async fn verify_rollups_in_pages(&self, page: usize) -> Result<RollupCheck, StoreError> {
        let mut tx = self.read().await?;
        let (expected, delays) = rollups::recompute(tx.as_mut()).await?;
        let cells = expected.len();
        let mut check = CellCheck::new(expected);
        rollups::check_stored(tx.as_mut(), &mut check, page.max(1)).await?;
        Ok(RollupCheck {
            cells,
            wrong: check.finish(),
            delay_cases: delays.len(),
            delay_wrong: crate::delay::check_stored(tx.as_mut(), &delays).await?,
        })
    }

    /// Replaces the stored rollups with a recomputation; the number of cells.
    pub async fn rebuild_rollups(&self, stamp: &Stamp) -> Result<usize, StoreError> {
        in_write!(self, |tx| rebuild_recorded(tx, stamp, "on request"))
    }

    /// Starts counting cases loaded in bulk (see
    /// [`Store::load_case_histories`]) into the measure rollups.
    pub async fn bulk_counts(&self) -> Result<BulkCounts, StoreError> {
        BulkCounts::start(self.read().await?.as_mut()).await
    }

    /// Stores case histories, checked by `tandem_domain::case_history` and
    /// counted into a [`BulkCounts`], as new cases, all or nothing, with
    /// their delay rows. Call [`Store::add_bulk_counts`] once the load is
    /// complete.
    pub async fn load_case_histories(
        &self,
        counted: &[CountedHistory],
        stamp: &Stamp,
    ) -> Result<Vec<i64>, StoreError> {
        in_write!(self, |tx| bulk::load_case_histories(tx, counted, stamp))
    }

    /// Adds the cells of the cases loaded in bulk to the measure rollups,
    /// audited; the number of cells.
    pub async fn add_bulk_counts(
        &self,
        counts: BulkCounts,
        stamp: &Stamp,
    ) -> Result<usize, StoreError> {
        in_write!(self, |tx| async {
            let cells = counts.finish(tx).await?;
            record_rollups(
                tx,
                stamp,
                format!("rollups added for cases loaded in bulk: {cells} cells"),
            )
            .await?;
            Ok::<_, StoreError>(cells)
        })
    }
}

/// Rebuilds the rollups (see [`rollups::rebuild`]) and records it in the
/// audit trail, saying `why`; the number of cells.
async fn rebuild_recorded(tx: &mut dyn Tx, stamp: &Stamp, why: &str) -> Result<usize, StoreError> {
    let cells = rollups::rebuild(tx, rollups::Rebuild::Everything).await?;
    record_rollups(tx, stamp, format!("rollups rebuilt {why}: {cells} cells")).await?;
    Ok(cells)
}

/// The audit entry for a change to the rollups as a whole.
async fn record_rollups(tx: &mut dyn Tx, stamp: &Stamp, detail: String) -> Result<(), StoreError> {
    audit::append(
        tx,
        &stamp.entry(
            "update",
            Outcome::Allowed,
            Some(("measure_rollups", String::new())),
            Some(detail),
        ),
    )
    .await?;
    Ok(())
}
