//! `health`: one request to the running bot's `/healthz`, for a container's HEALTHCHECK or a
//! supervisor.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use lidzdaliba_bot::config::Config;
use lidzdaliba_bot::content::ContentHash;

use super::Failure;

/// Prints one short line; exit 0 only for a 200.
pub fn health(config: Config, addr: Option<SocketAddr>, timeout: u64) -> Result<ExitCode, Failure> {
    let Some(addr) = addr.or(config.health_listen) else {
        return Err(Failure::Unhealthy(
            "HEALTH_LISTEN is not set, so the bot serves no /healthz to ask".into(),
        ));
    };
    let summary =
        probe_health(addr, Duration::from_secs(timeout.max(1))).map_err(Failure::Unhealthy)?;
    println!("healthy: {summary}");
    Ok(ExitCode::SUCCESS)
}

/// Asks `GET /healthz` at `addr` over plain HTTP/1.0 (no client library and no curl needed in
/// a container image). An unspecified address (`0.0.0.0`, `[::]`) means the loopback address of
/// its family. `Ok` holds a one-line summary for a 200; `Err` the reason for anything else.
fn probe_health(addr: SocketAddr, timeout: Duration) -> Result<String, String> {
    use std::io::{Read, Write};
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let target = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), addr.port())
        }
        _ => addr,
    };
    let mut stream = std::net::TcpStream::connect_timeout(&target, timeout)
        .map_err(|err| format!("cannot connect to {target}: {err}"))?;
    let io_err = |err: std::io::Error| format!("no answer from {target}: {err}");
    stream.set_read_timeout(Some(timeout)).map_err(io_err)?;
    stream.set_write_timeout(Some(timeout)).map_err(io_err)?;
    // HTTP/1.0: the answer is never chunked and ends when the server closes the connection.
    let request = format!("GET /healthz HTTP/1.0\r\nHost: {target}\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(io_err)?;
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(io_err)?;
    let answer = String::from_utf8_lossy(&answer);
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok())
        .filter(|_| head.starts_with("HTTP/"))
        .ok_or_else(|| format!("{target} did not answer in HTTP"))?;
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let status = json
        .as_ref()
        .and_then(|j| j.get("status"))
        .and_then(|s| s.as_str())
        .unwrap_or("no status in the answer");
    if code == 200 {
        let hash = json
            .as_ref()
            .and_then(|j| j.get("content_hash"))
            .and_then(|h| h.as_str())
            .map(|h| format!(", content {}", ContentHash::from(h.to_string()).short()))
            .unwrap_or_default();
        Ok(format!("{status}{hash}"))
    } else {
        Err(format!("/healthz at {target} answered {code}: {status}"))
    }
}
