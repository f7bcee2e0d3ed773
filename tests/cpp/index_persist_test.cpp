// Save/load of the vector and lexical indexes: round trips, and every corruption or truncation of
// a small saved index is reported as an error (never a crash or an out-of-bounds read: run under
// ASan in scripts/test-native.sh).
#include <gtest/gtest.h>

#include "common/error.h"
#include "index/inverted_index.h"
#include "index/serialize.h"
#include "index/vector_index.h"
#include "index_test_util.h"

namespace wasmbed::index {
namespace {

using testing::clustered_rows;

VectorIndex small_index(Storage st, bool keep) {
  VectorIndexConfig cfg;
  cfg.dims = 70;  // not a multiple of 64: exercises the binary padding check
  cfg.storage = st;
  cfg.keep_float = keep;
  VectorIndex idx(cfg);
  const uint32_t a = idx.intern_tag("alpha"), b = idx.intern_tag("βeta");
  const auto rows = clustered_rows(12, 70, 21);
  for (uint32_t i = 0; i < 12; ++i) {
    const uint32_t tags[] = {a, b};
    idx.add(100 + i * 3, rows.data() + i * 70, tags + (i % 2), i % 3 == 0 ? 0 : 2 - (i % 2));
  }
  idx.remove(103);
  return idx;
}

void expect_same(const VectorIndex& x, const VectorIndex& y) {
  ASSERT_EQ(x.size(), y.size());
  const auto queries = clustered_rows(4, x.config().dims, 77);
  for (size_t qi = 0; qi < 4; ++qi) {
    SearchParams p;
    p.k = 5;
    p.oversample = 3;
    const auto a = x.search(queries.data() + qi * x.config().dims, p);
    const auto b = y.search(queries.data() + qi * y.config().dims, p);
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].id, b[i].id);
      EXPECT_EQ(a[i].score, b[i].score);
    }
  }
  for (size_t s = 0; s < x.size(); ++s) {
    const uint32_t id = x.ids()[s];
    ASSERT_TRUE(y.contains(id));
    const auto& ta = x.tags_of(id);
    const auto& tb = y.tags_of(id);
    ASSERT_EQ(ta.size(), tb.size());
    for (size_t i = 0; i < ta.size(); ++i) EXPECT_EQ(x.tag_name(ta[i]), y.tag_name(tb[i]));
  }
}

ErrorCode load_code(const std::vector<uint8_t>& bytes, bool lexical = false) {
  try {
    if (lexical) InvertedIndex::load(bytes.data(), bytes.size());
    else VectorIndex::load(bytes.data(), bytes.size());
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode(0);
}

TEST(IndexPersist, Crc32MatchesZlibCheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
  EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s) + 4, 5, crc32(reinterpret_cast<const uint8_t*>(s), 4)), 0xCBF43926u);
}

TEST(IndexPersist, VectorRoundTripEveryStorage) {
  for (Storage st : {Storage::kFloat32, Storage::kInt8, Storage::kBinary}) {
    for (bool keep : {false, true}) {
      const VectorIndex idx = small_index(st, keep);
      const auto bytes = idx.save();
      const VectorIndex back = VectorIndex::load(bytes.data(), bytes.size());
      EXPECT_EQ(back.config().storage, st);
      EXPECT_EQ(back.config().keep_float, st != Storage::kFloat32 && keep);
      expect_same(idx, back);
      EXPECT_EQ(back.save(), bytes);  // deterministic bytes
    }
  }
}

TEST(IndexPersist, EveryFlippedByteIsDetected) {
  for (Storage st : {Storage::kFloat32, Storage::kInt8, Storage::kBinary}) {
    const auto bytes = small_index(st, st != Storage::kFloat32).save();
    for (size_t i = 0; i < bytes.size(); ++i) {
      auto bad = bytes;
      bad[i] ^= 0x5A;
      EXPECT_EQ(load_code(bad), ErrorCode::kCorrupt) << storage_name(st) << " byte " << i;
    }
  }
}

TEST(IndexPersist, EveryTruncationIsDetected) {
  const auto bytes = small_index(Storage::kInt8, true).save();
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    EXPECT_EQ(load_code(prefix), ErrorCode::kCorrupt) << "length " << n;
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_EQ(load_code(longer), ErrorCode::kCorrupt);
}

TEST(IndexPersist, MessagesNameTheProblem) {
  auto bytes = small_index(Storage::kFloat32, false).save();
  auto message = [](const std::vector<uint8_t>& b) {
    try {
      VectorIndex::load(b.data(), b.size());
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 10)).find("truncated"), std::string::npos);
  EXPECT_NE(message(std::vector<uint8_t>(bytes.begin(), bytes.end() - 9)).find("truncated"), std::string::npos);
  auto flipped = bytes;
  flipped[40] ^= 1;
  EXPECT_NE(message(flipped).find("checksum"), std::string::npos);
  auto magic = bytes;
  magic[0] = 'X';
  EXPECT_NE(message(magic).find("magic"), std::string::npos);
  // A lexical index is not a vector index: a usage error.
  InvertedIndex lex;
  const auto lb = lex.save();
  try {
    VectorIndex::load(lb.data(), lb.size());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("lexical"), std::string::npos);
  }
}

TEST(IndexPersist, NewerVersionIsUnsupported) {
  auto bytes = small_index(Storage::kFloat32, false).save();
  bytes[4] = 9;  // version 9, with a checksum recomputed as a future writer would
  const uint32_t crc = crc32(bytes.data(), bytes.size() - 4);
  for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = uint8_t(crc >> (8 * i));
  EXPECT_EQ(load_code(bytes), ErrorCode::kUnsupported);
}

TEST(IndexPersist, LexicalRoundTripAndCorruption) {
  InvertedIndex idx;
  const int32_t d1[] = {5, 9, 5, 100}, d2[] = {9, 7}, d3[] = {100, 100, 100};
  idx.add_tokens(1, d1, 4);
  idx.add_tokens(2, d2, 2);
  idx.add_tokens(3, d3, 3);
  idx.remove(2);
  const auto bytes = idx.save();
  const InvertedIndex back = InvertedIndex::load(bytes.data(), bytes.size());
  ASSERT_EQ(back.size(), 2u);
  const int32_t q[] = {100, 5};
  const auto a = idx.search_tokens(q, 2, 5), b = back.search_tokens(q, 2, 5);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].score, b[i].score);
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto bad = bytes;
    bad[i] ^= 0xFF;
    EXPECT_EQ(load_code(bad, true), ErrorCode::kCorrupt) << "byte " << i;
  }
  for (size_t n = 0; n < bytes.size(); ++n)
    EXPECT_EQ(load_code(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n), true), ErrorCode::kCorrupt) << n;
}

}  // namespace
}  // namespace wasmbed::index
