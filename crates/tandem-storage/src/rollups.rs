//! Keeping the measure rollups: reading a case's facts, writing the change
//! in its cells in the same transaction as the change to the case, and
//! checking or rebuilding the sums from the raw records. What a case
//! contributes is decided in `tandem_domain::rollups`; this module only
//! reads and stores.

use crate::backend::Tx;
use crate::casework::{self, CASE_COLUMNS, case_from, decode, fetch_as};
use crate::delay;
use crate::error::{SqlError, StoreError};
use crate::organisation::team_scope_condition;
use crate::practice_settings;
use crate::row::{Param, Row};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use tandem_domain::access::AccessScope;
use tandem_domain::calendar::WorkingCalendar;
use tandem_domain::case_history::CaseHistory;
use tandem_domain::casework::{Case, CaseId, LawType};
use tandem_domain::choice::Choice;
use tandem_domain::delay::DelayCase;
use tandem_domain::measures::{MeasureContext, Period, Post, ScopeCounts};
use tandem_domain::rollups::{
    ApplicationFacts, CaseFacts, Cell, CellCheck, Cells, Component, Month, Places, RollupRules,
    Scope, case_cells, difference,
};

/// What the cells depend on besides the case: loaded once a transaction.
pub(crate) struct RollupContext {
    places: Places,
    rules: RollupRules,
}

