// Pre-tokenizers built from tokenizer.json. Expected pieces and ORIGINAL byte offsets are HF
// tokenizers' (Rust 0.22, checked through @anush008/tokenizers; several are HF's own unit tests).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "tokenizer/normalizers/normalizer.h"
#include "tokenizer/pre_tokenizers/byte_level.h"
#include "tokenizer/pre_tokenizers/pre_tokenizer.h"

namespace tok = wasmbed::tok;
using nlohmann::json;
using Piece = std::tuple<std::string, size_t, size_t>;
using Pieces = std::vector<Piece>;

namespace {

Pieces run(const json& pre_tokenizer, const std::string& text, const json& normalizer = nullptr) {
  tok::NormalizedString n(text);
  if (!normalizer.is_null()) tok::normalizer_from_json(normalizer)->normalize(n);
  tok::PreTokenizedString pts(std::move(n));
  tok::pre_tokenizer_from_json(pre_tokenizer)->pre_tokenize(pts);
  Pieces out;
  for (const auto& [s, r] : pts.get_splits(true)) out.emplace_back(s, r.first, r.second);
  return out;
}

json metaspace(const char* scheme, bool split) {
  return {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"prepend_scheme", scheme}, {"split", split}};
}

const char* kMeta = "\xE2\x96\x81";  // ▁

std::string meta(const std::string& s) { return kMeta + s; }

}  // namespace

TEST(BertPreTokenizer, SplitsOnWhitespaceAndIsolatesPunctuation) {
  EXPECT_EQ(run({{"type", "BertPreTokenizer"}}, "Hey friend!     How are you?!?"),
            (Pieces{{"Hey", 0, 3}, {"friend", 4, 10}, {"!", 10, 11}, {"How", 16, 19}, {"are", 20, 23},
                    {"you", 24, 27}, {"?", 27, 28}, {"!", 28, 29}, {"?", 29, 30}}));
  // Unicode punctuation (¿ « » — 「 」) is isolated too.
  EXPECT_EQ(run({{"type", "BertPreTokenizer"}}, "\xC2\xBFQu\xC3\xA9? \xC2\xAB\xD0\x94\xD0\xB0\xC2\xBB \xE2\x80\x94"),
            (Pieces{{"\xC2\xBF", 0, 2}, {"Qu\xC3\xA9", 2, 6}, {"?", 6, 7}, {"\xC2\xAB", 8, 10},
                    {"\xD0\x94\xD0\xB0", 10, 14}, {"\xC2\xBB", 14, 16}, {"\xE2\x80\x94", 17, 20}}));
}

TEST(BertPreTokenizer, AfterBertNormalizerOffsetsPointAtTheOriginal) {
  const json norm = {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                     {"strip_accents", nullptr}, {"lowercase", true}};
  EXPECT_EQ(run({{"type", "BertPreTokenizer"}}, "\xE9\x87\x8E\xE5\x8F\xA3 Noguchi Rika", norm),
            (Pieces{{"\xE9\x87\x8E", 0, 3}, {"\xE5\x8F\xA3", 3, 6}, {"noguchi", 7, 14}, {"rika", 15, 19}}));
  EXPECT_EQ(run({{"type", "BertPreTokenizer"}}, "Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e!", norm),
            (Pieces{{"creme", 0, 6}, {"brulee", 7, 15}, {"!", 15, 16}}));
}

TEST(Metaspace, PrependSchemesAndSplit) {
  EXPECT_EQ(run(metaspace("always", true), "Hey friend!"), (Pieces{{meta("Hey"), 0, 3}, {meta("friend!"), 3, 11}}));
  EXPECT_EQ(run(metaspace("always", true), "Hey   friend!"),
            (Pieces{{meta("Hey"), 0, 3}, {kMeta, 3, 4}, {kMeta, 4, 5}, {meta("friend!"), 5, 13}}));
  EXPECT_EQ(run(metaspace("always", false), "Hey friend!"), (Pieces{{meta("Hey") + meta("friend!"), 0, 11}}));
  EXPECT_EQ(run(metaspace("never", true), "Hey friend!"), (Pieces{{"Hey", 0, 3}, {meta("friend!"), 3, 11}}));
  // Korean: each word keeps its syllables' bytes; the ▁ of a space maps to that space.
  EXPECT_EQ(run(metaspace("always", true), "\xEC\x95\x88\xEB\x85\x95 \xEC\x84\xB8\xEA\xB3\x84"),
            (Pieces{{meta("\xEC\x95\x88\xEB\x85\x95"), 0, 6}, {meta("\xEC\x84\xB8\xEA\xB3\x84"), 6, 13}}));
}

TEST(Metaspace, FirstOnlyPrefixesThePieceAtTheStartOfTheInput) {
  const json seq = {{"type", "Sequence"},
                    {"pretokenizers", {{{"type", "WhitespaceSplit"}}, metaspace("first", true)}}};
  EXPECT_EQ(run(seq, "ab cd"), (Pieces{{meta("ab"), 0, 2}, {"cd", 3, 5}}));
  EXPECT_EQ(run(seq, " ab cd"), (Pieces{{"ab", 1, 3}, {"cd", 4, 6}}));
}

