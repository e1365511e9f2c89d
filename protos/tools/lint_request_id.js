// A lint rule buf cannot express: every method that changes something takes
// a `request_id` (README.md, "Mutations take an optional request_id"; a retry
// with the same id returns the first answer). A method is a read, exempt, when
// its name starts with one of READ_PREFIXES; every other method is a mutation.
//   node protos/tools/lint_request_id.js IMAGE.json
// IMAGE.json is a buf image in JSON (`buf build -o image.json`). Prints one
// line per offending method, in the form of buf's --error-format=msvs with the
// rule KYODO_MUTATION_REQUEST_ID, and exits 1 if there is any.
'use strict';
const fs = require('fs');

const READ_PREFIXES = ['Get', 'List', 'Search', 'BatchGet', 'Preview', 'Export', 'Summarize', 'Watch', 'Download'];
const RULE = 'KYODO_MUTATION_REQUEST_ID';

const image = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const files = image.file || [];

// Every message by its fully qualified name, e.g. `.kyodo.partner.v1.Partner`.
const messages = new Map();
function addMessages(list, prefix) {
  for (const m of list || []) {
    const name = `${prefix}.${m.name}`;
    messages.set(name, m);
    addMessages(m.nestedType, name);
  }
}
for (const f of files) addMessages(f.messageType, f.package ? `.${f.package}` : '');

let problems = 0;
for (const f of files) {
  if (f.bufExtension && f.bufExtension.isImport) continue;
  if (!f.name.startsWith('kyodo/')) continue;
  for (const s of f.service || []) {
    for (const m of s.method || []) {
      if (READ_PREFIXES.some((p) => m.name.startsWith(p))) continue;
      const request = messages.get(m.inputType);
      const field = ((request && request.field) || []).find((x) => x.name === 'request_id');
      if (!field || field.type !== 'TYPE_STRING' || field.label === 'LABEL_REPEATED') {
        console.log(`${f.name} : error ${RULE} : ${s.name}.${m.name} changes state ` +
                    `but its request ${m.inputType.slice(1)} has no string field request_id.`);
        problems++;
      }
    }
  }
}
process.exit(problems ? 1 : 0);
