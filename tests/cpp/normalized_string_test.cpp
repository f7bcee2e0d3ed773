// NormalizedString: alignments back to original bytes through every transformation, and the
// UTF-8 sanitising rule. Expected values follow HF tokenizers (tokenizer/normalizer.rs tests).
#include "tokenizer/normalized_string.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "tokenizer/regex.h"

using wasmbed::tok::NormalizedString;
using wasmbed::tok::PatternMatches;
using wasmbed::tok::Range;
using wasmbed::tok::SplitDelimiterBehavior;
namespace tok = wasmbed::tok;

namespace {

std::vector<std::string> texts(const std::vector<NormalizedString>& v) {
  std::vector<std::string> out;
  for (const auto& n : v) out.push_back(n.get());
  return out;
}

// Every normalized byte must point inside the original string.
void expect_alignments_in_range(const NormalizedString& n) {
  ASSERT_EQ(n.alignments().size(), n.len());
  for (const Range& a : n.alignments()) {
    EXPECT_LE(a.first, a.second);
    EXPECT_LE(a.second, n.len_original());
  }
}

}  // namespace

TEST(NormalizedString, AsciiIsIdentityWithPerByteAlignments) {
  NormalizedString n("Hello");
  EXPECT_EQ(n.get(), "Hello");
  EXPECT_EQ(n.get_original(), "Hello");
  ASSERT_EQ(n.alignments().size(), 5u);
  EXPECT_EQ(n.alignments()[3], Range(3, 4));
  EXPECT_EQ(n.original_range({1, 4}), Range(1, 4));
}

TEST(NormalizedString, MultiByteCharsAlignEachByteToTheWholeChar) {
  NormalizedString n("a한b");  // 한 = 3 bytes at [1, 4)
  ASSERT_EQ(n.len(), 5u);
  EXPECT_EQ(n.alignments()[1], Range(1, 4));
  EXPECT_EQ(n.alignments()[3], Range(1, 4));
  EXPECT_EQ(n.original_range({1, 4}), Range(1, 4));
  EXPECT_EQ(n.normalized_range({1, 4}), Range(1, 4));
}

