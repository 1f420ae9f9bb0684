//! The pages people use: home, the organisation, and its administration.

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{HtmlForm, query_map, record_id};
use crate::guard::{Guard, Refusal, forbidden};
use crate::resources::{Field, HasVersion, Lookups, Resource, SelectOption, attach_errors};
use crate::session::{Principal, RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tandem_domain::DomainError;
use tandem_domain::access::{self, Action, Grant, RecordKind, Target};
use tandem_domain::organisation::*;
use tandem_storage::{StaffFilter, StoreError};

pub fn routes() -> Router<AppState> {
    let router = Router::new()
        .route("/", get(home))
        .route("/organisation", get(organisation))
        .route("/admin", get(admin_index))
        .route("/admin/staff", get(staff_list))
        .route(
            "/admin/staff/{id}/break-glass",
            axum::routing::post(break_glass_staff),
        )
        .route("/admin/staff/{id}/access-log", get(staff_access_log));
    let router = admin::<Region>(router, true);
    let router = admin::<ServiceArea>(router, true);
    let router = admin::<Office>(router, true);
    let router = admin::<Team>(router, true);
    let router = admin::<Court>(router, true);
    let router = admin::<tandem_domain::casework::ApplicationType>(router, true);
    let router = admin::<LocalAuthority>(router, true);
    admin::<StaffMember>(router, false)
}

/// The admin pages for one record type. Delete pages exist only for records
/// that may be deleted.
fn admin<R: Resource>(router: Router<AppState>, with_list: bool) -> Router<AppState> {
    let base = format!("/admin/{}", R::SLUG);
    let mut router = router
        .route(&format!("{base}/new"), get(new_form::<R>).post(create::<R>))
        .route(
            &format!("{base}/{{id}}"),
            get(edit_form::<R>).post(update::<R>),
        );
    if R::IN_USE.is_some() {
        router = router.route(
            &format!("{base}/{{id}}/delete"),
            get(delete_confirm::<R>).post(delete::<R>),
        );
    }
    if with_list {
        router = router.route(&base, get(list::<R>));
    }
    router
}

// ------------------------------------------------------------ layout

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// What every page's frame needs.
pub struct Layout {
    pub assets: String,
    current: &'static str,
    /// The signed-in user, if any.
    pub username: Option<String>,
    /// The session's synchronizer token, for forms and htmx requests.
    pub csrf: String,
    administration: bool,
    cases: bool,
}

/// Whether the principal may use any administration page.
fn may_administer(p: &Principal) -> bool {
    let actor = &p.actor;
    let allowed = |action, kind| access::authorize(actor, action, &Target::kind(kind)).is_ok();
    allowed(Action::Create, RecordKind::Organisation)
        || allowed(Action::View, RecordKind::StaffMember)
        || allowed(Action::View, RecordKind::UserAccount)
        || allowed(Action::View, RecordKind::AuditTrail)
        || allowed(Action::View, RecordKind::AccessLog)
}

impl Layout {
    pub fn new(current: &'static str, principal: Option<&Principal>) -> Self {
        Self {
            assets: crate::assets::prefix(),
            current,
            username: principal.map(|p| p.account.username.clone()),
            csrf: principal.map(Principal::csrf_token).unwrap_or_default(),
            administration: principal.is_some_and(may_administer),
            cases: principal.is_some_and(|p| {
                access::authorize(&p.actor, Action::View, &Target::kind(RecordKind::Case)).is_ok()
            }),
        }
    }

    pub fn navigation(&self) -> Vec<NavItem> {
        if self.username.is_none() {
            return Vec::new();
        }
        let mut items = vec![("/", "Home")];
        if self.cases {
            items.push(("/cases", "Cases"));
        }
        items.push(("/organisation", "Organisation"));
        items.push(("/dashboards", "Dashboards"));
        items.push(("/measures", "Measures"));
        if self.administration {
            items.push(("/admin", "Administration"));
        }
        items.push(("/account", "Your account"));
        items
            .into_iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                current: href == self.current,
            })
            .collect()
    }
}

