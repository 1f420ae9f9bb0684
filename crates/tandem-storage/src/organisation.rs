//! How the organisation's records are stored: one [`Record`] description per
//! table, and the reference checks each write makes inside its transaction.

use crate::backend::Tx;
use crate::error::StoreError;
use crate::record::{self, Columns, Record};
use crate::row::{Param, Row};
use async_trait::async_trait;
use tandem_domain::access::{AccessScope, Placement};
use tandem_domain::organisation::*;
use tandem_domain::{DomainError, organisation};

/// A record type an administrator creates, edits and (where allowed) deletes.
#[async_trait]
pub trait Editable: Record + Sync {
    type Draft: Send + Sync;

    /// The values a draft writes, in column order.
    fn columns(draft: &Self::Draft) -> Columns;

    /// Checks what the draft refers to, inside the write transaction. `id` is
    /// the record being edited, `None` when creating.
    async fn check(tx: &mut dyn Tx, draft: &Self::Draft, id: Option<i64>)
    -> Result<(), StoreError>;

    /// Why a record still referred to by others cannot be deleted; `None`
    /// when records of this type are never deleted.
    const IN_USE: Option<&'static str>;
}

fn version(row: &Row) -> Result<i64, StoreError> {
    Ok(row.i64("version")?)
}

// ------------------------------------------------------------------ regions

impl Record for Region {
    const TABLE: &'static str = "regions";
    const KIND: &'static str = "region";
    const COLUMNS: &'static str = "id, code, name, version";
    const ORDER: &'static str = "LOWER(name), id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(Region {
            id: RegionId(row.i64("id")?),
            code: row.text("code")?,
            name: row.text("name")?,
            version: version(row)?,
        })
    }
}

#[async_trait]
impl Editable for Region {
    type Draft = RegionDraft;
    const IN_USE: Option<&'static str> =
        Some("This region still has service areas; move or delete them first");

    fn columns(d: &RegionDraft) -> Columns {
        vec![("code", (&d.code).into()), ("name", (&d.name).into())]
    }

    async fn check(_: &mut dyn Tx, _: &RegionDraft, _: Option<i64>) -> Result<(), StoreError> {
        Ok(())
    }
}

// ------------------------------------------------------------ service areas

impl Record for ServiceArea {
    const TABLE: &'static str = "service_areas";
    const KIND: &'static str = "service area";
    const COLUMNS: &'static str = "id, code, name, region_id, version";
    const ORDER: &'static str = "code, id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(ServiceArea {
            id: ServiceAreaId(row.i64("id")?),
            code: row.text("code")?,
            name: row.text("name")?,
            region_id: RegionId(row.i64("region_id")?),
            version: version(row)?,
        })
    }
}

#[async_trait]
impl Editable for ServiceArea {
    type Draft = ServiceAreaDraft;
    const IN_USE: Option<&'static str> = Some(
        "This service area still has teams, offices, courts or local authorities; move or delete them first",
    );

    fn columns(d: &ServiceAreaDraft) -> Columns {
        vec![
            ("code", (&d.code).into()),
            ("name", (&d.name).into()),
            ("region_id", d.region_id.0.into()),
        ]
    }

    async fn check(
        tx: &mut dyn Tx,
        d: &ServiceAreaDraft,
        _: Option<i64>,
    ) -> Result<(), StoreError> {
        record::referenced::<Region>(tx, d.region_id.0, "region_id").await?;
        Ok(())
    }
}

// ------------------------------------------------------------------ offices

impl Record for Office {
    const TABLE: &'static str = "offices";
    const KIND: &'static str = "office";
    const COLUMNS: &'static str =
        "id, code, name, address, town, postcode, service_area_id, version";
    const ORDER: &'static str = "LOWER(name), id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(Office {
            id: OfficeId(row.i64("id")?),
            code: row.text("code")?,
            name: row.text("name")?,
            address: row.text("address")?,
            town: row.text("town")?,
            postcode: row.text("postcode")?,
            service_area_id: ServiceAreaId(row.i64("service_area_id")?),
            version: version(row)?,
        })
    }
}

