//! The statistics dashboard: the official investment table of a region and its children
//! for January..N, a bar chart of the cumulative figures with the growth beside them,
//! downloads in the official layout, the region's published external indicators, and
//! drill-down — a child region opens its own table, and a link lists the projects of
//! the region.

use axum::extract::{Query, State};
use axum::response::Response;
use bridgehead_app::AppError;
use bridgehead_app::statistics::{
    BreakdownLine, ClusterStack, Contributor, FilterFields, InvestmentBreakdown, InvestmentQuery, InvestmentTable,
    ProjectCountQuery, ProjectCounts, TrendMonth, hundred_millions,
};
use bridgehead_domain::facts::SizeTier;
use bridgehead_domain::project::{CapitalSource, ProjectType};
use bridgehead_domain::statistics::published_text;
use serde_json::json;

use super::{Cell, Chart, Ctx, Field, Form, Link, Notice, PageError, PageView, Section, Table};
use crate::AppState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct DashboardQuery {
    region: Option<String>,
    period: Option<String>,
    measure: Option<String>,
    industry: Option<String>,
    tier: Option<String>,
    project_type: Option<String>,
    capital_source: Option<String>,
    cluster: Option<String>,
    park: Option<String>,
    /// The breakdown shown under the table.
    by: Option<String>,
}

impl DashboardQuery {
    /// The measure and filter parameters, as a link or a file download repeats them.
    fn filter_pairs(&self) -> [(&'static str, &Option<String>); 7] {
        [
            ("measure", &self.measure),
            ("industry", &self.industry),
            ("tier", &self.tier),
            ("project_type", &self.project_type),
            ("capital_source", &self.capital_source),
            ("cluster", &self.cluster),
            ("park", &self.park),
        ]
    }
}

fn link(query: &DashboardQuery, region: &str, period: &str) -> String {
    let mut pairs = query.filter_pairs().to_vec();
    pairs.push(("by", &query.by));
    let extra = [("region", region.to_owned()), ("period", period.to_owned())];
    format!("/statistics?{}", super::query_string(&pairs, &extra))
}

/// What the filter selects offer: the size tiers, parks and clusters (id, name).
struct Choices {
    tiers: Vec<SizeTier>,
    parks: Vec<(String, String)>,
    clusters: Vec<(String, String)>,
}

impl Choices {
    async fn load(state: &AppState, ctx: &Ctx, actor: &bridgehead_app::Actor) -> Result<Self, PageError> {
        let tiers = state.app.size_tiers(actor).await.map_err(|e| ctx.fail(e))?;
        let parks = state.app.parks(actor, actor.region_scope()).await.map_err(|e| ctx.fail(e))?;
        let mut clusters = Vec::new();
        for taxonomy in state.app.cluster_taxonomies(actor).await.map_err(|e| ctx.fail(e))? {
            let full = state.app.cluster_taxonomy(actor, taxonomy.id).await.map_err(|e| ctx.fail(e))?;
            let system = ctx.lang.name(&full.name_zh, full.name_en.as_deref()).to_owned();
            clusters.extend(
                full.clusters.iter().map(|c| {
                    (c.id.to_string(), format!("{system}：{}", ctx.lang.name(&c.name_zh, c.name_en.as_deref())))
                }),
            );
        }
        let parks = parks
            .iter()
            .map(|p| (p.id.to_string(), ctx.lang.name(&p.name_zh, p.name_en.as_deref()).to_owned()))
            .collect();
        Ok(Self { tiers, parks, clusters })
    }
}

/// A select with an "all" choice first.
fn select(ctx: &Ctx, name: &str, label: &str, options: Vec<(String, String)>, chosen: Option<&String>) -> Field {
    let mut all = vec![(String::new(), ctx.t("statistics-all"))];
    all.extend(options);
    Field::new(name, ctx.t(label), "select").options(all, &[chosen.cloned().unwrap_or_default()])
}

fn filters(ctx: &Ctx, region: &str, period: &str, query: &DashboardQuery, choices: &Choices) -> Form {
    let tier_options = choices
        .tiers
        .iter()
        .map(|t| (t.code.clone(), ctx.lang.name(&t.name_zh, Some(&t.name_en)).to_owned()))
        .collect();
    let types = ProjectType::ALL
        .iter()
        .map(|t| (t.as_str().to_owned(), ctx.t(&super::projects::key("project-type", t.as_str()))))
        .collect();
    let sources = CapitalSource::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), ctx.t(&super::projects::key("capital-source", c.as_str()))))
        .collect();
    let measures = vec![
        ("completed".to_owned(), ctx.t("statistics-measure-completed")),
        ("equipment".to_owned(), ctx.t("statistics-measure-equipment")),
    ];
    Form::get("/statistics", ctx.t("filter-apply"))
        .field(Field::new("region", ctx.t("statistics-region"), "text").value(region))
        .field(Field::new("period", ctx.t("statistics-period"), "month").value(period))
        .field(
            Field::new("measure", ctx.t("statistics-measure"), "select")
                .options(measures, &[query.measure.clone().unwrap_or_else(|| "completed".into())]),
        )
        .field(
            Field::new("industry", ctx.t("statistics-industry"), "text")
                .value(query.industry.clone().unwrap_or_default()),
        )
        .field(select(ctx, "tier", "statistics-tier", tier_options, query.tier.as_ref()))
        .field(select(ctx, "project_type", "statistics-by-project-type", types, query.project_type.as_ref()))
        .field(select(ctx, "capital_source", "statistics-by-capital-source", sources, query.capital_source.as_ref()))
        .field(select(ctx, "cluster", "statistics-by-cluster", choices.clusters.clone(), query.cluster.as_ref()))
        .field(select(ctx, "park", "statistics-by-park", choices.parks.clone(), query.park.as_ref()))
        .field(
            Field::new("by", ctx.t("statistics-by"), "select").options(
                BREAKDOWNS
                    .iter()
                    .map(|b| ((*b).to_owned(), ctx.t(&format!("statistics-by-{}", b.replace('_', "-")))))
                    .collect(),
                &[query.by.clone().unwrap_or_else(|| "industry".into())],
            ),
        )
}