TEST(NormalizedString, InvalidUtf8BecomesReplacementCharAlignedToTheBadBytes) {
  // 0xFF: invalid byte; E2 82 then 'A': truncated 3-byte sequence (one maximal subpart);
  // ED A0 80: an encoded surrogate = three separate errors (WHATWG / TextDecoder rule).
  const std::string raw = std::string("a\xFF") + "\xE2\x82" + "A" + "\xED\xA0\x80";
  NormalizedString n(raw);
  EXPECT_EQ(n.get_original(), raw);
  EXPECT_EQ(n.get(), "a\xEF\xBF\xBD\xEF\xBF\xBD" "A\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  expect_alignments_in_range(n);
  EXPECT_EQ(n.original_range({1, 4}), Range(1, 2));   // U+FFFD for 0xFF
  EXPECT_EQ(n.original_range({4, 7}), Range(2, 4));   // U+FFFD for E2 82
  EXPECT_EQ(n.original_range({7, 8}), Range(4, 5));   // 'A'
  EXPECT_EQ(n.original_range({8, 17}), Range(5, 8));  // the three surrogate-byte errors
  EXPECT_EQ(n.original_range({8, 11}), Range(5, 6));
}

TEST(NormalizedString, NfdHangulKeepsEveryJamoOnItsSyllable) {
  NormalizedString n("한국");
  n.nfd();
  EXPECT_EQ(n.get(), "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8");
  expect_alignments_in_range(n);
  EXPECT_EQ(n.original_range({0, 3}), Range(0, 3));    // ᄒ -> 한
  EXPECT_EQ(n.original_range({6, 9}), Range(0, 3));    // ᆫ -> 한
  EXPECT_EQ(n.original_range({9, 18}), Range(3, 6));   // 국
  n.nfc();
  EXPECT_EQ(n.get(), "한국");
  EXPECT_EQ(n.original_range({3, 6}), Range(3, 6));
}

TEST(NormalizedString, NfcComposesDecomposedHangulIntoOneSpan) {
  NormalizedString n("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB!");  // NFD 한 + '!'
  n.nfc();
  EXPECT_EQ(n.get(), "한!");
  EXPECT_EQ(n.original_range({0, 3}), Range(0, 3));
  EXPECT_EQ(n.original_range({3, 4}), Range(9, 10));
}

TEST(NormalizedString, NfkdExpandsLigatureAndCombiningMarks) {
  NormalizedString n("ﬁé");
  n.nfkd();
  EXPECT_EQ(n.get(), "fie\xCC\x81");
  EXPECT_EQ(n.original_range({0, 1}), Range(0, 3));
  EXPECT_EQ(n.original_range({1, 2}), Range(0, 3));
  EXPECT_EQ(n.original_range({2, 5}), Range(3, 5));
}

TEST(NormalizedString, FilterRemovesCharsAndKeepsNeighboursAligned) {
  NormalizedString n("e\xCC\x81x");  // e + U+0301 + x
  n.filter([](char32_t c) { return c != 0x301; });
  EXPECT_EQ(n.get(), "ex");
  EXPECT_EQ(n.original_range({0, 1}), Range(0, 1));
  EXPECT_EQ(n.original_range({1, 2}), Range(3, 4));
  NormalizedString lead("\xCC\x81\xCC\x81z");
  lead.filter([](char32_t c) { return c != 0x301; });
  EXPECT_EQ(lead.get(), "z");
  EXPECT_EQ(lead.original_range({0, 1}), Range(4, 5));
}

TEST(NormalizedString, LowercaseCyrillicAndDottedCapitalI) {
  NormalizedString n("ПРИВЕТ");
  n.lowercase();
  EXPECT_EQ(n.get(), "привет");
  EXPECT_EQ(n.original_range({2, 4}), Range(2, 4));
  NormalizedString i("İx");  // U+0130 lowercases to two chars: i + U+0307
  i.lowercase();
  EXPECT_EQ(i.get(), "i\xCC\x87x");
  EXPECT_EQ(i.original_range({0, 3}), Range(0, 2));
  EXPECT_EQ(i.original_range({3, 4}), Range(2, 3));
}

TEST(NormalizedString, StripKeepsOffsetsOfTheKeptText) {
  NormalizedString n("  é \t");
  n.strip();
  EXPECT_EQ(n.get(), "é");
  EXPECT_EQ(n.original_range({0, 2}), Range(2, 4));
  NormalizedString all("   ");
  all.strip();
  EXPECT_EQ(all.get(), "");
  NormalizedString l(" a ");
  l.lstrip();
  EXPECT_EQ(l.get(), "a ");
  EXPECT_EQ(l.original_range({1, 2}), Range(2, 3));
}

TEST(NormalizedString, PrependAndAppendAlignToTheirNeighbour) {
  NormalizedString n("ab");
  n.prepend("\xE2\x96\x81");  // ▁
  n.append("!");
  EXPECT_EQ(n.get(), "\xE2\x96\x81" "ab!");
  EXPECT_EQ(n.original_range({0, 3}), Range(0, 1));
  EXPECT_EQ(n.original_range({3, 4}), Range(0, 1));
  EXPECT_EQ(n.original_range({5, 6}), Range(1, 2));
  NormalizedString empty("");
  empty.prepend("x");
  EXPECT_EQ(empty.get(), "");
}

TEST(NormalizedString, ReplaceLiteralAndRegex) {
  NormalizedString n("a b  c");
  n.replace(" ", "\xE2\x96\x81");
  EXPECT_EQ(n.get(), "a\xE2\x96\x81" "b\xE2\x96\x81\xE2\x96\x81" "c");
  EXPECT_EQ(n.original_range({1, 4}), Range(1, 2));
  EXPECT_EQ(n.original_range({8, 11}), Range(4, 5));
  NormalizedString m("x   y");
  m.replace(tok::Regex(" {2,}"), " ");
  EXPECT_EQ(m.get(), "x y");
  // HF: replacement chars are insertions, aligned to the last char they replaced.
  EXPECT_EQ(m.original_range({1, 2}), Range(3, 4));
  EXPECT_EQ(m.original_range({2, 3}), Range(4, 5));
}

TEST(NormalizedString, SliceKeepsAlignmentsAndShift) {
  NormalizedString n("héllo wörld");
  n.lowercase();
  auto s = n.slice_normalized({7, 13});  // "wörld"
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->get(), "w\xC3\xB6rld");
  EXPECT_EQ(s->get_original(), "w\xC3\xB6rld");
  EXPECT_EQ(s->original_shift(), 7u);
  EXPECT_EQ(s->offsets_original(), Range(7, 13));
  EXPECT_EQ(s->absolute_original_range({1, 3}), Range(8, 10));
  EXPECT_FALSE(n.slice_normalized({2, 3}).has_value());  // inside 'é'
  EXPECT_FALSE(n.slice_normalized({0, 99}).has_value());
  auto o = n.slice_original({0, 3});
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->get(), "h\xC3\xA9");
}

