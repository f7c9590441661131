//! `kubectl events` reads with the typed client, in protobuf: a list, then
//! a watch whose events arrive as length-framed protobuf WatchEvents.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::cluster::Cluster;

fn event(name: &str, reason: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Event\nmetadata: {{name: {name}}}\ninvolvedObject: {{kind: ConfigMap, name: settings, namespace: default}}\nreason: {reason}\nmessage: {reason} happened\ntype: Normal\nfirstTimestamp: \"2026-12-06T10:00:00Z\"\nlastTimestamp: \"2026-12-06T10:00:00Z\"\ncount: 1\n"
    )
}

#[test]
fn events_are_listed_and_watched() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(&event("first", "Listed")));
    let listed = cluster.ok(&["events"]);
    assert!(listed.contains("Listed") && listed.contains("ConfigMap/settings"), "{listed}");

    let mut watch =
        cluster.command(&["events", "--watch"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let (lines, seen) = mpsc::channel();
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    // The watch starts with what exists; a new event must arrive through it.
    let wait_for = |text: &str| loop {
        let line = seen.recv_timeout(Duration::from_secs(10)).unwrap_or_else(|_| panic!("no line with {text}"));
        if line.contains(text) {
            return line;
        }
    };
    wait_for("Listed");
    cluster.ok_with(&["apply", "-f", "-"], Some(&event("second", "Watched")));
    assert!(wait_for("Watched").contains("Watched happened"));
    let _ = watch.kill();
    let _ = watch.wait();
}
