//! Keeping the measure rollups: reading a case's facts, writing the change
//! in its cells in the same transaction as the change to the case, and
//! checking or rebuilding the sums from the raw records. What a case
//! contributes is decided in `tandem_domain::rollups`; this module only
//! reads and stores.

use crate::backend::Tx;
use crate::casework::{self, CASE_COLUMNS, case_from, decode, fetch_as};
use crate::error::{SqlError, StoreError};
use crate::organisation::team_scope_condition;
use crate::practice_settings;
use crate::row::{Param, Row};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tandem_domain::access::AccessScope;
use tandem_domain::calendar::WorkingCalendar;
use tandem_domain::casework::{CLOSED, Case, CaseId, LawType};
use tandem_domain::choice::Choice;
use tandem_domain::measures::{MeasureContext, Post, ScopeCounts};
use tandem_domain::rollups::{
    ApplicationFacts, CaseFacts, Cell, Cells, Closure, Component, Month, Places, RollupRules,
    Scope, case_cells, difference,
};

/// What the cells depend on besides the case: loaded once a transaction.
pub(crate) struct RollupContext {
    places: Places,
    rules: RollupRules,
}

pub(crate) async fn context(tx: &mut dyn Tx) -> Result<RollupContext, StoreError> {
    let places = fetch_as(
        tx,
        "SELECT t.id, t.service_area_id, s.region_id FROM teams t \
         JOIN service_areas s ON s.id = t.service_area_id",
        &[],
        |r| {
            Ok((
                r.i64("id")?,
                (r.i64("service_area_id")?, r.i64("region_id")?),
            ))
        },
    )
    .await?
    .into_iter()
    .collect();
    let (settings, _) = practice_settings::settings(tx).await?;
    let calendar = WorkingCalendar::new(
        casework::bank_holidays(tx)
            .await?
            .into_iter()
            .map(|h| h.date),
    );
    Ok(RollupContext {
        places,
        rules: RollupRules {
            thresholds: settings.thresholds,
            calendar,
        },
    })
}

/// The rollup context as last read, with the token it was read at (see
/// migration 0015): checking the token is one small read, where reading
/// the context is three, one of them every bank holiday.
#[derive(Default)]
pub(crate) struct ContextCache(Mutex<Option<(String, Arc<RollupContext>)>>);

impl ContextCache {
    /// The context as `tx` sees it.
    pub(crate) async fn get(&self, tx: &mut dyn Tx) -> Result<Arc<RollupContext>, StoreError> {
        // The token is read before the context, so a change committed in
        // between leaves a context newer than its token, which the next
        // check turns away, never the other way round.
        let token = tx
            .fetch_all("SELECT token FROM rollup_context WHERE id = 1", &[])
            .await?
            .first()
            .ok_or_else(|| SqlError::decode("rollup_context is missing"))?
            .text("token")?;
        if let Some((kept, context)) = &*self.kept()
            && *kept == token
        {
            return Ok(context.clone());
        }
        let context = Arc::new(context(tx).await?);
        *self.kept() = Some((token, context.clone()));
        Ok(context)
    }

    fn kept(&self) -> MutexGuard<'_, Option<(String, Arc<RollupContext>)>> {
        // A panic elsewhere cannot leave a half-written entry: each is
        // replaced whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A case's cells before a change, to be compared with after it.
pub(crate) struct Tracked {
    case: CaseId,
    context: Arc<RollupContext>,
    before: Cells,
}

impl Tracked {
    /// Notes the case's cells as they stand; call [`Tracked::finish`] after
    /// changing the case, in the same transaction.
    pub(crate) async fn start(
        tx: &mut dyn Tx,
        contexts: &ContextCache,
        case: CaseId,
    ) -> Result<Self, StoreError> {
        let context = contexts.get(tx).await?;
        let before = cells_of(tx, case, &context).await?;
        Ok(Self {
            case,
            context,
            before,
        })
    }