TEST(NormalizedString, SplitBehaviorsMatchHfDocumentation) {
  NormalizedString n("the-final--countdown");
  const PatternMatches m = tok::find_matches_char(n.get(), [](char32_t c) { return c == '-'; });
  using B = SplitDelimiterBehavior;
  EXPECT_EQ(texts(n.split(m, B::kRemoved)), (std::vector<std::string>{"the", "final", "countdown"}));
  EXPECT_EQ(texts(n.split(m, B::kIsolated)), (std::vector<std::string>{"the", "-", "final", "-", "-", "countdown"}));
  EXPECT_EQ(texts(n.split(m, B::kMergedWithPrevious)), (std::vector<std::string>{"the-", "final-", "-", "countdown"}));
  EXPECT_EQ(texts(n.split(m, B::kMergedWithNext)), (std::vector<std::string>{"the", "-final", "-", "-countdown"}));
  EXPECT_EQ(texts(n.split(m, B::kContiguous)), (std::vector<std::string>{"the", "-", "final", "--", "countdown"}));
  const auto pieces = n.split(m, B::kIsolated);
  EXPECT_EQ(pieces[2].offsets_original(), Range(4, 9));
  EXPECT_EQ(tok::split_behavior_from_string("MergedWithNext"), B::kMergedWithNext);
  EXPECT_THROW(tok::split_behavior_from_string("Nope"), wasmbed::Error);
}

TEST(NormalizedString, PatternMatchesCoverTheWholeString) {
  EXPECT_EQ(tok::find_matches_string("aXbXX", "X"),
            (PatternMatches{{{0, 1}, false}, {{1, 2}, true}, {{2, 3}, false}, {{3, 4}, true}, {{4, 5}, true}}));
  EXPECT_EQ(tok::find_matches_string("", "X"), (PatternMatches{{{0, 0}, false}}));
  EXPECT_EQ(tok::find_matches_regex("ab12c", tok::Regex("\\d+")),
            (PatternMatches{{{0, 2}, false}, {{2, 4}, true}, {{4, 5}, false}}));
  EXPECT_EQ(tok::invert_matches({{{0, 1}, true}}), (PatternMatches{{{0, 1}, false}}));
}

TEST(NormalizedString, TransformRangeInsertAndRemove) {
  NormalizedString n("abc");
  // Replace "b" by "XY": X replaces b, Y is an insertion sharing b's alignment.
  n.transform_range({1, 2}, {{U'X', 0}, {U'Y', 1}}, 0);
  EXPECT_EQ(n.get(), "aXYc");
  EXPECT_EQ(n.original_range({1, 3}), Range(1, 2));
  EXPECT_EQ(n.original_range({3, 4}), Range(2, 3));
  // Remove "XY" (initial_offset 2 chars) and put nothing.
  n.transform_range({1, 3}, {}, 2);
  EXPECT_EQ(n.get(), "ac");
  EXPECT_EQ(n.original_range({1, 2}), Range(2, 3));
  EXPECT_EQ(n.clear(), 2u);
  EXPECT_TRUE(n.empty());
  EXPECT_EQ(n.original_range({0, 0}), Range(0, 0));  // HF returns an empty range unchanged
}
