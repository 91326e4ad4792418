// What the usual glTF tools see in a GLB (for tests/test_meshpack.py): Khronos's glTF-Validator's
// report and, decoded with glTF-Transform and meshoptimizer's decoder, each node's name, extras,
// vertex and triangle counts and its positions in world coordinates (mm).
//   node tests/glb_inspect.mjs FILE.glb  ->  JSON on stdout
import { readFileSync } from "node:fs";
import { NodeIO } from "@gltf-transform/core";
import { ALL_EXTENSIONS } from "@gltf-transform/extensions";
import { validateBytes } from "gltf-validator";
import { MeshoptDecoder } from "meshoptimizer";

const file = process.argv[2];
const bytes = new Uint8Array(readFileSync(file));
const report = await validateBytes(bytes);
await MeshoptDecoder.ready;
const io = new NodeIO().registerExtensions(ALL_EXTENSIONS).registerDependencies({ "meshopt.decoder": MeshoptDecoder });
const document = await io.readBinary(bytes);
const nodes = [];
for (const node of document.getRoot().listNodes()) {
  const mesh = node.getMesh();
  if (!mesh) continue;
  const world = node.getWorldMatrix();
  const positions = [];
  let vertices = 0;
  let triangles = 0;
  for (const prim of mesh.listPrimitives()) {
    const attr = prim.getAttribute("POSITION");
    const v = [];
    for (let i = 0; i < attr.getCount(); i++) {
      attr.getElement(i, v);
      positions.push([0, 1, 2].map((k) => world[k] * v[0] + world[4 + k] * v[1] + world[8 + k] * v[2] + world[12 + k]));
    }
    vertices += attr.getCount();
    triangles += (prim.getIndices() ? prim.getIndices().getCount() : attr.getCount()) / 3;
  }
  nodes.push({ name: node.getName(), extras: node.getExtras(), vertices, triangles, positions });
}
const root = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + new DataView(bytes.buffer).getUint32(12, true))));
console.log(JSON.stringify({
  validator: { errors: report.issues.numErrors, warnings: report.issues.numWarnings,
    messages: report.issues.messages.filter((m) => m.severity <= 1) },
  extensionsRequired: root.extensionsRequired || [],
  nodes,
}));
