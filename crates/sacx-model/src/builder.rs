//! The validated-parameters pattern (`sacx_data::validated_params!`), with
//! this crate's error type.

/// `sacx_data::validated_params!` with `crate::Error`.
macro_rules! params {
    ($($body:tt)*) => {
        sacx_data::validated_params! { error crate::Error; $($body)* }
    };
}
pub(crate) use params;
