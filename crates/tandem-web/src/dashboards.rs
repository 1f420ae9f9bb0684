//! Dashboards: the headline measures for the whole service or one part of
//! it, each as a monthly trend against its target and compared across the
//! parts within. Aggregates only, so anyone signed in may see them; the
//! cases behind a number are listed by `drill_down`, within the viewer's
//! access to cases. Every view downloads as CSV or XLSX.

use crate::AppState;
use crate::charts::{Chart, Figure, Series};
use crate::error::{AppError, PageError};
use crate::guard::Guard;
use crate::html::{Layout, render};
use crate::session::{RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tandem_domain::access::{self, Action, RecordKind, Target};
use tandem_domain::choice::Choice;
use tandem_domain::clocks::LongRunningThresholds;
use tandem_domain::clocks::Rag;
use tandem_domain::delay::{DelayReport, DelayTally, Location, Place, place_kind};
use tandem_domain::interchange::Format;
use tandem_domain::measures::{
    DASHBOARD, Measure, Period, ScopeTree, SeriesInput, SeriesRequest, Value, case_part, evaluate,
    grouped, ingredients, measure, rag, target_status,
};
use tandem_domain::organisation::{Court, LocalAuthority, Region, ServiceArea, Team};
use tandem_domain::rollups::{Component, Month, Scope};
use tandem_domain::{DomainError, FieldError};
use tandem_storage::{Part, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboards", get(show))
        .route("/dashboards/download", get(download))
        .route("/dashboards/cases", get(cases_behind))
        .route("/dashboards/delay", get(delay))
}

/// The organisation's places by name.
pub(crate) async fn scope_tree(state: &AppState) -> Result<ScopeTree, AppError> {
    let store = &state.store;
    let dfj = store.court_dfj_areas().await?;
    let court_area: std::collections::BTreeMap<i64, i64> =
        dfj.iter().map(|(court, area, _)| (*court, *area)).collect();
    Ok(ScopeTree {
        regions: store
            .list::<Region>()
            .await?
            .into_iter()
            .map(|r| (r.id.0, r.name))
            .collect(),
        areas: store
            .list::<ServiceArea>()
            .await?
            .into_iter()
            .map(|a| (a.id.0, (a.name, a.region_id.0)))
            .collect(),
        teams: store
            .list::<Team>()
            .await?
            .into_iter()
            .map(|t| (t.id.0, (t.name, t.service_area_id.0)))
            .collect(),
        courts: store
            .list::<Court>()
            .await?
            .into_iter()
            .filter_map(|c| Some((c.id.0, (c.name, *court_area.get(&c.id.0)?))))
            .collect(),
        dfj_areas: dfj
            .iter()
            .map(|(_, area, name)| (*area, name.clone()))
            .collect(),
        local_authorities: store
            .list::<LocalAuthority>()
            .await?
            .into_iter()
            .map(|l| (l.id.0, l.name))
            .collect(),
    })
}

/// A request naming a scope the organisation does not have is refused at
/// the scope field, like any other mistake in it.
pub(crate) fn check_scope(tree: &ScopeTree, scope: Scope) -> Result<String, DomainError> {
    tree.name(scope).ok_or_else(|| {
        DomainError::invalid(
            "scope",
            format!("There is no {} in the organisation", scope.key()),
        )
    })
}

/// One measure's values over the periods, for the scope and each part.
pub(crate) struct MeasureView {
    pub measure: &'static Measure,
    pub target: Option<f64>,
    /// The scope's values, period by period.
    pub values: Vec<Value>,
    /// Each part's value in the last period.
    pub parts: Vec<Value>,
}

/// Everything a dashboard shows, as numbers.
pub(crate) struct Dashboard {
    pub request: SeriesRequest,
    pub name: String,
    pub path: Vec<(Scope, String)>,
    pub parts: Vec<(Scope, String)>,
    pub part_kind: &'static str,
    /// At national level, the Designated Family Judge areas, which cut
    /// across regions.
    pub dfj_areas: Vec<(Scope, String)>,
    pub measures: Vec<MeasureView>,
}

pub(crate) async fn dashboard(
    state: &AppState,
    input: &SeriesInput,
) -> Result<Dashboard, AppError> {
    let request = input.validate(state.clock.today())?;
    let tree = scope_tree(state).await?;
    let name = check_scope(&tree, request.scope)?;
    let named = |s: Scope| (s, tree.name(s).unwrap_or_else(|| s.key()));
    let path = tree.path(request.scope).into_iter().map(named).collect();
    let (part_scopes, part_kind) = tree.parts(request.scope);
    let parts: Vec<(Scope, String)> = part_scopes.iter().copied().map(named).collect();
    let dfj_areas = match request.scope {
        Scope::National => tree
            .dfj_areas
            .keys()
            .map(|id| named(Scope::DfjArea(*id)))
            .collect(),
        _ => Vec::new(),
    };
    let measures: Vec<&'static Measure> = DASHBOARD.iter().filter_map(|id| measure(id)).collect();
    let mut components: Vec<Component> = measures
        .iter()
        .flat_map(|m| ingredients(m).iter().copied())
        .collect();
    components.sort();
    components.dedup();
    let Some(last) = request.periods.last() else {
        return Err(DomainError::invalid("from", "Ask for at least one month").into());
    };
    // The parts are compared in the latest period only, so only its months
    // are read for them.
    let latest: Vec<Period> = vec![*last];
    let (counts, context) = state
        .store
        .measure_counts(
            &[
                (&[request.scope], &request.periods),
                (&part_scopes, &latest),
            ],
            &components,
        )
        .await?;
    let targets = state.store.measure_targets().await?;
    let mut views = Vec::with_capacity(measures.len());
    for m in measures {
        let judge = |scope: Scope, scope_counts, periods: &[Period]| {
            evaluate(
                m,
                periods,
                request.granularity,
                request.law,
                scope,
                scope_counts,
                &context,
            )
            .map_err(|e| AppError::from(DomainError::invalid("by", e)))
        };
        let values = judge(request.scope, &counts[0], &request.periods)?;
        let mut part_values = Vec::with_capacity(part_scopes.len());
        for (scope, scope_counts) in part_scopes.iter().zip(&counts[1..]) {
            part_values.extend(judge(*scope, scope_counts, &latest)?);
        }
        views.push(MeasureView {
            measure: m,
            target: targets.get(m.id).map(|(t, _)| *t),
            values,
            parts: part_values,
        });
    }
    Ok(Dashboard {
        request,
        name,
        path,
        parts,
        part_kind,
        dfj_areas,
        measures: views,
    })
}

/// One measure as the page shows it.
struct MeasurePanel {
    measure: &'static Measure,
    latest: String,
    target: String,
    status: Option<(&'static str, &'static str)>,
    trend: Figure,
    comparison: Option<Figure>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    input: SeriesInput,
    errors: Vec<FieldError>,
    name: String,
    trail: Vec<(String, String)>,
    parts: Vec<(String, String)>,
    part_kind: &'static str,
    dfj_areas: Vec<(String, String)>,
    period: String,
    panels: Vec<MeasurePanel>,
    query: String,
    /// Whether the reader may see the cases behind the numbers.
    drill: bool,
}

fn link(scope: Scope, request: &SeriesRequest) -> String {
    format!("/dashboards?scope={}&to={}", scope.key(), request.to)
}

/// A GOV.UK tag colour for a status.
fn tag(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "govuk-tag--green",
        Rag::Amber => "govuk-tag--yellow",
        Rag::Red => "govuk-tag--red",
    }
}

