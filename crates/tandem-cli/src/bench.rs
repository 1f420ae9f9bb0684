//! `tandem bench`: how fast the measures answer, checked against a
//! plain-SQL baseline that must give identical numbers. Run it on the
//! national demo data (see README.md, "Performance"); it reads only, unless
//! asked to time writes.

use crate::admin::{DEMO_PASSWORD, Database};
use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Args;
use jiff::ToSpan;
use jiff::civil::Date;
use std::time::{Duration, Instant};
use tandem_domain::casework::HearingInput;
use tandem_domain::measures::{CATALOGUE, Granularity, Period, evaluate, ingredients, measure};
use tandem_domain::organisation::{Region, ServiceArea, Team};
use tandem_domain::rollups::{Month, Scope};
use tandem_storage::Store;
use tower::ServiceExt;

#[derive(Args)]
pub struct BenchArgs {
    /// Times each timing is repeated; the median and 95th percentile are reported.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Also time this many case events written one by one (hearings added
    /// to open cases, each with its rollup update and audit row). They stay
    /// in the database.
    #[arg(long, default_value_t = 0)]
    writes: usize,
    /// Leave out the plain-SQL baseline, which takes minutes on national data.
    #[arg(long)]
    no_baseline: bool,
    #[command(flatten)]
    pub db: Database,
}

fn median_and_p95(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| {
        let i = ((times.len() as f64 - 1.0) * q).round() as usize;
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    (at(0.5), at(0.95))
}

/// The 120 months to the last month any case was received in.
fn ten_years(store_last: Date) -> anyhow::Result<(Vec<Period>, Month, Month)> {
    let last = Month::of(store_last);
    let first_day = last
        .first_day()
        .context("a month")?
        .checked_sub(119.months())?;
    let periods = Period::series(
        &Month::of(first_day).to_string(),
        &last.to_string(),
        Granularity::Month,
    )
    .map_err(anyhow::Error::msg)?;
    Ok((periods, Month::of(first_day), last))
}

pub async fn bench(store: &Store, args: BenchArgs) -> anyhow::Result<()> {
    let runs = args.runs.max(1);
    let latest = store
        .latest_receipt()
        .await?
        .context("there are no cases: load the demo first (tandem demo --scale national)")?;
    let (periods, from, to) = ten_years(latest)?;
    println!(
        "Measures: 120 months, {} to {}, national",
        periods[0].label(),
        periods[119].label()
    );

    // 1. A 120-month national series of every measure, as the API answers it.
    let mut slowest = 0.0_f64;
    for m in CATALOGUE {
        let by = if m.id == "children-worked-with" {
            Granularity::Year
        } else {
            Granularity::Month
        };
        let periods = if by == Granularity::Year {
            Period::series(&from.to_string(), &to.to_string(), by).map_err(anyhow::Error::msg)?
        } else {
            periods.clone()
        };
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = Instant::now();
            national_series(store, m.id, &periods, by).await?;
            times.push(start.elapsed());
        }
        let (median, p95) = median_and_p95(times);
        slowest = slowest.max(median);
        println!(
            "  series {:<38} median {median:7.2} ms  p95 {p95:7.2} ms",
            m.id
        );
    }
    println!("  slowest series median: {slowest:.2} ms (target: 20 ms)");

    // 2. The same numbers by plain SQL over the raw tables.
    let mismatches = if args.no_baseline {
        0
    } else {
        compare_with_baseline(store, &periods).await?
    };

    // 3. Dashboard pages, rendered by the server as a board member sees them.
    let router = tandem_web::router(tandem_web::AppState::new(
        store.clone(),
        tandem_web::WebConfig::default(),
    ));
    let cookie = sign_in(&router, "board").await?;
    let scopes = dashboard_scopes(store).await?;
    for path in scopes {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let request = Request::get(path.as_str())
                .header(header::COOKIE, format!("tandem_session={cookie}"))
                .body(Body::empty())?;
            let start = Instant::now();
            let reply = router.clone().oneshot(request).await?;
            let status = reply.status();
            axum::body::to_bytes(reply.into_body(), usize::MAX).await?;
            times.push(start.elapsed());
            if status != StatusCode::OK {
                bail!("{path} answered {status}");
            }
        }
        let (median, p95) = median_and_p95(times);
        println!("  page {path:<50} median {median:7.2} ms  p95 {p95:7.2} ms (targets 50 / 150)");
    }

    // 4. Writes: one event at a time, each its own transaction.
    if args.writes > 0 {
        let mut open = Vec::new();
        for id in store.open_case_ids(1000).await? {
            if let Some(record) = store.case(id).await? {
                open.push(record.case);
            }
        }
        if open.is_empty() {
            bail!("no open cases to write to");
        }
        let stamp = crate::admin::command_line_stamp();
        let start = Instant::now();
        for i in 0..args.writes {
            let case = &open[i % open.len()];
            let hearing = HearingInput {
                kind: "review".into(),
                on: case.received_on.to_string(),
                ..Default::default()
            }
            .validate_past(case)?;
            store.add_hearing(case.id, &hearing, &stamp).await?;
        }
        let seconds = start.elapsed().as_secs_f64();
        println!(
            "  writes: {} hearings in {seconds:.2} s: {:.0} events a second (target: 1,000)",
            args.writes,
            args.writes as f64 / seconds
        );
    }
    println!("  peak memory of this process: {}", peak_memory());
    if mismatches > 0 {
        bail!("{mismatches} baseline comparisons gave different numbers");
    }
    Ok(())
}

