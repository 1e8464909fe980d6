//! This process's fund book: every fund's data (partners, holdings with their companies,
//! ledger, valuations, evidence) in memory, converted once into what the calculations
//! take, so a tree's performance and policy KPIs are computed without reading its rows.
//!
//! Freshness. The database keeps a change feed (`fund_book`, `fund_changes`, filled by
//! triggers whichever process or path changed a fund's data). Before answering, the book
//! reads the feed's version — one row — and, when it has moved, reloads only the funds
//! changed since, inside one snapshot, so an answer always reflects every change
//! committed before the request (in this process or another). Writers take the feed's
//! row as they commit, so versions commit in order and none is skipped. A book older
//! than the feed's pruned part, of another epoch (a backup restored under a running
//! server), newer than the feed, or more than [`REBUILD_ABOVE`] changed funds behind
//! rebuilds whole. While one request refreshes, others wait for it rather than read rows
//! themselves.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bridgehead_domain::funds::performance::{Component, Entry as LedgerEntry, FlowKind, Valuation};
use bridgehead_domain::funds::policy::{
    Company, Evidence, ProjectRef, Qualification, Target, TreeEntry, TreeFund, TreeHolding, TreePartner, TreeView,
};
use bridgehead_store::Store;
use bridgehead_store::fund_policy::{self as store, Scope, TreeRows};
use bridgehead_store::funds::{FundRow, PartnerRow};
use serde::Serialize;
use time::Date;
use tokio::sync::Mutex;

use crate::funds::stored_date;
use crate::{AppError, AppResult};

/// More changed funds than this in one refresh rebuild the book instead.
pub const REBUILD_ABOVE: usize = 2_000;
/// Changes older than this many versions behind the newest are removed from the feed…
const KEEP_VERSIONS: i64 = 1_000_000;
/// …at most this often (by the process that notices).
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// One fund's data, as the calculations take it.
#[derive(Debug, Clone)]
pub struct BookFund {
    pub row: FundRow,
    pub partners: Vec<PartnerRow>,
    pub tree: TreeFund,
    pub holdings: Vec<TreeHolding>,
    pub entries: Vec<TreeEntry>,
    /// The same entries as the performance calculation takes them.
    pub ledger: Vec<LedgerEntry>,
    pub valuations: Vec<Valuation>,
    pub evidence: Vec<Evidence>,
}

/// Every fund's data at one version of the change feed.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub version: i64,
    /// The feed's epoch the version belongs to.
    pub epoch: String,
    funds: HashMap<i64, Arc<BookFund>>,
    /// Investor fund → the funds it is a partner of (sorted).
    children: HashMap<i64, Vec<i64>>,
}

impl Book {
    /// A book of `rows` (every fund's) at `version`.
    pub fn from_rows(version: i64, epoch: String, rows: TreeRows) -> AppResult<Self> {
        let mut book = Book { version, epoch, ..Book::default() };
        book.apply(rows)?;
        book.link();
        Ok(book)
    }

    pub fn fund(&self, id: i64) -> Option<&BookFund> {
        self.funds.get(&id).map(Arc::as_ref)
    }

    pub fn len(&self) -> usize {
        self.funds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.funds.is_empty()
    }

    /// The funds reachable from `root` through the funds they are partners of, `root`
    /// first, each with its shortest number of steps from `root` (breadth first).
    pub fn tree(&self, root: i64) -> Vec<(&BookFund, usize)> {
        let Some(first) = self.fund(root) else { return Vec::new() };
        let mut seen = HashMap::from([(root, ())]);
        let mut out = vec![(first, 0)];
        let mut next = 0;
        while next < out.len() {
            let (fund, depth) = out[next];
            next += 1;
            for &child in self.children.get(&fund.row.id).map(Vec::as_slice).unwrap_or_default() {
                if seen.insert(child, ()).is_none()
                    && let Some(found) = self.fund(child)
                {
                    out.push((found, depth + 1));
                }
            }
        }
        out
    }

