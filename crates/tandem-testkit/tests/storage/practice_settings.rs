use tandem_domain::DomainError;
use tandem_domain::practice_settings::{PracticeSettings, PracticeSettingsInput};
use tandem_storage::{Store, StoreError};
use tandem_testkit::stamp;

async fn practice_settings_are_versioned_and_kept(store: Store) {
    let (settings, version) = store.practice_settings().await.expect("read");
    assert_eq!(
        (settings, version),
        (PracticeSettings::default(), 0),
        "the defaults until saved"
    );
    let changed = PracticeSettingsInput {
        safeguarding_letter_days: "15".into(),
        weight_section_7_report: "2.25".into(),
        oversight_before_filing: "no".into(),
        ..PracticeSettings::default().as_input(0)
    }
    .validate()
    .expect("valid");
    store
        .set_practice_settings(&changed, 0, &stamp())
        .await
        .expect("saved");
    assert_eq!(
        store.practice_settings().await.expect("read"),
        (changed.clone(), 1)
    );
    let stale = store
        .set_practice_settings(&PracticeSettings::default(), 0, &stamp())
        .await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Domain(DomainError::StaleVersion { .. }))
        ),
        "the second writer is told to reload"
    );
    store
        .set_practice_settings(&PracticeSettings::default(), 1, &stamp())
        .await
        .expect("saved again");
    assert_eq!(
        store.practice_settings().await.expect("read"),
        (PracticeSettings::default(), 2)
    );
}

tandem_testkit::on_both_backends!(practice_settings_are_versioned_and_kept);
