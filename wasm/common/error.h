// Errors thrown by the C++ core. Each carries a stable code so the Embind layer can map it to
// the matching JS Error subclass (js/errors.js) without parsing messages.
#pragma once
#include <stdexcept>
#include <string>

namespace wasmbed {

enum class ErrorCode : int {
  kInvalidArgument = 1,  // caller passed something unusable (empty, out of range, wrong shape)
  kParse = 2,            // a file (tokenizer.json, .model, index bytes) is malformed
  kUnsupported = 3,      // well-formed but uses a feature wasmbed does not implement
  kCorrupt = 4,          // checksum / size mismatch in saved data
  kCapacity = 5,         // would exceed a memory or size limit
  kInternal = 6,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

}  // namespace wasmbed
