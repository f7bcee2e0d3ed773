// HF Whitespace (regex \w+|[^\w\s]+, gaps removed) and WhitespaceSplit (split on whitespace).
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

class WhitespacePreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

class WhitespaceSplitPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

}  // namespace wasmbed::tok
