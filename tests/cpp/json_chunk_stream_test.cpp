// tokenizer.json read in chunks (json_chunk_stream.h, what the WASM build does) gives exactly what
// reading it whole gives: the same DOM, the same vocabulary bit for bit, the same error message at
// the same byte offset, whatever the chunk size, so chunk boundaries fall inside pieces, escapes,
// numbers, whitespace and between an entry and its comma.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_json_reader.h"

using namespace wasmbed;
using namespace wasmbed::tok;

namespace {

struct Outcome {
  std::optional<TokenizerJson> doc;
  std::string error;  // code and message when reading failed
};

Outcome read_whole(const std::string& text) {
  Outcome o;
  try {
    o.doc = read_tokenizer_json(text);
  } catch (const Error& e) {
    o.error = std::to_string(static_cast<int>(e.code())) + " " + e.what();
  }
  return o;
}

// Copies the next bytes of `text` (from `at`, which it advances) into `buffer`, as the WASM
// binding's JS callback does; 0 at the end.
size_t copy_next(const std::string& text, size_t& at, char* buffer, size_t capacity) {
  const size_t n = std::min(capacity, text.size() - at);
  std::memcpy(buffer, text.data() + at, n);
  at += n;
  return n;
}

Outcome read_chunked(const std::string& text, size_t chunk, size_t* calls = nullptr) {
  size_t at = 0;
  const JsonChunkSource source = [&](char* buffer, size_t capacity) {
    EXPECT_EQ(capacity, chunk);
    if (calls) ++*calls;
    return copy_next(text, at, buffer, capacity);
  };
  Outcome o;
  try {
    o.doc = read_tokenizer_json(text.size(), chunk, source);
  } catch (const Error& e) {
    o.error = std::to_string(static_cast<int>(e.code())) + " " + e.what();
  }
  return o;
}

void expect_same(const Outcome& want, const Outcome& got, const std::string& what) {
  ASSERT_EQ(want.error, got.error) << what;
  if (!want.doc) return;
  ASSERT_TRUE(got.doc.has_value()) << what;
  EXPECT_EQ(want.doc->json, got.doc->json) << what;
  ASSERT_EQ(want.doc->unigram_vocab.has_value(), got.doc->unigram_vocab.has_value()) << what;
  if (!want.doc->unigram_vocab) return;
  const UnigramVocab& a = *want.doc->unigram_vocab;
  const UnigramVocab& b = *got.doc->unigram_vocab;
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a.piece(i), b.piece(i)) << what << " entry " << i;
    const double x = a.score(i), y = b.score(i);
    ASSERT_EQ(std::memcmp(&x, &y, sizeof x), 0) << what << " entry " << i;
  }
}

// A Unigram tokenizer.json whose vocabulary mixes entries the fast scanner reads with entries it
// leaves to RapidJSON (escapes, odd numbers), with random whitespace.
std::string unigram_document(std::mt19937& rng, size_t entries) {
  const std::vector<std::string> pieces{"a", "\xE2\x96\x81the", "\xEA\xB0\x80\xEA\xB0\x80", "\\\"", "\\u00e9", "\\ud83d\\ude00",
                                        "\xF0\x9F\x98\x80", "<s>", "\\/", "\xD0\xBF\xD1\x80\xD0\xB8"};
  const std::vector<std::string> scores{"0", "-0", "-0.0", "-12.345678901234567", "1e-7", "-2.5E+3", "7", "-17.642290115356445",
                                        "123456789012345678901234567890", "-9223372036854775809", "18446744073709551615", "0.5e1"};
  const std::vector<std::string> spaces{"", " ", "\n        ", "\t"};
  const auto sp = [&] { return spaces[rng() % spaces.size()]; };
  std::string json = R"({"added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false}],)" + sp() +
                     R"("normalizer": {"type": "NFKC"}, "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581"},)" +
                     R"( "model": {"type": "Unigram", "unk_id": 0, "vocab": [)" + sp();
  for (size_t i = 0; i < entries; ++i) {
    if (i) json += sp() + "," + sp();
    json += "[" + sp() + "\"" + pieces[rng() % pieces.size()] + std::to_string(i) + "\"" + sp() + "," + sp() +
            scores[rng() % scores.size()] + sp() + "]";
  }
  return json + sp() + "]}, \"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"\\u2581\"}, \"x\": [1, -2, 3.5, 1e2, -0]}";
}

