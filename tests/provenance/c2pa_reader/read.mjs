#!/usr/bin/env node
// Independent C2PA reference verifier for Hallmark's provenance tests.
//
// Runs the official C2PA SDK (c2pa-rs, compiled to WebAssembly and published
// as @contentauth/c2pa-wasm) over a file and prints ONE JSON object:
//
//   {"ok": bool, "active_manifest": label|null, "manifest": <manifest store>,
//    "validation_status": [codes of failures], "validation_state": "...",
//    "validation_results": {...}, "error": "message if the reader threw"}
//
// Usage: node read.mjs FILE [FORMAT]
//   FORMAT is a MIME type; by default it comes from the extension
//   (.jpg/.jpeg -> image/jpeg, .png -> image/png, .webp -> image/webp).
// Exit status: 0 if a manifest store was parsed (whatever its validation
// state: look at validation_state / validation_status), 2 if there is no
// manifest or reading failed, 64 on bad usage.
//
// Setup: `npm ci` in this folder (needs only the npm registry).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { initSync, WasmReader } from "@contentauth/c2pa-wasm";

const MIME_BY_EXT = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
};

// wasm-bindgen's default init fetch()es the .wasm by URL, which Node cannot
// do for file: URLs; instantiate it synchronously from the bytes instead.
export function initC2paWasm() {
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve("@contentauth/c2pa-wasm/c2pa.wasm");
  initSync({ module: readFileSync(wasmPath) });
}

function emit(obj, code) {
  process.stdout.write(JSON.stringify(obj, null, 2) + "\n");
  process.exit(code);
}

function errorMessage(e) {
  if (e instanceof Error) return e.message || String(e);
  if (typeof e === "string") return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

async function main() {
  const [file, formatArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: node read.mjs FILE [FORMAT]\n");
    process.exit(64);
  }
  const format = formatArg || MIME_BY_EXT[path.extname(file).toLowerCase()];
  const base = {
    ok: false,
    file,
    format: format || null,
    active_manifest: null,
    manifest: null,
    validation_status: [],
    validation_state: null,
  };
  if (!format) {
    emit({ ...base, error: `cannot infer the format of ${file}; pass a MIME type` }, 64);
  }

  let bytes;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    emit({ ...base, error: errorMessage(e) }, 2);
  }

  initC2paWasm();
  let reader;
  try {
    reader = await WasmReader.fromBytes(format, bytes);
  } catch (e) {
    emit({ ...base, error: errorMessage(e) }, 2);
  }

  let store = null;
  try {
    store = JSON.parse(reader.json());
  } catch (e) {
    emit({ ...base, error: `reader.json(): ${errorMessage(e)}` }, 2);
  }
  const active = reader.activeLabel() ?? store.active_manifest ?? null;
  // validation_status holds the failure entries (each {code, url, explanation});
  // validation_results splits every result into success/informational/failure.
  const statusCodes = (store.validation_status || []).map((s) => s.code);
  emit(
    {
      ok: active !== null,
      file,
      format,
      active_manifest: active,
      manifest: store,
      validation_status: statusCodes,
      validation_state: store.validation_state ?? null,
      validation_results: store.validation_results ?? null,
    },
    active !== null ? 0 : 2,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    emit({ ok: false, error: `unexpected: ${errorMessage(e)}` }, 2);
  });
}
