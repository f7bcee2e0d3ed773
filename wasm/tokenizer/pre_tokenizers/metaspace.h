// HF Metaspace: spaces -> `replacement` (default U+2581 "▁"), optional prefix, optional split
// before each replacement (MergedWithNext).
#pragma once
#include <string>
#include <string_view>

#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace wasmbed::tok {

// first: prepend only to the first split of the input (when it is at offset 0 of the
// original); always: every split; never: no prefix. Legacy add_prefix_space=true == always.
enum class PrependScheme { kFirst, kAlways, kNever };
PrependScheme prepend_scheme_from_string(std::string_view name);  // "first"/"always"/"never"

class Metaspace : public PreTokenizer {
 public:
  Metaspace(char32_t replacement, PrependScheme scheme, bool split);
  void pre_tokenize(PreTokenizedString& s) const override;
  char32_t replacement() const { return replacement_; }
  PrependScheme prepend_scheme() const { return scheme_; }
  bool split() const { return split_; }

 private:
  char32_t replacement_;
  std::string replacement_utf8_;
  PrependScheme scheme_;
  bool split_;
};

}  // namespace wasmbed::tok
