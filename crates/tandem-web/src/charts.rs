//! Charts for the measures dashboards, drawn on the server as SVG: no
//! script and nothing fetched. Each chart is an image whose title and
//! description (a summary of its data) are read out by screen readers, and
//! [`Figure`] shows it with the same figures as a table, for everyone a
//! chart does not serve.
//!
//! Every piece of text is escaped here, so the markup can be embedded as it
//! is. Lengths are in the SVG's own units; the image scales to the width of
//! its container.

use askama::Template;
use std::iter;
use tandem_domain::choice::Choice;
use tandem_domain::clocks::Rag;
use tandem_domain::measures::{Unit, Value, target_status};

/// One measure's values by period (a line chart) or by area (a bar chart).
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Makes the chart's element ids unique on its page. Anything but ASCII
    /// letters, digits, `-` and `_` is replaced.
    pub id: String,
    pub title: String,
    /// What the labels name, such as "Month" or "Service area".
    pub category: String,
    /// One per period or area, in the order drawn.
    pub labels: Vec<String>,
    pub unit: Unit,
    pub series: Series,
    /// Another series over the same labels, such as England beside an area.
    pub comparison: Option<Series>,
    pub target: Option<f64>,
    /// The main series' status at each label. A bar chart colours its bars
    /// by it and writes it beside them; both tables list it. Empty for none.
    pub status: Vec<Option<Rag>>,
    /// Where the main series' value at each label leads, such as the cases
    /// behind it; the table links the value there. Empty for none.
    pub links: Vec<Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One per label. `None`, a missing entry or a value that is not a
    /// finite number is "no data": a gap, never a zero.
    pub values: Vec<Option<f64>>,
}

/// A chart's figures as rows for a GOV.UK table.
#[derive(Debug, Clone, PartialEq)]
pub struct DataTable {
    pub caption: String,
    /// Column headings; the first heads the row labels.
    pub head: Vec<String>,
    /// How many columns after the first hold numbers (aligned right); the
    /// rest hold words.
    pub numeric: usize,
    /// Each row starts with its label.
    pub rows: Vec<Vec<String>>,
    /// Where each row's first value leads, if anywhere.
    pub links: Vec<Option<String>>,
}

impl DataTable {
    /// Each row with where its first value leads, if anywhere.
    pub fn linked_rows(&self) -> impl Iterator<Item = (&Vec<String>, Option<&str>)> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row, self.links.get(i).and_then(|l| l.as_deref())))
    }
}

/// A chart with its table under it, in a "Show the data as a table"
/// details: put `{{ figure }}` in a page.
#[derive(Template)]
#[template(path = "chart.html")]
pub struct Figure {
    svg: String,
    table: DataTable,
}

impl Figure {
    pub fn line(chart: &Chart) -> Self {
        Self {
            svg: line_chart(chart),
            table: data_table(chart),
        }
    }

    pub fn bar(chart: &Chart) -> Self {
        Self {
            svg: bar_chart(chart),
            table: data_table(chart),
        }
    }
}

// The template escapes every value it writes; the SVG is escaped here.
impl askama::filters::HtmlSafe for Figure {}

// GOV.UK Frontend 6 palette. Against white: text and black 19.6:1,
// black tint-25 9.0:1; blue 5.2:1, red 5.2:1, orange shade-25 4.7:1,
// green 5.4:1, all above the 3:1 that lines and bars need.
const TEXT: &str = "#0b0c0c";
const SECONDARY: &str = "#484949";
const GRID: &str = "#cecece";
const BLUE: &str = "#1d70b8";

fn rag_colour(status: Rag) -> &'static str {
    match status {
        Rag::Red => "#ca3535",
        Rag::Amber => "#b7592a",
        Rag::Green => "#0f7a52",
    }
}

const FONT: f64 = 14.0;
/// A generous average glyph width, to keep estimated labels apart.
const CHAR: f64 = FONT * 0.6;
const LINE_WIDTH: f64 = 640.0;
const LINE_PLOT_HEIGHT: f64 = 240.0;
const BAR_PLOT_WIDTH: f64 = 360.0;
const BAR_ROW: f64 = 36.0;
const BAR_THICKNESS: f64 = 22.0;
/// Line charts mark every point up to this many; beyond, only points with
/// no neighbour, which a line alone would not show.
const MARK_ALL_UP_TO: usize = 40;

impl Series {
    fn value(&self, i: usize) -> Option<f64> {
        self.values
            .get(i)
            .copied()
            .flatten()
            .filter(|v| v.is_finite())
    }
}

impl Chart {
    fn all_series(&self) -> impl Iterator<Item = &Series> {
        iter::once(&self.series).chain(&self.comparison)
    }

    fn status_at(&self, i: usize) -> Option<Rag> {
        self.status.get(i).copied().flatten()
    }