#[async_trait]
impl Editable for Office {
    type Draft = OfficeDraft;
    const IN_USE: Option<&'static str> =
        Some("Teams are still based at this office; move them to another office first");

    fn columns(d: &OfficeDraft) -> Columns {
        vec![
            ("code", (&d.code).into()),
            ("name", (&d.name).into()),
            ("address", (&d.address).into()),
            ("town", (&d.town).into()),
            ("postcode", (&d.postcode).into()),
            ("service_area_id", d.service_area_id.0.into()),
        ]
    }

    async fn check(tx: &mut dyn Tx, d: &OfficeDraft, id: Option<i64>) -> Result<(), StoreError> {
        record::referenced::<ServiceArea>(tx, d.service_area_id.0, "service_area_id").await?;
        // Moving an office to another area would strand the teams based there.
        if let Some(id) = id {
            let stranded: Vec<Team> = record::fetch(
                tx,
                "WHERE office_id = $1 AND service_area_id <> $2",
                &[id.into(), d.service_area_id.0.into()],
            )
            .await?;
            if let Some(team) = stranded.first() {
                return Err(DomainError::invalid(
                    "service_area_id",
                    format!(
                        "{} is based at this office and is in another service area; move the team first",
                        team.name
                    ),
                )
                .into());
            }
        }
        Ok(())
    }
}

// -------------------------------------------------------------------- teams

impl Record for Team {
    const TABLE: &'static str = "teams";
    const KIND: &'static str = "team";
    const COLUMNS: &'static str = "id, code, name, service_area_id, office_id, version";
    const ORDER: &'static str = "code, id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(Team {
            id: TeamId(row.i64("id")?),
            code: row.text("code")?,
            name: row.text("name")?,
            service_area_id: ServiceAreaId(row.i64("service_area_id")?),
            office_id: row.opt_i64("office_id")?.map(OfficeId),
            version: version(row)?,
        })
    }
}

#[async_trait]
impl Editable for Team {
    type Draft = TeamDraft;
    const IN_USE: Option<&'static str> =
        Some("Staff are still in this team; move them to another team first");

    fn columns(d: &TeamDraft) -> Columns {
        vec![
            ("code", (&d.code).into()),
            ("name", (&d.name).into()),
            ("service_area_id", d.service_area_id.0.into()),
            ("office_id", d.office_id.map(|o| o.0).into()),
        ]
    }

    async fn check(tx: &mut dyn Tx, d: &TeamDraft, _: Option<i64>) -> Result<(), StoreError> {
        record::referenced::<ServiceArea>(tx, d.service_area_id.0, "service_area_id").await?;
        if let Some(office) = d.office_id {
            let office = record::referenced::<Office>(tx, office.0, "office_id").await?;
            organisation::check_team_office(d, &office)?;
        }
        Ok(())
    }
}

// ------------------------------------------------------------------- courts

impl Record for Court {
    const TABLE: &'static str = "courts";
    const KIND: &'static str = "court";
    const COLUMNS: &'static str = "id, code, name, dfj_area, service_area_id, version";
    const ORDER: &'static str = "LOWER(name), id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(Court {
            id: CourtId(row.i64("id")?),
            code: row.text("code")?,
            name: row.text("name")?,
            dfj_area: row.text("dfj_area")?,
            service_area_id: ServiceAreaId(row.i64("service_area_id")?),
            version: version(row)?,
        })
    }
}

#[async_trait]
impl Editable for Court {
    type Draft = CourtDraft;
    const IN_USE: Option<&'static str> = Some("Records still refer to this court");

    fn columns(d: &CourtDraft) -> Columns {
        vec![
            ("code", (&d.code).into()),
            ("name", (&d.name).into()),
            ("dfj_area", (&d.dfj_area).into()),
            ("service_area_id", d.service_area_id.0.into()),
        ]
    }

    async fn check(tx: &mut dyn Tx, d: &CourtDraft, _: Option<i64>) -> Result<(), StoreError> {
        record::referenced::<ServiceArea>(tx, d.service_area_id.0, "service_area_id").await?;
        Ok(())
    }
}

