// The parts that make big vocabularies load fast (issue 15.2): the double-array vocabulary trie
// (checked against darts-clone, the library SentencePiece uses, on the same keys), UnigramVocab's
// float / double scores, and the RapidJSON tokenizer.json reader (numbers exactly as strtod reads
// them, strings as strict as nlohmann / serde_json).
#include <gtest/gtest.h>

#include <darts_clone/darts.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "test_files.h"
#include "tokenizer/models/double_array_trie.h"
#include "tokenizer/models/unigram.h"
#include "tokenizer/sentencepiece_model.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_json_reader.h"

using wasmbed::Error;
using wasmbed::ErrorCode;
using namespace wasmbed::tok;

namespace {

// Keys with shared prefixes, multi-byte chars, repeats and one-byte keys, as a vocabulary has.
std::vector<std::string> random_keys(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  const std::vector<std::string> alphabet{"a", "b", "c", "\xE2\x96\x81", "\xEA\xB0\x80", "\xED\x9E\xA3", "\xD0\xB0", "z", "\xF0\x9F\x98\x80"};
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; ++i) {
    if (!keys.empty() && rng() % 10 == 0) {
      keys.push_back(keys[rng() % keys.size()]);  // a repeated piece
      continue;
    }
    std::string k;
    const size_t len = 1 + rng() % 6;
    for (size_t j = 0; j < len; ++j) k += alphabet[rng() % alphabet.size()];
    keys.push_back(k);
  }
  for (int b = 1; b < 256; b += 7) keys.push_back(std::string(1, static_cast<char>(b)));
  return keys;
}

// The pieces of the committed 8k unigram fixture (trained by spm_train).
std::vector<std::string> fixture_keys() {
  std::string bytes;
  if (!wasmbed::testing::read_file(wasmbed::testing::source_dir() + "/tests/fixtures/tokenizers/spm/uni-all-8000-bf.model", bytes))
    return {};
  std::vector<std::string> keys;
  parse_sentencepiece_model(bytes).for_each_piece([&](std::string_view p, float, PieceType) { keys.emplace_back(p); });
  return keys;
}

// darts-clone built by darts-clone (DAWG builder) from the same keys, last id of a repeated key.
struct Reference {
  Darts::DoubleArray da;
  std::map<std::string, int32_t> last_id;
  explicit Reference(const std::vector<std::string>& keys) {
    for (size_t i = 0; i < keys.size(); ++i) last_id[keys[i]] = static_cast<int32_t>(i);
    std::vector<const char*> k;
    std::vector<size_t> len;
    std::vector<int> values;
    for (const auto& [key, id] : last_id) {
      k.push_back(key.data());
      len.push_back(key.size());
      values.push_back(id);
    }
    da.build(k.size(), k.data(), len.data(), values.data());
  }
};

void expect_same_as_darts(const std::vector<std::string>& keys, uint32_t seed) {
  PieceTable table;
  for (const auto& k : keys) table.push_back(k);
  DoubleArrayTrie trie;
  ASSERT_TRUE(trie.build(table));
  const Reference ref(keys);
  // Our array is in darts-clone's unit format: darts-clone itself reads it.
  Darts::DoubleArray ours;
  ours.set_array(trie.units().data(), trie.units().size());
  for (const auto& [key, id] : ref.last_id) {
    ASSERT_EQ(trie.find(key), id) << key;
    ASSERT_EQ(ours.exactMatchSearch<int>(key.data(), key.size()), id) << key;
  }
  std::mt19937 rng(seed);
  for (int t = 0; t < 2000; ++t) {
    // Texts made of key fragments, so most positions have several prefix matches.
    std::string text;
    while (text.size() < 40) {
      const std::string& k = keys[rng() % keys.size()];
      text += k.substr(0, 1 + rng() % k.size());
    }
    for (size_t start = 0; start < text.size(); ++start) {
      std::vector<std::pair<size_t, int32_t>> got;
      trie.common_prefixes(text, start, [&](size_t len, int32_t id) {
        got.emplace_back(len, id);
        return true;
      });
      Darts::DoubleArray::result_pair_type results[64];
      const size_t n = ref.da.commonPrefixSearch(text.data() + start, results, 64, text.size() - start);
      std::vector<std::pair<size_t, int32_t>> want;
      for (size_t i = 0; i < std::min<size_t>(n, 64); ++i) want.emplace_back(results[i].length, results[i].value);
      ASSERT_EQ(got, want) << "text " << text << " from " << start;
      EXPECT_EQ(ours.exactMatchSearch<int>(text.data() + start, text.size() - start), ref.da.exactMatchSearch<int>(text.data() + start, text.size() - start));
    }
  }
  EXPECT_EQ(trie.find("not a key \x01"), -1);
}

