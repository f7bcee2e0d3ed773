// BM25 and sparse-dot inverted index against hand-computed references.
#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "index/inverted_index.h"

namespace wasmbed::index {
namespace {

// Hand computation (k1 = 1.2, b = 0.75). Documents (token ids):
//   id 1: [1, 2, 3]        |d| = 3
//   id 2: [1, 1, 4, 5]     |d| = 4
//   id 3: [6, 7]           |d| = 2
// N = 3, avgdl = 3. Query [1, 4]:
//   idf(1) = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1.6)
//   idf(4) = ln(1 + (3 - 1 + 0.5) / (1 + 0.5)) = ln(8/3)
//   doc 1: tf(1) = 1, norm = 1.2 * (0.25 + 0.75 * 3/3) = 1.2
//          ln(1.6) * 1 * 2.2 / (1 + 1.2) = ln(1.6)
//   doc 2: norm = 1.2 * (0.25 + 0.75 * 4/3) = 1.5
//          ln(1.6) * 2 * 2.2 / (2 + 1.5) + ln(8/3) * 1 * 2.2 / (1 + 1.5)
TEST(LexicalIndex, Bm25MatchesHandComputation) {
  InvertedIndex idx;
  const int32_t d1[] = {1, 2, 3}, d2[] = {1, 1, 4, 5}, d3[] = {6, 7};
  idx.add_tokens(1, d1, 3);
  idx.add_tokens(2, d2, 4);
  idx.add_tokens(3, d3, 2);
  const int32_t q[] = {1, 4};
  const auto hits = idx.search_tokens(q, 2, 10);
  ASSERT_EQ(hits.size(), 2u);  // doc 3 shares no term: not returned
  const double s2 = std::log(1.6) * 2 * 2.2 / 3.5 + std::log(8.0 / 3.0) * 2.2 / 2.5;
  const double s1 = std::log(1.6);
  EXPECT_EQ(hits[0].id, 2u);
  EXPECT_NEAR(hits[0].score, s2, 1e-6);
  EXPECT_EQ(hits[1].id, 1u);
  EXPECT_NEAR(hits[1].score, s1, 1e-6);
  // A repeated query token counts twice.
  const int32_t q2[] = {6, 6};
  const auto h2 = idx.search_tokens(q2, 2, 10);
  ASSERT_EQ(h2.size(), 1u);
  const double idf6 = std::log(1 + 2.5 / 1.5), norm3 = 1.2 * (0.25 + 0.75 * 2.0 / 3.0);
  EXPECT_NEAR(h2[0].score, 2 * idf6 * 2.2 / (1 + norm3), 1e-6);
}

TEST(LexicalIndex, RemoveUpdatesStatisticsAndPostings) {
  InvertedIndex idx;
  const int32_t d1[] = {1, 2, 3}, d2[] = {1, 1, 4, 5}, d3[] = {6, 7};
  idx.add_tokens(1, d1, 3);
  idx.add_tokens(2, d2, 4);
  idx.add_tokens(3, d3, 2);
  EXPECT_TRUE(idx.remove(1));  // slot 0: doc 3 moves into it
  EXPECT_FALSE(idx.remove(1));
  EXPECT_EQ(idx.document_frequency(1), 1u);
  EXPECT_EQ(idx.document_frequency(2), 0u);
  // Same as a fresh index of docs 2 and 3.
  InvertedIndex fresh;
  fresh.add_tokens(2, d2, 4);
  fresh.add_tokens(3, d3, 2);
  const int32_t q[] = {1, 6, 7, 5};
  const auto a = idx.search_tokens(q, 4, 10), b = fresh.search_tokens(q, 4, 10);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_NEAR(a[i].score, b[i].score, 1e-6);
  }
  // Filter by allow-list over slots.
  uint64_t allow = 0;
  for (size_t s = 0; s < idx.size(); ++s)
    if (idx.ids()[s] == 3) allow |= uint64_t(1) << s;
  const auto f = idx.search_tokens(q, 4, 10, &allow);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].id, 3u);
  try {
    idx.add_tokens(2, d1, 3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

TEST(LexicalIndex, SparseDotKeepsMaxWeightAndDropsNonPositive) {
  InvertedIndex idx(LexicalScoring::kDot);
  const int32_t t1[] = {10, 20, 10, 30};
  const float w1[] = {0.5f, 0.2f, 0.8f, -1.0f};  // 10 repeated -> 0.8; 30 dropped
  const int32_t t2[] = {20, 30};
  const float w2[] = {0.9f, 0.4f};
  idx.add_weighted(1, t1, w1, 4);
  idx.add_weighted(2, t2, w2, 2);
  EXPECT_EQ(idx.document_frequency(30), 1u);
  const int32_t q[] = {10, 20, 30};
  const float qw[] = {1.0f, 2.0f, 0.5f};
  const auto hits = idx.search_weighted(q, qw, 3, 5);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 2u);
  EXPECT_NEAR(hits[0].score, 2.0 * 0.9 + 0.5 * 0.4, 1e-6);
  EXPECT_EQ(hits[1].id, 1u);
  EXPECT_NEAR(hits[1].score, 0.8 + 2.0 * 0.2, 1e-6);
  try {
    idx.add_tokens(3, t2, 2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace wasmbed::index
