use tandem_domain::DomainError;

/// What kind of failure a backend reported, in terms both databases share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlErrorKind {
    /// A unique constraint on these columns of this table was violated.
    UniqueViolation {
        table: String,
        columns: Vec<String>,
    },
    /// A foreign key was violated: a referenced row is missing, or a row
    /// being deleted is still referenced.
    ForeignKeyViolation,
    /// A CHECK or NOT NULL constraint was violated.
    CheckViolation,
    /// The database could not be reached or timed out.
    Unavailable,
    /// A value read back did not have the expected type, or was missing.
    Decode,
    Other,
}

/// A failure reported by a backend. The message is for operators' logs and
/// never carries the values that were bound.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SqlError {
    pub kind: SqlErrorKind,
    pub message: String,
}

impl SqlError {
    pub fn new(kind: SqlErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(SqlErrorKind::Decode, message)
    }
}

/// A storage operation's failure: either the domain said no (a rule, a
/// missing record, a stale version), or the database failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Database(#[from] SqlError),
}

impl StoreError {
    pub fn domain(&self) -> Option<&DomainError> {
        match self {
            StoreError::Domain(e) => Some(e),
            StoreError::Database(_) => None,
        }
    }
}
