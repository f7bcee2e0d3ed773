// HF Split: split on a literal string or an oniguruma regex with a behavior, optionally inverted
// (then the pattern describes the pieces to keep, not the delimiters).
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"
#include "tokenizer/regex.h"

namespace wasmbed::tok {

class SplitPreTokenizer : public PreTokenizer {
 public:
  static std::unique_ptr<SplitPreTokenizer> literal(std::string_view pattern, SplitDelimiterBehavior behavior,
                                                    bool invert);
  static std::unique_ptr<SplitPreTokenizer> regex(std::string_view pattern, SplitDelimiterBehavior behavior,
                                                  bool invert);
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  SplitPreTokenizer(std::string literal, std::unique_ptr<Regex> regex, SplitDelimiterBehavior behavior, bool invert)
      : literal_(std::move(literal)), regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}
  std::string literal_;
  std::unique_ptr<Regex> regex_;  // set for Regex patterns
  SplitDelimiterBehavior behavior_;
  bool invert_;
};

}  // namespace wasmbed::tok
