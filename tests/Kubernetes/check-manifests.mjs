// Checks a rendered kustomization (kubectl kustomize output, multi-document YAML) offline: every
// object against its Kubernetes or Prometheus Operator schema, then the properties the fleet relies on.
//
//   node check-manifests.mjs [--overlay] [--label NAME] [--sources DIR]... RENDERED.yaml
//
// --sources DIR also reads the YAML files under DIR (the kustomization's sources) for `latest`
// tags: an image: ...:latest there is rewritten by the images: transformer and never reaches the
// rendered output, but still misleads a reader (and surfaces as soon as the mapping goes).
// --overlay adds the monitoring checks (PodMonitor, PrometheusRule, Grafana dashboard), comparing
// with deploy/monitoring/wamsgateway.rules.yml and deploy/monitoring/wamsgateway-dashboard.json.
// Prints one line per check (ok ... / FAIL ...); exits 1 on any failure. check-manifests.sh runs it.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import * as coreV1 from "kubernetes-models/v1";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as batchV1 from "kubernetes-models/batch/v1";
import * as networkingV1 from "kubernetes-models/networking.k8s.io/v1";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as monitoringV1 from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

// The apiVersions a manifest here may use; anything else (a typo, a removed version such as
// autoscaling/v2beta2, an unknown CRD) fails.
const MODELS = {
  v1: coreV1,
  "apps/v1": appsV1,
  "autoscaling/v2": autoscalingV2,
  "batch/v1": batchV1,
  "networking.k8s.io/v1": networkingV1,
  "policy/v1": policyV1,
  "rbac.authorization.k8s.io/v1": rbacV1,
  "monitoring.coreos.com/v1": monitoringV1,
};

const GATEWAY_DEPLOYMENT = "wamsgateway";
const GATEWAY_CONTAINER = "gateway";
const REDIS_WORKLOAD = "redis";
const REDIS_CONTAINER = "redis";
const REDIS_PORT = 6379;
// Gateway:Shutdown defaults (src: DrainDelay 00:00:05, Timeout 00:00:25).
const DEFAULT_DRAIN_DELAY_S = 5;
const DEFAULT_SHUTDOWN_TIMEOUT_S = 25;

const monitoringDir = fileURLToPath(new URL("../../deploy/monitoring/", import.meta.url));
const RULES_FILE = `${monitoringDir}wamsgateway.rules.yml`;
const DASHBOARD_FILE = `${monitoringDir}wamsgateway-dashboard.json`;

// ---- command line -------------------------------------------------------------------------------

const argv = process.argv.slice(2);
let overlay = false;
let label = null;
let file = null;
const sources = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--overlay") overlay = true;
  else if (argv[i] === "--label") label = argv[++i];
  else if (argv[i] === "--sources") sources.push(argv[++i]);
  else if (!file) file = argv[i];
  else usage();
}
if (!file) usage();
label ??= file;

function usage() {
  console.error("usage: node check-manifests.mjs [--overlay] [--label NAME] [--sources DIR]... RENDERED.yaml");
  process.exit(2);
}

// ---- reporting ----------------------------------------------------------------------------------

let failures = 0;
function ok(what) {
  console.log(`ok   ${label}: ${what}`);
}
function fail(what, why) {
  failures++;
  console.log(`FAIL ${label}: ${what}${why ? `: ${why}` : ""}`);
}
/** One check: problems is an array of strings (empty: passed). */
function check(what, problems) {
  if (problems.length === 0) ok(what);
  else fail(what, problems.join("; "));
}

// ---- helpers ------------------------------------------------------------------------------------

const id = (o) => `${o?.kind}/${o?.metadata?.name}`;

/** Whether a LabelSelector selects a set of labels. An empty selector selects everything. */
function selects(selector, labels) {
  if (!selector) return false;
  labels ??= {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case "In": if (!has || !values.includes(labels[e.key])) return false; break;
      case "NotIn": if (has && values.includes(labels[e.key])) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

const isEmptySelector = (s) =>
  s != null && Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;

/** A .NET TimeSpan as configuration writes it ([d.]hh:mm:ss[.fffffff]), in seconds; NaN if not one. */
function timeSpanSeconds(text) {
  const m = /^\s*(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)\s*$/.exec(String(text));
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** JSON with // and /* comments and trailing commas, as .NET's JSON configuration reads it. */
function parseJsonc(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
      out += " ";
    } else if (c === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] !== "}" && text[j] !== "]") out += c;
    } else out += c;
  }
  return JSON.parse(out);
}

