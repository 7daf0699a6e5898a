// Canonical JSON: the exact bytes whose SHA-512 becomes a TEE report's report_data, so a client can
// recompute them from the claims it receives. Rules: object keys sorted (byte order of their
// UTF-8), no insignificant whitespace, strings as UTF-8 with only '"', '\\' and control characters
// escaped (\b \f \n \r \t, others \u00XX), integers in decimal, true/false/null. Floating-point
// numbers are refused: claims never need them, and their text form is not canonical.
#pragma once

#include <string>

#include <Poco/Dynamic/Var.h>

namespace veil {

// Throws std::invalid_argument for floats or values that are not JSON.
std::string canonical_json(const Poco::Dynamic::Var& value);

// Parses JSON text (Poco) and re-serialises it canonically.
std::string canonicalize_json_text(const std::string& json);

}  // namespace veil
