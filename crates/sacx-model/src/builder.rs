//! The validating-builder pattern shared by every parameter struct.

/// Implements the builder `$builder($params)`: one setter per listed field,
/// each with its documentation, and `build()`, which returns the parameters
/// once `$params::validate` accepts them.
macro_rules! builder {
    ($builder:ident => $params:ty { $($(#[$doc:meta])* $name:ident: $ty:ty),* $(,)? }) => {
        impl $builder {
            $(
                $(#[$doc])*
                pub fn $name(mut self, v: $ty) -> Self {
                    self.0.$name = v;
                    self
                }
            )*
            /// The validated parameters.
            pub fn build(self) -> $crate::Result<$params> {
                self.0.validate()?;
                Ok(self.0)
            }
        }
    };
}
pub(crate) use builder;
