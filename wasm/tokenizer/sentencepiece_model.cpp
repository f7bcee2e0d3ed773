#include "tokenizer/sentencepiece_model.h"

#include <cstring>

#include "common/error.h"

namespace wasmbed::tok {

namespace {

[[noreturn]] void bad(const std::string& what) { fail(ErrorCode::kParse, "sentencepiece model: " + what); }

// Protobuf wire types.
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5;

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos_ >= data_.size()) bad("truncated varint at byte " + std::to_string(pos_));
      const uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      if (shift < 64) v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    bad("varint longer than 10 bytes at byte " + std::to_string(pos_));
  }
  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > data_.size() - pos_) bad("length " + std::to_string(n) + " runs past the end at byte " + std::to_string(pos_));
    std::string_view v = data_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return v;
  }
  uint32_t fixed32() {
    if (data_.size() - pos_ < 4) bad("truncated fixed32 at byte " + std::to_string(pos_));
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  float float32() {
    const uint32_t bits = fixed32();
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  void skip(int wire_type, int depth = 0) {
    switch (wire_type) {
      case kVarint: varint(); return;
      case kFixed64:
        if (data_.size() - pos_ < 8) bad("truncated fixed64");
        pos_ += 8;
        return;
      case kLengthDelimited: bytes(); return;
      case kFixed32: fixed32(); return;
      case kStartGroup: {
        if (depth > 64) bad("groups nested too deeply");
        for (;;) {
          if (done()) bad("unterminated group");
          const uint64_t key = varint();
          if ((key & 7) == kEndGroup) return;
          skip(static_cast<int>(key & 7), depth + 1);
        }
      }
      default: bad("invalid wire type " + std::to_string(wire_type) + " at byte " + std::to_string(pos_));
    }
  }
  // Next field: returns false at end. Sets field number and wire type.
  bool next(uint32_t& field, int& wire) {
    if (done()) return false;
    const uint64_t key = varint();
    field = static_cast<uint32_t>(key >> 3);
    wire = static_cast<int>(key & 7);
    if (field == 0) bad("field number 0 at byte " + std::to_string(pos_));
    return true;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

void expect(int wire, int want, const char* field) {
  if (wire != want) bad(std::string("field ") + field + " has wire type " + std::to_string(wire));
}

int32_t as_int32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

struct PieceView {
  std::string_view piece;
  float score = 0;
  PieceType type = PieceType::kNormal;
};

// noinline here and below: small functions for the per-piece work, the rare fields out of the
// loops. V8 runs a fresh module's code in its baseline tier and compiles a function with TurboFan
// only once it is hot, in the background, used from its next call on: a 250k-piece load that ran
// in one big function (all of this inlined) paid for compiling ~15 KB of it and never used the
// result; small hot functions are compiled cheaply and used within the same load.
__attribute__((noinline)) PieceView parse_piece(std::string_view data) {
  PieceView p;
  Reader r(data);
  uint32_t f;
  int w;
  while (r.next(f, w)) {
    if (f == 1) {
      expect(w, kLengthDelimited, "SentencePiece.piece");
      p.piece = r.bytes();
    } else if (f == 2) {
      expect(w, kFixed32, "SentencePiece.score");
      p.score = r.float32();
    } else if (f == 3) {
      expect(w, kVarint, "SentencePiece.type");
      const uint64_t t = r.varint();
      if (t < 1 || t > 6) bad("piece type " + std::to_string(t) + " is unknown");
      p.type = static_cast<PieceType>(t);
    } else {
      r.skip(w);
    }
  }
  return p;
}

__attribute__((noinline)) void parse_trainer(std::string_view data, SentencePieceModel& m) {
  Reader r(data);
  uint32_t f;
  int w;
  while (r.next(f, w)) {
    switch (f) {
      case 3: {
        expect(w, kVarint, "TrainerSpec.model_type");
        const uint64_t t = r.varint();
        if (t < 1 || t > 4) bad("model_type " + std::to_string(t) + " is unknown");
        m.model_type = static_cast<SentencePieceModel::Type>(t);
        break;
      }
      case 24: expect(w, kVarint, "treat_whitespace_as_suffix"); m.treat_whitespace_as_suffix = r.varint() != 0; break;
      case 35: expect(w, kVarint, "byte_fallback"); m.byte_fallback = r.varint() != 0; break;
      case 40: expect(w, kVarint, "unk_id"); m.unk_id = as_int32(r.varint()); break;
      case 41: expect(w, kVarint, "bos_id"); m.bos_id = as_int32(r.varint()); break;
      case 42: expect(w, kVarint, "eos_id"); m.eos_id = as_int32(r.varint()); break;
      case 43: expect(w, kVarint, "pad_id"); m.pad_id = as_int32(r.varint()); break;
      case 45: expect(w, kLengthDelimited, "unk_piece"); m.unk_piece = std::string(r.bytes()); break;
      case 46: expect(w, kLengthDelimited, "bos_piece"); m.bos_piece = std::string(r.bytes()); break;
      case 47: expect(w, kLengthDelimited, "eos_piece"); m.eos_piece = std::string(r.bytes()); break;
      case 48: expect(w, kLengthDelimited, "pad_piece"); m.pad_piece = std::string(r.bytes()); break;
      default: r.skip(w);
    }
  }
}

__attribute__((noinline)) void parse_normalizer(std::string_view data, SentencePieceModel& m) {
  Reader r(data);
  uint32_t f;
  int w;
  while (r.next(f, w)) {
    switch (f) {
      case 1: expect(w, kLengthDelimited, "NormalizerSpec.name"); m.normalizer_name = std::string(r.bytes()); break;
      case 2: expect(w, kLengthDelimited, "precompiled_charsmap"); m.precompiled_charsmap = std::string(r.bytes()); break;
      case 3: expect(w, kVarint, "add_dummy_prefix"); m.add_dummy_prefix = r.varint() != 0; break;
      case 4: expect(w, kVarint, "remove_extra_whitespaces"); m.remove_extra_whitespaces = r.varint() != 0; break;
      case 5: expect(w, kVarint, "escape_whitespaces"); m.escape_whitespaces = r.varint() != 0; break;
      case 6: expect(w, kLengthDelimited, "normalization_rule_tsv"); m.normalization_rule_tsv = std::string(r.bytes()); break;
      default: r.skip(w);
    }
  }
}

}  // namespace

__attribute__((noinline)) void SentencePieceModel::for_each_piece(const std::function<void(std::string_view, float, PieceType)>& fn) const {
  Reader r(bytes);
  uint32_t f;
  int w;
  while (r.next(f, w)) {
    if (f == 1) {
      const PieceView p = parse_piece(r.bytes());
      fn(p.piece, p.score, p.type);
    } else {
      r.skip(w);
    }
  }
}

std::vector<UnigramPiece> SentencePieceModel::piece_list() const {
  std::vector<UnigramPiece> out;
  out.reserve(piece_count);
  for_each_piece([&](std::string_view piece, float score, PieceType type) { out.push_back(UnigramPiece{std::string(piece), score, type}); });
  return out;
}

__attribute__((noinline)) SentencePieceModel parse_sentencepiece_model(std::string_view bytes) {
  SentencePieceModel m;
  m.bytes = bytes;
  uint32_t f;
  int w;
  int32_t unk = -1;
  Reader r(bytes);
  while (r.next(f, w)) {
    switch (f) {
      case 1: {
        expect(w, kLengthDelimited, "ModelProto.pieces");
        const PieceView p = parse_piece(r.bytes());
        if (p.piece.empty()) bad("piece " + std::to_string(m.piece_count) + " is empty");
        if (p.type == PieceType::kUnknown) {
          // SentencePiece itself finds unk by type; trainer_spec.unk_id must agree with it.
          if (unk >= 0) bad("more than one UNKNOWN piece");
          unk = static_cast<int32_t>(m.piece_count);
        }
        if (p.type == PieceType::kUserDefined) m.user_defined.emplace_back(p.piece);
        ++m.piece_count;
        m.piece_bytes += p.piece.size();
        break;
      }
      case 2: expect(w, kLengthDelimited, "ModelProto.trainer_spec"); parse_trainer(r.bytes(), m); break;
      case 3: expect(w, kLengthDelimited, "ModelProto.normalizer_spec"); parse_normalizer(r.bytes(), m); break;
      default: r.skip(w);
    }
  }
  if (m.piece_count == 0) bad("no pieces (is this a SentencePiece .model file?)");
  if (m.piece_count > INT32_MAX) bad("more than 2^31 pieces");
  if (unk < 0) bad("no UNKNOWN (<unk>) piece");
  m.unk_id = unk;
  return m;
}

}  // namespace wasmbed::tok
