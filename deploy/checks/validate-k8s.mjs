// Validates Kubernetes manifests offline, as an API server would see them:
//
// 1. each object against its schema with npm `kubernetes-models` (and
//    `@kubernetes-models/prometheus-operator` for PodMonitor): required
//    fields, types, enum values;
// 2. unknown field names, which those schemas let through (an API server
//    drops or, with strict validation, refuses them): every key of every
//    object is looked up in the model's TypeScript declarations, recursively;
// 3. Hallmark's own rules: every container non-root with a read-only root
//    file system, no privilege escalation and ALL capabilities dropped, with
//    resources; hallmarkd as a native sidecar (init container,
//    restartPolicy: Always) in the native manifests.
//
//   kubectl kustomize deploy/k8s/overlays/example | node deploy/checks/validate-k8s.mjs --native
//   node deploy/checks/validate-k8s.mjs deploy/k8s/podman/hallmark-demo.yaml
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const argv = process.argv.slice(2);
const native = argv.includes("--native");
const files = argv.filter((a) => !a.startsWith("--"));
const source = files.length ? files.map((f) => [f, readFileSync(f, "utf8")]) : [["<stdin>", readFileSync(0, "utf8")]];

const errors = [];
const err = (where, msg) => errors.push(`${where}: ${msg}`);

