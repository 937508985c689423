//! A durable scheduler for background work, correct with many servers sharing one control-plane
//! database (SQLite or PostgreSQL).
//!
//! Each job has a name, an interval and a row in the `jobs` table: when it is next due, who holds its
//! lease and until when, and how its last run went (start, finish, error, number of runs). Every server
//! runs the same [`Scheduler`]; every few seconds each one tries to *claim* each due job with one
//! conditional `UPDATE … WHERE due_at <= now AND (lease_until IS NULL OR lease_until <= now)`. The
//! database lets exactly one claim succeed, so a job runs on one server at a time and once per period.
//! While it runs, its server renews the lease (every third of the lease time); when it ends, the next
//! run is due one interval after this one started, and the lease is released. If the job fails (returns
//! an error or panics) the error is recorded and it runs again at the next period. If its server dies, the
//! lease is not renewed: once it runs out, the job is due again and another server takes it over.
//!
//! ```ignore
//! platform.scheduler().register("backups", Duration::from_secs(3600), move || {
//!     let backups = backups.clone();
//!     async move { backups.run().await?; Ok(()) }
//! });
//! ```
//!
//! - A job registered for the first time first runs one interval later; [`Scheduler::run_soon`] makes it
//!   due at once (for an operator's "do it now", and for tests).
//! - Jobs must tolerate running again after a crash (a takeover re-runs a job whose first run may have
//!   done part of its work) and should finish well within their interval.
//! - Register jobs at start-up, before or after [`Scheduler::spawn`]; a name is registered once.

use crate::entities::control::job;
use crate::error::DomainResult;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait as _, Condition, DatabaseConnection, EntityTrait as _, QueryFilter as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// What a job returns: any error is recorded in the job's row (and logged).
pub type JobResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

type JobFuture = Pin<Box<dyn Future<Output = JobResult> + Send>>;
type JobFn = Arc<dyn Fn() -> JobFuture + Send + Sync>;

/// How long a run holds its lease before it must renew it, unless the job says otherwise.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);
/// How often each server looks for due jobs.
pub const TICK: Duration = Duration::from_secs(15);

#[derive(Clone)]
struct Job {
    name: &'static str,
    every: Duration,
    lease: Duration,
    run: JobFn,
}

/// The jobs of this server, run on the schedule kept in the database.
pub struct Scheduler {
    db: DatabaseConnection,
    jobs: RwLock<Vec<Job>>,
}

/// What one [`Scheduler::run_due`] pass did on this server.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Jobs this server claimed and ran to success.
    pub succeeded: Vec<&'static str>,
    /// Jobs this server claimed whose run failed, panicked or lost its lease.
    pub failed: Vec<&'static str>,
}

/// A job's row, for operators and tests.
#[derive(Debug, Clone)]
pub struct JobStatus {
    pub name: String,
    pub due_at: DateTime<Utc>,
    /// Set while a server runs it (or until a dead server's lease runs out).
    pub lease_until: Option<DateTime<Utc>>,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    /// The last run's error; `None` when it succeeded.
    pub last_error: Option<String>,
    /// How many runs have started, on any server.
    pub runs: i64,
}

impl From<job::Model> for JobStatus {
    fn from(row: job::Model) -> Self {
        Self {
            name: row.name,
            due_at: row.due_at,
            lease_until: row.lease_until,
            last_started_at: row.last_started_at,
            last_finished_at: row.last_finished_at,
            last_error: row.last_error,
            runs: row.runs,
        }
    }
}

