#!/usr/bin/env node
// What promtool does not check in deploy/monitoring/wamsgateway.rules.yml:
// - every alert has labels.severity (critical, warning or info) and the annotations summary, description
//   and runbook_url; alert names are unique;
// - every runbook_url is https://github.com/wamsgateway/wamsgateway/blob/main/docs/operations.md#<anchor>
//   and docs/operations.md has a heading with that anchor (GitHub's slug of the heading);
// - every alert has, in deploy/monitoring/tests/*.yml, a test where it fires (exp_alerts not empty) and one
//   where it stays quiet (exp_alerts: []).
//
//   node tests/Monitoring/check-rules.mjs
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const monitoring = join(root, 'deploy', 'monitoring');
const RUNBOOK = 'https://github.com/wamsgateway/wamsgateway/blob/main/docs/operations.md#';

const problems = [];
const problem = (message) => problems.push(message);

// GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces to -, repeats -1, -2, ...
function anchors(markdown) {
  const seen = new Map();
  const result = new Set();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) {
      continue;
    }
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

const rules = YAML.parse(readFileSync(join(monitoring, 'wamsgateway.rules.yml'), 'utf8'));
let docAnchors = new Set();
try {
  docAnchors = anchors(readFileSync(join(root, 'docs', 'operations.md'), 'utf8'));
} catch (e) {
  problem(`docs/operations.md: ${e.message}`);
}

const alerts = [];
for (const group of rules.groups ?? []) {
  for (const rule of group.rules ?? []) {
    if (!rule.alert) {
      continue;
    }
    const where = `alert ${rule.alert}`;
    if (alerts.includes(rule.alert)) {
      problem(`${where}: defined twice`);
    }
    alerts.push(rule.alert);
    if (!['critical', 'warning', 'info'].includes(rule.labels?.severity)) {
      problem(`${where}: labels.severity is ${JSON.stringify(rule.labels?.severity)}, not critical, warning or info`);
    }
    for (const annotation of ['summary', 'description', 'runbook_url']) {
      if (typeof rule.annotations?.[annotation] !== 'string' || rule.annotations[annotation].trim() === '') {
        problem(`${where}: no annotations.${annotation}`);
      }
    }
    const url = rule.annotations?.runbook_url ?? '';
    if (!url.startsWith(RUNBOOK)) {
      problem(`${where}: runbook_url ${url} does not start with ${RUNBOOK}`);
    } else if (!docAnchors.has(url.slice(RUNBOOK.length))) {
      problem(`${where}: docs/operations.md has no heading with the anchor #${url.slice(RUNBOOK.length)}`);
    }
  }
}

const fires = new Set();
const quiet = new Set();
const testDir = join(monitoring, 'tests');
for (const file of readdirSync(testDir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))) {
  const tests = YAML.parse(readFileSync(join(testDir, file), 'utf8'));
  for (const test of tests.tests ?? []) {
    for (const t of test.alert_rule_test ?? []) {
      if (!alerts.includes(t.alertname)) {
        problem(`tests/${file}: "${test.name}" tests ${t.alertname}, which the rules do not define`);
      }
      ((t.exp_alerts ?? []).length > 0 ? fires : quiet).add(t.alertname);
    }
  }
}
for (const alert of alerts) {
  if (!fires.has(alert)) {
    problem(`alert ${alert}: no test where it fires`);
  }
  if (!quiet.has(alert)) {
    problem(`alert ${alert}: no test where it stays quiet (exp_alerts: [])`);
  }
}

if (problems.length > 0) {
  for (const p of problems) {
    console.error(`FAIL ${p}`);
  }
  process.exit(1);
}
console.log(`${alerts.length} alerts: labels, annotations and runbook anchors present; each fires in a test and stays quiet in another`);