TEST(DoubleArrayTrie, SameAnswersAsDartsCloneOnRandomKeys) {
  expect_same_as_darts(random_keys(5000, 1), 2);
  expect_same_as_darts(random_keys(40, 3), 4);
  expect_same_as_darts({"a"}, 5);
}

TEST(DoubleArrayTrie, SameAnswersAsDartsCloneOnARealVocabulary) {
  const std::vector<std::string> keys = fixture_keys();
  ASSERT_GT(keys.size(), 7000u) << "tests/fixtures/tokenizers/spm/uni-all-8000-bf.model missing";
  expect_same_as_darts(keys, 6);
}

// Long pieces (one-child chains of up to 60 bytes) and enough of them for hundreds of 256-unit
// blocks, so the builder's window of free slots slides, blocks fill and get closed.
TEST(DoubleArrayTrie, SameAnswersAsDartsCloneOnLongPiecesAndManyBlocks) {
  std::mt19937 rng(11);
  const std::string alphabet = "abcdefghij\xE2\x96\x81\xEA\xB0\x80";
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) {
    std::string k = i % 3 == 0 && !keys.empty() ? keys[rng() % keys.size()].substr(0, 1 + rng() % 8) : std::string();
    const size_t len = 1 + rng() % (rng() % 4 == 0 ? 60 : 8);
    for (size_t j = 0; j < len; ++j) k += alphabet[rng() % alphabet.size()];
    keys.push_back(k);
  }
  expect_same_as_darts(keys, 12);
}

TEST(DoubleArrayTrie, EmptyAndNulKeys) {
  PieceTable table;
  DoubleArrayTrie empty;
  ASSERT_TRUE(empty.build(table));
  EXPECT_EQ(empty.find("a"), -1);
  int calls = 0;
  empty.common_prefixes("abc", 0, [&](size_t, int32_t) { return ++calls > 0; });
  EXPECT_EQ(calls, 0);

  // A '\0' byte cannot be a double-array key: PieceTrie falls back to the ByteTrie, same answers.
  for (const char* k : {"a", "ab", "", "b"}) table.push_back(k);
  table.push_back(std::string_view("a\0b", 3));
  DoubleArrayTrie da;
  EXPECT_FALSE(da.build(table));
  PieceTrie trie;
  trie.build(table);
  EXPECT_EQ(trie.find(std::string_view("a\0b", 3)), 4);
  EXPECT_EQ(trie.find("ab"), 1);
  EXPECT_EQ(trie.find(""), 2);
  std::vector<std::pair<size_t, int32_t>> got;
  trie.common_prefixes(std::string_view("a\0bc", 4), 0, [&](size_t len, int32_t id) {
    got.emplace_back(len, id);
    return true;
  });
  EXPECT_EQ(got, (std::vector<std::pair<size_t, int32_t>>{{1, 0}, {3, 4}}));
}

TEST(UnigramVocab, ScoresStayFloatUntilOneIsNot) {
  UnigramVocab v;
  v.push_back("a", -1.5);
  v.push_back("b", static_cast<double>(-3.14159f));
  EXPECT_EQ(v.score(1), static_cast<double>(-3.14159f));
  v.push_back("c", -0.1);  // not a float: from here on doubles, earlier scores unchanged
  v.push_back("d", -2.0, PieceType::kControl);
  EXPECT_EQ(v.score(0), -1.5);
  EXPECT_EQ(v.score(1), static_cast<double>(-3.14159f));
  EXPECT_EQ(v.score(2), -0.1);
  EXPECT_EQ(v.type(0), PieceType::kNormal);
  EXPECT_EQ(v.type(3), PieceType::kControl);
  EXPECT_EQ(v.piece(2), "c");
  UnigramVocab first;  // a non-normal type at id 0 (a .model's <unk>)
  first.push_back("<unk>", 0, PieceType::kUnknown);
  first.push_back("a", -1);
  EXPECT_EQ(first.type(0), PieceType::kUnknown);
  EXPECT_EQ(first.type(1), PieceType::kNormal);
}

