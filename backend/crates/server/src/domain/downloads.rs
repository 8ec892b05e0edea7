//! Downloading a file, or a directory as an archive, from a snapshot: the reading agent
//! (`restic dump`) uploads the bytes, and they flow through to the browser's answer as
//! they arrive, never held whole: the server's memory stays flat whatever the size.

use std::{
    pin::Pin,
    task::{Context, Poll},
    time::Duration as StdDuration,
};

use bytes::Bytes;
use cairn_proto::{Action, Answer, Ask, DownloadFormat, DownloadQuery, Question};
use chrono::Utc;
use futures_util::{Stream, StreamExt};
use serde_json::json;
use tokio::sync::oneshot;
use uuid::Uuid;

use super::{
    Domain, DomainError, asks,
    audit::{self, Actor, Event},
    browse::{self, ReadThrough},
    fleet,
};
use crate::{
    hub::{ByteStream, Upload},
    store::{commands, hosts},
};

pub struct Download {
    /// What the browser saves it as.
    pub filename: String,
    pub body: ByteStream,
    pub read_through: Option<ReadThrough>,
}

/// The agent's bytes on their way to the browser: counted against the limit, and the
/// agent's request released (`done`) when the browser's answer ends in any way.
struct Relay {
    inner: ByteStream,
    sent: u64,
    max: u64,
    done: Option<oneshot::Sender<()>>,
}

impl Stream for Relay {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(b))) => {
                self.sent += b.len() as u64;
                if self.max > 0 && self.sent > self.max {
                    let max = self.max;
                    self.done.take().map(|d| d.send(()));
                    return Poll::Ready(Some(Err(std::io::Error::other(format!(
                        "the download is larger than http.download_max_bytes ({max} bytes)"
                    )))));
                }
                Poll::Ready(Some(Ok(b)))
            }
            Poll::Ready(None) => {
                self.done.take().map(|d| d.send(()));
                Poll::Ready(None)
            }
            other => other,
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(d) = self.done.take() {
            let _ = d.send(());
        }
    }
}

fn filename(path: &str, format: DownloadFormat) -> String {
    let base = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("snapshot");
    // Only what every browser and file system takes.
    let base: String = base
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') { c } else { '_' })
        .collect();
    match format {
        DownloadFormat::Raw => base,
        DownloadFormat::TarGz => format!("{base}.tar.gz"),
        DownloadFormat::Zip => format!("{base}.zip"),
    }
}

/// Starts a download and answers with its body once the agent's bytes begin to arrive.
#[allow(clippy::too_many_arguments)]
pub async fn start(
    state: &Domain,
    actor: &Actor,
    host_id: Uuid,
    snapshot_id: &str,
    repository_id: Option<Uuid>,
    path: &str,
    format: DownloadFormat,
    max_bytes: u64,
) -> Result<Download, DomainError> {
    let path = browse::normalise_path(path)?;
    let db = state.store.db();
    let host = hosts::find(db, host_id).await?.ok_or(DomainError::NotFound { what: "host" })?;
    let repository = browse::repository_of(state, &host, snapshot_id, repository_id).await?;
    let reader = browse::reader(state, &host, repository).await?;
    let deadline: StdDuration = asks::deadline(state);
    let now = Utc::now();
    let ask = Ask {
        deadline: now + chrono::Duration::from_std(deadline).unwrap_or(chrono::Duration::zero()),
        config_version: reader.config_version.max(0) as u64,
        question: Question::Download(DownloadQuery {
            repository_id: repository,
            snapshot_id: snapshot_id.to_string(),
            path: path.clone(),
            format,
        }),
    };
    let cmd = fleet::command(Uuid::now_v7(), Action::Ask(ask), now);
    let id = cmd.id;
    let answer = state.hub.await_answer(id, reader.id);
    let upload = state.hub.await_upload(id, reader.id);
    let txn = state.store.write().await?;
    commands::enqueue(&*txn, fleet::command_row(&cmd, reader.id, actor)?).await?;
    txn.commit().await?;
    state.hub.deliver(reader.id, vec![cmd]);
    let first = tokio::time::timeout(deadline, async {
        tokio::select! {
            up = upload => up.ok().map(Ok),
            ans = answer => ans.ok().map(Err),
        }
    })
    .await;
    state.hub.stop_waiting(id);
    let Upload { body, done } = match first {
        Ok(Some(Ok(up))) => up,
        Ok(Some(Err(Answer::Failed(f)))) => return Err(browse::refused(f)),
        Ok(Some(Err(other))) => {
            return Err(browse::refused(super::repositories::wrong_answer(&other)));
        }
        Ok(None) | Err(_) => {
            state.hub.slot(reader.id).retract(id);
            return Err(DomainError::NoAnswer {
                message: format!(
                    "{}'s agent did not start the download within {} s; it may be busy or cut off.",
                    reader.hostname,
                    deadline.as_secs()
                ),
            });
        }
    };
    let ev = Event::success(
        "snapshot.download",
        Some(browse::snapshot_target(snapshot_id, &host)),
        json!({
            "host_id": host.id,
            "repository_id": repository,
            "path": path,
            "format": format,
            "read_by": reader.hostname,
        }),
    );
    audit::record_alone(&state.store, actor, ev).await;
    let relay = Relay { inner: body, sent: 0, max: max_bytes, done: Some(done) };
    Ok(Download {
        filename: filename(&path, format),
        body: Box::pin(relay),
        read_through: browse::read_through(&host, &reader),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe() {
        assert_eq!(filename("/etc/nginx/nginx.conf", DownloadFormat::Raw), "nginx.conf");
        assert_eq!(filename("/etc/nginx", DownloadFormat::TarGz), "nginx.tar.gz");
        assert_eq!(filename("/", DownloadFormat::Zip), "snapshot.zip");
        assert_eq!(filename("/a/\"evil\";\r\nx", DownloadFormat::Raw), "_evil____x");
    }
}
