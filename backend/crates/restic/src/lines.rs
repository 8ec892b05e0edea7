//! `ls --json` read as it streams: each node line is parsed and handed on as restic prints
//! it, so listing a snapshot of millions of paths never holds restic's whole output.

use std::{
    pin::Pin,
    task::{Context, Poll},
};

use tokio::io::AsyncWrite;

use crate::{
    args::LsOptions,
    client::{Restic, parse_json},
    error::{Error, Result},
    repo::Repo,
    types::{LsNode, Snapshot},
};

/// An `AsyncWrite` that cuts what it receives into lines and parses each: nodes go to
/// `each`, the snapshot line is kept, the first bad line is remembered and reported at the
/// end (restic keeps running; its exit status still decides).
struct LsSink<F> {
    partial: Vec<u8>,
    each: F,
    snapshot: Option<Snapshot>,
    error: Option<Error>,
}

impl<F: FnMut(LsNode)> LsSink<F> {
    fn line(&mut self, line: &[u8]) {
        if line.iter().all(u8::is_ascii_whitespace) || self.error.is_some() {
            return;
        }
        // Cheaper than parsing every line into a generic value first: the tag decides.
        let tag = |t: &[u8]| line.windows(t.len()).any(|w| w == t);
        if tag(br#""struct_type":"node""#) {
            match parse_json::<LsNode>(line, "ls") {
                Ok(n) => (self.each)(n),
                Err(e) => self.error = Some(e),
            }
        } else if tag(br#""struct_type":"snapshot""#) {
            match parse_json::<Snapshot>(line, "ls") {
                Ok(s) => self.snapshot = Some(s),
                Err(e) => self.error = Some(e),
            }
        }
    }
}

impl<F: FnMut(LsNode) + Unpin> AsyncWrite for LsSink<F> {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            if this.partial.is_empty() {
                this.line(&rest[..i]);
            } else {
                this.partial.extend_from_slice(&rest[..i]);
                let line = std::mem::take(&mut this.partial);
                this.line(&line);
            }
            rest = &rest[i + 1..];
        }
        this.partial.extend_from_slice(rest);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Restic {
    /// `ls --json`, each node handed to `each` as restic prints it. Returns the snapshot
    /// restic listed (its full id and time), when it printed one.
    pub async fn ls_each<F>(
        &self,
        repo: &Repo,
        opts: &LsOptions,
        each: F,
    ) -> Result<Option<Snapshot>>
    where
        F: FnMut(LsNode) + Send + Unpin,
    {
        let mut sink = LsSink { partial: Vec::new(), each, snapshot: None, error: None };
        let finished = self.run_to(repo, opts.args()?, &mut sink).await?;
        self.check_exit(&finished)?;
        let tail = std::mem::take(&mut sink.partial);
        sink.line(&tail);
        match sink.error {
            Some(e) => Err(e),
            None => Ok(sink.snapshot),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cut_anywhere_are_parsed_once() {
        let out = concat!(
            r#"{"time":"2026-12-07T04:48:54.327Z","tree":"aa","paths":["/tmp/src1"],"hostname":"vm","id":"1a7b","short_id":"1a7b","struct_type":"snapshot"}"#,
            "\n",
            r#"{"name":"src1","type":"dir","path":"/src1","uid":0,"gid":0,"mode":2147484141,"mtime":"2026-12-07T04:48:51Z","struct_type":"node"}"#,
            "\n",
            r#"{"name":"a b.txt","type":"file","path":"/src1/a b.txt","uid":1,"gid":2,"size":3,"mode":420,"mtime":"2026-12-07T04:48:51Z","struct_type":"node"}"#,
            "\n"
        );
        for cut in [1usize, 7, 100, out.len()] {
            let mut got = Vec::new();
            let mut sink = LsSink {
                partial: Vec::new(),
                each: |n: LsNode| got.push(n.path),
                snapshot: None,
                error: None,
            };
            let waker = std::task::Waker::noop();
            let mut cx = Context::from_waker(waker);
            for chunk in out.as_bytes().chunks(cut) {
                let r = Pin::new(&mut sink).poll_write(&mut cx, chunk);
                assert!(matches!(r, Poll::Ready(Ok(n)) if n == chunk.len()));
            }
            assert!(sink.error.is_none());
            assert_eq!(sink.snapshot.as_ref().map(|s| s.id.as_str()), Some("1a7b"));
            drop(sink);
            assert_eq!(got, ["/src1", "/src1/a b.txt"], "chunks of {cut}");
        }
    }
}
