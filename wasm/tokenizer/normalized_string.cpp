#include "tokenizer/normalized_string.h"

#include <algorithm>

#include "common/error.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Valid UTF-8 only (the normalized string always is).
bool is_char_boundary(const std::string& s, size_t pos) {
  return pos == 0 || pos == s.size() || (pos < s.size() && !is_continuation(static_cast<unsigned char>(s[pos])));
}

// Decodes valid UTF-8 (the normalized string) into chars.
std::vector<char32_t> chars_of(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t len;
    out.push_back(unicode::decode(s, i, len));
    i += len;
  }
  return out;
}

}  // namespace

SplitDelimiterBehavior split_behavior_from_string(std::string_view name) {
  if (name == "Removed") return SplitDelimiterBehavior::kRemoved;
  if (name == "Isolated") return SplitDelimiterBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitDelimiterBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitDelimiterBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitDelimiterBehavior::kContiguous;
  fail(ErrorCode::kParse, "tokenizer.json: unknown split behavior '" + std::string(name) + "'");
}

PatternMatches find_matches_char(std::string_view text, const std::function<bool(char32_t)>& pred) {
  if (text.empty()) return {{{0, 0}, false}};
  PatternMatches matches;
  size_t last_offset = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t len;
    const char32_t c = unicode::decode(text, i, len);
    if (pred(c)) {
      if (last_offset < i) matches.push_back({{last_offset, i}, false});
      matches.push_back({{i, i + len}, true});
      last_offset = i + len;
    }
    i += len;
  }
  if (text.size() > last_offset) matches.push_back({{last_offset, text.size()}, false});
  return matches;
}

PatternMatches find_matches_string(std::string_view text, std::string_view literal) {
  if (literal.empty()) return {{{0, text.size()}, false}};
  if (text.empty()) return {{{0, 0}, false}};
  PatternMatches matches;
  size_t prev = 0;
  size_t pos = text.find(literal);
  while (pos != std::string_view::npos) {
    if (prev != pos) matches.push_back({{prev, pos}, false});
    matches.push_back({{pos, pos + literal.size()}, true});
    prev = pos + literal.size();
    pos = text.find(literal, prev);
  }
  if (prev != text.size()) matches.push_back({{prev, text.size()}, false});
  return matches;
}

PatternMatches find_matches_regex(std::string_view text, const Regex& regex) {
  if (text.empty()) return {{{0, 0}, false}};
  PatternMatches matches;
  size_t prev = 0;
  for (const Range& m : regex.find_all(text)) {
    if (prev != m.first) matches.push_back({{prev, m.first}, false});
    matches.push_back({m, true});
    prev = m.second;
  }
  if (prev != text.size()) matches.push_back({{prev, text.size()}, false});
  return matches;
}

PatternMatches invert_matches(PatternMatches matches) {
  for (auto& m : matches) m.second = !m.second;
  return matches;
}

NormalizedString::NormalizedString(std::string_view original) : original_(original) {
  const bool valid = unicode::is_valid_utf8(original);
  normalized_ = valid ? original_ : unicode::sanitize_utf8(original);
  alignments_.reserve(normalized_.size());
  size_t i = 0;
  while (i < original.size()) {
    size_t len;
    const char32_t c = unicode::decode(original, i, len);
    // Every normalized byte of this char (U+FFFD = 3 bytes for invalid input) points at the
    // original bytes it stands for.
    const size_t out_len = valid ? len : unicode::utf8_len(c);
    for (size_t k = 0; k < out_len; ++k) alignments_.emplace_back(i, i + len);
    i += len;
  }
}

std::optional<Range> NormalizedString::original_range(Range target) const {
  if (target.first == target.second) return target;
  if (target.first > target.second) return std::nullopt;
  if (normalized_.empty() && target == Range{0, 0}) return Range{0, original_.size()};
  if (target.second > alignments_.size()) return std::nullopt;
  return Range{alignments_[target.first].first, alignments_[target.second - 1].second};
}

std::optional<Range> NormalizedString::absolute_original_range(Range normalized) const {
  auto r = original_range(normalized);
  if (!r) return r;
  return Range{r->first + original_shift_, r->second + original_shift_};
}

std::optional<Range> NormalizedString::normalized_range(Range target) const {
  if (target.first == target.second) return target;
  if (target.first > target.second) return std::nullopt;
  if (original_.empty() && target == Range{0, 0}) return Range{0, normalized_.size()};
  // Port of HF convert_offsets(Range::Original): the first aligned byte starting at or after
  // target.first (ignoring zero-width alignments) to the last one ending at or before target.second.
  std::optional<size_t> start, end;
  for (size_t i = 0; i < alignments_.size(); ++i) {
    const Range& a = alignments_[i];
    if (target.second < a.second) break;
    if (!start && target.first <= a.first && a.first != a.second) start = i;
    end = i + 1;
  }
  if (start && end) return Range{*start, *end};
  if (start) return Range{*start, *start};
  if (end) return Range{*end, *end};
  return std::nullopt;
}

