// NormalizedString: the original input, its normalized form, and for every normalized BYTE the
// original byte range it came from — a C++ port of HF tokenizers' tokenizer/normalizer.rs, so
// offsets survive any chain of normalizers and splits exactly as they do in HF.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tokenizer/token.h"

namespace wasmbed::tok {

class Regex;

// What to do with the delimiters a pattern matches (HF SplitDelimiterBehavior). With input
// "the-final--countdown" split on '-':
//   kRemoved            -> "the" "final" "countdown"
//   kIsolated           -> "the" "-" "final" "-" "-" "countdown"
//   kMergedWithPrevious -> "the-" "final-" "-" "countdown"
//   kMergedWithNext     -> "the" "-final" "-" "-countdown"
//   kContiguous         -> "the" "-" "final" "--" "countdown"
enum class SplitDelimiterBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

// Parses the tokenizer.json spelling ("Removed", "Isolated", ...); throws kParse otherwise.
SplitDelimiterBehavior split_behavior_from_string(std::string_view name);

// One character of a transformed normalized string plus how it relates to the old one
// (HF's (char, isize) pairs):  0 = replaces the current char,  1 = newly inserted char,
// -N = replaces the current char and removes the N chars that follow it.
struct CharChange {
  char32_t c;
  int change;
};

// A pattern's verdict over a whole string: consecutive byte ranges covering [0, len) in order,
// each flagged true when it is a match (a delimiter). HF Pattern::find_matches.
using PatternMatches = std::vector<std::pair<Range, bool>>;

// Matches of single chars for which `pred` holds (each matching char is its own match).
PatternMatches find_matches_char(std::string_view text, const std::function<bool(char32_t)>& pred);
// Non-overlapping occurrences of a literal string (empty literal -> one non-match over all).
PatternMatches find_matches_string(std::string_view text, std::string_view literal);
// Regex matches (empty matches are ignored, as HF does).
PatternMatches find_matches_regex(std::string_view text, const Regex& regex);
// Flips every flag (HF Invert pattern).
PatternMatches invert_matches(PatternMatches matches);

class NormalizedString {
 public:
  NormalizedString() = default;
  // Takes ANY bytes. Invalid UTF-8 sequences become U+FFFD in the normalized string (maximal
  // subpart rule, like TextDecoder), each aligned to the original bytes it replaced, so the
  // normalized string is always valid UTF-8 and offsets still point into the caller's bytes.
  explicit NormalizedString(std::string_view original);

  // The normalized text (always valid UTF-8).
  const std::string& get() const { return normalized_; }
  // The original bytes this string covers (a slice keeps only its part).
  const std::string& get_original() const { return original_; }
  size_t len() const { return normalized_.size(); }
  size_t len_original() const { return original_.size(); }
  bool empty() const { return normalized_.empty(); }
  // For each normalized byte, the original byte range (relative to get_original()).
  const std::vector<Range>& alignments() const { return alignments_; }
  // Where get_original() starts inside the full input (non-zero for slices).
  size_t original_shift() const { return original_shift_; }
  // This string's extent in the full input: {shift, shift + len_original()}.
  Range offsets_original() const { return {original_shift_, original_shift_ + original_.size()}; }

  // Normalized byte range -> original byte range relative to get_original() (HF
  // convert_offsets(Range::Normalized)). Empty input range returns itself; nullopt when out of
  // bounds. Add original_shift() for a position in the full input.
  std::optional<Range> original_range(Range normalized) const;
  // Same, but already shifted to the full input (what tokens' offsets need).
  std::optional<Range> absolute_original_range(Range normalized) const;
  // Original byte range (relative) -> normalized byte range (HF convert_offsets(Range::Original)).
  std::optional<Range> normalized_range(Range original) const;

  // Sub-string by normalized / original byte range, alignments kept and rebased; nullopt when
  // the range is out of bounds or not on UTF-8 char boundaries (HF slice).
  std::optional<NormalizedString> slice_normalized(Range normalized) const;
  std::optional<NormalizedString> slice_original(Range original) const;

  // Replaces normalized bytes [range) by `dest` (see CharChange), fixing alignments.
  // `initial_offset` = number of chars removed at the very start of the range (HF transform_range).
  void transform_range(Range normalized, const std::vector<CharChange>& dest, size_t initial_offset);
  // transform_range over the whole normalized string.
  void transform(const std::vector<CharChange>& dest, size_t initial_offset);

  // Unicode normalization forms of the normalized string (utf8proc), alignments per char.
  NormalizedString& nfd();
  NormalizedString& nfkd();
  NormalizedString& nfc();
  NormalizedString& nfkc();
  // Keeps only chars for which `keep` holds.
  NormalizedString& filter(const std::function<bool(char32_t)>& keep);
  // Maps every char to one char.
  NormalizedString& map(const std::function<char32_t(char32_t)>& fn);
  // Rust char::to_lowercase per char (full mapping; no final-sigma rule, as in HF).
  NormalizedString& lowercase();
  // Inserts text before / after; new chars align to the first / last char's original range.
  NormalizedString& prepend(std::string_view s);
  NormalizedString& append(std::string_view s);
  // Replaces every match (literal or regex) with `content` (HF NormalizedString::replace).
  NormalizedString& replace(std::string_view literal, std::string_view content);
  NormalizedString& replace(const Regex& regex, std::string_view content);
  // Removes leading / trailing whitespace (Rust char::is_whitespace).
  NormalizedString& lstrip();
  NormalizedString& rstrip();
  NormalizedString& strip();
  // Empties the normalized string (alignments too); returns how many bytes were removed.
  size_t clear();

  // Splits by pattern matches computed on get() (HF NormalizedString::split).
  std::vector<NormalizedString> split(const PatternMatches& matches, SplitDelimiterBehavior behavior) const;

 private:
  NormalizedString& lrstrip(bool left, bool right);

  std::string original_;
  std::string normalized_;
  std::vector<Range> alignments_;
  size_t original_shift_ = 0;
};

}  // namespace wasmbed::tok
