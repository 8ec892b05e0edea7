//! The hub: wakes a host's held long-poll when something arrives for it, and hands it the
//! commands directly so a wake-up costs no database read. One slot per host: a `Notify`
//! (`notify_one` leaves a permit when nobody waits, so a command queued between two polls
//! is picked up by the next poll at once) and a mailbox of commands already committed to
//! the database. The database stays the truth: a poll that starts checks it first.

pub mod auth;
pub mod writer;

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant},
};

use cairn_proto::{Answer, Command};
use tokio::sync::{Notify, oneshot};
use uuid::Uuid;

/// How many recently delivered command ids a slot remembers, to never hand one out twice
/// (once from the database, once from the mailbox).
const RECENT: usize = 64;

/// How long a poll start may trust the mailbox instead of the database. Every command this
/// process queues goes through the mailbox, so the database only adds commands queued
/// elsewhere (another replica); those wait at most this long plus one poll.
const TRUST_MAILBOX: Duration = Duration::from_secs(60);

/// Hosts one wake-up of many wakes at once; the rest follow in waves of this size, one
/// every [`WAVE_GAP`]. A config change to 10,000 hosts woke every held poll in the same
/// instant: 10,000 answers and 10,000 re-polls within a second pushed the server's RSS
/// 80–90 MB over the 10,000 held connections' own (docs/performance.md, P1). In waves of
/// 1,000 every 200 ms the fleet has it within about 2 s, well inside the 5 s target, and a
/// change to a few hundred hosts still goes out at once.
const WAVE: usize = 1_000;
const WAVE_GAP: Duration = Duration::from_millis(200);

#[derive(Default)]
pub struct Slot {
    pub notify: Notify,
    mailbox: Mutex<Vec<Command>>,
    recent: Mutex<VecDeque<Uuid>>,
    /// Bumped by every poll that starts; only the newest poll may take commands.
    generation: std::sync::atomic::AtomicU64,
    /// When a poll last read the host's undelivered commands from the database (and handed
    /// them all out). From then on, anything new that this process queues is in the mailbox.
    checked_at: Mutex<Option<Instant>>,
    /// Set by a wake-up that the mailbox cannot answer (new config, the host deleted): the
    /// woken poll must read the database. Without it, an empty mailbox after a wake-up is
    /// the permit of a delivery whose commands a poll's start already took.
    recheck: std::sync::atomic::AtomicBool,
}

impl Slot {
    /// Registers a new poll as the host's live one and releases older held ones.
    pub fn begin_poll(&self) -> u64 {
        let me = self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        self.notify.notify_waiters();
        me
    }

    pub fn is_current(&self, poll: u64) -> bool {
        self.generation.load(std::sync::atomic::Ordering::SeqCst) == poll
    }

    /// Whether the database was read recently enough that the mailbox holds all the rest;
    /// false after a restart (the slot is new), so the first poll reads the database.
    pub fn mailbox_is_enough(&self) -> bool {
        let at = self.checked_at.lock().unwrap_or_else(|e| e.into_inner());
        at.is_some_and(|t| t.elapsed() < TRUST_MAILBOX)
    }

    /// A poll read the database's undelivered commands and is handing them all out.
    pub fn database_read(&self) {
        *self.checked_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }

    /// Commands made undelivered again in the database (their answer was likely lost): the
    /// next poll reads the database and may hand them out once more.
    pub fn redelivered(&self, ids: &[Uuid]) {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).retain(|id| !ids.contains(id));
        *self.checked_at.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether a wake-up asked for a database read since the last call.
    pub fn take_recheck(&self) -> bool {
        self.recheck.swap(false, std::sync::atomic::Ordering::SeqCst)
    }

    /// Takes the mailbox, minus anything already delivered.
    /// Takes back a command no poll has taken yet (a question withdrawn at its deadline).
    pub fn retract(&self, id: Uuid) {
        self.mailbox.lock().unwrap_or_else(|e| e.into_inner()).retain(|c| c.id != id);
    }

    pub fn take(&self) -> Vec<Command> {
        let cmds = std::mem::take(&mut *self.mailbox.lock().unwrap_or_else(|e| e.into_inner()));
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        cmds.into_iter().filter(|c| !recent.contains(&c.id)).collect()
    }

