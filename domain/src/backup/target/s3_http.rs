//! The HTTP client under the S3 targets: the reqwest 0.12 client (rustls with ring) that the rest of
//! Strongroom uses, plugged into `object_store`. Its own `aws` feature would bring reqwest 0.13 and
//! aws-lc-rs (a second TLS stack, built from C) beside it; `object_store` 0.13, which shares reqwest 0.12,
//! depends on a quick-xml with two denial-of-service advisories (RUSTSEC-2026-0194/0195).

use object_store::client::{
    ClientOptions, HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpResponse, HttpResponseBody,
    HttpService,
};
use std::time::Duration;

/// Makes the reqwest client for a bucket.
#[derive(Debug)]
pub struct ReqwestConnector {
    /// Plain `http://` only when the endpoint asked for it.
    pub allow_http: bool,
}

impl HttpConnector for ReqwestConnector {
    fn connect(&self, _options: &ClientOptions) -> object_store::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .https_only(!self.allow_http)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| object_store::Error::Generic { store: "S3", source: Box::new(e) })?;
        Ok(HttpClient::new(Service(client)))
    }
}

#[derive(Debug)]
struct Service(reqwest::Client);

#[async_trait::async_trait]
impl HttpService for Service {
    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        use http_body_util::BodyExt as _;
        let (parts, body) = request.into_parts();
        let url = reqwest::Url::parse(&parts.uri.to_string()).map_err(|e| HttpError::new(HttpErrorKind::Unknown, e))?;
        let mut outgoing = reqwest::Request::new(parts.method, url);
        *outgoing.headers_mut() = parts.headers;
        *outgoing.body_mut() = Some(reqwest::Body::wrap(body));
        let response = self.0.execute(outgoing).await.map_err(error)?;
        let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
        Ok(HttpResponse::from_parts(parts, HttpResponseBody::new(body.map_err(error))))
    }
}

/// reqwest's error as `object_store` retries it: connecting and timeouts again, the rest not.
fn error(e: reqwest::Error) -> HttpError {
    let kind = if e.is_timeout() {
        HttpErrorKind::Timeout
    } else if e.is_connect() {
        HttpErrorKind::Connect
    } else if e.is_body() || e.is_request() {
        HttpErrorKind::Interrupted
    } else if e.is_decode() {
        HttpErrorKind::Decode
    } else {
        HttpErrorKind::Unknown
    };
    HttpError::new(kind, e.without_url())
}