TEST(Metaspace, LegacyAddPrefixSpace) {
  const json legacy = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"add_prefix_space", true}};
  EXPECT_EQ(run(legacy, "Hey friend!"), (Pieces{{meta("Hey"), 0, 3}, {meta("friend!"), 3, 11}}));
  // add_prefix_space=false means "never" (HF itself refuses it without prepend_scheme "never").
  const json off = {{"type", "Metaspace"}, {"replacement", "\xE2\x96\x81"}, {"add_prefix_space", false}};
  EXPECT_EQ(run(off, "Hey friend!"), (Pieces{{"Hey", 0, 3}, {meta("friend!"), 3, 11}}));
  const json clash = {{"type", "Metaspace"}, {"add_prefix_space", false}, {"prepend_scheme", "always"}};
  EXPECT_THROW(tok::pre_tokenizer_from_json(clash), wasmbed::Error);
}

TEST(Whitespace, RegexWordsAndPunctuationRuns) {
  EXPECT_EQ(run({{"type", "Whitespace"}}, "Hey man!"), (Pieces{{"Hey", 0, 3}, {"man", 4, 7}, {"!", 7, 8}}));
  // ZWJ is a word char for HF (Rust regex \w includes Join_Control), so it splits emoji sequences.
  EXPECT_EQ(run({{"type", "Whitespace"}}, "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9 ok"),
            (Pieces{{"\xF0\x9F\x91\xA8", 0, 4}, {"\xE2\x80\x8D", 4, 7}, {"\xF0\x9F\x91\xA9", 7, 11}, {"ok", 12, 14}}));
  EXPECT_EQ(run({{"type", "Whitespace"}}, "\xD0\x9F\xD1\x80\xD0\xB8,\xD0\xBC"),
            (Pieces{{"\xD0\x9F\xD1\x80\xD0\xB8", 0, 6}, {",", 6, 7}, {"\xD0\xBC", 7, 9}}));
  EXPECT_EQ(run({{"type", "WhitespaceSplit"}}, "Hey, man,\tGood?"),
            (Pieces{{"Hey,", 0, 4}, {"man,", 5, 9}, {"Good?", 10, 15}}));
  EXPECT_EQ(run({{"type", "Whitespace"}}, " \n\t"), Pieces{});
}

TEST(Punctuation, Behaviors) {
  EXPECT_EQ(run({{"type", "Punctuation"}}, "Hey friend!! ok?"),
            (Pieces{{"Hey friend", 0, 10}, {"!", 10, 11}, {"!", 11, 12}, {" ok", 12, 15}, {"?", 15, 16}}));
  EXPECT_EQ(run({{"type", "Punctuation"}, {"behavior", "Contiguous"}}, "Hey friend!! ok?"),
            (Pieces{{"Hey friend", 0, 10}, {"!!", 10, 12}, {" ok", 12, 15}, {"?", 15, 16}}));
}

TEST(Digits, RunsOrIndividualDigits) {
  // Arabic-Indic digits are numeric too (char::is_numeric).
  EXPECT_EQ(run({{"type", "Digits"}, {"individual_digits", false}}, "Hey 123 friend! \xD9\xA3\xD9\xA4"),
            (Pieces{{"Hey ", 0, 4}, {"123", 4, 7}, {" friend! ", 7, 16}, {"\xD9\xA3\xD9\xA4", 16, 20}}));
  EXPECT_EQ(run({{"type", "Digits"}, {"individual_digits", true}}, "Hey 123 friend!"),
            (Pieces{{"Hey ", 0, 4}, {"1", 4, 5}, {"2", 5, 6}, {"3", 6, 7}, {" friend!", 7, 15}}));
}

