//! A download: `restic dump` of a file (or a directory as tar, tar.gz or zip) streamed
//! straight into an upload to the server, through a small pipe, so the agent holds a few
//! hundred kilobytes of it at a time whatever its size. The upload starts with restic's
//! first bytes: when restic fails before any (a path not in the snapshot), the agent
//! answers why instead; when it fails later, the upload is broken off, so the browser
//! sees a failed download, never a short one that looks whole.

use std::sync::Arc;

use cairn_proto::{AgentConfig, Answer, AskFailure, DownloadFormat, DownloadQuery};
use cairn_restic::{Repo, Restic};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use uuid::Uuid;

use crate::{client::Client, identity::Identity, jobs::ResticSettings, runner};

/// The pipe between restic's output and the upload.
const PIPE: usize = 256 * 1024;

fn failed(class: &str, message: String) -> Answer {
    Answer::Failed(AskFailure { error_class: class.to_string(), message })
}

/// restic dump into the pipe (gzip on the way for tar.gz); the pipe closes when it ends.
async fn dump(
    restic: Restic,
    repo: Repo,
    q: DownloadQuery,
    writer: DuplexStream,
) -> cairn_restic::Result<u64> {
    if q.format == DownloadFormat::TarGz {
        let mut gz = async_compression::tokio::write::GzipEncoder::new(writer);
        let r = restic.dump_archive_to(&repo, &q.snapshot_id, &q.path, false, &mut gz).await;
        let _ = gz.shutdown().await;
        r
    } else {
        let mut w = writer;
        let zip = q.format == DownloadFormat::Zip;
        let r = restic.dump_archive_to(&repo, &q.snapshot_id, &q.path, zip, &mut w).await;
        let _ = w.shutdown().await;
        r
    }
}

/// Streams the download; on a failure before any byte, answers why instead.
pub async fn run(
    settings: &ResticSettings,
    client: &Client,
    id: &Arc<Identity>,
    host: Uuid,
    ask: Uuid,
    q: &DownloadQuery,
    config: Option<&AgentConfig>,
) {
    let Some(cfg) = config.and_then(|c| c.repositories.iter().find(|r| r.id == q.repository_id))
    else {
        let a = failed(
            "agent.unknown_repository",
            format!("Repository {} is not in this host's configuration", q.repository_id),
        );
        let _ = client.answer(id, host, ask, &a).await;
        return;
    };
    let restic = match runner::restic(settings).await {
        Ok(r) => r,
        Err(e) => {
            let _ = client.answer(id, host, ask, &failed(e.code(), e.to_string())).await;
            return;
        }
    };
    let (writer, mut reader) = tokio::io::duplex(PIPE);
    let (ended_tx, ended) = tokio::sync::oneshot::channel();
    let job = dump(restic, runner::repo(cfg), q.clone(), writer);
    tokio::spawn(async move {
        let _ = ended_tx.send(job.await);
    });
    let mut first = vec![0u8; 64 * 1024];
    let n = reader.read(&mut first).await.unwrap_or(0);
    if n == 0 {
        // Nothing came out: an empty file, or restic failed before writing anything.
        match ended.await {
            Ok(Ok(_)) => {
                let _ = client.upload(id, host, ask, reqwest::Body::from(Vec::<u8>::new())).await;
            }
            Ok(Err(e)) => {
                let _ = client.answer(id, host, ask, &failed(e.code(), e.to_string())).await;
            }
            Err(_) => {}
        }
        return;
    }
    first.truncate(n);
    // After the last byte, restic's outcome: a failure breaks the upload off.
    let outcome = futures_util::stream::once(async move {
        match ended.await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(Err(std::io::Error::other(format!("restic dump failed: {e}")))),
            Err(_) => Some(Err(std::io::Error::other("restic dump stopped"))),
        }
    })
    .filter_map(|x| async move { x });
    let body = futures_util::stream::once(async move { Ok(bytes_of(first)) })
        .chain(tokio_util::io::ReaderStream::new(reader))
        .chain(outcome);
    match client.upload(id, host, ask, reqwest::Body::wrap_stream(body)).await {
        Ok(()) => tracing::info!(download = %ask, "download streamed"),
        Err(e) => tracing::warn!(download = %ask, "the download was not taken whole: {e}"),
    }
}

fn bytes_of(v: Vec<u8>) -> tokio_util::bytes::Bytes {
    tokio_util::bytes::Bytes::from(v)
}
