//! How Helm's records carry Go's `time.Time` ([`Timestamp`]): Helm 4 leaves a zero
//! time out (`omitzero`), Helm 3 writes it as `""`.

pub use weir_go_compat::timestamp::{Timestamp, TimestampError};

/// `omitzero` on a `time.Time` (Helm 4's chart and file mod-times).
pub(crate) fn omit_zero(time: &Option<Timestamp>) -> bool {
    time.is_none_or(|time| time.is_zero())
}

/// The release and hook times (`Info.first_deployed`, `HookExecution.started_at`, …):
/// `None` is the field left out (Helm 4's zero), `Some(Timestamp::ZERO)` is
/// Helm 3's `""`.
pub(crate) mod helm {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &Option<Timestamp>, serializer: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) if !time.is_zero() => serializer.collect_str(time),
            _ => serializer.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<Timestamp>::deserialize(deserializer)
    }
}
