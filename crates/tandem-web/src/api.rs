//! The JSON API under `/api/v1`, and its OpenAPI 3.1 description, generated
//! from the same [`Resource`] descriptions and wire types the handlers use.

use crate::AppState;
use crate::account::{Checked, check_password, second_factor_accepted};
use crate::auth::{new_token, token_hash};
use crate::error::{ApiError, AppError, ErrorBody, ErrorEnvelope, FieldProblem};
use crate::extract::{ApiJson, record_id};
use crate::guard::{Guard, Refusal};
use crate::resources::{HasVersion, Resource};
use crate::session::{ApiCaller, RequestMeta};
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde::Serialize;
use tandem_domain::DomainError;
use tandem_domain::access::{Action, Grant, RecordKind, Role};
use tandem_domain::organisation::*;
use tandem_domain::session::API_TOKEN_LIFETIME;
use tandem_storage::StaffFilter;
use utoipa::ToSchema;
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem, PathItemBuilder,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref,
    Required, ResponseBuilder,
};

pub fn routes() -> Router<AppState> {
    let router = Router::new()
        .merge(crate::cases_api::routes())
        .merge(crate::case_records_api::routes())
        .merge(crate::practice_settings::api_routes())
        .merge(crate::measures::api_routes())
        .route("/openapi.json", get(openapi_json))
        .route("/tokens", axum::routing::post(issue_token))
        .route("/tokens/current", axum::routing::delete(revoke_token));
    let router = resource::<Region>(router, true);
    let router = resource::<ServiceArea>(router, true);
    let router = resource::<Office>(router, true);
    let router = resource::<Team>(router, true);
    let router = resource::<Court>(router, true);
    let router = resource::<tandem_domain::casework::ApplicationType>(router, true);
    let router = resource::<LocalAuthority>(router, true);
    resource::<StaffMember>(router, false)
        .route("/staff", get(list_staff).post(create::<StaffMember>))
}

fn resource<R: Resource>(router: Router<AppState>, with_list: bool) -> Router<AppState> {
    let mut one = get(get_one::<R>).put(update::<R>);
    if R::IN_USE.is_some() {
        one = one.delete(delete::<R>);
    }
    let mut router = router.route(&format!("/{}/{{id}}", R::SLUG), one);
    if with_list {
        router = router.route(&format!("/{}", R::SLUG), get(list::<R>).post(create::<R>));
    }
    router
}

async fn openapi_json() -> Response {
    match openapi_document().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "serialising the OpenAPI document failed");
            ApiError(AppError::internal()).into_response()
        }
    }
}

// ------------------------------------------------------------ handlers

/// Every list the API returns: `{"items": [...]}`.
#[derive(Serialize)]
pub(crate) struct Items<T> {
    pub(crate) items: Vec<T>,
}

/// The record `id` of `R`, if the caller may take `action` on it; for
/// personal data the reading is audited. Anything else is "not found".
async fn open<R: Resource>(
    guard: &Guard<'_>,
    id: &str,
    action: Action,
) -> Result<(R, Grant), ApiError> {
    let id = record_id(id)?;
    if R::POLICY_KIND == RecordKind::Organisation {
        let grant = guard.kind(action, R::POLICY_KIND).await?;
        return Ok((guard.state.store.get(id).await?, grant));
    }
    let (found, target) = guard.locate::<R>(id).await?;
    let grant = guard
        .record(action, &target)
        .await
        .map_err(|r| ApiError(r.into()))?;
    let record = found.ok_or_else(|| ApiError(AppError::not_found()))?;
    guard
        .audit_read(grant, R::POLICY_KIND, Some(id), "view")
        .await?;
    Ok((record, grant))
}

/// The caller may put a new or moved record of `R` in `team`.
async fn check_placement<R: Resource>(
    guard: &Guard<'_>,
    action: Action,
    team: Option<TeamId>,
) -> Result<(), ApiError> {
    if R::POLICY_KIND == RecordKind::Organisation {
        return Ok(());
    }
    let target = guard.target::<R>(None, team).await?;
    match guard.record(action, &target).await {
        Ok(_) => Ok(()),
        Err(Refusal::Failed(e)) => Err(ApiError(e)),
        Err(_) => Err(DomainError::invalid(
            "team_id",
            "You can only put records in teams within your own scope",
        )
        .into()),
    }
}

async fn list<R: Resource>(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
) -> Result<Json<Items<R::View>>, ApiError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::View, R::POLICY_KIND)
        .await?;
    let records: Vec<R> = state.store.list().await?;
    Ok(Json(Items {
        items: records.iter().map(R::view).collect(),
    }))
}

