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
    "  hallmark mark [--keys DIR] [--policy FILE] [--space S] [--out FILE] INPUT\n"
    "      Mark a text file offline (INPUT '-' reads stdin). The marked text goes to\n"
    "      --out, else stdout; one JSON line (decision, reason, payload_id, key_id,\n"
    "      scheme, micros) goes to stdout with --out, else to stderr.\n"
    "      Exit 0 when the call succeeded, 1 when BLOCKED, 2 on bad input.\n"
    "  hallmark detect [--keys DIR] INPUT\n"
    "      One JSON line (detected, verified, payload_id, key_id, space_tag, timestamp,\n"
    "      false_positive_probability, scheme). Exit 0 verified, 1 not, 2 bad input.\n"
    "  hallmark keygen --out DIR [--id ID]\n"
    "      Write a new random key to DIR/ID (mode 0600).\n"
    "  hallmark policy check [--keys DIR] FILE\n"
    "      Validate a policy file (and its keys.active against DIR).\n"
    "  hallmark health [--addr ADDR] [--service NAME] [--timeout_ms N]\n"
    "      gRPC health check of a running hallmarkd (default 127.0.0.1:50051).\n"
    "  hallmark demo [--addr ADDR]\n"
    "      Send demo traffic to a running hallmarkd and explain what happened.\n";

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
  if (command == "--version" || command == "version") {
    std::printf("hallmark %s (%s)\n", hallmark::sidecar::kVersion, hallmark::sidecar::kGitCommit);
    return kExitOk;
  }
  std::fprintf(stderr, "hallmark: unknown command \"%s\"\n\n", command.c_str());
  std::fprintf(stderr, kUsage, hallmark::sidecar::kVersion);
  return kExitUsage;
}
