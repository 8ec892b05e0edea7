//! A JSON body read straight into its serde type, or written straight from it, documented
//! exactly like poem-openapi's `Json<T>`. For the hot paths (job event batches in, list
//! pages out): `Json<T>` goes through a `serde_json::Value` tree (a map per object, a
//! string per key) and then walks it, about twice the work. A type sent this way derives
//! `serde::Serialize` with the same field names and absent-when-`None` rule as its
//! `Object`; the contract check holds every answer the tests see to the document.

use poem::{FromRequest, Request, RequestBody, Result};
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ExtractParamOptions,
    error::{ContentTypeError, ParseRequestPayloadError},
    payload::{Json, ParsePayload, Payload},
    registry::{MetaMediaType, MetaRequest, MetaSchemaRef, Registry},
    types::Type,
};
use serde::{Serialize, de::DeserializeOwned};

/// Same content type, schema and error responses as `Json<T>`; parsed by serde alone.
pub struct SerdeJson<T>(pub T);

impl<T: Type> Payload for SerdeJson<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <Json<T> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

/// Bodies above this are parsed on the blocking pool: a batch of 500 events takes a few
/// hundred microseconds of CPU, and on a runtime worker that would delay every task queued
/// behind it, the write-lock holder's next step among them.
const PARSE_OFF_RUNTIME: usize = 16 * 1024;

fn parse<T: DeserializeOwned>(data: &[u8]) -> Result<T> {
    serde_json::from_slice(data)
        .map_err(|err| ParseRequestPayloadError { reason: err.to_string() }.into())
}

impl<T: Type + DeserializeOwned + Send + 'static> ParsePayload for SerdeJson<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = if data.len() > PARSE_OFF_RUNTIME {
            tokio::task::spawn_blocking(move || parse(&data)).await.map_err(|e| {
                poem::Error::from_string(
                    e.to_string(),
                    poem::http::StatusCode::INTERNAL_SERVER_ERROR,
                )
            })??
        } else {
            parse(&data)?
        };
        Ok(SerdeJson(value))
    }
}

impl<'a, T: Type + DeserializeOwned + Send + 'static> ApiExtractor<'a> for SerdeJson<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        <Self as Payload>::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: vec![MetaMediaType {
                content_type: <Self as Payload>::CONTENT_TYPE,
                schema: <Self as Payload>::schema_ref(),
            }],
            required: <Self as ParsePayload>::IS_REQUIRED,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> Result<Self> {
        match request.content_type() {
            Some(ct) if <Self as Payload>::check_content_type(ct) => {
                <Self as ParsePayload>::from_request(request, body).await
            }
            Some(ct) => Err(ContentTypeError::NotSupported { content_type: ct.to_string() }.into()),
            None => Err(ContentTypeError::ExpectContentType.into()),
        }
    }
}

impl<T: Serialize + Send> poem::IntoResponse for SerdeJson<T> {
    fn into_response(self) -> poem::Response {
        poem::web::Json(self.0).into_response()
    }
}

impl<T: poem_openapi::types::ToJSON + Serialize + Send> poem_openapi::ApiResponse for SerdeJson<T> {
    fn meta() -> poem_openapi::registry::MetaResponses {
        <Json<T> as poem_openapi::ApiResponse>::meta()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}