const size_t kChunks[] = {1, 2, 3, 5, 7, 13, 31, 64, 257, 4096};

}  // namespace

TEST(JsonChunkStream, ValidDocumentsReadTheSameInAnyChunkSize) {
  std::mt19937 rng(7);
  for (int d = 0; d < 12; ++d) {
    const std::string json = unigram_document(rng, 5 + rng() % 120);
    const Outcome whole = read_whole(json);
    ASSERT_TRUE(whole.doc.has_value()) << whole.error;
    for (size_t chunk : kChunks) expect_same(whole, read_chunked(json, chunk), "chunk " + std::to_string(chunk) + ": " + json);
  }
  // Every chunk size up to past the vocab's start: the first chunk boundary inside the array falls
  // on every byte of its first entries, where the scan that starts at '[' must stop (RapidJSON then
  // expects a value, not what follows one).
  for (int d = 0; d < 3; ++d) {
    const std::string json = unigram_document(rng, 30);
    const Outcome whole = read_whole(json);
    ASSERT_TRUE(whole.doc.has_value()) << whole.error;
    for (size_t chunk = 1; chunk < json.find("\"vocab\"") + 400; ++chunk)
      expect_same(whole, read_chunked(json, chunk), "chunk " + std::to_string(chunk) + ": " + json);
  }
}

TEST(JsonChunkStream, BrokenDocumentsFailTheSameInAnyChunkSize) {
  std::mt19937 rng(8);
  const std::string base = unigram_document(rng, 40);
  std::vector<std::string> broken{"", " ", "{", "[", "{\"model\": 01}", "{\"a\": 1e400}", "{\"a\": 1.8e308}", "{\"a\": \"\\udc00\"}",
                                  "{\"a\": \"\x01\"}", "{\"a\": \"\xC3\"}", "{} x"};
  // Cuts and edits of a real document: truncated anywhere, a byte replaced, an entry's comma gone.
  for (int i = 0; i < 60; ++i) broken.push_back(base.substr(0, rng() % base.size()));
  for (int i = 0; i < 60; ++i) {
    std::string s = base;
    s[rng() % s.size()] = "x,]\"[ 0\\-"[rng() % 9];
    broken.push_back(s);
  }
  for (const char* cut : {"], [", "],[", "] ,[", "]\n        ,"}) {
    std::string s = base;
    if (const size_t at = s.find(cut, s.size() / 2); at != std::string::npos) {
      s.erase(at + 1, 1 + (cut[1] == ' ' || cut[1] == '\n' ? 1 : 0));
      broken.push_back(s);
    }
  }
  size_t failures = 0;
  for (const std::string& json : broken) {
    const Outcome whole = read_whole(json);
    failures += !whole.doc;
    for (size_t chunk : kChunks) expect_same(whole, read_chunked(json, chunk), "chunk " + std::to_string(chunk) + ": " + json);
  }
  EXPECT_GT(failures, broken.size() / 2);  // the cases above are mostly errors, not accidents that parse
}

TEST(JsonChunkStream, ReadsTheSourceOnceInChunkSizePieces) {
  std::mt19937 rng(9);
  const std::string json = unigram_document(rng, 500);
  size_t calls = 0;
  const Outcome got = read_chunked(json, 1024, &calls);
  ASSERT_TRUE(got.doc.has_value()) << got.error;
  EXPECT_EQ(got.doc->unigram_vocab->size(), 500u);
  EXPECT_EQ(calls, json.size() / 1024 + 1 + (json.size() % 1024 ? 1 : 0));  // every chunk, then the 0 that ends it
}

TEST(JsonChunkStream, TokenizerFromChunksEncodesAsFromText) {
  std::mt19937 rng(10);
  const std::string json = unigram_document(rng, 80);
  size_t at = 0;
  const auto whole = Tokenizer::from_json(json);
  const auto chunked = Tokenizer::from_json_chunks(json.size(), 100,
                                                   [&](char* buffer, size_t capacity) { return copy_next(json, at, buffer, capacity); });
  for (const char* text : {"the a", "가가가 при", "\xF0\x9F\x98\x80 <s>"}) EXPECT_EQ(whole->encode(text).ids, chunked->encode(text).ids) << text;
  EXPECT_THROW(Tokenizer::from_json_chunks(json.size(), 0, [](char*, size_t) { return size_t{0}; }), Error);
}
