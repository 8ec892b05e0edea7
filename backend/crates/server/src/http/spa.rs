//! The built web app (frontend/dist), embedded in the binary at compile time. Any path
//! that is not a file gets index.html so client-side routes survive a reload.

use poem::{
    Endpoint, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
// Relative to this crate (rust-embed resolves it against CARGO_MANIFEST_DIR).
#[folder = "../../../frontend/dist"]
#[allow_missing = true]
struct Assets;

pub struct Spa;

fn file(path: &str, if_none_match: Option<&str>) -> Option<Response> {
    let asset = Assets::get(path)?;
    let etag = format!("\"{}\"", hex::encode(&asset.metadata.sha256_hash()[..16]));
    if if_none_match.is_some_and(|v| v.split(',').any(|t| t.trim() == etag)) {
        return Some(
            Response::builder()
                .status(StatusCode::NOT_MODIFIED)
                .header(header::ETAG, etag)
                .finish(),
        );
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Vite puts a content hash in every name under assets/, so those never change.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut resp = Response::builder()
        .header(header::CONTENT_TYPE, mime.as_ref())
        .header(header::CACHE_CONTROL, cache)
        .body(asset.data.into_owned());
    if let Ok(etag) =
        HeaderValue::from_str(&format!("\"{}\"", hex::encode(&asset.metadata.sha256_hash()[..16])))
    {
        resp.headers_mut().insert(header::ETAG, etag);
    }
    Some(resp)
}

impl Endpoint for Spa {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path().trim_start_matches('/');
        let inm = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
        if path.starts_with("api/") || path == "api" {
            return Err(poem::error::NotFoundError.into());
        }
        if !path.is_empty() {
            if let Some(resp) = file(path, inm) {
                return Ok(resp);
            }
            // A missing asset is a real 404, not the app shell.
            if path.starts_with("assets/") {
                return Err(poem::error::NotFoundError.into());
            }
        }
        match file("index.html", inm) {
            Some(resp) => Ok(resp),
            None => Ok(Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .content_type("text/plain; charset=utf-8")
                .body("The web app was not built into this binary. Run `make run` (or `make frontend` and rebuild the server).\n")),
        }
    }
}
