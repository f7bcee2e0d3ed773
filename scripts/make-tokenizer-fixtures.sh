#!/usr/bin/env bash
# Regenerates the tokenizer parity fixtures in tests/fixtures/tokenizers/:
#   spm/*.model       SentencePiece models trained with Debian's spm_train on ../shared/texts
#                     (KorSTS + KLUE-STS Korean, STS-B Russian + English), see SPM_MODELS in
#                     tests/helpers/tokenizer-fixtures.js for the list (unigram nmt_nfkc at several
#                     vocab sizes, with/without byte_fallback, one identity-normalized, one BPE);
#   expected/*.json.gz what the oracles say (HF tokenizers via @anush008/tokenizers for every
#                     tokenizer.json, incl. the ones converted from the .models by
#                     scripts/tokenizer-fixtures/spm-convert.js; python3-sentencepiece for .models).
# Needs: spm_train, /usr/bin/python3 with python3-sentencepiece, node_modules (npm ci), ../shared.
# Usage: bash scripts/make-tokenizer-fixtures.sh [--expectations-only]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=tests/fixtures/tokenizers
work=build/tokenizer-fixtures
mkdir -p "$out/spm" "$work"

if [[ "${1:-}" != "--expectations-only" ]]; then
  command -v spm_train >/dev/null || { echo "spm_train not found (apt-get install sentencepiece)" >&2; exit 1; }
  # Training text: one sentence per line, from the same loader the tests use.
  node --input-type=module -e "
    import { writeFileSync } from 'node:fs';
    import { loadAllCorpora } from './tests/helpers/shared-texts.js';
    const c = loadAllCorpora();
    if (!c) { console.error('../shared/texts is absent: cannot train fixtures'); process.exit(1); }
    const w = (f, lines) => writeFileSync('$work/' + f + '.txt', lines.join('\n') + '\n');
    w('ko', [...c.korsts, ...c['klue-sts']]);
    w('ruen', [...c['stsb-ru'], ...c['stsb-en']]);
    w('en', c['stsb-en']);
    w('all', Object.values(c).flat());
  "
  # name type vocab corpus byte_fallback rule coverage, from SPM_MODELS
  node --input-type=module -e "
    import { SPM_MODELS } from './tests/helpers/tokenizer-fixtures.js';
    for (const m of SPM_MODELS) console.log([m.name, m.type, m.vocab, m.corpus, m.byteFallback, m.rule, m.coverage ?? 0.9995].join(' '));
  " | while read -r name type vocab corpus bf rule coverage; do
    # One thread and a fixed seed-free setup: spm_train's unigram EM is deterministic single-threaded.
    spm_train --input="$work/$corpus.txt" --model_prefix="$work/$name" --model_type="$type" \
      --vocab_size="$vocab" --normalization_rule_name="$rule" --byte_fallback="$bf" \
      --character_coverage="$coverage" --num_threads=1 --hard_vocab_limit=false --minloglevel=2
    cp "$work/$name.model" "$out/spm/$name.model"
    echo "trained $out/spm/$name.model ($(stat -c %s "$out/spm/$name.model") bytes)"
  done
fi

node scripts/tokenizer-fixtures/make-expectations.js
du -sh "$out"
