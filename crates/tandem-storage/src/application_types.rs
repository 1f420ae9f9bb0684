//! The organisation's application types: reference data administrators keep.

use crate::backend::Tx;
use crate::casework::decode;
use crate::error::StoreError;
use crate::organisation::Editable;
use crate::record::{Columns, Record};
use crate::row::Row;
use async_trait::async_trait;
use tandem_domain::DomainError;
use tandem_domain::casework::{ApplicationType, ApplicationTypeDraft, LawType};
use tandem_domain::choice::Choice;

impl Record for ApplicationType {
    const TABLE: &'static str = "application_types";
    const KIND: &'static str = "application type";
    const COLUMNS: &'static str = "id, code, label, law_type, version";
    const ORDER: &'static str = "law_type, LOWER(label), id";

    fn id_of(&self) -> i64 {
        self.id
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(ApplicationType {
            id: row.i64("id")?,
            code: row.text("code")?,
            label: row.text("label")?,
            law_type: decode("law_type", LawType::parse(&row.text("law_type")?))?,
            version: row.i64("version")?,
        })
    }
}

#[async_trait]
impl Editable for ApplicationType {
    type Draft = ApplicationTypeDraft;
    const IN_USE: Option<&'static str> =
        Some("Cases have applications of this type, so it cannot be deleted");

    fn columns(d: &ApplicationTypeDraft) -> Columns {
        vec![
            ("code", (&d.code).into()),
            ("label", (&d.label).into()),
            ("law_type", d.law_type.slug().into()),
        ]
    }

    /// A type in use keeps its code and its law: cases and files name it
    /// by code, and its cases were opened under that law.
    async fn check(
        tx: &mut dyn Tx,
        d: &ApplicationTypeDraft,
        id: Option<i64>,
    ) -> Result<(), StoreError> {
        let Some(id) = id else { return Ok(()) };
        let rows = tx
            .fetch_all(
                "SELECT t.code, t.law_type FROM application_types t WHERE t.id = $1 \
                 AND EXISTS (SELECT 1 FROM applications a WHERE a.kind = t.code)",
                &[id.into()],
            )
            .await?;
        if let Some(row) = rows.first() {
            if row.text("code")? != d.code {
                return Err(DomainError::invalid(
                    "code",
                    "Cases have applications of this type, so its code cannot change",
                )
                .into());
            }
            if row.text("law_type")? != d.law_type.slug() {
                return Err(DomainError::invalid(
                    "law_type",
                    "Cases have applications of this type, so its law type cannot change",
                )
                .into());
            }
        }
        Ok(())
    }
}
