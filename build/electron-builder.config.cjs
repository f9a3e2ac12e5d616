// electron-builder configuration. Packs only the built app (dist/), package.json and the user guide;
// electron-builder adds the production dependencies from node_modules itself, never the devDependencies.
// PRUNEFLOW_ELECTRON_DIST: an unpacked Electron folder to use instead of downloading one
// (offline packing; see build/stand-in-electron.mjs).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const electronDist = process.env.PRUNEFLOW_ELECTRON_DIST || undefined;
// The stand-in has no real binary whose fuses could be flipped (build/stand-in-electron.mjs leaves this mark).
const isStandIn = electronDist !== undefined && existsSync(join(electronDist, 'pruneflow-stand-in'));

// onnxruntime-node ships its native library for every system and processor (about 290 MB): each installer
// keeps only its own (bin/napi-v6/<platform>/<arch>). electron-builder applies only exclusions to
// node_modules; it expands ${arch} to the target's processor per build.
const ORT_BIN = '**/node_modules/onnxruntime-node/bin/napi-v6';
const ORT_PLATFORMS = ['linux', 'win32', 'darwin'];
// A platform's `files` made of exclusions alone would start from everything (electron-builder prepends **/*, and the
// sources and tests went into app.asar): package.json, already taken by the root list, keeps it an addition.
const onlyOrtFor = (platform) => ['package.json', ...ORT_PLATFORMS.filter((p) => p !== platform).map((p) => `!${ORT_BIN}/${p}{,/**}`)];

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.pruneflow.app',
  productName: 'Pruneflow',
  copyright: 'Copyright © Pruneflow team',
  directories: { output: 'release', buildResources: 'build' },
  files: ['package.json', 'README.md', 'dist/**', '!dist/test/**', '!**/*.map', '!**/*.ts', '!**/*.tsbuildinfo', `!${ORT_BIN}/*/!(\${arch}){,/**}`],
  asar: true,
  asarUnpack: [
    // tfjs-backend-wasm reads its .wasm files with fs at a path next to its own script; unpacked, they
    // load even where a runtime cannot read into app.asar. (h5wasm embeds its WebAssembly in its script.)
    'node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm',
    // Optional native backends: the N-API addon and libtensorflow are loaded by the OS, which cannot
    // look inside app.asar.
    'node_modules/@tensorflow/tfjs-node/**',
    'node_modules/@tensorflow/tfjs-node-gpu/**',
    // ONNX Runtime's N-API addon and the library it links (.so, .dylib, .dll), for forward passes.
    'node_modules/onnxruntime-node/bin/**',
    // Help > Documentation opens it with the system's viewer, which cannot look inside app.asar either.
    'README.md',
  ],
  // The production dependencies are pure JavaScript and WebAssembly; tfjs-node (optional) uses N-API,
  // whose binary does not depend on the Electron version. Rebuilding would need the network.
  npmRebuild: false,
  electronDist,
  // Electron's fuses (security checklist item 19): no running as plain Node, no NODE_OPTIONS or
  // --inspect, app code only from app.asar (checked where the OS supports it), encrypted cookies.
  // file:// loses its extra privileges: the renderer is served as app://pruneflow/ (electron/app-protocol.ts).
  electronFuses: isStandIn
    ? null
    : {
        runAsNode: false,
        enableCookieEncryption: true,
        enableNodeOptionsEnvironmentVariable: false,
        enableNodeCliInspectArguments: false,
        enableEmbeddedAsarIntegrityValidation: true,
        onlyLoadAppFromAsar: true,
        grantFileProtocolExtraPrivileges: false,
      },
  icon: 'build/icons/icon.png',
  // Double-clicking a project opens it in Pruneflow (the app reads it from argv or macOS 'open-file').
  // The file icon is the app's icon (electron-builder's default); Linux shows its generic document icon.
  fileAssociations: [
    {
      ext: 'pruneflow',
      name: 'Pruneflow project',
      description: 'Pruneflow project',
      mimeType: 'application/x-pruneflow',
      role: 'Editor',
      rank: 'Owner',
    },
  ],
  linux: {
    target: ['AppImage', 'deb', 'tar.gz'],
    category: 'Science',
    executableName: 'pruneflow',
    synopsis: 'Structured channel pruning of CNNs',
    description: 'Make convolutional networks smaller and faster by structured channel pruning, offline and point-and-click.',
    maintainer: 'Pruneflow team',
    files: onlyOrtFor('linux'),
  },
  win: { target: 'nsis', files: onlyOrtFor('win32') },
  // The file association is registered only by a per-machine install (electron-builder's NSIS rule).
  nsis: { oneClick: false, perMachine: true, allowToChangeInstallationDirectory: true, createDesktopShortcut: true },
  mac: { target: 'dmg', category: 'public.app-category.developer-tools', files: onlyOrtFor('darwin') },
  publish: null,
};
