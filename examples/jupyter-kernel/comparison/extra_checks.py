"""The checks of the examples README's kernel comparison that jupyter_kernel_test 0.7.0 does not make.

    /usr/bin/python3 extra_checks.py KERNEL_NAME

KERNEL_NAME must be installed where JUPYTER_PATH points; its kernelspec's interrupt_mode is the one
checked. Prints one JSON object, a key per check, each {"pass": bool, "detail": "..."}. Every cell here
is plain JavaScript that TypeScript also accepts, so one script measures every JavaScript kernel.
"""
import json
import sys
import time

import zmq
from jupyter_client import KernelManager

kernel_name = sys.argv[1]
TIMEOUT = 30
results = {}


def check(name, passed, detail):
    results[name] = {"pass": bool(passed), "detail": detail}


def attempt(name, measure):
    """Runs `measure`, which calls check(name, ...); a request the kernel never answers fails the check."""
    try:
        measure()
    except Exception as error:  # queue.Empty from jupyter_client on a timeout, mostly
        check(name, False, f"no answer ({type(error).__name__})")


km = KernelManager(kernel_name=kernel_name)
km.start_kernel()
client = km.client()
client.start_channels()
client.wait_for_ready(timeout=60)


def reply_for(msg_id, timeout=TIMEOUT):
    """The shell reply to request `msg_id` (replies to earlier requests are skipped)."""
    deadline = time.time() + timeout
    while True:
        reply = client.get_shell_msg(timeout=max(0.01, deadline - time.time()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def run(code, wait_after_idle=0.5):
    """Executes `code`: (reply, iopub messages up to idle, iopub messages for it that came after idle)."""
    msg_id = client.execute(code)
    before, after, idle_at = [], [], None
    while True:
        timeout = TIMEOUT if idle_at is None else max(0, idle_at + wait_after_idle - time.time())
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except Exception:
            break
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if idle_at is not None:
            after.append(msg)
        else:
            before.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle_at = time.time()
    return reply_for(msg_id), before, after


# Output after idle: cells that print or fail; any iopub message of theirs after `idle` counts. (Output of
# a callback that runs after the cell has ended, e.g. a timer, may come later: not asked here.)
late = []
for code in [
    "console.log('hello')",
    "console.error('oops')",
    "1 + 1",
    "throw new Error('boom')",
    "for (let i = 0; i < 3; i++) console.log(i)",
    "console.log('a'); 42",
    "await new Promise((r) => setTimeout(r, 20)); console.log('after await')",
]:
    _, _, after = run(code)
    if after:
        late.append(code)
check("output_after_idle", not late, f"{len(late)} of 7 cells published after idle: {late}")

# Heartbeat while a cell runs a 3-second synchronous loop: the slowest of pings sent every 100 ms. The cell
# must really have run that long (status ok, reply after 2.5 s or more) for the figure to count.
hb = km.connect_hb()
started = time.time()
busy_id = client.execute("const busyUntil = Date.now() + 3000; while (Date.now() < busyUntil) {}")
time.sleep(0.3)  # let the loop start: the measurement must fall inside it
worst, unanswered = 0.0, 0
for i in range(20):
    sent = time.time()
    hb.send(b"ping %d" % i)
    if hb.poll(1000):
        hb.recv()
        worst = max(worst, time.time() - sent)
    else:
        unanswered += 1
        hb.close(linger=0)  # a REQ socket cannot send again before its answer: start a new one
        hb = km.connect_hb()
    time.sleep(0.1)
busy_reply = reply_for(busy_id)
busy_seconds = time.time() - started
hb.close(linger=0)
check(
    "heartbeat_while_busy",
    unanswered == 0 and busy_reply["content"]["status"] == "ok" and busy_seconds >= 2.5,
    f"{unanswered} of 20 pings unanswered within 1 s; slowest answer {worst * 1000:.0f} ms; "
    f"the busy cell: {busy_reply['content']['status']} after {busy_seconds:.1f} s",
)

# Interrupt (the kernelspec's mode): while (true) {} stops, the kernel lives, state stays, no abort.
run("var kept = 7")
loop_id = client.execute("while (true) {}")
time.sleep(1)
km.interrupt_kernel()
try:
    interrupted = reply_for(loop_id, timeout=10)["content"]["status"]
except Exception:
    interrupted = "no reply in 10 s"
alive = km.is_alive()
if alive and interrupted != "no reply in 10 s":
    after_reply, before, _ = run("kept")
    results_text = [m["content"]["data"].get("text/plain") for m in before if m["msg_type"] == "execute_result"]
    next_cell = f"{after_reply['content']['status']} {results_text}"
else:
    next_cell = "not run"
check(
    "interrupt",
    alive and interrupted == "error" and next_cell.startswith("ok") and "7" in next_cell,
    f"mode {km.kernel_spec.interrupt_mode}: interrupted cell {interrupted}, alive {alive}, next cell {next_cell}",
)

def history_search():
    run("'needle'")
    run("'needle'")
    msg_id = client.history(hist_access_type="search", pattern="'needle*", n=5, unique=True, output=True)
    reply = reply_for(msg_id)
    history = reply["content"].get("history", [])
    outputs_ok = all(isinstance(entry[2], (list, tuple)) and len(entry[2]) == 2 for entry in history)
    check(
        "history_search",
        reply["content"].get("status") == "ok" and len(history) == 1 and outputs_ok,
        f"{len(history)} entries for a pattern run twice with unique=True: {history}",
    )


def pager_payload():
    """`?` after a name, as in IPython, pages its documentation in the execute_reply's payload."""
    reply, _, _ = run("Math.max?")
    payload = reply["content"].get("payload", [])
    sources = [p.get("source") for p in payload]
    check("pager_payload", "page" in sources, f"payload of 'Math.max?': {sources}, {reply['content']['status']}")


def strict_is_complete():
    """The parser's verdicts, with an indent for incomplete input."""
    verdicts = {}
    for code in ["1 + )", "[1, 2,", "function f() {", "let x = 1"]:
        content = reply_for(client.is_complete(code))["content"]
        verdicts[code] = (content["status"], content.get("indent"))
    check(
        "strict_is_complete",
        verdicts["1 + )"][0] == "invalid"
        and verdicts["[1, 2,"][0] == "incomplete"
        and verdicts["function f() {"][0] == "incomplete"
        and bool(verdicts["function f() {"][1])
        and verdicts["let x = 1"][0] == "complete",
        f"{verdicts}",
    )


if alive:
    attempt("history_search", history_search)
    attempt("pager_payload", pager_payload)
    attempt("strict_is_complete", strict_is_complete)

# iopub_welcome (protocol 5.4): a new subscriber to iopub gets one at once, before any cell runs.
context = zmq.Context.instance()
sub = context.socket(zmq.SUB)
sub.setsockopt(zmq.SUBSCRIBE, b"")
sub.connect(f"{km.transport}://{km.ip}:{km.iopub_port}")
welcome = None
deadline = time.time() + 3
while time.time() < deadline and welcome is None:
    if sub.poll(200):
        frames = sub.recv_multipart()
        if b"<IDS|MSG>" in frames:
            header = json.loads(frames[frames.index(b"<IDS|MSG>") + 2])
            if header.get("msg_type") == "iopub_welcome":
                welcome = header
sub.close(linger=0)
check("iopub_welcome", welcome is not None, "received" if welcome else "none within 3 s of subscribing")

client.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps(results, indent=1))
