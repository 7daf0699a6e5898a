// Input files are regular files, checked without blocking.
//
// Opening a FIFO for reading waits for a writer, forever if none comes, and a device such as
// /dev/zero reads without end: a model, key, configuration or evidence path that names one would
// hang the command instead of failing. Every input Veil reads is opened through here.
#pragma once

#include <string>

namespace veil::util {

// Opens `path` read-only (O_CLOEXEC) and returns the descriptor, or throws std::runtime_error
// "<path>: cannot open: <reason>" / "<path>: not a regular file". Never blocks on a FIFO.
int open_regular_file(const std::string& path);

// The same check for readers that open by name (std::ifstream): throws as above when `path`
// exists but is not a regular file; a missing file is left to the reader's own message.
void require_regular_file(const std::string& path);

}  // namespace veil::util