    pub(crate) async fn finish(self, tx: &mut dyn Tx) -> Result<(), StoreError> {
        let after = cells_of(tx, self.case, &self.context).await?;
        write(tx, &difference(&self.before, &after)).await
    }
}

/// Adds a newly created case's cells.
pub(crate) async fn add_case(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
) -> Result<(), StoreError> {
    let context = contexts.get(tx).await?;
    let cells = cells_of(tx, case, &context).await?;
    write(tx, &cells).await
}

async fn cells_of(
    tx: &mut dyn Tx,
    case: CaseId,
    context: &RollupContext,
) -> Result<Cells, StoreError> {
    let facts = facts_of(tx, Which::Between(case.0, case.0)).await?;
    Ok(facts
        .values()
        .map(|f| case_cells(f, &context.places, &context.rules))
        .next()
        .unwrap_or_default())
}

fn law(r: &Row) -> Result<LawType, StoreError> {
    decode("law_type", LawType::parse(&r.text("law_type")?))
}

/// Which cases' facts to read: a range of ids (for reading every case a
/// batch at a time) or a list (for the cases behind a number).
pub(crate) enum Which<'a> {
    Between(i64, i64),
    Ids(&'a [i64]),
}

impl Which<'_> {
    fn condition(&self, column: &str) -> String {
        match self {
            Self::Between(..) => format!("{column} >= $1 AND {column} <= $2"),
            Self::Ids([]) => "1 = 0".into(),
            Self::Ids(ids) => {
                let marks: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
                format!("{column} IN ({})", marks.join(", "))
            }
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::Between(first, last) => vec![(*first).into(), (*last).into()],
            Self::Ids(ids) => ids.iter().map(|id| (*id).into()).collect(),
        }
    }
}

/// The facts of the cases `which` names, by id.
pub(crate) async fn facts_of(
    tx: &mut dyn Tx,
    which: Which<'_>,
) -> Result<BTreeMap<i64, CaseFacts>, StoreError> {
    let range = which.params();
    let by_case = which.condition("case_id");
    let mut cases: BTreeMap<i64, (CaseFacts, Option<tandem_domain::rollups::Closure>)> =
        BTreeMap::new();
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT id, law_type, received_on, issued_on, court_id, local_authority_id, team_id, closed_on \
                 FROM cases WHERE {}",
                which.condition("id")
            ),
            &range,
        )
        .await?;
    for r in rows {
        let received_on = r.date("received_on")?;
        let facts = CaseFacts {
            law_type: law(&r)?,
            care_proceedings: false,
            received_on,
            issued_on: r.opt_date("issued_on")?,
            court_id: r.i64("court_id")?,
            local_authority_id: r.opt_i64("local_authority_id")?,
            holders: vec![(received_on, r.i64("team_id")?)],
            closures: Vec::new(),
            children_first_met: Vec::new(),
            applications: Vec::new(),
            allocations: Vec::new(),
            work: Vec::new(),
            first_hearing: None,
        };
        let closed = r.opt_date("closed_on")?.map(|closed_on| Closure {
            closed_on,
            reopened_on: None,
        });
        cases.insert(r.i64("id")?, (facts, closed));
    }
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, kind, received_on, issued_on, lead FROM applications \
             WHERE {by_case} ORDER BY case_id, id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            let kind = r.text("kind")?;
            if r.bool("lead")? {
                facts.care_proceedings = matches!(kind.as_str(), "care" | "supervision");
            }
            facts.applications.push(ApplicationFacts {
                kind,
                received_on: r.date("received_on")?,
                issued_on: r.opt_date("issued_on")?,
            });
        }
    }
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, first_met_fca_on FROM children \
             WHERE {by_case} ORDER BY case_id, id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            facts
                .children_first_met
                .push(r.opt_date("first_met_fca_on")?);
        }
    }
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, allocated_on, ended_on FROM allocations \
             WHERE {by_case} ORDER BY case_id, id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            facts
                .allocations
                .push((r.date("allocated_on")?, r.opt_date("ended_on")?));
        }
    }
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, due_on, filed_on FROM work_items \
             WHERE {by_case} ORDER BY case_id, id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            facts
                .work
                .push((r.date("due_on")?, r.opt_date("filed_on")?));
        }
    }
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, MIN(held_on) AS first_hearing FROM hearings \
             WHERE {by_case} GROUP BY case_id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            facts.first_hearing = r.opt_date("first_hearing")?;
        }
    }
    // Transfers between teams, in order: the case was held by the first
    // transfer's sending team from receipt.
    let mut transferred = std::collections::BTreeSet::new();
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, from_team_id, to_team_id, transferred_on FROM case_transfers \
             WHERE {by_case} ORDER BY case_id, id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            // The case row names the team holding it now; the first
            // transfer says who held it before.
            if transferred.insert(r.i64("case_id")?)
                && let Some(first) = facts.holders.first_mut()
            {
                first.1 = r.i64("from_team_id")?;
            }
            facts
                .holders
                .push((r.date("transferred_on")?, r.i64("to_team_id")?));
        }
    }
    // Closures and re-openings, in the order they happened. Events recorded
    // before effective dates were kept fall back to the day they were recorded.
    for r in tx
        .fetch_all(
            &format!(
                "SELECT case_id, kind, on_date, at FROM case_events \
                 WHERE {by_case} \
                 AND ((kind = 'moved' AND to_stage = '{CLOSED}') OR kind = 'reopened') \
                 ORDER BY case_id, id"
            ),
            &range,
        )
        .await?
    {
        if let Some((facts, _)) = cases.get_mut(&r.i64("case_id")?) {
            let on = match r.opt_date("on_date")? {
                Some(on) => on,
                None => r.timestamp("at")?.to_zoned(TimeZone::UTC).date(),
            };
            if r.text("kind")? == "reopened" {
                if let Some(last) = facts.closures.last_mut() {
                    last.reopened_on = Some(on);
                }
            } else {
                facts.closures.push(Closure {
                    closed_on: on,
                    reopened_on: None,
                });
            }
        }
    }
    Ok(cases
        .into_iter()
        .map(|(id, (mut facts, closed))| {
            // The case row says whether the case is closed now, and since
            // when; the history supplies any earlier closures.
            match closed {
                Some(now) => match facts.closures.last_mut() {
                    Some(last) if last.reopened_on.is_none() => *last = now,
                    _ => facts.closures.push(now),
                },
                None => {
                    if facts
                        .closures
                        .last()
                        .is_some_and(|c| c.reopened_on.is_none())
                    {
                        facts.closures.pop();
                    }
                }
            }
            (id, facts)
        })
        .collect())
}

