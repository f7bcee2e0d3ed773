#include "tokenizer/added_vocabulary.h"

#include <algorithm>

#include "common/error.h"
#include "tokenizer/models/model.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/unicode.h"
#include "utf8proc.h"

namespace wasmbed::tok {

namespace {

// Rust regex `\w` (Unicode): Alphabetic | M* | Nd | Pc | Join_Control. Alphabetic is L* + Nl +
// Other_Alphabetic; the Other_Alphabetic chars are marks (covered by M*) except the circled
// letters U+24B6..U+24E9.
bool is_word_char(char32_t c) {
  if (c == 0x200C || c == 0x200D || (c >= 0x24B6 && c <= 0x24E9)) return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

// Rust regex `\w$` on sentence[..end]: is the char before `end` a word char?
bool ends_with_word(std::string_view s, size_t end) {
  if (end == 0) return false;
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  size_t len = 0;
  return is_word_char(unicode::decode(s.substr(0, end), start, len));
}

// Rust regex `^\w` on sentence[start..].
bool starts_with_word(std::string_view s, size_t start) {
  if (start >= s.size()) return false;
  size_t len = 0;
  return is_word_char(unicode::decode(s, start, len));
}

// Start of the whitespace run that ends at `end` (Rust `\s*$` on sentence[..end]).
size_t space_leftmost_at_end(std::string_view s, size_t end) {
  size_t pos = end;
  while (pos > 0) {
    size_t start = pos - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    size_t len = 0;
    if (!unicode::is_whitespace(unicode::decode(s.substr(0, pos), start, len))) break;
    pos = start;
  }
  return pos;
}

// Length of the whitespace run starting at `start` (Rust `^\s*` on sentence[start..]).
size_t space_rightmost_at_start(std::string_view s, size_t start) {
  size_t pos = start;
  while (pos < s.size()) {
    size_t len = 0;
    if (!unicode::is_whitespace(unicode::decode(s, pos, len))) break;
    pos += len;
  }
  return pos - start;
}

}  // namespace

int32_t AddedVocabulary::token_to_id(std::string_view token, const Model& model) const {
  auto it = map_.find(std::string(token));
  if (it != map_.end()) return it->second;
  return model.token_to_id(token);
}

const AddedToken* AddedVocabulary::added_token(int32_t id) const {
  auto it = map_r_.find(id);
  return it == map_r_.end() ? nullptr : &it->second;
}

size_t AddedVocabulary::count_outside_model(const Model& model) const {
  size_t n = 0;
  for (const auto& [content, id] : map_) n += model.token_to_id(content) < 0;
  return n;
}

size_t AddedVocabulary::add_tokens(const std::vector<AddedToken>& tokens, const Model& model, const Normalizer* normalizer) {
  for (const AddedToken& t : tokens) {
    if (t.special && !t.content.empty() && !special_set_.count(t.content)) {
      special_.push_back(t);
      special_set_.insert(t.content);
    }
  }
  size_t ignored = 0;
  for (const AddedToken& t : tokens) {
    bool duplicate = t.content.empty();
    for (const auto& [id, existing] : map_r_) duplicate = duplicate || existing == t;
    if (duplicate) {
      ++ignored;
      continue;
    }
    int32_t id = token_to_id(t.content, model);
    if (id < 0) {
      const int32_t vocab = static_cast<int32_t>(model.vocab_size());
      int32_t max_id = -1;
      for (const auto& [content, v] : map_) max_id = std::max(max_id, v);
      if (max_id < 0) id = vocab;
      else id = (max_id >= vocab || vocab == 0) ? max_id + 1 : vocab;
    }
    map_[t.content] = id;
    map_r_[id] = t;
    if (!special_set_.count(t.content)) added_.push_back(t);
  }
  refresh(model, normalizer);
  return tokens.size() - ignored;
}

void AddedVocabulary::refresh(const Model& model, const Normalizer* normalizer) {
  raw_ = Matcher();
  normalized_ = Matcher();
  auto add = [&](const AddedToken& t) {
    const int32_t id = token_to_id(t.content, model);
    if (id < 0) fail(ErrorCode::kInternal, "added token '" + t.content + "' has no id");
    Matcher& m = t.normalized ? normalized_ : raw_;
    std::string pattern = t.content;
    if (t.normalized && normalizer) {
      NormalizedString ns(t.content);
      normalizer->normalize(ns);
      pattern = ns.get();
    }
    if (pattern.empty()) return;  // an empty pattern never matches (Aho-Corasick would match everywhere; HF skips empty contents)
    // Aho-Corasick reports the first pattern among identical ones: keep the first insertion.
    if (m.trie.find(pattern) >= 0) return;
    m.trie.insert(pattern, static_cast<int32_t>(m.ids.size()));
    m.ids.push_back(id);
    m.empty = false;
  };
  for (const AddedToken& t : special_) add(t);
  for (const AddedToken& t : added_) add(t);
  raw_.trie.freeze();
  normalized_.trie.freeze();
}

std::vector<std::pair<int32_t, Range>> AddedVocabulary::find_matches(std::string_view sentence, const Matcher& m) const {
  if (sentence.empty()) return {{-1, {0, 0}}};
  std::vector<std::pair<int32_t, Range>> splits;
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < sentence.size()) {
    size_t best_len = 0;
    int32_t best = -1;
    if (!m.empty) {
      m.trie.common_prefixes(sentence, pos, [&](size_t len, int32_t idx) {
        best_len = len;
        best = idx;
        return true;
      });
    }
    if (best < 0) {
      ++pos;
      continue;
    }
    size_t start = pos, stop = pos + best_len;
    pos = stop;  // the next search starts after this match, kept or not
    const int32_t id = m.ids[best];
    const AddedToken* tok = added_token(id);
    if (!tok) continue;
    if (tok->single_word) {
      const bool start_space = start == 0 || !ends_with_word(sentence, start);
      const bool stop_space = stop == sentence.size() || !starts_with_word(sentence, stop);
      if (!start_space || !stop_space) continue;
    }
    if (tok->lstrip) start = std::max(space_leftmost_at_end(sentence, start), start_offset);
    if (tok->rstrip) stop += space_rightmost_at_start(sentence, stop);
    if (start_offset < start) splits.push_back({-1, {start_offset, start}});
    splits.push_back({id, {start, stop}});
    start_offset = stop;
  }
  if (start_offset != sentence.size()) splits.push_back({-1, {start_offset, sentence.size()}});
  return splits;
}

std::vector<NormalizedString> AddedVocabulary::split_with_indices(NormalizedString&& s, const Matcher& m,
                                                                  std::vector<std::optional<Token>>& tokens) const {
  std::vector<NormalizedString> out;
  tokens.clear();
  for (const auto& [id, range] : find_matches(s.get(), m)) {
    std::optional<NormalizedString> slice = s.slice_normalized(range);
    if (!slice) fail(ErrorCode::kInternal, "AddedVocabulary: bad split");
    if (id >= 0) {
      const std::string value = slice->get();
      tokens.push_back(Token{id, value, {0, value.size()}});
    } else {
      tokens.push_back(std::nullopt);
    }
    out.push_back(std::move(*slice));
  }
  return out;
}

bool AddedVocabulary::raw_token_in(std::string_view text) const {
  if (raw_.empty) return false;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    bool hit = false;
    raw_.trie.common_prefixes(text, pos, [&](size_t, int32_t) { return !(hit = true); });
    if (hit) return true;
  }
  return false;
}

PreTokenizedString AddedVocabulary::extract_and_normalize(const Normalizer* normalizer, std::string_view text) const {
  PreTokenizedString pre(text);
  // Pieces that are added tokens get their token right away; PreTokenizedString::split drops
  // empty pieces and keeps tokenized splits out of later passes.
  auto run = [&](bool normalize_first, const Matcher& m) {
    std::vector<Split> result;
    for (Split& split : pre.splits()) {
      if (split.tokens) {
        result.push_back(std::move(split));
        continue;
      }
      NormalizedString ns = std::move(split.normalized);
      if (normalize_first && normalizer) normalizer->normalize(ns);
      std::vector<std::optional<Token>> toks;
      std::vector<NormalizedString> pieces = split_with_indices(std::move(ns), m, toks);
      for (size_t i = 0; i < pieces.size(); ++i) {
        if (pieces[i].empty()) continue;
        Split out{std::move(pieces[i]), std::nullopt};
        if (toks[i]) out.tokens = std::vector<Token>{*toks[i]};
        result.push_back(std::move(out));
      }
    }
    pre.splits() = std::move(result);
  };
  run(false, raw_);
  run(true, normalized_);
  return pre;
}

}  // namespace wasmbed::tok
