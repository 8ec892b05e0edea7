//! The built web app (frontend/dist), embedded in the binary at compile time. Any path
//! that is not a file gets index.html so client-side routes survive a reload.

use poem::{
    Endpoint, Request, Response,
    http::{HeaderValue, StatusCode, header},
};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../../frontend/dist"]
#[allow_missing = true]
struct Assets;

pub struct Spa;

fn file(path: &str) -> Option<Response> {
    let asset = Assets::get(path)?;
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
        if path.starts_with("api/") || path == "api" {
            return Err(poem::error::NotFoundError.into());
        }
        if !path.is_empty() {
            if let Some(resp) = file(path) {
                return Ok(resp);
            }
            // A missing asset is a real 404, not the app shell.
            if path.starts_with("assets/") {
                return Err(poem::error::NotFoundError.into());
            }
        }
        match file("index.html") {
            Some(resp) => Ok(resp),
            None => Ok(Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .content_type("text/plain; charset=utf-8")
                .body("The web app was not built into this binary. Run `make run` (or `make frontend` and rebuild the server).\n")),
        }
    }
}
