//! The bytes of an SMTP session: command lines with a length limit, the message after DATA
//! (dot-unstuffed, bounded, read to its end even when too large so the session goes on),
//! and replies written in one piece.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

use super::Config;

pub(super) enum Line {
    Complete,
    TooLong,
    /// The client closed the connection.
    End,
}

/// Reads up to and including `\n`, keeping at most `limit` bytes (the rest of a longer line
/// is read and dropped).
pub(super) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    out: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Line> {
    let mut overflow = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if out.is_empty() && !overflow {
                Line::End
            } else {
                Line::Complete
            });
        }
        let (take, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = limit.saturating_sub(out.len());
        if take > room {
            overflow = true;
        }
        out.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        if done {
            return Ok(if overflow {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
    }
}

/// The message after DATA, dot-unstuffed, with CRLF line ends; `None` when it was larger
/// than allowed (it is read to its end and dropped, so the session can go on).
pub(super) async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    config: &Config,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_large = false;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        let read = tokio::time::timeout(config.idle_timeout, read_line(reader, &mut line, 1 << 20))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle in DATA"))??;
        if let Line::End = read {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the client left during DATA",
            ));
        }
        let content = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(&line);
        if content == b"." {
            return Ok((!too_large).then_some(data));
        }
        let content = content.strip_prefix(b".").unwrap_or(content);
        if too_large || data.len() + content.len() + 2 > config.max_message_bytes {
            too_large = true;
            data = Vec::new();
            continue;
        }
        data.extend_from_slice(content);
        data.extend_from_slice(b"\r\n");
    }
}

/// One write per reply: two small writes would wait on the client's delayed ACK (Nagle).
pub(super) async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &str) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(text.len() + 2);
    line.extend_from_slice(text.as_bytes());
    line.extend_from_slice(b"\r\n");
    write.write_all(&line).await?;
    write.flush().await
}

#[cfg(test)]
mod tests {
    use tokio::io::BufReader;

    use super::*;

    #[tokio::test]
    async fn data_is_unstuffed_and_limited() {
        let config = Config {
            max_message_bytes: 40,
            ..Config::default()
        };
        let input = b"Subject: x\r\n\r\n..leading dot\nbare LF\r\n.\r\nNEXT";
        let mut reader = BufReader::new(&input[..]);
        let data = read_data(&mut reader, &config)
            .await
            .expect("works in the test");
        assert_eq!(
            data.as_deref(),
            Some(&b"Subject: x\r\n\r\n.leading dot\r\nbare LF\r\n"[..])
        );
        let big = format!("{}\r\n.\r\nQUIT\r\n", "y".repeat(100));
        let mut reader = BufReader::new(big.as_bytes());
        assert_eq!(
            read_data(&mut reader, &config)
                .await
                .expect("works in the test"),
            None
        );
        let mut rest = Vec::new();
        read_line(&mut reader, &mut rest, 100)
            .await
            .expect("works in the test");
        assert_eq!(
            rest, b"QUIT\r\n",
            "the session goes on after a refused message"
        );
    }
}
