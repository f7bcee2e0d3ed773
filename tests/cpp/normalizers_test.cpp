// Normalizers built from tokenizer.json, checked against outputs of HF tokenizers (Rust, 0.22 via
// @anush008/tokenizers): normalized text and alignment back to the original bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/normalizers/precompiled.h"

namespace tok = wasmbed::tok;
using nlohmann::json;
using tok::NormalizedString;
using tok::Range;

namespace {

// A SentencePiece precompiled_charsmap built by spm_train --normalization_rule_tsv with the rules
//   FB01->66 69 (ﬁ->fi), 2460->31 (①->1), 41->61 (A->a), 41 42->58 (AB->X), 200B->20, E9->65 301,
//   1100 1161->AC00, 3000->20, FF21->41 (Ａ->A).
// (regenerate: printf rules | spm_train ... ; the charsmap is ModelProto.normalizer_spec field 2)
const char* kCustomCharsmapB64 = "AAQAAAAAAQBBDQAACAAAgAYAAICpBQAACgAAgIQEAgCAuAMA4RACAIWIAgChBQAAEQAAgAAAAICAIAIAiwkAAKB9AAACAACAgAwCAIB5AAAOAACAgR0AAKENAAAEAACAFgAAABkAAAAYAAAAGwAAABoAAACRzAIAHAAAAB8AAAAeAAAAIQAAACAAAACs3AIAIgAAACUAAAAkAAAAJwAAACYAAAApAAAAKAAAACsAAAAqAAAALQAAACwAAAAvAAAALgAAADEAAAAwAAAAvBgCADIAAAA1AAAANAAAADcAAAA2AAAAOQAAADgAAAA7AAAAOgAAAD0AAAA8AAAAPwAAAD4AAABCDQEAQAAAAEMAAABCAAAARQAAAEQAAABHAAAARgAAAEkAAABIAAAASwAAAEoAAABNAAAATAAAAE8AAABOAAAAUQAAAFAAAABTAAAAUgAAAFUAAABUAAAAVwAAAFYAAABZAAAAWAAAAFsAAABaAAAAXQAAAFwAAABfAAAAXgAAAGEAAABgAAAAYwAAAGIAAABlAAAAZAAAAGcAAABmAAAAaQAAAGgAAABrAAAAagAAAG0AAABsAAAAbwAAAG4AAABxAAAAcAAAAHMAAAByAAAAdQAAAHQAAAB3AAAAdgAAAHkAAAB4AAAAewAAAHoAAAB9AAAAfAAAAH8AAAB+AAAAgQAAAIAAAACDAAAAw7gAAIUAAACEAAAAhwAAAIYAAACJAAAAiAAAAIsAAACKAAAAjQAAAIwAAACPAAAAjgAAAJEAAACQAAAAkwAAAJIAAACVAAAAlAAAAJcAAACWAAAAmQAAAJgAAACbAAAAmgAAAJ0AAACcAAAAnwAAAJ4AAAChAAAA4YwAAOK8AADjyAAApQAAAKQAAACnAAAApgAAAKkAAACoAAAAqwAAAKoAAACtAAAArAAAAK8AAADvhAAAsQAAALAAAACzAAAAsgAAALUAAAC0AAAAtwAAALYAAAC5AAAAuAAAALsAAAC6AAAAvQAAALwAAAC/AAAAvgAAAMEAAADAAAAAwwAAAMIAAADFAAAAxAAAAMcAAADGAAAAyQAAAMgAAADLAAAAygAAAM0AAADMAAAAzwAAAM4AAADRAAAA0AAAANMAAADSAAAA1QAAANQAAADXAAAA1gAAANkAAADYAAAA2wAAANoAAADdAAAA3AAAAN8AAADeAAAA4QAAAOAAAADjAAAA4gAAAOUAAADkAAAA5wAAAOYAAADpAAAA6AAAAOsAAADqAAAA7QAAAOwAAADvAAAA7gAAAPEAAADwAAAA8wAAAPIAAAD1AAAA9AAAAPcAAAD2AAAA+QAAAPgAAAD7AAAA+gAAAP0AAAD8AAAA/wAAAP4AAAAgADEAQQBYAGEAZcyBAGZpAOqwgAA=";

NormalizedString run(const json& normalizer, const std::string& text) {
  NormalizedString n(text);
  tok::normalizer_from_json(normalizer)->normalize(n);
  EXPECT_EQ(n.alignments().size(), n.len());
  for (const Range& a : n.alignments()) EXPECT_LE(a.second, n.len_original());
  return n;
}

json bert(json strip_accents, bool lowercase, bool clean = true, bool chinese = true) {
  return {{"type", "BertNormalizer"}, {"clean_text", clean}, {"handle_chinese_chars", chinese},
          {"strip_accents", strip_accents}, {"lowercase", lowercase}};
}

}  // namespace