/// The list of the cases behind `measure`'s number for `scope` in the month
/// `to` (`YYYY-MM`).
fn cases_link(measure: &Measure, scope: Scope, to: &str) -> String {
    format!(
        "/dashboards/cases?measure={}&scope={}&to={to}",
        measure.id,
        scope.key()
    )
}

/// The dashboard's panels; with `drill`, every value in their tables links
/// to the cases behind it.
fn panels(d: &Dashboard, drill: bool) -> Vec<MeasurePanel> {
    let labels: Vec<String> = d.request.periods.iter().map(Period::label).collect();
    d.measures
        .iter()
        .map(|v| {
            let m = v.measure;
            let last = v.values.last().copied().unwrap_or_else(Value::none);
            let status = rag(m.better, last.value, v.target);
            let trend = Figure::line(&Chart {
                id: format!("trend-{}", m.id),
                title: format!("{}, {}", m.name, d.name),
                category: "Month".into(),
                labels: labels.clone(),
                unit: m.unit,
                series: Series {
                    name: d.name.clone(),
                    values: v.values.iter().map(|x| x.value).collect(),
                },
                comparison: None,
                target: v.target,
                status: v
                    .values
                    .iter()
                    .map(|x| rag(m.better, x.value, v.target))
                    .collect(),
                links: d
                    .request
                    .periods
                    .iter()
                    .map(|p| {
                        let to = Month::of(p.last).to_string();
                        drill.then(|| cases_link(m, d.request.scope, &to))
                    })
                    .collect(),
            });
            let comparison = (!d.parts.is_empty()).then(|| {
                Figure::bar(&Chart {
                    id: format!("parts-{}", m.id),
                    title: format!(
                        "{} by {}, {}",
                        m.name,
                        d.part_kind.to_lowercase(),
                        labels.last().cloned().unwrap_or_default()
                    ),
                    category: d.part_kind.into(),
                    labels: d.parts.iter().map(|(_, n)| n.clone()).collect(),
                    unit: m.unit,
                    series: Series {
                        name: m.name.into(),
                        values: v.parts.iter().map(|x| x.value).collect(),
                    },
                    comparison: None,
                    target: v.target,
                    status: v
                        .parts
                        .iter()
                        .map(|x| rag(m.better, x.value, v.target))
                        .collect(),
                    links: d
                        .parts
                        .iter()
                        .map(|(part, _)| drill.then(|| cases_link(m, *part, &d.request.to)))
                        .collect(),
                })
            });
            MeasurePanel {
                measure: m,
                latest: last.display(m.unit),
                target: v
                    .target
                    .map(|t| Value::amount(t).display(m.unit))
                    .unwrap_or_else(|| "None set".into()),
                status: status.map(|r| (target_status(r), tag(r))),
                trend,
                comparison,
            }
        })
        .collect()
}

