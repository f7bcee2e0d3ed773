#!/usr/bin/env python3
"""Writes small PyTorch checkpoints with REAL torch.save, plus the torch forward pass they must give.

usage: make-torch-checkpoints.py OUT_DIR
       make-torch-checkpoints.py --big VOCAB_SIZE OUT_DIR   (only OUT_DIR/big: see below)
       make-torch-checkpoints.py --bge-m3-shape OUT_DIR     (only OUT_DIR/bge-m3-shape: see below)

Needs python3-torch (Debian). Debian has no python3-transformers, so the encoders are built here
from torch.nn modules whose parameter names, buffers and forward pass follow Hugging Face's
modeling_bert.py / modeling_roberta.py (eager attention, exact GELU, additive mask
(1 - mask) * finfo(float32).min, RoBERTa position ids from the non-padding cumulative sum).
tests/js/convert-pytorch.test.js converts every folder with `wasmbed convert` and compares the
ONNX outputs with expected.json.

Folders written under OUT_DIR (each with config.json and expected.json unless noted):
  bert/              BertForMaskedLM-style state dict: 'bert.' prefix, MLM head whose decoder
                     weight is tied to the word embeddings (one shared storage), position_ids buffer
  bert-sharded/      the same weights in two shards + pytorch_model.bin.index.json
  xlmr/              XLMRobertaModel (no prefix, as BAAI/bge-m3 ships it), with pooler
  xlmr-fp16/         the xlmr weights saved as float16 (expected: the forward of the rounded weights)
  xlmr-bf16/         ... as bfloat16
  xlmr-strided/      xlmr with a transposed (non-contiguous) weight and weights that are views at
                     a storage offset into a larger storage
  xlmr-parameters/   xlmr saved as a dict of nn.Parameter objects (torch._utils._rebuild_parameter)
  legacy/            pytorch_model.bin in the pre-1.6 (non-zip) format (no expected.json)
  hostile/*.bin      torch.save archives whose data.pkl is replaced by a hostile pickle (and a
                     big-endian one, and a training checkpoint nesting the state dict)
  big/               (--big only) XLM-R whose word embedding table has VOCAB_SIZE rows: a
                     checkpoint of VOCAB_SIZE * 128 bytes for memory measurements (no expected.json)
  bge-m3-shape/      (--bge-m3-shape only) XLMRobertaModel of BAAI/bge-m3's shape (24 layers, hidden
                     1024, 250002 x 1024 embeddings, 8194 positions): a 2.27 GB pytorch_model.bin
                     like the real one, for bench/convert-pytorch.bench.js (no expected.json)
"""
import collections, io, json, math, os, pickle, sys, zipfile

import torch
from torch import nn
import torch.nn.functional as F