/** A configuration key, case-insensitively (as .NET configuration matches keys). */
function configSection(obj, ...path) {
  let cur = obj;
  for (const key of path) {
    if (cur == null || typeof cur !== "object") return undefined;
    const found = Object.keys(cur).find((k) => k.toLowerCase() === key.toLowerCase());
    cur = found === undefined ? undefined : cur[found];
  }
  return cur;
}

/** Why an image reference is not pinned, or null: explicit registry, a full version tag (x.y.z), or a digest. */
function imageProblem(image) {
  if (!image) return "no image";
  const [ref, digest] = image.split("@");
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  const tag = colon > slash ? ref.slice(colon + 1) : undefined;
  const name = colon > slash ? ref.slice(0, colon) : ref;
  const first = name.split("/")[0];
  const problems = [];
  if (!name.includes("/") || !(first.includes(".") || first.includes(":") || first === "localhost"))
    problems.push("no registry (write it out, e.g. docker.io/library/...)");
  if (digest !== undefined) {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) problems.push(`malformed digest ${digest}`);
  } else if (tag === undefined) problems.push("no tag");
  else if (tag === "latest") problems.push("tag latest");
  else if (!/\d+\.\d+\.\d+/.test(tag)) problems.push(`tag ${tag} floats (pin a full x.y.z version or a digest)`);
  if (tag === "latest" && digest !== undefined) problems.push("tag latest");
  return problems.length ? problems.join(", ") : null;
}

/** The pod template (and its owner's kind) of a workload object, or undefined. */
function podTemplate(o) {
  switch (o.kind) {
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return o.spec?.template;
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template;
    case "Pod":
      return { metadata: o.metadata, spec: o.spec };
    default:
      return undefined;
  }
}

const allContainers = (spec) => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];

/** Whether a NetworkPolicy port entry (or a rule without ports) covers a container port. */
function portCovers(rulePorts, portName, portNumber) {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if (p.port === undefined) return true;
    if (p.port === portName) return true;
    if (typeof p.port === "number") {
      const end = p.endPort ?? p.port;
      return portNumber >= p.port && portNumber <= end;
    }
    return false;
  });
}

/** Whether a NetworkPolicy peer admits everything (any address, or every pod in every namespace). */
function peerIsAnywhere(peer) {
  if (peer.ipBlock) return ["0.0.0.0/0", "::/0"].includes(peer.ipBlock.cidr);
  if (peer.namespaceSelector && isEmptySelector(peer.namespaceSelector))
    return !peer.podSelector || isEmptySelector(peer.podSelector);
  return false;
}

// ---- sources: no `latest` ------------------------------------------------------------------------

function* yamlFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") yield* yamlFiles(path);
    } else if (/\.ya?ml$/.test(entry.name)) yield path;
  }
}

/** Every image: ending in :latest and every newTag: latest, anywhere in a parsed document. */
function* latestTags(node, where) {
  if (Array.isArray(node)) for (const [i, x] of node.entries()) yield* latestTags(x, `${where}[${i}]`);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "image" && typeof v === "string" && /:latest(@|$)/.test(v)) yield `${where}.${k}: ${v}`;
      else if (k === "newTag" && v === "latest") yield `${where}.${k}: latest`;
      else yield* latestTags(v, `${where}.${k}`);
    }
  }
}

for (const dir of sources) {
  const problems = [];
  for (const path of yamlFiles(dir)) {
    for (const doc of YAML.parseAllDocuments(readFileSync(path, "utf8"))) {
      if (doc.errors.length) problems.push(`${relative(dir, path)}: ${doc.errors[0].message}`);
      else for (const hit of latestTags(doc.toJS(), "")) problems.push(`${relative(dir, path)}: ${hit.slice(1)}`);
    }
  }
  check(`no latest tag in the sources under ${dir}`, problems);
}

// ---- parse --------------------------------------------------------------------------------------

let objects = [];
{
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  check("the rendered output parses as YAML", errors);
  objects = docs.map((d) => d.toJS()).filter((o) => o != null);
  check(`${objects.length} objects rendered`, objects.length ? [] : ["nothing rendered"]);
}

// ---- schemas ------------------------------------------------------------------------------------