/// The breakdowns a dashboard offers under its table.
const BREAKDOWNS: &[&str] = &["industry", "cluster", "park", "project_type", "capital_source", "tier"];

fn number(minor: i64) -> f64 {
    hundred_millions(minor).parse::<f64>().unwrap_or(0.0)
}

/// Cumulative figure month by month, this year and last.
fn trend_chart(ctx: &Ctx, months: &[TrendMonth]) -> Chart {
    let labels: Vec<String> = months.iter().map(|m| m.period.to_string()).collect();
    let this_year: Vec<f64> = months.iter().map(|m| number(m.cumulative_minor)).collect();
    let last_year: Vec<f64> = months.iter().map(|m| number(m.previous_cumulative_minor)).collect();
    let (current, previous) = (ctx.t("statistics-cumulative"), ctx.t("statistics-previous"));
    let spec = json!({
        "tooltip": { "trigger": "axis" },
        "legend": { "top": 0, "data": [current, previous] },
        "grid": { "top": 48, "left": 60, "right": 24, "bottom": 40 },
        "xAxis": { "type": "category", "data": labels },
        "yAxis": { "type": "value", "name": ctx.t("statistics-unit") },
        "series": [
            { "name": current, "type": "line", "data": this_year },
            { "name": previous, "type": "line", "lineStyle": { "type": "dashed" }, "data": last_year }
        ]
    });
    Chart { title: ctx.t("statistics-trend"), spec: spec.to_string() }
}