    /// Whether the command went out already (its delivered-mark may not be committed yet).
    pub fn was_delivered(&self, id: Uuid) -> bool {
        self.recent.lock().unwrap_or_else(|e| e.into_inner()).contains(&id)
    }

    /// Records deliveries (from either path) so the other path skips them.
    pub fn delivered(&self, ids: impl IntoIterator<Item = Uuid>) {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        for id in ids {
            recent.push_back(id);
            if recent.len() > RECENT {
                recent.pop_front();
            }
        }
        let mut mailbox = self.mailbox.lock().unwrap_or_else(|e| e.into_inner());
        mailbox.retain(|c| !recent.contains(&c.id));
    }
}

/// What the domain asks of the agents' side: wake a host's held poll, hand it commands,
/// and tell a job's live viewers that it changed. The in-process [`Hub`] is today's only
/// implementation; a replica-aware one (PostgreSQL LISTEN/NOTIFY) can stand in its place
/// without the domain changing. Every method is called after the change it announces is
/// committed, so a wake-up that is lost (another process, a restart) costs latency, never
/// correctness: the database stays the truth.
///
/// What is per process, and why each is safe:
/// - a host's [`Slot`] (held-poll `Notify`, command mailbox, recently delivered ids): a
///   poll reads the database at its first start and at least once a minute
///   (`TRUST_MAILBOX`), so commands queued by another process arrive within that bound;
/// - the "no open jobs" set: absent after a restart (so the first poll checks), and only a
///   hint that lets a poll skip the lost-job query; a job created elsewhere is found by
///   that process's own poll of the host or by the next check;
/// - job watchers: a live viewer also re-reads the job every few seconds;
/// - question waiters: the asking request waits in the process it arrived at. An answer
///   posted to another process finds no waiter here and is refused (`ask.closed`), so the
///   asker sees `agent.no_answer` at its deadline: late, never wrong. A replica-aware hub
///   forwards answers to the process that asked.
pub trait Wakeups: Send + Sync + 'static {
    /// The host's held-poll slot in this process (created on first use).
    fn slot(&self, host: Uuid) -> Arc<Slot>;
    /// Wakes the host's poll to read the database (new config, the host deleted).
    fn wake(&self, host: Uuid);
    fn wake_many(&self, hosts: &[Uuid]);
    /// Hands commands already committed to the host's poll and wakes it.
    fn deliver(&self, host: Uuid, commands: Vec<Command>);
    /// `None` when the host is known to have no unfinished job; otherwise the counter to
    /// hand back to [`Wakeups::no_open_jobs`].
    fn open_jobs_check(&self, host: Uuid) -> Option<u64>;
    /// A job was created for the host.
    fn job_opened(&self, host: Uuid);
    /// The check started at `seen` found nothing unfinished.
    fn no_open_jobs(&self, host: Uuid, seen: u64);
    /// What a job's live viewers wait on.
    fn watch_job(&self, job: Uuid) -> Arc<Notify>;
    /// Something about the job was committed: its viewers re-read it.
    fn job_changed(&self, job: Uuid);
    /// The host is gone: a poll still held for it ends now.
    fn forget(&self, host: Uuid);
    /// Waits for the answer to the question `ask` put to `host`. Call before the question
    /// is delivered, so a quick answer cannot come first.
    fn await_answer(&self, ask: Uuid, host: Uuid) -> oneshot::Receiver<Answer>;
    /// Hands `host`'s answer to its waiter. False when none waits here: answered already,
    /// given up at its deadline, or another host's question.
    fn answered(&self, ask: Uuid, host: Uuid, answer: Answer) -> bool;
    /// The asker stopped waiting (deadline, or its request was dropped).
    fn stop_waiting(&self, ask: Uuid);
    /// Waits for the bytes of the download `id` asked of `host` (the agent's upload).
    fn await_upload(&self, id: Uuid, host: Uuid) -> oneshot::Receiver<Upload>;
    /// Hands `host`'s upload to its waiting download; `Err` gives it back when nobody
    /// waits (another host's, given up, or unknown).
    fn uploaded(&self, id: Uuid, host: Uuid, upload: Upload) -> Result<(), Upload>;
}

/// A download's bytes as the agent uploads them, and the signal that the browser's answer
/// has ended (its body consumed, or the browser gone), which ends the agent's request.
pub struct Upload {
    pub body: ByteStream,
    pub done: oneshot::Sender<()>,
}

