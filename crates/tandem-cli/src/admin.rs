//! `tandem user …` and `tandem audit …`: account and audit-trail
//! administration from the command line, and the demo sign-ins.

use crate::config::Overrides;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use sha2::{Digest, Sha256};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use tandem_domain::access::{Role, ScopeRef};
use tandem_domain::audit::{AuditEvent, Outcome, Stamp};
use tandem_domain::choice::Choice;
use tandem_storage::{AuditFilter, Store, StoreError};
use tandem_web::auth;

#[derive(Args)]
pub struct Database {
    /// sqlite://PATH or postgres://USER@HOST/DATABASE [env: TANDEM_DATABASE_URL]
    #[arg(long)]
    pub(crate) database_url: Option<String>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account holding one role. The password is read from
    /// standard input (--password-stdin), so it never appears in a process list.
    Add {
        #[arg(long)]
        username: String,
        /// e.g. family-court-adviser, service-manager, system-administrator
        #[arg(long)]
        role: String,
        /// national, region:CODE, area:CODE or team:CODE
        #[arg(long)]
        scope: String,
        /// Link the account to this staff member.
        #[arg(long)]
        staff_id: Option<i64>,
        /// Read the password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: Database,
    },
    /// List accounts, their roles and status.
    List {
        #[command(flatten)]
        db: Database,
    },
    /// Disable an account, ending its sessions and tokens.
    Disable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: Database,
    },
    /// Enable a disabled account.
    Enable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: Database,
    },
    /// Issue a one-time reset code the account holder uses to choose a new
    /// password (at /reset-password). Nobody else ever knows the password.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        db: Database,
    },
    /// Give an account another role.
    Assign {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: String,
        #[command(flatten)]
        db: Database,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first broken link, or the count verified.
    Verify {
        #[command(flatten)]
        db: Database,
    },
    /// Write the entries from one date to another as JSON lines, ending with
    /// the chain head and the file's SHA-256, to keep somewhere separate.
    Export {
        /// First day, YYYY-MM-DD (UTC).
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD (UTC), included.
        #[arg(long)]
        to: String,
        /// Where to write; standard output if absent.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: Database,
    },
}

#[derive(Subcommand)]
pub enum RollupsCommand {
    /// Recompute every measure rollup from the raw case records and compare
    /// with the stored sums; fails, listing the differences, if any differ.
    Verify {
        #[command(flatten)]
        db: Database,
    },
    /// Replace the stored rollups with a recomputation (audited).
    Rebuild {
        #[command(flatten)]
        db: Database,
    },
}

impl RollupsCommand {
    pub fn overrides(&self) -> Overrides {
        match self {
            Self::Verify { db } | Self::Rebuild { db } => overrides(db),
        }
    }
}

/// How many differences `rollups verify` lists before summarising.
const DIFFERENCES_SHOWN: usize = 20;

pub async fn rollups(store: &Store, command: RollupsCommand) -> anyhow::Result<()> {
    match command {
        RollupsCommand::Verify { .. } => {
            eprintln!("recomputing the rollups from the case records…");
            let check = store.verify_rollups().await?;
            if check.consistent() {
                println!(
                    "The measure rollups match the case records: {} cells and {} cases' delay rows checked.",
                    check.cells, check.delay_cases
                );
                return Ok(());
            }
            for d in check.wrong.iter().take(DIFFERENCES_SHOWN) {
                println!(
                    "{} {} {} {} bucket {}: stored {}, recomputed {}",
                    d.cell.component.slug(),
                    d.cell.scope.key(),
                    d.cell.law_type.slug(),
                    d.cell.month,
                    d.cell.bucket,
                    d.stored,
                    d.expected
                );
            }
            let cases: Vec<String> = check
                .delay_wrong
                .iter()
                .take(DIFFERENCES_SHOWN)
                .map(|id| id.to_string())
                .collect();
            if !cases.is_empty() {
                println!("Cases whose delay row differs: {}", cases.join(", "));
            }
            bail!(
                "{} of the rollup cells and {} of the delay rows differ from the case records; \
                 `tandem rollups rebuild` replaces them",
                check.wrong.len(),
                check.delay_wrong.len()
            )
        }
        RollupsCommand::Rebuild { .. } => {
            let cells = store.rebuild_rollups(&command_line_stamp()).await?;
            println!("Rebuilt the measure rollups: {cells} cells.");
            Ok(())
        }
    }
}