pub(crate) async fn context(tx: &mut dyn Tx) -> Result<RollupContext, StoreError> {
    let teams = fetch_as(
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
    let courts = court_dfj_areas(tx)
        .await?
        .into_iter()
        .map(|(court, dfj, _)| (court, dfj))
        .collect();
    let places = Places { teams, courts };
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

/// The rollup context's token (migration 0015), renewed whenever anything
/// the cells depend on besides the cases changes.
pub(crate) async fn context_token(tx: &mut dyn Tx) -> Result<String, StoreError> {
    tx.fetch_all("SELECT token FROM rollup_context WHERE id = 1", &[])
        .await?
        .first()
        .map(|r| r.text("token"))
        .transpose()?
        .ok_or_else(|| SqlError::decode("rollup_context is missing").into())
}

/// Each court's Designated Family Judge area: (court, area, area's name).
pub(crate) async fn court_dfj_areas(
    tx: &mut dyn Tx,
) -> Result<Vec<(i64, i64, String)>, StoreError> {
    fetch_as(
        tx,
        "SELECT c.id, d.id AS dfj_area_id, d.name FROM courts c \
         JOIN dfj_areas d ON d.name = c.dfj_area ORDER BY c.id",
        &[],
        |r| Ok((r.i64("id")?, r.i64("dfj_area_id")?, r.text("name")?)),
    )
    .await
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
        let token = context_token(tx).await?;
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

/// A case's facts, cells and delay row before a change, to be compared
/// with after it.
pub(crate) struct Tracked {
    case: CaseId,
    context: Arc<RollupContext>,
    facts: Option<CaseFacts>,
    before: Cells,
    delay_before: Option<DelayCase>,
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
        let facts = facts_of_case(tx, case).await?;
        let before = cells_of(facts.as_ref(), &context);
        let delay_before = delay_of(facts.as_ref())?;
        Ok(Self {
            case,
            context,
            facts,
            before,
            delay_before,
        })
    }

    pub(crate) async fn finish(self, tx: &mut dyn Tx) -> Result<(), StoreError> {
        let facts = facts_of_case(tx, self.case).await?;
        self.write_after(tx, facts.as_ref()).await
    }

    /// Writes what changed between the case before and `after`.
    async fn write_after(
        &self,
        tx: &mut dyn Tx,
        after: Option<&CaseFacts>,
    ) -> Result<(), StoreError> {
        write(
            tx,
            &difference(&self.before, &cells_of(after, &self.context)),
        )
        .await?;
        let delay_after = delay_of(after)?;
        match &delay_after {
            Some(case) if delay_after != self.delay_before => {
                delay::put(tx, [(self.case.0, case)]).await
            }
            _ => Ok(()),
        }
    }

    /// As [`Tracked::finish`], for a change whose effect on the case's facts
    /// the domain knows: `change` makes it, and the facts are not read again.
    pub(crate) async fn finish_with(
        mut self,
        tx: &mut dyn Tx,
        change: impl FnOnce(&mut CaseFacts),
    ) -> Result<(), StoreError> {
        let mut after = self.facts.take();
        if let Some(facts) = after.as_mut() {
            change(facts);
        }
        self.write_after(tx, after.as_ref()).await
    }
}

/// Adds a newly created case's cells.
pub(crate) async fn add_case(
    tx: &mut dyn Tx,
    contexts: &ContextCache,
    case: CaseId,
) -> Result<(), StoreError> {
    let context = contexts.get(tx).await?;
    let facts = facts_of_case(tx, case).await?;
    write(tx, &cells_of(facts.as_ref(), &context)).await?;
    match delay_of(facts.as_ref())? {
        Some(delayed) => delay::put(tx, [(case.0, &delayed)]).await,
        None => Ok(()),
    }
}

async fn facts_of_case(tx: &mut dyn Tx, case: CaseId) -> Result<Option<CaseFacts>, StoreError> {
    Ok(facts_of(tx, Which::Case(case)).await?.remove(&case.0))
}

fn cells_of(facts: Option<&CaseFacts>, context: &RollupContext) -> Cells {
    facts
        .map(|f| case_cells(f, &context.places, &context.rules))
        .unwrap_or_default()
}

/// What the delay analysis keeps of a case.
fn delay_row(facts: &CaseFacts) -> Result<DelayCase, StoreError> {
    decode("pathway", DelayCase::of(facts))
}

fn delay_of(facts: Option<&CaseFacts>) -> Result<Option<DelayCase>, StoreError> {
    facts.map(delay_row).transpose()
}

fn law(r: &Row) -> Result<LawType, StoreError> {
    decode("law_type", LawType::parse(&r.text("law_type")?))
}

/// Which cases' facts to read: one (around a change to it), a range of ids
/// (for reading every case a batch at a time) or a list (for the cases
/// behind a number).
pub(crate) enum Which<'a> {
    Case(CaseId),
    Between(i64, i64),
    Ids(&'a [i64]),
}

impl Which<'_> {
    fn condition(&self, column: &str) -> String {
        match self {
            Self::Case(_) => format!("{column} = $1"),
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
            Self::Case(id) => vec![id.0.into()],
            Self::Between(first, last) => vec![(*first).into(), (*last).into()],
            Self::Ids(ids) => ids.iter().map(|id| (*id).into()).collect(),
        }
    }
}

/// The parts of the facts query, in the order a case's rows come: the case
/// row first, then each table's rows in the order they were written.
mod part {
    pub const CASE: i64 = 0;
    pub const APPLICATION: i64 = 1;
    pub const CHILD: i64 = 2;
    pub const ALLOCATION: i64 = 3;
    pub const WORK: i64 = 4;
    pub const FIRST_HEARING: i64 = 5;
    pub const TRANSFER: i64 = 6;
    pub const EVENT: i64 = 7;
}

/// The columns the parts of the facts query give between them, with the
/// type of the NULL a part gives for one it has no use for when the parts
/// are read as one UNION: PostgreSQL matches a UNION's columns by type, and
/// takes a bare NULL for text.
const FACT_COLUMNS: [(&str, &str); 14] = [
    ("id", "BIGINT"),
    ("kind", "TEXT"),
    ("on_date", "DATE"),
    ("until_date", "DATE"),
    ("closed_on", "DATE"),
    ("court_id", "BIGINT"),
    ("local_authority_id", "BIGINT"),
    ("team_id", "BIGINT"),
    ("from_team_id", "BIGINT"),
    ("lead", "BOOLEAN"),
    ("at", "TIMESTAMPTZ"),
    ("pathway", "TEXT"),
    ("to_stage", "TEXT"),
    ("adjournments", "BIGINT"),
];

/// One part of the facts query: a table's rows for the cases.
struct FactPart {
    part: i64,
    /// The table's column naming the case.
    case_id: &'static str,
    /// Its columns, as (name, expression over the table).
    gives: &'static [(&'static str, &'static str)],
    /// FROM onwards.
    from: String,
}

impl FactPart {
    /// The part on its own, with only the columns it gives, each case's rows
    /// in the order they were written.
    fn alone(&self) -> String {
        let columns: Vec<String> = self
            .gives
            .iter()
            .map(|(column, expression)| format!("{expression} AS {column}"))
            .collect();
        let order = if self.gives.iter().any(|(column, _)| *column == "id") {
            "case_id, id"
        } else {
            "case_id"
        };
        format!("{} ORDER BY {order}", self.select(&columns))
    }

    /// The part as one of a UNION: every column, NULL where it gives none.
    fn padded(&self) -> String {
        let columns: Vec<String> = FACT_COLUMNS
            .iter()
            .map(
                |(column, kind)| match self.gives.iter().find(|(c, _)| c == column) {
                    Some((_, expression)) => format!("{expression} AS {column}"),
                    None => format!("CAST(NULL AS {kind}) AS {column}"),
                },
            )
            .collect();
        self.select(&columns)
    }

    fn select(&self, columns: &[String]) -> String {
        format!(
            "SELECT {} AS case_id, {} AS part, {} FROM {}",
            self.case_id,
            self.part,
            columns.join(", "),
            self.from
        )
    }
}

/// The parts of the facts query for the cases `which` names, in the order
/// [`facts_of`] needs them.
fn fact_parts(which: &Which<'_>) -> [FactPart; 8] {
    let by_case = which.condition("case_id");
    [
        FactPart {
            part: part::CASE,
            case_id: "id",
            gives: &[
                ("id", "id"),
                ("kind", "law_type"),
                ("on_date", "received_on"),
                ("until_date", "issued_on"),
                ("closed_on", "closed_on"),
                ("court_id", "court_id"),
                ("local_authority_id", "local_authority_id"),
                ("team_id", "team_id"),
                ("pathway", "pathway"),
            ],
            from: format!("cases WHERE {}", which.condition("id")),
        },
        FactPart {
            part: part::APPLICATION,
            case_id: "case_id",
            gives: &[
                ("id", "id"),
                ("kind", "kind"),
                ("on_date", "received_on"),
                ("until_date", "issued_on"),
                ("lead", "lead"),
            ],
            from: format!("applications WHERE {by_case}"),
        },
        FactPart {
            part: part::CHILD,
            case_id: "case_id",
            gives: &[("id", "id"), ("on_date", "first_met_fca_on")],
            from: format!("children WHERE {by_case}"),
        },
        FactPart {
            part: part::ALLOCATION,
            case_id: "case_id",
            gives: &[
                ("id", "id"),
                ("on_date", "allocated_on"),
                ("until_date", "ended_on"),
            ],
            from: format!("allocations WHERE {by_case}"),
        },
        FactPart {
            part: part::WORK,
            case_id: "case_id",
            gives: &[
                ("id", "id"),
                ("on_date", "due_on"),
                ("until_date", "filed_on"),
            ],
            from: format!("work_items WHERE {by_case}"),
        },
        FactPart {
            part: part::FIRST_HEARING,
            case_id: "case_id",
            // The rule `tandem_domain::delay::is_adjournment` states.
            gives: &[
                ("on_date", "MIN(held_on)"),
                (
                    "adjournments",
                    "CAST(SUM(CASE WHEN LOWER(outcome) LIKE '%adjourn%' THEN 1 ELSE 0 END) AS BIGINT)",
                ),
            ],
            from: format!("hearings WHERE {by_case} GROUP BY case_id"),
        },
        FactPart {
            part: part::TRANSFER,
            case_id: "case_id",
            gives: &[
                ("id", "id"),
                ("on_date", "transferred_on"),
                ("from_team_id", "from_team_id"),
                ("team_id", "to_team_id"),
            ],
            from: format!("case_transfers WHERE {by_case}"),
        },
        FactPart {
            part: part::EVENT,
            case_id: "case_id",
            gives: &[
                ("id", "id"),
                ("kind", "kind"),
                ("on_date", "on_date"),
                ("at", "at"),
                ("to_stage", "to_stage"),
            ],
            from: format!(
                "case_events WHERE {by_case} AND (to_stage IS NOT NULL OR kind = 'reopened')"
            ),
        },
    ]
}

/// One case's facts query: its parts as one UNION, so a change to a case
/// costs one round trip to read them. The same every time, so built once.
static CASE_FACTS: LazyLock<String> = LazyLock::new(|| {
    let parts: Vec<String> = fact_parts(&Which::Case(CaseId(0)))
        .iter()
        .map(FactPart::padded)
        .collect();
    parts.join(" UNION ALL ") + " ORDER BY case_id, part, id"
});

/// The facts of the cases `which` names, by id.
pub(crate) async fn facts_of(
    tx: &mut dyn Tx,
    which: Which<'_>,
) -> Result<BTreeMap<i64, CaseFacts>, StoreError> {
    // Many cases' parts are read one by one: as one UNION, the database
    // would sort all their rows together, each as wide as the widest part.
    let queries: Vec<Cow<str>> = match which {
        Which::Case(_) => vec![CASE_FACTS.as_str().into()],
        Which::Between(..) | Which::Ids(_) => fact_parts(&which)
            .iter()
            .map(|p| p.alone().into())
            .collect(),
    };
    let params = which.params();
    // Each case's facts, and since when it is closed now, if it is.
    let mut cases: BTreeMap<i64, (CaseFacts, Option<Date>)> = BTreeMap::new();
    // Cases whose first transfer has been read.
    let mut transferred = std::collections::BTreeSet::new();
    for sql in &queries {
        for r in tx.fetch_all(sql, &params).await? {
            let case_id = r.i64("case_id")?;
            let part = r.i64("part")?;
            if part == part::CASE {
                let received_on = r.date("on_date")?;
                let facts = CaseFacts {
                    law_type: decode("law_type", LawType::parse(&r.text("kind")?))?,
                    pathway: r.text("pathway")?,
                    care_proceedings: false,
                    received_on,
                    issued_on: r.opt_date("until_date")?,
                    court_id: r.i64("court_id")?,
                    local_authority_id: r.opt_i64("local_authority_id")?,
                    holders: vec![(received_on, r.i64("team_id")?)],
                    closures: Vec::new(),
                    children_first_met: Vec::new(),
                    applications: Vec::new(),
                    allocations: Vec::new(),
                    work: Vec::new(),
                    first_hearing: None,
                    stages: Vec::new(),
                    adjournments: 0,
                };
                cases.insert(case_id, (facts, r.opt_date("closed_on")?));
                continue;
            }
            let Some((facts, _)) = cases.get_mut(&case_id) else {
                continue;
            };
            match part {
                part::APPLICATION => {
                    let kind = r.text("kind")?;
                    if r.bool("lead")? {
                        facts.care_proceedings = matches!(kind.as_str(), "care" | "supervision");
                    }
                    facts.applications.push(ApplicationFacts {
                        kind,
                        received_on: r.date("on_date")?,
                        issued_on: r.opt_date("until_date")?,
                    });
                }
                part::CHILD => facts.children_first_met.push(r.opt_date("on_date")?),
                part::ALLOCATION => facts
                    .allocations
                    .push((r.date("on_date")?, r.opt_date("until_date")?)),
                part::WORK => facts
                    .work
                    .push((r.date("on_date")?, r.opt_date("until_date")?)),
                part::FIRST_HEARING => {
                    facts.first_hearing = r.opt_date("on_date")?;
                    facts.adjournments =
                        usize::try_from(r.opt_i64("adjournments")?.unwrap_or(0)).unwrap_or(0);
                }
                // Transfers between teams, in order: the case row names the
                // team holding it now, so the first transfer says who held it
                // from receipt.
                part::TRANSFER => {
                    if transferred.insert(case_id)
                        && let Some(first) = facts.holders.first_mut()
                    {
                        first.1 = r.i64("from_team_id")?;
                    }
                    facts.holders.push((r.date("on_date")?, r.i64("team_id")?));
                }
                // Stages entered, closures and re-openings, in the order they
                // happened. Events recorded before effective dates were kept
                // fall back to the day they were recorded.
                part::EVENT => {
                    let on = match r.opt_date("on_date")? {
                        Some(on) => on,
                        None => r.timestamp("at")?.to_zoned(TimeZone::UTC).date(),
                    };
                    facts.add_event(&r.text("kind")?, r.opt_text("to_stage")?.as_deref(), on);
                }
                _ => {}
            }
        }
    }
    Ok(cases
        .into_iter()
        .map(|(id, (mut facts, closed))| {
            facts.settle_closures(closed);
            (id, facts)
        })
        .collect())
}

/// Adds `delta` to the stored sums. Cells that fall to zero stay as zero
/// rows: deleting them would cost a statement a cell, and every reader
/// treats zero as absent.
pub(crate) async fn write<'a>(
    tx: &mut dyn Tx,
    delta: impl IntoIterator<Item = (&'a Cell, &'a i64)>,
) -> Result<(), StoreError> {
    let rows = delta
        .into_iter()
        .filter(|(_, count)| **count != 0)
        .map(|(cell, count)| {
            vec![
                cell.component.slug().into(),
                cell.scope.key().into(),
                cell.month.to_string().into(),
                cell.law_type.slug().into(),
                cell.bucket.into(),
                (*count).into(),
            ]
        })
        .collect();
    crate::bulk::insert_rows(
        tx,
        "measure_rollups",
        &["component", "scope", "month", "law_type", "bucket", "count"],
        rows,
        " ON CONFLICT (component, scope, month, law_type, bucket) \
         DO UPDATE SET count = measure_rollups.count + excluded.count",
    )
    .await?;
    Ok(())
}

