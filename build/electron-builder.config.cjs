// electron-builder configuration. Packs only the built app (dist/) and package.json; electron-builder
// adds the production dependencies from node_modules itself, never the devDependencies.
// PRUNEFLOW_ELECTRON_DIST: an unpacked Electron folder to use instead of downloading one
// (offline packing; see build/stand-in-electron.mjs).

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.pruneflow.app',
  productName: 'Pruneflow',
  copyright: 'Copyright © Pruneflow team',
  directories: { output: 'release', buildResources: 'build' },
  files: ['package.json', 'dist/**', '!dist/test/**', '!**/*.map', '!**/*.ts', '!**/*.tsbuildinfo'],
  asar: true,
  // tfjs-backend-wasm reads its .wasm files with fs at a path next to its own script; unpacked, they
  // load even where a runtime cannot read into app.asar.
  asarUnpack: ['node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm'],
  // The production dependencies are pure JavaScript and WebAssembly; tfjs-node (optional) uses N-API,
  // whose binary does not depend on the Electron version. Rebuilding would need the network.
  npmRebuild: false,
  electronDist: process.env.PRUNEFLOW_ELECTRON_DIST || undefined,
  icon: 'build/icons/icon.png',
  fileAssociations: [
    {
      ext: 'pruneflow',
      name: 'Pruneflow project',
      description: 'Pruneflow project',
      mimeType: 'application/x-pruneflow',
      role: 'Editor',
    },
  ],
  linux: {
    target: ['AppImage', 'deb', 'tar.gz'],
    category: 'Science',
    executableName: 'pruneflow',
    synopsis: 'Structured channel pruning of CNNs',
    maintainer: 'Pruneflow team',
  },
  win: { target: 'nsis' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  mac: { target: 'dmg', category: 'public.app-category.developer-tools' },
  publish: null,
};
