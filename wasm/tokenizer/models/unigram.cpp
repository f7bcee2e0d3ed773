#include "tokenizer/models/unigram.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>

#include "common/error.h"
#include "tokenizer/unicode.h"

namespace wasmbed::tok {

namespace {

constexpr double kUnkPenalty = 10.0;

}  // namespace

Unigram::Unigram(std::vector<UnigramPiece> vocab, int32_t unk_id, bool byte_fallback)
    : Unigram(std::move(vocab), unk_id, byte_fallback, false) {}

std::unique_ptr<Unigram> Unigram::sentencepiece(std::vector<UnigramPiece> pieces, int32_t unk_id, bool byte_fallback) {
  return std::unique_ptr<Unigram>(new Unigram(std::move(pieces), unk_id, byte_fallback, true));
}

Unigram::Unigram(std::vector<UnigramPiece> vocab, int32_t unk_id, bool byte_fallback, bool spm)
    : unk_id_(unk_id), byte_fallback_(byte_fallback), spm_(spm) {
  const size_t n = vocab.size();
  if (unk_id_ >= 0 && n == 0) fail(ErrorCode::kParse, "Unigram: the vocabulary is empty but at least <unk> is needed");
  if (unk_id_ >= static_cast<int64_t>(n))
    fail(ErrorCode::kParse, "Unigram: unk_id " + std::to_string(unk_id_) + " is outside the vocabulary");
  if (unk_id_ < -1) unk_id_ = -1;
  min_score_ = std::numeric_limits<double>::infinity();
  min_score_f32_ = FLT_MAX;
  max_score_f32_ = FLT_MIN;  // SentencePiece starts from FLT_MIN (smallest positive), kept on purpose
  size_t bytes = 0;
  for (const UnigramPiece& p : vocab) bytes += p.piece.size();
  pieces_.reserve(n, bytes);
  trie_.reserve(n, bytes);
  if (spm_) {
    score_f32_.resize(n);
    types_.resize(n);
  } else {
    score_f64_.resize(n);
  }
  for (size_t id = 0; id < n; ++id) {
    UnigramPiece& p = vocab[id];
    pieces_.push_back(p.piece);
    if (spm_) {
      score_f32_[id] = static_cast<float>(p.score);
      types_[id] = p.type;
      if (p.type == PieceType::kNormal) {
        min_score_f32_ = std::min(min_score_f32_, score_f32_[id]);
        max_score_f32_ = std::max(max_score_f32_, score_f32_[id]);
      }
    } else {
      score_f64_[id] = p.score;
      min_score_ = std::min(min_score_, p.score);
    }
    std::string().swap(p.piece);  // the table holds it now: keep the peak at one copy
  }
  std::vector<UnigramPiece>().swap(vocab);
  // The trie maps a piece to its id; with duplicate pieces the last id wins in the vocabulary
  // (HF HashMap insert), and in the trie too (a later insert of a key replaces its value).
  for (size_t id = 0; id < n; ++id) {
    if (spm_ && !(types_[id] == PieceType::kNormal || types_[id] == PieceType::kUserDefined || types_[id] == PieceType::kUnused))
      continue;
    trie_.insert(pieces_.at(id), static_cast<int32_t>(id));
  }
  trie_.freeze();
  for (int b = 0; b < 256; ++b) byte_ids_[b] = pieces_.find(unicode::byte_fallback_piece(static_cast<unsigned char>(b)));
}

std::string Unigram::id_to_token(int32_t id, bool& found) const {
  found = id >= 0 && static_cast<size_t>(id) < pieces_.size();
  return found ? std::string(pieces_.at(static_cast<size_t>(id))) : std::string();
}

void Unigram::missing_unk() const {
  fail(ErrorCode::kInvalidArgument, "Unigram: the text has a character outside the vocabulary and the model has no unk_id");
}

template <typename Real>
void Unigram::best_path(std::string_view text, std::vector<PathNode>& path) const {
  struct Best {
    Real score = 0;
    uint32_t start = std::numeric_limits<uint32_t>::max();  // max: no path ends here yet
    int32_t id = -1;
  };
  constexpr uint32_t kUnset = std::numeric_limits<uint32_t>::max();
  // Float sums are SentencePiece mode, double sums HF mode (tokenize_spans picks by spm_).
  constexpr bool kSpm = std::is_same<Real, float>::value;
  const size_t size = text.size();
  if (size >= kUnset) fail(ErrorCode::kCapacity, "Unigram: a piece of 4 GiB or more cannot be tokenized");
  const Real unk_score = kSpm ? static_cast<Real>(min_score_f32_ - static_cast<float>(kUnkPenalty))
                              : static_cast<Real>(min_score_ - kUnkPenalty);
  // Reused between calls: tokenizing many short words must not allocate a lattice each time.
  thread_local std::vector<Best> best;
  best.assign(size + 1, Best{});
  size_t start = 0;
  while (start < size) {
    const Real till_here = best[start].score;
    const size_t mblen = unicode::char_len_at(text, start);
    bool has_single_node = false;
    trie_.common_prefixes(text, start, [&](size_t len, int32_t id) {
      // SentencePiece's EncodeOptimized: `score` is a double there (the user-defined branch
      // `length * max_score_ - 0.1` makes the conditional double), so the candidate is summed
      // and COMPARED in double and only rounded to float when stored. Comparing float sums
      // instead breaks ties differently (e.g. "000" -> "00","0" vs "0","00").
      double score;
      if (kSpm) {
        const PieceType type = types_[id];
        if (type == PieceType::kUnused) return true;
        score = type == PieceType::kUserDefined ? static_cast<double>(static_cast<float>(len) * max_score_f32_) - 0.1
                                                  : static_cast<double>(score_f32_[id]);
      } else {
        score = score_f64_[id];
      }
      Best& target = best[start + len];
      const double candidate = score + static_cast<double>(till_here);
      if (target.start == kUnset || candidate > static_cast<double>(target.score)) {
        target.score = static_cast<Real>(candidate);
        target.start = static_cast<uint32_t>(start);
        target.id = id;
      }
      if (len == mblen) has_single_node = true;
      return true;
    });
    if (!has_single_node) {
      if (unk_id_ < 0) missing_unk();
      Best& target = best[start + mblen];
      const Real candidate = unk_score + till_here;
      if (target.start == kUnset || candidate > target.score) {
        target.score = candidate;
        target.start = static_cast<uint32_t>(start);
        target.id = unk_id_;
      }
    }
    start += mblen;
  }
  path.clear();
  size_t end = size;
  while (end > 0) {
    const Best& node = best[end];
    path.push_back(PathNode{node.id, node.start, end});
    end = node.start;
  }
  std::reverse(path.begin(), path.end());
}

void Unigram::spans_hf(std::string_view text, const std::vector<PathNode>& path, std::vector<TokenSpan>& out) const {
  // HF encode_optimized: runs of unk nodes are fused into one string (fuse_unk is always on),
  // then every string is looked up again; a piece the lattice matched has the id the trie gave
  // it (the trie holds exactly the vocabulary's ids), so only unk strings need the lookup.
  for (size_t i = 0; i < path.size();) {
    const size_t s = path[i].start;
    size_t e = path[i].end;
    int32_t id = path[i].id;
    const bool unk = unk_id_ >= 0 && id == unk_id_;
    ++i;
    if (unk) {
      while (i < path.size() && path[i].id == unk_id_) e = path[i++].end;
      id = pieces_.find(text.substr(s, e - s));
    }
    const uint32_t s32 = static_cast<uint32_t>(s), e32 = static_cast<uint32_t>(e);
    if (id >= 0) {
      out.push_back(TokenSpan{id, s32, e32, TokenSpan::kText, 0});
      continue;
    }
    const std::string_view str = text.substr(s, e - s);
    if (byte_fallback_) {
      bool all = true;
      for (unsigned char b : str) all = all && byte_ids_[b] >= 0;
      if (all) {
        for (unsigned char b : str) out.push_back(TokenSpan{byte_ids_[b], s32, e32, TokenSpan::kByte, b});
        continue;
      }
    }
    if (unk_id_ < 0) missing_unk();
    out.push_back(TokenSpan{unk_id_, s32, e32, TokenSpan::kText, 0});
  }
}

void Unigram::spans_spm(std::string_view text, const std::vector<PathNode>& path, std::vector<TokenSpan>& out) const {
  // sentencepiece_processor.cc PopulateSentencePieceText: unknown pieces become <0xXX> byte
  // pieces with byte_fallback, otherwise consecutive unknowns merge into one unk token.
  bool prev_unk = false;
  for (const PathNode& n : path) {
    const bool is_unk = n.id == unk_id_;
    const uint32_t s32 = static_cast<uint32_t>(n.start), e32 = static_cast<uint32_t>(n.end);
    if (is_unk && byte_fallback_) {
      for (size_t k = n.start; k < n.end; ++k) {
        const auto b = static_cast<unsigned char>(text[k]);
        const int32_t id = byte_ids_[b] >= 0 ? byte_ids_[b] : unk_id_;
        out.push_back(TokenSpan{id, s32, e32, TokenSpan::kByte, b});
      }
    } else if (is_unk && prev_unk) {
      out.back().end = e32;
    } else {
      out.push_back(TokenSpan{n.id, s32, e32, TokenSpan::kText, 0});
    }
    prev_unk = is_unk;
  }
}

void Unigram::tokenize_spans(std::string_view piece, std::vector<TokenSpan>& out) const {
  if (piece.empty()) return;
  thread_local std::vector<PathNode> path;
  if (spm_) {
    best_path<float>(piece, path);
    spans_spm(piece, path, out);
  } else {
    best_path<double>(piece, path);
    spans_hf(piece, path, out);
  }
}

std::string Unigram::span_value(const TokenSpan& span, std::string_view piece) const {
  if (span.kind == TokenSpan::kByte) return unicode::byte_fallback_piece(span.byte);
  return std::string(piece.substr(span.start, span.end - span.start));
}

std::vector<Token> Unigram::tokenize(std::string_view piece) const { return tokens_from_spans(*this, piece); }

}  // namespace wasmbed::tok
