import { createCip } from './cip.js';
import { NISP_SETTINGS } from './cip-settings.js';

/**
 * NISP (Yu et al., CVPR 2018): s_l = |W_{l+1}|^T s_{l+1} from the classifier down, on weights alone. It is
 * CIP with alpha = 1, mu = 1 and no row normalisation (CIP-SPEC section 7), so it shares CIP's walk:
 * batch-norm folds, residual splits (equal shares when mu = 1) and concatenation slices included. Each
 * layer's scores are divided by their mean before they go down, which rescales a layer without changing
 * any ranking, since the pruner ranks mean-normalised scores anyway (section 4).
 */
export const nisp = createCip({ ...NISP_SETTINGS, id: 'nisp', label: 'NISP: |W|ᵀ importance propagation from the classifier (Yu et al. 2018)' });
