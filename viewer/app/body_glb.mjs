// Compress the body's GLB with EXT_meshopt_compression:
//   node viewer/app/body_glb.mjs IN.glb OUT.glb --open=NODE,NODE [KEEP_ORDER_NODE...]
//
// Run by viewer/app/meshpack.py with the packages locked in package.json (glTF-Transform and the
// meshoptimizer encoder). Positions are quantized (KHR_mesh_quantization, 14 bits per mesh's
// bounds), each mesh's vertices reordered for the GPU's cache and the encoder, then every buffer
// compressed with meshopt's filters. The nodes named on the command line keep their vertex order
// (the skin: the dermatome masks are per vertex, in the order of the atlas's GLB). Every
// structure's node gets ``extras.closed`` (false for the --open ones: not closed or not wound
// outward), which GLTFLoader hands to the view as ``userData.closed``. three.js decodes the
// result with its own MeshoptDecoder.
import { Logger, NodeIO } from "@gltf-transform/core";
import { EXTMeshoptCompression, KHRMeshQuantization } from "@gltf-transform/extensions";
import { quantize, reorder } from "@gltf-transform/functions";
import { MeshoptEncoder } from "meshoptimizer";

const args = process.argv.slice(2);
const openArg = args.find((a) => a.startsWith("--open="));
const open = new Set(openArg ? openArg.slice("--open=".length).split(",").filter(Boolean) : []);
const [input, output, ...keepOrder] = args.filter((a) => !a.startsWith("--"));
if (!input || !output) {
  console.error("usage: node body_glb.mjs IN.glb OUT.glb --open=NODE,... [NODE_KEEPING_VERTEX_ORDER...]");
  process.exit(2);
}
await MeshoptEncoder.ready;
const io = new NodeIO()
  .registerExtensions([EXTMeshoptCompression, KHRMeshQuantization])
  .registerDependencies({ "meshopt.encoder": MeshoptEncoder });
const document = await io.read(input);

for (const node of document.getRoot().listNodes()) {
  if (node.getMesh()) node.setExtras({ ...node.getExtras(), closed: !open.has(node.getName()) });
}

// reorder() skips primitives without indices: take the kept ones' away while it runs.
const held = [];
for (const node of document.getRoot().listNodes()) {
  if (!keepOrder.includes(node.getName()) || !node.getMesh()) continue;
  for (const prim of node.getMesh().listPrimitives()) {
    held.push([prim, prim.getIndices()]);
    prim.setIndices(null);
  }
}
document.setLogger(new Logger(Logger.Verbosity.WARN));
await document.transform(reorder({ encoder: MeshoptEncoder, target: "size", cleanup: false }));
for (const [prim, indices] of held) prim.setIndices(indices);
await document.transform(quantize({ quantizePosition: 14, quantizeNormal: 8, quantizationVolume: "scene" }));

document.createExtension(EXTMeshoptCompression).setRequired(true)
  .setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.FILTER });
await io.write(output, document);