// --- which model validates an object ---------------------------------------
function modelPath(apiVersion, kind) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`; // "v1" (core) or "group/version"
}

// --- field names from the TypeScript declarations ---------------------------
const dtsCache = new Map();
function loadDts(file) {
  if (dtsCache.has(file)) return dtsCache.get(file);
  const text = readFileSync(file, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/import \{([^}]*)\} from "([^"]+)"/g)) {
    for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) imports.set(name, m[2]);
  }
  // The first interface of the file is its model; collect its members.
  const m = /export interface (\w+)[^{]*\{([\s\S]*?)\n\}/.exec(text);
  const props = new Map();
  if (m) {
    // Members: `    "name"?: Type;` on one line, or a map type over three:
    // `    "labels"?: {` / `        [key: string]: string;` / `    };`
    const body = m[2].replace(/\{\s*\n\s*(\[key: string\]: [^;]+;)\s*\n\s*\}/g, "{ $1 }");
    for (const p of body.matchAll(/^\s{4}"([^"]+)"\??: (.+);$/gm)) props.set(p[1], p[2]);
  }
  const info = { file, imports, props, extendsTypeMeta: m && /extends TypeMeta/.test(m[0]) };
  dtsCache.set(file, info);
  return info;
}

function resolveImport(fromFile, spec) {
  const base = spec.replace(/\.js$/, "");
  const path = base.startsWith(".") ? join(dirname(fromFile), base) : join(modules, base);
  return `${path}.d.ts`;
}

function typeOf(info, type) {
  type = type.trim();
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) return { array: typeOf(info, m[1]) };
  if ((m = /^\{\s*\[key: string\]: (.+?);?\s*\}$/.exec(type))) return { map: typeOf(info, m[1]) };
  if (/^I\w+$/.test(type) && info.imports.has(type)) {
    const file = resolveImport(info.file, info.imports.get(type));
    if (existsSync(file)) return { object: loadDts(file) };
  }
  return null; // a scalar, a union, or something we do not descend into
}

function checkFields(value, info, where) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (!info.props.has(key)) {
      err(where, `unknown field "${key}" (${info.file.replace(modules + "/", "")})`);
      continue;
    }
    walk(child, typeOf(info, info.props.get(key)), `${where}.${key}`);
  }
}

function walk(value, type, where) {
  if (!type || value === null || value === undefined) return;
  if (type.array) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, type.array, `${where}[${i}]`));
  } else if (type.map) {
    if (typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, type.map, `${where}.${k}`);
  } else if (type.object) {
    checkFields(value, type.object, where);
  }
}

// --- Hallmark's own rules -----------------------------------------------------
function podSpecOf(doc) {
  if (doc.kind === "Pod") return doc.spec;
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(doc.kind)) return doc.spec?.template?.spec;
  return null;
}

function checkPod(pod, where) {
  const all = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  const podSc = pod.securityContext ?? {};
  for (const c of all) {
    const w = `${where} container ${c.name}`;
    const sc = c.securityContext ?? {};
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) err(w, "runAsNonRoot is not set");
    if (!((sc.runAsUser ?? podSc.runAsUser) > 0)) err(w, "runAsUser must be a non-zero uid");
    if (sc.readOnlyRootFilesystem !== true) err(w, "readOnlyRootFilesystem is not true");
    if (sc.allowPrivilegeEscalation !== false) err(w, "allowPrivilegeEscalation is not false");
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) err(w, "capabilities.drop does not include ALL");
    if (!c.resources?.requests || !c.resources?.limits?.memory) err(w, "resources.requests and limits.memory are required");
    if (!c.livenessProbe || !c.readinessProbe) err(w, "liveness and readiness probes are required");
  }
  const sidecar = all.find((c) => /hallmarkd/.test(c.image ?? ""));
  if (!sidecar) err(where, "no hallmarkd container");
  else if (native) {
    if (!(pod.initContainers ?? []).includes(sidecar) || sidecar.restartPolicy !== "Always") {
      err(where, "hallmarkd must be a native sidecar: an init container with restartPolicy: Always");
    }
  } else if ((pod.initContainers ?? []).some((c) => c.restartPolicy === "Always")) {
    err(where, "a native sidecar in a manifest meant for podman (which cannot run it)");
  }
  const socket = (sidecar?.args ?? []).find((a) => a.startsWith("--grpc_listen=unix:"));
  if (sidecar && !socket) err(where, "hallmarkd should listen on a unix socket in a shared emptyDir");
}

// --- run ------------------------------------------------------------------
let count = 0;
const kinds = new Map();
for (const [name, text] of source) {
  let docs;
  try {
    docs = yaml.loadAll(text).filter(Boolean);
  } catch (e) {
    err(name, `not YAML: ${e.message}`);
    continue;
  }
  for (const doc of docs) {
    const where = `${name}: ${doc.kind}/${doc.metadata?.name}`;
    count++;
    kinds.set(doc.kind, (kinds.get(doc.kind) ?? 0) + 1);
    const path = modelPath(doc.apiVersion, doc.kind);
    let Model;
    try {
      Model = (await import(path))[doc.kind];
    } catch (e) {
      err(where, `no schema for apiVersion ${doc.apiVersion} kind ${doc.kind} (${e.code ?? e.message})`);
      continue;
    }
    // kustomize wraps long base64 values over lines; the API server's decoder
    // ignores the line breaks, the schema's "byte" format does not.
    const checked = doc.kind === "Secret" && doc.data
      ? { ...doc, data: Object.fromEntries(Object.entries(doc.data).map(([k, v]) => [k, String(v).replace(/\s+/g, "")])) }
      : doc;
    try {
      new Model(checked).validate();
    } catch (e) {
      err(where, `schema: ${e.message}`);
    }
    const dts = join(modules, `${path}.d.ts`);
    if (existsSync(dts)) checkFields(doc, loadDts(dts), where);
    else err(where, `no type declarations at ${dts}`);
    const pod = podSpecOf(doc);
    if (pod) checkPod(pod, where);
  }
}

const summary = [...kinds].map(([k, n]) => `${n} ${k}`).join(", ");
if (errors.length) {
  for (const e of errors) console.error(`FAIL ${e}`);
  console.error(`${errors.length} problem(s) in ${count} objects (${summary})`);
  process.exit(1);
}
console.log(`ok: ${count} objects valid, no unknown fields (${summary})${native ? ", native sidecar" : ""}`);