/// Cases are read and worked out this many at a time, so memory stays flat.
const BATCH: i64 = 5_000;

/// The highest case id, or 0 with no cases.
async fn last_case_id(tx: &mut dyn Tx) -> Result<i64, StoreError> {
    Ok(tx
        .fetch_all("SELECT MAX(id) AS last FROM cases", &[])
        .await?
        .first()
        .map(|r| r.opt_i64("last"))
        .transpose()?
        .flatten()
        .unwrap_or(0))
}

/// Hands `add` the cells of the cases with ids from `first`, a batch, and
/// returns their delay rows.
async fn add_batch(
    tx: &mut dyn Tx,
    context: &RollupContext,
    first: i64,
    add: &mut (dyn FnMut(Cell, i64) + Send),
) -> Result<Vec<(i64, DelayCase)>, StoreError> {
    let mut delays = Vec::new();
    for (id, facts) in facts_of(tx, Which::Between(first, first + BATCH - 1)).await? {
        for (cell, count) in case_cells(&facts, &context.places, &context.rules) {
            add(cell, count);
        }
        delays.push((id, delay_row(&facts)?));
    }
    Ok(delays)
}

/// Every case's cells and delay lines (see [`delay::summary`]), worked out
/// afresh from the raw records.
pub(crate) async fn recompute(
    tx: &mut dyn Tx,
) -> Result<(Cells, BTreeMap<i64, String>), StoreError> {
    let context = context(tx).await?;
    let last = last_case_id(tx).await?;
    let mut total = Cells::new();
    let mut delays = BTreeMap::new();
    for first in (1..=last).step_by(BATCH as usize) {
        let batch = add_batch(tx, &context, first, &mut |cell, count| {
            tandem_domain::rollups::add(&mut total, cell, count)
        })
        .await?;
        for (id, case) in &batch {
            delays.insert(*id, delay::summary(case)?);
        }
    }
    Ok((total, delays))
}

