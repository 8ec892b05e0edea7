//! Single sign-on: `/auth/oidc/{slug}/start` sends the browser to the provider,
//! `/auth/oidc/callback` brings it back signed in (or to the sign-in page with a reason);
//! `/sso-providers` is where admins configure providers (the client secret write-only).

use poem::web::{Data, cookie::CookieJar};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

use super::security::{Auth, ClientInfo, perm};
use super::{ApiTags, auth::set_session_cookies, error::ApiError};
use crate::{
    app::AppState,
    auth::{
        permission::Role,
        sign_in,
        sso::{self as service, Callback, ProviderInput, ProviderView, RoleMapping},
    },
};

pub struct SsoApi;

#[derive(ApiResponse)]
pub enum Redirect {
    /// To the provider's sign-in page, back into the web app, or to the sign-in page with
    /// `sso_error` (a code) and `sso_message` (a sentence) when the sign-in did not work.
    #[oai(status = 302)]
    Found(#[oai(header = "Location")] String),
}

/// A group and the role its members get.
#[derive(Object, Clone, Debug)]
pub struct SsoRoleMapping {
    #[oai(validator(min_length = 1, max_length = 255))]
    pub group: String,
    pub role: Role,
    /// With tags, the role is over the hosts carrying one of them only (viewer or
    /// operator); without, over all hosts.
    #[oai(default, validator(max_items = 32))]
    pub tags: Vec<String>,
}

/// A provider as admins see it; the client secret is never shown.
#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SsoProvider {
    pub id: Uuid,
    /// The short name in its URLs.
    pub slug: String,
    /// The sign-in button says "Sign in with {label}".
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// The ID token claim a new user's username comes from.
    pub username_claim: String,
    /// The ID token claim that lists the user's groups.
    pub groups_claim: String,
    pub role_map: Vec<SsoRoleMapping>,
    /// The role of a user in no mapped group; absent: such users are refused.
    pub default_role: Option<Role>,
    pub link_by_email: bool,
    pub enabled: bool,
    /// Set from the configuration file (`[[auth.sso_providers]]`): read-only through the
    /// API (changes answer `409 sso.provider_from_config`).
    pub from_config: bool,
    /// Where the provider must send browsers back (register it at the provider).
    pub redirect_uri: String,
}

/// An admin's provider settings.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SsoProviderRequest {
    #[oai(validator(min_length = 1, max_length = 64))]
    pub slug: String,
    #[oai(validator(min_length = 1, max_length = 100))]
    pub label: String,
    #[oai(validator(min_length = 1, max_length = 2048))]
    pub issuer: String,
    #[oai(validator(min_length = 1, max_length = 255))]
    pub client_id: String,
    /// Needed to create; on a change, absent keeps the stored one. Never shown again.
    #[oai(validator(min_length = 1, max_length = 1024))]
    pub client_secret: Option<String>,
    /// Default `openid profile email groups`.
    #[oai(validator(max_items = 20))]
    pub scopes: Option<Vec<String>>,
    /// Default `preferred_username`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub username_claim: Option<String>,
    /// Default `groups`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub groups_claim: Option<String>,
    #[oai(default, validator(max_items = 100))]
    pub role_map: Vec<SsoRoleMapping>,
    pub default_role: Option<Role>,
    /// A first sign-in takes over the one local user with the same verified email.
    #[oai(default)]
    pub link_by_email: bool,
    /// Default true.
    pub enabled: Option<bool>,
}

impl SsoProviderRequest {
    fn input(self) -> ProviderInput {
        ProviderInput {
            slug: self.slug.trim().to_string(),
            label: self.label,
            issuer: self.issuer.trim().to_string(),
            client_id: self.client_id,
            client_secret: self.client_secret,
            scopes: self.scopes.unwrap_or_else(|| {
                ["openid", "profile", "email", "groups"].map(String::from).to_vec()
            }),
            username_claim: self.username_claim.unwrap_or_else(|| "preferred_username".into()),
            groups_claim: self.groups_claim.unwrap_or_else(|| "groups".into()),
            role_map: self
                .role_map
                .into_iter()
                .map(|m| RoleMapping { group: m.group, role: m.role, tags: m.tags })
                .collect(),
            default_role: self.default_role,
            link_by_email: self.link_by_email,
            enabled: self.enabled.unwrap_or(true),
        }
    }
}

