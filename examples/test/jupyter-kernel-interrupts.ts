// examples/jupyter-kernel: interrupts at random moments around cell boundaries, in both interrupt modes.
// Node's vm used to hand SIGINT back to its default action for microseconds at each cell's start and
// end, and a signal then ended the kernel (examples/jupyter-kernel/sigint.mjs): the kernel must survive
// every one of 200 interrupts, each cell ending normally or with a KeyboardInterrupt.
import t from "tap"
import { drive, installedKernels, KERNEL_NAME, missingPython } from "./helpers/jupyter-kernel.js"

const skip = missingPython(["jupyter_client"]) || false
const CELLS = 200 // the driver's check_interrupt_storm

interface Storm {
  outcomes: Record<string, number>
  alive: boolean
  after: { result: Record<string, string> | null } | null
}

for (const mode of ["signal", "message"] as const) {
  t.test(
    `interrupt mode ${mode}: ${CELLS} cells, each interrupted once at a random moment`,
    { skip },
    async (t) => {
      const name = `${KERNEL_NAME}-${mode}`
      const { dir, env } = await installedKernels(t, [[name, mode]])
      const { storm, exit_code }: { storm: Storm; exit_code?: number } = drive(env, dir, name, "storm")
      const { outcomes, alive, after } = storm
      t.ok(alive, `the kernel lived through every interrupt (${JSON.stringify(outcomes)})`)
      t.same(
        Object.keys(outcomes).filter((outcome) => outcome !== "ok" && outcome !== "KeyboardInterrupt"),
        [],
        "every cell ended ok or with a KeyboardInterrupt",
      )
      t.equal((outcomes.ok ?? 0) + (outcomes.KeyboardInterrupt ?? 0), CELLS, "every cell was answered")
      t.same(after?.result, { "text/plain": "true" }, "and the state outlived them")
      t.equal(exit_code, 0, "then it shuts down")
    },
  )
}