/// Cells held in memory before a rebuild adds them to the stored sums: a
/// national rebuild would otherwise hold millions.
pub(crate) const CELLS_AT_ONCE: usize = 500_000;

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

/// Stored sums read at once when checking them: a national check reads ten
/// million, and holds only a page at a time.
pub(crate) const CELLS_A_PAGE: usize = 100_000;

/// Hands `check` each stored sum but the zero rows, in key order, `page` at
/// a time.
pub(crate) async fn check_stored(
    tx: &mut dyn Tx,
    check: &mut CellCheck,
    page: usize,
) -> Result<(), StoreError> {
    let columns = "component, scope, month, law_type, bucket";
    let mut after: Vec<Param> = Vec::new();
    loop {
        // The next page starts after the last key read, by the primary
        // key's own index.
        let from = if after.is_empty() {
            String::new()
        } else {
            format!("AND ({columns}) > ($1, $2, $3, $4, $5)")
        };
        let sql = format!(
            "SELECT {columns}, count FROM measure_rollups WHERE count <> 0 {from} \
             ORDER BY {columns} LIMIT {page}"
        );
        let rows = tx.fetch_all(&sql, &after).await?;
        for row in &rows {
            let (cell, count) = cell_from(row)?;
            check.stored(cell, count);
        }
        match rows.last() {
            Some(last) if rows.len() == page => {
                after = vec![
                    last.text("component")?.into(),
                    last.text("scope")?.into(),
                    last.text("month")?.into(),
                    last.text("law_type")?.into(),
                    last.i64("bucket")?.into(),
                ];
            }
            _ => return Ok(()),
        }
    }
}

