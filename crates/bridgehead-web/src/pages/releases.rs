//! Statistics releases: the list and the comparison with today's figures for staff,
//! publishing from the dashboard, and the public pages, which show releases only.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use bridgehead_app::releases::Release;
use bridgehead_app::statistics::{FilterFields, InvestmentQuery, InvestmentTable, hundred_millions};
use bridgehead_domain::statistics::published_text;

use super::{Cell, Ctx, Notice, PageError, PageView, Section, Table};
use crate::AppState;

/// The dashboard's publish form, as sent.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PublishForm {
    region: String,
    period: String,
    measure: Option<String>,
    industry: Option<String>,
    tier: Option<String>,
    note: Option<String>,
}

fn title(ctx: &Ctx, release: &Release) -> String {
    ctx.lang.name(&release.title_zh, Some(&release.title_en)).to_owned()
}

/// A frozen table as the official layout shows it.
fn release_table(ctx: &Ctx, table: &InvestmentTable) -> Table {
    let percent = |v| published_text(v).unwrap_or_default();
    let rows = std::iter::once(&table.total)
        .chain(&table.children)
        .map(|named| {
            let l = &named.line;
            vec![
                Cell::text(ctx.lang.name(&named.name_zh, named.name_en.as_deref()).to_owned()),
                Cell::text(hundred_millions(l.current_minor)),
                Cell::text(percent(l.growth_percent)),
                Cell::text(percent(l.share_percent)),
                Cell::text(l.rank.map(|r| r.to_string()).unwrap_or_default()),
            ]
        })
        .collect();
    Table {
        caption: Some(ctx.t("statistics-unit-caption")),
        columns: vec![
            ctx.t("statistics-region"),
            ctx.t("statistics-cumulative"),
            ctx.t("statistics-growth"),
            ctx.t("statistics-share"),
            ctx.t("statistics-rank"),
        ],
        rows,
        empty: String::new(),
    }
}

fn releases_table(ctx: &Ctx, releases: &[Release], base: &str) -> Table {
    Table {
        caption: None,
        columns: vec![ctx.t("release-title"), ctx.t("release-cutoff"), ctx.t("release-total")],
        rows: releases
            .iter()
            .map(|r| {
                vec![
                    Cell::link(title(ctx, r), format!("{base}/{}", r.id)),
                    Cell::text(r.cutoff_at.chars().take(19).collect::<String>().replace('T', " ")),
                    Cell::text(hundred_millions(r.table.total.line.current_minor)),
                ]
            })
            .collect(),
        empty: ctx.t("release-none"),
    }
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let releases = state.app.releases(ctx.actor()?).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("release-list-title")).intro(ctx.t("release-list-intro"));
    page.push(Section::Table(releases_table(&ctx, &releases, "/statistics/releases")));
    Ok(ctx.render(page))
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(form): axum::Form<PublishForm>,
) -> Result<Response, PageError> {
    let query = InvestmentQuery {
        region: form.region,
        period: form.period,
        measure: form.measure,
        filter: FilterFields { industry: form.industry, tier: form.tier, ..FilterFields::default() },
    };
    match state.app.publish_release(ctx.actor()?, &query, form.note.as_deref()).await {
        Ok(release) => Ok(Redirect::to(&format!("/statistics/releases/{}", release.id)).into_response()),
        Err(error) => Err(ctx.fail(error)),
    }
}

pub async fn compare(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let comparison = state.app.compare_release(ctx.actor()?, id).await.map_err(|e| ctx.fail(e))?;
    let release = &comparison.release;
    let mut page = PageView::new(title(&ctx, release)).intro(ctx.t_args(
        "release-compare-intro",
        &[("cutoff", release.cutoff_at.clone()), ("by", release.published_by.clone())],
    ));
    if let Some(note) = &release.note {
        page.push(Section::Notice(Notice::info(note.clone())));
    }
    page.push(Section::Notice(if comparison.changed {
        Notice::warning(ctx.t("release-changed"))
    } else {
        Notice::info(ctx.t("release-unchanged"))
    }));
    let percent = |v| published_text(v).unwrap_or_default();
    page.push(Section::Table(Table {
        caption: Some(ctx.t("statistics-unit-caption")),
        columns: vec![
            ctx.t("statistics-region"),
            ctx.t("release-released"),
            ctx.t("release-today"),
            ctx.t("release-difference"),
            ctx.t("release-released-growth"),
            ctx.t("release-today-growth"),
        ],
        rows: comparison
            .lines
            .iter()
            .map(|l| {
                vec![
                    Cell::text(ctx.lang.name(&l.name_zh, l.name_en.as_deref()).to_owned()),
                    Cell::text(hundred_millions(l.released_minor)),
                    Cell::text(hundred_millions(l.today_minor)),
                    Cell::text(hundred_millions(l.difference_minor)),
                    Cell::text(percent(l.released_growth_percent)),
                    Cell::text(percent(l.today_growth_percent)),
                ]
            })
            .collect(),
        empty: String::new(),
    }));
    Ok(ctx.render(page))
}

pub async fn public_list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let releases = state.app.public_releases().await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(ctx.t("release-public-title")).intro(ctx.t("release-public-intro"));
    page.push(Section::Table(releases_table(&ctx, &releases, "/public/statistics")));
    Ok(ctx.render(page))
}

pub async fn public_detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let release = state.app.public_release(id).await.map_err(|e| ctx.fail(e))?;
    let mut page = PageView::new(title(&ctx, &release))
        .intro(ctx.t_args("release-public-cutoff", &[("cutoff", release.cutoff_at.clone())]));
    if let Some(note) = &release.note {
        page.push(Section::Notice(Notice::info(note.clone())));
    }
    page.push(Section::Table(release_table(&ctx, &release.table)));
    Ok(ctx.render(page))
}
