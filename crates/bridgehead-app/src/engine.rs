//! This process's statistics engine: the in-memory [`FactIndex`] built from the database
//! at start and kept current from the `statistics_changes` feed, which triggers fill on
//! every change that may move a figure — whichever process or path made it.
//!
//! Freshness. Before answering, the engine reads the feed when this process has
//! committed anything since it last looked (so a report approved here shows at once) and
//! otherwise at most every [`CROSS_PROCESS_CHECK`] (so a change made by another server
//! on the same database shows within that time). On PostgreSQL a sequence number can
//! become visible after a higher one (transactions commit out of order); numbers skipped
//! are kept as gaps and read again until they appear or [`GAP_PATIENCE`] passes (a
//! rolled-back transaction leaves a gap forever). While one request refreshes or
//! rebuilds, the others answer from the index as it stands — unless this process has
//! committed since the last look, when they wait for the refresh.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bridgehead_domain::facts::FactIndex;
use bridgehead_store::Store;
use bridgehead_store::statistics as stats;
use serde::Serialize;
use tokio::sync::{Mutex, RwLock, RwLockReadGuard};

use crate::{AppError, AppResult};

/// How often, at most, the feed is read for other processes' changes.
pub const CROSS_PROCESS_CHECK: Duration = Duration::from_millis(100);
/// How long a skipped sequence number is waited for.
pub const GAP_PATIENCE: Duration = Duration::from_secs(60);
/// More changed projects than this in one refresh rebuild the index instead.
const REBUILD_ABOVE: usize = 20_000;
/// Projects loaded per query in a refresh.
const BATCH: usize = 500;
/// How long changes stay in the feed, and how often old ones are removed.
const KEEP_CHANGES: Duration = Duration::from_secs(3600);
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// A change row for this project id asks every engine to rebuild (size tiers changed).
pub const REBUILD_ALL: i64 = 0;

/// What the engine holds and how it was built.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EngineStatus {
    pub ready: bool,
    pub projects: usize,
    /// Month entries (see [`FactIndex`]).
    pub entries: usize,
    pub memory_bytes: usize,
    /// How long the last full build took.
    pub build_millis: u64,
    pub built_at: Option<String>,
    /// The newest change applied.
    pub last_change: i64,
    /// Refreshes that applied changes since the last build.
    pub refreshes: u64,
}

#[derive(Debug, Default)]
struct Feed {
    watermark: i64,
    gaps: Vec<(i64, i64, Instant)>,
    checked_at: Option<Instant>,
    commits_seen: u64,
    pruned_at: Option<Instant>,
    status: EngineStatus,
}

/// The engine; one per process, shared by all requests. Drop the guard [`current`]
/// returns before calling it again (a refresh waits for readers to finish).
///
/// [`current`]: StatisticsEngine::current
#[derive(Debug, Default)]
pub struct StatisticsEngine {
    index: RwLock<Option<FactIndex>>,
    feed: Mutex<Feed>,
    /// Built once.
    ready: AtomicBool,
    /// This process's commit count when the feed was last looked at.
    commits_checked: AtomicU64,
}