const UPSERT_ROWS: usize = 500;

/// Adds `delta` to the stored sums. Cells that fall to zero stay as zero
/// rows: deleting them would cost a statement a cell, and every reader
/// treats zero as absent.
pub(crate) async fn write(tx: &mut dyn Tx, delta: &Cells) -> Result<(), StoreError> {
    let cells: Vec<(&Cell, &i64)> = delta.iter().collect();
    for chunk in cells.chunks(UPSERT_ROWS) {
        let mut sql = String::from(
            "INSERT INTO measure_rollups (component, scope, month, law_type, bucket, count) VALUES ",
        );
        let mut params: Vec<Param> = Vec::with_capacity(chunk.len() * 6);
        for (i, (cell, count)) in chunk.iter().enumerate() {
            let n = i * 6;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6
            ));
            params.push(cell.component.slug().into());
            params.push(cell.scope.key().into());
            params.push(cell.month.to_string().into());
            params.push(cell.law_type.slug().into());
            params.push(cell.bucket.into());
            params.push((**count).into());
        }
        sql.push_str(
            " ON CONFLICT (component, scope, month, law_type, bucket) \
             DO UPDATE SET count = measure_rollups.count + excluded.count",
        );
        tx.execute(&sql, &params).await?;
    }
    Ok(())
}

/// Cases are read and worked out this many at a time, so memory stays flat.
const BATCH: i64 = 5_000;

/// Every case's cells, worked out afresh from the raw records.
pub(crate) async fn recompute(tx: &mut dyn Tx) -> Result<Cells, StoreError> {
    let context = context(tx).await?;
    let last = tx
        .fetch_all("SELECT MAX(id) AS last FROM cases", &[])
        .await?
        .first()
        .map(|r| r.opt_i64("last"))
        .transpose()?
        .flatten()
        .unwrap_or(0);
    let mut total = Cells::new();
    let mut first = 1;
    while first <= last {
        for facts in facts_of(tx, Which::Between(first, first + BATCH - 1))
            .await?
            .values()
        {
            for (cell, count) in case_cells(facts, &context.places, &context.rules) {
                tandem_domain::rollups::add(&mut total, cell, count);
            }
        }
        first += BATCH;
    }
    Ok(total)
}

fn cell_from(r: &Row) -> Result<(Cell, i64), StoreError> {
    Ok((
        Cell {
            component: decode("component", Component::parse(&r.text("component")?))?,
            scope: decode("scope", Scope::parse(&r.text("scope")?))?,
            law_type: law(r)?,
            month: decode("month", Month::parse(&r.text("month")?))?,
            bucket: r.i64("bucket")?,
        },
        r.i64("count")?,
    ))
}

/// The stored sums, without the zero rows.
pub(crate) async fn stored(tx: &mut dyn Tx) -> Result<Cells, StoreError> {
    Ok(fetch_as(
        tx,
        "SELECT component, scope, month, law_type, bucket, count FROM measure_rollups WHERE count <> 0",
        &[],
        cell_from,
    )
    .await?
    .into_iter()
    .collect())
}

