// Reading a backend's load options (the JSON object the host passes to load(), e.g.
// {"threads":2,"memory_budget":N,"mlock":false}). Every malformed value is refused with
// sdk::Error(VEIL_ERR_INVALID_ARGUMENT) naming the option, never ignored.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

namespace veil::backend_common {

// The options object; "" counts as {}. Throws when the text is not a JSON object.
Poco::JSON::Object::Ptr parse_options_object(const std::string& json);

// obj[key] as an integer in [lo, hi]; the key must be present.
long long integer_option(const Poco::JSON::Object& obj, const std::string& key, long long lo, long long hi);

// obj[key] as true/false; the key must be present.
bool bool_option(const Poco::JSON::Object& obj, const std::string& key);

// Threads to use when the options do not say: every hardware thread (at least 1).
int default_threads();

}  // namespace veil::backend_common