H, LAYERS, HEADS, INTERMEDIATE, VOCAB = 32, 2, 4, 64, 500


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg['vocab_size'], H, padding_idx=cfg['pad_token_id'])
        self.position_embeddings = nn.Embedding(cfg['max_position_embeddings'], H)
        self.token_type_embeddings = nn.Embedding(cfg['type_vocab_size'], H)
        self.LayerNorm = nn.LayerNorm(H, eps=cfg['layer_norm_eps'])
        self.dropout = nn.Dropout(0.1)
        # Persistent, as transformers < 4.31 saved it (ko-sroberta-multitask's checkpoint has it):
        # an int64 buffer the converter must skip.
        self.register_buffer('position_ids', torch.arange(cfg['max_position_embeddings']).expand((1, -1)))
        self.roberta = cfg['model_type'] != 'bert'
        self.pad = cfg['pad_token_id']

    def forward(self, input_ids, token_type_ids):
        if self.roberta:
            # create_position_ids_from_input_ids
            mask = input_ids.ne(self.pad).int()
            position_ids = (torch.cumsum(mask, dim=1).type_as(mask) * mask).long() + self.pad
        else:
            position_ids = self.position_ids[:, :input_ids.shape[1]]
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        x = x + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x, mask_bias):
        b, s, _ = x.shape
        heads = lambda t: t.view(b, s, HEADS, H // HEADS).permute(0, 2, 1, 3)
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(H // HEADS) + mask_bias
        probs = self.dropout(F.softmax(scores, dim=-1))
        return torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, s, H)


class DenseNorm(nn.Module):  # BertSelfOutput / BertOutput
    def __init__(self, inp, eps):
        super().__init__()
        self.dense = nn.Linear(inp, H)
        self.LayerNorm = nn.LayerNorm(H, eps=eps)
        self.dropout = nn.Dropout(0.1)

    def forward(self, h, residual):
        return self.LayerNorm(self.dropout(self.dense(h)) + residual)


class Attention(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.self = SelfAttention()
        self.output = DenseNorm(H, eps)

    def forward(self, x, mask_bias):
        return self.output(self.self(x, mask_bias), x)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(H, INTERMEDIATE)

    def forward(self, x):
        return F.gelu(self.dense(x))  # exact (erf) GELU, hidden_act 'gelu'


class Layer(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.attention = Attention(eps)
        self.intermediate = Intermediate()
        self.output = DenseNorm(INTERMEDIATE, eps)

    def forward(self, x, mask_bias):
        a = self.attention(x, mask_bias)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.layer = nn.ModuleList([Layer(eps) for _ in range(LAYERS)])


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(H, H)


class Model(nn.Module):  # BertModel / XLMRobertaModel
    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg['layer_norm_eps'])
        self.pooler = Pooler()

    def forward(self, input_ids, attention_mask, token_type_ids):
        # get_extended_attention_mask: (1 - mask) * finfo(float32).min, shape [B, 1, 1, S]
        mask_bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        x = self.embeddings(input_ids, token_type_ids)
        for layer in self.encoder.layer:
            x = layer(x, mask_bias)
        return x


class MaskedLM(nn.Module):  # BertForMaskedLM: 'bert.' prefix, tied decoder
    def __init__(self, cfg):
        super().__init__()
        self.bert = Model(cfg)
        self.cls = nn.Module()
        self.cls.predictions = nn.Module()
        self.cls.predictions.transform = nn.Module()
        self.cls.predictions.transform.dense = nn.Linear(H, H)
        self.cls.predictions.transform.LayerNorm = nn.LayerNorm(H, eps=cfg['layer_norm_eps'])
        self.cls.predictions.decoder = nn.Linear(H, cfg['vocab_size'], bias=False)
        self.cls.predictions.bias = nn.Parameter(torch.zeros(cfg['vocab_size']))
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight  # tie_weights()


def config(model_type):
    bert = model_type == 'bert'
    return {
        'architectures': ['BertForMaskedLM' if bert else 'XLMRobertaModel'], 'model_type': model_type,
        'hidden_size': H, 'num_hidden_layers': LAYERS, 'num_attention_heads': HEADS, 'intermediate_size': INTERMEDIATE,
        'vocab_size': VOCAB, 'max_position_embeddings': 24 if bert else 26, 'type_vocab_size': 2 if bert else 1,
        'layer_norm_eps': 1e-12 if bert else 1e-5, 'pad_token_id': 0 if bert else 1, 'hidden_act': 'gelu',
        'position_embedding_type': 'absolute', 'initializer_range': 0.02, 'torch_dtype': 'float32',
    }


def randomize(model, seed):
    # Larger than HF's init (std 0.02) so that every weight visibly moves the output.
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'LayerNorm.weight' in name:
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=g))


def inputs(cfg):
    pad = cfg['pad_token_id']
    rows = [[5, 17, 230, 41, 99, 488, 7, 3, 12], [5, 301, 44, 9, 6, pad, pad, pad, pad], [5, 250, 251, 252, 60, 61, 400, 2, pad]]
    mask = [[int(t != pad) for t in r] for r in rows]
    types = [[0] * 9, [0] * 9, [0] * 9]
    if cfg['model_type'] == 'bert':
        types = [[0] * 5 + [1] * 4, [0] * 3 + [1] * 6, [0] * 9]
    return rows, mask, types