TEST(TokenizerJsonReader, VocabScoresAreExactlyWhatStrtodReads) {
  // Shortest round-trip forms (what JSON.stringify / serde write), 17-digit forms, exponents,
  // integers and floats' exact values.
  std::mt19937_64 rng(7);
  // ("-0" is left out: an integer, read as 0 by nlohmann and serde_json alike.)
  std::vector<std::string> numbers{"0", "-0.0", "1", "-17", "1e-7", "-2.5E+3", "-9.999999999999999e-5", "123456789012345678901234567890",
                                   "-0.30000000000000004", "4.9406564584124654e-324", "-1.7976931348623157e308",
                                   // subnormals, the normal/subnormal edge, underflow to (signed) zero, 19-20 digits
                                   "2.2250738585072011e-308", "2.2250738585072014e-308", "1e-320", "-9.8813129168249309e-324",
                                   "1e-400", "-1e-400", "1234567890123456789", "-0.12345678901234567890", "9007199254740993",
                                   "0.000000000000000000000000001"};
  char buf[64];
  for (int i = 0; i < 3000; ++i) {
    const double mag = std::ldexp(static_cast<double>(rng() >> 11) / 9007199254740992.0, static_cast<int>(rng() % 40) - 30);
    const double d = -mag;
    std::snprintf(buf, sizeof buf, "%.17g", d);
    numbers.push_back(buf);
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(static_cast<float>(d)));
    numbers.push_back(buf);
    std::snprintf(buf, sizeof buf, "%.6f", d);
    numbers.push_back(buf);
  }
  std::string json = R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [)";
  for (size_t i = 0; i < numbers.size(); ++i) json += (i ? "," : "") + std::string("[\"p") + std::to_string(i) + "\", " + numbers[i] + "]";
  json += "]}}";
  TokenizerJson doc = read_tokenizer_json(json);
  ASSERT_TRUE(doc.unigram_vocab.has_value());
  ASSERT_EQ(doc.unigram_vocab->size(), numbers.size());
  for (size_t i = 0; i < numbers.size(); ++i) {
    const double want = std::strtod(numbers[i].c_str(), nullptr);
    ASSERT_EQ(doc.unigram_vocab->score(i), want) << numbers[i];
    ASSERT_EQ(std::signbit(doc.unigram_vocab->score(i)), std::signbit(want)) << numbers[i];
    ASSERT_EQ(doc.unigram_vocab->piece(i), "p" + std::to_string(i));
  }
}

// model.vocab entries read by the fast scanner (json_vocab_scanner) or, for anything it leaves,
// by RapidJSON, in any mix: the pieces and scores are nlohmann's (the reference parser), bit for
// bit, and a document is rejected exactly when nlohmann rejects it.
TEST(TokenizerJsonReader, PlainAndOtherEntriesReadAsNlohmannDoes) {
  std::mt19937 rng(21);
  const std::vector<std::string> pieces{"a", "\xE2\x96\x81the", "\xEA\xB0\x80", "\\\"", "\\\\x", "\\u00e9", "\\ud83d\\ude00", "\\n",
                                        "\xF0\x9F\x98\x80", "<s>", "\\/"};
  const std::vector<std::string> scores{"0", "-0", "-0.0", "-12.345678901234567", "1e-7", "-2.5E+3", "7", "-17.642290115356445",
                                        "123456789012345678901234567890", "0.5e1"};
  const std::vector<std::string> spaces{"", " ", "\n        ", "\t", "\r\n"};
  const auto sp = [&] { return spaces[rng() % spaces.size()]; };
  for (int doc = 0; doc < 300; ++doc) {
    std::string json = R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [)" + sp();
    const size_t n = rng() % 12;
    for (size_t i = 0; i < n; ++i) {
      if (i) json += sp() + "," + sp();
      json += "[" + sp() + "\"" + pieces[rng() % pieces.size()] + "\"" + sp() + "," + sp() + scores[rng() % scores.size()] + sp() + "]";
    }
    json += sp() + "]}}";
    const nlohmann::json want = nlohmann::json::parse(json);
    const TokenizerJson got = read_tokenizer_json(json);
    ASSERT_TRUE(got.unigram_vocab.has_value()) << json;
    const auto& v = want["model"]["vocab"];
    ASSERT_EQ(got.unigram_vocab->size(), v.size()) << json;
    for (size_t i = 0; i < v.size(); ++i) {
      EXPECT_EQ(got.unigram_vocab->piece(i), v[i][0].get<std::string>()) << json;
      const double w = v[i][1].get<double>();
      EXPECT_EQ(got.unigram_vocab->score(i), w) << json;
      EXPECT_EQ(std::signbit(got.unigram_vocab->score(i)), std::signbit(w)) << json;
    }
  }
  // Broken arrays, the break after plain entries, after others, or first.
  const std::string plain = R"(["a", -1.5])", other = R"(["\"", -2])";
  for (const std::string& body : std::vector<std::string>{
           plain + ",", plain + " , ", plain + " " + plain, plain + ",," + plain, other + "," + plain + ",", plain + "," + other + ",",
           other + " " + plain, ",", plain + ", ]", plain + "," + R"(["a" -1])", plain + "," + R"(["a", -1,])", plain + "," + R"(["a", 01])",
           plain + "," + R"(["a", 1.])", plain + "," + R"(["a", .5])", plain + "," + R"(["a", +1])", plain + "," + R"(["a", 1e])",
           plain + "," + "[\"\x01\", 1]", plain + "," + "[\"\xC0\x80\", 1]", plain + "," + "[\"\xED\xA0\x80\", 1]", plain + "," + R"(["a", 1e400])",
           plain + "," + R"(["a", 1]})", plain + "," + R"(["a")", plain}) {
    const std::string json = R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [)" + body + (body == plain ? "" : "]}}");
    bool reference_ok = nlohmann::json::accept(json);
    if (body == plain + "," + R"(["a", 1e400])") reference_ok = false;  // nlohmann reads it as inf; we refuse, as serde_json does
    try {
      read_tokenizer_json(json);
      EXPECT_TRUE(reference_ok) << "accepted " << json;
    } catch (const Error& e) {
      EXPECT_FALSE(reference_ok) << "refused " << json << ": " << e.what();
      EXPECT_EQ(e.code(), ErrorCode::kParse) << json;
    }
  }
}