/// Replaces the stored sums with a recomputation: after settings or bank
/// holidays change what a case contributes, or to repair.
pub(crate) async fn rebuild(tx: &mut dyn Tx) -> Result<usize, StoreError> {
    let cells = recompute(tx).await?;
    tx.execute("DELETE FROM measure_rollups", &[]).await?;
    write(tx, &cells).await?;
    Ok(cells.len())
}

/// Each of `scopes`' counts of `components`, for months up to `to` (and,
/// for components that are not changes to a level, from `from`): one query
/// a component, whatever the number of scopes.
pub(crate) async fn scope_counts(
    tx: &mut dyn Tx,
    scopes: &[Scope],
    components: &[Component],
    from: Month,
    to: Month,
) -> Result<Vec<ScopeCounts>, StoreError> {
    let mut counts = vec![ScopeCounts::default(); scopes.len()];
    let keys: Vec<String> = scopes.iter().map(Scope::key).collect();
    for chunk_start in (0..scopes.len()).step_by(IDS_AT_ONCE) {
        let chunk = &keys[chunk_start..(chunk_start + IDS_AT_ONCE).min(keys.len())];
        let marks: Vec<String> = (0..chunk.len()).map(|n| format!("${}", n + 4)).collect();
        let sql = format!(
            "SELECT scope, month, law_type, bucket, count FROM measure_rollups \
             WHERE component = $1 AND month >= $2 AND month <= $3 AND scope IN ({}) AND count <> 0",
            marks.join(", ")
        );
        for component in components {
            let first = if component.is_change() {
                String::new()
            } else {
                from.to_string()
            };
            let mut params: Vec<Param> =
                vec![component.slug().into(), first.into(), to.to_string().into()];
            params.extend(chunk.iter().map(|k| Param::from(k.as_str())));
            for r in tx.fetch_all(&sql, &params).await? {
                let key = r.text("scope")?;
                let Some(at) = chunk.iter().position(|k| *k == key) else {
                    continue;
                };
                counts[chunk_start + at].add(
                    *component,
                    law(&r)?,
                    decode("month", Month::parse(&r.text("month")?))?,
                    r.i64("bucket")?,
                    r.i64("count")?,
                );
            }
        }
    }
    Ok(counts)
}

/// Case-holding practitioners' posts.
pub(crate) async fn posts(tx: &mut dyn Tx) -> Result<Vec<Post>, StoreError> {
    fetch_as(
        tx,
        "SELECT team_id, fte_thousandths, start_date, end_date FROM staff \
         WHERE job_group = 'practitioner' AND team_id IS NOT NULL",
        &[],
        |r| {
            Ok(Post {
                team_id: r.i64("team_id")?,
                fte: r.i64("fte_thousandths")? as f64 / 1000.0,
                start: r.date("start_date")?,
                end: r.opt_date("end_date")?,
            })
        },
    )
    .await
}

/// What every scope's measures are read with besides their counts, and
/// the rules a case's cells are worked out by.
/// Staff posts are read only when `with_posts` (for caseload per FTE): the
/// largest part, and most measures need none.
pub(crate) async fn measure_context(
    tx: &mut dyn Tx,
    with_posts: bool,
) -> Result<(MeasureContext, RollupRules), StoreError> {
    let RollupContext { places, rules } = context(tx).await?;
    let (settings, _) = practice_settings::settings(tx).await?;
    Ok((
        MeasureContext {
            targets: settings.targets,
            calendar: rules.calendar.clone(),
            posts: if with_posts {
                posts(tx).await?
            } else {
                Vec::new()
            },
            places,
        },
        rules,
    ))
}

/// How many case ids go in one `IN` list: well under either database's
/// limit on parameters.
const IDS_AT_ONCE: usize = 1_000;

/// Cases ever held in `scope`: by its team now or by a team it was
/// transferred from or to.
fn scope_condition(scope: Scope, params: &mut Vec<Param>) -> String {
    let mut mark = |id: i64| {
        params.push(id.into());
        format!("${}", params.len())
    };
    let held = |teams: String| {
        format!(
            "(team_id IN ({teams}) OR id IN (SELECT case_id FROM case_transfers \
             WHERE from_team_id IN ({teams}) OR to_team_id IN ({teams})))"
        )
    };
    match scope {
        Scope::National => "1 = 1".into(),
        Scope::Team(id) => held(mark(id)),
        Scope::ServiceArea(id) => held(format!(
            "SELECT id FROM teams WHERE service_area_id = {}",
            mark(id)
        )),
        Scope::Region(id) => held(format!(
            "SELECT t.id FROM teams t JOIN service_areas s ON s.id = t.service_area_id \
             WHERE s.region_id = {}",
            mark(id)
        )),
        Scope::Court(id) => format!("court_id = {}", mark(id)),
        Scope::LocalAuthority(id) => format!("local_authority_id = {}", mark(id)),
    }
}

