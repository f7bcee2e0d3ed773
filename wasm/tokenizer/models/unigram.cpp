#include "tokenizer/models/unigram.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "common/error.h"

namespace wasmbed::tok {

namespace {

constexpr double kUnkPenalty = 10.0;

std::string byte_piece(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "<0x%02X>", b);
  return buf;
}

// Length of the UTF-8 char starting at s[i] (input is valid UTF-8; clamp for safety).
size_t char_len(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return std::min(n, s.size() - i);
}

}  // namespace

Unigram::Unigram(std::vector<UnigramPiece> vocab, int32_t unk_id, bool byte_fallback)
    : Unigram(std::move(vocab), unk_id, byte_fallback, false) {}

std::unique_ptr<Unigram> Unigram::sentencepiece(std::vector<UnigramPiece> pieces, int32_t unk_id, bool byte_fallback) {
  return std::unique_ptr<Unigram>(new Unigram(std::move(pieces), unk_id, byte_fallback, true));
}

Unigram::Unigram(std::vector<UnigramPiece> vocab, int32_t unk_id, bool byte_fallback, bool spm)
    : pieces_(std::move(vocab)), unk_id_(unk_id), byte_fallback_(byte_fallback), spm_(spm) {
  if (unk_id_ >= 0 && pieces_.empty())
    fail(ErrorCode::kParse, "Unigram: the vocabulary is empty but at least <unk> is needed");
  if (unk_id_ >= static_cast<int32_t>(pieces_.size()))
    fail(ErrorCode::kParse, "Unigram: unk_id " + std::to_string(unk_id_) + " is outside the vocabulary");
  if (unk_id_ < -1) unk_id_ = -1;
  min_score_ = std::numeric_limits<double>::infinity();
  min_score_f32_ = FLT_MAX;
  max_score_f32_ = FLT_MIN;  // SentencePiece starts from FLT_MIN (smallest positive), kept on purpose
  score_f32_.resize(pieces_.size());
  for (size_t id = 0; id < pieces_.size(); ++id) {
    const UnigramPiece& p = pieces_[id];
    vocab_.insert(p.piece, static_cast<int32_t>(id));
    score_f32_[id] = static_cast<float>(p.score);
    if (spm_) {
      if (p.type == PieceType::kNormal) {
        min_score_f32_ = std::min(min_score_f32_, score_f32_[id]);
        max_score_f32_ = std::max(max_score_f32_, score_f32_[id]);
      }
    } else {
      min_score_ = std::min(min_score_, p.score);
    }
  }
  // The trie maps a piece to its id; with duplicate pieces the last id wins in the vocabulary
  // (HF HashMap insert), so the trie takes the id the vocabulary holds.
  for (size_t id = 0; id < pieces_.size(); ++id) {
    const UnigramPiece& p = pieces_[id];
    if (spm_ && !(p.type == PieceType::kNormal || p.type == PieceType::kUserDefined || p.type == PieceType::kUnused))
      continue;
    if (!spm_ && vocab_.find(p.piece) != static_cast<int32_t>(id)) continue;
    trie_.insert(p.piece, static_cast<int32_t>(id));
  }
  trie_.freeze();
  for (int b = 0; b < 256; ++b) byte_ids_[b] = vocab_.find(byte_piece(static_cast<unsigned char>(b)));
}

std::string Unigram::id_to_token(int32_t id, bool& found) const {
  found = id >= 0 && static_cast<size_t>(id) < pieces_.size();
  return found ? pieces_[id].piece : std::string();
}

void Unigram::missing_unk() const {
  fail(ErrorCode::kInvalidArgument, "Unigram: the text has a character outside the vocabulary and the model has no unk_id");
}

