#include "tokenizer/pre_tokenizers/metaspace.h"

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

PrependScheme prepend_scheme_from_string(std::string_view name) {
  if (name == "first") return PrependScheme::kFirst;
  if (name == "always") return PrependScheme::kAlways;
  if (name == "never") return PrependScheme::kNever;
  fail(ErrorCode::kParse, "tokenizer.json: unknown Metaspace prepend_scheme '" + std::string(name) + "'");
}

Metaspace::Metaspace(char32_t replacement, PrependScheme scheme, bool split)
    : replacement_(replacement), replacement_utf8_(unicode::to_utf8(replacement)), scheme_(scheme), split_(split) {}

void Metaspace::pre_tokenize(PreTokenizedString& s) const {
  s.split([&](size_t, NormalizedString&& n) -> std::vector<NormalizedString> {
    n.replace(" ", replacement_utf8_);
    const bool starts_with_rep = n.get().compare(0, replacement_utf8_.size(), replacement_utf8_) == 0;
    switch (scheme_) {
      case PrependScheme::kAlways:
        if (!starts_with_rep) n.prepend(replacement_utf8_);
        break;
      case PrependScheme::kFirst:
        // Only the piece that starts the original input (not one after an added token).
        if (!starts_with_rep && n.offsets_original().first == 0) n.prepend(replacement_utf8_);
        break;
      case PrependScheme::kNever:
        break;
    }
    if (!split_) return {std::move(n)};
    const char32_t rep = replacement_;
    return n.split(find_matches_char(n.get(), [rep](char32_t c) { return c == rep; }),
                   SplitDelimiterBehavior::kMergedWithNext);
  });
}

}  // namespace wasmbed::tok