    fn target_value(&self) -> Option<f64> {
        self.target.filter(|t| t.is_finite())
    }

    fn show(&self, value: Option<f64>) -> String {
        value
            .map_or_else(Value::none, Value::amount)
            .display(self.unit)
    }

    /// The axis for every value and the target; `None` when no series has
    /// a value, so nothing is drawn from made-up numbers.
    fn scale(&self) -> Option<Scale> {
        let values: Vec<f64> = self
            .all_series()
            .flat_map(|s| (0..self.labels.len()).filter_map(|i| s.value(i)))
            .collect();
        if values.is_empty() {
            return None;
        }
        let whole = matches!(self.unit, Unit::Cases | Unit::Children);
        Some(Scale::new(
            values.into_iter().chain(self.target_value()),
            whole,
        ))
    }
}

/// A value axis: ticks `first × step` to `last × step`, the step 1, 2 or 5
/// times a power of ten, about five of them. It always takes in zero, so a
/// bar's length or a line's height is never exaggerated.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    first: i64,
    last: i64,
    step: f64,
}

impl Scale {
    fn new(values: impl Iterator<Item = f64>, whole: bool) -> Self {
        let (low, high) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        // Fifths of each end, not of their difference, which could overflow.
        let rough = high / 5.0 - low / 5.0;
        let rough = if rough > 0.0 { rough } else { 1.0 };
        let magnitude = 10_f64.powf(rough.log10().floor());
        let step = [1.0, 2.0, 5.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= rough)
            .unwrap_or(10.0 * magnitude);
        // Counts have no fractional ticks.
        let step = if whole { step.max(1.0) } else { step };
        // The slack keeps a value on a tick (0.3 ÷ 0.1 = 2.9999…) from
        // adding an empty tick beyond it.
        let first = (low / step + 1e-9).floor() as i64;
        let last = ((high / step - 1e-9).ceil() as i64).max(first + 1);
        Self { first, last, step }
    }

    fn low(&self) -> f64 {
        self.first as f64 * self.step
    }

    fn high(&self) -> f64 {
        self.last as f64 * self.step
    }

    /// Where `value` falls, from 0 at the low end to 1 at the high end.
    fn fraction(&self, value: f64) -> f64 {
        (value - self.low()) / (self.high() - self.low())
    }

    fn ticks(&self, unit: Unit) -> Vec<(f64, String)> {
        let decimals = (-self.step.log10().floor()).max(0.0) as usize;
        let suffix = if unit == Unit::Percent { "%" } else { "" };
        (self.first..=self.last)
            .map(|k| {
                let value = k as f64 * self.step;
                (value, format!("{value:.decimals$}{suffix}"))
            })
            .collect()
    }
}

