//! One circuit for the Bot API, beside the 429 [`Gate`](super::api::Gate): when calls keep
//! failing (5xx, timeouts, refused or reset connections, unreadable answers), the workers do
//! not each retry on their own. After [`OPEN_AFTER`] transient failures in a row the circuit
//! opens: every call waits at it, and one at a time goes through as a probe, at most once per
//! probe interval (1 s, doubling to [`MAX_PROBE_EVERY`]). The first answer from the Bot API
//! closes it, and everything that waited goes at once. Any answer counts, an error too: a 400
//! or a 403 shows that the Bot API is there.
//!
//! The poller's `getUpdates` does not go through it: a long poll that works says nothing about
//! `sendMessage`, and its own backoff keeps it to a few calls a second during an outage.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
// tokio's clock (the same as std's unless a test pauses time).
use tokio::time::Instant;

/// Transient failures in a row that open the circuit.
pub(crate) const OPEN_AFTER: u32 = 3;
/// The first wait between two probes; it doubles up to [`MAX_PROBE_EVERY`].
pub(crate) const FIRST_PROBE_EVERY: Duration = Duration::from_secs(1);
/// The longest wait between two probes: once the Bot API answers again, waiting replies go
/// within this (plus the time of one call).
pub(crate) const MAX_PROBE_EVERY: Duration = Duration::from_secs(4);

/// See the module documentation.
#[derive(Debug, Default)]
pub(crate) struct Circuit {
    state: Mutex<State>,
    /// The circuit closed, a probe ended or the bot is stopping: waiters look again.
    changed: Notify,
    /// No more retries (the bot is stopping): waiting calls give up.
    stopping: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    /// Transient failures in a row while closed.
    failures: u32,
    open: Option<Open>,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    since: Instant,
    /// No probe before this.
    next_probe: Instant,
    /// The wait after the next failed probe.
    every: Duration,
    /// A probe is on its way.
    probing: bool,
}

/// Why a call may not go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shut {
    /// The bot is stopping: no call waits any longer.
    Stopping,
}

/// Leave to make one call; tell the circuit how it went ([`Pass::answered`],
/// [`Pass::failed`]). A pass dropped without a verdict (the call was cut) frees the probe.
#[derive(Debug)]
pub(crate) struct Pass<'a> {
    circuit: &'a Circuit,
    probe: bool,
    settled: bool,
}

impl Circuit {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the circuit is open (calls wait for a probe).
    pub(crate) fn is_open(&self) -> bool {
        self.lock().open.is_some()
    }

    /// Waits until a call may go: at once while the circuit is closed; while it is open, until
    /// this call may be the probe or the circuit closes (or the bot stops:
    /// [`Shut::Stopping`]).
    pub(crate) async fn pass(&self) -> Result<Pass<'_>, Shut> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let wake = {
                let now = Instant::now();
                let mut state = self.lock();
                match state.open.as_mut() {
                    None => return Ok(self.pass_as(false)),
                    Some(_) if self.is_stopping() => return Err(Shut::Stopping),
                    Some(open) if !open.probing && open.next_probe <= now => {
                        open.probing = true;
                        return Ok(self.pass_as(true));
                    }
                    Some(open) if open.probing => None,
                    Some(open) => Some(open.next_probe),
                }
            };
            match wake {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = &mut changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }

    /// A pass at once if the circuit is closed (no waiting, no timer): the common case.
    pub(crate) fn try_pass(&self) -> Option<Pass<'_>> {
        self.lock().open.is_none().then(|| self.pass_as(false))
    }

    fn pass_as(&self, probe: bool) -> Pass<'_> {
        Pass {
            circuit: self,
            probe,
            settled: false,
        }
    }

    /// The Bot API answered (whatever it said): the circuit closes.
    fn answered(&self) {
        let was_open = {
            let mut state = self.lock();
            state.failures = 0;
            state.open.take()
        };
        if let Some(open) = was_open {
            metrics::gauge!("bot_api_circuit_open").set(0.0);
            tracing::info!(
                after_ms = open.since.elapsed().as_millis() as u64,
                "the Bot API answers again: the replies that waited go now"
            );
            self.changed.notify_waiters();
        }
    }

    /// A call failed in a way that may pass (`probe`: it was the probe).
    fn failed(&self, probe: bool, now: Instant) {
        let mut state = self.lock();
        match state.open.as_mut() {
            Some(open) if probe => {
                open.probing = false;
                open.next_probe = now + jitter(open.every);
                open.every = (open.every * 2).min(MAX_PROBE_EVERY);
                drop(state);
                // Waiters sleep until the next probe time; the one that wakes first goes.
                self.changed.notify_waiters();
            }
            // A call that left before the circuit opened: the probe decides.
            Some(_) => {}
            None => {
                state.failures += 1;
                if state.failures >= OPEN_AFTER {
                    state.open = Some(Open {
                        since: now,
                        next_probe: now + jitter(FIRST_PROBE_EVERY),
                        every: (FIRST_PROBE_EVERY * 2).min(MAX_PROBE_EVERY),
                        probing: false,
                    });
                    drop(state);
                    metrics::gauge!("bot_api_circuit_open").set(1.0);
                    metrics::counter!("bot_api_circuit_opened_total").increment(1);
                    tracing::warn!(
                        failures = OPEN_AFTER,
                        "the Bot API keeps failing: calls wait, and one at a time tries again every few seconds"
                    );
                }
            }
        }
    }

    /// A probe was cut before it had an answer: the next one may go.
    fn abandoned(&self) {
        let mut state = self.lock();
        if let Some(open) = state.open.as_mut() {
            open.probing = false;
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// The bot is stopping: calls waiting at the open circuit give up at once (and callers
    /// retry no more, see `send::with_retry`); while it is closed, calls still go.
    pub(crate) fn stop_retrying(&self) {
        self.stopping.store(true, Ordering::Release);
        self.changed.notify_waiters();
    }

    /// Whether [`Circuit::stop_retrying`] was called.
    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    /// Resolves once [`Circuit::stop_retrying`] is called.
    pub(crate) async fn stopped(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.is_stopping() {
                return;
            }
            changed.await;
        }
    }
}

