#!/usr/bin/env node
// Writes deploy/monitoring/prometheusrule.yaml (a Prometheus Operator PrometheusRule) from
// deploy/monitoring/wamsgateway.rules.yml: spec.groups is the rule file's groups, node for node
// (comments and block styles kept), so the two cannot drift apart.
//
//   node tests/Monitoring/generate-prometheusrule.mjs           write the file
//   node tests/Monitoring/generate-prometheusrule.mjs --check   exit 1 if the file on disk is not what it would write
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const rulesPath = join(root, 'deploy', 'monitoring', 'wamsgateway.rules.yml');
const outputPath = join(root, 'deploy', 'monitoring', 'prometheusrule.yaml');

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`usage: generate-prometheusrule.mjs [--check]   (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}
const check = args.includes('--check');

const HEADER = [
  ' GENERATED from wamsgateway.rules.yml by tests/Monitoring/generate-prometheusrule.mjs: do not edit.',
  ' Change wamsgateway.rules.yml (and its tests in tests/), then regenerate from the repository root:',
  '   node tests/Monitoring/generate-prometheusrule.mjs',
  ' tests/Monitoring/run.sh fails while this file differs from what the generator writes.',
].join('\n');

const LABEL_COMMENT = [
  ' The Prometheus Operator loads PrometheusRules whose labels match its Prometheus\'s ruleSelector',
  ' (kube-prometheus-stack: release: <its Helm release name>). Change this to what yours selects.',
].join('\n');

function fail(message) {
  console.error(message);
  process.exit(1);
}

function generate() {
  const source = YAML.parseDocument(readFileSync(rulesPath, 'utf8'));
  if (source.errors.length > 0) {
    fail(`${relative(root, rulesPath)}: ${source.errors.map((e) => e.message).join('; ')}`);
  }
  const groups = source.get('groups', true);
  if (!YAML.isSeq(groups) || groups.items.length === 0) {
    fail(`${relative(root, rulesPath)}: no groups`);
  }

  const doc = new YAML.Document({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'wamsgateway',
      labels: { 'app.kubernetes.io/name': 'wamsgateway', release: 'prometheus' },
    },
    spec: { groups: null },
  });
  doc.commentBefore = HEADER;
  const release = doc.getIn(['metadata', 'labels'], true).items.find((pair) => pair.key.value === 'release');
  release.key.commentBefore = LABEL_COMMENT;
  // The rule file's own node: its comments and |- / >- scalars come along.
  doc.setIn(['spec', 'groups'], groups);

  const text = doc.toString({ lineWidth: 0 });

  // What was written must mean exactly the rule file's groups.
  const written = YAML.parse(text);
  if (!isDeepStrictEqual(written.spec.groups, YAML.parse(readFileSync(rulesPath, 'utf8')).groups)) {
    fail('internal error: the generated spec.groups differ from the rule file\'s groups');
  }
  return text;
}

const text = generate();
const shown = relative(root, outputPath);
if (check) {
  const current = existsSync(outputPath) ? readFileSync(outputPath, 'utf8') : null;
  if (current !== text) {
    fail(`${shown} is ${current === null ? 'missing' : 'out of date'}: run node tests/Monitoring/generate-prometheusrule.mjs`);
  }
  console.log(`${shown} matches ${relative(root, rulesPath)}`);
} else {
  writeFileSync(outputPath, text);
  console.log(`wrote ${shown}`);
}