/// A time series: the main series as a solid line with round markers, the
/// comparison dashed with square ones, the target as a dotted line
/// labelled "Target". A period with no data leaves a gap in the line.
pub fn line_chart(chart: &Chart) -> String {
    let Some(scale) = chart.scale() else {
        return no_data(chart, describe(chart, true));
    };
    let n = chart.labels.len();
    let ticks = scale.ticks(chart.unit);
    let tick_width = widest(ticks.iter().map(|t| t.1.as_str()));
    let label_width = widest(chart.labels.iter().map(String::as_str));

    let legend = if chart.comparison.is_some() {
        2.0 * FONT
    } else {
        0.0
    };
    let left = (tick_width + 10.0).max(label_width / 2.0);
    let right = LINE_WIDTH - (label_width / 2.0).max(8.0);
    let top = legend + 2.0 * FONT + 8.0;
    let bottom = top + LINE_PLOT_HEIGHT;
    let height = bottom + 2.0 * FONT + 24.0;
    let band = (right - left) / n as f64;
    let x = |i: usize| left + band * (i as f64 + 0.5);
    let y = |v: f64| bottom - scale.fraction(v) * LINE_PLOT_HEIGHT;

    let mut svg = open(chart, LINE_WIDTH, height, &describe(chart, true));
    svg.push_str(&text(0.0, legend + FONT, "start", chart.unit.label()));
    for (value, label) in &ticks {
        svg.push_str(&grid_line((left, y(*value)), (right, y(*value)), *value));
        svg.push_str(&text(left - 6.0, y(*value), "end", label));
    }

    // A label every so many periods, as few as fit, counted back from the
    // latest so that it is always labelled. The steps divide a year of
    // months or quarters, so the labelled periods line up (every March).
    let fit = ((right - left) / (label_width + 12.0)).floor().max(1.0) as usize;
    let needed = n.div_ceil(fit);
    let every = [1, 2, 3, 4, 6, 12]
        .into_iter()
        .find(|step| *step >= needed)
        .unwrap_or_else(|| needed.div_ceil(12) * 12);
    svg.push_str(r#"<g class="tandem-chart__labels">"#);
    for (i, label) in chart.labels.iter().enumerate() {
        if (n - 1 - i).is_multiple_of(every) {
            svg.push_str(&text(x(i), bottom + FONT + 4.0, "middle", label));
        }
    }
    svg.push_str("</g>");
    svg.push_str(&text(
        (left + right) / 2.0,
        bottom + 2.0 * FONT + 14.0,
        "middle",
        &chart.category,
    ));

    if let Some(target) = chart.target_value() {
        svg.push_str(&target_line((left, y(target)), (right, y(target))));
        svg.push_str(&text(
            right,
            y(target) - FONT * 0.7,
            "end",
            &format!("Target: {}", chart.show(Some(target))),
        ));
    }

    let mut legend_x = 0.0;
    for (style, series) in LINE_STYLES.iter().zip(chart.all_series()) {
        let point = |i: usize| {
            (i < n)
                .then(|| series.value(i))
                .flatten()
                .map(|v| (x(i), y(v)))
        };
        let mut path = String::new();
        let mut marks = String::new();
        for i in 0..n {
            let Some((px, py)) = point(i) else { continue };
            let joined = i > 0 && point(i - 1).is_some();
            path.push_str(&format!(
                "{}{} {} ",
                if joined { "L" } else { "M" },
                num(px),
                num(py)
            ));
            let alone = !joined && point(i + 1).is_none();
            if n <= MARK_ALL_UP_TO || alone {
                marks.push_str(&style.mark(px, py));
            }
        }
        svg.push_str(&format!(
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="2.5"{}/>"#,
            path.trim_end(),
            style.colour,
            style.dash,
        ));
        svg.push_str(&marks);
        if chart.comparison.is_some() {
            let ly = FONT;
            svg.push_str(&format!(
                r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2.5"{}/>"#,
                num(legend_x),
                num(legend_x + 28.0),
                style.colour,
                style.dash
            ));
            svg.push_str(&style.mark(legend_x + 14.0, ly));
            svg.push_str(&text(legend_x + 36.0, ly, "start", &series.name));
            legend_x += 36.0 + text_width(&series.name) + 24.0;
        }
    }
    svg.push_str("</svg>");
    svg
}

/// How a line chart draws each series, so that none is told apart by
/// colour alone.
struct LineStyle {
    colour: &'static str,
    dash: &'static str,
    square: bool,
}

const LINE_STYLES: [LineStyle; 2] = [
    LineStyle {
        colour: BLUE,
        dash: "",
        square: false,
    },
    LineStyle {
        colour: TEXT,
        dash: r#" stroke-dasharray="8 4""#,
        square: true,
    },
];

impl LineStyle {
    fn mark(&self, x: f64, y: f64) -> String {
        if self.square {
            format!(
                r#"<rect x="{}" y="{}" width="7" height="7" fill="{}"/>"#,
                num(x - 3.5),
                num(y - 3.5),
                self.colour
            )
        } else {
            format!(
                r#"<circle cx="{}" cy="{}" r="4" fill="{}"/>"#,
                num(x),
                num(y),
                self.colour
            )
        }
    }
}

/// Horizontal bars, one per label, coloured by status where there is one
/// and always with the value and the status written beside the bar. A
/// comparison is a black mark across each bar; the target a dotted line.
pub fn bar_chart(chart: &Chart) -> String {
    let Some(scale) = chart.scale() else {
        return no_data(chart, describe(chart, false));
    };
    let ticks = scale.ticks(chart.unit);
    let values: Vec<String> = (0..chart.labels.len())
        .map(|i| bar_text(chart, i))
        .collect();
    let label_width = widest(chart.labels.iter().map(String::as_str));
    let value_width = widest(values.iter().map(String::as_str));
    let tick_width = widest(ticks.iter().map(|t| t.1.as_str()));

    let legend = if chart.comparison.is_some() {
        2.0 * FONT
    } else {
        0.0
    };
    let target_row = if chart.target_value().is_some() {
        FONT + 10.0
    } else {
        0.0
    };
    let left = label_width + 16.0;
    let right = left + BAR_PLOT_WIDTH;
    let top = legend + target_row + 8.0;
    let bottom = top + BAR_ROW * chart.labels.len() as f64;
    let width = (right + value_width + 12.0).max(right + tick_width / 2.0);
    let height = bottom + 2.0 * FONT + 24.0;
    let x = |v: f64| left + scale.fraction(v) * BAR_PLOT_WIDTH;
    let zero = x(0.0);

    let mut svg = open(chart, width, height, &describe(chart, false));
    for (value, label) in &ticks {
        svg.push_str(&grid_line((x(*value), top), (x(*value), bottom), *value));
        svg.push_str(&text(x(*value), bottom + FONT + 4.0, "middle", label));
    }
    svg.push_str(&text(
        (left + right) / 2.0,
        bottom + 2.0 * FONT + 14.0,
        "middle",
        chart.unit.label(),
    ));
    for (i, label) in chart.labels.iter().enumerate() {
        let middle = top + BAR_ROW * (i as f64 + 0.5);
        svg.push_str(&text(left - 8.0, middle, "end", label));
        let mut end = zero;
        if let Some(v) = chart.series.value(i) {
            let colour = chart.status_at(i).map_or(BLUE, rag_colour);
            svg.push_str(&format!(
                r#"<rect x="{}" y="{}" width="{}" height="{BAR_THICKNESS}" fill="{colour}"/>"#,
                num(zero.min(x(v))),
                num(middle - BAR_THICKNESS / 2.0),
                num((x(v) - zero).abs()),
            ));
            end = end.max(x(v));
        }
        if let Some(c) = chart.comparison.as_ref().and_then(|s| s.value(i)) {
            svg.push_str(&comparison_mark(x(c), middle));
            end = end.max(x(c) + 2.0);
        }
        svg.push_str(&text(end + 6.0, middle, "start", &values[i]));
    }
    if let Some(target) = chart.target_value() {
        let tx = x(target);
        svg.push_str(&target_line((tx, top - 4.0), (tx, bottom)));
        svg.push_str(&text(
            tx,
            top - FONT / 2.0 - 6.0,
            "middle",
            &format!("Target: {}", chart.show(Some(target))),
        ));
    }
    if let Some(comparison) = &chart.comparison {
        svg.push_str(&comparison_mark(4.0, FONT));
        svg.push_str(&text(14.0, FONT, "start", &comparison.name));
    }
    svg.push_str("</svg>");
    svg
}

/// What is written beside a bar: the value, and its status in words.
fn bar_text(chart: &Chart, i: usize) -> String {
    let value = chart.show(chart.series.value(i));
    match chart.status_at(i) {
        Some(status) if chart.series.value(i).is_some() => {
            format!("{value} ({})", target_status(status))
        }
        _ => value,
    }
}

fn comparison_mark(x: f64, middle: f64) -> String {
    let half = BAR_THICKNESS / 2.0 + 4.0;
    format!(
        r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{TEXT}" stroke-width="4"/>"#,
        num(middle - half),
        num(middle + half),
        x = num(x),
    )
}

/// The chart's figures as rows: label, the series' values, the
/// comparison's, and the status when there is any.
pub fn data_table(chart: &Chart) -> DataTable {
    let with_status = chart.status.iter().any(Option::is_some);
    let mut head = vec![chart.category.clone()];
    head.extend(chart.all_series().map(|s| s.name.clone()));
    let numeric = head.len() - 1;
    if with_status {
        head.push("Status".into());
    }
    let rows = chart
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut row = vec![label.clone()];
            row.extend(chart.all_series().map(|s| chart.show(s.value(i))));
            if with_status {
                row.push(chart.status_at(i).map_or("", target_status).into());
            }
            row
        })
        .collect();
    let caption = match chart.target_value() {
        Some(target) => format!("{} (target: {})", chart.title, chart.show(Some(target))),
        None => chart.title.clone(),
    };
    DataTable {
        caption,
        head,
        numeric,
        rows,
        links: (0..chart.labels.len())
            .map(|i| chart.links.get(i).cloned().flatten())
            .collect(),
    }
}