/// The cases that may lie behind a number for `scope` in the days `first`
/// to `last`: open at some time then and ever held in the scope. Each comes
/// with its facts and whether `access` lets the reader see it; the caller
/// decides from the facts which are really behind the number. With no
/// `access`, the cases are for aggregates only.
pub(crate) async fn candidates(
    tx: &mut dyn Tx,
    scope: Scope,
    first: Date,
    last: Date,
    access: Option<&AccessScope>,
) -> Result<Vec<(Case, CaseFacts, bool)>, StoreError> {
    let mut params: Vec<Param> = vec![last.into(), first.into()];
    let in_scope = scope_condition(scope, &mut params);
    // Without an access scope the caller may only count, never name.
    let visible = match access {
        Some(access) => team_scope_condition(access, &mut params),
        None => "1 = 1".into(),
    };
    let sql = format!(
        "SELECT {CASE_COLUMNS}, CASE WHEN {visible} THEN 1 ELSE 0 END AS visible FROM cases \
         WHERE received_on <= $1 AND (closed_on IS NULL OR closed_on >= $2) AND {in_scope} \
         ORDER BY received_on, id"
    );
    let rows = fetch_as(tx, &sql, &params, |r| {
        Ok((case_from(r)?, r.i64("visible")? == 1))
    })
    .await?;
    let ids: Vec<i64> = rows.iter().map(|(c, _)| c.id.0).collect();
    let mut facts = BTreeMap::new();
    for chunk in ids.chunks(IDS_AT_ONCE) {
        facts.append(&mut facts_of(tx, Which::Ids(chunk)).await?);
    }
    Ok(rows
        .into_iter()
        .filter_map(|(case, visible)| {
            let f = facts.remove(&case.id.0)?;
            Some((case, f, visible))
        })
        .collect())
}

/// For the delay analysis: each case's stages entered, with the date each
/// took effect (its receipt for the first; closure ends the count rather
/// than starting a stage), and how many of its hearings were adjourned.
pub(crate) async fn stages_and_adjournments(
    tx: &mut dyn Tx,
    cases: &[(Case, CaseFacts, bool)],
) -> Result<Vec<(Vec<(Date, String)>, usize)>, StoreError> {
    let ids: Vec<i64> = cases.iter().map(|(c, _, _)| c.id.0).collect();
    let mut stages: BTreeMap<i64, Vec<(Date, String)>> = BTreeMap::new();
    let mut adjourned: BTreeMap<i64, usize> = BTreeMap::new();
    for chunk in ids.chunks(IDS_AT_ONCE) {
        let which = Which::Ids(chunk);
        let by_case = which.condition("case_id");
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT case_id, kind, to_stage, on_date, at FROM case_events \
                     WHERE {by_case} AND to_stage IS NOT NULL AND to_stage <> '{CLOSED}' \
                     ORDER BY case_id, id"
                ),
                &which.params(),
            )
            .await?
        {
            let on = match r.opt_date("on_date")? {
                Some(on) => on,
                None => r.timestamp("at")?.to_zoned(TimeZone::UTC).date(),
            };
            stages
                .entry(r.i64("case_id")?)
                .or_default()
                .push((on, r.text("to_stage")?));
        }
        for r in tx
            .fetch_all(
                &format!(
                    "SELECT case_id, COUNT(*) AS n FROM hearings \
                     WHERE {by_case} AND LOWER(outcome) LIKE '%adjourn%' GROUP BY case_id"
                ),
                &which.params(),
            )
            .await?
        {
            adjourned.insert(r.i64("case_id")?, usize::try_from(r.i64("n")?).unwrap_or(0));
        }
    }
    Ok(cases
        .iter()
        .map(|(case, _, _)| {
            let mut entered = stages.remove(&case.id.0).unwrap_or_default();
            // The first stage is entered on receipt, whenever it was recorded.
            if let Some(first) = entered.first_mut() {
                first.0 = case.received_on;
            }
            (entered, adjourned.get(&case.id.0).copied().unwrap_or(0))
        })
        .collect())
}