/// Cells summed in memory while new cases are loaded in bulk, added to the
/// stored sums in one go at the end: a national load's ten million cells
/// go in far faster written once, in order, than month by month. Counting
/// needs no database, so a loader can count on one thread while another
/// stores. If storing fails, the counts must be dropped with the load.
pub struct BulkCounts {
    context: RollupContext,
    cells: HashMap<Cell, i64>,
}

/// A case history counted into [`BulkCounts`], with its delay row: the only
/// form in which histories are stored, so none is stored uncounted.
pub struct CountedHistory {
    history: CaseHistory,
    delay: DelayCase,
}

impl CountedHistory {
    pub fn history(&self) -> &CaseHistory {
        &self.history
    }

    pub(crate) fn delay(&self) -> &DelayCase {
        &self.delay
    }
}

impl BulkCounts {
    pub(crate) async fn start(tx: &mut dyn Tx) -> Result<Self, StoreError> {
        Ok(Self {
            context: context(tx).await?,
            cells: HashMap::new(),
        })
    }

    /// Counts a new case from its history, as reading it back once stored
    /// would.
    pub fn count(&mut self, history: CaseHistory) -> Result<CountedHistory, StoreError> {
        let facts = history.facts();
        for (cell, count) in case_cells(&facts, &self.context.places, &self.context.rules) {
            *self.cells.entry(cell).or_insert(0) += count;
        }
        let delay = delay_row(&facts)?;
        Ok(CountedHistory { history, delay })
    }

