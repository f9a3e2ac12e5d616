/**
 * Keras 3 addresses a saved layer not by its name but by its class in snake case, numbered per class
 * in the order of model.layers: conv2d, conv2d_1, batch_normalization, ... Returns a counter for one model.
 */
export function kerasSaveablePath(): (className: string) => string {
  const used = new Map<string, number>();
  return (className) => {
    const base = snakeCase(className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  };
}

/** Keras's naming.to_snake_case: Conv2D -> conv2d, BatchNormalization -> batch_normalization, ReLU -> re_lu. */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
