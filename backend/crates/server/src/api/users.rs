//! `/users`: list, create, edit, disable, delete users and reset their passwords (admins).

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use uuid::Uuid;

use super::security::{Auth, perm};
use super::{
    ApiTags,
    auth::NoContent,
    error::ApiError,
    models::{HostRoleBinding, User},
};
use crate::{
    app::AppState,
    auth::Role,
    domain::rows::UserFilter,
    domain::users::{self as service, NewUser, UserPatch},
};

pub struct UsersApi;

#[derive(Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserList {
    /// By username.
    pub items: Vec<User>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// How many users match, up to 10,000; only with `with_total=true`.
    pub total: Option<u64>,
    /// More than `total` match; only with `with_total=true`.
    pub total_capped: Option<bool>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 2–64 of `a-z 0-9 . _ -`, starting with a letter or digit (stored lower-cased).
    #[oai(validator(min_length = 2, max_length = 64, pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"))]
    pub username: String,
    #[oai(validator(max_length = 128))]
    pub display_name: Option<String>,
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    /// The role over all hosts; `none` with `bindings` for a user who may act on some
    /// hosts only.
    pub role: Role,
    #[oai(validator(max_length = 1024))]
    pub password: String,
    /// Roles over the hosts of some tags (at most 20).
    #[oai(validator(max_items = 20))]
    pub bindings: Option<Vec<HostRoleBinding>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[oai(validator(max_length = 128))]
    pub display_name: Option<String>,
    /// `null` clears the email; absent leaves it as it is.
    #[oai(nullable, validator(max_length = 254))]
    pub email: MaybeUndefined<String>,
    pub role: Option<Role>,
    /// Disabling ends the user's sessions and stops their tokens at once.
    pub disabled: Option<bool>,
    /// Replaces the user's host-scoped roles (`[]` removes them all). For a single
    /// sign-on user they are set again from their groups at each sign-in.
    #[oai(validator(max_items = 20))]
    pub bindings: Option<Vec<HostRoleBinding>>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[oai(validator(max_length = 1024))]
    pub new_password: String,
}

#[derive(ApiResponse)]
pub enum CreatedUser {
    #[oai(status = 201)]
    Created(Json<User>),
}

#[OpenApi(prefix_path = "/v1/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// Lists users, filtered and paged, ordered by username.
    #[oai(path = "/", method = "get", operation_id = "list_users")]
    #[allow(clippy::too_many_arguments, reason = "one argument per query parameter")]
    async fn list(
        &self,
        state: Data<&AppState>,
        _auth: Auth<perm::UsersRead>,
        /// Text in username, display name or email.
        q: Query<Option<String>>,
        role: Query<Option<Role>>,
        disabled: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 512))]
        cursor: Query<Option<String>>,
        /// Also count the matching users (up to 10,000).
        with_total: Query<Option<bool>>,
    ) -> Result<Json<UserList>, ApiError> {
        let filter = UserFilter { q: q.0, role: role.0, disabled: disabled.0 };
        let (limit, with_total) = (limit.0.unwrap_or(50), with_total.0.unwrap_or(false));
        let page =
            service::list(&state.store, &filter, cursor.0.as_deref(), limit, with_total).await?;
        Ok(Json(UserList {
            items: page.items.into_iter().map(Into::into).collect(),
            next_cursor: page.next_cursor,
            total: page.total.map(|t| t.count),
            total_capped: page.total.map(|t| t.capped),
        }))
    }

    /// Creates a user with a role and an initial password.
    #[oai(path = "/", method = "post", operation_id = "create_user")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::UsersManage>,
        body: Json<CreateUserRequest>,
    ) -> Result<CreatedUser, ApiError> {
        let b = body.0;
        let new = NewUser {
            username: b.username,
            display_name: b.display_name,
            email: b.email,
            role: b.role,
            password: b.password,
            bindings: b.bindings.unwrap_or_default().into_iter().map(Into::into).collect(),
        };
        let row = service::create(
            &state.store,
            &auth.actor(),
            new,
            state.config.auth.password_min_length,
        )
        .await?;
        Ok(CreatedUser::Created(Json(row.into())))
    }

    #[oai(path = "/:id", method = "get", operation_id = "get_user")]
    async fn get(
        &self,
        state: Data<&AppState>,
        _auth: Auth<perm::UsersRead>,
        id: Path<Uuid>,
    ) -> Result<Json<User>, ApiError> {
        Ok(Json(service::get(&state.store, id.0).await?.into()))
    }

    /// Edits a user; role and disabled take effect on the user's very next request.
    #[oai(path = "/:id", method = "patch", operation_id = "update_user")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::UsersManage>,
        id: Path<Uuid>,
        body: Json<UpdateUserRequest>,
    ) -> Result<Json<User>, ApiError> {
        let b = body.0;
        let patch = UserPatch {
            display_name: b.display_name,
            email: match b.email {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(v)),
            },
            role: b.role,
            disabled: b.disabled,
            bindings: b.bindings.map(|v| v.into_iter().map(Into::into).collect()),
        };
        Ok(Json(service::update(&state.store, &auth.actor(), id.0, patch).await?.into()))
    }

    /// Deletes a user, their sessions and their tokens; audit entries keep their name.
    #[oai(path = "/:id", method = "delete", operation_id = "delete_user")]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::UsersManage>,
        id: Path<Uuid>,
    ) -> Result<NoContent, ApiError> {
        let p = &auth.principal;
        service::delete(&state.store, &auth.actor(), id.0, Some(p.user.id)).await?;
        Ok(NoContent::Done)
    }

    /// Sets a new password for a user and ends all their sessions.
    #[oai(path = "/:id/password", method = "post", operation_id = "reset_user_password")]
    async fn reset_password(
        &self,
        state: Data<&AppState>,
        auth: Auth<perm::UsersManage>,
        id: Path<Uuid>,
        body: Json<ResetPasswordRequest>,
    ) -> Result<NoContent, ApiError> {
        service::reset_password(
            &state.store,
            &auth.actor(),
            id.0,
            body.0.new_password,
            state.config.auth.password_min_length,
        )
        .await?;
        Ok(NoContent::Done)
    }
}
