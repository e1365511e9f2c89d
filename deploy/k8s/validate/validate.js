// Validates rendered Kubernetes manifests offline and checks kyodo's rules.
//
//   node validate.js NAME=FILE.yaml ...      (deploy/test.sh renders each
//                                             overlay with kubectl kustomize)
//
// A NAME given twice (the same overlay rendered by two kustomize versions,
// e.g. Debian's kubectl 1.20 and a current one) must render the same
// objects, apart from the generated names' hash suffixes.
//
// 1. Schema: every object against the Kubernetes OpenAPI schemas of
//    kubernetes-models (types, enums, required fields).
// 2. Rules: every container has requests and limits, runs as non-root with
//    a read-only root file system, no privilege escalation and all
//    capabilities dropped; every Deployment's containers have startup,
//    readiness and liveness probes, kyodo's own native gRPC ones ("" for
//    startup and readiness, "liveness" for liveness) on their gRPC port;
//    the stateless services have a HorizontalPodAutoscaler and a
//    PodDisruptionBudget; the migration Job runs --migrate_only as the
//    migrating database account (kyodo_migrate, Secret kyodo-db-migrate,
//    granting the role kyodo_serving), no service mounts that Secret, and
//    the services run with KYODO_MIGRATE=false; secrets come only from Secret
//    references (no secret-looking key in a ConfigMap or a literal env);
//    ingress is denied by default and the services admit only the gateway
//    (and partner-service project-service too).
// Exits 1 and lists every problem when anything fails.
"use strict";
const fs = require("fs");
const yaml = require("js-yaml");

const problems = [];
const fail = (where, what) => problems.push(`${where}: ${what}`);

function modelOf(obj) {
  const [group, version] = obj.apiVersion.includes("/")
    ? obj.apiVersion.split("/")
    : [null, obj.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${obj.kind}`
                     : `kubernetes-models/${version}/${obj.kind}`;
  try {
    return require(path)[obj.kind];
  } catch (e) {
    return null;
  }
}

function validateSchema(where, obj) {
  const Model = modelOf(obj);
  if (!Model) return fail(where, `no schema for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(obj).validate();
  } catch (e) {
    fail(where, `schema: ${e.message}`);
  }
}

const podSpecOf = (obj) =>
  ["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(obj.kind)
    ? obj.spec.template.spec
    : obj.kind === "Pod" ? obj.spec : null;

const SECRETISH = /(PASSWORD|SECRET|TOKEN|KEY)$/i;
const KYODO_COMPONENTS = ["service", "gateway"];

function checkContainer(where, pod, c, obj) {
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
  if (obj.kind !== "Deployment") return;
  for (const p of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    if (!c[p]) fail(where, `no ${p}`);
  }
  const labels = obj.spec.template.metadata.labels || {};
  if (!KYODO_COMPONENTS.includes(labels["app.kubernetes.io/component"])) return;
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

function checkOverlay(name, objects) {
  const byKind = (k) => objects.filter((o) => o.kind === k);
  for (const obj of objects) {
    const where = `${name} ${obj.kind}/${obj.metadata.name}`;
    validateSchema(where, obj);
    const pod = podSpecOf(obj);
    if (pod) {
      if (pod.automountServiceAccountToken !== false) fail(where, "mounts a service account token");
      for (const c of [...(pod.initContainers || []), ...pod.containers]) {
        checkContainer(`${where} container ${c.name}`, pod, c, obj);
      }
    }
    if (obj.kind === "ConfigMap") {
      for (const key of Object.keys(obj.data || {})) {
        if (SECRETISH.test(key)) fail(where, `key ${key} looks secret; use a Secret`);
      }
    }
  }
  // Autoscaling and disruption budgets for kyodo's stateless services.
  const deployments = byKind("Deployment").filter((d) =>
    KYODO_COMPONENTS.includes(d.spec.template.metadata.labels["app.kubernetes.io/component"]));
  if (deployments.length !== 4) fail(name, `expected 4 kyodo Deployments, found ${deployments.length}`);
  for (const d of deployments) {
    const n = d.metadata.name;
    if (!byKind("HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.kind === "Deployment" &&
                                                   h.spec.scaleTargetRef.name === n)) {
      fail(name, `no HorizontalPodAutoscaler for ${n}`);
    }
    const podLabels = d.spec.template.metadata.labels;
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
  // The migration Job.
  const job = byKind("Job").find((j) => j.metadata.name === "kyodo-migrate");
  if (!job) {
    fail(name, "no kyodo-migrate Job");
  } else {
    const runs = job.spec.template.spec.containers.map((c) => (c.args || []).join(" "));
    for (const s of ["partner-service", "project-service", "proposal-service"]) {
      if (!runs.includes(`${s} --migrate_only`)) fail(name, `the Job does not run ${s} --migrate_only`);
    }
    // Two database accounts: only the Job has the migrating one, and it
    // grants the serving role.
    for (const c of job.spec.template.spec.containers) {
      const env = Object.fromEntries((c.env || []).map((e) => [e.name, e.value]));
      if (env.KYODO_DB_USER !== "kyodo_migrate") fail(name, `the Job's ${c.name} does not run as kyodo_migrate`);
      if (env.KYODO_DB_SERVING_ROLE !== "kyodo_serving") fail(name, `the Job's ${c.name} grants no serving role`);
    }
    // Generated Secrets carry a hash suffix.
    const mountsMigrate = (pod) => (pod.volumes || []).some((v) => v.secret &&
      /^kyodo-db-migrate(-[a-z0-9]+)?$/.test(v.secret.secretName));
    if (!mountsMigrate(job.spec.template.spec)) fail(name, "the Job has no kyodo-db-migrate");
    for (const d of byKind("Deployment").filter((x) => x.metadata.labels["app.kubernetes.io/component"] === "service")) {
      if (mountsMigrate(d.spec.template.spec)) {
        fail(name, `${d.metadata.name} mounts the migrating account's password`);
      }
    }
  }
  // Network policies: default deny, services reached from the gateway only.
  const policies = byKind("NetworkPolicy");
  if (!policies.some((p) => Object.keys(p.spec.podSelector || {}).length === 0 &&
                            (p.spec.policyTypes || []).includes("Ingress") && !p.spec.ingress)) {
    fail(name, "no default-deny ingress NetworkPolicy");
  }
  const allowed = { "partner-service": ["gateway", "project-service"],
                    "project-service": ["gateway"], "proposal-service": ["gateway"] };
  for (const [service, callers] of Object.entries(allowed)) {
    const selecting = policies.filter((p) => {
      const sel = p.spec.podSelector || {};
      const ml = sel.matchLabels || {};
      const me = (sel.matchExpressions || []).find((e) => e.key === "app.kubernetes.io/component");
      return ml["app.kubernetes.io/name"] === service ||
             (me && me.operator === "In" && me.values.includes("service"));
    });
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
  return objects.length;
}

// The objects of a rendering keyed by kind/namespace/name, without the
// generators' hash suffixes and empty annotations.
function normalised(objects) {
  const out = new Map();
  for (const obj of objects) {
    const text = JSON.stringify(obj, (k, v) =>
      v && typeof v === "object" && !Array.isArray(v)
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
const firstRendering = new Map();
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf("=");
  const [name, file] = [arg.slice(0, eq), arg.slice(eq + 1)];
  const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
  const before = problems.length;
  const n = checkOverlay(`${name} (${file})`, objects);
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