/// Bytes as they arrive, until the end or an error.
pub type ByteStream = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>,
>;

impl Wakeups for Hub {
    fn slot(&self, host: Uuid) -> Arc<Slot> {
        Hub::slot(self, host)
    }
    fn wake(&self, host: Uuid) {
        Hub::wake(self, host)
    }
    fn wake_many(&self, hosts: &[Uuid]) {
        Hub::wake_many(self, hosts)
    }
    fn deliver(&self, host: Uuid, commands: Vec<Command>) {
        Hub::deliver(self, host, commands)
    }
    fn open_jobs_check(&self, host: Uuid) -> Option<u64> {
        Hub::open_jobs_check(self, host)
    }
    fn job_opened(&self, host: Uuid) {
        Hub::job_opened(self, host)
    }
    fn no_open_jobs(&self, host: Uuid, seen: u64) {
        Hub::no_open_jobs(self, host, seen)
    }
    fn watch_job(&self, job: Uuid) -> Arc<Notify> {
        Hub::watch_job(self, job)
    }
    fn job_changed(&self, job: Uuid) {
        Hub::job_changed(self, job)
    }
    fn forget(&self, host: Uuid) {
        Hub::forget(self, host)
    }
    fn await_answer(&self, ask: Uuid, host: Uuid) -> oneshot::Receiver<Answer> {
        let (tx, rx) = oneshot::channel();
        self.questions.lock().unwrap_or_else(|e| e.into_inner()).insert(ask, (host, tx));
        rx
    }
    fn answered(&self, ask: Uuid, host: Uuid, answer: Answer) -> bool {
        let mut questions = self.questions.lock().unwrap_or_else(|e| e.into_inner());
        // Only the host asked may answer; another host's post leaves the waiter waiting.
        if questions.get(&ask).is_none_or(|(asked, _)| *asked != host) {
            return false;
        }
        questions.remove(&ask).is_some_and(|(_, tx)| tx.send(answer).is_ok())
    }
    fn stop_waiting(&self, ask: Uuid) {
        self.questions.lock().unwrap_or_else(|e| e.into_inner()).remove(&ask);
        self.uploads.lock().unwrap_or_else(|e| e.into_inner()).remove(&ask);
    }
    fn await_upload(&self, id: Uuid, host: Uuid) -> oneshot::Receiver<Upload> {
        let (tx, rx) = oneshot::channel();
        self.uploads.lock().unwrap_or_else(|e| e.into_inner()).insert(id, (host, tx));
        rx
    }
    fn uploaded(&self, id: Uuid, host: Uuid, upload: Upload) -> Result<(), Upload> {
        let mut uploads = self.uploads.lock().unwrap_or_else(|e| e.into_inner());
        if uploads.get(&id).is_none_or(|(asked, _)| *asked != host) {
            return Err(upload);
        }
        match uploads.remove(&id) {
            Some((_, tx)) => tx.send(upload),
            None => Err(upload),
        }
    }
}

#[derive(Default)]
pub struct Hub {
    slots: Mutex<HashMap<Uuid, Arc<Slot>>>,
    /// Live viewers of a job (SSE streams): woken after its events are committed.
    jobs: Mutex<HashMap<Uuid, Weak<Notify>>>,
    /// Hosts known to have no unfinished job, so their polls skip the lost-job query (a
    /// fleet-wide wake-up would otherwise cost one query per host). A host leaves the set
    /// when a job is created for it; it is absent after a restart, so the first poll checks.
    /// Per host: whether it is known clean, and a counter bumped by every new job, so a
    /// check that raced with a new job cannot mark the host clean.
    no_open_jobs: Mutex<HashMap<Uuid, (bool, u64)>>,
    /// Questions put to agents whose askers wait in this process: the host asked, and
    /// where its answer goes.
    questions: Mutex<HashMap<Uuid, (Uuid, oneshot::Sender<Answer>)>>,
    /// Downloads waiting for their agent's upload: the host asked, and where the bytes go.
    uploads: Mutex<HashMap<Uuid, (Uuid, oneshot::Sender<Upload>)>>,
}