/// The description read out with the title: what the values are, over
/// which labels, each series' latest (over time), lowest and highest
/// values and how many labels have none, the statuses and the target.
fn describe(chart: &Chart, over_time: bool) -> String {
    let n = chart.labels.len();
    let what = format!(
        "{} by {}",
        chart.unit.label(),
        chart.category.to_lowercase()
    );
    let mut parts = vec![match (chart.labels.first(), chart.labels.last()) {
        (Some(first), Some(last)) if over_time && n > 1 => format!("{what}, {first} to {last}."),
        (Some(only), _) if n == 1 => format!("{what}, {only}."),
        _ => format!("{what}, {n} shown."),
    }];
    parts.extend(
        chart
            .all_series()
            .map(|series| describe_series(chart, series, over_time)),
    );
    let counts: Vec<String> = [Rag::Red, Rag::Amber, Rag::Green]
        .into_iter()
        .filter_map(|rag| {
            let count = (0..n).filter(|i| chart.status_at(*i) == Some(rag)).count();
            (count > 0).then(|| format!("{}: {count}", target_status(rag)))
        })
        .collect();
    if !counts.is_empty() {
        parts.push(format!("{}.", counts.join(", ")));
    }
    if let Some(target) = chart.target_value() {
        parts.push(format!("Target: {}.", chart.show(Some(target))));
    }
    parts.join(" ")
}