template <typename Real>
std::vector<Unigram::PathNode> Unigram::best_path(std::string_view text) const {
  struct Best {
    int32_t id = -1;
    Real score = 0;
    size_t start = std::numeric_limits<size_t>::max();  // max: no path ends here yet
  };
  constexpr size_t kUnset = std::numeric_limits<size_t>::max();
  const size_t size = text.size();
  const Real unk_score = spm_ ? static_cast<Real>(min_score_f32_ - static_cast<float>(kUnkPenalty))
                              : static_cast<Real>(min_score_ - kUnkPenalty);
  std::vector<Best> best(size + 1);
  size_t start = 0;
  while (start < size) {
    const Real till_here = best[start].score;
    const size_t mblen = char_len(text, start);
    bool has_single_node = false;
    trie_.common_prefixes(text, start, [&](size_t len, int32_t id) {
      const UnigramPiece& p = pieces_[id];
      // SentencePiece's EncodeOptimized: `score` is a double there (the user-defined branch
      // `length * max_score_ - 0.1` makes the conditional double), so the candidate is summed
      // and COMPARED in double and only rounded to float when stored. Comparing float sums
      // instead breaks ties differently (e.g. "000" -> "00","0" vs "0","00").
      double score;
      if (spm_) {
        if (p.type == PieceType::kUnused) return true;
        score = p.type == PieceType::kUserDefined ? static_cast<double>(static_cast<float>(len) * max_score_f32_) - 0.1
                                                  : static_cast<double>(score_f32_[id]);
      } else {
        score = p.score;
      }
      Best& target = best[start + len];
      const double candidate = score + static_cast<double>(till_here);
      if (target.start == kUnset || candidate > static_cast<double>(target.score)) {
        target.score = static_cast<Real>(candidate);
        target.start = start;
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
        target.start = start;
        target.id = unk_id_;
      }
    }
    start += mblen;
  }
  std::vector<PathNode> path;
  size_t end = size;
  while (end > 0) {
    const Best& node = best[end];
    path.push_back(PathNode{node.id, node.start, end});
    end = node.start;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::vector<Token> Unigram::tokens_hf(std::string_view text, const std::vector<PathNode>& path) const {
  // HF encode_optimized: runs of unk nodes are fused into one string (fuse_unk is always on).
  std::vector<std::pair<size_t, size_t>> strings;
  for (size_t i = 0; i < path.size(); ++i) {
    if (unk_id_ >= 0 && path[i].id == unk_id_ && !strings.empty() && i > 0 && path[i - 1].id == unk_id_) {
      strings.back().second = path[i].end;
    } else {
      strings.emplace_back(path[i].start, path[i].end);
    }
  }
  std::vector<Token> out;
  out.reserve(strings.size());
  for (const auto& [s, e] : strings) {
    const std::string_view str = text.substr(s, e - s);
    const int32_t id = vocab_.find(str);
    if (id >= 0) {
      out.push_back(Token{id, std::string(str), {s, e}});
      continue;
    }
    if (byte_fallback_) {
      bool all = true;
      for (unsigned char b : str) all = all && byte_ids_[b] >= 0;
      if (all) {
        for (unsigned char b : str) out.push_back(Token{byte_ids_[b], byte_piece(b), {s, e}});
        continue;
      }
    }
    if (unk_id_ < 0) missing_unk();
    out.push_back(Token{unk_id_, std::string(str), {s, e}});
  }
  return out;
}

std::vector<Token> Unigram::tokens_spm(std::string_view text, const std::vector<PathNode>& path) const {
  // sentencepiece_processor.cc PopulateSentencePieceText: unknown pieces become <0xXX> byte
  // pieces with byte_fallback, otherwise consecutive unknowns merge into one unk token.
  std::vector<Token> out;
  out.reserve(path.size());
  bool prev_unk = false;
  for (const PathNode& n : path) {
    const bool is_unk = n.id == unk_id_;
    const std::string_view str = text.substr(n.start, n.end - n.start);
    if (is_unk && byte_fallback_) {
      for (unsigned char b : str) {
        const int32_t id = byte_ids_[b] >= 0 ? byte_ids_[b] : unk_id_;
        out.push_back(Token{id, byte_piece(b), {n.start, n.end}});
      }
    } else if (is_unk && prev_unk) {
      out.back().value.append(str);
      out.back().offsets.second = n.end;
    } else {
      out.push_back(Token{n.id, std::string(str), {n.start, n.end}});
    }
    prev_unk = is_unk;
  }
  return out;
}

std::vector<Token> Unigram::tokenize(std::string_view piece) const {
  if (piece.empty()) return {};
  if (spm_) return tokens_spm(piece, best_path<float>(piece));
  return tokens_hf(piece, best_path<double>(piece));
}

}  // namespace wasmbed::tok