TEST(Split, StringRegexAndInvert) {
  EXPECT_EQ(run({{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Removed"}, {"invert", false}}, "Hey  you"),
            (Pieces{{"Hey", 0, 3}, {"you", 5, 8}}));
  EXPECT_EQ(run({{"type", "Split"}, {"pattern", {{"Regex", "\\d+"}}}, {"behavior", "Isolated"}, {"invert", false}}, "ab12cd"),
            (Pieces{{"ab", 0, 2}, {"12", 2, 4}, {"cd", 4, 6}}));
  EXPECT_EQ(run({{"type", "Split"}, {"pattern", {{"Regex", "\\w+"}}}, {"behavior", "Removed"}, {"invert", true}}, "Hello, world!"),
            (Pieces{{"Hello", 0, 5}, {"world", 7, 12}}));
  EXPECT_EQ(run({{"type", "CharDelimiterSplit"}, {"delimiter", "-"}}, "a-b--c"),
            (Pieces{{"a", 0, 1}, {"b", 2, 3}, {"c", 5, 6}}));
}

TEST(ByteLevel, Gpt2SplitAndByteAlphabet) {
  const json bl = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  const std::string G = "\xC4\xA0";  // Ġ, the stand-in for a space byte
  EXPECT_EQ(run(bl, "Hello my friend, how is your day going?"),
            (Pieces{{"Hello", 0, 5}, {G + "my", 5, 8}, {G + "friend", 8, 15}, {",", 15, 16}, {G + "how", 16, 20},
                    {G + "is", 20, 23}, {G + "your", 23, 28}, {G + "day", 28, 32}, {G + "going", 32, 38}, {"?", 38, 39}}));
  const json prefixed = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  // 한 = ED 95 9C -> í ķ ľ ; 글 = EA B8 80 -> ê ¸ Ģ ; every byte piece maps back to the whole char.
  EXPECT_EQ(run(prefixed, "\xED\x95\x9C \xEA\xB8\x80"),
            (Pieces{{G + "\xC3\xAD\xC4\xB7\xC4\xBE", 0, 3}, {G + "\xC3\xAA\xC2\xB8\xC4\xA2", 3, 7}}));
  EXPECT_EQ(run(prefixed, "I'm  ok\n"),
            (Pieces{{G + "I", 0, 1}, {"'m", 1, 3}, {G, 3, 4}, {G + "ok", 4, 7}, {"\xC4\x8A", 7, 8}}));
  EXPECT_EQ(tok::byte_level_bytes_to_chars()[' '], G);
  EXPECT_EQ(tok::byte_level_char_to_byte(0x120), ' ');
  EXPECT_EQ(tok::byte_level_char_to_byte(U'a'), 'a');
  EXPECT_EQ(tok::byte_level_char_to_byte(0x4E00), -1);
}

TEST(PreTokenizedString, IntoTokensMapsModelOffsetsToOriginalBytes) {
  // Bert-normalize "Crème ok", pre-tokenize, then a fake model emits one token per char.
  tok::NormalizedString n("Cr\xC3\xA8me ok");
  tok::normalizer_from_json({{"type", "BertNormalizer"}, {"lowercase", true}})->normalize(n);
  tok::PreTokenizedString pts(std::move(n));
  tok::pre_tokenizer_from_json({{"type", "BertPreTokenizer"}})->pre_tokenize(pts);
  pts.tokenize([](const tok::NormalizedString& piece) {
    std::vector<tok::Token> out;
    for (size_t i = 0; i < piece.len(); ++i) out.push_back({static_cast<int32_t>(i), piece.get().substr(i, 1), {i, i + 1}});
    return out;
  });
  std::vector<uint32_t> words;
  const auto tokens = pts.into_tokens(&words);
  ASSERT_EQ(tokens.size(), 7u);
  EXPECT_EQ(tokens[2].value, "e");
  EXPECT_EQ(tokens[2].offsets, tok::Range(2, 4));  // the stripped 'è' spans 2 original bytes
  EXPECT_EQ(tokens[5].offsets, tok::Range(7, 8));  // 'o' of "ok"
  EXPECT_EQ(words, (std::vector<uint32_t>{0, 0, 0, 0, 0, 1, 1}));
  // Tokenized splits are never split or tokenized again.
  pts.split([](size_t, tok::NormalizedString&&) { return std::vector<tok::NormalizedString>{}; });
  EXPECT_EQ(pts.splits().size(), 2u);
  tok::PreTokenizedString untouched("abc");
  EXPECT_THROW(untouched.into_tokens(), wasmbed::Error);
}

TEST(PreTokenizerFromJson, ErrorsNameTheProblem) {
  try {
    tok::pre_tokenizer_from_json({{"type", "UnicodeScripts"}});
    FAIL() << "expected an error";
  } catch (const wasmbed::Error& e) {
    EXPECT_EQ(e.code(), wasmbed::ErrorCode::kUnsupported);
    EXPECT_STREQ(e.what(), "tokenizer.json: pre_tokenizer type 'UnicodeScripts' is not supported");
  }
  EXPECT_THROW(tok::pre_tokenizer_from_json({{"type", "Split"}, {"pattern", {{"Regex", "[a"}}}, {"behavior", "Isolated"}}),
               wasmbed::Error);
  EXPECT_THROW(tok::pre_tokenizer_from_json({{"type", "Split"}, {"pattern", {{"String", "a"}}}, {"behavior", "Sideways"}}),
               wasmbed::Error);
  EXPECT_THROW(tok::pre_tokenizer_from_json({{"type", "Metaspace"}, {"replacement", "ab"}}), wasmbed::Error);
  EXPECT_THROW(tok::pre_tokenizer_from_json({{"type", "Metaspace"}, {"prepend_scheme", "sometimes"}}), wasmbed::Error);
  EXPECT_THROW(tok::pre_tokenizer_from_json({{"type", "Sequence"}}), wasmbed::Error);
}
