// An empty module: the baseline of bench/extension.mjs.