    /// The KPIs' view of the funds `tree` lists.
    pub fn view<'a>(tree: &[(&'a BookFund, usize)]) -> TreeView<'a> {
        let mut view = TreeView::default();
        for (fund, _) in tree {
            view.funds.push(&fund.tree);
            view.holdings.extend(fund.holdings.iter());
            view.entries.extend(fund.entries.iter());
            view.evidence.extend(fund.evidence.iter());
        }
        view
    }

    /// Replaces the funds `rows` hold (a fund of `changed` without rows is gone).
    fn replace(&mut self, changed: &[i64], rows: TreeRows) -> AppResult<()> {
        for id in changed {
            self.funds.remove(id);
        }
        self.apply(rows)?;
        self.link();
        Ok(())
    }

    fn apply(&mut self, rows: TreeRows) -> AppResult<()> {
        let mut parts: HashMap<i64, BookFund> = HashMap::with_capacity(rows.funds.len());
        for row in rows.funds {
            let starts_on =
                Date::from_calendar_date(i32::try_from(row.vintage).unwrap_or(2000), time::Month::January, 1)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
            let tree = TreeFund {
                id: row.id,
                name: row.name_zh.clone(),
                starts_on,
                investment_years: row.investment_years,
                partners: Vec::new(),
            };
            parts.insert(
                row.id,
                BookFund {
                    row,
                    partners: Vec::new(),
                    tree,
                    holdings: Vec::new(),
                    entries: Vec::new(),
                    ledger: Vec::new(),
                    valuations: Vec::new(),
                    evidence: Vec::new(),
                },
            );
        }
        for p in rows.partners {
            let fund = part(&mut parts, p.fund_id, "partner")?;
            fund.tree.partners.push(TreePartner {
                id: p.id,
                name: p.name.clone(),
                investor_fund: p.investor_fund_id,
                committed: p.commitment_minor,
                committed_on: stored_date(&p.committed_on)?,
            });
            fund.partners.push(p);
        }
        for h in rows.holdings {
            let target = match (h.sub_fund_id, h.enterprise_id) {
                (Some(sub), _) => Target::SubFund(sub),
                (None, Some(id)) => Target::Company(Company {
                    id,
                    name: h.enterprise_name.unwrap_or_default(),
                    region_code: h.region_code.unwrap_or_default(),
                    industry_code: h.industry_code,
                }),
                (None, None) => continue,
            };
            part(&mut parts, h.fund_id, "holding")?.holdings.push(TreeHolding { id: h.id, fund: h.fund_id, target });
        }
        // Entries come ordered by fund, date and id.
        for e in rows.entries {
            let kind = FlowKind::parse(&e.kind).ok_or_else(|| AppError::Internal(format!("entry kind {}", e.kind)))?;
            let entry = TreeEntry {
                id: e.id,
                fund: e.fund_id,
                date: stored_date(&e.entry_date)?,
                kind,
                amount: e.amount_minor,
                partner: e.partner_id,
                holding: e.holding_id,
                component: e.component.as_deref().and_then(Component::parse),
            };
            let fund = part(&mut parts, e.fund_id, "entry")?;
            fund.ledger.push(LedgerEntry {
                date: entry.date,
                kind,
                amount: entry.amount,
                party: entry.partner,
                holding: entry.holding,
                component: entry.component,
            });
            fund.entries.push(entry);
        }
        for v in rows.valuations {
            part(&mut parts, v.fund_id, "valuation")?.valuations.push(Valuation {
                date: stored_date(&v.valued_on)?,
                holding: v.holding_id,
                amount: v.amount_minor,
            });
        }
        let holding_fund: HashMap<i64, i64> =
            parts.values().flat_map(|f| f.holdings.iter().map(|h| (h.id, h.fund))).collect();
        for v in rows.evidence {
            let kind =
                Qualification::parse(&v.kind).ok_or_else(|| AppError::Internal(format!("evidence kind {}", v.kind)))?;
            let fund = *holding_fund
                .get(&v.holding_id)
                .ok_or_else(|| AppError::Internal(format!("evidence {} without its holding", v.id)))?;
            part(&mut parts, fund, "evidence")?.evidence.push(Evidence {
                id: v.id,
                holding: v.holding_id,
                kind,
                project: Some(ProjectRef {
                    id: v.project_id,
                    name: v.project_name,
                    region_code: v.project_region_code,
                    amount: v.project_amount_minor,
                }),
                document: v.document,
                noted_on: stored_date(&v.noted_on)?,
            });
        }
        for (id, mut fund) in parts {
            fund.tree.partners.sort_by_key(|p| p.id);
            if let Some(first) = fund.tree.partners.iter().map(|p| p.committed_on).min() {
                fund.tree.starts_on = first;
            }
            self.funds.insert(id, Arc::new(fund));
        }
        Ok(())
    }

    fn link(&mut self) {
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for fund in self.funds.values() {
            for p in &fund.partners {
                if let Some(investor) = p.investor_fund_id {
                    children.entry(investor).or_default().push(fund.row.id);
                }
            }
        }
        for list in children.values_mut() {
            list.sort_unstable();
        }
        self.children = children;
    }
}