    /// Adds the cells counted to the stored sums; how many there were.
    pub(crate) async fn finish(mut self, tx: &mut dyn Tx) -> Result<usize, StoreError> {
        let cells = self.cells.len();
        write_in_order(tx, &mut self.cells).await?;
        Ok(cells)
    }
}

/// Adds `pending` to the stored sums in the table's key order, and empties it.
async fn write_in_order(
    tx: &mut dyn Tx,
    pending: &mut HashMap<Cell, i64>,
) -> Result<(), StoreError> {
    let mut sorted: Vec<(Cell, i64)> = pending.drain().collect();
    sorted.sort_unstable_by_key(|(cell, _)| *cell);
    write(tx, sorted.iter().map(|(cell, count)| (cell, count))).await
}

/// What a rebuild works out again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rebuild {
    /// The cells alone, after what they depend on besides the cases changed
    /// (settings, bank holidays, the places cases are counted in): a delay
    /// row holds only the case's own facts, so it stands.
    Cells,
    /// The cells and the delay rows, after the cases changed, an upgrade,
    /// or to repair.
    Everything,
}

/// Replaces the stored sums (and, for [`Rebuild::Everything`], the delay
/// rows) with a recomputation. Holds up to [`CELLS_AT_ONCE`] cells in
/// memory between writes. The number of cells.
pub(crate) async fn rebuild(tx: &mut dyn Tx, what: Rebuild) -> Result<usize, StoreError> {
    let context = context(tx).await?;
    let last = last_case_id(tx).await?;
    tx.execute("DELETE FROM measure_rollups", &[]).await?;
    if what == Rebuild::Everything {
        delay::clear(tx).await?;
    }
    // Summed by hash, then sorted into the table's key order for writing:
    // rows go in far faster in key order (measured: 77 s against 208 s for
    // a national rebuild written in hash order), and a hash map sums
    // millions of cells faster than a tree kept in order.
    let mut pending: HashMap<Cell, i64> = HashMap::new();
    for first in (1..=last).step_by(BATCH as usize) {
        let delays = add_batch(tx, &context, first, &mut |cell, count| {
            *pending.entry(cell).or_insert(0) += count;
        })
        .await?;
        if what == Rebuild::Everything {
            delay::put(tx, delays.iter().map(|(id, case)| (*id, case))).await?;
        }
        if pending.len() >= CELLS_AT_ONCE {
            write_in_order(tx, &mut pending).await?;
        }
    }
    write_in_order(tx, &mut pending).await?;
    // Sums may net to zero across batches; those rows are left out of every
    // read, and of the count.
    tx.execute("DELETE FROM measure_rollups WHERE count = 0", &[])
        .await?;
    let rows = tx
        .fetch_all("SELECT COUNT(*) AS n FROM measure_rollups", &[])
        .await?;
    Ok(rows
        .first()
        .map(|r| r.i64("n"))
        .transpose()?
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0))
}