impl StatisticsEngine {
    /// The index, brought up to date first (built on first use).
    pub async fn current(&self, store: &Store) -> AppResult<RwLockReadGuard<'_, FactIndex>> {
        self.sync(store, false).await?;
        RwLockReadGuard::try_map(self.index.read().await, Option::as_ref)
            .map_err(|_| AppError::Internal("the statistics engine is not built".into()))
    }

    /// Builds the index now if it is not built (at server start) and says how it went.
    pub async fn start(&self, store: &Store) -> AppResult<EngineStatus> {
        self.sync(store, false).await?;
        Ok(self.status().await)
    }

    pub async fn status(&self) -> EngineStatus {
        self.feed.lock().await.status.clone()
    }

    async fn sync(&self, store: &Store, force: bool) -> AppResult<()> {
        let commits = store.commits();
        let mut feed =
            if self.ready.load(Ordering::SeqCst) && !force && commits == self.commits_checked.load(Ordering::SeqCst) {
                // Nothing committed here since the last look: when another request is
                // already refreshing (a rebuild may take seconds at province scale), answer
                // from the index as it stands rather than wait.
                match self.feed.try_lock() {
                    Ok(feed) => feed,
                    Err(_) => return Ok(()),
                }
            } else {
                self.feed.lock().await
            };
        let built = self.index.read().await.is_some();
        if !built {
            self.build(store, &mut feed).await?;
            self.ready.store(true, Ordering::SeqCst);
            return Ok(());
        }
        self.commits_checked.store(commits, Ordering::SeqCst);
        let due = force
            || commits != feed.commits_seen
            || feed.checked_at.is_none_or(|at| at.elapsed() >= CROSS_PROCESS_CHECK);
        if !due {
            return Ok(());
        }
        feed.commits_seen = commits;
        feed.checked_at = Some(Instant::now());
        self.refresh(store, &mut feed).await?;
        if feed.pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            feed.pruned_at = Some(Instant::now());
            let before = time::OffsetDateTime::now_utc() - KEEP_CHANGES;
            let mut tx = store.begin().await?;
            stats::prune_changes(tx.conn(), &bridgehead_store::instant_text(before)).await?;
            tx.commit().await?;
            feed.commits_seen = store.commits();
        }
        Ok(())
    }

    async fn build(&self, store: &Store, feed: &mut Feed) -> AppResult<()> {
        let started = Instant::now();
        let commits = store.commits();
        let mut snapshot = store.snapshot().await?;
        let watermark = stats::last_change(&mut snapshot).await?;
        // Sequence numbers below the watermark not yet visible belong to transactions
        // still running: wait for those of the last minute.
        let since = time::OffsetDateTime::now_utc() - GAP_PATIENCE;
        let recent = stats::recent_changes(&mut snapshot, &bridgehead_store::instant_text(since), watermark).await?;
        let tiers = stats::size_tiers(&mut snapshot).await?;
        let regions = stats::region_tree(&mut snapshot).await?;
        let mut index = FactIndex::new(&regions, tiers);
        stats::load_facts(&mut snapshot, None, |facts, reports| index.replace(facts, &reports)).await?;
        snapshot.rollback().await.map_err(bridgehead_store::StoreError::from)?;
        let now = Instant::now();
        let mut gaps = Vec::new();
        if let Some(first) = recent.first() {
            let mut expected = *first;
            for seq in recent {
                if seq > expected {
                    gaps.push((expected, seq - 1, now));
                }
                expected = seq + 1;
            }
        }
        let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        feed.status = EngineStatus {
            ready: true,
            projects: index.projects(),
            entries: index.entries(),
            memory_bytes: index.memory_bytes(),
            build_millis: millis,
            built_at: Some(bridgehead_store::now_text()),
            last_change: watermark,
            refreshes: 0,
        };
        tracing::info!(
            projects = index.projects(),
            entries = index.entries(),
            memory_mib = index.memory_bytes() / (1 << 20),
            millis,
            "statistics engine built"
        );
        *self.index.write().await = Some(index);
        feed.watermark = watermark;
        feed.gaps = gaps;
        feed.commits_seen = commits;
        feed.checked_at = Some(now);
        Ok(())
    }

    async fn refresh(&self, store: &Store, feed: &mut Feed) -> AppResult<()> {
        feed.gaps.retain(|(_, _, since)| since.elapsed() < GAP_PATIENCE);
        let ranges: Vec<(i64, i64)> = feed.gaps.iter().map(|(low, high, _)| (*low, *high)).collect();
        let rows = {
            let mut conn = store.read().await?;
            stats::changes(&mut conn, feed.watermark, &ranges).await?
        };
        if rows.is_empty() {
            return Ok(());
        }
        let now = Instant::now();
        let mut projects = BTreeSet::new();
        let mut expected = feed.watermark + 1;
        for (seq, project) in rows {
            if seq > feed.watermark {
                if seq > expected {
                    feed.gaps.push((expected, seq - 1, now));
                }
                expected = seq + 1;
                feed.watermark = seq;
            } else {
                // A gap filled: split its range around the number.
                let mut split = Vec::new();
                for (low, high, since) in &feed.gaps {
                    if *low <= seq && seq <= *high {
                        if *low < seq {
                            split.push((*low, seq - 1, *since));
                        }
                        if seq < *high {
                            split.push((seq + 1, *high, *since));
                        }
                    } else {
                        split.push((*low, *high, *since));
                    }
                }
                feed.gaps = split;
            }
            projects.insert(project);
        }
        if projects.contains(&REBUILD_ALL) || projects.len() > REBUILD_ABOVE {
            let (gaps, watermark) = (std::mem::take(&mut feed.gaps), feed.watermark);
            self.build(store, feed).await?;
            // Keep waiting for what was skipped before the rebuild's snapshot too.
            feed.gaps.extend(gaps);
            feed.watermark = feed.watermark.max(watermark);
            return Ok(());
        }
        let ids: Vec<i64> = projects.into_iter().collect();
        let mut loaded = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        let mut unknown_region = false;
        {
            let mut conn = store.read().await?;
            for chunk in ids.chunks(BATCH) {
                missing.extend(
                    stats::load_facts(&mut conn, Some(chunk), |facts, reports| loaded.push((facts, reports))).await?,
                );
            }
            let index = self.index.read().await;
            if let Some(index) = index.as_ref() {
                unknown_region = loaded.iter().any(|(facts, _)| !index.knows_region(&facts.region_code));
            }
            drop(index);
            let regions = if unknown_region { Some(stats::region_tree(&mut conn).await?) } else { None };
            let mut index = self.index.write().await;
            if let Some(index) = index.as_mut() {
                if let Some(regions) = regions {
                    index.set_regions(&regions);
                }
                index.remove(&missing);
                index.replace_many(loaded);
                feed.status.projects = index.projects();
                feed.status.entries = index.entries();
                feed.status.memory_bytes = index.memory_bytes();
            }
        }
        feed.status.last_change = feed.watermark;
        feed.status.refreshes += 1;
        Ok(())
    }
}
