#!/usr/bin/env node
// Checks deploy/monitoring/wamsgateway-dashboard.json (a Grafana dashboard model) and lists the metric
// names the dashboard and deploy/monitoring/wamsgateway.rules.yml query.
//
//   node tests/Monitoring/check-dashboard.mjs [--names-out FILE] [--dashboard FILE] [--rules FILE]
//
// The dashboard: parses; schemaVersion >= 36; a uid; the variables datasource (a Prometheus data source),
// instance and api (multi-value, with All); at least 10 panels besides rows; every panel queries
// ${datasource} and has a target; modern panel types only; unique panel ids. Every target's expression,
// with Grafana's variables replaced by sample values, and every rule's expression parse as PromQL
// (@prometheus-io/lezer-promql) without an error node.
//
// --names-out FILE: the metric names both query, one per line, sorted, unique, as Prometheus stores them
// (a histogram as <name>_bucket / _count / _sum, whichever is queried; `up` included). Taken from the parse
// tree's vector selectors (and __name__ matchers), so function, label and variable names never appear.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const options = {
  dashboard: join(root, 'deploy', 'monitoring', 'wamsgateway-dashboard.json'),
  rules: join(root, 'deploy', 'monitoring', 'wamsgateway.rules.yml'),
  namesOut: null,
};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const value = args[i + 1];
  const key = { '--dashboard': 'dashboard', '--rules': 'rules', '--names-out': 'namesOut' }[flag];
  if (!key || value === undefined) {
    console.error('usage: check-dashboard.mjs [--names-out FILE] [--dashboard FILE] [--rules FILE]');
    process.exit(2);
  }
  options[key] = resolve(value);
  i++;
}

const problems = [];
const problem = (message) => problems.push(message);

// Sample values for Grafana's variables: the dashboard's own, and the built-in ones its queries may use.
// A variable not listed here is a problem (a typo, or a variable the dashboard does not define).
const VARIABLES = {
  datasource: 'prometheus',
  instance: '10.0.0.1:9090',
  api: 'orders',
  __rate_interval: '1m',
  __interval: '30s',
  __interval_ms: '30000',
  __range: '6h',
  __range_s: '21600',
  __range_ms: '21600000',
};

function substitute(expr, where) {
  // ${name}, ${name:format}, $name, [[name]]
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]/g, (match, braced, bare, bracketed) => {
    const name = braced ?? bare ?? bracketed;
    if (!(name in VARIABLES)) {
      problem(`${where}: unknown variable ${match}`);
      return match;
    }
    return VARIABLES[name];
  });
}

// Parses expr as PromQL; reports error nodes; adds the metric names it selects to names.
function checkPromQL(expr, where, names) {
  if (typeof expr !== 'string' || expr.trim() === '') {
    problem(`${where}: empty expression`);
    return;
  }
  const tree = parser.parse(expr);
  const errors = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(node.from);
        return;
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) {
          names.add(expr.slice(identifier.from, identifier.to));
        }
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        // {__name__="metric"}
        const label = node.node.getChild('LabelName') ?? node.node.getChild('QuotedLabelName');
        const op = node.node.getChild('MatchOp');
        const value = node.node.getChild('StringLiteral');
        if (label && op && value && expr.slice(label.from, label.to).replace(/"/g, '') === '__name__' && expr.slice(op.from, op.to) === '=') {
          names.add(JSON.parse(expr.slice(value.from, value.to).replace(/^'|'$/g, '"')));
        }
      }
    },
  });
  if (errors.length > 0) {
    const at = errors[0];
    problem(`${where}: not valid PromQL at offset ${at}: …${expr.slice(Math.max(0, at - 30), at)}⟨here⟩${expr.slice(at, at + 30)}…`);
  }
}

// ---------------------------------------------------------------------------------------------- dashboard
const dashboardNames = new Set();
let dashboard;
try {
  dashboard = JSON.parse(readFileSync(options.dashboard, 'utf8'));
} catch (e) {
  console.error(`FAIL ${relative(root, options.dashboard)}: ${e.message}`);
  process.exit(1);
}

if (!(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36)) {
  problem(`schemaVersion is ${dashboard.schemaVersion}, not an integer >= 36`);
}
if (typeof dashboard.uid !== 'string' || dashboard.uid === '') {
  problem('no uid');
}
if (typeof dashboard.title !== 'string' || dashboard.title === '') {
  problem('no title');
}

