//! The API's error type and its JSON body `{code, message, details}`. Domain errors map
//! here in one exhaustive match; `json_error` turns every other poem error (bad JSON,
//! unknown route, oversized body, panics) into the same shape.

use crate::codes::Code;
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, Object, payload::Json};
use serde_json::{Value, json};

use crate::domain::DomainError;

#[derive(Object, Debug, Clone, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct ErrorBody {
    /// Stable, machine-readable code, e.g. `user.username_taken`.
    pub code: String,
    /// A sentence a person can act on.
    pub message: String,
    /// Extra structured context (e.g. `{"field": "password"}`); `{}` when none.
    pub details: Value,
}

#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request is malformed or breaks a rule.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// No valid credentials.
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Authenticated, but not allowed.
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The change conflicts with the current state.
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// Too many attempts; retry after the given number of seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// A host's agent did not answer a question in time.
    #[oai(status = 504)]
    GatewayTimeout(Json<ErrorBody>),
}

fn body(code: Code, message: impl Into<String>, details: Value) -> Json<ErrorBody> {
    Json(ErrorBody { code: code.as_str().to_string(), message: message.into(), details })
}

impl ApiError {
    pub fn bad_request(code: Code, message: impl Into<String>) -> Self {
        ApiError::BadRequest(body(code, message, json!({})))
    }
    pub fn unauthorized(code: Code, message: impl Into<String>) -> Self {
        ApiError::Unauthorized(body(code, message, json!({})))
    }
    pub fn forbidden(code: Code, message: impl Into<String>) -> Self {
        ApiError::Forbidden(body(code, message, json!({})))
    }
    pub fn not_found(code: Code, message: impl Into<String>) -> Self {
        ApiError::NotFound(body(code, message, json!({})))
    }
    pub fn internal(message: impl Into<String>) -> Self {
        ApiError::Internal(body(Code::Internal, message, json!({})))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let message = e.to_string();
        match e {
            DomainError::Invalid { code, field, .. } => {
                ApiError::BadRequest(body(code, message, json!({ "field": field })))
            }
            DomainError::NotFound { what } => ApiError::NotFound(body(
                Code::NotFound,
                format!("No such {what}."),
                json!({ "resource": what }),
            )),
            DomainError::Conflict { code, details, .. } => {
                ApiError::Conflict(body(code, message, details))
            }
            DomainError::InvalidCredentials => ApiError::Unauthorized(body(
                Code::AuthInvalidCredentials,
                "Invalid username or password.",
                json!({}),
            )),
            DomainError::LocalLoginDisabled => ApiError::Forbidden(body(
                Code::AuthLocalLoginDisabled,
                "Username/password sign-in is turned off on this server; use single sign-on.",
                json!({}),
            )),
            DomainError::Throttled { code, retry_after_secs, .. } => ApiError::TooManyRequests(
                body(code, message, json!({ "retry_after_secs": retry_after_secs })),
                retry_after_secs,
            ),
            DomainError::Unauthenticated { code, .. } => {
                ApiError::Unauthorized(body(code, message, json!({})))
            }
            DomainError::Forbidden { code, .. } => {
                ApiError::Forbidden(body(code, message, json!({})))
            }
            DomainError::NoAnswer { .. } => {
                ApiError::GatewayTimeout(body(Code::AgentNoAnswer, message, json!({})))
            }
            DomainError::Store(err) => {
                tracing::error!(error = %err, "store error");
                ApiError::internal("A database error occurred; the server log has the details.")
            }
            DomainError::Internal(err) => {
                tracing::error!(error = %err, "internal error");
                ApiError::internal("An internal error occurred; the server log has the details.")
            }
        }
    }
}

