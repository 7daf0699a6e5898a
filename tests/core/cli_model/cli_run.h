// Runs the real `veil` binary (VEIL_BINARY) through a shell and collects its exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace veil::test {

struct CliRun {
    int code = -1;
    std::string out;  // stdout and stderr
};

inline std::string quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// `veil ARGS` (ARGS already quoted as needed), with `env` assignments before it.
inline CliRun run_veil(const std::string& args, const std::string& env = "") {
    std::string cmd = env + " " + quote(VEIL_BINARY) + " " + args + " 2>&1";
    CliRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

inline Poco::JSON::Object::Ptr parse_json(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace veil::test
