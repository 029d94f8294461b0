"""jupyter_kernel_test 0.7.0 against the zmq-eventloop JavaScript kernel: every test of the suite."""

import os
import unittest

import jupyter_kernel_test as jkt

KERNEL_NAME = os.environ.get("KERNEL_NAME", "zmq-eventloop-js")


class JavaScriptKernelTests(jkt.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "javascript"
    file_extension = ".js"

    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('to stderr')"

    completion_samples = [
        {"text": "parseF", "matches": {"parseFloat"}},
        {"text": "Math.ma", "matches": {"max"}},
        {"text": "require('node:chi", "matches": {"node:child_process"}},
    ]

    complete_code_samples = [
        "1",
        "console.log('hello, world')",
        "function f(x) {\n  return x * 2\n}\n\n\n",
        "const answer = await Promise.resolve(42)",
    ]
    incomplete_code_samples = ["console.log(`hello", "function f(x) {\n  x * 2", "[1, 2,"]
    invalid_code_samples = ["import = 7q", "1 + )", "let let = 1"]

    code_page_something = "Math.max?"

    code_generate_error = "throw new Error('boom')"

    code_execute_result = [
        {"code": "1+2+3", "result": "6"},
        {"code": "[1, 2, 3].map((n) => n * n)", "result": "[ 1, 4, 9 ]"},
        {"code": "'a string'", "result": "'a string'"},
        {"code": "await Promise.resolve({ a: 1 })", "result": "{ a: 1 }"},
        {"code": "({ _repr_html_: () => '<b>rich</b>' })", "mime": "text/html", "result": "<b>rich</b>"},
    ]

    code_display_data = [
        {"code": "display.html('<b>test</b>')", "mime": "text/html"},
        {"code": "display.markdown('*test*')", "mime": "text/markdown"},
        {"code": "display.latex('\\\\frac{1}{2}')", "mime": "text/latex"},
        {"code": "display.svg('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')", "mime": "image/svg+xml"},
        {"code": "display.png(Buffer.from('89504e470d0a1a0a', 'hex'))", "mime": "image/png"},
        {"code": "display.json({ a: [1, 2] })", "mime": "application/json"},
        {"code": "display.bundle({ 'text/x-custom': 'data' })", "mime": "text/x-custom"},
    ]

    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "clear_output()"


class JavaScriptKernelWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
