// Builds Resettle's static assets into frontend/dist: `npm run build` (run by `make frontend`).
//
// GOV.UK Frontend and MoJ Frontend give us the components and patterns; Resettle is not a
// GOV.UK service, so we compile their Sass with a system font stack and copy no crown,
// crest, GOV.UK logotype or GDS Transport font (DESIGN §3).
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "frontend", "src");
const dist = join(root, "frontend", "dist");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const moj = join(root, "node_modules", "@ministryofjustice", "frontend", "moj");
const htmx = join(root, "node_modules", "htmx.org", "dist");

// Images the compiled CSS may point at; anything else it references fails the build.
const imageSources = [join(moj, "assets", "images")];

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "images"), { recursive: true });

const css = sass.compile(join(src, "resettle.scss"), {
  style: "compressed",
  // MoJ Frontend loads GOV.UK Frontend as "node_modules/govuk-frontend/...".
  loadPaths: [root],
  importers: [new sass.NodePackageImporter(root)],
  // Deprecation notices raised inside the vendored Sass are theirs to fix, not ours.
  quietDeps: true,
  logger: {
    warn(message, { stack }) {
      if (!stack?.trimStart().startsWith("node_modules/")) console.warn(`Sass: ${message}\n${stack ?? ""}`);
    },
  },
}).css;
writeFileSync(join(dist, "resettle.css"), css);

// Copy exactly the images the stylesheet uses, so the manifest storage can hash every url().
const referenced = new Set([...css.matchAll(/url\(["']?images\/([^"')]+)["']?\)/g)].map((m) => m[1]));
for (const name of referenced) {
  const from = imageSources.map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!from) throw new Error(`resettle.css uses images/${name}, which no package provides`);
  copyFileSync(from, join(dist, "images", name));
}
const otherUrls = [...css.matchAll(/url\(([^)]*)\)/g)]
  .map((m) => m[1].replace(/["']/g, ""))
  .filter((url) => !url.startsWith("images/") && !url.startsWith("data:") && url !== "");
if (otherUrls.length) throw new Error(`resettle.css uses unexpected URLs: ${otherUrls.join(", ")}`);

// ES modules, with their source maps (the manifest storage follows sourceMappingURL comments).
const copies = [
  [join(govuk, "govuk-frontend.min.js"), "govuk-frontend.min.js"],
  [join(govuk, "govuk-frontend.min.js.map"), "govuk-frontend.min.js.map"],
  [join(moj, "moj-frontend.min.js"), "moj-frontend.min.js"],
  [join(moj, "moj-frontend.min.js.map"), "moj-frontend.min.js.map"],
  [join(htmx, "htmx.min.js"), "htmx.min.js"],
  [join(src, "init.js"), "init.js"],
  [join(src, "register.js"), "register.js"],
  [join(src, "favicon.svg"), "favicon.svg"],
];
for (const [from, to] of copies) copyFileSync(from, join(dist, to));

const sizes = ["resettle.css", ...copies.map(([, to]) => to)].map(
  (name) => `${name} ${readFileSync(join(dist, name)).length} bytes`,
);
console.log(`Built frontend/dist: ${sizes.join(", ")}; ${referenced.size} images`);