fn describe_series(chart: &Chart, series: &Series, over_time: bool) -> String {
    let n = chart.labels.len();
    let points: Vec<(usize, f64)> = (0..n)
        .filter_map(|i| series.value(i).map(|v| (i, v)))
        .collect();
    let at = |(i, v): (usize, f64)| format!("{} ({})", chart.show(Some(v)), chart.labels[i]);
    let name = &series.name;
    let (Some(&latest), Some(&lowest), Some(&highest)) = (
        points.last(),
        // The first of equal values, for both.
        points.iter().min_by(|a, b| a.1.total_cmp(&b.1)),
        points.iter().rev().max_by(|a, b| a.1.total_cmp(&b.1)),
    ) else {
        return format!("{name}: no data.");
    };
    let mut facts = Vec::new();
    if points.len() == 1 {
        facts.push(at(latest));
    } else {
        if over_time {
            facts.push(format!("latest {}", at(latest)));
        }
        facts.push(format!("lowest {}", at(lowest)));
        facts.push(format!("highest {}", at(highest)));
    }
    if points.len() < n {
        facts.push(format!("no data for {} of {n}", n - points.len()));
    }
    format!("{name}: {}.", facts.join(", "))
}

/// The chart when there is nothing to draw: its title, and "No data".
fn no_data(chart: &Chart, description: String) -> String {
    let mut svg = open(chart, LINE_WIDTH, 80.0, &description);
    svg.push_str(&text(LINE_WIDTH / 2.0, 40.0, "middle", "No data"));
    svg.push_str("</svg>");
    svg
}

fn open(chart: &Chart, width: f64, height: f64, description: &str) -> String {
    let id = element_id(&chart.id);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="tandem-chart__svg" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {} {}" width="100%" font-size="{FONT}" fill="{TEXT}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        num(width),
        num(height),
        escape(&chart.title),
        escape(description),
    )
}

/// A grid line at a tick; the one at zero is the axis, drawn in black.
fn grid_line(from: (f64, f64), to: (f64, f64), value: f64) -> String {
    let colour = if value == 0.0 { TEXT } else { GRID };
    format!(
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{colour}" stroke-width="1"/>"#,
        num(from.0),
        num(from.1),
        num(to.0),
        num(to.1)
    )
}

fn target_line(from: (f64, f64), to: (f64, f64)) -> String {
    format!(
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{SECONDARY}" stroke-width="2" stroke-dasharray="2 3"/>"#,
        num(from.0),
        num(from.1),
        num(to.0),
        num(to.1)
    )
}

/// Text centred vertically on `y`.
fn text(x: f64, y: f64, anchor: &str, content: &str) -> String {
    format!(
        r#"<text x="{}" y="{}" dy="0.35em" text-anchor="{anchor}">{}</text>"#,
        num(x),
        num(y),
        escape(content)
    )
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR
}

fn widest<'a>(texts: impl Iterator<Item = &'a str>) -> f64 {
    texts.map(text_width).fold(0.0, f64::max)
}

fn num(value: f64) -> String {
    format!("{value:.1}")
}

