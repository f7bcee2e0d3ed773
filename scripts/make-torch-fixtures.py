#!/usr/bin/env python3
"""Writes tests/fixtures/bge-m3-heads/{sparse,colbert}_linear.pt in torch.save's zip format.

Debian has no python3-torch here, so this reproduces what torch.save(linear.state_dict(), f)
writes (pickle protocol 2 of an OrderedDict whose tensors are
torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()),
storages as <archive>/data/<key>, plus byteorder and version records) with stand-ins registered
as the torch modules, so the pickle names exactly the globals a real checkpoint names.
Values follow a closed formula the JS test recomputes:
  weight[i] = fround(sin(i * 0.37 + seed) * 0.1), bias[i] = fround(cos(i * 0.11 + seed) * 0.05)
"""
import collections, io, math, pickle, struct, sys, types, zipfile, os

torch = types.ModuleType('torch')
utils = types.ModuleType('torch._utils')

class FloatStorage:  # the storage *type* object pickled by reference (GLOBAL torch FloatStorage)
    pass
FloatStorage.__module__ = 'torch'

def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks):
    raise RuntimeError('not for loading')
_rebuild_tensor_v2.__module__ = 'torch._utils'

torch.FloatStorage = FloatStorage
torch._utils = utils
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
sys.modules['torch'] = torch
sys.modules['torch._utils'] = utils

class Storage:
    def __init__(self, key, values):
        self.key, self.values = key, values

class Tensor:
    def __init__(self, storage, shape):
        self.storage, self.shape = storage, shape
    def __reduce_ex__(self, proto):
        stride, acc = [], 1
        for d in reversed(self.shape):
            stride.insert(0, acc)
            acc *= d
        return (_rebuild_tensor_v2, (self.storage, 0, tuple(self.shape), tuple(stride), False, collections.OrderedDict()))

class TorchPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ('storage', FloatStorage, obj.key, 'cpu', len(obj.values))
        return None

def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]

def save(path, out_features, in_features, seed):
    weight = [f32(math.sin(i * 0.37 + seed) * 0.1) for i in range(out_features * in_features)]
    bias = [f32(math.cos(i * 0.11 + seed) * 0.05) for i in range(out_features)]
    storages = [Storage('0', weight), Storage('1', bias)]
    state = collections.OrderedDict([('weight', Tensor(storages[0], [out_features, in_features])), ('bias', Tensor(storages[1], [out_features]))])
    buf = io.BytesIO()
    TorchPickler(buf, protocol=2).dump(state)
    name = os.path.splitext(os.path.basename(path))[0]
    with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_STORED) as z:
        z.writestr(f'{name}/data.pkl', buf.getvalue())
        z.writestr(f'{name}/byteorder', 'little')
        for s in storages:
            z.writestr(f'{name}/data/{s.key}', struct.pack(f'<{len(s.values)}f', *s.values))
        z.writestr(f'{name}/version', '3\n')

if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else 'tests/fixtures/bge-m3-heads'
    os.makedirs(out, exist_ok=True)
    save(os.path.join(out, 'sparse_linear.pt'), 1, 64, 1.0)
    save(os.path.join(out, 'colbert_linear.pt'), 64, 64, 2.0)
