//! Leader election on a `coordination.k8s.io/v1` Lease, as controller-runtime does it for
//! Flux's controllers (client-go's algorithm): one replica holds the Lease and runs the
//! controllers; the others retry until it is released or expires.
//!
//! Expiry is judged by when *this* process last saw the record change, never by the
//! holder's clock, so skewed clocks cannot make two leaders. A leader that cannot renew within
//! the renew deadline stops leading (the process must exit, as controller-runtime's does); a
//! leader shutting down releases the Lease at once, so a successor need not wait it out.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, PostParams};
use tokio::sync::watch;
use tokio::time::Instant;

/// Flux's controller defaults (`--leader-election-*`).
#[derive(Clone, Debug)]
pub struct LeaseSettings {
    /// The Lease's name, e.g. `weir-controller-leader-election`.
    pub name: String,
    pub namespace: String,
    /// Who this replica is: its host name and a random suffix, as controller-runtime.
    pub identity: String,
    /// How long a Lease holds without renewal (35 s).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it gives up leading (30 s).
    pub renew_deadline: Duration,
    /// How often to try to acquire or renew (5 s).
    pub retry_period: Duration,
}

impl LeaseSettings {
    pub fn new(name: &str, namespace: &str) -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|host| !host.is_empty())
            .or_else(|| std::fs::read_to_string("/etc/hostname").ok().map(|host| host.trim().to_owned()))
            .unwrap_or_else(|| "weir".to_owned());
        Self {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            identity: format!("{host}_{}", uuid::Uuid::new_v4()),
            lease_duration: Duration::from_secs(35),
            renew_deadline: Duration::from_secs(30),
            retry_period: Duration::from_secs(5),
        }
    }
}

/// Why leading failed or ended.
#[derive(Debug, thiserror::Error)]
pub enum LeaderError {
    #[error("--leader-election-renew-deadline ({renew:?}) must be shorter than the lease duration ({lease:?})")]
    Durations { renew: Duration, lease: Duration },
}

/// The Lease's record as last seen, and when this process saw it change.
struct Observed {
    record: Option<LeaseSpec>,
    at: Instant,
}

/// An elector for one Lease.
pub struct Elector {
    api: Api<Lease>,
    settings: LeaseSettings,
    observed: Option<Observed>,
}

/// Leading: [`Leadership::lost`] completes when renewal failed past the deadline.
pub struct Leadership {
    lost: watch::Receiver<bool>,
    stop_renewing: watch::Sender<bool>,
    renewing: tokio::task::JoinHandle<Elector>,
}

impl Elector {
    pub fn new(client: Client, settings: LeaseSettings) -> Result<Self, LeaderError> {
        if settings.renew_deadline >= settings.lease_duration {
            return Err(LeaderError::Durations { renew: settings.renew_deadline, lease: settings.lease_duration });
        }
        Ok(Self { api: Api::namespaced(client, &settings.namespace), settings, observed: None })
    }

    pub fn identity(&self) -> &str {
        &self.settings.identity
    }