impl Hub {
    /// The slot of a host (created on first use).
    pub fn slot(&self, host: Uuid) -> Arc<Slot> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).entry(host).or_default().clone()
    }

    /// Wakes the host's poll to read the database (new config).
    pub fn wake(&self, host: Uuid) {
        Self::recheck(&self.slot(host));
    }

    fn recheck(slot: &Slot) {
        slot.recheck.store(true, std::sync::atomic::Ordering::SeqCst);
        slot.notify.notify_one();
    }

    /// Wakes the hosts' polls to read the database: the first [`WAVE`] now, the others in
    /// waves (see there why). A poll that starts meanwhile reads the new config anyway.
    pub fn wake_many(&self, hosts: &[Uuid]) {
        let mut slots = hosts.iter().map(|h| self.slot(*h));
        slots.by_ref().take(WAVE).for_each(|s| Self::recheck(&s));
        let rest: Vec<Arc<Slot>> = slots.collect();
        if rest.is_empty() {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move {
                    for wave in rest.chunks(WAVE) {
                        tokio::time::sleep(WAVE_GAP).await;
                        wave.iter().for_each(|s| Self::recheck(s));
                    }
                });
            }
            // No runtime to pace with (a synchronous caller): all at once, as before.
            Err(_) => rest.iter().for_each(|s| Self::recheck(s)),
        }
    }

    /// Hands committed commands to the host's poll and wakes it.
    pub fn deliver(&self, host: Uuid, commands: Vec<Command>) {
        let slot = self.slot(host);
        slot.mailbox.lock().unwrap_or_else(|e| e.into_inner()).extend(commands);
        slot.notify.notify_one();
    }

    /// `None` when the host is known to have no unfinished job (its polls need not look
    /// for lost ones); otherwise the counter to hand back to [`Hub::no_open_jobs`].
    pub fn open_jobs_check(&self, host: Uuid) -> Option<u64> {
        let map = self.no_open_jobs.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&host) {
            Some((true, _)) => None,
            Some((false, n)) => Some(*n),
            None => Some(0),
        }
    }

    /// A job was created for the host.
    pub fn job_opened(&self, host: Uuid) {
        let mut map = self.no_open_jobs.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(host).or_insert((false, 0));
        *e = (false, e.1 + 1);
    }

    /// The check started at `seen` found nothing unfinished; ignored if a job was created
    /// since.
    pub fn no_open_jobs(&self, host: Uuid, seen: u64) {
        let mut map = self.no_open_jobs.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(host).or_insert((false, 0));
        if e.1 == seen {
            e.0 = true;
        }
    }

    /// What a job's live viewers wait on; shared by all viewers of that job.
    pub fn watch_job(&self, job: Uuid) -> Arc<Notify> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = jobs.get(&job).and_then(Weak::upgrade) {
            return n;
        }
        // Drop entries whose viewers are all gone, so the map stays as small as the audience.
        jobs.retain(|_, w| w.strong_count() > 0);
        let n = Arc::new(Notify::new());
        jobs.insert(job, Arc::downgrade(&n));
        n
    }

    /// Something about the job was committed: its viewers re-read it.
    pub fn job_changed(&self, job: Uuid) {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = jobs.get(&job).and_then(Weak::upgrade) {
            n.notify_waiters();
        }
    }

    pub fn forget(&self, host: Uuid) {
        if let Some(slot) = self.slots.lock().unwrap_or_else(|e| e.into_inner()).remove(&host) {
            // A poll still held for a deleted host ends now (and then fails auth).
            slot.recheck.store(true, std::sync::atomic::Ordering::SeqCst);
            slot.notify.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn cmd() -> Command {
        Command {
            id: Uuid::now_v7(),
            created_at: Utc::now(),
            action: cairn_proto::Action::Ping(cairn_proto::Ping {}),
        }
    }

    #[test]
    fn mailbox_never_hands_out_a_delivered_command() {
        let hub = Hub::default();
        let host = Uuid::new_v4();
        let (a, b) = (cmd(), cmd());
        // `a` went out through the database path before the mailbox got it.
        hub.slot(host).delivered([a.id]);
        hub.deliver(host, vec![a.clone(), b.clone()]);
        let got = hub.slot(host).take();
        assert_eq!(got, vec![b]);
        assert!(hub.slot(host).take().is_empty());
    }

    #[test]
    fn the_mailbox_is_trusted_only_after_a_database_read() {
        let hub = Hub::default();
        let slot = hub.slot(Uuid::now_v7());
        assert!(!slot.mailbox_is_enough(), "a new slot (after a restart) reads the database");
        slot.database_read();
        assert!(slot.mailbox_is_enough());
        *slot.checked_at.lock().unwrap() = Instant::now().checked_sub(TRUST_MAILBOX);
        assert!(!slot.mailbox_is_enough(), "a minute later the database is read again");
    }

    #[test]
    fn a_command_handed_out_is_known_until_it_rolls_out_of_the_window() {
        let hub = Hub::default();
        let slot = hub.slot(Uuid::now_v7());
        let first = cmd();
        slot.delivered([first.id]);
        assert!(slot.was_delivered(first.id));
        slot.delivered((0..RECENT).map(|_| Uuid::now_v7()));
        assert!(!slot.was_delivered(first.id));
    }

    #[test]
    fn a_redelivered_command_may_go_out_again_and_sends_the_poll_to_the_database() {
        let hub = Hub::default();
        let slot = hub.slot(Uuid::now_v7());
        let c = cmd();
        slot.delivered([c.id]);
        slot.database_read();
        slot.redelivered(&[c.id]);
        assert!(!slot.was_delivered(c.id));
        assert!(!slot.mailbox_is_enough(), "the next poll must read the database");
    }

    #[tokio::test]
    async fn a_wake_before_the_wait_is_not_lost() {
        let hub = Hub::default();
        let host = Uuid::new_v4();
        hub.deliver(host, vec![cmd()]);
        let slot = hub.slot(host);
        tokio::time::timeout(std::time::Duration::from_millis(100), slot.notify.notified())
            .await
            .expect("the permit left by notify_one wakes the next waiter");
    }

    #[tokio::test]
    async fn a_wake_of_many_hosts_goes_out_in_waves_and_reaches_all() {
        let hub = Hub::default();
        let hosts: Vec<Uuid> = (0..2 * WAVE + 10).map(|_| Uuid::now_v7()).collect();
        let woken = |hub: &Hub| {
            hosts
                .iter()
                .filter(|h| hub.slot(**h).recheck.load(std::sync::atomic::Ordering::SeqCst))
                .count()
        };
        hub.wake_many(&hosts);
        assert_eq!(woken(&hub), WAVE, "the first wave at once, the rest later");
        assert!(hosts[..WAVE].iter().all(|h| hub.slot(*h).take_recheck()), "in the given order");
        let t0 = Instant::now();
        while woken(&hub) < hosts.len() - WAVE {
            assert!(t0.elapsed() < WAVE_GAP * 10, "the later waves never came");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(t0.elapsed() >= WAVE_GAP, "the second wave waited its gap");
        // A few hosts are woken at once, whatever else is going on.
        let few: Vec<Uuid> = (0..10).map(|_| Uuid::now_v7()).collect();
        hub.wake_many(&few);
        assert!(few.iter().all(|h| hub.slot(*h).take_recheck()));
    }

    #[test]
    fn a_check_racing_a_new_job_cannot_mark_the_host_clean() {
        let hub = Hub::default();
        let h = Uuid::now_v7();
        let seen = hub.open_jobs_check(h).unwrap();
        hub.job_opened(h); // created while the check ran
        hub.no_open_jobs(h, seen);
        assert!(hub.open_jobs_check(h).is_some(), "must still check");
        let seen = hub.open_jobs_check(h).unwrap();
        hub.no_open_jobs(h, seen);
        assert!(hub.open_jobs_check(h).is_none(), "clean now: polls skip the query");
        hub.job_opened(h);
        assert!(hub.open_jobs_check(h).is_some());
    }

    #[tokio::test]
    async fn a_new_poll_releases_the_old_one_which_takes_nothing() {
        let hub = Arc::new(Hub::default());
        let h = Uuid::now_v7();
        let slot = hub.slot(h);
        let old = slot.begin_poll();
        let waiting = {
            let slot = slot.clone();
            tokio::spawn(async move {
                slot.notify.notified().await;
                slot.is_current(old)
            })
        };
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let new = slot.begin_poll();
        assert!(!waiting.await.unwrap(), "the old poll learns it was superseded");
        assert!(slot.is_current(new));
    }
}