fn input_from(query: Option<String>) -> SeriesInput {
    let mut q = crate::extract::query_map(query);
    let mut take = |k: &str| q.remove(k).unwrap_or_default();
    SeriesInput {
        scope: take("scope"),
        from: String::new(),
        to: take("to"),
        by: String::new(),
        law: take("law"),
    }
}

async fn show(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let input = input_from(query);
    let layout = Layout::new("/dashboards", Some(&principal));
    let drill = access::authorize(
        &principal.actor,
        Action::View,
        &Target::kind(RecordKind::Case),
    )
    .is_ok();
    match dashboard(&state, &input).await {
        Ok(d) => {
            let query = format!("scope={}&to={}", d.request.scope.key(), d.request.to);
            render(&DashboardPage {
                layout,
                errors: Vec::new(),
                name: d.name.clone(),
                trail: d
                    .path
                    .iter()
                    .take(d.path.len().saturating_sub(1))
                    .map(|(s, n)| (link(*s, &d.request), n.clone()))
                    .collect(),
                parts: d
                    .parts
                    .iter()
                    .map(|(s, n)| (link(*s, &d.request), n.clone()))
                    .collect(),
                part_kind: d.part_kind,
                dfj_areas: d
                    .dfj_areas
                    .iter()
                    .map(|(s, n)| (link(*s, &d.request), n.clone()))
                    .collect(),
                period: d
                    .request
                    .periods
                    .last()
                    .map(Period::label)
                    .unwrap_or_default(),
                panels: panels(&d, drill),
                input,
                query,
                drill,
            })
        }
        // A request that cannot be read shows its problems on the page.
        Err(e) if !e.fields.is_empty() => render(&DashboardPage {
            layout,
            errors: e.fields,
            name: "Dashboard".into(),
            trail: Vec::new(),
            parts: Vec::new(),
            part_kind: "",
            dfj_areas: Vec::new(),
            period: String::new(),
            panels: Vec::new(),
            input,
            query: String::new(),
            drill,
        }),
        Err(e) => Err(e.into()),
    }
}

