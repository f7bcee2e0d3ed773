// HF BertPreTokenizer: split on whitespace (removed), then isolate each punctuation char.
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

class BertPreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& s) const override;
};

}  // namespace wasmbed::tok