pub(crate) fn overrides(db: &Database) -> Overrides {
    Overrides {
        database_url: db.database_url.clone(),
        ..Default::default()
    }
}

impl UserCommand {
    pub fn overrides(&self) -> Overrides {
        match self {
            UserCommand::Add { db, .. }
            | UserCommand::List { db }
            | UserCommand::Disable { db, .. }
            | UserCommand::Enable { db, .. }
            | UserCommand::ResetPassword { db, .. }
            | UserCommand::Assign { db, .. } => overrides(db),
        }
    }
}

impl AuditCommand {
    pub fn overrides(&self) -> Overrides {
        match self {
            AuditCommand::Verify { db } | AuditCommand::Export { db, .. } => overrides(db),
        }
    }
}

/// Who the command line acts as in the audit trail: the operating-system
/// user running it.
pub fn command_line_stamp() -> Stamp {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    Stamp {
        at: jiff::Timestamp::now(),
        actor_user_id: None,
        actor_username: format!("command-line:{who}"),
        actor_role: None,
        actor_scope: None,
        request_id: None,
        client_ip: None,
    }
}

/// Turns a domain refusal into one clear line.
fn refused(error: StoreError) -> anyhow::Error {
    match error {
        StoreError::Domain(e) => anyhow::anyhow!("{e}"),
        other => anyhow::Error::new(other),
    }
}

fn role_and_scope(role: &str, scope: &str) -> anyhow::Result<(Role, ScopeRef)> {
    let role = Role::parse(role).map_err(anyhow::Error::msg)?;
    let scope = ScopeRef::parse(scope).map_err(anyhow::Error::msg)?;
    Ok((role, scope))
}

async fn account_id(
    store: &Store,
    username: &str,
) -> anyhow::Result<tandem_domain::access::UserId> {
    match store.credentials(username).await? {
        Some(c) => Ok(c.account.id),
        None => bail!("there is no account {username}"),
    }
}

/// Runs a `tandem user` command; `input` is where `--password-stdin` reads from.
pub async fn user(
    store: &Store,
    command: UserCommand,
    input: &mut dyn BufRead,
) -> anyhow::Result<()> {
    let stamp = command_line_stamp();
    match command {
        UserCommand::Add {
            username,
            role,
            scope,
            staff_id,
            password_stdin,
            ..
        } => {
            let (role, scope) = role_and_scope(&role, &scope)?;
            if !password_stdin {
                bail!("give the password on standard input with --password-stdin");
            }
            let mut password = String::new();
            input
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            tandem_domain::password::check_new_password(&password, &username)
                .map_err(anyhow::Error::msg)?;
            let hash = auth::hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            let staff = staff_id.map(tandem_domain::organisation::StaffId);
            let account = store
                .create_account(&username, staff, &hash, &[(role, scope.clone())], &stamp)
                .await
                .map_err(refused)?;
            println!(
                "Created {} as {} over {scope}.",
                account.username,
                role.slug()
            );
        }
        UserCommand::List { .. } => {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<24} {:<9} {:<13} ROLES",
                "USERNAME", "STATUS", "SECOND-FACTOR"
            )?;
            for a in store.accounts().await? {
                let roles: Vec<String> = a
                    .roles
                    .iter()
                    .map(|r| format!("{} {}", r.assignment.role.slug(), r.scope))
                    .collect();
                writeln!(
                    out,
                    "{:<24} {:<9} {:<13} {}",
                    a.username,
                    if a.disabled { "disabled" } else { "active" },
                    if a.has_second_factor { "yes" } else { "no" },
                    roles.join(", ")
                )?;
            }
        }
        UserCommand::Disable { username, .. } => {
            let id = account_id(store, &username).await?;
            store
                .set_account_disabled(id, true, &stamp)
                .await
                .map_err(refused)?;
            println!("Disabled {username}; its sessions and API tokens have ended.");
        }
        UserCommand::Enable { username, .. } => {
            let id = account_id(store, &username).await?;
            store
                .set_account_disabled(id, false, &stamp)
                .await
                .map_err(refused)?;
            println!("Enabled {username}.");
        }
        UserCommand::ResetPassword { username, .. } => {
            let id = account_id(store, &username).await?;
            let code = auth::new_recovery_codes().swap_remove(0);
            let expires = stamp.at + jiff::SignedDuration::from_hours(24);
            store
                .issue_password_reset(id, &auth::recovery_code_hash(&code), expires, &stamp)
                .await
                .map_err(refused)?;
            println!("Reset code for {username}: {code}");
            println!(
                "It works once, until {expires}, at /reset-password. Give it to them by a secure route."
            );
        }
        UserCommand::Assign {
            username,
            role,
            scope,
            ..
        } => {
            let (role, scope) = role_and_scope(&role, &scope)?;
            let id = account_id(store, &username).await?;
            store
                .assign_role(id, role, &scope, &stamp)
                .await
                .map_err(refused)?;
            println!("{username} is now also {} over {scope}.", role.slug());
        }
    }
    Ok(())
}