const variables = new Map((dashboard.templating?.list ?? []).map((v) => [v.name, v]));
const datasourceVariable = variables.get('datasource');
if (!datasourceVariable) {
  problem('no variable "datasource"');
} else if (datasourceVariable.type !== 'datasource' || datasourceVariable.query !== 'prometheus') {
  problem('variable "datasource" is not of type datasource with query prometheus');
}
for (const [name, metric] of [['instance', 'wamsgateway_build_info'], ['api', 'wamsgateway_delegation_requests_total']]) {
  const variable = variables.get(name);
  if (!variable) {
    problem(`no variable "${name}"`);
    continue;
  }
  const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
  if (variable.type !== 'query' || typeof query !== 'string' || !query.startsWith(`label_values(${metric}`) || !query.endsWith(`, ${name})`)) {
    problem(`variable "${name}" is not label_values(${metric}…, ${name}): ${JSON.stringify(query)}`);
  } else {
    // label_values(<selector>, label): the selector is PromQL.
    checkPromQL(substitute(query.slice('label_values('.length, query.lastIndexOf(',')), `variable ${name}`), `variable ${name}`, dashboardNames);
  }
  if (variable.multi !== true || variable.includeAll !== true) {
    problem(`variable "${name}" is not multi-value with All`);
  }
  if (datasourceUid(variable.datasource) !== '${datasource}') {
    problem(`variable "${name}" does not query \${datasource}`);
  }
}

function datasourceUid(datasource) {
  return typeof datasource === 'string' ? datasource : datasource?.uid;
}

const MODERN = new Set(['timeseries', 'stat', 'table', 'gauge', 'bargauge', 'barchart', 'state-timeline', 'status-history', 'heatmap', 'piechart', 'text', 'logs']);
const panels = [];
for (const panel of dashboard.panels ?? []) {
  panels.push(panel);
  // A collapsed row holds its panels.
  for (const inner of panel.panels ?? []) {
    panels.push(inner);
  }
}
const ids = new Set();
let queryCount = 0;
for (const panel of panels) {
  const where = `panel ${panel.id} "${panel.title}"`;
  if (ids.has(panel.id)) {
    problem(`${where}: id ${panel.id} is used twice`);
  }
  ids.add(panel.id);
  if (panel.type === 'row') {
    continue;
  }
  if (!MODERN.has(panel.type)) {
    problem(`${where}: panel type ${panel.type} (use timeseries, stat, table, ...)`);
  }
  if (!panel.gridPos) {
    problem(`${where}: no gridPos`);
  }
  if (datasourceUid(panel.datasource) !== '${datasource}') {
    problem(`${where}: datasource is ${JSON.stringify(panel.datasource)}, not \${datasource}`);
  }
  const targets = panel.targets ?? [];
  if (panel.type !== 'text' && targets.length === 0) {
    problem(`${where}: no target`);
  }
  for (const target of targets) {
    const at = `${where} target ${target.refId}`;
    if (target.datasource !== undefined && datasourceUid(target.datasource) !== '${datasource}') {
      problem(`${at}: datasource is ${JSON.stringify(target.datasource)}, not \${datasource}`);
    }
    checkPromQL(substitute(target.expr ?? '', at), at, dashboardNames);
    queryCount++;
  }
}
const panelCount = panels.filter((p) => p.type !== 'row').length;
if (panelCount < 10) {
  problem(`${panelCount} panels besides rows; at least 10 expected`);
}

// ---------------------------------------------------------------------------------------------- rules
const ruleNames = new Set();
let ruleCount = 0;
try {
  const rules = YAML.parse(readFileSync(options.rules, 'utf8'));
  for (const group of rules.groups ?? []) {
    for (const rule of group.rules ?? []) {
      checkPromQL(String(rule.expr ?? ''), `rule ${rule.alert ?? rule.record}`, ruleNames);
      ruleCount++;
    }
  }
} catch (e) {
  problem(`${relative(root, options.rules)}: ${e.message}`);
}

const names = [...new Set([...dashboardNames, ...ruleNames])].sort();
if (options.namesOut) {
  writeFileSync(options.namesOut, names.join('\n') + '\n');
}

if (problems.length > 0) {
  for (const p of problems) {
    console.error(`FAIL ${p}`);
  }
  process.exit(1);
}
console.log(`dashboard "${dashboard.title}" (uid ${dashboard.uid}): ${panelCount} panels, ${queryCount} queries; ` +
  `${ruleCount} rules; ${names.length} metric names${options.namesOut ? ` written to ${options.namesOut}` : ''}`);