/// The response for any error that is not already one of ours.
pub fn json_error(err: poem::Error) -> poem::Response {
    use poem::IntoResponse;
    use poem_openapi::error::{
        AuthorizationError, ContentTypeError, ParseMultipartError, ParseParamError, ParsePathError,
        ParseRequestPayloadError,
    };
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let text = err.to_string();
    let mut details = json!({});
    let (code, message): (Code, String) = if err.is::<ParseRequestPayloadError>() {
        // poem names the offending field as `field `x` …` or `unknown field `x``; a client
        // that shows errors beside its inputs needs the name, not the sentence.
        match named_field(&text) {
            Some((field, rule)) => {
                details = json!({ "field": field, "rule": rule.as_ref().map(|r| r.0) });
                let message = match rule {
                    Some((_, phrase)) => format!("`{field}` {phrase}."),
                    None => format!("`{field}` is not a field of this request."),
                };
                (Code::RequestInvalidBody, message)
            }
            None => (Code::RequestInvalidBody, text),
        }
    } else if let Some(e) = err.downcast_ref::<ParseParamError>() {
        details = json!({ "field": e.name });
        (Code::RequestInvalidParameter, text)
    } else if let Some(e) = err.downcast_ref::<ParsePathError>() {
        // The parameter's internal name means nothing to a caller; the reason does.
        (Code::RequestInvalidPath, format!("A value in the URL path is not valid: {}", e.reason))
    } else if err.is::<ContentTypeError>() {
        (Code::RequestUnsupportedMediaType, text)
    } else if err.is::<ParseMultipartError>() {
        (Code::RequestInvalidMultipart, text)
    } else if err.is::<AuthorizationError>() {
        (Code::AuthRequired, "Sign in, or send an API token.".into())
    } else {
        match status {
            StatusCode::NOT_FOUND => (Code::NotFound, "No such endpoint.".into()),
            StatusCode::METHOD_NOT_ALLOWED => (Code::RequestMethodNotAllowed, text),
            StatusCode::PAYLOAD_TOO_LARGE => (Code::RequestTooLarge, text),
            s if s.is_client_error() => (Code::RequestInvalid, text),
            _ => {
                tracing::error!(error = %text, "unhandled server error");
                (
                    Code::Internal,
                    "An internal error occurred; the server log has the details.".into(),
                )
            }
        }
    };
    let body = ErrorBody { code: code.as_str().to_string(), message, details };
    (status, poem::web::Json(body)).into_response()
}

/// The field a poem body-parse message names, and the rule it broke as (keyword, phrase):
/// `field `x` verification failed. maxLength(64)` gives ("x", ("maxLength", "must be at
/// most 64 characters long")); `unknown field `x`` gives ("x", None).
fn named_field(text: &str) -> Option<(&str, Option<(&str, String)>)> {
    let start = text.find("field `")?;
    let rest = &text[start + "field `".len()..];
    let field = rest.split('`').next().filter(|f| !f.is_empty())?;
    if text[..start].ends_with("unknown ") {
        return Some((field, None));
    }
    let rule = rest.split("verification failed. ").nth(1)?.trim_end_matches('.');
    let (keyword, arg) = rule.split_once('(')?;
    let arg = arg.strip_suffix(')').unwrap_or(arg);
    let first = arg.split(',').next().unwrap_or(arg).trim();
    let phrase = match keyword {
        "maxLength" => format!("must be at most {first} characters long"),
        "minLength" => format!("must be at least {first} characters long"),
        "pattern" => format!("must match the pattern {}", arg.trim_matches('"')),
        "maxItems" => format!("may hold at most {first} items"),
        "minItems" => format!("needs at least {first} item(s)"),
        "maximum" => format!("must be at most {first}"),
        "minimum" => format!("must be at least {first}"),
        "maxProperties" => format!("may hold at most {first} entries"),
        "minProperties" => format!("needs at least {first} entries"),
        "uniqueItems" => "must not repeat an item".to_string(),
        _ => format!("breaks the rule {rule}"),
    };
    Some((field, Some((keyword, phrase))))
}

#[cfg(test)]
mod tests {
    use super::named_field;

    #[test]
    fn poem_parse_messages_name_the_field_and_the_rule() {
        let (f, r) = named_field(
            r#"parse request payload error: failed to parse "CreateUserRequest": field `username` verification failed. pattern("^[a-z]+$")"#,
        )
        .unwrap();
        assert_eq!(f, "username");
        assert_eq!(r.unwrap(), ("pattern", "must match the pattern ^[a-z]+$".to_string()));
        let (f, r) = named_field("failed to parse \"X\": field `ttl_secs` verification failed. minimum(60, exclusive: false)").unwrap();
        assert_eq!((f, r.unwrap().1.as_str()), ("ttl_secs", "must be at least 60"));
        let (f, r) = named_field("failed to parse \"X\": unknown field `extra`.").unwrap();
        assert_eq!((f, r), ("extra", None));
        assert!(named_field("expected value at line 1 column 2").is_none());
    }
}