// ------------------------------------------------------- local authorities

impl Record for LocalAuthority {
    const TABLE: &'static str = "local_authorities";
    const KIND: &'static str = "local authority";
    const COLUMNS: &'static str = "id, code, name, service_area_id, version";
    const ORDER: &'static str = "LOWER(name), id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(LocalAuthority {
            id: LocalAuthorityId(row.i64("id")?),
            code: row.text("code")?,
            name: row.text("name")?,
            service_area_id: ServiceAreaId(row.i64("service_area_id")?),
            version: version(row)?,
        })
    }
}

#[async_trait]
impl Editable for LocalAuthority {
    type Draft = LocalAuthorityDraft;
    const IN_USE: Option<&'static str> = Some("Records still refer to this local authority");

    fn columns(d: &LocalAuthorityDraft) -> Columns {
        vec![
            ("code", (&d.code).into()),
            ("name", (&d.name).into()),
            ("service_area_id", d.service_area_id.0.into()),
        ]
    }

    async fn check(
        tx: &mut dyn Tx,
        d: &LocalAuthorityDraft,
        _: Option<i64>,
    ) -> Result<(), StoreError> {
        record::referenced::<ServiceArea>(tx, d.service_area_id.0, "service_area_id").await?;
        Ok(())
    }
}

// -------------------------------------------------------------------- staff

impl Record for StaffMember {
    const TABLE: &'static str = "staff";
    const KIND: &'static str = "staff member";
    const COLUMNS: &'static str = "id, given_name, family_name, job_group, grade, fte_thousandths, \
         team_id, line_manager_id, contract_type, start_date, end_date, version";
    const ORDER: &'static str = "LOWER(family_name), LOWER(given_name), id";

    fn id_of(&self) -> i64 {
        self.id.0
    }

    fn from_row(row: &Row) -> Result<Self, StoreError> {
        Ok(StaffMember {
            id: StaffId(row.i64("id")?),
            given_name: row.text("given_name")?,
            family_name: row.text("family_name")?,
            job_group: decode("job_group", JobGroup::parse(&row.text("job_group")?))?,
            grade: row.text("grade")?,
            fte: decode(
                "fte_thousandths",
                Fte::from_thousandths(row.i64("fte_thousandths")?),
            )?,
            team_id: row.opt_i64("team_id")?.map(TeamId),
            line_manager_id: row.opt_i64("line_manager_id")?.map(StaffId),
            contract_type: decode(
                "contract_type",
                ContractType::parse(&row.text("contract_type")?),
            )?,
            start_date: row.date("start_date")?,
            end_date: row.opt_date("end_date")?,
            version: version(row)?,
        })
    }
}

/// A stored value that no longer passes the domain's parse is a database fault.
fn decode<T>(column: &str, result: Result<T, String>) -> Result<T, crate::SqlError> {
    result.map_err(|e| crate::SqlError::decode(format!("column {column}: {e}")))
}

/// How many levels of line management are followed when looking for a loop.
/// Real hierarchies are a handful deep; the bound keeps a corrupt chain finite.
const MAX_MANAGEMENT_DEPTH: usize = 64;

#[async_trait]
impl Editable for StaffMember {
    type Draft = StaffDraft;
    // Staff records are kept for workforce history: people leave by an end date.
    const IN_USE: Option<&'static str> = None;

    fn columns(d: &StaffDraft) -> Columns {
        vec![
            ("given_name", (&d.given_name).into()),
            ("family_name", (&d.family_name).into()),
            ("job_group", d.job_group.slug().into()),
            ("grade", (&d.grade).into()),
            ("fte_thousandths", i64::from(d.fte.thousandths()).into()),
            ("team_id", d.team_id.map(|t| t.0).into()),
            ("line_manager_id", d.line_manager_id.map(|m| m.0).into()),
            ("contract_type", d.contract_type.slug().into()),
            ("start_date", d.start_date.into()),
            ("end_date", d.end_date.into()),
        ]
    }