/// The dashboard's numbers, one row for each measure, scope and period.
async fn download(
    State(state): State<AppState>,
    SignedIn(_): SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let mut q = crate::extract::query_map(query.clone());
    let format = Format::parse(q.remove("format").as_deref().unwrap_or("csv"))
        .map_err(|e| AppError::from(DomainError::invalid("format", e)))?;
    let d = dashboard(&state, &input_from(query)).await?;
    let header = [
        "scope",
        "scope_name",
        "measure",
        "measure_name",
        "period",
        "first_day",
        "last_day",
        "value",
        "numerator",
        "denominator",
        "median",
        "target",
        "status",
    ];
    let number = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let last = d.request.periods.last().copied();
    for view in &d.measures {
        let m = view.measure;
        let row = |scope: Scope, name: &str, period: &Period, v: &Value| {
            vec![
                scope.key(),
                name.to_owned(),
                m.id.to_owned(),
                m.name.to_owned(),
                period.label(),
                period.first.to_string(),
                period.last.to_string(),
                number(v.value),
                number(v.numerator),
                number(v.denominator),
                number(v.median),
                number(view.target),
                rag(m.better, v.value, view.target)
                    .map(target_status)
                    .unwrap_or_default()
                    .to_owned(),
            ]
        };
        for (period, v) in d.request.periods.iter().zip(&view.values) {
            rows.push(row(d.request.scope, &d.name, period, v));
        }
        if let Some(last) = &last {
            for ((scope, name), v) in d.parts.iter().zip(&view.parts) {
                rows.push(row(*scope, name, last, v));
            }
        }
    }
    let bytes =
        tandem_interchange::write_rows(format, "Dashboard", &header, rows.iter()).map_err(|e| {
            tracing::error!(error = %e, "dashboard download encoding failed");
            PageError(AppError::internal())
        })?;
    let file = format!(
        "dashboard-{}-{}.{}",
        d.request.scope.key(),
        d.request.to,
        format.slug()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// How many of the cases behind a number are listed on one page.
const CASES_LISTED: usize = 200;

struct CaseLine {
    id: i64,
    number: String,
    law: &'static str,
    team: String,
    received: String,
    closed: String,
    part: String,
}

#[derive(Template)]
#[template(path = "dashboard_cases.html")]
struct CasesBehindPage {
    layout: Layout,
    measure: &'static Measure,
    scope_name: String,
    period: String,
    back: String,
    total: usize,
    hidden: usize,
    lines: Vec<CaseLine>,
}

/// The cases behind one number, within the reader's access to cases (a
/// list of personal data: audited). Board members see aggregates only.
async fn cases_behind(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::Case).await?;
    let mut q = crate::extract::query_map(query);
    let measure = q
        .remove("measure")
        .and_then(|id| measure(&id))
        .ok_or_else(AppError::not_found)?;
    let mut take = |k: &str| q.remove(k).unwrap_or_default();
    let to = take("to");
    let input = SeriesInput {
        scope: take("scope"),
        from: to.clone(),
        to,
        by: take("by"),
        law: take("law"),
    };
    let request = input.validate(state.clock.today())?;
    let tree = scope_tree(&state).await?;
    let scope_name = check_scope(&tree, request.scope)?;
    let period = *request
        .periods
        .last()
        .ok_or_else(|| AppError::from(DomainError::invalid("to", "Ask for one period")))?;
    let (candidates, context, rules) = state
        .store
        .cases_behind_measures(
            request.scope,
            period.first,
            period.last,
            &guard.list_scope(Action::View, RecordKind::Case),
        )
        .await?;
    let (mut total, mut hidden, mut lines) = (0, 0, Vec::new());
    for (case, facts, visible) in &candidates {
        let part = case_part(
            measure,
            facts,
            request.scope,
            period,
            request.granularity,
            request.law,
            &context,
            &rules,
        )
        .map_err(|e| AppError::from(DomainError::invalid("by", e)))?;
        let Some(part) = part else { continue };
        total += 1;
        if !visible {
            hidden += 1;
        } else if lines.len() < CASES_LISTED {
            lines.push(CaseLine {
                id: case.id.0,
                number: case.case_number.clone(),
                law: case.law_type.label(),
                team: tree.name(Scope::Team(case.team_id.0)).unwrap_or_default(),
                received: case.received_on.strftime("%-d %B %Y").to_string(),
                closed: case
                    .closed_on
                    .map(|d| d.strftime("%-d %B %Y").to_string())
                    .unwrap_or_else(|| "Open".into()),
                part: part.display(measure.unit),
            });
        }
    }
    guard
        .audit_read(grant, RecordKind::Case, None, "list")
        .await?;
    render(&CasesBehindPage {
        layout: Layout::new("/dashboards", Some(&principal)),
        measure,
        scope_name,
        period: period.label(),
        back: link(request.scope, &request),
        total,
        hidden,
        lines,
    })
}

/// One place in the breakdown, as shown.
struct PlaceLine {
    name: String,
    kind: &'static str,
    considered: usize,
    delayed: usize,
    /// The stage longest beyond the median, as shown.
    worst_stage: Option<String>,
}

#[derive(Template)]
#[template(path = "delay.html")]
struct DelayPage {
    layout: Layout,
    name: String,
    period: String,
    back: String,
    report: DelayReport,
    places: Vec<PlaceLine>,
    /// Days as shown: a number, or "no data".
    shown: fn(&Option<u32>) -> String,
    count: fn(&usize) -> String,
    /// "1 case", "1,709 cases".
    cases: fn(&usize) -> String,
    share: fn(&Option<f64>) -> String,
    wait: fn(&Option<f64>) -> String,
}

/// A delay analysis under way: its cases read and tallied in parts at
/// once, one a core, each part on its own database connection, since a
/// national year is a hundred thousand cases. Dropped unfinished, it stops.
struct DelayTallies(Vec<tokio::task::JoinHandle<Result<DelayTally, AppError>>>);

impl DelayTallies {
    fn start(
        state: &AppState,
        scope: Scope,
        period: Period,
        thresholds: LongRunningThresholds,
    ) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parts = Part::split(period.first, period.last, cores.min(4));
        Self(
            parts
                .into_iter()
                .map(|part| {
                    let store = state.store.clone();
                    tokio::spawn(async move {
                        let lines = store
                            .delay_cases(scope, period.first, period.last, part)
                            .await?;
                        crate::auth::tokio_blocking(move || {
                            let mut tally = DelayTally::new(&thresholds, &period);
                            lines.each(|case| tally.add(case))?;
                            Ok::<_, StoreError>(tally)
                        })
                        .await?
                        .map_err(AppError::from)
                    })
                })
                .collect(),
        )
    }

    /// The report, its places named from `tree`, which it hands back.
    async fn finish(
        mut self,
        tree: ScopeTree,
        scope: Scope,
        period: Period,
        thresholds: LongRunningThresholds,
    ) -> Result<(DelayReport, ScopeTree), AppError> {
        let mut whole = DelayTally::new(&thresholds, &period);
        for task in std::mem::take(&mut self.0) {
            let part = task.await.map_err(|e| {
                tracing::error!(error = %e, "a delay analysis part failed");
                AppError::internal()
            })??;
            whole.merge(part);
        }
        crate::auth::tokio_blocking(move || {
            let report =
                whole.report(|at: &Location, out: &mut Vec<Place>| at.places(&tree, scope, out));
            (report, tree)
        })
        .await
    }
}