std::optional<NormalizedString> NormalizedString::slice_normalized(Range r) const {
  if (r.first > r.second || r.second > normalized_.size()) return std::nullopt;
  if (!is_char_boundary(normalized_, r.first) || !is_char_boundary(normalized_, r.second)) return std::nullopt;
  auto orig = original_range(r);
  if (!orig) return std::nullopt;
  NormalizedString out;
  // An empty normalized range maps to the same numbers in HF; clamp so the slice stays valid.
  const size_t o_start = std::min(orig->first, original_.size());
  const size_t o_end = std::max(o_start, std::min(orig->second, original_.size()));
  out.original_ = original_.substr(o_start, o_end - o_start);
  out.normalized_ = normalized_.substr(r.first, r.second - r.first);
  out.alignments_.reserve(r.second - r.first);
  for (size_t i = r.first; i < r.second; ++i) {
    const Range& a = alignments_[i];
    out.alignments_.emplace_back(a.first >= o_start ? a.first - o_start : 0, a.second >= o_start ? a.second - o_start : 0);
  }
  out.original_shift_ = original_shift_ + o_start;
  return out;
}

std::optional<NormalizedString> NormalizedString::slice_original(Range r) const {
  if (r.first > r.second || r.second > original_.size()) return std::nullopt;
  auto norm = normalized_range(r);
  if (!norm || norm->second > normalized_.size()) return std::nullopt;
  NormalizedString out;
  out.original_ = original_.substr(r.first, r.second - r.first);
  out.normalized_ = normalized_.substr(norm->first, norm->second - norm->first);
  for (size_t i = norm->first; i < norm->second; ++i) {
    const Range& a = alignments_[i];
    out.alignments_.emplace_back(a.first >= r.first ? a.first - r.first : 0, a.second >= r.first ? a.second - r.first : 0);
  }
  out.original_shift_ = original_shift_ + r.first;
  return out;
}

void NormalizedString::transform_range(Range n_range, const std::vector<CharChange>& dest, size_t initial_offset) {
  n_range.second = std::min(n_range.second, normalized_.size());
  n_range.first = std::min(n_range.first, n_range.second);
  // Port of HF transform_range: walk the replaced chars alongside `dest`, taking each new
  // char's alignment from the char it replaces (or the previous one for insertions).
  const std::string_view old(normalized_.data() + n_range.first, n_range.second - n_range.first);
  size_t cursor = 0;  // byte position in `old` of the next replaced char
  const auto next_char_len = [&]() -> size_t {
    if (cursor >= old.size()) return 0;
    size_t len;
    unicode::decode(old, cursor, len);
    cursor += len;
    return len;
  };
  size_t initial_removed = 0;
  for (size_t k = 0; k < initial_offset; ++k) initial_removed += next_char_len();

  size_t offset = initial_removed + n_range.first;
  std::string out;
  out.reserve(old.size());
  std::vector<Range> aligns;
  aligns.reserve(old.size());
  const Range fallback = alignments_.empty() ? Range{0, 0} : alignments_.back();
  for (const CharChange& ch : dest) {
    Range align;
    if (ch.change > 0) {
      align = offset < 1 ? Range{0, 0} : (offset - 1 < alignments_.size() ? alignments_[offset - 1] : fallback);
    } else {
      align = offset < alignments_.size() ? alignments_[offset] : fallback;
    }
    size_t replaced_size = ch.change <= 0 ? next_char_len() : 0;
    size_t removed = 0;
    if (ch.change < 0)
      for (int k = 0; k < -ch.change; ++k) removed += next_char_len();
    offset += replaced_size + removed;
    const size_t before = out.size();
    unicode::append_utf8(out, ch.c);
    aligns.insert(aligns.end(), out.size() - before, align);
  }
  alignments_.erase(alignments_.begin() + n_range.first, alignments_.begin() + n_range.second);
  alignments_.insert(alignments_.begin() + n_range.first, aligns.begin(), aligns.end());
  normalized_.replace(n_range.first, n_range.second - n_range.first, out);
}

void NormalizedString::transform(const std::vector<CharChange>& dest, size_t initial_offset) {
  transform_range({0, normalized_.size()}, dest, initial_offset);
}

