// RAII wrapper over oniguruma, the regex engine HF tokenizers itself uses (crate `onig`), so the
// Split / Replace patterns found in tokenizer.json files (GPT-2, Llama-3, ...) behave identically.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/token.h"

namespace wasmbed::tok {

class Regex {
 public:
  // Compiles `pattern` (UTF-8, Ruby syntax, no options: what onig::Regex::new does).
  // Throws wasmbed::Error(kParse) naming the pattern when it does not compile.
  explicit Regex(std::string_view pattern);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // All non-overlapping matches, left to right, as byte ranges of `text` (which must be valid
  // UTF-8). Like onig's find_iter: an empty match advances by one character and is reported.
  std::vector<Range> find_all(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string pattern_;
};

// Escapes every regex metacharacter so `literal` matches itself (used for String patterns).
std::string regex_escape(std::string_view literal);

}  // namespace wasmbed::tok