fn answer(state: &AppState, v: ProviderView) -> SsoProvider {
    SsoProvider {
        id: v.row.id,
        slug: v.row.slug,
        label: v.row.label,
        issuer: v.row.issuer,
        client_id: v.row.client_id,
        scopes: v.scopes,
        username_claim: v.row.username_claim,
        groups_claim: v.row.groups_claim,
        role_map: v
            .role_map
            .into_iter()
            .map(|m| SsoRoleMapping { group: m.group, role: m.role, tags: m.tags })
            .collect(),
        default_role: v.default_role,
        link_by_email: v.row.link_by_email,
        enabled: v.row.enabled,
        from_config: v.row.from_config,
        redirect_uri: format!(
            "{}{}",
            state.config.public_url.trim_end_matches('/'),
            service::CALLBACK_PATH
        ),
    }
}

#[derive(ApiResponse)]
pub enum CreatedSsoProvider {
    #[oai(status = 201)]
    Created(Json<SsoProvider>),
}

#[derive(ApiResponse)]
pub enum DeletedSsoProvider {
    /// The provider is gone; its users stay, and can no longer sign in through it.
    #[oai(status = 204)]
    Done,
}

fn sign_in_page(code: &str, message: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("/login?sso_error={}&sso_message={}", enc(code), enc(message))
}

#[OpenApi(tag = "ApiTags::Auth")]
impl SsoApi {
    /// Starts a sign-in through provider `slug`: redirects the browser to the provider.
    /// `next` is a path of the web app to land on afterwards.
    #[oai(path = "/v1/auth/oidc/:slug/start", method = "get", operation_id = "start_sso_login")]
    async fn start(
        &self,
        state: Data<&AppState>,
        slug: Path<String>,
        #[oai(validator(max_length = 2048))] next: Query<Option<String>>,
    ) -> Redirect {
        match service::start(&state, &slug.0, next.0.as_deref()).await {
            Ok(url) => Redirect::Found(url),
            Err(r) => Redirect::Found(sign_in_page(r.code.as_str(), &r.message)),
        }
    }

    /// Signs out at provider `slug` too, after signing out of Cairn: redirects to the
    /// provider's end-session endpoint (RP-initiated logout) with this client and the
    /// sign-in page to come back to, or straight to the sign-in page when it has none.
    #[oai(path = "/v1/auth/oidc/:slug/logout", method = "get", operation_id = "sso_logout")]
    async fn logout(&self, state: Data<&AppState>, slug: Path<String>) -> Redirect {
        Redirect::Found(service::logout_url(&state, &slug.0).await)
    }

    /// Where the provider sends the browser back: checks the answer (state once, code with
    /// the PKCE verifier, the ID token), opens a session (cookies, as a password sign-in)
    /// and redirects into the web app; any refusal redirects to the sign-in page with
    /// `sso_error` and `sso_message`.
    #[oai(path = "/v1/auth/oidc/callback", method = "get", operation_id = "finish_sso_login")]
    async fn callback(
        &self,
        state: Data<&AppState>,
        client: ClientInfo,
        jar: &CookieJar,
        #[oai(validator(max_length = 4096))] code: Query<Option<String>>,
        #[oai(name = "state", validator(max_length = 4096))] state_param: Query<Option<String>>,
        #[oai(validator(max_length = 4096))] error: Query<Option<String>>,
    ) -> Redirect {
        let cb = Callback { code: code.0, state: state_param.0, error: error.0 };
        match service::finish(&state, &client.0, cb).await {
            Ok(done) => {
                set_session_cookies(jar, &state, &done.session);
                Redirect::Found(done.next.unwrap_or_else(|| "/".into()))
            }
            Err(r) => Redirect::Found(sign_in_page(r.code.as_str(), &r.message)),
        }
    }

