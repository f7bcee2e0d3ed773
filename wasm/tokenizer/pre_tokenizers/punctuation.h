// HF Punctuation: split on each punctuation char with a behavior (default Isolated).
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

class PunctuationPreTokenizer : public PreTokenizer {
 public:
  explicit PunctuationPreTokenizer(SplitDelimiterBehavior behavior = SplitDelimiterBehavior::kIsolated)
      : behavior_(behavior) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  SplitDelimiterBehavior behavior_;
};

}  // namespace wasmbed::tok
