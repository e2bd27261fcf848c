// Builds the web UI into ../src/kawa/server/ui_assets (gitignored; packaged in the wheel).
//   ui_assets/index.html          the page every client route gets
//   ui_assets/ui/app.js, app.css  the bundle (esbuild), referenced with a content hash
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "kawa", "server", "ui_assets");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "ui"), { recursive: true });

await esbuild.build({
  entryPoints: { app: join(here, "src", "main.jsx") },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2020"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: join(out, "ui"),
  legalComments: "linked",
  logLevel: "warning",
});

const digest = (name) =>
  createHash("sha256").update(readFileSync(join(out, "ui", name))).digest("hex").slice(0, 12);
const page = readFileSync(join(here, "src", "index.html"), "utf8")
  .replace("{{css}}", `/ui/app.css?v=${digest("app.css")}`)
  .replace("{{js}}", `/ui/app.js?v=${digest("app.js")}`);
writeFileSync(join(out, "index.html"), page);
console.log(`kawa ui: built ${out}`);