    async fn check(tx: &mut dyn Tx, d: &StaffDraft, id: Option<i64>) -> Result<(), StoreError> {
        if let Some(team) = d.team_id {
            record::referenced::<Team>(tx, team.0, "team_id").await?;
        }
        if let Some(manager) = d.line_manager_id {
            let mut next = record::referenced::<StaffMember>(tx, manager.0, "line_manager_id")
                .await?
                .line_manager_id;
            let mut chain = Vec::new();
            while let Some(above) = next {
                if chain.contains(&above) || chain.len() >= MAX_MANAGEMENT_DEPTH {
                    break;
                }
                chain.push(above);
                next = record::find::<StaffMember>(tx, above.0)
                    .await?
                    .and_then(|m| m.line_manager_id);
            }
            organisation::check_line_manager(id.map(StaffId), manager, &chain)?;
        }
        Ok(())
    }
}

/// Which staff to list, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    pub team_id: Option<TeamId>,
    /// Matches the start of the first or last name, ignoring case.
    pub name: Option<String>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone)]
pub struct StaffPage {
    pub members: Vec<StaffMember>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl StaffPage {
    pub fn page_count(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per_page - 1) / per_page).unwrap_or(u32::MAX)
    }
}

/// A LIKE pattern matching text that starts with `text`, ignoring case, with
/// LIKE's wildcards in `text` escaped so it is matched literally (use with
/// `ESCAPE '\\'` on a lower-cased column).
pub(crate) fn like_prefix(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{escaped}%")
}

/// The SQL condition limiting rows with a `team_id` column (staff, cases)
/// to an access scope, by their team's place; its values are pushed onto
/// `params`.
pub(crate) fn team_scope_condition(scope: &AccessScope, params: &mut Vec<Param>) -> String {
    if scope.is_everything() {
        return "1 = 1".into();
    }
    let mut parts = Vec::new();
    let list = |ids: Vec<i64>, params: &mut Vec<Param>| -> String {
        let placeholders: Vec<String> = ids
            .into_iter()
            .map(|id| {
                params.push(id.into());
                format!("${}", params.len())
            })
            .collect();
        placeholders.join(", ")
    };
    if !scope.teams().is_empty() {
        let ids = list(scope.teams().iter().map(|t| t.0).collect(), params);
        parts.push(format!("team_id IN ({ids})"));
    }
    if !scope.areas().is_empty() {
        let ids = list(scope.areas().iter().map(|a| a.0).collect(), params);
        parts.push(format!(
            "team_id IN (SELECT id FROM teams WHERE service_area_id IN ({ids}))"
        ));
    }
    if !scope.regions().is_empty() {
        let ids = list(scope.regions().iter().map(|r| r.0).collect(), params);
        parts.push(format!(
            "team_id IN (SELECT t.id FROM teams t JOIN service_areas a ON a.id = t.service_area_id \
             WHERE a.region_id IN ({ids}))"
        ));
    }
    if parts.is_empty() {
        "1 = 0".into()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

pub(crate) async fn staff_ids_in(
    tx: &mut dyn Tx,
    scope: &AccessScope,
) -> Result<Vec<i64>, StoreError> {
    let mut params = Vec::new();
    let condition = team_scope_condition(scope, &mut params);
    let rows = tx
        .fetch_all(&format!("SELECT id FROM staff WHERE {condition}"), &params)
        .await?;
    rows.iter().map(|r| Ok(r.i64("id")?)).collect()
}

pub(crate) async fn placement_of_team(
    tx: &mut dyn Tx,
    team: Option<TeamId>,
) -> Result<Placement, StoreError> {
    let Some(team) = team else {
        return Ok(Placement::default());
    };
    let rows = tx
        .fetch_all(
            "SELECT t.service_area_id, a.region_id FROM teams t \
             JOIN service_areas a ON a.id = t.service_area_id WHERE t.id = $1",
            &[team.0.into()],
        )
        .await?;
    Ok(match rows.first() {
        Some(row) => Placement {
            region: Some(RegionId(row.i64("region_id")?)),
            area: Some(ServiceAreaId(row.i64("service_area_id")?)),
            team: Some(team),
        },
        None => Placement::default(),
    })
}

pub(crate) async fn list_staff(
    tx: &mut dyn Tx,
    filter: &StaffFilter,
    scope: &AccessScope,
) -> Result<StaffPage, StoreError> {
    let per_page = filter.per_page.clamp(1, 500);
    let page = filter.page.max(1);
    let mut params: Vec<Param> = Vec::new();
    let mut conditions = vec![team_scope_condition(scope, &mut params)];
    if let Some(team) = filter.team_id {
        params.push(team.0.into());
        conditions.push(format!("team_id = ${}", params.len()));
    }
    if let Some(name) = filter
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        params.push(like_prefix(name).into());
        let n = params.len();
        conditions.push(format!(
            "(LOWER(given_name) LIKE ${n} ESCAPE '\\' OR LOWER(family_name) LIKE ${n} ESCAPE '\\')"
        ));
    }
    let filter_sql = format!("WHERE {}", conditions.join(" AND "));
    let total = tx
        .fetch_all(
            &format!("SELECT COUNT(*) AS n FROM staff {filter_sql}"),
            &params,
        )
        .await?
        .first()
        .map(|row| row.i64("n"))
        .transpose()?
        .unwrap_or(0);
    params.push(i64::from(per_page).into());
    params.push((i64::from(page - 1) * i64::from(per_page)).into());
    let paged = format!(
        "{filter_sql} ORDER BY {} LIMIT ${} OFFSET ${}",
        StaffMember::ORDER,
        params.len() - 1,
        params.len()
    );
    let members = record::fetch::<StaffMember>(tx, &paged, &params).await?;
    Ok(StaffPage {
        members,
        total,
        page,
        per_page,
    })
}

/// Counts for the organisation at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrganisationSummary {
    pub regions: i64,
    pub service_areas: i64,
    pub teams: i64,
    pub offices: i64,
    pub courts: i64,
    pub local_authorities: i64,
    pub application_types: i64,
    pub staff_in_post: i64,
}