pub fn render(template: &impl Template) -> Result<Html<String>, PageError> {
    template.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "template rendering failed");
        PageError(AppError::internal())
    })
}

fn notice_text(query: &HashMap<String, String>) -> &'static str {
    match query.get("notice").map(String::as_str) {
        Some("created") => "The record has been added",
        Some("saved") => "Your changes have been saved",
        Some("deleted") => "The record has been deleted",
        _ => "",
    }
}

fn admin_trail<R: Resource>() -> Vec<(String, String)> {
    vec![
        ("/".into(), "Home".into()),
        ("/admin".into(), "Administration".into()),
        (format!("/admin/{}", R::SLUG), R::PLURAL.into()),
    ]
}

/// "a region", "an office".
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

// ------------------------------------------------------------ home

struct SummaryRow {
    label: &'static str,
    count: i64,
    href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    today: String,
    rows: Vec<SummaryRow>,
    /// The cases the signed-in person holds, if they hold any.
    my_cases: Vec<(i64, String, &'static str, String)>,
    linked_to_staff: bool,
    /// Unfiled work on the cases they hold: case id, case number, work, due, overdue.
    work_due: Vec<(i64, String, &'static str, String, bool)>,
    /// Allocation queues they manage: team id, name, cases waiting.
    queues: Vec<(i64, String, usize)>,
}

async fn home(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Html<String>, PageError> {
    let today = state.clock.today();
    let s = state.store.organisation_summary(today).await?;
    let row = |label, count, href| SummaryRow { label, count, href };
    let my_cases = match principal.account.staff_id {
        Some(me) => state
            .store
            .cases_held_by(&[me])
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.id.0,
                    c.case_number.clone(),
                    c.stage_label(),
                    c.received_on.strftime("%-d %b %Y").to_string(),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let work_due = match principal.account.staff_id {
        Some(me) => state
            .store
            .work_due_for(me)
            .await?
            .into_iter()
            .map(|(w, number)| {
                let overdue = w.status(today) == tandem_domain::casework::WorkStatus::Overdue;
                (
                    w.case_id.0,
                    number,
                    w.kind.label(),
                    w.due_on.strftime("%-d %b %Y").to_string(),
                    overdue,
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let allocating = access::list_scope(&principal.actor, Action::Allocate, RecordKind::Case);
    let mut queues = Vec::new();
    if !allocating.is_nothing() {
        for team in state.store.list::<Team>().await? {
            let placement = state.store.placement_of_team(Some(team.id)).await?;
            if allocating.covers(&placement) {
                let waiting = state.store.allocation_queue(team.id).await?.len();
                queues.push((team.id.0, team.name, waiting));
            }
        }
    }
    render(&HomePage {
        layout: Layout::new("/", Some(&principal)),
        my_cases,
        work_due,
        linked_to_staff: principal.account.staff_id.is_some(),
        queues,
        today: today.strftime("%-d %B %Y").to_string(),
        rows: vec![
            row("Regions", s.regions, "/admin/regions"),
            row("Service areas", s.service_areas, "/admin/service-areas"),
            row("Teams", s.teams, "/admin/teams"),
            row("Offices", s.offices, "/admin/offices"),
            row("Staff in post", s.staff_in_post, "/admin/staff"),
            row("Family courts", s.courts, "/admin/courts"),
            row(
                "Local authorities",
                s.local_authorities,
                "/admin/local-authorities",
            ),
        ],
    })
}

// ------------------------------------------------------------ organisation

struct TeamNode {
    id: i64,
    code: String,
    name: String,
    office: String,
    staff: i64,
}

struct AreaNode {
    code: String,
    name: String,
    courts: usize,
    local_authorities: usize,
    teams: Vec<TeamNode>,
}

struct RegionNode {
    code: String,
    name: String,
    areas: Vec<AreaNode>,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    layout: Layout,
    regions: Vec<RegionNode>,
}

async fn organisation(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    guard.kind(Action::View, RecordKind::Organisation).await?;
    let store = &state.store;
    let lookups = Lookups::load(
        store,
        &guard.list_scope(Action::View, RecordKind::StaffMember),
    )
    .await?;
    let courts: Vec<Court> = store.list().await?;
    let authorities: Vec<LocalAuthority> = store.list().await?;
    let staff_counts: HashMap<TeamId, i64> = store
        .staff_in_post_by_team(state.clock.today())
        .await?
        .into_iter()
        .collect();
    let regions = lookups
        .regions
        .iter()
        .map(|region| RegionNode {
            code: region.code.clone(),
            name: region.name.clone(),
            areas: lookups
                .areas
                .iter()
                .filter(|a| a.region_id == region.id)
                .map(|area| AreaNode {
                    code: area.code.clone(),
                    name: area.name.clone(),
                    courts: courts
                        .iter()
                        .filter(|c| c.service_area_id == area.id)
                        .count(),
                    local_authorities: authorities
                        .iter()
                        .filter(|la| la.service_area_id == area.id)
                        .count(),
                    teams: lookups
                        .teams
                        .iter()
                        .filter(|t| t.service_area_id == area.id)
                        .map(|team| TeamNode {
                            id: team.id.0,
                            code: team.code.clone(),
                            name: team.name.clone(),
                            office: lookups.office(team.office_id),
                            staff: staff_counts.get(&team.id).copied().unwrap_or(0),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    render(&OrganisationPage {
        layout: Layout::new("/organisation", Some(&principal)),
        regions,
    })
}

// ------------------------------------------------------------ admin index

struct AdminSection {
    slug: &'static str,
    title: &'static str,
    description: &'static str,
    count: i64,
}

#[derive(Template)]
#[template(path = "admin_index.html")]
struct AdminIndexPage {
    layout: Layout,
    sections: Vec<AdminSection>,
    links: Vec<(&'static str, &'static str, &'static str)>,
}

fn section<R: Resource>(count: i64) -> AdminSection {
    AdminSection {
        slug: R::SLUG,
        title: R::PLURAL,
        description: R::DESCRIPTION,
        count,
    }
}

async fn admin_index(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Html<String>, PageError> {
    if !may_administer(&principal) {
        return Err(forbidden().into());
    }
    let actor = &principal.actor;
    let allowed = |action, kind| access::authorize(actor, action, &Target::kind(kind)).is_ok();
    let s = state
        .store
        .organisation_summary(state.clock.today())
        .await?;
    let mut sections = Vec::new();
    if allowed(Action::Create, RecordKind::Organisation) {
        sections.extend([
            section::<Region>(s.regions),
            section::<ServiceArea>(s.service_areas),
            section::<Team>(s.teams),
            section::<Office>(s.offices),
            section::<Court>(s.courts),
            section::<LocalAuthority>(s.local_authorities),
            section::<tandem_domain::casework::ApplicationType>(s.application_types),
        ]);
    }
    let staff_scope = access::list_scope(actor, Action::View, RecordKind::StaffMember);
    if !staff_scope.is_nothing() {
        let staff_total = state
            .store
            .list_staff(
                &StaffFilter {
                    per_page: 1,
                    ..Default::default()
                },
                &staff_scope,
            )
            .await?
            .total;
        sections.push(section::<StaffMember>(staff_total));
    }
    let mut links = Vec::new();
    if allowed(Action::View, RecordKind::UserAccount) {
        links.push((
            "/admin/users",
            "User accounts",
            "Accounts, their roles and scopes, sessions and password resets.",
        ));
    }
    if allowed(Action::Update, RecordKind::Organisation) {
        links.push(("/admin/bank-holidays", "Bank holidays", "The England and Wales bank holidays that working-day clocks count around. Import GOV.UK's file to add new years."));
        links.push(("/admin/practice-settings", "Practice settings", "Targets in working days, when a case counts as long-running, caseload weights, and the management oversight required."));
    }
    if allowed(Action::View, RecordKind::AuditTrail) {
        links.push((
            "/admin/audit",
            "Audit trail",
            "Who did what, when: search by person, record and period.",
        ));
    }
    if !access::list_scope(actor, Action::View, RecordKind::AccessLog).is_nothing() {
        links.push((
            "/admin/break-glass",
            "Break-glass access",
            "Records opened outside their holder's usual scope, and why.",
        ));
    }
    render(&AdminIndexPage {
        layout: Layout::new("/admin", Some(&principal)),
        sections,
        links,
    })
}

// ------------------------------------------------------------ admin lists

struct TableRow {
    id: i64,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin_list.html")]
struct ListPage {
    layout: Layout,
    trail: Vec<(String, String)>,
    notice: &'static str,
    slug: &'static str,
    plural: &'static str,
    singular_article: String,
    description: &'static str,
    headers: &'static [&'static str],
    rows: Vec<TableRow>,
}

impl ListPage {
    fn caption(&self) -> String {
        format!("{} {}", self.rows.len(), self.plural.to_lowercase())
    }
}

async fn list<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    // Organisation lists are for those who maintain them.
    guard.kind(Action::Update, R::POLICY_KIND).await?;
    let records: Vec<R> = state.store.list().await?;
    let lookups = Lookups::load(
        &state.store,
        &guard.list_scope(Action::View, RecordKind::StaffMember),
    )
    .await?;
    let query = query_map(query);
    let mut trail = admin_trail::<R>();
    trail.pop();
    render(&ListPage {
        layout: Layout::new("/admin", Some(&principal)),
        trail,
        notice: notice_text(&query),
        slug: R::SLUG,
        plural: R::PLURAL,
        singular_article: with_article(R::KIND),
        description: R::DESCRIPTION,
        headers: R::headers(),
        rows: records
            .iter()
            .map(|r| TableRow {
                id: r.id_of(),
                cells: r.cells(&lookups),
            })
            .collect(),
    })
}

// ------------------------------------------------------------ admin forms

#[derive(Template)]
#[template(path = "admin_form.html")]
struct FormPage {
    layout: Layout,
    trail: Vec<(String, String)>,
    heading: String,
    action: String,
    slug: &'static str,
    singular: &'static str,
    version: String,
    fields: Vec<Field>,
    /// (anchor, message): the error summary.
    problems: Vec<(String, String)>,
    delete_href: Option<String>,
    access_log: Option<String>,
}

/// Which form: adding a record, or editing an existing one.
enum FormFor {
    New,
    Edit { id: i64, title: String },
}

async fn form_page<R: Resource>(
    state: &AppState,
    principal: &Principal,
    form_for: FormFor,
    form: &R::Form,
    version: String,
    error: Option<&DomainError>,
) -> Result<Html<String>, PageError> {
    let staff_scope = access::list_scope(&principal.actor, Action::View, RecordKind::StaffMember);
    let lookups = Lookups::load(&state.store, &staff_scope).await?;
    let mut fields = R::fields(form, &lookups);
    let mut problems = Vec::new();
    match error {
        Some(DomainError::Invalid(errors)) => {
            attach_errors(&mut fields, errors);
            for e in errors.fields() {
                let anchor = fields
                    .iter()
                    .find(|f| f.name == e.field)
                    .map(Field::anchor)
                    .unwrap_or_default();
                problems.push((anchor, e.message.clone()));
            }
        }
        Some(DomainError::Duplicate { field, message }) => {
            if let Some(f) = fields.iter_mut().find(|f| f.name == field) {
                f.error = Some(message.clone());
                problems.push((f.anchor(), message.clone()));
            } else {
                problems.push((String::new(), message.clone()));
            }
        }
        Some(other) => problems.push((String::new(), other.to_string())),
        None => {}
    }
    let (heading, action, delete_href) = match &form_for {
        FormFor::New => (
            format!("Add {}", with_article(R::KIND)),
            format!("/admin/{}/new", R::SLUG),
            None,
        ),
        FormFor::Edit { id, title } => (
            format!("Edit {title}"),
            format!("/admin/{}/{id}", R::SLUG),
            R::IN_USE.map(|_| format!("/admin/{}/{id}/delete", R::SLUG)),
        ),
    };
    let access_log = match (&form_for, R::POLICY_KIND) {
        (FormFor::Edit { id, .. }, RecordKind::StaffMember) => {
            Some(format!("/admin/staff/{id}/access-log"))
        }
        _ => None,
    };
    render(&FormPage {
        layout: Layout::new("/admin", Some(principal)),
        trail: admin_trail::<R>(),
        access_log,
        heading,
        action,
        slug: R::SLUG,
        singular: R::KIND,
        version,
        fields,
        problems,
        delete_href,
    })
}

/// The status for a form shown again with its problems.
fn form_status(error: &DomainError) -> StatusCode {
    match error {
        DomainError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        DomainError::NotFound { .. } => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    }
}

/// Shows the form again with the person's own values and what is wrong, or
/// passes a database failure on as an error page.
async fn form_again<R: Resource>(
    state: &AppState,
    principal: &Principal,
    form_for: FormFor,
    form: &R::Form,
    version: String,
    error: StoreError,
) -> Result<Response, PageError> {
    let StoreError::Domain(error) = error else {
        return Err(error.into());
    };
    let page = form_page::<R>(state, principal, form_for, form, version, Some(&error)).await?;
    Ok((form_status(&error), page).into_response())
}

async fn new_form<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Create, R::POLICY_KIND)
        .await?;
    form_page::<R>(
        &state,
        &principal,
        FormFor::New,
        &R::Form::default(),
        String::new(),
        None,
    )
    .await
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    HtmlForm(form): HtmlForm<R::Form>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    guard.kind(Action::Create, R::POLICY_KIND).await?;
    let result = match R::validate_form(&form) {
        Ok(draft) => {
            // The new record's place must be within the creator's scope.
            let target = guard.target::<R>(None, R::draft_team(&draft)).await?;
            match guard.record(Action::Create, &target).await {
                Ok(grant) => state
                    .store
                    .create::<R>(&draft, &guard.stamp(Some(grant)))
                    .await
                    .map(|_| ()),
                Err(Refusal::Failed(e)) => return Err(e.into()),
                Err(_) => Err(DomainError::invalid(
                    "team_id",
                    "You can only add records to teams within your own scope",
                )
                .into()),
            }
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/{}?notice=created", R::SLUG)).into_response()),
        Err(e) => form_again::<R>(&state, &principal, FormFor::New, &form, String::new(), e).await,
    }
}

/// Opens a record for `action`: found, inside the principal's scope (or
/// opened by break-glass), and, for personal data, its reading audited.
/// Anything else is "not found", or the break-glass question.
async fn open<R: Resource>(
    guard: &Guard<'_>,
    id: &str,
    action: Action,
) -> Result<(R, Grant), Response> {
    let fail = |e: AppError| PageError(e).into_response();
    let id = record_id(id).map_err(fail)?;
    if R::POLICY_KIND == RecordKind::Organisation {
        let grant = guard.kind(action, R::POLICY_KIND).await.map_err(fail)?;
        let record: R = guard
            .state
            .store
            .get(id)
            .await
            .map_err(|e| fail(e.into()))?;
        return Ok((record, grant));
    }
    let (found, target) = guard.locate::<R>(id).await.map_err(fail)?;
    match guard.record(action, &target).await {
        Ok(grant) => {
            let Some(record) = found else {
                return Err(fail(AppError::not_found()));
            };
            guard
                .audit_read(grant, R::POLICY_KIND, Some(id), "view")
                .await
                .map_err(fail)?;
            Ok((record, grant))
        }
        Err(Refusal::BreakGlass) => Err(break_glass_page(guard, R::POLICY_KIND, id, None)
            .map(IntoResponse::into_response)
            .unwrap_or_else(|e| e.into_response())),
        Err(refusal) => Err(fail(refusal.into())),
    }
}

async fn edit_form<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let action = if R::POLICY_KIND == RecordKind::Organisation {
        Action::Update
    } else {
        Action::View
    };
    let record: R = match open::<R>(&guard, &id, action).await {
        Ok((record, _)) => record,
        Err(response) => return Ok(response),
    };
    let form_for = FormFor::Edit {
        id: record.id_of(),
        title: record.title(),
    };
    Ok(form_page::<R>(
        &state,
        &principal,
        form_for,
        &record.form_of(),
        record.version().to_string(),
        None,
    )
    .await?
    .into_response())
}

async fn update<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<R::Form>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (record, grant) = match open::<R>(&guard, &id, Action::Update).await {
        Ok(opened) => opened,
        Err(response) => return Ok(response),
    };
    let result = match (R::validate_form(&form), form.version()) {
        (Ok(draft), Ok(version)) => {
            // Moving a record must land it inside the editor's scope too.
            let moved_to = guard
                .target::<R>(Some(&record), R::draft_team(&draft))
                .await?;
            match guard.record(Action::Update, &moved_to).await {
                Ok(_) => state
                    .store
                    .update::<R>(record.id_of(), version, &draft, &guard.stamp(Some(grant)))
                    .await
                    .map(|_| ()),
                Err(Refusal::Failed(e)) => return Err(e.into()),
                Err(_) => Err(DomainError::invalid(
                    "team_id",
                    "You can only move records to teams within your own scope",
                )
                .into()),
            }
        }
        (Err(e), _) | (_, Err(e)) => Err(e.into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/{}?notice=saved", R::SLUG)).into_response()),
        Err(e) => {
            let form_for = FormFor::Edit {
                id: record.id_of(),
                title: record.title(),
            };
            let version = form.version().map(|v| v.to_string()).unwrap_or_default();
            form_again::<R>(&state, &principal, form_for, &form, version, e).await
        }
    }
}

// ------------------------------------------------------------ admin deletes

#[derive(Template)]
#[template(path = "admin_delete.html")]
struct DeletePage {
    layout: Layout,
    trail: Vec<(String, String)>,
    slug: &'static str,
    singular: &'static str,
    id: i64,
    name: String,
    version: i64,
}

async fn delete_confirm<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Delete, R::POLICY_KIND)
        .await?;
    let record: R = state.store.get(record_id(&id)?).await?;
    render(&DeletePage {
        layout: Layout::new("/admin", Some(&principal)),
        trail: admin_trail::<R>(),
        slug: R::SLUG,
        singular: R::KIND,
        id: record.id_of(),
        name: record.title(),
        version: record.version(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteForm {
    #[serde(default)]
    version: String,
}

async fn delete<R: Resource>(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<DeleteForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Delete, R::POLICY_KIND).await?;
    let id = record_id(&id)?;
    let version =
        form.version.trim().parse().map_err(|_| {
            AppError::bad_request("The version to delete is missing; reload the page")
        })?;
    state
        .store
        .delete::<R>(id, version, &guard.stamp(Some(grant)))
        .await?;
    Ok(Redirect::to(&format!("/admin/{}?notice=deleted", R::SLUG)).into_response())
}

// ------------------------------------------------------------ staff list

const STAFF_PER_PAGE: u32 = 50;

pub struct StaffResults {
    headers: &'static [&'static str],
    rows: Vec<TableRow>,
    total: i64,
    page: u32,
    page_count: u32,
    previous: Option<String>,
    next: Option<String>,
}

impl StaffResults {
    pub fn caption(&self) -> String {
        if self.page_count > 1 {
            format!(
                "{} staff, page {} of {}",
                self.total, self.page, self.page_count
            )
        } else {
            format!("{} staff", self.total)
        }
    }
}

#[derive(Template)]
#[template(path = "staff_list.html")]
struct StaffListPage {
    layout: Layout,
    trail: Vec<(String, String)>,
    notice: &'static str,
    name: String,
    teams: Vec<SelectOption>,
    results: StaffResults,
}

#[derive(Template)]
#[template(path = "staff_results.html")]
struct StaffResultsPartial {
    results: StaffResults,
}

#[derive(Serialize)]
struct StaffQuery<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    team_id: &'a str,
    page: u32,
}

/// The staff list, filtered by name and team. An htmx request (the filter
/// form updating as someone types) gets just the results.
async fn staff_list(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::StaffMember).await?;
    let scope = guard.list_scope(Action::View, RecordKind::StaffMember);
    let query = query_map(query);
    let name = query.get("name").cloned().unwrap_or_default();
    let team_text = query.get("team_id").cloned().unwrap_or_default();
    let team_id = team_text.trim().parse().ok().map(TeamId);
    let page_number = query
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1u32)
        .max(1);
    let page = state
        .store
        .list_staff(
            &StaffFilter {
                team_id,
                name: Some(name.clone()),
                page: page_number,
                per_page: STAFF_PER_PAGE,
            },
            &scope,
        )
        .await?;
    guard
        .audit_read(grant, RecordKind::StaffMember, None, "list")
        .await?;
    let lookups = Lookups::load(&state.store, &scope).await?;
    let page_count = page.page_count();
    let link = |page: u32| {
        let q = StaffQuery {
            name: &name,
            team_id: &team_text,
            page,
        };
        serde_urlencoded::to_string(&q)
            .map(|q| format!("/admin/staff?{q}"))
            .unwrap_or_else(|_| "/admin/staff".to_owned())
    };
    let results = StaffResults {
        headers: StaffMember::headers(),
        rows: page
            .members
            .iter()
            .map(|m| TableRow {
                id: m.id.0,
                cells: m.cells(&lookups),
            })
            .collect(),
        total: page.total,
        page: page.page,
        page_count,
        previous: (page.page > 1).then(|| link(page.page - 1)),
        next: (page.page < page_count).then(|| link(page.page + 1)),
    };
    if headers.contains_key("hx-request") {
        return Ok(render(&StaffResultsPartial { results })?.into_response());
    }
    let mut teams = vec![SelectOption {
        value: String::new(),
        label: "All teams".into(),
        selected: team_id.is_none(),
    }];
    teams.extend(lookups.teams.iter().map(|t| SelectOption {
        value: t.id.0.to_string(),
        label: format!("{} ({})", t.name, t.code),
        selected: Some(t.id) == team_id,
    }));
    let mut trail = admin_trail::<StaffMember>();
    trail.pop();
    Ok(render(&StaffListPage {
        layout: Layout::new("/admin", Some(&principal)),
        trail,
        notice: notice_text(&query),
        name,
        teams,
        results,
    })?
    .into_response())
}

// ------------------------------------------------------------ break-glass

#[derive(Template)]
#[template(path = "break_glass.html")]
struct BreakGlassPage {
    layout: Layout,
    action: String,
    reason: String,
    error: Option<String>,
    minutes: i64,
}

/// Where a record of `kind` is opened by breaking the glass.
fn break_glass_action(kind: RecordKind, id: i64) -> String {
    match kind {
        RecordKind::Case => format!("/cases/{id}/break-glass"),
        _ => format!("/admin/staff/{id}/break-glass"),
    }
}

/// Asks for a reason before opening a record outside the principal's
/// scope. Shown whether or not the record exists.
pub fn break_glass_page(
    guard: &Guard<'_>,
    kind: RecordKind,
    id: i64,
    form: Option<(String, String)>,
) -> Result<(StatusCode, Html<String>), PageError> {
    let (reason, error) = match form {
        Some((reason, error)) => (reason, Some(error)),
        None => (String::new(), None),
    };
    Ok((
        StatusCode::FORBIDDEN,
        render(&BreakGlassPage {
            layout: Layout::new("/admin", Some(guard.principal)),
            action: break_glass_action(kind, id),
            reason,
            error,
            minutes: access::BREAK_GLASS_MINUTES,
        })?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassForm {
    #[serde(default)]
    reason: String,
}

async fn break_glass_staff(
    state: State<AppState>,
    principal: SignedIn,
    meta: RequestMeta,
    id: Path<String>,
    form: HtmlForm<BreakGlassForm>,
) -> Result<Response, PageError> {
    break_glass(RecordKind::StaffMember, state, principal, meta, id, form).await
}

pub async fn break_glass_case(
    state: State<AppState>,
    principal: SignedIn,
    meta: RequestMeta,
    id: Path<String>,
    form: HtmlForm<BreakGlassForm>,
) -> Result<Response, PageError> {
    break_glass(RecordKind::Case, state, principal, meta, id, form).await
}

/// Opens a record of `kind` outside the principal's scope for a while, on
/// the strength of a reason, which is recorded.
async fn break_glass(
    kind: RecordKind,
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<BreakGlassForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let target = Target {
        kind,
        record_id: Some(id),
        placement: Some(Default::default()),
    };
    // Only someone the policy would offer break-glass to may use it.
    let eligible = matches!(
        access::authorize(&principal.actor, Action::View, &target),
        Err(access::Denied::OutOfScope { break_glass: true }) | Ok(_)
    );
    if !eligible {
        return Err(AppError::not_found().into());
    }
    let reason = match access::break_glass_reason(&form.reason) {
        Ok(reason) => reason,
        Err(error) => {
            return Ok(
                break_glass_page(&guard, kind, id, Some((form.reason, error)))?.into_response(),
            );
        }
    };
    let role = principal
        .actor
        .assignments
        .iter()
        .find(|a| access::BREAK_GLASS_ROLES.contains(&a.role))
        .map(|a| Grant::BreakGlass(a.role));
    let now = state.clock.now();
    let expires = now + jiff::SignedDuration::from_mins(access::BREAK_GLASS_MINUTES);
    state
        .store
        .break_glass(
            principal.account.id,
            kind,
            id,
            &reason,
            expires,
            &guard.stamp(role),
        )
        .await?;
    let back = match kind {
        RecordKind::Case => format!("/cases/{id}"),
        _ => format!("/admin/staff/{id}"),
    };
    Ok(Redirect::to(&back).into_response())
}

// ------------------------------------------------------------ access log

pub struct AccessRow {
    pub when: String,
    pub who: String,
    pub role: String,
    pub action: String,
    pub outcome: String,
    pub reason: String,
}

impl AccessRow {
    pub fn from_event(e: &tandem_domain::audit::AuditEvent) -> Self {
        let entry = &e.entry;
        let london = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
        Self {
            when: entry
                .at
                .to_zoned(london)
                .strftime("%-d %b %Y %H:%M:%S")
                .to_string(),
            who: entry.actor_username.clone(),
            role: match (&entry.actor_role, &entry.actor_scope) {
                (Some(role), Some(scope)) => format!("{role} ({scope})"),
                (Some(role), None) => role.clone(),
                _ => String::new(),
            },
            action: entry.action.clone(),
            outcome: entry.outcome.name().to_owned(),
            reason: entry.reason.clone().unwrap_or_default(),
        }
    }
}

/// Who has read or changed one record, newest first.
pub async fn access_rows(
    state: &AppState,
    kind: RecordKind,
    id: i64,
) -> Result<Vec<AccessRow>, AppError> {
    let events = state
        .store
        .audit_search(&tandem_storage::AuditFilter {
            record_type: Some(kind.name().into()),
            record_id: Some(id.to_string()),
            limit: 500,
            ..Default::default()
        })
        .await?;
    Ok(events.iter().map(AccessRow::from_event).collect())
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct AccessLogPage {
    layout: Layout,
    name: String,
    back: String,
    rows: Vec<AccessRow>,
}

/// Who has seen this staff member's record, when, and why.
async fn staff_access_log(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let member: StaffMember = match state.store.get(id).await {
        Ok(member) => member,
        Err(StoreError::Domain(DomainError::NotFound { .. })) => {
            return Err(AppError::not_found().into());
        }
        Err(e) => return Err(e.into()),
    };
    let placement = state.store.placement_of_team(member.team_id).await?;
    let target = Target::record(RecordKind::AccessLog, id, placement);
    let grant = guard
        .record(Action::View, &target)
        .await
        .map_err(AppError::from)?;
    guard
        .audit_read(grant, RecordKind::StaffMember, Some(id), "view-access-log")
        .await?;
    let rows = access_rows(&state, RecordKind::StaffMember, id).await?;
    Ok(render(&AccessLogPage {
        layout: Layout::new("/admin", Some(&principal)),
        name: format!("{}'s record", member.full_name()),
        back: format!("/admin/staff/{id}"),
        rows,
    })?
    .into_response())
}
