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

namespace {

UnigramVocab vocab_of(const std::vector<UnigramPiece>& pieces) {
  UnigramVocab v;
  size_t bytes = 0;
  for (const UnigramPiece& p : pieces) bytes += p.piece.size();
  v.reserve(pieces.size(), bytes);
  for (const UnigramPiece& p : pieces) v.push_back(p.piece, p.score, p.type);
  return v;
}

}  // namespace

void UnigramVocab::reserve(size_t pieces, size_t bytes) {
  pieces_.reserve(pieces, bytes);
  if (wide_) f64_.reserve(pieces);
  else f32_.reserve(pieces);
}

void UnigramVocab::push_back(std::string_view piece, double score, PieceType type) {
  const size_t id = pieces_.size();
  pieces_.push_back(piece);
  if (!wide_ && static_cast<double>(static_cast<float>(score)) != score) {
    // Not a float (or NaN): from here on every score is a double.
    f64_.reserve(f32_.capacity());
    f64_.assign(f32_.begin(), f32_.end());
    std::vector<float>().swap(f32_);
    wide_ = true;
  }
  if (wide_) f64_.push_back(score);
  else f32_.push_back(static_cast<float>(score));
  if (!typed_ && type != PieceType::kNormal) {  // the first piece that is not kNormal
    types_.assign(id, PieceType::kNormal);
    typed_ = true;
  }
  if (typed_) types_.push_back(type);
}

Unigram::Unigram(UnigramVocab vocab, int32_t unk_id, bool byte_fallback)
    : Unigram(std::move(vocab), unk_id, byte_fallback, false) {}

Unigram::Unigram(const std::vector<UnigramPiece>& vocab, int32_t unk_id, bool byte_fallback)
    : Unigram(vocab_of(vocab), unk_id, byte_fallback, false) {}

std::unique_ptr<Unigram> Unigram::sentencepiece(UnigramVocab pieces, int32_t unk_id, bool byte_fallback) {
  return std::unique_ptr<Unigram>(new Unigram(std::move(pieces), unk_id, byte_fallback, true));
}

std::unique_ptr<Unigram> Unigram::sentencepiece(const std::vector<UnigramPiece>& pieces, int32_t unk_id, bool byte_fallback) {
  return sentencepiece(vocab_of(pieces), unk_id, byte_fallback);
}

Unigram::Unigram(UnigramVocab vocab, int32_t unk_id, bool byte_fallback, bool spm)
    : vocab_(std::move(vocab)), unk_id_(unk_id), byte_fallback_(byte_fallback), spm_(spm) {
  const size_t n = vocab_.size();
  if (unk_id_ >= 0 && n == 0) fail(ErrorCode::kParse, "Unigram: the vocabulary is empty but at least <unk> is needed");
  if (unk_id_ >= static_cast<int64_t>(n))
    fail(ErrorCode::kParse, "Unigram: unk_id " + std::to_string(unk_id_) + " is outside the vocabulary");
  if (unk_id_ < -1) unk_id_ = -1;
  if (spm_ && vocab_.wide_) {
    // SentencePiece scores are floats (a .model never gives anything else).
    vocab_.f32_.assign(vocab_.f64_.begin(), vocab_.f64_.end());
    std::vector<double>().swap(vocab_.f64_);
    vocab_.wide_ = false;
  }
  if (spm_ && !vocab_.typed_) {
    vocab_.types_.assign(n, PieceType::kNormal);
    vocab_.typed_ = true;
  }
  min_score_ = std::numeric_limits<double>::infinity();
  min_score_f32_ = FLT_MAX;
  max_score_f32_ = FLT_MIN;  // SentencePiece starts from FLT_MIN (smallest positive), kept on purpose
  for (size_t id = 0; id < n; ++id) {
    if (spm_) {
      if (vocab_.types_[id] == PieceType::kNormal) {
        min_score_f32_ = std::min(min_score_f32_, vocab_.f32_[id]);
        max_score_f32_ = std::max(max_score_f32_, vocab_.f32_[id]);
      }
    } else {
      min_score_ = std::min(min_score_, vocab_.score(id));
    }
  }
  trie_.build(vocab_.pieces_);
  for (int b = 0; b < 256; ++b) byte_ids_[b] = trie_.find(unicode::byte_fallback_piece(static_cast<unsigned char>(b)));
}

std::string Unigram::id_to_token(int32_t id, bool& found) const {
  found = id >= 0 && static_cast<size_t>(id) < vocab_.size();
  return found ? std::string(vocab_.piece(static_cast<size_t>(id))) : std::string();
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
  const float* f32 = vocab_.f32_.data();
  const double* f64 = vocab_.f64_.data();
  const bool wide = vocab_.wide_;
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
        // Only NORMAL and USER_DEFINED pieces are in SentencePiece's lattice.
        const PieceType type = vocab_.types_[id];
        if (type != PieceType::kNormal && type != PieceType::kUserDefined) return true;
        score = type == PieceType::kUserDefined ? static_cast<double>(static_cast<float>(len) * max_score_f32_) - 0.1
                                                  : static_cast<double>(vocab_.f32_[id]);
      } else {
        score = wide ? f64[id] : static_cast<double>(f32[id]);
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
      id = trie_.find(text.substr(s, e - s));
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