/// The same numbers by plain SQL over the raw tables, as an analyst would
/// work them out; how many differ.
async fn compare_with_baseline(store: &Store, periods: &[Period]) -> anyhow::Result<usize> {
    let series = |id: &'static str| national_series(store, id, periods, Granularity::Month);
    let first = periods[0].first;
    let last = periods[119].last;
    let mut mismatches = 0;
    let mut compare = |what: &str, ours: Vec<i64>, theirs: Vec<i64>, fast: f64, slow: f64| {
        let same = ours == theirs;
        if !same {
            mismatches += 1;
        }
        println!(
            "  baseline {what:<24} rollups {fast:8.2} ms  plain SQL {slow:9.2} ms  {:6.1}× faster  numbers {}",
            slow / fast.max(0.001),
            if same { "identical" } else { "DIFFER" }
        );
    };
    let timed = Instant::now();
    let ours = series("new-cases").await?;
    let fast = timed.elapsed().as_secs_f64() * 1000.0;
    let timed = Instant::now();
    let baseline = store.baseline_new_cases(first, last).await?;
    let slow = timed.elapsed().as_secs_f64() * 1000.0;
    let theirs: Vec<i64> = periods
        .iter()
        .map(|p| {
            let key = Month::of(p.first).to_string();
            baseline
                .iter()
                .find(|(m, _)| *m == key)
                .map_or(0, |(_, n)| *n)
        })
        .collect();
    compare(
        "new cases",
        ours.iter()
            .map(|v| v.value.unwrap_or(-1.0) as i64)
            .collect(),
        theirs,
        fast,
        slow,
    );

    let timed = Instant::now();
    let ours = series("open-cases").await?;
    let fast = timed.elapsed().as_secs_f64() * 1000.0;
    let ends: Vec<Date> = periods.iter().map(|p| p.last).collect();
    let timed = Instant::now();
    let theirs = store.baseline_open_cases(&ends).await?;
    let slow = timed.elapsed().as_secs_f64() * 1000.0;
    compare(
        "open cases at month end",
        ours.iter()
            .map(|v| v.value.unwrap_or(-1.0) as i64)
            .collect(),
        theirs,
        fast,
        slow,
    );

    let timed = Instant::now();
    let ours = series("work-filed-on-time").await?;
    let fast = timed.elapsed().as_secs_f64() * 1000.0;
    let timed = Instant::now();
    let baseline = store.baseline_work_on_time(first, last).await?;
    let slow = timed.elapsed().as_secs_f64() * 1000.0;
    let pairs = |n: Option<f64>, d: Option<f64>| [n.unwrap_or(0.0) as i64, d.unwrap_or(0.0) as i64];
    let theirs: Vec<i64> = periods
        .iter()
        .flat_map(|p| {
            let key = Month::of(p.first).to_string();
            baseline
                .iter()
                .find(|(m, _, _)| *m == key)
                .map_or([0, 0], |(_, due, on_time)| [*on_time, *due])
        })
        .collect();
    compare(
        "work filed on time",
        ours.iter()
            .flat_map(|v| pairs(v.numerator, v.denominator))
            .collect(),
        theirs,
        fast,
        slow,
    );
    Ok(mismatches)
}

/// A measure's national values over `periods`, as the API works them out.
async fn national_series(
    store: &Store,
    id: &str,
    periods: &[Period],
    by: Granularity,
) -> anyhow::Result<Vec<tandem_domain::measures::Value>> {
    let m = measure(id).context("no such measure")?;
    let (counts, context) = store
        .measure_counts(&[(&[Scope::National], periods)], ingredients(m))
        .await?;
    evaluate(m, periods, by, None, Scope::National, &counts[0], &context)
        .map_err(anyhow::Error::msg)
}

/// Signs in as a demo user through the sign-in form; the session cookie.
async fn sign_in(router: &axum::Router, username: &str) -> anyhow::Result<String> {
    let form = format!(
        "username={username}&password={}",
        DEMO_PASSWORD.replace(' ', "+")
    );
    let reply = router
        .clone()
        .oneshot(
            Request::post("/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(form))?,
        )
        .await?;
    reply
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.strip_prefix("tandem_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .with_context(|| {
            format!(
                "cannot sign in as the demo's {username} ({})",
                reply.status()
            )
        })
}

/// The national dashboard and one of each narrower kind, each with its
/// drivers-of-delay page.
async fn dashboard_scopes(store: &Store) -> anyhow::Result<Vec<String>> {
    let mut scopes = vec!["national".to_owned()];
    if let Some(r) = store.list::<Region>().await?.first() {
        scopes.push(format!("region-{}", r.id.0));
    }
    if let Some(a) = store.list::<ServiceArea>().await?.first() {
        scopes.push(format!("service-area-{}", a.id.0));
    }
    if let Some(t) = store.list::<Team>().await?.first() {
        scopes.push(format!("team-{}", t.id.0));
    }
    if let Some((_, dfj, _)) = store.court_dfj_areas().await?.first() {
        scopes.push(format!("dfj-area-{dfj}"));
    }
    Ok(["/dashboards", "/dashboards/delay"]
        .iter()
        .flat_map(|page| {
            scopes
                .iter()
                .map(move |scope| format!("{page}?scope={scope}"))
        })
        .collect())
}

/// The most memory this process has held (Linux), as the kernel reports it.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "not known on this system".into())
}