fn part<'a>(parts: &'a mut HashMap<i64, BookFund>, fund: i64, what: &str) -> AppResult<&'a mut BookFund> {
    parts.get_mut(&fund).ok_or_else(|| AppError::Internal(format!("{what} of fund {fund} without its fund")))
}

/// What the book holds and how it was last brought up to date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BookStatus {
    pub version: i64,
    pub funds: usize,
    pub builds: u64,
    pub refreshes: u64,
    /// How long the last whole build took.
    pub build_millis: u64,
}

#[derive(Debug, Default)]
struct Upkeep {
    status: BookStatus,
    pruned_at: Option<Instant>,
}

/// The book; one per process, shared by every request.
#[derive(Debug, Default)]
pub struct FundBook {
    current: RwLock<Option<Arc<Book>>>,
    upkeep: Mutex<Upkeep>,
}

impl FundBook {
    fn held(&self) -> Option<Arc<Book>> {
        self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The book as of now: every change committed before this call is in it.
    pub async fn current(&self, store: &Store) -> AppResult<Arc<Book>> {
        let seen = {
            let mut conn = store.read().await?;
            store::book_version(&mut conn).await?
        };
        if let Some(book) = self.held().filter(|b| b.version == seen.version && b.epoch == seen.epoch) {
            return Ok(book);
        }
        let mut upkeep = self.upkeep.lock().await;
        let held = self.held();
        let mut snapshot = store.snapshot().await?;
        let feed = store::book_version(&mut snapshot).await?;
        // Another request may have brought it up to date meanwhile.
        if let Some(book) = held.as_ref().filter(|b| b.version == feed.version && b.epoch == feed.epoch) {
            snapshot.commit().await.map_err(bridgehead_store::StoreError::from)?;
            return Ok(Arc::clone(book));
        }
        let incremental = match &held {
            Some(book)
                if book.epoch == feed.epoch && book.version >= feed.pruned_through && book.version <= feed.version =>
            {
                let changed = store::changed_funds(&mut snapshot, book.version, feed.version).await?;
                (changed.len() <= REBUILD_ABOVE).then_some((Arc::clone(book), changed))
            }
            _ => None,
        };
        let book = match incremental {
            Some((old, changed)) => {
                let rows = store::fund_rows(&mut snapshot, Scope::Funds(&changed)).await?;
                let mut book = Book { version: feed.version, epoch: feed.epoch.clone(), ..(*old).clone() };
                book.replace(&changed, rows)?;
                upkeep.status.refreshes += 1;
                book
            }
            None => {
                let started = Instant::now();
                let rows = store::fund_rows(&mut snapshot, Scope::All).await?;
                let book = Book::from_rows(feed.version, feed.epoch.clone(), rows)?;
                upkeep.status.builds += 1;
                upkeep.status.build_millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
                book
            }
        };
        snapshot.commit().await.map_err(bridgehead_store::StoreError::from)?;
        upkeep.status.version = book.version;
        upkeep.status.funds = book.len();
        let book = Arc::new(book);
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&book));
        if upkeep.pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY)
            && feed.version - feed.pruned_through > KEEP_VERSIONS
        {
            upkeep.pruned_at = Some(Instant::now());
            let mut tx = store.begin().await?;
            store::prune_changes(tx.conn(), feed.version - KEEP_VERSIONS).await?;
            tx.commit().await?;
        }
        Ok(book)
    }

    pub async fn status(&self) -> BookStatus {
        self.upkeep.lock().await.status.clone()
    }
}
