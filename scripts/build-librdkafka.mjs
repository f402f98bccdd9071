// Builds the librdkafka client (@confluentinc/kafka-javascript) from the C sources in its npm tarball; run by
// `npm ci` as the project's postinstall. The package's own install script is not used (package.json
// `allowScripts` denies it): it first downloads a prebuilt binary from GitHub, then builds librdkafka with
// OpenSSL and zlib sources it downloads too, and node-gyp downloads Node's headers. Here nothing is
// downloaded: librdkafka links the system's OpenSSL and zlib (CKJS_LINKING=dynamic) and node-gyp reads the
// headers installed beside `node`. When the build cannot run, the lab works on kafkajs alone, and this says
// once what the build would need. LAB_REQUIRE_LIBRDKAFKA=1 (CI) turns that into a failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, openSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PACKAGE = "@confluentinc/kafka-javascript";
const APT = "g++ make python3 pkg-config libssl-dev zlib1g-dev";
const required = process.env.LAB_REQUIRE_LIBRDKAFKA === "1";
const say = (line) => process.stderr.write(`librdkafka: ${line}\n`);

function giveUp(what) {
  say(`the librdkafka client is not built: ${what}`);
  say(`the lab runs on kafkajs alone; for librdkafka install ${APT} (Debian names), then run npm ci again`);
  process.exit(required ? 1 : 0);
}

function packageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`));
  } catch {
    return undefined;
  }
}

function loads(dir) {
  return (
    spawnSync(process.execPath, ["-e", `require(${JSON.stringify(dir)})`], { stdio: "ignore" }).status === 0
  );
}

function missingTools() {
  const missing = ["g++", "make", "python3", "pkg-config"].filter(
    (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status !== 0,
  );
  if (missing.includes("pkg-config")) return missing;
  for (const lib of ["openssl", "zlib"]) {
    if (spawnSync("pkg-config", ["--exists", lib]).status !== 0) missing.push(`${lib} headers`);
  }
  return missing;
}

/** Node's headers as a package installs them (/usr/include/node for Debian's and NodeSource's node). */
function nodeDir() {
  const configured = process.env.npm_config_nodedir;
  if (configured && existsSync(join(configured, "include", "node", "node_api.h"))) return configured;
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? prefix : undefined;
}

function nodeGyp() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const which = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).stdout.trim();
  const npmCli = process.env.npm_execpath ?? (which ? realpathSync(which) : undefined);
  const bundled = npmCli && join(dirname(dirname(npmCli)), "node_modules", "node-gyp", "bin", "node-gyp.js");
  return bundled && existsSync(bundled) ? bundled : undefined;
}

const dir = packageDir();
if (!dir) giveUp(`${PACKAGE} is not installed (it is an optional dependency)`);
if (loads(dir)) process.exit(0);
const missing = missingTools();
if (missing.length > 0) giveUp(`missing ${missing.join(", ")}`);
const headers = nodeDir();
if (!headers) giveUp(`no Node headers (include/node/node_api.h) beside ${process.execPath}`);
const gyp = nodeGyp();
if (!gyp) giveUp("node-gyp, which npm brings, was not found");

const version = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).librdkafka;
const logFile = join(dir, "build-librdkafka.log");
say(`building librdkafka ${version} from source (about 2 minutes on 2 cores); log in ${logFile}`);
const log = openSync(logFile, "w");
const build = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${headers}`], {
  cwd: dir,
  stdio: ["ignore", log, log],
  env: { ...process.env, CKJS_LINKING: "dynamic", npm_config_nodedir: headers },
});
if (build.status !== 0 || !loads(dir)) {
  const tail = execFileSync("tail", ["-n", "25", logFile], { encoding: "utf8" });
  process.stderr.write(tail);
  giveUp(`the build failed (exit ${build.status}); the end of its log is above`);
}
say("built");