impl Pass<'_> {
    /// The Bot API answered (success, or an error that is its answer: 400, 403, 429).
    pub(crate) fn answered(mut self) {
        self.settled = true;
        self.circuit.answered();
    }

    /// A transient failure.
    pub(crate) fn failed(mut self) {
        self.settled = true;
        self.circuit.failed(self.probe, Instant::now());
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        if !self.settled && self.probe {
            self.circuit.abandoned();
        }
    }
}

/// `wait` shortened by up to a quarter, at random: waiters that started together do not
/// come back together.
pub(crate) fn jitter(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    // A fresh random seed per call (std's hasher keys), no random-number dependency.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(wait.as_nanos() as u64);
    let fraction = (hasher.finish() % 1000) as f64 / 1000.0;
    wait.mul_f64(1.0 - 0.25 * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Opens `circuit` with [`OPEN_AFTER`] failures of calls that passed while it was closed.
    async fn open(circuit: &Circuit) {
        for _ in 0..OPEN_AFTER {
            circuit.pass().await.unwrap().failed();
        }
        assert!(circuit.is_open());
    }

    #[tokio::test]
    async fn it_opens_after_a_few_failures_in_a_row_and_an_answer_resets_the_count() {
        let circuit = Circuit::default();
        for _ in 0..OPEN_AFTER - 1 {
            circuit.pass().await.unwrap().failed();
        }
        circuit.pass().await.unwrap().answered();
        for _ in 0..OPEN_AFTER - 1 {
            circuit.pass().await.unwrap().failed();
        }
        assert!(!circuit.is_open(), "the answer started the count again");
        circuit.pass().await.unwrap().failed();
        assert!(circuit.is_open());
    }

    /// Twenty callers retry through an open circuit against a Bot API that is down for 20 s:
    /// one call at a time, spaced by the probe interval; the first answer lets all go.
    #[tokio::test(start_paused = true)]
    async fn an_open_circuit_lets_one_probe_through_at_a_time_and_the_first_answer_lets_all_go() {
        let circuit = Arc::new(Circuit::default());
        open(&circuit).await;
        let t0 = Instant::now();
        let up_at = t0 + Duration::from_secs(20);
        // (when a call went, whether it was a probe) for every call.
        let calls = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut callers = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (circuit, calls, in_flight) = (
                Arc::clone(&circuit),
                Arc::clone(&calls),
                Arc::clone(&in_flight),
            );
            callers.spawn(async move {
                loop {
                    let pass = circuit.pass().await.unwrap();
                    let now = Instant::now();
                    let concurrent = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    calls.lock().unwrap().push((now, pass.probe, concurrent));
                    // A call takes 50 ms.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    if now < up_at {
                        pass.failed();
                    } else {
                        pass.answered();
                        return Instant::now();
                    }
                }
            });
        }
        let mut done = Vec::new();
        while let Some(at) = callers.join_next().await {
            done.push(at.unwrap());
        }
        let calls = calls.lock().unwrap().clone();
        let during: Vec<_> = calls.iter().filter(|(at, _, _)| *at < up_at).collect();
        assert!(
            during.iter().all(|(_, probe, n)| *probe && *n == 1),
            "{during:?}"
        );
        for pair in during.windows(2) {
            let gap = pair[1].0 - pair[0].0;
            assert!(
                gap >= Duration::from_millis(750),
                "{gap:?} between two probes"
            );
        }
        // 1 s, 2 s, then every 4 s (less a quarter at most): a few calls in 20 s.
        assert!((4..=8).contains(&during.len()), "{} probes", during.len());
        // Once the Bot API answers, everybody goes within one probe interval.
        let last = done.iter().max().unwrap();
        assert!(
            *last <= up_at + MAX_PROBE_EVERY + Duration::from_millis(200),
            "{:?} after the outage",
            *last - up_at
        );
        assert!(!circuit.is_open());
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_cut_short_lets_the_next_one_go() {
        let circuit = Circuit::default();
        open(&circuit).await;
        let probe = circuit.pass().await.unwrap();
        assert!(probe.probe);
        drop(probe);
        let next = tokio::time::timeout(Duration::from_millis(10), circuit.pass()).await;
        assert!(next.is_ok_and(|p| p.is_ok_and(|p| p.probe)));
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_ends_every_wait_at_once() {
        let circuit = Arc::new(Circuit::default());
        open(&circuit).await;
        let _probe = circuit.pass().await.unwrap();
        let waiter = tokio::spawn({
            let circuit = Arc::clone(&circuit);
            async move { circuit.pass().await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(!waiter.is_finished(), "waits while the probe is out");
        circuit.stop_retrying();
        assert_eq!(waiter.await.unwrap(), Err(Shut::Stopping));
        assert_eq!(circuit.pass().await.map(|_| ()), Err(Shut::Stopping));
    }

    #[test]
    fn jitter_shortens_by_at_most_a_quarter() {
        let waits: Vec<Duration> = (0..200).map(|_| jitter(Duration::from_secs(4))).collect();
        assert!(
            waits
                .iter()
                .all(|w| *w >= Duration::from_secs(3) && *w <= Duration::from_secs(4))
        );
        assert!(waits.iter().any(|w| *w != waits[0]), "not all the same");
    }
}
