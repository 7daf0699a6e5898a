// The verified claims of an SNP report as a JSON object (field names in docs/tee.md).
#pragma once

#include <Poco/JSON/Object.h>

#include "report.hpp"
#include "tcb.hpp"

namespace veil::tee::snp {

Poco::JSON::Object::Ptr report_claims(const Report& r, Product product);

}  // namespace veil::tee::snp