async fn get_one<R: Resource>(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<R::View>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (record, _) = open::<R>(&guard, &id, Action::View).await?;
    Ok(Json(record.view()))
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    ApiJson(body): ApiJson<R::Body>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Create, R::POLICY_KIND).await?;
    if body.version().is_ok() {
        return Err(DomainError::invalid(
            "version",
            "Leave out the version when creating a record",
        )
        .into());
    }
    let draft = R::validate_body(&body)?;
    check_placement::<R>(&guard, Action::Create, R::draft_team(&draft)).await?;
    let created: R = state
        .store
        .create(&draft, &guard.stamp(Some(grant)))
        .await?;
    let location = format!("/api/v1/{}/{}", R::SLUG, created.id_of());
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created.view()),
    )
        .into_response())
}

async fn update<R: Resource>(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<R::Body>,
) -> Result<Json<R::View>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (record, grant) = open::<R>(&guard, &id, Action::Update).await?;
    let draft = R::validate_body(&body)?;
    check_placement::<R>(&guard, Action::Update, R::draft_team(&draft)).await?;
    let updated: R = state
        .store
        .update(
            record.id_of(),
            body.version()?,
            &draft,
            &guard.stamp(Some(grant)),
        )
        .await?;
    Ok(Json(updated.view()))
}

async fn delete<R: Resource>(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<StatusCode, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Delete, R::POLICY_KIND).await?;
    let id = record_id(&id)?;
    let version = crate::extract::query_map(query)
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            DomainError::invalid("version", "Give the version you read, as ?version=N")
        })?;
    state
        .store
        .delete::<R>(id, version, &guard.stamp(Some(grant)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------ tokens

/// A request for an API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    username: String,
    password: String,
    /// The current code from the authenticator app, or a recovery code:
    /// required for accounts with a second factor.
    totp: Option<String>,
}

/// A bearer token for the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`. Shown once; Tandem keeps only its hash.
    token: String,
    /// When it stops working (UTC).
    expires_at: String,
}

fn unauthenticated(code: &'static str, message: &str) -> ApiError {
    ApiError(AppError::new(StatusCode::UNAUTHORIZED, code, message))
}

/// Issues an API token for a username and password (and a second-factor
/// code where the account has one). Throttled and audited like sign-in.
async fn issue_token(
    State(state): State<AppState>,
    meta: RequestMeta,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    let credentials = match check_password(&state, &meta, &body.username, &body.password).await? {
        Checked::Accepted(c) => c,
        Checked::Throttled => {
            return Err(ApiError(AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "There have been too many attempts to sign in. Wait 15 minutes, then try again",
            )));
        }
        Checked::Refused => {
            return Err(unauthenticated(
                "invalid_credentials",
                "The username or password is wrong",
            ));
        }
    };
    let account = &credentials.account;
    let now = state.clock.now();
    let stamp = meta.anonymous_stamp(&account.username, now);
    let stamp = tandem_domain::audit::Stamp {
        actor_user_id: Some(account.id),
        ..stamp
    };
    if credentials.totp_secret.is_some() {
        let code = body.totp.clone().unwrap_or_default();
        if !second_factor_accepted(&state, &credentials, &code, &stamp).await? {
            state
                .store
                .audit(&stamp.entry(
                    "sign-in-failed",
                    tandem_domain::audit::Outcome::Denied,
                    None,
                    Some("second factor".into()),
                ))
                .await?;
            return Err(unauthenticated(
                "second_factor_required",
                "Send the current code from your authenticator app as totp",
            ));
        }
    } else if state.config.second_factor_for_everyone
        || account
            .roles
            .iter()
            .any(|r| r.assignment.role == Role::SystemAdministrator)
    {
        return Err(ApiError(AppError::new(
            StatusCode::FORBIDDEN,
            "second_factor_setup_required",
            "Set up an authenticator app by signing in to Tandem in a browser first",
        )));
    }
    let token = new_token();
    let expires_at = now + API_TOKEN_LIFETIME;
    state
        .store
        .issue_token(account.id, &token_hash(&token), expires_at, &stamp)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse {
            token,
            expires_at: expires_at.to_string(),
        }),
    )
        .into_response())
}

