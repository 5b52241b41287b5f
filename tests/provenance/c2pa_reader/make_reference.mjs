#!/usr/bin/env node
// Produces reference C2PA-signed files with the official SDK (c2pa-rs via
// @contentauth/c2pa-wasm), for byte-level comparison with Hallmark's writer.
//
// Usage: node make_reference.mjs IN OUT KEY.pk8.pem CHAIN.pem [FORMAT]
//   KEY: PKCS#8 PEM P-256 private key of the end-entity certificate.
//   CHAIN: PEM certificates, end-entity first, then its issuers.
// Env: RESERVE_SIZE (COSE box size, default 4096; >65000 forces several
//   JPEG APP11 segments), SOFT_BINDING=0 (omit the soft-binding assertion),
//   SOFT_BINDING_ALG (its alg name).
//
// c2pa-wasm 0.15's signer always uses "direct COSE handling": c2pa-rs hands
// the callback the claim bytes and embeds whatever it returns verbatim as the
// c2pa.signature content. So this script builds the COSE_Sign1 itself,
// exactly as c2pa-rs's own cose_sign (sdk/src/crypto/cose/sign.rs) would for
// a 2.x claim without time stamp: tag 18, protected {1: -7, 33: [certs]},
// unprotected {"pad": h'00..'} sized so the whole thing is reserveSize bytes,
// detached payload (nil), 64-byte r||s signature over
// Sig_structure ["Signature1", protected, h'', claim].

import { createPrivateKey, sign as cryptoSign, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { WasmBuilder } from "@contentauth/c2pa-wasm";
import { initC2paWasm } from "./read.mjs";

// ---- minimal deterministic CBOR encoder (just what COSE needs) ----
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}
function cbor(v) {
  if (v === null) return Buffer.from([0xf6]);
  if (v instanceof Tagged) return Buffer.concat([head(6, v.tag), cbor(v.value)]);
  if (typeof v === "number") return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === "string") {
    const b = Buffer.from(v, "utf8");
    return Buffer.concat([head(3, b.length), b]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(cbor)]);
  if (v instanceof Map) {
    const parts = [head(5, v.size)];
    for (const [k, x] of v) parts.push(cbor(k), cbor(x));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: unsupported ${typeof v}`);
}

function pemCerts(pem) {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map(
    (m) => new X509Certificate(m[0]).raw,
  );
}

export function makeCoseSigner(keyPem, certsDer, reserveSize) {
  const key = createPrivateKey(keyPem);
  const protectedMap = new Map([
    [1, -7], // alg: ES256
    [33, certsDer.length === 1 ? certsDer[0] : certsDer], // x5chain
  ]);
  const protectedBytes = cbor(protectedMap);
  return {
    alg: "es256",
    reserveSize,
    sign: async (claimBytes) => {
      const tbs = cbor(["Signature1", protectedBytes, new Uint8Array(0), claimBytes]);
      const sig = cryptoSign("sha256", tbs, { key, dsaEncoding: "ieee-p1363" });
      const build = (padLen) =>
        cbor(
          new Tagged(18, [
            protectedBytes,
            padLen === null ? new Map() : new Map([["pad", new Uint8Array(padLen)]]),
            null,
            sig,
          ]),
        );
      let out = build(null);
      if (out.length === reserveSize) return new Uint8Array(out);
      // c2pa-rs's pad_cose_sig: add "pad" so the total hits reserveSize exactly.
      for (let pad = Math.max(0, reserveSize - out.length - 16); pad <= reserveSize; pad++) {
        out = build(pad);
        if (out.length === reserveSize) return new Uint8Array(out);
        if (out.length > reserveSize) break;
      }
      throw new Error(`cannot pad COSE_Sign1 to ${reserveSize} bytes`);
    },
  };
}

// c2pa-wasm's sign() reads the source through FileReaderSync, a worker-only
// API. Give it a synchronous stand-in over an in-memory buffer.
class SyncBlob {
  constructor(bytes) {
    this.bytes = bytes;
  }
  get size() {
    return this.bytes.length;
  }
  slice(start = 0, end = this.bytes.length) {
    return new SyncBlob(this.bytes.subarray(start, end));
  }
  arrayBuffer() {
    return Promise.resolve(this.bytes.slice().buffer);
  }
}
globalThis.FileReaderSync ??= class {
  readAsArrayBuffer(blob) {
    return blob.bytes.slice().buffer;
  }
};

const MIME_BY_EXT = { ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp" };

async function main() {
  const [input, output, keyPath, chainPath, fmtArg] = process.argv.slice(2);
  if (!chainPath) {
    process.stderr.write("usage: node make_reference.mjs IN OUT KEY.pem CHAIN.pem [FORMAT]\n");
    process.exit(64);
  }
  const format = fmtArg || MIME_BY_EXT[path.extname(input).toLowerCase()];
  initC2paWasm();
  const certs = pemCerts(readFileSync(chainPath, "utf8"));
  const signer = makeCoseSigner(readFileSync(keyPath, "utf8"), certs, Number(process.env.RESERVE_SIZE || 4096));
  const definition = {
    title: path.basename(output),
    claim_generator_info: [{ name: "hallmark-c2pa-reference", version: "0.1.0" }],
    assertions: [
      {
        label: "c2pa.actions.v2",
        data: {
          actions: [
            {
              action: "c2pa.created",
              digitalSourceType: "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
              softwareAgent: { name: "hallmarkd", version: "0.1.0" },
            },
          ],
        },
      },
    ],
  };
  const builder = WasmBuilder.fromJson(JSON.stringify(definition));
  if (process.env.SOFT_BINDING !== "0") {
    builder.addAssertion("c2pa.soft-binding", {
      alg: process.env.SOFT_BINDING_ALG || "com.example.hallmark.canonical-grid",
      blocks: [{ scope: {}, value: "AAECAwQFBgcICQoL" }],
    });
  }
  const src = new Uint8Array(readFileSync(input));
  const out = await builder.sign(signer, [], format, new SyncBlob(src));
  writeFileSync(output, out);
  process.stderr.write(`wrote ${output} (${out.length} bytes)\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    process.stderr.write(`error: ${e instanceof Error ? e.stack : JSON.stringify(e) ?? e}\n`);
    process.exit(1);
  });
}
