//! Asking the access policy, from a handler: refusals become the right HTTP
//! answer, refusals of personal data are audited (ASVS v5.0.0 16.3.2), and
//! allowed actions come back with the grant their audit entry names.

use crate::AppState;
use crate::error::AppError;
use crate::resources::Resource;
use crate::session::{Principal, RequestMeta};
use axum::http::StatusCode;
use tandem_domain::DomainError;
use tandem_domain::access::{self, AccessScope, Action, Denied, Grant, RecordKind, Target};
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::organisation::TeamId;
use tandem_storage::StoreError;

pub struct Guard<'a> {
    pub state: &'a AppState,
    pub principal: &'a Principal,
    pub meta: &'a RequestMeta,
}

/// Why a record could not be opened, once audited.
#[derive(Debug)]
pub enum Refusal {
    /// Answer "not found": the record may or may not exist, and the caller
    /// must not learn which.
    Hidden,
    /// The caller may open it by giving a reason.
    BreakGlass,
    /// A fault while checking.
    Failed(AppError),
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Hidden | Refusal::BreakGlass => AppError::not_found(),
            Refusal::Failed(e) => e,
        }
    }
}

pub fn forbidden() -> AppError {
    AppError::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "You do not have access to this. If you think you should, ask your service manager.",
    )
}

impl<'a> Guard<'a> {
    pub fn new(state: &'a AppState, principal: &'a Principal, meta: &'a RequestMeta) -> Self {
        Self {
            state,
            principal,
            meta,
        }
    }

    pub fn stamp(&self, grant: Option<Grant>) -> Stamp {
        self.principal
            .stamp(self.meta, self.state.clock.now(), grant)
    }

    /// May the principal do `action` to records of `kind` at all (with
    /// no particular record)? A plain 403 if not, written to the audit trail.
    pub async fn kind(&self, action: Action, kind: RecordKind) -> Result<Grant, AppError> {
        match access::authorize(&self.principal.actor, action, &Target::kind(kind)) {
            Ok(grant) => Ok(grant),
            Err(_) => {
                let mut entry = self
                    .stamp(None)
                    .entry(action.name(), Outcome::Denied, None, None);
                entry.record_type = Some(kind.name().to_owned());
                self.state.store.audit(&entry).await?;
                Err(forbidden())
            }
        }
    }

    /// The scope a list of `kind` may range over.
    pub fn list_scope(&self, action: Action, kind: RecordKind) -> AccessScope {
        access::list_scope(&self.principal.actor, action, kind)
    }

    /// May the principal do `action` to this record? A refusal of personal
    /// data is written to the audit trail before it is answered.
    pub async fn record(&self, action: Action, target: &Target) -> Result<Grant, Refusal> {
        match access::authorize(&self.principal.actor, action, target) {
            Ok(grant) => Ok(grant),
            Err(denied) => {
                if target.kind.is_personal() {
                    let entry = self.stamp(None).entry(
                        action.name(),
                        Outcome::Denied,
                        target
                            .record_id
                            .map(|id| (target.kind.name(), id.to_string())),
                        None,
                    );
                    self.state
                        .store
                        .audit(&entry)
                        .await
                        .map_err(|e| Refusal::Failed(e.into()))?;
                }
                Err(match denied {
                    Denied::OutOfScope { break_glass: true } => Refusal::BreakGlass,
                    Denied::OutOfScope { break_glass: false } | Denied::NotPermitted => {
                        Refusal::Hidden
                    }
                })
            }
        }
    }

    /// Where the policy places a record of `R` (or a new one) in `team`.
    pub async fn target<R: Resource>(
        &self,
        record: Option<&R>,
        team: Option<TeamId>,
    ) -> Result<Target, AppError> {
        if R::POLICY_KIND == RecordKind::Organisation {
            return Ok(Target::kind(RecordKind::Organisation));
        }
        Ok(Target {
            kind: R::POLICY_KIND,
            record_id: record.map(R::id_of),
            placement: Some(self.state.store.placement_of_team(team).await?),
        })
    }

    /// Finds record `id` of `R` and its target. A missing record is placed
    /// nowhere, so it gets the same answer as one outside the scope: the
    /// caller never learns which.
    pub async fn locate<R: Resource>(&self, id: i64) -> Result<(Option<R>, Target), AppError> {
        let found = match self.state.store.get::<R>(id).await {
            Ok(record) => Some(record),
            Err(StoreError::Domain(DomainError::NotFound { .. })) => None,
            Err(e) => return Err(e.into()),
        };
        let team = found.as_ref().and_then(R::team);
        let mut target = self.target::<R>(found.as_ref(), team).await?;
        target.record_id = Some(id);
        Ok((found, target))
    }

    /// Records that the principal read a personal record through `grant`.
    /// Must succeed before the record is shown.
    pub async fn audit_read(
        &self,
        grant: Grant,
        kind: RecordKind,
        id: Option<i64>,
        action: &str,
    ) -> Result<(), AppError> {
        let mut entry = self.stamp(Some(grant)).entry(
            action,
            Outcome::Allowed,
            id.map(|id| (kind.name(), id.to_string())),
            None,
        );
        // A list names the kind of record read, with no one record.
        entry.record_type = Some(kind.name().to_owned());
        self.state.store.audit(&entry).await?;
        Ok(())
    }
}
