//! Long replies cut into messages that each fit Telegram's limit.

use super::MAX_MESSAGE_UTF16;
use super::read::{Piece, tokens, visible_len};

/// Splits `html` into messages of at most [`MAX_MESSAGE_UTF16`] visible UTF-16 units each: at
/// paragraph boundaries first, then at line ends, then at spaces, and only as a last resort
/// inside a word; never inside a tag or entity. Tags open at a cut are closed and reopened.
/// Never returns an empty message: empty input gives no messages.
pub fn split(html: &str) -> Vec<String> {
    split_at(html, MAX_MESSAGE_UTF16)
}

/// [`split`] with a chosen limit (for tests).
pub fn split_at<'a>(html: &'a str, limit: usize) -> Vec<String> {
    let html = html.trim();
    if html.is_empty() {
        return Vec::new();
    }
    // UTF-16 units never outnumber UTF-8 bytes: a short text needs no scan.
    if html.len() <= limit || visible_len(html) <= limit {
        return vec![html.to_string()];
    }
    let pieces = tokens(html);
    let mut out = Vec::new();
    let mut start = 0;
    // Tags open where the current message starts: (name, opening tag).
    let mut open_at_start: Vec<(&str, &str)> = Vec::new();
    while start < pieces.len() {
        while matches!(pieces.get(start), Some(Piece::Char(_, _, ' ' | '\n'))) {
            start += 1;
        }
        let mut open = open_at_start.clone();
        let mut len = 0usize;
        // Latest cut point for each rank (space 1, line 2, paragraph 3): (end, len, open tags);
        // `whole` only those outside a quote, so that a folded quote that fits one message is
        // never cut (it would show as two quotes, each folded on its own).
        let mut cuts: [Option<Cut>; 4] = Default::default();
        let mut whole: [Option<Cut>; 4] = Default::default();
        let mut end = pieces.len();
        let mut end_open = None;
        for (i, piece) in pieces.iter().enumerate().skip(start) {
            match piece {
                Piece::Open(name, full, _) => {
                    if *name == "blockquote" && !open.iter().any(|(n, _)| *n == "blockquote") {
                        // Just before a quote: as good a place as the paragraph end before it.
                        let at = (i, len, open.clone());
                        if len > 0 {
                            whole[3] = Some(at.clone());
                            cuts[3] = Some(at);
                        }
                    }
                    open.push((name, full));
                }
                Piece::Close(name) => {
                    if let Some(pos) = open.iter().rposition(|(n, _)| n == name) {
                        open.remove(pos);
                    }
                }
                Piece::Fault(_) => {}
                Piece::Char(_, units, ch) => {
                    if len + units > limit {
                        let good = |cuts: &[Option<Cut<'a>>; 4]| good_cut(cuts, limit);
                        let chosen = good(&whole)
                            .or_else(|| good(&cuts))
                            .or_else(|| (1..4).rev().find_map(|r| cuts[r].clone()));
                        let (cut, cut_open) = match chosen {
                            Some((cut, _, o)) => (cut, o),
                            None => (i.max(start + 1), open.clone()),
                        };
                        end = cut;
                        end_open = Some(cut_open);
                        break;
                    }
                    len += units;
                    let previous_newline =
                        i > 0 && matches!(pieces.get(i - 1), Some(Piece::Char(_, _, '\n')));
                    let rank = match ch {
                        '\n' if previous_newline => 3,
                        '\n' => 2,
                        ' ' => 1,
                        _ => 0,
                    };
                    if rank > 0 {
                        let at = (i + 1, len, open.clone());
                        if !open.iter().any(|(n, _)| *n == "blockquote") {
                            whole[rank] = Some(at.clone());
                        }
                        cuts[rank] = Some(at);
                    }
                }
            }
        }
        let end_open = end_open.unwrap_or(open);
        let mut message: String = open_at_start.iter().map(|(_, full)| *full).collect();
        for piece in &pieces[start..end] {
            match piece {
                Piece::Open(_, full, _) => message.push_str(full),
                Piece::Close(name) => close_tag(&mut message, name),
                Piece::Char(raw, _, _) => message.push_str(raw),
                Piece::Fault(_) => {}
            }
        }
        for (name, _) in end_open.iter().rev() {
            close_tag(&mut message, name);
        }
        push_message(&mut out, message);
        open_at_start = end_open;
        start = end;
    }
    out
}

/// A place to cut: index of the first piece after it, visible length before it, tags open.
type Cut<'a> = (usize, usize, Vec<(&'a str, &'a str)>);

/// The latest cut of the best rank that leaves at least half a message before it.
fn good_cut<'a>(cuts: &[Option<Cut<'a>>; 4], limit: usize) -> Option<Cut<'a>> {
    (1..4)
        .rev()
        .find_map(|r| cuts[r].clone().filter(|c| c.1 >= limit / 2))
}

fn close_tag(message: &mut String, name: &str) {
    message.push_str("</");
    message.push_str(name);
    message.push('>');
}

fn push_message(out: &mut Vec<String>, text: String) {
    let text = text.trim().to_string();
    if visible_len(&text) > 0 {
        out.push(text);
    }
}
