use crate::backend::{Backend, BackendKind, Tx};
use crate::error::StoreError;
use crate::organisation::{self, Editable, OrganisationSummary, StaffFilter, StaffPage};
use crate::record::{self, Record};
use std::sync::Arc;
use tandem_domain::DomainError;

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

/// The repository: every query Tandem makes, over whichever backend it was given.
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
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
        Self { backend }
    }

    pub fn backend_kind(&self) -> BackendKind {
        self.backend.kind()
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        Ok(self.backend.migrate().await?)
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

    async fn read(&self) -> Result<Box<dyn Tx>, StoreError> {
        Ok(self.backend.read().await?)
    }

    async fn write(&self) -> Result<Box<dyn Tx>, StoreError> {
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

    pub async fn create<R: Editable>(&self, draft: &R::Draft) -> Result<R, StoreError> {
        let mut tx = self.write().await?;
        R::check(tx.as_mut(), draft, None).await?;
        let created = record::insert::<R>(tx.as_mut(), R::columns(draft)).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces a record's values, if it is still at `expected_version`.
    pub async fn update<R: Editable>(
        &self,
        id: i64,
        expected_version: i64,
        draft: &R::Draft,
    ) -> Result<R, StoreError> {
        let mut tx = self.write().await?;
        record::get::<R>(tx.as_mut(), id).await?;
        R::check(tx.as_mut(), draft, Some(id)).await?;
        let updated =
            record::update::<R>(tx.as_mut(), id, expected_version, R::columns(draft)).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn delete<R: Editable>(
        &self,
        id: i64,
        expected_version: i64,
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
        tx.commit().await?;
        Ok(())
    }

    // ---------------------------------------------------- organisation

    pub async fn list_staff(&self, filter: &StaffFilter) -> Result<StaffPage, StoreError> {
        organisation::list_staff(self.read().await?.as_mut(), filter).await
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

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
