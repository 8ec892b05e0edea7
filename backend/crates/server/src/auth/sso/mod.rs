//! Single sign-on with OpenID Connect providers: `providers` is what an admin configures
//! (client secret sealed, write-only); `signin` is a sign-in's start (state, nonce and PKCE
//! verifier kept server-side, each state good once for ten minutes) and its end (code
//! exchanged, ID token checked by `oidc`, groups mapped to a role, the user found, linked or
//! made just in time, a session opened like a password sign-in's). Every refusal is audited.

mod providers;
mod signin;

use serde::{Deserialize, Serialize};

use super::permission::Role;

pub use providers::{
    Button, ProviderInput, ProviderView, buttons, delete, get, list, save, sync_from_config,
};
pub use signin::{Callback, SignedIn, SsoRefusal, finish, logout_url, start};

/// How long a sign-in may take between its start and the provider's answer.
pub const LOGIN_TTL_MINUTES: i64 = 10;
/// The path of the callback, under the public URL.
pub const CALLBACK_PATH: &str = "/api/v1/auth/oidc/callback";

/// A group and the role it gives: over all hosts, or (with `tags`) over the hosts that
/// carry one of the tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleMapping {
    pub group: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}