def expected(model, cfg, dtype=None):
    """Forward pass in float32 (of the weights rounded to `dtype` when given); pooled embedding as the seed models pool."""
    m = model.bert if hasattr(model, 'bert') else model
    if dtype is not None:
        m = Model(cfg)
        m.load_state_dict({k: v.to(dtype).float() for k, v in (model.bert if hasattr(model, 'bert') else model).state_dict().items()})
    m.eval()
    rows, mask, types = inputs(cfg)
    with torch.no_grad():
        ids, am, tt = torch.tensor(rows), torch.tensor(mask), torch.tensor(types)
        hidden = m(ids, am, tt)
        if cfg['model_type'] == 'bert':  # ko-sroberta-multitask: mean over the mask, no normalization
            pooled = (hidden * am[:, :, None]).sum(1) / am.sum(1, keepdim=True)
            pooling = 'mean'
        else:  # bge-m3: CLS, L2-normalized
            pooled = F.normalize(hidden[:, 0], dim=-1)
            pooling = 'cls-normalized'
    return {
        'torch_version': torch.__version__, 'input_ids': rows, 'attention_mask': mask, 'token_type_ids': types,
        'shape': list(hidden.shape), 'last_hidden_state': hidden.flatten().tolist(),
        'pooling': pooling, 'sentence_embedding': pooled.flatten().tolist(),
    }


def write_folder(out, name, cfg, exp):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    if exp is not None:
        with open(os.path.join(d, 'expected.json'), 'w') as f:
            json.dump(exp, f)
    return d


def save_sharded(state, d):
    """Two shards + index, as transformers' shard_checkpoint / save_pretrained lay them out."""
    names = list(state)
    half = len(names) // 2
    weight_map, total = {}, 0
    for i, group in enumerate([names[:half], names[half:]]):
        file = f'pytorch_model-{i + 1:05d}-of-00002.bin'
        torch.save(collections.OrderedDict((n, state[n]) for n in group), os.path.join(d, file))
        for n in group:
            weight_map[n] = file
            total += state[n].numel() * state[n].element_size()
    with open(os.path.join(d, 'pytorch_model.bin.index.json'), 'w') as f:
        json.dump({'metadata': {'total_size': total}, 'weight_map': weight_map}, f, indent=2)


class _Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class _Call:  # pickles as REDUCE(fn, args) for a callable that exists only as a reference
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ('storage', torch.FloatStorage, obj.key, 'cpu', obj.numel)
        return None


def hostile(out, good):
    """Real torch.save archives whose data.pkl is swapped for a hostile pickle (Python's pickle module)."""
    d = os.path.join(out, 'hostile')
    os.makedirs(d, exist_ok=True)
    tensor = lambda storage: _Call(torch._utils._rebuild_tensor_v2, (storage, 0, (4,), (1,), False, collections.OrderedDict()))
    payloads = {
        # GLOBAL posix.system (os.system) + REDUCE: would run a shell command under pickle.load.
        'os-system': _Call(os.system, ('touch /tmp/wasmbed-pwned',)),
        # GLOBAL builtins.eval
        'eval': collections.OrderedDict([('weight', _Call(eval, ('__import__("os").getcwd()',)))]),
        # REDUCE on an allow-listed global that is not a callable the reader accepts (a storage type)
        'reduce-storage': collections.OrderedDict([('weight', _Call(torch.FloatStorage, (4,)))]),
        # a storage key that names no entry of the archive (path traversal)
        'storage-outside': collections.OrderedDict([('weight', tensor(_Storage('../../../../etc/passwd', 4)))]),
        # a storage that claims more elements than its archive entry holds
        'storage-short': collections.OrderedDict([('weight', tensor(_Storage('0', 1 << 20)))]),
    }
    with zipfile.ZipFile(good) as z:
        records = [(i, z.read(i.filename)) for i in z.infolist()]
    for name, obj in payloads.items():
        buf = io.BytesIO()
        _Pickler(buf, protocol=2).dump(obj)
        with zipfile.ZipFile(os.path.join(d, f'{name}.bin'), 'w', zipfile.ZIP_STORED) as z:
            for info, data in records:
                z.writestr(info.filename, buf.getvalue() if info.filename.endswith('/data.pkl') else data)
    # Not hostile but unreadable here: big-endian storages (torch >= 2.1 records the byte order),
    # and a training checkpoint that nests the state dict.
    with zipfile.ZipFile(os.path.join(d, 'big-endian.bin'), 'w', zipfile.ZIP_STORED) as z:
        for info, data in records:
            z.writestr(info.filename, data)
        z.writestr(records[0][0].filename.replace('data.pkl', 'byteorder'), b'big')
    model = torch.load(good)
    torch.save({'epoch': 3, 'state_dict': model}, os.path.join(d, 'nested.bin'))