for (const o of objects) {
  const what = `${id(o)} (${o.apiVersion}) matches its schema`;
  const models = MODELS[o.apiVersion];
  const Model = models?.[o.kind];
  if (typeof Model !== "function" || typeof Model.prototype?.validate !== "function") {
    fail(what, `unknown apiVersion/kind ${o.apiVersion} ${o.kind}`);
    continue;
  }
  try {
    new Model(o).validate();
    ok(what);
  } catch (e) {
    fail(what, String(e.message ?? e).replace(/\s+/g, " "));
  }
}

const ofKind = (kind) => objects.filter((o) => o.kind === kind);
const workloads = objects.filter((o) => podTemplate(o));

// ---- the gateway Deployment ---------------------------------------------------------------------

const gateway = ofKind("Deployment").find((o) => o.metadata?.name === GATEWAY_DEPLOYMENT);
check(`Deployment/${GATEWAY_DEPLOYMENT} is rendered`, gateway ? [] : ["missing"]);
const gatewayPod = gateway?.spec?.template ?? {};
const gatewayLabels = gatewayPod.metadata?.labels ?? {};
const gatewaySpec = gatewayPod.spec ?? {};
const gatewayContainer = (gatewaySpec.containers ?? []).find((c) => c.name === GATEWAY_CONTAINER);
if (gateway) check(`Deployment/${GATEWAY_DEPLOYMENT} has container ${GATEWAY_CONTAINER}`, gatewayContainer ? [] : ["missing"]);
const gwc = gatewayContainer ?? {};
const namedPort = (c, name) => (c.ports ?? []).find((p) => p.name === name)?.containerPort;
const httpPort = namedPort(gwc, "http");
const managementPort = namedPort(gwc, "management");
check("gateway container ports: http and management", [
  ...(httpPort === undefined ? ["no port named http"] : []),
  ...(managementPort === undefined ? ["no port named management"] : []),
]);
check("Deployment selector selects its pod template",
  gateway && selects(gateway.spec?.selector, gatewayLabels) ? [] : ["selector does not match the template's labels"]);

const otherPodLabels = workloads
  .filter((o) => o !== gateway)
  .map((o) => ({ id: id(o), labels: podTemplate(o).metadata?.labels ?? {} }));

// Probes: health is served on the management port only.
for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
  const p = gwc[probe];
  const problems = [];
  if (!p) problems.push("missing");
  else if (!p.httpGet) problems.push("not an httpGet probe");
  else {
    if (p.httpGet.port !== "management" && p.httpGet.port !== managementPort)
      problems.push(`port ${p.httpGet.port}, not management (only it answers /healthz/*)`);
    if (!String(p.httpGet.path ?? "").startsWith("/healthz/")) problems.push(`path ${p.httpGet.path}`);
  }
  check(`gateway ${probe} (httpGet /healthz/* on port management)`, problems);
}
{
  const s = gwc.startupProbe;
  const budget = s ? (s.failureThreshold ?? 3) * (s.periodSeconds ?? 10) + (s.initialDelaySeconds ?? 0) : 0;
  check(`gateway startupProbe allows ${budget} s to start (>= 30)`, budget >= 30 ? [] : ["too short to fetch the authority's keys"]);
}

// Terminating: the kubelet's grace period must cover the drain delay and the shutdown timeout.
{
  const env = gwc.env ?? [];
  const fromEnv = (key) => env.find((e) => e.name.toLowerCase() === key.toLowerCase());
  let configJson;
  for (const cm of ofKind("ConfigMap")) {
    for (const volume of gatewaySpec.volumes ?? []) {
      if (volume.configMap?.name !== cm.metadata?.name) continue;
      const text = cm.data?.["gateway.json"];
      if (text !== undefined) {
        try {
          configJson = parseJsonc(text);
        } catch (e) {
          fail(`ConfigMap/${cm.metadata.name} gateway.json parses`, e.message);
        }
      }
    }
  }
  const problems = [];
  const seconds = (key, configKey, fallback) => {
    const e = fromEnv(`Gateway__Shutdown__${key}`);
    if (e && e.value === undefined) {
      problems.push(`${e.name} comes from ${Object.keys(e.valueFrom ?? {})[0]}: cannot check it`);
      return { value: NaN, source: "env" };
    }
    const raw = e?.value ?? configSection(configJson, "Gateway", "Shutdown", configKey);
    if (raw === undefined) return { value: fallback, source: "default" };
    const value = timeSpanSeconds(raw);
    if (Number.isNaN(value)) problems.push(`Gateway:Shutdown:${configKey} "${raw}" is not hh:mm:ss`);
    return { value, source: e ? "env" : "gateway.json" };
  };
  const drain = seconds("DrainDelay", "DrainDelay", DEFAULT_DRAIN_DELAY_S);
  const timeout = seconds("Timeout", "Timeout", DEFAULT_SHUTDOWN_TIMEOUT_S);
  const grace = gatewaySpec.terminationGracePeriodSeconds ?? 30;
  const needed = drain.value + timeout.value;
  if (problems.length === 0 && !(grace >= needed))
    problems.push(`${grace} s < DrainDelay ${drain.value} s (${drain.source}) + Timeout ${timeout.value} s (${timeout.source})`);
  check(`gateway terminationGracePeriodSeconds (${grace}) >= DrainDelay + Timeout (${needed} s)`, problems);
}

