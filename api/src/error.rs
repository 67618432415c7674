//! One error type for the API, mapped once to GraphQL errors with a stable `extensions.code`
//! and to HTTP responses. Internal errors are logged here, once, and reach the client only
//! as a generic message.

use async_graphql::ErrorExtensions;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::auth::AuthError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    /// Invalid input: names the field and the rule it broke.
    #[error("{field}: {message}")]
    BadUserInput {
        field: &'static str,
        message: String,
    },
    /// The audit trail could not record the request, so nothing was returned or changed;
    /// the message says which, and internals go to the log only.
    #[error("{0}")]
    Unrecorded(&'static str),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated(_) => "UNAUTHENTICATED",
            ApiError::Forbidden(_) => "FORBIDDEN",
            ApiError::BadUserInput { .. } => "BAD_USER_INPUT",
            ApiError::Unrecorded(_) | ApiError::Internal(_) => "INTERNAL",
        }
    }

    pub fn bad_input(field: &'static str, message: impl ToString) -> Self {
        ApiError::BadUserInput {
            field,
            message: message.to_string(),
        }
    }

    fn log_if_internal(&self) {
        if let ApiError::Internal(source) = self {
            tracing::error!(error = %format!("{source:#}"), "internal error");
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<vigo_audit::AuditError> for ApiError {
    fn from(e: vigo_audit::AuditError) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::NotPermitted(p) => ApiError::Forbidden(p.to_string()),
            other => ApiError::Unauthenticated(other.to_string()),
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        self.log_if_internal();
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| e.set("code", self.code()))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let status = match self {
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unrecorded(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let body = json!({
            "errors": [{ "message": self.to_string(), "extensions": { "code": self.code() } }]
        });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