TEST(TokenizerJsonReader, StringsAreStrict) {
  const auto with_piece = [](const std::string& piece) {
    return R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [[")" + piece + R"(", 0]]}, "x": ")" + piece + "\"}";
  };
  // A surrogate pair is one char; a lone surrogate (either half), a raw control char and invalid
  // UTF-8 are errors, as in nlohmann and serde_json.
  TokenizerJson ok = read_tokenizer_json(with_piece("\\ud83d\\ude00\\u0000\\u00e9"));
  EXPECT_EQ(ok.unigram_vocab->piece(0), std::string("\xF0\x9F\x98\x80\0\xC3\xA9", 7));
  EXPECT_EQ(ok.json["x"].get<std::string>(), std::string("\xF0\x9F\x98\x80\0\xC3\xA9", 7));
  for (const std::string& bad : std::vector<std::string>{"\\udc00", "a\\ud800", "\\ud800x", "\x01", "\xC3", "\xED\xA0\x80"}) {
    try {
      read_tokenizer_json(with_piece(bad));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kParse) << bad;
    }
  }
}

TEST(TokenizerJsonReader, NumbersKeepTheirJsonKind) {
  // The DOM the pipeline factories read: integers written without '-' are unsigned, with '-'
  // signed, anything with '.' or an exponent a float (what nlohmann's own parser gives).
  TokenizerJson doc = read_tokenizer_json(R"({"a": 3, "b": -3, "c": 3.0, "d": 1e2, "e": 18446744073709551615, "f": -0, "g": [true, null, "s"]})");
  EXPECT_EQ(doc.json, nlohmann::json::parse(R"({"a": 3, "b": -3, "c": 3.0, "d": 1e2, "e": 18446744073709551615, "f": -0, "g": [true, null, "s"]})"));
  EXPECT_TRUE(doc.json["a"].is_number_unsigned());
  EXPECT_TRUE(doc.json["b"].is_number_integer() && !doc.json["b"].is_number_unsigned());
  EXPECT_TRUE(doc.json["c"].is_number_float());
  EXPECT_TRUE(doc.json["d"].is_number_float());
  EXPECT_FALSE(doc.unigram_vocab.has_value());
  // Floats anywhere (fast_float reads the text that ends where RapidJSON stopped): after '[', ',',
  // ':', whitespace, at the start of the document.
  for (const char* text : {R"([0.1,-2.5e-3, 7E+2 ,{"x":-1.25e1}])", "1.5", " \n\t-0.0", R"({"v":[[1e-7,-0.30000000000000004]]})"}) {
    const nlohmann::json want = nlohmann::json::parse(text);
    const nlohmann::json got = read_tokenizer_json(text).json;
    EXPECT_EQ(got, want) << text;
    EXPECT_EQ(got.dump(), want.dump()) << text;
  }
  EXPECT_THROW(read_tokenizer_json(R"({"a": 1} x)"), Error);
  EXPECT_THROW(read_tokenizer_json(R"({"a": 1.7976931348623159e308})"), Error);  // rounds to infinity
  EXPECT_THROW(read_tokenizer_json(R"({"a": 1e400})"), Error);
}

}  // namespace