    /// Waits until this replica holds the Lease, then renews it in the background.
    pub async fn acquire(mut self) -> Leadership {
        tracing::info!(lease = %self.settings.name, namespace = %self.settings.namespace, identity = %self.settings.identity, "attempting to acquire the leader lease");
        loop {
            match self.try_acquire_or_renew().await {
                Ok(true) => break,
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, lease = %self.settings.name, "cannot read or write the leader lease")
                }
            }
            tokio::time::sleep(jittered(self.settings.retry_period)).await;
        }
        tracing::info!(lease = %self.settings.name, identity = %self.settings.identity, "acquired the leader lease");
        let (lost_sender, lost) = watch::channel(false);
        let (stop_renewing, mut stop) = watch::channel(false);
        let renewing = tokio::spawn(async move {
            let mut last_renewal = Instant::now();
            loop {
                tokio::select! {
                    _ = stop.wait_for(|stop| *stop) => return self,
                    () = tokio::time::sleep(self.settings.retry_period) => {}
                }
                match self.try_acquire_or_renew().await {
                    Ok(true) => last_renewal = Instant::now(),
                    Ok(false) => {
                        tracing::error!(lease = %self.settings.name, "another replica took the leader lease");
                        let _ = lost_sender.send(true);
                        return self;
                    }
                    Err(error) => {
                        tracing::warn!(%error, lease = %self.settings.name, "renewing the leader lease failed")
                    }
                }
                if last_renewal.elapsed() >= self.settings.renew_deadline {
                    tracing::error!(lease = %self.settings.name, "leader lease not renewed within the renew deadline");
                    let _ = lost_sender.send(true);
                    return self;
                }
            }
        });
        Leadership { lost, stop_renewing, renewing }
    }

    /// One round of client-go's `tryAcquireOrRenew`: whether this replica holds the Lease now.
    async fn try_acquire_or_renew(&mut self) -> Result<bool, kube::Error> {
        let now = MicroTime(Timestamp::now());
        let settings = self.settings.clone();
        let Some(current) = self.api.get_opt(&settings.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(settings.name.clone()),
                    namespace: Some(settings.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(settings.identity.clone()),
                    lease_duration_seconds: Some(seconds(settings.lease_duration)),
                    acquire_time: Some(now.clone()),
                    renew_time: Some(now),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(created) => {
                    self.observe(&created);
                    Ok(true)
                }
                // Another replica created it first.
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                Err(error) => Err(error),
            };
        };
        self.observe(&current);
        let record = current.spec.clone().unwrap_or_default();
        let holder = record.holder_identity.clone().unwrap_or_default();
        let held_by_me = holder == settings.identity;
        let duration = record
            .lease_duration_seconds
            .map_or(settings.lease_duration, |s| Duration::from_secs(u64::try_from(s).unwrap_or(0)));
        let observed_at = self.observed.as_ref().map_or_else(Instant::now, |observed| observed.at);
        if !holder.is_empty() && !held_by_me && observed_at.elapsed() < duration {
            return Ok(false);
        }
        let mut lease = current;
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        spec.holder_identity = Some(settings.identity.clone());
        spec.lease_duration_seconds = Some(seconds(settings.lease_duration));
        spec.renew_time = Some(now.clone());
        if !held_by_me {
            spec.acquire_time = Some(now);
            spec.lease_transitions = Some(record.lease_transitions.unwrap_or(0) + 1);
        }
        // The resourceVersion makes this a compare-and-swap: of two replicas racing, one wins.
        match self.api.replace(&settings.name, &PostParams::default(), &lease).await {
            Ok(replaced) => {
                self.observe(&replaced);
                Ok(true)
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Notes the record, restarting the expiry clock when it changed.
    fn observe(&mut self, lease: &Lease) {
        if self.observed.as_ref().is_none_or(|observed| observed.record != lease.spec) {
            self.observed = Some(Observed { record: lease.spec.clone(), at: Instant::now() });
        }
    }

    /// Gives the Lease up (controller-runtime's `ReleaseOnCancel`): holder cleared and a
    /// one-second duration, so a waiting replica takes over at its next retry.
    async fn release(&mut self) -> Result<(), kube::Error> {
        let Some(mut lease) = self.api.get_opt(&self.settings.name).await? else { return Ok(()) };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        if spec.holder_identity.as_deref() != Some(self.settings.identity.as_str()) {
            return Ok(());
        }
        spec.holder_identity = Some(String::new());
        spec.lease_duration_seconds = Some(1);
        spec.renew_time = Some(MicroTime(Timestamp::now()));
        self.api.replace(&self.settings.name, &PostParams::default(), &lease).await?;
        Ok(())
    }
}

impl Leadership {
    /// Completes when leadership was lost; the caller must stop at once.
    pub async fn lost(&mut self) {
        let _ = self.lost.wait_for(|lost| *lost).await;
    }

    /// Stops renewing and releases the Lease, once the controllers have stopped.
    pub async fn release(self) {
        let _ = self.stop_renewing.send(true);
        let Ok(mut elector) = self.renewing.await else { return };
        if *self.lost.borrow() {
            return;
        }
        match elector.release().await {
            Ok(()) => tracing::info!(lease = %elector.settings.name, "released the leader lease"),
            Err(error) => tracing::warn!(%error, lease = %elector.settings.name, "releasing the leader lease failed"),
        }
    }
}

/// The Lease of the replicas serving `shard` (a `--watch-label-selector`): `base` alone without
/// one, else `base-<first 8 hex digits of the selector's SHA-256>`, as Flux names a shard's
/// Lease, so that shards do not contend for one.
pub fn lease_name(base: &str, shard: Option<&str>) -> String {
    use sha2::Digest;
    match shard {
        Some(selector) if !selector.is_empty() => {
            format!("{base}-{}", &hex::encode(sha2::Sha256::digest(selector.as_bytes()))[..8])
        }
        _ => base.to_owned(),
    }
}

fn seconds(duration: Duration) -> i32 {
    i32::try_from(duration.as_secs().max(1)).unwrap_or(i32::MAX)
}

/// `period` plus up to 20% more, as client-go's jitter, so replicas do not retry in step.
fn jittered(period: Duration) -> Duration {
    let fraction = f64::from(uuid::Uuid::new_v4().as_fields().0) / f64::from(u32::MAX);
    period.mul_f64(1.0 + 0.2 * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shard_has_its_own_lease() {
        assert_eq!(lease_name("weir-controller-leader-election", None), "weir-controller-leader-election");
        // sha256("sharding.fluxcd.io/key=shard1") starts 73fdc1be.
        let shard = lease_name("weir-controller-leader-election", Some("sharding.fluxcd.io/key=shard1"));
        assert_eq!(shard, "weir-controller-leader-election-73fdc1be");
    }
}
