use std::path::Path;
use tandem_storage::Store;

/// The two backends' migration folders must list the same migrations, so a
/// schema change can never reach one database and not the other.
#[test]
fn both_backends_carry_the_same_migrations() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let names = |backend: &str| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(crates.join(backend).join("migrations"))
            .expect("migrations folder")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    };
    let sqlite = names("tandem-storage-sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("tandem-storage-postgres"));
}

async fn a_migrated_database_is_ready(store: Store) {
    let readiness = store.readiness().await.expect("readiness");
    assert!(
        readiness.is_ready(),
        "pending: {:?}",
        readiness.pending_migrations
    );
    assert!(!store.migration_names().is_empty());
    // Running the migrations again changes nothing and does not fail.
    store.migrate().await.expect("re-run migrations");
}

tandem_testkit::on_both_backends!(a_migrated_database_is_ready);
