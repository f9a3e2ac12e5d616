/**
 * GPU renderers that draw on the CPU (Chromium's SwiftShader, Mesa's llvmpipe and softpipe, Windows'
 * Basic Render Driver): slower than wasm for training. Automatic backend choice and the UI's GPU offer
 * both pass them by.
 */
export const SOFTWARE_RENDERER = /SwiftShader|llvmpipe|softpipe|Software|Basic Render/i;
