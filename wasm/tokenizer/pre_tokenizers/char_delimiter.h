// HF CharDelimiterSplit: split on one char, delimiter removed.
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

class CharDelimiterSplitPreTokenizer : public PreTokenizer {
 public:
  explicit CharDelimiterSplitPreTokenizer(char32_t delimiter) : delimiter_(delimiter) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  char32_t delimiter_;
};

}  // namespace wasmbed::tok