pub(crate) async fn summary(
    tx: &mut dyn Tx,
    today: jiff::civil::Date,
) -> Result<OrganisationSummary, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT \
               (SELECT COUNT(*) FROM regions) AS regions, \
               (SELECT COUNT(*) FROM service_areas) AS service_areas, \
               (SELECT COUNT(*) FROM teams) AS teams, \
               (SELECT COUNT(*) FROM offices) AS offices, \
               (SELECT COUNT(*) FROM courts) AS courts, \
               (SELECT COUNT(*) FROM local_authorities) AS local_authorities, \
               (SELECT COUNT(*) FROM application_types) AS application_types, \
               (SELECT COUNT(*) FROM staff WHERE start_date <= $1 \
                  AND (end_date IS NULL OR end_date >= $1)) AS staff_in_post",
            &[today.into()],
        )
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| crate::SqlError::decode("summary returned no row"))?;
    Ok(OrganisationSummary {
        regions: row.i64("regions")?,
        service_areas: row.i64("service_areas")?,
        teams: row.i64("teams")?,
        offices: row.i64("offices")?,
        courts: row.i64("courts")?,
        local_authorities: row.i64("local_authorities")?,
        application_types: row.i64("application_types")?,
        staff_in_post: row.i64("staff_in_post")?,
    })
}

/// How many staff are in post in each team on `day`; teams with none are absent.
pub(crate) async fn staff_in_post_by_team(
    tx: &mut dyn Tx,
    day: jiff::civil::Date,
) -> Result<Vec<(TeamId, i64)>, StoreError> {
    let rows = tx
        .fetch_all(
            "SELECT team_id, COUNT(*) AS n FROM staff \
             WHERE team_id IS NOT NULL AND start_date <= $1 AND (end_date IS NULL OR end_date >= $1) \
             GROUP BY team_id",
            &[day.into()],
        )
        .await?;
    rows.iter()
        .map(|row| Ok((TeamId(row.i64("team_id")?), row.i64("n")?)))
        .collect()
}
