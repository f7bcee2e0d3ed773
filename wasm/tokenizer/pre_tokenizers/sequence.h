// HF pre_tokenizers Sequence: applies each pre-tokenizer in order.
#pragma once
#include <memory>
#include <vector>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> items) : items_(std::move(items)) {}
  void pre_tokenize(PreTokenizedString& s) const override {
    for (const auto& p : items_) p->pre_tokenize(s);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> items_;
};

}  // namespace wasmbed::tok