// JSON console logs.
{
  const e = (gwc.env ?? []).find((x) => x.name === "Logging__Console__FormatterName");
  check("gateway logs JSON (Logging__Console__FormatterName=json)", e?.value === "json" ? [] : [`is ${e ? JSON.stringify(e.value) : "unset"}`]);
}

// Gateway pod: spread, service account token.
{
  const tsc = gatewaySpec.topologySpreadConstraints ?? [];
  const problems = [];
  if (tsc.length === 0) problems.push("none");
  for (const t of tsc)
    if (!selects(t.labelSelector, gatewayLabels)) problems.push(`${t.topologyKey}: labelSelector does not select the gateway's pods`);
  check(`gateway topologySpreadConstraints (${tsc.map((t) => t.topologyKey).join(", ")})`, problems);
}

// Every workload (the gateway and Redis): token, security context, resources, images.
for (const w of workloads) {
  const spec = podTemplate(w).spec ?? {};
  const saName = spec.serviceAccountName ?? "default";
  const sa = ofKind("ServiceAccount").find((s) => s.metadata?.name === saName);
  const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
  check(`${id(w)} mounts no service account token (automountServiceAccountToken false)`, automount === false ? [] : ["a token is mounted"]);
  if (spec.serviceAccountName && spec.serviceAccountName !== "default")
    check(`${id(w)} uses ServiceAccount/${saName}, which is rendered`, sa ? [] : ["missing"]);

  for (const c of allContainers(spec)) {
    const who = `${id(w)} container ${c.name}`;
    const pod = spec.securityContext ?? {};
    const sc = c.securityContext ?? {};
    const problems = [];
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push("runAsNonRoot is not true");
    if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push("runAsUser 0");
    if (sc.readOnlyRootFilesystem !== true) problems.push("readOnlyRootFilesystem is not true");
    if (sc.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation is not false");
    if (sc.privileged === true) problems.push("privileged");
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push("capabilities do not drop ALL");
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (!["RuntimeDefault", "Localhost"].includes(seccomp)) problems.push(`seccompProfile ${seccomp ?? "unset"}`);
    check(`${who} securityContext (non-root, read-only root, no privilege escalation, drop ALL, seccomp)`, problems);

    const r = c.resources ?? {};
    check(`${who} resources (cpu and memory requests, memory limit)`, [
      ...(r.requests?.cpu === undefined ? ["no cpu request"] : []),
      ...(r.requests?.memory === undefined ? ["no memory request"] : []),
      ...(r.limits?.memory === undefined ? ["no memory limit"] : []),
    ]);

    const problem = imageProblem(c.image);
    check(`${who} image ${c.image} is pinned`, problem ? [problem] : []);
  }
}

// ---- HorizontalPodAutoscaler and PodDisruptionBudget ------------------------------------------------

const hpas = ofKind("HorizontalPodAutoscaler").filter(
  (h) => h.spec?.scaleTargetRef?.kind === "Deployment" && h.spec?.scaleTargetRef?.name === GATEWAY_DEPLOYMENT,
);
let minReplicas;
{
  const problems = [];
  if (hpas.length !== 1) problems.push(`${hpas.length} HorizontalPodAutoscalers target Deployment/${GATEWAY_DEPLOYMENT}`);
  const h = hpas[0];
  if (h) {
    if (h.apiVersion !== "autoscaling/v2") problems.push(`apiVersion ${h.apiVersion}`);
    minReplicas = h.spec.minReplicas ?? 1;
    if (!(minReplicas >= 3)) problems.push(`minReplicas ${minReplicas} < 3`);
    if (!(h.spec.maxReplicas >= minReplicas)) problems.push(`maxReplicas ${h.spec.maxReplicas} < minReplicas`);
    const cpu = (h.spec.metrics ?? []).some(
      (m) => (m.type === "Resource" && m.resource?.name === "cpu") || (m.type === "ContainerResource" && m.containerResource?.name === "cpu"),
    );
    if (!cpu) problems.push("no cpu metric");
  }
  check(`HorizontalPodAutoscaler (autoscaling/v2, minReplicas ${minReplicas} >= 3, cpu metric) scales the gateway`, problems);
}
{
  const pdbs = ofKind("PodDisruptionBudget").filter((p) => selects(p.spec?.selector, gatewayLabels));
  const problems = [];
  if (pdbs.length !== 1) problems.push(`${pdbs.length} PodDisruptionBudgets select the gateway's pods`);
  const p = pdbs[0];
  if (p && typeof p.spec.minAvailable === "number" && minReplicas !== undefined && p.spec.minAvailable >= minReplicas)
    problems.push(`minAvailable ${p.spec.minAvailable} >= minReplicas ${minReplicas}: no node could be drained`);
  check("PodDisruptionBudget selects the gateway's pods (and lets one go at minReplicas)", problems);
}

// ---- NetworkPolicies ------------------------------------------------------------------------------

const ingressPolicies = (labels) =>
  ofKind("NetworkPolicy").filter(
    (np) => selects(np.spec?.podSelector, labels) &&
      ((np.spec.policyTypes ?? ["Ingress"]).includes("Ingress")),
  );
{
  const nps = ingressPolicies(gatewayLabels);
  const rules = nps.flatMap((np) => np.spec.ingress ?? []);
  const problems = [];
  if (nps.length === 0) problems.push("no NetworkPolicy selects the gateway's pods");
  const managementRules = rules.filter((r) => portCovers(r.ports, "management", managementPort));
  if (nps.length && managementRules.length === 0) problems.push("nothing may reach the management port (Prometheus cannot scrape)");
  for (const r of managementRules) {
    if (!r.from || r.from.length === 0) problems.push("a rule admits the management port from anywhere (no from)");
    else if (r.from.some(peerIsAnywhere)) problems.push("a rule admits the management port from every namespace or address");
  }
  check("NetworkPolicy: the gateway's management port is reachable from named peers only", problems);
  const httpRules = rules.filter((r) => portCovers(r.ports, "http", httpPort));
  check("NetworkPolicy: the gateway's http port is admitted", nps.length === 0 || httpRules.length ? [] : ["no rule admits port http"]);
}

const redis = workloads.find((o) => o.metadata?.name === REDIS_WORKLOAD);
check(`${redis ? id(redis) : `Deployment/${REDIS_WORKLOAD}`} is rendered`, redis ? [] : ["missing"]);
if (redis) {
  const redisLabels = podTemplate(redis).metadata?.labels ?? {};
  const nps = ingressPolicies(redisLabels);
  const problems = [];
  if (nps.length === 0) problems.push("no NetworkPolicy selects the redis pods");
  for (const r of nps.flatMap((np) => np.spec.ingress ?? [])) {
    if (!r.from || r.from.length === 0) problems.push("a rule admits anyone (no from)");
    for (const peer of r.from ?? []) {
      if (peer.ipBlock || peer.namespaceSelector) problems.push("a peer names addresses or namespaces, not the gateway's pods");
      else if (!peer.podSelector || isEmptySelector(peer.podSelector)) problems.push("a peer selects every pod");
      else if (!selects(peer.podSelector, gatewayLabels)) problems.push("a peer does not select the gateway's pods");
      else {
        const others = otherPodLabels.filter((x) => selects(peer.podSelector, x.labels)).map((x) => x.id);
        if (others.length) problems.push(`a peer selects ${others.join(", ")} too`);
      }
    }
    const portsOk = (r.ports ?? []).length > 0 &&
      r.ports.every((p) => p.port === REDIS_PORT || (p.port === "redis" && namedPort(podTemplate(redis).spec.containers.find((c) => c.name === REDIS_CONTAINER) ?? {}, "redis") === REDIS_PORT));
    if (!portsOk) problems.push(`a rule admits ports other than ${REDIS_PORT}`);
  }
  check(`NetworkPolicy: redis admits port ${REDIS_PORT} from the gateway's pods only`, problems);

  // Redis requires a password, from a Secret.
  const rc = (podTemplate(redis).spec?.containers ?? []).find((c) => c.name === REDIS_CONTAINER);
  const rp = [];
  if (!rc) rp.push(`no container ${REDIS_CONTAINER}`);
  else {
    const args = [...(rc.command ?? []), ...(rc.args ?? [])];
    const at = args.indexOf("--requirepass");
    if (at < 0) rp.push("no --requirepass");
    else {
      const m = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(args[at + 1] ?? "");
      const e = m && (rc.env ?? []).find((x) => x.name === m[1]);
      if (!m) rp.push(`--requirepass ${JSON.stringify(args[at + 1])} is not $(VARIABLE)`);
      else if (!e?.valueFrom?.secretKeyRef?.name || !e.valueFrom.secretKeyRef.key) rp.push(`${m[1]} is not from a secretKeyRef`);
    }
  }
  check("redis --requirepass takes its password from a Secret (secretKeyRef)", rp);
}

// ---- Service --------------------------------------------------------------------------------------

{
  const services = ofKind("Service").filter((s) => s.spec?.selector && selects({ matchLabels: s.spec.selector }, gatewayLabels));
  const problems = [];
  if (services.length === 0) problems.push("no Service selects the gateway's pods");
  for (const s of services) {
    for (const p of s.spec.ports ?? []) {
      const target = p.targetPort ?? p.port;
      if (target === "management" || target === managementPort || p.port === managementPort)
        problems.push(`${id(s)} exposes the management port (${p.name ?? p.port})`);
      else if (target !== "http" && target !== httpPort) problems.push(`${id(s)} port ${p.name ?? p.port} targets ${target}, not http`);
    }
  }
  check("Service: the gateway's pods on port http only (management not exposed)", problems);
}

// ---- overlay: monitoring ----------------------------------------------------------------------------

if (overlay) {
  const monitors = [
    ...ofKind("PodMonitor").flatMap((m) => (m.spec?.podMetricsEndpoints ?? []).map((e) => ({ m, e }))),
    ...ofKind("ServiceMonitor").flatMap((m) => (m.spec?.endpoints ?? []).map((e) => ({ m, e }))),
  ].filter(({ e }) => e.port === "management" && (e.path ?? "/metrics") === "/metrics");
  const targeting = [...new Set(monitors.map(({ m }) => m))];
  const problems = [];
  if (targeting.length !== 1)
    problems.push(`${targeting.length} PodMonitors/ServiceMonitors scrape port management path /metrics: ${targeting.map(id).join(", ") || "none"}`);
  else if (targeting[0].kind === "PodMonitor" && !selects(targeting[0].spec.selector, gatewayLabels))
    problems.push(`${id(targeting[0])} does not select the gateway's pods`);
  check("exactly one PodMonitor/ServiceMonitor scrapes port management, path /metrics", problems);

  let expectedGroups;
  try {
    expectedGroups = YAML.parse(readFileSync(RULES_FILE, "utf8"))?.groups;
  } catch (e) {
    fail(`${RULES_FILE} reads`, e.message);
  }
  if (expectedGroups !== undefined) {
    const rules = ofKind("PrometheusRule");
    const same = rules.filter((r) => isDeepStrictEqual(r.spec?.groups, expectedGroups));
    check(`a PrometheusRule carries the groups of deploy/monitoring/wamsgateway.rules.yml`,
      same.length ? [] : [rules.length ? `${rules.map(id).join(", ")} differ` : "no PrometheusRule"]);
  }

  let dashboard;
  try {
    dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, "utf8"));
  } catch (e) {
    fail(`${DASHBOARD_FILE} reads`, e.message);
  }
  if (dashboard !== undefined) {
    const cms = ofKind("ConfigMap").filter((c) => c.metadata?.labels?.grafana_dashboard === "1");
    const problems = [];
    let matched = false;
    if (cms.length === 0) problems.push('no ConfigMap labelled grafana_dashboard: "1"');
    for (const cm of cms) {
      const values = Object.values(cm.data ?? {});
      if (values.length !== 1) {
        problems.push(`${id(cm)} has ${values.length} data values, not one`);
        continue;
      }
      try {
        if (isDeepStrictEqual(JSON.parse(values[0]), dashboard)) matched = true;
        else problems.push(`${id(cm)} differs from deploy/monitoring/wamsgateway-dashboard.json`);
      } catch (e) {
        problems.push(`${id(cm)}: ${e.message}`);
      }
    }
    check('a ConfigMap labelled grafana_dashboard: "1" holds deploy/monitoring/wamsgateway-dashboard.json', matched ? [] : problems);
  }
}

console.log(failures ? `${label}: ${failures} check(s) failed` : `${label}: all checks passed`);
process.exit(failures ? 1 : 0);
