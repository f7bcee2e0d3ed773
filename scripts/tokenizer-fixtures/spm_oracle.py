#!/usr/bin/python3
# SentencePiece oracle for the tokenizer parity fixtures: reads {"model": path, "texts": [...]}
# as JSON on stdin, writes the piece ids of every text (no BOS/EOS, spm_encode's default) as a
# JSON list of lists. Uses Debian's python3-sentencepiece (the same library as spm_encode).
import json
import sys

import sentencepiece as spm

req = json.load(sys.stdin)
sp = spm.SentencePieceProcessor(model_file=req["model"])
json.dump(sp.encode(req["texts"], out_type=int), sys.stdout)
