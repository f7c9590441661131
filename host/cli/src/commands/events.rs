//! `weir events [--for Kind/name] [-A] [--types Normal,Warning]`: the events of the GitOps
//! objects, oldest first, as `flux events` tabulates them; `--for` a Kustomization or
//! HelmRelease adds its source's.

use std::time::{Duration, SystemTime};

use anyhow::{Context, bail};
use k8s_openapi::api::events::v1::Event;
use kube::api::{Api, DynamicObject, ListParams};

use crate::cluster::ClusterOptions;
use crate::commands::flux::{say, table};
use crate::kinds::GITOPS_KINDS;

#[derive(clap::Args)]
pub struct EventsArgs {
    /// In every namespace.
    #[arg(short = 'A', long)]
    all_namespaces: bool,
    /// Only the events of this object (`Kind/name`), or of this kind (`Kind`).
    #[arg(long = "for", value_name = "KIND[/NAME]")]
    for_object: Option<String>,
    /// Only events of these types.
    #[arg(long, value_delimiter = ',', value_parser = ["Normal", "Warning"])]
    types: Vec<String>,
}

/// An object events are about: kind, namespace, name.
type Regarding = (String, String, String);

impl EventsArgs {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let client = cluster.client().await?;
        let namespace = cluster.namespace().to_owned();
        let mut wanted: Option<Vec<Regarding>> = None;
        let mut kind_only: Option<String> = None;
        if let Some(selector) = &self.for_object {
            let (kind, name) = selector.split_once('/').map_or((selector.as_str(), None), |(k, n)| (k, Some(n)));
            let Some(known) = GITOPS_KINDS.iter().find(|known| known.kind.eq_ignore_ascii_case(kind)) else {
                bail!("--for selector must be of format <kind>[/<name>] with a Flux kind, not {selector:?}");
            };
            let kind = known.kind;
            match name {
                None => kind_only = Some(kind.to_owned()),
                Some(name) => {
                    let object = Api::<DynamicObject>::namespaced_with(client.clone(), &namespace, &known.resource())
                        .get(name)
                        .await
                        .map_err(crate::commands::flux::api_error)?;
                    let mut objects = vec![(kind.to_owned(), namespace.clone(), name.to_owned())];
                    objects.extend(source_of(kind, &object, &namespace));
                    wanted = Some(objects);
                }
            }
        }
        let show_namespace = self.all_namespaces
            || wanted.as_ref().is_some_and(|objects| objects.iter().any(|(_, ns, _)| *ns != namespace));
        let api: Api<Event> =
            if self.all_namespaces || show_namespace { Api::all(client) } else { Api::namespaced(client, &namespace) };
        let mut events: Vec<Event> = api
            .list(&ListParams::default())
            .await
            .context("listing events")?
            .items
            .into_iter()
            .filter(|event| {
                let regarding = regarding(event);
                let flux_kind = GITOPS_KINDS.iter().any(|known| known.kind == regarding.0);
                let in_scope = self.all_namespaces || show_namespace || regarding.1 == namespace;
                let selected = match (&wanted, &kind_only) {
                    (Some(objects), _) => objects.contains(&regarding),
                    (None, Some(kind)) => regarding.0 == *kind,
                    (None, None) => true,
                };
                let typed = self.types.is_empty() || self.types.iter().any(|type_| Some(type_) == event.type_.as_ref());
                flux_kind && in_scope && selected && typed
            })
            .collect();
        if events.is_empty() {
            match self.all_namespaces {
                true => say::failure("No events found."),
                false => say::failure(format!("No events found in {namespace} namespace.")),
            }
            return Ok(());
        }
        events.sort_by_key(last_seen_at);
        let now = SystemTime::now();
        let rows: Vec<Vec<String>> = events
            .iter()
            .map(|event| {
                let (kind, namespace, name) = regarding(event);
                let mut row = if show_namespace { vec![namespace] } else { Vec::new() };
                row.extend([
                    last_seen(event, now),
                    event.type_.clone().unwrap_or_default(),
                    event.reason.clone().unwrap_or_default(),
                    format!("{kind}/{name}"),
                    event.note.clone().unwrap_or_default(),
                ]);
                row
            })
            .collect();
        let mut header = vec!["Last seen", "Type", "Reason", "Object", "Message"];
        if show_namespace {
            header.insert(0, "Namespace");
        }
        print!("{}", table::render(&header, &rows));
        Ok(())
    }
}