/// The children's bars stacked by cluster.
fn cluster_chart(ctx: &Ctx, stack: &ClusterStack) -> Chart {
    let names: Vec<String> =
        stack.regions.iter().map(|(_, zh, en)| ctx.lang.name(zh, en.as_deref()).to_owned()).collect();
    let series: Vec<serde_json::Value> = stack
        .series
        .iter()
        .map(|(_, zh, en, values)| {
            json!({
                "name": ctx.lang.name(zh, en.as_deref()),
                "type": "bar",
                "stack": "clusters",
                "data": values.iter().map(|v| number(*v)).collect::<Vec<f64>>(),
            })
        })
        .collect();
    let spec = json!({
        "tooltip": { "trigger": "axis" },
        "legend": { "top": 0, "type": "scroll" },
        "grid": { "top": 56, "left": 60, "right": 24, "bottom": 72 },
        "xAxis": { "type": "category", "data": names, "axisLabel": { "interval": 0, "rotate": 30 } },
        "yAxis": { "type": "value", "name": ctx.t("statistics-unit") },
        "series": series
    });
    Chart { title: ctx.t("statistics-by-cluster-stacked"), spec: spec.to_string() }
}

fn line_name(ctx: &Ctx, by: &str, line: &BreakdownLine) -> String {
    match by {
        "project_type" | "capital_source" if !line.key.is_empty() => {
            ctx.t(&super::projects::key(&by.replace('_', "-"), &line.key))
        }
        _ => ctx.lang.name(&line.name_zh, line.name_en.as_deref()).to_owned(),
    }
}

/// The breakdown as bars and as a table.
fn breakdown_sections(ctx: &Ctx, breakdown: &InvestmentBreakdown) -> Vec<Section> {
    let by = breakdown.by.as_str();
    let names: Vec<String> = breakdown.lines.iter().map(|l| line_name(ctx, by, l)).collect();
    let values: Vec<f64> = breakdown.lines.iter().map(|l| number(l.line.current_minor)).collect();
    let title = ctx.t(&format!("statistics-by-{}", by.replace('_', "-")));
    let spec = json!({
        "tooltip": { "trigger": "axis" },
        "grid": { "top": 32, "left": 60, "right": 24, "bottom": 96 },
        "xAxis": { "type": "category", "data": names, "axisLabel": { "interval": 0, "rotate": 30 } },
        "yAxis": { "type": "value", "name": ctx.t("statistics-unit") },
        "series": [{ "name": ctx.t("statistics-cumulative"), "type": "bar", "data": values }]
    });
    let percent = |v| published_text(v).unwrap_or_default();
    let rows = breakdown
        .lines
        .iter()
        .zip(&names)
        .map(|(l, name)| {
            vec![
                Cell::text(name.clone()),
                Cell::text(hundred_millions(l.line.current_minor)),
                Cell::text(hundred_millions(l.line.previous_minor)),
                Cell::text(percent(l.line.growth_percent)),
                Cell::text(percent(l.line.share_percent)),
            ]
        })
        .collect();
    let mut sections = Vec::new();
    if !breakdown.lines.is_empty() {
        sections.push(Section::Chart(Chart { title: title.clone(), spec: spec.to_string() }));
    }
    let mut caption = format!("{title} · {}", ctx.t("statistics-unit-caption"));
    if by == "cluster" {
        caption.push_str(&format!(" · {}", ctx.t("statistics-clusters-overlap")));
    }
    sections.push(Section::Table(Table {
        caption: Some(caption),
        columns: vec![
            title,
            ctx.t("statistics-cumulative"),
            ctx.t("statistics-previous"),
            ctx.t("statistics-growth"),
            ctx.t("statistics-share"),
        ],
        rows,
        empty: ctx.t("statistics-breakdown-empty"),
    }));
    sections
}

/// The largest projects behind the figure, each a link to the project and its reports.
fn contributors_section(ctx: &Ctx, contributors: &[Contributor], all: usize) -> Table {
    let rows = contributors
        .iter()
        .map(|c| {
            vec![
                Cell::link(
                    ctx.lang.name(&c.name_zh, c.name_en.as_deref()).to_owned(),
                    format!("/projects/{}", c.project_id),
                ),
                Cell::text(c.code.clone()),
                Cell::text(hundred_millions(c.current_minor)),
                Cell::text(hundred_millions(c.previous_minor)),
            ]
        })
        .collect();
    Table {
        caption: Some(
            ctx.t_args(
                "statistics-contributors",
                &[("shown", contributors.len().to_string()), ("all", all.to_string())],
            ),
        ),
        columns: vec![
            ctx.t("statistics-project"),
            ctx.t("statistics-project-code"),
            ctx.t("statistics-cumulative"),
            ctx.t("statistics-previous"),
        ],
        rows,
        empty: String::new(),
    }
}