/// Revokes the token this request came with.
async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
) -> Result<StatusCode, ApiError> {
    let Some(token) = principal.token_id else {
        return Err(DomainError::invalid(
            "authorization",
            "This request did not come with an API token",
        )
        .into());
    };
    let stamp = principal.stamp(&meta, state.clock.now(), None);
    state.store.revoke_token(token, &stamp).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
struct StaffList {
    items: Vec<<StaffMember as Resource>::View>,
    total: i64,
    page: u32,
    per_page: u32,
}

const STAFF_PAGE_MAX: u32 = 500;

/// Staff, filtered by team and name, a page at a time.
async fn list_staff(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Json<StaffList>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::StaffMember).await?;
    let scope = guard.list_scope(Action::View, RecordKind::StaffMember);
    let params = crate::extract::query_map(query);
    let number = |name: &str, default: u32| -> Result<u32, ApiError> {
        match params.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| {
                DomainError::invalid(name, format!("{name} must be a whole number")).into()
            }),
        }
    };
    let team_id = match params.get("team_id") {
        None => None,
        Some(v) => Some(TeamId(v.parse().map_err(|_| {
            ApiError::from(DomainError::invalid(
                "team_id",
                "team_id must be a whole number",
            ))
        })?)),
    };
    let per_page = number("per_page", 50)?;
    if !(1..=STAFF_PAGE_MAX).contains(&per_page) {
        return Err(DomainError::invalid(
            "per_page",
            format!("per_page must be between 1 and {STAFF_PAGE_MAX}"),
        )
        .into());
    }
    let page = state
        .store
        .list_staff(
            &StaffFilter {
                team_id,
                name: params.get("name").cloned(),
                page: number("page", 1)?.max(1),
                per_page,
            },
            &scope,
        )
        .await?;
    guard
        .audit_read(grant, RecordKind::StaffMember, None, "list")
        .await?;
    Ok(Json(StaffList {
        items: page.members.iter().map(Resource::view).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

// ------------------------------------------------------------ OpenAPI

fn schema_ref(name: &str) -> Ref {
    Ref::from_schema_name(name)
}

fn json_response(description: &str, schema: Option<&str>) -> utoipa::openapi::Response {
    let mut response = ResponseBuilder::new().description(description);
    if let Some(schema) = schema {
        response = response.content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema_ref(schema)))
                .build(),
        );
    }
    response.build()
}

fn error_response(description: &str) -> utoipa::openapi::Response {
    json_response(description, Some("ErrorEnvelope"))
}

/// The schema of an `Items` list of `view`.
fn items_schema(view: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .property("items", ArrayBuilder::new().items(schema_ref(view)))
        .required("items")
}

fn id_parameter() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
        .build()
}

fn query_parameter(name: &str, kind: Type, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(kind)))
        .build()
}

fn json_body(schema: &str) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(schema_ref(schema)))
                .build(),
        )
        .build()
}

/// An operation on cases, with the errors every one of them can give.
fn case_op(id: &str, summary: &str) -> OperationBuilder {
    OperationBuilder::new()
        .tag("Cases")
        .operation_id(Some(id))
        .summary(Some(summary))
        .response("400", error_response("The request was malformed"))
        .response("401", error_response("No valid bearer token or session"))
        .response(
            "403",
            error_response("The caller's roles do not allow this"),
        )
}

fn path_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
        .build()
}

