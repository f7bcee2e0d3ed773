#include "index/inverted_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "common/error.h"
#include "index/serialize.h"
#include "index/topk.h"

namespace wasmbed::index {

namespace {

[[noreturn]] void invalid(const std::string& msg) { fail(ErrorCode::kInvalidArgument, "LexicalIndex: " + msg); }

bool allowed(const uint64_t* allow, size_t slot) { return !allow || ((allow[slot >> 6] >> (slot & 63)) & 1); }

}  // namespace

InvertedIndex::InvertedIndex(LexicalScoring scoring, Bm25Params params) : scoring_(scoring), params_(params) {
  if (scoring_ != LexicalScoring::kBm25 && scoring_ != LexicalScoring::kDot) invalid("unknown scoring");
  if (!(params_.k1 >= 0.0f) || !std::isfinite(params_.k1)) invalid("k1 must be a finite number >= 0");
  if (!(params_.b >= 0.0f && params_.b <= 1.0f)) invalid("b must be in [0, 1]");
}

size_t InvertedIndex::document_frequency(int32_t term) const {
  const auto it = postings_.find(term);
  return it == postings_.end() ? 0 : it->second.size();
}

void InvertedIndex::add_tokens(uint32_t id, const int32_t* tokens, size_t n) {
  if (scoring_ != LexicalScoring::kBm25) invalid("this index scores sparse weights: use addWeighted");
  if (contains(id)) invalid("id " + std::to_string(id) + " already exists (remove it first)");
  std::vector<int32_t> sorted(tokens, tokens + n);
  std::sort(sorted.begin(), sorted.end());
  std::vector<Term> terms;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    terms.push_back({sorted[i], float(j - i)});
    i = j;
  }
  insert(id, std::move(terms), float(n));
}

void InvertedIndex::add_weighted(uint32_t id, const int32_t* terms, const float* weights, size_t n) {
  if (scoring_ != LexicalScoring::kDot) invalid("this index scores BM25: use add with token ids");
  if (contains(id)) invalid("id " + std::to_string(id) + " already exists (remove it first)");
  std::vector<Term> t;
  t.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(weights[i])) invalid("weight " + std::to_string(i) + " is not finite");
    if (weights[i] > 0.0f) t.push_back({terms[i], weights[i]});
  }
  std::sort(t.begin(), t.end(), [](const Term& a, const Term& b) { return a.term < b.term || (a.term == b.term && a.weight > b.weight); });
  t.erase(std::unique(t.begin(), t.end(), [](const Term& a, const Term& b) { return a.term == b.term; }), t.end());
  insert(id, std::move(t), 0.0f);
}

void InvertedIndex::insert(uint32_t id, std::vector<Term> terms, float length) {
  if (size() >= 0xFFFFFFFFull) invalid("more than 2^32 - 1 documents");
  const auto slot = uint32_t(size());
  for (const Term& t : terms) postings_[t.term].push_back({slot, t.weight});
  ids_.push_back(id);
  lengths_.push_back(length);
  docs_.push_back(std::move(terms));
  slot_of_.emplace(id, slot);
  total_length_ += length;
}

bool InvertedIndex::remove(uint32_t id) {
  const auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return false;
  const uint32_t slot = it->second, last = uint32_t(size() - 1);
  slot_of_.erase(it);
  for (const Term& t : docs_[slot]) {
    auto p = postings_.find(t.term);
    auto& list = p->second;
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].slot == slot) {
        list[i] = list.back();
        list.pop_back();
        break;
      }
    if (list.empty()) postings_.erase(p);
  }
  total_length_ -= lengths_[slot];
  if (slot != last) {
    for (const Term& t : docs_[last])
      for (Posting& p : postings_[t.term])
        if (p.slot == last) {
          p.slot = slot;
          break;
        }
    ids_[slot] = ids_[last];
    lengths_[slot] = lengths_[last];
    docs_[slot] = std::move(docs_[last]);
    slot_of_[ids_[slot]] = slot;
  }
  ids_.pop_back();
  lengths_.pop_back();
  docs_.pop_back();
  if (size() == 0) total_length_ = 0.0;  // drop accumulated rounding
  return true;
}

std::vector<Hit> InvertedIndex::search_tokens(const int32_t* tokens, size_t n, size_t k, const uint64_t* allow) const {
  if (scoring_ != LexicalScoring::kBm25) invalid("this index scores sparse weights: use searchWeighted");
  std::vector<int32_t> sorted(tokens, tokens + n);
  std::sort(sorted.begin(), sorted.end());
  std::vector<Term> query;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    query.push_back({sorted[i], float(j - i)});  // query term frequency multiplies the term's score
    i = j;
  }
  return score(query, k, allow);
}

std::vector<Hit> InvertedIndex::search_weighted(const int32_t* terms, const float* weights, size_t n, size_t k,
                                                const uint64_t* allow) const {
  if (scoring_ != LexicalScoring::kDot) invalid("this index scores BM25: use search with token ids");
  std::vector<Term> query;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(weights[i])) invalid("query weight " + std::to_string(i) + " is not finite");
    if (weights[i] != 0.0f) query.push_back({terms[i], weights[i]});
  }
  std::sort(query.begin(), query.end(), [](const Term& a, const Term& b) { return a.term < b.term; });
  // Repeated query terms add up (a query vector given as unmerged pairs).
  std::vector<Term> merged;
  for (const Term& t : query) {
    if (!merged.empty() && merged.back().term == t.term) merged.back().weight += t.weight;
    else merged.push_back(t);
  }
  return score(merged, k, allow);
}