    /// The single sign-on providers.
    #[oai(path = "/v1/sso-providers", method = "get", operation_id = "list_sso_providers")]
    async fn list(
        &self,
        _auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<SsoProvider>>, ApiError> {
        let all = service::list(&state).await?;
        Ok(Json(all.into_iter().map(|v| answer(&state, v)).collect()))
    }

    /// Adds a provider. Audited.
    #[oai(path = "/v1/sso-providers", method = "post", operation_id = "create_sso_provider")]
    async fn create(
        &self,
        auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
        body: Json<SsoProviderRequest>,
    ) -> Result<CreatedSsoProvider, ApiError> {
        let v = service::save(&state, &auth.actor(), None, body.0.input()).await?;
        Ok(CreatedSsoProvider::Created(Json(answer(&state, v))))
    }

    #[oai(path = "/v1/sso-providers/:id", method = "get", operation_id = "get_sso_provider")]
    async fn get(
        &self,
        _auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<Json<SsoProvider>, ApiError> {
        Ok(Json(answer(&state, service::get(&state, id.0).await?)))
    }

    /// Replaces a provider's settings; the client secret is kept unless given. Audited.
    #[oai(path = "/v1/sso-providers/:id", method = "put", operation_id = "update_sso_provider")]
    async fn update(
        &self,
        auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
        body: Json<SsoProviderRequest>,
    ) -> Result<Json<SsoProvider>, ApiError> {
        let v = service::save(&state, &auth.actor(), Some(id.0), body.0.input()).await?;
        Ok(Json(answer(&state, v)))
    }

    /// Removes a provider. Audited.
    #[oai(path = "/v1/sso-providers/:id", method = "delete", operation_id = "delete_sso_provider")]
    async fn delete(
        &self,
        auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
        id: Path<Uuid>,
    ) -> Result<DeletedSsoProvider, ApiError> {
        service::delete(&state, &auth.actor(), id.0).await?;
        Ok(DeletedSsoProvider::Done)
    }

    /// Whether password sign-in is on, and who keeps a password when it is off.
    #[oai(path = "/v1/sign-in-settings", method = "get", operation_id = "get_sign_in_settings")]
    async fn sign_in_settings(
        &self,
        _auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
    ) -> Result<Json<SignInSettings>, ApiError> {
        Ok(Json(sign_in::get(&state).await?.into()))
    }

    /// Turns password sign-in on or off (the break-glass users keep theirs). Turning it off
    /// needs an enabled single sign-on provider (`409 auth.no_sso_provider`); turning it on
    /// is refused while the configuration file forces it off
    /// (`409 auth.local_login_from_config`). `cairn-server admin local-login on` turns it
    /// back on from the server's shell. Audited (`auth.local_login`).
    #[oai(path = "/v1/sign-in-settings", method = "put", operation_id = "update_sign_in_settings")]
    async fn update_sign_in_settings(
        &self,
        auth: Auth<perm::UsersManage>,
        state: Data<&AppState>,
        body: Json<SignInSettingsRequest>,
    ) -> Result<Json<SignInSettings>, ApiError> {
        Ok(Json(sign_in::set_local_login(&state, &auth.actor(), body.0.local_login).await?.into()))
    }
}

/// Password sign-in as it stands.
#[derive(Object)]
pub struct SignInSettings {
    /// Password sign-in is on now.
    pub local_login: bool,
    /// The configuration file turns it off (`auth.local_login = false`): only the file
    /// turns it back on.
    pub forced_off_by_config: bool,
    /// Who keeps a password while it is off (`auth.break_glass_users`, from the file).
    pub break_glass_users: Vec<String>,
}

impl From<sign_in::SignInSettings> for SignInSettings {
    fn from(s: sign_in::SignInSettings) -> Self {
        SignInSettings {
            local_login: s.local_login,
            forced_off_by_config: s.forced_off_by_config,
            break_glass_users: s.break_glass_users,
        }
    }
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SignInSettingsRequest {
    pub local_login: bool,
}
