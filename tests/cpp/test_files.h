// Where the tokenizer tests find their files: the source tree (fixtures) and ../shared (real
// tokenizers and texts), each overridable by environment variable, and a whole-file reader.
#pragma once
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace wasmbed::testing {

inline std::string source_dir() {
  if (const char* s = std::getenv("WASMBED_SOURCE_DIR")) return s;
  return WASMBED_SOURCE_DIR;
}

inline std::string shared_dir() {
  if (const char* s = std::getenv("WASMBED_SHARED_DIR")) return s;
  return source_dir() + "/../shared";
}

inline bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace wasmbed::testing
