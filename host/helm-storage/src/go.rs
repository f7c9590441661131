//! How Go's `encoding/json` treats the shapes Helm's structs use, where
//! serde's defaults differ: `null` for a value field, `[]byte` as base64, nil
//! slices as `null`, and named string types.

use serde::{Deserialize, Deserializer};

/// Go leaves a field at its zero value when the JSON says `null`.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A Go slice without `omitempty`: Helm's loader leaves an empty one nil,
/// which Go writes as `null`.
pub(crate) mod nil_slice {
    use serde::{Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer, T: Serialize>(items: &[T], serializer: S) -> Result<S::Ok, S::Error> {
        if items.is_empty() { serializer.serialize_none() } else { serializer.collect_seq(items) }
    }

    pub fn deserialize<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: serde::Deserialize<'de>,
    {
        super::nullable(deserializer)
    }
}

/// Go's `[]byte`: standard base64 with padding, `null` for nil.
pub(crate) mod bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        Ok(optional::deserialize(deserializer)?.unwrap_or_default())
    }

    /// A `[]byte` whose nil-ness matters (the chart's schema): `None` is `null`.
    pub mod optional {
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, serializer: S) -> Result<S::Ok, S::Error> {
            match bytes {
                Some(bytes) => super::serialize(bytes, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<u8>>, D::Error> {
            match Option::<String>::deserialize(deserializer)? {
                Some(text) => STANDARD.decode(text).map(Some).map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

/// `skip_serializing_if` for Go's `omitempty` on numbers and booleans.
pub(crate) fn is_zero<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A Go named string type (`type Status string`): any string reads and
/// writes back unchanged, the values Helm defines are constants, and the
/// zero value is `""`.
macro_rules! go_string {
    ($(#[$meta:meta])* $name:ident { $($(#[$const_meta:meta])* $constant:ident = $value:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(std::borrow::Cow<'static, str>);

        impl $name {
            $($(#[$const_meta])* pub const $constant: $name = $name(std::borrow::Cow::Borrowed($value));)*

            pub fn new(value: impl Into<String>) -> Self {
                Self(std::borrow::Cow::Owned(value.into()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use go_string;
