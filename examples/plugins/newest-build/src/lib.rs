//! An example third-party tag policy: picks the tag with the highest CI
//! build number, for tags like `main-1a2b3c4-build.1287`. Tags without a
//! build number are ignored; the policy's own settings are ignored too.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::tag_policy::PolicyRequest;
use weir_plugin_sdk::types::{Error, ErrorCode};

struct NewestBuild;

impl Plugin for NewestBuild {
    fn select(request: PolicyRequest) -> Result<String, Error> {
        request
            .candidates
            .into_iter()
            .filter_map(|candidate| {
                let (_, number) = candidate.tag.rsplit_once("build.")?;
                Some((number.parse::<u64>().ok()?, candidate.tag))
            })
            // max_by_key keeps the last of equal keys; reversing keeps the first listed.
            .rev()
            .max_by_key(|(number, _)| *number)
            .map(|(_, tag)| tag)
            .ok_or_else(|| Error::new(ErrorCode::NoMatch, "no tag carries a build number"))
    }
}

weir_plugin_sdk::register_plugin!(NewestBuild: tag_policy);