NormalizedString& NormalizedString::filter(const std::function<bool(char32_t)>& keep) {
  // Fast path: nothing to remove (the common case for clean text) costs one scan, no allocation.
  size_t i = 0;
  bool any_removed = false;
  while (i < normalized_.size() && !any_removed) {
    size_t len;
    any_removed = !keep(unicode::decode(normalized_, i, len));
    i += len;
  }
  if (!any_removed) return *this;
  const auto chars = chars_of(normalized_);
  std::vector<CharChange> rev;
  rev.reserve(chars.size());
  int removed = 0;
  for (size_t k = chars.size(); k-- > 0;) {
    if (keep(chars[k])) {
      rev.push_back({chars[k], -removed});
      removed = 0;
    } else {
      ++removed;
    }
  }
  std::reverse(rev.begin(), rev.end());
  transform(rev, static_cast<size_t>(removed));
  return *this;
}

NormalizedString& NormalizedString::map(const std::function<char32_t(char32_t)>& fn) {
  // A char replaced by one of the same UTF-8 length keeps its bytes' alignments, so such maps
  // are done in place; only a length change needs the general transform.
  std::string out;
  bool changed = false, same_lengths = true;
  size_t i = 0;
  while (i < normalized_.size()) {
    size_t len;
    const char32_t c = unicode::decode(normalized_, i, len);
    const char32_t m = fn(c);
    if (m != c) {
      if (!changed) out.assign(normalized_, 0, i);
      changed = true;
      same_lengths &= unicode::utf8_len(m) == len;
    }
    if (changed) unicode::append_utf8(out, m);
    i += len;
  }
  if (!changed) return *this;
  if (same_lengths) {
    normalized_ = std::move(out);
    return *this;
  }
  const auto chars = chars_of(normalized_);
  std::vector<CharChange> dest;
  dest.reserve(chars.size());
  for (char32_t c : chars) dest.push_back({fn(c), 0});
  transform(dest, 0);
  return *this;
}

