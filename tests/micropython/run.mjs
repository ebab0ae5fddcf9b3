// Run a Python file on MicroPython (WebAssembly port) under node, with a directory mounted on /lib.
// usage: node run.mjs <node_modules dir> <dir to mount on /lib> <script.py>
import fs from "fs";
import path from "path";
import { pathToFileURL } from "url";

const [modules, libDir, script] = process.argv.slice(2);
const entry = path.join(modules, "@micropython/micropython-webassembly-pyscript/micropython.mjs");
const { loadMicroPython } = await import(pathToFileURL(entry).href);
const mp = await loadMicroPython({
  heapsize: 16 * 1024 * 1024,
  stdout: (line) => process.stdout.write(line + "\n"),
  stderr: (line) => process.stderr.write(line + "\n"),
});

function mount(dir, into) {
  mp.FS.mkdirTree(into);
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) mount(p, into + "/" + name);
    else if (name.endsWith(".py")) mp.FS.writeFile(into + "/" + name, fs.readFileSync(p));
  }
}
mount(libDir, "/lib");
try {
  mp.runPython("import sys\nsys.path.append('/lib')\n" + fs.readFileSync(script, "utf8"));
} catch (err) {
  console.error(`MicroPython raised ${err.type}: ${err.message}`);
  process.exit(1);
}
