// What `kustomize edit set image NAME=NEWNAME[:TAG|@DIGEST]` does to a
// kustomization.yaml, for machines without the kustomize program (Debian
// packages none; kubectl has `kustomize` but no `edit`). deploy/test.sh
// uses kustomize itself when it is on PATH, and this otherwise, on a copy of
// an overlay, then renders it and checks the image every pod runs.
//
//   node set-image.js OVERLAY_DIR NAME=NEWNAME[:TAG|@DIGEST]
//
// Like kustomize: the `images:` entry with that name is replaced (added
// when there is none) by {name, newName, newTag} or {name, newName,
// digest}. Comments in the file are not kept (run it on a copy).
"use strict";
const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");

const [dir, spec] = process.argv.slice(2);
const eq = spec ? spec.indexOf("=") : -1;
if (!dir || eq <= 0) {
  console.error("usage: node set-image.js OVERLAY_DIR NAME=NEWNAME[:TAG|@DIGEST]");
  process.exit(2);
}
const name = spec.slice(0, eq);
const ref = spec.slice(eq + 1);
const entry = { name };
const at = ref.indexOf("@");
if (at >= 0) {
  entry.newName = ref.slice(0, at);
  entry.digest = ref.slice(at + 1);
} else {
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon > slash) {
    entry.newName = ref.slice(0, colon);
    entry.newTag = ref.slice(colon + 1);
  } else {
    entry.newName = ref;
  }
}
const file = path.join(dir, "kustomization.yaml");
const k = yaml.load(fs.readFileSync(file, "utf8"));
k.images = (k.images || []).filter((i) => i.name !== name);
k.images.push(entry);
fs.writeFileSync(file, yaml.dump(k, { lineWidth: -1 }));