std::vector<Hit> InvertedIndex::score(const std::vector<Term>& query, size_t k, const uint64_t* allow) const {
  std::vector<Hit> hits;
  if (k == 0 || size() == 0) return hits;
  std::vector<float> acc(size(), 0.0f);
  std::vector<uint32_t> touched;
  std::vector<uint8_t> seen(size(), 0);
  const double n_docs = double(size());
  const double avgdl = total_length_ > 0.0 ? total_length_ / n_docs : 1.0;
  const double k1 = params_.k1, b = params_.b;
  for (const Term& q : query) {
    const auto it = postings_.find(q.term);
    if (it == postings_.end()) continue;
    const auto& list = it->second;
    if (scoring_ == LexicalScoring::kBm25) {
      const double df = double(list.size());
      const double idf = std::log(1.0 + (n_docs - df + 0.5) / (df + 0.5));
      for (const Posting& p : list) {
        const double tf = p.weight;
        const double norm = k1 * (1.0 - b + b * double(lengths_[p.slot]) / avgdl);
        acc[p.slot] += float(q.weight * idf * tf * (k1 + 1.0) / (tf + norm));
        if (!seen[p.slot]) { seen[p.slot] = 1; touched.push_back(p.slot); }
      }
    } else {
      for (const Posting& p : list) {
        acc[p.slot] += q.weight * p.weight;
        if (!seen[p.slot]) { seen[p.slot] = 1; touched.push_back(p.slot); }
      }
    }
  }
  TopK top(k);
  for (uint32_t s : touched)
    if (allowed(allow, s)) top.push(acc[s], ids_[s]);
  for (const Scored& s : top.take()) hits.push_back({s.key, s.score});
  return hits;
}

// Payload: u8 scoring, u8 reserved x3, f32 k1, f32 b; then per document (slot order):
// u32 id, f32 length, u32 term count, term count x (i32 term, f32 weight). Postings are rebuilt.
std::vector<uint8_t> InvertedIndex::save() const {
  ByteWriter w;
  w.begin(kKindLexical, 0, uint32_t(size()));
  w.u8(uint8_t(scoring_));
  w.u8(0);
  w.u8(0);
  w.u8(0);
  w.f32(params_.k1);
  w.f32(params_.b);
  for (size_t s = 0; s < size(); ++s) {
    w.u32(ids_[s]);
    w.f32(lengths_[s]);
    w.u32(uint32_t(docs_[s].size()));
    for (const Term& t : docs_[s]) {
      w.u32(uint32_t(t.term));
      w.f32(t.weight);
    }
  }
  return w.finish();
}

InvertedIndex InvertedIndex::load(const uint8_t* data, size_t size) {
  Container c = open_container(data, size, kKindLexical);
  ByteReader& r = c.payload;
  auto corrupt = [](const std::string& m) { fail(ErrorCode::kCorrupt, "index bytes are corrupt: " + m); };
  const uint8_t scoring = r.u8("scoring");
  for (int i = 0; i < 3; ++i)
    if (r.u8("reserved") != 0) corrupt("reserved byte is not zero");
  if (c.dims != 0) corrupt("a lexical index has dims " + std::to_string(c.dims) + " (must be 0)");
  if (scoring > 1) corrupt("unknown lexical scoring code " + std::to_string(scoring));
  Bm25Params p;
  p.k1 = r.f32("k1");
  p.b = r.f32("b");
  if (!(p.k1 >= 0.0f) || !std::isfinite(p.k1) || !(p.b >= 0.0f && p.b <= 1.0f)) corrupt("BM25 parameters out of range");
  InvertedIndex idx(LexicalScoring(scoring), p);
  if (uint64_t(c.count) * 12 > r.remaining()) corrupt("count " + std::to_string(c.count) + " documents do not fit the payload");
  for (uint32_t d = 0; d < c.count; ++d) {
    const uint32_t id = r.u32("document id");
    const float length = r.f32("document length");
    const uint32_t nt = r.u32("document term count");
    if (uint64_t(nt) * 8 > r.remaining()) corrupt("document " + std::to_string(d) + " terms extend past the payload");
    if (idx.contains(id)) corrupt("id " + std::to_string(id) + " appears twice");
    if (!(length >= 0.0f) || !std::isfinite(length)) corrupt("document " + std::to_string(d) + " has a bad length");
    std::vector<Term> terms(nt);
    for (uint32_t i = 0; i < nt; ++i) {
      terms[i].term = int32_t(r.u32("term"));
      terms[i].weight = r.f32("term weight");
      if (!(terms[i].weight > 0.0f) || !std::isfinite(terms[i].weight) || (i > 0 && terms[i].term <= terms[i - 1].term))
        corrupt("document " + std::to_string(d) + " has a bad term list");
    }
    idx.insert(id, std::move(terms), length);
  }
  r.expect_end("lexical index payload");
  return idx;
}

}  // namespace wasmbed::index