/// The source a Kustomization or HelmRelease reads, whose events explain its own.
fn source_of(kind: &str, object: &DynamicObject, namespace: &str) -> Option<Regarding> {
    let reference = match kind {
        "Kustomization" => &object.data["spec"]["sourceRef"],
        "HelmRelease" if object.data["spec"]["chartRef"].is_object() => &object.data["spec"]["chartRef"],
        "HelmRelease" => &object.data["spec"]["chart"]["spec"]["sourceRef"],
        _ => return None,
    };
    let kind = reference["kind"].as_str()?;
    let name = reference["name"].as_str()?;
    let namespace = reference["namespace"].as_str().unwrap_or(namespace);
    Some((kind.to_owned(), namespace.to_owned(), name.to_owned()))
}

fn regarding(event: &Event) -> Regarding {
    let object = event.regarding.clone().unwrap_or_default();
    let namespace = object.namespace.or_else(|| event.metadata.namespace.clone()).unwrap_or_default();
    (object.kind.unwrap_or_default(), namespace, object.name.unwrap_or_default())
}

/// When an event was last seen: its series' last observation, else its time.
fn last_seen_at(event: &Event) -> SystemTime {
    let time = event
        .series
        .as_ref()
        .map(|series| series.last_observed_time.0)
        .or(event.event_time.as_ref().map(|time| time.0))
        .or(event.deprecated_last_timestamp.as_ref().map(|time| time.0));
    time.map_or(SystemTime::UNIX_EPOCH, SystemTime::from)
}

/// kubectl's LAST SEEN: `5m`, or `30s (x4 over 10m)` for a series.
fn last_seen(event: &Event, now: SystemTime) -> String {
    let since = |time: SystemTime| human_duration(now.duration_since(time).unwrap_or_default());
    let first = event.event_time.as_ref().map_or_else(|| "<unknown>".to_owned(), |time| since(time.0.into()));
    match &event.series {
        Some(series) => format!("{} (x{} over {first})", since(last_seen_at(event)), series.count),
        None => first,
    }
}

/// Kubernetes' `duration.HumanDuration`: two significant units at most, coarser as it grows.
fn human_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return match seconds % 60 {
            0 => format!("{minutes}m"),
            rest => format!("{minutes}m{rest}s"),
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return match minutes % 60 {
            0 => format!("{hours}h"),
            rest => format!("{hours}h{rest}m"),
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return match hours % 24 {
            0 => format!("{}d", hours / 24),
            rest => format!("{}d{rest}h", hours / 24),
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let years = hours / 24 / 365;
        return match (hours / 24) % 365 {
            0 => format!("{years}y"),
            days => format!("{years}y{days}d"),
        };
    }
    format!("{}y", hours / 24 / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_kubectl_prints_them() {
        let cases = [
            (5, "5s"),
            (119, "119s"),
            (125, "2m5s"),
            (300, "5m"),
            (1800, "30m"),
            (3 * 3600 + 120, "3h2m"),
            (10 * 3600, "10h"),
            (3 * 86400 + 3600, "3d1h"),
            (30 * 86400, "30d"),
            (3 * 365 * 86400 + 86400, "3y1d"),
            (10 * 365 * 86400, "10y"),
        ];
        for (seconds, shown) in cases {
            assert_eq!(human_duration(Duration::from_secs(seconds)), shown, "{seconds}s");
        }
    }
}
