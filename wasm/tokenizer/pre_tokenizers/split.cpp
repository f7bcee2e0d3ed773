#include "tokenizer/pre_tokenizers/split.h"

namespace wasmbed::tok {

std::unique_ptr<SplitPreTokenizer> SplitPreTokenizer::literal(std::string_view pattern, SplitDelimiterBehavior behavior,
                                                              bool invert) {
  return std::unique_ptr<SplitPreTokenizer>(new SplitPreTokenizer(std::string(pattern), nullptr, behavior, invert));
}

std::unique_ptr<SplitPreTokenizer> SplitPreTokenizer::regex(std::string_view pattern, SplitDelimiterBehavior behavior,
                                                            bool invert) {
  return std::unique_ptr<SplitPreTokenizer>(
      new SplitPreTokenizer(std::string(), std::make_unique<Regex>(pattern), behavior, invert));
}

void SplitPreTokenizer::pre_tokenize(PreTokenizedString& s) const {
  s.split([&](size_t, NormalizedString&& n) {
    // HF compiles a String pattern into an escaped regex; a literal search finds the same
    // non-overlapping leftmost matches.
    PatternMatches m = regex_ ? find_matches_regex(n.get(), *regex_) : find_matches_string(n.get(), literal_);
    if (invert_) m = invert_matches(std::move(m));
    return n.split(m, behavior_);
  });
}

}  // namespace wasmbed::tok