/// `raw` as an id: ASCII letters, digits, `-` and `_`, starting with a letter.
fn element_id(raw: &str) -> String {
    let id: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id
    } else {
        format!("chart-{id}")
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(labels: &[&str], values: &[Option<f64>]) -> Chart {
        Chart {
            id: "demand".into(),
            title: "New cases".into(),
            category: "Month".into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            unit: Unit::Cases,
            series: Series {
                name: "A1".into(),
                values: values.to_vec(),
            },
            comparison: None,
            target: None,
            status: Vec::new(),
            links: Vec::new(),
        }
    }

    /// Nothing made up and nothing broken, whatever the data.
    fn assert_sound(svg: &str) {
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }

    fn desc(svg: &str) -> &str {
        let start = svg.find("-desc\">").expect("a description") + "-desc\">".len();
        &svg[start..start + svg[start..].find("</desc>").expect("closed")]
    }

    /// The `d` of each `<path>`, in order.
    fn paths(svg: &str) -> Vec<&str> {
        svg.split("<path d=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').expect("closed")])
            .collect()
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let mut c = chart(&["A&B <1>", "\"C\""], &[Some(1.0), Some(2.0)]);
        c.title = "Cases <b>& \"all\"</b>".into();
        c.series.name = "<Area's>".into();
        for svg in [line_chart(&c), bar_chart(&c)] {
            assert_sound(&svg);
            assert!(svg.contains(
                "<title id=\"demand-title\">Cases &lt;b&gt;&amp; &quot;all&quot;&lt;/b&gt;</title>"
            ));
            assert!(svg.contains("A&amp;B &lt;1&gt;"));
            assert!(svg.contains("&lt;Area&#39;s&gt;"));
            assert!(!svg.contains("<b>") && !svg.contains("<1>") && !svg.contains("<Area"));
        }
        let page = Figure::line(&c).to_string();
        assert!(!page.contains("<b>") && !page.contains("<1>") && !page.contains("<Area"));
        // Askama escapes the table as numeric references.
        assert!(
            page.contains(
                "<th scope=\"row\" class=\"govuk-table__header\">A&#38;B &#60;1&#62;</th>"
            )
        );
    }

    #[test]
    fn a_period_with_no_data_is_a_gap_not_a_zero() {
        let c = chart(
            &["Jan", "Feb", "Mar", "Apr", "May"],
            &[Some(10.0), Some(12.0), None, Some(14.0), Some(16.0)],
        );
        let svg = line_chart(&c);
        assert_sound(&svg);
        let d = paths(&svg)[0];
        // Two runs: Jan–Feb and Apr–May, each a move then one line.
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 2, "{d}");
        // Nothing is drawn on the zero line (the plot's bottom).
        let zero_y = format!(" {}", num(2.0 * FONT + 8.0 + LINE_PLOT_HEIGHT));
        assert!(!d.contains(&zero_y), "{d}");
        // The missing value is no data in the table, not 0.
        assert_eq!(data_table(&c).rows[2], ["Mar", "no data"]);
    }

    #[test]
    fn ticks_are_nice_round_steps_from_zero() {
        let labels = |values: &[f64], unit| {
            Scale::new(values.iter().copied(), unit == Unit::Cases)
                .ticks(unit)
                .into_iter()
                .map(|t| t.1)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(&[12.0, 87.0], Unit::Weeks),
            ["0", "20", "40", "60", "80", "100"]
        );
        assert_eq!(
            labels(&[40.0, 100.0], Unit::Percent),
            ["0%", "20%", "40%", "60%", "80%", "100%"]
        );
        assert_eq!(labels(&[0.3], Unit::Ratio), ["0.0", "0.1", "0.2", "0.3"]);
        // Counts never get fractional ticks.
        assert_eq!(labels(&[3.0], Unit::Cases), ["0", "1", "2", "3"]);
        // All zero still makes an axis.
        assert_eq!(labels(&[0.0], Unit::Cases), ["0", "1"]);
    }

    #[test]
    fn negative_values_extend_the_axis_below_zero() {
        let mut c = chart(&["A1", "A2"], &[Some(-12.5), Some(3.0)]);
        c.unit = Unit::Ratio;
        let scale = c.scale().expect("values");
        let ticks: Vec<String> = scale.ticks(c.unit).into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["-15", "-10", "-5", "0", "5"]);
        let svg = bar_chart(&c);
        assert_sound(&svg);
        assert!(svg.contains(">-12.5</text>") && svg.contains(">3.0</text>"));
        // Both bars start at zero, one to each side, with positive widths.
        let left = label_width_of(&c) + 16.0;
        let zero = left + scale.fraction(0.0) * BAR_PLOT_WIDTH;
        let negative = left + scale.fraction(-12.5) * BAR_PLOT_WIDTH;
        assert!(svg.contains(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\"",
            num(negative),
            num(8.0 + BAR_ROW / 2.0 - BAR_THICKNESS / 2.0),
            num(zero - negative)
        )));
        assert!(svg.contains(&format!("<rect x=\"{}\"", num(zero))));
        assert_sound(&line_chart(&c));
    }

    fn label_width_of(c: &Chart) -> f64 {
        widest(c.labels.iter().map(String::as_str))
    }

    #[test]
    fn a_single_point_is_marked_and_described() {
        let c = chart(&["Apr 2016"], &[Some(5.0)]);
        let svg = line_chart(&c);
        assert_sound(&svg);
        assert_eq!(svg.matches("<circle").count(), 1);
        assert_eq!(desc(&svg), "Cases by month, Apr 2016. A1: 5 (Apr 2016).");
    }

    #[test]
    fn a_lone_point_among_many_is_still_marked() {
        let mut values = vec![None; 60];
        values[30] = Some(4.0);
        values[40] = Some(5.0);
        values[41] = Some(6.0);
        let labels: Vec<String> = (0..60).map(|i| format!("P{i}")).collect();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let svg = line_chart(&chart(&labels, &values));
        assert_sound(&svg);
        // More than 40 points: only the one with no neighbour is marked.
        assert_eq!(svg.matches("<circle").count(), 1);
    }

    #[test]
    fn no_data_at_all_says_so_and_draws_nothing_made_up() {
        let mut c = chart(&["Jan", "Feb", "Mar"], &[None, None, Some(f64::NAN)]);
        c.target = Some(50.0);
        c.unit = Unit::Percent;
        c.comparison = Some(Series {
            name: "England".into(),
            values: vec![None, Some(f64::INFINITY)],
        });
        for svg in [line_chart(&c), bar_chart(&c)] {
            assert_sound(&svg);
            assert!(svg.contains(">No data</text>"));
            assert!(!svg.contains("<path") && !svg.contains("<rect"));
            assert!(desc(&svg).contains("A1: no data. England: no data."));
        }
        let empty = chart(&[], &[]);
        for svg in [line_chart(&empty), bar_chart(&empty)] {
            assert_sound(&svg);
            assert!(svg.contains(">No data</text>"));
        }
    }

    #[test]
    fn percentages_have_one_decimal_place_and_a_sign() {
        let mut c = chart(&["A1", "A2"], &[Some(200.0 / 3.0), Some(50.0)]);
        c.unit = Unit::Percent;
        c.target = Some(60.0);
        let svg = bar_chart(&c);
        assert_sound(&svg);
        assert!(svg.contains(">66.7%</text>") && svg.contains(">50.0%</text>"));
        assert!(svg.contains(">Target: 60.0%</text>"));
        assert!(svg.contains(">80%</text>"), "ticks are whole per cents");
        assert_eq!(
            desc(&svg),
            "Per cent by month, 2 shown. A1: lowest 50.0% (A2), highest 66.7% (A1). Target: 60.0%."
        );
        let table = data_table(&c);
        assert_eq!(table.caption, "New cases (target: 60.0%)");
        assert_eq!(table.rows[0], ["A1", "66.7%"]);
    }

    #[test]
    fn labels_are_thinned_so_120_months_do_not_overlap() {
        const MONTHS: [&str; 12] = [
            "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar",
        ];
        let labels: Vec<String> = (0..120)
            .map(|i| format!("{} {}", MONTHS[i % 12], 2016 + (i + 3) / 12))
            .collect();
        let values: Vec<Option<f64>> = (0..120).map(|i| Some(f64::from(i % 17))).collect();
        let mut c = chart(&[], &values);
        c.labels = labels;
        let svg = line_chart(&c);
        assert_sound(&svg);
        let group = svg
            .split("<g class=\"tandem-chart__labels\">")
            .nth(1)
            .and_then(|rest| rest.split("</g>").next())
            .expect("the period labels");
        let xs: Vec<f64> = group
            .split("<text x=\"")
            .skip(1)
            .map(|t| t[..t.find('"').expect("closed")].parse().expect("a number"))
            .collect();
        assert!((4..=12).contains(&xs.len()), "{} labels", xs.len());
        // Each label is at least its own width (8 characters) from the next.
        for pair in xs.windows(2) {
            assert!(pair[1] - pair[0] >= 8.0 * CHAR, "{pair:?}");
        }
        // The latest period is always labelled, and the others are the
        // same month of other years: every second March.
        let shown: Vec<&str> = group
            .split("</text>")
            .filter_map(|t| t.rsplit('>').next())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(
            shown,
            ["Mar 2018", "Mar 2020", "Mar 2022", "Mar 2024", "Mar 2026"]
        );
        // 120 points are not each marked.
        assert_eq!(svg.matches("<circle").count(), 0);
    }

    #[test]
    fn ids_are_sanitised() {
        let mut c = chart(&["Jan"], &[Some(1.0)]);
        c.id = "area A1\"><script>".into();
        let svg = line_chart(&c);
        assert!(svg.contains("aria-labelledby=\"area-A1---script--title area-A1---script--desc\""));
        assert!(svg.contains("<title id=\"area-A1---script--title\">"));
        assert!(svg.contains("<desc id=\"area-A1---script--desc\">"));
        assert!(!svg.contains("<script"));
        assert_eq!(element_id("2024 chart"), "chart-2024-chart");
        assert_eq!(element_id(""), "chart-");
        assert_eq!(element_id("care_26-weeks"), "care_26-weeks");
    }

    #[test]
    fn the_description_gives_the_range_latest_lowest_and_highest() {
        let mut c = chart(
            &["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul"],
            &[
                Some(5.0),
                Some(2.0),
                None,
                Some(9.0),
                Some(2.0),
                Some(7.0),
                None,
            ],
        );
        c.comparison = Some(Series {
            name: "England".into(),
            values: vec![Some(4.0), Some(6.0)],
        });
        let svg = line_chart(&c);
        assert_sound(&svg);
        assert_eq!(
            desc(&svg),
            "Cases by month, Jan to Jul. \
             A1: latest 7 (Jun), lowest 2 (Feb), highest 9 (Apr), no data for 2 of 7. \
             England: latest 6 (Feb), lowest 4 (Jan), highest 6 (Feb), no data for 5 of 7."
        );
        assert!(svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tandem-chart__svg\" role=\"img\" \
             aria-labelledby=\"demand-title demand-desc\" viewBox=\"0 0 640.0 "
        ));
    }

    #[test]
    fn a_comparison_is_dashed_with_square_marks_and_named_in_a_legend() {
        let mut c = chart(&["Jan", "Feb", "Mar"], &[Some(1.0), Some(2.0), Some(3.0)]);
        c.comparison = Some(Series {
            name: "England".into(),
            values: vec![Some(2.0), None, Some(2.5)],
        });
        c.target = Some(4.0);
        let svg = line_chart(&c);
        assert_sound(&svg);
        assert_eq!(paths(&svg).len(), 2);
        assert!(svg.contains(&format!(
            "stroke=\"{TEXT}\" stroke-width=\"2.5\" stroke-dasharray=\"8 4\""
        )));
        // Three round marks for the series and one in its legend; two square
        // for the comparison and one in its legend.
        assert_eq!(svg.matches("<circle").count(), 4);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(">A1</text>") && svg.contains(">England</text>"));
        assert!(svg.contains(">Target: 4</text>"));
        assert!(svg.contains("stroke-dasharray=\"2 3\""));
    }

    #[test]
    fn bars_show_their_status_in_words_as_well_as_colour() {
        let mut c = chart(
            &["A1", "A2", "A3", "A4"],
            &[Some(30.0), Some(12.0), None, Some(20.0)],
        );
        c.status = vec![
            Some(Rag::Red),
            Some(Rag::Green),
            Some(Rag::Amber),
            Some(Rag::Amber),
        ];
        c.target = Some(25.0);
        c.comparison = Some(Series {
            name: "Last year".into(),
            values: vec![Some(28.0), None, Some(9.0)],
        });
        let svg = bar_chart(&c);
        assert_sound(&svg);
        assert_eq!(svg.matches("<rect").count(), 3, "no bar for no data");
        for (colour, words) in [
            ("#ca3535", ">30 (Misses target)</text>"),
            ("#0f7a52", ">12 (Meets target)</text>"),
            ("#b7592a", ">20 (Near target)</text>"),
        ] {
            assert!(svg.contains(&format!("fill=\"{colour}\"")), "{colour}");
            assert!(svg.contains(words), "{words}");
        }
        assert!(svg.contains(">no data</text>"));
        assert!(svg.contains(">Target: 25</text>") && svg.contains(">Last year</text>"));
        assert_eq!(
            desc(&svg),
            "Cases by month, 4 shown. A1: lowest 12 (A2), highest 30 (A1), no data for 1 of 4. \
             Last year: lowest 9 (A3), highest 28 (A1), no data for 2 of 4. \
             Misses target: 1, Near target: 2, Meets target: 1. Target: 25."
        );
        // Without statuses, every bar is blue.
        c.status.clear();
        let plain = bar_chart(&c);
        assert_eq!(plain.matches(&format!("fill=\"{BLUE}\"")).count(), 3);
        assert!(!plain.contains("(Misses target)"));
    }

    #[test]
    fn the_table_has_the_same_figures() {
        let mut c = chart(&["A1", "A2"], &[Some(3.0), None]);
        c.category = "Service area".into();
        c.status = vec![Some(Rag::Green)];
        c.comparison = Some(Series {
            name: "Last year".into(),
            values: vec![None, Some(4.0)],
        });
        let table = data_table(&c);
        assert_eq!(table.caption, "New cases");
        assert_eq!(table.head, ["Service area", "A1", "Last year", "Status"]);
        assert_eq!(table.numeric, 2);
        assert_eq!(
            table.rows,
            [
                ["A1", "3", "no data", "Meets target"],
                ["A2", "no data", "4", ""]
            ]
        );

        // A page writes `{{ figure }}` and gets markup, not escaped text.
        #[derive(Template)]
        #[template(source = "<main>{{ figure }}</main>", ext = "html")]
        struct Page {
            figure: Figure,
        }
        let page = Page {
            figure: Figure::bar(&c),
        }
        .render()
        .expect("renders");
        assert!(page.starts_with("<main><figure class=\"tandem-chart\">\n  <svg "));
        assert!(page.contains("Show the data as a table"));
        assert!(page.contains(
            "<caption class=\"govuk-table__caption govuk-table__caption--s\">New cases</caption>"
        ));
        assert!(page.contains("<th scope=\"row\" class=\"govuk-table__header\">A2</th>"));
        assert!(page.contains("<td class=\"govuk-table__cell govuk-table__cell--numeric\">4</td>"));
        assert!(page.contains("<td class=\"govuk-table__cell\">Meets target</td>"));
        assert!(page.contains("<th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">Last year</th>"));
    }
}
