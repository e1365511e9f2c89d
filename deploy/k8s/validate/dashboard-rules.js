// A Grafana dashboard's queries as Prometheus recording rules, so promtool
// can check them (`promtool check rules`). Used by validate.js (--rules-out)
// and, as a command, by tests/deploy/monitoring_rules_test.sh:
//
//   node dashboard-rules.js DASHBOARD.json > dashboard.rules.yaml
//
// (JSON is YAML: promtool reads what it prints.)
"use strict";
const fs = require("fs");

// The panels of a dashboard, rows' nested panels included.
function panelsOf(dash) {
  return (dash.panels || []).flatMap((p) => [p, ...(p.panels || [])]);
}

// One query of a panel as a recording rule: Grafana's variables replaced by
// plain values.
function dashboardRule(panel, target) {
  return {
    record: `dashboard:panel_${panel.id}_${target.refId}`.toLowerCase(),
    expr: target.expr.replace(/\$__rate_interval|\$__interval/g, "5m").replace(/\$namespace/g, "kyodo"),
  };
}

module.exports = { panelsOf, dashboardRule };

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node dashboard-rules.js DASHBOARD.json");
    process.exit(2);
  }
  const dash = JSON.parse(fs.readFileSync(file, "utf8"));
  const rules = panelsOf(dash).flatMap((p) => (p.targets || []).map((t) => dashboardRule(p, t)));
  if (!rules.length) {
    console.error(`${file}: no panel has a query`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ groups: [{ name: "dashboard", rules }] }, null, 2) + "\n");
}
