import { DataType } from '../../ir/dtype';
import { encoderAttention } from './attention';
import { BuildContext, modulePath } from './context';
import { add, norm } from './layers';
import { mlp } from './mlp';

/**
 * A BERT-style encoder forward pass over `seq` tokens: word + position + token-type embeddings and
 * their LayerNorm, post-norm layers, and the pooler (dense + tanh on the first token), as BertModel.
 */
export function buildEncoder(ctx: BuildContext): void {
  const { cfg, b } = ctx;
  const names = cfg.names;
  const ids = b.input('input_ids', DataType.INT64, [ctx.batch, ctx.seq]);
  const table = b.weight(`${names.embed}.weight`, [cfg.vocab, cfg.hidden], ctx.dtype);
  let x = b.node('Gather', names.embed, [table, ids], { axis: 0 })[0];
  if (names.positions !== undefined) {
    const positionIds = b.input('position_ids', DataType.INT64, [ctx.batch, ctx.seq]);
    const positions = b.weight(`${names.positions}.weight`, [cfg.maxPositions, cfg.hidden], ctx.dtype);
    x = add(ctx, `${names.positions}.add`, x, b.node('Gather', names.positions, [positions, positionIds], { axis: 0 })[0]);
  }
  if (names.tokenTypes !== undefined && cfg.typeVocab > 0) {
    const typeIds = b.input('token_type_ids', DataType.INT64, [ctx.batch, ctx.seq]);
    const types = b.weight(`${names.tokenTypes}.weight`, [cfg.typeVocab, cfg.hidden], ctx.dtype);
    x = add(ctx, `${names.tokenTypes}.add`, x, b.node('Gather', names.tokenTypes, [types, typeIds], { axis: 0 })[0]);
  }
  if (names.embedNorm !== undefined) x = norm(ctx, names.embedNorm, x);
  for (let i = 0; i < cfg.layers; i++) {
    b.layer = i;
    const prefix = modulePath(names.layer, i);
    const attended = encoderAttention(ctx, i, x);
    x = norm(ctx, `${prefix}.${names.attnNorm}`, add(ctx, `${prefix}.attention.residual`, x, attended));
    const fed = mlp(ctx, i, x);
    x = norm(ctx, `${prefix}.${names.mlpNorm}`, add(ctx, `${prefix}.output.residual`, x, fed));
  }
  b.layer = null;
  b.node('Identity', 'last_hidden_state', [x], {}, { outputs: ['last_hidden_state'] });
  b.output('last_hidden_state');
  if (cfg.pooler && names.pooler !== undefined) {
    const first = b.constant('first_position', DataType.INT64, [], [0]);
    const [cls] = b.node('Gather', `${names.pooler}.first_token`, [x, first], { axis: 1 });
    const weight = b.weight(`${names.pooler}.weight`, [cfg.hidden, cfg.hidden], ctx.dtype);
    const bias = b.weight(`${names.pooler}.bias`, [cfg.hidden], ctx.dtype);
    const [dense] = b.node('Gemm', names.pooler, [cls, weight, bias], { transB: 1 });
    b.node('Tanh', 'pooler.activation', [dense], {}, { outputs: ['pooler_output'] });
    b.output('pooler_output');
  }
}
