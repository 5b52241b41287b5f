// hallmark: the Hallmark command-line tool (PRODUCT §3 "CLI").
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "sidecar/version.h"
#include "tools/hallmark/commands.h"

namespace {

constexpr char kUsage[] =
    "hallmark %s: the Hallmark watermarking tool\n"
    "\n"
    "  hallmark mark [--keys DIR] [--policy FILE] [--space S] [--out FILE]\n"
    "                [--format png|jpeg|webp|raw] [--receipt_key PEM]\n"
    "                [--c2pa_private_key PEM --c2pa_cert_chain PEM] INPUT\n"
    "      Mark a text or image file offline (INPUT '-' reads stdin). Marked text goes\n"
    "      to --out, else stdout; a marked image to --out (required), in the input's\n"
    "      format unless --format says otherwise. One JSON line (decision, reason,\n"
    "      payload_id, key_id, scheme, micros; images also format, width, height,\n"
    "      psnr_db and per-stage micros; with --receipt_key, the text's signed\n"
    "      receipt) goes to stdout with --out, else to stderr. Marked PNG/JPEG/WebP\n"
    "      images carry a signed C2PA manifest (c2pa_* fields) unless the policy's\n"
    "      image.provenance is off; without --c2pa_* files the signer is a generated\n"
    "      development certificate (warned).\n"
    "      Exit 0 when the call succeeded, 1 when BLOCKED, 2 on bad input.\n"
    "  hallmark detect [--keys DIR] [--c2pa_trust_anchors PEM] INPUT\n"
    "      Text or image. One JSON line (detected, verified, payload_id, key_id,\n"
    "      space_tag, timestamp, false_positive_probability, scheme; images also\n"
    "      geometry and the C2PA layer: c2pa_present, c2pa_valid, c2pa_trusted,\n"
    "      c2pa_signer, c2pa_soft_binding, c2pa_failures, c2pa_summary).\n"
    "      Exit 0 verified, 1 not, 2 bad input.\n"
    "  hallmark keygen --out DIR [--id ID]\n"
    "      Write a new random key to DIR/ID (mode 0600).\n"
    "  hallmark keygen --receipt --out DIR\n"
    "      Write a new Ed25519 receipt signing key to DIR/receipt_key.pem (0600, for\n"
    "      hallmarkd --receipt_key; not in the --keys directory) and its public key\n"
    "      to DIR/receipt_public_key.pem (for verifiers).\n"
    "  hallmark verify --public_key PEM --receipt RECEIPT_OR_FILE TEXT_FILE\n"
    "      Check a marked text's provenance receipt offline. One JSON line (valid,\n"
    "      result: valid, malformed, wrong_key, bad_signature or hash_mismatch, error,\n"
    "      and the signed claims once the signature holds). Exit 0 valid, 1 not,\n"
    "      2 bad input.\n"
    "  hallmark policy check [--keys DIR] FILE\n"
    "      Validate a policy file (and its keys.active against DIR).\n"
    "  hallmark health [--addr ADDR] [--service NAME] [--timeout_ms N] [TLS]\n"
    "      gRPC health check of a running hallmarkd (default 127.0.0.1:50051).\n"
    "  hallmark demo [--addr ADDR] [TLS]\n"
    "      Send demo traffic to a running hallmarkd and explain what happened.\n"
    "\n"
    "  TLS, for a hallmarkd started with --tls_cert: --tls_ca FILE (the CA of its\n"
    "  certificate; default: the system's), and for mutual TLS --tls_cert FILE\n"
    "  --tls_key FILE (this client's); --tls_server_name NAME when ADDR is not a\n"
    "  name the certificate holds.\n";

}  // namespace

int main(int argc, char** argv) {
  using hallmark::cli::kExitOk;
  using hallmark::cli::kExitUsage;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    std::fprintf(argc < 2 ? stderr : stdout, kUsage, hallmark::sidecar::kVersion);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "mark") return hallmark::cli::RunMark(args);
  if (command == "detect") return hallmark::cli::RunDetect(args);
  if (command == "keygen") return hallmark::cli::RunKeygen(args);
  if (command == "policy") return hallmark::cli::RunPolicy(args);
  if (command == "health") return hallmark::cli::RunHealth(args);
  if (command == "demo") return hallmark::cli::RunDemo(args);
  if (command == "verify") return hallmark::cli::RunVerify(args);
  if (command == "--version" || command == "version") {
    std::printf("hallmark %s (%s)\n", hallmark::sidecar::kVersion, hallmark::sidecar::kGitCommit);
    return kExitOk;
  }
  std::fprintf(stderr, "hallmark: unknown command \"%s\"\n\n", command.c_str());
  std::fprintf(stderr, kUsage, hallmark::sidecar::kVersion);
  return kExitUsage;
}