NormalizedString& NormalizedString::lowercase() {
  // Lowercasing that keeps every char's UTF-8 length (ASCII, Cyrillic, most Latin/Greek) leaves
  // alignments untouched and is done in place; otherwise fall back to HF's transform.
  std::string out;
  out.reserve(normalized_.size());
  bool same_lengths = true;
  size_t i = 0;
  while (i < normalized_.size() && same_lengths) {
    const unsigned char b = static_cast<unsigned char>(normalized_[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
      ++i;
      continue;
    }
    size_t len;
    const char32_t c = unicode::decode(normalized_, i, len);
    const size_t before = out.size();
    unicode::append_lowercase(out, c);
    same_lengths = out.size() - before == len;
    i += len;
  }
  if (same_lengths) {
    normalized_ = std::move(out);
    return *this;
  }
  std::vector<CharChange> dest;
  dest.reserve(normalized_.size());
  std::string tmp;
  i = 0;
  while (i < normalized_.size()) {
    size_t len;
    const char32_t c = unicode::decode(normalized_, i, len);
    i += len;
    tmp.clear();
    unicode::append_lowercase(tmp, c);
    size_t j = 0, k = 0;
    while (j < tmp.size()) {
      size_t l;
      dest.push_back({unicode::decode(tmp, j, l), k == 0 ? 0 : 1});
      j += l;
      ++k;
    }
  }
  transform(dest, 0);
  return *this;
}

NormalizedString& NormalizedString::prepend(std::string_view s) {
  if (normalized_.empty() || s.empty()) return *this;
  size_t first_len;
  const char32_t next = unicode::decode(normalized_, 0, first_len);
  std::vector<CharChange> dest;
  const auto chars = chars_of(unicode::sanitize_utf8(s));
  for (size_t i = 0; i < chars.size(); ++i) dest.push_back({chars[i], i == 0 ? 0 : 1});
  dest.push_back({next, 1});
  transform_range({0, first_len}, dest, 0);
  return *this;
}

NormalizedString& NormalizedString::append(std::string_view s) {
  if (normalized_.empty() || s.empty()) return *this;
  size_t b = normalized_.size() - 1;
  while (b > 0 && is_continuation(static_cast<unsigned char>(normalized_[b]))) --b;
  size_t len;
  const char32_t prev = unicode::decode(normalized_, b, len);
  std::vector<CharChange> dest{{prev, 0}};
  for (char32_t c : chars_of(unicode::sanitize_utf8(s))) dest.push_back({c, 1});
  transform_range({b, normalized_.size()}, dest, 0);
  return *this;
}

namespace {

// HF NormalizedString::replace over precomputed matches, in ONE pass (as HF's current replace,
// which inlines transform_range): the text between matches is copied with its alignments, and
// every char of `content` is a new char (change +1) aligned like the last byte of the match it
// replaces ((0, 0) for an empty match at 0). Splicing per match was O(n) each, so Metaspace's
// replace(" ", "▁") was quadratic in the number of spaces.
void replace_matches(std::string& normalized, std::vector<Range>& alignments, const PatternMatches& matches,
                     std::string_view content) {
  bool any = false;
  for (const auto& m : matches) any = any || m.second;
  if (!any) return;
  const std::string repl = unicode::sanitize_utf8(content);
  std::string out;
  std::vector<Range> aligns;
  out.reserve(normalized.size());
  aligns.reserve(alignments.size());
  size_t last = 0;
  for (const auto& [range, is_match] : matches) {
    if (!is_match) continue;
    out.append(normalized, last, range.first - last);
    aligns.insert(aligns.end(), alignments.begin() + last, alignments.begin() + range.first);
    Range align{0, 0};
    if (range.second >= 1) align = range.second - 1 < alignments.size() ? alignments[range.second - 1] : alignments.back();
    out += repl;
    aligns.insert(aligns.end(), repl.size(), align);
    last = range.second;
  }
  out.append(normalized, last, std::string::npos);
  aligns.insert(aligns.end(), alignments.begin() + std::min(last, alignments.size()), alignments.end());
  normalized = std::move(out);
  alignments = std::move(aligns);
}

}  // namespace

NormalizedString& NormalizedString::replace(std::string_view literal, std::string_view content) {
  replace_matches(normalized_, alignments_, find_matches_string(normalized_, literal), content);
  return *this;
}

NormalizedString& NormalizedString::replace(const Regex& regex, std::string_view content) {
  replace_matches(normalized_, alignments_, find_matches_regex(normalized_, regex), content);
  return *this;
}

NormalizedString& NormalizedString::lstrip() { return lrstrip(true, false); }
NormalizedString& NormalizedString::rstrip() { return lrstrip(false, true); }
NormalizedString& NormalizedString::strip() { return lrstrip(true, true); }

NormalizedString& NormalizedString::lrstrip(bool left, bool right) {
  const auto chars = chars_of(normalized_);
  size_t leading = 0, trailing = 0;
  if (left)
    while (leading < chars.size() && unicode::is_whitespace(chars[leading])) ++leading;
  if (right)
    while (trailing < chars.size() && unicode::is_whitespace(chars[chars.size() - 1 - trailing])) ++trailing;
  if (leading == 0 && trailing == 0) return *this;
  // Keep chars [leading, keep_end); the last kept char carries the removal of the trailing
  // whitespace (HF counts chars here; an all-whitespace string is emptied).
  const size_t keep_end = chars.size() - trailing;
  std::vector<CharChange> dest;
  for (size_t i = leading; i < keep_end; ++i)
    dest.push_back({chars[i], i + 1 == keep_end ? -static_cast<int>(trailing) : 0});
  transform(dest, leading);
  return *this;
}

size_t NormalizedString::clear() {
  const size_t len = normalized_.size();
  transform({}, len);
  // transform() consumes chars, not bytes; make sure nothing survives for multi-byte text.
  normalized_.clear();
  alignments_.clear();
  return len;
}

std::vector<NormalizedString> NormalizedString::split(const PatternMatches& matches,
                                                      SplitDelimiterBehavior behavior) const {
  // (range, remove?) per HF split.
  std::vector<std::pair<Range, bool>> splits;
  splits.reserve(matches.size());
  using B = SplitDelimiterBehavior;
  switch (behavior) {
    case B::kIsolated:
      for (const auto& m : matches) splits.push_back({m.first, false});
      break;
    case B::kRemoved:
      splits = matches;
      break;
    case B::kContiguous: {
      bool previous_match = false;
      for (const auto& [r, is_match] : matches) {
        if (is_match == previous_match && !splits.empty())
          splits.back().first.second = r.second;
        else
          splits.push_back({r, false});
        previous_match = is_match;
      }
      break;
    }
    case B::kMergedWithPrevious: {
      bool previous_match = false;
      for (const auto& [r, is_match] : matches) {
        if (is_match && !previous_match && !splits.empty())
          splits.back().first.second = r.second;
        else
          splits.push_back({r, false});
        previous_match = is_match;
      }
      break;
    }
    case B::kMergedWithNext: {
      bool previous_match = false;
      for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        const auto& [r, is_match] = *it;
        if (is_match && !previous_match && !splits.empty())
          splits.back().first.first = r.first;
        else
          splits.push_back({r, false});
        previous_match = is_match;
      }
      std::reverse(splits.begin(), splits.end());
      break;
    }
  }
  std::vector<NormalizedString> out;
  out.reserve(splits.size());
  for (const auto& [r, remove] : splits) {
    if (remove) continue;
    auto piece = slice_normalized(r);
    if (!piece) fail(ErrorCode::kInternal, "NormalizedString: split produced a range off char boundaries");
    out.push_back(std::move(*piece));
  }
  return out;
}

}  // namespace wasmbed::tok