fn day(text: &str, what: &str) -> anyhow::Result<jiff::Timestamp> {
    let date = tandem_domain::text::date(text, what).map_err(anyhow::Error::msg)?;
    Ok(date.to_zoned(jiff::tz::TimeZone::UTC)?.timestamp())
}

fn event_json(e: &AuditEvent) -> serde_json::Value {
    let x = &e.entry;
    serde_json::json!({
        "seq": e.seq,
        "at": x.at.to_string(),
        "actor_user_id": x.actor_user_id.map(|u| u.0),
        "actor_username": x.actor_username,
        "actor_role": x.actor_role,
        "actor_scope": x.actor_scope,
        "action": x.action,
        "outcome": x.outcome.name(),
        "record_type": x.record_type,
        "record_id": x.record_id,
        "request_id": x.request_id,
        "client_ip": x.client_ip,
        "reason": x.reason,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    })
}

const VERIFY_PAGE: i64 = 5_000;

pub async fn audit(store: &Store, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { .. } => {
            let (total, _) = store.audit_head().await?;
            let progress = |done: i64| {
                eprint!("\rverified {done} of {total} entries");
            };
            let outcome = store.verify_audit(VERIFY_PAGE, progress).await?;
            eprintln!();
            match outcome {
                Ok(count) => {
                    let (_, head) = store.audit_head().await?;
                    println!(
                        "The audit trail is intact: {count} entries verified. Chain head: {head}"
                    );
                    Ok(())
                }
                Err(broken) => bail!(
                    "the audit trail is broken at entry {}: {}",
                    broken.seq,
                    broken.problem
                ),
            }
        }
        AuditCommand::Export { from, to, out, .. } => {
            let from_at = day(&from, "from date")?;
            let to_at = day(&to, "to date")? + jiff::SignedDuration::from_hours(24);
            if to_at <= from_at {
                bail!("the to date must be on or after the from date");
            }
            let mut events = store
                .audit_search(&AuditFilter {
                    from: Some(from_at),
                    to: Some(to_at),
                    limit: u32::MAX,
                    ..Default::default()
                })
                .await?;
            events.reverse();
            let mut lines = String::new();
            for e in &events {
                lines.push_str(&event_json(e).to_string());
                lines.push('\n');
            }
            let digest: String = Sha256::digest(lines.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let (head_seq, head_hash) = store.audit_head().await?;
            let trailer = serde_json::json!({
                "export": {"from": from, "to": to, "entries": events.len(),
                           "sha256_of_entries": digest, "chain_head_seq": head_seq,
                           "chain_head_hash": head_hash}
            });
            lines.push_str(&trailer.to_string());
            lines.push('\n');
            match &out {
                Some(path) => std::fs::write(path, &lines)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout().lock().write_all(lines.as_bytes())?,
            }
            let stamp = command_line_stamp();
            store
                .audit(&stamp.entry(
                    "export",
                    Outcome::Allowed,
                    Some(("audit_trail", format!("{from}..{to}"))),
                    None,
                ))
                .await?;
            eprintln!(
                "Exported {} entries. SHA-256 of the entries: {digest}. Chain head: entry {head_seq}, {head_hash}. Keep these somewhere separate.",
                events.len()
            );
            Ok(())
        }
    }
}

