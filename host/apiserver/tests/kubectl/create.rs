//! Every `kubectl create` generator: kubectl sends each typed object as
//! protobuf, and the server must store what it meant.

use serde_json::json;

use crate::cluster::Cluster;

#[test]
fn deployment() {
    let cluster = Cluster::start();
    let created = cluster.ok(&["create", "deployment", "web", "--image=nginx:1.27", "--replicas=0", "--port=80"]);
    assert_eq!(created, "deployment.apps/web created\n");
    let web = cluster.json(&["get", "deployment", "web"]);
    assert_eq!(web["spec"]["replicas"], 0, "a pointer field set to zero survives: {web}");
    assert_eq!(web["spec"]["selector"]["matchLabels"], json!({"app": "web"}));
    let container = &web["spec"]["template"]["spec"]["containers"][0];
    assert_eq!((&container["name"], &container["image"]), (&json!("nginx"), &json!("nginx:1.27")));
    assert_eq!(container["ports"][0]["containerPort"], 80);
    assert_eq!(web["spec"]["strategy"], json!({}), "an empty struct is kept as kube-apiserver keeps it");
}

#[test]
fn deployment_dry_run_and_output() {
    let cluster = Cluster::start();
    let printed = cluster.ok(&["create", "deployment", "web", "--image=nginx", "--dry-run=server", "-o", "yaml"]);
    assert!(printed.contains("kind: Deployment") && printed.contains("image: nginx"), "{printed}");
    assert!(printed.contains("uid:"), "a server dry run answers with the object as it would be stored");
    assert_eq!(cluster.ok(&["get", "deployments", "-o", "name"]), "", "a dry run stores nothing");
}

