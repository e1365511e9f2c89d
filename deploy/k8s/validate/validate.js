// Validates rendered Kubernetes manifests offline and checks kyodo's rules.
//
//   node validate.js NAME=FILE.yaml ...      (deploy/test.sh renders each
//                                             overlay with kubectl kustomize)
//   node validate.js --rules-out=DIR NAME=FILE.yaml ...
//                                            also writes DIR/kyodo.rules.yaml
//                                            (the PrometheusRules' groups) and
//                                            DIR/dashboard.rules.yaml (each
//                                            dashboard query as a recording
//                                            rule) for promtool
//
// A NAME given twice (the same overlay rendered by two kustomize versions,
// e.g. Debian's kubectl 1.20 and a current one) must render the same
// objects, apart from the generated names' hash suffixes. The overlay named
// `local` is the developer's: the only one allowed localhost/ images.
//
// 1. Schema: every object against the Kubernetes OpenAPI schemas of
//    kubernetes-models (types, enums, required fields); ServiceMonitor and
//    PrometheusRule against @kubernetes-models/prometheus-operator; Ingress
//    with kubernetes-models; GRPCRoute against @kubernetes-models/gateway-api
//    (its v1alpha2 schema: the package predates GRPCRoute v1, whose fields
//    are the same); the mariadb-operator objects against
//    mariadb-operator.schema.json (written from the operator's CRDs; see its
//    $comment). An object of any other kind fails: no schema, no pass.
// 2. Rules: images (outside `local` none from localhost/, each with a tag
//    other than latest, or a digest); every container has requests and
//    limits, runs as non-root with a read-only root file system, no
//    privilege escalation and all capabilities dropped; every Deployment's
//    containers have startup, readiness and liveness probes, kyodo's own
//    native gRPC ones ("" for startup and readiness, "liveness" for
//    liveness) on their gRPC port; the stateless services have a
//    HorizontalPodAutoscaler with a behaviour and a PodDisruptionBudget, and
//    no spec.replicas (the autoscaler owns it); the notifier runs as one
//    replica exactly (spec.replicas 1, strategy Recreate, no autoscaler), so
//    that two never follow the feed at once; app.kubernetes.io labels on
//    every object and pod; the three backends' Services are headless; the
//    migration Job runs --migrate_only (the three services and the
//    notifier) as the migrating database account
//    (kyodo_migrate, granting the role kyodo_serving), mounts no Secret but
//    kyodo-db-migrate (which no service mounts) and a CA bundle, and
//    outside `local` carries the image's version in its name; the services
//    run with KYODO_MIGRATE=false; secrets come only from Secret references
//    (no secret-looking key in a ConfigMap or a literal env); ingress is
//    denied by default and the services admit only the gateway and each
//    other where one asks another (partner-service: project- and
//    proposal-service and the notifier; project- and proposal-service: each
//    other, and proposal-service the notifier); egress of kyodo's pods is
//    denied by default and allows DNS, MariaDB (database services, the
//    notifier and the Job only) and the services each one calls; no cross-namespace peer asks
//    for kyodo's labels; outside `local`, an Ingress to the gateway's port
//    http and a GRPCRoute to its gRPC port; with monitoring, every alert has
//    a severity, a summary and a description, and every kyodo_ metric that a
//    rule or the dashboard reads is one the programs export
//    (common/metrics/metrics.h); a KYODO_DB_TLS_CA_FILE lies in a volume
//    the container mounts, and where a MariaDB is deployed (outside `local`
//    it must require TLS) every container that connects to it sets one.
// Exits 1 and lists every problem when anything fails.
"use strict";
const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");
const Ajv = require("ajv");
const { panelsOf, dashboardRule } = require("./dashboard-rules");

const problems = [];
const fail = (where, what) => problems.push(`${where}: ${what}`);