impl Drop for DelayTallies {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Drivers of delay: where the time went in the cases that ran past their
/// threshold, over the twelve months to `to`. Aggregates only.
async fn delay(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let input = input_from(query);
    let request = input.validate(state.clock.today())?;
    let (Some(first), Some(last)) = (request.periods.first(), request.periods.last()) else {
        return Err(
            AppError::from(DomainError::invalid("to", "Ask for at least one month")).into(),
        );
    };
    let period = Period {
        first: first.first,
        last: last.last,
    };
    let (settings, _) = state.store.practice_settings().await?;
    let thresholds = settings.thresholds;
    // The cases are read while the places are looked up: an unknown scope
    // finds no cases, and stops the reading when refused.
    let tallies = DelayTallies::start(&state, request.scope, period, thresholds);
    let tree = scope_tree(&state).await?;
    let name = check_scope(&tree, request.scope)?;
    let (report, tree) = tallies
        .finish(tree, request.scope, period, thresholds)
        .await?;
    let mut lines: Vec<PlaceLine> = report
        .places
        .iter()
        .map(|row| PlaceLine {
            name: tree.name(row.place).unwrap_or_else(|| row.place.key()),
            kind: place_kind(row.place),
            considered: row.considered,
            delayed: row.delayed,
            worst_stage: row.worst_stage.map(|(name, days)| {
                format!(
                    "{}, {}: {} days longer",
                    name.stage,
                    name.pathway.label,
                    grouped(days)
                )
            }),
        })
        .collect();
    // By kind, the most delayed first.
    lines.sort_by(|a, b| {
        a.kind
            .cmp(b.kind)
            .then(b.delayed.cmp(&a.delayed))
            .then(a.name.cmp(&b.name))
    });
    render(&DelayPage {
        layout: Layout::new("/dashboards", Some(&principal)),
        name,
        period: format!("{} to {}", first.label(), last.label()),
        back: link(request.scope, &request),
        report,
        places: lines,
        shown: |d| d.map_or_else(|| "no data".into(), grouped),
        count: |n| grouped(n),
        cases: |n| match n {
            1 => "1 case".into(),
            n => format!("{} cases", grouped(n)),
        },
        share: |s| s.map_or_else(|| "no data".into(), |s| format!("{s:.1}%")),
        wait: |d| d.map_or_else(|| "no data".into(), |d| grouped(format!("{d:.0}"))),
    })
}