/// Each of `scopes`' counts of `components` for the months of `periods`
/// (and for changes to a level, their sum before). A query or two a
/// component, whatever the number of scopes, and for durations a few more,
/// for the days of the weeks the medians fall in.
pub(crate) async fn scope_counts(
    tx: &mut dyn Tx,
    scopes: &[Scope],
    components: &[Component],
    periods: &[Period],
) -> Result<Vec<ScopeCounts>, StoreError> {
    let mut counts = vec![ScopeCounts::default(); scopes.len()];
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(counts);
    };
    let (from, to) = (Month::of(first.first), Month::of(last.last));
    let keys: Vec<String> = scopes.iter().map(Scope::key).collect();
    for chunk_start in (0..scopes.len()).step_by(IDS_AT_ONCE) {
        let chunk = &keys[chunk_start..(chunk_start + IDS_AT_ONCE).min(keys.len())];
        let marks: Vec<String> = (0..chunk.len()).map(|n| format!("${}", n + 4)).collect();
        // A month's buckets come back as one row ("bucket:count,…"): a
        // national series of durations spans thousands of week buckets,
        // and passing each as its own row costs far more than reading it.
        let sql = format!(
            "SELECT scope, month, law_type, \
             string_agg(CAST(bucket AS TEXT) || ':' || CAST(count AS TEXT), ',') AS cells \
             FROM measure_rollups \
             WHERE component = $1 AND month >= $2 AND month <= $3 AND scope IN ({}) AND count <> 0 \
             GROUP BY scope, month, law_type",
            marks.join(", ")
        );
        // A level is the sum of its changes to date: those before the first
        // month come back summed, as changes in the month before it.
        let before_sql = format!(
            "SELECT scope, law_type, bucket, CAST(SUM(count) AS BIGINT) AS count FROM measure_rollups \
             WHERE component = $1 AND month < $2 AND scope IN ({}) \
             GROUP BY scope, law_type, bucket HAVING SUM(count) <> 0",
            (0..chunk.len())
                .map(|n| format!("${}", n + 3))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for component in components {
            let scope_params = chunk.iter().map(|k| Param::from(k.as_str()));
            if component.is_change() {
                let mut params: Vec<Param> = vec![component.slug().into(), from.to_string().into()];
                params.extend(scope_params.clone());
                for r in tx.fetch_all(&before_sql, &params).await? {
                    let key = r.text("scope")?;
                    let Some(at) = chunk.iter().position(|k| *k == key) else {
                        continue;
                    };
                    counts[chunk_start + at].add(
                        *component,
                        law(&r)?,
                        from.previous(),
                        r.i64("bucket")?,
                        r.i64("count")?,
                    );
                }
            }
            let mut params: Vec<Param> = vec![
                component.slug().into(),
                from.to_string().into(),
                to.to_string().into(),
            ];
            params.extend(scope_params);
            for r in tx.fetch_all(&sql, &params).await? {
                let key = r.text("scope")?;
                let Some(at) = chunk.iter().position(|k| *k == key) else {
                    continue;
                };
                let (law, month) = (law(&r)?, decode("month", Month::parse(&r.text("month")?))?);
                for cell in r.text("cells")?.split(',') {
                    let (bucket, count) = decode(
                        "cells",
                        cell.split_once(':')
                            .and_then(|(b, c)| Some((b.parse().ok()?, c.parse().ok()?)))
                            .ok_or_else(|| format!("{cell} is not bucket:count")),
                    )?;
                    counts[chunk_start + at].add(*component, law, month, bucket, count);
                }
            }
        }
    }
    median_days(tx, &keys, components, periods, &mut counts).await?;
    Ok(counts)
}

/// Adds to `counts` (one for each scope in `keys`) what their medians need
/// besides the 13-week spans: the weeks of the span each median falls in,
/// then the days of its week. One query a span or week, for every scope and
/// month that wants it; nothing is read twice.
async fn median_days(
    tx: &mut dyn Tx,
    keys: &[String],
    components: &[Component],
    periods: &[Period],
    counts: &mut [ScopeCounts],
) -> Result<(), StoreError> {
    type Wanted = BTreeMap<(Component, i64, i64), (BTreeSet<usize>, BTreeSet<Month>)>;
    let mut read: BTreeSet<(Component, i64, usize, Month)> = BTreeSet::new();
    loop {
        let mut wanted: Wanted = BTreeMap::new();
        let mut fresh: BTreeSet<(Component, i64, usize, Month)> = BTreeSet::new();
        for (at, scope_counts) in counts.iter().enumerate() {
            for (component, first, last, lo, hi) in scope_counts.median_wanted(components, periods)
            {
                let mut month = first;
                while month <= last {
                    if read.insert((component, lo, at, month)) {
                        fresh.insert((component, lo, at, month));
                        let (scopes, months) = wanted.entry((component, lo, hi)).or_default();
                        scopes.insert(at);
                        months.insert(month);
                    }
                    month = month.next();
                }
            }
        }
        // Nothing new to read: every median is found, or the rollups are
        // inconsistent (`tandem rollups verify` says where) and it is none.
        if wanted.is_empty() {
            return Ok(());
        }
        for ((component, lo, hi), (wanting, months)) in wanted {
            let wanting: Vec<usize> = wanting.into_iter().collect();
            for chunk in wanting.chunks(IDS_AT_ONCE) {
                let mut params: Vec<Param> = vec![component.slug().into(), lo.into(), hi.into()];
                let laws = marks(
                    &mut params,
                    LawType::ALL.iter().map(|l| Param::from(l.slug())),
                );
                let scopes = marks(
                    &mut params,
                    chunk.iter().map(|at| Param::from(keys[*at].as_str())),
                );
                let in_months = marks(
                    &mut params,
                    months.iter().map(|m| Param::from(m.to_string())),
                );
                // Every column of the key before the bucket is pinned, so
                // each (scope, month, law) is one short seek.
                let sql = format!(
                    "SELECT scope, month, law_type, bucket, count FROM measure_rollups \
                     WHERE component = $1 AND bucket >= $2 AND bucket <= $3 \
                     AND scope IN ({scopes}) AND month IN ({in_months}) \
                     AND law_type IN ({laws}) AND count <> 0"
                );
                for r in tx.fetch_all(&sql, &params).await? {
                    let key = r.text("scope")?;
                    let Some(at) = chunk.iter().find(|at| keys[**at] == key) else {
                        continue;
                    };
                    let month = decode("month", Month::parse(&r.text("month")?))?;
                    // Months another scope wanted are read for this one
                    // too; taken only where this scope wanted them now.
                    if !fresh.contains(&(component, lo, *at, month)) {
                        continue;
                    }
                    counts[*at].add(
                        component,
                        law(&r)?,
                        month,
                        r.i64("bucket")?,
                        r.i64("count")?,
                    );
                }
            }
        }
    }
}