fn chrono(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

impl Scheduler {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, jobs: RwLock::new(Vec::new()) }
    }

    /// Registers `run` to run every `every` under `name` (at most 64 characters), with the default lease.
    ///
    /// # Panics
    /// If `name` is already registered: two jobs would share one schedule.
    pub fn register<F, Fut>(&self, name: &'static str, every: Duration, run: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        self.register_with_lease(name, every, DEFAULT_LEASE, run);
    }

    /// [`Scheduler::register`] with a lease of `lease`: how long a dead server keeps the job from
    /// running elsewhere (the running server renews it every `lease / 3`).
    pub fn register_with_lease<F, Fut>(&self, name: &'static str, every: Duration, lease: Duration, run: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        assert!(name.len() <= 64, "job names have at most 64 characters: {name}");
        let mut jobs = self.jobs.write().expect("job list lock");
        assert!(jobs.iter().all(|job| job.name != name), "job {name} is registered twice");
        let run: JobFn = Arc::new(move || Box::pin(run()) as JobFuture);
        jobs.push(Job { name, every, lease, run });
    }

    /// Claims every due job this server can get and runs them, waiting until they end.
    pub async fn run_due(&self) -> DomainResult<RunReport> {
        let mut report = RunReport::default();
        for (name, run) in self.start_due().await? {
            match run.await {
                Ok(true) => report.succeeded.push(name),
                _ => report.failed.push(name),
            }
        }
        Ok(report)
    }

    /// Makes `name` due now (it runs at the next tick of whichever server claims it first).
    pub async fn run_soon(&self, name: &str) -> DomainResult<()> {
        let now = Utc::now();
        self.ensure_row(name, now).await?;
        job::Entity::update_many()
            .col_expr(job::Column::DueAt, Expr::value(now))
            .filter(job::Column::Name.eq(name))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Every job's row (registered on this server or not).
    pub async fn status(&self) -> DomainResult<Vec<JobStatus>> {
        Ok(job::Entity::find().all(&self.db).await?.into_iter().map(JobStatus::from).collect())
    }

    /// Looks for due jobs every `tick` until the process ends; each run goes on in its own task.
    pub fn spawn(self: Arc<Self>, tick: Duration) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            // The first look is one tick after start: a job is never due at once when it is registered.
            let mut every = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if let Err(error) = self.start_due().await {
                    tracing::warn!(%error, "could not look for due jobs");
                }
            }
        })
    }

    /// Claims each due job and starts it; the handles say whether each run succeeded.
    async fn start_due(&self) -> DomainResult<Vec<(&'static str, tokio::task::JoinHandle<bool>)>> {
        let jobs = self.jobs.read().expect("job list lock").clone();
        let mut started = Vec::new();
        for job in jobs {
            let now = Utc::now();
            self.ensure_row(job.name, now + chrono(job.every)).await?;
            if let Some(lease) = self.claim(&job, now).await? {
                let run = Run { db: self.db.clone(), job: job.clone(), lease, started_at: now };
                started.push((job.name, tokio::spawn(run.execute())));
            }
        }
        Ok(started)
    }

    /// Creates the job's row if it has none, due at `due_at`.
    async fn ensure_row(&self, name: &str, due_at: DateTime<Utc>) -> DomainResult<()> {
        let row = job::ActiveModel {
            name: Set(name.to_owned()),
            due_at: Set(due_at),
            lease_until: Set(None),
            leased_by: Set(None),
            last_started_at: Set(None),
            last_finished_at: Set(None),
            last_error: Set(None),
            runs: Set(0),
        };
        job::Entity::insert(row)
            .on_conflict(OnConflict::column(job::Column::Name).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// The conditional update that only one server can win: due, and no live lease.
    async fn claim(&self, job: &Job, now: DateTime<Utc>) -> DomainResult<Option<String>> {
        let lease = uuid::Uuid::now_v7().to_string();
        let claimed = job::Entity::update_many()
            .col_expr(job::Column::LeaseUntil, Expr::value(Some(now + chrono(job.lease))))
            .col_expr(job::Column::LeasedBy, Expr::value(Some(lease.clone())))
            .col_expr(job::Column::LastStartedAt, Expr::value(Some(now)))
            .col_expr(job::Column::Runs, Expr::col(job::Column::Runs).add(1))
            .filter(job::Column::Name.eq(job.name))
            .filter(job::Column::DueAt.lte(now))
            .filter(Condition::any().add(job::Column::LeaseUntil.is_null()).add(job::Column::LeaseUntil.lte(now)))
            .exec(&self.db)
            .await?;
        Ok((claimed.rows_affected == 1).then_some(lease))
    }
}

/// One claimed run of a job: runs it in a task of its own (so a panic is caught), renews the lease while
/// it runs, and records the outcome.
struct Run {
    db: DatabaseConnection,
    job: Job,
    lease: String,
    started_at: DateTime<Utc>,
}

impl Run {
    async fn execute(self) -> bool {
        let name = self.job.name;
        let mut task = tokio::spawn((self.job.run)());
        let mut renew = tokio::time::interval((self.job.lease / 3).max(Duration::from_millis(100)));
        renew.tick().await;
        let outcome = loop {
            tokio::select! {
                finished = &mut task => break match finished {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(error)) => Err(error.to_string()),
                    Err(join) if join.is_panic() => Err("the job panicked".to_owned()),
                    Err(join) => Err(format!("the job was cancelled: {join}")),
                },
                _ = renew.tick() => match self.renew().await {
                    Ok(true) => {}
                    Ok(false) => {
                        task.abort();
                        tracing::warn!(job = name, "job lost its lease (another server took it over); stopped");
                        return false;
                    }
                    Err(error) => tracing::warn!(job = name, %error, "could not renew a job's lease"),
                },
            }
        };
        if let Err(error) = &outcome {
            tracing::warn!(job = name, %error, "job failed");
        }
        let result = if outcome.is_ok() { "succeeded" } else { "failed" };
        metrics::counter!("strongroom_job_runs_total", "job" => name, "outcome" => result).increment(1);
        if let Err(error) = self.finish(outcome.as_ref().err().cloned()).await {
            tracing::warn!(job = name, %error, "could not record a job's run; its lease will run out");
        }
        outcome.is_ok()
    }

    async fn renew(&self) -> DomainResult<bool> {
        let renewed = job::Entity::update_many()
            .col_expr(job::Column::LeaseUntil, Expr::value(Some(Utc::now() + chrono(self.job.lease))))
            .filter(job::Column::Name.eq(self.job.name))
            .filter(job::Column::LeasedBy.eq(self.lease.as_str()))
            .exec(&self.db)
            .await?;
        Ok(renewed.rows_affected == 1)
    }

    /// Records the outcome and releases the lease, if this run still holds it.
    async fn finish(&self, error: Option<String>) -> DomainResult<()> {
        let finished = job::Entity::update_many()
            .col_expr(job::Column::DueAt, Expr::value(self.started_at + chrono(self.job.every)))
            .col_expr(job::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .col_expr(job::Column::LeasedBy, Expr::value(Option::<String>::None))
            .col_expr(job::Column::LastFinishedAt, Expr::value(Some(Utc::now())))
            .col_expr(job::Column::LastError, Expr::value(error))
            .filter(job::Column::Name.eq(self.job.name))
            .filter(job::Column::LeasedBy.eq(self.lease.as_str()))
            .exec(&self.db)
            .await?;
        if finished.rows_affected != 1 {
            tracing::warn!(job = self.job.name, "a job ended after losing its lease; its outcome is not recorded");
        }
        Ok(())
    }
}
