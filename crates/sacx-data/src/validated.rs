//! The validated-parameters pattern shared by the parameter structs of
//! sacx-model and sacx-ig (one macro, each crate passing its error type).
//!
//! `params!` declares a struct with private fields, a getter per field, a
//! `Default` with the documented defaults, a builder whose `build()` validates,
//! and a `Deserialize` that goes through the same validation (a private raw
//! twin, `#[serde(try_from)]`), so no value of the type is ever out of range.
//! `Serialize` is derived on the struct itself: field names and order are the
//! serialized ones, unchanged.

/// Declares a validated parameter struct (see the module documentation);
/// `error E;` first names the crate's error type (it must convert from
/// [`InvalidParameter`](crate::InvalidParameter) where `check` needs it).
///
/// Each field is `mode name: Type = default`, where `mode` is `copy` (the
/// getter returns the value), `slice` (a `Vec<T>` whose getter returns `&[T]`)
/// or `manual` (no generated getter); `raw` names the private
/// deserialization twin, as an identifier and as a string. `check` is a function `fn(&Params) ->
/// Result<()>`.
#[doc(hidden)]
#[macro_export]
macro_rules! validated_params {
    (
        error $err:path;
        $(#[$meta:meta])*
        pub struct $name:ident, builder $builder:ident, raw $raw:ident = $raw_lit:literal, check $check:path {
            $(
                $(#[doc = $doc:literal])*
                $(#[serde($($serde:tt)*)])*
                $mode:ident $field:ident: $ty:ty = $default:expr
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = $raw_lit)]
        pub struct $name {
            $($field: $ty,)*
        }

        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct $raw {
            $($(#[serde($($serde)*)])* $field: $ty,)*
        }

        impl TryFrom<$raw> for $name {
            type Error = $err;
            fn try_from(raw: $raw) -> std::result::Result<Self, $err> {
                let p = $name { $($field: raw.$field,)* };
                $check(&p)?;
                Ok(p)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $($field: $default,)* }
            }
        }

        #[doc = concat!("Builder of [`", stringify!($name), "`], starting from the defaults; [`",
            stringify!($builder), "::build`] validates.")]
        #[derive(Debug, Clone, Default)]
        pub struct $builder($name);

        impl $name {
            /// A builder starting from the defaults.
            pub fn builder() -> $builder {
                $builder::default()
            }

            /// A builder starting from these (valid) values, to change some of them.
            pub fn to_builder(&self) -> $builder {
                $builder(self.clone())
            }

            $($crate::validated_params!(@get $mode $field [$(#[doc = $doc])*] $ty);)*
        }

        impl $builder {
            $(
                $(#[doc = $doc])*
                pub fn $field(mut self, value: $ty) -> Self {
                    self.0.$field = value;
                    self
                }
            )*

            /// The parameters, once every field is checked against its range.
            pub fn build(self) -> std::result::Result<$name, $err> {
                $check(&self.0)?;
                Ok(self.0)
            }
        }
    };
    (@get copy $field:ident [$(#[doc = $doc:literal])*] $ty:ty) => {
        $(#[doc = $doc])*
        pub fn $field(&self) -> $ty {
            self.$field
        }
    };
    (@get slice $field:ident [$(#[doc = $doc:literal])*] $ty:ty) => {
        $(#[doc = $doc])*
        pub fn $field(&self) -> &<$ty as std::ops::Deref>::Target {
            &self.$field
        }
    };
    (@get manual $field:ident [$(#[doc = $doc:literal])*] $ty:ty) => {};
}