/// Appends `items` to `params` and gives their placeholders, comma-separated.
fn marks(params: &mut Vec<Param>, items: impl Iterator<Item = Param>) -> String {
    let start = params.len() + 1;
    params.extend(items);
    (start..=params.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
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

/// A table with a row a case, that a scope's condition is on.
pub(crate) struct CaseTable<'a> {
    pub name: &'a str,
    /// Its column naming the case.
    pub id: &'a str,
    /// A condition on its rows besides the scope, already in the query,
    /// that an index on the team can use with it.
    pub narrowed: &'a str,
}

/// Cases ever held in `scope`: by its team now or by a team it was
/// transferred from or to; as a condition on `table`.
pub(crate) fn scope_condition(
    scope: Scope,
    params: &mut Vec<Param>,
    table: &CaseTable<'_>,
) -> String {
    let mut mark = |id: i64| {
        params.push(id.into());
        format!("${}", params.len())
    };
    // Two lookups joined, rather than one condition with OR, so that each
    // can use its index.
    let held = |teams: String| {
        format!(
            "{id} IN (SELECT {id} FROM {name} WHERE team_id IN ({teams}) AND {narrowed} \
             UNION SELECT case_id FROM case_transfers \
             WHERE from_team_id IN ({teams}) OR to_team_id IN ({teams}))",
            id = table.id,
            name = table.name,
            narrowed = table.narrowed,
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
        Scope::DfjArea(id) => format!(
            "court_id IN (SELECT c.id FROM courts c JOIN dfj_areas d ON d.name = c.dfj_area \
             WHERE d.id = {})",
            mark(id)
        ),
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
    let rows = candidate_cases(tx, scope, first, last, access).await?;
    let mut all = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(IDS_AT_ONCE) {
        all.extend(with_facts(tx, chunk).await?);
    }
    Ok(all)
}

/// The cases ever held in `scope` and open at some time from `first` to
/// `last`, each with whether `access` lets the reader see it.
async fn candidate_cases(
    tx: &mut dyn Tx,
    scope: Scope,
    first: Date,
    last: Date,
    access: Option<&AccessScope>,
) -> Result<Vec<(Case, bool)>, StoreError> {
    let mut params: Vec<Param> = vec![last.into(), first.into()];
    let open_then = "received_on <= $1 AND (closed_on IS NULL OR closed_on >= $2)";
    let in_scope = scope_condition(
        scope,
        &mut params,
        &CaseTable {
            name: "cases",
            id: "id",
            narrowed: open_then,
        },
    );
    // Without an access scope the caller may only count, never name.
    let visible = match access {
        Some(access) => team_scope_condition(access, &mut params),
        None => "1 = 1".into(),
    };
    let sql = format!(
        "SELECT {CASE_COLUMNS}, CASE WHEN {visible} THEN 1 ELSE 0 END AS visible FROM cases \
         WHERE {open_then} AND {in_scope} \
         ORDER BY received_on, id"
    );
    fetch_as(tx, &sql, &params, |r| {
        Ok((case_from(r)?, r.i64("visible")? == 1))
    })
    .await
}

/// `cases` with their facts.
async fn with_facts(
    tx: &mut dyn Tx,
    cases: &[(Case, bool)],
) -> Result<Vec<(Case, CaseFacts, bool)>, StoreError> {
    let ids: Vec<i64> = cases.iter().map(|(c, _)| c.id.0).collect();
    let mut facts = facts_of(tx, Which::Ids(&ids)).await?;
    Ok(cases
        .iter()
        .filter_map(|(case, visible)| {
            let f = facts.remove(&case.id.0)?;
            Some((case.clone(), f, *visible))
        })
        .collect())
}