/// Projects signed in the nine months to the end of the period, by size tier.
fn tier_counts_section(ctx: &Ctx, counts: &ProjectCounts) -> Table {
    let mut rows = Vec::new();
    for tier in counts.tiers.iter().rev() {
        let line = counts.counts.lines.iter().find(|l| l.key == tier.code);
        rows.push(vec![
            Cell::text(ctx.lang.name(&tier.name_zh, Some(&tier.name_en)).to_owned()),
            Cell::text(line.map_or(0, |l| l.projects).to_string()),
            Cell::text(hundred_millions(line.map_or(0, |l| l.planned_total_cny_minor))),
        ]);
    }
    Table {
        caption: Some(ctx.t_args(
            "statistics-signed-window",
            &[
                ("from", counts.from.clone()),
                ("to", counts.to.clone()),
                ("all", counts.counts.total.projects.to_string()),
            ],
        )),
        columns: vec![ctx.t("statistics-tier"), ctx.t("statistics-project-count"), ctx.t("statistics-planned")],
        rows,
        empty: String::new(),
    }
}

fn chart(ctx: &Ctx, table: &InvestmentTable) -> Chart {
    let names: Vec<String> =
        table.children.iter().map(|c| ctx.lang.name(&c.name_zh, c.name_en.as_deref()).to_owned()).collect();
    let values: Vec<f64> =
        table.children.iter().map(|c| hundred_millions(c.line.current_minor).parse::<f64>().unwrap_or(0.0)).collect();
    let growth: Vec<serde_json::Value> = table
        .children
        .iter()
        .map(|c| {
            published_text(c.line.growth_percent)
                .and_then(|g| g.parse::<f64>().ok())
                .map_or(serde_json::Value::Null, serde_json::Value::from)
        })
        .collect();
    let (cumulative, growth_name) = (ctx.t("statistics-cumulative"), ctx.t("statistics-growth"));
    let spec = json!({
        "tooltip": { "trigger": "axis" },
        "legend": { "top": 0, "data": [cumulative, growth_name] },
        "grid": { "top": 56, "left": 60, "right": 60, "bottom": 72 },
        "xAxis": { "type": "category", "data": names, "axisLabel": { "interval": 0, "rotate": 30 } },
        "yAxis": [
            { "type": "value", "name": ctx.t("statistics-unit") },
            { "type": "value", "name": "%" }
        ],
        "series": [
            { "name": cumulative, "type": "bar", "data": values },
            { "name": growth_name, "type": "line", "yAxisIndex": 1, "data": growth }
        ]
    });
    Chart { title: table.title(ctx.lang.io()), spec: spec.to_string() }
}

