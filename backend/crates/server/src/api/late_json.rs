//! A JSON response whose body may come later than its head, documented exactly like
//! poem-openapi's `Json<T>`. For the held long-poll: the handler returns at once and the
//! waiting lives in the body, so ten thousand held polls keep no handler or middleware state.

use std::{future::Future, pin::Pin};

use poem::{Body, IntoResponse, Response, http::header};
use poem_openapi::{
    ApiResponse,
    payload::{Json, Payload},
    registry::{MetaMediaType, MetaResponse, MetaResponses, MetaSchemaRef, Registry},
    types::Type,
};
use serde::Serialize;

type Later<T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send>>;

/// `Now` is an ordinary JSON answer. `Later` sends the head (200) and then the body when
/// the future ends; if it fails, the connection is cut mid-body and the client retries, as
/// the status can no longer change.
pub enum LateJson<T> {
    Now(T),
    Later(Later<T>),
}

impl<T> LateJson<T> {
    pub fn later<E: std::fmt::Display>(
        answer: impl Future<Output = Result<T, E>> + Send + 'static,
    ) -> Self {
        LateJson::Later(Box::pin(async move { answer.await.map_err(|e| e.to_string()) }))
    }
}

impl<T: Type> Payload for LateJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, std::io::Error> {
    serde_json::to_vec(value).map_err(std::io::Error::other)
}

impl<T: Type + Serialize + Send + 'static> IntoResponse for LateJson<T> {
    fn into_response(self) -> Response {
        let body = match self {
            LateJson::Now(value) => match encode(&value) {
                Ok(bytes) => Body::from(bytes),
                Err(e) => {
                    tracing::error!("response does not serialise: {e}");
                    return poem::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
                }
            },
            LateJson::Later(answer) => {
                Body::from_bytes_stream(futures_util::stream::once(async move {
                    match answer.await {
                        Ok(value) => encode(&value),
                        Err(e) => {
                            tracing::warn!("held answer failed, connection cut: {e}");
                            Err(std::io::Error::other(e))
                        }
                    }
                }))
            }
        };
        Response::builder().header(header::CONTENT_TYPE, <Self as Payload>::CONTENT_TYPE).body(body)
    }
}

impl<T: Type + Serialize + Send + 'static> ApiResponse for LateJson<T> {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: <Self as Payload>::CONTENT_TYPE,
                    schema: <Self as Payload>::schema_ref(),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
