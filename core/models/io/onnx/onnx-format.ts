import { baseName, type FileTree } from '../../../data/file-tree.js';
import { findFile, type ImportedModel, type ModelFormat } from '../model-format.js';
import { onnxInputContract } from './onnx-contract.js';
import { onnxToLayers } from './onnx-import.js';
import { decodeOnnx } from './onnx-proto.js';

const isOnnx = (name: string) => /\.onnx$/i.test(name);

/** ONNX models (torch.onnx.export and other converters), with external-data files beside them. */
export const onnxFormat: ModelFormat = {
  id: 'onnx',
  label: 'ONNX model (.onnx)',
  expects: 'one .onnx file (from torch.onnx.export or another converter), with its external-data files beside it if it has any',
  match: (files) => findFile(files, isOnnx) !== undefined,
  open: openOnnx,
};

async function openOnnx(tree: FileTree): Promise<ImportedModel> {
  const file = findFile(await tree.list(), isOnnx)!.path;
  const folder = file.slice(0, file.length - baseName(file).length);
  const proto = decodeOnnx(await tree.read(file), file);
  const warnings: string[] = [];
  const model = await onnxToLayers(proto, file, (location) => tree.read(folder + location), warnings);
  return { model, format: onnxFormat.id, warnings, inputContract: onnxInputContract(proto, file, warnings) };
}