/// The demo's sign-ins: one account per role, all with the same password,
/// printed for whoever started the demo. The administrator's authenticator
/// key is printed too, since administrators must use one.
/// The demo users' password, printed for whoever started the demo.
pub const DEMO_PASSWORD: &str = "tandem demo 2026";

pub async fn demo_users(store: &Store, stamp: &Stamp) -> anyhow::Result<()> {
    const DEMO_ADMIN_KEY: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let hash = auth::hash_password(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let users = tandem_demo::load_users(store, &hash, stamp).await?;
    if let Some(admin) = store.credentials("admin").await?
        && admin.totp_secret.is_none()
    {
        store
            .set_second_factor(admin.account.id, Some(DEMO_ADMIN_KEY), &[], stamp)
            .await?;
    }
    println!();
    println!("Demo sign-ins (password for all: \"{DEMO_PASSWORD}\"):");
    for u in &users {
        println!("  {:<12} {:<26} {}", u.username, u.role.slug(), u.scope);
    }
    println!(
        "  The admin account also needs a code from an authenticator app: add the key {DEMO_ADMIN_KEY}\n  (or run: oathtool --totp -b {DEMO_ADMIN_KEY})."
    );
    Ok(())
}

/// Loads the national demo, reporting progress on stderr, then how much
/// was loaded and how long it took.
pub async fn national_demo(
    store: &Store,
    seed: u64,
    years: u16,
    stamp: &Stamp,
) -> anyhow::Result<()> {
    use tandem_demo::NationalProgress;
    let started = std::time::Instant::now();
    let mut progress = |step: NationalProgress| match step {
        NationalProgress::Cases {
            done,
            months,
            cases,
        } => {
            let width = 30;
            let filled = done * width / months.max(1);
            eprint!(
                "\r[{}{}] month {done} of {months}: {cases} cases",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stderr().flush();
        }
        NationalProgress::Rollups => eprintln!("\nbuilding the measure rollups"),
    };
    let today = jiff::Zoned::now().date();
    let options = tandem_demo::NationalOptions {
        seed,
        years,
        cases_a_year: tandem_demo::CASES_A_YEAR,
        today,
    };
    let loaded = tandem_demo::load_national(store, options, stamp, &mut progress)
        .await
        .context("could not load the national demo")?;
    let o = loaded.organisation;
    println!(
        "Loaded the national demo in {:.0} s: {} regions, {} service areas, {} teams, {} staff, {} family courts, {} local authorities; {} cases with {} children over {years} years; {} rollup cells.",
        started.elapsed().as_secs_f64(),
        o.regions,
        o.service_areas,
        o.teams,
        o.staff,
        o.courts,
        o.local_authorities,
        loaded.cases,
        loaded.children,
        loaded.rollup_cells,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_testkit::{TestBackend, with_store};

    fn add(username: &str, role: &str, scope: &str) -> UserCommand {
        UserCommand::Add {
            username: username.into(),
            role: role.into(),
            scope: scope.into(),
            staff_id: None,
            password_stdin: true,
            db: Database { database_url: None },
        }
    }

    async fn commands_refuse_bad_input_and_change_nothing(store: Store) {
        let stamp = command_line_stamp();
        let organisation = tandem_domain::organisation::RegionInput {
            code: "NE".into(),
            name: "North East".into(),
        }
        .validate()
        .expect("valid");
        store
            .create::<tandem_domain::organisation::Region>(&organisation, &stamp)
            .await
            .expect("region");
        let mut good = "otter lantern quietly\n".as_bytes();
        user(&store, add("amira", "hr", "region:NE"), &mut good)
            .await
            .expect("added");

        for (command, password, problem) in [
            (add("ben", "hr", "region:NE"), "short\n", "at least 12"),
            (
                add("ben", "hr", "region:ZZ"),
                "otter lantern quietly\n",
                "There is no region:ZZ",
            ),
            (
                add("ben", "wizard", "national"),
                "otter lantern quietly\n",
                "Choose a role",
            ),
            (
                add("ben", "hr", "county:X"),
                "otter lantern quietly\n",
                "A scope is",
            ),
            (
                add("amira", "hr", "national"),
                "otter lantern quietly\n",
                "taken",
            ),
        ] {
            let mut input = password.as_bytes();
            let error = user(&store, command, &mut input).await.expect_err(problem);
            assert!(format!("{error:#}").contains(problem), "{error:#}");
        }
        let no_stdin = UserCommand::Add {
            username: "ben".into(),
            role: "hr".into(),
            scope: "national".into(),
            staff_id: None,
            password_stdin: false,
            db: Database { database_url: None },
        };
        assert!(user(&store, no_stdin, &mut "".as_bytes()).await.is_err());
        let accounts = store.accounts().await.expect("list");
        assert_eq!(accounts.len(), 1, "only amira was created");
        assert_eq!(accounts[0].roles[0].scope.to_string(), "region:NE");

        let disable = UserCommand::Disable {
            username: "amira".into(),
            db: Database { database_url: None },
        };
        user(&store, disable, &mut "".as_bytes())
            .await
            .expect("disable");
        assert!(store.accounts().await.expect("list")[0].disabled);
        let unknown = UserCommand::ResetPassword {
            username: "nobody".into(),
            db: Database { database_url: None },
        };
        assert!(user(&store, unknown, &mut "".as_bytes()).await.is_err());
    }

    async fn the_audit_trail_verifies_and_exports(store: Store) {
        let mut input = "otter lantern quietly\n".as_bytes();
        user(&store, add("amira", "board-member", "national"), &mut input)
            .await
            .expect("added");
        audit(
            &store,
            AuditCommand::Verify {
                db: Database { database_url: None },
            },
        )
        .await
        .expect("intact");
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("audit.jsonl");
        audit(
            &store,
            AuditCommand::Export {
                from: "2000-01-01".into(),
                to: "2100-12-31".into(),
                out: Some(out.clone()),
                db: Database { database_url: None },
            },
        )
        .await
        .expect("export");
        let text = std::fs::read_to_string(&out).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        let trailer: serde_json::Value =
            serde_json::from_str(lines.last().expect("trailer")).expect("json");
        let entries = lines.len() - 1;
        assert_eq!(trailer["export"]["entries"], entries);
        let entries_text = &text.as_bytes()[..text.len() - lines.last().map_or(0, |l| l.len() + 1)];
        let digest: String = Sha256::digest(entries_text)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(trailer["export"]["sha256_of_entries"], digest);
        assert!(!text.contains("otter lantern"), "no password in the trail");
        let bad = AuditCommand::Export {
            from: "2026-02-30".into(),
            to: "2026-03-01".into(),
            out: None,
            db: Database { database_url: None },
        };
        assert!(audit(&store, bad).await.is_err());
    }

    #[tokio::test]
    async fn sqlite_commands() {
        with_store(
            TestBackend::Sqlite,
            commands_refuse_bad_input_and_change_nothing,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres_commands() {
        with_store(
            TestBackend::Postgres,
            commands_refuse_bad_input_and_change_nothing,
        )
        .await;
    }

    #[tokio::test]
    async fn sqlite_audit() {
        with_store(TestBackend::Sqlite, the_audit_trail_verifies_and_exports).await;
    }

    #[tokio::test]
    async fn postgres_audit() {
        with_store(TestBackend::Postgres, the_audit_trail_verifies_and_exports).await;
    }
}
