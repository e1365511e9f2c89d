// Turns a rendering of the production overlay into what `podman kube play`
// (podman 4.3, Debian 12's) runs, for the deploy check (deploy/test.sh,
// "The production overlay under podman kube play"):
//
//   node play.js RENDERED.yaml FILES_DIR OUT_DIR
//
// writes OUT_DIR/migrate.yaml (the migration Job's pod, whose name goes to
// OUT_DIR/migrate-pod.txt) and
// OUT_DIR/services.yaml (the ConfigMaps and the five Deployments: the four
// programs and the notifier), and
// prints, one per line, each object it leaves out: the kinds a cluster
// runs and podman does not (Services, autoscalers, disruption budgets,
// network policies, the Ingress and the GRPCRoute, monitoring, the
// mariadb-operator's objects).
//
// What podman 4.3 cannot do, and what this does instead:
// - Jobs: it runs none. The Job's pod template becomes a Pod of the same
//   name, with the Job's restart policy.
// - Secret volumes: it mounts each value base64-encoded, and ConfigMap
//   volumes only from ConfigMaps it was given. Every Secret and ConfigMap
//   volume becomes a hostPath folder OUT_DIR/volumes/POD/VOLUME holding the
//   items the volume names (all keys when it names none), read from
//   FILES_DIR/NAME/KEY (a Secret's or ConfigMap's value, one file per key;
//   deploy/test.sh writes them, as operators create them in a cluster) or
//   from the rendered ConfigMap of that name, with the volume's mode. A
//   key the overlay asks for and FILES_DIR lacks fails here, by name.
// - Environment: podman 4.3 lets a container's envFrom override its env
//   (Kubernetes does the opposite: the migration Job's containers set
//   their database account in env over kyodo-common's). Each container's
//   envFrom ConfigMaps are written out as env entries, its own env after
//   them, which is what Kubernetes gives the program.
// - Ports: podman 4.3 publishes every containerPort on the host's own
//   port of that number (Kubernetes publishes none), so the five pods'
//   metrics ports would collide: the ports lists, which only document what
//   the programs listen on, are left out; the pods reach each other over
//   the network as in a cluster.
// - Probes: podman does not run native gRPC probes; deploy/test.sh asks
//   each pod's health with kyodoctl.
// Everything else (images, arguments, the environment's values, security
// contexts, read-only roots, emptyDirs) is the overlay's own.
"use strict";
const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");

const [renderFile, filesDir, outDir] = process.argv.slice(2);
if (!renderFile || !filesDir || !outDir) {
  console.error("usage: node play.js RENDERED.yaml FILES_DIR OUT_DIR");
  process.exit(2);
}
const objects = yaml.loadAll(fs.readFileSync(renderFile, "utf8")).filter(Boolean);
const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, o]));

// The value of KEY in the Secret or ConfigMap NAME.
function valueOf(kind, name, key) {
  const file = path.join(filesDir, name, key);
  if (fs.existsSync(file)) return fs.readFileSync(file);
  const map = kind === "configMap" && configMaps.get(name);
  if (map && map.data && key in map.data) return Buffer.from(map.data[key]);
  throw new Error(`${kind} ${name} has no key ${key} (expected in ${file})`);
}
function keysOf(kind, name) {
  const dir = path.join(filesDir, name);
  if (fs.existsSync(dir)) return fs.readdirSync(dir);
  const map = kind === "configMap" && configMaps.get(name);
  if (map) return Object.keys(map.data || {});
  throw new Error(`${kind} ${name} does not exist (expected the folder ${dir})`);
}

// Each container's envFrom ConfigMaps as env entries, its own env winning;
// no ports lists.
function containersForPodman(spec) {
  for (const c of [...(spec.initContainers || []), ...spec.containers]) {
    delete c.ports;
    if (!c.envFrom) continue;
    const own = new Set((c.env || []).map((e) => e.name));
    const merged = new Map();
    for (const from of c.envFrom) {
      if (!from.configMapRef) throw new Error(`${c.name}: envFrom other than a ConfigMap`);
      const map = configMaps.get(from.configMapRef.name);
      if (!map) throw new Error(`${c.name}: no ConfigMap ${from.configMapRef.name}`);
      for (const [k, v] of Object.entries(map.data || {})) merged.set(`${from.prefix || ""}${k}`, v);
    }
    c.env = [...[...merged].filter(([k]) => !own.has(k)).map(([name, value]) => ({ name, value })),
             ...(c.env || [])];
    delete c.envFrom;
  }
  return spec;
}

// The pod spec with its Secret and ConfigMap volumes as hostPath folders.
function hostPathVolumes(podName, spec) {
  for (const v of spec.volumes || []) {
    const kind = v.secret ? "secret" : v.configMap ? "configMap" : null;
    if (!kind) continue;
    const source = v[kind];
    const name = kind === "secret" ? source.secretName : source.name;
    const items = source.items || keysOf(kind, name).map((key) => ({ key, path: key }));
    const dir = path.join(outDir, "volumes", podName, v.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    // The container user (10001) reads them; these are the check's own
    // throwaway values.
    fs.chmodSync(dir, 0o755);
    for (const item of items) {
      const file = path.join(dir, item.path);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      fs.writeFileSync(file, valueOf(kind, name, item.key));
      fs.chmodSync(file, 0o444);
    }
    delete v[kind];
    v.hostPath = { path: dir, type: "Directory" };
  }
  return spec;
}

const migrate = [];
const services = [];
for (const o of objects) {
  if (o.kind === "ConfigMap") {
    services.push(o);
  } else if (o.kind === "Deployment") {
    containersForPodman(hostPathVolumes(`${o.metadata.name}-pod-0`, o.spec.template.spec));
    services.push(o);
  } else if (o.kind === "Job") {
    migrate.push(...[...configMaps.values()]);
    fs.writeFileSync(path.join(outDir, "migrate-pod.txt"), o.metadata.name);
    migrate.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: o.metadata.name, labels: o.spec.template.metadata.labels },
      spec: containersForPodman(hostPathVolumes(o.metadata.name, o.spec.template.spec)),
    });
  } else {
    console.log(`${o.kind}/${o.metadata.name}`);
  }
}
if (migrate.length === 0) throw new Error("the rendering has no migration Job");
if (services.filter((o) => o.kind === "Deployment").length !== 5) {
  throw new Error("the rendering does not have the five Deployments");
}
fs.writeFileSync(path.join(outDir, "migrate.yaml"), migrate.map((o) => yaml.dump(o)).join("---\n"));
fs.writeFileSync(path.join(outDir, "services.yaml"), services.map((o) => yaml.dump(o)).join("---\n"));
