//! The offline console: the same engine in a terminal, no token needed. A line is a command or
//! text; a number presses that button of the last reply. Works with piped input and stops at
//! the end of it.

use std::io::Write;

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::engine::{Button, ChatKind, Engine, Input, Parsed, Reply, Request, command};
use crate::ids::UserId;
use crate::render;

/// The user id the console speaks as (its language choice is stored like anyone's).
pub(crate) const CONSOLE_USER: UserId = UserId(1);

/// Reads lines from `input` until its end and writes each reply to `out`.
pub async fn run<R, W>(engine: &Engine, input: R, out: &mut W) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: Write,
{
    let mut lines = input.lines();
    let mut last: Vec<Button> = Vec::new();
    while let Some(line) = lines.next_line().await? {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let input = match line.parse::<usize>() {
            Ok(n) if n >= 1 && !last.is_empty() => match last.get(n - 1) {
                Some(Button::Action { action, .. }) => Input::Button(action.encode()),
                Some(Button::Url { url, .. }) => {
                    writeln!(out, "→ {url}\n")?;
                    continue;
                }
                Some(Button::Copy { text, .. }) => {
                    writeln!(out, "→ {text}\n")?;
                    continue;
                }
                Some(Button::Share { query, .. }) => {
                    writeln!(out, "→ in Telegram this shares the item: @<bot> {query}\n")?;
                    continue;
                }
                None => {
                    writeln!(out, "(no button {n}; the last reply has {})\n", last.len())?;
                    continue;
                }
            },
            _ => match command::parse(line, None) {
                Parsed::Command { name, arg } => Input::Command { name, arg },
                Parsed::OtherBot | Parsed::Text(_) => Input::Text(line.to_string()),
            },
        };
        let request = Request {
            user_id: CONSOLE_USER,
            language_code: None,
            chat: ChatKind::Private,
            input,
        };
        if let Some(reply) = engine.handle(&request).await {
            write_reply(out, &reply)?;
            last = reply.buttons.into_iter().flatten().collect();
        }
    }
    Ok(())
}

/// Writes a reply as plain text with numbered buttons.
pub(crate) fn write_reply<W: Write>(out: &mut W, reply: &Reply) -> std::io::Result<()> {
    for message in reply.messages() {
        writeln!(out, "{}\n", render::to_plain(&message))?;
    }
    let mut n = 0;
    for row in &reply.buttons {
        let cells: Vec<String> = row
            .iter()
            .map(|b| {
                n += 1;
                match b {
                    // What the button copies is printed: a terminal has no clipboard button.
                    Button::Copy { label, text } if !label.contains(text.as_str()) => {
                        format!("[{n}] {label}: {text}")
                    }
                    _ => format!("[{n}] {}", b.label()),
                }
            })
            .collect();
        writeln!(out, "{}", cells.join("   "))?;
    }
    writeln!(out, "{}", "─".repeat(40))?;
    Ok(())
}
