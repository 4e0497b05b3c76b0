//! The platform's web pages: the storefront (`/`), the admin console (`/admin`), the API
//! reference (`/docs`) and their assets (`/assets/{file}`), built from `web/` with the
//! functions (see `build.rs`) and compiled in, gzip-compressed. The pages use the API and
//! nothing else; they load nothing from other sites, which their security policy enforces.

use edge::ApiError;
use lambda_http::http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use runtime::state::State;
use std::io::Read;

/// A built file, by its path under the build's output (`index.html`, `assets/x.js`).
pub struct File {
    pub name: &'static str,
    pub gzipped: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// What the pages may load and do: only this origin's scripts, styles, images and API
/// (the build turns every data: URI into a file, so none is needed).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `GET /`: the storefront.
pub async fn storefront(_: &State<()>, req: Request) -> Result<Response<Body>, ApiError> {
    page(&req, "index.html")
}

/// `GET /admin`: the admin console.
pub async fn admin_console(_: &State<()>, req: Request) -> Result<Response<Body>, ApiError> {
    page(&req, "admin.html")
}

/// `GET /docs`: the API reference, rendered in the browser from `/openapi.yaml`.
pub async fn api_docs(_: &State<()>, req: Request) -> Result<Response<Body>, ApiError> {
    page(&req, "docs.html")
}

/// `GET /assets/{file}`: a script, style sheet or image of the pages. Their names carry a
/// hash of their content, so a browser may keep them for good.
pub async fn web_asset(_: &State<()>, req: Request) -> Result<Response<Body>, ApiError> {
    let file = req
        .path_parameters_ref()
        .and_then(|p| p.first("file"))
        .unwrap_or_default()
        .to_string();
    let found = find(ASSETS, &format!("assets/{file}")).ok_or(ApiError::NotFound("asset"))?;
    respond(&req, found, "public, max-age=31536000, immutable")
}

/// HTTPS only, for a year, once a page has been served over it (RFC 6797): API Gateway
/// serves HTTPS alone and says so in `X-Forwarded-Proto`. The local stack's plain HTTP
/// gets none (a browser would ignore it there anyway).
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Whether the request came over HTTPS, as the API in front says (`X-Forwarded-Proto`).
fn over_https(req: &Request) -> bool {
    req.headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

fn page(req: &Request, name: &str) -> Result<Response<Body>, ApiError> {
    let found =
        find(PAGES, name).ok_or_else(|| ApiError::Internal(format!("{name} was not built")))?;
    let mut response = respond(req, found, "no-cache")?;
    let headers = response.headers_mut();
    if over_https(req) {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

/// Only names the build made: a request cannot reach any other file.
fn find(files: &'static [File], name: &str) -> Option<&'static File> {
    files.iter().find(|f| f.name == name)
}

/// The file as stored (gzip) when the client takes gzip, as every browser does; else
/// decompressed.
fn respond(req: &Request, file: &File, cache: &'static str) -> Result<Response<Body>, ApiError> {
    let takes_gzip = takes_gzip(req.headers().get_all(header::ACCEPT_ENCODING));
    let body = if takes_gzip {
        file.gzipped.to_vec()
    } else {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(file.gzipped)
            .read_to_end(&mut plain)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", file.name)))?;
        plain
    };
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type(file.name))
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "Accept-Encoding")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if takes_gzip {
        response = response.header(header::CONTENT_ENCODING, "gzip");
    }
    response
        .body(Body::Binary(body))
        .map_err(|e| ApiError::Internal(format!("building response: {e}")))
}

/// Whether `Accept-Encoding` admits gzip: by name (any case) or `*`, with a q-value above 0.
fn takes_gzip(values: lambda_http::http::header::GetAll<HeaderValue>) -> bool {
    let mut gzip = None;
    let mut any = None;
    for coding in values
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q > 0.0),
            "*" => any = Some(q > 0.0),
            _ => {}
        }
    }
    gzip.or(any).unwrap_or(false)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" | "map" => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests;