TEST(BertNormalizer, UncasedCleansSpacesCjkAndStripsAccents) {
  const std::string text = "H\xC3\xA9llo\xC2\xA0WORLD\t\xE9\x87\x8E\xE5\x8F\xA3 \xD0\x81\xD0\xB6\xD0\xB8\xD0\xBA" + std::string("\0\x07", 2) +
                           "\xEF\xBF\xBD\xE2\x80\x8D!";
  const auto n = run(bert(nullptr, true), text);
  EXPECT_EQ(n.get(), "hello world  \xE9\x87\x8E  \xE5\x8F\xA3  \xD0\xB5\xD0\xB6\xD0\xB8\xD0\xBA!");
  EXPECT_EQ(n.original_range({1, 2}), Range(1, 3));     // 'e' came from 'é'
  EXPECT_EQ(n.original_range({13, 16}), Range(14, 17));  // 野
  EXPECT_EQ(n.original_range({31, 32}), Range(37, 38));  // "!" after the removed NUL/BEL/U+FFFD/ZWJ
}

TEST(BertNormalizer, StripAccentsNullFollowsLowercase) {
  EXPECT_EQ(run(bert(nullptr, false), "H\xC3\xA9llo \xD0\x81\xD0\xB6").get(), "H\xC3\xA9llo \xD0\x81\xD0\xB6");
  EXPECT_EQ(run(bert(false, true, false, false), "H\xC3\xA9llo").get(), "h\xC3\xA9llo");
  EXPECT_EQ(run(bert(true, false), "H\xC3\xA9llo").get(), "Hello");
}

TEST(BertNormalizer, HangulIsDecomposedWhenAccentsAreStripped) {
  // NFD splits syllables into jamo (not marks, so they stay) — HF does the same.
  const auto n = run(bert(nullptr, true), "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB");
  EXPECT_EQ(n.get(),
            "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB\xE1\x84\x80\xE1\x85\xAE\xE1\x86\xA8\xE1\x84\x8B\xE1\x85\xA5 "
            "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB");
  EXPECT_EQ(n.original_range({9, 18}), Range(3, 6));
}

TEST(BertNormalizer, UsesHfMarkTablesNotCurrentUnicode) {
  // U+20E3 (Me) and U+0903 (Mc) are not "nonspacing" for BertNormalizer...
  EXPECT_EQ(run(bert(nullptr, true), "1\xE2\x83\xA3 a\xE0\xA4\x83").get(), "1\xE2\x83\xA3 a\xE0\xA4\x83");
  // ...but the StripAccents normalizer removes every combining mark.
  const json seq = {{"type", "Sequence"},
                    {"normalizers", {{{"type", "NFD"}}, {{"type", "StripAccents"}}, {{"type", "Lowercase"}}}}};
  EXPECT_EQ(run(seq, "Cr\xC3\xA8me Br\xC3\xBBl\xC3\xA9" "e 1\xE2\x83\xA3").get(), "creme brulee 1");
}

TEST(Precompiled, AppliesCharsmapPerGraphemeLikeHf) {
  const json j = {{"type", "Precompiled"}, {"precompiled_charsmap", kCustomCharsmapB64}};
  // "ﬁ ① AB Ａ<U+3000>x<ZWSP>y <U+1100><U+1161> é"
  const std::string text =
      "\xEF\xAC\x81 \xE2\x91\xA0 AB \xEF\xBC\xA1\xE3\x80\x80x\xE2\x80\x8By \xE1\x84\x80\xE1\x85\xA1 \xC3\xA9";
  const auto n = run(j, text);
  // 'AB' is two graphemes, so HF applies A->a and never the longer AB->X rule; the jamo pair is
  // 6 bytes, too long for HF's whole-grapheme lookup, and each jamo alone has no rule.
  EXPECT_EQ(n.get(), "fi 1 aB A x y \xE1\x84\x80\xE1\x85\xA1 e\xCC\x81");
  EXPECT_EQ(n.original_range({0, 1}), Range(0, 3));  // f <- ﬁ
  EXPECT_EQ(n.original_range({1, 2}), Range(0, 3));  // i <- ﬁ (insertion)
  EXPECT_EQ(n.original_range({3, 4}), Range(4, 7));  // 1 <- ①
}

