// HF Digits: isolate digits; individual_digits=true -> one split per digit, else runs.
#pragma once
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual_digits) : individual_digits_(individual_digits) {}
  void pre_tokenize(PreTokenizedString& s) const override;

 private:
  bool individual_digits_;
};

}  // namespace wasmbed::tok
