//! `/auth/*`: sign in and out, session refresh, your profile, password and API tokens.

use crate::codes::Code;
use chrono::{DateTime, Utc};
use poem::web::Data;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem_openapi::{
    ApiResponse, Object, OpenApi, param::Path, payload::Json, types::MaybeUndefined,
};
use uuid::Uuid;

use super::security::{Auth, ClientInfo, perm};
use super::{ApiTags, error::ApiError, models::Me};
use crate::{
    app::AppState,
    auth::{
        ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE, REFRESH_COOKIE_PATH, Role, service, tokens,
    },
    domain::rows::TokenRow,
    domain::users as user_service,
};

pub struct AuthApi;

/// Sets the three session cookies: the access JWT and refresh token are HttpOnly; the
/// CSRF token is readable by the web app, which echoes it in `X-CSRF-Token`.
pub fn set_session_cookies(jar: &CookieJar, state: &AppState, issued: &service::IssuedSession) {
    let secure = state.config.cookie_secure();
    let lifetime = (issued.expires_at - Utc::now()).to_std().unwrap_or_default();
    let make = |name: &str, value: &str, http_only: bool, path: &str| {
        let mut c = Cookie::new_with_str(name, value);
        c.set_http_only(http_only);
        c.set_secure(secure);
        c.set_same_site(SameSite::Strict);
        c.set_path(path);
        c.set_max_age(lifetime);
        c
    };
    jar.add(make(ACCESS_COOKIE, &issued.access_token, true, "/"));
    jar.add(make(REFRESH_COOKIE, &issued.refresh_token, true, REFRESH_COOKIE_PATH));
    jar.add(make(CSRF_COOKIE, &issued.csrf_token, false, "/"));
}

pub fn clear_session_cookies(jar: &CookieJar) {
    for (name, path) in
        [(ACCESS_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_COOKIE_PATH), (CSRF_COOKIE, "/")]
    {
        let mut c = Cookie::named(name);
        c.set_path(path);
        c.make_removal();
        jar.add(c);
    }
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct LoginRequest {
    #[oai(validator(max_length = 128))]
    pub username: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateProfileRequest {
    #[oai(validator(max_length = 128))]
    pub display_name: Option<String>,
    /// `null` clears the email; absent leaves it as it is.
    #[oai(nullable, validator(max_length = 254))]
    pub email: MaybeUndefined<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
}

/// A personal access token as listed (the secret itself is never shown again).
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    /// The first characters of the secret, to recognise it.
    pub prefix: String,
    /// The most this token may do; also capped by your own role when used.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            role: r.role,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
        }
    }
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ApiTokenList {
    pub items: Vec<ApiToken>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateApiTokenRequest {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Defaults to your own role; cannot exceed it.
    pub role: Option<Role>,
    /// 1–3650 days; omit for a token that does not expire.
    #[oai(validator(minimum(value = "1"), maximum(value = "3650")))]
    pub expires_in_days: Option<u32>,
}

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreatedApiToken {
    pub token: ApiToken,
    /// The secret: shown this once, store it now.
    pub secret: String,
}

#[derive(ApiResponse)]
pub enum CreatedToken {
    #[oai(status = 201)]
    Created(Json<CreatedApiToken>),
}

#[derive(ApiResponse)]
pub enum NoContent {
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/v1/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Signs in with username and password; sets the session cookies.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        jar: &CookieJar,
        body: Json<LoginRequest>,
    ) -> Result<Json<Me>, ApiError> {
        let b = body.0;
        let (user, issued) = service::login(&state, &client.0, &b.username, b.password).await?;
        set_session_cookies(jar, &state, &issued);
        let principal = service::Principal::new(
            user,
            None,
            service::AuthMethod::Session { session_id: issued.session_id },
        );
        Ok(Json(Me::of(&principal)))
    }

    /// Rotates the refresh token and issues a new access token.
    #[oai(path = "/refresh", method = "post", operation_id = "refresh_session")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        jar: &CookieJar,
    ) -> Result<Json<Me>, ApiError> {
        let Some(token) = jar.get(REFRESH_COOKIE) else {
            return Err(ApiError::unauthorized(
                Code::AuthSessionExpired,
                "No session to refresh; sign in again.",
            ));
        };
        match service::refresh(&state, &client.0, token.value_str()).await {
            Ok((principal, issued)) => {
                set_session_cookies(jar, &state, &issued);
                Ok(Json(Me::of(&principal)))
            }
            Err(e) => {
                clear_session_cookies(jar);
                Err(e.into())
            }
        }
    }

    /// Ends this session (for a token: only records the sign-out).
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::Profile>,
        jar: &CookieJar,
    ) -> Result<NoContent, ApiError> {
        let p = &auth.principal;
        service::logout(&state, p, &auth.client).await?;
        clear_session_cookies(jar);
        Ok(NoContent::Done)
    }

    /// Who you are and what you may do.
    #[oai(path = "/me", method = "get", operation_id = "get_me")]
    async fn me(&self, auth: Auth<perm::Profile>) -> Result<Json<Me>, ApiError> {
        Ok(Json(Me::of(&auth.principal)))
    }

    /// Edits your display name and email.
    #[oai(path = "/me", method = "patch", operation_id = "update_me")]
    async fn update_me(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::Profile>,
        body: Json<UpdateProfileRequest>,
    ) -> Result<Json<Me>, ApiError> {
        let p = &auth.principal;
        let email = match body.0.email {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(v)),
        };
        let user = user_service::update_profile(
            &state.store,
            &auth.actor(),
            p.user.id,
            body.0.display_name,
            email,
        )
        .await?;
        Ok(Json(Me::of(&service::Principal { user, ..p.clone() })))
    }

    /// Changes your password; your other sessions end.
    #[oai(path = "/me/password", method = "post", operation_id = "change_my_password")]
    async fn change_password(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::Profile>,
        body: Json<ChangePasswordRequest>,
    ) -> Result<NoContent, ApiError> {
        let p = &auth.principal;
        let b = body.0;
        user_service::change_own_password(
            &state.store,
            &auth.actor(),
            p.user.id,
            b.current_password,
            b.new_password,
            p.session_id(),
            state.config.auth.password_min_length,
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// Your personal access tokens that are not revoked.
    #[oai(path = "/tokens", method = "get", operation_id = "list_my_tokens")]
    async fn list_tokens(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::Profile>,
    ) -> Result<Json<ApiTokenList>, ApiError> {
        let p = &auth.principal;
        let rows = tokens::list_tokens(&state, p).await?;
        Ok(Json(ApiTokenList { items: rows.into_iter().map(Into::into).collect() }))
    }

    /// Creates a personal access token; the secret is in this answer only.
    #[oai(path = "/tokens", method = "post", operation_id = "create_my_token")]
    async fn create_token(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::Profile>,
        body: Json<CreateApiTokenRequest>,
    ) -> Result<CreatedToken, ApiError> {
        let p = &auth.principal;
        let b = body.0;
        let (row, secret) =
            tokens::create_token(&state, p, &auth.client, &b.name, b.role, b.expires_in_days)
                .await?;
        Ok(CreatedToken::Created(Json(CreatedApiToken { token: row.into(), secret })))
    }

    /// Revokes one of your tokens at once.
    #[oai(path = "/tokens/:id", method = "delete", operation_id = "revoke_my_token")]
    async fn revoke_token(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::Profile>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        let p = &auth.principal;
        tokens::revoke_token(&state, p, &auth.client, id.0).await?;
        Ok(NoContent::Done)
    }
}
