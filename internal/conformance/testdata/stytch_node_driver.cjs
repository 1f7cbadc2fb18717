// Drives the official Stytch Node client (the `stytch` package that
// `make stytch-node` installs into STYTCH_NODE_DIR, outside the repository)
// for the conformance suite, which talks to it over stdin and stdout, one
// JSON object a line:
//
//   request: {"id", "base_url", "project_id", "secret", "client": "b2b" | "consumer",
//             "method": "m2m.clients.create", "args": [...]}
//   answer:  {"id", "ok": true, "result": ...} or {"id", "ok": false, "error": {...}}
//
// Each request gets a client of its own, so a local token check fetches the
// key set afresh, as a new process would. Requests run concurrently; the
// driver ends when stdin does. The base URL is passed as `env`: the
// client's `custom_base_url` must be HTTPS, and the emulator is plain HTTP
// on loopback (the client warns about a custom env, once per client; the
// warning is dropped).
"use strict";

const path = require("path");
const readline = require("readline");
const { createRequire } = require("module");

const dir = process.env.STYTCH_NODE_DIR;
if (!dir) {
  process.stderr.write("STYTCH_NODE_DIR is not set\n");
  process.exit(2);
}
const stytch = createRequire(path.join(dir, "package.json"))("stytch");

const warn = console.warn;
console.warn = (...args) => {
  if (!String(args[0]).includes("custom 'env' value")) {
    warn(...args);
  }
};

function client(req) {
  const config = { project_id: req.project_id, secret: req.secret, env: req.base_url };
  return req.client === "consumer" ? new stytch.Client(config) : new stytch.B2BClient(config);
}

// call resolves "a.b.c" on the client and calls it with its object as this.
async function call(req) {
  let target = client(req);
  const names = req.method.split(".");
  const last = names.pop();
  for (const name of names) {
    target = target[name];
    if (target === undefined) {
      throw new Error(`the client has no ${req.method}`);
    }
  }
  if (typeof target[last] !== "function") {
    throw new Error(`the client has no method ${req.method}`);
  }
  return target[last](...(req.args || []));
}

// describe keeps what the suite checks of an error: the client's own error
// classes' fields (StytchError: status_code, error_type, ...; ClientError:
// code), its class name and message.
function describe(err) {
  const out = { name: err && err.constructor ? err.constructor.name : typeof err, message: String(err && err.message) };
  for (const key of ["status_code", "request_id", "error_type", "error_message", "error_url", "code"]) {
    if (err && err[key] !== undefined) {
      out[key] = err[key];
    }
  }
  if (err && err.cause) {
    out.cause = String(err.cause.code || err.cause.message || err.cause);
  }
  return out;
}

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) {
    return;
  }
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    reply({ id: -1, ok: false, error: { name: "DriverError", message: "request is not JSON: " + e.message } });
    return;
  }
  call(req).then(
    (result) => reply({ id: req.id, ok: true, result: result === undefined ? null : result }),
    (err) => reply({ id: req.id, ok: false, error: describe(err) }),
  );
});
