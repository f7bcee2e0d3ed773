// Floating-point operations of one BERT-style encoder forward over a text of L tokens, counted as
// 2 per multiply-add, from config.json. Per layer:
//   projections Q, K, V, output: 4 x (L x h x h) multiply-adds
//   feed-forward: 2 x (L x h x i)
//   attention scores QK^T and scores x V: 2 x (L x L x h) over all heads together
// Embedding look-ups, layer norms, softmax, GELU and pooling are left out (a few % at most), so the
// figure is the GEMM work a perfect runtime must do: "effective" GFLOP/s divides it by wall time.
// Only real tokens count: padding is the planner's waste, not useful work.

/** FLOPs of one text of `len` tokens through the whole encoder. */
export function textFlops(config, len) {
  const h = config.hidden_size;
  const i = config.intermediate_size ?? 4 * h;
  const layers = config.num_hidden_layers;
  return layers * 2 * (len * (4 * h * h + 2 * h * i) + 2 * len * len * h);
}

/** FLOPs of a corpus given its token counts (each text at its own length). */
export function corpusFlops(config, lengths) {
  let f = 0;
  for (const len of lengths) f += textFlops(config, len);
  return f;
}