def big(out, vocab):
    cfg = dict(config('xlm-roberta'), vocab_size=vocab)
    model = Model(cfg)  # HF's initialization is enough: nothing is compared
    torch.save(model.state_dict(), os.path.join(write_folder(out, 'big', cfg, None), 'pytorch_model.bin'))


def bge_m3_shape(out):
    global H, LAYERS, HEADS, INTERMEDIATE
    H, LAYERS, HEADS, INTERMEDIATE = 1024, 24, 16, 4096
    cfg = dict(config('xlm-roberta'), vocab_size=250002, max_position_embeddings=8194)
    with torch.no_grad():
        model = Model(cfg)
    torch.save(model.state_dict(), os.path.join(write_folder(out, 'bge-m3-shape', cfg, None), 'pytorch_model.bin'))


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == '--bge-m3-shape':
        bge_m3_shape(args[1])
        return
    if len(args) == 3 and args[0] == '--big' and args[1].isdigit():
        big(args[2], int(args[1]))
        return
    if len(args) != 1:
        sys.exit(__doc__)
    out = args[0]
    os.makedirs(out, exist_ok=True)

    cfg = config('bert')
    mlm = MaskedLM(cfg)
    randomize(mlm, 1)
    exp = expected(mlm, cfg)
    state = mlm.state_dict()
    assert state['cls.predictions.decoder.weight'].data_ptr() == state['bert.embeddings.word_embeddings.weight'].data_ptr()
    torch.save(state, os.path.join(write_folder(out, 'bert', cfg, exp), 'pytorch_model.bin'))
    save_sharded(state, write_folder(out, 'bert-sharded', cfg, exp))

    cfg = config('xlm-roberta')
    model = Model(cfg)
    randomize(model, 2)
    state = model.state_dict()
    good = os.path.join(write_folder(out, 'xlmr', cfg, expected(model, cfg)), 'pytorch_model.bin')
    torch.save(state, good)
    for dtype, name in [(torch.float16, 'xlmr-fp16'), (torch.bfloat16, 'xlmr-bf16')]:
        half = collections.OrderedDict((k, v.to(dtype) if v.is_floating_point() else v) for k, v in state.items())
        torch.save(half, os.path.join(write_folder(out, name, dict(cfg, torch_dtype=str(dtype)[6:]), expected(model, cfg, dtype)), 'pytorch_model.bin'))

    # Same values, other layouts: a transposed view (strides (1, H)) and views into one big storage
    # at non-zero offsets.
    strided = collections.OrderedDict(state)
    q = 'encoder.layer.0.attention.self.query.weight'
    strided[q] = state[q].t().contiguous().t()
    assert not strided[q].is_contiguous() and torch.equal(strided[q], state[q])
    names = ['encoder.layer.1.intermediate.dense.weight', 'encoder.layer.1.intermediate.dense.bias', 'embeddings.LayerNorm.bias']
    pool = torch.cat([torch.zeros(3)] + [state[n].flatten() for n in names])
    at = 3
    for n in names:
        strided[n] = pool[at:at + state[n].numel()].view(state[n].shape)
        at += state[n].numel()
    assert strided[names[1]].storage_offset() > 0
    torch.save(strided, os.path.join(write_folder(out, 'xlmr-strided', cfg, expected(model, cfg)), 'pytorch_model.bin'))
    # nn.Parameter objects rather than a state dict's plain tensors: torch._utils._rebuild_parameter.
    params = collections.OrderedDict(model.named_parameters())
    torch.save(params, os.path.join(write_folder(out, 'xlmr-parameters', cfg, expected(model, cfg)), 'pytorch_model.bin'))

    torch.save(state, os.path.join(write_folder(out, 'legacy', cfg, None), 'pytorch_model.bin'), _use_new_zipfile_serialization=False)
    hostile(out, good)
    print(f'make-torch-checkpoints: torch {torch.__version__}, wrote {out}')


if __name__ == '__main__':
    main()