TEST(Precompiled, NormalizePrefixIsSentencePieceLongestMatch) {
  auto p = tok::Precompiled::from_base64(kCustomCharsmapB64);
  EXPECT_EQ(p->normalize_prefix("ABC"), std::make_pair(std::string("X"), size_t{2}));
  EXPECT_EQ(p->normalize_prefix("AC"), std::make_pair(std::string("a"), size_t{1}));
  EXPECT_EQ(p->normalize_prefix("\xE1\x84\x80\xE1\x85\xA1!"), std::make_pair(std::string("\xEA\xB0\x80"), size_t{6}));
  EXPECT_EQ(p->normalize_prefix("\xD0\x96z"), std::make_pair(std::string("\xD0\x96"), size_t{2}));  // no rule: itself
  EXPECT_EQ(p->normalize_prefix("\xFFz"), std::make_pair(std::string("\xEF\xBF\xBD"), size_t{1}));  // bad byte
  EXPECT_EQ(p->transform("AB"), std::optional<std::string_view>("a"));  // HF: first (shortest) hit
  EXPECT_FALSE(p->transform("z").has_value());
}

TEST(Precompiled, RejectsCorruptCharsmaps) {
  EXPECT_THROW(tok::Precompiled::from_bytes(std::string("\x10\x00\x00\x00\x01", 5)), wasmbed::Error);
  EXPECT_THROW(tok::Precompiled::from_base64("not base64!"), wasmbed::Error);
  NormalizedString n("abc");
  tok::Precompiled::from_bytes("")->normalize(n);  // no rules: identity
  EXPECT_EQ(n.get(), "abc");
}

TEST(UnicodeNormalizers, NfkcNfdForms) {
  const auto n = run({{"type", "NFKC"}}, "\xEF\xAC\x81 \xE2\x91\xA0 \xEF\xBD\xB6\xEF\xBE\x9E \xE3\x88\xB1 \xED\x95\x9C");
  EXPECT_EQ(n.get(), "fi 1 \xE3\x82\xAC (\xE6\xA0\xAA) \xED\x95\x9C");
  EXPECT_EQ(n.original_range({5, 8}), Range(8, 11));  // ガ <- ｶﾞ: like HF, a composed char keeps its first source char
  EXPECT_EQ(run({{"type", "NFD"}}, "\xC3\x85ngstr\xC3\xB6m").get(), "A\xCC\x8Angstro\xCC\x88m");
  EXPECT_EQ(run({{"type", "NFC"}}, "A\xCC\x8A").get(), "\xC3\x85");
  EXPECT_EQ(run({{"type", "NFKD"}}, "\xE2\x91\xA0").get(), "1");
}

TEST(SmallNormalizers, NmtStripReplacePrependSequence) {
  EXPECT_EQ(run({{"type", "Nmt"}}, "a\x01" "b\tc\xE2\x80\x8B" "d\xEF\xBB\xBF" "e").get(), "ab c d e");
  const json seq = {{"type", "Sequence"},
                    {"normalizers",
                     {{{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}},
                      {{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", "\xE2\x96\x81"}},
                      {{"type", "Prepend"}, {"prepend", "\xE2\x96\x81"}}}}};
  const auto n = run(seq, "  a   b  ");
  EXPECT_EQ(n.get(), "\xE2\x96\x81\xE2\x96\x81" "a\xE2\x96\x81" "b");
  EXPECT_EQ(n.original_range({6, 7}), Range(2, 3));
  EXPECT_EQ(run({{"type", "Replace"}, {"pattern", {{"String", "ab"}}}, {"content", "X"}}, "abcab").get(), "XcX");
  EXPECT_EQ(run({{"type", "Lowercase"}}, "\xD0\x9F\xD0\xA0\xD0\x98 ABC").get(), "\xD0\xBF\xD1\x80\xD0\xB8 abc");
  EXPECT_EQ(run({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, " \xE2\x80\x83x\xE3\x80\x80").get(), "x");
}

TEST(NormalizerFromJson, ErrorsNameTheProblem) {
  try {
    tok::normalizer_from_json({{"type", "Fancy"}});
    FAIL() << "expected an error";
  } catch (const wasmbed::Error& e) {
    EXPECT_EQ(e.code(), wasmbed::ErrorCode::kUnsupported);
    EXPECT_STREQ(e.what(), "tokenizer.json: normalizer type 'Fancy' is not supported");
  }
  EXPECT_THROW(tok::normalizer_from_json({{"type", "Replace"}, {"pattern", {{"Regex", "("}}}, {"content", ""}}),
               wasmbed::Error);
  EXPECT_THROW(tok::normalizer_from_json({{"type", "BertNormalizer"}, {"lowercase", "yes"}}), wasmbed::Error);
  EXPECT_THROW(tok::normalizer_from_json(json::array()), wasmbed::Error);
}