// --- Schemas -------------------------------------------------------------------
const mariadbSchema = JSON.parse(
  fs.readFileSync(path.join(__dirname, "mariadb-operator.schema.json"), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(mariadbSchema, "mariadb-operator");

function modelOf(obj) {
  const [group, version] = obj.apiVersion.includes("/")
    ? obj.apiVersion.split("/")
    : [null, obj.apiVersion];
  let module;
  if (group === "monitoring.coreos.com") {
    module = `@kubernetes-models/prometheus-operator/${group}/${version}/${obj.kind}`;
  } else if (group === "gateway.networking.k8s.io") {
    // GRPCRoute v1 has v1alpha2's schema (the package knows only v1alpha2).
    const v = obj.kind === "GRPCRoute" && version === "v1" ? "v1alpha2" : version;
    module = `@kubernetes-models/gateway-api/${group}/${v}/${obj.kind}`;
  } else {
    module = group ? `kubernetes-models/${group}/${version}/${obj.kind}`
                   : `kubernetes-models/${version}/${obj.kind}`;
  }
  try {
    return require(module)[obj.kind];
  } catch (e) {
    return null;
  }
}

function validateSchema(where, obj) {
  if (obj.apiVersion === "k8s.mariadb.com/v1alpha1") {
    const validate = ajv.getSchema(`mariadb-operator#/definitions/${obj.kind}`);
    if (!validate) return fail(where, `no schema for ${obj.apiVersion} ${obj.kind}`);
    if (!validate(obj)) {
      for (const e of validate.errors) {
        fail(where, `schema: ${e.instancePath || "/"} ${e.message}` +
                    (e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ""));
      }
    }
    return;
  }
  const Model = modelOf(obj);
  if (!Model) return fail(where, `no schema for ${obj.apiVersion} ${obj.kind}`);
  let copy = obj;
  if (obj.kind === "GRPCRoute" && obj.apiVersion === "gateway.networking.k8s.io/v1") {
    copy = { ...obj, apiVersion: "gateway.networking.k8s.io/v1alpha2" };
  }
  try {
    new Model(copy).validate();
  } catch (e) {
    fail(where, `schema: ${e.message}`);
  }
}

// --- Helpers -------------------------------------------------------------------
const podSpecOf = (obj) =>
  ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(obj.kind)
    ? obj.spec.template.spec
    : obj.kind === "Pod" ? obj.spec : null;
const podLabelsOf = (obj) =>
  obj.kind === "Pod" ? obj.metadata.labels || {} : (obj.spec.template.metadata || {}).labels || {};

const SECRETISH = /(PASSWORD|SECRET|TOKEN|KEY)$/i;
const KYODO_COMPONENTS = ["service", "gateway"];
// Programs with kyodo's health probes: the services, the gateway and the
// notifier.
const PROBED_COMPONENTS = [...KYODO_COMPONENTS, "notifier"];
const BACKENDS = { "partner-service": 50051, "project-service": 50052, "proposal-service": 50053 };
const DATABASE_COMPONENTS = ["service", "migration", "notifier"];

// The metrics the programs export, from the list in common/metrics/metrics.h.
const METRICS_HEADER = path.join(__dirname, "../../../common/metrics/metrics.h");
const exportedMetrics = new Set(
  (fs.readFileSync(METRICS_HEADER, "utf8").match(/^\/\/\s+(kyodo_[a-z_]+)/gm) || [])
    .map((line) => line.replace(/^\/\/\s+/, "")));
// kyodo_ metric names a PromQL expression reads (not recording rules'
// names, which contain a colon), without a histogram's suffixes.
function kyodoMetricsIn(expr) {
  return [...expr.matchAll(/(?<![\w:])kyodo_[a-z_]+(?![\w:])/g)]
    .map((m) => m[0].replace(/_(bucket|count|sum)$/, ""));
}

// image -> {name, tag, digest}
function parseImage(image) {
  const at = image.indexOf("@");
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  const tag = colon > slash ? rest.slice(colon + 1) : null;
  const name = colon > slash ? rest.slice(0, colon) : rest;
  return { name, tag, digest };
}

function checkImage(where, image, isLocal) {
  const { name, tag, digest } = parseImage(image);
  if (!isLocal && name.startsWith("localhost/")) {
    fail(where, `image ${image} is a local build; only the local overlay may run one`);
  }
  if (!isLocal && !digest && (!tag || tag === "latest")) {
    fail(where, `image ${image} has no tag or digest (set one: kustomize edit set image kyodo=REGISTRY/kyodo:VERSION)`);
  }
  if (!name.includes("/") && !name.includes(".") && name === "kyodo") {
    fail(where, `image ${image} is the base's bare name: the overlay names no image`);
  }
}

function checkContainer(where, pod, c, obj, isLocal) {
  checkImage(where, c.image || "", isLocal);
  const r = c.resources || {};
  for (const kind of ["requests", "limits"]) {
    for (const res of ["cpu", "memory"]) {
      if (!(r[kind] && r[kind][res])) fail(where, `no ${kind}.${res}`);
    }
  }
  const sc = c.securityContext || {};
  const psc = pod.securityContext || {};
  if (!(sc.runAsNonRoot === true || (psc.runAsNonRoot === true && sc.runAsNonRoot !== false))) {
    fail(where, "runAsNonRoot is not true");
  }
  const uid = sc.runAsUser ?? psc.runAsUser;
  if (uid === 0) fail(where, "runs as uid 0");
  if (sc.readOnlyRootFilesystem !== true) fail(where, "readOnlyRootFilesystem is not true");
  if (sc.allowPrivilegeEscalation !== false) fail(where, "allowPrivilegeEscalation is not false");
  const drop = (sc.capabilities && sc.capabilities.drop) || [];
  if (!drop.includes("ALL")) fail(where, "capabilities do not drop ALL");
  if ((sc.capabilities && sc.capabilities.add || []).length) fail(where, "adds capabilities");
  for (const e of c.env || []) {
    if (SECRETISH.test(e.name) && e.value !== undefined) {
      fail(where, `env ${e.name} holds a literal value; use a Secret`);
    }
  }
  if (obj.kind !== "Deployment" || (pod.initContainers || []).includes(c)) return;
  for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    if (!c[p]) fail(where, `no ${p}`);
  }
  const labels = podLabelsOf(obj);
  if (!PROBED_COMPONENTS.includes(labels["app.kubernetes.io/component"])) return;
  const grpcPort = (c.ports || []).find((p) => p.name === "grpc");
  if (!grpcPort) return fail(where, "no port named grpc");
  const expect = { startupProbe: "", readinessProbe: "", livenessProbe: "liveness" };
  for (const [p, service] of Object.entries(expect)) {
    const g = c[p] && c[p].grpc;
    if (!g) { fail(where, `${p} is not a native gRPC probe`); continue; }
    if (g.port !== grpcPort.containerPort) fail(where, `${p} probes port ${g.port}`);
    if ((g.service ?? "") !== service) fail(where, `${p} asks for service "${g.service}"`);
  }
}

// Does a NetworkPolicy's podSelector select pods with these labels?
function selects(selector, labels) {
  const sel = selector || {};
  for (const [k, v] of Object.entries(sel.matchLabels || {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of sel.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

// --- One rendering -----------------------------------------------------------
function checkOverlay(name, objects, rulesOut) {
  const isLocal = name.split(" ")[0] === "local";
  const byKind = (k) => objects.filter((o) => o.kind === k);
  // A container's environment: its ConfigMaps', then its own.
  const envOfWorkload = (c) => Object.assign({},
    ...(c.envFrom || []).filter((e) => e.configMapRef).map((e) =>
      (byKind("ConfigMap").find((m) => m.metadata.name === e.configMapRef.name) || {}).data || {}),
    Object.fromEntries((c.env || []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value])));
  for (const obj of objects) {
    const where = `${name} ${obj.kind}/${obj.metadata.name}`;
    validateSchema(where, obj);
    const labels = obj.metadata.labels || {};
    if (labels["app.kubernetes.io/part-of"] !== "kyodo") {
      fail(where, "no label app.kubernetes.io/part-of=kyodo");
    }
    if (!labels["app.kubernetes.io/name"] && obj.kind !== "Namespace") {
      fail(where, "no label app.kubernetes.io/name");
    }
    const pod = podSpecOf(obj);
    if (pod) {
      const podLabels = podLabelsOf(obj);
      for (const l of ["name", "component", "part-of"]) {
        if (!podLabels[`app.kubernetes.io/${l}`]) fail(where, `its pods have no label app.kubernetes.io/${l}`);
      }
      if (pod.automountServiceAccountToken !== false) fail(where, "mounts a service account token");
      for (const c of [...(pod.initContainers || []), ...pod.containers]) {
        checkContainer(`${where} container ${c.name}`, pod, c, obj, isLocal);
      }
    }
    if (obj.kind === "MariaDB" && obj.spec.image) checkImage(where, obj.spec.image, isLocal);
    if (obj.kind === "ConfigMap") {
      for (const key of Object.keys(obj.data || {})) {
        if (SECRETISH.test(key)) fail(where, `key ${key} looks secret; use a Secret`);
      }
    }
  }

  // Autoscaling and disruption budgets for kyodo's stateless services.
  const deployments = byKind("Deployment").filter((d) =>
    KYODO_COMPONENTS.includes(podLabelsOf(d)["app.kubernetes.io/component"]));
  if (deployments.length !== 4) fail(name, `expected 4 kyodo Deployments, found ${deployments.length}`);
  for (const d of deployments) {
    const n = d.metadata.name;
    const hpa = byKind("HorizontalPodAutoscaler").find((h) =>
      h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === n);
    if (!hpa) {
      fail(name, `no HorizontalPodAutoscaler for ${n}`);
    } else {
      if (d.spec.replicas !== undefined) {
        fail(name, `Deployment ${n} sets spec.replicas, which its HorizontalPodAutoscaler owns (each apply would reset it)`);
      }
      const b = hpa.spec.behavior || {};
      if (!b.scaleUp || !b.scaleDown) fail(name, `HorizontalPodAutoscaler ${n} has no behavior for scaling up and down`);
    }
    const podLabels = podLabelsOf(d);
    if (!byKind("PodDisruptionBudget").some((b) => Object.entries(b.spec.selector.matchLabels || {})
                                               .every(([k, v]) => podLabels[k] === v))) {
      fail(name, `no PodDisruptionBudget for ${n}`);
    }
    const env = d.spec.template.spec.containers[0].envFrom || [];
    const maps = env.map((e) => e.configMapRef && e.configMapRef.name);
    const merged = Object.assign({}, ...byKind("ConfigMap")
      .filter((m) => maps.includes(m.metadata.name)).map((m) => m.data));
    if (merged.KYODO_MIGRATE !== "false") fail(name, `${n} does not run with KYODO_MIGRATE=false`);
    if (!merged.KYODO_LISTEN) fail(name, `${n} has no KYODO_LISTEN`);
  }

  // The notifier: one replica, never two at once.
  const notifiers = byKind("Deployment").filter((d) =>
    podLabelsOf(d)["app.kubernetes.io/component"] === "notifier");
  if (notifiers.length !== 1) fail(name, `expected 1 notifier Deployment, found ${notifiers.length}`);
  for (const d of notifiers) {
    const n = d.metadata.name;
    if (d.spec.replicas !== 1) fail(name, `Deployment ${n} must run exactly one replica (spec.replicas: 1)`);
    if (!d.spec.strategy || d.spec.strategy.type !== "Recreate") {
      fail(name, `Deployment ${n} must be replaced with strategy Recreate (a rolling update runs two at once)`);
    }
    if (byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.name === n)) {
      fail(name, `a HorizontalPodAutoscaler scales ${n}, which must stay one replica`);
    }
    const env = d.spec.template.spec.containers[0].envFrom || [];
    const maps = env.map((e) => e.configMapRef && e.configMapRef.name);
    const merged = Object.assign({}, ...byKind("ConfigMap")
      .filter((m) => maps.includes(m.metadata.name)).map((m) => m.data));
    if (merged.KYODO_MIGRATE !== "false") fail(name, `${n} does not run with KYODO_MIGRATE=false`);
    if (!merged.KYODO_LISTEN) fail(name, `${n} has no KYODO_LISTEN`);
    if (!merged.KYODO_MAIL_FROM) fail(name, `${n} has no KYODO_MAIL_FROM`);
  }

  // Services: the backends headless (client-side balancing over every
  // ready pod); the gateway with its gRPC and HTTP ports.
  for (const [backend] of Object.entries(BACKENDS)) {
    const s = byKind("Service").find((x) => x.metadata.name === backend);
    if (!s) fail(name, `no Service ${backend}`);
    else if (s.spec.clusterIP !== "None") fail(name, `Service ${backend} is not headless (clusterIP: None)`);
  }
  const gatewayService = byKind("Service").find((x) => x.metadata.name === "gateway");
  const gatewayPorts = new Map(((gatewayService || {}).spec || { ports: [] }).ports.map((p) => [p.name, p.port]));
  for (const p of ["grpc", "http", "metrics"]) {
    if (!gatewayPorts.has(p)) fail(name, `Service gateway has no port named ${p}`);
  }

  // The migration Job: one per release, only the database password.
  const jobs = byKind("Job").filter((j) => /^kyodo-migrate(-[a-z0-9-]+)?$/.test(j.metadata.name));
  if (jobs.length !== 1) {
    fail(name, `expected one kyodo-migrate Job, found ${jobs.length}`);
  } else {
    const job = jobs[0];
    const spec = job.spec.template.spec;
    const runs = spec.containers.map((c) => (c.args || []).join(" "));
    for (const s of [...Object.keys(BACKENDS), "notifier"]) {
      if (!runs.includes(`${s} --migrate_only`)) fail(name, `the Job does not run ${s} --migrate_only`);
    }
    // A CA bundle (items ca.crt only) is public material, not a secret.
    const caOnly = (v) => (v.secret.items || []).length > 0 &&
      v.secret.items.every((i) => i.key === "ca.crt");
    const secrets = (spec.volumes || []).filter((v) => v.secret && !caOnly(v)).map((v) => v.secret.secretName);
    for (const s of secrets) {
      if (!/^kyodo-db-migrate(-[a-z0-9]+)?$/.test(s)) fail(name, `the migration Job mounts the Secret ${s}, which migrating does not need`);
    }
    for (const c of spec.containers) {
      for (const e of c.envFrom || []) {
        if (e.secretRef) fail(name, `the migration Job's ${c.name} reads the Secret ${e.secretRef.name}`);
      }
    }
    const { tag, digest } = parseImage(spec.containers[0].image || "");
    if (!isLocal) {
      const want = tag ? `kyodo-migrate-${tag.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` : null;
      if (digest && !tag) {
        if (job.metadata.name === "kyodo-migrate") fail(name, "the migration Job's name carries no version");
      } else if (job.metadata.name !== want) {
        fail(name, `the migration Job is ${job.metadata.name}, but the image ${tag} needs ${want} (one Job per release)`);
      }
    }
    if (!job.spec.ttlSecondsAfterFinished) fail(name, "the migration Job is never cleaned up (ttlSecondsAfterFinished)");
    // Two database accounts: only the Job has the migrating one, and it
    // grants the serving role.
    for (const c of spec.containers) {
      const env = Object.fromEntries((c.env || []).map((e) => [e.name, e.value]));
      if (env.KYODO_DB_USER !== "kyodo_migrate") fail(name, `the Job's ${c.name} does not run as kyodo_migrate`);
      if (env.KYODO_DB_SERVING_ROLE !== "kyodo_serving") fail(name, `the Job's ${c.name} grants no serving role`);
    }
    // Generated Secrets carry a hash suffix.
    const mountsMigrate = (pod) => (pod.volumes || []).some((v) => v.secret &&
      /^kyodo-db-migrate(-[a-z0-9]+)?$/.test(v.secret.secretName));
    if (!mountsMigrate(spec)) fail(name, "the Job has no kyodo-db-migrate");
    for (const d of byKind("Deployment").filter((x) =>
      ["service", "notifier"].includes(x.metadata.labels["app.kubernetes.io/component"]))) {
      if (mountsMigrate(d.spec.template.spec)) {
        fail(name, `${d.metadata.name} mounts the migrating account's password`);
      }
    }
  }

  // TLS to MariaDB: a KYODO_DB_TLS_CA_FILE is mounted in every container
  // that reads it; with a MariaDB that requires TLS, every container that
  // connects to it verifies the server.
  const envOf = envOfWorkload;
  const requiresTls = byKind("MariaDB").some((m) => m.spec.tls && m.spec.tls.required === true);
  for (const m of byKind("MariaDB")) {
    if (!isLocal && !(m.spec.tls && m.spec.tls.enabled === true && m.spec.tls.required === true)) {
      fail(name, `MariaDB ${m.metadata.name} does not require TLS (spec.tls.enabled and spec.tls.required)`);
    }
  }
  for (const obj of objects) {
    const pod = podSpecOf(obj);
    if (!pod || !DATABASE_COMPONENTS.includes(podLabelsOf(obj)["app.kubernetes.io/component"])) continue;
    for (const c of pod.containers) {
      const where = `${obj.kind}/${obj.metadata.name} container ${c.name}`;
      const ca = envOf(c).KYODO_DB_TLS_CA_FILE;
      if (!ca) {
        if (requiresTls) fail(name, `${where} connects to a MariaDB that requires TLS without KYODO_DB_TLS_CA_FILE`);
        continue;
      }
      const mount = (c.volumeMounts || []).find((v) => ca.startsWith(`${v.mountPath.replace(/\/$/, "")}/`));
      const volume = mount && (pod.volumes || []).find((v) => v.name === mount.name);
      if (!volume) fail(name, `${where}: KYODO_DB_TLS_CA_FILE ${ca} is in no mounted volume`);
    }
  }

  // Network policies, ingress: default deny, services reached from the
  // gateway only.
  const policies = byKind("NetworkPolicy");
  const types = (p) => p.spec.policyTypes || [];
  if (!policies.some((p) => Object.keys(p.spec.podSelector || {}).length === 0 &&
                            types(p).includes("Ingress") && !p.spec.ingress)) {
    fail(name, "no default-deny ingress NetworkPolicy");
  }
  const allowed = { "partner-service": ["gateway", "project-service", "proposal-service", "notifier"],
                    "project-service": ["gateway", "proposal-service"],
                    "proposal-service": ["gateway", "project-service", "notifier"] };
  for (const [service, callers] of Object.entries(allowed)) {
    const podLabels = { "app.kubernetes.io/name": service, "app.kubernetes.io/component": "service",
                        "app.kubernetes.io/part-of": "kyodo" };
    const selecting = policies.filter((p) => types(p).includes("Ingress") && selects(p.spec.podSelector, podLabels));
    for (const p of selecting) {
      for (const rule of p.spec.ingress || []) {
        const ports = (rule.ports || []).map((x) => x.port);
        if (ports.length === 1 && ports[0] === 9464) continue;  // metrics
        for (const peer of rule.from || [{}]) {
          const from = peer.podSelector && peer.podSelector.matchLabels &&
                       peer.podSelector.matchLabels["app.kubernetes.io/name"];
          if (peer.namespaceSelector || peer.ipBlock || !callers.includes(from)) {
            fail(name, `NetworkPolicy ${p.metadata.name} lets ${from || "others"} reach ${service}`);
          }
        }
      }
    }
    if (!selecting.some((p) => (p.spec.ingress || []).length)) {
      fail(name, `no NetworkPolicy admits the gateway to ${service}`);
    }
  }

  // Network policies, egress: kyodo's pods denied by default, then DNS,
  // MariaDB for the database users, and the services each one calls.
  const kyodoPods = [...deployments, ...notifiers, ...jobs].map((w) => [w.metadata.name, podLabelsOf(w), w]);
  for (const [n, labels, workload] of kyodoPods) {
    const egress = policies.filter((p) => types(p).includes("Egress") && selects(p.spec.podSelector, labels));
    if (!egress.some((p) => !p.spec.egress)) fail(name, `no default-deny egress NetworkPolicy selects ${n}`);
    const rules = egress.flatMap((p) => p.spec.egress || []);
    const allowsPort = (port, protocol = "TCP") =>
      rules.some((r) => (r.ports || []).some((x) => x.port === port && (x.protocol || "TCP") === protocol));
    if (!allowsPort(53, "UDP")) fail(name, `${n} may not ask the cluster DNS (egress UDP 53)`);
    // A program that gets its credential from an identity provider over
    // HTTPS (the gateway, the notifier) must be let out to it.
    const endpoint = Object.assign({}, ...workload.spec.template.spec.containers.map((c) => envOfWorkload(c)))
      .KYODO_SERVICE_TOKEN_ENDPOINT || "";
    if (endpoint.startsWith("https://") && !allowsPort(443)) {
      fail(name, `${n} gets its credential from ${endpoint} but may not reach port 443`);
    }
    const usesDatabase = DATABASE_COMPONENTS.includes(labels["app.kubernetes.io/component"]);
    if (usesDatabase !== allowsPort(3306)) {
      fail(name, `${n} ${usesDatabase ? "may not reach" : "may reach"} MariaDB (egress 3306)`);
    }
    const CALLS = { "gateway": Object.keys(BACKENDS),
                    "project-service": ["partner-service", "proposal-service"],
                    "proposal-service": ["partner-service", "project-service"],
                    "notifier": ["partner-service", "proposal-service"] };
    const calls = CALLS[n] || [];
    for (const [backend, port] of Object.entries(BACKENDS)) {
      const reaches = rules.some((r) => (r.ports || []).some((x) => x.port === port) &&
        (r.to || []).some((peer) => peer.podSelector && !peer.namespaceSelector &&
          selects(peer.podSelector, { "app.kubernetes.io/name": backend, "app.kubernetes.io/part-of": "kyodo" })));
      if (calls.includes(backend) !== reaches) {
        fail(name, `${n} ${reaches ? "may reach" : "may not reach"} ${backend} (egress ${port})`);
      }
    }
  }
  // A peer in another namespace never carries kyodo's labels: kustomize's
  // commonLabels adds them to every podSelector, also beside a
  // namespaceSelector, where they select nothing.
  for (const p of policies) {
    for (const peer of [...(p.spec.ingress || []).flatMap((r) => r.from || []),
                        ...(p.spec.egress || []).flatMap((r) => r.to || [])]) {
      if (peer.namespaceSelector && peer.podSelector &&
          ((peer.podSelector.matchLabels || {})["app.kubernetes.io/part-of"] === "kyodo")) {
        fail(name, `NetworkPolicy ${p.metadata.name} asks another namespace's pods for app.kubernetes.io/part-of=kyodo`);
      }
    }
  }

  // Entries: outside the local overlay, an Ingress for HTTP and a GRPCRoute
  // for gRPC, both to the gateway.
  if (!isLocal) {
    const httpPort = gatewayPorts.get("http");
    const grpcPort = gatewayPorts.get("grpc");
    const ingressOk = byKind("Ingress").some((i) => (i.spec.rules || []).some((r) =>
      ((r.http || {}).paths || []).some((p) => p.backend.service && p.backend.service.name === "gateway" &&
        (p.backend.service.port.name === "http" || p.backend.service.port.number === httpPort))));
    if (!ingressOk) fail(name, "no Ingress sends HTTP to the gateway's port http");
    const routeOk = byKind("GRPCRoute").some((g) => (g.spec.rules || []).some((r) =>
      (r.backendRefs || []).some((b) => b.name === "gateway" && b.port === grpcPort)));
    if (!routeOk) fail(name, "no GRPCRoute sends gRPC to the gateway's port grpc");
  }

  // Monitoring, when the overlay has it.
  const ruleObjects = byKind("PrometheusRule");
  const groups = ruleObjects.flatMap((r) => r.spec.groups || []);
  for (const g of groups) {
    for (const rule of g.rules || []) {
      const what = rule.alert ? `alert ${rule.alert}` : `rule ${rule.record}`;
      for (const m of kyodoMetricsIn(rule.expr)) {
        if (!exportedMetrics.has(m)) fail(name, `${what} reads ${m}, which no program exports`);
      }
      if (!rule.alert) continue;
      if (!(rule.labels || {}).severity) fail(name, `${what} has no severity`);
      for (const a of ["summary", "description"]) {
        if (!(rule.annotations || {})[a]) fail(name, `${what} has no ${a}`);
      }
    }
  }
  const dashboards = byKind("ConfigMap").filter((m) => (m.metadata.labels || {}).grafana_dashboard === "1");
  const dashboardRules = [];
  for (const m of dashboards) {
    for (const [file, text] of Object.entries(m.data || {})) {
      let dash;
      try { dash = JSON.parse(text); } catch (e) { fail(name, `dashboard ${file} is not JSON: ${e.message}`); continue; }
      const panels = panelsOf(dash);
      if (!panels.length) fail(name, `dashboard ${file} has no panels`);
      for (const p of panels) {
        for (const t of p.targets || []) {
          for (const metric of kyodoMetricsIn(t.expr || "")) {
            if (!exportedMetrics.has(metric)) fail(name, `dashboard panel "${p.title}" reads ${metric}, which no program exports`);
          }
          dashboardRules.push(dashboardRule(p, t));  // for promtool
        }
      }
    }
  }
  if (rulesOut && groups.length) {
    fs.mkdirSync(rulesOut, { recursive: true });
    fs.writeFileSync(path.join(rulesOut, "kyodo.rules.yaml"), yaml.dump({ groups }, { lineWidth: -1 }));
    fs.writeFileSync(path.join(rulesOut, "dashboard.rules.yaml"),
                     yaml.dump({ groups: [{ name: "dashboard", rules: dashboardRules }] }, { lineWidth: -1 }));
  }
  return objects.length;
}

// The objects of a rendering keyed by kind/namespace/name, without the
// generators' hash suffixes and empty annotations, and with a pod's volumes
// in name order (kustomize 5 moves a patched volume to the front; the order
// means nothing).
function normalised(objects) {
  const out = new Map();
  for (const obj of objects) {
    const text = JSON.stringify(obj, (k, v) =>
      k === "volumes" && Array.isArray(v)
        ? [...v].sort((a, b) => String(a.name).localeCompare(String(b.name)))
        : v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(Object.keys(v).sort().map((key) => [key, v[key]])) : v)
      .replace(/"(kyodo-[a-z-]+)-[a-z0-9]{10}"/g, '"$1"');
    const o = JSON.parse(text);
    if (o.metadata.annotations && !Object.keys(o.metadata.annotations).length) {
      delete o.metadata.annotations;
    }
    out.set(`${o.kind}/${o.metadata.namespace || ""}/${o.metadata.name}`, JSON.stringify(o));
  }
  return out;
}

let checked = 0;
let rulesOut = null;
const firstRendering = new Map();
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--rules-out=")) { rulesOut = arg.slice("--rules-out=".length); continue; }
  const eq = arg.indexOf("=");
  const [name, file] = [arg.slice(0, eq), arg.slice(eq + 1)];
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  const before = problems.length;
  const n = checkOverlay(`${name} (${file})`, objects, rulesOut);
  checked++;
  if (firstRendering.has(name)) {
    const [firstFile, first] = firstRendering.get(name);
    const now = normalised(objects);
    for (const key of new Set([...first.keys(), ...now.keys()])) {
      if (first.get(key) !== now.get(key)) {
        fail(name, `${key} differs between ${firstFile} and ${file}`);
      }
    }
  } else {
    firstRendering.set(name, [file, normalised(objects)]);
  }
  console.log(`${name} (${file}): ${n} objects, ${problems.length - before} problems`);
}
for (const p of problems) console.error(`  ${p}`);
if (checked === 0) { console.error("validate.js: no manifests given"); process.exit(2); }
process.exit(problems.length ? 1 : 0);