/// One operation on a case or what is recorded on it.
struct CaseOp {
    path: &'static str,
    method: HttpMethod,
    id: &'static str,
    summary: &'static str,
    /// Path parameters after the case id: (name, description).
    params: &'static [(&'static str, &'static str)],
    body: Option<&'static str>,
    /// (status, description, schema)
    ok: (&'static str, &'static str, &'static str),
    /// What makes the values break a rule (the 422).
    broken: Option<&'static str>,
    /// Whether the body carries a version, so a stale one is a 409.
    versioned: bool,
}

const CASE_OPS: &[CaseOp] = &[
    CaseOp {
        path: "/api/v1/cases/{id}",
        method: HttpMethod::Get,
        id: "get_case",
        summary: "A case, its children, parties and next stages; confidential addresses are withheld unless the caller is the allocated worker or their manager",
        params: &[],
        body: None,
        ok: ("200", "The case", "CaseView"),
        broken: None,
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/allocation",
        method: HttpMethod::Post,
        id: "allocate_case",
        summary: "Allocate the case to a practitioner, or reallocate it with a reason (supervisors and managers)",
        params: &[],
        body: Some("AllocationBody"),
        ok: ("200", "Allocated", "CaseView"),
        broken: Some(
            "Not a practitioner in post in the case's area, or no reason for a reallocation",
        ),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/transfer",
        method: HttpMethod::Post,
        id: "transfer_case",
        summary: "Transfer an open case to another team, in any service area (supervisors and managers of the case); its worker stops holding it and the receiving team allocates it",
        params: &[],
        body: Some("TransferBody"),
        ok: ("200", "Transferred", "CaseView"),
        broken: Some(
            "A closed case, its own team, no reason, or a date in the future or before receipt, the last transfer or the current allocation",
        ),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/moves",
        method: HttpMethod::Post,
        id: "move_case",
        summary: "Move a case along its pathway, close it (once every child's outcome is recorded) or re-open it",
        params: &[],
        body: Some("MoveBody"),
        ok: ("200", "Moved", "CaseView"),
        broken: Some(
            "A move the pathway does not allow (the message names the allowed ones), or closing with a child's outcome missing",
        ),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/hearings",
        method: HttpMethod::Get,
        id: "list_hearings",
        summary: "The hearings on a case, oldest first",
        params: &[],
        body: None,
        ok: ("200", "The hearings", "HearingViewList"),
        broken: None,
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/hearings",
        method: HttpMethod::Post,
        id: "add_hearing",
        summary: "Record a hearing on a case",
        params: &[],
        body: Some("HearingBody"),
        ok: ("201", "Recorded; the case's hearings", "HearingViewList"),
        broken: Some("An unknown kind, a bad date, or a hearing before the application was issued"),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/work",
        method: HttpMethod::Get,
        id: "list_work",
        summary: "Work owed to the court on a case, soonest due first, with any requests for more time",
        params: &[],
        body: None,
        ok: ("200", "The work", "WorkItemViewList"),
        broken: None,
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/work",
        method: HttpMethod::Post,
        id: "add_work",
        summary: "Set work the court has directed, with its due date",
        params: &[],
        body: Some("WorkBody"),
        ok: ("201", "Set; the case's work", "WorkItemViewList"),
        broken: Some("An unknown kind, or due before the application was received"),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/work/{item}/filing",
        method: HttpMethod::Post,
        id: "file_work",
        summary: "Record that a piece of work was filed with the court",
        params: &[("item", "The work item's id")],
        body: Some("FilingBody"),
        ok: ("200", "Filed", "WorkItemView"),
        broken: Some(
            "Already filed, a date in the future or before receipt, or filed late without a reason",
        ),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/extensions",
        method: HttpMethod::Get,
        id: "list_extensions",
        summary: "Court-granted extensions to the case's 26-week limit",
        params: &[],
        body: None,
        ok: ("200", "The extensions", "ExtensionViewList"),
        broken: None,
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/extensions",
        method: HttpMethod::Post,
        id: "add_extension",
        summary: "Record a court-granted extension of up to 8 weeks",
        params: &[],
        body: Some("ExtensionBody"),
        ok: (
            "201",
            "Recorded; the case's extensions",
            "ExtensionViewList",
        ),
        broken: Some(
            "Not a care or supervision case that has been issued, over 8 weeks, or a date before issue or in the future",
        ),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/children",
        method: HttpMethod::Post,
        id: "add_child",
        summary: "Add a child to an open case",
        params: &[],
        body: Some("ChildBody"),
        ok: ("201", "Added; the case", "CaseView"),
        broken: Some("A bad name or date of birth, or the case is closed"),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/parties",
        method: HttpMethod::Post,
        id: "add_party",
        summary: "Add an adult party to an open case",
        params: &[],
        body: Some("PartyBody"),
        ok: ("201", "Added; the case", "CaseView"),
        broken: Some("An unknown role, a bad postcode, or the case is closed"),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/parties/{party}/relationships",
        method: HttpMethod::Put,
        id: "set_relationship",
        summary: "Record (or replace) how an adult party is related to one child, where it differs from their relationship to the children as a whole",
        params: &[("party", "The party's id")],
        body: Some("RelationshipBody"),
        ok: ("200", "Recorded; the case", "CaseView"),
        broken: Some("Not a child of the case, no relationship given, or the case is closed"),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/children/{child}/experience",
        method: HttpMethod::Put,
        id: "set_child_experience",
        summary: "Record when a child first met their adviser, their wishes and feelings, and how they would like to be told the outcome",
        params: &[("child", "The child's id")],
        body: Some("ExperienceBody"),
        ok: ("200", "Recorded; the case", "CaseView"),
        broken: Some(
            "A first meeting in the future, before receipt or before birth; an unknown code; or the case is closed",
        ),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/children/{child}/outcome",
        method: HttpMethod::Put,
        id: "set_child_outcome",
        summary: "Record the orders made for a child, who they live with and their contact arrangements",
        params: &[("child", "The child's id")],
        body: Some("OutcomeBody"),
        ok: ("200", "Recorded; the case", "CaseView"),
        broken: Some(
            "No orders, an unknown code, `no-order` with other orders, or a date in the future or before receipt",
        ),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/risk",
        method: HttpMethod::Get,
        id: "list_risk",
        summary: "Domestic abuse indicators, section 16A assessments, referrals and checks, oldest first",
        params: &[],
        body: None,
        ok: ("200", "The risk records", "RiskViewList"),
        broken: None,
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/risk",
        method: HttpMethod::Post,
        id: "add_risk",
        summary: "Record a domestic abuse indicator, a section 16A assessment, a referral or a check",
        params: &[],
        body: Some("RiskBody"),
        ok: ("201", "Recorded; the risk records", "RiskViewList"),
        broken: Some(
            "A field the kind needs is missing, or one it does not have is given; a bad date; or the case is closed",
        ),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/risk/{entry}/response",
        method: HttpMethod::Post,
        id: "record_check_response",
        summary: "Record the answer to a police or local authority check",
        params: &[("entry", "The check's id")],
        body: Some("CheckResponseBody"),
        ok: ("200", "Recorded; the risk records", "RiskViewList"),
        broken: Some("Not a check, already answered, or answered before it was asked"),
        versioned: true,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/notes",
        method: HttpMethod::Get,
        id: "list_notes",
        summary: "Case notes, contacts and management oversight, newest first, with the oversight the case is missing",
        params: &[],
        body: None,
        ok: ("200", "The notes", "NotesView"),
        broken: None,
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/notes",
        method: HttpMethod::Post,
        id: "add_note",
        summary: "Add a case note, a contact or management oversight (oversight: supervisors and managers only)",
        params: &[],
        body: Some("NoteBody"),
        ok: ("201", "Added; the notes", "NotesView"),
        broken: Some(
            "A contact without who and how, oversight by someone who does not manage the case, or a bad date",
        ),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/work/{item}/more-time",
        method: HttpMethod::Post,
        id: "ask_more_time",
        summary: "Record a request to the court for more time to file work",
        params: &[("item", "The work item's id")],
        body: Some("MoreTimeBody"),
        ok: ("201", "Recorded; the case's work", "WorkItemViewList"),
        broken: Some(
            "Already filed, a request already waiting, or a new date not after the current one",
        ),
        versioned: false,
    },
    CaseOp {
        path: "/api/v1/cases/{id}/work/{item}/more-time/{request}/decision",
        method: HttpMethod::Post,
        id: "decide_more_time",
        summary: "Record the court's decision on a request for more time; a grant moves the due date",
        params: &[
            ("item", "The work item's id"),
            ("request", "The request's id"),
        ],
        body: Some("DecisionBody"),
        ok: ("200", "Recorded; the case's work", "WorkItemViewList"),
        broken: Some(
            "Already decided, an unknown decision, or a date before the request or in the future",
        ),
        versioned: true,
    },
];

/// The paths under `/api/v1/cases/{id}` and the schemas they add.
fn describe_case_paths(
    mut paths: PathsBuilder,
    components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
    for op in CASE_OPS {
        let mut built = case_op(op.id, op.summary).parameter(id_parameter());
        for (name, description) in op.params {
            built = built.parameter(path_parameter(name, description));
        }
        if let Some(body) = op.body {
            built = built.request_body(Some(json_body(body)));
        }
        built = built
            .response(op.ok.0, json_response(op.ok.1, Some(op.ok.2)))
            .response(
                "404",
                error_response("No such case within the caller's scope, or no such record on it"),
            );
        if op.versioned {
            built = built.response(
                "409",
                error_response("It changed since it was read: reload"),
            );
        }
        if let Some(broken) = op.broken {
            built = built.response("422", error_response(broken));
        }
        paths = paths.path(
            op.path,
            PathItemBuilder::new()
                .operation(op.method.clone(), built.build())
                .build(),
        );
    }
    let components = components
        .schema_from::<crate::case_records_api::RelationshipBody>()
        .schema_from::<crate::cases_api::RelationshipView>()
        .schema_from::<crate::case_records_api::ExperienceBody>()
        .schema_from::<crate::case_records_api::OutcomeBody>()
        .schema_from::<crate::cases_api::OutcomeView>()
        .schema_from::<crate::case_records_api::RiskBody>()
        .schema_from::<crate::case_records_api::CheckResponseBody>()
        .schema_from::<crate::case_records_api::RiskView>()
        .schema("RiskViewList", items_schema("RiskView"))
        .schema_from::<crate::case_records_api::NoteBody>()
        .schema_from::<crate::case_records_api::NoteView>()
        .schema_from::<crate::case_records_api::NotesView>()
        .schema_from::<crate::case_records_api::MoreTimeBody>()
        .schema_from::<crate::case_records_api::DecisionBody>()
        .schema_from::<crate::cases_api::MoreTimeView>();
    (paths, components)
}

fn schema_name<T: utoipa::ToSchema>() -> String {
    T::name().into_owned()
}

/// Adds one resource's paths and schemas.
fn describe<R: Resource>(
    paths: PathsBuilder,
    components: ComponentsBuilder,
) -> (PathsBuilder, ComponentsBuilder) {
    let view = schema_name::<R::View>();
    let body = schema_name::<R::Body>();
    let list = format!("{view}List");
    let tag = R::PLURAL;
    let op = |id: String, summary: String| {
        OperationBuilder::new()
            .tag(tag)
            .operation_id(Some(id))
            .summary(Some(summary))
    };
    let common_errors = |op: OperationBuilder| {
        op.response("400", error_response("The request was malformed"))
            .response("401", error_response("No valid bearer token or session"))
            .response(
                "403",
                error_response("The caller's roles do not allow this"),
            )
            .response("500", error_response("The service failed"))
    };
    let slug_id = R::SLUG.replace('-', "_");
    let kind = R::KIND;

    let collection = PathItem::new(
        HttpMethod::Get,
        common_errors(op(
            format!("list_{slug_id}"),
            format!("List {}", R::PLURAL.to_lowercase()),
        ))
        .response("200", json_response("The records", Some(&list))),
    );
    let collection = {
        let mut item = collection;
        item.post = Some(
            common_errors(op(format!("create_{slug_id}"), format!("Add {kind}")))
                .request_body(Some(json_body(&body)))
                .response("201", json_response("Created", Some(&view)))
                .response("409", error_response("A unique value is already taken"))
                .response("413", error_response("The body is too large"))
                .response("415", error_response("The body is not JSON"))
                .response("422", error_response("The values break a rule"))
                .build(),
        );
        item
    };

    let mut one = PathItem::new(
        HttpMethod::Get,
        common_errors(op(format!("get_{slug_id}"), format!("Get one {kind}")))
            .parameter(id_parameter())
            .response("200", json_response("The record", Some(&view)))
            .response("404", error_response("No such record")),
    );
    one.put = Some(
        common_errors(op(format!("update_{slug_id}"), format!("Replace {kind}'s values")))
            .description(Some(
                "Send the version you read; if someone else changed the record since, the answer is 409 stale_version.",
            ))
            .parameter(id_parameter())
            .request_body(Some(json_body(&body)))
            .response("200", json_response("Updated", Some(&view)))
            .response("404", error_response("No such record"))
            .response("409", error_response("Stale version or duplicate value"))
            .response("422", error_response("The values break a rule"))
            .build(),
    );
    if R::IN_USE.is_some() {
        one.delete = Some(
            common_errors(op(format!("delete_{slug_id}"), format!("Delete {kind}")))
                .parameter(id_parameter())
                .parameter(query_parameter(
                    "version",
                    Type::Integer,
                    "The version you read",
                ))
                .response("204", json_response("Deleted", None))
                .response("404", error_response("No such record"))
                .response("409", error_response("Still in use, or a stale version"))
                .build(),
        );
    }

    let list_schema = items_schema(&view);
    let list_schema = if R::SLUG == StaffMember::SLUG {
        list_schema
            .property("total", ObjectBuilder::new().schema_type(Type::Integer))
            .property("page", ObjectBuilder::new().schema_type(Type::Integer))
            .property("per_page", ObjectBuilder::new().schema_type(Type::Integer))
    } else {
        list_schema
    };
    let mut collection = collection;
    if R::SLUG == StaffMember::SLUG
        && let Some(get) = collection.get.as_mut()
    {
        {
            get.parameters = Some(vec![
                query_parameter("team_id", Type::Integer, "Only this team's staff"),
                query_parameter("name", Type::String, "The start of a first or last name"),
                query_parameter("page", Type::Integer, "Page number, from 1"),
                query_parameter(
                    "per_page",
                    Type::Integer,
                    "Records per page, 1 to 500 (default 50)",
                ),
            ]);
        }
    }
    (
        paths
            .path(format!("/api/v1/{}", R::SLUG), collection)
            .path(format!("/api/v1/{}/{{id}}", R::SLUG), one),
        components
            .schema_from::<R::View>()
            .schema_from::<R::Body>()
            .schema(list, list_schema),
    )
}

/// The OpenAPI 3.1 document for the whole API.
pub fn openapi_document() -> OpenApi {
    let health = |id: &str, summary: &str| {
        PathItem::new(
            HttpMethod::Get,
            OperationBuilder::new()
                .tag("Health")
                .security(SecurityRequirement::default())
                .operation_id(Some(id))
                .summary(Some(summary))
                .response("200", json_response("Yes", None))
                .response("503", json_response("No", None)),
        )
    };
    let paths = PathsBuilder::new()
        .path("/healthz", health("alive", "Whether the process is up"))
        .path(
            "/readyz",
            health(
                "ready",
                "Whether the database is reachable and fully migrated",
            ),
        )
        .path(
            "/api/v1/openapi.json",
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .tag("API")
                    .security(SecurityRequirement::default())
                    .operation_id(Some("openapi"))
                    .summary(Some("This document"))
                    .response("200", json_response("The OpenAPI document", None)),
            ),
        );
    let paths = paths
        .path(
            "/api/v1/tokens",
            PathItem::new(
                HttpMethod::Post,
                OperationBuilder::new()
                    .tag("Authentication")
                    .operation_id(Some("issue_token"))
                    .summary(Some("Get a bearer token"))
                    .description(Some("Exchanges a username, password and (where the account has one) a second-factor code for a bearer token valid for 8 hours. Throttled like signing in."))
                    .security(SecurityRequirement::default())
                    .request_body(Some(json_body("TokenRequest")))
                    .response("201", json_response("Issued", Some("TokenResponse")))
                    .response("400", error_response("The request was malformed"))
                    .response("401", error_response("Wrong credentials or second-factor code"))
                    .response("403", error_response("The account must set up a second factor first"))
                    .response("429", error_response("Too many recent failures")),
            ),
        )
        .path(
            "/api/v1/tokens/current",
            PathItem::new(
                HttpMethod::Delete,
                OperationBuilder::new()
                    .tag("Authentication")
                    .operation_id(Some("revoke_token"))
                    .summary(Some("Revoke the token this request carries"))
                    .response("204", json_response("Revoked", None))
                    .response("401", error_response("No valid bearer token")),
            ),
        );
    let mut cases = PathItem::new(
        HttpMethod::Get,
        case_op(
            "list_cases",
            "List and search cases within the caller's scope",
        )
        .parameter(query_parameter(
            "search",
            Type::String,
            "The start of a case number, or of a child's or party's name",
        ))
        .parameter(query_parameter(
            "include_closed",
            Type::Boolean,
            "Include closed cases",
        ))
        .response(
            "200",
            json_response("The cases", Some("CaseSummaryViewList")),
        ),
    );
    cases.post = Some(
        case_op("open_case", "Open a case with its children and parties")
            .request_body(Some(json_body("CaseBody")))
            .response("201", json_response("Opened", Some("CaseView")))
            .response("409", error_response("The court already has a case with this number"))
            .response("422", error_response("The values break a rule; fields name each problem, e.g. children[0].date_of_birth"))
            .build(),
    );
    let paths = paths.path("/api/v1/cases", cases);
    let components = ComponentsBuilder::new()
        .schema_from::<crate::cases_api::CaseBody>()
        .schema_from::<crate::cases_api::ChildBody>()
        .schema_from::<crate::cases_api::PartyBody>()
        .schema_from::<crate::cases_api::MoveBody>()
        .schema_from::<crate::cases_api::AllocationBody>()
        .schema_from::<crate::cases_api::TransferBody>()
        .schema_from::<crate::cases_api::CaseView>()
        .schema_from::<crate::cases_api::ChildView>()
        .schema_from::<crate::cases_api::PartyView>()
        .schema_from::<crate::cases_api::CaseSummaryView>()
        .schema_from::<crate::cases_api::HearingBody>()
        .schema_from::<crate::cases_api::HearingView>()
        .schema_from::<crate::cases_api::WorkBody>()
        .schema_from::<crate::cases_api::FilingBody>()
        .schema_from::<crate::cases_api::WorkItemView>()
        .schema("CaseSummaryViewList", items_schema("CaseSummaryView"))
        .schema("HearingViewList", items_schema("HearingView"))
        .schema("WorkItemViewList", items_schema("WorkItemView"))
        .schema_from::<crate::cases_api::ExtensionBody>()
        .schema_from::<crate::cases_api::ExtensionView>()
        .schema("ExtensionViewList", items_schema("ExtensionView"))
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A token from POST /api/v1/tokens")).build()),
        )
        .security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "tandem_session",
                "The browser session cookie; state-changing requests also need the X-CSRF-Token header",
            ))),
        )
        .schema_from::<TokenRequest>()
        .schema_from::<TokenResponse>()
        .schema_from::<ErrorEnvelope>()
        .schema_from::<ErrorBody>()
        .schema_from::<FieldProblem>();
    let (paths, components) = describe_case_paths(paths, components);
    let settings_op = |id: &str, summary: &str| {
        OperationBuilder::new()
            .tag("Practice settings")
            .operation_id(Some(id))
            .summary(Some(summary))
            .response(
                "200",
                json_response("The practice settings", Some("PracticeSettingsBody")),
            )
            .response("401", error_response("No valid bearer token or session"))
            .response(
                "403",
                error_response("The caller's roles do not allow this"),
            )
    };
    let paths = paths.path(
        "/api/v1/practice-settings",
        PathItemBuilder::new()
            .operation(
                HttpMethod::Get,
                settings_op("get_practice_settings", "The organisation's targets, long-running thresholds, caseload weights and required oversight").build(),
            )
            .operation(
                HttpMethod::Put,
                settings_op("set_practice_settings", "Change the practice settings (administrators of the organisation)")
                    .request_body(Some(json_body("PracticeSettingsBody")))
                    .response("400", error_response("The request was malformed"))
                    .response("409", error_response("They changed since they were read: reload"))
                    .response("422", error_response("A value out of range; fields name each problem"))
                    .build(),
            )
            .build(),
    );
    let components = components.schema_from::<crate::practice_settings::PracticeSettingsBody>();
    let paths = paths.path(
        "/api/v1/measures",
        PathItem::new(
            HttpMethod::Get,
            OperationBuilder::new()
                .tag("Measures")
                .operation_id(Some("list_measures"))
                .summary(Some("The measure catalogue: each measure's id, name, unit, definition and exact formula"))
                .response("200", json_response("The catalogue", Some("MeasureList")))
                .response("401", error_response("No valid bearer token or session")),
        ),
    );
    let measure_id = ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("The measure's id, as in the catalogue"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    let paths = paths.path(
        "/api/v1/measures/{id}",
        PathItem::new(
            HttpMethod::Get,
            OperationBuilder::new()
                .tag("Measures")
                .operation_id(Some("measure_values"))
                .summary(Some("A measure's values for one scope, period by period, with numerator and denominator where meaningful"))
                .parameter(measure_id)
                .parameter(query_parameter("scope", Type::String, "national (the default), region-N, service-area-N, team-N, court-N, dfj-area-N (a Designated Family Judge area) or local-authority-N"))
                .parameter(query_parameter("from", Type::String, "First month, YYYY-MM; by default eleven months before the last"))
                .parameter(query_parameter("to", Type::String, "Last month, YYYY-MM; by default the current month"))
                .parameter(query_parameter("by", Type::String, "month (the default), quarter or year (financial, April to March)"))
                .parameter(query_parameter("law", Type::String, "Only cases of this law type: private, public or adoption"))
                .response("200", json_response("The values", Some("MeasureValues")))
                .response("401", error_response("No valid bearer token or session"))
                .response("404", error_response("No measure with that id"))
                .response("422", error_response("A parameter could not be read; fields name each problem")),
        ),
    );
    let components = components
        .schema_from::<crate::measures::MeasureView>()
        .schema_from::<crate::measures::MeasureList>()
        .schema_from::<crate::measures::PeriodValue>()
        .schema_from::<crate::measures::MeasureValues>();
    let (paths, components) = describe::<Region>(paths, components);
    let (paths, components) = describe::<ServiceArea>(paths, components);
    let (paths, components) = describe::<Office>(paths, components);
    let (paths, components) = describe::<Team>(paths, components);
    let (paths, components) = describe::<Court>(paths, components);
    let (paths, components) =
        describe::<tandem_domain::casework::ApplicationType>(paths, components);
    let (paths, components) = describe::<LocalAuthority>(paths, components);
    let (paths, components) = describe::<StaffMember>(paths, components);
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Tandem API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The JSON API of Tandem, the case management system for a family court advisory service. \
                     Every error uses one envelope: {\"error\": {\"code\", \"message\", \"fields\"}}, where code is stable and machine-readable.",
                )),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .security(Some(vec![
            SecurityRequirement::new("bearer", Vec::<String>::new()),
            SecurityRequirement::new("session", Vec::<String>::new()),
        ]))
        .build()
}
