// The `hallmark` subcommands. Each takes its arguments (after the command
// name) and returns the process exit code.
#ifndef HALLMARK_TOOLS_HALLMARK_COMMANDS_H_
#define HALLMARK_TOOLS_HALLMARK_COMMANDS_H_

#include <string>
#include <vector>

namespace hallmark::cli {

// Exit codes shared by the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNegative = 1;  // not verified / blocked / not serving
inline constexpr int kExitUsage = 2;     // bad input or usage

int RunMark(const std::vector<std::string>& args);
int RunDetect(const std::vector<std::string>& args);
int RunKeygen(const std::vector<std::string>& args);
int RunPolicy(const std::vector<std::string>& args);
int RunHealth(const std::vector<std::string>& args);
int RunDemo(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);

// Prints "hallmark <command>: <message>" to stderr and returns kExitUsage.
int UsageError(const std::string& command, const std::string& message);

}  // namespace hallmark::cli

#endif  // HALLMARK_TOOLS_HALLMARK_COMMANDS_H_