#[test]
fn job_and_cronjob() {
    let cluster = Cluster::start();
    cluster.ok(&["create", "job", "once", "--image=busybox", "--", "echo", "hi"]);
    let job = cluster.json(&["get", "job", "once"]);
    assert_eq!(job["spec"]["template"]["spec"]["containers"][0]["command"], json!(["echo", "hi"]));
    assert_eq!(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
    cluster.ok(&["create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "date"]);
    let cron = cluster.json(&["get", "cronjob", "nightly"]);
    assert_eq!(cron["spec"]["schedule"], "0 3 * * *");
    cluster.ok(&["create", "job", "from-cron", "--from=cronjob/nightly"]);
    let from = cluster.json(&["get", "job", "from-cron"]);
    assert_eq!(from["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"], "manual");
}

#[test]
fn roles_and_bindings() {
    let cluster = Cluster::start();
    cluster.ok(&["create", "role", "reader", "--verb=get,list", "--resource=pods,configmaps"]);
    let role = cluster.json(&["get", "role", "reader"]);
    assert_eq!(role["rules"][0]["verbs"], json!(["get", "list"]));
    cluster.ok(&["create", "rolebinding", "read", "--role=reader", "--user=alice", "--serviceaccount=default:robot"]);
    let binding = cluster.json(&["get", "rolebinding", "read"]);
    assert_eq!(binding["roleRef"]["name"], "reader");
    assert_eq!(binding["subjects"].as_array().map(Vec::len), Some(2));
    cluster.ok(&["create", "clusterrole", "watcher", "--verb=watch", "--resource=deployments.apps"]);
    cluster.ok(&["create", "clusterrolebinding", "watch", "--clusterrole=watcher", "--group=ops"]);
    let cluster_binding = cluster.json(&["get", "clusterrolebinding", "watch"]);
    assert_eq!(
        cluster_binding["subjects"][0],
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ops"})
    );
}

#[test]
fn services() {
    let cluster = Cluster::start();
    cluster.ok(&["create", "service", "clusterip", "api", "--tcp=80:8080"]);
    let api = cluster.json(&["get", "service", "api"]);
    assert_eq!(api["spec"]["ports"][0]["targetPort"], 8080, "an int-or-string stays an integer");
    assert_eq!(api["spec"]["type"], "ClusterIP");
    cluster.ok(&["create", "service", "nodeport", "edge", "--tcp=443:https"]);
    let edge = cluster.json(&["get", "service", "edge"]);
    assert_eq!(edge["spec"]["ports"][0]["targetPort"], "https", "an int-or-string stays a string");
    cluster.ok(&["create", "service", "externalname", "db", "--external-name=db.example.com"]);
    assert_eq!(cluster.json(&["get", "service", "db"])["spec"]["externalName"], "db.example.com");
}

#[test]
fn ingress_quota_priority_class_and_disruption_budget() {
    let cluster = Cluster::start();
    cluster.ok(&["create", "ingress", "site", "--rule=example.com/shop*=shop:80"]);
    let site = cluster.json(&["get", "ingress", "site"]);
    assert_eq!(site["spec"]["rules"][0]["http"]["paths"][0]["pathType"], "Prefix", "{site}");
    cluster.ok(&["create", "quota", "small", "--hard=cpu=1,memory=1Gi,pods=10"]);
    let quota = cluster.json(&["get", "resourcequota", "small"]);
    assert_eq!(quota["spec"]["hard"], json!({"cpu": "1", "memory": "1Gi", "pods": "10"}), "quantities stay text");
    cluster.ok(&["create", "priorityclass", "low", "--value=0", "--description=batch"]);
    let low = cluster.json(&["get", "priorityclass", "low"]);
    assert_eq!((&low["value"], &low["description"]), (&json!(0), &json!("batch")));
    cluster.ok(&["create", "poddisruptionbudget", "keep", "--selector=app=web", "--min-available=50%"]);
    assert_eq!(cluster.json(&["get", "pdb", "keep"])["spec"]["minAvailable"], "50%");
}

#[test]
fn secrets_of_every_type() {
    let cluster = Cluster::start();
    cluster.ok(&[
        "create",
        "secret",
        "docker-registry",
        "pull",
        "--docker-server=registry.example.com",
        "--docker-username=u",
        "--docker-password=p",
    ]);
    let pull = cluster.json(&["get", "secret", "pull"]);
    assert_eq!(pull["type"], "kubernetes.io/dockerconfigjson");
    assert!(pull["data"][".dockerconfigjson"].is_string());
    cluster.ok(&["create", "secret", "generic", "blob", "--from-literal=key=\u{1}\u{2}binary"]);
    assert_eq!(cluster.json(&["get", "secret", "blob"])["data"]["key"], "AQJiaW5hcnk=");
}

#[test]
fn run_and_expose() {
    let cluster = Cluster::start();
    cluster.ok(&["run", "shell", "--image=busybox", "--labels=app=shell", "--restart=Never", "--", "sleep", "1d"]);
    let pod = cluster.json(&["get", "pod", "shell"]);
    assert_eq!(pod["spec"]["containers"][0]["args"], json!(["sleep", "1d"]));
    cluster.ok(&["expose", "pod", "shell", "--port=80", "--name=shell"]);
    assert_eq!(cluster.json(&["get", "service", "shell"])["spec"]["selector"], json!({"app": "shell"}));
}

#[test]
fn auth_can_i_and_whoami() {
    let cluster = Cluster::start();
    assert_eq!(cluster.ok(&["auth", "can-i", "create", "deployments"]), "yes\n");
    let whoami = cluster.json(&["auth", "whoami"]);
    assert_eq!(whoami["status"]["userInfo"]["username"], "weir-admin", "{whoami}");
    assert!(whoami["status"]["userInfo"]["groups"].as_array().unwrap().contains(&json!("system:masters")));
    let denied = cluster.run(&["auth", "can-i", "delete", "configmaps", "--as=nobody"], None);
    assert_eq!((denied.status.code(), String::from_utf8_lossy(&denied.stdout).as_ref()), (Some(1), "no\n"));
}
