// Reading a backend's load options (the JSON object the host passes to load(), e.g.
// {"threads":2,"memory_budget":N,"mlock":false}). Every malformed value is refused with
// sdk::Error(VEIL_ERR_INVALID_ARGUMENT) naming the option, never ignored.
#pragma once

#include <Poco/JSON/Object.h>

#include <initializer_list>
#include <string>
#include <string_view>

namespace veil::backend_common {

// The options object; "" counts as {}. Throws when the text is not a JSON object.
Poco::JSON::Object::Ptr parse_options_object(const std::string& json);

// Throws naming the first key of `obj` that is not in `known`: for a plugin's own configuration,
// where a misspelt key must not be ignored. (Load options may carry other backends' keys.)
void reject_unknown_keys(const Poco::JSON::Object& obj, std::initializer_list<std::string_view> known);

// obj[key] as an integer in [lo, hi]; the key must be present.
long long integer_option(const Poco::JSON::Object& obj, const std::string& key, long long lo, long long hi);

// obj[key] as true/false; the key must be present.
bool bool_option(const Poco::JSON::Object& obj, const std::string& key);

// Threads to use when the options do not say: every hardware thread (at least 1).
int default_threads();

}  // namespace veil::backend_common
