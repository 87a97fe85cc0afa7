//! A bounded soak: the real binary against the fake Bot API at a steady rate, then a burst,
//! with memory and file descriptors sampled. `SOAK_SECS` sets the steady phase (default 12 s
//! in `cargo test`; `SOAK_SECS=300` for the five-minute run in docs/RELIABILITY.md).

use std::time::{Duration, Instant};

use crate::telegram::{Harness, signal, wait_exit};

fn proc_value(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

#[tokio::test]
async fn a_steady_rate_then_a_burst_keeps_memory_and_descriptors_flat() {
    let secs: u64 = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    let rate: u64 = 100; // updates per second
    let h = Harness::new().await;
    let child = h.spawn_binary(
        &[("RUST_LOG", "warn".into())],
        &h.content.with_file_name("soak.log"),
    );
    let pid = child.id();
    let areas = [
        "veselība",
        "izglītība",
        "tieslietas",
        "VM",
        "health",
        "kultūra",
        "satiksme",
        "vide",
    ];
    let mut sent = 0u64;
    let started = Instant::now();
    let mut samples: Vec<(u64, u64, usize)> = Vec::new(); // (second, RSS kB, fds)
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    while started.elapsed() < Duration::from_secs(secs) {
        tick.tick().await;
        for _ in 0..rate / 10 {
            let user = 10_000 + (sent % 500) as i64;
            let area = areas[(sent % areas.len() as u64) as usize];
            h.api
                .private_text(user, Some("lv"), &format!("/contact {area}"));
            sent += 1;
        }
        let second = started.elapsed().as_secs();
        if samples.last().is_none_or(|s| s.0 != second) {
            samples.push((second, proc_value(pid, "VmRSS:"), open_fds(pid)));
        }
    }
    // The burst: `SOAK_BURST` updates at once (default 1,000).
    let burst: u64 = std::env::var("SOAK_BURST")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    for i in 0..burst {
        let user = 20_000 + (i % 1000) as i64;
        h.api.private_text(
            user,
            Some("en"),
            &format!("/contact {}", areas[(i % 8) as usize]),
        );
    }
    sent += burst;
    let expected = sent as usize;
    h.api
        .wait_until(120, "every update answered", |api| {
            api.ok_calls("sendMessage").len() >= expected
        })
        .await;
    samples.push((
        started.elapsed().as_secs(),
        proc_value(pid, "VmRSS:"),
        open_fds(pid),
    ));
    let peak = proc_value(pid, "VmHWM:");
    signal(&child, "TERM");
    let status = wait_exit(child, 30).await;
    assert!(status.success());

    assert_eq!(
        h.api.ok_calls("sendMessage").len(),
        expected,
        "every update answered exactly once"
    );
    // After warm-up (a fifth of the run), RSS and descriptors stay flat.
    let warm = samples[samples.len() / 5];
    let steady_end = samples[samples.len() - 2];
    eprintln!(
        "soak: {sent} updates in {:?}; RSS warm {} kB, end of steady phase {} kB, after burst {} kB, peak {peak} kB; fds {} → {}",
        started.elapsed(),
        warm.1,
        steady_end.1,
        samples.last().unwrap().1,
        warm.2,
        samples.last().unwrap().2
    );
    assert!(
        steady_end.1 <= warm.1 + warm.1 / 5 + 4096,
        "RSS grew during the steady phase: {samples:?}"
    );
    // The burst may open up to one connection per chat answered in parallel (32), no more.
    assert!(
        samples.last().unwrap().2 <= warm.2 + 36,
        "file descriptors grew: {samples:?}"
    );
}