fn table_section(ctx: &Ctx, table: &InvestmentTable, query: &DashboardQuery, period: &str) -> Table {
    let percent = |v| published_text(v).unwrap_or_default();
    let mut rows = Vec::new();
    for (index, named) in std::iter::once(&table.total).chain(&table.children).enumerate() {
        let l = &named.line;
        let name = ctx.lang.name(&named.name_zh, named.name_en.as_deref()).to_owned();
        let region = if index == 0 { Cell::text(name) } else { Cell::link(name, link(query, &l.region_code, period)) };
        rows.push(vec![
            region,
            Cell::text(hundred_millions(l.current_minor)),
            Cell::text(hundred_millions(l.previous_minor)),
            Cell::text(percent(l.growth_percent)),
            Cell::text(percent(l.share_percent)),
            Cell::text(l.rank.map(|r| r.to_string()).unwrap_or_default()),
            Cell::text(percent(l.contribution_points)),
        ]);
    }
    Table {
        caption: Some(ctx.t("statistics-unit-caption")),
        columns: vec![
            ctx.t("statistics-region"),
            ctx.t("statistics-cumulative"),
            ctx.t("statistics-previous"),
            ctx.t("statistics-growth"),
            ctx.t("statistics-share"),
            ctx.t("statistics-rank"),
            ctx.t("statistics-contribution"),
        ],
        rows,
        empty: String::new(),
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, PageError> {
    let actor = ctx.actor()?;
    let latest = state.app.latest_statistics_period(actor).await.map_err(|e| ctx.fail(e))?;
    let choices = Choices::load(&state, &ctx, actor).await?;
    let period = query
        .period
        .clone()
        .filter(|p| !p.trim().is_empty())
        .or_else(|| latest.map(|p| p.to_string()))
        .unwrap_or_default();
    let region = query
        .region
        .clone()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .or_else(|| actor.region_scope().map(ToOwned::to_owned));
    let mut page = PageView::new(ctx.t("statistics-title")).intro(ctx.t("statistics-intro"));
    let Some(region) = region else {
        // The whole installation: start from a province.
        page.push(Section::Form(filters(&ctx, "", &period, &query, &choices)));
        let provinces = state
            .app
            .regions(
                actor,
                &bridgehead_store::reference::RegionFilter {
                    level: Some(bridgehead_domain::reference::RegionLevel::Province),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| ctx.fail(e))?;
        page.push(Section::Notice(Notice::warning(ctx.t("statistics-choose-region"))));
        page.push(Section::Links(
            provinces
                .iter()
                .map(|r| {
                    Link::new(
                        ctx.lang.name(&r.name_zh, r.name_en.as_deref()).to_owned(),
                        link(&query, &r.code, &period),
                    )
                })
                .collect(),
        ));
        return Ok(ctx.render(page));
    };
    if period.is_empty() {
        // Nothing counted yet in the visitor's region: the form, and why the table is empty.
        page.push(Section::Form(filters(&ctx, &region, &period, &query, &choices)));
        page.push(Section::Notice(Notice::warning(ctx.t("statistics-no-figures"))));
        return Ok(ctx.render(page));
    }
    let app_query = InvestmentQuery {
        region: region.clone(),
        period: period.clone(),
        measure: query.measure.clone(),
        filter: FilterFields {
            industry: query.industry.clone(),
            tier: query.tier.clone(),
            cluster: query.cluster.clone(),
            park: query.park.clone(),
            project_type: query.project_type.clone(),
            capital_source: query.capital_source.clone(),
        },
    };
    let table = match state.app.investment_table(actor, &app_query).await {
        Ok(table) => table,
        Err(AppError::Invalid(errors)) => {
            let mut form = filters(&ctx, &region, &period, &query, &choices);
            let unplaced = form.attach_errors(ctx.lang, &errors.0);
            if !unplaced.is_empty() {
                page.push(Section::Notice(Notice::error(unplaced.join("; "))));
            }
            page.push(Section::Form(form));
            return Ok(ctx.render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, page));
        }
        Err(error) => return Err(ctx.fail(error)),
    };
    page.title = table.title(ctx.lang.io());
    page.push(Section::Form(filters(&ctx, &region, &period, &query, &choices)));
    let file_query = super::query_string(
        &query.filter_pairs(),
        &[("region", region.clone()), ("period", period.clone()), ("lang", ctx.lang.code().to_owned())],
    );
    let mut links = vec![
        Link::new(
            ctx.t("statistics-download-xlsx"),
            format!("/api/v1/statistics/investment/file?{file_query}&format=xlsx"),
        ),
        Link::new(
            ctx.t("statistics-download-csv"),
            format!("/api/v1/statistics/investment/file?{file_query}&format=csv"),
        ),
        Link::new(ctx.t("statistics-projects"), format!("/projects?region={region}")),
    ];
    let parent = state.app.region(actor, &region).await.ok().and_then(|(r, _, _)| r.parent_code);
    // The region lies within the visitor's scope (the table answered), so its parent
    // does too unless the region is the scope itself.
    if let Some(parent) = parent
        && actor.region_scope().is_none_or(|scope| scope != region)
    {
        links.insert(0, Link::new(ctx.t("statistics-up"), link(&query, &parent, &period)));
    }
    links.push(Link::new(ctx.t("release-list-title"), "/statistics/releases".to_owned()));
    page.push(Section::Links(links));
    if actor.is(bridgehead_app::releases::RELEASE_PUBLISHERS) {
        let mut form = Form::post("/statistics/releases", ctx.t("release-publish"), &ctx.csrf);
        for (name, value) in [
            ("region", Some(region.clone())),
            ("period", Some(period.clone())),
            ("measure", query.measure.clone()),
            ("industry", query.industry.clone()),
            ("tier", query.tier.clone()),
        ] {
            form = form.field(Field::new(name, String::new(), "hidden").value(value.unwrap_or_default()));
        }
        form = form.field(Field::new("note", ctx.t("release-note"), "text"));
        page.push(Section::Form(form));
    }
    let mut facts = Vec::new();
    if let Some(share) = published_text(table.fixed_asset_investment_share) {
        facts.push((ctx.t("statistics-fai-share"), format!("{share}%")));
    }
    for indicator in &table.indicators {
        let level = indicator.value_minor.map(|v| {
            if indicator.indicator.currency() == "USD" {
                format!("{} {}", hundred_millions(v), ctx.t("statistics-unit-usd"))
            } else {
                format!("{} {}", hundred_millions(v), ctx.t("statistics-unit"))
            }
        });
        let growth = indicator.growth_percent.map(|g| format!("{}%", g.normalize()));
        let text = [level, growth].into_iter().flatten().collect::<Vec<_>>().join(&ctx.t("list-separator"));
        let name = ctx.t(&super::projects::key("indicator", indicator.indicator.as_str()));
        facts.push((
            name,
            ctx.t_args("statistics-with-source", &[("figure", text), ("source", indicator.source.clone())]),
        ));
    }
    if !facts.is_empty() {
        page.push(Section::Facts(facts));
    }
    if !table.children.is_empty() {
        page.push(Section::Chart(chart(&ctx, &table)));
    }
    page.push(Section::Table(table_section(&ctx, &table, &query, &period)));

    // Trend, breakdown, the projects behind the figure and the signings by tier.
    let trend = state.app.investment_trend(actor, &app_query).await.map_err(|e| ctx.fail(e))?;
    if !trend.is_empty() {
        page.push(Section::Chart(trend_chart(&ctx, &trend)));
    }
    let stack = state.app.investment_by_cluster(actor, &app_query).await.map_err(|e| ctx.fail(e))?;
    if !stack.series.is_empty() && !stack.regions.is_empty() {
        page.push(Section::Chart(cluster_chart(&ctx, &stack)));
    }
    let by = query.by.clone().filter(|b| BREAKDOWNS.contains(&b.as_str())).unwrap_or_else(|| "industry".into());
    let breakdown = state.app.investment_breakdown(actor, &app_query, Some(&by)).await.map_err(|e| ctx.fail(e))?;
    page.sections.extend(breakdown_sections(&ctx, &breakdown));
    let (contributors, all) =
        state.app.investment_contributors(actor, &app_query, 20).await.map_err(|e| ctx.fail(e))?;
    if !contributors.is_empty() {
        page.push(Section::Table(contributors_section(&ctx, &contributors, all)));
    }
    if let Some(last_day) = table.period.next().first_day().previous_day() {
        let counts_query = ProjectCountQuery {
            region: region.clone(),
            through: bridgehead_domain::enterprise::format_date(last_day),
            months: Some("9".into()),
            by: Some("tier".into()),
            filter: FilterFields { industry: query.industry.clone(), ..FilterFields::default() },
            ..ProjectCountQuery::default()
        };
        let counts = state.app.project_counts(actor, &counts_query).await.map_err(|e| ctx.fail(e))?;
        page.push(Section::Table(tier_counts_section(&ctx, &counts)));
    }
    Ok(ctx.render(page))
}
