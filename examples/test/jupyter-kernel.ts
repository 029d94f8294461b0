// examples/jupyter-kernel: driven by a real Jupyter client (Debian's python3-jupyter-client).
import t from "tap"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { alive, exampleEnv, root, start } from "./helpers/run.js"

const PYTHON = "/usr/bin/python3"
const hasJupyterClient = spawnSync(PYTHON, ["-c", "import jupyter_client"]).status === 0

const skip = hasJupyterClient
  ? false
  : `${PYTHON} cannot import jupyter_client (apt-get install python3-jupyter-client)`
if (skip) console.log(`# skipping the jupyter_client test: ${skip}`)

t.test(
  "jupyter_client starts the kernel from its kernelspec and talks protocol 5.3 to it",
  { skip },
  async (t) => {
    // Everything Jupyter reads or writes goes to a temporary directory: nothing in the user's home changes.
    const dir = mkdtempSync(join(tmpdir(), "calc-kernel-test-"))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const install = start(t, ["examples/jupyter-kernel/install.mjs", "--prefix", dir])
    t.equal(await install.exit(), 0, "install.mjs --prefix installs the kernelspec")
    const spec = JSON.parse(
      readFileSync(join(dir, "share/jupyter/kernels/zmq-eventloop-calc/kernel.json"), "utf8"),
    )
    t.same(spec.argv.slice(1), [join(root, "examples/jupyter-kernel/kernel.mjs"), "-f", "{connection_file}"])

    const env = {
      ...exampleEnv,
      JUPYTER_PATH: join(dir, "share/jupyter"),
      JUPYTER_DATA_DIR: join(dir, "data"),
      JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
      JUPYTER_CONFIG_DIR: join(dir, "config"),
    }
    const script = join(root, "examples/test/fixtures/jupyter_client_check.py")
    const run = spawnSync(PYTHON, [script, "zmq-eventloop-calc", join(dir, "kernel.log")], {
      env,
      encoding: "utf8",
      timeout: 90000,
    })
    t.equal(run.status, 0, `the driver succeeded${run.status === 0 ? "" : `: ${run.stderr}`}`)
    const s = JSON.parse(run.stdout)
    const types = (iopub: { msg_type: string }[]) => iopub.map((m) => m.msg_type)

    t.same(s.heartbeat, ["ping 1", "ping 2"], "heartbeat: each ping echoed")

    t.equal(s.expression.reply.content.status, "ok")
    t.same(types(s.expression.iopub), ["status", "execute_input", "execute_result", "status"])
    t.same(s.expression.iopub[0].content, { execution_state: "busy" })
    t.same(s.expression.iopub[1].content, { code: "1 + 2 * 3", execution_count: 1 })
    t.same(s.expression.iopub[2].content.data, { "text/plain": "7" })
    t.same(s.expression.iopub[3].content, { execution_state: "idle" })

    t.equal(s.text.reply.content.status, "ok")
    t.same(types(s.text.iopub), ["status", "execute_input", "stream", "status"])
    t.same(s.text.iopub[2].content, { name: "stdout", text: "hello, kernel\n" })

    t.match(s.error.reply.content, {
      status: "error",
      ename: "ZeroDivisionError",
      evalue: "division by zero",
    })
    t.same(types(s.error.iopub), ["status", "execute_input", "error", "status"])
    t.equal(s.error.reply.content.execution_count, 3, "execution counts 1, 2, 3")

    t.match(s.kernel_info.content, {
      status: "ok",
      protocol_version: "5.3",
      language_info: { name: "calc", pygments_lexer: "python" },
    })
    t.match(
      s.pygments_lexer,
      /^(Python|pygments is not installed)$/,
      "Pygments has a lexer of that name, so jupyter console does not warn",
    )
    t.same(
      Object.fromEntries(
        Object.entries(s.is_complete).map(([code, r]) => [
          code,
          (r as { content: { status: string } }).content.status,
        ]),
      ),
      { "1 + 2": "complete", "(1 +": "incomplete", "1 + )": "invalid" },
    )
    t.match(s.complete.content, { status: "ok", matches: ["sqrt"], cursor_start: 4, cursor_end: 6 })
    t.match(s.inspect.content, { status: "ok", found: true })
    t.same(
      s.history.content.history,
      [
        [1, 1, "1 + 2 * 3"],
        [1, 2, "hello, kernel"],
        [1, 3, "1 / 0"],
      ],
      "history entries are (session, line, input), the session an integer",
    )
    t.same(
      s.history_range.content.history,
      [
        [1, 1, "1 + 2 * 3"],
        [1, 2, "hello, kernel"],
      ],
      "a range of the current session (session 0), stop excluded",
    )
    t.same(s.comm_info.content, { status: "ok", comms: {} })

    t.same(s.bad_signature, { replies_to_bad: 0, replies_to_good: 1 }, "a badly signed message gets no reply")
    t.match(
      s.log.split("\n").filter(Boolean),
      [/^\[zmq-eventloop-calc \S+\] dropped a message on shell: Invalid signature$/],
      "and is logged: the kernel's only line on stderr, as nothing else went wrong",
    )

    t.equal(s.alive_after_shutdown, false)
    t.equal(s.exit_code, 0, "shutdown_request: the kernel exited by itself, with 0")
    t.notOk(alive(s.pid), "no kernel process left")

    // The uninstall command of examples/README.md, with only Debian's python3-jupyter-client (no `jupyter`).
    const specDir = join(dir, "share/jupyter/kernels/zmq-eventloop-calc")
    const remove = spawnSync(
      PYTHON,
      ["-m", "jupyter_client.kernelspecapp", "remove", "-f", "zmq-eventloop-calc"],
      { env, encoding: "utf8", timeout: 60000 },
    )
    t.equal(
      remove.status,
      0,
      `the README's uninstall command works${remove.status === 0 ? "" : `: ${remove.stderr}`}`,
    )
    t.notOk(existsSync(specDir), "and removes the kernelspec")
  },
)

t.test("`pnpm example jupyter-kernel` runs the kernel's self-check and exits 0", async (t) => {
  const demo = start(t, ["examples/run.mjs", "jupyter-kernel"])
  t.equal(await demo.exit(), 0)
  t.same(demo.leftBehind(), [], "no process left")
  t.notOk(demo.lines.some((line) => line.includes("FAIL")))
  t.ok(demo.lines.includes("[kernel] ok   the kernel exited with 0"))
})
